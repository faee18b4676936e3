//! Times the ndarray DWT (`pde::wavelet`) on the same arrays and settings as
//! `benches/wavelet_pywt.py` times PyWavelets. Run:
//! `cargo run --release --example bench_wavelet_pywt` and `python3 benches/wavelet_pywt.py`.
//! Arrays: `x[k] = ((k·7919 + k²) mod 1000)/500 − 1` over the flat index `k` (integer
//! arithmetic, so both sides hold identical values).
use ndarray::{Array2, Array3, ArrayD, IxDyn};
use scidiff::pde::wavelet::{Mode, Wavelet, wavedec_batch, wavedec2, waverec_batch, waverec2};
use std::time::Instant;

fn array(shape: &[usize]) -> ArrayD<f64> {
    let n: usize = shape.iter().product();
    let v = (0..n as u64).map(|k| ((k * 7919 + k * k) % 1000) as f64 / 500.0 - 1.0).collect();
    ArrayD::from_shape_vec(IxDyn(shape), v).unwrap()
}

/// Median wall time in ms of `reps` runs of `f`.
fn time_ms(reps: usize, mut f: impl FnMut()) -> f64 {
    f();
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

fn main() {
    println!("| case | wavelet | mode | level | forward ms | inverse ms |");
    println!("|---|---|---|---|---|---|");
    let cases1: [(&[usize], &str, &str, usize); 2] = [(&[1024, 1024], "db4", "symmetric", 3), (&[1000, 120], "bior2.4", "periodization", 1)];
    for (shape, name, mode, level) in cases1 {
        let (w, m): (Wavelet, Mode) = (Wavelet::from_name(name).unwrap(), mode.parse().unwrap());
        let x: Array2<f64> = array(shape).into_dimensionality().unwrap();
        let c = wavedec_batch(x.view(), &w, m, level).unwrap();
        let f = time_ms(11, || drop(wavedec_batch(x.view(), &w, m, level).unwrap()));
        let i = time_ms(11, || drop(waverec_batch(&c, &w, m).unwrap()));
        println!("| 1-D {shape:?} | {name} | {mode} | {level} | {f:.2} | {i:.2} |");
    }
    let cases2: [(&[usize], &str, &str, usize); 2] = [(&[1000, 81, 120], "bior2.4", "periodization", 1), (&[16, 256, 256], "db2", "symmetric", 2)];
    for (shape, name, mode, level) in cases2 {
        let (w, m): (Wavelet, Mode) = (Wavelet::from_name(name).unwrap(), mode.parse().unwrap());
        let x: Array3<f64> = array(shape).into_dimensionality().unwrap();
        let c = wavedec2(x.view(), &w, m, level).unwrap();
        let f = time_ms(11, || drop(wavedec2(x.view(), &w, m, level).unwrap()));
        let i = time_ms(11, || drop(waverec2(&c, &w, m).unwrap()));
        println!("| 2-D {shape:?} | {name} | {mode} | {level} | {f:.2} | {i:.2} |");
    }
}
