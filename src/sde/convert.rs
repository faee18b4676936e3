//! Conversions between the four network parameterisations, in one place.
//!
//! With `x = alpha x0 + sigma eps` (Kingma et al. 2021; Salimans & Ho 2022 for `v`):
//! score `s = -eps / sigma`, `x0 = (x - sigma eps) / alpha`, `eps = (x - alpha x0) / sigma`,
//! `v = alpha eps - sigma x0`; from `v` (any alpha, sigma):
//! `eps = (sigma x + alpha v) / (alpha² + sigma²)`, `x0 = (alpha x - sigma v) / (alpha² + sigma²)`,
//! which reduce to the familiar `eps = alpha v + sigma x` when `alpha² + sigma² = 1`.
//!
//! Each conversion is linear in `(x, prediction)`, so it is expressed as two coefficients that a
//! [`crate::state::State`] applies with one linear combination.

use serde::{Deserialize, Serialize};

/// What a network predicts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Prediction {
    /// The noise `eps`.
    Noise,
    /// The clean data `x0`.
    Data,
    /// The score `grad log p_t(x)`.
    Score,
    /// The velocity `v = alpha eps - sigma x0`.
    Velocity,
}

impl Prediction {
    /// Coefficients `(a, b)` with `target = a x + b prediction`, at marginal `(alpha, sigma)`.
    pub fn coefficients(self, target: Prediction, alpha: f64, sigma: f64) -> (f64, f64) {
        // First express the prediction as eps = a_e x + b_e pred.
        let (ae, be) = match self {
            Prediction::Noise => (0.0, 1.0),
            Prediction::Score => (0.0, -sigma),
            Prediction::Data => (1.0 / sigma, -alpha / sigma),
            Prediction::Velocity => {
                let n = alpha * alpha + sigma * sigma;
                (sigma / n, alpha / n)
            }
        };
        // Then eps -> target.
        match target {
            Prediction::Noise => (ae, be),
            Prediction::Score => (-ae / sigma, -be / sigma),
            Prediction::Data => ((1.0 - sigma * ae) / alpha, -sigma * be / alpha),
            Prediction::Velocity => {
                // v = alpha eps - sigma x0 with x0 = (x - sigma eps)/alpha
                let (ax, bx) = ((1.0 - sigma * ae) / alpha, -sigma * be / alpha);
                (alpha * ae - sigma * ax, alpha * be - sigma * bx)
            }
        }
    }
}
