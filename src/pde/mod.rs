//! PDE module (WDNO, Hu et al. 2025): [`wavelet`] transforms (ndarray for data preparation,
//! burn tensors for training and guidance) and [`solvers`] for the systems WDNO learns and
//! controls (viscous Burgers with control forcing, advection, 2-D incompressible smoke).

pub mod fno;
pub mod resample;
pub mod solvers;
pub mod wavelet;
pub mod wdno;
