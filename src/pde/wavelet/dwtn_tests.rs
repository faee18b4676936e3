//! Tests of the 2-D / n-D transforms: PyWavelets oracle, perfect reconstruction, errors.

use super::*;
use crate::pde::wavelet::test_util::{TOL, fixture, input, lcg_array, max_abs_diff};
use crate::pde::wavelet::{Mode, Wavelet, WaveletError, max_level};
use ndarray::{Array3, ArrayD, IxDyn, Slice};

fn wl(name: &str) -> Wavelet {
    Wavelet::from_name(name).unwrap()
}

/// Crops `a` to `shape` (drops PyWavelets' extra trailing sample on odd axes).
fn crop(a: &ArrayD<f64>, shape: &[usize]) -> ArrayD<f64> {
    let mut v = a.view();
    for (i, &n) in shape.iter().enumerate() {
        assert!(
            v.shape()[i] == n || v.shape()[i] == n + 1,
            "shape {:?} vs {shape:?}",
            a.shape()
        );
        v.slice_axis_inplace(Axis(i), Slice::from(0..n));
    }
    v.to_owned()
}

#[test]
fn matches_pywavelets_2d() {
    let fx = fixture();
    let mut worst = 0.0f64;
    for c in &fx.d2 {
        let (w, mode) = (wl(&c.w), c.mode.parse::<Mode>().unwrap());
        let x = input(&fx.master, &c.shape)
            .into_dimensionality::<ndarray::Ix3>()
            .unwrap();
        let got = wavedec2(x.view(), &w, mode, c.level).unwrap();
        let mut check = |g: &Array3<f64>, want: &ArrayD<f64>| {
            let err = max_abs_diff(&g.clone().into_dyn(), want);
            assert!(err < TOL, "{} {}: err {err}", c.w, c.mode);
            worst = worst.max(err);
        };
        check(&got.approx, &c.approx.to_array());
        assert_eq!(got.details.len(), c.details.len());
        for (g, want) in got.details.iter().zip(&c.details) {
            for (gb, wb) in g.iter().zip(want) {
                check(gb, &wb.to_array());
            }
        }
        let back = waverec2(&got, &w, mode).unwrap().into_dyn();
        assert!(max_abs_diff(&crop(&back, &c.shape), &x.into_dyn()) < TOL);
    }
    println!("2-D max |rust - pywt| = {worst:e}");
}

#[test]
fn matches_pywavelets_nd() {
    let fx = fixture();
    let mut worst = 0.0f64;
    for c in &fx.dn {
        let (w, mode) = (wl(&c.w), c.mode.parse::<Mode>().unwrap());
        let x = input(&fx.master, &c.shape);
        let got = wavedecn(x.view(), &w, mode, c.level, c.ndim).unwrap();
        let err = max_abs_diff(&got.approx, &c.approx.to_array());
        worst = worst.max(err);
        assert_eq!(got.details.len(), c.details.len());
        for (g, want) in got.details.iter().zip(&c.details) {
            let keys: Vec<_> = g.keys().cloned().collect();
            let want_keys: Vec<_> = want.iter().map(|a| a.key.clone()).collect();
            assert_eq!(keys, want_keys, "key order");
            for wb in want {
                worst = worst.max(max_abs_diff(&g[&wb.key], &wb.to_array()));
            }
        }
        assert!(worst < TOL, "{} {}: err {worst}", c.w, c.mode);
        let back = waverecn(&got, &w, mode).unwrap();
        assert!(max_abs_diff(&crop(&back, &c.shape), &x) < TOL);
    }
    println!("n-D max |rust - pywt| = {worst:e}");
}

#[test]
fn perfect_reconstruction_2d_all_families_and_modes() {
    let mut worst = 0.0f64;
    for name in Wavelet::names() {
        let w = wl(name);
        let f = w.filter_len();
        for mode in Mode::ALL {
            for shape in [[2, 9, 12], [1, 2 * f - 1, 2 * f + 2]] {
                let level = max_level(shape[1].min(shape[2]), &w).min(2);
                let x = lcg_array(&shape, f as u64).into_dimensionality().unwrap();
                let c = wavedec2(x.view(), &w, mode, level).unwrap();
                let y = waverec2(&c, &w, mode).unwrap().into_dyn();
                let err = max_abs_diff(&crop(&y, &shape), &x.into_dyn());
                assert!(
                    err < TOL,
                    "{name} {mode} {shape:?} level {level}: err {err}"
                );
                worst = worst.max(err);
            }
        }
    }
    println!("2-D perfect reconstruction max error {worst:e}");
}

#[test]
fn perfect_reconstruction_3d_all_families_and_modes() {
    let mut worst = 0.0f64;
    for name in Wavelet::names() {
        let w = wl(name);
        for mode in Mode::ALL {
            // Single level on odd, filter-short axes (exercises multiple wrap-arounds).
            let x = lcg_array(&[2, 5, 6, 7], 3);
            let y = idwtn(&dwtn(x.view(), &w, mode, 3).unwrap(), &w, mode).unwrap();
            let err = max_abs_diff(&crop(&y, x.shape()), &x);
            assert!(err < TOL, "{name} {mode} dwtn: err {err}");
            // Multi-level where the filter allows it.
            let x = lcg_array(&[1, 9, 10, 11], 4);
            let level = max_level(9, &w).min(2);
            let c = wavedecn(x.view(), &w, mode, level, 3).unwrap();
            let y = waverecn(&c, &w, mode).unwrap();
            let err2 = max_abs_diff(&crop(&y, x.shape()), &x);
            assert!(err2 < TOL, "{name} {mode} level {level}: err {err2}");
            worst = worst.max(err).max(err2);
        }
    }
    println!("3-D perfect reconstruction max error {worst:e}");
}

#[test]
fn key_order_and_band_shapes() {
    let w = wl("haar");
    let x = lcg_array(&[3, 4, 5], 1);
    let b = dwtn(x.view(), &w, Mode::Periodization, 3).unwrap();
    let keys: Vec<_> = b.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["aaa", "aad", "ada", "add", "daa", "dad", "dda", "ddd"]
    );
    assert!(b.values().all(|a| a.shape() == [2, 2, 3]));
    let c = wavedecn(x.view(), &w, Mode::Zero, 1, 2).unwrap();
    assert_eq!(c.approx.shape(), [3, 2, 3]);
    assert_eq!(c.details[0].keys().collect::<Vec<_>>(), ["ad", "da", "dd"]);
}

#[test]
fn errors_are_reported_not_panics() {
    let w = wl("db2");
    let x = lcg_array(&[2, 9, 12], 5);
    let x3 = x.clone().into_dimensionality::<ndarray::Ix3>().unwrap();
    assert_eq!(
        wavedec2(x3.view(), &w, Mode::Zero, 2).unwrap_err(),
        WaveletError::LevelTooHigh {
            level: 2,
            max: 1,
            len: 9
        }
    );
    assert!(matches!(
        wavedecn(x.view(), &w, Mode::Zero, 1, 4),
        Err(WaveletError::InvalidArgument(_))
    ));
    assert!(matches!(
        wavedecn(x.view(), &w, Mode::Zero, 1, 0),
        Err(WaveletError::InvalidArgument(_))
    ));
    let empty = ArrayD::<f64>::zeros(IxDyn(&[2, 0, 4]));
    assert!(matches!(
        wavedecn(empty.view(), &w, Mode::Zero, 0, 2),
        Err(WaveletError::EmptyInput(_))
    ));
    let mut bad = x.clone();
    bad[[1, 2, 3]] = f64::NAN;
    assert!(matches!(
        wavedecn(bad.view(), &w, Mode::Zero, 1, 2),
        Err(WaveletError::NonFinite(_))
    ));
    // Inconsistent coefficient shapes in the inverse.
    let mut c = wavedec2(x3.view(), &w, Mode::Symmetric, 1).unwrap();
    c.details[0][1] = Array3::zeros((2, 6, 6));
    assert!(matches!(
        waverec2(&c, &w, Mode::Symmetric),
        Err(WaveletError::ShapeMismatch(_))
    ));
    let mut c = wavedec2(x3.view(), &w, Mode::Symmetric, 1).unwrap();
    c.approx = Array3::zeros((2, 9, 9));
    assert!(matches!(
        waverec2(&c, &w, Mode::Symmetric),
        Err(WaveletError::ShapeMismatch(_))
    ));
    let mut c = wavedec2(x3.view(), &w, Mode::Symmetric, 1).unwrap();
    c.approx = Array3::zeros((3, 6, 7));
    assert!(matches!(
        waverec2(&c, &w, Mode::Symmetric),
        Err(WaveletError::ShapeMismatch(_))
    ));
    let mut cn = wavedecn(x.view(), &w, Mode::Symmetric, 1, 2).unwrap();
    cn.details[0].remove("dd");
    assert!(matches!(
        waverecn(&cn, &w, Mode::Symmetric),
        Err(WaveletError::ShapeMismatch(_))
    ));
    let mut cn = wavedecn(x.view(), &w, Mode::Symmetric, 1, 2).unwrap();
    cn.details[0].insert("xyz".into(), ArrayD::zeros(IxDyn(&[2, 6, 7])));
    assert!(waverecn(&cn, &w, Mode::Symmetric).is_err());
    cn.details[0].clear();
    assert!(matches!(
        waverecn(&cn, &w, Mode::Symmetric),
        Err(WaveletError::EmptyInput(_))
    ));
    let mut cn = wavedecn(x.view(), &w, Mode::Symmetric, 1, 2).unwrap();
    cn.details[0].get_mut("ad").unwrap()[[0, 0, 0]] = f64::INFINITY;
    assert!(matches!(
        waverecn(&cn, &w, Mode::Symmetric),
        Err(WaveletError::NonFinite(_))
    ));
    assert!(matches!(
        idwtn(&Default::default(), &w, Mode::Zero),
        Err(WaveletError::EmptyInput(_))
    ));
}
