//! Weight-independent properties of the GDSS score networks (randomly initialised):
//! parameter counts of the presets, permutation equivariance, symmetry, masking and padding
//! invariance; plus the pickle reader on a tiny hand-made stream.

use burn::backend::NdArray;
use burn::module::Module;
use burn::tensor::{Tensor, TensorData};
use scidiff::graph::gdss::torch_pickle::{PyValue, unpickle};
use scidiff::graph::gdss::{GdssModelConfig, ScoreNetworkAConfig, ScoreNetworkXConfig};

type B = NdArray<f32>;

fn t3(v: Vec<f32>, s: [usize; 3]) -> Tensor<B, 3> {
    Tensor::from_data(TensorData::new(v, s), &Default::default())
}
fn t2(v: Vec<f32>, s: [usize; 2]) -> Tensor<B, 2> {
    Tensor::from_data(TensorData::new(v, s), &Default::default())
}
fn vec3(t: Tensor<B, 3>) -> Vec<f32> {
    t.into_data().to_vec::<f32>().unwrap()
}

/// Deterministic batch: `sizes[g]` real nodes per graph, padded to `n`; noisy symmetric adjacency.
fn input(f: usize, n: usize, sizes: &[usize]) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let b = sizes.len();
    let (mut x, mut a, mut fl) = (vec![0.0; b * n * f], vec![0.0; b * n * n], vec![0.0; b * n]);
    for (g, &m) in sizes.iter().enumerate() {
        for i in 0..m {
            fl[g * n + i] = 1.0;
            for k in 0..f {
                x[(g * n + i) * f + k] = (0.37 * (i * f + k) as f32 + g as f32).sin();
            }
            for j in 0..m {
                if i != j {
                    let edge = if (i + j) % 3 == 0 || i.abs_diff(j) == 1 {
                        1.0
                    } else {
                        0.0
                    };
                    a[(g * n + i) * n + j] =
                        edge + 0.4 * (0.8 * (i * j) as f32 + 0.3 * (i + j) as f32 + g as f32).cos();
                }
            }
        }
    }
    (x, a, fl)
}

/// Applies node permutation `perm` (new index i holds old node perm[i]).
fn permute(
    x: &[f32],
    a: &[f32],
    fl: &[f32],
    b: usize,
    n: usize,
    f: usize,
    perm: &[usize],
) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let (mut px, mut pa, mut pf) = (vec![0.0; x.len()], vec![0.0; a.len()], vec![0.0; fl.len()]);
    for g in 0..b {
        for i in 0..n {
            pf[g * n + i] = fl[g * n + perm[i]];
            for k in 0..f {
                px[(g * n + i) * f + k] = x[(g * n + perm[i]) * f + k];
            }
            for j in 0..n {
                pa[(g * n + i) * n + j] = a[(g * n + perm[i]) * n + perm[j]];
            }
        }
    }
    (px, pa, pf)
}

fn max_diff(a: &[f32], b: &[f32]) -> f32 {
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f32::max)
}

fn small_cfg() -> GdssModelConfig {
    GdssModelConfig::qm9()
}

#[test]
fn preset_parameter_counts_match_released_checkpoints() {
    let dev = Default::default();
    // (dataset, #params X, #params A) as stored in the released checkpoints.
    let table = [
        ("community_small", 72_434, 134_369),
        ("ego_small", 44_093, 135_713),
        ("ENZYMES", 182_066, 204_113),
        ("grid", 170_081, 203_153),
        ("QM9", 8_564, 23_825),
        ("ZINC250k", 11_429, 62_873),
    ];
    for (name, px, pa) in table {
        let cfg = GdssModelConfig::for_dataset(name).unwrap();
        assert_eq!(cfg.x.init::<B>(&dev).num_params(), px, "{name} X");
        assert_eq!(cfg.adj.init::<B>(&dev).num_params(), pa, "{name} A");
    }
}

#[test]
fn config_serde_defaults_and_roundtrip() {
    let x: ScoreNetworkXConfig = serde_json::from_str(r#"{"depth": 2}"#).unwrap();
    assert_eq!(
        x,
        ScoreNetworkXConfig {
            depth: 2,
            ..Default::default()
        }
    );
    let a: ScoreNetworkAConfig = serde_json::from_str(r#"{"nhid": 16, "conv": "GCN"}"#).unwrap();
    assert_eq!(a.nhid, 16);
    assert_eq!(a.c_init, 2);
    let cfg = GdssModelConfig::grid();
    let back: GdssModelConfig =
        serde_json::from_str(&serde_json::to_string(&cfg).unwrap()).unwrap();
    assert_eq!(cfg, back);
    assert_eq!(
        GdssModelConfig::default(),
        GdssModelConfig::community_small()
    );
}

#[test]
fn permutation_equivariance() {
    let dev = Default::default();
    let cfg = small_cfg();
    let (net_x, net_a) = (cfg.x.init::<B>(&dev), cfg.adj.init::<B>(&dev));
    let (b, n, f) = (2, 7, cfg.x.max_feat_num);
    let (x, a, fl) = input(f, n, &[5, 7]);
    // A permutation that also moves padding nodes to the front.
    let perm = [6, 2, 0, 5, 3, 1, 4];
    let (px, pa, pf) = permute(&x, &a, &fl, b, n, f, &perm);

    let ox = vec3(net_x.forward(
        t3(x.clone(), [b, n, f]),
        t3(a.clone(), [b, n, n]),
        t2(fl.clone(), [b, n]),
    ));
    let opx = vec3(net_x.forward(
        t3(px.clone(), [b, n, f]),
        t3(pa.clone(), [b, n, n]),
        t2(pf.clone(), [b, n]),
    ));
    let (want_x, _, _) = permute(&ox, &vec![0.0; b * n * n], &fl, b, n, f, &perm);
    assert!(
        max_diff(&opx, &want_x) < 1e-5,
        "s_X not equivariant: {}",
        max_diff(&opx, &want_x)
    );

    let oa = vec3(net_a.forward(t3(x, [b, n, f]), t3(a, [b, n, n]), t2(fl.clone(), [b, n])));
    let opa = vec3(net_a.forward(t3(px, [b, n, f]), t3(pa, [b, n, n]), t2(pf, [b, n])));
    let (_, want_a, _) = permute(&vec![0.0; b * n * f], &oa, &fl, b, n, f, &perm);
    assert!(
        max_diff(&opa, &want_a) < 1e-5,
        "s_A not equivariant: {}",
        max_diff(&opa, &want_a)
    );
}

#[test]
fn adjacency_score_symmetric_zero_diagonal_and_masked() {
    let dev = Default::default();
    let cfg = GdssModelConfig::community_small();
    let (net_x, net_a) = (cfg.x.init::<B>(&dev), cfg.adj.init::<B>(&dev));
    let (b, n, f) = (2, 8, cfg.x.max_feat_num);
    let sizes = [5, 8];
    let (x, a, fl) = input(f, n, &sizes);
    let oa = vec3(net_a.forward(
        t3(x.clone(), [b, n, f]),
        t3(a.clone(), [b, n, n]),
        t2(fl.clone(), [b, n]),
    ));
    let ox = vec3(net_x.forward(t3(x, [b, n, f]), t3(a, [b, n, n]), t2(fl, [b, n])));
    let mut nonzero = 0;
    for (g, &m) in sizes.iter().enumerate() {
        for i in 0..n {
            for j in 0..n {
                let v = oa[(g * n + i) * n + j];
                assert!(
                    (v - oa[(g * n + j) * n + i]).abs() < 1e-6,
                    "s_A not symmetric"
                );
                if i == j || i >= m || j >= m {
                    assert_eq!(v, 0.0, "s_A[{g},{i},{j}] should be zero");
                } else if v != 0.0 {
                    nonzero += 1;
                }
            }
            for k in 0..f {
                let v = ox[(g * n + i) * f + k];
                if i >= m {
                    assert_eq!(v, 0.0, "s_X on padding node");
                }
            }
        }
    }
    assert!(nonzero > 0, "s_A identically zero on real entries");
}

#[test]
fn padding_invariance() {
    let dev = Default::default();
    let cfg = small_cfg();
    let (net_x, net_a) = (cfg.x.init::<B>(&dev), cfg.adj.init::<B>(&dev));
    let f = cfg.x.max_feat_num;
    let (m, n) = (5, 9);
    let (x, a, fl) = input(f, m, &[m]);
    let ox = vec3(net_x.forward(
        t3(x.clone(), [1, m, f]),
        t3(a.clone(), [1, m, m]),
        t2(fl.clone(), [1, m]),
    ));
    let oa = vec3(net_a.forward(
        t3(x.clone(), [1, m, f]),
        t3(a.clone(), [1, m, m]),
        t2(fl, [1, m]),
    ));
    // Same graph padded to n nodes.
    let (mut xp, mut ap, mut fp) = (vec![0.0; n * f], vec![0.0; n * n], vec![0.0; n]);
    for i in 0..m {
        fp[i] = 1.0;
        xp[i * f..(i + 1) * f].copy_from_slice(&x[i * f..(i + 1) * f]);
        for j in 0..m {
            ap[i * n + j] = a[i * m + j];
        }
    }
    let oxp = vec3(net_x.forward(
        t3(xp.clone(), [1, n, f]),
        t3(ap.clone(), [1, n, n]),
        t2(fp.clone(), [1, n]),
    ));
    let oap = vec3(net_a.forward(t3(xp, [1, n, f]), t3(ap, [1, n, n]), t2(fp, [1, n])));
    assert!(max_diff(&ox, &oxp[..m * f]) < 1e-5);
    for i in 0..m {
        assert!(max_diff(&oa[i * m..(i + 1) * m], &oap[i * n..i * n + m]) < 1e-5);
    }
}

#[test]
fn pickle_subset() {
    // pickle.dumps({'a':1,'b':(2.5,'x',None,True),'c':[1,2,-3],'d':{'e':70000}}, protocol=2)
    let hex = "80027d71002858010000006171014b0158010000006271022847400400000000000058010000007871034e8874710458010000006371055d7106284b014b024afdffffff6558010000006471077d710858010000006571094a7011010073752e";
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    let v = unpickle(&bytes).unwrap();
    assert_eq!(v.get("a"), Some(&PyValue::Int(1)));
    assert_eq!(
        v.get("b"),
        Some(&PyValue::Tuple(vec![
            PyValue::Float(2.5),
            PyValue::Str("x".into()),
            PyValue::None,
            PyValue::Bool(true)
        ]))
    );
    assert_eq!(
        v.get("c"),
        Some(&PyValue::List(vec![
            PyValue::Int(1),
            PyValue::Int(2),
            PyValue::Int(-3)
        ]))
    );
    assert_eq!(
        v.get("d").and_then(|d| d.get("e")),
        Some(&PyValue::Int(70000))
    );
    assert!(
        unpickle(&bytes[..bytes.len() - 3]).is_err(),
        "truncated pickle must fail"
    );
}
