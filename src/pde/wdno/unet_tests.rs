use super::*;
use burn::backend::NdArray;

type Cpu = NdArray<f32>;

/// Independent count from the layer list of brief §3.1 (WDNO `unet.py`): weights + biases per
/// conv/linear, 2 per GroupNorm channel, 1 per ChanNorm channel.
fn analytic_params(dim: usize, mults: &[usize], ch: usize, heads: usize, dh: usize) -> usize {
    let (hid, td) = (heads * dh, 4 * dim);
    let conv = |i: usize, o: usize, k: usize, bias: bool| i * o * k * k + if bias { o } else { 0 };
    let res = |i: usize, o: usize| (td * 2 * o + 2 * o) + (conv(i, o, 3, true) + 2 * o) + (conv(o, o, 3, true) + 2 * o) + if i != o { conv(i, o, 1, true) } else { 0 };
    let lin_attn = |d: usize| d + conv(d, 3 * hid, 1, false) + conv(hid, d, 1, true) + d;
    let attn = |d: usize| d + conv(d, 3 * hid, 1, false) + conv(hid, d, 1, true);
    let mut p = (dim * td + td) + (td * td + td) + conv(ch, dim, 7, true);
    let dims: Vec<usize> = std::iter::once(dim).chain(mults.iter().map(|m| dim * m)).collect();
    let n = dims.len() - 1;
    for k in 0..n {
        let (i, o) = (dims[k], dims[k + 1]);
        p += 2 * res(i, i) + lin_attn(i) + if k + 1 < n { conv(4 * i, o, 1, true) } else { conv(i, o, 3, true) };
        p += 2 * res(o + i, o) + lin_attn(o) + conv(o, i, 3, true);
    }
    let m = dims[n];
    p + 2 * res(m, m) + attn(m) + res(2 * dim, dim) + conv(dim, ch, 1, true)
}

#[test]
fn shape_and_parameter_count() {
    let dev = Default::default();
    let cfg = crate::pde::wdno::config::WdnoConfig::small(crate::pde::wdno::config::Conditioning::Both).unet;
    let net: Unet<Cpu> = cfg.init(&dev);
    let want = analytic_params(16, &[1, 2, 4], 9, 4, 32);
    assert_eq!(net.num_params(), want);
    // Brief §10: "dim16 small ≈ 0.72 M", "Burgers base ≈ 140.8 M", "Burgers SR ≈ 35.8 M".
    assert_eq!(want, 721_513);
    assert_eq!(analytic_params(128, &[1, 2, 4, 8], 9, 4, 32), 140_748_553);
    assert_eq!(analytic_params(64, &[1, 2, 4, 8], 17, 4, 32), 35_755_921);
    let x = Tensor::<Cpu, 4>::random([2, 9, 24, 32], burn::tensor::Distribution::Normal(0.0, 1.0), &dev);
    let y = net.forward(x, Tensor::from_data(TensorData::new(vec![3.0f32, 900.0], [2]), &dev));
    assert_eq!(y.dims(), [2, 9, 24, 32]);
    assert!(y.abs().sum().into_scalar().is_finite());
    // The physical-space DDPM baseline: the same U-Net with 3 channels.
    let phys = crate::pde::wdno::config::WdnoConfig::small(crate::pde::wdno::config::Conditioning::Both).physical().unet;
    let pnet: Unet<Cpu> = phys.init(&dev);
    assert_eq!(pnet.num_params(), analytic_params(16, &[1, 2, 4], 3, 4, 32));
    assert_eq!(pnet.num_params(), 716_707);
}

/// Oracle: pixel-unshuffle and nearest upsampling by explicit index formulas.
#[test]
fn resampling_index_maps() {
    let dev = Default::default();
    let v: Vec<f32> = (0..2 * 4 * 6).map(|i| i as f32).collect();
    let x = Tensor::<Cpu, 4>::from_data(TensorData::new(v.clone(), [1, 2, 4, 6]), &dev);
    let d: Vec<f32> = pixel_unshuffle(x.clone()).into_data().into_vec().unwrap(); // [1, 8, 2, 3]
    for c in 0..2 {
        for (p1, p2) in [(0, 0), (0, 1), (1, 0), (1, 1)] {
            for (h, w) in [(0, 0), (1, 2)] {
                let out_c = c * 4 + p1 * 2 + p2;
                assert_eq!(d[out_c * 6 + h * 3 + w], v[c * 24 + (2 * h + p1) * 6 + 2 * w + p2]);
            }
        }
    }
    let u: Vec<f32> = upsample_nearest(x).into_data().into_vec().unwrap(); // [1, 2, 8, 12]
    for (c, h, w) in [(0, 0, 0), (1, 7, 11), (1, 3, 4)] {
        assert_eq!(u[c * 96 + h * 12 + w], v[c * 24 + (h / 2) * 6 + w / 2]);
    }
}

/// Oracle: at t-independent weights the embedding is sin/cos of `t·freq` with freq 1 first.
#[test]
fn step_embedding_values() {
    let dev = Default::default();
    let e: Vec<f32> = step_embedding(Tensor::<Cpu, 1>::from_data(TensorData::new(vec![2.0f32], [1]), &dev), 8).into_data().into_vec().unwrap();
    assert!((e[0] - 2f32.sin()).abs() < 1e-6 && (e[4] - 2f32.cos()).abs() < 1e-6);
    assert!((e[3] - (2.0f32 * 1e-4).sin()).abs() < 1e-6); // last frequency 10^-4
}
