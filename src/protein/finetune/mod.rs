//! DRAKES reward fine-tuning of ProteinMPNN on the offline protein track (Wang et al., ICLR
//! 2025, §4 and §6.2; brief `drakes.md` §3.2 "Protein differences", §6.3).
//!
//! The pretrained model is ProteinMPNN `v_48_020` used as a masked-diffusion denoiser
//! ([`crate::protein::design`]); the objective is DRAKES' `max_θ E_{x₀~p_θ}[r(x₀)] − α
//! KL(P_θ ‖ P_pre)` with `r` the `mj` contact-energy reward of [`crate::protein::energy`]
//! (`−E/L`), per backbone, averaged over training backbones.
//!
//! One iteration per backbone ([`rollout`]): from the all-masked state, the first
//! `grid − 1 − truncate` transitions of the sampler's grid are ordinary draws without gradient;
//! the last `truncate` are Gumbel-softmax draws over {20 amino acids, MASK} with class weights
//! `[w · softmax(logits/T), 1 − w]`, `w = (t' − t)/(1 − t)`, relaxation temperature τ, and soft
//! carry-over of already-unmasked mass. The decoder takes the soft state through its visibility
//! (`a_j = 1 − z_j[MASK]`, [`crate::protein::mpnn::ProteinMpnn::decode_soft`]), so the gradient
//! reaches both which residues are known and what they are. The final state's residues go
//! through a straight-through argmax into the reward, whose gradient is analytic.
//!
//! KL estimators (as for DNA, [`crate::drakes`]):
//! * **path** (default): the transition of a masked residue is "stay masked w.p. `1 − w`, else
//!   draw from `p(·|z)`", independently over residues, so the exact KL of one transition is
//!   `w Σ_{i masked} KL(p_θ(·|z)ᵢ ‖ p_pre(·|z)ᵢ)` with `p = softmax(logits/T)` the distribution
//!   actually sampled; summed over the states a `θ`-trajectory visits it is an unbiased estimate
//!   of `KL(P_θ ‖ P_pre)`. Relaxed states weight residues by their soft mask mass.
//! * **drakes_code**: the released protein code's term (brief §3.2, §3.4): no carry-over, so at
//!   every state (hard, relaxed and the final one) and every position with residue mass it adds
//!   the generalised-KL integrand at the residue already there — a consistency penalty on decoded
//!   residues, not the path KL. Our reading of the brief; the `1/m_t` factor of the DNA code is
//!   not applied.
//!
//! [`task`] wraps the loss for the shared trainer (Adam, clipping, checkpoints, exact resume).
//! What is weaker than the paper: the pretrained model, reward and backbones are the offline
//! stand-ins of brief §6.3 (no Megascale ddG model, no ESMFold scRMSD).

pub mod config;
pub mod rollout;
pub mod task;

#[cfg(test)]
mod tests;

pub use config::{ProteinDrakesConfig, preset};
pub use rollout::{ProteinRollout, rollout, soft_reward};
pub use task::{ProteinDrakesTask, load_model};
