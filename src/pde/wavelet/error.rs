//! Error type of the wavelet module.

use thiserror::Error;

/// Everything that can go wrong in a wavelet transform. No public function of
/// this module panics on bad input; it returns one of these instead.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WaveletError {
    /// The wavelet name is not one of the supported families.
    #[error(
        "unknown wavelet '{0}': supported are haar, db1..db10, sym2..sym10, coif1..coif5, \
         bior1.1, 1.3, 1.5, 2.2, 2.4, 2.6, 2.8, 3.1, 3.3, 3.5, 3.7, 3.9, 4.4, 5.5, 6.8"
    )]
    UnknownWavelet(String),
    /// The boundary-mode name is not recognised.
    #[error(
        "unknown boundary mode '{0}': expected one of periodization, periodic, zero, \
         symmetric, reflect, constant"
    )]
    UnknownMode(String),
    /// The requested decomposition level exceeds `max_level` for the input.
    #[error("decomposition level {level} is too high for input length {len}: maximum is {max}")]
    LevelTooHigh {
        /// Requested level.
        level: usize,
        /// Maximum allowed level (`max_level` of the shortest transformed axis).
        max: usize,
        /// Length of the shortest transformed axis.
        len: usize,
    },
    /// Coefficient arrays passed to an inverse transform have inconsistent shapes.
    #[error("coefficient shapes are inconsistent: {0}")]
    ShapeMismatch(String),
    /// Input (or a coefficient array) has a zero-length axis, or no coefficients were given.
    #[error("empty input: {0}")]
    EmptyInput(String),
    /// Input contains NaN or infinite values.
    #[error("input contains NaN or Inf: {0}")]
    NonFinite(String),
    /// The number of transformed axes is invalid for the array's dimensionality,
    /// or the signal is too short for the mode (reflect needs length >= 2).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}
