//! Fréchet distance between Gaussians fitted to two activation sets (Heusel et al. 2017;
//! Preuer et al. 2018 for ChemNet):
//!
//! `d² = ‖μ₁ − μ₂‖² + tr Σ₁ + tr Σ₂ − 2 tr (Σ₁ Σ₂)^{1/2}`.
//!
//! The covariances are unbiased (divisor n − 1, as NumPy's `cov`). For PSD matrices the
//! eigenvalues of `Σ₁Σ₂` are those of the symmetric `R Σ₂ R` with `R = Σ₁^{1/2}`, so the trace
//! term is `Σ √λᵢ(R Σ₂ R)`, computed with two symmetric eigendecompositions in f64 (round-off
//! negatives clamped to zero) instead of a general matrix square root.

use nalgebra::{DMatrix, DVector, SymmetricEigen};
use ndarray::Array2;

use super::FcdError;

/// Mean and unbiased covariance of a set of activation vectors.
#[derive(Debug, Clone, PartialEq)]
pub struct GaussianStats {
    /// Mean vector.
    pub mean: DVector<f64>,
    /// Covariance (divisor n − 1).
    pub cov: DMatrix<f64>,
    /// Number of vectors.
    pub n: usize,
}

impl GaussianStats {
    /// Fits mean and covariance to the rows of `act` (needs at least 2 rows, all finite).
    pub fn fit(act: &Array2<f32>) -> Result<Self, FcdError> {
        let (n, d) = act.dim();
        if n < 2 {
            return Err(FcdError::TooFew(n));
        }
        if act.iter().any(|v| !v.is_finite()) {
            return Err(FcdError::NonFinite);
        }
        let x = DMatrix::from_fn(n, d, |i, j| act[[i, j]] as f64);
        let mean = DVector::from_fn(d, |j, _| x.column(j).sum() / n as f64);
        let mut centred = x;
        for j in 0..d {
            centred.column_mut(j).add_scalar_mut(-mean[j]);
        }
        let cov = centred.transpose() * &centred / (n as f64 - 1.0);
        Ok(Self { mean, cov, n })
    }
}

/// `√` of a symmetric PSD matrix through its eigendecomposition.
fn sqrt_psd(m: &DMatrix<f64>) -> DMatrix<f64> {
    let eig = SymmetricEigen::new(symmetrised(m));
    let s = eig.eigenvalues.map(|l| l.max(0.0).sqrt());
    &eig.eigenvectors * DMatrix::from_diagonal(&s) * eig.eigenvectors.transpose()
}

fn symmetrised(m: &DMatrix<f64>) -> DMatrix<f64> {
    (m + m.transpose()) * 0.5
}

/// `tr (Σ₁ Σ₂)^{1/2}` for symmetric PSD `Σ₁`, `Σ₂`.
pub fn trace_sqrt_product(s1: &DMatrix<f64>, s2: &DMatrix<f64>) -> f64 {
    let r = sqrt_psd(s1);
    let m = symmetrised(&(&r * s2 * &r));
    SymmetricEigen::new(m).eigenvalues.iter().map(|l| l.max(0.0).sqrt()).sum()
}

/// The Fréchet distance `d²` between two fitted Gaussians.
pub fn frechet_distance(a: &GaussianStats, b: &GaussianStats) -> Result<f64, FcdError> {
    if a.mean.len() != b.mean.len() {
        return Err(FcdError::Dimension(a.mean.len(), b.mean.len()));
    }
    let diff = &a.mean - &b.mean;
    Ok(diff.dot(&diff) + a.cov.trace() + b.cov.trace() - 2.0 * trace_sqrt_product(&a.cov, &b.cov))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(mean: Vec<f64>, cov: DMatrix<f64>) -> GaussianStats {
        GaussianStats { mean: DVector::from_vec(mean), cov, n: 10 }
    }

    #[test]
    fn commuting_covariances_have_the_closed_form() {
        // Same eigenvectors Q: d² = ‖Δμ‖² + Σ (√a_i − √b_i)².
        let q = DMatrix::from_row_slice(3, 3, &[2.0, -1.0, 2.0, 2.0, 2.0, -1.0, -1.0, 2.0, 2.0]) / 3.0;
        let (a, b): ([f64; 3], [f64; 3]) = ([4.0, 1.0, 0.25], [1.0, 9.0, 0.0]);
        let ca = &q * DMatrix::from_diagonal(&DVector::from_row_slice(&a)) * q.transpose();
        let cb = &q * DMatrix::from_diagonal(&DVector::from_row_slice(&b)) * q.transpose();
        let d = frechet_distance(&stats(vec![1.0, 0.0, 2.0], ca), &stats(vec![0.0, 0.0, 0.0], cb)).unwrap();
        let expect = 5.0 + a.iter().zip(&b).map(|(x, y)| (x.sqrt() - y.sqrt()).powi(2)).sum::<f64>();
        assert!((d - expect).abs() < 1e-10, "{d} vs {expect}");
    }

    #[test]
    fn non_commuting_2x2_matches_the_explicit_square_root() {
        // For 2×2 PSD M: tr √M = √(tr M + 2√det M).
        let s1 = DMatrix::<f64>::from_row_slice(2, 2, &[2.0, 0.5, 0.5, 1.0]);
        let s2 = DMatrix::<f64>::from_row_slice(2, 2, &[1.0, -0.3, -0.3, 3.0]);
        let p = &s1 * &s2;
        let expect = (p.trace() + 2.0 * p.determinant().sqrt()).sqrt();
        assert!((trace_sqrt_product(&s1, &s2) - expect).abs() < 1e-12);
        let a = stats(vec![0.0, 0.0], s1.clone());
        assert!(frechet_distance(&a, &a).unwrap().abs() < 1e-12, "d(P, P) = 0");
    }

    #[test]
    fn fit_uses_the_unbiased_covariance_and_refuses_bad_input() {
        let act = Array2::from_shape_vec((3, 2), vec![1.0f32, 0.0, 2.0, 1.0, 3.0, 5.0]).unwrap();
        let st = GaussianStats::fit(&act).unwrap();
        assert_eq!(st.mean.as_slice(), &[2.0, 2.0]);
        assert!((st.cov[(0, 0)] - 1.0).abs() < 1e-12 && (st.cov[(0, 1)] - 2.5).abs() < 1e-12);
        assert!(matches!(GaussianStats::fit(&Array2::zeros((1, 2))), Err(FcdError::TooFew(1))));
        let nan = Array2::from_elem((3, 2), f32::NAN);
        assert!(matches!(GaussianStats::fit(&nan), Err(FcdError::NonFinite)));
    }
}
