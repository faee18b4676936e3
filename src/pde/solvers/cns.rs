//! 1D compressible Navier–Stokes (Euler with small viscosity), the WDNO paper's "CNS" system
//! (brief §1.3: PDEBench `1D_CFD_Shock_Eta1.e-8_Zeta1.e-8_trans`, η = ζ = 1e-8, shock-tube initial
//! conditions, fields ρ, u, p).
//!
//! # Equations
//! For `U = (ρ, ρu, E)`, `E = p/(γ−1) + ρu²/2`, viscous stress `τ = (4η/3 + ζ) u_x`:
//! * `ρ_t + (ρu)_x = 0`
//! * `(ρu)_t + (ρu² + p − τ)_x = 0`   (the viscous term is `(4η/3 + ζ) u_xx`)
//! * `E_t + ((E + p)u − uτ)_x = 0`    (viscous work; no heat conduction, as PDEBench)
//!
//! # Scheme (finite volume, `nx` cells on `[x_min, x_max)`, centres `x_j = x_min + (j+½)dx`)
//! * MUSCL reconstruction of the primitive variables `(ρ, u, p)` with the MC (default) or minmod
//!   limiter; limited face values lie between neighbouring cell values, so they stay positive.
//! * HLLC flux (Toro §10.4) with Davis wave-speed estimates `S_L = min(u_L − c_L, u_R − c_R)`,
//!   `S_R = max(u_L + c_L, u_R + c_R)`; it resolves an isolated contact exactly.
//! * Viscous flux at face `j+½`: `τ = μ(u_{j+1} − u_j)/dx`, work `τ(u_j + u_{j+1})/2` (central,
//!   second order); fluxes telescope, so mass, momentum and energy are conserved to round-off
//!   with periodic boundaries.
//! * SSP-RK3 (Shu–Osher) in time.
//! * Boundaries: periodic, or transmissive (zero-gradient ghost cells, PDEBench's `trans`).
//!
//! # Stability limits
//! The scheme is TVD for scalar advection under `max(|u| + c) dt/dx ≤ ½` (MC slopes are at most
//! twice a one-sided difference, and SSP-RK3 keeps the forward-Euler bound) and the central viscous
//! term needs `ν dt/dx² ≤ ½` with `ν = (4η/3 + ζ)/min ρ`. With `substeps = None` every step takes
//! `dt = cfl/(max(|u|+c)/dx + 2ν/dx²)`, cut to land on the report times; with `substeps = Some(n)`
//! (`dt = T/(nt·n)`) a violated limit is refused with [`SolverError::StabilityLimit`]. A state with
//! `ρ ≤ 0`, `p ≤ 0` or a non-finite value is [`SolverError::NonPhysicalState`] naming cell and time.

use ndarray::{Array2, ArrayView1};
use serde::{Deserialize, Serialize};

use super::error::{Result, SolverError, check_finite};

/// Boundary condition of [`solve_cns`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum CnsBoundary {
    /// Periodic on `[x_min, x_max)`.
    Periodic,
    /// Zero-gradient ghost cells (waves leave the domain), PDEBench's `trans` (default).
    #[default]
    Transmissive,
}

/// Slope limiter of the MUSCL reconstruction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Limiter {
    /// `minmod(a, b)`: most dissipative.
    Minmod,
    /// Monotonized central `minmod(2a, (a+b)/2, 2b)` (default).
    #[default]
    MonotonizedCentral,
}

/// Configuration of [`solve_cns`]. η, ζ are the brief's (§1.3, [PAPER-2]); γ = 5/3, the domain
/// `[−1, 1)`, `T = 0.4` and 100 report intervals are **our choice, unverified against PDEBench**.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CnsConfig {
    /// Ratio of specific heats γ > 1 (default 5/3).
    pub gamma: f64,
    /// Shear viscosity η ≥ 0 (default 1e-8).
    pub eta: f64,
    /// Bulk viscosity ζ ≥ 0 (default 1e-8).
    pub zeta: f64,
    /// Left end of the domain (default −1).
    pub x_min: f64,
    /// Right end of the domain (default 1).
    pub x_max: f64,
    /// Final time (default 0.4).
    pub t_final: f64,
    /// Report intervals; the output has `nt + 1` rows (default 100).
    pub nt: usize,
    /// Boundary condition (default transmissive).
    pub boundary: CnsBoundary,
    /// Slope limiter (default MC).
    pub limiter: Limiter,
    /// Courant number of automatic substepping, in (0, 0.5] (default 0.4).
    pub cfl: f64,
    /// Fixed substeps per report interval; `None` = automatic (default).
    pub substeps: Option<usize>,
}

impl Default for CnsConfig {
    fn default() -> Self {
        Self {
            gamma: 5.0 / 3.0,
            eta: 1e-8,
            zeta: 1e-8,
            x_min: -1.0,
            x_max: 1.0,
            t_final: 0.4,
            nt: 100,
            boundary: CnsBoundary::Transmissive,
            limiter: Limiter::MonotonizedCentral,
            cfl: 0.4,
            substeps: None,
        }
    }
}

/// Hard limit on `max(|u|+c) dt/dx` and on `ν dt/dx²`.
pub const CNS_STABILITY_MAX: f64 = 0.5;

/// Density, velocity and pressure at the `nt + 1` report times, each `[nt + 1, nx]`.
#[derive(Debug, Clone, PartialEq)]
pub struct CnsFields {
    /// Density ρ.
    pub rho: Array2<f64>,
    /// Velocity u.
    pub u: Array2<f64>,
    /// Pressure p.
    pub p: Array2<f64>,
}

/// Cell centres `x_min + (j + ½) dx` of an `nx`-cell grid.
pub fn cell_centres(nx: usize, cfg: &CnsConfig) -> Vec<f64> {
    let dx = (cfg.x_max - cfg.x_min) / nx as f64;
    (0..nx).map(|j| cfg.x_min + (j as f64 + 0.5) * dx).collect()
}

/// Solves the 1D compressible Navier–Stokes equations from cell values `(ρ0, u0, p0)`.
///
/// ```
/// use ndarray::Array1;
/// use scidiff::pde::solvers::cns::{solve_cns, CnsConfig};
/// let cfg = CnsConfig { t_final: 0.05, nt: 2, ..Default::default() };
/// let rho0 = Array1::from_shape_fn(32, |j| if j < 16 { 1.0 } else { 0.125 });
/// let p0 = Array1::from_shape_fn(32, |j| if j < 16 { 1.0 } else { 0.1 });
/// let out = solve_cns(rho0.view(), Array1::zeros(32).view(), p0.view(), &cfg).unwrap();
/// assert_eq!(out.rho.dim(), (3, 32));
/// ```
pub fn solve_cns(
    rho0: ArrayView1<f64>,
    u0: ArrayView1<f64>,
    p0: ArrayView1<f64>,
    cfg: &CnsConfig,
) -> Result<CnsFields> {
    validate(rho0, u0, p0, cfg)?;
    let nx = rho0.len();
    let mut scheme = Scheme::new(nx, cfg);
    let mut q: Vec<Cons> = (0..nx)
        .map(|j| scheme.to_cons([rho0[j], u0[j], p0[j]]))
        .collect();
    check_physical(&q, cfg.gamma, 0.0)?;
    let mut out = CnsFields {
        rho: Array2::zeros((cfg.nt + 1, nx)),
        u: Array2::zeros((cfg.nt + 1, nx)),
        p: Array2::zeros((cfg.nt + 1, nx)),
    };
    scheme.record(&q, &mut out, 0);
    let interval = cfg.t_final / cfg.nt as f64;
    let mut t = 0.0;
    for k in 0..cfg.nt {
        let t_end = cfg.t_final * (k + 1) as f64 / cfg.nt as f64;
        match cfg.substeps {
            Some(n) => {
                let dt = interval / n as f64;
                for _ in 0..n {
                    scheme.check_limits(&q, dt)?;
                    scheme.step(&mut q, dt, t)?;
                    t += dt;
                }
            }
            None => {
                while t_end - t > 1e-12 * interval {
                    let dt = scheme.auto_dt(&q).min(t_end - t);
                    scheme.step(&mut q, dt, t)?;
                    t += dt;
                }
            }
        }
        t = t_end;
        scheme.record(&q, &mut out, k + 1);
    }
    Ok(out)
}

fn validate(
    rho0: ArrayView1<f64>,
    u0: ArrayView1<f64>,
    p0: ArrayView1<f64>,
    cfg: &CnsConfig,
) -> Result<()> {
    let bad = |m: String| Err(SolverError::InvalidConfig(m));
    let nx = rho0.len();
    if u0.len() != nx || p0.len() != nx {
        return Err(SolverError::Shape(format!(
            "rho0, u0, p0 have {}, {}, {} cells; they must agree",
            nx,
            u0.len(),
            p0.len()
        )));
    }
    if nx < 4 {
        return bad(format!("nx = {nx} < 4 cells"));
    }
    if !(cfg.gamma > 1.0 && cfg.gamma.is_finite()) {
        return bad(format!("gamma = {} must be finite and > 1", cfg.gamma));
    }
    let visc_ok = |v: f64| v.is_finite() && v >= 0.0;
    if !(visc_ok(cfg.eta) && visc_ok(cfg.zeta)) {
        return bad(format!("eta = {}, zeta = {} must be finite and >= 0", cfg.eta, cfg.zeta));
    }
    if !(cfg.x_min.is_finite() && cfg.x_max.is_finite() && cfg.x_max > cfg.x_min) {
        return bad(format!("domain [{}, {}) must be finite and non-empty", cfg.x_min, cfg.x_max));
    }
    if !(cfg.t_final.is_finite() && cfg.t_final > 0.0) || cfg.nt == 0 {
        return bad(format!("t_final = {} must be finite and > 0, nt = {} >= 1", cfg.t_final, cfg.nt));
    }
    if !(cfg.cfl > 0.0 && cfg.cfl <= CNS_STABILITY_MAX) || cfg.substeps == Some(0) {
        return bad(format!(
            "cfl = {} must lie in (0, {CNS_STABILITY_MAX}], substeps {:?} >= 1",
            cfg.cfl, cfg.substeps
        ));
    }
    check_finite(rho0.iter(), "rho0")?;
    check_finite(u0.iter(), "u0")?;
    check_finite(p0.iter(), "p0")
}

/// Conserved state `(ρ, ρu, E)` of one cell.
type Cons = [f64; 3];
/// Primitive state `(ρ, u, p)` of one cell.
type Prim = [f64; 3];

/// `(ρ, u, p)` of a conserved state.
fn to_prim(q: &Cons, gamma: f64) -> Prim {
    let u = q[1] / q[0];
    [q[0], u, (gamma - 1.0) * (q[2] - 0.5 * q[1] * u)]
}

/// First cell (and its time) whose state is not physical.
fn check_physical(q: &[Cons], gamma: f64, time: f64) -> Result<()> {
    for (cell, c) in q.iter().enumerate() {
        let w = to_prim(c, gamma);
        if !(w[0] > 0.0 && w[2] > 0.0 && w.iter().all(|v| v.is_finite())) {
            return Err(SolverError::NonPhysicalState { cell, time, rho: w[0], pressure: w[2] });
        }
    }
    Ok(())
}

fn limit(limiter: Limiter, a: f64, b: f64) -> f64 {
    if a * b <= 0.0 {
        return 0.0;
    }
    let m = match limiter {
        Limiter::Minmod => a.abs().min(b.abs()),
        Limiter::MonotonizedCentral => (2.0 * a.abs()).min(2.0 * b.abs()).min(0.5 * (a + b).abs()),
    };
    m * a.signum()
}

/// Semi-discrete operator with work buffers (two ghost cells per side).
struct Scheme {
    nx: usize,
    dx: f64,
    gamma: f64,
    mu: f64,
    periodic: bool,
    limiter: Limiter,
    cfl: f64,
    prim: Vec<Prim>,
    flux: Vec<Cons>,
    rhs: Vec<Cons>,
    stage: Vec<Cons>,
}

impl Scheme {
    fn new(nx: usize, cfg: &CnsConfig) -> Self {
        Self {
            nx,
            dx: (cfg.x_max - cfg.x_min) / nx as f64,
            gamma: cfg.gamma,
            mu: 4.0 / 3.0 * cfg.eta + cfg.zeta,
            periodic: cfg.boundary == CnsBoundary::Periodic,
            limiter: cfg.limiter,
            cfl: cfg.cfl,
            prim: vec![[0.0; 3]; nx + 4],
            flux: vec![[0.0; 3]; nx + 1],
            rhs: vec![[0.0; 3]; nx],
            stage: vec![[0.0; 3]; nx],
        }
    }

    fn to_cons(&self, w: Prim) -> Cons {
        [w[0], w[0] * w[1], w[2] / (self.gamma - 1.0) + 0.5 * w[0] * w[1] * w[1]]
    }

    fn record(&self, q: &[Cons], out: &mut CnsFields, row: usize) {
        for (j, c) in q.iter().enumerate() {
            let w = to_prim(c, self.gamma);
            out.rho[[row, j]] = w[0];
            out.u[[row, j]] = w[1];
            out.p[[row, j]] = w[2];
        }
    }

    /// `(max(|u| + c), ν = μ / min ρ)` of a physical state.
    fn speeds(&self, q: &[Cons]) -> (f64, f64) {
        let (mut s, mut rho_min) = (0.0f64, f64::INFINITY);
        for c in q {
            let w = to_prim(c, self.gamma);
            s = s.max(w[1].abs() + (self.gamma * w[2] / w[0]).sqrt());
            rho_min = rho_min.min(w[0]);
        }
        (s, self.mu / rho_min)
    }

    fn auto_dt(&self, q: &[Cons]) -> f64 {
        let (s, nu) = self.speeds(q);
        self.cfl / (s / self.dx + 2.0 * nu / (self.dx * self.dx))
    }

    fn check_limits(&self, q: &[Cons], dt: f64) -> Result<()> {
        let (s, nu) = self.speeds(q);
        let fail = |limit, value| Err(SolverError::StabilityLimit { limit, value, max: CNS_STABILITY_MAX });
        let c = s * dt / self.dx;
        if c > CNS_STABILITY_MAX {
            return fail("max(|u|+c)*dt/dx", c);
        }
        let v = nu * dt / (self.dx * self.dx);
        if v > CNS_STABILITY_MAX {
            return fail("(4/3*eta+zeta)/min(rho)*dt/dx^2", v);
        }
        Ok(())
    }

    /// Primitive cell values with two ghost cells per side.
    fn fill_prim(&mut self, q: &[Cons]) {
        let n = self.nx;
        for (w, c) in self.prim[2..n + 2].iter_mut().zip(q) {
            *w = to_prim(c, self.gamma);
        }
        for g in 0..2 {
            let (lo, hi) = if self.periodic { (n + g, 2 + g) } else { (2, n + 1) };
            self.prim[g] = self.prim[lo];
            self.prim[n + 2 + g] = self.prim[hi];
        }
    }

    /// Writes `−(F_{j+½} − F_{j−½})/dx` into `self.rhs`.
    fn eval(&mut self, q: &[Cons]) {
        self.fill_prim(q);
        let (n, lim) = (self.nx, self.limiter);
        let slope = |p: &[Prim], i: usize, k: usize| limit(lim, p[i][k] - p[i - 1][k], p[i + 1][k] - p[i][k]);
        for f in 0..=n {
            // Face f lies between extended cells f + 1 (left) and f + 2 (right).
            let (a, b) = (f + 1, f + 2);
            let mut wl = self.prim[a];
            let mut wr = self.prim[b];
            for k in 0..3 {
                wl[k] += 0.5 * slope(&self.prim, a, k);
                wr[k] -= 0.5 * slope(&self.prim, b, k);
            }
            let mut flux = hllc(&wl, &wr, self.gamma);
            let (ua, ub) = (self.prim[a][1], self.prim[b][1]);
            let tau = self.mu * (ub - ua) / self.dx;
            flux[1] -= tau;
            flux[2] -= tau * 0.5 * (ua + ub);
            self.flux[f] = flux;
        }
        for j in 0..n {
            for k in 0..3 {
                self.rhs[j][k] = -(self.flux[j + 1][k] - self.flux[j][k]) / self.dx;
            }
        }
    }

    /// One SSP-RK3 step of size `dt` from time `t`; every stage is checked for physicality.
    fn step(&mut self, q: &mut [Cons], dt: f64, t: f64) -> Result<()> {
        let mut s = std::mem::take(&mut self.stage);
        self.eval(q);
        for ((s, v), r) in s.iter_mut().zip(q.iter()).zip(&self.rhs) {
            *s = std::array::from_fn(|k| v[k] + dt * r[k]);
        }
        check_physical(&s, self.gamma, t + dt)?;
        self.eval(&s);
        for ((s, v), r) in s.iter_mut().zip(q.iter()).zip(&self.rhs) {
            *s = std::array::from_fn(|k| 0.75 * v[k] + 0.25 * (s[k] + dt * r[k]));
        }
        check_physical(&s, self.gamma, t + 0.5 * dt)?;
        self.eval(&s);
        for ((v, s), r) in q.iter_mut().zip(&s).zip(&self.rhs) {
            *v = std::array::from_fn(|k| (v[k] + 2.0 * (s[k] + dt * r[k])) / 3.0);
        }
        self.stage = s;
        check_physical(q, self.gamma, t + dt)
    }
}

/// Euler flux of a primitive state.
fn euler_flux(w: &Prim, e: f64) -> Cons {
    let m = w[0] * w[1];
    [m, m * w[1] + w[2], (e + w[2]) * w[1]]
}

/// HLLC flux (Toro §10.4) with Davis wave-speed estimates.
fn hllc(wl: &Prim, wr: &Prim, gamma: f64) -> Cons {
    let energy = |w: &Prim| w[2] / (gamma - 1.0) + 0.5 * w[0] * w[1] * w[1];
    let (el, er) = (energy(wl), energy(wr));
    let (cl, cr) = ((gamma * wl[2] / wl[0]).sqrt(), (gamma * wr[2] / wr[0]).sqrt());
    let sl = (wl[1] - cl).min(wr[1] - cr);
    let sr = (wl[1] + cl).max(wr[1] + cr);
    if sl >= 0.0 {
        return euler_flux(wl, el);
    }
    if sr <= 0.0 {
        return euler_flux(wr, er);
    }
    let (ml, mr) = (wl[0] * (sl - wl[1]), wr[0] * (sr - wr[1]));
    let s_star = (wr[2] - wl[2] + wl[1] * ml - wr[1] * mr) / (ml - mr);
    let (w, e, s) = if s_star >= 0.0 { (wl, el, sl) } else { (wr, er, sr) };
    let f = euler_flux(w, e);
    let factor = w[0] * (s - w[1]) / (s - s_star);
    let q_star = [
        factor,
        factor * s_star,
        factor * (e / w[0] + (s_star - w[1]) * (s_star + w[2] / (w[0] * (s - w[1])))),
    ];
    let q = [w[0], w[0] * w[1], e];
    std::array::from_fn(|k| f[k] + s * (q_star[k] - q[k]))
}

#[cfg(test)]
#[path = "cns_tests.rs"]
mod tests;
