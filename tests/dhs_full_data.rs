//! Checks on the full extracted DRAKES-DHS data (brief `drakes.md` §6). Ignored by default: run
//! `datasets/fetch_dhs.sh` first, then
//! `SCIDIFF_DATA=… cargo test --test full_data -- --ignored --nocapture`
//! (directory `${SCIDIFF_DATA:-$HOME/.cache/scidiff}/dhs`).

use std::path::PathBuf;

use scidiff::bio::dhs::{DhsDataset, OracleHalf, Split};
use scidiff::bio::metrics::{motif_count_spearman, three_mer_pearson};
use scidiff::bio::motif::{D1Config, D1Reward, HitCounter, MotifSet, Pwm, UNIFORM_BACKGROUND, load_pfm_list};

fn data_dir() -> PathBuf {
    let root = std::env::var_os("SCIDIFF_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").expect("HOME")).join(".cache/scidiff"));
    root.join("dhs")
}

/// Mann–Whitney AUC of `pos` over `neg` (ties count one half).
fn auc(pos: &[f64], neg: &[f64]) -> f64 {
    let mut all: Vec<(f64, bool)> = pos.iter().map(|&v| (v, true)).chain(neg.iter().map(|&v| (v, false))).collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0));
    let ranks = scidiff::bio::metrics::average_ranks(&all.iter().map(|x| x.0).collect::<Vec<_>>());
    let rank_sum: f64 = all.iter().zip(&ranks).filter(|(x, _)| x.1).map(|(_, r)| r).sum();
    let (np, nn) = (pos.len() as f64, neg.len() as f64);
    (rank_sum - np * (np + 1.0) / 2.0) / (np * nn)
}

#[test]
#[ignore]
fn full_dhs_table_and_d1_reward() {
    let dir = data_dir();
    let ds = DhsDataset::load(dir.join("dhs.tsv")).unwrap();
    assert_eq!(ds.len(), 47_872);
    assert_eq!(ds.filter(|r| r.split == Split::Training).len(), 39_254);
    assert_eq!(ds.filter(|r| r.hepg2() == 1).len(), 11_968);
    assert_eq!(ds.filter(|r| r.hepg2() == 1 && (r.chrom == "chr1" || r.chrom == "chr2")).len(), 2_135);
    let (a, b) = (ds.oracle_rows(OracleHalf::A).len(), ds.oracle_rows(OracleHalf::B).len());
    eprintln!("D2 oracle halves: A (odd autosomes) {a} rows, B (even autosomes) {b} rows");

    let set = MotifSet::load(dir.join("motifs.json")).unwrap();
    let reward = D1Reward::new(&set.reward, D1Config::default()).unwrap();
    let eval = D1Reward::new(&set.eval_jaspar2022, D1Config::default()).unwrap();
    let score = |r: &D1Reward, hep: u8| -> Vec<f64> {
        ds.records.iter().filter(|x| x.hepg2() == hep).map(|x| r.reward_hard(&x.sequence)).collect()
    };
    let auc_train = auc(&score(&reward, 1), &score(&reward, 0));
    let auc_eval = auc(&score(&eval, 1), &score(&eval, 0));
    eprintln!("D1 reward AUC HepG2 vs rest: JASPAR2024 set {auc_train:.3}, JASPAR2022 set {auc_eval:.3}");
    assert!(auc_train > 0.65, "D1 should separate HepG2 DHS from the rest (brief §6.1 reports ≈ 0.76)");

    let nr = load_pfm_list(dir.join("jaspar2022_core_nr.json")).unwrap();
    assert_eq!(nr.len(), 1956);
    let counters: Vec<HitCounter> =
        nr.iter().map(|p| HitCounter::fimo_default(&Pwm::from_pfm(p, 0.8, UNIFORM_BACKGROUND).unwrap())).collect();
    let never = counters.iter().filter(|c| c.threshold.is_none()).count();
    let hep_test: Vec<&[u8]> = ds.filter(|r| r.hepg2() == 1 && r.chrom == "chr1").iter().take(100).map(|r| r.sequence.as_slice()).collect();
    let hep_train: Vec<&[u8]> = ds.filter(|r| r.hepg2() == 1 && r.split == Split::Training).iter().take(100).map(|r| r.sequence.as_slice()).collect();
    let k562: Vec<&[u8]> = ds.filter(|r| r.labels[2] == 1 && r.split == Split::Training).iter().take(100).map(|r| r.sequence.as_slice()).collect();
    let j_same = motif_count_spearman(&hep_train, &hep_test, &counters).unwrap();
    let j_other = motif_count_spearman(&k562, &hep_test, &counters).unwrap();
    let k_same = three_mer_pearson(&hep_train, &hep_test).unwrap();
    let k_other = three_mer_pearson(&k562, &hep_test).unwrap();
    eprintln!("{never} of 1956 motifs can never reach p<1e-3");
    eprintln!("vs 100 HepG2 chr1: JASPAR ρ HepG2-train {j_same:.3}, K562 {j_other:.3}; 3-mer r {k_same:.3}, {k_other:.3}");
}
