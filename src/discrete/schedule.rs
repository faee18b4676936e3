//! Masking schedules `α_t = P(token still unmasked at t)`, decreasing from `α_0 = 1`.
//!
//! * log-linear (MDLM's default): `α_t = 1 - (1 - ε) t`, i.e. total noise
//!   `σ(t) = -log(1 - (1 - ε) t)`; weight `-α'/(1 - α) = 1/t`.
//! * cosine: `α_t = ε + (1 - ε) cos(π t / 2)`.

use serde::{Deserialize, Serialize};

/// A masking schedule.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum MaskSchedule {
    /// `α_t = 1 - (1 - eps) t` (MDLM default `eps = 1e-3`).
    LogLinear {
        /// `α_1`.
        eps: f64,
    },
    /// `α_t = eps + (1 - eps) cos(π t/2)`.
    Cosine {
        /// `α_1`.
        eps: f64,
    },
}

impl Default for MaskSchedule {
    fn default() -> Self {
        MaskSchedule::LogLinear { eps: 1e-3 }
    }
}

impl MaskSchedule {
    /// `α_t`.
    pub fn alpha(&self, t: f64) -> f64 {
        match *self {
            MaskSchedule::LogLinear { eps } => 1.0 - (1.0 - eps) * t,
            MaskSchedule::Cosine { eps } => eps + (1.0 - eps) * (std::f64::consts::FRAC_PI_2 * t).cos(),
        }
    }
    /// `dα/dt`.
    pub fn dalpha(&self, t: f64) -> f64 {
        match *self {
            MaskSchedule::LogLinear { eps } => -(1.0 - eps),
            MaskSchedule::Cosine { eps } => -(1.0 - eps) * std::f64::consts::FRAC_PI_2 * (std::f64::consts::FRAC_PI_2 * t).sin(),
        }
    }
    /// The ELBO weight `-α'_t / (1 - α_t)`.
    pub fn weight(&self, t: f64) -> f64 {
        match *self {
            MaskSchedule::LogLinear { .. } => 1.0 / t,
            _ => -self.dalpha(t) / (1.0 - self.alpha(t)),
        }
    }
}
