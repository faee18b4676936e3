//! Sample-quality metrics shared by the domains.

use ndarray::{Array2, Axis};

/// Unbiased estimate of the squared maximum mean discrepancy (Gretton et al. 2012, eq. 3) with
/// the Gaussian kernel `k(a, b) = exp(-|a - b|² / (2 h²))`. Its expectation is 0 when `x` and
/// `y` come from the same distribution, so small negative values are normal.
pub fn mmd2_unbiased(x: &Array2<f64>, y: &Array2<f64>, bandwidth: f64) -> f64 {
    assert_eq!(x.ncols(), y.ncols(), "samples must have the same dimension");
    let k = |a: ndarray::ArrayView1<f64>, b: ndarray::ArrayView1<f64>| {
        let d2: f64 = a.iter().zip(b.iter()).map(|(u, v)| (u - v).powi(2)).sum();
        (-d2 / (2.0 * bandwidth * bandwidth)).exp()
    };
    let within = |s: &Array2<f64>| {
        let n = s.nrows();
        let mut acc = 0.0;
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    acc += k(s.row(i), s.row(j));
                }
            }
        }
        acc / (n * (n - 1)) as f64
    };
    let cross: f64 = x.axis_iter(Axis(0)).map(|a| y.axis_iter(Axis(0)).map(|b| k(a, b)).sum::<f64>()).sum();
    within(x) + within(y) - 2.0 * cross / (x.nrows() * y.nrows()) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Closed form for 1-D point sets: x = {0, 1}, y = {0, 3}, h = 1:
    /// within(x) = e^{-1/2}, within(y) = e^{-9/2}, cross = (1 + e^{-9/2} + e^{-1/2} + e^{-2})/4.
    #[test]
    fn matches_hand_computation() {
        let x = Array2::from_shape_vec((2, 1), vec![0.0, 1.0]).unwrap();
        let y = Array2::from_shape_vec((2, 1), vec![0.0, 3.0]).unwrap();
        let e = |v: f64| (-v).exp();
        let want = e(0.5) + e(4.5) - 2.0 * (1.0 + e(4.5) + e(0.5) + e(2.0)) / 4.0;
        assert!((mmd2_unbiased(&x, &y, 1.0) - want).abs() < 1e-14);
    }
}
