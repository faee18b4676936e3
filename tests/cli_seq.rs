//! The `scidiff seq` command-line contract (issue 8, item 7): pretrain on the bundled DHS sample,
//! sample FASTA (N records of length 200 over A, C, G, T), sampling determinism for a seed, eval output, and
//! the error that names the fetch script when the DHS data are absent.
//! Oracles: the FASTA contract itself; byte equality of outputs of identical runs.

use std::path::{Path, PathBuf};
use std::process::Command;

const SAMPLE_TSV: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/bio/testdata/dhs_sample.tsv");
const MOTIFS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/bio/testdata/motifs.json");

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scidiff"))
}

fn run_ok(args: &[&str]) -> String {
    let out = bin().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn pretrain(dir: &Path) -> PathBuf {
    let model = dir.to_path_buf();
    let m = model.to_str().unwrap();
    run_ok(&["seq", "pretrain", "--dataset", SAMPLE_TSV, "--preset", "quick", "--out", m, "--steps", "1", "--batch-size", "2", "--seed", "5"]);
    model
}

fn sample(model: &Path, out: &Path, seed: &str) -> String {
    run_ok(&["seq", "sample", "--model", model.to_str().unwrap(), "--n", "5", "--steps", "6", "--seed", seed, "--out", out.to_str().unwrap()]);
    std::fs::read_to_string(out).unwrap()
}

#[test]
fn pretrain_sample_eval_contract() {
    let tmp = tempfile::tempdir().unwrap();
    // One pretraining run (training determinism for a seed is covered by tests/train_resume.rs).
    let a = pretrain(&tmp.path().join("a"));
    let s1 = sample(&a, &tmp.path().join("s1.fasta"), "11");
    let s2 = sample(&a, &tmp.path().join("s2.fasta"), "11");
    let s3 = sample(&a, &tmp.path().join("s3.fasta"), "12");
    assert_eq!(s1, s2, "same seed must give the same FASTA");
    assert_ne!(s1, s3, "different seeds should give different sequences");
    let lines: Vec<&str> = s1.lines().collect();
    assert_eq!(lines.len(), 10, "5 records of one header + one sequence line");
    for pair in lines.chunks(2) {
        assert!(pair[0].starts_with('>'));
        assert_eq!(pair[1].len(), 200);
        assert!(pair[1].bytes().all(|c| b"ACGT".contains(&c)), "{}", pair[1]);
    }
    // Eval with the bundled motifs and sample table (no JASPAR list: that metric is n/a).
    let data = tmp.path().join("data");
    std::fs::create_dir(&data).unwrap();
    std::fs::copy(MOTIFS, data.join("motifs.json")).unwrap();
    let json = tmp.path().join("m.json");
    let s1_path = tmp.path().join("s1.fasta");
    let args = ["seq", "eval", "--fasta", s1_path.to_str().unwrap(), "--model", a.to_str().unwrap(), "--data", data.to_str().unwrap(), "--dhs", SAMPLE_TSV, "--elbo-steps", "4", "--json", json.to_str().unwrap()];
    run_ok(&args);
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(m["n"], 5);
    for k in ["d1_median", "three_mer_pearson", "diversity", "elbo_bits_per_token"] {
        assert!(m[k].as_f64().is_some_and(f64::is_finite), "{k} missing: {m}");
    }
    assert!(m["jaspar_spearman"].is_null());
    // Untrained-ish model: the ELBO is near the uniform 2 bits/token (loose: 1.5..3).
    let bpt = m["elbo_bits_per_token"].as_f64().unwrap();
    assert!((1.5..3.0).contains(&bpt), "{bpt}");
}

#[test]
fn missing_dhs_data_names_the_fetch_script() {
    let tmp = tempfile::tempdir().unwrap();
    let out = bin()
        .env("SCIDIFF_DATA", tmp.path().join("nothing"))
        .args(["seq", "pretrain", "--dataset", "dhs", "--out", tmp.path().join("m").to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("datasets/fetch_dhs.sh") && err.contains("dhs.tsv"), "{err}");
}
