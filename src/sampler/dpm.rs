//! DDIM and the DPM-Solver family (exponential integrators in the half log-SNR `lambda`).
//!
//! With `h = lambda_t - lambda_s` (Lu et al. 2022, eq. 3.4), the exact solution of the PF-ODE is
//! `x_t = (alpha_t/alpha_s) x_s - alpha_t ∫ e^{-lambda} eps dlambda`. Approximating `eps` by a
//! Taylor expansion in `lambda` gives the single-step DPM-Solver-1/2/3 (Alg. 1 and 2, the
//! 'dpmsolver' variant); doing the same for the data prediction `x0` in multistep form gives
//! DPM-Solver++(2M)/(3M) (Lu et al. 2022b, Alg. 2 and App. B).

use super::{Evaluator, Model, comb};
use crate::error::{ConfigError, SampleError};
use crate::sde::{Prediction, Sde};
use crate::state::State;
use rand::rngs::StdRng;
use std::sync::Arc;

type Sdes<'a> = &'a [Arc<dyn Sde>];

/// DDIM (Song et al. 2021b, eq. 12) from `s` to `t`: with `x0 = (x - sigma_s eps)/alpha_s`,
/// `x_t = alpha_t x0 + sqrt(sigma_t² - sigma_hat²) eps + sigma_hat z`, where
/// `sigma_hat = eta sigma_t sqrt(1 - e^{2(lambda_s - lambda_t)})` (eta = 1 is ancestral DDPM).
/// With eta = 0 this is DPM-Solver-1: `x_t = (alpha_t/alpha_s) x - sigma_t (e^h - 1) eps`.
/// The last step is taken without noise.
pub fn ddim<S: State, M: Model<S>>(
    ev: &mut Evaluator<'_, S, M>,
    sdes: Sdes,
    mut x: S,
    grid: &[f64],
    eta: f64,
    rng: &mut StdRng,
) -> Result<(S, usize), SampleError> {
    let n = grid.len() - 1;
    for i in 0..n {
        ev.step = i;
        let (s, t) = (grid[i], grid[i + 1]);
        let eps = ev.eval(&x, s, Prediction::Noise)?;
        let noisy = eta > 0.0 && i + 1 < n;
        let z = if noisy { x.noise_like(rng) } else { x.clone() };
        x = comb(sdes, &[&x, &eps, &z], |sde| {
            let h = sde.lambda(t) - sde.lambda(s);
            let ratio = (sde.log_alpha(t) - sde.log_alpha(s)).exp();
            if !noisy {
                return vec![ratio, -sde.sigma(t) * h.exp_m1(), 0.0];
            }
            let st = sde.sigma(t);
            let sh = eta * st * (-(-2.0 * h).exp_m1()).sqrt();
            vec![ratio, (st * st - sh * sh).sqrt() - st * h.exp(), sh]
        });
    }
    Ok((x, n))
}

/// Orders of the single-step solver for `nfe` evaluations: `nfe / order` steps of `order`, then
/// one step of the remainder (so `dpm-solver-3` at NFE 24 takes 8 steps, at NFE 25 takes 9).
pub fn singlestep_orders(nfe: usize, order: usize) -> Vec<usize> {
    let mut v = vec![order; nfe / order];
    if nfe % order != 0 {
        v.push(nfe % order);
    }
    v
}

/// Single-step DPM-Solver of `order` on the fine grid `grid` (`nfe + 1` points): each step of
/// order `k` spans `k` fine intervals and evaluates the model at the intermediate points, so
/// on a log-SNR grid `r1 = 1/2` (order 2) and `r1, r2 = 1/3, 2/3` (order 3) as published.
pub fn singlestep<S: State, M: Model<S>>(
    ev: &mut Evaluator<'_, S, M>,
    sdes: Sdes,
    mut x: S,
    grid: &[f64],
    order: usize,
) -> Result<(S, usize), SampleError> {
    if !(1..=3).contains(&order) {
        return Err(ConfigError::Invalid(format!("DPM-Solver order must be 1, 2 or 3, got {order}")).into());
    }
    let orders = singlestep_orders(grid.len() - 1, order);
    let mut c = 0;
    for (i, &k) in orders.iter().enumerate() {
        ev.step = i;
        let pts = &grid[c..=c + k];
        x = match k {
            1 => dpm1(ev, sdes, &x, pts[0], pts[1])?,
            2 => dpm2(ev, sdes, &x, pts[0], pts[1], pts[2])?,
            _ => dpm3(ev, sdes, &x, pts[0], pts[1], pts[2], pts[3])?,
        };
        c += k;
    }
    Ok((x, orders.len()))
}

struct Step {
    h: f64,
    ratio: f64, // alpha_t / alpha_s
}

fn step_of(sde: &dyn Sde, s: f64, t: f64) -> Step {
    Step { h: sde.lambda(t) - sde.lambda(s), ratio: (sde.log_alpha(t) - sde.log_alpha(s)).exp() }
}

/// DPM-Solver-1 (eq. 3.7), identical to DDIM.
fn dpm1<S: State, M: Model<S>>(ev: &mut Evaluator<'_, S, M>, sdes: Sdes, x: &S, s: f64, t: f64) -> Result<S, SampleError> {
    let eps = ev.eval(x, s, Prediction::Noise)?;
    Ok(comb(sdes, &[x, &eps], |sde| {
        let st = step_of(sde, s, t);
        vec![st.ratio, -sde.sigma(t) * st.h.exp_m1()]
    }))
}

/// DPM-Solver-2 (Alg. 1): `u = (alpha_s1/alpha_s) x - sigma_s1 (e^{r1 h} - 1) eps_s`,
/// `x_t = (alpha_t/alpha_s) x - sigma_t (e^h - 1) eps_s - sigma_t/(2 r1) (e^h - 1)(eps(u, s1) - eps_s)`.
fn dpm2<S: State, M: Model<S>>(ev: &mut Evaluator<'_, S, M>, sdes: Sdes, x: &S, s: f64, s1: f64, t: f64) -> Result<S, SampleError> {
    let e0 = ev.eval(x, s, Prediction::Noise)?;
    let u = comb(sdes, &[x, &e0], |sde| {
        let st = step_of(sde, s, s1);
        vec![st.ratio, -sde.sigma(s1) * st.h.exp_m1()]
    });
    let e1 = ev.eval(&u, s1, Prediction::Noise)?;
    Ok(comb(sdes, &[x, &e0, &e1], |sde| {
        let st = step_of(sde, s, t);
        let r1 = step_of(sde, s, s1).h / st.h;
        let a = -sde.sigma(t) * st.h.exp_m1();
        let b = a / (2.0 * r1);
        vec![st.ratio, a - b, b]
    }))
}

/// DPM-Solver-3 (Alg. 2) with intermediate points `s1`, `s2` (`r1`, `r2` their log-SNR fractions).
fn dpm3<S: State, M: Model<S>>(
    ev: &mut Evaluator<'_, S, M>,
    sdes: Sdes,
    x: &S,
    s: f64,
    s1: f64,
    s2: f64,
    t: f64,
) -> Result<S, SampleError> {
    let e0 = ev.eval(x, s, Prediction::Noise)?;
    let u1 = comb(sdes, &[x, &e0], |sde| {
        let st = step_of(sde, s, s1);
        vec![st.ratio, -sde.sigma(s1) * st.h.exp_m1()]
    });
    let e1 = ev.eval(&u1, s1, Prediction::Noise)?;
    let u2 = comb(sdes, &[x, &e0, &e1], |sde| {
        let h = step_of(sde, s, t).h;
        let st2 = step_of(sde, s, s2);
        let (r1, r2) = (step_of(sde, s, s1).h / h, st2.h / h);
        let k = -sde.sigma(s2) * (r2 / r1) * (st2.h.exp_m1() / st2.h - 1.0);
        vec![st2.ratio, -sde.sigma(s2) * st2.h.exp_m1() - k, k]
    });
    let e2 = ev.eval(&u2, s2, Prediction::Noise)?;
    Ok(comb(sdes, &[x, &e0, &e2], |sde| {
        let st = step_of(sde, s, t);
        let r2 = step_of(sde, s, s2).h / st.h;
        let a = -sde.sigma(t) * st.h.exp_m1();
        let k = -(sde.sigma(t) / r2) * (st.h.exp_m1() / st.h - 1.0);
        vec![st.ratio, a - k, k]
    }))
}

/// Multistep DPM-Solver++ of order 2 or 3 (data prediction), warm-started with lower orders and,
/// with `lower_order_final` and fewer than 10 steps, finishing with lower orders (as the
/// reference implementation). One evaluation per step; none after the last.
pub fn multistep_pp<S: State, M: Model<S>>(
    ev: &mut Evaluator<'_, S, M>,
    sdes: Sdes,
    mut x: S,
    grid: &[f64],
    order: usize,
    lower_order_final: bool,
) -> Result<(S, usize), SampleError> {
    if !(1..=3).contains(&order) {
        return Err(ConfigError::Invalid(format!("DPM-Solver++ multistep order must be 1-3, got {order}")).into());
    }
    let n = grid.len() - 1;
    let mut hist: Vec<(f64, S)> = Vec::new(); // (time, x0 prediction), newest last
    for i in 0..n {
        ev.step = i;
        let m = ev.eval(&x, grid[i], Prediction::Data)?;
        hist.push((grid[i], m));
        if hist.len() > 3 {
            hist.remove(0);
        }
        let mut k = order.min(i + 1);
        if lower_order_final && n < 10 {
            k = k.min(n - i);
        }
        x = pp_update(sdes, &x, &hist, grid[i + 1], k);
    }
    Ok((x, n))
}

/// One DPM-Solver++ multistep update of order `k` from `hist.last()` to `t`.
fn pp_update<S: State>(sdes: Sdes, x: &S, hist: &[(f64, S)], t: f64, k: usize) -> S {
    let j = hist.len();
    let (s0, m0) = (&hist[j - 1].0, &hist[j - 1].1);
    let base = |sde: &dyn Sde| {
        let h = sde.lambda(t) - sde.lambda(*s0);
        (h, sde.sigma(t) / sde.sigma(*s0), sde.alpha(t), (-h).exp_m1())
    };
    match k {
        1 => comb(sdes, &[x, m0], |sde| {
            let (_, ratio, a, phi1) = base(sde);
            vec![ratio, -a * phi1]
        }),
        2 => {
            let (s1, m1) = (&hist[j - 2].0, &hist[j - 2].1);
            comb(sdes, &[x, m0, m1], |sde| {
                let (h, ratio, a, phi1) = base(sde);
                let r = (sde.lambda(*s0) - sde.lambda(*s1)) / h;
                vec![ratio, -a * phi1 * (1.0 + 0.5 / r), a * phi1 * 0.5 / r]
            })
        }
        _ => {
            let (s1, m1) = (&hist[j - 2].0, &hist[j - 2].1);
            let (s2, m2) = (&hist[j - 3].0, &hist[j - 3].1);
            comb(sdes, &[x, m0, m1, m2], |sde| {
                let (h, ratio, a, phi1) = base(sde);
                let r0 = (sde.lambda(*s0) - sde.lambda(*s1)) / h;
                let r1 = (sde.lambda(*s1) - sde.lambda(*s2)) / h;
                let phi2 = phi1 / h + 1.0;
                let phi3 = phi2 / h - 0.5;
                let (big_a, big_b) = (a * phi2, a * phi3);
                let (q, w) = (r0 / (r0 + r1), 1.0 / (r0 + r1));
                // A·D1 - B·D2 = c10·D1_0 + c11·D1_1, D1_0 = (m0-m1)/r0, D1_1 = (m1-m2)/r1.
                let c10 = big_a * (1.0 + q) - big_b * w;
                let c11 = -big_a * q + big_b * w;
                vec![ratio, -a * phi1 + c10 / r0, -c10 / r0 + c11 / r1, -c11 / r1]
            })
        }
    }
}
