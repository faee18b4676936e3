//! 1D periodic linear advection `u_t + c u_x = 0` on `[0, 1)` (WDNO paper's "smooth" system,
//! brief §1.3; the repo has no code for it, so the grid and `c` are ours).
//!
//! Grid `x_j = j/nx`, `dx = 1/nx`. Schemes (Courant number `σ = c dt/dx`):
//! * [`AdvectionScheme::Upwind`]: first-order donor cell; exact shift at `|σ| = 1`.
//! * [`AdvectionScheme::LaxWendroff`]: second order in space and time,
//!   `u_j − σ/2 (u_{j+1} − u_{j−1}) + σ²/2 (u_{j+1} − 2u_j + u_{j−1})`.
//!
//! Both are stable for `|σ| ≤ 1`. Automatic substepping uses `|σ| = cfl`; a fixed substep count
//! that violates `|c| dt/dx ≤ 1` is refused with [`SolverError::StabilityLimit`].

use ndarray::{Array2, ArrayView1};
use serde::{Deserialize, Serialize};

use super::error::{Result, SolverError, check_finite};

/// Spatial/temporal scheme for [`solve_advection`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum AdvectionScheme {
    /// First-order upwind.
    Upwind,
    /// Second-order Lax–Wendroff (default).
    #[default]
    LaxWendroff,
}

/// Configuration of [`solve_advection`]. Defaults (`c = 1`, `T = 2`, 200 report intervals) follow
/// PDEBench's 1D advection layout (201 stamps on `t ∈ [0, 2]`), which the brief (§1.3) names as the
/// probable source; WDNO's exact `c` was not recovered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AdvectionConfig {
    /// Advection speed `c` (default 1.0).
    pub speed: f64,
    /// Final time (default 2.0).
    pub t_final: f64,
    /// Report intervals; output has `nt + 1` rows (default 200).
    pub nt: usize,
    /// Scheme (default Lax–Wendroff).
    pub scheme: AdvectionScheme,
    /// Target Courant number for automatic substepping, in (0, 1] (default 0.8).
    pub cfl: f64,
    /// Fixed substeps per report interval; `None` = automatic (default).
    pub substeps: Option<usize>,
}

impl Default for AdvectionConfig {
    fn default() -> Self {
        Self {
            speed: 1.0,
            t_final: 2.0,
            nt: 200,
            scheme: AdvectionScheme::LaxWendroff,
            cfl: 0.8,
            substeps: None,
        }
    }
}

/// Solves periodic advection from `u0` (at `x_j = j/nx`); returns `[nt + 1, nx]`.
pub fn solve_advection(u0: ArrayView1<f64>, cfg: &AdvectionConfig) -> Result<Array2<f64>> {
    let nx = u0.len();
    validate(nx, cfg)?;
    check_finite(u0.iter(), "u0")?;
    let interval = cfg.t_final / cfg.nt as f64;
    let dx = 1.0 / nx as f64;
    let n_sub = match cfg.substeps {
        Some(n) => n,
        None => ((cfg.speed.abs() * interval / (cfg.cfl * dx)).ceil() as usize).max(1),
    };
    let sigma = cfg.speed * interval / n_sub as f64 / dx;
    if sigma.abs() > 1.0 + 1e-12 {
        return Err(SolverError::StabilityLimit {
            limit: "|c|*dt/dx",
            value: sigma.abs(),
            max: 1.0,
        });
    }
    let mut out = Array2::zeros((cfg.nt + 1, nx));
    out.row_mut(0).assign(&u0);
    let mut u: Vec<f64> = u0.to_vec();
    let mut next = vec![0.0; nx];
    for k in 1..=cfg.nt {
        for _ in 0..n_sub {
            step(&u, &mut next, sigma, cfg.scheme);
            std::mem::swap(&mut u, &mut next);
        }
        out.row_mut(k).iter_mut().zip(&u).for_each(|(o, v)| *o = *v);
    }
    Ok(out)
}

fn validate(nx: usize, cfg: &AdvectionConfig) -> Result<()> {
    let bad = |m: String| Err(SolverError::InvalidConfig(m));
    if nx < 3 {
        return bad(format!("nx = {nx} < 3 grid points"));
    }
    if !(cfg.speed.is_finite() && cfg.t_final.is_finite() && cfg.t_final > 0.0) || cfg.nt == 0 {
        return bad(format!(
            "need finite speed (got {}), t_final > 0 (got {}), nt >= 1",
            cfg.speed, cfg.t_final
        ));
    }
    if !(cfg.cfl > 0.0 && cfg.cfl <= 1.0) || cfg.substeps == Some(0) {
        return bad(format!(
            "cfl = {} must lie in (0, 1] and substeps >= 1",
            cfg.cfl
        ));
    }
    Ok(())
}

/// One step with Courant number `sigma` on a periodic grid.
fn step(u: &[f64], out: &mut [f64], sigma: f64, scheme: AdvectionScheme) {
    let n = u.len();
    for j in 0..n {
        let (l, c, r) = (u[(j + n - 1) % n], u[j], u[(j + 1) % n]);
        out[j] = match scheme {
            AdvectionScheme::Upwind if sigma >= 0.0 => c - sigma * (c - l),
            AdvectionScheme::Upwind => c - sigma * (r - c),
            AdvectionScheme::LaxWendroff => {
                c - 0.5 * sigma * (r - l) + 0.5 * sigma * sigma * (r - 2.0 * c + l)
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array1;
    use std::f64::consts::PI;

    fn l2_error(nx: usize, scheme: AdvectionScheme) -> f64 {
        let cfg = AdvectionConfig {
            speed: 1.0,
            t_final: 1.25,
            nt: 5,
            scheme,
            ..Default::default()
        };
        let x: Vec<f64> = (0..nx).map(|j| j as f64 / nx as f64).collect();
        let u0: Array1<f64> = x.iter().map(|x| (2.0 * PI * x).sin()).collect();
        let u = solve_advection(u0.view(), &cfg).unwrap();
        let exact = |x: f64| (2.0 * PI * (x - cfg.t_final)).sin();
        let se: f64 = x
            .iter()
            .zip(u.row(cfg.nt))
            .map(|(&x, v)| (v - exact(x)).powi(2))
            .sum();
        (se / nx as f64).sqrt()
    }

    fn observed(scheme: AdvectionScheme) -> (Vec<f64>, f64) {
        let e: Vec<f64> = [64, 128, 256]
            .iter()
            .map(|&n| l2_error(n, scheme))
            .collect();
        eprintln!("{scheme:?} L2 errors {e:?}");
        ((0..2).map(|i| (e[i] / e[i + 1]).log2()).collect(), e[2])
    }

    // Upwind is order 1, Lax–Wendroff order 2 (dt ∝ dx at fixed Courant number 0.8); bands of
    // ±0.15 allow for the pre-asymptotic range of the coarse grid.
    #[test]
    fn upwind_first_order() {
        let (p, e) = observed(AdvectionScheme::Upwind);
        eprintln!("upwind orders {p:?}");
        assert!(p.iter().all(|p| (0.85..=1.15).contains(p)), "{p:?}");
        assert!(e < 0.02, "{e}");
    }

    #[test]
    fn lax_wendroff_second_order() {
        let (p, e) = observed(AdvectionScheme::LaxWendroff);
        eprintln!("Lax-Wendroff orders {p:?}");
        assert!(p.iter().all(|p| (1.85..=2.15).contains(p)), "{p:?}");
        assert!(e < 2e-3, "{e}");
    }

    #[test]
    fn unit_courant_upwind_is_exact_shift() {
        let nx = 50;
        let u0: Array1<f64> = (0..nx).map(|j| ((j * 7) % 13) as f64).collect();
        let cfg = AdvectionConfig {
            t_final: 1.0,
            nt: 10,
            scheme: AdvectionScheme::Upwind,
            cfl: 1.0,
            ..Default::default()
        };
        let u = solve_advection(u0.view(), &cfg).unwrap();
        for k in 0..=10 {
            let shift = 5 * k;
            let exact: Vec<f64> = (0..nx).map(|j| u0[(j + nx * 10 - shift) % nx]).collect();
            let err = u
                .row(k)
                .iter()
                .zip(&exact)
                .map(|(a, b)| (a - b).abs())
                .fold(0.0, f64::max);
            assert!(err < 1e-12, "row {k}: {err}");
        }
    }

    #[test]
    fn refuses_cfl_violation_and_nan() {
        let u0 = Array1::from_elem(1000, 1.0);
        let cfg = AdvectionConfig {
            substeps: Some(1),
            ..Default::default()
        };
        let err = solve_advection(u0.view(), &cfg).unwrap_err();
        assert!(
            matches!(
                err,
                SolverError::StabilityLimit {
                    limit: "|c|*dt/dx",
                    ..
                }
            ),
            "{err}"
        );
        let mut nan = u0.clone();
        nan[1] = f64::NAN;
        let err = solve_advection(nan.view(), &AdvectionConfig::default()).unwrap_err();
        assert!(matches!(err, SolverError::NonFiniteInput("u0")));
    }
}
