//! GDSS's "Reverse" predictor with its Langevin corrector (Jo et al. 2022, `solver.py`
//! `ReverseDiffusionPredictor` + `LangevinCorrector`; Song et al. 2021, App. E "reverse diffusion"):
//! the ancestral step of the discretised forward chain, used by GDSS for grid, QM9 and ZINC250k.
//!
//! Grid `t_i = linspace(1, ε, N)`; each step first runs one Langevin correction
//! ([`crate::sampler::langevin_update`], snr rule, `scale_eps`), then the predictor with a fresh
//! score at the corrected state. With the table index `j = ⌊t (N − 1)⌋` of an `N`-entry table
//! (GDSS: `N` = the number of steps):
//!
//! ```text
//! VP: β_j = β(j/(N−1))/N,  mean = (2 − √(1 − β_j)) x + β_j s,       x = mean + √β_j z
//! VE: σ_j = σ(j/(N−1)),    mean = x + (σ_j² − σ_{j−1}²) s,          x = mean + √(σ_j² − σ_{j−1}²) z
//! ```
//!
//! (`σ_{−1} = 0`; `β(t) = g²(t)` for the linear VP SDE.) The last step returns the mean (GDSS's
//! noise removal). Cost: `2N` evaluations of each network.

use std::sync::Arc;

use indicatif::ProgressBar;
use rand::rngs::StdRng;

use crate::error::{ConfigError, SampleError};
use crate::sampler::{Evaluator, Model, SampleOutput, comb, langevin_update};
use crate::sde::{Prediction, Sde};
use crate::state::State;

/// `(mean coefficient of x, coefficient of the score, noise std)` of the reverse-diffusion step
/// at time `t` with an `n`-entry discrete table.
pub fn reverse_coefficients(sde: &dyn Sde, t: f64, n: usize) -> (f64, f64, f64) {
    let last = (n.max(2) - 1) as f64;
    let j = (t * last).floor().clamp(0.0, last);
    if sde.name() == "ve" {
        let s = sde.sigma(j / last);
        let prev = if j >= 1.0 { sde.sigma((j - 1.0) / last) } else { 0.0 };
        let d = (s * s - prev * prev).max(0.0);
        (1.0, d, d.sqrt())
    } else {
        let beta = sde.g2(j / last) / n as f64;
        (2.0 - (1.0 - beta).sqrt(), beta, beta.sqrt())
    }
}

/// Runs Reverse + Langevin with `steps` steps (`2·steps` evaluations) from `x` at `t = 1` to `t_end`.
#[allow(clippy::too_many_arguments)]
pub fn reverse_pc<S: State, M: Model<S>>(
    model: &mut M,
    sdes: &[Arc<dyn Sde>],
    mut x: S,
    steps: usize,
    t_end: f64,
    snr: f64,
    scale_eps: f64,
    rng: &mut StdRng,
    progress: Option<&ProgressBar>,
) -> Result<SampleOutput<S>, SampleError> {
    if steps == 0 {
        return Err(ConfigError::Invalid("the reverse sampler needs at least 1 step".into()).into());
    }
    let mut ev = Evaluator::new(model, sdes, progress)?;
    let dt = 1.0 / steps as f64;
    for i in 0..steps {
        ev.step = i;
        let t = if steps == 1 { 1.0 } else { 1.0 + (t_end - 1.0) * i as f64 / (steps - 1) as f64 };
        let s = ev.eval(&x, t, Prediction::Score)?;
        x = langevin_update(sdes, &x, &s, t, dt, snr, scale_eps, rng);
        let s = ev.eval(&x, t, Prediction::Score)?;
        let mean = comb(sdes, &[&x, &s], |sde| {
            let (a, c, _) = reverse_coefficients(sde, t, steps);
            vec![a, c]
        });
        if i + 1 == steps {
            x = mean;
        } else {
            let z = mean.noise_like(rng);
            x = comb(sdes, &[&mean, &z], |sde| vec![1.0, reverse_coefficients(sde, t, steps).2]);
        }
    }
    Ok(SampleOutput { x, nfe: ev.nfe, steps })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sde::{Ve, VpLinear};

    #[test]
    fn tables_match_gdss_discretisation() {
        // Oracle: the tables written out by hand from GDSS/score_sde (N = 1000):
        // VP β_j = linspace(β₀/N, β₁/N, N)[j]; VE σ_j = exp(linspace(ln σ_min, ln σ_max, N))[j].
        let n = 1000;
        let vp = VpLinear { beta_min: 0.1, beta_max: 1.0 };
        for &t in &[1.0, 0.5, 0.0123, 1e-4] {
            let j = (t * 999.0_f64).floor();
            let beta = (0.1 / 1000.0) + j * (1.0 / 1000.0 - 0.1 / 1000.0) / 999.0;
            let (a, c, s) = reverse_coefficients(&vp, t, n);
            assert!((c - beta).abs() < 1e-15 && (a - (2.0 - (1.0 - beta).sqrt())).abs() < 1e-15 && (s - beta.sqrt()).abs() < 1e-15, "t {t}");
        }
        let ve = Ve { sigma_min: 0.2, sigma_max: 1.0 };
        let sig = |j: f64| (0.2f64.ln() + j * (1.0f64.ln() - 0.2f64.ln()) / 999.0).exp();
        let (_, c, _) = reverse_coefficients(&ve, 0.5, n);
        let j = (0.5 * 999.0f64).floor();
        assert!((c - (sig(j).powi(2) - sig(j - 1.0).powi(2))).abs() < 1e-12);
        let (_, c0, _) = reverse_coefficients(&ve, 1e-5, n);
        assert!((c0 - 0.04).abs() < 1e-12, "σ_{{-1}} = 0 at the first index: {c0}");
    }
}
