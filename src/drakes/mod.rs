//! DRAKES: reward fine-tuning of a masked discrete diffusion model by back-propagating the reward
//! through Gumbel-softmax relaxed sampling trajectories (Wang et al., ICLR 2025, §4; brief
//! `drakes.md` §3), with a KL term to the pretrained model, and the guidance baselines it is
//! compared with (§4.1).
//!
//! Objective (paper §4.1, Thm. 1): `max_θ E_{x₀ ~ p_θ}[r(x₀)] − α KL(P_θ ‖ P_pre)` over the path
//! measures of the reverse chains; its optimum has marginal `p*(x₀) ∝ p_pre(x₀) exp(r(x₀)/α)`.
//!
//! One iteration ([`rollout`]): from the all-mask state, `T − K` ordinary reverse steps without
//! gradient, then `K` steps whose categorical draw is a Gumbel-softmax sample
//! `softmax((log q + G)/τ)` over the `V + 1` classes with soft carry-over `x' = c x + (1 − c) y`,
//! `c = 1 − x[MASK]` ([`crate::discrete::relaxed`]). The last soft state's `V` base channels
//! go through a straight-through argmax (hard forward value, soft gradient) into the reward.
//!
//! KL estimators ([`kl`]):
//! * **path** (default): for the discretised chain the per-position transition kernels of `θ`
//!   and of the pretrained model differ only in `p(·|x_t)`, so the exact KL of one step is
//!   `w_k Σ_{i masked} KL(p_θ(·|x_t)ᵢ ‖ p_pre(·|x_t)ᵢ)` with `w_k = (α_s − α_t)/(1 − α_t)`, and by
//!   the chain rule of KL the sum over the visited states of a trajectory drawn from `θ` is an
//!   unbiased estimate of `KL(P_θ ‖ P_pre)` (the continuous-time limit is brief §3.1's
//!   `∫ (ṁ/m) Σ KL dt`). In relaxed steps masked positions are weighted by their soft mask mass.
//!   Tested against brute-force enumeration of all trajectories of a tiny chain.
//! * **drakes_code**: the estimator of the released code (brief §3.2 step 6, §3.4):
//!   `Σ_steps (1/m_t) Σ_i c_i Σ_b x_i[b] (−p + p_pre + p log(p/p_pre))_b` on SUBS probabilities. It
//!   is exactly zero on every hard state (tested), so only the relaxed window regularises.
//!
//! [`task`] wraps the loss for the shared trainer (Adam, clipping, checkpoints, exact resume);
//! [`guidance`] holds the inference-time baselines (best-of-N, classifier guidance, SMC, TDS).

pub mod config;
pub mod guidance;
pub mod kl;
pub mod reward;
pub mod rollout;
pub mod task;

#[cfg(test)]
mod tests;

pub use config::{DrakesConfig, KlEstimator};
