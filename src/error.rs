//! Library error types (`thiserror`); the CLI wraps them with `anyhow`.

use thiserror::Error;

/// A configuration or target file is missing a key or holds an invalid value.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// A required key is absent.
    #[error("missing key: {0}")]
    Missing(String),
    /// A value is out of range or inconsistent with another.
    #[error("invalid configuration: {0}")]
    Invalid(String),
    /// The file is not valid TOML or has an unknown key.
    #[error("cannot parse {path}: {message}")]
    Parse {
        /// The file.
        path: String,
        /// The parser's message, on one line.
        message: String,
    },
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// A sampler could not run, or produced something unusable.
#[derive(Debug, Error)]
pub enum SampleError {
    /// Bad sampler settings (unknown name, too few evaluations for the order, ...).
    #[error("{0}")]
    Config(#[from] ConfigError),
    /// The model returned NaN or Inf.
    #[error("model output is not finite at t = {t:.6} (step {step})")]
    NonFinite {
        /// Time of the evaluation.
        t: f64,
        /// Step index.
        step: usize,
    },
    /// The state and the model (or target) disagree on shape.
    #[error("shape mismatch: {0}")]
    Shape(String),
    /// The model failed.
    #[error("model error: {0}")]
    Model(String),
}

/// Reading or writing a data file failed.
#[derive(Debug, Error)]
pub enum IoError {
    /// The HDF5 library reported an error (missing file, not HDF5, missing dataset, ...).
    #[error("{path}: {message}")]
    Hdf5 {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
    /// A dataset has the wrong rank or shape.
    #[error("{path}: dataset '{dataset}' has shape {found:?}, expected {expected}")]
    Shape {
        /// The file.
        path: String,
        /// The dataset.
        dataset: String,
        /// Its shape.
        found: Vec<usize>,
        /// What was expected, in words.
        expected: String,
    },
    /// A dataset holds NaN or Inf.
    #[error("{path}: dataset '{dataset}' holds a non-finite value at flat index {index}")]
    NonFinite {
        /// The file.
        path: String,
        /// The dataset.
        dataset: String,
        /// First offending element (row-major).
        index: usize,
    },
    /// Any other I/O problem.
    #[error("{path}: {source}")]
    Os {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}
