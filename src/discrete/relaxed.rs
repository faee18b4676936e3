//! DRAKES's relaxed reverse step (Wang et al. 2024, §4.1 and Alg. 1): the categorical draw of
//! the ancestral step is replaced by a Gumbel-softmax sample (Jang et al. 2017; Maddison et al.
//! 2017) so that a reward can be back-propagated through the sampling trajectory.
//!
//! State: soft one-hot tokens `x` `[b, L, V + 1]` (last class = mask). With the SUBS
//! probabilities `p` `[b, L, V]`, the step `t → s` has class log-weights
//! `log q = [log((α_s - α_t)/(1 - α_t) · p), log((1 - α_s)/(1 - α_t))]`;
//! `y = softmax((log q + G)/τ)` with Gumbel noise `G`; unmasked tokens are carried over:
//! `x' = c·x + (1 - c)·y` with `c = 1 - x[..., MASK]`. Optionally a straight-through argmax
//! returns the hard one-hot in the forward pass with the soft gradient.
//!
//! For any `τ > 0`, `argmax y = argmax(log q + G)`, the hard Gumbel-max step with the same noise;
//! as `τ → 0`, `y` tends to that one-hot (both tested).

use burn::prelude::*;
use burn::tensor::activation::softmax;
use rand::rngs::StdRng;

/// Relaxation settings.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct RelaxedConfig {
    /// Gumbel-softmax temperature τ.
    pub tau: f64,
    /// Return the hard argmax in the forward pass (straight-through gradient).
    pub straight_through: bool,
}

impl Default for RelaxedConfig {
    fn default() -> Self {
        Self { tau: 1.0, straight_through: false }
    }
}

/// Standard Gumbel noise of shape `[b, L, K]` drawn on the host from `rng` (reproducible).
pub fn gumbel_noise<B: Backend>(shape: [usize; 3], rng: &mut StdRng, device: &B::Device) -> Tensor<B, 3> {
    let n = shape.iter().product();
    let v: Vec<f32> = (0..n).map(|_| super::ancestral::gumbel(rng) as f32).collect();
    Tensor::from_data(TensorData::new(v, shape), device)
}

/// Class log-weights `log q` `[b, L, V + 1]` of the step `t → s` (`alphas = (α_t, α_s)`).
pub fn step_log_weights<B: Backend>(probs: Tensor<B, 3>, alphas: (f64, f64)) -> Tensor<B, 3> {
    let (at, as_) = alphas;
    let [b, l, _] = probs.dims();
    let unmask = ((as_ - at) / (1.0 - at)) as f32;
    let stay = ((1.0 - as_) / (1.0 - at)).max(1e-30) as f32;
    let lq = probs.mul_scalar(unmask).clamp_min(1e-30).log();
    let ls = Tensor::<B, 3>::full([b, l, 1], stay.ln(), &lq.device());
    Tensor::cat(vec![lq, ls], 2)
}

/// One relaxed step on soft tokens `x` given SUBS probabilities `probs` and Gumbel noise.
pub fn relaxed_step<B: Backend>(x: Tensor<B, 3>, probs: Tensor<B, 3>, alphas: (f64, f64), gumbel: Tensor<B, 3>, cfg: &RelaxedConfig) -> Tensor<B, 3> {
    let [b, l, k] = x.dims();
    let y = softmax((step_log_weights(probs, alphas) + gumbel).div_scalar(cfg.tau as f32), 2);
    let c = Tensor::<B, 3>::ones([b, l, 1], &x.device()) - x.clone().narrow(2, k - 1, 1);
    let out = c.clone() * x + (c.neg().add_scalar(1.0)) * y;
    if !cfg.straight_through {
        return out;
    }
    let hard = hard_one_hot(out.clone());
    hard + (out.clone() - out.detach())
}

/// The one-hot of the argmax over the last axis.
pub fn hard_one_hot<B: Backend>(x: Tensor<B, 3>) -> Tensor<B, 3> {
    let [_, _, k] = x.dims();
    let idx = x.argmax(2); // [b, L, 1]
    let classes = Tensor::<B, 1, Int>::arange(0..k as i64, &idx.device()).reshape([1, 1, k as i32]);
    idx.equal(classes).float()
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::backend::{Autodiff, NdArray};
    type Bk = NdArray<f32>;

    fn setup(tau: f64) -> (Tensor<Bk, 3>, Tensor<Bk, 3>, Tensor<Bk, 3>, RelaxedConfig) {
        let dev = Default::default();
        let mut rng = crate::rng(3);
        // 2 sequences × 5 positions, V = 3; position 1 of each already unmasked (token 2).
        let mut x = vec![0f32; 2 * 5 * 4];
        for i in 0..2 {
            for j in 0..5 {
                x[(i * 5 + j) * 4 + if j == 1 { 2 } else { 3 }] = 1.0;
            }
        }
        let x = Tensor::from_data(TensorData::new(x, [2, 5, 4]), &dev);
        let g = gumbel_noise::<Bk>([2, 5, 3], &mut rng, &dev);
        let probs = softmax(g.clone().mul_scalar(0.7), 2);
        let noise = gumbel_noise::<Bk>([2, 5, 4], &mut rng, &dev);
        (x, probs, noise, RelaxedConfig { tau, straight_through: false })
    }

    #[test]
    fn argmax_equals_gumbel_max_and_tends_to_one_hot() {
        let alphas = (0.3, 0.6);
        for tau in [1.0, 0.3, 1e-3] {
            let (x, p, g, cfg) = setup(tau);
            let y = relaxed_step(x.clone(), p.clone(), alphas, g.clone(), &cfg);
            // Hard Gumbel-max with the same noise, with carry-over for the unmasked position.
            let hard_new = hard_one_hot(step_log_weights(p, alphas) + g);
            let c = Tensor::<Bk, 3>::ones([2, 5, 1], &Default::default()) - x.clone().narrow(2, 3, 1);
            let hard = c.clone() * x + (c.neg().add_scalar(1.0)) * hard_new;
            assert_eq!(hard_one_hot(y.clone()).into_data(), hard.clone().into_data(), "argmax differs at tau {tau}");
            if tau < 0.01 {
                let d: f32 = (y - hard).abs().max().into_scalar();
                assert!(d < 1e-4, "tau {tau}: max |y - onehot| = {d}");
            }
        }
    }

    #[test]
    fn gradients_flow_and_straight_through_is_hard() {
        type Ad = Autodiff<Bk>;
        let (x, p, g, _) = setup(0.5);
        let dev = Default::default();
        let p: Tensor<Ad, 3> = Tensor::from_data(p.into_data(), &dev).require_grad();
        let x: Tensor<Ad, 3> = Tensor::from_data(x.into_data(), &dev);
        let g: Tensor<Ad, 3> = Tensor::from_data(g.into_data(), &dev);
        let w: Tensor<Ad, 3> = Tensor::from_data(TensorData::new((0..40).map(|i| (i % 7) as f32 - 3.0).collect::<Vec<_>>(), [2, 5, 4]), &dev);
        let cfg = RelaxedConfig { tau: 0.5, straight_through: true };
        let y = relaxed_step(x, p.clone(), (0.3, 0.6), g, &cfg);
        // Forward pass is exactly one-hot.
        let yd = y.clone().into_data().convert::<f32>().into_vec::<f32>().unwrap();
        assert!(yd.iter().all(|v| *v == 0.0 || *v == 1.0));
        let grads = (y * w).sum().backward();
        let gp = p.grad(&grads).expect("gradient reaches the probabilities");
        let gv: Vec<f32> = gp.into_data().convert::<f32>().into_vec().unwrap();
        assert!(gv.iter().all(|v| v.is_finite()) && gv.iter().any(|v| v.abs() > 1e-6));
        // Unmasked position 1 carries over: no gradient to its probabilities.
        for i in 0..2 {
            for k in 0..3 {
                assert_eq!(gv[(i * 5 + 1) * 3 + k], 0.0);
            }
        }
    }
}
