//! The two KL estimators of DRAKES on burn tensors (module docs of [`super`]; brief §3.1, §3.4).
//!
//! Inputs per call: raw logits `[n, L, V + 1]` of the fine-tuned and of the pretrained network at
//! the same visited states `x` `[n, L, V + 1]` (hard or soft), and one weight per row.

use crate::discrete::conv::subs_log_probs_tensor;
use burn::prelude::*;
use burn::tensor::activation::log_softmax;

/// Path estimator: `w_n Σ_i x_i[MASK] KL(p_θ(·|x)ᵢ ‖ p_pre(·|x)ᵢ)` per row `[n]`, where `p` is the
/// softmax over the `V` base logits and `w_n = (α_s − α_t)/(1 − α_t)` of the row's step.
pub fn path_kl<B: Backend>(logits: Tensor<B, 3>, ref_logits: Tensor<B, 3>, x: Tensor<B, 3>, w: Tensor<B, 1>) -> Tensor<B, 1> {
    let [n, _, k] = logits.dims();
    let v = k - 1;
    let lp = log_softmax(logits.narrow(2, 0, v), 2);
    let lq = log_softmax(ref_logits.narrow(2, 0, v), 2);
    let kl = (lp.clone().exp() * (lp - lq)).sum_dim(2); // [n, L, 1]
    let mask_mass = x.narrow(2, v, 1);
    (kl * mask_mass).sum_dim(1).reshape([n]) * w
}

/// Log-probabilities below this are treated as zero probability (keeps `0 · log 0` finite).
const LOG_FLOOR: f32 = -1e4;

/// The released code's estimator per row `[n]`: `(1/m_t) Σ_i c_i Σ_b x_i[b] (−p + q + p(log p − log q))_b`
/// on SUBS probabilities (carry-over decided by the argmax of `x`), `c_i = 1 − x_i[MASK]`;
/// `inv_m` is `1/(1 − α_t)` of each row's step.
pub fn code_kl<B: Backend>(logits: Tensor<B, 3>, ref_logits: Tensor<B, 3>, x: Tensor<B, 3>, inv_m: Tensor<B, 1>) -> Tensor<B, 1> {
    let [n, l, k] = logits.dims();
    let v = k - 1;
    let lp = subs_log_probs_tensor(logits, x.clone()).narrow(2, 0, v).clamp_min(LOG_FLOOR);
    let lq = subs_log_probs_tensor(ref_logits, x.clone()).narrow(2, 0, v).clamp_min(LOG_FLOOR);
    let (p, q) = (lp.clone().exp(), lq.clone().exp());
    let integrand = q - p.clone() + p * (lp - lq);
    let c = Tensor::<B, 3>::ones([n, l, 1], &x.device()) - x.clone().narrow(2, v, 1);
    (integrand * x.narrow(2, 0, v) * c).sum_dim(2).sum_dim(1).reshape([n]) * inv_m
}
