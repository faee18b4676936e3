//! Simulation error of smoke predictions against the solver (brief §4.5, §9.2).
//!
//! WDNO scores smoke simulation by the mean squared error of density and velocity over the
//! predicted frames. Both sides are on the model grid (the data subsampled by the layout's
//! strides, [`super::pack::scene_from_data`]):
//!
//! * density: `MSE_d = mean over n, t ≥ 1, y, x of (d̂ − d)²` — frame 0 is the given `d(0)`,
//!   so it is left out as WDNO does (and as [`crate::pde::wdno::control::simulation_metrics`]
//!   does for Burgers);
//! * velocity: `MSE_v` over every frame and both components — `v(0)` is generated, not given;
//! * target fraction `s(t)`: MSE over every frame.
//!
//! Per-frame values are kept so `pde eval` can print the error's growth in time.

use crate::pde::wdno::error::WdnoError;
use ndarray::{ArrayView2, ArrayView4, ArrayView5, Axis};

/// Smoke fields on the model grid: density `[N, nt, ny, nx]`, velocity `[N, nt, 2, ny, nx]`,
/// target fraction `[N, nt]` (the layout of `pde simulate`'s output file).
#[derive(Debug, Clone, Copy)]
pub struct SmokeFields<'a> {
    pub density: ArrayView4<'a, f64>,
    pub velocity: ArrayView5<'a, f64>,
    pub fraction: ArrayView2<'a, f64>,
}

/// Errors of a smoke prediction; see the module docs for which frames each one averages.
#[derive(Debug, Clone, PartialEq)]
pub struct SmokeSimMetrics {
    /// Scenes compared.
    pub n: usize,
    /// Density MSE over frames `t ≥ 1`.
    pub mse_density: f64,
    /// Velocity MSE over all frames.
    pub mse_velocity: f64,
    /// Target-fraction MSE over all frames.
    pub mse_fraction: f64,
    /// Density MSE of each frame `0..nt` (frame 0 included here, for inspection).
    pub density_per_frame: Vec<f64>,
    /// Velocity MSE of each frame `0..nt`.
    pub velocity_per_frame: Vec<f64>,
}

impl SmokeFields<'_> {
    fn check(&self, what: &str) -> Result<(usize, usize), WdnoError> {
        let (n, nt, ny, nx) = self.density.dim();
        if self.velocity.dim() != (n, nt, 2, ny, nx) || self.fraction.dim() != (n, nt) {
            return Err(WdnoError::Shape(format!(
                "{what}: density {:?}, velocity {:?} and fraction {:?} disagree (need [N, nt, ny, nx], [N, nt, 2, ny, nx], [N, nt])",
                self.density.shape(),
                self.velocity.shape(),
                self.fraction.shape()
            )));
        }
        let finite = self.density.iter().chain(self.velocity.iter()).chain(self.fraction.iter()).all(|v| v.is_finite());
        if !finite {
            return Err(WdnoError::NonFinite(format!("{what} contains NaN or Inf")));
        }
        Ok((n, nt))
    }
}

/// Mean squared difference of each frame (axis 1) of two equally shaped arrays.
fn per_frame<D: ndarray::RemoveAxis>(a: ndarray::ArrayView<f64, D>, b: ndarray::ArrayView<f64, D>) -> Vec<f64> {
    let nt = a.len_of(Axis(1));
    (0..nt)
        .map(|t| {
            let (x, y) = (a.index_axis(Axis(1), t), b.index_axis(Axis(1), t));
            x.iter().zip(y.iter()).map(|(p, q)| (p - q).powi(2)).sum::<f64>() / x.len().max(1) as f64
        })
        .collect()
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// Errors of `pred` against `truth` (equal shapes, at least two frames, finite values).
pub fn smoke_simulation_metrics(pred: &SmokeFields, truth: &SmokeFields) -> Result<SmokeSimMetrics, WdnoError> {
    let (n, nt) = pred.check("prediction")?;
    truth.check("truth")?;
    if pred.density.dim() != truth.density.dim() || nt < 2 || n == 0 {
        return Err(WdnoError::Shape(format!("prediction density {:?} and truth {:?} must have equal shapes [N >= 1, nt >= 2, ny, nx]", pred.density.shape(), truth.density.shape())));
    }
    let density_per_frame = per_frame(pred.density, truth.density);
    let velocity_per_frame = per_frame(pred.velocity, truth.velocity);
    let fraction = per_frame(pred.fraction, truth.fraction);
    Ok(SmokeSimMetrics { n, mse_density: mean(&density_per_frame[1..]), mse_velocity: mean(&velocity_per_frame), mse_fraction: mean(&fraction), density_per_frame, velocity_per_frame })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array2, Array4, Array5};
    use rand::{RngExt, SeedableRng};

    struct Owned(Array4<f64>, Array5<f64>, Array2<f64>);

    impl Owned {
        fn random(seed: u64) -> Self {
            let mut r = rand::rngs::StdRng::seed_from_u64(seed);
            let mut g = || r.random_range(-1.0..1.0);
            Owned(Array4::from_shape_simple_fn((3, 5, 4, 6), &mut g), Array5::from_shape_simple_fn((3, 5, 2, 4, 6), &mut g), Array2::from_shape_simple_fn((3, 5), &mut g))
        }
        fn view(&self) -> SmokeFields<'_> {
            SmokeFields { density: self.0.view(), velocity: self.1.view(), fraction: self.2.view() }
        }
    }

    /// Closed forms: a constant offset c on density frames t ≥ 1 gives MSE_d = c² in every such
    /// frame and leaves the other errors 0; an offset on frame 0 only is not scored; a velocity
    /// offset c gives MSE_v = c² (1e-12: a few float sums).
    #[test]
    fn constant_offsets_give_their_square() {
        let truth = Owned::random(1);
        let same = smoke_simulation_metrics(&truth.view(), &truth.view()).unwrap();
        assert_eq!((same.mse_density, same.mse_velocity, same.mse_fraction, same.n), (0.0, 0.0, 0.0, 3));
        let mut p = Owned(truth.0.clone(), truth.1.clone(), truth.2.clone());
        p.0.slice_mut(ndarray::s![.., 1.., .., ..]).mapv_inplace(|v| v + 0.3);
        p.0.slice_mut(ndarray::s![.., 0, .., ..]).mapv_inplace(|v| v - 5.0);
        p.1.mapv_inplace(|v| v - 0.5);
        p.2.mapv_inplace(|v| v + 0.1);
        let m = smoke_simulation_metrics(&p.view(), &truth.view()).unwrap();
        assert!((m.mse_density - 0.09).abs() < 1e-12, "{}", m.mse_density);
        assert!(m.density_per_frame[1..].iter().all(|v| (v - 0.09).abs() < 1e-12));
        assert!((m.density_per_frame[0] - 25.0).abs() < 1e-12);
        assert!((m.mse_velocity - 0.25).abs() < 1e-12 && (m.mse_fraction - 0.01).abs() < 1e-12);
    }

    /// Brute force: the per-frame density error is the plain quadruple loop, frame by frame.
    #[test]
    fn per_frame_matches_a_direct_loop() {
        let (a, b) = (Owned::random(2), Owned::random(3));
        let m = smoke_simulation_metrics(&a.view(), &b.view()).unwrap();
        for t in 0..5 {
            let mut s = 0.0;
            for i in 0..3 {
                for y in 0..4 {
                    for x in 0..6 {
                        s += (a.0[[i, t, y, x]] - b.0[[i, t, y, x]]).powi(2);
                    }
                }
            }
            assert!((m.density_per_frame[t] - s / 72.0).abs() < 1e-12);
        }
    }

    #[test]
    fn bad_shapes_and_nan_are_errors() {
        let a = Owned::random(4);
        let short = Owned(a.0.slice(ndarray::s![.., ..4, .., ..]).to_owned(), a.1.clone(), a.2.clone());
        assert!(matches!(smoke_simulation_metrics(&short.view(), &a.view()), Err(WdnoError::Shape(_))));
        let fewer = Owned(a.0.slice(ndarray::s![..2, .., .., ..]).to_owned(), a.1.slice(ndarray::s![..2, .., .., .., ..]).to_owned(), a.2.slice(ndarray::s![..2, ..]).to_owned());
        assert!(matches!(smoke_simulation_metrics(&fewer.view(), &a.view()), Err(WdnoError::Shape(_))));
        let mut nan = Owned(a.0.clone(), a.1.clone(), a.2.clone());
        nan.1[[0, 2, 1, 0, 0]] = f64::NAN;
        assert!(matches!(smoke_simulation_metrics(&nan.view(), &a.view()), Err(WdnoError::NonFinite(_))));
    }
}
