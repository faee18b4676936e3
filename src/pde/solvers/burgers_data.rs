//! WDNO's Burgers data set (brief §1.1, §9.1): initial-condition and forcing laws, presets, and a
//! deterministic, thread-count-independent parallel generator.
//!
//! * Initial condition: two Gaussians `A·exp(−(x−c)²/(2σ²))`, bump 1 with `c ~ U[0.2,0.4]`,
//!   `A ~ U[0,2]`, bump 2 with `c ~ U[0.6,0.8]`, `A ~ U[−2,0]`, both `σ ~ U[0.05,0.15]`.
//! * Forcing: `Σ_k A_k exp(−(x−a_k)²/(2σ_k²))·2·exp(−(τ−b_k)²/(2ρ_k²))` over 8 bumps with
//!   `a, b ~ U[0,1]`, `σ, ρ ~ U[0.1,0.4]`, `A_1 ~ U[−1.5,1.5]`, `A_{2..8} ~ Bernoulli(½)·U[−1.5,1.5]`,
//!   on the segment grid `τ_m = (m+1)/(S+1)`, `m = 0..S` (WDNO: `S = 1280`), piecewise constant
//!   in time over each segment.
//! * The solver runs at `solver_nx` points with forward Euler; `u` and `f` are then subsampled
//!   (`u[::S/nt, ::s/nx]`, `f[::S/nt, ::s/nx]`), as WDNO stores them.

use ndarray::{Array1, Array2, Array3, ArrayView1, ArrayView2, Axis, s};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::burgers::{Boundary, BurgersConfig, TimeScheme, grid, solve_burgers};
use super::error::{Result, SolverError};

/// Sizes of WDNO's Burgers data. `Default` is the paper preset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BurgersPreset {
    /// Viscosity (paper 0.01).
    pub nu: f64,
    /// Final time (paper 8).
    pub t_final: f64,
    /// Solver interior points `s` (paper 1920, small 240).
    pub solver_nx: usize,
    /// Piecewise-constant forcing segments `S` (paper 1280, small 640).
    pub n_segments: usize,
    /// Euler steps per segment (paper 480 ⇒ dt = 1/76800; small 20 ⇒ dt = 1/1600).
    pub steps_per_segment: usize,
    /// Stored time intervals `nt` (paper 80, small 40); must divide `n_segments`.
    pub store_nt: usize,
    /// Stored grid points `nx` (paper 120, small 60); must divide `solver_nx`.
    pub store_nx: usize,
    /// Number of forcing bumps (paper 8).
    pub n_bumps: usize,
    /// Forcing amplitude factor, WDNO's "amp_compensate" (paper 2).
    pub amp_compensate: f64,
}

impl Default for BurgersPreset {
    fn default() -> Self {
        Self::paper()
    }
}

impl BurgersPreset {
    /// WDNO §1.1: s = 1920, dt = 1/76800, 1280 segments, stored 81×120 (u) and 80×120 (f).
    pub fn paper() -> Self {
        Self {
            nu: 0.01,
            t_final: 8.0,
            solver_nx: 1920,
            n_segments: 1280,
            steps_per_segment: 480,
            store_nt: 80,
            store_nx: 120,
            n_bumps: 8,
            amp_compensate: 2.0,
        }
    }

    /// Brief §9.1 `burgers-small`: s = 240, dt = 1/1600, 640 segments, stored 41×60 / 40×60.
    pub fn small() -> Self {
        Self {
            solver_nx: 240,
            n_segments: 640,
            steps_per_segment: 20,
            store_nt: 40,
            store_nx: 60,
            ..Self::paper()
        }
    }

    fn validate(&self) -> Result<()> {
        let ok = self.store_nt > 0
            && self.store_nx > 0
            && self.n_segments.is_multiple_of(self.store_nt)
            && self.solver_nx.is_multiple_of(self.store_nx)
            && self.steps_per_segment > 0;
        if ok {
            Ok(())
        } else {
            Err(SolverError::InvalidConfig(format!(
                "preset needs store_nt | n_segments and store_nx | solver_nx: {self:?}"
            )))
        }
    }

    /// The solver configuration used for every trajectory (one report per forcing segment).
    pub fn solver_config(&self) -> BurgersConfig {
        BurgersConfig {
            nu: self.nu,
            t_final: self.t_final,
            nt: self.n_segments,
            boundary: Boundary::Dirichlet,
            scheme: TimeScheme::Euler,
            substeps: Some(self.steps_per_segment),
            safety: 1.0,
        }
    }
}

/// Samples WDNO's two-Gaussian initial condition on the points `x`.
pub fn sample_initial_condition(rng: &mut StdRng, x: &[f64]) -> Array1<f64> {
    let mut u = Array1::zeros(x.len());
    for (lo, hi, a_lo, a_hi) in [(0.2, 0.4, 0.0, 2.0), (0.6, 0.8, -2.0, 0.0)] {
        let c = rng.random_range(lo..hi);
        let a = rng.random_range(a_lo..a_hi);
        let sigma = rng.random_range(0.05..0.15);
        u.iter_mut()
            .zip(x)
            .for_each(|(u, x)| *u += gauss(a, x - c, sigma));
    }
    u
}

/// Samples WDNO's forcing as an `[n_segments, x.len()]` array (piecewise constant in time).
pub fn sample_forcing(
    rng: &mut StdRng,
    x: &[f64],
    n_segments: usize,
    preset: &BurgersPreset,
) -> Array2<f64> {
    let tau: Vec<f64> = (0..n_segments)
        .map(|m| (m + 1) as f64 / (n_segments + 1) as f64)
        .collect();
    let mut f = Array2::zeros((n_segments, x.len()));
    for k in 0..preset.n_bumps {
        let active = k == 0 || rng.random_bool(0.5);
        let amp = rng.random_range(-1.5..1.5) * if active { 1.0 } else { 0.0 };
        let (a, b) = (rng.random_range(0.0..1.0), rng.random_range(0.0..1.0));
        let (sigma, rho) = (rng.random_range(0.1..0.4), rng.random_range(0.1..0.4));
        let space: Vec<f64> = x.iter().map(|x| gauss(amp, x - a, sigma)).collect();
        for (mut row, t) in f.axis_iter_mut(Axis(0)).zip(&tau) {
            let w = gauss(preset.amp_compensate, t - b, rho);
            row.iter_mut().zip(&space).for_each(|(f, s)| *f += w * s);
        }
    }
    f
}

fn gauss(amp: f64, d: f64, sigma: f64) -> f64 {
    amp * (-d * d / (2.0 * sigma * sigma)).exp()
}

/// Seed of trajectory `index` derived from `(seed, index)` by SplitMix64 mixing.
pub fn trajectory_seed(seed: u64, index: usize) -> u64 {
    let mut z = seed
        ^ (index as u64)
            .wrapping_add(1)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Generates one trajectory at the solver resolution: `(u [S+1, s], f [S, s])`.
pub fn generate_full(
    preset: &BurgersPreset,
    seed: u64,
    index: usize,
) -> Result<(Array2<f64>, Array2<f64>)> {
    let mut rng = StdRng::seed_from_u64(trajectory_seed(seed, index));
    let x = grid(preset.solver_nx, Boundary::Dirichlet);
    let u0 = sample_initial_condition(&mut rng, &x);
    let f = sample_forcing(&mut rng, &x, preset.n_segments, preset);
    let u = solve_burgers(u0.view(), Some(f.view()), &preset.solver_config())?;
    Ok((u, f))
}

/// Generates `n_traj` stored trajectories: `u [N, nt+1, nx]`, `f [N, nt, nx]`. Deterministic for a
/// seed and independent of the rayon thread count. Failures name the trajectory index.
pub fn generate(
    preset: &BurgersPreset,
    n_traj: usize,
    seed: u64,
) -> Result<(Array3<f64>, Array3<f64>)> {
    generate_with_progress(preset, n_traj, seed, &|| {})
}

/// [`generate`] that calls `done` once after each finished trajectory (for progress bars).
pub fn generate_with_progress(
    preset: &BurgersPreset,
    n_traj: usize,
    seed: u64,
    done: &(dyn Fn() + Sync),
) -> Result<(Array3<f64>, Array3<f64>)> {
    preset.validate()?;
    let (ts, xs) = (
        preset.n_segments / preset.store_nt,
        preset.solver_nx / preset.store_nx,
    );
    let trajs = run_trajectories(n_traj, |i| {
        let (u, f) = generate_full(preset, seed, i)?;
        done();
        Ok((
            u.slice(s![..;ts, ..;xs]).to_owned(),
            f.slice(s![..;ts, ..;xs]).to_owned(),
        ))
    })?;
    let mut u = Array3::zeros((n_traj, preset.store_nt + 1, preset.store_nx));
    let mut f = Array3::zeros((n_traj, preset.store_nt, preset.store_nx));
    for (i, (ui, fi)) in trajs.into_iter().enumerate() {
        u.index_axis_mut(Axis(0), i).assign(&ui);
        f.index_axis_mut(Axis(0), i).assign(&fi);
    }
    Ok((u, f))
}

/// Runs `job` for every index in parallel; any error, or any non-finite output value, is reported
/// as [`SolverError::Trajectory`] with the lowest failing index.
pub(crate) fn run_trajectories<F>(n: usize, job: F) -> Result<Vec<(Array2<f64>, Array2<f64>)>>
where
    F: Fn(usize) -> Result<(Array2<f64>, Array2<f64>)> + Sync,
{
    (0..n)
        .into_par_iter()
        .map(|i| {
            let wrap = |e| SolverError::Trajectory {
                index: i,
                source: Box::new(e),
            };
            let (u, f) = job(i).map_err(wrap)?;
            let bad_row = u
                .outer_iter()
                .position(|r| !r.iter().all(|v| v.is_finite()));
            if let Some(step) = bad_row {
                return Err(wrap(SolverError::NonFiniteSolution { step }));
            }
            if !f.iter().all(|v| v.is_finite()) {
                return Err(wrap(SolverError::NonFiniteInput("forcing")));
            }
            Ok((u, f))
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

/// Linear interpolation of a stored row (values at solver points `k·stride`, `k = 0..nx`) onto all
/// `solver_nx` points; constant beyond the last stored point (as `numpy.interp`).
pub fn interpolate_to_solver(row: ArrayView1<f64>, preset: &BurgersPreset) -> Result<Array1<f64>> {
    preset.validate()?;
    if row.len() != preset.store_nx {
        let msg = format!(
            "row has {} points, expected store_nx = {}",
            row.len(),
            preset.store_nx
        );
        return Err(SolverError::Shape(msg));
    }
    let stride = preset.solver_nx / preset.store_nx;
    Ok(Array1::from_shape_fn(preset.solver_nx, |i| {
        let (k, r) = (i / stride, (i % stride) as f64 / stride as f64);
        if k + 1 < row.len() {
            row[k] * (1.0 - r) + row[k + 1] * r
        } else {
            row[row.len() - 1]
        }
    }))
}

/// Re-runs the real solver (WDNO §4.3 "J_actual", §4.5) from `u0` (`[solver_nx]`, or `[store_nx]`,
/// then interpolated) with a stored-resolution forcing `f` (`[store_nt, store_nx]`), held constant
/// over each stored interval and interpolated linearly in space. Returns `u` at the stored times
/// and points, `[store_nt + 1, store_nx]`. The data's fixed step is used unless the forcing breaks
/// its stability limit; then the solver sub-steps automatically.
pub fn resimulate(
    preset: &BurgersPreset,
    u0: ArrayView1<f64>,
    f: ArrayView2<f64>,
) -> Result<Array2<f64>> {
    preset.validate()?;
    if f.dim() != (preset.store_nt, preset.store_nx) {
        let msg = format!(
            "forcing is {:?}, expected [{}, {}]",
            f.dim(),
            preset.store_nt,
            preset.store_nx
        );
        return Err(SolverError::Shape(msg));
    }
    let u0 = if u0.len() == preset.solver_nx {
        u0.to_owned()
    } else {
        interpolate_to_solver(u0, preset)?
    };
    let ts = preset.n_segments / preset.store_nt;
    let mut f_full = Array2::zeros((preset.store_nt, preset.solver_nx));
    for (k, row) in f.outer_iter().enumerate() {
        f_full
            .row_mut(k)
            .assign(&interpolate_to_solver(row, preset)?);
    }
    let cfg = BurgersConfig {
        nt: preset.store_nt,
        substeps: Some(preset.steps_per_segment * ts),
        ..preset.solver_config()
    };
    // A generated forcing can drive `u` past the explicit limit of the data's fixed step; the
    // solver then sub-steps automatically (finer steps where needed) instead of failing.
    let u = match solve_burgers(u0.view(), Some(f_full.view()), &cfg) {
        Err(SolverError::StabilityLimit { .. }) => solve_burgers(u0.view(), Some(f_full.view()), &BurgersConfig { substeps: None, ..cfg })?,
        other => other?,
    };
    Ok(u.slice(s![.., ..;preset.solver_nx / preset.store_nx])
        .to_owned())
}

/// WDNO's Burgers control objective `J = mean_x (u(T) − u*_T)²` (brief §4.3).
pub fn burgers_control_objective(u_final: ArrayView1<f64>, target: ArrayView1<f64>) -> Result<f64> {
    if u_final.len() != target.len() || target.is_empty() {
        let msg = format!("u(T) has {} points, target {}", u_final.len(), target.len());
        return Err(SolverError::Shape(msg));
    }
    Ok(u_final
        .iter()
        .zip(target)
        .map(|(a, b)| (a - b).powi(2))
        .sum::<f64>()
        / target.len() as f64)
}

/// Control energy `Σ f² / (nt·nx)` as reported beside J (brief §9.1).
pub fn control_energy(f: ArrayView2<f64>) -> f64 {
    f.iter().map(|x| x * x).sum::<f64>() / f.len().max(1) as f64
}
