//! Forward + backward time of burn's convolutions against `scidiff::train::conv` (one GEMM per
//! kernel tap) on the shapes of the DNA denoiser and the WDNO U-Net, CPU NdArray backend.
//!
//! `cargo run --release --example bench_conv` prints a table (seconds per forward + backward,
//! mean of 3 after one warm-up) and the largest output difference.

use burn::backend::{Autodiff, NdArray};
use burn::nn::conv::{Conv1dConfig, Conv2dConfig};
use burn::nn::{PaddingConfig1d, PaddingConfig2d};
use burn::tensor::{Distribution, Tensor};
use scidiff::train::conv::{conv1d, conv2d};
use std::time::Instant;

type B = Autodiff<NdArray>;

fn time<F: FnMut()>(mut f: F) -> f64 {
    f();
    let t0 = Instant::now();
    for _ in 0..3 {
        f();
    }
    t0.elapsed().as_secs_f64() / 3.0
}

fn main() {
    let dev = Default::default();
    println!("| layer | input | burn conv (s) | per-tap GEMM (s) | speed-up | max |diff| |");
    println!("|---|---|---|---|---|---|");
    for (c, l, k, d, b) in [(64usize, 200usize, 9usize, 4usize, 64usize), (128, 200, 9, 64, 16)] {
        let p = d * (k - 1) / 2;
        let m = Conv1dConfig::new(c, c, k).with_dilation(d).with_padding(PaddingConfig1d::Explicit(p, p)).init::<B>(&dev);
        let x = Tensor::<B, 3>::random([b, c, l], Distribution::Normal(0.0, 1.0), &dev).require_grad();
        let diff: f32 = (m.forward(x.clone()) - conv1d(&m, x.clone())).abs().max().into_scalar();
        let tb = time(|| drop(m.forward(x.clone()).powi_scalar(2).sum().backward()));
        let tt = time(|| drop(conv1d(&m, x.clone()).powi_scalar(2).sum().backward()));
        println!("| conv1d {c}→{c}, k {k}, dilation {d} | [{b}, {c}, {l}] | {tb:.3} | {tt:.3} | {:.1}× | {diff:.1e} |", tb / tt);
    }
    for (c, h, w, b) in [(32usize, 24usize, 32usize, 16usize), (64, 12, 16, 16)] {
        let m = Conv2dConfig::new([c, c], [3, 3]).with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1)).init::<B>(&dev);
        let x = Tensor::<B, 4>::random([b, c, h, w], Distribution::Normal(0.0, 1.0), &dev).require_grad();
        let diff: f32 = (m.forward(x.clone()) - conv2d(&m, x.clone())).abs().max().into_scalar();
        let tb = time(|| drop(m.forward(x.clone()).powi_scalar(2).sum().backward()));
        let tt = time(|| drop(conv2d(&m, x.clone()).powi_scalar(2).sum().backward()));
        println!("| conv2d {c}→{c}, 3×3 | [{b}, {c}, {h}, {w}] | {tb:.3} | {tt:.3} | {:.1}× | {diff:.1e} |", tb / tt);
    }
}
