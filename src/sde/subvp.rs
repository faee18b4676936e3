//! The sub-VP SDE (Song et al. 2021, eq. 13): same mean as the linear VP SDE, noise standard
//! deviation `1 - alpha²` (variance `(1 - alpha²)²`), `g² = beta(t) (1 - alpha⁴)`.

use super::{Sde, VpLinear};

/// Sub-VP SDE over a linear `beta(t)`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SubVp {
    /// The underlying linear schedule (`beta_min`, `beta_max`).
    pub vp: VpLinear,
}

impl Sde for SubVp {
    fn name(&self) -> &'static str {
        "subvp"
    }
    fn log_alpha(&self, t: f64) -> f64 {
        self.vp.log_alpha(t)
    }
    fn sigma(&self, t: f64) -> f64 {
        -(2.0 * self.log_alpha(t)).exp_m1()
    }
    fn lambda(&self, t: f64) -> f64 {
        let la = self.log_alpha(t);
        la - (-(2.0 * la).exp_m1()).ln()
    }
    /// `alpha / (1 - alpha²) = e^λ` gives `alpha = (sqrt(1 + 4e^{2λ}) - 1) / (2 e^λ)`, computed
    /// as `2 e^λ / (1 + sqrt(1 + 4 e^{2λ}))` to avoid cancellation for very negative `λ`.
    fn inverse_lambda(&self, lambda: f64) -> f64 {
        let e = lambda.exp();
        let alpha = 2.0 * e / (1.0 + (1.0 + 4.0 * e * e).sqrt());
        self.vp.t_of_log_alpha(alpha.ln())
    }
    fn f(&self, t: f64) -> f64 {
        self.vp.f(t)
    }
    fn g2(&self, t: f64) -> f64 {
        self.vp.beta(t) * (-(4.0 * self.log_alpha(t)).exp_m1())
    }
    fn langevin_alpha(&self, t: f64, dt: f64) -> f64 {
        (2.0 * (self.log_alpha(t) - self.log_alpha((t - dt).max(0.0)))).exp()
    }
}
