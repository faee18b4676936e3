//! Tests against the released GDSS checkpoints.
//!
//! The `.pth` files are looked up in `$GDSS_CHECKPOINT_DIR`, then `shared/data/gdss-checkpoints`
//! under the crate root, then `/work/shared/data/gdss-checkpoints`. When none is present the
//! tests print a notice and pass without checking anything.
//!
//! The forward-pass reference (`tests/fixtures/gdss_forward_reference.json`) was produced by
//! the independent NumPy implementation `datasets/gdss_numpy_reference.py` (float64).

mod common;
use std::path::PathBuf;

use burn::backend::NdArray;
use burn::module::Module;
use burn::tensor::{Tensor, TensorData};
use scidiff::graph::gdss::{
    CheckpointError, GdssCheckpoint, GdssModelConfig, RawTensor, WeightKind,
};

type B = NdArray<f32>;

const DATASETS: [&str; 5] = ["community_small", "ego_small", "enzymes", "grid", "qm9"];

fn ckpt_dir() -> Option<PathBuf> {
    common::gdss_checkpoint_dir("gdss_qm9.pth")
}

fn load(dir: &std::path::Path, name: &str) -> GdssCheckpoint {
    GdssCheckpoint::load(dir.join(format!("gdss_{name}.pth")))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn parameter_counts_and_configs() {
    let Some(dir) = ckpt_dir() else { return };
    let dev = Default::default();
    let expected = [
        (72_434, 134_369),
        (44_093, 135_713),
        (182_066, 204_113),
        (170_081, 203_153),
        (8_564, 23_825),
    ];
    for (name, (px, pa)) in DATASETS.iter().zip(expected) {
        let ck = load(&dir, name);
        assert_eq!(
            Some(&ck.config),
            GdssModelConfig::for_dataset(name).as_ref(),
            "{name}: stored config vs preset"
        );
        let kinds: &[WeightKind] = if *name == "qm9" {
            &[WeightKind::Raw]
        } else {
            &[WeightKind::Raw, WeightKind::Ema]
        };
        assert_eq!(ck.ema_x.is_some(), kinds.len() == 2, "{name}: EMA presence");
        for &kind in kinds {
            let nx = ck
                .score_x::<B>(kind, &dev)
                .unwrap_or_else(|e| panic!("{name} {kind:?} X: {e}"));
            let na = ck
                .score_adj::<B>(kind, &dev)
                .unwrap_or_else(|e| panic!("{name} {kind:?} A: {e}"));
            assert_eq!(
                nx.num_params(),
                ck.x.num_scalars(),
                "{name}: X params vs state dict"
            );
            assert_eq!(
                na.num_params(),
                ck.adj.num_scalars(),
                "{name}: A params vs state dict"
            );
            assert_eq!((nx.num_params(), na.num_params()), (px, pa), "{name}");
        }
        eprintln!(
            "{name}: X {} params ({} tensors), A {} params ({} tensors), EMA: {}",
            ck.x.num_scalars(),
            ck.x.entries.len(),
            ck.adj.num_scalars(),
            ck.adj.entries.len(),
            ck.ema_x.is_some()
        );
        if let (Some(ex), Some(ea)) = (&ck.ema_x, &ck.ema_adj) {
            assert_ne!(ex, &ck.x, "{name}: EMA X identical to raw");
            assert_ne!(ea, &ck.adj, "{name}: EMA A identical to raw");
        }
    }
    assert!(
        load(&dir, "qm9")
            .score_x::<B>(WeightKind::Ema, &dev)
            .is_err(),
        "qm9 has no EMA weights"
    );
}

fn floats(v: &serde_json::Value, key: &str) -> Vec<f32> {
    v[key]
        .as_array()
        .unwrap_or_else(|| panic!("fixture lacks {key}"))
        .iter()
        .map(|x| x.as_f64().unwrap() as f32)
        .collect()
}

#[test]
fn forward_matches_numpy_reference() {
    let Some(dir) = ckpt_dir() else { return };
    let fixture: serde_json::Value =
        serde_json::from_str(include_str!("fixtures/gdss_forward_reference.json")).unwrap();
    let dev = Default::default();
    let mut worst = 0.0f32;
    for name in DATASETS {
        let case = &fixture["cases"][name];
        let s: Vec<usize> = case["shape"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap() as usize)
            .collect();
        let (b, n, f) = (s[0], s[1], s[2]);
        let x = || Tensor::<B, 3>::from_data(TensorData::new(floats(case, "x"), [b, n, f]), &dev);
        let a = || Tensor::<B, 3>::from_data(TensorData::new(floats(case, "adj"), [b, n, n]), &dev);
        let fl = || Tensor::<B, 2>::from_data(TensorData::new(floats(case, "flags"), [b, n]), &dev);
        let ck = load(&dir, name);
        for (kind, tag) in [(WeightKind::Raw, "raw"), (WeightKind::Ema, "ema")] {
            if case.get(format!("{tag}_out_x")).is_none() {
                continue;
            }
            let ox = ck.score_x::<B>(kind, &dev).unwrap().forward(x(), a(), fl());
            let oa = ck
                .score_adj::<B>(kind, &dev)
                .unwrap()
                .forward(x(), a(), fl());
            for (out, key) in [(ox, format!("{tag}_out_x")), (oa, format!("{tag}_out_adj"))] {
                let got = out.into_data().to_vec::<f32>().unwrap();
                let want = floats(case, &key);
                assert_eq!(got.len(), want.len());
                let err = got
                    .iter()
                    .zip(&want)
                    .map(|(g, w)| (g - w).abs())
                    .fold(0.0, f32::max);
                let scale = want.iter().map(|w| w.abs()).fold(1.0, f32::max);
                eprintln!("{name} {key}: max abs error {err:.3e} (max |ref| {scale:.3})");
                assert!(
                    err <= 1e-4 * scale,
                    "{name} {key}: max abs error {err} vs NumPy reference"
                );
                worst = worst.max(err);
            }
        }
    }
    eprintln!("worst max abs error over all checkpoints: {worst:.3e}");
}

#[test]
fn state_dict_errors_name_the_key() {
    let Some(dir) = ckpt_dir() else { return };
    let dev = Default::default();
    let ck = load(&dir, "qm9");

    let mut sd = ck.adj.clone();
    sd.remove("layers.1.attn.3.gnn_k.bias").unwrap();
    let err = ck
        .config
        .adj
        .init::<B>(&dev)
        .load_state_dict(&sd)
        .unwrap_err();
    assert!(
        matches!(&err, CheckpointError::MissingKey(k) if k == "layers.1.attn.3.gnn_k.bias"),
        "{err}"
    );

    let mut sd = ck.x.clone();
    sd.entries.push((
        "layers.9.weight".into(),
        RawTensor {
            shape: vec![1],
            data: vec![0.0],
        },
    ));
    let err = ck
        .config
        .x
        .init::<B>(&dev)
        .load_state_dict(&sd)
        .unwrap_err();
    assert!(
        matches!(&err, CheckpointError::UnexpectedKeys(k) if k == &["layers.9.weight".to_string()]),
        "{err}"
    );

    // Wrong architecture: QM9 weights into a community-small X network.
    let err = GdssModelConfig::community_small()
        .x
        .init::<B>(&dev)
        .load_state_dict(&ck.x)
        .unwrap_err();
    match &err {
        CheckpointError::ShapeMismatch {
            key,
            expected,
            found,
        } => {
            assert_eq!(key, "layers.0.weight");
            assert_eq!(
                (expected.as_slice(), found.as_slice()),
                (&[10, 32][..], &[4, 16][..])
            );
        }
        other => panic!("expected a shape mismatch, got {other}"),
    }
    eprintln!("example error: {err}");
}

#[test]
fn truncated_or_corrupt_files_fail_cleanly() {
    let Some(dir) = ckpt_dir() else { return };
    let bytes = std::fs::read(dir.join("gdss_qm9.pth")).unwrap();
    for cut in [
        0,
        10,
        bytes.len() / 3,
        bytes.len() / 2,
        bytes.len() - 30,
        bytes.len() - 1,
    ] {
        let err = GdssCheckpoint::from_bytes(bytes[..cut].to_vec()).unwrap_err();
        assert!(
            matches!(err, CheckpointError::Truncated(_)),
            "cut at {cut}: {err}"
        );
    }
    let err = GdssCheckpoint::from_bytes(b"definitely not a zip archive, just some text".to_vec())
        .unwrap_err();
    assert!(
        matches!(
            err,
            CheckpointError::Truncated(_) | CheckpointError::Format(_)
        ),
        "{err}"
    );
    let err = GdssCheckpoint::load(dir.join("does_not_exist.pth")).unwrap_err();
    assert!(matches!(err, CheckpointError::Io { .. }), "{err}");
    eprintln!(
        "truncated-file error: {}",
        GdssCheckpoint::from_bytes(bytes[..bytes.len() / 2].to_vec()).unwrap_err()
    );
}
