//! JASPAR motifs: count matrices (PFM), log-odds weight matrices (PWM), two-strand scanning, FIMO-style
//! score thresholds, and the analytic D1 reward ([`D1Reward`], file `motif/d1.rs`).
//!
//! **PWM** (brief `drakes.md` §6.2, track D1: "log-odds vs uniform background, pseudocount 0.8 split
//! evenly"): for column `j` with counts `c[j,b]` and `n_j = Σ_b c[j,b]`,
//!
//! ```text
//! p[j,b] = (c[j,b] + ψ·q_b) / (n_j + ψ),      W[j,b] = log2(p[j,b] / q_b),
//! ```
//!
//! with pseudocount `ψ = 0.8` and background `q = (0.25, 0.25, 0.25, 0.25)` by default. The base-2 log
//! follows FIMO; D1 normalises scores by the motif's maximum, so the base cancels there.
//!
//! **Scanning both strands.** A window `x[i..i+m]` scores `S⁺(i) = Σ_j W[j, x_{i+j}]` on the forward strand
//! and `S⁻(i) = Σ_j W[j, 3 − x_{i+m−1−j}]` (the reverse complement of the window) on the reverse strand;
//! equivalently `S⁻` is the forward scan with the reverse-complement matrix `W_rc[j,b] = W[m−1−j, 3−b]`.
//! On a soft input `P ∈ [0,1]^{L×4}` the same formulas become `Σ_j Σ_b P[i+j,b]·W[j,b]`, the expected
//! score, which is linear in `P` (a convolution) and equals the hard score on one-hot rows.
//!
//! **FIMO-style p-values** (brief §6.2, JASPAR-Corr metric): weights are rounded to bins of width `δ = 0.1`,
//! `w̃[j,b] = round(W[j,b]/δ)`; the null distribution of `S̃ = Σ_j w̃[j, X_j]` with i.i.d. background bases
//! is computed exactly by dynamic programming over the columns, and a site is a hit when
//! `P(S̃ ≥ s̃) < p₀` (default `p₀ = 1e-3`), i.e. when `s̃ ≥ t̃` for the smallest such integer `t̃`.
//! Used by [`crate::bio::metrics::motif_hit_counts`] (the paper's metric scans 1956 JASPAR 2022 CORE
//! non-redundant motifs with gReLU/FIMO, brief §2.1).

use std::path::Path;

use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::{BioError, Result};

mod d1;
pub use d1::{D1Config, D1Reward, D1Terms};

/// Default total pseudocount per column (brief §6.2: 0.8 split evenly over the four bases).
pub const DEFAULT_PSEUDOCOUNT: f64 = 0.8;
/// Uniform background.
pub const UNIFORM_BACKGROUND: [f64; 4] = [0.25; 4];

/// A position frequency (count) matrix as stored in JASPAR: one `[A, C, G, T]` row per motif column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pfm {
    /// Matrix id with version, e.g. `MA0114.5`.
    pub id: String,
    /// Motif (TF) name as in JASPAR, e.g. `HNF4A`.
    pub name: String,
    /// Source database, e.g. `JASPAR2024`.
    #[serde(default)]
    pub db: String,
    /// Counts, one `[A, C, G, T]` row per column.
    pub pfm: Vec<[f64; 4]>,
}

impl Pfm {
    /// Check that the matrix is non-empty with finite non-negative counts and positive column sums.
    pub fn validate(&self) -> Result<()> {
        let bad = |message: String| BioError::Motif { motif: self.id.clone(), message };
        if self.pfm.is_empty() {
            return Err(bad("no columns".into()));
        }
        for (j, col) in self.pfm.iter().enumerate() {
            if col.iter().any(|c| !c.is_finite() || *c < 0.0) {
                return Err(bad(format!("column {} has a negative or non-finite count {col:?}", j + 1)));
            }
            if col.iter().sum::<f64>() <= 0.0 {
                return Err(bad(format!("column {} sums to zero", j + 1)));
            }
        }
        Ok(())
    }
}

/// The motif file written by `datasets/extract_dhs.py` (`motifs.json`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MotifSet {
    /// The six liver-TF matrices of reward D1 (JASPAR 2024 CORE, brief §6.2).
    pub reward: Vec<Pfm>,
    /// Same TFs at their latest JASPAR 2022 version: a second motif source for the hacking gap.
    pub eval_jaspar2022: Vec<Pfm>,
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<T> {
    let context = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|source| BioError::Io { context: context.clone(), source })?;
    serde_json::from_str(&text).map_err(|source| BioError::Json { context, source })
}

impl MotifSet {
    /// Load and validate `motifs.json`.
    pub fn load(path: impl AsRef<Path>) -> Result<MotifSet> {
        let set: MotifSet = read_json(path.as_ref())?;
        set.reward.iter().chain(&set.eval_jaspar2022).try_for_each(Pfm::validate)?;
        Ok(set)
    }
}

/// Load a JSON list of matrices (e.g. `jaspar2022_core_nr.json`, 1956 matrices) and validate them.
pub fn load_pfm_list(path: impl AsRef<Path>) -> Result<Vec<Pfm>> {
    let list: Vec<Pfm> = read_json(path.as_ref())?;
    list.iter().try_for_each(Pfm::validate)?;
    Ok(list)
}

/// A log-odds position weight matrix `W` of shape `[m, 4]` (bits).
#[derive(Debug, Clone, PartialEq)]
pub struct Pwm {
    /// Id of the source matrix.
    pub id: String,
    /// Log-odds weights `[m, 4]`.
    pub weights: Array2<f32>,
}

impl Pwm {
    /// PFM → PWM with total pseudocount `pseudocount` spread as `pseudocount·q_b`, background `q`.
    pub fn from_pfm(pfm: &Pfm, pseudocount: f64, background: [f64; 4]) -> Result<Pwm> {
        pfm.validate()?;
        if pseudocount.is_nan() || pseudocount <= 0.0 || background.iter().any(|&q| q.is_nan() || q <= 0.0) {
            return Err(BioError::Motif {
                motif: pfm.id.clone(),
                message: format!("pseudocount {pseudocount} and background {background:?} must be positive"),
            });
        }
        let mut w = Array2::<f32>::zeros((pfm.pfm.len(), 4));
        for (j, col) in pfm.pfm.iter().enumerate() {
            let n: f64 = col.iter().sum();
            for b in 0..4 {
                let p = (col[b] + pseudocount * background[b]) / (n + pseudocount);
                w[[j, b]] = (p / background[b]).log2() as f32;
            }
        }
        Ok(Pwm { id: pfm.id.clone(), weights: w })
    }

    /// Motif length `m`.
    pub fn len(&self) -> usize {
        self.weights.nrows()
    }

    /// True for a zero-column matrix (never produced by [`Pwm::from_pfm`]).
    pub fn is_empty(&self) -> bool {
        self.weights.nrows() == 0
    }

    /// Maximum attainable score `Σ_j max_b W[j,b]` (the consensus score).
    pub fn max_score(&self) -> f64 {
        self.weights.rows().into_iter().map(|r| r.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b)) as f64).sum()
    }

    /// Reverse-complement matrix `W_rc[j,b] = W[m−1−j, 3−b]`.
    pub fn reverse_complement(&self) -> Pwm {
        let m = self.len();
        let w = Array2::from_shape_fn((m, 4), |(j, b)| self.weights[[m - 1 - j, 3 - b]]);
        Pwm { id: format!("{}(-)", self.id), weights: w }
    }

    /// Forward-strand score of the window starting at `pos` of an index sequence.
    pub fn score_at(&self, seq: &[u8], pos: usize) -> f64 {
        (0..self.len()).map(|j| self.weights[[j, seq[pos + j] as usize]] as f64).sum()
    }

    /// Scores of every window on both strands (`L − m + 1` each; empty when `L < m`).
    pub fn scan(&self, seq: &[u8]) -> StrandScores {
        let rc = self.reverse_complement();
        let n = (seq.len() + 1).saturating_sub(self.len());
        StrandScores {
            forward: (0..n).map(|i| self.score_at(seq, i)).collect(),
            reverse: (0..n).map(|i| rc.score_at(seq, i)).collect(),
        }
    }

    /// Expected scores of every window on both strands for a soft input `[L, 4]`.
    pub fn scan_soft(&self, probs: ArrayView2<f32>) -> StrandScores {
        let rc = self.reverse_complement();
        let n = (probs.nrows() + 1).saturating_sub(self.len());
        let soft = |w: &Array2<f32>, i: usize| -> f64 {
            let mut s = 0.0f64;
            for j in 0..w.nrows() {
                for b in 0..4 {
                    s += probs[[i + j, b]] as f64 * w[[j, b]] as f64;
                }
            }
            s
        };
        StrandScores {
            forward: (0..n).map(|i| soft(&self.weights, i)).collect(),
            reverse: (0..n).map(|i| soft(&rc.weights, i)).collect(),
        }
    }
}

/// Window scores of one PWM on one sequence; index `i` = window start on the forward strand.
#[derive(Debug, Clone, PartialEq)]
pub struct StrandScores {
    /// `S⁺(i)`.
    pub forward: Vec<f64>,
    /// `S⁻(i)`: score of the reverse complement of window `i`.
    pub reverse: Vec<f64>,
}

/// Exact null distribution of the binned score `S̃ = Σ_j w̃[j, X_j]`, `X_j` i.i.d. from `background`.
/// Returns `(min_score, probs)` where `probs[k] = P(S̃ = min_score + k)`.
pub fn binned_score_distribution(int_weights: &[[i32; 4]], background: [f64; 4]) -> (i64, Vec<f64>) {
    let min: i64 = int_weights.iter().map(|c| *c.iter().min().unwrap() as i64).sum();
    let max: i64 = int_weights.iter().map(|c| *c.iter().max().unwrap() as i64).sum();
    let mut dist = vec![0.0f64; (max - min + 1) as usize];
    let mut cur_min = 0i64;
    let mut cur = vec![1.0f64];
    for col in int_weights {
        let cmin = *col.iter().min().unwrap() as i64;
        let cmax = *col.iter().max().unwrap() as i64;
        let mut next = vec![0.0f64; cur.len() + (cmax - cmin) as usize];
        for (k, &p) in cur.iter().enumerate() {
            if p == 0.0 {
                continue;
            }
            for b in 0..4 {
                next[k + (col[b] as i64 - cmin) as usize] += p * background[b];
            }
        }
        cur = next;
        cur_min += cmin;
    }
    debug_assert_eq!(cur_min, min);
    dist.copy_from_slice(&cur);
    (min, dist)
}

/// A PWM prepared for FIMO-style hit counting: binned weights for both strands and the p-value threshold.
#[derive(Debug, Clone)]
pub struct HitCounter {
    /// Matrix id.
    pub id: String,
    forward: Vec<[i32; 4]>,
    reverse: Vec<[i32; 4]>,
    /// Smallest binned score with `P(S̃ ≥ t̃) < p₀`; `None` if even the maximum is not significant
    /// (short motifs), in which case the motif never hits.
    pub threshold: Option<i64>,
}

impl HitCounter {
    /// Bin the PWM with width `bin` (FIMO: 0.1) and find the threshold for `P < p_value` under `background`.
    pub fn new(pwm: &Pwm, bin: f64, p_value: f64, background: [f64; 4]) -> HitCounter {
        let binned = |w: &Array2<f32>| -> Vec<[i32; 4]> {
            w.rows().into_iter().map(|r| std::array::from_fn(|b| (r[b] as f64 / bin).round() as i32)).collect()
        };
        let forward = binned(&pwm.weights);
        let reverse = binned(&pwm.reverse_complement().weights);
        let (min, dist) = binned_score_distribution(&forward, background);
        // Survival P(S ≥ s) from the top; keep the smallest s with survival < p_value.
        let mut threshold = None;
        let mut tail = 0.0f64;
        for k in (0..dist.len()).rev() {
            tail += dist[k];
            if tail < p_value {
                threshold = Some(min + k as i64);
            } else {
                break;
            }
        }
        HitCounter { id: pwm.id.clone(), forward, reverse, threshold }
    }

    /// JASPAR-Corr defaults: bins of 0.1, `p < 1e-3`, uniform background (brief §6.2).
    pub fn fimo_default(pwm: &Pwm) -> HitCounter {
        HitCounter::new(pwm, 0.1, 1e-3, UNIFORM_BACKGROUND)
    }

    /// Number of hits (windows × strands with binned score ≥ threshold) in an index sequence.
    pub fn count_hits(&self, seq: &[u8]) -> usize {
        let Some(t) = self.threshold else { return 0 };
        let m = self.forward.len();
        if seq.len() < m {
            return 0;
        }
        let score = |w: &[[i32; 4]], i: usize| -> i64 { (0..m).map(|j| w[j][seq[i + j] as usize] as i64).sum() };
        (0..=seq.len() - m).map(|i| (score(&self.forward, i) >= t) as usize + (score(&self.reverse, i) >= t) as usize).sum()
    }
}

#[cfg(test)]
mod tests;
