//! Errors of the WDNO module.

use thiserror::Error;

/// A WDNO operation could not run.
#[derive(Debug, Error)]
pub enum WdnoError {
    /// Data of the wrong shape for the configuration (the message names both).
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// An inconsistent or out-of-range configuration value.
    #[error("invalid WDNO configuration: {0}")]
    Config(String),
    /// Input data hold NaN or infinite values (the message names which).
    #[error("non-finite input: {0}")]
    NonFinite(String),
    /// The wavelet transform refused its input.
    #[error(transparent)]
    Wavelet(#[from] crate::pde::wavelet::WaveletError),
    /// The re-simulation with the real solver failed.
    #[error(transparent)]
    Solver(#[from] crate::pde::solvers::SolverError),
    /// Sampling failed.
    #[error(transparent)]
    Sample(#[from] crate::error::SampleError),
}
