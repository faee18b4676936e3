//! One DRAKES trajectory batch (brief §3.2): `T − K` hard reverse steps without gradient, `K`
//! Gumbel-softmax relaxed steps with gradient, a straight-through argmax on the final soft state,
//! and the KL estimate along the visited states.

use super::config::{DrakesConfig, KlEstimator};
use super::kl::{code_kl, path_kl};
use crate::discrete::conv::subs_log_probs_tensor;
use crate::discrete::net::LogitNet;
use crate::discrete::relaxed::{RelaxedConfig, gumbel_noise, hard_one_hot, relaxed_step};
use crate::discrete::schedule::MaskSchedule;
use burn::module::AutodiffModule;
use burn::prelude::*;
use burn::tensor::backend::AutodiffBackend;
use ndarray::Array2;
use rand::rngs::StdRng;

/// The result of [`rollout`].
pub struct Rollout<B: Backend> {
    /// Final sample `[b, L, V]`: one-hot in value, soft in gradient.
    pub sample: Tensor<B, 3>,
    /// KL estimate per trajectory `[b]` (zeros when `α = 0`).
    pub kl: Tensor<B, 1>,
    /// The final sample as tokens `[b, L]`.
    pub tokens: Array2<usize>,
}

/// The all-mask state `[b, L, V + 1]`.
pub fn all_mask<B: Backend>(b: usize, len: usize, vocab: usize, device: &B::Device) -> Tensor<B, 3> {
    let mask = Tensor::<B, 3>::ones([b, len, 1], device);
    Tensor::cat(vec![Tensor::zeros([b, len, vocab], device), mask], 2)
}

/// `(α_t, α_s)` of step `k` on the grid.
fn alphas(schedule: &MaskSchedule, grid: &[f64], k: usize) -> (f64, f64) {
    (schedule.alpha(grid[k]), schedule.alpha(grid[k + 1]))
}

/// SUBS base probabilities `[b, L, V]` of `net` at state `x`.
fn subs_probs<B: Backend>(logits: Tensor<B, 3>, x: Tensor<B, 3>, v: usize) -> Tensor<B, 3> {
    subs_log_probs_tensor(logits, x).narrow(2, 0, v).exp()
}

/// The hard steps chosen for the path KL: all, or `n` distinct ones drawn from `rng`.
pub fn kl_steps(hard: usize, n: Option<usize>, rng: &mut StdRng) -> Vec<usize> {
    match n {
        Some(n) if n < hard => {
            let mut idx = rand::seq::index::sample(rng, hard, n).into_vec();
            idx.sort_unstable();
            idx
        }
        _ => (0..hard).collect(),
    }
}

/// Sample `b` trajectories of length `len` from `model` and estimate `KL(P_θ ‖ P_pre)` against
/// `reference` (whose parameters should be frozen with `no_grad`).
#[allow(clippy::too_many_arguments)]
pub fn rollout<B, M>(model: &M, reference: &M, cfg: &DrakesConfig, schedule: &MaskSchedule, b: usize, len: usize, rng: &mut StdRng, device: &B::Device) -> Rollout<B>
where
    B: AutodiffBackend,
    M: AutodiffModule<B> + LogitNet<B>,
    M::InnerModule: LogitNet<B::InnerBackend>,
{
    let v = model.vocab();
    let grid = cfg.grid();
    let hard_n = cfg.steps - cfg.truncate;
    let inner = model.valid();
    let mut x = all_mask::<B::InnerBackend>(b, len, v, device);
    let mut states = Vec::with_capacity(hard_n);
    let hard_cfg = RelaxedConfig { tau: 1.0, straight_through: false };
    for k in 0..hard_n {
        let tt = Tensor::full([b], grid[k] as f32, device);
        let p = subs_probs(inner.logits(x.clone(), tt), x.clone(), v);
        let g = gumbel_noise([b, len, v + 1], rng, device);
        states.push(x.clone());
        // argmax of the relaxed draw = the Gumbel-max draw with the same noise.
        x = hard_one_hot(relaxed_step(x, p, alphas(schedule, &grid, k), g, &hard_cfg));
    }
    let use_kl = cfg.alpha > 0.0;
    let mut kl = Tensor::<B, 1>::zeros([b], device);
    if use_kl && cfg.kl_estimator == KlEstimator::Path && hard_n > 0 {
        kl = kl + hard_path_kl(model, reference, &states, cfg, schedule, &grid, rng, device);
    }
    // drakes_code: every hard-state term is exactly zero (tests), so none is computed.
    let mut xs = Tensor::<B, 3>::from_inner(x);
    let soft_cfg = RelaxedConfig { tau: cfg.tau, straight_through: false };
    for k in hard_n..cfg.steps {
        let tt = Tensor::<B, 1>::full([b], grid[k] as f32, device);
        let logits = model.logits(xs.clone(), tt.clone());
        let (at, as_) = alphas(schedule, &grid, k);
        if use_kl {
            let ref_logits = reference.logits(xs.clone(), tt);
            kl = kl + match cfg.kl_estimator {
                KlEstimator::Path => path_kl(logits.clone(), ref_logits, xs.clone(), Tensor::full([b], ((as_ - at) / (1.0 - at)) as f32, device)),
                KlEstimator::DrakesCode => code_kl(logits.clone(), ref_logits, xs.clone(), Tensor::full([b], (1.0 / (1.0 - at)) as f32, device)),
            };
        }
        let p = subs_probs(logits, xs.clone(), v);
        let g = gumbel_noise([b, len, v + 1], rng, device);
        xs = relaxed_step(xs, p, (at, as_), g, &soft_cfg);
    }
    let base = xs.narrow(2, 0, v);
    let idx: Vec<i64> = base.clone().argmax(2).into_data().convert::<i64>().into_vec().expect("int tensor");
    let tokens = Array2::from_shape_vec((b, len), idx.into_iter().map(|i| i as usize).collect()).expect("shape");
    let sample = hard_one_hot(base.clone()) + (base.clone() - base.detach());
    Rollout { sample, kl, tokens }
}

/// Path KL over the hard states (all, or `kl_hard_samples` of them rescaled), one batched call.
#[allow(clippy::too_many_arguments)]
fn hard_path_kl<B, M>(model: &M, reference: &M, states: &[Tensor<B::InnerBackend, 3>], cfg: &DrakesConfig, schedule: &MaskSchedule, grid: &[f64], rng: &mut StdRng, device: &B::Device) -> Tensor<B, 1>
where
    B: AutodiffBackend,
    M: AutodiffModule<B> + LogitNet<B>,
    M::InnerModule: LogitNet<B::InnerBackend>,
{
    let chosen = kl_steps(states.len(), cfg.kl_hard_samples, rng);
    let scale = states.len() as f64 / chosen.len() as f64;
    let b = states[0].dims()[0];
    let (mut ts, mut ws) = (Vec::new(), Vec::new());
    for &k in &chosen {
        let (at, as_) = alphas(schedule, grid, k);
        ts.extend(std::iter::repeat_n(grid[k] as f32, b));
        ws.extend(std::iter::repeat_n((scale * (as_ - at) / (1.0 - at)) as f32, b));
    }
    let n = ts.len();
    let x = Tensor::cat(chosen.iter().map(|&k| states[k].clone()).collect(), 0);
    let t = Tensor::<B::InnerBackend, 1>::from_data(TensorData::new(ts, [n]), device);
    let ref_logits = Tensor::<B, 3>::from_inner(reference.valid().logits(x.clone(), t.clone()));
    let logits = model.logits(Tensor::from_inner(x.clone()), Tensor::from_inner(t));
    let w = Tensor::<B, 1>::from_data(TensorData::new(ws, [n]), device);
    let rows = path_kl(logits, ref_logits, Tensor::from_inner(x), w);
    rows.reshape([chosen.len(), b]).sum_dim(0).reshape([b])
}
