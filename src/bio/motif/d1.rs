//! Reward track D1 of the DRAKES-DHS benchmark: an analytic liver-TF motif-grammar reward (brief
//! `drakes.md` §6.2), exact on hard sequences and differentiable on soft inputs.
//!
//! For motifs `k` (HNF4A MA0114.5, HNF1A MA0046.3, FOXA2 MA0047.4, CEBPA MA0102.5, ONECUT1 MA0679.3,
//! NR2F2 MA1111.2; JASPAR 2024 CORE) with PWM `W_k` (see [`super`]) and maximum score `M_k`:
//!
//! ```text
//! s_k(i, ±) = S±_k(i) / M_k                                   normalised window score, both strands
//! H_k       = Σ_{i, ±} σ(β (s_k(i, ±) − θ))                   soft hit count
//! r(x)      = Σ_k w_k log(1 + H_k) − λ_gc·G(x) − λ_h·Hp(x) − λ_r·Rp(x)
//! G(x)      = relu(gc_lo − gc(x)) + relu(gc(x) − gc_hi),      gc(x) = (1/L) Σ_i (x[i,C] + x[i,G])
//! Hp(x)     = Σ_i Σ_b Π_{j<h} x[i+j, b]                       number of homopolymer windows of length h
//! Rp(x)     = relu(max_u c_u(x) − c_max),                     c_u(x) = Σ_i Π_{j<k} x[i+j, u_j]  (k-mer u)
//! ```
//!
//! On one-hot rows every term is the ordinary count (hits, GC fraction, homopolymer windows, k-mer
//! multiplicity); on a probability matrix `P [L, 4]` each is a polynomial (or sigmoid of a linear map) in
//! `P`, so [`D1Reward::reward_soft`] is differentiable almost everywhere (the `relu` hinges and the `max`
//! over k-mers are the only kinks; the gradient there is the one-sided value of the chosen branch) and
//! returns the analytic gradient `∂r/∂P`.
//!
//! Defaults: `θ = 0.8`, `β = 10`, `w_k = 1` (brief §6.2 gives θ and β "≈"; weights unspecified). The guard
//! constants are ours, measured on the 9,833 HepG2 `training` rows of `dhs.tsv` (2026-12-02): GC 5th/95th
//! percentiles 0.35 / 0.62; 6.6 % of sequences contain a homopolymer of length ≥ 8; the maximum 6-mer
//! multiplicity has median 2 and 95th percentile 5. Hence `gc_lo = 0.35`, `gc_hi = 0.62`, `h = 8`, `k = 6`,
//! `c_max = 5`, and penalty weights `λ_gc = 50` (0.1 outside the band costs 5 nats, about two motif
//! hits), `λ_h = 0.5` per homopolymer window, `λ_r = 0.5` per excess repeat. Recalibrate with
//! [`D1Config::calibrate_gc`].
//!
//! Sanity check on the full `dhs.tsv` (test `tests/full_data.rs`, ignored by default): the default reward
//! ranks HepG2 DHS above the other three cell types with AUC 0.738 (0.741 with the JASPAR 2022 versions of
//! the same six TFs); the brief (§6.1) reports 0.76 for a related best-match score.
//!
//! Internally everything is computed in `f64`; the public soft API takes and returns `f32` tensors.

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::{DEFAULT_PSEUDOCOUNT, Pfm, Pwm, UNIFORM_BACKGROUND};
use crate::bio::{BioError, Result};

/// Parameters of the D1 reward (serde, every field defaulted; unknown keys rejected).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct D1Config {
    /// Normalised-score threshold θ.
    pub theta: f64,
    /// Sigmoid sharpness β.
    pub beta: f64,
    /// Per-motif weights `w_k`; empty = all 1.
    pub weights: Vec<f64>,
    /// Total PWM pseudocount per column.
    pub pseudocount: f64,
    /// Lower GC bound (fraction).
    pub gc_low: f64,
    /// Upper GC bound (fraction).
    pub gc_high: f64,
    /// λ_gc.
    pub gc_weight: f64,
    /// Homopolymer window length `h`.
    pub homopolymer_len: usize,
    /// λ_h.
    pub homopolymer_weight: f64,
    /// k-mer length of the repeat guard.
    pub repeat_k: usize,
    /// Allowed maximum k-mer multiplicity `c_max`.
    pub repeat_max: f64,
    /// λ_r.
    pub repeat_weight: f64,
}

impl Default for D1Config {
    fn default() -> Self {
        D1Config {
            theta: 0.8,
            beta: 10.0,
            weights: Vec::new(),
            pseudocount: DEFAULT_PSEUDOCOUNT,
            gc_low: 0.35,
            gc_high: 0.62,
            gc_weight: 50.0,
            homopolymer_len: 8,
            homopolymer_weight: 0.5,
            repeat_k: 6,
            repeat_max: 5.0,
            repeat_weight: 0.5,
        }
    }
}

impl D1Config {
    /// Set `gc_low`/`gc_high` to the 5th/95th percentiles (nearest rank) of the GC fraction of `seqs`.
    pub fn calibrate_gc(&mut self, seqs: &[&[u8]]) -> Result<()> {
        if seqs.is_empty() {
            return Err(BioError::Invalid("calibrate_gc needs at least one sequence".into()));
        }
        let mut gc: Vec<f64> = seqs.iter().map(|s| gc_fraction(s)).collect();
        gc.sort_by(f64::total_cmp);
        let pick = |q: f64| gc[((q * (gc.len() - 1) as f64).round() as usize).min(gc.len() - 1)];
        self.gc_low = pick(0.05);
        self.gc_high = pick(0.95);
        Ok(())
    }
}

/// GC fraction of an index sequence.
pub fn gc_fraction(seq: &[u8]) -> f64 {
    seq.iter().filter(|&&b| b == 1 || b == 2).count() as f64 / seq.len().max(1) as f64
}

/// The individual terms of the reward (for logging and tests).
#[derive(Debug, Clone, PartialEq)]
pub struct D1Terms {
    /// Soft hit counts `H_k`, one per motif.
    pub hits: Vec<f64>,
    /// `Σ_k w_k log(1 + H_k)`.
    pub motif: f64,
    /// `λ_gc·G(x)`.
    pub gc_penalty: f64,
    /// `λ_h·Hp(x)`.
    pub homopolymer_penalty: f64,
    /// `λ_r·Rp(x)`.
    pub repeat_penalty: f64,
    /// `motif − penalties`.
    pub total: f64,
}

/// The D1 reward: PWMs for both strands plus the configuration.
#[derive(Debug, Clone)]
pub struct D1Reward {
    /// Configuration.
    pub config: D1Config,
    /// `(forward PWM, reverse-complement PWM, max score M_k)` per motif.
    motifs: Vec<(Pwm, Pwm, f64)>,
    weights: Vec<f64>,
}

fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 { 1.0 / (1.0 + (-z).exp()) } else { let e = z.exp(); e / (1.0 + e) }
}

impl D1Reward {
    /// Build from count matrices (normally [`super::MotifSet::reward`]).
    pub fn new(pfms: &[Pfm], config: D1Config) -> Result<D1Reward> {
        if pfms.is_empty() {
            return Err(BioError::Invalid("D1 reward needs at least one motif".into()));
        }
        let weights = if config.weights.is_empty() { vec![1.0; pfms.len()] } else { config.weights.clone() };
        if weights.len() != pfms.len() {
            return Err(BioError::Invalid(format!("{} weights for {} motifs", weights.len(), pfms.len())));
        }
        if config.homopolymer_len == 0 || config.repeat_k == 0 || config.repeat_k > 10 {
            return Err(BioError::Invalid("homopolymer_len must be ≥ 1 and repeat_k in 1..=10".into()));
        }
        let mut motifs = Vec::new();
        for pfm in pfms {
            let pwm = Pwm::from_pfm(pfm, config.pseudocount, UNIFORM_BACKGROUND)?;
            let max = pwm.max_score();
            if max.is_nan() || max <= 0.0 {
                return Err(BioError::Motif { motif: pfm.id.clone(), message: "non-positive maximum score".into() });
            }
            let rc = pwm.reverse_complement();
            motifs.push((pwm, rc, max));
        }
        Ok(D1Reward { config, motifs, weights })
    }

    /// Longest motif length (sequences must be at least this long to score any window).
    pub fn max_motif_len(&self) -> usize {
        self.motifs.iter().map(|m| m.0.len()).max().unwrap_or(0)
    }

    /// Reward of a hard (index) sequence, computed directly with counts (independent of the soft path).
    pub fn reward_hard(&self, seq: &[u8]) -> f64 {
        self.terms_hard(seq).total
    }

    /// All terms of the reward on a hard sequence.
    pub fn terms_hard(&self, seq: &[u8]) -> D1Terms {
        let c = &self.config;
        let hits: Vec<f64> = self
            .motifs
            .iter()
            .map(|(pwm, _, max)| {
                let s = pwm.scan(seq);
                s.forward.iter().chain(&s.reverse).map(|v| sigmoid(c.beta * (v / max - c.theta))).sum()
            })
            .collect();
        let motif = hits.iter().zip(&self.weights).map(|(h, w)| w * h.ln_1p()).sum::<f64>();
        let gc = gc_fraction(seq);
        let gc_penalty = c.gc_weight * ((c.gc_low - gc).max(0.0) + (gc - c.gc_high).max(0.0));
        let h = c.homopolymer_len;
        let homo = if seq.len() < h { 0 } else { seq.windows(h).filter(|w| w.iter().all(|&b| b == w[0])).count() };
        let homopolymer_penalty = c.homopolymer_weight * homo as f64;
        let mut counts = std::collections::HashMap::<&[u8], usize>::new();
        if seq.len() >= c.repeat_k {
            for w in seq.windows(c.repeat_k) {
                *counts.entry(w).or_default() += 1;
            }
        }
        let max_mult = counts.values().copied().max().unwrap_or(0) as f64;
        let repeat_penalty = c.repeat_weight * (max_mult - c.repeat_max).max(0.0);
        let total = motif - gc_penalty - homopolymer_penalty - repeat_penalty;
        D1Terms { hits, motif, gc_penalty, homopolymer_penalty, repeat_penalty, total }
    }

    /// Reward of a soft input `probs [L, 4]` (rows on the simplex, or any non-negative matrix) and its
    /// analytic gradient `∂r/∂probs [L, 4]`. On one-hot rows the value equals [`D1Reward::reward_hard`].
    ///
    /// # Panics
    /// If `probs` does not have exactly 4 columns.
    pub fn reward_soft(&self, probs: ArrayView2<f32>) -> (f32, Array2<f32>) {
        let p = probs.mapv(|v| v as f64);
        let (r, g) = self.reward_soft_f64(&p);
        (r as f32, g.mapv(|v| v as f32))
    }

    /// `f64` version of [`D1Reward::reward_soft`] (used for tight finite-difference tests).
    pub fn reward_soft_f64(&self, p: &Array2<f64>) -> (f64, Array2<f64>) {
        assert_eq!(p.ncols(), 4, "soft DNA input must have 4 columns, got shape {:?}", p.shape());
        let mut grad = Array2::<f64>::zeros(p.raw_dim());
        let r = self.motif_term(p, &mut grad) - self.gc_term(p, &mut grad) - self.homopolymer_term(p, &mut grad)
            - self.repeat_term(p, &mut grad);
        (r, grad)
    }

    /// `Σ_k w_k log(1 + H_k)`, accumulating its gradient into `grad`.
    fn motif_term(&self, p: &Array2<f64>, grad: &mut Array2<f64>) -> f64 {
        let (beta, theta) = (self.config.beta, self.config.theta);
        let mut total = 0.0;
        for ((fwd, rc, max), &wk) in self.motifs.iter().zip(&self.weights) {
            let m = fwd.len();
            let n = (p.nrows() + 1).saturating_sub(m);
            // σ(z) per window and strand, kept for the backward pass.
            let mut sig = Vec::with_capacity(2 * n);
            for w in [&fwd.weights, &rc.weights] {
                for i in 0..n {
                    let mut s = 0.0;
                    for j in 0..m {
                        for b in 0..4 {
                            s += p[[i + j, b]] * w[[j, b]] as f64;
                        }
                    }
                    sig.push(sigmoid(beta * (s / max - theta)));
                }
            }
            let h: f64 = sig.iter().sum();
            total += wk * h.ln_1p();
            let outer = wk / (1.0 + h) * beta / max;
            for (strand, w) in [&fwd.weights, &rc.weights].into_iter().enumerate() {
                for i in 0..n {
                    let sg = sig[strand * n + i];
                    let coef = outer * sg * (1.0 - sg);
                    for j in 0..m {
                        for b in 0..4 {
                            grad[[i + j, b]] += coef * w[[j, b]] as f64;
                        }
                    }
                }
            }
        }
        total
    }

    /// `λ_gc·G`, accumulating `−∂(λ_gc G)/∂P` into `grad`.
    fn gc_term(&self, p: &Array2<f64>, grad: &mut Array2<f64>) -> f64 {
        let c = &self.config;
        let l = p.nrows().max(1) as f64;
        let gc: f64 = p.rows().into_iter().map(|r| r[1] + r[2]).sum::<f64>() / l;
        let (value, slope) = if gc < c.gc_low {
            (c.gc_low - gc, -1.0)
        } else if gc > c.gc_high {
            (gc - c.gc_high, 1.0)
        } else {
            (0.0, 0.0)
        };
        if slope != 0.0 {
            for mut row in grad.rows_mut() {
                row[1] -= c.gc_weight * slope / l;
                row[2] -= c.gc_weight * slope / l;
            }
        }
        c.gc_weight * value
    }

    /// `λ_h·Hp`, accumulating `−∂(λ_h Hp)/∂P` into `grad`.
    fn homopolymer_term(&self, p: &Array2<f64>, grad: &mut Array2<f64>) -> f64 {
        let (h, lam) = (self.config.homopolymer_len, self.config.homopolymer_weight);
        if p.nrows() < h {
            return 0.0;
        }
        let mut total = 0.0;
        for i in 0..=p.nrows() - h {
            for b in 0..4 {
                total += product_run(p, i, &vec![b as u8; h], grad, -lam);
            }
        }
        lam * total
    }

    /// `λ_r·Rp`, accumulating `−∂(λ_r Rp)/∂P` into `grad` (through the arg-max k-mer only).
    fn repeat_term(&self, p: &Array2<f64>, grad: &mut Array2<f64>) -> f64 {
        let (k, lam, cmax) = (self.config.repeat_k, self.config.repeat_weight, self.config.repeat_max);
        if p.nrows() < k {
            return 0.0;
        }
        let counts = soft_kmer_counts(p, k);
        // First arg-max (ties resolved to the lowest k-mer code, as on hard input any tie is equal-valued).
        let (best, &count) = counts.iter().enumerate().fold((0, &f64::NEG_INFINITY), |a, b| if *b.1 > *a.1 { b } else { a });
        if count <= cmax {
            return 0.0;
        }
        let kmer: Vec<u8> = (0..k).map(|j| ((best >> (2 * (k - 1 - j))) & 3) as u8).collect();
        let mut dummy = 0.0;
        for i in 0..=p.nrows() - k {
            dummy += product_run(p, i, &kmer, grad, -lam);
        }
        debug_assert!((dummy - count).abs() < 1e-9 * count.max(1.0));
        lam * (count - cmax)
    }
}

/// `Π_j P[i+j, word_j]`, adding `scale · ∂/∂P` of it into `grad`.
fn product_run(p: &Array2<f64>, i: usize, word: &[u8], grad: &mut Array2<f64>, scale: f64) -> f64 {
    let vals: Vec<f64> = word.iter().enumerate().map(|(j, &b)| p[[i + j, b as usize]]).collect();
    let prod: f64 = vals.iter().product();
    if scale != 0.0 {
        for (j, &b) in word.iter().enumerate() {
            let others: f64 = vals.iter().enumerate().filter(|&(l, _)| l != j).map(|(_, v)| v).product();
            grad[[i + j, b as usize]] += scale * others;
        }
    }
    prod
}

/// Soft k-mer counts `c_u = Σ_i Π_j P[i+j, u_j]` for all `4^k` k-mers, code `u = Σ_j u_j 4^{k−1−j}`.
pub fn soft_kmer_counts(p: &Array2<f64>, k: usize) -> Vec<f64> {
    let mut counts = vec![0.0; 1 << (2 * k)];
    if p.nrows() < k {
        return counts;
    }
    let rows: Vec<[f64; 4]> = p.rows().into_iter().map(|r| [r[0], r[1], r[2], r[3]]).collect();
    let mut cur = vec![0.0f64; counts.len()];
    let mut next = vec![0.0f64; counts.len()];
    for i in 0..=rows.len() - k {
        // Level j holds the 4^(j+1) probabilities of the first j+1 letters.
        cur[0] = 1.0;
        let mut len = 1;
        for row in &rows[i..i + k] {
            for (a, &v) in cur[..len].iter().enumerate() {
                let out = &mut next[4 * a..4 * a + 4];
                out[0] = v * row[0];
                out[1] = v * row[1];
                out[2] = v * row[2];
                out[3] = v * row[3];
            }
            len *= 4;
            std::mem::swap(&mut cur, &mut next);
        }
        for (c, v) in counts.iter_mut().zip(&cur) {
            *c += v;
        }
    }
    counts
}
