//! `scidiff graph train|sample|eval|plot` end to end (issue "Graph module I", CLI contract):
//! a 3-step community-small run, sampling it and GDSS's released weights through the device
//! dispatch, the JSON format of the data sets, the MMD table, the PNG grid, and clear errors.

mod common;

use common::{scidiff as bin, scidiff_ok as run_ok};

/// Graph count of a generated file, checking the data sets' JSON shape.
fn graphs_in(path: &std::path::Path) -> usize {
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let graphs = v["graphs"].as_array().expect("{\"graphs\": [...]}");
    for g in graphs {
        let n = g["num_nodes"].as_u64().unwrap();
        for e in g["edges"].as_array().unwrap() {
            let (a, b) = (e[0].as_u64().unwrap(), e[1].as_u64().unwrap());
            assert!(a < n && b < n && a != b, "edge {e} in a graph of {n} nodes");
        }
    }
    graphs.len()
}

#[test]
fn train_sample_eval_plot_contract() {
    let tmp = tempfile::tempdir().unwrap();
    let (model, out_json) = (tmp.path().join("m"), tmp.path().join("gen.json"));
    let m = model.to_str().unwrap();
    run_ok(&["graph", "train", "--dataset", "community-small", "--preset", "quick", "--steps", "3", "--seed", "0", "--out", m]);
    let sample = ["graph", "sample", "--model", m, "--n", "4", "--sampler", "euler-maruyama", "--nfe", "10", "--seed", "1", "--out", out_json.to_str().unwrap()];
    run_ok(&sample);
    assert_eq!(graphs_in(&out_json), 4);
    let graphs = |p: &std::path::Path| serde_json::from_str::<serde_json::Value>(&std::fs::read_to_string(p).unwrap()).unwrap()["graphs"].clone();
    let first = graphs(&out_json);
    run_ok(&sample);
    assert_eq!(graphs(&out_json), first, "same seed, same graphs");
    let table = run_ok(&["graph", "eval", "--generated", out_json.to_str().unwrap(), "--dataset", "community-small"]);
    for metric in ["degree", "clustering", "orbit"] {
        assert!(table.to_lowercase().contains(metric), "{table}");
    }
    let png = tmp.path().join("g.png");
    run_ok(&["graph", "plot", out_json.to_str().unwrap(), "--n", "4", "--out", png.to_str().unwrap()]);
    assert_eq!(&std::fs::read(&png).unwrap()[1..4], b"PNG");
    // Existing run without --resume, and an unknown data set: one clear line, exit code 2.
    for args in [
        vec!["graph", "train", "--dataset", "community-small", "--steps", "3", "--out", m],
        vec!["graph", "train", "--dataset", "no-such-set", "--out", tmp.path().join("x").to_str().unwrap()],
    ] {
        let out = bin().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn released_checkpoint_samples_through_the_device_dispatch() {
    let Some(dir) = common::gdss_checkpoint_dir("gdss_community_small.pth") else { return };
    let tmp = tempfile::tempdir().unwrap();
    let out_json = tmp.path().join("rel.json");
    let ck = dir.join("gdss_community_small.pth");
    let args = ["graph", "sample", "--checkpoint", ck.to_str().unwrap(), "--dataset", "community-small", "--n", "3", "--sampler", "s4", "--nfe", "6", "--seed", "2", "--out", out_json.to_str().unwrap()];
    run_ok(&args);
    assert_eq!(graphs_in(&out_json), 3);
    let mut cuda = args.to_vec();
    cuda.extend(["--device", "cuda"]);
    let out = bin().args(&cuda).output().unwrap();
    if cfg!(not(feature = "cuda")) {
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("cuda"), "{}", String::from_utf8_lossy(&out.stderr));
    }
}
