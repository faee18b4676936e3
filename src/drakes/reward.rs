//! Rewards as DRAKES needs them: differentiable on soft (or straight-through) base probabilities
//! `[b, L, 4]` in burn, and exact on hard sequences for evaluation.
//!
//! * [`SeqReward::Motif`]: track D1, the analytic liver-TF motif grammar
//!   ([`crate::bio::motif::d1`]). It is computed on the host with its analytic gradient `G`; in
//!   the graph it enters as `Σ x·G + (r − Σ x·G)` with the bracket detached, which has value `r`
//!   and gradient `G` — exact, not an approximation.
//! * [`SeqReward::Oracle`]: track D2, a CNN accessibility oracle ([`crate::bio::oracle`]); the
//!   reward is its HepG2 logit, differentiated through the network (its weights frozen).

use crate::bio::motif::D1Reward;
use crate::bio::oracle::{OracleCnn, one_hot4};
use burn::module::{AutodiffModule, Module};
use burn::prelude::*;
use burn::tensor::backend::AutodiffBackend;
use std::sync::Arc;

/// A reward on DNA sequences.
#[derive(Debug, Clone)]
pub enum SeqReward<B: Backend> {
    /// D1 motif grammar.
    Motif(Arc<D1Reward>),
    /// D2 oracle (frozen weights).
    Oracle(OracleCnn<B>),
}

impl<B: Backend> SeqReward<B> {
    /// Short name (`motif` / `oracle`).
    pub fn name(&self) -> &'static str {
        match self {
            SeqReward::Motif(_) => "motif",
            SeqReward::Oracle(_) => "oracle",
        }
    }

    /// Rewards of hard index sequences (values `0..4`).
    pub fn hard(&self, seqs: &[&[u8]], device: &B::Device) -> Vec<f64> {
        match self {
            SeqReward::Motif(d1) => seqs.iter().map(|s| d1.reward_hard(s)).collect(),
            SeqReward::Oracle(net) => net.logits(seqs, device),
        }
    }

    /// Rewards `[b]` of soft base probabilities `x` `[b, L, 4]`, carrying the gradient `∂r/∂x`.
    pub fn soft(&self, x: Tensor<B, 3>) -> Tensor<B, 1> {
        match self {
            SeqReward::Oracle(net) => net.forward(x),
            SeqReward::Motif(d1) => {
                let [b, l, v] = x.dims();
                let device = x.device();
                let host: Vec<f32> = x.clone().into_data().convert::<f32>().into_vec().expect("f32 tensor");
                let (mut values, mut grads) = (Vec::with_capacity(b), Vec::with_capacity(b * l * v));
                for row in host.chunks(l * v) {
                    let view = ndarray::ArrayView2::from_shape((l, v), row).expect("[L, 4] row");
                    let (r, g) = d1.reward_soft(view);
                    values.push(r);
                    grads.extend(g.iter().copied());
                }
                let g = Tensor::<B, 3>::from_data(TensorData::new(grads, [b, l, v]), &device);
                let linear: Tensor<B, 1> = (x * g).sum_dim(2).sum_dim(1).reshape([b]);
                let r = Tensor::<B, 1>::from_data(TensorData::new(values, [b]), &device);
                linear.clone() + (r - linear.detach())
            }
        }
    }
}

impl<B: AutodiffBackend> SeqReward<B> {
    /// The same reward without autodiff (for sampling-time use), weights frozen.
    pub fn inner(&self) -> SeqReward<B::InnerBackend> {
        match self {
            SeqReward::Motif(d1) => SeqReward::Motif(d1.clone()),
            SeqReward::Oracle(net) => SeqReward::Oracle(net.valid()),
        }
    }

    /// Freeze the oracle's weights (gradients still flow to its input).
    pub fn frozen(self) -> Self {
        match self {
            SeqReward::Oracle(net) => SeqReward::Oracle(net.no_grad()),
            m => m,
        }
    }
}

/// Hard rewards of a token matrix (`[n, L]`, values `< 4`).
pub fn hard_rewards<B: Backend>(reward: &SeqReward<B>, x: &ndarray::Array2<usize>, device: &B::Device) -> Vec<f64> {
    let seqs: Vec<Vec<u8>> = x.rows().into_iter().map(|r| r.iter().map(|&v| v as u8).collect()).collect();
    let refs: Vec<&[u8]> = seqs.iter().map(Vec::as_slice).collect();
    reward.hard(&refs, device)
}

/// One-hot `[n, L, 4]` of hard sequences (re-exported for the baselines).
pub fn base_one_hot<B: Backend>(seqs: &[&[u8]], device: &B::Device) -> Tensor<B, 3> {
    one_hot4(seqs, device)
}

/// A [`SeqReward`] on an autodiff backend as a [`super::guidance::HostReward`]: values from the
/// hard path, gradients `∂r/∂p` by back-propagation of [`SeqReward::soft`].
pub struct BackendReward<B: AutodiffBackend> {
    /// The reward.
    pub reward: SeqReward<B>,
    /// Device.
    pub device: B::Device,
}

impl<B: AutodiffBackend> super::guidance::HostReward for BackendReward<B> {
    fn values(&self, x: &ndarray::Array2<usize>) -> Vec<f64> {
        hard_rewards(&self.reward.inner(), x, &self.device)
    }
    fn grad(&self, p: &ndarray::Array3<f64>) -> ndarray::Array3<f64> {
        let (n, l, v) = p.dim();
        let data: Vec<f32> = p.iter().map(|x| *x as f32).collect();
        let x = Tensor::<B, 3>::from_data(TensorData::new(data, [n, l, v]), &self.device).require_grad();
        let grads = self.reward.soft(x.clone()).sum().backward();
        let g: Vec<f32> = x.grad(&grads).map(|g| g.into_data().convert::<f32>().into_vec().expect("f32")).unwrap_or_else(|| vec![0.0; n * l * v]);
        ndarray::Array3::from_shape_vec((n, l, v), g.into_iter().map(f64::from).collect()).expect("shape")
    }
}
