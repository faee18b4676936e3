//! The `scidiff sde` command-line contract: files in and out, exit codes, one-line errors.
//! Oracles: the mixture's closed-form log-density (nll, to 1e-2 nats as the contract says; we
//! see ~1e-6) and the target's moments (sample).

use ndarray::Array2;
use scidiff::io::{H5Writer, read_array, read_matrix};
use scidiff::target::GaussianMixture;
use std::path::{Path, PathBuf};
use std::process::Command;

const TARGET: &str = r#"
[sde]
kind = "vp"
beta_min = 0.1
beta_max = 20.0
t_end = 1e-3
[gmm]
weights = [0.5, 0.5]
means = [[-1.0, 0.0], [1.0, 0.0]]
stds = [[0.3, 0.3], [0.3, 0.3]]
"#;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scidiff"))
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn write_x(path: &Path, x: &Array2<f64>) {
    let mut w = H5Writer::create(path).unwrap();
    w.dataset("x", x.view().into_dyn()).unwrap();
    w.finish().unwrap();
}

fn target_gmm() -> GaussianMixture {
    GaussianMixture::diagonal(vec![0.5, 0.5], vec![vec![-1.0, 0.0], vec![1.0, 0.0]], vec![vec![0.3, 0.3], vec![0.3, 0.3]]).unwrap()
}

#[test]
fn sample_from_prior_and_from_init() {
    let dir = tempfile::tempdir().unwrap();
    let t = write(dir.path(), "t.toml", TARGET);
    let out = dir.path().join("s.h5");
    let st = bin().args(["sde", "sample", "--target"]).arg(&t).args(["--sampler", "dpm-solver-2", "--nfe", "24", "--spacing", "logsnr", "--n", "4000", "--seed", "3", "--out"]).arg(&out).status().unwrap();
    assert!(st.success());
    let x = read_matrix(&out, "x").unwrap();
    assert_eq!(x.dim(), (4000, 2));
    // Target mean (0, 0), std along x: sqrt(1 + 0.09) ≈ 1.044; 4 SE bounds.
    let m = x.mean_axis(ndarray::Axis(0)).unwrap();
    assert!(m[0].abs() < 4.0 * 1.044 / 63.2 && m[1].abs() < 4.0 * 0.3 / 63.2, "mean {m}");
    // Same seed, same numbers; --init reproduces a given start set.
    let out2 = dir.path().join("s2.h5");
    bin().args(["sde", "sample", "--target"]).arg(&t).args(["--sampler", "dpm-solver-2", "--nfe", "24", "--spacing", "logsnr", "--n", "4000", "--seed", "3", "--out"]).arg(&out2).status().unwrap();
    assert_eq!(read_matrix(&out2, "x").unwrap(), x);
    let init = dir.path().join("init.h5");
    let x0 = Array2::from_shape_fn((5, 2), |(i, j)| (i as f64 - 2.0) * 0.7 + j as f64);
    write_x(&init, &x0);
    let out3 = dir.path().join("s3.h5");
    let st = bin().args(["sde", "sample", "--target"]).arg(&t).args(["--sampler", "ddim", "--nfe", "10", "--init"]).arg(&init).arg("--out").arg(&out3).status().unwrap();
    assert!(st.success());
    assert_eq!(read_matrix(&out3, "x").unwrap().dim(), (5, 2));
}

#[test]
fn nll_matches_closed_form_density() {
    let dir = tempfile::tempdir().unwrap();
    let t = write(dir.path(), "t.toml", TARGET);
    let gmm = target_gmm();
    let x = gmm.data().sample(200, &mut scidiff::rng(5));
    let data = dir.path().join("x.h5");
    write_x(&data, &x);
    let out = dir.path().join("nll.h5");
    let st = bin().args(["sde", "nll", "--target"]).arg(&t).arg("--data").arg(&data).arg("--out").arg(&out).status().unwrap();
    assert!(st.success());
    let nll = read_array(&out, "nll", Some(1)).unwrap();
    let exact = gmm.data().log_prob(x.view());
    let worst = nll.iter().zip(exact.iter()).map(|(a, b)| (a + b).abs()).fold(0.0, f64::max);
    assert!(worst < 1e-2, "worst |nll - closed form| = {worst}");
    eprintln!("nll worst error {worst:e} nats");
}

fn expect_error(args: &[&str], dir: &Path, needle: &str) {
    let o = bin().args(args).current_dir(dir).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
    assert!(err.contains(needle), "{args:?}: expected '{needle}' in: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: error is not one line: {err}");
}

#[test]
fn bad_input_is_a_one_line_error_with_exit_code_2() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "ok.toml", TARGET);
    write(d, "missing.toml", &TARGET.replace("weights = [0.5, 0.5]\n", ""));
    write(d, "negstd.toml", &TARGET.replace("[0.3, 0.3], [0.3, 0.3]]", "[0.3, -0.3], [0.3, 0.3]]"));
    write(d, "weights.toml", &TARGET.replace("[0.5, 0.5]", "[0.5, 0.6]"));
    write(d, "nokind.toml", &TARGET.replace("kind = \"vp\"\n", ""));
    write(d, "badkey.toml", &TARGET.replace("beta_max", "beta_maxx"));
    write_x(&d.join("x3.h5"), &Array2::zeros((4, 3)));
    let mut nan = Array2::zeros((4, 2));
    nan[[2, 1]] = f64::NAN;
    write_x(&d.join("nan.h5"), &nan);
    std::fs::write(d.join("junk.h5"), b"not an hdf5 file").unwrap();
    let s = |t: &str, extra: &[&str]| {
        let mut v = vec!["sde", "sample", "--target", t, "--sampler", "ddim", "--nfe", "5", "--out", "o.h5"];
        v.extend_from_slice(extra);
        v.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (s("missing.toml", &["--n", "3"]), "weights"),
        (s("negstd.toml", &["--n", "3"]), "stds"),
        (s("weights.toml", &["--n", "3"]), "sum to 1"),
        (s("nokind.toml", &["--n", "3"]), "kind"),
        (s("badkey.toml", &["--n", "3"]), "beta_maxx"),
        (s("ok.toml", &["--init", "x3.h5"]), "dimension 2"),
        (s("ok.toml", &["--init", "nan.h5"]), "non-finite"),
        (s("ok.toml", &["--init", "junk.h5"]), "HDF5"),
        (s("ok.toml", &["--init", "absent.h5"]), "absent.h5"),
        (s("nothere.toml", &["--n", "3"]), "nothere.toml"),
        (
            vec!["sde", "sample", "--target", "ok.toml", "--sampler", "magic", "--nfe", "5", "--n", "3", "--out", "o.h5"].into_iter().map(String::from).collect(),
            "unknown sampler",
        ),
        (
            vec!["sde", "nll", "--target", "ok.toml", "--data", "x3.h5", "--out", "n.h5"].into_iter().map(String::from).collect(),
            "dimension 2",
        ),
    ];
    for (args, needle) in cases {
        let a: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        expect_error(&a, d, needle);
    }
}
