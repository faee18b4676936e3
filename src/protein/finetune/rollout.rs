//! One protein DRAKES trajectory batch on a fixed backbone: hard transitions without gradient,
//! the last `truncate` transitions as Gumbel-softmax relaxed draws with gradient, a
//! straight-through argmax of the final state, and the KL estimate along the visited states.
//!
//! State `z [n, L, 21]`: 20 amino-acid channels in ProteinMPNN's order, channel 20 = MASK.
//! The decoder sees a soft state through [`ProteinMpnn::decode_soft`]: known-probability
//! `a_j = 1 − z_j[MASK]` and residue row `z_j[0..20] / a_j` (the residue distribution given that
//! `j` is unmasked), so `a_j s_j = z_j[0..20] W_s` is linear in the state. A transition
//! `t → t'` is [`relaxed_step`] with `(α_t, α_s) = (t, t')` (a residue is unmasked at time `t`
//! with probability `t`) on `p = softmax(logits[0..20] / T)`; its hard version (Gumbel-max with the
//! same noise) is exactly the sampler of [`crate::protein::design`] in distribution.

use crate::drakes::KlEstimator;
use crate::drakes::kl::path_kl;
use crate::drakes::rollout::{all_mask, kl_steps};
use crate::discrete::relaxed::{RelaxedConfig, gumbel_noise, hard_one_hot, relaxed_step};
use crate::protein::energy::{Contacts, Energy};
use crate::protein::features::GraphFeatures;
use crate::protein::mpnn::{Encoded, ProteinMpnn};
use burn::module::AutodiffModule;
use burn::prelude::*;
use burn::tensor::activation::{log_softmax, softmax};
use burn::tensor::backend::AutodiffBackend;
use rand::rngs::StdRng;

use super::ProteinDrakesConfig;

/// Amino acids the sampler draws from.
pub const AA: usize = 20;

/// The result of [`rollout`].
pub struct ProteinRollout<B: Backend> {
    /// Final designs `[n, L, 20]`: one-hot in value, soft in gradient.
    pub sample: Tensor<B, 3>,
    /// KL estimate per trajectory `[n]` (zeros when `α = 0`).
    pub kl: Tensor<B, 1>,
    /// The designs as residue indices.
    pub seqs: Vec<Vec<u8>>,
}

/// Sampling logits `logits / T` `[n, L, 21]` of `net` at the soft state `z` (channel 20 of the
/// output is ProteinMPNN's `X`, never drawn).
pub fn scaled_logits<B: Backend>(net: &ProteinMpnn<B>, enc: &Encoded<B>, z: Tensor<B, 3>, temperature: f64) -> Tensor<B, 3> {
    let [n, l, _] = z.dims();
    let known = z.clone().narrow(2, AA, 1).neg().add_scalar(1.0);
    let rows = z.narrow(2, 0, AA) / known.clone().clamp_min(1e-6);
    let x = Tensor::cat(vec![rows, Tensor::zeros([n, l, 1], &known.device())], 2);
    net.decode_soft(enc, x, known.reshape([n, l])).div_scalar(temperature as f32)
}

/// Amino-acid probabilities `[n, L, 20]` of scaled logits.
fn probs<B: Backend>(scaled: Tensor<B, 3>) -> Tensor<B, 3> {
    softmax(scaled.narrow(2, 0, AA), 2)
}

/// The released protein code's KL term per row `[n]` (brief §3.2, §3.4): no carry-over, so at
/// every position with residue mass it is the generalised-KL integrand
/// `Σ_b z[b] (q − p + p (log p − log q))_b` at the residue already there (no `1/m_t` factor).
pub fn code_kl_protein<B: Backend>(scaled: Tensor<B, 3>, ref_scaled: Tensor<B, 3>, z: Tensor<B, 3>) -> Tensor<B, 1> {
    let n = z.dims()[0];
    let lp = log_softmax(scaled.narrow(2, 0, AA), 2);
    let lq = log_softmax(ref_scaled.narrow(2, 0, AA), 2);
    let (p, q) = (lp.clone().exp(), lq.clone().exp());
    let integrand = q - p.clone() + p * (lp - lq);
    (integrand * z.narrow(2, 0, AA)).sum_dim(2).sum_dim(1).reshape([n])
}

/// One KL term per row for the estimator in use (`w` = the step's unmask probability, used by
/// the path estimator only).
pub fn kl_rows<B: Backend>(cfg: &ProteinDrakesConfig, scaled: Tensor<B, 3>, ref_scaled: Tensor<B, 3>, z: Tensor<B, 3>, w: Tensor<B, 1>) -> Tensor<B, 1> {
    match cfg.kl_estimator {
        KlEstimator::Path => path_kl(scaled, ref_scaled, z, w),
        KlEstimator::DrakesCode => code_kl_protein(scaled, ref_scaled, z),
    }
}

/// Unmask probability `(t' − t)/(1 − t)` of transition `k`.
fn unmask_prob(times: &[f64], k: usize) -> f64 {
    ((times[k + 1] - times[k]) / (1.0 - times[k])).clamp(0.0, 1.0)
}

/// `n` trajectories on the backbone `g`; `reference` is the frozen pretrained model.
#[allow(clippy::too_many_arguments)]
pub fn rollout<B: AutodiffBackend>(
    model: &ProteinMpnn<B>,
    reference: &ProteinMpnn<B>,
    g: &GraphFeatures,
    cfg: &ProteinDrakesConfig,
    n: usize,
    rng: &mut StdRng,
    device: &B::Device,
) -> ProteinRollout<B> {
    let times = cfg.times();
    let transitions = times.len() - 1;
    let hard_n = transitions - cfg.truncate;
    let l = g.len;
    let inner = model.valid();
    let enc_inner = inner.encode(g);
    let mut z = all_mask::<B::InnerBackend>(n, l, AA, device);
    let mut states = Vec::with_capacity(hard_n);
    let hard = RelaxedConfig { tau: 1.0, straight_through: false };
    for k in 0..hard_n {
        let p = probs(scaled_logits(&inner, &enc_inner, z.clone(), cfg.temperature));
        let noise = gumbel_noise([n, l, AA + 1], rng, device);
        states.push(z.clone());
        z = hard_one_hot(relaxed_step(z, p, (times[k], times[k + 1]), noise, &hard));
    }
    let enc = model.encode(g);
    let enc_ref = reference.encode(g);
    let use_kl = cfg.alpha > 0.0;
    let mut kl = Tensor::<B, 1>::zeros([n], device);
    if use_kl && hard_n > 0 {
        kl = kl + hard_kl(model, reference, (&enc, &enc_ref), &states, cfg, &times, rng, device);
    }
    let mut zs = Tensor::<B, 3>::from_inner(z);
    let soft = RelaxedConfig { tau: cfg.tau, straight_through: false };
    for k in hard_n..transitions {
        let scaled = scaled_logits(model, &enc, zs.clone(), cfg.temperature);
        if use_kl {
            let ref_scaled = scaled_logits(reference, &enc_ref, zs.clone(), cfg.temperature);
            kl = kl + kl_rows(cfg, scaled.clone(), ref_scaled, zs.clone(), Tensor::full([n], unmask_prob(&times, k) as f32, device));
        }
        let noise = gumbel_noise([n, l, AA + 1], rng, device);
        zs = relaxed_step(zs, probs(scaled), (times[k], times[k + 1]), noise, &soft);
    }
    if use_kl && cfg.kl_estimator == KlEstimator::DrakesCode {
        // The released code also scores the final state.
        let scaled = scaled_logits(model, &enc, zs.clone(), cfg.temperature);
        let ref_scaled = scaled_logits(reference, &enc_ref, zs.clone(), cfg.temperature);
        kl = kl + code_kl_protein(scaled, ref_scaled, zs.clone());
    }
    let base = zs.narrow(2, 0, AA);
    let idx: Vec<i64> = base.clone().argmax(2).into_data().convert::<i64>().into_vec().expect("int tensor");
    let seqs = idx.chunks(l).map(|r| r.iter().map(|&i| i as u8).collect()).collect();
    let sample = hard_one_hot(base.clone()) + (base.clone() - base.detach());
    ProteinRollout { sample, kl, seqs }
}

/// The KL over the hard states (all, or `kl_hard_samples` of them rescaled), one batched call.
#[allow(clippy::too_many_arguments)]
fn hard_kl<B: AutodiffBackend>(
    model: &ProteinMpnn<B>,
    reference: &ProteinMpnn<B>,
    (enc, enc_ref): (&Encoded<B>, &Encoded<B>),
    states: &[Tensor<B::InnerBackend, 3>],
    cfg: &ProteinDrakesConfig,
    times: &[f64],
    rng: &mut StdRng,
    device: &B::Device,
) -> Tensor<B, 1> {
    let chosen = kl_steps(states.len(), cfg.kl_hard_samples, rng);
    let scale = states.len() as f64 / chosen.len() as f64;
    let n = states[0].dims()[0];
    let w: Vec<f32> = chosen.iter().flat_map(|&k| std::iter::repeat_n((scale * unmask_prob(times, k)) as f32, n)).collect();
    let rows = w.len();
    let z = Tensor::<B, 3>::from_inner(Tensor::cat(chosen.iter().map(|&k| states[k].clone()).collect(), 0));
    let scaled = scaled_logits(model, enc, z.clone(), cfg.temperature);
    let ref_scaled = scaled_logits(reference, enc_ref, z.clone(), cfg.temperature);
    let mut kl = kl_rows(cfg, scaled, ref_scaled, z, Tensor::from_data(TensorData::new(w, [rows]), device));
    if cfg.kl_estimator == KlEstimator::DrakesCode {
        kl = kl.mul_scalar(scale);
    }
    kl.reshape([chosen.len(), n]).sum_dim(0).reshape([n])
}

/// Rewards `[n]` of the designs `sample [n, L, 20]` under `energy` (−E/L), carrying the analytic
/// gradient: the host value `r` and gradient `G` enter as `Σ x·G + (r − Σ x·G)`, bracket detached.
pub fn soft_reward<B: Backend>(energy: &Energy, contacts: &Contacts, sample: Tensor<B, 3>) -> Tensor<B, 1> {
    let [n, l, _] = sample.dims();
    let device = sample.device();
    let host: Vec<f32> = sample.clone().into_data().convert::<f32>().into_vec().expect("f32 tensor");
    let (mut values, mut grads) = (Vec::with_capacity(n), Vec::with_capacity(n * l * AA));
    for row in host.chunks(l * AA) {
        let p: Vec<[f64; AA]> = row.chunks(AA).map(|r| std::array::from_fn(|a| f64::from(r[a]))).collect();
        let (e, g) = energy.energy_soft(contacts, &p);
        values.push((-e / l as f64) as f32);
        grads.extend(g.iter().flat_map(|r| r.iter().map(|v| (-v / l as f64) as f32)));
    }
    let g = Tensor::<B, 3>::from_data(TensorData::new(grads, [n, l, AA]), &device);
    let linear: Tensor<B, 1> = (sample * g).sum_dim(2).sum_dim(1).reshape([n]);
    let r = Tensor::<B, 1>::from_data(TensorData::new(values, [n]), &device);
    linear.clone() + (r - linear).detach()
}
