//! # scidiff — diffusion models for science
//!
//! One crate, three layers:
//!
//! * **Score-SDE core** — [`sde`] (forward processes, time grids, parameterisation conversions),
//!   [`state`] (what samplers act on: arrays, burn tensors, joint states), [`sampler`] (every
//!   published update rule, written once, plus the PF-ODE likelihood) and [`target`]
//!   (closed-form Gaussian-mixture oracles used by tests and the CLI).
//! * **Training backend** — [`train`] (burn models generic over `Backend`, denoising
//!   score-matching losses, the trainer with EMA, atomic checkpoints and exact resume) and
//!   [`io`] (HDF5 with validation).
//! * **Domains** — PDE (WDNO), graphs (GDSS) and sequences (DRAKES) build on the two layers above.
//!
//! Conventions: schedule scalars are `f64`; network tensors are `f32`; every random draw comes
//! from a seeded [`rand::rngs::StdRng`] on the host, so a seed reproduces a CPU run exactly.

pub mod bio;
pub mod discrete;
pub mod drakes;
pub mod error;
pub mod graph;
pub mod io;
pub mod metrics;
pub mod pde;
pub mod protein;
pub mod plot;
pub mod sampler;
pub mod sde;
pub mod state;
pub mod study;
pub mod target;
pub mod train;

/// A seeded host random number generator (ChaCha12 via `StdRng`).
pub fn rng(seed: u64) -> rand::rngs::StdRng {
    <rand::rngs::StdRng as rand::SeedableRng>::seed_from_u64(seed)
}
