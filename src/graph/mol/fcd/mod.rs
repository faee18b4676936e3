//! Fréchet ChemNet Distance (FCD; Preuer et al., J. Chem. Inf. Model. 58, 1736, 2018), the
//! distribution metric of GDSS's molecule tables (brief gdss.md §6.2).
//!
//! FCD embeds each SMILES string with the penultimate layer of ChemNet ([`ChemNet`]), fits a
//! Gaussian to each set ([`GaussianStats`]) and reports their Fréchet distance
//! ([`frechet_distance`]). ChemNet's weights are the LGPL file `ChemNet_v0.13_pretrained.pt`
//! of PyPI `fcd` 1.2.2, fetched by `datasets/fetch_mol.sh` (never shipped here) and run
//! natively; the test suite checks activations and distances against values recorded from
//! that package (`tests/fcd_reference.rs`).
//!
//! **The string matters.** ChemNet reads characters, so the same molecule written two ways
//! embeds differently. GDSS canonicalises both sets with RDKit before FCD; scidiff has no
//! RDKit, so [`fcd`] should be given both sets written the same way (e.g. both through
//! [`super::write_smiles`], which `scidiff mol eval` does). Such numbers are comparable with
//! each other, not exactly with RDKit-canonical FCDs; docs/molecules.md measures the gap.

mod chemnet;
mod frechet;
pub mod tokens;

use std::path::PathBuf;

pub use chemnet::{ChemNet, same_padding};
pub use frechet::{GaussianStats, frechet_distance, trace_sqrt_product};

use crate::graph::gdss::CheckpointError;

/// File name of ChemNet's weights inside the `fcd` wheel and the data cache.
pub const CHEMNET_FILE: &str = "ChemNet_v0.13_pretrained.pt";

/// Everything that can go wrong computing FCD.
#[derive(Debug, thiserror::Error)]
pub enum FcdError {
    /// The weight file could not be read.
    #[error("cannot read ChemNet weights {path}: {source} (run datasets/fetch_mol.sh)")]
    Io {
        /// File path.
        path: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The archive is not a readable torch zip (truncated, corrupted).
    #[error("ChemNet weights: {0}")]
    Archive(#[from] CheckpointError),
    /// The archive does not hold ChemNet v0.13.
    #[error("ChemNet weights: {0}")]
    Format(String),
    /// A Gaussian needs at least two vectors.
    #[error("FCD needs at least 2 molecules per set, got {0}")]
    TooFew(usize),
    /// Activations with NaN or Inf.
    #[error("ChemNet activations contain NaN or Inf")]
    NonFinite,
    /// Activation widths differ.
    #[error("activation widths differ: {0} vs {1}")]
    Dimension(usize, usize),
}

/// Where `datasets/fetch_mol.sh` puts ChemNet's weights:
/// `$SCIDIFF_DATA/mol/ChemNet_v0.13_pretrained.pt` (default `~/.cache/scidiff`).
pub fn default_chemnet_path() -> PathBuf {
    crate::io::data_root().join("mol").join(CHEMNET_FILE)
}

/// Gaussian statistics of one SMILES set under `net`.
pub fn stats(net: &ChemNet, smiles: &[String]) -> Result<GaussianStats, FcdError> {
    GaussianStats::fit(&net.activations(smiles))
}

/// FCD between two SMILES sets (each embedded as one reference `get_predictions` call).
pub fn fcd(net: &ChemNet, a: &[String], b: &[String]) -> Result<f64, FcdError> {
    frechet_distance(&stats(net, a)?, &stats(net, b)?)
}
