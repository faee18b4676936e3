//! A Fourier neural operator surrogate (Li et al., "Fourier Neural Operator for Parametric
//! Partial Differential Equations", ICLR 2021) for forced 1-D Burgers: the regression baseline
//! WDNO is compared against (WDNO brief §6 "Baselines named", §8 item 9), trained and
//! evaluated in the same harness (same data files, trainer, `scidiff pde simulate|eval`).
//!
//! * [`spectral`]: the spectral convolution as truncated DFT matrices (tested against
//!   rustfft, perfect reconstruction and shift equivariance);
//! * [`model`]: the network over the (t, x) grid, [`model::FnoConfig`];
//! * [`task`]: the MSE task for the shared trainer and batched prediction;
//! * [`run`]: model directories.

pub mod model;
pub mod run;
pub mod spectral;
pub mod task;

pub use model::{Fno, FnoConfig};
