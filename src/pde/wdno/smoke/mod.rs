//! WDNO for 2-D incompressible smoke with indirect (peripheral-band) control (Hu et al.,
//! ICLR 2025; brief `wdno.md` §1.2, §2.3, §3.2–3.5, §4.4).
//!
//! A scene — density `d`, velocity `(vx, vy)` and band control `(cx, cy)` over `nt` frames of an
//! `ny × nx` grid, plus the target fraction `s(t) = bucket₁/(Σ buckets + remaining smoke)` —
//! becomes one 42-channel tensor of single-level 3-D wavelet coefficients over `(t, y, x)`
//! ([`pack`]: bior1.3, zero mode, 8 sub-bands per field, an initial-density channel and a
//! target-fraction channel, fixed scalers, zero-padded canvas). A DDPM (ε-prediction,
//! 1000-step sigmoid schedule, [`crate::pde::wdno::schedule::DdpmSchedule::sigmoid`]) learns it
//! with a 3-D U-Net that downsamples space only ([`unet3d`], §3.2) through the shared trainer
//! ([`task`]); conditions are imposed by inpainting known coefficients.
//!
//! * **Simulation**: given `d(0)` and the controls, sample `d`, `v` and `s` ([`run::simulate`]).
//! * **Control** (§4.4): given only `d(0)`, jointly sample everything, guided by
//!   `L = −Σ_b ŝ_b(t_last) + w_init Σ_b ‖d_b(0) − d0*_b‖²` (`w_init = 0.1`) on the model's own
//!   `x̂0` through the inverse DWTs, with the constant scale 100 ([`control::LeakageGuidance`]).
//!   The reported `J` (leakage `1 − s`) always comes from re-running our smoke solver from the
//!   true initial state on the generated control with its interior zeroed
//!   ([`control::leakage_of_control`], §4.5).
//!
//! Sampling is WDNO's DDIM (η = 1, K = 100 in the paper) of [`crate::pde::wdno::sample::ddim`];
//! the network sees the flat `[B, 42·T', H, W]` canvas through [`crate::pde::wdno::sample::Denoiser`].

pub mod attention3d;
pub mod config;
pub mod control;
pub mod metrics;
pub mod pack;
pub mod run;
pub mod task;
pub mod unet3d;

pub use config::SmokeWdnoConfig;
pub use pack::{SmokeLayout, SmokeScene};
