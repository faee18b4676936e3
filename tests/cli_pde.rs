//! The `scidiff wavelet` and `scidiff pde` command-line contract: dataset names and layouts,
//! exit codes, one-line errors. Oracles: PyWavelets 1.8 coefficients (the fixture in
//! `src/pde/wavelet/testdata`) and the Cole–Hopf exact solution of viscous Burgers.

use ndarray::{Array1, Array2, Array3, ArrayD, IxDyn};
use scidiff::io::{Attr, H5Writer, read_array, read_attr};
use serde_json::Value;
use std::f64::consts::PI;
use std::path::Path;
use std::process::{Command, Output};

/// PyWavelets agreement and perfect reconstruction: the fixture's own tolerance (see
/// `src/pde/wavelet/test_util.rs`: observed error ~1e-15, filter tables limit PR to ~1e-11).
const TOL: f64 = 1e-10;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scidiff"))
}

fn run(args: &[&str], paths: &[(&str, &Path)]) -> Output {
    let mut c = bin();
    c.args(args);
    for (flag, p) in paths {
        if !flag.is_empty() {
            c.arg(flag);
        }
        c.arg(p);
    }
    c.output().unwrap()
}

fn ok(o: &Output) {
    assert!(o.status.success(), "stderr: {}", String::from_utf8_lossy(&o.stderr));
}

/// Exit code 2 and exactly one line on stderr containing `needle`.
fn refused(o: &Output, needle: &str) {
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "not one line: {err}");
    assert!(err.contains(needle), "expected '{needle}' in: {err}");
    assert!(!err.contains("panicked"), "{err}");
}

fn write(path: &Path, name: &str, a: ArrayD<f64>) {
    let mut w = H5Writer::create(path).unwrap();
    w.dataset(name, a.view()).unwrap();
    w.finish().unwrap();
}

fn max_diff(a: &ArrayD<f64>, b: &ArrayD<f64>) -> f64 {
    assert_eq!(a.shape(), b.shape());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f64::max)
}

fn fixture() -> Value {
    serde_json::from_str(include_str!("../src/pde/wavelet/testdata/pywt_cases.json")).unwrap()
}

fn arr(v: &Value) -> ArrayD<f64> {
    let shape: Vec<usize> = v["shape"].as_array().unwrap().iter().map(|s| s.as_u64().unwrap() as usize).collect();
    let data: Vec<f64> = v["data"].as_array().unwrap().iter().map(|s| s.as_f64().unwrap()).collect();
    ArrayD::from_shape_vec(IxDyn(&shape), data).unwrap()
}

fn master(fx: &Value, shape: &[usize]) -> ArrayD<f64> {
    let n = shape.iter().product();
    let m: Vec<f64> = fx["master"].as_array().unwrap()[..n].iter().map(|v| v.as_f64().unwrap()).collect();
    ArrayD::from_shape_vec(IxDyn(shape), m).unwrap()
}

#[test]
fn wavelet_1d_matches_pywavelets_and_inverts() {
    let fx = fixture();
    let case = fx["d1"].as_array().unwrap().iter().find(|c| c["w"] == "bior2.4" && c["mode"] == "periodic" && c["n"] == 73 && c["level"] == 3).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (x_in, c_out, x_out) = (dir.path().join("x.h5"), dir.path().join("c.h5"), dir.path().join("y.h5"));
    let x = master(&fx, &[1, 73]);
    write(&x_in, "x", x.clone());
    let flags = ["--wavelet", "bior2.4", "--level", "3", "--mode", "periodic"];
    ok(&run(&[&["wavelet", "forward"][..], &flags].concat(), &[("--in", &x_in), ("--out", &c_out)]));
    for (k, band) in case["coeffs"].as_array().unwrap().iter().enumerate() {
        let want: Vec<f64> = band.as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
        let want = ArrayD::from_shape_vec(IxDyn(&[1, want.len()]), want).unwrap();
        let got = read_array(&c_out, &format!("c{k}"), Some(2)).unwrap();
        assert!(max_diff(&got, &want) < TOL, "band c{k}");
    }
    // Inverse with the level inferred (no --level); odd length comes back one longer, as pywt.
    ok(&run(&["wavelet", "inverse", "--wavelet", "bior2.4", "--mode", "periodic"], &[("--in", &c_out), ("--out", &x_out)]));
    let y = read_array(&x_out, "x", Some(2)).unwrap();
    let y = y.slice_axis(ndarray::Axis(1), (0..73).into()).to_owned();
    assert!(max_diff(&y, &x) < TOL);
}

#[test]
fn wavelet_2d_matches_pywavelets_and_inverts() {
    let fx = fixture();
    let case = fx["d2"].as_array().unwrap().iter().find(|c| c["w"] == "haar" && c["mode"] == "zero" && c["level"] == 3).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let (x_in, c_out, x_out) = (dir.path().join("x.h5"), dir.path().join("c.h5"), dir.path().join("y.h5"));
    let x = master(&fx, &[2, 9, 12]);
    write(&x_in, "x", x.clone());
    let flags = ["--wavelet", "haar", "--level", "3", "--mode", "zero", "--dims", "2"];
    ok(&run(&[&["wavelet", "forward"][..], &flags].concat(), &[("--in", &x_in), ("--out", &c_out)]));
    assert!(max_diff(&read_array(&c_out, "c0", Some(3)).unwrap(), &arr(&case["approx"])) < TOL);
    for (k, level) in case["details"].as_array().unwrap().iter().enumerate() {
        for (band, s) in level.as_array().unwrap().iter().zip(["h", "v", "d"]) {
            let got = read_array(&c_out, &format!("c{}_{s}", k + 1), Some(3)).unwrap();
            assert!(max_diff(&got, &arr(band)) < TOL, "band c{}_{s}", k + 1);
        }
    }
    ok(&run(&[&["wavelet", "inverse"][..], &flags].concat(), &[("--in", &c_out), ("--out", &x_out)]));
    let y = read_array(&x_out, "x", Some(3)).unwrap();
    let y = y.slice_each_axis(|ax| (0..x.shape()[ax.axis.index()]).into()).to_owned();
    assert!(max_diff(&y, &x) < TOL);
}

#[test]
fn wavelet_bad_input_is_one_line_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let (x_in, out) = (dir.path().join("x.h5"), dir.path().join("c.h5"));
    write(&x_in, "x", ArrayD::from_elem(IxDyn(&[2, 16]), 0.5));
    let fwd = |w: &str, level: &str, mode: &str, dims: &str| {
        run(&["wavelet", "forward", "--wavelet", w, "--level", level, "--mode", mode, "--dims", dims], &[("--in", &x_in), ("--out", &out)])
    };
    refused(&fwd("nope", "1", "zero", "1"), "unknown wavelet 'nope'");
    refused(&fwd("db2", "1", "bogus", "1"), "unknown boundary mode 'bogus'");
    refused(&fwd("db2", "9", "zero", "1"), "level 9 is too high");
    refused(&fwd("db2", "1", "zero", "2"), "rank 3");
    let nan = dir.path().join("nan.h5");
    let mut a = ArrayD::from_elem(IxDyn(&[2, 16]), 0.5);
    a[[1, 3]] = f64::NAN;
    write(&nan, "x", a);
    refused(&run(&["wavelet", "forward", "--wavelet", "db2", "--level", "1", "--mode", "zero"], &[("--in", &nan), ("--out", &out)]), "non-finite");
    refused(&run(&["wavelet", "inverse", "--wavelet", "db2", "--mode", "zero"], &[("--in", &x_in), ("--out", &out)]), "no dataset 'c0'");
    assert!(!out.exists());
}

/// Cole–Hopf: `u = −2ν φ_x/φ`, `φ = 1 + 0.8 e^{−k²π²νt} cos(kπx)`; `k = 2` is 1-periodic,
/// `k = 1` vanishes at `x = 0, 1`.
fn cole_hopf(x: f64, t: f64, nu: f64, k: f64) -> f64 {
    let e = 0.8 * (-(k * PI).powi(2) * nu * t).exp();
    2.0 * nu * k * PI * e * (k * PI * x).sin() / (1.0 + e * (k * PI * x).cos())
}

/// Solves two rows (the Cole–Hopf state at t = 0 and at t = 0.1, so row 1 at T equals the exact
/// state at 0.1 + T) and returns the max error over all report times.
fn solve_error(boundary: &str, nx: usize) -> f64 {
    let (nu, t_end, nt) = (0.05, 0.5, 5);
    let k = if boundary == "periodic" { 2.0 } else { 1.0 };
    let x: Vec<f64> = (0..nx).map(|j| if boundary == "periodic" { j as f64 / nx as f64 } else { (j + 1) as f64 / (nx + 1) as f64 }).collect();
    let t0 = [0.0, 0.1];
    let u0 = Array2::from_shape_fn((2, nx), |(b, j)| cole_hopf(x[j], t0[b], nu, k));
    let dir = tempfile::tempdir().unwrap();
    let (init, out) = (dir.path().join("u0.h5"), dir.path().join("u.h5"));
    write(&init, "u0", u0.into_dyn());
    let o = run(&["pde", "solve", "--system", "burgers1d", "--viscosity", "0.05", "--t-end", "0.5", "--nt", "5", "--boundary", boundary], &[("--init", &init), ("--out", &out)]);
    ok(&o);
    let u: Array3<f64> = read_array(&out, "u", Some(3)).unwrap().into_dimensionality().unwrap();
    assert_eq!(u.dim(), (2, nt + 1, nx));
    let mut err: f64 = 0.0;
    for ((b, s, j), v) in u.indexed_iter() {
        let t = t0[b] + s as f64 * t_end / nt as f64;
        err = err.max((v - cole_hopf(x[j], t, nu, k)).abs());
    }
    err
}

// Tolerances: the scheme is second order in dx (central differences, SSP-RK3 in time with
// dt ∝ dx²). Max error over all report times, measured: periodic 1.92e-3 (nx 32) and 4.76e-4
// (nx 64), Dirichlet 3.09e-4 (nx 31) and 7.77e-5 (nx 63), |u| ≤ 0.35. We require the coarse error
// < 4e-3 (about 2× the measured one) and that doubling nx cuts the error by 3–5× (order 1.6–2.3),
// which a first-order scheme or a wrong grid (shifted x_j) fails.
#[test]
fn solve_matches_cole_hopf_periodic_and_dirichlet() {
    for boundary in ["periodic", "dirichlet"] {
        let (nx_c, nx_f) = if boundary == "periodic" { (32, 64) } else { (31, 63) };
        let (e1, e2) = (solve_error(boundary, nx_c), solve_error(boundary, nx_f));
        eprintln!("{boundary}: max error {e1:.3e} (nx {nx_c}), {e2:.3e} (nx {nx_f}), ratio {:.2}", e1 / e2);
        assert!(e1 < 4e-3, "{boundary} {e1}");
        assert!((3.0..5.0).contains(&(e1 / e2)), "{boundary} ratio {}", e1 / e2);
    }
}

#[test]
fn solve_bad_input_is_one_line_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let (init, out) = (dir.path().join("u0.h5"), dir.path().join("u.h5"));
    write(&init, "u0", Array2::from_elem((1, 64), 0.1).into_dyn());
    let solve = |extra: &[&str], init: &Path| {
        let base = ["pde", "solve", "--system", "burgers1d", "--t-end", "1", "--boundary", "periodic"];
        run(&[&base[..], extra].concat(), &[("--init", init), ("--out", &out)])
    };
    refused(&solve(&["--viscosity", "-0.1", "--nt", "4"], &init), "viscosity");
    refused(&solve(&["--viscosity", "0.1", "--nt", "0"], &init), "--nt must be >= 1");
    // A fixed step that violates the explicit limit is refused and the limit named.
    refused(&solve(&["--viscosity", "0.1", "--nt", "4", "--substeps", "1"], &init), "stability limit");
    refused(&solve(&["--viscosity", "0.1", "--nt", "4"], &dir.path().join("missing.h5")), "missing.h5");
    let nan = dir.path().join("nan.h5");
    let mut a = Array2::from_elem((2, 16), 0.1);
    a[[1, 2]] = f64::NAN;
    write(&nan, "u0", a.into_dyn());
    refused(&solve(&["--viscosity", "0.1", "--nt", "4"], &nan), "non-finite");
    let wrong = dir.path().join("wrong.h5");
    write(&wrong, "x", Array1::zeros(8).into_dyn());
    refused(&solve(&["--viscosity", "0.1", "--nt", "4"], &wrong), "no dataset 'u0'");
}

#[test]
fn generate_is_deterministic_with_attributes_and_plots() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.h5"), dir.path().join("b.h5"));
    for (i, p) in [&a, &b].into_iter().enumerate() {
        if i == 1 {
            // HDF5 object timestamps have one-second resolution: wait so that any would differ.
            std::thread::sleep(std::time::Duration::from_millis(1100));
        }
        ok(&run(&["pde", "generate", "--system", "burgers1d", "--preset", "small", "--trajectories", "2", "--seed", "11"], &[("--out", p)]));
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap(), "same seed, different bytes");
    assert_eq!(read_array(&a, "u", Some(3)).unwrap().shape(), &[2, 41, 60]);
    assert_eq!(read_array(&a, "f", Some(3)).unwrap().shape(), &[2, 40, 60]);
    assert_eq!(read_attr(&a, "system").unwrap(), Attr::Str("burgers1d".into()));
    assert_eq!(read_attr(&a, "seed").unwrap(), Attr::I64(11));
    assert_eq!(read_attr(&a, "solver_nx").unwrap(), Attr::I64(240));
    assert_eq!(read_attr(&a, "nu").unwrap(), Attr::F64(0.01));
    let Attr::Str(cfg) = read_attr(&a, "config").unwrap() else { panic!("config is not a string") };
    let cfg: Value = serde_json::from_str(&cfg).unwrap();
    assert_eq!(cfg["steps_per_segment"], 20);
    let png = dir.path().join("fig.png");
    ok(&run(&["pde", "plot", "--index", "1"], &[("--out", &png), ("", &a)]));
    let bytes = std::fs::read(&png).unwrap();
    assert!(bytes.len() > 1000 && bytes.starts_with(b"\x89PNG"));
    refused(&run(&["pde", "plot", "--index", "5"], &[("--out", &png), ("", &a)]), "out of range");
}

#[test]
fn generate_bad_input_is_one_line_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d.h5");
    let gen_ = |extra: &[&str]| run(&[&["pde", "generate", "--trajectories", "2"][..], extra].concat(), &[("--out", &out)]);
    refused(&gen_(&["--system", "heat1d"]), "unknown system 'heat1d'");
    refused(&gen_(&["--system", "burgers1d", "--preset", "huge"]), "unknown preset 'huge'");
    // One Euler step per segment at dx = 1/241 violates nu*dt/dx^2 <= 1/2: refused with the
    // limit and the trajectory index named.
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "steps_per_segment = 1\n").unwrap();
    let o = run(&["pde", "generate", "--system", "burgers1d", "--trajectories", "2"], &[("--config", &cfg), ("--out", &out)]);
    refused(&o, "nu*dt/dx^2");
    refused(&o, "trajectory 0");
    std::fs::write(&cfg, "no_such_field = 3\n").unwrap();
    refused(&run(&["pde", "generate", "--system", "burgers1d"], &[("--config", &cfg), ("--out", &out)]), "no_such_field");
    assert!(!out.exists());
}

/// `cns1d`: layout, attributes, byte determinism for a seed, physical values, a plot, and refusal
/// of a fixed step that breaks the CFL limit (dt = 0.04 at dx = 1/64, sound speed >= 0.41: Courant number > 1).
#[test]
fn cns_generate_is_deterministic_refuses_cfl_and_plots() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.h5"), dir.path().join("b.h5"));
    for (i, p) in [&a, &b].into_iter().enumerate() {
        if i == 1 {
            std::thread::sleep(std::time::Duration::from_millis(1100));
        }
        ok(&run(&["pde", "generate", "--system", "cns1d", "--preset", "small", "--trajectories", "2", "--seed", "3"], &[("--out", p)]));
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap(), "same seed, different bytes");
    for name in ["rho", "u", "p"] {
        let x = read_array(&a, name, Some(3)).unwrap();
        assert_eq!(x.shape(), &[2, 41, 128], "{name}");
        assert!(x.iter().all(|v| v.is_finite()), "{name}");
        if name != "u" {
            assert!(x.iter().all(|v| *v > 0.0), "{name} not positive");
        }
    }
    assert_eq!(read_attr(&a, "system").unwrap(), Attr::Str("cns1d".into()));
    assert_eq!(read_attr(&a, "nx").unwrap(), Attr::I64(128));
    assert_eq!(read_attr(&a, "eta").unwrap(), Attr::F64(1e-8));
    assert_eq!(read_attr(&a, "gamma").unwrap(), Attr::F64(5.0 / 3.0));
    assert_eq!(read_attr(&a, "boundary").unwrap(), Attr::Str("Transmissive".into()));
    let png = dir.path().join("cns.png");
    ok(&run(&["pde", "plot", "--index", "1"], &[("--out", &png), ("", &a)]));
    assert!(std::fs::read(&png).unwrap().starts_with(b"\x89PNG"));
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "substeps = 1\nnt = 10\n").unwrap();
    let out = dir.path().join("bad.h5");
    let o = run(&["pde", "generate", "--system", "cns1d", "--trajectories", "2"], &[("--config", &cfg), ("--out", &out)]);
    refused(&o, "max(|u|+c)*dt/dx");
    refused(&o, "trajectory 0");
    assert!(!out.exists());
}
