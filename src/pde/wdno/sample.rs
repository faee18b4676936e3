//! Sampling WDNO models (brief §3.5, §4.2).
//!
//! **DDIM as WDNO runs it** (default; Song et al. 2021b eq. 12 with η): step indices
//! `linspace(−1, T−1, K+1)` reversed; at each `(k, k')`:
//!
//! ```text
//! x ← m ⊙ c + (1−m) ⊙ x                     (inpaint the known values c)
//! ε̂ = net(x, k);  x̂0 = clip((x − √(1−ᾱ_k) ε̂)/√ᾱ_k, −1, 1)
//! [guidance] ε̂ ← ε̂ + λ_k ∇_{x̂0} L(x̂0);  x̂0 = clip(...) again
//! ε̂ = (x − √ᾱ_k x̂0)/√(1−ᾱ_k)                (re-derived from the clipped x̂0)
//! σ = η √((1−ᾱ_k/ᾱ_k')(1−ᾱ_k')/(1−ᾱ_k)),  x = √ᾱ_k' x̂0 + √(1−ᾱ_k'−σ²) ε̂ + σ z
//! ```
//!
//! and `x = x̂0` at `k' = −1`, inpainted once more at the end.
//!
//! **Core samplers** (option): [`InpaintedNet`] is a [`Model`] for `crate::sampler::sample`
//! on the continuous VP-cosine SDE (`t = (k+1)/T`, see [`super::schedule`]). It feeds the
//! network clean known values and returns, at known positions, the ε that makes the implied
//! `x̂0` equal the known values ("inpainting at the current noise level"), so any
//! data-/noise-prediction solver (DPM-Solver++, DEIS, ...) keeps them.

use super::error::WdnoError;
use super::schedule::DdpmSchedule;
use super::unet::Unet;
use crate::error::SampleError;
use crate::sampler::Model;
use crate::sde::{Prediction, Sde, VpCosine};
use std::sync::Arc;
use burn::prelude::*;
use indicatif::ProgressBar;
use rand::rngs::StdRng;

/// A noise predictor `ε̂(x, k)` at (fractional) discrete step indices `k` `[B]`.
pub trait Denoiser<B: Backend> {
    /// `ε̂(x, k)`.
    fn eps(&self, x: Tensor<B, 4>, k: Tensor<B, 1>) -> Tensor<B, 4>;
}

impl<B: Backend> Denoiser<B> for Unet<B> {
    fn eps(&self, x: Tensor<B, 4>, k: Tensor<B, 1>) -> Tensor<B, 4> {
        self.forward(x, k)
    }
}

/// The gradient of a guidance objective with respect to `x̂0` (same shape).
pub trait Guidance<B: Backend> {
    /// `∇_{x̂0} L(x̂0)`.
    fn gradient(&mut self, x0: Tensor<B, 4>) -> Result<Tensor<B, 4>, WdnoError>;

    /// The guidance scale `λ_k` at step `k`, given the schedule's `β_k` (default: `β_k`,
    /// Burgers' `--J_scheduler cosine`; smoke uses a constant).
    fn scale(&self, _k: usize, beta: f64) -> f64 {
        beta
    }
}

/// Known values and their mask, `[B, 9, H, W]` each.
#[derive(Debug, Clone)]
pub struct Known<B: Backend> {
    /// Values at fixed positions (anything elsewhere).
    pub values: Tensor<B, 4>,
    /// 1 at fixed positions, 0 at generated ones.
    pub mask: Tensor<B, 4>,
}

impl<B: Backend> Known<B> {
    /// `m ⊙ c + (1−m) ⊙ x`.
    pub fn inpaint(&self, x: Tensor<B, 4>) -> Tensor<B, 4> {
        x.mask_where(self.mask.clone().equal_elem(1.0), self.values.clone())
    }
}

fn noise<B: Backend>(shape: [usize; 4], rng: &mut StdRng, device: &B::Device) -> Tensor<B, 4> {
    use crate::state::State;
    Tensor::<B, 4>::zeros(shape, device).noise_like(rng)
}

/// Standard normal noise shaped like `x`, from the host RNG.
pub fn noise_like<B: Backend>(x: &Tensor<B, 4>, rng: &mut StdRng) -> Tensor<B, 4> {
    noise::<B>(x.dims(), rng, &x.device())
}

/// WDNO's clipped data prediction `x̂0 = clip((x − σ ε)/α, −1, 1)`.
fn clipped_x0<B: Backend>(x: &Tensor<B, 4>, eps: Tensor<B, 4>, a: f64, s: f64) -> Tensor<B, 4> {
    (x.clone() - eps.mul_scalar(s as f32)).div_scalar(a as f32).clamp(-1.0, 1.0)
}

/// The noise consistent with `x̂0`: `ε = (x − α x̂0)/σ`.
fn eps_of_x0<B: Backend>(x: &Tensor<B, 4>, x0: Tensor<B, 4>, a: f64, s: f64) -> Tensor<B, 4> {
    (x.clone() - x0.mul_scalar(a as f32)).div_scalar(s as f32)
}

/// WDNO's DDIM with `k_steps` steps and `eta`, optional guidance scaled by `λ_k = β_k`.
#[allow(clippy::too_many_arguments)]
pub fn ddim<B: Backend, D: Denoiser<B> + ?Sized>(
    net: &D,
    sched: &DdpmSchedule,
    known: &Known<B>,
    k_steps: usize,
    eta: f64,
    rng: &mut StdRng,
    mut guide: Option<&mut dyn Guidance<B>>,
    progress: Option<&ProgressBar>,
) -> Result<Tensor<B, 4>, WdnoError> {
    if k_steps == 0 || k_steps > sched.len() || !(0.0..=1.0).contains(&eta) {
        return Err(WdnoError::Config(format!("DDIM needs 1..={} steps and eta in [0, 1], got {k_steps} and {eta}", sched.len())));
    }
    let shape = known.values.dims();
    let device = known.values.device();
    let mut x = noise::<B>(shape, rng, &device);
    for (k, kn) in sched.ddim_pairs(k_steps) {
        x = known.inpaint(x);
        let (a, s) = sched.coefficients(k);
        let kt = Tensor::<B, 1>::full([shape[0]], k as f32, &device);
        let mut eps = net.eps(x.clone(), kt);
        let mut x0 = clipped_x0(&x, eps.clone(), a, s);
        if let Some(g) = guide.as_deref_mut() {
            let lambda = g.scale(k, sched.betas[k]);
            eps = eps + g.gradient(x0)?.mul_scalar(lambda as f32);
            x0 = clipped_x0(&x, eps, a, s);
        }
        eps = eps_of_x0(&x, x0.clone(), a, s);
        if let Some(p) = progress {
            p.inc(1);
        }
        if kn < 0 {
            x = x0;
            break;
        }
        let (ac, an) = (sched.alphas_cumprod[k], sched.alphas_cumprod[kn as usize]);
        let sigma = eta * ((1.0 - ac / an) * (1.0 - an) / (1.0 - ac)).sqrt();
        let c = (1.0 - an - sigma * sigma).max(0.0).sqrt();
        x = x0.mul_scalar(an.sqrt() as f32) + eps.mul_scalar(c as f32);
        if sigma > 0.0 {
            x = x + noise::<B>(shape, rng, &device).mul_scalar(sigma as f32);
        }
    }
    Ok(known.inpaint(x))
}

/// The network as a core-sampler [`Model`] (ε-prediction on the VP-cosine SDE), with the
/// known values imposed at every evaluation and optional guidance (`λ = β` at the nearest
/// discrete step).
pub struct InpaintedNet<'a, B: Backend, D: Denoiser<B> + ?Sized> {
    /// The denoiser.
    pub net: &'a D,
    /// Known values.
    pub known: &'a Known<B>,
    /// The discrete schedule (for β in guidance and T).
    pub sched: &'a DdpmSchedule,
    /// The continuous process matching the schedule ([`matching_sde`] for the cosine schedule,
    /// [`crate::sde::VpSigmoid`] for the smoke model's sigmoid one).
    pub sde: Arc<dyn Sde>,
    /// Optional guidance.
    pub guide: Option<&'a mut dyn Guidance<B>>,
    /// Clip x̂0 to [−1, 1] and re-derive ε from it (WDNO's DDIM rule) before returning ε.
    pub clip_x0: bool,
}

impl<B: Backend, D: Denoiser<B> + ?Sized> Model<Tensor<B, 4>> for InpaintedNet<'_, B, D> {
    fn prediction(&self) -> Prediction {
        Prediction::Noise
    }
    fn eval(&mut self, x: &Tensor<B, 4>, t: f64) -> Result<Tensor<B, 4>, SampleError> {
        let (a, s) = (self.sde.alpha(t), self.sde.sigma(t));
        let steps = self.sched.len() as f64;
        let k = (t * steps - 1.0).clamp(0.0, steps - 1.0);
        let b = x.dims()[0];
        let kt = Tensor::<B, 1>::full([b], k as f32, &x.device());
        let mut eps = self.net.eps(self.known.inpaint(x.clone()), kt);
        if let Some(g) = self.guide.as_deref_mut() {
            let x0 = (x.clone() - eps.clone().mul_scalar(s as f32)).div_scalar(a as f32);
            let grad = g.gradient(x0).map_err(|e| SampleError::Model(e.to_string()))?;
            let kr = k.round() as usize;
            eps = eps + grad.mul_scalar(g.scale(kr, self.sched.betas[kr]) as f32);
        }
        if self.clip_x0 {
            eps = eps_of_x0(x, clipped_x0(x, eps, a, s), a, s);
        }
        let exact = (x.clone() - self.known.values.clone().mul_scalar(a as f32)).div_scalar(s as f32);
        Ok(eps.mask_where(self.known.mask.clone().equal_elem(1.0), exact))
    }
}

/// The continuous SDE matching a discrete cosine schedule with offset `s`.
pub fn matching_sde(cosine_s: f64) -> VpCosine {
    VpCosine { s: cosine_s, ..VpCosine::default() }
}

#[cfg(test)]
#[path = "sample_tests.rs"]
mod tests;
