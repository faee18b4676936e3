//! The model-free metrics of a generated DNA set on the DRAKES-DHS benchmark (brief `drakes.md` §6.2),
//! computed from whatever inputs are available (each metric is `None` when its input is missing):
//!
//! * `d1_median`: median D1 reward (JASPAR 2024 liver-TF grammar, the fine-tuning track);
//!   `d1_eval_median`: the same reward built on the JASPAR 2022 versions of the six TFs (the "eval
//!   oracle" of track D1; the difference is the hacking gap);
//! * `three_mer_pearson`, `jaspar_spearman`: against the top set — the top 10 % of held-out HepG2 DHS
//!   ranked by the eval D1 reward ([`super::corpus::top_set`]); JASPAR hits over the 1956 JASPAR 2022
//!   CORE non-redundant matrices (FIMO-style, `p < 1e-3`, both strands);
//! * `diversity`: mean pairwise Hamming distance divided by the length;
//! * `gc_mean`: mean GC fraction.
//!
//! The model-based approximate log-likelihood is computed by the caller (it needs the network).

use rayon::prelude::*;
use serde::Serialize;

use super::corpus::top_set;
use super::dhs::DhsDataset;
use super::metrics::{mean_pairwise_hamming, median, spearman, three_mer_pearson};
use super::motif::{D1Config, D1Reward, DEFAULT_PSEUDOCOUNT, HitCounter, MotifSet, Pfm, Pwm, UNIFORM_BACKGROUND};
use super::{BioError, Result};

/// Fraction of the held-out HepG2 sequences in the top set (brief §6.2: 10 %).
pub const TOP_FRACTION: f64 = 0.10;

/// Reference data for the metrics.
#[derive(Debug, Default)]
pub struct EvalInputs {
    /// The DHS table (for the top set).
    pub dhs: Option<DhsDataset>,
    /// The D1 motif file.
    pub motifs: Option<MotifSet>,
    /// The JASPAR 2022 CORE non-redundant matrices.
    pub jaspar: Option<Vec<Pfm>>,
}

/// The metrics (`None` = input missing).
#[derive(Debug, Clone, Default, Serialize)]
pub struct SetMetrics {
    /// Number of sequences.
    pub n: usize,
    /// Median D1 reward.
    pub d1_median: Option<f64>,
    /// Median D1 reward with the JASPAR 2022 matrices.
    pub d1_eval_median: Option<f64>,
    /// Size of the top set.
    pub top_set_size: Option<usize>,
    /// 3-mer Pearson r against the top set.
    pub three_mer_pearson: Option<f64>,
    /// JASPAR hit-count Spearman ρ against the top set.
    pub jaspar_spearman: Option<f64>,
    /// Number of JASPAR matrices scanned.
    pub jaspar_motifs: Option<usize>,
    /// Mean pairwise Hamming distance / length.
    pub diversity: f64,
    /// Mean GC fraction.
    pub gc_mean: f64,
}

/// Hit counts of every motif over a set, motifs in parallel.
fn hit_counts(seqs: &[&[u8]], counters: &[HitCounter]) -> Vec<f64> {
    counters.par_iter().map(|c| seqs.iter().map(|s| c.count_hits(s)).sum::<usize>() as f64).collect()
}

/// Compute every metric whose inputs are present. `seqs` must be non-empty and of equal length.
pub fn evaluate_set(seqs: &[&[u8]], inputs: &EvalInputs) -> Result<SetMetrics> {
    if seqs.len() < 2 {
        return Err(BioError::Invalid(format!("need at least 2 sequences, got {}", seqs.len())));
    }
    let len = seqs[0].len();
    let mut m = SetMetrics {
        n: seqs.len(),
        diversity: mean_pairwise_hamming(seqs)? / len as f64,
        gc_mean: seqs.iter().map(|s| s.iter().filter(|&&b| b == 1 || b == 2).count()).sum::<usize>() as f64 / (seqs.len() * len) as f64,
        ..SetMetrics::default()
    };
    let Some(motifs) = &inputs.motifs else { return Ok(m) };
    let d1 = D1Reward::new(&motifs.reward, D1Config::default())?;
    let d1_eval = D1Reward::new(&motifs.eval_jaspar2022, D1Config::default())?;
    m.d1_median = Some(median(&seqs.par_iter().map(|s| d1.reward_hard(s)).collect::<Vec<_>>())?);
    m.d1_eval_median = Some(median(&seqs.par_iter().map(|s| d1_eval.reward_hard(s)).collect::<Vec<_>>())?);
    let Some(dhs) = &inputs.dhs else { return Ok(m) };
    let top = top_set(dhs, TOP_FRACTION, |s| d1_eval.reward_hard(s))?;
    let top: Vec<&[u8]> = top.iter().map(Vec::as_slice).collect();
    m.top_set_size = Some(top.len());
    m.three_mer_pearson = Some(three_mer_pearson(seqs, &top)?);
    if let Some(jaspar) = &inputs.jaspar {
        let counters: Vec<HitCounter> = jaspar
            .iter()
            .map(|p| Pwm::from_pfm(p, DEFAULT_PSEUDOCOUNT, UNIFORM_BACKGROUND).map(|w| HitCounter::fimo_default(&w)))
            .collect::<Result<_>>()?;
        m.jaspar_spearman = Some(spearman(&hit_counts(seqs, &counters), &hit_counts(&top, &counters))?);
        m.jaspar_motifs = Some(counters.len());
    }
    Ok(m)
}
