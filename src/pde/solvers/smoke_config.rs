//! Configuration and geometry of the smoke solver (brief §1.2): presets, WDNO's maze obstacles
//! and absorbing buckets (`build_obstacles_pi_128`, `get_bucket_mask` at 127²), and the initial
//! density law.

use ndarray::{Array2, s};
use rand::RngExt;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};

use super::error::{Result, SolverError};

/// Axis-aligned cell rectangle `[y0, y1) × [x0, x1)` (indices `[y, x]`, `y` upward).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rect {
    /// First row.
    pub y0: usize,
    /// One past the last row.
    pub y1: usize,
    /// First column.
    pub x0: usize,
    /// One past the last column.
    pub x1: usize,
}

const fn r(y0: usize, y1: usize, x0: usize, x1: usize) -> Rect {
    Rect { y0, y1, x0, x1 }
}

/// WDNO's maze obstacles at 127² (`build_obstacles_pi_128`): bottom bar, side posts, bucket rims,
/// four vertical posts and the horizontal bar at `y = 40`.
pub const WDNO_OBSTACLES: [Rect; 16] = [
    r(16, 17, 16, 112),
    r(16, 24, 16, 17),
    r(40, 56, 16, 17),
    r(72, 112, 16, 17),
    r(16, 24, 112, 113),
    r(40, 56, 112, 113),
    r(72, 112, 112, 113),
    r(112, 113, 16, 24),
    r(112, 113, 40, 56),
    r(112, 113, 72, 88),
    r(112, 113, 104, 112),
    r(64, 80, 48, 49),
    r(96, 112, 48, 49),
    r(64, 80, 80, 81),
    r(96, 112, 80, 81),
    r(40, 41, 40, 88),
];

/// WDNO's 7 absorbing buckets at 127² (`get_bucket_mask`); index 1 is the target.
pub const WDNO_BUCKETS: [Rect; 7] = [
    r(112, 127, 22, 42),
    r(112, 127, 54, 74),
    r(112, 127, 86, 106),
    r(22, 42, 0, 16),
    r(54, 74, 0, 16),
    r(22, 42, 112, 127),
    r(54, 74, 112, 127),
];

/// Index of the target bucket in [`WDNO_BUCKETS`].
pub const TARGET_BUCKET: usize = 1;

/// Domain geometry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Geometry {
    /// WDNO's maze and buckets, scaled by `(n+1)/128` (default).
    #[default]
    WdnoMaze,
    /// Empty closed box, no buckets.
    ClosedBox,
}

/// Density advection scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum DensityAdvection {
    /// Semi-Lagrangian, bilinear, replicate boundary (WDNO/PhiFlow; default). Not exactly conservative.
    #[default]
    SemiLagrangian,
    /// Donor-cell flux form: exactly conservative, first order, CFL-limited.
    DonorCell,
}

/// A constant density source: adds `rate·dt` per frame to every fluid cell in `region`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Inflow {
    /// Source cells.
    pub region: Rect,
    /// Density added per unit time.
    pub rate: f64,
}

/// Smoke configuration. `Default` is the paper preset (brief §1.2): 127² cells, `h = 1`, `dt = 1`,
/// 256 frames, band width 16, WDNO maze, open walls, initial velocity (0, 0.2), no self-advection, viscosity,
/// buoyancy or inflow, semi-Lagrangian density, CG tolerance 1e-8, record every 8th frame.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmokeConfig {
    /// Cells in x (paper 127, small 63).
    pub nx: usize,
    /// Cells in y (paper 127, small 63).
    pub ny: usize,
    /// Cell size (paper 1, small 2: same physical domain and velocity units).
    pub cell_size: f64,
    /// Time step per frame (paper 1).
    pub dt: f64,
    /// Frames per simulation (paper 256).
    pub n_frames: usize,
    /// Control band width in cells (paper 16, small 8).
    pub band_width: usize,
    /// Geometry (paper `WdnoMaze`).
    pub geometry: Geometry,
    /// Open domain walls: fluid may cross the outer boundary, where the pressure is 0 (paper
    /// true: WDNO builds `DomainBoundary([(True, True), (True, True)])`, whose argument is
    /// PhiFlow 0.x's `open` flag). `false` gives a closed no-through-flow box.
    pub open_boundary: bool,
    /// Initial uniform velocity `(vx, vy)` (paper (0, 0.2)).
    pub initial_velocity: [f64; 2],
    /// Semi-Lagrangian self-advection of velocity (paper false).
    pub advect_velocity: bool,
    /// Kinematic viscosity (paper 0).
    pub viscosity: f64,
    /// Buoyancy `b` in `∂_t v += b d` (paper 0).
    pub buoyancy: f64,
    /// Density advection (paper semi-Lagrangian).
    pub density_advection: DensityAdvection,
    /// Optional density source (paper none).
    pub inflow: Option<Inflow>,
    /// CG relative tolerance (paper 1e-8).
    pub cg_tolerance: f64,
    /// CG iteration cap (default 10 000).
    pub cg_max_iter: usize,
    /// Record every k-th frame (paper 8 ⇒ 33 records for 256 frames).
    pub record_every: usize,
}

impl Default for SmokeConfig {
    fn default() -> Self {
        Self::paper()
    }
}

impl SmokeConfig {
    /// WDNO paper setting (brief §1.2).
    pub fn paper() -> Self {
        Self {
            nx: 127,
            ny: 127,
            cell_size: 1.0,
            dt: 1.0,
            n_frames: 256,
            band_width: 16,
            geometry: Geometry::WdnoMaze,
            open_boundary: true,
            initial_velocity: [0.0, 0.2],
            advect_velocity: false,
            viscosity: 0.0,
            buoyancy: 0.0,
            density_advection: DensityAdvection::SemiLagrangian,
            inflow: None,
            cg_tolerance: 1e-8,
            cg_max_iter: 10_000,
            record_every: 8,
        }
    }

    /// Half resolution (63², `h = 2`) on the same physical domain, time and velocity units.
    pub fn small() -> Self {
        Self {
            nx: 63,
            ny: 63,
            cell_size: 2.0,
            band_width: 8,
            ..Self::paper()
        }
    }

    /// Checks every field; errors name the offending value.
    pub fn validate(&self) -> Result<()> {
        let bad = |m: String| Err(SolverError::InvalidConfig(m));
        let scalars = [
            ("cell_size", self.cell_size),
            ("dt", self.dt),
            ("cg_tolerance", self.cg_tolerance),
        ];
        if let Some((name, v)) = scalars.iter().find(|(_, v)| !(v.is_finite() && *v > 0.0)) {
            return bad(format!("{name} = {v} must be finite and > 0"));
        }
        if !(self.viscosity.is_finite() && self.viscosity >= 0.0) {
            return bad(format!(
                "viscosity = {} must be finite and >= 0",
                self.viscosity
            ));
        }
        if !self.buoyancy.is_finite() || !self.initial_velocity.iter().all(|v| v.is_finite()) {
            return bad(format!(
                "buoyancy {} / initial_velocity {:?} not finite",
                self.buoyancy, self.initial_velocity
            ));
        }
        if self.nx < 3 || self.ny < 3 || 2 * self.band_width >= self.nx.min(self.ny) {
            return bad(format!(
                "grid {}x{} (need >= 3) with band_width {} too small",
                self.nx, self.ny, self.band_width
            ));
        }
        if self.cg_max_iter == 0 || self.record_every == 0 {
            return bad(format!(
                "cg_max_iter {} and record_every {} must be >= 1",
                self.cg_max_iter, self.record_every
            ));
        }
        Ok(())
    }

    /// Obstacles and buckets, WDNO's 127² coordinates scaled by `(n+1)/128`.
    pub fn layout(&self) -> (Vec<Rect>, Vec<Rect>) {
        match self.geometry {
            Geometry::ClosedBox => (vec![], vec![]),
            Geometry::WdnoMaze => {
                let sc = |rs: &[Rect]| rs.iter().map(|q| self.scale_rect(q)).collect();
                (sc(&WDNO_OBSTACLES), sc(&WDNO_BUCKETS))
            }
        }
    }

    fn scale_rect(&self, q: &Rect) -> Rect {
        let map = |a: usize, b: usize, n: usize| {
            let f = (n + 1) as f64 / 128.0;
            let lo = ((a as f64 * f).floor() as usize).min(n - 1);
            let hi = ((b as f64 * f).ceil() as usize).clamp(lo + 1, n);
            (lo, hi)
        };
        let (y0, y1) = map(q.y0, q.y1, self.ny);
        let (x0, x1) = map(q.x0, q.x1, self.nx);
        Rect { y0, y1, x0, x1 }
    }
}

/// Samples WDNO's initial density: an 11×11 block of ones (scaled by `(n+1)/128`) with lower-left
/// corner `x0 ∈ [22, 97)`, `y0 ∈ [22, 25)` in 127² coordinates.
pub fn sample_initial_density(cfg: &SmokeConfig, rng: &mut StdRng) -> Array2<f64> {
    let (fx, fy) = ((cfg.nx + 1) as f64 / 128.0, (cfg.ny + 1) as f64 / 128.0);
    let x0 = (rng.random_range(22..97) as f64 * fx).floor() as usize;
    let y0 = (rng.random_range(22..25) as f64 * fy).floor() as usize;
    let (wx, wy) = (
        ((11.0 * fx).round() as usize).max(1),
        ((11.0 * fy).round() as usize).max(1),
    );
    let mut d = Array2::zeros((cfg.ny, cfg.nx));
    d.slice_mut(s![y0..(y0 + wy).min(cfg.ny), x0..(x0 + wx).min(cfg.nx)])
        .fill(1.0);
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wdno_layout_matches_repo_and_scales() {
        let paper = SmokeConfig::paper();
        let (obs, buckets) = paper.layout();
        assert_eq!(obs, WDNO_OBSTACLES.to_vec());
        assert_eq!(buckets, WDNO_BUCKETS.to_vec());
        let (_, small_buckets) = SmokeConfig::small().layout();
        assert_eq!(
            small_buckets[TARGET_BUCKET],
            Rect {
                y0: 56,
                y1: 63,
                x0: 27,
                x1: 37
            }
        );
    }

    #[test]
    fn presets_and_validation() {
        let p = SmokeConfig::default();
        assert_eq!(
            (p.nx, p.dt, p.n_frames, p.band_width, p.record_every),
            (127, 1.0, 256, 16, 8)
        );
        assert_eq!(p.initial_velocity, [0.0, 0.2]);
        assert!(SmokeConfig::small().validate().is_ok());
        let err = SmokeConfig {
            dt: -1.0,
            ..SmokeConfig::small()
        }
        .validate()
        .unwrap_err();
        assert!(err.to_string().contains("dt = -1"), "{err}");
    }
}
