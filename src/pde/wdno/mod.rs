//! WDNO, the wavelet diffusion neural operator (Hu et al., ICLR 2025; brief `wdno.md`), for
//! 1-D Burgers with distributed control.
//!
//! A whole trajectory `(u [nt+1, nx], f [nt, nx])` becomes one tensor of single-level 2-D
//! wavelet coefficients over (t, x) ([`pack`], brief §2.2: bior2.4 periodization, 9 channels,
//! fixed scalers, zero-padded canvas). A DDPM (ε-prediction, 1000-step cosine schedule,
//! [`schedule`]) learns it with a 2-D U-Net ([`unet`], brief §3.1) through the shared trainer
//! ([`task`], §3.3–3.4); conditions are imposed by inpainting clean coefficients (known
//! positions) in training and sampling.
//!
//! * **Simulation** (§1.1): given `u0` and `f`, sample `u` ([`run::simulate`]).
//! * **Control** (§4): given `u0` and a target `uT`, jointly sample `(u, f)` with the gradient
//!   of the target objective through the inverse DWT added to ε̂ ([`control`], [`run::control`]);
//!   `J` is always measured by re-running the real solver from the true `u0`.
//! * Sampling ([`sample`]): WDNO's DDIM (η = 1, clipped x̂0) by default; the core ODE samplers
//!   through [`sample::InpaintedNet`].
//! * **2-D smoke** (§1.2, §2.3, §3.2, §4.4): [`smoke`], the 42-channel 3-D-DWT layout, a 3-D
//!   U-Net, simulation and smoke-leakage control with J from the real smoke solver.
//! * **Super-resolution** (§5): [`srm`], a second diffusion model that refines a trajectory
//!   2× in t and x from its coarse version, trained on coarser pairs and applied recursively.

pub mod config;
pub mod control;
pub mod error;
pub mod pack;
pub mod run;
pub mod sample;
pub mod schedule;
pub mod smoke;
pub mod srm;
pub mod task;
pub mod unet;

pub use config::{Conditioning, WdnoConfig};
pub use error::WdnoError;
