//! Classical PDE solvers used to generate data for, and evaluate, the diffusion models.
//!
//! * [`burgers`]: 1D forced viscous Burgers (WDNO brief §1.1, §9.1), validated against Cole–Hopf.
//! * [`advection`]: 1D periodic linear advection (WDNO paper's "smooth" system, brief §1.3).
//! * [`advection_data`]: sum-of-sines advection data set (our laws; the paper's are unknown).
//! * [`cns`]: 1D compressible Navier–Stokes (MUSCL–HLLC finite volumes, brief §1.3), with
//!   [`cns_exact`] (exact Euler Riemann solver, its test oracle) and [`cns_data`] (shock-tube data).
//! * [`smoke`]: 2D incompressible smoke with obstacles, buckets and band control (brief §1.2, §4.4).
//! * [`smoke_expert`]: WDNO's hand-made band-control sequences and the smoke data generator.
//! * [`smoke_grid`]: MAC-grid building blocks of [`smoke`] (advection, CG projection).
//! * [`error`]: the shared [`SolverError`].

pub mod advection;
pub mod advection_data;
pub mod burgers;
mod burgers_data;
pub mod cns;
pub mod cns_data;
pub mod cns_exact;
pub mod error;
pub mod smoke;
mod smoke_config;
pub mod smoke_expert;
pub mod smoke_grid;

pub use error::SolverError;
