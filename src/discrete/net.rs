//! A small denoiser network for masked diffusion, and the training loss in burn tensors.
//!
//! [`SeqMlp`]: soft one-hot tokens `[b, L, V + 1]` (flattened) and a sinusoidal embedding of `t`
//! → SiLU MLP → logits `[b, L, V + 1]`. It is meant for short sequences and tests; the DNA
//! denoiser of DRAKES (dilated convolutions) plugs into the same [`masked_elbo_loss`].
//!
//! Loss (MDLM eq. 10 per sample): `w(t) Σ_{i masked} -log softmax(logits_i[..V])[x_i]`, the SUBS
//! log-probability (mask logit dropped; unmasked positions contribute nothing).

use super::MaskedDenoiser;
use super::schedule::MaskSchedule;
use crate::train::mlp::time_embedding;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::{log_softmax, silu, softmax};
use ndarray::{Array2, Array3};
use rand::RngExt;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

/// [`SeqMlp`] hyper-parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SeqMlpConfig {
    /// Sequence length.
    pub len: usize,
    /// Vocabulary size (without the mask).
    pub vocab: usize,
    /// Hidden width.
    pub hidden: usize,
    /// Time-embedding size.
    pub time_embed: usize,
}

impl Default for SeqMlpConfig {
    fn default() -> Self {
        Self { len: 16, vocab: 4, hidden: 256, time_embed: 32 }
    }
}

/// The network.
#[derive(Module, Debug)]
pub struct SeqMlp<B: Backend> {
    pub(crate) l1: Linear<B>,
    l2: Linear<B>,
    l3: Linear<B>,
    len: usize,
    vocab: usize,
    time_embed: usize,
}

impl SeqMlpConfig {
    /// Build with burn's default initialisation.
    pub fn init<B: Backend>(&self, device: &B::Device) -> SeqMlp<B> {
        let io = self.len * (self.vocab + 1);
        SeqMlp {
            l1: LinearConfig::new(io + self.time_embed, self.hidden).init(device),
            l2: LinearConfig::new(self.hidden, self.hidden).init(device),
            l3: LinearConfig::new(self.hidden, io).init(device),
            len: self.len,
            vocab: self.vocab,
            time_embed: self.time_embed,
        }
    }
}

impl<B: Backend> SeqMlp<B> {
    /// Logits `[b, L, V + 1]` from soft tokens `[b, L, V + 1]` at times `t` `[b]`.
    pub fn forward(&self, x: Tensor<B, 3>, t: Tensor<B, 1>) -> Tensor<B, 3> {
        let b = x.dims()[0];
        let h = Tensor::cat(vec![x.reshape([b as i32, -1]), time_embedding(t, self.time_embed)], 1);
        let h = silu(self.l2.forward(silu(self.l1.forward(h))));
        self.l3.forward(h).reshape([b, self.len, self.vocab + 1])
    }
}

/// One-hot `[b, L, V + 1]` of token indices (value `V` = mask).
pub fn one_hot<B: Backend>(z: &Array2<usize>, vocab: usize, device: &B::Device) -> Tensor<B, 3> {
    let (b, l) = z.dim();
    let mut v = vec![0f32; b * l * (vocab + 1)];
    for ((i, j), tok) in z.indexed_iter() {
        v[(i * l + j) * (vocab + 1) + tok] = 1.0;
    }
    Tensor::from_data(TensorData::new(v, [b, l, vocab + 1]), device)
}

/// A noised training batch.
pub struct MaskedBatch<B: Backend> {
    /// One-hot noised tokens.
    pub z: Tensor<B, 3>,
    /// Times `[b]`.
    pub t: Tensor<B, 1>,
    /// Clean tokens as one-hot over `V` `[b, L, V]`, zero rows where not masked.
    pub target: Tensor<B, 3>,
    /// ELBO weights `[b]`.
    pub weight: Tensor<B, 1>,
}

/// Mask clean tokens `x0` at `t ~ U(t_min, 1)` and build the batch.
pub fn masked_batch<B: Backend>(x0: &Array2<usize>, vocab: usize, schedule: &MaskSchedule, t_min: f64, rng: &mut StdRng, device: &B::Device) -> MaskedBatch<B> {
    let ts: Vec<f64> = (0..x0.nrows()).map(|_| t_min + (1.0 - t_min) * rng.random::<f64>()).collect();
    masked_batch_at(x0, &ts, vocab, schedule, rng, device)
}

/// Antithetic (stratified) times for a batch of `b` (MDLM §3.5, brief §1.1):
/// `t_i = t_min + (1 - t_min)(i + u_i)/b`, `u_i ~ U(0, 1)` independent.
pub fn antithetic_times(b: usize, t_min: f64, rng: &mut StdRng) -> Vec<f64> {
    (0..b).map(|i| t_min + (1.0 - t_min) * (i as f64 + rng.random::<f64>()) / b as f64).collect()
}

/// Mask row `i` of `x0` at time `ts[i]` (each token independently with probability `1 - α_t`).
pub fn masked_batch_at<B: Backend>(x0: &Array2<usize>, ts: &[f64], vocab: usize, schedule: &MaskSchedule, rng: &mut StdRng, device: &B::Device) -> MaskedBatch<B> {
    let (b, l) = x0.dim();
    assert_eq!(ts.len(), b, "one time per row");
    let mut z = x0.clone();
    let mut target = vec![0f32; b * l * vocab];
    for i in 0..b {
        let a = schedule.alpha(ts[i]);
        for j in 0..l {
            if rng.random::<f64>() >= a {
                z[[i, j]] = vocab;
                target[(i * l + j) * vocab + x0[[i, j]]] = 1.0;
            }
        }
    }
    MaskedBatch {
        z: one_hot(&z, vocab, device),
        t: Tensor::from_data(TensorData::new(ts.iter().map(|t| *t as f32).collect::<Vec<_>>(), [b]), device),
        target: Tensor::from_data(TensorData::new(target, [b, l, vocab]), device),
        weight: Tensor::from_data(TensorData::new(ts.iter().map(|t| schedule.weight(*t) as f32).collect::<Vec<_>>(), [b]), device),
    }
}

/// `mean_b w_b Σ_{i masked} -log p_SUBS(x_i)` from logits `[b, L, V + 1]`.
pub fn masked_elbo_loss<B: Backend>(logits: Tensor<B, 3>, batch: &MaskedBatch<B>) -> Tensor<B, 1> {
    let [b, _, k] = logits.dims();
    let lp = log_softmax(logits.narrow(2, 0, k - 1), 2);
    let nll: Tensor<B, 1> = (lp * batch.target.clone()).sum_dim(2).sum_dim(1).reshape([b]).neg();
    (nll * batch.weight.clone()).mean()
}

/// A network that maps soft tokens `[b, L, V + 1]` and times `[b]` to logits `[b, L, V + 1]`.
pub trait LogitNet<B: Backend> {
    /// Vocabulary size `V` (without the mask).
    fn vocab(&self) -> usize;
    /// Raw logits (before SUBS).
    fn logits(&self, x: Tensor<B, 3>, t: Tensor<B, 1>) -> Tensor<B, 3>;
}

impl<B: Backend> LogitNet<B> for SeqMlp<B> {
    fn vocab(&self) -> usize {
        self.vocab
    }
    fn logits(&self, x: Tensor<B, 3>, t: Tensor<B, 1>) -> Tensor<B, 3> {
        self.forward(x, t)
    }
}

/// A trained network as a host-side [`MaskedDenoiser`] (SUBS probabilities: softmax over the `V`
/// real tokens at masked positions, a point mass on the token at unmasked ones). Batches larger
/// than [`DENOISER_CHUNK`] rows are evaluated in pieces to bound memory.
pub struct NetDenoiser<B: Backend, N> {
    /// The network.
    pub net: N,
    /// Device.
    pub device: B::Device,
}

/// The small MLP as a denoiser.
pub type SeqMlpDenoiser<B> = NetDenoiser<B, SeqMlp<B>>;

/// Rows evaluated per network call by [`NetDenoiser`].
pub const DENOISER_CHUNK: usize = 256;

impl<B: Backend, N: LogitNet<B>> MaskedDenoiser for NetDenoiser<B, N> {
    fn vocab(&self) -> usize {
        self.net.vocab()
    }
    fn probs(&mut self, z: &Array2<usize>, t: f64) -> Array3<f64> {
        let (b, l) = z.dim();
        let v = self.net.vocab();
        let mut data: Vec<f32> = Vec::with_capacity(b * l * v);
        for start in (0..b).step_by(DENOISER_CHUNK) {
            let part = z.slice(ndarray::s![start..(start + DENOISER_CHUNK).min(b), ..]).to_owned();
            let tt = Tensor::<B, 1>::full([part.nrows()], t as f32, &self.device);
            let logits = self.net.logits(one_hot(&part, v, &self.device), tt);
            data.extend(softmax(logits.narrow(2, 0, v), 2).into_data().convert::<f32>().into_vec::<f32>().expect("f32"));
        }
        let mut out = Array3::from_shape_vec((b, l, v), data.into_iter().map(f64::from).collect()).expect("shape");
        for ((i, j), &tok) in z.indexed_iter() {
            if tok < v {
                for k in 0..v {
                    out[[i, j, k]] = if k == tok { 1.0 } else { 0.0 };
                }
            }
        }
        out
    }
}
