//! Reverse-SDE samplers (Song et al. 2021, §4.2 and App. G).
//!
//! Reverse SDE: `dx = [f x - g² s(x, t)] dt + g dW̄`. **Euler–Maruyama** over a step of length
//! `Δt = t_i - t_{i+1}`: `x ← x - [f x - g² s] Δt + g sqrt(Δt) z`; the last step omits the
//! noise (score_sde's "noise removal", returning the mean). **Langevin corrector** (Alg. 4/5):
//! `ε = 2 α_i (snr ‖z‖ / ‖s‖)²`, `x ← x + ε s + sqrt(2ε) z`, with `‖·‖` the batch mean of
//! per-sample norms and `α_i = 1 - β(t_i) Δt` (VP family) or 1 (VE). Each component of a joint
//! state gets its own step size. `scale_eps` (GDSS) multiplies the corrector's noise term.

use super::{Evaluator, Model, comb};
use crate::error::SampleError;
use crate::sde::{Prediction, Sde};
use crate::state::State;
use rand::rngs::StdRng;
use std::sync::Arc;

fn em_step<S: State, M: Model<S>>(
    ev: &mut Evaluator<'_, S, M>,
    sdes: &[Arc<dyn Sde>],
    x: S,
    s: f64,
    t: f64,
    last: bool,
    rng: &mut StdRng,
) -> Result<S, SampleError> {
    let score = ev.eval(&x, s, Prediction::Score)?;
    let z = if last { x.clone() } else { x.noise_like(rng) };
    let dt = s - t;
    Ok(comb(sdes, &[&x, &score, &z], |sde| {
        let noise = if last { 0.0 } else { sde.g(s) * dt.sqrt() };
        vec![1.0 - sde.f(s) * dt, sde.g2(s) * dt, noise]
    }))
}

/// Euler–Maruyama on `grid`.
pub fn euler_maruyama<S: State, M: Model<S>>(
    ev: &mut Evaluator<'_, S, M>,
    sdes: &[Arc<dyn Sde>],
    mut x: S,
    grid: &[f64],
    rng: &mut StdRng,
) -> Result<(S, usize), SampleError> {
    let n = grid.len() - 1;
    for i in 0..n {
        ev.step = i;
        x = em_step(ev, sdes, x, grid[i], grid[i + 1], i + 1 == n, rng)?;
    }
    Ok((x, n))
}

/// One Langevin corrector step at time `t` (step-size rule from the signal-to-noise ratio).
fn langevin<S: State, M: Model<S>>(
    ev: &mut Evaluator<'_, S, M>,
    sdes: &[Arc<dyn Sde>],
    x: S,
    t: f64,
    dt: f64,
    snr: f64,
    scale_eps: f64,
    rng: &mut StdRng,
) -> Result<S, SampleError> {
    let g = ev.eval(&x, t, Prediction::Score)?;
    Ok(langevin_update(sdes, &x, &g, t, dt, snr, scale_eps, rng))
}

/// The Langevin corrector update given the score `g` at `x` (so that a solver which already
/// evaluated the score, e.g. GDSS's S4, can reuse it): per component
/// `ε = 2 α (snr ‖z‖/‖g‖)²`, `x + ε g + scale_eps · sqrt(2ε) z`, with `‖·‖` the batch mean of
/// per-sample norms ([`State::mean_norms`]) and `α` = [`Sde::langevin_alpha`]`(t, dt)`.
#[allow(clippy::too_many_arguments)]
pub fn langevin_update<S: State>(
    sdes: &[Arc<dyn Sde>],
    x: &S,
    g: &S,
    t: f64,
    dt: f64,
    snr: f64,
    scale_eps: f64,
    rng: &mut StdRng,
) -> S {
    let z = x.noise_like(rng);
    let (gn, zn) = (g.mean_norms(), z.mean_norms());
    let steps: Vec<f64> = sdes
        .iter()
        .enumerate()
        .map(|(c, sde)| {
            let ratio = if gn[c] > 0.0 { snr * zn[c] / gn[c] } else { 0.0 };
            2.0 * sde.langevin_alpha(t, dt) * ratio * ratio
        })
        .collect();
    let coefs: Vec<Vec<f64>> = steps.iter().map(|e| vec![1.0, *e, scale_eps * (2.0 * e).sqrt()]).collect();
    let refs: Vec<&[f64]> = coefs.iter().map(|v| v.as_slice()).collect();
    S::lin_comb(&[x, g, &z], &refs)
}

/// Predictor–corrector on `grid` with `nfe` evaluations in total: a Langevin corrector then an
/// Euler–Maruyama predictor at each step (the corrector is skipped on the first step when `nfe`
/// is odd).
pub fn predictor_corrector<S: State, M: Model<S>>(
    ev: &mut Evaluator<'_, S, M>,
    sdes: &[Arc<dyn Sde>],
    mut x: S,
    grid: &[f64],
    nfe: usize,
    snr: f64,
    scale_eps: f64,
    rng: &mut StdRng,
) -> Result<(S, usize), SampleError> {
    let n = grid.len() - 1;
    let skip = 2 * n - nfe; // 0 or 1 corrector left out
    for i in 0..n {
        ev.step = i;
        let (s, t) = (grid[i], grid[i + 1]);
        if i >= skip {
            x = langevin(ev, sdes, x, s, s - t, snr, scale_eps, rng)?;
        }
        x = em_step(ev, sdes, x, s, t, i + 1 == n, rng)?;
    }
    Ok((x, n))
}
