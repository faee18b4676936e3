//! Attention layers of the smoke 3-D U-Net (brief §3.2; the video-diffusion U-Net of Ho et al.
//! 2022 that WDNO's smoke model builds on), on `[B, C, T', H, W]`:
//!
//! * [`SpatialLinearAttn`]: per frame, linear attention over the `H·W` positions (Shen et al.
//!   2021): `q̃ = softmax_features(q)·d^{-1/2}`, `k̃ = softmax_positions(k)`,
//!   `out_n = Σ_d q̃_{nd} Σ_m k̃_{md} v_m`, then a linear map back to `C` (no output norm);
//! * [`SpatialFullAttn`]: per frame, softmax attention over the `H·W` positions (the middle);
//! * [`TemporalAttn`]: per pixel, softmax attention over the `T'` frames with rotary position
//!   embeddings on `q`, `k` (Su et al. 2021, on the first `min(32, d)` features, interleaved
//!   pairs, θ = 10⁴) and a learned T5 relative position bias ([`RelPosBias`], 32 buckets,
//!   max distance 32) shared by every temporal layer of the network.
//!
//! Each is residual with a pre-norm: `x + attn(ChanNorm(x))`, ChanNorm a LayerNorm over channels
//! with a gain only (ε = 1e-5). Heads × width: paper 4 × 32.

use crate::pde::wdno::unet::ChanNorm;
use burn::nn::{Embedding, EmbeddingConfig, Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::softmax;

/// `[B, C, T, H, W]` → per-frame sequences `[B·T, H·W, C]`.
fn frames<B: Backend>(x: Tensor<B, 5>) -> Tensor<B, 3> {
    let [b, c, t, h, w] = x.dims();
    x.permute([0, 2, 3, 4, 1]).reshape([b * t, h * w, c])
}

fn from_frames<B: Backend>(x: Tensor<B, 3>, [b, c, t, h, w]: [usize; 5]) -> Tensor<B, 5> {
    x.reshape([b, t, h, w, c]).permute([0, 4, 1, 2, 3])
}

/// `[B, C, T, H, W]` → per-pixel sequences `[B·H·W, T, C]`.
fn pixels<B: Backend>(x: Tensor<B, 5>) -> Tensor<B, 3> {
    let [b, c, t, h, w] = x.dims();
    x.permute([0, 3, 4, 2, 1]).reshape([b * h * w, t, c])
}

fn from_pixels<B: Backend>(x: Tensor<B, 3>, [b, c, t, h, w]: [usize; 5]) -> Tensor<B, 5> {
    x.reshape([b, h, w, t, c]).permute([0, 4, 3, 1, 2])
}

/// `[N, L, heads·d]` → `[N, heads, L, d]`.
fn split_heads<B: Backend>(x: Tensor<B, 3>, heads: usize) -> Tensor<B, 4> {
    let [n, l, hd] = x.dims();
    x.reshape([n, l, heads, hd / heads]).swap_dims(1, 2)
}

fn merge_heads<B: Backend>(x: Tensor<B, 4>) -> Tensor<B, 3> {
    let [n, h, l, d] = x.dims();
    x.swap_dims(1, 2).reshape([n, l, h * d])
}

/// Linear attention on `[N, h, L, d]` (see the module docs; `q` already unscaled).
pub fn linear_attention<B: Backend>(q: Tensor<B, 4>, k: Tensor<B, 4>, v: Tensor<B, 4>) -> Tensor<B, 4> {
    let d = q.dims()[3];
    let q = softmax(q, 3).mul_scalar((d as f64).powf(-0.5));
    let k = softmax(k, 2);
    q.matmul(k.swap_dims(2, 3).matmul(v))
}

/// Softmax attention on `[N, h, L, d]`, `softmax(q kᵀ/√d + bias) v`, bias `[h, L, L]`.
pub fn softmax_attention<B: Backend>(q: Tensor<B, 4>, k: Tensor<B, 4>, v: Tensor<B, 4>, bias: Option<Tensor<B, 3>>) -> Tensor<B, 4> {
    let d = q.dims()[3];
    let mut sim = q.mul_scalar((d as f64).powf(-0.5)).matmul(k.swap_dims(2, 3));
    if let Some(b) = bias {
        sim = sim + b.unsqueeze_dim(0);
    }
    softmax(sim, 3).matmul(v)
}

/// Rotary embedding of positions `0..L` on the first `rot` features of `[N, h, L, d]`:
/// pairs `(x_{2i}, x_{2i+1})` at position `p` rotate by `p·θ^{-2i/rot}`.
pub fn rotary<B: Backend>(x: Tensor<B, 4>, rot: usize) -> Tensor<B, 4> {
    let [n, h, l, d] = x.dims();
    let rot = rot.min(d) & !1;
    if rot == 0 {
        return x;
    }
    let (mut cos, mut sin) = (Vec::with_capacity(l * rot), Vec::with_capacity(l * rot));
    for p in 0..l {
        for i in 0..rot {
            let angle = p as f64 * 10_000f64.powf(-((i / 2 * 2) as f64) / rot as f64);
            cos.push(angle.cos() as f32);
            sin.push(angle.sin() as f32);
        }
    }
    let dev = x.device();
    let table = |v: Vec<f32>| Tensor::<B, 1>::from_floats(v.as_slice(), &dev).reshape([1, 1, l, rot]);
    let head = x.clone().narrow(3, 0, rot);
    let pairs = head.clone().reshape([n, h, l, rot / 2, 2]);
    let (a, b) = (pairs.clone().narrow(4, 0, 1), pairs.narrow(4, 1, 1));
    let turned = Tensor::cat(vec![b.neg(), a], 4).reshape([n, h, l, rot]);
    let out = head * table(cos) + turned * table(sin);
    if rot == d { out } else { Tensor::cat(vec![out, x.narrow(3, rot, d - rot)], 3) }
}

/// T5's bucket of a relative position `k − q` (bidirectional, `buckets` in all, exact below
/// `buckets/4`, logarithmic up to `max_distance`).
pub fn relative_bucket(rel: i64, buckets: usize, max_distance: usize) -> usize {
    let half = buckets / 2;
    let n = -rel;
    let base = if n < 0 { half } else { 0 };
    let n = n.unsigned_abs() as usize;
    let exact = half / 2;
    if n < exact {
        return base + n;
    }
    let large = exact + ((n as f64 / exact as f64).ln() / (max_distance as f64 / exact as f64).ln() * (half - exact) as f64) as usize;
    base + large.min(half - 1)
}

/// Learned relative position bias of the temporal attention, `[heads, L, L]`.
#[derive(Module, Debug)]
pub struct RelPosBias<B: Backend> {
    table: Embedding<B>,
}

const BUCKETS: usize = 32;
const MAX_DISTANCE: usize = 32;

impl<B: Backend> RelPosBias<B> {
    pub fn new(heads: usize, device: &B::Device) -> Self {
        Self { table: EmbeddingConfig::new(BUCKETS, heads).init(device) }
    }
    pub fn forward(&self, len: usize, device: &B::Device) -> Tensor<B, 3> {
        let idx: Vec<i64> = (0..len * len).map(|ij| relative_bucket((ij % len) as i64 - (ij / len) as i64, BUCKETS, MAX_DISTANCE) as i64).collect();
        let idx = Tensor::<B, 1, Int>::from_ints(idx.as_slice(), device).reshape([1, len * len]);
        let heads = self.table.weight.dims()[1];
        self.table.forward(idx).reshape([len, len, heads]).permute([2, 0, 1])
    }
}

/// `q, k, v` projections (no bias) and the output map of one attention layer.
#[derive(Module, Debug)]
pub struct Qkv<B: Backend> {
    to_qkv: Linear<B>,
    to_out: Linear<B>,
    heads: usize,
}

impl<B: Backend> Qkv<B> {
    fn new(dim: usize, heads: usize, dim_head: usize, out_bias: bool, device: &B::Device) -> Self {
        let hid = heads * dim_head;
        Self { to_qkv: LinearConfig::new(dim, 3 * hid).with_bias(false).init(device), to_out: LinearConfig::new(hid, dim).with_bias(out_bias).init(device), heads }
    }
    /// `[N, L, C]` → `(q, k, v)` each `[N, heads, L, d]`.
    fn split(&self, x: Tensor<B, 3>) -> [Tensor<B, 4>; 3] {
        let qkv = self.to_qkv.forward(x);
        let hid = qkv.dims()[2] / 3;
        [0, 1, 2].map(|i| split_heads(qkv.clone().narrow(2, i * hid, hid), self.heads))
    }
    fn out(&self, o: Tensor<B, 4>) -> Tensor<B, 3> {
        self.to_out.forward(merge_heads(o))
    }
}

/// `x + LinearAttention(ChanNorm(x))` within each frame.
#[derive(Module, Debug)]
pub struct SpatialLinearAttn<B: Backend> {
    norm: ChanNorm<B>,
    qkv: Qkv<B>,
}

impl<B: Backend> SpatialLinearAttn<B> {
    pub fn new(dim: usize, heads: usize, dim_head: usize, device: &B::Device) -> Self {
        Self { norm: ChanNorm::new(dim, device), qkv: Qkv::new(dim, heads, dim_head, true, device) }
    }
    pub fn forward(&self, x: Tensor<B, 5>) -> Tensor<B, 5> {
        let dims = x.dims();
        let [q, k, v] = self.qkv.split(frames(self.norm.forward(x.clone())));
        x + from_frames(self.qkv.out(linear_attention(q, k, v)), dims)
    }
}

/// `x + Attention(ChanNorm(x))` within each frame (full softmax, no positions).
#[derive(Module, Debug)]
pub struct SpatialFullAttn<B: Backend> {
    norm: ChanNorm<B>,
    qkv: Qkv<B>,
}

impl<B: Backend> SpatialFullAttn<B> {
    pub fn new(dim: usize, heads: usize, dim_head: usize, device: &B::Device) -> Self {
        Self { norm: ChanNorm::new(dim, device), qkv: Qkv::new(dim, heads, dim_head, false, device) }
    }
    pub fn forward(&self, x: Tensor<B, 5>) -> Tensor<B, 5> {
        let dims = x.dims();
        let [q, k, v] = self.qkv.split(frames(self.norm.forward(x.clone())));
        x + from_frames(self.qkv.out(softmax_attention(q, k, v, None)), dims)
    }
}

/// `x + Attention(ChanNorm(x))` along time at each pixel, rotary `q`/`k` and a position bias.
#[derive(Module, Debug)]
pub struct TemporalAttn<B: Backend> {
    norm: ChanNorm<B>,
    qkv: Qkv<B>,
    rot: usize,
}

impl<B: Backend> TemporalAttn<B> {
    pub fn new(dim: usize, heads: usize, dim_head: usize, device: &B::Device) -> Self {
        Self { norm: ChanNorm::new(dim, device), qkv: Qkv::new(dim, heads, dim_head, false, device), rot: dim_head.min(32) }
    }
    /// `bias`: `[heads, T', T']` from [`RelPosBias::forward`].
    pub fn forward(&self, x: Tensor<B, 5>, bias: Tensor<B, 3>) -> Tensor<B, 5> {
        let dims = x.dims();
        let [q, k, v] = self.qkv.split(pixels(self.norm.forward(x.clone())));
        let (q, k) = (rotary(q, self.rot), rotary(k, self.rot));
        x + from_pixels(self.qkv.out(softmax_attention(q, k, v, Some(bias))), dims)
    }
}

#[cfg(test)]
#[path = "attention3d_tests.rs"]
mod tests;
