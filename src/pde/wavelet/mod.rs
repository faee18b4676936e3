//! Multi-level discrete wavelet transforms (1-D, 2-D, n-D) matching PyWavelets.
//!
//! # Math
//! One analysis step of Mallat's algorithm (S. Mallat, *A Theory for Multiresolution
//! Signal Decomposition*, IEEE PAMI 1989) filters a signal `x` of length `N` with the
//! decomposition low-pass `h` and high-pass `h~` filters (length `F`) and keeps every
//! second sample:
//!
//! ```text
//! cA[k] = sum_j h[j]  x~[2k + 1 - j]      cD[k] = sum_j h~[j] x~[2k + 1 - j]
//! ```
//!
//! where `x~` is `x` extended beyond its ends by the boundary [`Mode`]
//! (zero, constant, symmetric, reflect, periodic). This yields `floor((N+F-1)/2)`
//! coefficients per band. In `periodization` mode the signal is treated as periodic
//! (odd `N` first padded by repeating the last sample), indices are
//! `(2k + F/2 - j) mod N'`, and each band has `ceil(N/2)` coefficients.
//!
//! Synthesis upsamples by 2 and filters with the reconstruction filters `g`, `g~`:
//! `x[n] = sum_k cA[k] g[n + F - 2 - 2k] + cD[k] g~[n + F - 2 - 2k]`, giving
//! `2 Nc - F + 2` samples (`2 Nc`, indices taken mod `2 Nc`, for periodization).
//! With PyWavelets' filters this inverts the analysis exactly (perfect reconstruction).
//!
//! Multi-level transforms iterate the analysis on `cA`. Separable n-D transforms apply
//! the 1-D step along each transformed axis in turn.
//!
//! # Reference behaviour and layout
//! Conventions, filter values and coefficient layouts are those of PyWavelets
//! (`pywt.wavedec`, `wavedec2`, `wavedecn`, `waverec*`, `dwt_max_level`):
//! * 1-D: `[cA_L, cD_L, ..., cD_1]` (coarsest first);
//! * 2-D: `approx` then per level coarse to fine `[cH, cV, cD]` (keys `da`, `ad`, `dd`);
//! * n-D: `approx` then per level a map keyed `'aad'`, `'ada'`, ... `'ddd'`
//!   (char `i` = transformed axis `i`, `a` = low-pass), in PyWavelets' key order.
//!
//! Inverses trim an approximation that is one sample longer than the details, as
//! PyWavelets does, so odd-length inputs come back one sample longer (truncate).
//! Unlike PyWavelets (which only warns), a level above [`max_level`] is an error.
//! Batched variants treat leading axes as independent signals.
//!
//! Filter tables come from `gen_tables.py`; oracle fixtures from `gen_fixtures.py`.

mod dwt1;
mod dwtn;
mod error;
mod filters;
mod filters_table;
mod kernels;
mod mode;
pub mod tensor;
#[cfg(test)]
mod test_util;

pub use dwt1::{
    wavedec, wavedec_batch, wavedec_lastaxis, waverec, waverec_batch, waverec_lastaxis,
};
pub use dwtn::{Coeffs2, CoeffsN, dwtn, idwtn, wavedec2, wavedecn, waverec2, waverecn};
pub use error::WaveletError;
pub use filters::{Wavelet, max_level};
pub use kernels::{dwt_coeff_len, idwt_out_len};
pub use mode::Mode;
