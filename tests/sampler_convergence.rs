//! Convergence of every ODE sampler to the exact probability-flow solution (core brief §3.3).
//!
//! Oracle: DOPRI5 at tolerance 1e-11 with the exact mixture score (its own error is < 1e-9,
//! far below the smallest sampler error measured here, ~1e-5). Orders are asymptotic, so they
//! are measured over NFE 48 → 96 → 192 (multiples of 2 and 3, so single-step solvers take whole
//! steps) on the 32×32 quantile grid of start points; bands follow the brief: first order [0.85, 1.2], second order
//! [1.75, 2.4], DPM-Solver-3 [2.5, 3.9]; multistep methods whose first step is lower order are
//! capped at 2 globally and must reach ≥ 1.75.

use scidiff::sampler::Method;
use scidiff::study::{Study, orders};

fn check(study: &Study, method: Method, band: (f64, f64)) {
    let rows: Vec<_> = [48, 96, 192].iter().map(|&n| study.measure(method, None, n).unwrap()).collect();
    let p = orders(&rows);
    eprintln!("{:<16} errors {:?} orders {:?}", method.name(), rows.iter().map(|r| r.mean_error).collect::<Vec<_>>(), p);
    for (i, o) in p.iter().enumerate() {
        assert!(*o >= band.0 && *o <= band.1, "{}: order {o:.3} (step {i}) outside {band:?}", method.name());
    }
}

#[test]
fn ode_samplers_converge_at_their_order() {
    let study = Study::standard(32).unwrap();
    use Method::*;
    for m in [Ddim, Euler, DpmSolver(1), Deis(1)] {
        check(&study, m, (0.85, 1.2));
    }
    for m in [Heun, HeunKarras, DpmSolver(2), DpmSolverPlusPlus(2), Deis(2)] {
        check(&study, m, (1.75, 2.4));
    }
    check(&study, DpmSolver(3), (2.5, 3.9));
    for m in [DpmSolverPlusPlus(3), Deis(3), Plms] {
        check(&study, m, (1.75, 4.5));
    }
}

/// Published reference values: the core brief's §3.3 GMM table (mean L2 error, 1024 quantile
/// start points, log-SNR grid), computed there in float64 NumPy from the published update rules.
/// Our f64 implementation must reproduce them to the 4 digits quoted (relative 1e-3).
#[test]
fn matches_the_brief_error_table() {
    let study = Study::standard(32).unwrap();
    use Method::*;
    let table: [(Method, &[(usize, f64)]); 6] = [
        (Ddim, &[(5, 6.224e-1), (10, 3.013e-1), (20, 1.488e-1), (50, 5.840e-2)]),
        (DpmSolver(2), &[(10, 6.384e-1), (20, 8.919e-2), (50, 1.072e-2)]),
        (DpmSolverPlusPlus(2), &[(5, 2.497e-1), (10, 1.277e-1), (20, 3.098e-2), (50, 4.411e-3)]),
        (DpmSolverPlusPlus(3), &[(5, 3.471e-1), (10, 5.320e-2), (20, 1.267e-2), (50, 1.572e-3)]),
        (Heun, &[(10, 1.249), (20, 1.765e-1), (50, 2.059e-2)]),
        (HeunKarras, &[(10, 1.161), (20, 1.904e-1), (50, 2.099e-2)]),
    ];
    for (m, rows) in table {
        for &(nfe, want) in rows {
            let got = study.measure(m, None, nfe).unwrap().mean_error;
            assert!((got / want - 1.0).abs() < 1e-3, "{} NFE {nfe}: {got:.4e} vs brief {want:.4e}", m.name());
        }
    }
    // The reference itself: the brief's checksum of the 1024 end points.
    let sum = study.reference.sum_axis(ndarray::Axis(0));
    assert!((sum[0] + 405.58106675).abs() < 1e-6 && (sum[1] - 662.43405977).abs() < 1e-6, "checksum {sum}");
}

/// DDIM ≡ DPM-Solver-1 ≡ Euler in (x/α, σ/α) ≡ DEIS-1 on the same grid (brief §2.8), to rounding.
#[test]
fn first_order_methods_coincide() {
    let study = Study::standard(8).unwrap();
    use scidiff::sde::Spacing;
    for spacing in [Spacing::LogSnr, Spacing::Uniform, Spacing::Karras] {
        let run = |m: Method| {
            let cfg = scidiff::sampler::SamplerConfig { method: m, nfe: 13, spacing: Some(spacing), t_end: 1e-3, ..Default::default() };
            let mut model = scidiff::target::GmmScore { gmm: study.gmm.clone(), sde: study.sde.clone() };
            scidiff::sampler::sample(&cfg, &mut model, std::slice::from_ref(&study.sde), study.x_t.clone(), &mut scidiff::rng(0), None).unwrap().x
        };
        let base = run(Method::Ddim);
        for m in [Method::DpmSolver(1), Method::Euler, Method::Deis(1)] {
            let d = (&run(m) - &base).mapv(f64::abs).fold(0.0f64, |a, b| a.max(*b));
            assert!(d < 1e-11, "{} differs from ddim by {d:e} on {spacing:?}", m.name());
        }
    }
}
