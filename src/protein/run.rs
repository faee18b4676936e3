//! Whole-set design and evaluation, as the `seq design` / `seq design-eval` commands run them.
//!
//! For each backbone: featurise once, encode once, then decode batches of sequences. Each
//! backbone has its own random stream, a function of `seed` and the backbone's position in the
//! list only, so `--limit N` reproduces the first N backbones' designs of the full run.

use burn::tensor::backend::Backend;

use super::energy::{Contacts, Energy};
use super::design::{DesignConfig, composition, design, kl_divergence, log_likelihood, recovery};
use super::features::featurize;
use super::mpnn::ProteinMpnn;
use super::pdb::Backbone;
use super::ProteinError;

/// The designs of one backbone.
#[derive(Debug, Clone)]
pub struct Designs {
    /// Backbone name.
    pub name: String,
    /// Sequences (indices into `ACDEFGHIKLMNPQRSTVWY`).
    pub seqs: Vec<Vec<u8>>,
}

/// A per-backbone stream seed.
pub fn stream_seed(seed: u64, index: usize) -> u64 {
    seed.wrapping_mul(0x9E37_79B9_7F4A_7C15).wrapping_add(index as u64)
}

/// Best-of-K selection: each returned design is the highest-reward one of K draws (the
/// inference-time baseline of DRAKES' tables, brief drakes.md §4.1).
#[derive(Debug, Clone, Copy)]
pub struct BestOf<'a> {
    /// Draws per returned design.
    pub k: usize,
    /// Reward that ranks the draws.
    pub energy: &'a Energy,
}

/// Designs `n` sequences for every backbone (with `best_of`, from `n·K` draws); `progress` is
/// called once per decoder pass.
pub fn design_set<B: Backend>(
    net: &ProteinMpnn<B>,
    backbones: &[Backbone],
    n: usize,
    cfg: &DesignConfig,
    seed: u64,
    best_of: Option<BestOf>,
    mut progress: impl FnMut(),
) -> Result<Vec<Designs>, ProteinError> {
    backbones
        .iter()
        .enumerate()
        .map(|(i, bb)| {
            let enc = net.encode(&featurize(bb, net.k));
            let mut rng = crate::rng(stream_seed(seed, i));
            let k = best_of.map_or(1, |b| b.k.max(1));
            let draws = design(net, &enc, n * k, cfg, &mut rng, &mut progress)?;
            let seqs = match best_of {
                None => draws,
                Some(b) => {
                    let c = Contacts::of(bb);
                    draws
                        .chunks(k)
                        .map(|group| {
                            let r = |s: &Vec<u8>| b.energy.reward(&c, s);
                            group.iter().max_by(|x, y| r(x).total_cmp(&r(y))).expect("k ≥ 1").clone()
                        })
                        .collect()
                }
            };
            Ok(Designs { name: bb.name.clone(), seqs })
        })
        .collect()
}

/// Metrics of one backbone's designs.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BackboneMetrics {
    /// Backbone name.
    pub name: String,
    /// Residues.
    pub len: usize,
    /// Designs scored.
    pub n: usize,
    /// Mean native-sequence recovery.
    pub recovery: f64,
    /// Mean ProteinMPNN score (mean NLL per residue, nats) of the designs under the scoring model.
    pub score: f64,
    /// The native sequence's score under the same model and orders.
    pub native_score: f64,
    /// Mean pairwise sequence identity among the designs (1 = all identical).
    pub pairwise_identity: f64,
    /// Stability proxies (reward −E/L), one row per energy.
    pub energies: Vec<EnergyRow>,
}

/// One stability proxy on one backbone.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EnergyRow {
    /// Energy name (`mj`, `bt`).
    pub name: String,
    /// Median reward of the designs.
    pub median: f64,
    /// Reward of the native sequence.
    pub native: f64,
    /// Fraction of designs with a higher reward than the native ("ddG > 0" analogue).
    pub better_than_native: f64,
}

/// Metrics of a whole set.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SetMetrics {
    /// Per backbone.
    pub backbones: Vec<BackboneMetrics>,
    /// KL(designs ‖ natives) of amino-acid composition over the set (nats).
    pub composition_kl: f64,
}

/// Mean pairwise identity of equal-length sequences (0 when fewer than two).
pub fn pairwise_identity(seqs: &[Vec<u8>]) -> f64 {
    let (mut sum, mut pairs) = (0.0, 0usize);
    for a in 0..seqs.len() {
        for b in a + 1..seqs.len() {
            sum += recovery(&seqs[a], &seqs[b]);
            pairs += 1;
        }
    }
    if pairs == 0 { 0.0 } else { sum / pairs as f64 }
}

/// Scores designs against their backbones with `scorer` (use a checkpoint other than the
/// designing one, e.g. v_48_002, so the likelihood is not the sampler's own objective).
pub fn evaluate_set<B: Backend>(
    scorer: &ProteinMpnn<B>,
    backbones: &[Backbone],
    designs: &[Designs],
    energies: &[Energy],
    orders: usize,
    seed: u64,
) -> Result<SetMetrics, ProteinError> {
    let mut rows = Vec::new();
    let (mut all_designs, mut natives) = (Vec::new(), Vec::new());
    for (i, d) in designs.iter().enumerate() {
        let bb = backbones
            .iter()
            .find(|b| b.name == d.name)
            .ok_or_else(|| ProteinError::Sequence(format!("no backbone named {:?} for its designs", d.name)))?;
        if let Some(s) = d.seqs.iter().find(|s| s.len() != bb.len()) {
            return Err(ProteinError::Sequence(format!("a design for {} has {} residues, the backbone {}", d.name, s.len(), bb.len())));
        }
        let enc = scorer.encode(&featurize(bb, scorer.k));
        let mut rng = crate::rng(stream_seed(seed, i));
        let mut batch = d.seqs.clone();
        batch.push(bb.native.clone());
        let scores = log_likelihood(scorer, &enc, &batch, orders, &mut rng)?;
        let n = d.seqs.len();
        let contacts = Contacts::of(bb);
        let energy_rows = energies
            .iter()
            .map(|e| {
                let native = e.reward(&contacts, &bb.native);
                let r: Vec<f64> = d.seqs.iter().map(|s| e.reward(&contacts, s)).collect();
                EnergyRow {
                    name: e.name.clone(),
                    median: crate::bio::metrics::median(&r).unwrap_or(f64::NAN),
                    native,
                    better_than_native: r.iter().filter(|&&x| x > native).count() as f64 / n.max(1) as f64,
                }
            })
            .collect();
        rows.push(BackboneMetrics {
            name: d.name.clone(),
            len: bb.len(),
            n,
            recovery: d.seqs.iter().map(|s| recovery(s, &bb.native)).sum::<f64>() / n.max(1) as f64,
            score: scores[..n].iter().sum::<f64>() / n.max(1) as f64,
            native_score: scores[n],
            pairwise_identity: pairwise_identity(&d.seqs),
            energies: energy_rows,
        });
        all_designs.extend(d.seqs.iter().cloned());
        natives.push(bb.native.clone());
    }
    Ok(SetMetrics { backbones: rows, composition_kl: kl_divergence(&composition(&all_designs), &composition(&natives)) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_and_seeds() {
        assert_eq!(pairwise_identity(&[vec![0, 1, 2, 3], vec![0, 1, 2, 4], vec![0, 1, 2, 3]]), (0.75 + 1.0 + 0.75) / 3.0);
        assert_eq!(pairwise_identity(&[vec![1]]), 0.0);
        assert_ne!(stream_seed(0, 1), stream_seed(1, 0));
    }
}
