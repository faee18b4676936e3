//! Metric tests on the GDSS benchmark sets: evaluation properties and the train-vs-test noise
//! floor, compared with the calibration numbers of the GDSS brief (§7.3, computed with
//! GDSS's Python metric definitions and ORCA).

use super::*;
use crate::graph::io::{GraphList, TestTrainSplit, ValidateOptions};

fn load(text: &str) -> TestTrainSplit {
    GraphList::from_json_str(text)
        .unwrap()
        .split_test_train(ValidateOptions::default())
        .unwrap()
}

fn community() -> TestTrainSplit {
    load(include_str!("../testdata/community_small.json"))
}

fn grid() -> TestTrainSplit {
    load(include_str!("../testdata/grid.json"))
}

/// splitmix64, for reproducible subset draws without an RNG dependency.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// `k` distinct indices from `0..n` (partial Fisher–Yates).
    fn subset(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut idx: Vec<usize> = (0..n).collect();
        for i in 0..k {
            let j = i + (self.next() % (n - i) as u64) as usize;
            idx.swap(i, j);
        }
        idx.truncate(k);
        idx
    }
}

/// Mean and sample standard deviation of each metric over `draws` random train subsets of the
/// test-set size, evaluated against the test set.
fn subset_floor(
    test: &Descriptors,
    train: &Descriptors,
    draws: usize,
    seed: u64,
) -> [(f64, f64); 4] {
    let mut rng = SplitMix(seed);
    let rows: Vec<MetricTable> = (0..draws)
        .map(|_| evaluate_descriptors(&train.select(&rng.subset(train.len(), test.len())), test))
        .collect();
    let stat = |f: fn(&MetricTable) -> f64| {
        let v: Vec<f64> = rows.iter().map(f).collect();
        let m = v.iter().sum::<f64>() / v.len() as f64;
        let sd = (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64).sqrt();
        (m, sd)
    };
    [
        stat(|t| t.degree),
        stat(|t| t.clustering),
        stat(|t| t.orbit),
        stat(|t| t.spectral),
    ]
}

fn assert_near(name: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol,
        "{name}: got {got:.6}, brief says {want} (tol {tol})"
    );
}

#[test]
fn identical_sets_give_zero_and_metric_is_symmetric() {
    let (test, train) = community();
    let t = evaluate(&test, &test);
    for v in [t.degree, t.clustering, t.orbit, t.spectral] {
        assert!(v.abs() < 1e-12, "{t:?}");
    }
    let a = evaluate(&test, &train[..20]);
    let b = evaluate(&train[..20], &test);
    for (x, y) in [
        (a.degree, b.degree),
        (a.clustering, b.clustering),
        (a.orbit, b.orbit),
        (a.spectral, b.spectral),
    ] {
        assert!((x - y).abs() < 1e-12 && x > 0.0);
    }
    assert_eq!(
        [
            degree_mmd(&test, &train[..20]),
            clustering_mmd(&test, &train[..20]),
            orbit_mmd(&test, &train[..20]),
            spectral_mmd(&test, &train[..20])
        ],
        [a.degree, a.clustering, a.orbit, a.spectral]
    );
    // empty graphs are skipped; an all-empty side gives NaN
    let mut with_empty = test.clone();
    with_empty.push(UnGraph::default());
    assert_eq!(evaluate(&with_empty, &train[..20]), a);
    assert!(evaluate(&[UnGraph::default()], &test).degree.is_nan());
}

#[test]
fn noise_floor_community_small() {
    let (test, train) = community();
    let (dt, dtr) = (Descriptors::compute(&test), Descriptors::compute(&train));
    let full = evaluate_descriptors(&dtr, &dt);
    println!("community_small full train (80) vs test (20): {full:?}");
    // Brief §7.3: 0.0034 / 0.0092 / 0.0010 / 0.034 (rounded)
    assert_near("degree", full.degree, 0.0034, 0.00006);
    assert_near("clustering", full.clustering, 0.0092, 0.00006);
    assert_near("orbit", full.orbit, 0.0010, 0.00006);
    assert_near("spectral", full.spectral, 0.034, 0.0006);
    let f20 = subset_floor(&dt, &dtr, 20, 2022);
    println!("community_small 20 train subsets of 20 vs test (seed 2022), mean ± sd: {f20:?}");
    let f = subset_floor(&dt, &dtr, 200, 7);
    println!("community_small 200 train subsets of 20 vs test (seed 7), mean ± sd: {f:?}");
    // Brief (20 other draws): 0.0168 ± 0.0121, 0.0239 ± 0.0166, 0.0034 ± 0.0024, 0.066 ± 0.028.
    // A 20-draw mean has a standard error of ≈30%, hence the loose band.
    for ((m, _), want) in f.iter().zip([0.0168, 0.0239, 0.0034, 0.066]) {
        assert!(
            *m > 0.6 * want && *m < 1.6 * want,
            "subset floor {m} vs brief {want}"
        );
    }
}

#[test]
fn noise_floor_grid() {
    let (test, train) = grid();
    let (dt, dtr) = (Descriptors::compute(&test), Descriptors::compute(&train));
    let full = evaluate_descriptors(&dtr, &dt);
    println!("grid full train (80) vs test (20): {full:?}");
    // Brief §7.3: 0.0001 / 0.0 / 0.0001 / 0.018 (rounded). Spectral: with every eigenvalue
    // counted (our clamping) an independent numpy check gives 0.017353; numpy's own round-off
    // drops some eigenvalues 2 and gives 0.01735 here, 0.018 in the brief's run.
    assert_near("degree", full.degree, 0.0001, 0.00006);
    assert_near("clustering", full.clustering, 0.0, 1e-12);
    assert_near("orbit", full.orbit, 0.0001, 0.00006);
    assert_near("spectral", full.spectral, 0.017353, 0.00001);
    assert_near("spectral vs brief", full.spectral, 0.018, 0.001);
    let f = subset_floor(&dt, &dtr, 100, 7);
    println!("grid 100 train subsets of 20 vs test (seed 7), mean ± sd: {f:?}");
    // Brief (5 draws): 0.0002 / 0.0000 / 0.0002 / 0.026 ± 0.009
    assert!(f[0].0 < 0.0005 && f[1].0 == 0.0 && f[2].0 < 0.0005 && f[3].0 > 0.01 && f[3].0 < 0.05);
}

