//! Closed-form targets: distributions whose noised marginals, scores and densities are known
//! exactly, used as oracles by tests, docs, benchmarks and the `scidiff sde` commands.

mod file;
mod gmm;
mod normal;

pub use file::{GmmTable, TargetFile};
pub use gmm::{GaussianMixture, GmmMarginal, GmmScore};
pub use normal::{normal_cdf, normal_quantile, quantile_grid_2d};
