//! Euler and Heun on the probability-flow ODE in the EDM variables (Karras et al. 2022, Alg. 1).
//!
//! With `y = x/alpha` and `sigma~ = sigma/alpha = e^{-lambda}`, the PF-ODE of any of our SDEs is
//! `dy/dsigma~ = eps(x, t)` (core brief §2.1). Euler: `y' = y + (sigma~_{i+1} - sigma~_i) eps_i`;
//! Heun averages `eps` at both ends. Back in `x`:
//! `x_{i+1} = (alpha_{i+1}/alpha_i) x_i + alpha_{i+1} (sigma~_{i+1} - sigma~_i) eps`. Euler on
//! a grid is therefore identical to DDIM on the same grid (a tested identity).

use super::{Evaluator, Model, comb};
use crate::error::SampleError;
use crate::sde::{Prediction, Sde};
use crate::state::State;
use std::sync::Arc;

fn euler_coefs(sde: &dyn Sde, s: f64, t: f64) -> (f64, f64) {
    let ratio = (sde.log_alpha(t) - sde.log_alpha(s)).exp();
    (ratio, sde.alpha(t) * (sde.sigma_tilde(t) - sde.sigma_tilde(s)))
}

/// Heun steps for the first `n_heun` intervals of `grid`, Euler steps for the rest
/// (`n_heun = 0` is plain Euler; an odd NFE ends with one Euler step).
pub fn heun<S: State, M: Model<S>>(
    ev: &mut Evaluator<'_, S, M>,
    sdes: &[Arc<dyn Sde>],
    mut x: S,
    grid: &[f64],
    n_heun: usize,
) -> Result<(S, usize), SampleError> {
    let n = grid.len() - 1;
    for i in 0..n {
        ev.step = i;
        let (s, t) = (grid[i], grid[i + 1]);
        let d0 = ev.eval(&x, s, Prediction::Noise)?;
        let pred = comb(sdes, &[&x, &d0], |sde| {
            let (r, c) = euler_coefs(sde, s, t);
            vec![r, c]
        });
        if i >= n_heun {
            x = pred;
            continue;
        }
        let d1 = ev.eval(&pred, t, Prediction::Noise)?;
        x = comb(sdes, &[&x, &d0, &d1], |sde| {
            let (r, c) = euler_coefs(sde, s, t);
            vec![r, 0.5 * c, 0.5 * c]
        });
    }
    Ok((x, n))
}
