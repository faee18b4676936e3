use super::*;
use burn::backend::NdArray;
use burn::tensor::Distribution;

type Bk = NdArray<f32>;

fn randn<const D: usize>(shape: [usize; D]) -> Tensor<Bk, D> {
    Tensor::random(shape, Distribution::Normal(0.0, 1.0), &Default::default())
}

fn host(x: Tensor<Bk, 4>) -> (Vec<f32>, [usize; 4]) {
    (x.to_data().to_vec::<f32>().unwrap(), x.dims())
}

fn max_diff<const D: usize>(a: Tensor<Bk, D>, b: Tensor<Bk, D>) -> f32 {
    (a - b).abs().max().into_scalar()
}

fn softmax_host(v: &[f64]) -> Vec<f64> {
    let m = v.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let e: Vec<f64> = v.iter().map(|x| (x - m).exp()).collect();
    let s: f64 = e.iter().sum();
    e.iter().map(|x| x / s).collect()
}

/// Brute force: both attentions against their definitions written as plain loops in f64
/// (1e-5 on O(1) outputs: f32 matmuls against f64 sums).
#[test]
fn attentions_match_their_definitions() {
    let (n, h, l, d) = (2, 2, 5, 3);
    let (q, k, v) = (randn([n, h, l, d]), randn([n, h, l, d]), randn([n, h, l, d]));
    let bias = randn([h, l, l]);
    let ((qs, _), (ks, _), (vs, _)) = (host(q.clone()), host(k.clone()), host(v.clone()));
    let bs = bias.to_data().to_vec::<f32>().unwrap();
    let at = |x: &[f32], a: usize, b: usize, i: usize, j: usize| x[((a * h + b) * l + i) * d + j] as f64;
    let (lin, _) = host(linear_attention(q.clone(), k.clone(), v.clone()));
    let (full, _) = host(softmax_attention(q, k, v, Some(bias)));
    let scale = (d as f64).powf(-0.5);
    for a in 0..n {
        for b in 0..h {
            // linear: q̃ softmax over features of each position, k̃ softmax over positions of each feature
            let qt: Vec<Vec<f64>> = (0..l).map(|i| softmax_host(&(0..d).map(|j| at(&qs, a, b, i, j)).collect::<Vec<_>>())).collect();
            let kt: Vec<Vec<f64>> = (0..d).map(|j| softmax_host(&(0..l).map(|m| at(&ks, a, b, m, j)).collect::<Vec<_>>())).collect();
            for i in 0..l {
                let logits: Vec<f64> = (0..l).map(|m| (0..d).map(|j| at(&qs, a, b, i, j) * at(&ks, a, b, m, j)).sum::<f64>() * scale + bs[(b * l + i) * l + m] as f64).collect();
                let p = softmax_host(&logits);
                for e in 0..d {
                    let want_lin: f64 = (0..d).map(|j| qt[i][j] * scale * (0..l).map(|m| kt[j][m] * at(&vs, a, b, m, e)).sum::<f64>()).sum();
                    let want_full: f64 = (0..l).map(|m| p[m] * at(&vs, a, b, m, e)).sum();
                    let idx = ((a * h + b) * l + i) * d + e;
                    assert!((lin[idx] as f64 - want_lin).abs() < 1e-5, "linear {idx}");
                    assert!((full[idx] as f64 - want_full).abs() < 1e-5, "full {idx}");
                }
            }
        }
    }
}

/// Rotary embeddings are rotations (norms kept) and make `q·k` depend on positions only through
/// their difference: the score of (q at i, k at j) equals that of (q at i+s, k at j+s) (1e-4:
/// f32 trigonometry at angles up to 7 rad).
#[test]
fn rotary_scores_depend_on_relative_position_only() {
    let (l, d) = (8, 6);
    let (q0, k0) = (randn([1, 1, 1, d]), randn([1, 1, 1, d]));
    let place = |x: Tensor<Bk, 4>| rotary(x.repeat_dim(2, l), d);
    let (q, k) = (place(q0.clone()), place(k0));
    let norms: Tensor<Bk, 3> = q.clone().square().sum_dim(3).squeeze_dim(3);
    let n0: f32 = q0.square().sum().into_scalar();
    assert!(max_diff(norms, Tensor::full([1, 1, l], n0, &Default::default())) < 1e-4);
    let scores = q.matmul(k.swap_dims(2, 3)); // [1, 1, l, l]
    for (i, j, s) in [(0, 3, 4), (2, 1, 5), (5, 5, 2), (1, 6, 1)] {
        let a: f32 = scores.clone().slice([0..1, 0..1, i..i + 1, j..j + 1]).into_scalar();
        let b: f32 = scores.clone().slice([0..1, 0..1, i + s..i + s + 1, j + s..j + s + 1]).into_scalar();
        assert!((a - b).abs() < 1e-4, "({i},{j})+{s}: {a} vs {b}");
    }
    // position 0 is the identity; only the first `rot` features turn
    let x = randn([1, 2, 3, 5]);
    let r = rotary(x.clone(), 2);
    assert!(max_diff(r.clone().narrow(2, 0, 1), x.clone().narrow(2, 0, 1)) < 1e-7);
    assert_eq!(max_diff(r.narrow(3, 2, 3), x.narrow(3, 2, 3)), 0.0);
}

/// T5 buckets (32 buckets, max distance 32), values worked by hand from the closed form:
/// exact below 8, `8 + ⌊ln(n/8)/ln 4 · 8⌋` above (n = 10 → 9, 16 → 12, 31 → 15), capped at 15,
/// and a key after the query (k − q > 0) lands 16 buckets up.
#[test]
fn relative_buckets_follow_t5() {
    let b = |rel: i64| relative_bucket(rel, 32, 32);
    for n in 0..8 {
        assert_eq!(b(-n), n as usize);
    }
    assert_eq!(b(3), 16 + 3);
    assert_eq!((b(-10), b(-16), b(-31), b(-32), b(-500)), (9, 12, 15, 15, 15));
    assert_eq!((b(10), b(16), b(1000)), (25, 28, 31));
    assert!((0..200).all(|n| b(-n) <= b(-n - 1)));
    let bias = RelPosBias::<Bk>::new(3, &Default::default()).forward(4, &Default::default());
    assert_eq!(bias.dims(), [3, 4, 4]);
    // equal offsets share a bucket, so the bias is constant along each diagonal
    let diag = |i: usize, j: usize| -> f32 { bias.clone().slice([1..2, i..i + 1, j..j + 1]).into_scalar() };
    assert_eq!((diag(0, 1), diag(1, 2)), (diag(2, 3), diag(0, 1)));
}

/// Locality and symmetry: spatial layers never mix frames, the temporal layer never mixes pixels
/// (a change confined to one frame / pixel moves only that frame / pixel: 0 difference
/// elsewhere up to f32 rounding, 1e-6); spatial layers, which see no positions, commute with a
/// permutation of the pixels (flipping y and x; 1e-5).
#[test]
fn layers_mix_only_their_own_axis() {
    let dev = Default::default();
    let (c, t, hh, ww) = (8, 4, 3, 5);
    let x = randn([2, c, t, hh, ww]);
    let mut bump = Tensor::<Bk, 5>::zeros([2, c, t, hh, ww], &dev);
    bump = bump.slice_assign([1..2, 0..c, 2..3, 0..hh, 0..ww], Tensor::ones([1, c, 1, hh, ww], &dev));
    let lin = SpatialLinearAttn::<Bk>::new(c, 2, 4, &dev);
    let full = SpatialFullAttn::<Bk>::new(c, 2, 4, &dev);
    let check = |name: &str, f: &dyn Fn(Tensor<Bk, 5>) -> Tensor<Bk, 5>| {
        let diff = f(x.clone() + bump.clone()) - f(x.clone());
        let untouched: f32 = diff.clone().narrow(0, 0, 1).abs().max().into_scalar() + diff.clone().narrow(0, 1, 1).narrow(2, 0, 2).abs().max().into_scalar();
        assert!(untouched < 1e-6, "{name}: {untouched}");
        let moved: f32 = diff.narrow(0, 1, 1).narrow(2, 2, 1).abs().max().into_scalar();
        assert!(moved > 1e-3, "{name}: no effect");
        let flip = |x: Tensor<Bk, 5>| x.flip([3, 4]);
        assert!(max_diff(f(flip(x.clone())), flip(f(x.clone()))) < 1e-5, "{name}: not equivariant");
    };
    check("linear", &|x| lin.forward(x));
    check("full", &|x| full.forward(x));
    let temporal = TemporalAttn::<Bk>::new(c, 2, 4, &dev);
    let rel = RelPosBias::<Bk>::new(2, &dev);
    let g = |x: Tensor<Bk, 5>| temporal.forward(x, rel.forward(t, &dev));
    let pix = Tensor::<Bk, 5>::zeros([2, c, t, hh, ww], &dev).slice_assign([0..1, 0..c, 0..t, 1..2, 3..4], Tensor::ones([1, c, t, 1, 1], &dev));
    let diff = g(x.clone() + pix.clone()) - g(x.clone());
    let moved = diff.clone().abs().sum_dim(1).sum_dim(2); // [2, 1, 1, hh, ww]
    let at: f32 = moved.clone().slice([0..1, 0..1, 0..1, 1..2, 3..4]).into_scalar();
    let total: f32 = moved.sum().into_scalar();
    assert!(at > 1e-3 && (total - at).abs() < 1e-5, "{at} of {total}");
}
