//! The discrete cosine DDPM schedule of WDNO's Burgers models (brief §3.3; Nichol & Dhariwal
//! 2021, eq. 17, as in lucidrains' `cosine_beta_schedule`):
//!
//! ```text
//! f(k) = cos²(π/2 · (k/T + s)/(1 + s)),  ᾱ'_k = f(k)/f(0),  k = 0..T,
//! β_k = min(1 − ᾱ'_{k+1}/ᾱ'_k, β_max),   ᾱ_k = Π_{j≤k} (1 − β_j),  k = 0..T−1.
//! ```
//!
//! Training draws `k` uniformly from `0..T`; `x_k = √ᾱ_k x0 + √(1−ᾱ_k) ε`. The continuous VP
//! cosine SDE of the core ([`crate::sde::VpCosine`], `α(t)² = f(tT)/f(0)`) has the same marginals
//! at `t = (k+1)/T` wherever β is not clipped, which is how the core's ODE samplers drive this
//! discrete-time network (see [`super::sample`]).

use super::config::DiffusionConfig;

/// `β_k`, `ᾱ_k` for `k = 0..T`.
#[derive(Debug, Clone, PartialEq)]
pub struct DdpmSchedule {
    /// β per step.
    pub betas: Vec<f64>,
    /// Cumulative products `ᾱ_k`.
    pub alphas_cumprod: Vec<f64>,
}

impl DdpmSchedule {
    /// Build the schedule of `cfg`.
    pub fn new(cfg: &DiffusionConfig) -> Self {
        let t = cfg.steps as f64;
        let f = |k: f64| ((k / t + cfg.cosine_s) / (1.0 + cfg.cosine_s) * std::f64::consts::FRAC_PI_2).cos().powi(2);
        let betas: Vec<f64> = (0..cfg.steps).map(|k| (1.0 - f(k as f64 + 1.0) / f(k as f64)).clamp(0.0, cfg.max_beta)).collect();
        Self::from_betas(betas)
    }

    /// The schedule of the given `β_k`, with `ᾱ_k = Π_{j≤k} (1 − β_j)`.
    fn from_betas(betas: Vec<f64>) -> Self {
        let mut acc = 1.0;
        let alphas_cumprod = betas
            .iter()
            .map(|b| {
                acc *= 1.0 - b;
                acc
            })
            .collect();
        Self { betas, alphas_cumprod }
    }

    /// The sigmoid schedule of WDNO's smoke models (brief §3.3; lucidrains
    /// `sigmoid_beta_schedule`): with `σ` the logistic function and `t_k = k/T`, `k = 0..T`,
    /// `ᾱ'_k ∝ σ(e/τ) − σ((t_k (e − s) + s)/τ)` normalised to `ᾱ'_0 = 1`,
    /// `β_k = min(1 − ᾱ'_{k+1}/ᾱ'_k, β_max)` and `ᾱ_k = Π_{j≤k} (1 − β_j)`.
    pub fn sigmoid(steps: usize, start: f64, end: f64, tau: f64, max_beta: f64) -> Self {
        let sig = |x: f64| 1.0 / (1.0 + (-x).exp());
        let v_end = sig(end / tau);
        let f = |k: usize| v_end - sig((k as f64 / steps as f64 * (end - start) + start) / tau);
        let betas: Vec<f64> = (0..steps).map(|k| (1.0 - f(k + 1) / f(k)).clamp(0.0, max_beta)).collect();
        Self::from_betas(betas)
    }

    /// Number of steps `T`.
    pub fn len(&self) -> usize {
        self.betas.len()
    }

    /// Whether the schedule is empty (never, for a validated configuration).
    pub fn is_empty(&self) -> bool {
        self.betas.is_empty()
    }

    /// `(√ᾱ_k, √(1−ᾱ_k))`.
    pub fn coefficients(&self, k: usize) -> (f64, f64) {
        let a = self.alphas_cumprod[k];
        (a.sqrt(), (1.0 - a).sqrt())
    }

    /// DDIM's time indices for `k_steps` steps: `linspace(−1, T−1, K+1)` truncated toward zero
    /// and reversed, as pairs `(k, k_next)` with `k_next = −1` meaning "return x̂0".
    pub fn ddim_pairs(&self, k_steps: usize) -> Vec<(usize, i64)> {
        let t = self.len() as f64;
        let times: Vec<i64> = (0..=k_steps).map(|i| (-1.0 + (t) * i as f64 / k_steps as f64) as i64).rev().collect();
        times.windows(2).map(|w| (w[0] as usize, w[1])).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Oracle: the values quoted in brief §4.3 for λ(t) = β_t (0.999 at 999, 0.093 at 979, 0.020
    /// at 900, 3.2e-3 at 500, 1.3e-4 at 19), to the two digits quoted.
    #[test]
    fn cosine_betas_match_quoted_values() {
        let s = DdpmSchedule::new(&DiffusionConfig::default());
        for (k, want) in [(999, 0.999), (979, 0.093), (900, 0.020), (500, 3.2e-3), (19, 1.3e-4)] {
            let got = s.betas[k];
            assert!((got - want).abs() / want < 0.03, "beta[{k}] = {got}, quoted {want}");
        }
        // ᾱ_k equals the closed form f(k+1)/f(0) while β is unclipped (product telescopes).
        let f = |k: f64| ((k / 1000.0 + 0.008) / 1.008 * std::f64::consts::FRAC_PI_2).cos().powi(2);
        assert!((s.alphas_cumprod[500] - f(501.0) / f(0.0)).abs() < 1e-12);
    }

    /// Oracle: while β is unclipped the product telescopes, `ᾱ_k = f(k+1)/f(0)` with
    /// `f(k) = σ(3) − σ(6k/T − 3)` (1e-12: f64 rounding over ≤ 1000 factors); the last β is clipped.
    #[test]
    fn sigmoid_schedule_telescopes() {
        let s = DdpmSchedule::sigmoid(1000, -3.0, 3.0, 1.0, 0.999);
        let sig = |x: f64| 1.0 / (1.0 + (-x).exp());
        let f = |k: f64| sig(3.0) - sig(6.0 * k / 1000.0 - 3.0);
        for k in [0, 10, 500, 900] {
            assert!((s.alphas_cumprod[k] - f(k as f64 + 1.0) / f(0.0)).abs() < 1e-12, "k {k}");
        }
        assert_eq!(s.betas[999], 0.999);
        assert!(s.betas.windows(2).all(|w| w[0] <= w[1]));
    }

    /// The continuous `VpSigmoid` SDE the core samplers use for smoke hits the discrete
    /// schedule at `t = (k+1)/T` wherever β is unclipped (1e-9 relative: a product of 999
    /// factors against a closed form), and starts where ᾱ = 1e-4.
    #[test]
    fn sigmoid_sde_matches_the_discrete_schedule() {
        use crate::sde::{Sde, VpSigmoid};
        let s = DdpmSchedule::sigmoid(1000, -3.0, 3.0, 1.0, 0.999);
        let sde = VpSigmoid::default();
        for k in [0, 1, 99, 500, 900, 998] {
            let t = (k + 1) as f64 / 1000.0;
            let a = sde.alpha(t).powi(2);
            assert!((a / s.alphas_cumprod[k] - 1.0).abs() < 1e-9, "k {k}: {a} vs {}", s.alphas_cumprod[k]);
        }
        assert!((sde.alpha(sde.t_max()).powi(2) - 1e-4).abs() < 1e-12);
        assert!(sde.t_max() > 0.999 && sde.t_max() < 1.0);
    }

    #[test]
    fn ddim_pairs_cover_the_schedule() {
        let s = DdpmSchedule::new(&DiffusionConfig::default());
        let p = s.ddim_pairs(50);
        assert_eq!(p.len(), 50);
        assert_eq!(p[0].0, 999);
        assert_eq!(p.last().unwrap().1, -1);
        assert!(p.windows(2).all(|w| w[0].1 == w[1].0 as i64));
    }
}
