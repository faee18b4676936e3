//! 2D incompressible smoke with obstacles, absorbing buckets and peripheral-band control, as in
//! WDNO's smoke-leakage task (brief §1.2 solver/geometry/initial state, §4.4 objective).
//!
//! # Equations
//! `∂_t d + u·∇d = 0`, `∇·u = 0`, and optionally `∂_t u + (u·∇)u = −∇p + ν∇²u + b d ê_y`.
//! WDNO (PhiFlow 1.x) has **no** velocity self-advection, viscosity or buoyancy: each frame
//! (`dt = 1` in grid units)
//! 1. the peripheral band (cells outside `[bw, n+1−bw)²`, `bw = 16` at 127²) takes the control
//!    velocity, the interior keeps the previous velocity;
//! 2. pressure projection with obstacles (Jacobi-preconditioned CG, tolerance 1e-8 relative to
//!    `max(‖h² ∇·u‖, h‖u‖)`, see [`super::smoke_grid::solve_pressure`]); the domain walls are
//!    **open** as in WDNO (`DomainBoundary(open=True)` in PhiFlow 0.x: fluid may cross them and
//!    `p = 0` outside), or closed with `open_boundary = false`;
//! 3. semi-Lagrangian advection of density (Euler back-trace, bilinear, replicate boundary);
//! 4. smoke inside the 7 buckets is removed and added to the bucket counters.
//!
//! Controls are cell-centred `[2, ny, nx]` velocities per frame; a band face takes the mean of
//! its in-band neighbour cells (our choice: how PhiFlow staggers the control was not checked).
//! Recorded density is *after* absorption (WDNO's `Density.npy` is before it).
//!
//! Steps between 1 and 2 (self-advection, explicit viscosity, buoyancy) and an inflow source are
//! available for validation and other tasks; all are off by default.
//!
//! # Discretisation and order
//! MAC staggered grid (see [`super::smoke_grid`]), 5-point Laplacian projection (2nd order in `h`),
//! semi-Lagrangian advection: `O(dt + h²/dt)`, i.e. first order at fixed Courant number.
//! Donor-cell density advection is first order and exactly conservative.
//!
//! # Stability limits
//! Semi-Lagrangian advection is unconditionally stable. Explicit viscosity is substepped
//! automatically so that `ν dt_sub/h² ≤ 0.2` (limit 1/4). Donor-cell advection requires
//! `max(|u|+|v|) dt/h ≤ 1` and is refused otherwise.

use ndarray::{Array2, Array3, ArrayView3, s};
use serde::{Deserialize, Serialize};

pub use super::smoke_config::{
    DensityAdvection, Geometry, Inflow, Rect, SmokeConfig, TARGET_BUCKET, WDNO_BUCKETS,
    WDNO_OBSTACLES, sample_initial_density,
};

use super::error::{Result, SolverError, check_finite};
use super::smoke_grid::{
    Masks, advect_donor_cell, advect_semi_lagrangian, diffuse_explicit, project,
};

/// Simulation state: staggered velocity, density and cumulative bucket contents.
#[derive(Debug, Clone, PartialEq)]
pub struct SmokeState {
    /// Density at cell centres, `[ny, nx]`.
    pub density: Array2<f64>,
    /// x-velocity on vertical faces, `[ny, nx+1]`.
    pub u: Array2<f64>,
    /// y-velocity on horizontal faces, `[ny+1, nx]`.
    pub v: Array2<f64>,
    /// Cumulative smoke absorbed by each bucket.
    pub buckets: Vec<f64>,
}

impl SmokeState {
    /// Cell-centred velocity `[2, ny, nx]` (averages of the two faces).
    pub fn centred_velocity(&self) -> Array3<f64> {
        let (ny, nx) = self.density.dim();
        let mut out = Array3::zeros((2, ny, nx));
        out.slice_mut(s![0, .., ..])
            .assign(&((&self.u.slice(s![.., ..nx]) + &self.u.slice(s![.., 1..])) * 0.5));
        out.slice_mut(s![1, .., ..])
            .assign(&((&self.v.slice(s![..ny, ..]) + &self.v.slice(s![1.., ..])) * 0.5));
        out
    }
}

/// WDNO's smoke objective at one instant (brief §1.2, §4.4).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct SmokeObjective {
    /// `s = bucket[target] / (Σ buckets + remaining smoke)`.
    pub target_fraction: f64,
    /// Leakage `1 − s` (the paper's J; lower is better).
    pub leakage: f64,
}

/// Computes WDNO's target fraction and leakage from bucket counters and remaining smoke.
///
/// ```
/// use scidiff::pde::solvers::smoke::{smoke_objective, TARGET_BUCKET};
/// let o = smoke_objective(&[1.0, 6.0, 0.0, 0.0, 0.0, 0.0, 1.0], 2.0, TARGET_BUCKET).unwrap();
/// assert_eq!((o.target_fraction, o.leakage), (0.6, 0.4));
/// ```
pub fn smoke_objective(buckets: &[f64], remaining: f64, target: usize) -> Result<SmokeObjective> {
    let total: f64 = buckets.iter().sum::<f64>() + remaining;
    let hit = *buckets.get(target).ok_or_else(|| {
        SolverError::InvalidConfig(format!("target bucket {target} out of range"))
    })?;
    if !(total.is_finite() && total > 0.0) {
        return Err(SolverError::InvalidConfig(format!(
            "total smoke {total} must be finite and > 0"
        )));
    }
    let s = hit / total;
    Ok(SmokeObjective {
        target_fraction: s,
        leakage: 1.0 - s,
    })
}

/// Recorded trajectory of [`SmokeSim::run`] (every `record_every` frames, frame 0 included).
#[derive(Debug, Clone)]
pub struct SmokeRecord {
    /// Density `[n_rec, ny, nx]` (after absorption).
    pub density: Array3<f64>,
    /// Cell-centred velocity per record, each `[2, ny, nx]`.
    pub velocity: Vec<Array3<f64>>,
    /// Per record: the bucket counters followed by the remaining smoke, `[n_rec, n_buckets + 1]`.
    pub smoke: Array2<f64>,
    /// Objective after the last frame.
    pub objective: Option<SmokeObjective>,
    /// Final state.
    pub final_state: SmokeState,
}

/// A configured smoke simulator (masks precomputed).
#[derive(Debug, Clone)]
pub struct SmokeSim {
    cfg: SmokeConfig,
    masks: Masks,
    band: Array2<bool>,
    buckets: Vec<Rect>,
}

impl SmokeSim {
    /// Validates the configuration and builds the obstacle, band and bucket masks.
    pub fn new(cfg: SmokeConfig) -> Result<Self> {
        cfg.validate()?;
        let (obstacles, buckets) = cfg.layout();
        let mut solid = Array2::from_elem((cfg.ny, cfg.nx), false);
        for q in &obstacles {
            solid.slice_mut(s![q.y0..q.y1, q.x0..q.x1]).fill(true);
        }
        let (bw, nx, ny) = (cfg.band_width, cfg.nx, cfg.ny);
        let band = Array2::from_shape_fn((ny, nx), |(i, j)| {
            bw > 0 && (j < bw || j >= nx + 1 - bw || i < bw || i >= ny + 1 - bw)
        });
        Ok(Self {
            masks: Masks::with_boundary(solid, cfg.open_boundary),
            band,
            buckets,
            cfg,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &SmokeConfig {
        &self.cfg
    }

    /// Obstacle and face masks.
    pub fn masks(&self) -> &Masks {
        &self.masks
    }

    /// Control-band cells, `[ny, nx]`.
    pub fn band_mask(&self) -> &Array2<bool> {
        &self.band
    }

    /// Bucket rectangles at this resolution (index [`TARGET_BUCKET`] is the target).
    pub fn buckets(&self) -> &[Rect] {
        &self.buckets
    }

    /// State with the given density, the configured uniform velocity and empty buckets.
    pub fn initial_state(&self, density: Array2<f64>) -> Result<SmokeState> {
        let (ny, nx) = (self.cfg.ny, self.cfg.nx);
        if density.dim() != (ny, nx) {
            return Err(SolverError::Shape(format!(
                "density is {:?}, expected [{ny}, {nx}]",
                density.dim()
            )));
        }
        check_finite(density.iter(), "density")?;
        let [vx, vy] = self.cfg.initial_velocity;
        Ok(SmokeState {
            density,
            u: Array2::from_elem((ny, nx + 1), vx),
            v: Array2::from_elem((ny + 1, nx), vy),
            buckets: vec![0.0; self.buckets.len()],
        })
    }

    /// Advances one frame; `control` is a cell-centred `[2, ny, nx]` velocity used in the band.
    /// A blow-up is reported as `NonFiniteSolution { step: 0 }` ([`Self::run`] fills in the frame).
    pub fn step(&self, st: &mut SmokeState, control: Option<ArrayView3<f64>>) -> Result<()> {
        let (h, dt) = (self.cfg.cell_size, self.cfg.dt);
        if let Some(c) = control {
            self.apply_control(st, c)?;
        }
        if self.cfg.advect_velocity {
            let (u, v) = (st.u.view(), st.v.view());
            let (nu, nv) = (
                advect_semi_lagrangian(u, (0.0, 0.5), u, v, h, dt),
                advect_semi_lagrangian(v, (0.5, 0.0), u, v, h, dt),
            );
            (st.u, st.v) = (nu, nv);
        }
        self.diffuse_velocity(st);
        self.add_buoyancy(st);
        project(
            &mut st.u,
            &mut st.v,
            &self.masks,
            h,
            self.cfg.cg_tolerance,
            self.cfg.cg_max_iter,
        )?;
        st.density = self.advect_density(st)?;
        self.add_inflow(st);
        self.absorb(st);
        if !st
            .density
            .iter()
            .chain(st.u.iter())
            .chain(st.v.iter())
            .all(|x| x.is_finite())
        {
            return Err(SolverError::NonFiniteSolution { step: 0 });
        }
        Ok(())
    }

    /// Overrides band faces with the mean control of their in-band neighbour cells.
    fn apply_control(&self, st: &mut SmokeState, c: ArrayView3<f64>) -> Result<()> {
        let (ny, nx) = (self.cfg.ny, self.cfg.nx);
        if c.dim() != (2, ny, nx) {
            return Err(SolverError::Shape(format!(
                "control is {:?}, expected [2, {ny}, {nx}]",
                c.dim()
            )));
        }
        check_finite(c.iter(), "control")?;
        let band_mean = |a: Option<(usize, usize)>, b: Option<(usize, usize)>, comp: usize| {
            let (mut sum, mut n) = (0.0, 0);
            for (i, j) in [a, b].into_iter().flatten().filter(|&q| self.band[q]) {
                sum += c[[comp, i, j]];
                n += 1;
            }
            (n > 0).then(|| sum / n as f64)
        };
        for ((i, j), u) in st.u.indexed_iter_mut() {
            if let Some(m) = band_mean((j > 0).then(|| (i, j - 1)), (j < nx).then_some((i, j)), 0) {
                *u = m;
            }
        }
        for ((i, j), v) in st.v.indexed_iter_mut() {
            if let Some(m) = band_mean((i > 0).then(|| (i - 1, j)), (i < ny).then_some((i, j)), 1) {
                *v = m;
            }
        }
        Ok(())
    }

    /// Explicit viscosity, substepped so that `ν dt_sub/h² ≤ 0.2`.
    fn diffuse_velocity(&self, st: &mut SmokeState) {
        let h = self.cfg.cell_size;
        let k = self.cfg.viscosity * self.cfg.dt / (h * h);
        if k == 0.0 {
            return;
        }
        let n = (k / 0.2).ceil() as usize;
        for _ in 0..n {
            self.masks.close_faces(&mut st.u, &mut st.v);
            st.u = diffuse_explicit(&st.u, k / n as f64);
            st.v = diffuse_explicit(&st.v, k / n as f64);
        }
    }

    fn add_buoyancy(&self, st: &mut SmokeState) {
        let b = self.cfg.buoyancy * self.cfg.dt;
        if b == 0.0 {
            return;
        }
        for i in 1..self.cfg.ny {
            for j in 0..self.cfg.nx {
                st.v[[i, j]] += 0.5 * b * (st.density[[i - 1, j]] + st.density[[i, j]]);
            }
        }
    }

    fn advect_density(&self, st: &SmokeState) -> Result<Array2<f64>> {
        let (h, dt) = (self.cfg.cell_size, self.cfg.dt);
        match self.cfg.density_advection {
            DensityAdvection::SemiLagrangian => Ok(advect_semi_lagrangian(
                st.density.view(),
                (0.5, 0.5),
                st.u.view(),
                st.v.view(),
                h,
                dt,
            )),
            DensityAdvection::DonorCell => {
                let max = |a: &Array2<f64>| a.iter().fold(0.0f64, |m, x| m.max(x.abs()));
                let c = (max(&st.u) + max(&st.v)) * dt / h;
                if c > 1.0 {
                    return Err(SolverError::StabilityLimit {
                        limit: "(max|u|+max|v|)*dt/h (donor cell)",
                        value: c,
                        max: 1.0,
                    });
                }
                Ok(advect_donor_cell(&st.density, &st.u, &st.v, h, dt))
            }
        }
    }

    fn add_inflow(&self, st: &mut SmokeState) {
        if let Some(inflow) = self.cfg.inflow {
            let q = inflow.region;
            let (y1, x1) = (q.y1.min(self.cfg.ny), q.x1.min(self.cfg.nx));
            for i in q.y0..y1 {
                for j in q.x0..x1 {
                    if !self.masks.solid[[i, j]] {
                        st.density[[i, j]] += inflow.rate * self.cfg.dt;
                    }
                }
            }
        }
    }

    /// Moves the smoke inside each bucket into its counter.
    fn absorb(&self, st: &mut SmokeState) {
        for (q, count) in self.buckets.iter().zip(st.buckets.iter_mut()) {
            let mut region = st.density.slice_mut(s![q.y0..q.y1, q.x0..q.x1]);
            *count += region.sum();
            region.fill(0.0);
        }
    }

    /// Runs `n_frames` frames from `state`; `controls` is `[n_frames, 2, ny, nx]` (or `None`).
    /// Errors name the failing frame through [`SolverError::NonFiniteSolution`].
    pub fn run(
        &self,
        mut state: SmokeState,
        controls: Option<ndarray::ArrayView4<f64>>,
    ) -> Result<SmokeRecord> {
        let n = self.cfg.n_frames;
        if let Some(c) = controls.filter(|c| c.dim().0 != n) {
            return Err(SolverError::Shape(format!(
                "controls have {} frames, expected {n}",
                c.dim().0
            )));
        }
        let mut rec = Recorder::default();
        rec.push(&state);
        for k in 0..n {
            let c = controls.map(|c| c.index_axis_move(ndarray::Axis(0), k));
            self.step(&mut state, c).map_err(|e| match e {
                SolverError::NonFiniteSolution { .. } => {
                    SolverError::NonFiniteSolution { step: k + 1 }
                }
                e => e,
            })?;
            if (k + 1) % self.cfg.record_every == 0 {
                rec.push(&state);
            }
        }
        let objective = (!self.buckets.is_empty())
            .then(|| smoke_objective(&state.buckets, state.density.sum(), TARGET_BUCKET))
            .transpose()?;
        Ok(rec.finish(state, objective))
    }
}

#[derive(Default)]
struct Recorder {
    density: Vec<Array2<f64>>,
    velocity: Vec<Array3<f64>>,
    smoke: Vec<Vec<f64>>,
}

impl Recorder {
    fn push(&mut self, st: &SmokeState) {
        self.density.push(st.density.clone());
        self.velocity.push(st.centred_velocity());
        self.smoke.push(
            st.buckets
                .iter()
                .copied()
                .chain([st.density.sum()])
                .collect(),
        );
    }

    fn finish(self, final_state: SmokeState, objective: Option<SmokeObjective>) -> SmokeRecord {
        let views: Vec<_> = self.density.iter().map(|d| d.view()).collect();
        let density = ndarray::stack(ndarray::Axis(0), &views).expect("equal shapes");
        let w = self.smoke[0].len();
        let smoke = Array2::from_shape_fn((self.smoke.len(), w), |(i, j)| self.smoke[i][j]);
        SmokeRecord {
            density,
            velocity: self.velocity,
            smoke,
            objective,
            final_state,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand::rngs::StdRng;
    use std::f64::consts::PI;

    fn tg_fields(n: usize, h: f64, decay: f64) -> (Array2<f64>, Array2<f64>) {
        let u = Array2::from_shape_fn((n, n + 1), |(i, j)| {
            (j as f64 * h).sin() * ((i as f64 + 0.5) * h).cos() * decay
        });
        let v = Array2::from_shape_fn((n + 1, n), |(i, j)| {
            -((j as f64 + 0.5) * h).cos() * (i as f64 * h).sin() * decay
        });
        (u, v)
    }

    /// Viscous Taylor–Green on the closed box `[0, π]²` (free-slip walls are exact for it):
    /// RMS face-velocity error at `T = 1` for `n²` cells, Courant number `dt/h = 2/π`.
    fn tg_error(n: usize) -> f64 {
        let nu = 0.01;
        let h = PI / n as f64;
        let cfg = SmokeConfig {
            nx: n,
            ny: n,
            cell_size: h,
            dt: 2.0 / n as f64,
            n_frames: n / 2,
            band_width: 0,
            geometry: Geometry::ClosedBox,
            open_boundary: false,
            advect_velocity: true,
            viscosity: nu,
            cg_tolerance: 1e-10,
            record_every: n,
            ..SmokeConfig::paper()
        };
        let sim = SmokeSim::new(cfg).unwrap();
        let mut st = sim.initial_state(Array2::zeros((n, n))).unwrap();
        (st.u, st.v) = tg_fields(n, h, 1.0);
        let rec = sim.run(st, None).unwrap();
        let (ue, ve) = tg_fields(n, h, (-2.0 * nu).exp());
        let fs = rec.final_state;
        let se = (&fs.u - &ue).mapv(|x| x * x).sum() + (&fs.v - &ve).mapv(|x| x * x).sum();
        (se / (ue.len() + ve.len()) as f64).sqrt()
    }

    // Semi-Lagrangian advection with an Euler back-trace is O(dt + h²/dt): order 1 at a fixed
    // Courant number. Band [0.7, 1.4] allows for the pre-asymptotic h²/dt and projection terms.
    #[test]
    fn taylor_green_first_order() {
        let e: Vec<f64> = [16, 32, 64].iter().map(|&n| tg_error(n)).collect();
        let p: Vec<f64> = (0..2).map(|i| (e[i] / e[i + 1]).log2()).collect();
        eprintln!("Taylor-Green RMS errors {e:?}, orders {p:?}");
        assert!(p.iter().all(|p| (0.7..=1.4).contains(p)), "{p:?}");
        assert!(e[2] < 0.02, "{e:?}");
    }

    fn blob_in_box(scheme: DensityAdvection, n: usize, steps: usize) -> (f64, f64) {
        let h = PI / n as f64;
        let cfg = SmokeConfig {
            nx: n,
            ny: n,
            cell_size: h,
            dt: 0.5 * h,
            n_frames: steps,
            band_width: 0,
            geometry: Geometry::ClosedBox,
            open_boundary: false,
            density_advection: scheme,
            record_every: steps,
            ..SmokeConfig::paper()
        };
        let sim = SmokeSim::new(cfg).unwrap();
        let d0 = Array2::from_shape_fn((n, n), |(i, j)| {
            let (x, y) = ((j as f64 + 0.5) * h - 1.2, (i as f64 + 0.5) * h - 1.6);
            (-(x * x + y * y) / 0.5).exp()
        });
        let mut st = sim.initial_state(d0.clone()).unwrap();
        (st.u, st.v) = tg_fields(n, h, 1.0);
        let rec = sim.run(st, None).unwrap();
        let moved = (&rec.final_state.density - &d0).mapv(f64::abs).sum() / d0.sum();
        (
            (rec.final_state.density.sum() - d0.sum()).abs() / d0.sum(),
            moved,
        )
    }

    // Donor cell conserves mass to round-off. Semi-Lagrangian with an Euler back-trace does not:
    // the back-trace map has Jacobian 1 + dt² det(∇u), so the relative mass defect is O(dt) over a
    // fixed time (measured ~9% at n = 32 over T = 2 on Taylor–Green); we require it below 12% and
    // to shrink at first order (observed ratio ≥ 1.7 when dt and h halve).
    #[test]
    fn mass_conservation_closed_box() {
        let (err_dc, moved_dc) = blob_in_box(DensityAdvection::DonorCell, 32, 40);
        let (err_sl, moved_sl) = blob_in_box(DensityAdvection::SemiLagrangian, 32, 40);
        let (err_sl_fine, _) = blob_in_box(DensityAdvection::SemiLagrangian, 64, 80);
        eprintln!(
            "relative mass change: donor-cell {err_dc:.2e}, semi-Lagrangian {err_sl:.2e} (n=32), {err_sl_fine:.2e} (n=64)"
        );
        assert!(
            moved_dc > 0.3 && moved_sl > 0.3,
            "blob must move: {moved_dc} {moved_sl}"
        );
        assert!(err_dc < 1e-12, "{err_dc}");
        assert!(
            err_sl < 0.12 && err_sl / err_sl_fine > 1.7,
            "{err_sl} {err_sl_fine}"
        );
    }

    #[test]
    fn objective_definition() {
        let o = smoke_objective(&[1.0, 2.0, 0.0, 0.0, 0.5, 0.0, 0.5], 4.0, TARGET_BUCKET).unwrap();
        assert!((o.target_fraction - 0.25).abs() < 1e-15 && (o.leakage - 0.75).abs() < 1e-15);
        assert!(smoke_objective(&[0.0; 7], 0.0, 1).is_err());
        assert!(smoke_objective(&[1.0], 1.0, 1).is_err());
    }

    /// Small WDNO scene driven by an upward band control: smoke is conserved up to the
    /// semi-Lagrangian tolerance, some reaches the buckets, and the objective is consistent.
    #[test]
    fn wdno_small_scene_runs() {
        let cfg = SmokeConfig {
            n_frames: 16,
            ..SmokeConfig::small()
        };
        let sim = SmokeSim::new(cfg.clone()).unwrap();
        let mut rng = StdRng::seed_from_u64(3);
        let d0 = sample_initial_density(&cfg, &mut rng);
        assert_eq!(d0.sum(), 36.0);
        let mut ctrl = ndarray::Array4::zeros((cfg.n_frames, 2, cfg.ny, cfg.nx));
        ctrl.slice_mut(s![.., 1, .., ..]).fill(1.0);
        let rec = sim
            .run(sim.initial_state(d0.clone()).unwrap(), Some(ctrl.view()))
            .unwrap();
        assert_eq!(rec.density.dim(), (3, 63, 63));
        let last = rec.smoke.row(rec.smoke.nrows() - 1);
        let total = last.sum();
        eprintln!(
            "smoke record (buckets + remaining) at end: {last}, total/initial {}",
            total / d0.sum()
        );
        assert!((total / d0.sum() - 1.0).abs() < 0.05, "{total}");
        let o = rec.objective.unwrap();
        assert!(
            (0.0..=1.0).contains(&o.target_fraction)
                && (o.leakage + o.target_fraction - 1.0).abs() < 1e-12
        );
        let div = super::super::smoke_grid::divergence(
            &rec.final_state.u,
            &rec.final_state.v,
            sim.masks(),
            cfg.cell_size,
        );
        assert!(
            div.iter().all(|d| d.abs() < 1e-6),
            "max div {}",
            div.iter().fold(0.0f64, |m, d| m.max(d.abs()))
        );
    }

    /// Paper-size maze (127²): two controlled frames project to a divergence-free field.
    #[test]
    fn wdno_paper_geometry_projects() {
        let cfg = SmokeConfig {
            n_frames: 2,
            record_every: 1,
            ..SmokeConfig::paper()
        };
        let sim = SmokeSim::new(cfg.clone()).unwrap();
        let d0 = sample_initial_density(&cfg, &mut StdRng::seed_from_u64(0));
        assert_eq!(d0.sum(), 121.0);
        let ctrl = ndarray::Array4::from_shape_fn((2, 2, 127, 127), |(_, c, i, j)| {
            if c == 0 {
                ((i + j) % 7) as f64 * 0.1 - 0.3
            } else {
                0.5
            }
        });
        let rec = sim
            .run(sim.initial_state(d0).unwrap(), Some(ctrl.view()))
            .unwrap();
        let fs = &rec.final_state;
        let div = super::super::smoke_grid::divergence(&fs.u, &fs.v, sim.masks(), 1.0);
        let max_div = div.iter().fold(0.0f64, |m, d| m.max(d.abs()));
        eprintln!("paper geometry: max |div| after projection {max_div:.2e}");
        assert!(max_div < 1e-6 && rec.smoke.dim() == (3, 8));
    }

    #[test]
    fn refuses_bad_input() {
        assert!(
            SmokeSim::new(SmokeConfig {
                nx: 2,
                ..SmokeConfig::small()
            })
            .is_err()
        );
        let cfg = SmokeConfig {
            n_frames: 1,
            ..SmokeConfig::small()
        };
        let sim = SmokeSim::new(cfg).unwrap();
        let mut st = sim.initial_state(Array2::zeros((63, 63))).unwrap();
        let mut c = Array3::zeros((2, 63, 63));
        c[[0, 1, 1]] = f64::NAN;
        assert!(matches!(
            sim.step(&mut st, Some(c.view())),
            Err(SolverError::NonFiniteInput("control"))
        ));
        assert!(matches!(
            sim.initial_state(Array2::zeros((3, 3))),
            Err(SolverError::Shape(_))
        ));
    }
}
