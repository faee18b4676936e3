//! GDSS's S4 solver ("Symmetric Splitting for the System of SDEs", Jo et al. 2022, §3.3 and
//! `solver.py::S4_solver`): one score evaluation per step that serves both a Langevin
//! correction and the reverse-diffusion prediction.
//!
//! Grid `t_i = linspace(1, ε, N)` with the fixed step `dt = −1/N` (GDSS uses `−1/N`, not the
//! grid spacing), `h = dt/2`. Per step, for every component with its own SDE:
//!
//! 1. `s = score(x, t)`; score drift `D = −g(t)² s` (kept from the pre-correction state);
//! 2. Langevin correction with `s` ([`crate::sampler::langevin_update`]: snr rule, `scale_eps`);
//! 3. half step `t → t+h` of the linear part: `x ← a x + b z` (GDSS's `sde.transition`),
//!    VP: `a = α(t+h)/α(t)`, `b² = 1 − (α(t)/α(t+h))²`; VE: `a = 1`, `b² = σ(t)² − σ(t+h)²`;
//! 4. full step of the score drift `x ← x + D dt`;
//! 5. half step `t+h → t+2h` of the linear part; on the last step only its mean is kept
//!    (GDSS's noise removal).
//!
//! The VP half-step variance `1 − (α(t)/α(t+h))²` is GDSS's (the exact backward-OU variance
//! would be `(α(t+h)/α(t))² − 1`; equal to first order). Cost: `N` evaluations.

use std::sync::Arc;

use indicatif::ProgressBar;
use rand::rngs::StdRng;

use crate::error::{ConfigError, SampleError};
use crate::sampler::{Evaluator, Model, SampleOutput, comb, langevin_update};
use crate::sde::{Prediction, Sde};
use crate::state::State;

/// Mean coefficient and standard deviation of GDSS's `transition(x, t, h)` (h < 0).
fn transition(sde: &dyn Sde, t: f64, h: f64) -> (f64, f64) {
    if sde.name() == "ve" {
        let (a, b) = (sde.sigma(t), sde.sigma(t + h));
        (1.0, (a * a - b * b).max(0.0).sqrt())
    } else {
        // VP family: log-mean increment; valid for t + h slightly below 0 (last step).
        let d = sde.log_alpha(t + h) - sde.log_alpha(t);
        (d.exp(), (-(-2.0 * d).exp_m1()).max(0.0).sqrt())
    }
}

/// Runs S4 with `nfe` steps (one evaluation each) from `x` at `t = 1` down to `t_end`.
#[allow(clippy::too_many_arguments)]
pub fn s4<S: State, M: Model<S>>(
    model: &mut M,
    sdes: &[Arc<dyn Sde>],
    mut x: S,
    nfe: usize,
    t_end: f64,
    snr: f64,
    scale_eps: f64,
    rng: &mut StdRng,
    progress: Option<&ProgressBar>,
) -> Result<SampleOutput<S>, SampleError> {
    if nfe == 0 {
        return Err(ConfigError::Invalid("nfe must be at least 1".into()).into());
    }
    let mut ev = Evaluator::new(model, sdes, progress)?;
    let n = nfe;
    let dt = -1.0 / n as f64;
    let h = dt / 2.0;
    for i in 0..n {
        ev.step = i;
        let t = if n == 1 { 1.0 } else { 1.0 + (t_end - 1.0) * i as f64 / (n - 1) as f64 };
        let s = ev.eval(&x, t, Prediction::Score)?;
        let xc = langevin_update(sdes, &x, &s, t, -dt, snr, scale_eps, rng);
        let z1 = xc.noise_like(rng);
        x = comb(sdes, &[&xc, &z1, &s], |sde| {
            let (a, b) = transition(sde, t, h);
            vec![a, b, -sde.g2(t) * dt]
        });
        if i + 1 == n {
            x = comb(sdes, &[&x], |sde| vec![transition(sde, t + h, h).0]);
        } else {
            let z2 = x.noise_like(rng);
            x = comb(sdes, &[&x, &z2], |sde| {
                let (a, b) = transition(sde, t + h, h);
                vec![a, b]
            });
        }
    }
    Ok(SampleOutput { x, nfe: ev.nfe, steps: n })
}
