//! The `[sde]` table of a target file, and construction of the matching [`Sde`].

use super::{Sde, SubVp, Ve, VpCosine, VpLinear};
use crate::error::ConfigError;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Which forward process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SdeKind {
    /// Linear-β variance-preserving SDE.
    #[serde(rename = "vp")]
    Vp,
    /// Cosine-schedule variance-preserving SDE.
    #[serde(rename = "vp-cosine")]
    VpCosine,
    /// Sub-VP SDE.
    #[serde(rename = "subvp")]
    SubVp,
    /// Variance-exploding SDE.
    #[serde(rename = "ve")]
    Ve,
}

/// `[sde]` table: the process and the small time `t_end` (ε) at which sampling stops.
///
/// Keys: `kind`; `beta_min`, `beta_max` for `vp`/`subvp`; `sigma_min`, `sigma_max` for `ve`;
/// optional `s` for `vp-cosine` (default 0.008); `t_end` for all. Each key a kind needs must be
/// present and keys a kind does not use are refused, so a typo never silently falls back to a
/// default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SdeConfig {
    /// The process.
    pub kind: SdeKind,
    /// VP/sub-VP `beta(0)` (published: 0.1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beta_min: Option<f64>,
    /// VP/sub-VP `beta(1)` (published: 20).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub beta_max: Option<f64>,
    /// VE smallest noise (published: 0.01).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigma_min: Option<f64>,
    /// VE largest noise (published: 50).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sigma_max: Option<f64>,
    /// Cosine offset (published: 0.008).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub s: Option<f64>,
    /// The time ε at which sampling stops and likelihoods are evaluated (score_sde: 1e-3 for
    /// VP sampling, 1e-5 for VE and for likelihoods).
    pub t_end: f64,
}

impl SdeConfig {
    /// The published VP defaults (β 0.1 → 20, ε = 1e-3).
    pub fn vp_default() -> Self {
        Self { kind: SdeKind::Vp, beta_min: Some(0.1), beta_max: Some(20.0), sigma_min: None, sigma_max: None, s: None, t_end: 1e-3 }
    }

    /// Validate and build the process.
    pub fn build(&self) -> Result<Arc<dyn Sde>, ConfigError> {
        let need = |v: Option<f64>, key: &str| -> Result<f64, ConfigError> {
            let v = v.ok_or_else(|| ConfigError::Missing(format!("sde.{key} (needed by kind {:?})", self.kind)))?;
            if !v.is_finite() || v <= 0.0 {
                return Err(ConfigError::Invalid(format!("sde.{key} must be positive and finite, got {v}")));
            }
            Ok(v)
        };
        let unused = |v: Option<f64>, key: &str| -> Result<(), ConfigError> {
            match v {
                Some(_) => Err(ConfigError::Invalid(format!("sde.{key} is not used by kind {:?}", self.kind))),
                None => Ok(()),
            }
        };
        let sde: Arc<dyn Sde> = match self.kind {
            SdeKind::Vp | SdeKind::SubVp => {
                unused(self.sigma_min, "sigma_min")?;
                unused(self.sigma_max, "sigma_max")?;
                unused(self.s, "s")?;
                let (b0, b1) = (need(self.beta_min, "beta_min")?, need(self.beta_max, "beta_max")?);
                if b1 < b0 {
                    return Err(ConfigError::Invalid(format!("sde.beta_max ({b1}) must be >= beta_min ({b0})")));
                }
                let vp = VpLinear { beta_min: b0, beta_max: b1 };
                if self.kind == SdeKind::Vp { Arc::new(vp) } else { Arc::new(SubVp { vp }) }
            }
            SdeKind::VpCosine => {
                unused(self.beta_min, "beta_min")?;
                unused(self.beta_max, "beta_max")?;
                unused(self.sigma_min, "sigma_min")?;
                unused(self.sigma_max, "sigma_max")?;
                let s = match self.s {
                    Some(_) => need(self.s, "s")?,
                    None => 0.008,
                };
                Arc::new(VpCosine { s, ..VpCosine::default() })
            }
            SdeKind::Ve => {
                unused(self.beta_min, "beta_min")?;
                unused(self.beta_max, "beta_max")?;
                unused(self.s, "s")?;
                let (lo, hi) = (need(self.sigma_min, "sigma_min")?, need(self.sigma_max, "sigma_max")?);
                if hi <= lo {
                    return Err(ConfigError::Invalid(format!("sde.sigma_max ({hi}) must exceed sigma_min ({lo})")));
                }
                Arc::new(Ve { sigma_min: lo, sigma_max: hi })
            }
        };
        if !(self.t_end > 0.0 && self.t_end < sde.t_max()) {
            return Err(ConfigError::Invalid(format!(
                "sde.t_end must lie in (0, {}), got {}",
                sde.t_max(),
                self.t_end
            )));
        }
        Ok(sde)
    }
}
