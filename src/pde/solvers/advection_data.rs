//! 1D advection data set (WDNO paper's "smooth" system, brief §1.3). The repo has no generator
//! and the paper's grid, speed and counts were not recovered, so the laws below are ours, modelled
//! on PDEBench's 1D advection initial conditions: a sum of two sine waves
//! `u0(x) = Σ_{i=1,2} A_i sin(2π k_i x + φ_i)` with `A_i ~ U[0, 1]`, `k_i` uniform in `1..=4`,
//! `φ_i ~ U[0, 2π)`, on the periodic grid `x_j = j/nx`, solved by [`solve_advection`].

use ndarray::{Array1, Array2, Array3, Axis};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use serde::{Deserialize, Serialize};

use super::advection::{AdvectionConfig, AdvectionScheme, solve_advection};
use super::burgers_data::{run_trajectories, trajectory_seed};
use super::error::{Result, SolverError};

/// Sizes of the advection data. `Default` is the paper-size preset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdvectionPreset {
    /// Advection speed `c` (default 1).
    pub speed: f64,
    /// Final time (default 2).
    pub t_final: f64,
    /// Grid points (paper-size 256, small 64).
    pub nx: usize,
    /// Stored time intervals; output has `nt + 1` rows (paper-size 80, small 40).
    pub nt: usize,
    /// Scheme (default Lax–Wendroff).
    pub scheme: AdvectionScheme,
    /// Fixed substeps per stored interval; `None` = automatic at Courant number `cfl`.
    pub substeps: Option<usize>,
    /// Courant number of automatic substepping, in (0, 1] (default 0.8).
    pub cfl: f64,
    /// Number of sine modes in the initial condition (default 2).
    pub n_modes: usize,
    /// Largest wavenumber `k` (default 4).
    pub k_max: usize,
}

impl Default for AdvectionPreset {
    fn default() -> Self {
        Self::paper()
    }
}

impl AdvectionPreset {
    /// Paper-size guess: 256 points, 81 stamps on `t ∈ [0, 2]` (the paper's setting is unknown).
    pub fn paper() -> Self {
        Self {
            speed: 1.0,
            t_final: 2.0,
            nx: 256,
            nt: 80,
            scheme: AdvectionScheme::LaxWendroff,
            substeps: None,
            cfl: 0.8,
            n_modes: 2,
            k_max: 4,
        }
    }

    /// Small: 64 points, 41 stamps.
    pub fn small() -> Self {
        Self {
            nx: 64,
            nt: 40,
            ..Self::paper()
        }
    }

    /// The solver configuration used for every trajectory.
    pub fn solver_config(&self) -> AdvectionConfig {
        AdvectionConfig {
            speed: self.speed,
            t_final: self.t_final,
            nt: self.nt,
            scheme: self.scheme,
            cfl: self.cfl,
            substeps: self.substeps,
        }
    }
}

/// Samples the sum-of-sines initial condition on `x_j = j/nx`.
pub fn sample_advection_initial(rng: &mut StdRng, preset: &AdvectionPreset) -> Array1<f64> {
    let mut u = Array1::zeros(preset.nx);
    for _ in 0..preset.n_modes {
        let a = rng.random_range(0.0..1.0);
        let k = rng.random_range(1..=preset.k_max.max(1)) as f64;
        let phi = rng.random_range(0.0..std::f64::consts::TAU);
        for (j, v) in u.iter_mut().enumerate() {
            let x = j as f64 / preset.nx as f64;
            *v += a * (std::f64::consts::TAU * k * x + phi).sin();
        }
    }
    u
}

/// Generates `n` trajectories `u [N, nt+1, nx]`, deterministic for a seed and independent of the
/// thread count; `done` is called after each trajectory. Failures name the trajectory index.
pub fn generate_advection(
    preset: &AdvectionPreset,
    n: usize,
    seed: u64,
    done: &(dyn Fn() + Sync),
) -> Result<Array3<f64>> {
    if preset.n_modes == 0 || preset.k_max == 0 {
        return Err(SolverError::InvalidConfig(format!(
            "n_modes = {} and k_max = {} must be >= 1",
            preset.n_modes, preset.k_max
        )));
    }
    let cfg = preset.solver_config();
    let trajs = run_trajectories(n, |i| {
        let mut rng = StdRng::seed_from_u64(trajectory_seed(seed, i));
        let u0 = sample_advection_initial(&mut rng, preset);
        let u = solve_advection(u0.view(), &cfg)?;
        done();
        Ok((u, Array2::zeros((0, 0))))
    })?;
    let mut u = Array3::zeros((n, preset.nt + 1, preset.nx));
    for (i, (ui, _)) in trajs.into_iter().enumerate() {
        u.index_axis_mut(Axis(0), i).assign(&ui);
    }
    Ok(u)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advection_generation_is_deterministic_and_refuses_cfl() {
        let p = AdvectionPreset { nx: 16, nt: 4, ..AdvectionPreset::small() };
        let a = generate_advection(&p, 3, 7, &|| {}).unwrap();
        assert_eq!(a.dim(), (3, 5, 16));
        assert_eq!(a, generate_advection(&p, 3, 7, &|| {}).unwrap());
        let bad = AdvectionPreset { substeps: Some(1), ..p };
        let e = generate_advection(&bad, 2, 7, &|| {}).unwrap_err().to_string();
        assert!(e.contains("trajectory 0") && e.contains("|c|*dt/dx"), "{e}");
    }
}
