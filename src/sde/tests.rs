//! Schedule identities against closed forms and published reference values (core brief §2.2,
//! §3.1). Tolerances: identities hold to rounding, so 1e-12 relative; reference values are
//! quoted to 4–5 digits, so they are compared at that precision.

use super::*;
use crate::rng;
use rand_distr::{Distribution, StandardNormal};

fn all() -> Vec<Box<dyn Sde>> {
    vec![Box::new(VpLinear::default()), Box::new(VpCosine::default()), Box::new(VpSigmoid::default()), Box::new(SubVp::default()), Box::new(Ve::default())]
}

#[test]
fn vp_reference_values() {
    let vp = VpLinear::default();
    assert!((vp.alpha(1.0) - 0.006572).abs() < 5e-7);
    assert!((vp.lambda(1.0) + 5.0250).abs() < 5e-5);
    assert!((vp.sigma(1e-3) - 0.010485).abs() < 5e-7);
    assert!((vp.lambda(1e-3) - 4.5577).abs() < 5e-5);
    assert!((vp.sigma(1e-5) - 1.000e-3).abs() < 5e-7);
    assert!((vp.lambda(1e-5) - 6.907).abs() < 5e-4);
    let cos = VpCosine::default();
    assert!((cos.lambda(1e-3) - 5.0475).abs() < 5e-5);
    assert!((cos.lambda(cos.t_max()) + 4.7776).abs() < 5e-5);
}

#[test]
fn inverse_lambda_round_trips() {
    for sde in all() {
        for i in 0..=200 {
            let t = 1e-5 + (sde.t_max() - 1e-5) * i as f64 / 200.0;
            let back = sde.inverse_lambda(sde.lambda(t));
            assert!((back - t).abs() <= 1e-12, "{}: t={t} back={back}", sde.name());
        }
    }
}

#[test]
fn lambda_is_log_alpha_over_sigma_and_decreasing() {
    for sde in all() {
        let mut prev = f64::INFINITY;
        for i in 1..=100 {
            let t = sde.t_max() * i as f64 / 100.0;
            let l = sde.lambda(t);
            assert!((l - (sde.alpha(t) / sde.sigma(t)).ln()).abs() < 1e-12 * l.abs().max(1.0), "{}", sde.name());
            assert!(l < prev, "{}: lambda not decreasing at {t}", sde.name());
            prev = l;
        }
    }
}

#[test]
fn variance_identities() {
    let (vp, sub) = (VpLinear::default(), SubVp::default());
    for i in 1..=100 {
        let t = i as f64 / 100.0;
        let (a, s) = (vp.alpha(t), vp.sigma(t));
        assert!((a * a + s * s - 1.0).abs() < 1e-14);
        assert!((sub.sigma(t) - (1.0 - a * a)).abs() < 1e-14);
    }
    let cos = VpCosine::default();
    // Continuous cosine schedule against its closed form alpha² = cos²(...)/cos²(...).
    let t = 0.5;
    let want = ((std::f64::consts::FRAC_PI_2 * (t + 0.008) / 1.008).cos() / (std::f64::consts::FRAC_PI_2 * 0.008 / 1.008).cos()).powi(2);
    assert!((cos.alpha(t).powi(2) - want).abs() < 1e-14);
}

/// `f = d log alpha/dt` and `g² = d sigma²/dt - 2 f sigma²`, checked by central differences
/// (step 1e-5: truncation ~1e-10, rounding ~1e-11 relative).
#[test]
fn drift_and_diffusion_match_derivatives() {
    for sde in all() {
        for i in 1..20 {
            let t = sde.t_max() * i as f64 / 20.0;
            let h = 1e-5;
            let dla = (sde.log_alpha(t + h) - sde.log_alpha(t - h)) / (2.0 * h);
            let ds2 = (sde.sigma(t + h).powi(2) - sde.sigma(t - h).powi(2)) / (2.0 * h);
            let g2 = ds2 - 2.0 * sde.f(t) * sde.sigma(t).powi(2);
            assert!((dla - sde.f(t)).abs() < 1e-6 * sde.f(t).abs().max(1.0), "{} f at {t}", sde.name());
            assert!((g2 - sde.g2(t)).abs() < 1e-6 * sde.g2(t).abs().max(1.0), "{} g2 at {t}", sde.name());
        }
    }
}

#[test]
fn linear_log_alpha_is_half_integral_of_beta() {
    let vp = VpLinear::default();
    let n = 10_000;
    let integral: f64 = (0..n).map(|i| vp.beta((i as f64 + 0.5) / n as f64) / n as f64).sum();
    assert!((vp.log_alpha(1.0) + 0.5 * integral).abs() < 1e-10);
}

#[test]
fn conversions_round_trip() {
    use Prediction::*;
    let kinds = [Noise, Data, Score, Velocity];
    for &(alpha, sigma) in &[(0.8, 0.6), (0.01, 0.9999), (1.0, 3.0), (0.3, 0.91)] {
        let (x0, eps) = (0.7, -1.3);
        let x = alpha * x0 + sigma * eps;
        let value = |p: Prediction| match p {
            Noise => eps,
            Data => x0,
            Score => -eps / sigma,
            Velocity => alpha * eps - sigma * x0,
        };
        for &from in &kinds {
            for &to in &kinds {
                let (a, b) = from.coefficients(to, alpha, sigma);
                let got = a * x + b * value(from);
                assert!((got - value(to)).abs() < 1e-12 * value(to).abs().max(1.0), "{from:?}->{to:?} at {alpha},{sigma}");
            }
        }
    }
}

#[test]
fn grids_have_the_published_shape() {
    let vp = VpLinear::default();
    let n = 10;
    let g = time_grid(&vp, Spacing::LogSnr, 1e-3, n).unwrap();
    let dl: Vec<f64> = g.windows(2).map(|w| vp.lambda(w[1]) - vp.lambda(w[0])).collect();
    assert!(dl.iter().all(|d| (d - dl[0]).abs() < 1e-10), "log-SNR grid not uniform in lambda");
    assert_eq!((g[0], g[n]), (1.0, 1e-3));
    let q = time_grid(&vp, Spacing::Quadratic, 1e-3, n).unwrap();
    assert!((q[5] - (0.5 * (1.0 + 1e-3f64.sqrt())).powi(2)).abs() < 1e-14);
    let k = time_grid(&vp, Spacing::Karras, 1e-3, n).unwrap();
    let rho_root: Vec<f64> = k.iter().map(|t| vp.sigma_tilde(*t).powf(1.0 / 7.0)).collect();
    let d: Vec<f64> = rho_root.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(d.iter().all(|v| (v - d[0]).abs() < 1e-10), "Karras grid not uniform in sigma~^(1/7)");
    for s in [Spacing::Uniform, Spacing::LogSnr, Spacing::Quadratic, Spacing::Karras] {
        let g = time_grid(&vp, s, 1e-3, 7).unwrap();
        assert!(g.windows(2).all(|w| w[1] < w[0]), "{s:?} grid not decreasing");
    }
    assert!(time_grid(&vp, Spacing::LogSnr, 0.0, 5).is_err());
    assert!(time_grid(&vp, Spacing::LogSnr, 1e-3, 0).is_err());
}

/// The closed-form marginal of each SDE against an Euler–Maruyama simulation of its forward
/// SDE from a two-point-mass-plus-noise start: mean and variance at `t` within 4 standard errors
/// plus the O(dt) weak error of EM (dt = 1e-3, so 5e-3 relative slack).
#[test]
fn marginals_match_forward_simulation() {
    let mut r = rng(11);
    let n = 20_000;
    for sde in all() {
        let t_stop = 0.5 * sde.t_max();
        let steps = 500;
        let dt = t_stop / steps as f64;
        // Data: x0 = ±1 with equal weight plus N(0, 0.2²) (VE: plus sigma_min noise, its convention).
        let extra = if sde.name() == "ve" { sde.sigma(0.0) } else { 0.0 };
        let mut x: Vec<f64> = (0..n)
            .map(|i| {
                let z: f64 = StandardNormal.sample(&mut r);
                let z2: f64 = StandardNormal.sample(&mut r);
                (if i % 2 == 0 { 1.0 } else { -1.0 }) + 0.2 * z + extra * z2
            })
            .collect();
        for k in 0..steps {
            let t = k as f64 * dt;
            let (f, g) = (sde.f(t), sde.g(t));
            for v in x.iter_mut() {
                let z: f64 = StandardNormal.sample(&mut r);
                *v += f * *v * dt + g * dt.sqrt() * z;
            }
        }
        let mean = x.iter().sum::<f64>() / n as f64;
        let var = x.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
        let (a, s) = (sde.alpha(t_stop), sde.sigma(t_stop));
        let want_var = a * a * (1.0 + 0.04) + s * s;
        let se_mean = (want_var / n as f64).sqrt();
        let se_var = want_var * (2.0 / n as f64).sqrt() * 1.5; // bimodal data: kurtosis < 3, 1.5x is generous
        assert!(mean.abs() < 4.0 * se_mean, "{}: mean {mean}", sde.name());
        assert!((var - want_var).abs() < 4.0 * se_var + 5e-3 * want_var, "{}: var {var} vs {want_var}", sde.name());
    }
}
