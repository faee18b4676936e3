//! Oracle tests of the masked-diffusion core against an enumerable joint (core brief §3.6).

use super::ancestral::sample;
use super::elbo::{nelbo_enumerated, nelbo_mc};
use super::oracle::TinyJoint;
use super::schedule::MaskSchedule;

fn joint() -> TinyJoint {
    TinyJoint::dirichlet(3, 3, 0.5, &mut crate::rng(42))
}

/// With the exact denoiser and α₁ = 0, the NELBO equals -log p(x) (chain rule averaged over
/// orders). Quadrature is exact for these polynomial integrands: tolerance 1e-10.
#[test]
fn enumerated_nelbo_equals_negative_log_likelihood() {
    let mut j = joint();
    let sched = MaskSchedule::LogLinear { eps: 0.0 };
    for s in [0, 5, 13, 26] {
        let x = j.decode(s);
        let nelbo = nelbo_enumerated(&mut j, &x, &sched, 16);
        assert!((nelbo + j.log_prob(&x)).abs() < 1e-10, "state {s}: {nelbo} vs {}", -j.log_prob(&x));
    }
    // The cosine schedule gives the same value (any schedule with α₀ = 1, α₁ = 0), up to quadrature.
    let x = j.decode(7);
    let c = nelbo_enumerated(&mut j, &x, &MaskSchedule::Cosine { eps: 0.0 }, 64);
    assert!((c + j.log_prob(&x)).abs() < 1e-6, "cosine {c}");
}

/// The Monte Carlo estimator is unbiased: mean over 4000 stratified draws within 4 SE.
#[test]
fn monte_carlo_nelbo_is_unbiased() {
    let mut j = joint();
    let sched = MaskSchedule::LogLinear { eps: 0.0 };
    let x = ndarray::Array2::from_shape_vec((1, 3), j.decode(11)).unwrap();
    let mut rng = crate::rng(1);
    let draws: Vec<f64> = (0..4000).map(|_| nelbo_mc(&mut j, &x, &sched, 1, &mut rng)[0]).collect();
    let n = draws.len() as f64;
    let m = draws.iter().sum::<f64>() / n;
    let sd = (draws.iter().map(|d| (d - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
    let want = -j.log_prob(&j.decode(11));
    assert!((m - want).abs() < 4.0 * sd / n.sqrt(), "MC {m} ± {} vs {want}", sd / n.sqrt());
}

fn tv(a: &ndarray::Array1<f64>, b: &[f64]) -> f64 {
    0.5 * a.iter().zip(b).map(|(x, y)| (x - y).abs()).sum::<f64>()
}

/// One step samples every position from its marginal independently (χ² against the product of
/// marginals, 26 degrees of freedom, threshold 60 ≈ p = 2e-4); many steps approach p_data
/// (TV falls as O(1/N): brief 0.448 at N = 1, 0.010 at N = 64 for its table).
#[test]
fn ancestral_sampler_interpolates_from_marginals_to_the_joint() {
    let mut j = joint();
    let sched = MaskSchedule::LogLinear { eps: 0.0 };
    let n = 20_000;
    let one = sample(&mut j, n, 3, &sched, 1, &mut crate::rng(2));
    let m = j.marginals();
    let prod: Vec<f64> = (0..27).map(|s| j.decode(s).iter().enumerate().map(|(i, &d)| m[[i, d]]).product()).collect();
    let h = j.histogram(&one);
    let chi2: f64 = (0..27).filter(|&s| prod[s] > 0.0).map(|s| n as f64 * (h[s] - prod[s]).powi(2) / prod[s]).sum();
    assert!(chi2 < 60.0, "one-step sampler is not the product of marginals: chi2 = {chi2}");
    let many = sample(&mut j, n, 3, &sched, 64, &mut crate::rng(3));
    let (tv1, tv64) = (tv(&h, &j.p), tv(&j.histogram(&many), &j.p));
    assert!(tv64 < 0.05 && tv64 < tv1 / 4.0, "TV(N=1) = {tv1}, TV(N=64) = {tv64}");
    assert!(many.iter().all(|&t| t < 3), "masks left after the last step");
}
