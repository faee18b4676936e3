//! Upsampling stored trajectories to a finer grid, for super-resolution evaluation (WDNO brief
//! §5.1 "Metrics per stage": a coarse prediction is compared with the fine truth after nearest
//! or bilinear upsampling).
//!
//! The data generator stores subsamples starting at index 0 (`u[::S/nt, ::s/nx]`), so a grid
//! `r` times finer in both axes shares the coarse points: fine `(r·k, r·j)` = coarse `(k, j)`.
//! Between them, *bilinear* interpolates along t and x; *nearest* takes the closest coarse
//! point (ties to the earlier one). Fine points beyond the last coarse column (`x` index
//! `> r·(nx−1)`) take the last column's value (constant extrapolation).

use ndarray::{Array3, ArrayView3};

/// How to fill the fine points between coarse ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsample {
    /// The closest coarse point.
    Nearest,
    /// Linear in t, then linear in x.
    Bilinear,
}

/// Coarse neighbours and weight of fine index `i` (factor `r`, `n` coarse points).
fn stencil(i: usize, r: usize, n: usize, mode: Upsample) -> (usize, usize, f64) {
    let lo = (i / r).min(n - 1);
    let hi = (lo + 1).min(n - 1);
    let frac = if lo == n - 1 { 0.0 } else { (i - lo * r) as f64 / r as f64 };
    match mode {
        Upsample::Bilinear => (lo, hi, frac),
        Upsample::Nearest => (if frac > 0.5 { hi } else { lo }, hi, 0.0),
    }
}

/// `u [N, nt+1, nx]` onto `[N, r·nt + 1, fine_nx]` (`fine_nx` is `r·nx` for the stored grids).
pub fn upsample(u: ArrayView3<f64>, r: usize, fine_nx: usize, mode: Upsample) -> Array3<f64> {
    let (n, t1, nx) = u.dim();
    let ft = r * (t1 - 1) + 1;
    let mut out = Array3::zeros((n, ft, fine_nx));
    for b in 0..n {
        for i in 0..ft {
            let (t0, t1i, wt) = stencil(i, r, t1, mode);
            for j in 0..fine_nx {
                let (x0, x1, wx) = stencil(j, r, nx, mode);
                let row = |t: usize| (1.0 - wx) * u[[b, t, x0]] + wx * u[[b, t, x1]];
                out[[b, i, j]] = (1.0 - wt) * row(t0) + wt * row(t1i);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Oracles: bilinear upsampling reproduces a bilinear function exactly where it
    /// interpolates; both modes keep the shared points; nearest only copies coarse values.
    #[test]
    fn upsampling_reproduces_bilinear_functions_and_shared_points() {
        let f = |t: f64, x: f64| 0.5 + 2.0 * t - 3.0 * x + 1.5 * t * x;
        let coarse = Array3::from_shape_fn((2, 5, 6), |(b, k, j)| f(k as f64, j as f64) + b as f64);
        let fine = upsample(coarse.view(), 2, 12, Upsample::Bilinear);
        assert_eq!(fine.dim(), (2, 9, 12));
        for b in 0..2 {
            for i in 0..9 {
                for j in 0..11 {
                    assert!((fine[[b, i, j]] - f(i as f64 / 2.0, j as f64 / 2.0) - b as f64).abs() < 1e-12, "({i},{j})");
                }
                assert_eq!(fine[[b, i, 11]], fine[[b, i, 10]]);
            }
        }
        let near = upsample(coarse.view(), 2, 12, Upsample::Nearest);
        for i in 0..9 {
            for j in 0..12 {
                assert_eq!(near[[1, i, j]], coarse[[1, (i / 2).min(4), (j / 2).min(5)]]);
            }
        }
        assert_eq!(upsample(coarse.view(), 1, 6, Upsample::Bilinear), coarse);
    }
}
