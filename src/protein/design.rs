//! Sequence design on a fixed backbone with ProteinMPNN as a masked-diffusion denoiser, and
//! the model-based naturalness scores.
//!
//! **Sampling** (DRAKES' protein sampler, brief drakes.md §1.3): a grid t_0 = t_min < … <
//! t_{S−1} = 1 in the interpolant time where t = 1 is clean and every residue is masked with
//! probability 1 − t. From the all-masked state, each transition t → t' unmasks every
//! still-masked residue with probability (t' − t)/(1 − t) (the remaining mask mass), drawing its
//! amino acid from softmax(logits/τ) over the 20 amino acids (X is never designed); the last
//! transition unmasks everything. τ = 0.1 and 50 grid points are DRAKES' defaults.
//!
//! **Log-likelihood** (ProteinMPNN's `score`): the mean over positions of −log p(s_i | s_<i,
//! backbone) in a uniformly random decoding order, averaged over `orders` orders, in nats per
//! residue (lower is more native-like). **Recovery**: the fraction of positions equal to the
//! native residue (native X excluded).

use burn::tensor::activation::log_softmax;
use burn::tensor::backend::Backend;
use rand::{Rng, RngExt};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use super::ProteinError;
use super::mpnn::{Encoded, ProteinMpnn, VOCAB, Visibility, one_hot};
use super::pdb::UNKNOWN;

/// Settings of the masked-diffusion sampler.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DesignConfig {
    /// Grid points on `[t_min, 1]` (DRAKES: 50, i.e. 49 transitions).
    pub steps: usize,
    /// Softmax temperature τ (DRAKES: 0.1).
    pub temperature: f64,
    /// First grid point (DRAKES: 0.01).
    pub t_min: f64,
    /// Sequences decoded together.
    pub batch: usize,
}

impl Default for DesignConfig {
    fn default() -> Self {
        Self { steps: 50, temperature: 0.1, t_min: 0.01, batch: 8 }
    }
}

impl DesignConfig {
    /// Checks ranges.
    pub fn validate(&self) -> Result<(), ProteinError> {
        let bad = |m: String| Err(ProteinError::Config(m));
        if self.steps < 2 {
            return bad(format!("steps = {} (need ≥ 2 grid points)", self.steps));
        }
        if !(self.temperature.is_finite() && self.temperature > 0.0) {
            return bad(format!("temperature = {} (need > 0)", self.temperature));
        }
        if !(0.0..1.0).contains(&self.t_min) {
            return bad(format!("t_min = {} (need 0 ≤ t_min < 1)", self.t_min));
        }
        if self.batch == 0 {
            return bad("batch = 0".into());
        }
        Ok(())
    }

    /// The time grid.
    pub fn grid(&self) -> Vec<f64> {
        let s = self.steps - 1;
        (0..=s).map(|i| self.t_min + (1.0 - self.t_min) * i as f64 / s as f64).collect()
    }
}

/// Log-probabilities `[N][L][21]` on the host.
fn host_log_probs<B: Backend>(logits: burn::tensor::Tensor<B, 3>) -> Vec<Vec<Vec<f32>>> {
    let [n, l, v] = logits.dims();
    let flat: Vec<f32> = log_softmax(logits, 2).into_data().convert::<f32>().to_vec().expect("f32 data");
    (0..n).map(|s| (0..l).map(|i| flat[(s * l + i) * v..(s * l + i + 1) * v].to_vec()).collect()).collect()
}

/// Draws one amino acid (0..20) from `softmax(logp / τ)` over the 20 amino acids.
fn draw<R: Rng>(logp: &[f32], temperature: f64, rng: &mut R) -> u8 {
    let m = logp[..20].iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b)) as f64;
    let w: Vec<f64> = logp[..20].iter().map(|&x| ((x as f64 - m) / temperature).exp()).collect();
    let mut u = rng.random::<f64>() * w.iter().sum::<f64>();
    for (a, wi) in w.iter().enumerate() {
        u -= wi;
        if u <= 0.0 {
            return a as u8;
        }
    }
    19
}

/// Designs `n` sequences for the encoded backbone (indices 0..20 into `ACDEFGHIKLMNPQRSTVWY`).
/// `progress` is called after each transition of each batch.
pub fn design<B: Backend, R: Rng>(
    net: &ProteinMpnn<B>,
    enc: &Encoded<B>,
    n: usize,
    cfg: &DesignConfig,
    rng: &mut R,
    mut progress: impl FnMut(),
) -> Result<Vec<Vec<u8>>, ProteinError> {
    cfg.validate()?;
    let l = enc.graph.len;
    let d = enc.nodes.device();
    let grid = cfg.grid();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let b = cfg.batch.min(n - out.len());
        let mut seqs = vec![vec![UNKNOWN; l]; b];
        let mut known = vec![vec![false; l]; b];
        for w in grid.windows(2) {
            let p = ((w[1] - w[0]) / (1.0 - w[0])).clamp(0.0, 1.0);
            let logits = net.decode(enc, one_hot(&seqs, &d), &Visibility::Unmasked(known.clone()));
            let lp = host_log_probs(logits);
            for s in 0..b {
                for i in 0..l {
                    if !known[s][i] && (w[1] >= 1.0 || rng.random::<f64>() < p) {
                        seqs[s][i] = draw(&lp[s][i], cfg.temperature, rng);
                        known[s][i] = true;
                    }
                }
            }
            progress();
        }
        out.extend(seqs);
    }
    Ok(out)
}

/// ProteinMPNN's score: mean −log p per residue (nats) over `orders` random decoding orders.
pub fn log_likelihood<B: Backend, R: Rng>(
    net: &ProteinMpnn<B>,
    enc: &Encoded<B>,
    seqs: &[Vec<u8>],
    orders: usize,
    rng: &mut R,
) -> Result<Vec<f64>, ProteinError> {
    let l = enc.graph.len;
    for (s, seq) in seqs.iter().enumerate() {
        if seq.len() != l {
            return Err(ProteinError::Sequence(format!("sequence {s} has {} residues, the backbone {l}", seq.len())));
        }
        if let Some(i) = seq.iter().position(|&c| c as usize >= VOCAB) {
            return Err(ProteinError::Sequence(format!("sequence {s}: index {} at position {} is not a residue", seq[i], i + 1)));
        }
    }
    let d = enc.nodes.device();
    let mut nll = vec![0.0; seqs.len()];
    for _ in 0..orders.max(1) {
        let ranks: Vec<Vec<usize>> = seqs
            .iter()
            .map(|_| {
                let mut perm: Vec<usize> = (0..l).collect();
                perm.shuffle(rng);
                let mut r = vec![0; l];
                for (step, &i) in perm.iter().enumerate() {
                    r[i] = step;
                }
                r
            })
            .collect();
        let lp = host_log_probs(net.decode(enc, one_hot(seqs, &d), &Visibility::Order(ranks)));
        for (s, seq) in seqs.iter().enumerate() {
            nll[s] -= seq.iter().enumerate().map(|(i, &c)| lp[s][i][c as usize] as f64).sum::<f64>() / l as f64;
        }
    }
    Ok(nll.into_iter().map(|v| v / orders.max(1) as f64).collect())
}

/// Fraction of positions equal to the native residue (native `X` positions excluded).
pub fn recovery(seq: &[u8], native: &[u8]) -> f64 {
    let pairs: Vec<(u8, u8)> = seq.iter().zip(native).map(|(&a, &b)| (a, b)).filter(|&(_, b)| b != UNKNOWN).collect();
    pairs.iter().filter(|(a, b)| a == b).count() as f64 / pairs.len().max(1) as f64
}

/// Amino-acid frequencies (20 entries) of a set of sequences (X ignored).
pub fn composition(seqs: &[Vec<u8>]) -> [f64; 20] {
    let mut c = [0.0; 20];
    for &a in seqs.iter().flatten().filter(|&&a| a < 20) {
        c[a as usize] += 1.0;
    }
    let t: f64 = c.iter().sum();
    c.map(|v| v / t.max(1.0))
}

/// KL(p ‖ q) in nats with q floored at 1e−6 (so a letter missing from `q` is finite).
pub fn kl_divergence(p: &[f64; 20], q: &[f64; 20]) -> f64 {
    p.iter().zip(q).filter(|(pi, _)| **pi > 0.0).map(|(pi, qi)| pi * (pi / qi.max(1e-6)).ln()).sum()
}
