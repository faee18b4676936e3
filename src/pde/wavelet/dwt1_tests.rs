//! Tests of the 1-D transforms: PyWavelets oracle, perfect reconstruction, errors.

use super::*;
use crate::pde::wavelet::test_util::{TOL, fixture, lcg_array, max_abs_diff};
use crate::pde::wavelet::{Mode, Wavelet, WaveletError, max_level};
use ndarray::{Array1, Array2, Axis, array, stack};

fn wl(name: &str) -> Wavelet {
    Wavelet::from_name(name).unwrap()
}

#[test]
fn matches_pywavelets_1d() {
    let fx = fixture();
    let (mut worst, mut families, mut modes) = (
        0.0f64,
        std::collections::BTreeSet::new(),
        std::collections::BTreeSet::new(),
    );
    for c in &fx.d1 {
        let (w, mode) = (wl(&c.w), c.mode.parse::<Mode>().unwrap());
        let x = Array1::from(fx.master[..c.n].to_vec());
        let got = wavedec(x.view(), &w, mode, c.level).unwrap();
        assert_eq!(got.len(), c.coeffs.len(), "{} {} n={}", c.w, c.mode, c.n);
        for (g, want) in got.iter().zip(&c.coeffs) {
            let want = Array1::from(want.clone()).into_dyn();
            let err = max_abs_diff(&g.clone().into_dyn(), &want);
            assert!(
                err < TOL,
                "{} {} n={} level={}: err {err}",
                c.w,
                c.mode,
                c.n,
                c.level
            );
            worst = worst.max(err);
        }
        families.insert(c.w.clone());
        modes.insert(c.mode.clone());
    }
    assert_eq!(families.len(), Wavelet::names().count());
    assert_eq!(modes.len(), Mode::ALL.len());
    println!(
        "1-D max |rust - pywt| = {worst:e} over {} cases",
        fx.d1.len()
    );
}

#[test]
fn batch_rows_match_single_signals() {
    let fx = fixture();
    for c in fx.d1.iter().step_by(7) {
        let (w, mode) = (wl(&c.w), c.mode.parse::<Mode>().unwrap());
        let x = Array1::from(fx.master[..c.n].to_vec());
        let rows = stack(Axis(0), &[x.view(), (&x * -2.0).view(), x.view()]).unwrap();
        let got = wavedec_batch(rows.view(), &w, mode, c.level).unwrap();
        for (band, want) in got.iter().zip(&c.coeffs) {
            let want = Array1::from(want.clone());
            for (r, scale) in [1.0, -2.0, 1.0].iter().enumerate() {
                let err = (&band.row(r) - &(&want * *scale))
                    .mapv(f64::abs)
                    .fold(0.0, |a: f64, &b| a.max(b));
                assert!(err < TOL * 2.0, "{} {}: row {r} err {err}", c.w, c.mode);
            }
        }
        let back = waverec_batch(&got, &w, mode).unwrap();
        let err = max_abs_diff(
            &back
                .slice_axis(Axis(1), (0..c.n).into())
                .to_owned()
                .into_dyn(),
            &rows.into_dyn(),
        );
        assert!(err < TOL, "batch reconstruction err {err}");
    }
}

fn lengths_for(w: &Wavelet) -> Vec<usize> {
    let f = w.filter_len();
    vec![1, 2, 5, 17, 32, 33, 2 * (f - 1) + 1, 8 * (f - 1) + 3]
}

#[test]
fn perfect_reconstruction_1d_all_families_and_modes() {
    let mut worst = 0.0f64;
    for name in Wavelet::names() {
        let w = wl(name);
        for mode in Mode::ALL {
            for n in lengths_for(&w) {
                let level = max_level(n, &w).min(3);
                let x = lcg_array(&[n], n as u64).into_dimensionality().unwrap();
                let c = wavedec(ndarray::ArrayView1::from(&x), &w, mode, level).unwrap();
                let y = waverec(&c, &w, mode).unwrap();
                assert!(
                    y.len() == n || y.len() == n + 1,
                    "{name} {mode} n={n}: len {}",
                    y.len()
                );
                let y: Array1<f64> = y.slice(ndarray::s![..n]).to_owned();
                let err = max_abs_diff(&y.into_dyn(), &x.clone().into_dyn());
                assert!(err < TOL, "{name} {mode} n={n} level={level}: err {err}");
                worst = worst.max(err);
            }
        }
    }
    println!("1-D perfect reconstruction max error {worst:e}");
}

#[test]
fn output_lengths_follow_pywavelets() {
    let w = wl("db2"); // F = 4
    let x = Array1::<f64>::linspace(0.0, 1.0, 17);
    let c = wavedec(x.view(), &w, Mode::Symmetric, 2).unwrap();
    assert_eq!(c.iter().map(|a| a.len()).collect::<Vec<_>>(), [6, 6, 10]);
    let c = wavedec(x.view(), &w, Mode::Periodization, 2).unwrap();
    assert_eq!(c.iter().map(|a| a.len()).collect::<Vec<_>>(), [5, 5, 9]);
    assert_eq!(waverec(&c, &w, Mode::Periodization).unwrap().len(), 18);
    let c0 = wavedec(x.view(), &w, Mode::Zero, 0).unwrap();
    assert_eq!(c0, vec![x.clone()]);
    assert_eq!(waverec(&c0, &w, Mode::Zero).unwrap(), x);
}

#[test]
fn errors_are_reported_not_panics() {
    let w = wl("db2");
    let x = Array1::<f64>::linspace(0.0, 1.0, 17);
    let e = wavedec(x.view(), &w, Mode::Zero, 3).unwrap_err();
    assert_eq!(
        e,
        WaveletError::LevelTooHigh {
            level: 3,
            max: 2,
            len: 17
        }
    );
    assert!(e.to_string().contains("maximum is 2"));
    let empty = Array1::<f64>::zeros(0);
    assert!(matches!(
        wavedec(empty.view(), &w, Mode::Zero, 0),
        Err(WaveletError::EmptyInput(_))
    ));
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut y = x.clone();
        y[3] = bad;
        assert!(matches!(
            wavedec(y.view(), &w, Mode::Zero, 1),
            Err(WaveletError::NonFinite(_))
        ));
    }
    let mut c = wavedec(x.view(), &w, Mode::Symmetric, 1).unwrap();
    assert!(matches!(
        waverec(&[], &w, Mode::Zero),
        Err(WaveletError::EmptyInput(_))
    ));
    c[1] = Array1::zeros(3);
    assert!(matches!(
        waverec(&c, &w, Mode::Symmetric),
        Err(WaveletError::ShapeMismatch(_))
    ));
    c[1] = Array1::from_elem(10, f64::NAN);
    assert!(matches!(
        waverec(&c, &w, Mode::Symmetric),
        Err(WaveletError::NonFinite(_))
    ));
    let tiny = vec![array![1.0], array![1.0]];
    let b68 = wl("bior6.8");
    assert!(matches!(
        waverec(&tiny, &b68, Mode::Zero),
        Err(WaveletError::ShapeMismatch(_))
    ));
    let rows = Array2::<f64>::zeros((3, 0));
    assert!(matches!(
        wavedec_batch(rows.view(), &w, Mode::Zero, 0),
        Err(WaveletError::EmptyInput(_))
    ));
    let bad_rows = vec![Array2::<f64>::zeros((2, 9)), Array2::<f64>::zeros((3, 9))];
    assert!(matches!(
        waverec_batch(&bad_rows, &w, Mode::Zero),
        Err(WaveletError::ShapeMismatch(_))
    ));
    let scalar = ndarray::ArrayD::<f64>::zeros(ndarray::IxDyn(&[]));
    assert!(matches!(
        wavedec_lastaxis(scalar.view(), &w, Mode::Zero, 0),
        Err(WaveletError::InvalidArgument(_))
    ));
}
