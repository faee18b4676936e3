//! Forward noising processes ("SDEs") and their time grids.
//!
//! Every process here is a linear SDE `dx = f(t) x dt + g(t) dW` whose transition from data is
//! Gaussian, `q(x_t | x_0) = N(alpha_t x_0, sigma_t^2 I)` (Song et al. 2021, "Score-Based
//! Generative Modeling through SDEs", §3.4 and App. B). From `alpha` and `sigma` follow the
//! half log-SNR `lambda_t = log(alpha_t / sigma_t)` used by the exponential-integrator samplers
//! (Lu et al. 2022, DPM-Solver, §3.1) and the drift/diffusion pair
//! `f = d log alpha / dt`, `g^2 = d sigma^2/dt - 2 f sigma^2`.
//!
//! All schedule scalars are `f64` and computed with `expm1`/`log1p`/softplus where a naive form
//! cancels: near `t = 1e-3` the naive `sqrt(1 - exp(2 log alpha))` loses four digits in `f32`.
//!
//! | kind | alpha(t) | sigma(t) | prior |
//! |---|---|---|---|
//! | [`VpLinear`] | `exp(-Δβ t²/4 - β₀ t/2)` | `sqrt(1 - alpha²)` | N(0, I) |
//! | [`VpCosine`] | `cos(π/2 (t+s)/(1+s)) / cos(π/2 s/(1+s))` | `sqrt(1 - alpha²)` | N(0, I) |
//! | [`VpSigmoid`] | `sqrt((σ(e/τ) − σ(z(t))) / (σ(e/τ) − σ(s/τ)))`, `z = (s + t(e−s))/τ` | `sqrt(1 - alpha²)` | N(0, I) |
//! | [`SubVp`] | as VP linear | `1 - alpha²` | N(0, I) |
//! | [`Ve`] | 1 | `σ_min (σ_max/σ_min)^t` | N(0, σ_max² I) |

mod config;
mod convert;
mod grid;
mod subvp;
mod ve;
mod vp;

pub use config::{SdeConfig, SdeKind};
pub use convert::Prediction;
pub use grid::{Spacing, time_grid};
pub use subvp::SubVp;
pub use ve::Ve;
pub use vp::{VpCosine, VpLinear, VpSigmoid};

use std::fmt::Debug;

/// A linear forward SDE with a Gaussian transition kernel from the data.
///
/// Implementations provide the marginal coefficients in closed form; everything a sampler needs
/// (drift, diffusion, log-SNR and its inverse) follows from them.
pub trait Sde: Debug + Send + Sync {
    /// Short name used in files and messages (`vp`, `vp-cosine`, `subvp`, `ve`).
    fn name(&self) -> &'static str;
    /// `log alpha(t)`, the log of the marginal mean coefficient.
    fn log_alpha(&self, t: f64) -> f64;
    /// `sigma(t)`, the marginal standard deviation of the noise.
    fn sigma(&self, t: f64) -> f64;
    /// Inverse of [`Sde::lambda`]: the time at which `lambda(t) = lambda`.
    fn inverse_lambda(&self, lambda: f64) -> f64;
    /// Drift coefficient `f(t) = d log alpha / dt`.
    fn f(&self, t: f64) -> f64;
    /// Squared diffusion coefficient `g(t)^2 = d sigma^2/dt - 2 f sigma^2`.
    fn g2(&self, t: f64) -> f64;
    /// The terminal time `T` at which sampling starts (1, or 0.9946 for the cosine schedule).
    fn t_max(&self) -> f64 {
        1.0
    }
    /// Standard deviation of the prior `N(0, s^2 I)` the reverse process starts from.
    fn prior_std(&self) -> f64 {
        1.0
    }
    /// The Langevin corrector's `alpha_i` (Song et al. 2021, Alg. 4 and 5): for the VP family the
    /// discrete DDPM `alpha_i = (alpha(t)/alpha(t - dt))² = exp(-∫ beta)` (≈ `1 - beta(t) dt` for
    /// small steps, but positive for any step), `1` for VE.
    fn langevin_alpha(&self, _t: f64, _dt: f64) -> f64 {
        1.0
    }

    /// `alpha(t)`.
    fn alpha(&self, t: f64) -> f64 {
        self.log_alpha(t).exp()
    }
    /// Half log-SNR `lambda(t) = log alpha(t) - log sigma(t)`, strictly decreasing in `t`.
    fn lambda(&self, t: f64) -> f64 {
        self.log_alpha(t) - self.sigma(t).ln()
    }
    /// `g(t)`.
    fn g(&self, t: f64) -> f64 {
        self.g2(t).max(0.0).sqrt()
    }
    /// EDM noise level `sigma(t) / alpha(t) = exp(-lambda(t))`.
    fn sigma_tilde(&self, t: f64) -> f64 {
        (-self.lambda(t)).exp()
    }
    /// Log-density of the prior at a point whose squared norm is `sq_norm` in `dim` dimensions.
    fn prior_log_prob(&self, sq_norm: f64, dim: usize) -> f64 {
        let s = self.prior_std();
        -0.5 * dim as f64 * (2.0 * std::f64::consts::PI * s * s).ln() - 0.5 * sq_norm / (s * s)
    }
}

/// `softplus(x) = log(1 + e^x)`, computed without overflow.
pub(crate) fn softplus(x: f64) -> f64 {
    if x > 0.0 { x + (-x).exp().ln_1p() } else { x.exp().ln_1p() }
}

#[cfg(test)]
mod tests;
