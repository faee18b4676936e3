//! The sampler study: every ODE sampler against the exact probability-flow solution on a
//! Gaussian mixture, error versus NFE (core brief §3.3). This is the crate's main job
//! (`scidiff sde study`), its convergence tests and its docs figure.
//!
//! Setup (the core brief's standard parameters): VP linear (β 0.1 → 20), `t_end = 1e-3`, the
//! 3-component 2-D mixture of [`GaussianMixture::brief_standard`], start points the 32×32 grid of
//! normal quantiles. Reference: adaptive Dormand–Prince 5(4) at tolerance 1e-11 on the PF-ODE with
//! the exact score. Metric: mean per-point L2 error at `t_end` (the RMS converges at half the
//! order on a multimodal target because a few points change mode; brief §3.3).

use crate::error::SampleError;
use crate::sampler::ode45::{Tolerance, integrate};
use crate::sampler::{Method, SamplerConfig, sample};
use crate::sde::{Sde, Spacing, VpLinear};
use crate::target::{GaussianMixture, GmmScore, quantile_grid_2d};
use ndarray::{Array2, Axis};
use std::sync::Arc;

/// One measured point.
#[derive(Debug, Clone)]
pub struct StudyRow {
    /// Sampler name.
    pub method: String,
    /// Model evaluations.
    pub nfe: usize,
    /// Mean per-point L2 error against the reference.
    pub mean_error: f64,
    /// Root-mean-square per-point error.
    pub rms_error: f64,
}

/// The exact PF-ODE end points for start points `x_t` (DOPRI5 at tolerance `tol`).
pub fn reference_solution(gmm: &GaussianMixture, sde: Arc<dyn Sde>, x_t: &Array2<f64>, t_end: f64, tol: f64) -> Result<Array2<f64>, SampleError> {
    let (n, d) = x_t.dim();
    let mut model = GmmScore { gmm: gmm.clone(), sde: sde.clone() };
    let rhs = |t: f64, y: &[f64]| -> Result<Vec<f64>, SampleError> {
        let x = Array2::from_shape_vec((n, d), y.to_vec()).expect("shape");
        let s = crate::sampler::Model::eval(&mut model, &x, t)?;
        let (f, g2) = (sde.f(t), sde.g2(t));
        Ok(x.iter().zip(s.iter()).map(|(xv, sv)| f * xv - 0.5 * g2 * sv).collect())
    };
    let y0: Vec<f64> = x_t.iter().copied().collect();
    let (y, _) = integrate(rhs, &y0, sde.t_max(), t_end, Tolerance::new(tol))?;
    Ok(Array2::from_shape_vec((n, d), y).expect("shape"))
}

/// Mean and RMS of the per-row L2 distance.
pub fn errors(a: &Array2<f64>, b: &Array2<f64>) -> (f64, f64) {
    let d: Vec<f64> = (a - b).axis_iter(Axis(0)).map(|r| r.dot(&r).sqrt()).collect();
    let n = d.len() as f64;
    (d.iter().sum::<f64>() / n, (d.iter().map(|v| v * v).sum::<f64>() / n).sqrt())
}

/// The ODE samplers of the study and the grid each is measured on.
pub fn study_methods() -> Vec<(Method, Option<Spacing>)> {
    use Method::*;
    vec![
        (Ddim, None),
        (Euler, None),
        (Heun, None),
        (HeunKarras, None),
        (DpmSolver(2), None),
        (DpmSolver(3), None),
        (DpmSolverPlusPlus(2), None),
        (DpmSolverPlusPlus(3), None),
        (Deis(2), None),
        (Deis(3), None),
        (Plms, None),
    ]
}

/// A prepared study: the target, process, start points and reference end points.
pub struct Study {
    /// The mixture.
    pub gmm: GaussianMixture,
    /// The process.
    pub sde: Arc<dyn Sde>,
    /// Start points at `T`.
    pub x_t: Array2<f64>,
    /// Exact end points at `t_end`.
    pub reference: Array2<f64>,
    /// Where sampling stops.
    pub t_end: f64,
}

impl Study {
    /// The brief's standard setup with an `m × m` quantile grid of start points.
    pub fn standard(m: usize) -> Result<Self, SampleError> {
        let gmm = GaussianMixture::brief_standard();
        let sde: Arc<dyn Sde> = Arc::new(VpLinear::default());
        let x_t = quantile_grid_2d(m, 1.0);
        let t_end = 1e-3;
        let reference = reference_solution(&gmm, sde.clone(), &x_t, t_end, 1e-11)?;
        Ok(Self { gmm, sde, x_t, reference, t_end })
    }

    /// Run one sampler at one NFE and measure it.
    pub fn measure(&self, method: Method, spacing: Option<Spacing>, nfe: usize) -> Result<StudyRow, SampleError> {
        let cfg = SamplerConfig { method, nfe, spacing, t_end: self.t_end, ..SamplerConfig::default() };
        let mut model = GmmScore { gmm: self.gmm.clone(), sde: self.sde.clone() };
        let mut rng = crate::rng(0);
        let out = sample(&cfg, &mut model, std::slice::from_ref(&self.sde), self.x_t.clone(), &mut rng, None)?;
        let (mean_error, rms_error) = errors(&out.x, &self.reference);
        Ok(StudyRow { method: method.name(), nfe: out.nfe, mean_error, rms_error })
    }
}

/// Empirical order `log(e_a/e_b) / log(n_b/n_a)` between consecutive NFEs.
pub fn orders(rows: &[StudyRow]) -> Vec<f64> {
    rows.windows(2).map(|w| (w[0].mean_error / w[1].mean_error).ln() / (w[1].nfe as f64 / w[0].nfe as f64).ln()).collect()
}

/// A plain-text table: one row per sampler, one column per NFE (mean error).
pub fn format_table(rows: &[StudyRow], nfes: &[usize]) -> String {
    let mut s = format!("{:<16}", "sampler");
    for n in nfes {
        s += &format!("{:>11}", format!("NFE {n}"));
    }
    s += "\n";
    let mut names: Vec<&str> = rows.iter().map(|r| r.method.as_str()).collect();
    names.dedup();
    for name in names {
        s += &format!("{name:<16}");
        for n in nfes {
            match rows.iter().find(|r| r.method == name && r.nfe == *n) {
                Some(r) => s += &format!("{:>11.3e}", r.mean_error),
                None => s += &format!("{:>11}", "-"),
            }
        }
        s += "\n";
    }
    s
}
