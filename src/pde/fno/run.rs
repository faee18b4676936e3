//! FNO model directories: `run.toml` ([`FnoRun`]) beside the shared trainer's files.

use super::model::{Fno, FnoConfig};
use super::task::KIND;
use crate::pde::solvers::burgers::BurgersPreset;
use crate::pde::wdno::WdnoError;
use crate::pde::wdno::run::Weights;
use crate::train::checkpoint::CheckpointError;
use crate::train::trainer::{TrainConfig, checkpoint_path, load_weights};
use burn::module::AutodiffModule;
use burn::tensor::backend::AutodiffBackend;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// `run.toml` of an FNO run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FnoRun {
    /// Seed of weights and batches.
    pub seed: u64,
    /// The training data file (for the record).
    pub data: String,
    /// The data generator's preset.
    pub burgers: BurgersPreset,
    /// Optimisation.
    pub train: TrainConfig,
    /// The network.
    pub fno: FnoConfig,
}

impl FnoRun {
    /// Read `dir/run.toml`.
    pub fn load(dir: &Path) -> Result<Self, WdnoError> {
        let p = dir.join("run.toml");
        let text = std::fs::read_to_string(&p).map_err(|e| WdnoError::Config(format!("{} is not an FNO model directory ({}: {e})", dir.display(), p.display())))?;
        toml::from_str(&text).map_err(|e| WdnoError::Config(format!("{}: {}", p.display(), e.message())))
    }

    /// Whether `dir/run.toml` describes an FNO run (it has an `[fno]` table).
    pub fn is_fno(dir: &Path) -> bool {
        std::fs::read_to_string(dir.join("run.toml")).ok().and_then(|t| t.parse::<toml::Table>().ok()).is_some_and(|t| t.contains_key("fno"))
    }
}

/// Load the trained network of `dir` onto `B`'s inner backend.
pub fn load_net<B: AutodiffBackend>(dir: &Path, run: &FnoRun, weights: Weights, device: &B::Device) -> Result<Fno<B::InnerBackend>, CheckpointError> {
    let net: Fno<B> = run.fno.init(device);
    load_weights(&checkpoint_path(dir), KIND, weights.section(), net.valid(), device)
}
