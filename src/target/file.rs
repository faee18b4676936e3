//! The target file read by `scidiff sde ...`: an `[sde]` table and a diagonal `[gmm]` table.
//!
//! ```toml
//! [sde]
//! kind = "vp"
//! beta_min = 0.1
//! beta_max = 20.0
//! t_end = 1e-3
//! [gmm]
//! weights = [0.5, 0.5]
//! means = [[-1.0, 0.0], [1.0, 0.0]]
//! stds = [[0.3, 0.3], [0.3, 0.3]]
//! ```

use super::GaussianMixture;
use crate::error::ConfigError;
use crate::sde::SdeConfig;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// `[gmm]`: a diagonal Gaussian mixture.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GmmTable {
    /// Component weights, non-negative, summing to 1.
    pub weights: Vec<f64>,
    /// Component means, one row of `d` numbers per component.
    pub means: Vec<Vec<f64>>,
    /// Per-coordinate standard deviations, positive, same shape as `means`.
    pub stds: Vec<Vec<f64>>,
}

/// A parsed target file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TargetFile {
    /// The forward process.
    pub sde: SdeConfig,
    /// The data distribution.
    pub gmm: GmmTable,
}

impl TargetFile {
    /// Parse TOML text; `origin` names the source in messages.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, ConfigError> {
        let file: TargetFile = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: origin.to_string(),
            message: e.message().replace('\n', " "),
        })?;
        file.sde.build()?;
        file.mixture()?;
        Ok(file)
    }

    /// Read and validate a target file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.display().to_string(), source })?;
        Self::from_toml(&text, &path.display().to_string())
    }

    /// The mixture of `[gmm]`.
    pub fn mixture(&self) -> Result<GaussianMixture, ConfigError> {
        let g = &self.gmm;
        if g.stds.len() != g.means.len() {
            return Err(ConfigError::Invalid(format!("gmm has {} means but {} stds", g.means.len(), g.stds.len())));
        }
        for (i, (m, s)) in g.means.iter().zip(&g.stds).enumerate() {
            if m.len() != s.len() {
                return Err(ConfigError::Invalid(format!("gmm means[{i}] has {} coordinates but stds[{i}] has {}", m.len(), s.len())));
            }
        }
        GaussianMixture::diagonal(g.weights.clone(), g.means.clone(), g.stds.clone())
    }

    /// The example of the module docs (two components in 2-D, VP).
    pub fn example() -> Self {
        Self {
            sde: SdeConfig::vp_default(),
            gmm: GmmTable {
                weights: vec![0.5, 0.5],
                means: vec![vec![-1.0, 0.0], vec![1.0, 0.0]],
                stds: vec![vec![0.3, 0.3], vec![0.3, 0.3]],
            },
        }
    }
}
