//! Masked (absorbing-state) discrete diffusion in continuous time: the MDLM formulation (Sahoo et
//! al. 2024, §3) that DRAKES (Wang et al. 2024, §4) fine-tunes.
//!
//! Tokens take values `0..V`; the extra value `V` is `[MASK]`. The forward process masks each
//! token independently: `P(z_t^i = x^i) = α_t`, `P(z_t^i = [MASK]) = 1 - α_t` ([`schedule`]).
//! A network gives logits over `V + 1` classes; the **SUBS** parameterisation ([`subs`]) forbids
//! predicting `[MASK]` and copies unmasked tokens, so only masked positions are modelled.
//!
//! * [`elbo`]: the continuous-time negative ELBO
//!   `∫₀¹ (-α'_t / (1 - α_t)) E_{z_t}[Σ_{i masked} -log p_θ(x^i | z_t)] dt` (MDLM eq. 10), its Monte
//!   Carlo estimate (training loss, bits per token) and, for tiny problems, an exact value by
//!   enumeration of mask patterns and Gauss–Legendre quadrature in `t`.
//! * [`ancestral`]: the reverse step `t → s` — a masked token is unmasked to `v` with probability
//!   `(α_s - α_t)/(1 - α_t) · p_θ(v)` and stays masked with `(1 - α_s)/(1 - α_t)` — sampled by
//!   Gumbel-max.
//! * [`relaxed`]: DRAKES's Gumbel-softmax relaxation of that step on soft one-hot states, with the
//!   carry-over of unmasked tokens and an optional straight-through argmax, differentiable in burn.
//! * [`conv`]: the DRAKES DNA denoiser (dilated residual CNN, brief `drakes.md` §1.2) and SUBS on
//!   burn tensors; [`task`]: its pretraining task for the shared trainer.
//! * [`oracle`]: an enumerable joint distribution over short sequences with its exact SUBS
//!   denoiser, the test oracle for all of the above.

pub mod ancestral;
pub mod conv;
pub mod elbo;
pub mod net;
pub mod oracle;
pub mod relaxed;
pub mod schedule;
pub mod subs;
pub mod task;

#[cfg(test)]
mod tests;

use ndarray::{Array2, Array3};

/// A denoiser as the host-side algorithms see it: per-position probabilities over the `V` real
/// tokens given a partially masked batch `z` (`[b, L]`, value `V` = mask) at time `t`. It should
/// already be SUBS-projected (unmasked positions one-hot on their token).
pub trait MaskedDenoiser {
    /// Vocabulary size `V` (the mask token is `V`).
    fn vocab(&self) -> usize;
    /// `[b, L, V]` probabilities.
    fn probs(&mut self, z: &Array2<usize>, t: f64) -> Array3<f64>;
}
