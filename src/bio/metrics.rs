//! Sequence-set metrics of the DRAKES DNA evaluation that need no neural network (brief `drakes.md`
//! §2.1 "Metrics" and §6.2; Wang et al. 2024, Table 2 columns *3-mer Corr*, *JASPAR Corr*, *Pred-Activity*).
//!
//! * **3-mer Corr**: Pearson `r` between the 64 overlapping 3-mer counts of the generated set and of the
//!   reference ("top") set, `r = Σ(a−ā)(b−b̄) / √(Σ(a−ā)² Σ(b−b̄)²)`; counts are not normalised because `r`
//!   is scale-invariant (brief §2.1).
//! * **JASPAR Corr**: Spearman `ρ` (Pearson of average ranks, ties share the mean rank) between per-motif
//!   hit-count vectors of the two sets, hits from [`HitCounter`] (FIMO-style, both strands, `p < 1e-3`)
//!   over the 1956 JASPAR 2022 CORE non-redundant matrices (`jaspar2022_core_nr.json`).
//! * **Diversity**: mean pairwise Hamming distance over all unordered pairs (the brief does not define a
//!   diversity metric; this is the common choice for fixed-length DNA design; divide by `L` for a fraction).
//! * **Median reward**: median of per-sequence rewards (Pred-Activity is the median eval-oracle output);
//!   for even `n` the mean of the two middle values.
//!
//! Correlations are accumulated in `f64`.

use super::motif::{D1Reward, HitCounter};
use super::{BioError, Result};

/// Overlapping k-mer counts summed over `seqs`; index of k-mer `u` is `Σ_j u_j·4^{k−1−j}` (first letter most
/// significant), length `4^k`.
pub fn kmer_counts(seqs: &[&[u8]], k: usize) -> Vec<f64> {
    let mut counts = vec![0.0; 1 << (2 * k)];
    for s in seqs {
        if s.len() < k {
            continue;
        }
        for w in s.windows(k) {
            let code = w.iter().fold(0usize, |a, &b| (a << 2) | b as usize);
            counts[code] += 1.0;
        }
    }
    counts
}

/// Pearson correlation; errors on length mismatch, fewer than 2 points, or zero variance.
pub fn pearson(a: &[f64], b: &[f64]) -> Result<f64> {
    if a.len() != b.len() || a.len() < 2 {
        return Err(BioError::Invalid(format!("pearson needs two equal-length vectors of ≥ 2, got {} and {}", a.len(), b.len())));
    }
    let n = a.len() as f64;
    let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    if saa == 0.0 || sbb == 0.0 {
        return Err(BioError::Invalid("pearson of a constant vector is undefined".into()));
    }
    Ok(sab / (saa * sbb).sqrt())
}

/// 1-based average ranks (ties get the mean of the ranks they span).
pub fn average_ranks(a: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..a.len()).collect();
    order.sort_by(|&i, &j| a[i].total_cmp(&a[j]));
    let mut ranks = vec![0.0; a.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && a[order[end]] == a[order[start]] {
            end += 1;
        }
        let mean_rank = (start + end + 1) as f64 / 2.0; // mean of start+1 ..= end
        for &i in &order[start..end] {
            ranks[i] = mean_rank;
        }
        start = end;
    }
    ranks
}

/// Spearman rank correlation (Pearson of average ranks).
pub fn spearman(a: &[f64], b: &[f64]) -> Result<f64> {
    pearson(&average_ranks(a), &average_ranks(b))
}

/// 3-mer Pearson correlation between a generated set and a reference set.
pub fn three_mer_pearson(generated: &[&[u8]], reference: &[&[u8]]) -> Result<f64> {
    pearson(&kmer_counts(generated, 3), &kmer_counts(reference, 3))
}

/// Total hits of each motif over a set of sequences.
pub fn motif_hit_counts(seqs: &[&[u8]], counters: &[HitCounter]) -> Vec<f64> {
    counters.iter().map(|c| seqs.iter().map(|s| c.count_hits(s)).sum::<usize>() as f64).collect()
}

/// JASPAR Corr: Spearman ρ between the motif hit-count vectors of the generated and reference sets.
pub fn motif_count_spearman(generated: &[&[u8]], reference: &[&[u8]], counters: &[HitCounter]) -> Result<f64> {
    spearman(&motif_hit_counts(generated, counters), &motif_hit_counts(reference, counters))
}

/// Mean Hamming distance over all unordered pairs of equal-length sequences.
pub fn mean_pairwise_hamming(seqs: &[&[u8]]) -> Result<f64> {
    if seqs.len() < 2 {
        return Err(BioError::Invalid(format!("diversity needs ≥ 2 sequences, got {}", seqs.len())));
    }
    if let Some(s) = seqs.iter().find(|s| s.len() != seqs[0].len()) {
        return Err(BioError::Invalid(format!("sequences differ in length ({} vs {})", s.len(), seqs[0].len())));
    }
    let mut total = 0u64;
    for i in 0..seqs.len() {
        for j in i + 1..seqs.len() {
            total += seqs[i].iter().zip(seqs[j]).filter(|(a, b)| a != b).count() as u64;
        }
    }
    let pairs = (seqs.len() * (seqs.len() - 1) / 2) as f64;
    Ok(total as f64 / pairs)
}

/// Median (mean of the two middle values for even length); errors on empty input or NaN.
pub fn median(values: &[f64]) -> Result<f64> {
    if values.is_empty() || values.iter().any(|v| v.is_nan()) {
        return Err(BioError::Invalid("median of an empty or NaN-containing set".into()));
    }
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    Ok(if n % 2 == 1 { v[n / 2] } else { 0.5 * (v[n / 2 - 1] + v[n / 2]) })
}

/// Median D1 reward of a set of hard sequences.
pub fn median_reward(seqs: &[&[u8]], reward: &D1Reward) -> Result<f64> {
    median(&seqs.iter().map(|s| reward.reward_hard(s)).collect::<Vec<_>>())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bio::alphabet::DNA;
    use crate::bio::dhs::DhsDataset;
    use crate::bio::motif::{D1Config, MotifSet, Pwm, UNIFORM_BACKGROUND};

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/bio/testdata/");

    #[test]
    fn kmer_counts_by_hand() {
        let s = DNA.encode("x", "AAAC").unwrap();
        let c = kmer_counts(&[&s], 3);
        assert_eq!(c.len(), 64);
        assert_eq!(c[0], 1.0); // AAA
        assert_eq!(c[1], 1.0); // AAC
        assert_eq!(c.iter().sum::<f64>(), 2.0);
    }

    #[test]
    fn pearson_and_spearman_hand_examples() {
        assert!((pearson(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0]).unwrap() - 1.0).abs() < 1e-15);
        assert!((pearson(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]).unwrap() + 1.0).abs() < 1e-15);
        assert!(pearson(&[1.0, 1.0], &[1.0, 2.0]).is_err());
        assert_eq!(average_ranks(&[10.0, 20.0, 20.0, 5.0]), vec![2.0, 3.5, 3.5, 1.0]);
        // Monotone but non-linear: ρ = 1 while r < 1.
        let x = [1.0, 2.0, 3.0, 4.0, 5.0];
        let y = [1.0, 4.0, 9.0, 16.0, 100.0];
        assert!((spearman(&x, &y).unwrap() - 1.0).abs() < 1e-15);
        assert!(pearson(&x, &y).unwrap() < 0.95);
        // With a tie: ranks of y = [1, 2, 3.5, 5, 3.5] → ρ = 8/√95.
        let y = [5.0, 6.0, 7.0, 8.0, 7.0];
        assert!((spearman(&x, &y).unwrap() - 8.0 / 95f64.sqrt()).abs() < 1e-12);
        // No ties: ρ = 1 − 6Σd²/(n(n²−1)); d = (2, −1, −1, 1, −1), Σd² = 8 → ρ = 1 − 48/120 = 0.6.
        assert!((spearman(&[3.0, 1.0, 2.0, 5.0, 4.0], &x).unwrap() - 0.6).abs() < 1e-12);
    }

    #[test]
    fn hamming_and_median_hand_examples() {
        let a = DNA.encode("a", "AAAA").unwrap();
        let b = DNA.encode("b", "AACC").unwrap();
        let c = DNA.encode("c", "TTTT").unwrap();
        // pairs: (a,b)=2, (a,c)=4, (b,c)=4 → 10/3
        assert!((mean_pairwise_hamming(&[&a, &b, &c]).unwrap() - 10.0 / 3.0).abs() < 1e-12);
        assert!(mean_pairwise_hamming(&[&a]).is_err());
        assert!(mean_pairwise_hamming(&[&a, &a[..3]]).is_err());
        assert_eq!(median(&[3.0, 1.0, 2.0]).unwrap(), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]).unwrap(), 2.5);
        assert!(median(&[]).is_err());
    }

    #[test]
    fn metrics_on_the_sample_fixture() {
        let ds = DhsDataset::load(format!("{DIR}dhs_sample.tsv")).unwrap();
        let all = ds.sequences();
        let hep: Vec<&[u8]> = ds.records.iter().filter(|r| r.hepg2() == 1).map(|r| r.sequence.as_slice()).collect();
        assert!((three_mer_pearson(&all, &all).unwrap() - 1.0).abs() < 1e-12);
        let r = three_mer_pearson(&hep, &all).unwrap();
        assert!(r > 0.8 && r < 1.0, "natural subsets have similar 3-mer spectra, r = {r}");
        let set = MotifSet::load(format!("{DIR}motifs.json")).unwrap();
        let counters: Vec<HitCounter> = set
            .reward
            .iter()
            .chain(&set.eval_jaspar2022)
            .map(|p| HitCounter::fimo_default(&Pwm::from_pfm(p, 0.8, UNIFORM_BACKGROUND).unwrap()))
            .collect();
        assert!((motif_count_spearman(&hep, &hep, &counters).unwrap() - 1.0).abs() < 1e-12);
        let d = mean_pairwise_hamming(&all).unwrap();
        assert!(d > 120.0 && d < 170.0, "unrelated 200-mers differ at ~150 positions, got {d}");
        let reward = D1Reward::new(&set.reward, D1Config::default()).unwrap();
        let others: Vec<&[u8]> = ds.records.iter().filter(|r| r.hepg2() == 0).map(|r| r.sequence.as_slice()).collect();
        let (mh, mo) = (median_reward(&hep, &reward).unwrap(), median_reward(&others, &reward).unwrap());
        assert!(mh.is_finite() && mo.is_finite());
        eprintln!("fixture: 3-mer r(HepG2, all) = {r:.3}, diversity = {d:.1}, median D1 HepG2 {mh:.3} vs others {mo:.3}");
    }
}
