//! The 2-D U-Net denoiser of WDNO's Burgers models (brief §3.1; the lucidrains
//! denoising-diffusion U-Net with time as an image axis, Ho et al. 2020 App. B):
//!
//! * time embedding: sinusoidal(dim) of the step index → Linear(dim, 4dim) → GELU → Linear;
//! * init conv 7×7 (channels → dim); levels `i` with `dims = [dim, dim·m_1, …]`:
//!   2 ResBlocks at `dims[i]`, `x + LinearAttention(ChanNorm(x))`, then a downsample
//!   (pixel-unshuffle 2×2 + 1×1 conv to `dims[i+1]`) or, on the last level, a 3×3 conv;
//! * mid: ResBlock, `x + Attention(ChanNorm(x))` (full softmax), ResBlock;
//! * up path mirrored, each ResBlock fed `[x, skip]`, upsampling by nearest 2× + 3×3 conv
//!   (3×3 conv on the last level); final ResBlock on `[x, init features]` and a 1×1 conv.
//!
//! ResBlock: `conv3 → GroupNorm → x(1+scale)+shift (from SiLU→Linear of the time embedding) →
//! SiLU → conv3 → GroupNorm → SiLU`, plus `x` (1×1 conv when widths differ). ChanNorm is a
//! LayerNorm over channels with a gain only (ε = 1e-5). Linear attention (Shen et al. 2021):
//! `q` softmax over features, `k` softmax over positions, `out = (k vᵀ)ᵀ q`, then a 1×1 conv and
//! ChanNorm.

use super::config::UnetConfig;
use burn::module::Param;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use crate::train::conv::conv2d;
use burn::nn::{GroupNorm, GroupNormConfig, Initializer, Linear, LinearConfig, PaddingConfig2d};
use burn::prelude::*;
use burn::tensor::activation::{gelu, silu, softmax};

fn conv<B: Backend>(i: usize, o: usize, k: usize, bias: bool, device: &B::Device) -> Conv2d<B> {
    let p = k / 2;
    Conv2dConfig::new([i, o], [k, k]).with_padding(PaddingConfig2d::Explicit(p, p, p, p)).with_bias(bias).init(device)
}

/// LayerNorm over the channel axis with a learned gain (no bias).
#[derive(Module, Debug)]
pub struct ChanNorm<B: Backend> {
    gain: Param<Tensor<B, 1>>,
}

impl<B: Backend> ChanNorm<B> {
    pub(crate) fn new(dim: usize, device: &B::Device) -> Self {
        Self { gain: Initializer::Ones.init([dim], device) }
    }
    /// Normalise `[B, C, …]` over axis 1 (any rank; the 3-D U-Net uses rank 5).
    pub(crate) fn forward<const D: usize>(&self, x: Tensor<B, D>) -> Tensor<B, D> {
        let mean = x.clone().mean_dim(1);
        let centred = x - mean;
        let var = centred.clone().square().mean_dim(1);
        let mut shape = [1usize; D];
        shape[1] = self.gain.dims()[0];
        centred / var.add_scalar(1e-5).sqrt() * self.gain.val().reshape(shape)
    }
}

/// Conv + GroupNorm (+ scale-shift) + SiLU.
#[derive(Module, Debug)]
pub struct Block<B: Backend> {
    proj: Conv2d<B>,
    norm: GroupNorm<B>,
}

impl<B: Backend> Block<B> {
    fn new(i: usize, o: usize, groups: usize, device: &B::Device) -> Self {
        Self { proj: conv(i, o, 3, true, device), norm: GroupNormConfig::new(groups, o).init(device) }
    }
    fn forward(&self, x: Tensor<B, 4>, scale_shift: Option<(Tensor<B, 4>, Tensor<B, 4>)>) -> Tensor<B, 4> {
        let mut x = self.norm.forward(conv2d(&self.proj, x));
        if let Some((scale, shift)) = scale_shift {
            x = x * scale.add_scalar(1.0) + shift;
        }
        silu(x)
    }
}

/// Residual block with time scale-shift.
#[derive(Module, Debug)]
pub struct ResBlock<B: Backend> {
    mlp: Linear<B>,
    block1: Block<B>,
    block2: Block<B>,
    res: Option<Conv2d<B>>,
}

impl<B: Backend> ResBlock<B> {
    fn new(i: usize, o: usize, time_dim: usize, groups: usize, device: &B::Device) -> Self {
        Self {
            mlp: LinearConfig::new(time_dim, 2 * o).init(device),
            block1: Block::new(i, o, groups, device),
            block2: Block::new(o, o, groups, device),
            res: (i != o).then(|| conv(i, o, 1, true, device)),
        }
    }
    fn forward(&self, x: Tensor<B, 4>, t: Tensor<B, 2>) -> Tensor<B, 4> {
        let ss = self.mlp.forward(silu(t));
        let [b, o2] = ss.dims();
        let ss = ss.reshape([b, o2, 1, 1]);
        let (scale, shift) = (ss.clone().narrow(1, 0, o2 / 2), ss.narrow(1, o2 / 2, o2 / 2));
        let h = self.block2.forward(self.block1.forward(x.clone(), Some((scale, shift))), None);
        h + match &self.res {
            Some(c) => conv2d(c, x),
            None => x,
        }
    }
}

/// `x + attention(ChanNorm(x))`, linear or full softmax attention.
#[derive(Module, Debug)]
pub struct AttnBlock<B: Backend> {
    norm: ChanNorm<B>,
    to_qkv: Conv2d<B>,
    to_out: Conv2d<B>,
    out_norm: Option<ChanNorm<B>>,
    heads: usize,
    dim_head: usize,
}

impl<B: Backend> AttnBlock<B> {
    fn new(dim: usize, heads: usize, dim_head: usize, linear: bool, device: &B::Device) -> Self {
        let hid = heads * dim_head;
        Self {
            norm: ChanNorm::new(dim, device),
            to_qkv: conv(dim, 3 * hid, 1, false, device),
            to_out: conv(hid, dim, 1, true, device),
            out_norm: linear.then(|| ChanNorm::new(dim, device)),
            heads,
            dim_head,
        }
    }

    fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 4> {
        let [b, _, h, w] = x.dims();
        let (nh, d, n) = (self.heads, self.dim_head, h * w);
        let qkv = conv2d(&self.to_qkv, self.norm.forward(x.clone()));
        let part = |i: usize| qkv.clone().narrow(1, i * nh * d, nh * d).reshape([b, nh, d, n]);
        let (q, k, v) = (part(0), part(1), part(2));
        let scale = (d as f64).powf(-0.5) as f32;
        let out = match &self.out_norm {
            Some(norm) => {
                let q = softmax(q, 2).mul_scalar(scale);
                let k = softmax(k, 3);
                let context = k.matmul(v.swap_dims(2, 3)); // [b, h, d, e]
                let o = context.swap_dims(2, 3).matmul(q); // [b, h, e, n]
                norm.forward(conv2d(&self.to_out, o.reshape([b, nh * d, h, w])))
            }
            None => {
                let sim = q.mul_scalar(scale).swap_dims(2, 3).matmul(k); // [b, h, i, j]
                let o = softmax(sim, 3).matmul(v.swap_dims(2, 3)); // [b, h, i, d]
                conv2d(&self.to_out, o.swap_dims(2, 3).reshape([b, nh * d, h, w]))
            }
        };
        x + out
    }
}

/// One level of the down or up path.
#[derive(Module, Debug)]
pub struct Level<B: Backend> {
    block1: ResBlock<B>,
    block2: ResBlock<B>,
    attn: AttnBlock<B>,
    resample: Conv2d<B>,
    /// Down: pixel-unshuffle before `resample`; up: nearest 2× before it; else a 3×3 conv only.
    rescale: bool,
}

fn pixel_unshuffle<B: Backend>(x: Tensor<B, 4>) -> Tensor<B, 4> {
    let [b, c, h, w] = x.dims();
    x.reshape([b, c, h / 2, 2, w / 2, 2]).permute([0, 1, 3, 5, 2, 4]).reshape([b, 4 * c, h / 2, w / 2])
}

fn upsample_nearest<B: Backend>(x: Tensor<B, 4>) -> Tensor<B, 4> {
    let [b, c, h, w] = x.dims();
    x.reshape([b, c, h, 1, w, 1]).repeat_dim(3, 2).repeat_dim(5, 2).reshape([b, c, 2 * h, 2 * w])
}

/// The WDNO U-Net.
#[derive(Module, Debug)]
pub struct Unet<B: Backend> {
    time1: Linear<B>,
    time2: Linear<B>,
    init_conv: Conv2d<B>,
    downs: Vec<Level<B>>,
    mid1: ResBlock<B>,
    mid_attn: AttnBlock<B>,
    mid2: ResBlock<B>,
    ups: Vec<Level<B>>,
    final_block: ResBlock<B>,
    final_conv: Conv2d<B>,
    dim: usize,
}

impl UnetConfig {
    /// Build with burn's default initialisation (seed the backend first for reproducibility).
    pub fn init<B: Backend>(&self, device: &B::Device) -> Unet<B> {
        let (dim, g, td) = (self.dim, self.groups, 4 * self.dim);
        let (heads, dh) = (self.attn_heads, self.attn_dim_head);
        let dims: Vec<usize> = std::iter::once(dim).chain(self.dim_mults.iter().map(|m| dim * m)).collect();
        let pairs: Vec<(usize, usize)> = dims.windows(2).map(|w| (w[0], w[1])).collect();
        let last = pairs.len() - 1;
        let downs = pairs
            .iter()
            .enumerate()
            .map(|(k, &(i, o))| Level {
                block1: ResBlock::new(i, i, td, g, device),
                block2: ResBlock::new(i, i, td, g, device),
                attn: AttnBlock::new(i, heads, dh, true, device),
                resample: if k < last { conv(4 * i, o, 1, true, device) } else { conv(i, o, 3, true, device) },
                rescale: k < last,
            })
            .collect();
        let mid = dims[dims.len() - 1];
        let ups = pairs
            .iter()
            .rev()
            .enumerate()
            .map(|(k, &(i, o))| Level {
                block1: ResBlock::new(o + i, o, td, g, device),
                block2: ResBlock::new(o + i, o, td, g, device),
                attn: AttnBlock::new(o, heads, dh, true, device),
                resample: conv(o, i, 3, true, device),
                rescale: k < last,
            })
            .collect();
        Unet {
            time1: LinearConfig::new(dim, td).init(device),
            time2: LinearConfig::new(td, td).init(device),
            init_conv: conv(self.channels, dim, 7, true, device),
            downs,
            mid1: ResBlock::new(mid, mid, td, g, device),
            mid_attn: AttnBlock::new(mid, heads, dh, false, device),
            mid2: ResBlock::new(mid, mid, td, g, device),
            ups,
            final_block: ResBlock::new(2 * dim, dim, td, g, device),
            final_conv: conv(dim, self.channels, 1, true, device),
            dim,
        }
    }
}

/// Sinusoidal embedding of the step index `t` (`[b]`, unscaled): frequencies
/// `exp(−ln(10⁴)·i/(half−1))`, `[sin, cos]` → `[b, size]`.
pub fn step_embedding<B: Backend>(t: Tensor<B, 1>, size: usize) -> Tensor<B, 2> {
    let half = size / 2;
    let denom = (half.max(2) - 1) as f64;
    let freqs: Vec<f32> = (0..half).map(|i| (-(10_000f64.ln()) * i as f64 / denom).exp() as f32).collect();
    let freqs = Tensor::<B, 1>::from_data(TensorData::new(freqs, [half]), &t.device()).unsqueeze::<2>();
    let args = t.unsqueeze_dim::<2>(1).matmul(freqs);
    Tensor::cat(vec![args.clone().sin(), args.cos()], 1)
}

impl<B: Backend> Unet<B> {
    /// Predict `ε` from `x` `[b, C, H, W]` at (possibly fractional) step indices `t` `[b]`.
    pub fn forward(&self, x: Tensor<B, 4>, t: Tensor<B, 1>) -> Tensor<B, 4> {
        let t = self.time2.forward(gelu(self.time1.forward(step_embedding(t, self.dim))));
        let mut x = conv2d(&self.init_conv, x);
        let r = x.clone();
        let mut skips = Vec::with_capacity(2 * self.downs.len());
        for l in &self.downs {
            x = l.block1.forward(x, t.clone());
            skips.push(x.clone());
            x = l.attn.forward(l.block2.forward(x, t.clone()));
            skips.push(x.clone());
            x = conv2d(&l.resample, if l.rescale { pixel_unshuffle(x) } else { x });
        }
        x = self.mid2.forward(self.mid_attn.forward(self.mid1.forward(x, t.clone())), t.clone());
        for l in &self.ups {
            x = l.block1.forward(Tensor::cat(vec![x, skips.pop().expect("skip")], 1), t.clone());
            x = l.block2.forward(Tensor::cat(vec![x, skips.pop().expect("skip")], 1), t.clone());
            x = l.attn.forward(x);
            x = conv2d(&l.resample, if l.rescale { upsample_nearest(x) } else { x });
        }
        x = self.final_block.forward(Tensor::cat(vec![x, r], 1), t);
        conv2d(&self.final_conv, x)
    }
}

#[cfg(test)]
#[path = "unet_tests.rs"]
mod tests;
