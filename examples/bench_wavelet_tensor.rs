//! Times the burn-tensor DWT (`pde::wavelet::tensor`, NdArray<f64> backend, CPU) against
//! the ndarray reference. Run: `cargo run --example bench_wavelet_tensor [--release]`.
use burn::backend::NdArray;
use burn::tensor::Tensor;
use ndarray::{ArrayD, IxDyn};
use std::time::Instant;
use scidiff::pde::wavelet::{Mode, Wavelet, tensor, wavedecn, waverecn};

type B = NdArray<f64>;

/// Median wall time in ms of `reps` runs of `f`.
fn time_ms(reps: usize, mut f: impl FnMut()) -> f64 {
    let mut v: Vec<f64> = (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[reps / 2]
}

fn bench<const D: usize>(
    shape: &[usize],
    name: &str,
    mode: Mode,
    level: usize,
    ndim: usize,
    reps: usize,
) {
    let w = Wavelet::from_name(name).unwrap();
    let n: usize = shape.iter().product();
    let v = (0..n)
        .map(|k| ((k * 7919 + k * k) % 1000) as f64 / 500.0 - 1.0)
        .collect();
    let x = ArrayD::from_shape_vec(IxDyn(shape), v).unwrap();
    let xt: Tensor<B, D> = tensor::tensor_from_array(&x, &Default::default()).unwrap();
    let c = tensor::wavedecn(xt.clone(), &w, mode, level, ndim).unwrap();
    // `tensor_to_array` forces completion (a no-op sync on NdArray, needed on GPU backends).
    let fwd = time_ms(reps, || {
        let c = tensor::wavedecn(xt.clone(), &w, mode, level, ndim).unwrap();
        let _ = tensor::tensor_to_array(&c.approx);
    });
    let inv = time_ms(reps, || {
        let _ = tensor::tensor_to_array(&tensor::waverecn(&c, &w, mode).unwrap());
    });
    let cn = wavedecn(x.view(), &w, mode, level, ndim).unwrap();
    let nd_fwd = time_ms(reps, || {
        let _ = wavedecn(x.view(), &w, mode, level, ndim).unwrap();
    });
    let nd_inv = time_ms(reps, || {
        let _ = waverecn(&cn, &w, mode).unwrap();
    });
    println!(
        "{:<22} {:<8} {:<13} {:>2}D L{} | {:>9.2} {:>9.2} | {:>9.2} {:>9.2}",
        format!("{shape:?}"),
        name,
        mode.name(),
        ndim,
        level,
        fwd,
        inv,
        nd_fwd,
        nd_inv
    );
}

fn main() {
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!("build: {profile}; backend NdArray<f64> (CPU); median ms");
    println!(
        "{:<22} {:<8} {:<13} {:>5} | {:>9} {:>9} | {:>9} {:>9}",
        "shape", "wavelet", "mode", "dims", "fwd ms", "inv ms", "nd fwd", "nd inv"
    );
    bench::<3>(&[8, 2, 120], "bior2.4", Mode::Periodization, 1, 1, 5);
    bench::<3>(&[8, 2, 1024], "db4", Mode::Zero, 3, 1, 5);
    bench::<4>(&[1, 1, 64, 64], "bior2.4", Mode::Periodization, 1, 2, 5);
    bench::<4>(&[8, 2, 81, 120], "bior2.4", Mode::Periodization, 1, 2, 5);
    bench::<4>(&[4, 3, 128, 128], "bior2.4", Mode::Periodization, 2, 2, 3);
    bench::<4>(&[2, 2, 256, 256], "db4", Mode::Symmetric, 3, 2, 3);
    bench::<5>(&[1, 5, 32, 64, 64], "bior1.3", Mode::Zero, 1, 3, 3);
}
