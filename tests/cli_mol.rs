//! The `scidiff mol` command-line contract (issue 7, item 7) on a small QM9 file built from the
//! bundled fixture (2,000 real QM9 SMILES; every 10th molecule is "test"): train a few steps,
//! sample N molecules (exactly N lines, uncorrected and corrected files), determinism for a seed,
//! eval output, and clear errors for missing data and an unknown data set.
//!
//! Oracles: the line-count contract; every non-empty corrected line parses and is valid (GDSS's
//! correction guarantees it); byte equality of same-seed outputs; the NSPDK floor of training
//! molecules is far below that of an untrained model's samples.

use std::path::Path;
use std::process::Command;

const FIXTURE: &str = include_str!("../src/graph/mol/testdata/qm9.smi");

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scidiff"))
}

fn run_ok(args: &[&str]) -> String {
    let out = bin().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// `qm9.tsv` in `dir` from the fixture (`SMILES<TAB>GDB index<TAB>counts`).
fn write_qm9(dir: &Path) {
    let mut tsv = String::from("gdb_index\tsmiles\tsplit\n");
    for (k, line) in FIXTURE.lines().filter(|l| !l.starts_with('#')).enumerate() {
        let cols: Vec<&str> = line.split('\t').collect();
        let split = if k % 10 == 0 { "test" } else { "train" };
        tsv.push_str(&format!("{}\t{}\t{split}\n", cols[1], cols[0]));
    }
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(dir.join("qm9.tsv"), tsv).unwrap();
}

fn sample(model: &Path, out: &Path, corrected: &Path, seed: &str) -> (String, String) {
    let args = ["mol", "sample", "--model", model.to_str().unwrap(), "--n", "6", "--seed", seed, "--sampler", "euler-maruyama", "--nfe", "20", "--out", out.to_str().unwrap(), "--corrected", corrected.to_str().unwrap()];
    run_ok(&args);
    (std::fs::read_to_string(out).unwrap(), std::fs::read_to_string(corrected).unwrap())
}

#[test]
fn train_sample_eval_contract() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("data");
    write_qm9(&data);
    let model = tmp.path().join("model");
    let d = data.to_str().unwrap();
    run_ok(&["mol", "train", "--dataset", "qm9", "--preset", "quick", "--steps", "3", "--seed", "1", "--data", d, "--out", model.to_str().unwrap()]);
    let (raw1, fix1) = sample(&model, &tmp.path().join("a.smi"), &tmp.path().join("a_fixed.smi"), "4");
    let (raw2, fix2) = sample(&model, &tmp.path().join("b.smi"), &tmp.path().join("b_fixed.smi"), "4");
    assert_eq!((raw1.clone(), fix1.clone()), (raw2, fix2), "same seed must give the same SMILES");
    assert_eq!(raw1.lines().count(), 6, "{raw1:?}");
    assert_eq!(fix1.lines().count(), 6, "{fix1:?}");
    for s in fix1.lines().filter(|s| !s.is_empty()) {
        let m = scidiff::graph::mol::parse_smiles(s).unwrap_or_else(|e| panic!("{s}: {e}"));
        assert!(scidiff::graph::mol::is_valid(&m), "corrected molecule {s} is not valid");
    }
    // Eval of the samples and of the training molecules themselves (the floor).
    let json = tmp.path().join("m.json");
    run_ok(&["mol", "eval", "--dataset", "qm9", "--data", d, "--generated", tmp.path().join("a.smi").to_str().unwrap(), "--json", json.to_str().unwrap()]);
    let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(m["generated"], 6);
    let train: Vec<&str> = FIXTURE.lines().filter(|l| !l.starts_with('#')).enumerate().filter(|(k, _)| k % 10 != 0).map(|(_, l)| l.split('\t').next().unwrap()).take(100).collect();
    let train_path = tmp.path().join("train.smi");
    std::fs::write(&train_path, train.join("\n") + "\n").unwrap();
    let floor_json = tmp.path().join("floor.json");
    run_ok(&["mol", "eval", "--dataset", "qm9", "--data", d, "--generated", train_path.to_str().unwrap(), "--json", floor_json.to_str().unwrap()]);
    let f: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&floor_json).unwrap()).unwrap();
    assert_eq!(f["novelty"], 0.0, "training molecules cannot be novel: {f}");
    assert_eq!(f["uniqueness"], 1.0, "{f}");
    let (floor, untrained) = (f["nspdk_mmd2"].as_f64().unwrap(), m["nspdk_mmd2"].as_f64().unwrap_or(1.0));
    assert!(floor < untrained, "NSPDK floor {floor} should be below an untrained model's {untrained}");
    // FCD (ChemNet weights from datasets/fetch_chemnet.sh, which `make test` runs): 100 training
    // molecules against the 200 test ones is a small positive distance (rank-deficient
    // covariances keep it well above the 10k-molecule floor of 0.03, but far below 10).
    let chemnet = scidiff::graph::mol::fcd::default_chemnet_path();
    assert!(chemnet.exists(), "ChemNet weights missing at {}: run datasets/fetch_chemnet.sh", chemnet.display());
    let fcd = f["fcd"].as_f64().unwrap_or_else(|| panic!("no FCD in {f}"));
    assert!(fcd > 0.0 && fcd < 10.0, "floor FCD {fcd}");
    let generated = tmp.path().join("a.smi");
    let no_fcd = tmp.path().join("nofcd.json");
    run_ok(&["mol", "eval", "--dataset", "qm9", "--data", d, "--generated", train_path.to_str().unwrap(), "--no-fcd", "--json", no_fcd.to_str().unwrap()]);
    let n: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&no_fcd).unwrap()).unwrap();
    assert!(n["fcd"].is_null(), "{n}");
    let bad = tmp.path().join("bad.pt");
    std::fs::write(&bad, b"PK not really").unwrap();
    let out = bin().args(["mol", "eval", "--dataset", "qm9", "--data", d, "--generated", generated.to_str().unwrap(), "--chemnet", bad.to_str().unwrap()]).output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("ChemNet weights"), "{}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn missing_data_and_unknown_dataset_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let out = bin().args(["mol", "train", "--dataset", "qm9", "--data", tmp.path().join("none").to_str().unwrap(), "--out", tmp.path().join("m").to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("fetch_mol.sh") || err.contains("qm9.tsv"), "{err}");
    let out = bin().args(["mol", "train", "--dataset", "zinc", "--out", tmp.path().join("m2").to_str().unwrap()]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown molecule dataset"), "{}", String::from_utf8_lossy(&out.stderr));
    // A user's ZINC250k CSV (GDSS's layout: quoted SMILES ending in a newline) needs GDSS's
    // valid_idx_zinc250k.json beside it; with it, eval runs.
    let csv = tmp.path().join("zinc250k.csv");
    std::fs::write(&csv, ",smiles,logP\n0,\"CCO\n\",0.1\n1,\"c1ccncc1\n\",0.5\n2,\"CC(=O)Nc1ccccc1\n\",1\n").unwrap();
    let generated = tmp.path().join("g.smi");
    std::fs::write(&generated, "CCO\nc1ccccc1\n\n").unwrap();
    let args = ["mol", "eval", "--dataset", "zinc250k-csv", "--data", csv.to_str().unwrap(), "--generated", generated.to_str().unwrap(), "--no-fcd"];
    let out = bin().args(args).output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("valid_idx_zinc250k.json"), "{}", String::from_utf8_lossy(&out.stderr));
    std::fs::write(tmp.path().join("valid_idx_zinc250k.json"), "[1]").unwrap();
    let table = run_ok(&args);
    assert!(table.contains("3 generated, 1 blank or unparsable"), "{table}");
    assert!(table.contains("| novelty | 50.00% |"), "{table}");
}
