//! Linear multistep solvers on the noise prediction: DEIS (tAB) and PNDM's PLMS.
//!
//! **DEIS tAB-k** (Zhang & Chen 2023, §4, eq. 14): keep the exact linear part and extrapolate
//! `eps` by the Lagrange polynomial in `t` through the last `k` grid points:
//! `x_{i+1} = (alpha_{i+1}/alpha_i) x_i + Σ_j C_ij eps_{i-j}` with
//! `C_ij = alpha_{i+1} ∫_{t_i}^{t_{i+1}} ℓ_j(τ) dsigma~(τ)`, `sigma~ = e^{-lambda}`. We integrate in
//! `lambda` (where the integrand `ℓ_j(t(lambda)) e^{-lambda}` is smooth) with 16-point
//! Gauss–Legendre; warm-up steps use the available history (lower order).
//!
//! **PLMS** (Liu et al. 2022, PNDM, §3.3–3.4): the DDIM step `φ(x, t → t', eps)` is the
//! "transfer"; the first (up to) three steps are pseudo-Runge–Kutta-4 (four evaluations, midpoint
//! `t - δ/2` in time as in PNDM, so it is the same for every component of a joint state), then Adams–Bashforth combinations
//! `[1]`, `[3, -1]/2`, `[23, -16, 5]/12`, `[55, -59, 37, -9]/24` of the `eps` history, one
//! evaluation per step. NFE = steps + 3 × warm-up steps.

use super::{Evaluator, Model, comb};
use crate::error::{ConfigError, SampleError};
use crate::sde::{Prediction, Sde};
use crate::state::State;
use std::sync::{Arc, OnceLock};

/// Nodes and weights of `n`-point Gauss–Legendre on [-1, 1] (Newton on `P_n`).
pub(crate) fn gauss_legendre(n: usize) -> Vec<(f64, f64)> {
    (0..n)
        .map(|i| {
            let mut x = (std::f64::consts::PI * (i as f64 + 0.75) / (n as f64 + 0.5)).cos();
            let mut dp = 0.0;
            for _ in 0..100 {
                let (mut p0, mut p1) = (1.0, x);
                for k in 2..=n {
                    let p2 = ((2 * k - 1) as f64 * x * p1 - (k - 1) as f64 * p0) / k as f64;
                    p0 = p1;
                    p1 = p2;
                }
                dp = n as f64 * (x * p1 - p0) / (x * x - 1.0);
                let dx = p1 / dp;
                x -= dx;
                if dx.abs() < 1e-16 {
                    break;
                }
            }
            (x, 2.0 / ((1.0 - x * x) * dp * dp))
        })
        .collect()
}

fn gl16() -> &'static [(f64, f64)] {
    static GL: OnceLock<Vec<(f64, f64)>> = OnceLock::new();
    GL.get_or_init(|| gauss_legendre(16))
}

/// DEIS coefficients `C_j` for the step `t_i → t_{i+1}` given history times `ts[0] = t_i`,
/// `ts[1] = t_{i-1}`, ...
fn deis_coefs(sde: &dyn Sde, ts: &[f64], t_next: f64) -> Vec<f64> {
    let (l0, l1) = (sde.lambda(ts[0]), sde.lambda(t_next));
    let (mid, half) = (0.5 * (l0 + l1), 0.5 * (l1 - l0));
    let mut c = vec![0.0; ts.len()];
    for &(node, w) in gl16() {
        let lam = mid + half * node;
        let tau = sde.inverse_lambda(lam);
        let weight = -w * half * (-lam).exp();
        for (j, cj) in c.iter_mut().enumerate() {
            let lj: f64 = (0..ts.len()).filter(|&m| m != j).map(|m| (tau - ts[m]) / (ts[j] - ts[m])).product();
            *cj += weight * lj;
        }
    }
    let a = sde.alpha(t_next);
    c.iter().map(|v| v * a).collect()
}

/// DEIS tAB of `order` (1 = DDIM) on `grid`, one evaluation per step.
pub fn deis<S: State, M: Model<S>>(
    ev: &mut Evaluator<'_, S, M>,
    sdes: &[Arc<dyn Sde>],
    mut x: S,
    grid: &[f64],
    order: usize,
) -> Result<(S, usize), SampleError> {
    if !(1..=3).contains(&order) {
        return Err(ConfigError::Invalid(format!("DEIS order must be 1, 2 or 3, got {order}")).into());
    }
    let n = grid.len() - 1;
    let mut hist: Vec<S> = Vec::new(); // newest first
    for i in 0..n {
        ev.step = i;
        hist.insert(0, ev.eval(&x, grid[i], Prediction::Noise)?);
        hist.truncate(order);
        let ts: Vec<f64> = (0..hist.len()).map(|j| grid[i - j]).collect();
        let mut terms: Vec<&S> = vec![&x];
        terms.extend(hist.iter());
        x = comb(sdes, &terms, |sde| {
            let mut c = vec![(sde.log_alpha(grid[i + 1]) - sde.log_alpha(grid[i])).exp()];
            c.extend(deis_coefs(sde, &ts, grid[i + 1]));
            c
        });
    }
    Ok((x, n))
}

/// Number of pseudo-RK4 warm-up steps PLMS can afford with `nfe` evaluations (3 from NFE 12 on).
pub fn plms_warmup_steps(nfe: usize) -> usize {
    if nfe >= 12 { 3 } else { nfe / 4 }
}

const AB: [&[f64]; 4] = [&[1.0], &[1.5, -0.5], &[23.0 / 12.0, -16.0 / 12.0, 5.0 / 12.0], &[55.0 / 24.0, -59.0 / 24.0, 37.0 / 24.0, -9.0 / 24.0]];

/// `φ(x, s → t, Σ_j w_j eps_j)`: the DDIM transfer applied to a weighted noise estimate.
fn transfer<S: State>(sdes: &[Arc<dyn Sde>], x: &S, eps: &[&S], w: &[f64], s: f64, t: f64) -> S {
    let mut terms = vec![x];
    terms.extend_from_slice(eps);
    comb(sdes, &terms, |sde| {
        let h = sde.lambda(t) - sde.lambda(s);
        let c = -sde.sigma(t) * h.exp_m1();
        let mut v = vec![(sde.log_alpha(t) - sde.log_alpha(s)).exp()];
        v.extend(w.iter().map(|wj| c * wj));
        v
    })
}

/// PLMS with `warm` pseudo-RK4 warm-up steps on `grid`.
pub fn plms<S: State, M: Model<S>>(
    ev: &mut Evaluator<'_, S, M>,
    sdes: &[Arc<dyn Sde>],
    mut x: S,
    grid: &[f64],
    warm: usize,
) -> Result<(S, usize), SampleError> {
    let n = grid.len() - 1;
    let mut hist: Vec<S> = Vec::new(); // newest first
    for i in 0..n {
        ev.step = i;
        let (s, t) = (grid[i], grid[i + 1]);
        let e1 = ev.eval(&x, s, Prediction::Noise)?;
        hist.insert(0, e1.clone());
        hist.truncate(4);
        if i < warm {
            let mid = 0.5 * (s + t);
            let x1 = transfer(sdes, &x, &[&e1], &[1.0], s, mid);
            let e2 = ev.eval(&x1, mid, Prediction::Noise)?;
            let x2 = transfer(sdes, &x, &[&e2], &[1.0], s, mid);
            let e3 = ev.eval(&x2, mid, Prediction::Noise)?;
            let x3 = transfer(sdes, &x, &[&e3], &[1.0], s, t);
            let e4 = ev.eval(&x3, t, Prediction::Noise)?;
            let w = [1.0 / 6.0, 2.0 / 6.0, 2.0 / 6.0, 1.0 / 6.0];
            x = transfer(sdes, &x, &[&e1, &e2, &e3, &e4], &w, s, t);
        } else {
            let w = AB[hist.len() - 1];
            let refs: Vec<&S> = hist.iter().collect();
            x = transfer(sdes, &x, &refs, w, s, t);
        }
    }
    Ok((x, n))
}
