//! An adaptive Dormand–Prince 5(4) integrator in `f64` (Dormand & Prince 1980; Hairer, Nørsett
//! & Wanner, *Solving ODEs I*, §II.5 and II.4 for the step-size control). It is the reference
//! solver for the PF-ODE in tests and the integrator behind the likelihood.

use crate::error::SampleError;

const C: [f64; 7] = [0.0, 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0, 1.0, 1.0];
const A: [&[f64]; 7] = [
    &[],
    &[1.0 / 5.0],
    &[3.0 / 40.0, 9.0 / 40.0],
    &[44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0],
    &[19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0],
    &[9017.0 / 3168.0, -355.0 / 33.0, 46732.0 / 5247.0, 49.0 / 176.0, -5103.0 / 18656.0],
    &[35.0 / 384.0, 0.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0],
];
/// Fourth-order embedded weights (for the error estimate).
const B4: [f64; 7] = [5179.0 / 57600.0, 0.0, 7571.0 / 16695.0, 393.0 / 640.0, -92097.0 / 339200.0, 187.0 / 2100.0, 1.0 / 40.0];

/// Tolerances and limits of [`integrate`].
#[derive(Debug, Clone, Copy)]
pub struct Tolerance {
    /// Relative tolerance.
    pub rtol: f64,
    /// Absolute tolerance.
    pub atol: f64,
    /// Give up after this many right-hand-side evaluations.
    pub max_evals: usize,
}

impl Tolerance {
    /// Equal relative and absolute tolerance.
    pub fn new(tol: f64) -> Self {
        Self { rtol: tol, atol: tol, max_evals: 2_000_000 }
    }
}

/// Integrate `dy/dt = rhs(t, y)` from `t0` to `t1` (either direction). Returns `y(t1)` and the
/// number of right-hand-side evaluations.
pub fn integrate(
    mut rhs: impl FnMut(f64, &[f64]) -> Result<Vec<f64>, SampleError>,
    y0: &[f64],
    t0: f64,
    t1: f64,
    tol: Tolerance,
) -> Result<(Vec<f64>, usize), SampleError> {
    let n = y0.len();
    let dir = (t1 - t0).signum();
    let span = (t1 - t0).abs();
    let mut t = t0;
    let mut y = y0.to_vec();
    let mut h = span * 1e-3;
    let mut k0 = rhs(t, &y)?;
    let mut evals = 1;
    while (t1 - t) * dir > 0.0 {
        if (t + dir * h - t1) * dir > 0.0 {
            h = (t1 - t).abs();
        }
        let mut k = vec![k0.clone()];
        let mut y5 = vec![0.0; n];
        for s in 1..7 {
            let yi: Vec<f64> = (0..n).map(|i| y[i] + dir * h * A[s].iter().enumerate().map(|(j, a)| a * k[j][i]).sum::<f64>()).collect();
            if s == 6 {
                y5.clone_from(&yi);
            }
            k.push(rhs(t + dir * h * C[s], &yi)?);
            evals += 1;
        }
        let err = (0..n)
            .map(|i| {
                let e = dir * h * (0..7).map(|j| (A[6].get(j).copied().unwrap_or(0.0) - B4[j]) * k[j][i]).sum::<f64>();
                let sc = tol.atol + tol.rtol * y[i].abs().max(y5[i].abs());
                (e / sc).powi(2)
            })
            .sum::<f64>();
        let err = (err / n.max(1) as f64).sqrt();
        if !err.is_finite() {
            return Err(SampleError::NonFinite { t, step: evals });
        }
        if err <= 1.0 {
            t += dir * h;
            y = y5;
            k0 = k.pop().expect("seven stages");
        }
        let fac = if err == 0.0 { 5.0 } else { (0.9 * err.powf(-0.2)).clamp(0.2, 5.0) };
        h *= fac;
        if evals > tol.max_evals {
            return Err(SampleError::Model(format!("ODE integration needed more than {} evaluations", tol.max_evals)));
        }
    }
    Ok((y, evals))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// y' = -2 t y has the exact solution y = exp(-t²); y' = cos t gives sin t.
    #[test]
    fn matches_closed_forms() {
        let (y, _) = integrate(|t, y| Ok(vec![-2.0 * t * y[0], t.cos()]), &[1.0, 0.0], 0.0, 2.0, Tolerance::new(1e-12)).unwrap();
        assert!((y[0] - (-4.0f64).exp()).abs() < 1e-10);
        assert!((y[1] - 2.0f64.sin()).abs() < 1e-10);
        // Backwards in time.
        let (y, _) = integrate(|_, y| Ok(vec![y[0]]), &[1.0], 1.0, 0.0, Tolerance::new(1e-12)).unwrap();
        assert!((y[0] - (-1.0f64).exp()).abs() < 1e-11);
    }

    /// Halving the tolerance by 10^5 shrinks the error by roughly that much (tolerance
    /// proportionality), so the controller is really controlling.
    #[test]
    fn error_tracks_tolerance() {
        let err = |tol: f64| {
            let (y, _) = integrate(|_, y| Ok(vec![y[1], -y[0]]), &[0.0, 1.0], 0.0, 10.0, Tolerance::new(tol)).unwrap();
            (y[0] - 10.0f64.sin()).abs()
        };
        let (coarse, fine) = (err(1e-5), err(1e-10));
        assert!(coarse > 1e-8 && fine < 1e-8, "coarse {coarse:e}, fine {fine:e}");
    }
}
