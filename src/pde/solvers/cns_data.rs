//! 1D compressible Navier–Stokes shock-tube data set (WDNO's CNS system, brief §1.3, modelled on
//! PDEBench `1D_CFD_Shock`). The brief records only η = ζ = 1e-8, shock-tube initial conditions
//! and the three fields; everything else below is **our choice, unverified against PDEBench**:
//!
//! * Domain `[−1, 1)`, transmissive boundaries, γ = 5/3, `T = 0.4`.
//! * Initial condition: piecewise constant with `K` discontinuities, `K` uniform in
//!   `1..=max_jumps`, positions uniform in the domain (sorted); on each of the `K + 1` pieces
//!   `ρ ~ LogU[rho_min, rho_max]`, `p ~ LogU[p_min, p_max]`, `u ~ U[−u_max, u_max]`
//!   (defaults `[0.2, 2]`, `[0.2, 2]`, 0.5). Cell `j` takes the piece holding its centre.
//! * The solver grid is the stored grid; every report time is stored.

use ndarray::{Array1, Array3, Axis};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::burgers_data::trajectory_seed;
use super::cns::{CnsBoundary, CnsConfig, CnsFields, Limiter, cell_centres, solve_cns};
use super::error::{Result, SolverError};

/// Sizes and laws of the CNS data. `Default` is the paper-size preset.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CnsPreset {
    /// Ratio of specific heats (5/3, ours).
    pub gamma: f64,
    /// Shear viscosity η (1e-8, brief §1.3).
    pub eta: f64,
    /// Bulk viscosity ζ (1e-8, brief §1.3).
    pub zeta: f64,
    /// Domain left end (−1, ours).
    pub x_min: f64,
    /// Domain right end (1, ours).
    pub x_max: f64,
    /// Final time (0.4, ours).
    pub t_final: f64,
    /// Cells (paper 1024, PDEBench's native grid; small 128).
    pub nx: usize,
    /// Stored intervals; `nt + 1` rows (paper 100, small 40).
    pub nt: usize,
    /// Boundary (transmissive, PDEBench file name `trans`).
    pub boundary: CnsBoundary,
    /// Slope limiter (MC).
    pub limiter: Limiter,
    /// Courant number of automatic substepping (0.4).
    pub cfl: f64,
    /// Fixed substeps per stored interval; `None` = automatic.
    pub substeps: Option<usize>,
    /// Largest number of discontinuities (4).
    pub max_jumps: usize,
    /// Density range of the pieces (log-uniform).
    pub rho_min: f64,
    /// Upper end of the density range.
    pub rho_max: f64,
    /// Pressure range of the pieces (log-uniform).
    pub p_min: f64,
    /// Upper end of the pressure range.
    pub p_max: f64,
    /// Velocity bound of the pieces (uniform in `[−u_max, u_max]`).
    pub u_max: f64,
}

impl Default for CnsPreset {
    fn default() -> Self {
        Self::paper()
    }
}

impl CnsPreset {
    /// PDEBench-like: 1024 cells, 101 stored times on `t ∈ [0, 0.4]`.
    pub fn paper() -> Self {
        let c = CnsConfig::default();
        Self {
            gamma: c.gamma,
            eta: c.eta,
            zeta: c.zeta,
            x_min: c.x_min,
            x_max: c.x_max,
            t_final: c.t_final,
            nx: 1024,
            nt: 100,
            boundary: c.boundary,
            limiter: c.limiter,
            cfl: c.cfl,
            substeps: None,
            max_jumps: 4,
            rho_min: 0.2,
            rho_max: 2.0,
            p_min: 0.2,
            p_max: 2.0,
            u_max: 0.5,
        }
    }

    /// Small: 128 cells, 41 stored times (same physics and laws).
    pub fn small() -> Self {
        Self { nx: 128, nt: 40, ..Self::paper() }
    }

    /// The solver configuration used for every trajectory.
    pub fn solver_config(&self) -> CnsConfig {
        CnsConfig {
            gamma: self.gamma,
            eta: self.eta,
            zeta: self.zeta,
            x_min: self.x_min,
            x_max: self.x_max,
            t_final: self.t_final,
            nt: self.nt,
            boundary: self.boundary,
            limiter: self.limiter,
            cfl: self.cfl,
            substeps: self.substeps,
        }
    }

    fn validate(&self) -> Result<()> {
        let range = |lo: f64, hi: f64| lo > 0.0 && hi >= lo && hi.is_finite();
        if self.max_jumps == 0
            || !range(self.rho_min, self.rho_max)
            || !range(self.p_min, self.p_max)
            || !(self.u_max >= 0.0 && self.u_max.is_finite())
        {
            return Err(SolverError::InvalidConfig(format!(
                "need max_jumps >= 1, 0 < rho_min <= rho_max, 0 < p_min <= p_max, u_max >= 0: max_jumps = {}, rho [{}, {}], p [{}, {}], u_max = {}",
                self.max_jumps, self.rho_min, self.rho_max, self.p_min, self.p_max, self.u_max
            )));
        }
        Ok(())
    }
}

fn log_uniform(rng: &mut StdRng, lo: f64, hi: f64) -> f64 {
    if hi > lo { rng.random_range(lo.ln()..hi.ln()).exp() } else { lo }
}

/// Samples the piecewise-constant initial `(ρ, u, p)` on the cell centres.
pub fn sample_shock_tube(rng: &mut StdRng, preset: &CnsPreset) -> [Array1<f64>; 3] {
    let k = rng.random_range(1..=preset.max_jumps);
    let mut jumps: Vec<f64> = (0..k).map(|_| rng.random_range(preset.x_min..preset.x_max)).collect();
    jumps.sort_by(f64::total_cmp);
    let pieces: Vec<[f64; 3]> = (0..=k)
        .map(|_| {
            let rho = log_uniform(rng, preset.rho_min, preset.rho_max);
            let u = if preset.u_max > 0.0 { rng.random_range(-preset.u_max..preset.u_max) } else { 0.0 };
            [rho, u, log_uniform(rng, preset.p_min, preset.p_max)]
        })
        .collect();
    let x = cell_centres(preset.nx, &preset.solver_config());
    let field = |f: usize| x.iter().map(|&x| pieces[jumps.partition_point(|&j| j <= x)][f]).collect();
    [field(0), field(1), field(2)]
}

/// One trajectory of the data set (deterministic in `(seed, index)`).
pub fn generate_cns_one(preset: &CnsPreset, seed: u64, index: usize) -> Result<CnsFields> {
    preset.validate()?;
    let mut rng = StdRng::seed_from_u64(trajectory_seed(seed, index));
    let [rho, u, p] = sample_shock_tube(&mut rng, preset);
    solve_cns(rho.view(), u.view(), p.view(), &preset.solver_config())
}

/// Generates `n` trajectories as `[ρ, u, p]`, each `[N, nt+1, nx]`, in parallel; deterministic for
/// a seed whatever the thread count. `done` is called after each trajectory; a failure names the
/// lowest failing trajectory index.
pub fn generate_cns(
    preset: &CnsPreset,
    n: usize,
    seed: u64,
    done: &(dyn Fn() + Sync),
) -> Result<[Array3<f64>; 3]> {
    preset.validate()?;
    let trajs: Vec<CnsFields> = (0..n)
        .into_par_iter()
        .map(|i| {
            let r = generate_cns_one(preset, seed, i)
                .map_err(|e| SolverError::Trajectory { index: i, source: Box::new(e) });
            done();
            r
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect::<Result<_>>()?;
    let mut out: [Array3<f64>; 3] = std::array::from_fn(|_| Array3::zeros((n, preset.nt + 1, preset.nx)));
    for (i, t) in trajs.iter().enumerate() {
        for (o, f) in out.iter_mut().zip([&t.rho, &t.u, &t.p]) {
            o.index_axis_mut(Axis(0), i).assign(f);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> CnsPreset {
        CnsPreset { nx: 48, nt: 6, t_final: 0.1, ..CnsPreset::small() }
    }

    #[test]
    fn generation_is_deterministic_and_thread_independent() {
        let p = tiny();
        let a = generate_cns(&p, 3, 7, &|| {}).unwrap();
        assert_eq!(a[0].dim(), (3, 7, 48));
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        assert_eq!(a, pool.install(|| generate_cns(&p, 3, 7, &|| {})).unwrap());
        assert_ne!(a, generate_cns(&p, 3, 8, &|| {}).unwrap());
        // Row 0 is the sampled law: values in the stated ranges, piecewise constant with at most
        // max_jumps jumps (a jump changes all three fields at once, almost surely).
        for i in 0..3 {
            let rho0 = a[0].index_axis(Axis(0), i).row(0).to_owned();
            let (u0, p0) = (a[1].index_axis(Axis(0), i).row(0).to_owned(), a[2].index_axis(Axis(0), i).row(0).to_owned());
            let range = 0.2 - 1e-12..=2.0 + 1e-12;
            assert!(rho0.iter().all(|r| range.contains(r)) && p0.iter().all(|p| range.contains(p)));
            assert!(u0.iter().all(|u| u.abs() <= 0.5));
            let jumps = rho0.windows(2).into_iter().filter(|w| w[0] != w[1]).count();
            assert!(jumps <= 4, "{jumps} jumps");
        }
        assert!(a.iter().all(|f| f.iter().all(|v| v.is_finite())));
        assert!(a[0].iter().chain(a[2].iter()).all(|v| *v > 0.0));
    }

    #[test]
    fn failures_name_the_trajectory() {
        let bad = CnsPreset { substeps: Some(1), ..tiny() };
        let e = generate_cns(&bad, 2, 0, &|| {}).unwrap_err().to_string();
        assert!(e.contains("trajectory 0") && e.contains("max(|u|+c)*dt/dx"), "{e}");
        let bad = CnsPreset { rho_min: 0.0, ..tiny() };
        assert!(matches!(generate_cns(&bad, 1, 0, &|| {}), Err(SolverError::InvalidConfig(_))));
    }

    #[test]
    fn presets() {
        let (s, p) = (CnsPreset::small(), CnsPreset::paper());
        assert_eq!((s.nx, s.nt, p.nx, p.nt), (128, 40, 1024, 100));
        assert_eq!(p.solver_config(), CnsConfig { nt: 100, ..Default::default() });
    }
}
