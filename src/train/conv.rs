//! Convolutions as one batched matrix product per kernel tap, for burn's `Conv1d`/`Conv2d`
//! modules (their parameters, checkpoints and initialisation are unchanged).
//!
//! For a stride-1, ungrouped convolution with weight `W [c_out, c_in, k]`, dilation `d` and zero
//! padding `p`, `y = Σ_j W[:, :, j] · x_pad[:, :, j·d .. j·d + L_out]` (2-D: a sum over the
//! `k_h × k_w` taps of shifted windows). Each term is a GEMM, and so is its backward, so
//! autodiff costs a few GEMMs per tap. On the NdArray backend this is ~35× faster than burn's
//! own convolution forward + backward (64 × 64 channels, L = 200, k = 9, d = 4: 0.19 s against
//! 6.6 s; `examples/bench_conv.rs`), which made the DNA denoiser and the WDNO U-Net untrainable
//! on CPU. Anything else (stride, groups, `Same`/asymmetric padding) falls back to burn.

use burn::nn::conv::{Conv1d, Conv2d};
use burn::nn::{PaddingConfig1d, PaddingConfig2d};
use burn::prelude::*;

/// Zero-pads `x` by `lo`/`hi` entries along dimension `dim`.
fn zero_pad<B: Backend, const D: usize>(x: Tensor<B, D>, dim: usize, lo: usize, hi: usize) -> Tensor<B, D> {
    if lo == 0 && hi == 0 {
        return x;
    }
    let mut parts = Vec::with_capacity(3);
    let shape = |n: usize| {
        let mut s = x.dims();
        s[dim] = n;
        s
    };
    if lo > 0 {
        parts.push(Tensor::zeros(shape(lo), &x.device()));
    }
    let hi_part = (hi > 0).then(|| Tensor::zeros(shape(hi), &x.device()));
    parts.push(x);
    parts.extend(hi_part);
    Tensor::cat(parts, dim)
}

/// `Conv1d::forward` computed tap by tap (same result to rounding).
pub fn conv1d<B: Backend>(m: &Conv1d<B>, x: Tensor<B, 3>) -> Tensor<B, 3> {
    let PaddingConfig1d::Explicit(lo, hi) = m.padding else { return m.forward(x) };
    if m.stride != 1 || m.groups != 1 {
        return m.forward(x);
    }
    let w = m.weight.val();
    let [b, c_in, l] = x.dims();
    let [c_out, _, k] = w.dims();
    let d = m.dilation;
    let l_out = (l + lo + hi).saturating_sub(d * (k - 1));
    let xp = zero_pad(x, 2, lo, hi);
    let mut y: Option<Tensor<B, 3>> = None;
    for j in 0..k {
        let wj = w.clone().narrow(2, j, 1).reshape([1, c_out, c_in]).expand([b, c_out, c_in]);
        let term = wj.matmul(xp.clone().narrow(2, j * d, l_out));
        y = Some(match y {
            None => term,
            Some(acc) => acc + term,
        });
    }
    let y = y.expect("kernel has at least one tap");
    match &m.bias {
        Some(bias) => y + bias.val().reshape([1, c_out, 1]),
        None => y,
    }
}

/// `Conv2d::forward` computed tap by tap (same result to rounding).
pub fn conv2d<B: Backend>(m: &Conv2d<B>, x: Tensor<B, 4>) -> Tensor<B, 4> {
    let PaddingConfig2d::Explicit(top, left, bottom, right) = m.padding else { return m.forward(x) };
    if m.stride != [1, 1] || m.groups != 1 {
        return m.forward(x);
    }
    let w = m.weight.val();
    let [b, c_in, h, wd] = x.dims();
    let [c_out, _, kh, kw] = w.dims();
    let [dh, dw] = m.dilation;
    let h_out = (h + top + bottom).saturating_sub(dh * (kh - 1));
    let w_out = (wd + left + right).saturating_sub(dw * (kw - 1));
    let xp = zero_pad(zero_pad(x, 2, top, bottom), 3, left, right);
    let mut y: Option<Tensor<B, 3>> = None;
    for i in 0..kh {
        for j in 0..kw {
            let wij = w.clone().narrow(2, i, 1).narrow(3, j, 1).reshape([1, c_out, c_in]).expand([b, c_out, c_in]);
            let win = xp.clone().narrow(2, i * dh, h_out).narrow(3, j * dw, w_out).reshape([b, c_in, h_out * w_out]);
            let term = wij.matmul(win);
            y = Some(match y {
                None => term,
                Some(acc) => acc + term,
            });
        }
    }
    let y = y.expect("kernel has at least one tap").reshape([b, c_out, h_out, w_out]);
    match &m.bias {
        Some(bias) => y + bias.val().reshape([1, c_out, 1, 1]),
        None => y,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::backend::{Autodiff, NdArray};
    use burn::nn::conv::{Conv1dConfig, Conv2dConfig};
    use burn::tensor::Distribution;

    type Bk = Autodiff<NdArray>;

    fn max_abs<B: Backend<FloatElem = f32>, const D: usize>(a: Tensor<B, D>, b: Tensor<B, D>) -> f32 {
        (a - b).abs().max().into_scalar()
    }

    /// Largest difference relative to the larger magnitude (at least 1).
    fn rel<B: Backend<FloatElem = f32>, const D: usize>(a: Tensor<B, D>, b: Tensor<B, D>) -> f32 {
        let scale: f32 = a.clone().abs().max().into_scalar();
        max_abs(a, b) / scale.max(1.0)
    }

    /// Oracle: burn's own convolution. Values (1e-4 absolute on O(1)–O(10) outputs) and the
    /// gradients of input, weight and bias (1e-5 relative to their largest entry: f32 rounding of
    /// sums in a different order) agree, for dilations, asymmetric padding and bias.
    #[test]
    fn conv1d_matches_burn_values_and_gradients() {
        let dev = Default::default();
        for (k, d, lo, hi, bias) in [(9, 4, 16, 16, true), (3, 1, 1, 1, false), (5, 2, 0, 3, true), (1, 1, 0, 0, true)] {
            let m = Conv1dConfig::new(3, 4, k).with_dilation(d).with_padding(PaddingConfig1d::Explicit(lo, hi)).with_bias(bias).init::<Bk>(&dev);
            let x = Tensor::<Bk, 3>::random([2, 3, 20], Distribution::Normal(0.0, 1.0), &dev).require_grad();
            let (a, b) = (m.forward(x.clone()), conv1d(&m, x.clone()));
            assert_eq!(a.dims(), b.dims());
            assert!(max_abs(a.clone(), b.clone()) < 1e-4);
            let ga = a.powi_scalar(2).sum().backward();
            let gb = b.powi_scalar(2).sum().backward();
            assert!(rel(m.weight.grad(&ga).unwrap(), m.weight.grad(&gb).unwrap()) < 1e-5);
            assert!(rel(x.grad(&ga).unwrap(), x.grad(&gb).unwrap()) < 1e-5);
            if let Some(bp) = &m.bias {
                assert!(rel(bp.grad(&ga).unwrap(), bp.grad(&gb).unwrap()) < 1e-5);
            }
        }
    }

    #[test]
    fn conv2d_matches_burn_values_and_gradients() {
        let dev = Default::default();
        for (k, p, bias) in [(3, 1, true), (1, 0, false), (3, 0, true)] {
            let m = Conv2dConfig::new([3, 5], [k, k]).with_padding(PaddingConfig2d::Explicit(p, p, p, p)).with_bias(bias).init::<Bk>(&dev);
            let x = Tensor::<Bk, 4>::random([2, 3, 6, 7], Distribution::Normal(0.0, 1.0), &dev).require_grad();
            let (a, b) = (m.forward(x.clone()), conv2d(&m, x.clone()));
            assert_eq!(a.dims(), b.dims());
            assert!(max_abs(a.clone(), b.clone()) < 1e-4);
            let ga = a.powi_scalar(2).sum().backward();
            let gb = b.powi_scalar(2).sum().backward();
            assert!(rel(m.weight.grad(&ga).unwrap(), m.weight.grad(&gb).unwrap()) < 1e-5);
            assert!(rel(x.grad(&ga).unwrap(), x.grad(&gb).unwrap()) < 1e-5);
        }
    }
}
