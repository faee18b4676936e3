//! WDNO's super-resolution model (SRM; Hu et al., ICLR 2025, §3.3 "multi-resolution"; brief
//! `wdno.md` §5.1; repo `burgers/ddpm_burgers/*` with `--N_downsample`).
//!
//! The SRM is a conditional DDPM for one refinement step, 2× in t and x:
//!
//! ```text
//! p( W(u_fine) | W(u_coarse)↑2, W(f_fine), u0 ),     u_coarse = u_fine[::2, ::2],
//! ```
//!
//! with `W` the single-level bior2.4 'periodization' 2-D DWT of the base model, `↑2` nearest
//! upsampling of the coefficient grid ([`pack`]: the 17-channel canvas). It is trained with the
//! base model's loss, schedule, U-Net and inpainting ([`task`]) on several *coarser* pairs at
//! once (41×60 ← 21×30 and 21×30 ← 11×15 for 41×60 data), one level drawn per step; the
//! paper's "approximate scale invariance" argument is that subsampling a Burgers trajectory
//! only rescales the PDE's coefficients, so the refinement pattern is shared across levels.
//! At test time it refines a coarse prediction recursively, above the training resolutions
//! (zero-shot, [`run::superresolve`]); the fine `u` is the inverse DWT of the sampled bands.

pub mod config;
pub mod pack;
pub mod run;
pub mod task;

pub use config::{CanvasRule, SrmConfig};
pub use pack::SrmLevel;
pub use run::{SrmRun, superresolve};
pub use task::{SrmData, SrmTask};
