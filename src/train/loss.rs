//! Denoising score matching for any core SDE (Vincent 2011; Song et al. 2021, eq. 7).
//!
//! For data `x0`, `t ~ U(t_min, T)`, `eps ~ N(0, I)` and `x_t = alpha_t x0 + sigma_t eps`, the
//! network predicts one of the four parameterisations; its regression target is `eps`, `x0`,
//! `v = alpha eps - sigma x0` or the conditional score `-eps/sigma`. All weightings are stated in
//! noise space and carried to the chosen parameterisation by the factor `c² = (d eps / d pred)²`
//! (see [`Prediction::coefficients`]), so the same weighting means the same objective whatever
//! the network predicts:
//!
//! * `simple`: `w = 1` — Ho et al. (2020)'s `L_simple`;
//! * `likelihood`: `w = g(t)² / sigma_t²` — the score-matching weight `lambda = g²` of Song et al.
//!   (2021b), which makes the loss a bound on the negative log-likelihood;
//! * `min-snr`: `w = min(SNR, gamma)/SNR`, `SNR = alpha²/sigma²` — Hang et al. (2023).
//!
//! Times are uniform (importance sampling of `t` for the likelihood weighting is not
//! implemented). All host-side randomness comes from the caller's RNG.

use crate::sde::{Prediction, Sde};
use burn::prelude::*;
use ndarray::ArrayD;
use rand::RngExt;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// Loss weighting over time, in noise space.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Weighting {
    /// Unit weight on the noise error.
    Simple,
    /// `g²/sigma²` (maximum-likelihood weighting).
    Likelihood,
    /// `min(SNR, gamma)/SNR`.
    MinSnr(f64),
}

/// What the denoising loss trains.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DsmConfig {
    /// The network's output.
    pub prediction: Prediction,
    /// The weighting.
    pub weighting: Weighting,
    /// Smallest training time (score_sde: 1e-5; we default to 1e-3, the sampling end time).
    pub t_min: f64,
}

impl Default for DsmConfig {
    fn default() -> Self {
        Self { prediction: Prediction::Noise, weighting: Weighting::Simple, t_min: 1e-3 }
    }
}

/// One noised batch with its targets and per-sample weights.
#[derive(Debug, Clone)]
pub struct DsmBatch<B: Backend, const D: usize> {
    /// Noised inputs.
    pub x_t: Tensor<B, D>,
    /// Times `[b]`.
    pub t: Tensor<B, 1>,
    /// Regression targets.
    pub target: Tensor<B, D>,
    /// Per-sample weights `[b]`.
    pub weight: Tensor<B, 1>,
}

impl DsmConfig {
    /// Weight for one time (noise-space weight times the parameterisation factor `c²`).
    pub fn weight(&self, sde: &dyn Sde, t: f64) -> f64 {
        let (a, s) = (sde.alpha(t), sde.sigma(t));
        let w_eps = match self.weighting {
            Weighting::Simple => 1.0,
            Weighting::Likelihood => sde.g2(t) / (s * s),
            Weighting::MinSnr(gamma) => {
                let snr = a * a / (s * s);
                snr.min(gamma) / snr
            }
        };
        let (_, c) = self.prediction.coefficients(Prediction::Noise, a, s);
        w_eps * c * c
    }

    /// Draw times and noise for the data `x0` (axis 0 = batch) and build the batch on `device`.
    pub fn batch<B: Backend, const D: usize>(&self, sde: &dyn Sde, x0: &ArrayD<f64>, rng: &mut StdRng, device: &B::Device) -> DsmBatch<B, D> {
        assert_eq!(x0.ndim(), D, "data rank must match the tensor rank");
        let b = x0.shape()[0];
        let per = x0.len() / b.max(1);
        let (t_lo, t_hi) = (self.t_min, sde.t_max());
        let ts: Vec<f64> = (0..b).map(|_| t_lo + (t_hi - t_lo) * rng.random::<f64>()).collect();
        let (mut xt, mut tgt) = (Vec::with_capacity(x0.len()), Vec::with_capacity(x0.len()));
        let flat: Vec<f64> = x0.iter().copied().collect();
        for (i, &t) in ts.iter().enumerate() {
            let (a, s) = (sde.alpha(t), sde.sigma(t));
            for &x in &flat[i * per..(i + 1) * per] {
                let e: f64 = StandardNormal.sample(rng);
                xt.push((a * x + s * e) as f32);
                tgt.push(match self.prediction {
                    Prediction::Noise => e,
                    Prediction::Data => x,
                    Prediction::Velocity => a * e - s * x,
                    Prediction::Score => -e / s,
                } as f32);
            }
        }
        let shape: [usize; D] = x0.shape().try_into().expect("rank checked");
        let w: Vec<f32> = ts.iter().map(|&t| self.weight(sde, t) as f32).collect();
        let tv: Vec<f32> = ts.iter().map(|&t| t as f32).collect();
        DsmBatch {
            x_t: Tensor::from_data(TensorData::new(xt, shape), device),
            t: Tensor::from_data(TensorData::new(tv, [b]), device),
            target: Tensor::from_data(TensorData::new(tgt, shape), device),
            weight: Tensor::from_data(TensorData::new(w, [b]), device),
        }
    }
}

/// `mean_b w_b · mean_features (pred - target)²`.
pub fn dsm_loss<B: Backend, const D: usize>(pred: Tensor<B, D>, batch: &DsmBatch<B, D>) -> Tensor<B, 1> {
    let b = pred.dims()[0] as i64;
    let se: Tensor<B, 2> = (pred - batch.target.clone()).square().reshape([b, -1]);
    let per_sample: Tensor<B, 1> = se.mean_dim(1).reshape([b]);
    (per_sample * batch.weight.clone()).mean()
}
