//! PF-ODE log-likelihood against closed forms (core brief §3.5).
//!
//! * Exact divergence with the exact prior `p_T`: the only error is the ODE solver's, so
//!   `log p_{t0}` must match the closed form to 1e-6 nats (tolerance 1e-9).
//! * With the SDE's standard N(0, I) prior the mismatch `p_T ≠ N(0, I)` (α_T = 0.0066) costs up
//!   to ~3e-2 nats per point (brief measured 1.6–2.8e-2): asserted ≤ 5e-2.
//! * Hutchinson with one Rademacher probe per point is unbiased: its mean over n points must lie
//!   within 4 standard errors of the exact mean (the mixture has correlated covariances, so the
//!   estimator really is stochastic; with a diagonal Jacobian its variance would be zero).

use scidiff::sampler::{Divergence, LikelihoodConfig, Probe, log_likelihood, standard_prior};
use scidiff::sde::{Sde, VpLinear};
use scidiff::target::{GaussianMixture, GmmScore};
use std::sync::Arc;

fn setup() -> (GaussianMixture, Arc<dyn Sde>, ndarray::Array2<f64>) {
    let gmm = GaussianMixture::brief_standard();
    let sde: Arc<dyn Sde> = Arc::new(VpLinear::default());
    let x = gmm.marginal_at(sde.as_ref(), 1e-3).sample(300, &mut scidiff::rng(1));
    (gmm, sde, x)
}

#[test]
fn exact_divergence_matches_closed_form() {
    let (gmm, sde, x) = setup();
    let exact = gmm.marginal_at(sde.as_ref(), 1e-3).log_prob(x.view());
    let prior_m = gmm.marginal_at(sde.as_ref(), 1.0);
    let prior = |z: &ndarray::Array2<f64>| prior_m.log_prob(z.view());
    let mut model = GmmScore { gmm: gmm.clone(), sde: sde.clone() };
    let cfg = LikelihoodConfig { t0: 1e-3, tol: 1e-9, divergence: Divergence::Exact };
    let out = log_likelihood(&mut model, sde.as_ref(), &x, &cfg, &prior, &mut scidiff::rng(0)).unwrap();
    let worst = (&out.log_p - &exact).mapv(f64::abs).fold(0.0f64, |a, b| a.max(*b));
    assert!(worst < 1e-6, "exact prior: worst error {worst:e}");
    // bits/dim is the same number in other units.
    assert!((out.bits_per_dim[0] + out.log_p[0] / (2.0 * std::f64::consts::LN_2)).abs() < 1e-12);

    let std_prior = standard_prior(sde.as_ref());
    let cfg = LikelihoodConfig { t0: 1e-3, tol: 1e-7, divergence: Divergence::Exact };
    let out = log_likelihood(&mut model, sde.as_ref(), &x, &cfg, &std_prior, &mut scidiff::rng(0)).unwrap();
    let worst = (&out.log_p - &exact).mapv(f64::abs).fold(0.0f64, |a, b| a.max(*b));
    assert!(worst < 5e-2, "standard prior: worst error {worst:e}");
}

#[test]
fn hutchinson_is_unbiased() {
    let (gmm, sde, x) = setup();
    let exact = gmm.marginal_at(sde.as_ref(), 1e-3).log_prob(x.view());
    let prior_m = gmm.marginal_at(sde.as_ref(), 1.0);
    let prior = |z: &ndarray::Array2<f64>| prior_m.log_prob(z.view());
    let mut model = GmmScore { gmm, sde: sde.clone() };
    let cfg = LikelihoodConfig { t0: 1e-3, tol: 1e-7, divergence: Divergence::Hutchinson(Probe::Rademacher) };
    let out = log_likelihood(&mut model, sde.as_ref(), &x, &cfg, &prior, &mut scidiff::rng(4)).unwrap();
    let diff = &out.log_p - &exact;
    let n = diff.len() as f64;
    let mean = diff.mean().unwrap();
    let sd = (diff.mapv(|d| (d - mean).powi(2)).sum() / (n - 1.0)).sqrt();
    assert!(sd > 1e-3, "the estimator should be stochastic here (sd {sd})");
    assert!(mean.abs() < 4.0 * sd / n.sqrt(), "Hutchinson bias {mean} vs SE {}", sd / n.sqrt());
}
