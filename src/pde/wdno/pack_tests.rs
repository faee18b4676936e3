use super::*;
use crate::pde::solvers::burgers::{BurgersPreset, generate};
use crate::pde::wdno::config::WdnoConfig;
use burn::backend::NdArray;

type Cpu = NdArray<f32>;

fn small() -> Layout {
    Layout::new(&WdnoConfig::small(Conditioning::Both).layout).unwrap()
}

fn data(n: usize) -> (ndarray::Array3<f64>, ndarray::Array3<f64>) {
    generate(&BurgersPreset::small(), n, 5).unwrap()
}

fn max_diff(a: ArrayView2<f64>, b: ArrayView2<f64>) -> f64 {
    a.iter().zip(b).fold(0.0, |m, (x, y)| m.max((x - y).abs()))
}

/// Oracle: perfect reconstruction of the DWT. The only loss is the f32 canvas (values up to
/// ~4 stored to 2^-24 relative, summed over 10 filter taps per axis), so 1e-5 absolute.
#[test]
fn pack_unpack_roundtrip() {
    let l = small();
    assert_eq!((l.coef_dims(), l.shape()), ((21, 30), [9, 24, 32]));
    let (u, f) = data(2);
    for i in 0..2 {
        let (ui, fi) = (u.index_axis(Axis(0), i), f.index_axis(Axis(0), i));
        let c = l.pack(ui, fi, true).unwrap();
        let (ur, fr) = l.unpack(c.view()).unwrap();
        assert!(max_diff(ur.view(), ui) < 1e-5 && max_diff(fr.view(), fi) < 1e-5, "{} {}", max_diff(ur.view(), ui), max_diff(fr.view(), fi));
        let (u0, ut) = l.unpack_condition(c.view()).unwrap();
        assert!(max_diff(u0.view().insert_axis(Axis(0)), ui.slice(s![0..1, ..])) < 1e-5);
        assert!(max_diff(ut.view().insert_axis(Axis(0)), ui.slice(s![40..41, ..])) < 1e-5);
        // Everything outside the 21x30 coefficient block of channels 0-7 is zero padding.
        assert!(c.slice(s![..8, 21.., ..]).iter().all(|v| *v == 0.0) && c.slice(s![..8, .., 30..]).iter().all(|v| *v == 0.0));
        // Stripes: 6 identical rows each, columns 30.. unused.
        assert_eq!(c.slice(s![COND, 0, ..]), c.slice(s![COND, 5, ..]));
        assert!(c.slice(s![COND, .., 30..]).iter().all(|v| *v == 0.0));
    }
}

/// Oracle (band order): a field constant in time has no temporal detail, so bands `da`, `dd`
/// (channels 1, 3) vanish while `ad` (channel 2, spatial detail) does not.
#[test]
fn band_order_is_time_first() {
    let l = small();
    let row = ndarray::Array1::from_shape_fn(60, |j| (0.3 * j as f64).sin());
    let u = ndarray::Array2::from_shape_fn((41, 60), |(_, j)| row[j]);
    let f = ndarray::Array2::zeros((40, 60));
    let c = l.pack(u.view(), f.view(), false).unwrap();
    let norm = |ch: usize| c.slice(s![ch, ..21, ..30]).iter().map(|v| v.abs()).fold(0.0f32, f32::max);
    assert!(norm(1) < 1e-6 && norm(3) < 1e-6, "{} {}", norm(1), norm(3));
    assert!(norm(2) > 1e-2 && norm(0) > 1e-2);
    // With with_target = false the uT stripes stay empty.
    assert!(c.slice(s![COND, 12.., ..]).iter().all(|v| *v == 0.0));
}

/// Oracle: the ndarray path (itself tested against PyWavelets). Same f32 rounding bound.
#[test]
fn tensor_path_equals_ndarray_path() {
    let l = small();
    let (u, f) = data(2);
    let dev = Default::default();
    let to_t = |a: &ndarray::Array3<f64>| {
        let v: Vec<f32> = a.iter().map(|x| *x as f32).collect();
        Tensor::<Cpu, 3>::from_data(TensorData::new(v, a.shape().to_vec()), &dev)
    };
    let packed = l.pack_tensor(to_t(&u), to_t(&f)).unwrap();
    let canv = tensor_to_canvases(packed.clone());
    for i in 0..2 {
        let want = l.pack(u.index_axis(Axis(0), i), f.index_axis(Axis(0), i), false).unwrap();
        let d = canv[i].slice(s![..8, .., ..]).iter().zip(want.slice(s![..8, .., ..])).fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
        assert!(d < 1e-5, "pack differs by {d}");
    }
    let (ut, ft) = l.unpack_tensor(packed).unwrap();
    let ua: Vec<f32> = ut.into_data().convert::<f32>().into_vec().unwrap();
    let fa: Vec<f32> = ft.into_data().convert::<f32>().into_vec().unwrap();
    let du = ua.iter().zip(u.iter()).fold(0.0f64, |m, (a, b)| m.max((f64::from(*a) - b).abs()));
    let df = fa.iter().zip(f.iter()).fold(0.0f64, |m, (a, b)| m.max((f64::from(*a) - b).abs()));
    assert!(du < 1e-5 && df < 1e-5, "{du} {df}");
}

#[test]
fn masks_and_conditions() {
    let l = small();
    let zeros = |m: &Array3<f32>| m.iter().filter(|v| **v == 0.0).count();
    assert_eq!(zeros(&l.fixed_mask(Conditioning::Simulation).unwrap()), 4 * 21 * 30);
    assert_eq!(zeros(&l.fixed_mask(Conditioning::Control).unwrap()), 8 * 21 * 30);
    assert!(l.fixed_mask(Conditioning::Both).is_err());
    let (u, f) = data(1);
    let (ui, fi) = (u.index_axis(Axis(0), 0), f.index_axis(Axis(0), 0));
    let full = l.pack(ui, fi, true).unwrap();
    // Simulation condition = the full canvas on the fixed positions (f bands, u0 stripes).
    let mut sim = full.clone();
    l.drop_target(sim.view_mut());
    let cond = l.condition(ui.row(0), None, Some(fi)).unwrap();
    let m = l.fixed_mask(Conditioning::Simulation).unwrap();
    let d = cond.iter().zip(sim.iter()).zip(m.iter()).filter(|(_, m)| **m == 1.0).fold(0.0f32, |a, ((x, y), _)| a.max((x - y).abs()));
    assert!(d < 1e-6, "{d}");
    let ctrl = l.condition(ui.row(0), Some(ui.row(40)), None).unwrap();
    assert_eq!(ctrl.slice(s![COND, .., ..]), full.slice(s![COND, .., ..]));
    assert!(ctrl.slice(s![..8, .., ..]).iter().all(|v| *v == 0.0));
    assert!(matches!(l.pack(ui.slice(s![..40, ..]), fi, true), Err(WdnoError::Shape(_))));
    assert!(matches!(l.unpack(full.slice(s![.., ..20, ..])), Err(WdnoError::Shape(_))));
}

fn physical() -> Layout {
    Layout::new(&WdnoConfig::small(Conditioning::Both).physical().layout).unwrap()
}

/// The physical layout (DDPM baseline): values sit unchanged (÷ scaler) at their grid position,
/// so host and tensor round trips are exact up to the f32 canvas (1e-6 relative, 1e-5 absolute
/// on values up to ~5); the condition stripes hold u0 and uT; masks cover exactly the grid.
#[test]
fn physical_layout_roundtrips_and_masks() {
    let l = physical();
    assert_eq!((l.coef_dims(), l.shape(), l.cond_channel()), ((41, 60), [3, 48, 64], 2));
    let (u, f) = data(2);
    let (ui, fi) = (u.index_axis(Axis(0), 1), f.index_axis(Axis(0), 1));
    let c = l.pack(ui, fi, true).unwrap();
    assert_eq!(c[[0, 7, 9]], (ui[[7, 9]] / 3.5) as f32);
    assert_eq!(c[[1, 7, 9]], (fi[[7, 9]] / 7.0) as f32);
    assert!(c.slice(s![..2, 41.., ..]).iter().all(|v| *v == 0.0) && c.slice(s![..2, .., 60..]).iter().all(|v| *v == 0.0));
    assert_eq!(c.slice(s![2, 0, ..]), c.slice(s![2, 23, ..]));
    let (ur, fr) = l.unpack(c.view()).unwrap();
    assert!(max_diff(ur.view(), ui) < 1e-5 && max_diff(fr.view(), fi) < 1e-5);
    let (u0, ut) = l.unpack_condition(c.view()).unwrap();
    assert!(max_diff(u0.view().insert_axis(Axis(0)), ui.slice(s![0..1, ..])) < 1e-5);
    assert!(max_diff(ut.view().insert_axis(Axis(0)), ui.slice(s![40..41, ..])) < 1e-5);
    let mut sim = c.clone();
    l.drop_target(sim.view_mut());
    assert!(sim.slice(s![2, 24.., ..]).iter().all(|v| *v == 0.0) && sim.slice(s![2, ..24, ..]) == c.slice(s![2, ..24, ..]));
    let zeros = |m: &Array3<f32>| m.iter().filter(|v| **v == 0.0).count();
    assert_eq!(zeros(&l.fixed_mask(Conditioning::Simulation).unwrap()), 41 * 60);
    assert_eq!(zeros(&l.fixed_mask(Conditioning::Control).unwrap()), 2 * 41 * 60);
    let cond = l.condition(ui.row(0), None, Some(fi)).unwrap();
    assert!(cond.slice(s![0, .., ..]).iter().all(|v| *v == 0.0) && cond.slice(s![1, .., ..]) == c.slice(s![1, .., ..]));
    // Tensor path = host path.
    let dev = Default::default();
    let to_t = |a: &ndarray::Array3<f64>| Tensor::<Cpu, 3>::from_data(TensorData::new(a.iter().map(|x| *x as f32).collect::<Vec<_>>(), a.shape().to_vec()), &dev);
    let packed = l.pack_tensor(to_t(&u), to_t(&f)).unwrap();
    let canv = tensor_to_canvases(packed.clone());
    let want = l.pack(u.index_axis(Axis(0), 0), f.index_axis(Axis(0), 0), false).unwrap();
    let d = canv[0].slice(s![..2, .., ..]).iter().zip(want.slice(s![..2, .., ..])).fold(0.0f32, |m, (a, b)| m.max((a - b).abs()));
    assert!(d < 1e-6, "pack differs by {d}");
    let (ut, ft) = l.unpack_tensor(packed).unwrap();
    let back = |t: Tensor<Cpu, 3>, a: &ndarray::Array3<f64>| t.into_data().convert::<f32>().into_vec::<f32>().unwrap().iter().zip(a.iter()).fold(0.0f64, |m, (x, y)| m.max((f64::from(*x) - y).abs()));
    assert!(back(ut, &u) < 1e-5 && back(ft, &f) < 1e-5);
}
