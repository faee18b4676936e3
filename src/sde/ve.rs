//! The variance-exploding SDE (Song et al. 2021, eq. 9): `alpha = 1`,
//! `sigma(t) = σ_min (σ_max/σ_min)^t`, `f = 0`, `g² = 2 sigma² log(σ_max/σ_min)`.
//!
//! Convention (as in score_sde): the marginal at `t` is `p_data * N(0, sigma(t)² I)`, so the
//! process "starts" at `p_0 = p_data * N(0, σ_min² I)`; closed-form targets follow it.

use super::Sde;

/// VE SDE with a geometric noise schedule.
#[derive(Debug, Clone, PartialEq)]
pub struct Ve {
    /// Smallest noise level; published default 0.01.
    pub sigma_min: f64,
    /// Largest noise level, also the prior's standard deviation; published default 50.
    pub sigma_max: f64,
}

impl Default for Ve {
    fn default() -> Self {
        Self { sigma_min: 0.01, sigma_max: 50.0 }
    }
}

impl Ve {
    fn log_ratio(&self) -> f64 {
        (self.sigma_max / self.sigma_min).ln()
    }
}

impl Sde for Ve {
    fn name(&self) -> &'static str {
        "ve"
    }
    fn log_alpha(&self, _t: f64) -> f64 {
        0.0
    }
    fn sigma(&self, t: f64) -> f64 {
        self.sigma_min * (t * self.log_ratio()).exp()
    }
    fn lambda(&self, t: f64) -> f64 {
        -(self.sigma_min.ln() + t * self.log_ratio())
    }
    fn inverse_lambda(&self, lambda: f64) -> f64 {
        (-lambda - self.sigma_min.ln()) / self.log_ratio()
    }
    fn f(&self, _t: f64) -> f64 {
        0.0
    }
    fn g2(&self, t: f64) -> f64 {
        let s = self.sigma(t);
        2.0 * s * s * self.log_ratio()
    }
    fn prior_std(&self) -> f64 {
        self.sigma_max
    }
}
