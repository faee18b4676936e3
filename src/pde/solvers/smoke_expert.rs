//! WDNO's "expert-like" control sequences and smoke data generator (brief §1.2 "Control sequence
//! in the data", "Recording"; distributions as in the repo's `smoke/dataset/a_gen_train.py`).
//!
//! Plan, in 127² grid coordinates (cells per frame for velocities):
//! * start `(x0, y0)` with `x0 ∈ [22, 97)`, `y0 ∈ [22, 25)` (the 11×11 density block corner);
//! * waypoints at `y = 40, 50, 64, 112`: `x1, x2 ∈ [21, 54)` if `x0 < 54` else `[64, 97)`,
//!   `x3 ∈ [50, 69)`, `x4 ∈ [56, 62)` (all integer-uniform);
//! * path speed `v = L/256` (`L` = polyline length); segment `s` velocity
//!   `vx_s ~ N(c·v·Δx_s/d_s, |·|/4)` with one `c ~ U[2, 5]` per scene, `vy_s ~ N(5·v·Δy_s/d_s, |·|/4)`;
//! * switch frames `0, I₁, I₁+I₂, I₁+I₂+I₃` with `I_s = ⌊256·d_s/L⌋`.
//!
//! Frames `k = 0..=n_frames` (257 steps for 256 frames, as the repo): at a switch frame every
//! band face is set to `N(vx_s, |vx_s|/10)` (x faces) or `N(vy_s, |vy_s|/10)` (y faces); otherwise
//! band faces get `+N(0, 0.1)`. Then the usual projection / advection / absorption step. Every
//! `record_every`-th frame stores density **without absorption** (as `Density.npy`), centred
//! velocity, the band control (cell-centred, interior 0) and `[buckets…, remaining]`.
//! The repo sums bucket and remaining smoke on a `::2` subsample; we sum all cells.

use ndarray::{Array2, Array3, Array4, Axis, s};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};
use rand_distr::StandardNormal;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::burgers::trajectory_seed;
use super::error::{Result, SolverError};
use super::smoke::{SmokeConfig, SmokeSim, SmokeState};
use super::smoke_grid::advect_semi_lagrangian;

/// A sampled control plan (127² coordinates).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpertPlan {
    /// Start and waypoint x coordinates.
    pub xs: [usize; 5],
    /// Start and waypoint y coordinates.
    pub ys: [usize; 5],
    /// Segment x velocities.
    pub vx: [f64; 4],
    /// Segment y velocities.
    pub vy: [f64; 4],
    /// Frames at which each segment's velocity is imposed.
    pub switch_frames: [usize; 4],
}

fn normal(rng: &mut StdRng, mean: f64, sd: f64) -> f64 {
    mean + sd * rng.sample::<f64, _>(StandardNormal)
}

/// Samples a plan for a scene of `n_frames` frames (256 in the paper).
pub fn sample_expert_plan(rng: &mut StdRng, n_frames: usize) -> ExpertPlan {
    let x0 = rng.random_range(22..97);
    let y0 = rng.random_range(22..25);
    let side = if x0 < 54 { 21..54 } else { 64..97 };
    let (x1, x2) = (rng.random_range(side.clone()), rng.random_range(side));
    let (x3, x4) = (rng.random_range(50..69), rng.random_range(56..62));
    let (xs, ys) = ([x0, x1, x2, x3, x4], [y0, 40, 50, 64, 112]);
    let seg: Vec<(f64, f64, f64)> = (0..4)
        .map(|k| {
            let (dx, dy) = (
                xs[k + 1] as f64 - xs[k] as f64,
                ys[k + 1] as f64 - ys[k] as f64,
            );
            (dx, dy, dx.hypot(dy))
        })
        .collect();
    let total: f64 = seg.iter().map(|s| s.2).sum();
    let v = total / n_frames as f64;
    let scale = rng.random_range(2.0..5.0);
    let (mut vx, mut vy) = ([0.0; 4], [0.0; 4]);
    for (k, &(dx, dy, d)) in seg.iter().enumerate() {
        let (mx, my) = (scale * v * dx / d, 5.0 * v * dy / d);
        vx[k] = normal(rng, mx, mx.abs() / 4.0);
        vy[k] = normal(rng, my, my.abs() / 4.0);
    }
    let mut switch_frames = [0; 4];
    for k in 1..4 {
        let interval = (n_frames as f64 * seg[k - 1].2 / total) as usize;
        switch_frames[k] = switch_frames[k - 1] + interval;
    }
    ExpertPlan {
        xs,
        ys,
        vx,
        vy,
        switch_frames,
    }
}

impl ExpertPlan {
    /// The 11×11 unit density block at `(xs[0], ys[0])`, scaled by `(n+1)/128`.
    pub fn initial_density(&self, cfg: &SmokeConfig) -> Array2<f64> {
        let (fx, fy) = ((cfg.nx + 1) as f64 / 128.0, (cfg.ny + 1) as f64 / 128.0);
        let (x0, y0) = (
            (self.xs[0] as f64 * fx) as usize,
            (self.ys[0] as f64 * fy) as usize,
        );
        let (wx, wy) = (
            ((11.0 * fx).round() as usize).max(1),
            ((11.0 * fy).round() as usize).max(1),
        );
        let mut d = Array2::zeros((cfg.ny, cfg.nx));
        d.slice_mut(s![y0..(y0 + wy).min(cfg.ny), x0..(x0 + wx).min(cfg.nx)])
            .fill(1.0);
        d
    }
}

/// One generated scene (records every `record_every` frames, `n_frames/record_every + 1` of them).
#[derive(Debug, Clone)]
pub struct SmokeSample {
    /// Density without absorption, `[n_rec, ny, nx]`.
    pub density: Array3<f64>,
    /// Cell-centred velocity, `[n_rec, 2, ny, nx]`.
    pub velocity: Array4<f64>,
    /// Band control (cell-centred, interior 0), `[n_rec, 2, ny, nx]`.
    pub control: Array4<f64>,
    /// Cumulative bucket amounts followed by the remaining smoke, `[n_rec, n_buckets + 1]`.
    pub smoke: Array2<f64>,
    /// The plan that produced the scene.
    pub plan: ExpertPlan,
}

/// Band-face masks: a face is in the band when one of its neighbour cells is.
fn band_faces(band: &Array2<bool>) -> (Array2<bool>, Array2<bool>) {
    let (ny, nx) = band.dim();
    let bu = Array2::from_shape_fn((ny, nx + 1), |(i, j)| {
        (j > 0 && band[[i, j - 1]]) || (j < nx && band[[i, j]])
    });
    let bv = Array2::from_shape_fn((ny + 1, nx), |(i, j)| {
        (i > 0 && band[[i - 1, j]]) || (i < ny && band[[i, j]])
    });
    (bu, bv)
}

/// Applies the frame's band rule (switch or noise) to the state's faces.
fn drive_band(
    st: &mut SmokeState,
    faces: &(Array2<bool>, Array2<bool>),
    segment: Option<(f64, f64)>,
    rng: &mut StdRng,
) {
    for (vel, mask, comp) in [(&mut st.u, &faces.0, 0), (&mut st.v, &faces.1, 1)] {
        for (x, _) in vel.iter_mut().zip(mask.iter()).filter(|(_, m)| **m) {
            *x = match segment {
                Some((vx, vy)) => {
                    let m = if comp == 0 { vx } else { vy };
                    normal(rng, m, m.abs() / 10.0)
                }
                None => *x + normal(rng, 0.0, 0.1),
            };
        }
    }
}

/// Simulates one scene of `sim` under `plan`; noise comes from `rng`.
pub fn simulate_expert(sim: &SmokeSim, plan: &ExpertPlan, rng: &mut StdRng) -> Result<SmokeSample> {
    let cfg = sim.config();
    let (n_rec, every) = (cfg.n_frames / cfg.record_every + 1, cfg.record_every);
    let mut st = sim.initial_state(plan.initial_density(cfg))?;
    let mut free = st.density.clone();
    let faces = band_faces(sim.band_mask());
    let mut out = SmokeSample {
        density: Array3::zeros((n_rec, cfg.ny, cfg.nx)),
        velocity: Array4::zeros((n_rec, 2, cfg.ny, cfg.nx)),
        control: Array4::zeros((n_rec, 2, cfg.ny, cfg.nx)),
        smoke: Array2::zeros((n_rec, st.buckets.len() + 1)),
        plan: plan.clone(),
    };
    for k in 0..=cfg.n_frames {
        let seg = plan
            .switch_frames
            .iter()
            .position(|&f| f == k)
            .map(|s| (plan.vx[s], plan.vy[s]));
        drive_band(&mut st, &faces, seg, rng);
        let control = st.centred_velocity() * &sim.band_mask().mapv(|b| f64::from(u8::from(b)));
        sim.step(&mut st, None).map_err(|e| match e {
            SolverError::NonFiniteSolution { .. } => SolverError::NonFiniteSolution { step: k },
            e => e,
        })?;
        free = advect_semi_lagrangian(
            free.view(),
            (0.5, 0.5),
            st.u.view(),
            st.v.view(),
            cfg.cell_size,
            cfg.dt,
        );
        if k % every == 0 && k / every < n_rec {
            let r = k / every;
            out.density.index_axis_mut(Axis(0), r).assign(&free);
            out.velocity
                .index_axis_mut(Axis(0), r)
                .assign(&st.centred_velocity());
            out.control.index_axis_mut(Axis(0), r).assign(&control);
            let row = st.buckets.iter().copied().chain([st.density.sum()]);
            out.smoke
                .row_mut(r)
                .iter_mut()
                .zip(row)
                .for_each(|(o, v)| *o = v);
        }
    }
    Ok(out)
}

/// Generates `n` scenes in parallel; scene `i` uses the seed derived from `(seed, i)`, so results
/// do not depend on the thread count. Failures name the scene index.
pub fn generate_smoke(cfg: &SmokeConfig, n: usize, seed: u64) -> Result<Vec<SmokeSample>> {
    generate_smoke_with_progress(cfg, n, seed, &|| {})
}

/// [`generate_smoke`] that calls `done` once after each finished scene (for progress bars).
pub fn generate_smoke_with_progress(
    cfg: &SmokeConfig,
    n: usize,
    seed: u64,
    done: &(dyn Fn() + Sync),
) -> Result<Vec<SmokeSample>> {
    let sim = SmokeSim::new(cfg.clone())?;
    (0..n)
        .into_par_iter()
        .map(|i| {
            let mut rng = StdRng::seed_from_u64(trajectory_seed(seed, i));
            let plan = sample_expert_plan(&mut rng, cfg.n_frames);
            let out = simulate_expert(&sim, &plan, &mut rng).map_err(|e| SolverError::Trajectory {
                index: i,
                source: Box::new(e),
            });
            done();
            out
        })
        .collect::<Vec<_>>()
        .into_iter()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_follows_repo_distributions() {
        let mut rng = StdRng::seed_from_u64(4);
        for _ in 0..50 {
            let p = sample_expert_plan(&mut rng, 256);
            assert_eq!(p.ys, [p.ys[0], 40, 50, 64, 112]);
            assert!((22..97).contains(&p.xs[0]) && (22..25).contains(&p.ys[0]));
            assert!((56..62).contains(&p.xs[4]) && (50..69).contains(&p.xs[3]));
            assert!(p.switch_frames[0] == 0 && p.switch_frames.windows(2).all(|w| w[0] < w[1]));
            assert!(p.switch_frames[3] <= 256 && p.vy[3] > 0.0);
        }
    }

    #[test]
    fn small_scenes_are_deterministic_and_recorded() {
        let cfg = SmokeConfig {
            n_frames: 8,
            record_every: 4,
            ..SmokeConfig::small()
        };
        let a = generate_smoke(&cfg, 2, 9).unwrap();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let b = pool.install(|| generate_smoke(&cfg, 2, 9)).unwrap();
        assert_eq!(a[1].density, b[1].density);
        assert_eq!(a[0].density.dim(), (3, 63, 63));
        assert_eq!(a[0].smoke.dim(), (3, 8));
        let interior = a[0].control.slice(s![.., .., 8..56, 8..56]);
        assert!(interior.iter().all(|&c| c == 0.0));
        assert!(a[0].control.iter().any(|&c| c != 0.0));
    }

    fn final_target_fractions(cfg: &SmokeConfig, n: usize) -> Vec<f64> {
        let scenes = generate_smoke(cfg, n, 1).unwrap();
        let last = |s: &SmokeSample| s.smoke.row(s.smoke.nrows() - 1).to_owned();
        scenes
            .iter()
            .map(|s| last(s)[super::super::smoke::TARGET_BUCKET] / last(s).sum())
            .collect()
    }

    /// Regression for the closed-box defect (found 2026-12-07): WDNO builds its scene with
    /// `DomainBoundary([(True, True), (True, True)])`, i.e. *open* walls in PhiFlow 0.x. In a closed
    /// box the projection cancels the band's net upward drive, so no expert scene ever reached the
    /// target bucket; with open walls the expert plans deliver smoke there (full 256-frame small
    /// scenes; thresholds sit well below the measured values printed here).
    #[test]
    fn expert_scenes_reach_the_target_only_with_open_walls() {
        let open = final_target_fractions(&SmokeConfig::small(), 4);
        let closed_cfg = SmokeConfig {
            open_boundary: false,
            ..SmokeConfig::small()
        };
        let closed = final_target_fractions(&closed_cfg, 4);
        eprintln!("final target fractions: open walls {open:?}, closed box {closed:?}");
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        assert!(closed.iter().all(|&f| f < 0.01), "{closed:?}");
        assert!(
            mean(&open) > 0.1 && open.iter().any(|&f| f > 0.2),
            "{open:?}"
        );
    }

    /// The first frames of a paper-speed plan (256 frames) conserve smoke to the
    /// semi-Lagrangian tolerance and record the band control.
    #[test]
    fn paper_speed_plan_first_frames() {
        let cfg = SmokeConfig {
            n_frames: 8,
            record_every: 4,
            ..SmokeConfig::small()
        };
        let sim = SmokeSim::new(cfg).unwrap();
        let mut rng = StdRng::seed_from_u64(trajectory_seed(9, 0));
        let plan = sample_expert_plan(&mut rng, 256);
        let out = simulate_expert(&sim, &plan, &mut rng).unwrap();
        let total = out.smoke.row(2).sum();
        assert!((total / 36.0 - 1.0).abs() < 0.01, "smoke total {total}");
        let band_vy = out.control.slice(s![0, 1, 0..8, 20..40]);
        let mean = band_vy.mean().unwrap();
        assert!(
            (mean / plan.vy[0] - 1.0).abs() < 0.1,
            "{mean} vs {}",
            plan.vy[0]
        );
    }
}
