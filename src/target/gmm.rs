//! Gaussian mixtures: the exact oracle for every linear-Gaussian forward process.
//!
//! If `p_0 = Σ_k w_k N(mu_k, Sigma_k)` and `x_t = alpha x_0 + sigma z`, then
//! `p_t = Σ_k w_k N(alpha mu_k, C_k)` with `C_k = alpha² Sigma_k + sigma² I` (core brief §3.0).
//! With responsibilities `r_k ∝ w_k N(x; alpha mu_k, C_k)` and component scores
//! `s_k = -C_k⁻¹ (x - alpha mu_k)`:
//!
//! * score `s = Σ r_k s_k`;
//! * Hessian of `log p_t`: `H = -Σ r_k C_k⁻¹ + Σ r_k s_k s_kᵀ - s sᵀ`, whose trace is the exact
//!   divergence used by the likelihood and whose quadratic form `vᵀ H v` is the exact
//!   Hutchinson probe value.
//!
//! For VE (alpha = 1) this is score_sde's convention `p_0 = p_data * N(0, σ_min² I)`.

use crate::error::{ConfigError, SampleError};
use crate::sampler::{DivergenceModel, Model};
use crate::sde::{Prediction, Sde};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2, Axis};
use rand::RngExt;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};
use std::sync::Arc;

/// A Gaussian mixture with full covariances.
#[derive(Debug, Clone)]
pub struct GaussianMixture {
    weights: Vec<f64>,
    means: Vec<Vec<f64>>,
    covs: Vec<Vec<f64>>, // row-major d×d
    dim: usize,
}

/// Lower Cholesky factor of a row-major symmetric `d×d` matrix, or `None` if not positive definite.
fn cholesky(a: &[f64], d: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; d * d];
    for i in 0..d {
        for j in 0..=i {
            let s: f64 = a[i * d + j] - (0..j).map(|k| l[i * d + k] * l[j * d + k]).sum::<f64>();
            if i == j {
                if s <= 0.0 || !s.is_finite() {
                    return None;
                }
                l[i * d + i] = s.sqrt();
            } else {
                l[i * d + j] = s / l[j * d + j];
            }
        }
    }
    Some(l)
}

/// Inverse of an SPD matrix from its Cholesky factor.
fn inverse_from_cholesky(l: &[f64], d: usize) -> Vec<f64> {
    // Solve L Y = I, then Lᵀ X = Y.
    let mut inv = vec![0.0; d * d];
    for c in 0..d {
        let mut y = vec![0.0; d];
        for i in 0..d {
            let rhs = if i == c { 1.0 } else { 0.0 };
            y[i] = (rhs - (0..i).map(|k| l[i * d + k] * y[k]).sum::<f64>()) / l[i * d + i];
        }
        for i in (0..d).rev() {
            let v = (y[i] - (i + 1..d).map(|k| l[k * d + i] * inv[k * d + c]).sum::<f64>()) / l[i * d + i];
            inv[i * d + c] = v;
        }
    }
    inv
}

impl GaussianMixture {
    /// A mixture from weights, means and full covariances (row-major `d×d`).
    pub fn new(weights: Vec<f64>, means: Vec<Vec<f64>>, covs: Vec<Vec<f64>>) -> Result<Self, ConfigError> {
        let k = weights.len();
        if k == 0 {
            return Err(ConfigError::Invalid("gmm needs at least one component".into()));
        }
        if means.len() != k || covs.len() != k {
            return Err(ConfigError::Invalid(format!(
                "gmm has {k} weights but {} means and {} covariances",
                means.len(),
                covs.len()
            )));
        }
        if let Some(w) = weights.iter().find(|w| !w.is_finite() || **w < 0.0) {
            return Err(ConfigError::Invalid(format!("gmm weights must be finite and >= 0, got {w}")));
        }
        let total: f64 = weights.iter().sum();
        if (total - 1.0).abs() > 1e-6 {
            return Err(ConfigError::Invalid(format!("gmm weights must sum to 1, they sum to {total}")));
        }
        let dim = means[0].len();
        if dim == 0 {
            return Err(ConfigError::Invalid("gmm means must have at least one coordinate".into()));
        }
        for (i, (m, c)) in means.iter().zip(&covs).enumerate() {
            if m.len() != dim {
                return Err(ConfigError::Invalid(format!("gmm mean {i} has {} coordinates, mean 0 has {dim}", m.len())));
            }
            if m.iter().any(|v| !v.is_finite()) {
                return Err(ConfigError::Invalid(format!("gmm mean {i} is not finite")));
            }
            if c.len() != dim * dim || cholesky(c, dim).is_none() {
                return Err(ConfigError::Invalid(format!("gmm covariance {i} is not a positive definite {dim}x{dim} matrix")));
            }
        }
        Ok(Self { weights, means, covs, dim })
    }

    /// A mixture with diagonal covariances given by per-coordinate standard deviations.
    pub fn diagonal(weights: Vec<f64>, means: Vec<Vec<f64>>, stds: Vec<Vec<f64>>) -> Result<Self, ConfigError> {
        let mut covs = Vec::with_capacity(stds.len());
        for (i, s) in stds.iter().enumerate() {
            if let Some(v) = s.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
                return Err(ConfigError::Invalid(format!("gmm stds[{i}] must be positive and finite, got {v}")));
            }
            let d = s.len();
            covs.push((0..d * d).map(|ij| if ij / d == ij % d { s[ij / d] * s[ij / d] } else { 0.0 }).collect());
        }
        Self::new(weights, means, covs)
    }

    /// The core brief's standard 3-component 2-D mixture (§3.0), with correlated covariances.
    pub fn brief_standard() -> Self {
        Self::new(
            vec![0.5, 0.3, 0.2],
            vec![vec![-2.0, 0.0], vec![2.0, 0.5], vec![0.0, 2.5]],
            vec![vec![0.25, 0.10, 0.10, 0.15], vec![0.10, -0.05, -0.05, 0.20], vec![0.05, 0.0, 0.0, 0.05]],
        )
        .expect("the standard mixture is valid")
    }

    /// Dimension `d`.
    pub fn dim(&self) -> usize {
        self.dim
    }
    /// Number of components.
    pub fn n_components(&self) -> usize {
        self.weights.len()
    }
    /// Component weights.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// The noised marginal at `(alpha, sigma)`: means `alpha mu_k`, covariances `alpha² Sigma_k + sigma² I`.
    pub fn marginal(&self, alpha: f64, sigma: f64) -> GmmMarginal {
        let d = self.dim;
        let comps = (0..self.n_components())
            .map(|k| {
                let mean: Vec<f64> = self.means[k].iter().map(|m| alpha * m).collect();
                let cov: Vec<f64> = (0..d * d)
                    .map(|ij| alpha * alpha * self.covs[k][ij] + if ij / d == ij % d { sigma * sigma } else { 0.0 })
                    .collect();
                Component::new(self.weights[k], mean, cov, d)
            })
            .collect();
        GmmMarginal { comps, dim: d }
    }

    /// The marginal of `sde` at time `t`.
    pub fn marginal_at(&self, sde: &dyn Sde, t: f64) -> GmmMarginal {
        self.marginal(sde.alpha(t), sde.sigma(t))
    }

    /// The data distribution itself (`alpha = 1, sigma = 0`).
    pub fn data(&self) -> GmmMarginal {
        self.marginal(1.0, 0.0)
    }
}

#[derive(Debug, Clone)]
struct Component {
    log_w: f64,
    mean: Vec<f64>,
    cov: Vec<f64>,
    chol: Vec<f64>,
    prec: Vec<f64>,
    log_norm: f64, // -d/2 log 2π - 1/2 log det C
}

impl Component {
    fn new(w: f64, mean: Vec<f64>, cov: Vec<f64>, d: usize) -> Self {
        let chol = cholesky(&cov, d).expect("noised covariance is positive definite");
        let prec = inverse_from_cholesky(&chol, d);
        let log_det: f64 = 2.0 * (0..d).map(|i| chol[i * d + i].ln()).sum::<f64>();
        let log_norm = -0.5 * d as f64 * (2.0 * std::f64::consts::PI).ln() - 0.5 * log_det;
        Self { log_w: w.ln(), mean, cov, chol, prec, log_norm }
    }
}

/// Per-point quantities of a mixture marginal.
struct PointEval {
    log_p: f64,
    score: Vec<f64>,
    resp: Vec<f64>,
    comp_scores: Vec<Vec<f64>>,
}

/// A Gaussian mixture at one noise level, with precomputed factorisations.
#[derive(Debug, Clone)]
pub struct GmmMarginal {
    comps: Vec<Component>,
    dim: usize,
}

impl GmmMarginal {
    fn eval_point(&self, x: ArrayView1<f64>) -> PointEval {
        let d = self.dim;
        let mut logs = Vec::with_capacity(self.comps.len());
        let mut comp_scores = Vec::with_capacity(self.comps.len());
        for c in &self.comps {
            let diff: Vec<f64> = (0..d).map(|i| x[i] - c.mean[i]).collect();
            let s: Vec<f64> = (0..d).map(|i| -(0..d).map(|j| c.prec[i * d + j] * diff[j]).sum::<f64>()).collect();
            let quad: f64 = -(0..d).map(|i| diff[i] * s[i]).sum::<f64>();
            logs.push(c.log_w + c.log_norm - 0.5 * quad);
            comp_scores.push(s);
        }
        let m = logs.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let z: f64 = logs.iter().map(|l| (l - m).exp()).sum();
        let resp: Vec<f64> = logs.iter().map(|l| (l - m).exp() / z).collect();
        let score = (0..d).map(|i| resp.iter().zip(&comp_scores).map(|(r, s)| r * s[i]).sum()).collect();
        PointEval { log_p: m + z.ln(), score, resp, comp_scores }
    }

    fn check(&self, x: &ArrayView2<f64>) {
        assert_eq!(x.ncols(), self.dim, "points have {} coordinates, the mixture {}", x.ncols(), self.dim);
    }

    /// `log p_t(x)` per row.
    pub fn log_prob(&self, x: ArrayView2<f64>) -> Array1<f64> {
        self.check(&x);
        x.axis_iter(Axis(0)).map(|r| self.eval_point(r).log_p).collect()
    }

    /// `grad log p_t(x)` per row.
    pub fn score(&self, x: ArrayView2<f64>) -> Array2<f64> {
        self.check(&x);
        let mut out = Array2::zeros(x.raw_dim());
        for (r, mut o) in x.axis_iter(Axis(0)).zip(out.axis_iter_mut(Axis(0))) {
            let e = self.eval_point(r);
            o.iter_mut().zip(e.score).for_each(|(o, s)| *o = s);
        }
        out
    }

    /// Score per row and, per row, either the exact Laplacian `tr H` (no probe) or `vᵀ H v` for the
    /// row's probe vector `v`.
    pub fn score_and_hessian_form(&self, x: ArrayView2<f64>, probes: Option<ArrayView2<f64>>) -> (Array2<f64>, Array1<f64>) {
        self.check(&x);
        let d = self.dim;
        let mut score = Array2::zeros(x.raw_dim());
        let mut form = Array1::zeros(x.nrows());
        for (n, r) in x.axis_iter(Axis(0)).enumerate() {
            let e = self.eval_point(r);
            score.row_mut(n).iter_mut().zip(&e.score).for_each(|(o, s)| *o = *s);
            let dot = |a: &[f64], b: &dyn Fn(usize) -> f64| (0..d).map(|i| a[i] * b(i)).sum::<f64>();
            form[n] = match &probes {
                None => {
                    let mut tr = -dot(&e.score, &|i| e.score[i]);
                    for (k, c) in self.comps.iter().enumerate() {
                        let tr_p: f64 = (0..d).map(|i| c.prec[i * d + i]).sum();
                        tr += e.resp[k] * (-tr_p + dot(&e.comp_scores[k], &|i| e.comp_scores[k][i]));
                    }
                    tr
                }
                Some(p) => {
                    let v = p.row(n);
                    let sv = dot(&e.score, &|i| v[i]);
                    let mut q = -sv * sv;
                    for (k, c) in self.comps.iter().enumerate() {
                        let vpv: f64 = (0..d).map(|i| v[i] * (0..d).map(|j| c.prec[i * d + j] * v[j]).sum::<f64>()).sum();
                        let skv = dot(&e.comp_scores[k], &|i| v[i]);
                        q += e.resp[k] * (-vpv + skv * skv);
                    }
                    q
                }
            };
        }
        (score, form)
    }

    /// Index of the most responsible component per row.
    pub fn assign(&self, x: ArrayView2<f64>) -> Vec<usize> {
        self.check(&x);
        x.axis_iter(Axis(0))
            .map(|r| {
                let e = self.eval_point(r);
                (0..e.resp.len()).max_by(|a, b| e.resp[*a].total_cmp(&e.resp[*b])).unwrap_or(0)
            })
            .collect()
    }

    /// The exact CDF of coordinate `j` (a mixture of normal CDFs).
    pub fn cdf_1d(&self, j: usize, value: f64) -> f64 {
        let d = self.dim;
        self.comps
            .iter()
            .map(|c| c.log_w.exp() * super::normal_cdf((value - c.mean[j]) / c.cov[j * d + j].sqrt()))
            .sum()
    }

    /// Mixture mean.
    pub fn mean(&self) -> Vec<f64> {
        (0..self.dim).map(|i| self.comps.iter().map(|c| c.log_w.exp() * c.mean[i]).sum()).collect()
    }

    /// Mixture covariance (row-major `d×d`).
    pub fn covariance(&self) -> Vec<f64> {
        let (d, mu) = (self.dim, self.mean());
        (0..d * d)
            .map(|ij| {
                let (i, j) = (ij / d, ij % d);
                self.comps
                    .iter()
                    .map(|c| c.log_w.exp() * (c.cov[ij] + (c.mean[i] - mu[i]) * (c.mean[j] - mu[j])))
                    .sum()
            })
            .collect()
    }

    /// `n` independent draws.
    pub fn sample(&self, n: usize, rng: &mut StdRng) -> Array2<f64> {
        let d = self.dim;
        let mut out = Array2::zeros((n, d));
        for mut row in out.axis_iter_mut(Axis(0)) {
            let u: f64 = rng.random();
            let mut acc = 0.0;
            let mut k = self.comps.len() - 1;
            for (i, c) in self.comps.iter().enumerate() {
                acc += c.log_w.exp();
                if u < acc {
                    k = i;
                    break;
                }
            }
            let c = &self.comps[k];
            let z: Vec<f64> = (0..d).map(|_| StandardNormal.sample(rng)).collect();
            for i in 0..d {
                row[i] = c.mean[i] + (0..=i).map(|j| c.chol[i * d + j] * z[j]).sum::<f64>();
            }
        }
        out
    }
}

/// The exact score of a mixture under a forward SDE: a "perfect network" for the samplers.
#[derive(Debug, Clone)]
pub struct GmmScore {
    /// The data distribution.
    pub gmm: GaussianMixture,
    /// The forward process.
    pub sde: Arc<dyn Sde>,
}

impl GmmScore {
    fn check(&self, x: &Array2<f64>) -> Result<(), SampleError> {
        if x.ncols() != self.gmm.dim() {
            return Err(SampleError::Shape(format!(
                "state has {} coordinates, the target mixture {}",
                x.ncols(),
                self.gmm.dim()
            )));
        }
        Ok(())
    }
}

impl Model<Array2<f64>> for GmmScore {
    fn prediction(&self) -> Prediction {
        Prediction::Score
    }
    fn eval(&mut self, x: &Array2<f64>, t: f64) -> Result<Array2<f64>, SampleError> {
        self.check(x)?;
        Ok(self.gmm.marginal_at(self.sde.as_ref(), t).score(x.view()))
    }
}

impl DivergenceModel for GmmScore {
    fn score_and_divergence(
        &mut self,
        x: &Array2<f64>,
        t: f64,
        probes: Option<&Array2<f64>>,
    ) -> Result<(Array2<f64>, Array1<f64>), SampleError> {
        self.check(x)?;
        let m = self.gmm.marginal_at(self.sde.as_ref(), t);
        Ok(m.score_and_hessian_form(x.view(), probes.map(|p| p.view())))
    }
}
