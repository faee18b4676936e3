//! Time grids from `T` down to `t_end` (Lu et al. 2022, §3.3 and App. D.1; Karras et al. 2022,
//! eq. 5).
//!
//! * `uniform`: `t_i = linspace(T, t_end)`.
//! * `logsnr`: `lambda_i = linspace(lambda(T), lambda(t_end))`, `t_i = lambda^{-1}(lambda_i)`.
//! * `quadratic`: `t_i = linspace(sqrt T, sqrt t_end)²`.
//! * `karras`: `sigma~_i = (sigma~_max^{1/rho} + i/N (sigma~_min^{1/rho} - sigma~_max^{1/rho}))^rho`
//!   with `rho = 7` in the EDM variable `sigma~ = sigma/alpha = exp(-lambda)`, mapped back to `t`.

use super::Sde;
use crate::error::ConfigError;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// How the grid points are spaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Spacing {
    /// Uniform in `t`.
    Uniform,
    /// Uniform in half log-SNR `lambda`.
    LogSnr,
    /// Uniform in `sqrt(t)`.
    Quadratic,
    /// Karras et al.'s `rho = 7` grid in `sigma/alpha`.
    Karras,
}

impl FromStr for Spacing {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "uniform" => Ok(Spacing::Uniform),
            "logsnr" => Ok(Spacing::LogSnr),
            "quadratic" => Ok(Spacing::Quadratic),
            "karras" => Ok(Spacing::Karras),
            other => Err(ConfigError::Invalid(format!(
                "unknown spacing '{other}' (expected uniform, logsnr, quadratic or karras)"
            ))),
        }
    }
}

/// `n + 1` decreasing times from `sde.t_max()` to `t_end` (both included).
pub fn time_grid(sde: &dyn Sde, spacing: Spacing, t_end: f64, n: usize) -> Result<Vec<f64>, ConfigError> {
    let t_max = sde.t_max();
    if n == 0 {
        return Err(ConfigError::Invalid("a time grid needs at least one interval".into()));
    }
    if !(t_end > 0.0 && t_end < t_max) {
        return Err(ConfigError::Invalid(format!("t_end must lie in (0, {t_max}), got {t_end}")));
    }
    let lin = |a: f64, b: f64, i: usize| a + (b - a) * (i as f64 / n as f64);
    let mut grid: Vec<f64> = (0..=n)
        .map(|i| match spacing {
            Spacing::Uniform => lin(t_max, t_end, i),
            Spacing::Quadratic => lin(t_max.sqrt(), t_end.sqrt(), i).powi(2),
            Spacing::LogSnr => sde.inverse_lambda(lin(sde.lambda(t_max), sde.lambda(t_end), i)),
            Spacing::Karras => {
                let rho = 7.0;
                let (hi, lo) = (sde.sigma_tilde(t_max).powf(1.0 / rho), sde.sigma_tilde(t_end).powf(1.0 / rho));
                let st = lin(hi, lo, i).powf(rho);
                sde.inverse_lambda(-st.ln())
            }
        })
        .collect();
    // Pin the end points exactly (the inverse maps round-trip to ~1e-15 only).
    grid[0] = t_max;
    grid[n] = t_end;
    Ok(grid)
}
