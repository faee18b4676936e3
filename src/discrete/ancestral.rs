//! Ancestral sampling of masked diffusion (MDLM §3.3; core brief §2.12): on the grid
//! `t_k = linspace(1, 0)`, a masked token moves from `t` to `s < t` to value `v` with probability
//! `(α_s - α_t)/(1 - α_t) · p_θ(v | z_t)` and stays masked with `(1 - α_s)/(1 - α_t)`; unmasked
//! tokens are copied. Draws use the Gumbel-max trick on the `V + 1` log-probabilities. The last
//! step ends at `t = 0` (`α = 1`), so no mask is left.

use super::MaskedDenoiser;
use super::schedule::MaskSchedule;
use ndarray::Array2;
use rand::RngExt;
use rand::rngs::StdRng;

/// A standard Gumbel draw.
pub fn gumbel(rng: &mut StdRng) -> f64 {
    let u: f64 = rng.random::<f64>().max(1e-300);
    -(-u.ln()).ln()
}

/// One reverse step `t → s` on a batch `z` (`[b, L]`, value `V` = mask).
pub fn step(model: &mut dyn MaskedDenoiser, z: &Array2<usize>, schedule: &MaskSchedule, t: f64, s: f64, rng: &mut StdRng) -> Array2<usize> {
    let v = model.vocab();
    let p = model.probs(z, t);
    let (at, as_) = (schedule.alpha(t), schedule.alpha(s));
    let (unmask, stay) = ((as_ - at) / (1.0 - at), (1.0 - as_) / (1.0 - at));
    let mut out = z.clone();
    for ((i, j), tok) in out.indexed_iter_mut() {
        if *tok != v {
            continue;
        }
        let mut best = (stay.ln() + gumbel(rng), v);
        for k in 0..v {
            let score = (unmask * p[[i, j, k]]).ln() + gumbel(rng);
            if score > best.0 {
                best = (score, k);
            }
        }
        *tok = best.1;
    }
    out
}

/// `n` sequences of length `len` from an all-mask start in `steps` uniform steps.
pub fn sample(model: &mut dyn MaskedDenoiser, n: usize, len: usize, schedule: &MaskSchedule, steps: usize, rng: &mut StdRng) -> Array2<usize> {
    sample_with(model, n, len, schedule, steps, rng, &mut |_| {})
}

/// [`sample`], calling `on_step(k)` after step `k` (for progress bars).
pub fn sample_with(model: &mut dyn MaskedDenoiser, n: usize, len: usize, schedule: &MaskSchedule, steps: usize, rng: &mut StdRng, on_step: &mut dyn FnMut(usize)) -> Array2<usize> {
    let mut z = Array2::from_elem((n, len), model.vocab());
    for k in 0..steps {
        let (t, s) = (1.0 - k as f64 / steps as f64, 1.0 - (k + 1) as f64 / steps as f64);
        z = step(model, &z, schedule, t, s, rng);
        on_step(k);
    }
    z
}
