//! Variance-preserving processes: the linear-β VP SDE (Song et al. 2021, eq. 11; Ho et al. 2020
//! in continuous time) and the cosine schedule of Nichol & Dhariwal (2021, eq. 17) in continuous
//! time with DPM-Solver's end time `T = 0.9946` (Lu et al. 2022, App. D).

use super::{Sde, softplus};
use std::f64::consts::FRAC_PI_2;

/// `sigma = sqrt(1 - alpha²)` from `log alpha`, without cancellation near `alpha = 1`.
fn vp_sigma(log_alpha: f64) -> f64 {
    (-(2.0 * log_alpha).exp_m1()).sqrt()
}

/// `lambda = log alpha - log sigma` for a variance-preserving process.
fn vp_lambda(log_alpha: f64) -> f64 {
    log_alpha - 0.5 * (-(2.0 * log_alpha).exp_m1()).ln()
}

/// VP SDE with `beta(t) = beta_min + (beta_max - beta_min) t`.
///
/// `log alpha = -Δβ t²/4 - β₀ t/2`, `sigma = sqrt(-expm1(2 log alpha))`, `f = -beta/2`,
/// `g² = beta`. Inverse log-SNR: `L = softplus(-2λ) = -2 log alpha`, then the
/// cancellation-free root `t = 2L / (β₀ + sqrt(β₀² + 2 Δβ L))`.
#[derive(Debug, Clone, PartialEq)]
pub struct VpLinear {
    /// `beta(0)`; published default 0.1.
    pub beta_min: f64,
    /// `beta(1)`; published default 20.
    pub beta_max: f64,
}

impl Default for VpLinear {
    fn default() -> Self {
        Self { beta_min: 0.1, beta_max: 20.0 }
    }
}

impl VpLinear {
    /// `beta(t)`.
    pub fn beta(&self, t: f64) -> f64 {
        self.beta_min + (self.beta_max - self.beta_min) * t
    }
    /// Time at which `log alpha(t) = log_alpha` (for `log_alpha <= 0`).
    pub(crate) fn t_of_log_alpha(&self, log_alpha: f64) -> f64 {
        let l = -2.0 * log_alpha;
        let (b0, db) = (self.beta_min, self.beta_max - self.beta_min);
        2.0 * l / (b0 + (b0 * b0 + 2.0 * db * l).sqrt())
    }
}

impl Sde for VpLinear {
    fn name(&self) -> &'static str {
        "vp"
    }
    fn log_alpha(&self, t: f64) -> f64 {
        -0.25 * (self.beta_max - self.beta_min) * t * t - 0.5 * self.beta_min * t
    }
    fn sigma(&self, t: f64) -> f64 {
        vp_sigma(self.log_alpha(t))
    }
    fn lambda(&self, t: f64) -> f64 {
        vp_lambda(self.log_alpha(t))
    }
    fn inverse_lambda(&self, lambda: f64) -> f64 {
        self.t_of_log_alpha(-0.5 * softplus(-2.0 * lambda))
    }
    fn f(&self, t: f64) -> f64 {
        -0.5 * self.beta(t)
    }
    fn g2(&self, t: f64) -> f64 {
        self.beta(t)
    }
    fn langevin_alpha(&self, t: f64, dt: f64) -> f64 {
        (2.0 * (self.log_alpha(t) - self.log_alpha((t - dt).max(0.0)))).exp()
    }
}

/// VP SDE with the continuous cosine schedule, offset `s = 0.008`, `T = 0.9946`.
#[derive(Debug, Clone, PartialEq)]
pub struct VpCosine {
    /// Offset `s`; published default 0.008.
    pub s: f64,
    /// End time `T`; 0.9946 keeps `lambda(T)` finite (DPM-Solver's choice).
    pub t_end_max: f64,
}

impl Default for VpCosine {
    fn default() -> Self {
        Self { s: 0.008, t_end_max: 0.9946 }
    }
}

impl VpCosine {
    fn phase(&self, t: f64) -> f64 {
        FRAC_PI_2 * (t + self.s) / (1.0 + self.s)
    }
}

impl Sde for VpCosine {
    fn name(&self) -> &'static str {
        "vp-cosine"
    }
    fn log_alpha(&self, t: f64) -> f64 {
        self.phase(t).cos().ln() - self.phase(0.0).cos().ln()
    }
    fn sigma(&self, t: f64) -> f64 {
        vp_sigma(self.log_alpha(t))
    }
    fn lambda(&self, t: f64) -> f64 {
        vp_lambda(self.log_alpha(t))
    }
    fn inverse_lambda(&self, lambda: f64) -> f64 {
        let log_alpha = -0.5 * softplus(-2.0 * lambda);
        let c = (log_alpha + self.phase(0.0).cos().ln()).exp();
        2.0 * (1.0 + self.s) / std::f64::consts::PI * c.acos() - self.s
    }
    fn f(&self, t: f64) -> f64 {
        -FRAC_PI_2 / (1.0 + self.s) * self.phase(t).tan()
    }
    fn g2(&self, t: f64) -> f64 {
        -2.0 * self.f(t)
    }
    fn t_max(&self) -> f64 {
        self.t_end_max
    }
    fn langevin_alpha(&self, t: f64, dt: f64) -> f64 {
        (2.0 * (self.log_alpha(t) - self.log_alpha((t - dt).max(0.0)))).exp()
    }
}

/// VP SDE with the continuous sigmoid schedule of the smoke WDNO (lucidrains
/// `sigmoid_beta_schedule`): `ᾱ(t) = alpha(t)² = (v_e − σ(z(t))) / (v_e − v_s)`,
/// `z(t) = (start + t (end − start)) / τ`, `v_s = σ(start/τ)`, `v_e = σ(end/τ)`; its values at
/// `t = (k+1)/T` are the discrete schedule's `ᾱ_k` before β clipping. `ᾱ(1) = 0`, so sampling
/// starts at the `t_max` where `ᾱ = 1e-4` (`λ ≈ −4.6`, like the cosine schedule's 0.9946).
#[derive(Debug, Clone, PartialEq)]
pub struct VpSigmoid {
    /// Sigmoid start (paper −3).
    pub start: f64,
    /// Sigmoid end (paper 3).
    pub end: f64,
    /// Temperature τ (paper 1).
    pub tau: f64,
}

impl Default for VpSigmoid {
    fn default() -> Self {
        Self { start: -3.0, end: 3.0, tau: 1.0 }
    }
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

impl VpSigmoid {
    fn ends(&self) -> (f64, f64) {
        (logistic(self.start / self.tau), logistic(self.end / self.tau))
    }
    /// `ᾱ(t)`.
    pub fn alpha_bar(&self, t: f64) -> f64 {
        let (vs, ve) = self.ends();
        ((ve - logistic((self.start + t * (self.end - self.start)) / self.tau)) / (ve - vs)).clamp(0.0, 1.0)
    }
    /// The time at which `ᾱ(t) = abar` (inverse of [`Self::alpha_bar`]).
    pub fn t_of_alpha_bar(&self, abar: f64) -> f64 {
        let (vs, ve) = self.ends();
        let p = ve - abar * (ve - vs);
        let z = (p / (1.0 - p)).ln();
        (z * self.tau - self.start) / (self.end - self.start)
    }
    /// `dᾱ/dt` (negative).
    fn alpha_bar_dot(&self, t: f64) -> f64 {
        let (vs, ve) = self.ends();
        let q = logistic((self.start + t * (self.end - self.start)) / self.tau);
        -q * (1.0 - q) * (self.end - self.start) / self.tau / (ve - vs)
    }
}

impl Sde for VpSigmoid {
    fn name(&self) -> &'static str {
        "vp-sigmoid"
    }
    fn log_alpha(&self, t: f64) -> f64 {
        0.5 * self.alpha_bar(t).ln()
    }
    fn sigma(&self, t: f64) -> f64 {
        (1.0 - self.alpha_bar(t)).max(0.0).sqrt()
    }
    fn inverse_lambda(&self, lambda: f64) -> f64 {
        self.t_of_alpha_bar(logistic(2.0 * lambda))
    }
    fn f(&self, t: f64) -> f64 {
        0.5 * self.alpha_bar_dot(t) / self.alpha_bar(t)
    }
    fn g2(&self, t: f64) -> f64 {
        -self.alpha_bar_dot(t) / self.alpha_bar(t)
    }
    fn t_max(&self) -> f64 {
        self.t_of_alpha_bar(1e-4)
    }
    fn langevin_alpha(&self, t: f64, dt: f64) -> f64 {
        (2.0 * (self.log_alpha(t) - self.log_alpha((t - dt).max(0.0)))).exp()
    }
}
