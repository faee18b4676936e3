//! The continuous-time negative ELBO of masked diffusion (MDLM eq. 10):
//! `NELBO(x) = ∫₀¹ w(t) E_{z_t ~ q(·|x)}[Σ_{i: z_t^i = MASK} -log p_θ(x^i | z_t)] dt`,
//! `w(t) = -α'_t/(1 - α_t)`. With the exact denoiser of a distribution `p` it equals `-log p(x)`
//! when `α_1 = 0` (it averages the chain rule over random orders; core brief §3.6).

use super::MaskedDenoiser;
use super::schedule::MaskSchedule;
use ndarray::{Array1, Array2};
use rand::RngExt;
use rand::rngs::StdRng;

fn masked_nll(model: &mut dyn MaskedDenoiser, x: &Array2<usize>, z: &Array2<usize>, t: f64) -> Array1<f64> {
    let v = model.vocab();
    let p = model.probs(z, t);
    let (b, l) = x.dim();
    (0..b)
        .map(|i| (0..l).filter(|&j| z[[i, j]] == v).map(|j| -p[[i, j, x[[i, j]]]].max(1e-300).ln()).sum())
        .collect()
}

/// Monte Carlo NELBO per sequence (nats) with `n_t` stratified times `t_k = (k + U)/n_t`.
pub fn nelbo_mc(model: &mut dyn MaskedDenoiser, x: &Array2<usize>, schedule: &MaskSchedule, n_t: usize, rng: &mut StdRng) -> Array1<f64> {
    let v = model.vocab();
    let mut acc = Array1::zeros(x.nrows());
    for k in 0..n_t {
        let t = ((k as f64 + rng.random::<f64>()) / n_t as f64).max(1e-12);
        let a = schedule.alpha(t);
        let z = x.mapv(|tok| if rng.random::<f64>() < a { tok } else { v });
        acc = acc + masked_nll(model, x, &z, t) * schedule.weight(t);
    }
    acc / n_t as f64
}

/// Exact NELBO of one short sequence: all `2^L` mask patterns enumerated, the time integral by
/// `n_quad`-point Gauss–Legendre (exact for the polynomial integrands of the log-linear schedule
/// with a time-independent denoiser).
pub fn nelbo_enumerated(model: &mut dyn MaskedDenoiser, x: &[usize], schedule: &MaskSchedule, n_quad: usize) -> f64 {
    let (l, v) = (x.len(), model.vocab());
    assert!(l <= 16, "enumeration is for short sequences");
    let xs = Array2::from_shape_vec((1, l), x.to_vec()).expect("shape");
    let mut total = 0.0;
    for (node, w) in crate::sampler::gauss_legendre(n_quad) {
        let t = 0.5 * (node + 1.0);
        let a = schedule.alpha(t);
        let mut inner = 0.0;
        for mask in 1u32..(1 << l) {
            let k = mask.count_ones() as i32;
            let prob = (1.0 - a).powi(k) * a.powi(l as i32 - k);
            let z = Array2::from_shape_fn((1, l), |(_, j)| if mask >> j & 1 == 1 { v } else { x[j] });
            inner += prob * masked_nll(model, &xs, &z, t)[0];
        }
        total += 0.5 * w * schedule.weight(t) * inner;
    }
    total
}

/// Bits per token from a NELBO in nats over sequences of length `len`.
pub fn bits_per_token(nelbo: f64, len: usize) -> f64 {
    nelbo / (len as f64 * std::f64::consts::LN_2)
}
