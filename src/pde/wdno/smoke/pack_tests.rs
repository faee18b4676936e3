use super::*;
use crate::pde::wdno::smoke::config::SmokeWdnoConfig;
use burn::backend::NdArray;
use rand::RngExt;

fn layout() -> SmokeLayout {
    SmokeLayout::new(&SmokeWdnoConfig::small(Conditioning::Both).layout).unwrap()
}

fn random_scene(seed: u64) -> SmokeScene {
    let mut rng = crate::rng(seed);
    let fields = Array4::from_shape_fn((FIELDS, 16, 32, 32), |_| rng.random_range(-1.0..1.0));
    let fraction = Array1::from_shape_fn(16, |t| 0.03 * t as f64 + 0.01 * rng.random_range(0.0..1.0));
    SmokeScene { fields, fraction }
}

fn max_diff<D: ndarray::Dimension>(a: &ndarray::Array<f64, D>, b: &ndarray::Array<f64, D>) -> f64 {
    a.iter().zip(b.iter()).fold(0.0, |m, (x, y)| m.max((x - y).abs()))
}

/// Oracle: perfect reconstruction. The zero-mode 3-D DWT is inverted exactly on the kept samples,
/// so the only error is the f32 rounding of the stored coefficients (relative 6e-8 of values up to
/// ~3·scaler, summed over ≤ 6³ filter taps): 1e-4 absolute on fields in [−1, 1] (the largest
/// scaler is 44), 1e-6 on s (scaler 2) and d0 (scaler 3).
#[test]
fn pack_unpack_reconstructs_fields_init_and_fraction() {
    let l = layout();
    assert_eq!(l.coef_dims(), (10, 18, 18));
    assert_eq!(l.shape(), [42 * 12, 20, 20]);
    let sc = random_scene(1);
    let c = l.pack(&sc).unwrap();
    let back = l.unpack(c.view()).unwrap();
    assert!(max_diff(&back.fields, &sc.fields) < 1e-4, "fields {}", max_diff(&back.fields, &sc.fields));
    assert!(max_diff(&back.fraction, &sc.fraction) < 1e-6, "fraction {}", max_diff(&back.fraction, &sc.fraction));
    let d0 = l.unpack_init(c.view()).unwrap();
    assert!(max_diff(&d0, &sc.fields.slice(s![0, 0, .., ..]).to_owned()) < 1e-6);
    // Padding is zero, channel 40 repeats each band T'/4 = 3 times, channel 41 is constant per half.
    assert!(c.slice(s![0..12, 18.., ..]).iter().all(|v| *v == 0.0));
    assert!(c.slice(s![10..12, .., ..]).iter().all(|v| *v == 0.0));
    assert_eq!(c.slice(s![40 * 12, .., ..]), c.slice(s![40 * 12 + 2, .., ..]));
    assert_ne!(c.slice(s![40 * 12, .., ..]), c.slice(s![40 * 12 + 3, .., ..]));
    assert!(c.slice(s![41 * 12 + 4, ..10, ..]).iter().all(|v| *v == c[[41 * 12 + 4, 0, 0]]));
}

/// Oracle: the differentiable tensor decode is the host decode (f32 vs f64 arithmetic: 1e-5).
#[test]
fn tensor_decode_matches_host_decode() {
    let l = layout();
    let canv: Vec<_> = (0..2).map(|i| l.pack(&random_scene(10 + i)).unwrap()).collect();
    let views: Vec<_> = canv.iter().map(|c| c.view()).collect();
    let x = crate::pde::wdno::pack::canvases_to_tensor::<NdArray<f32>>(&views, &Default::default());
    let (d0, s) = l.decode_tensor(x).unwrap();
    let d0: Vec<f32> = d0.into_data().into_vec().unwrap();
    let s: Vec<f32> = s.into_data().into_vec().unwrap();
    for (i, c) in canv.iter().enumerate() {
        let sc = l.unpack(c.view()).unwrap();
        for (k, v) in sc.fields.slice(s![0, 0, .., ..]).iter().enumerate() {
            assert!((f64::from(d0[i * 1024 + k]) - v).abs() < 1e-5);
        }
        for (k, v) in sc.fraction.iter().enumerate() {
            assert!((f64::from(s[i * 16 + k]) - v).abs() < 1e-5);
        }
    }
}

#[test]
fn conditions_and_masks() {
    let l = layout();
    let sc = random_scene(3);
    let full = l.pack(&sc).unwrap();
    let cond = l.condition(sc.fields.slice(s![0, 0, .., ..]), Some(sc.fields.slice(s![3.., .., .., ..]))).unwrap();
    // The control bands and channel 40 of the condition equal the full canvas; the rest is 0.
    assert_eq!(cond.slice(s![24 * 12..41 * 12, .., ..]), full.slice(s![24 * 12..41 * 12, .., ..]));
    assert!(cond.slice(s![..24 * 12, .., ..]).iter().chain(cond.slice(s![41 * 12.., .., ..]).iter()).all(|v| *v == 0.0));
    let sim = l.fixed_mask(Conditioning::Simulation).unwrap();
    let ctl = l.fixed_mask(Conditioning::Control).unwrap();
    let free = |m: &Array3<f32>| m.iter().filter(|v| **v == 0.0).count();
    assert_eq!(free(&sim), 24 * 10 * 18 * 18 + 10 * 20 * 20);
    assert_eq!(free(&ctl), 40 * 10 * 18 * 18 + 10 * 20 * 20);
    assert!(l.fixed_mask(Conditioning::Both).is_err());
}

#[test]
fn bad_inputs_are_errors() {
    let l = layout();
    let mut sc = random_scene(4);
    sc.fields[[2, 3, 4, 5]] = f64::NAN;
    assert!(matches!(l.pack(&sc), Err(WdnoError::NonFinite(_))));
    let mut sc = random_scene(4);
    sc.fraction = Array1::zeros(15);
    assert!(matches!(l.pack(&sc), Err(WdnoError::Shape(_))));
    assert!(matches!(l.unpack(Array3::<f32>::zeros((42, 20, 20)).view()), Err(WdnoError::Shape(_))));
    assert!(matches!(l.condition(Array2::zeros((31, 32)).view(), None), Err(WdnoError::Shape(_))));
    assert!(matches!(target_fraction(Array2::zeros((2, 8)).view()), Err(WdnoError::NonFinite(_))));
    let mut cfg = SmokeWdnoConfig::small(Conditioning::Both).layout;
    cfg.canvas = [12, 16, 20]; // 18 coefficient rows do not fit 16
    assert!(matches!(SmokeLayout::new(&cfg), Err(WdnoError::Config(_))));
}

/// Oracle: the target fraction is bucket 1 over the row total; scenes are subsampled by the
/// layout's strides (record r = 2τ, cells 2y, 2x).
#[test]
fn scenes_from_generator_arrays() {
    let cfg = SmokeWdnoConfig::small(Conditioning::Both).layout;
    let (n, r) = (1, 33);
    let density = Array4::from_shape_fn((n, r, 63, 63), |(_, t, y, x)| (t * 10_000 + y * 100 + x) as f64);
    let velocity = ndarray::Array5::from_shape_fn((n, r, 2, 63, 63), |(_, t, c, y, x)| (c + 1) as f64 * (t + y + x) as f64);
    let control = velocity.mapv(|v| -v);
    let smoke = Array3::from_shape_fn((n, r, 8), |(_, t, k)| if k == 1 { t as f64 } else { 1.0 });
    let sc = scene_from_data(&cfg, density.view(), velocity.view(), control.view(), smoke.view(), 0).unwrap();
    assert_eq!(sc.fields[[0, 3, 5, 7]], (6 * 10_000 + 10 * 100 + 14) as f64);
    assert_eq!(sc.fields[[2, 3, 5, 7]], 2.0 * (6 + 10 + 14) as f64);
    assert_eq!(sc.fields[[4, 3, 5, 7]], -2.0 * (6 + 10 + 14) as f64);
    assert_eq!(sc.fraction[3], 6.0 / 13.0);
    assert!(scene_from_data(&cfg, density.slice(s![.., ..20, .., ..]), velocity.view(), control.view(), smoke.view(), 0).is_err());
}
