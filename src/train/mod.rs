//! Training backend on burn: one code path for CPU (`Autodiff<NdArray>`) and GPU
//! (`Autodiff<Cuda>`, cargo feature `cuda`), chosen at run time ([`device`]).
//!
//! * [`loss`] — denoising score matching for any core SDE and parameterisation (Song et al.
//!   2021 eq. 7; Ho et al. 2020's simple loss; Song et al. 2021b's likelihood weighting).
//! * [`trainer`] — AdamW with warm-up and cosine decay, gradient clipping, EMA, validation,
//!   progress bar, JSONL metrics, atomic checkpoints and exact resume.
//! * [`mlp`] — the time-conditioned MLP noise model used by `scidiff sde train`.
//! * [`tensor_state`] — burn tensors as sampler states, so trained networks run the same
//!   samplers as the oracles.
//!
//! Determinism: every random draw of step `k` (data, noise, time) comes from a host RNG seeded
//! by `(seed, k)`, and burn's CPU backend is built single-threaded, so the same seed and build
//! give bit-identical weights — also across a kill and `--resume`.

pub mod checkpoint;
pub mod conv;
pub mod data;
pub mod device;
pub mod ema;
pub mod loss;
pub mod mlp;
pub mod schedule;
pub mod sde_task;
pub mod tensor_state;
pub mod trainer;

use rand::SeedableRng;
use rand::rngs::StdRng;

/// The RNG for training step `step` of a run seeded with `seed` (SplitMix64 mixing, so nearby
/// seeds and steps give unrelated streams).
pub fn step_rng(seed: u64, step: u64, stream: u64) -> StdRng {
    let mut z = seed ^ step.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ stream.wrapping_mul(0xD1B5_4A32_D192_ED03);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    StdRng::seed_from_u64(z ^ (z >> 31))
}
