//! A time-conditioned MLP for low-dimensional data: `[x, emb(t)] → (Linear, SiLU)×L → Linear`.
//! `emb(t)` is the sinusoidal embedding of Vaswani et al. (2017) applied to `1000 t`, the usual
//! DDPM time input.

use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::silu;
use serde::{Deserialize, Serialize};

/// MLP hyper-parameters (defaults: 3 hidden layers of 128, 32-dimensional time embedding).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MlpConfig {
    /// Data dimension.
    pub dim: usize,
    /// Hidden width.
    pub hidden: usize,
    /// Number of hidden layers.
    pub layers: usize,
    /// Size of the sinusoidal time embedding (even).
    pub time_embed: usize,
}

impl Default for MlpConfig {
    fn default() -> Self {
        Self { dim: 2, hidden: 128, layers: 3, time_embed: 32 }
    }
}

/// The network.
#[derive(Module, Debug)]
pub struct NoiseMlp<B: Backend> {
    input: Linear<B>,
    hidden: Vec<Linear<B>>,
    output: Linear<B>,
    time_embed: usize,
}

impl MlpConfig {
    /// Build with burn's default initialisation (seed the backend first for reproducibility).
    pub fn init<B: Backend>(&self, device: &B::Device) -> NoiseMlp<B> {
        NoiseMlp {
            input: LinearConfig::new(self.dim + self.time_embed, self.hidden).init(device),
            hidden: (1..self.layers).map(|_| LinearConfig::new(self.hidden, self.hidden).init(device)).collect(),
            output: LinearConfig::new(self.hidden, self.dim).init(device),
            time_embed: self.time_embed,
        }
    }
}

/// Sinusoidal embedding of `1000 t` for a batch of times `[b]` → `[b, size]`.
pub fn time_embedding<B: Backend>(t: Tensor<B, 1>, size: usize) -> Tensor<B, 2> {
    let half = size / 2;
    let device = t.device();
    let freqs: Vec<f32> = (0..half).map(|i| (-(10_000f32.ln()) * i as f32 / half as f32).exp()).collect();
    let freqs = Tensor::<B, 1>::from_data(TensorData::new(freqs, [half]), &device).unsqueeze::<2>();
    let args = t.mul_scalar(1000.0).unsqueeze_dim::<2>(1).matmul(freqs);
    Tensor::cat(vec![args.clone().sin(), args.cos()], 1)
}

impl<B: Backend> NoiseMlp<B> {
    /// Predict from `x` `[b, d]` at times `t` `[b]`.
    pub fn forward(&self, x: Tensor<B, 2>, t: Tensor<B, 1>) -> Tensor<B, 2> {
        let h = Tensor::cat(vec![x, time_embedding(t, self.time_embed)], 1);
        let mut h = silu(self.input.forward(h));
        for layer in &self.hidden {
            h = silu(layer.forward(h));
        }
        self.output.forward(h)
    }
}
