//! Sampling GDSS graphs with scidiff's samplers: state structure, presets against GDSS's YAML
//! configs, and short runs with the released community-small weights.
//!
//! Checkpoints and configs are looked up as in `tests/gdss_checkpoints.rs`
//! (`$GDSS_CHECKPOINT_DIR`, `shared/data/gdss-checkpoints` under the crate root or its parent,
//! `/work/shared/data/gdss-checkpoints`); tests needing them print a notice and pass when absent.

mod common;
use std::path::PathBuf;

use burn::backend::NdArray;
use burn::tensor::Tensor;
use scidiff::graph::gdss::sample::flat_yaml;
use scidiff::graph::gdss::{GdssCheckpoint, GdssModel, GdssPreset, GraphSampler, GraphState, PRESETS, WeightKind, sample_graph_batch};
use scidiff::state::State;

type B = NdArray<f32>;

fn ckpt_dir() -> Option<PathBuf> {
    common::gdss_checkpoint_dir("gdss_community_small.pth")
}

fn host3(t: &Tensor<B, 3>) -> (Vec<f32>, [usize; 3]) {
    (t.clone().into_data().convert::<f32>().into_vec().unwrap(), t.dims())
}

fn flags_host(s: &GraphState<B>) -> Vec<f32> {
    s.flags.clone().into_data().convert::<f32>().into_vec().unwrap()
}

/// `A` symmetric with zero diagonal, `X` and `A` zero on padding rows/columns.
fn assert_structure(s: &GraphState<B>) {
    let (a, [b, n, _]) = host3(&s.adj);
    let (x, [_, _, f]) = host3(&s.x);
    let m = flags_host(s);
    for g in 0..b {
        for i in 0..n {
            assert_eq!(a[g * n * n + i * n + i], 0.0, "diagonal");
            for j in 0..n {
                let v = a[g * n * n + i * n + j];
                assert_eq!(v, a[g * n * n + j * n + i], "symmetry");
                if m[g * n + i] == 0.0 || m[g * n + j] == 0.0 {
                    assert_eq!(v, 0.0, "padding of A");
                }
            }
            if m[g * n + i] == 0.0 {
                assert!(x[(g * n + i) * f..(g * n + i + 1) * f].iter().all(|&v| v == 0.0), "padding of X");
            }
        }
    }
}

#[test]
fn noise_is_symmetric_zero_diagonal_and_masked() {
    let dev = Default::default();
    let mut rng = scidiff::rng(3);
    let flags = GraphState::<B>::flags_from_counts(&[3, 6, 1], 6, &dev);
    let s = GraphState::<B>::prior(flags, 4, &mut rng);
    assert_structure(&s);
    let z = s.noise_like(&mut rng);
    assert_structure(&z);
    // Off-diagonal real entries are unit Gaussians (not all zero).
    let (a, _) = host3(&z.adj);
    assert!(a[36 + 1] != 0.0 && a[36 + 6 + 5] != 0.0);
    // Norms: one per component, per-graph Frobenius norm averaged over the batch.
    let norms = z.mean_norms();
    assert_eq!(norms.len(), 2);
    let (x, _) = host3(&z.x);
    let per: Vec<f64> = x.chunks(24).map(|c| c.iter().map(|v| (*v as f64).powi(2)).sum::<f64>().sqrt()).collect();
    assert!((norms[0] - per.iter().sum::<f64>() / 3.0).abs() < 1e-4);
}

#[test]
fn lin_comb_keeps_flags_and_scales_components_separately() {
    let dev = Default::default();
    let mut rng = scidiff::rng(4);
    let flags = GraphState::<B>::flags_from_counts(&[2, 4], 4, &dev);
    let s = GraphState::<B>::prior(flags.clone(), 3, &mut rng);
    let z = s.noise_like(&mut rng);
    let out = GraphState::lin_comb(&[&s, &z], &[&[2.0, 0.0], &[0.0, -1.0]]);
    assert_eq!(flags_host(&out), flags_host(&s));
    let diff_x = (out.x.clone() - s.x.clone().mul_scalar(2.0)).abs().max().into_scalar();
    let diff_a = (out.adj.clone() + z.adj.clone()).abs().max().into_scalar();
    assert!(diff_x < 1e-6 && diff_a < 1e-6);
}

#[test]
fn node_counts_come_from_the_training_counts() {
    let mut rng = scidiff::rng(5);
    let c = GraphState::<B>::sample_node_counts(&[12, 14, 20], 50, &mut rng);
    assert_eq!(c.len(), 50);
    assert!(c.iter().all(|v| [12, 14, 20].contains(v)));
}

#[test]
fn presets_match_gdss_yaml() {
    let Some(dir) = ckpt_dir() else { return };
    let files = ["community_small", "ego_small", "enzymes", "grid"];
    for (p, f) in PRESETS.iter().zip(files) {
        let text = std::fs::read_to_string(dir.join(format!("config_{f}.yaml"))).unwrap();
        p.check_yaml(&text).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(GdssPreset::by_name(f).map(|q| q.name), Some(p.name));
    }
    let m = flat_yaml("a:\n  b: 1\n  c:\n    d: VP # comment\ne: 'x'\n");
    assert_eq!(m.get("a.c.d").map(String::as_str), Some("VP"));
    assert_eq!(m.get("e").map(String::as_str), Some("x"));
}

#[test]
fn short_runs_with_released_community_small_weights() {
    let Some(dir) = ckpt_dir() else { return };
    let ck = GdssCheckpoint::load(dir.join("gdss_community_small.pth")).unwrap();
    let p = GdssPreset::by_name("community-small").unwrap();
    let dev = Default::default();
    let mut model = GdssModel::<B>::from_checkpoint(&ck, WeightKind::Ema, p, &dev).unwrap();
    let counts = [12, 16, 20];
    for (name, nfe) in [("pc", 6), ("s4", 4), ("reverse", 6), ("dpm-solver++2m", 4)] {
        let sampler = GraphSampler::from_name(name, nfe, p).unwrap();
        let mut rng = scidiff::rng(7);
        let out = sample_graph_batch(&mut model, &sampler, &counts, p.max_node_num, &mut rng, None, &dev).unwrap();
        assert_eq!(out.nfe, nfe, "{name}");
        assert!(out.x.is_finite(), "{name}");
        assert_structure(&out.x);
        // Quantised adjacency: symmetric 0/1, no self loops, nothing on padding nodes.
        let graphs = out.x.to_graphs();
        assert_eq!(graphs.len(), 3);
        for (g, &c) in graphs.iter().zip(&counts) {
            assert!(g.node_count() >= 1 && g.node_count() <= c, "{name}: {} nodes for {c} flags", g.node_count());
            for e in g.edge_indices() {
                let (u, v) = g.edge_endpoints(e).unwrap();
                assert_ne!(u, v, "{name}: self loop");
            }
        }
    }
}
