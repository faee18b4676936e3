//! FCD against the reference implementation: activations and distances recorded from PyPI
//! `fcd` 1.2.2 (PyTorch ChemNet, `scripts/fcd_reference.py`) on the same strings.
//!
//! Needs ChemNet's weights: `make test` runs `datasets/fetch_chemnet.sh` first (or set
//! `SCIDIFF_CHEMNET` to the `.pt` file).
//!
//! Tolerances: activations are f32 through two convolutions and 2 × 88 recurrent LSTM steps;
//! GEMM summation order (and the SIMD kernel) differs from PyTorch's: measured max deviation 1.0e-5, allowed 5e-5
//! absolute (values are O(0.1)). FCD adds f64 covariance and eigen-based square roots: 1e-4
//! relative where the covariances are full rank (600 > 512 molecules); the rank-deficient
//! 50-molecule case is compared at 1e-3 relative because SciPy's `sqrtm` of a singular product
//! is itself only that accurate.

use std::path::PathBuf;

use scidiff::graph::mol::fcd::{ChemNet, FcdError, default_chemnet_path, fcd};

fn chemnet() -> ChemNet {
    let path = std::env::var_os("SCIDIFF_CHEMNET").map(PathBuf::from).unwrap_or_else(default_chemnet_path);
    ChemNet::load(&path).unwrap_or_else(|e| panic!("{e}\n(run `bash datasets/fetch_chemnet.sh`, or `make test`)"))
}

fn reference() -> serde_json::Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/fcd_reference.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn qm9_rows() -> Vec<String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/graph/mol/testdata/qm9.smi")).unwrap();
    text.lines().filter(|l| !l.starts_with('#')).map(|l| l.split('\t').next().unwrap().to_string()).collect()
}

fn strings(v: &serde_json::Value) -> Vec<String> {
    v.as_array().unwrap().iter().map(|s| s.as_str().unwrap().to_string()).collect()
}

#[test]
fn chemnet_activations_match_the_reference_package() {
    let (net, r) = (chemnet(), reference());
    let probe = strings(&r["probe_smiles"]);
    let act = net.activations(&probe);
    assert_eq!(act.dim(), (probe.len(), 512));
    let mut worst = 0.0f64;
    for (i, row) in r["probe_activations"].as_array().unwrap().iter().enumerate() {
        for (j, v) in row.as_array().unwrap().iter().enumerate() {
            worst = worst.max((act[[i, j]] as f64 - v.as_f64().unwrap()).abs());
        }
    }
    eprintln!("max |activation − reference| = {worst:.2e}");
    assert!(worst < 5e-5, "max deviation {worst}");
}

#[test]
fn fcd_matches_the_reference_package() {
    let (net, r) = (chemnet(), reference());
    let rows = qm9_rows();
    let probe = strings(&r["probe_smiles"]);
    let probe75: Vec<String> = probe.iter().cycle().take(probe.len() * 75).cloned().collect();
    let cases = [
        (&rows[..600], &rows[600..1200], "fcd_qm9_0_600_vs_600_1200", 1e-4),
        (&rows[..600], &probe75[..], "fcd_qm9_0_600_vs_probe_x75", 1e-4),
        (&rows[1200..1250], &rows[1250..1300], "fcd_qm9_1200_1250_vs_1250_1300", 1e-3),
    ];
    for (a, b, key, tol) in cases {
        let ours = fcd(&net, a, b).unwrap();
        let theirs = r[key].as_f64().unwrap();
        eprintln!("{key}: scidiff {ours:.6} reference {theirs:.6}");
        assert!((ours - theirs).abs() <= tol * theirs, "{key}: {ours} vs {theirs}");
    }
    // Identical sets are at distance 0 (up to the square-root round-off).
    assert!(fcd(&net, &rows[..600], &rows[..600]).unwrap().abs() < 1e-6);
}

#[test]
fn bad_weight_files_and_tiny_sets_are_clear_errors() {
    let path = std::env::var_os("SCIDIFF_CHEMNET").map(PathBuf::from).unwrap_or_else(default_chemnet_path);
    let bytes = std::fs::read(&path).expect("ChemNet weights (run datasets/fetch_chemnet.sh)");
    let truncated = ChemNet::from_bytes(bytes[..bytes.len() / 2].to_vec()).unwrap_err();
    assert!(matches!(truncated, FcdError::Archive(_)), "{truncated}");
    let not_zip = ChemNet::from_bytes(b"not a torch file".to_vec()).unwrap_err();
    assert!(matches!(not_zip, FcdError::Archive(_)), "{not_zip}");
    let missing = ChemNet::load("/nonexistent/ChemNet.pt").unwrap_err();
    assert!(missing.to_string().contains("fetch_mol.sh"), "{missing}");
    let net = chemnet();
    let one = ["CCO".to_string()];
    assert!(matches!(fcd(&net, &one, &one), Err(FcdError::TooFew(1))));
}
