//! Oracles for protein DRAKES: the path-KL estimator against brute-force enumeration of every
//! trajectory of a 2-residue chain, the soft reward against the hard energy and its analytic
//! gradient, and the rollout's KL/gradient properties.

use super::rollout::{AA, kl_rows, rollout, scaled_logits, soft_reward};
use super::ProteinDrakesConfig;
use crate::drakes::KlEstimator;
use crate::drakes::rollout::all_mask;
use crate::protein::energy::{Contacts, Energy};
use crate::protein::features::featurize;
use crate::protein::features::tests::helix;
use crate::protein::mpnn::ProteinMpnn;
use burn::backend::{Autodiff, NdArray};
use burn::module::Module;
use burn::optim::GradientsParams;
use burn::prelude::*;
use burn::tensor::activation::softmax;

type Bk = NdArray<f32>;
type Ad = Autodiff<Bk>;

fn net<B: Backend>(seed: u64) -> ProteinMpnn<B> {
    let d = Default::default();
    B::seed(&d, seed);
    ProteinMpnn::new(48, &d)
}

fn host(t: Tensor<Bk, 3>) -> Vec<f32> {
    t.into_data().convert::<f32>().into_vec().unwrap()
}

/// All 21² hard states of 2 residues (index 20 = masked) as `[441, 2, 21]`.
fn all_states() -> (Vec<[usize; 2]>, Tensor<Bk, 3>) {
    let states: Vec<[usize; 2]> = (0..21).flat_map(|a| (0..21).map(move |b| [a, b])).collect();
    let mut z = vec![0f32; states.len() * 2 * 21];
    for (s, st) in states.iter().enumerate() {
        for (i, &c) in st.iter().enumerate() {
            z[(s * 2 + i) * 21 + c] = 1.0;
        }
    }
    let n = states.len();
    (states, Tensor::from_data(TensorData::new(z, [n, 2, 21]), &Default::default()))
}

#[test]
fn path_kl_equals_brute_force_path_kl_of_a_two_residue_chain() {
    // Grid t = 0.01, 0.505, 1: transition 1 unmasks each residue w.p. 0.5, transition 2 the rest.
    let cfg = ProteinDrakesConfig { grid: 3, truncate: 1, temperature: 0.7, ..Default::default() };
    let times = cfg.times();
    let w1 = (times[1] - times[0]) / (1.0 - times[0]);
    assert!((w1 - 0.5).abs() < 1e-12);
    let (theta, pre) = (net::<Bk>(1), net::<Bk>(2));
    let g = featurize(&helix(2), 48);
    let (et, ep) = (theta.encode(&g), pre.encode(&g));
    let probs = |m: &ProteinMpnn<Bk>, e, z: Tensor<Bk, 3>| host(softmax(scaled_logits(m, e, z, cfg.temperature).narrow(2, 0, AA), 2));
    let d = Default::default();
    let z0 = all_mask::<Bk>(1, 2, AA, &d);
    let (p0, q0) = (probs(&theta, &et, z0.clone()), probs(&pre, &ep, z0.clone()));
    let (states, z1) = all_states();
    let (p1, q1) = (probs(&theta, &et, z1.clone()), probs(&pre, &ep, z1.clone()));
    // Step-1 kernel of one residue: stay masked (c = 20) w.p. 1 − w1, else residue c w.p. w1·p0.
    let k1 = |p: &[f32], i: usize, c: usize| if c == AA { 1.0 - w1 } else { w1 * p[i * AA + c] as f64 };
    let mut brute = 0.0;
    for (s, st) in states.iter().enumerate() {
        let (pt, pr) = (k1(&p0, 0, st[0]) * k1(&p0, 1, st[1]), k1(&q0, 0, st[0]) * k1(&q0, 1, st[1]));
        // Step 2 unmasks every still-masked residue: enumerate the 20² completions.
        let k2 = |p: &[f32], i: usize, st: usize, c: usize| if st == AA { p[(s * 2 + i) * AA + c] as f64 } else { f64::from(u8::from(c == st)) };
        let mut inner = 0.0;
        for a in 0..AA {
            for b in 0..AA {
                let (ft, fr) = (k2(&p1, 0, st[0], a) * k2(&p1, 1, st[1], b), k2(&q1, 0, st[0], a) * k2(&q1, 1, st[1], b));
                if ft > 0.0 {
                    inner += ft * (ft / fr).ln();
                }
            }
        }
        brute += pt * ((pt / pr).ln() + inner);
    }
    // The estimator's expectation: its value at z0 plus its value at each z1 weighted by P_θ(z1).
    let scaled = |m: &ProteinMpnn<Bk>, e, z: Tensor<Bk, 3>| scaled_logits(m, e, z, cfg.temperature);
    let est0: f32 = kl_rows(&cfg, scaled(&theta, &et, z0.clone()), scaled(&pre, &ep, z0.clone()), z0, Tensor::full([1], w1 as f32, &d)).into_scalar();
    let est1: Vec<f32> = kl_rows(&cfg, scaled(&theta, &et, z1.clone()), scaled(&pre, &ep, z1.clone()), z1, Tensor::ones([states.len()], &d)).into_data().convert::<f32>().into_vec().unwrap();
    let expect = est0 as f64 + states.iter().zip(&est1).map(|(st, e)| k1(&p0, 0, st[0]) * k1(&p0, 1, st[1]) * *e as f64).sum::<f64>();
    assert!(brute > 1e-3, "the two networks should differ: KL {brute}");
    assert!((expect - brute).abs() < 1e-4 * brute.max(1.0), "estimator mean {expect} vs brute-force path KL {brute}");
}

#[test]
fn soft_reward_is_the_hard_reward_with_the_analytic_gradient() {
    let bb = helix(16);
    let c = Contacts::of(&bb);
    assert!(!c.pairs.is_empty());
    let pair: [[f64; 20]; 20] = std::array::from_fn(|a| std::array::from_fn(|b| ((a * 3 + b * 3) % 7) as f64 / 5.0 - 0.6));
    let e = Energy { name: "t".into(), pair, hydro: Some((std::array::from_fn(|a| a as f64 / 10.0 - 1.0), 0.5)) };
    let seqs: Vec<Vec<u8>> = vec![(0..16).map(|i| (i * 7 % 20) as u8).collect(), (0..16).map(|i| (i * 3 % 20) as u8).collect()];
    let d = Default::default();
    let x = crate::protein::mpnn::one_hot::<Ad>(&seqs, &d).narrow(2, 0, AA).require_grad();
    let r = soft_reward(&e, &c, x.clone());
    let values: Vec<f32> = r.clone().into_data().convert::<f32>().into_vec().unwrap();
    for (s, v) in seqs.iter().zip(&values) {
        assert!((*v as f64 - e.reward(&c, s)).abs() < 1e-5, "{v} vs {}", e.reward(&c, s));
    }
    let grads = r.sum().backward();
    let g = x.grad(&grads).unwrap().into_data().convert::<f32>().into_vec::<f32>().unwrap();
    let p: Vec<[f64; 20]> = seqs[1].iter().map(|&a| std::array::from_fn(|b| f64::from(u8::from(b == a as usize)))).collect();
    let (_, eg) = e.energy_soft(&c, &p);
    for i in [0, 7, 15] {
        for a in [0, 9, 19] {
            let want = -eg[i][a] / 16.0;
            assert!((g[(16 + i) * 20 + a] as f64 - want).abs() < 1e-5);
        }
    }
}

#[test]
fn rollout_kl_vanishes_for_the_reference_itself_and_gradients_reach_the_model() {
    let g = featurize(&helix(12), 48);
    let d = Default::default();
    for est in [KlEstimator::Path, KlEstimator::DrakesCode] {
        let cfg = ProteinDrakesConfig { grid: 5, truncate: 2, kl_estimator: est, alpha: 1.0, ..Default::default() };
        let pre = net::<Ad>(2).no_grad();
        let mut rng = crate::rng(4);
        let same = rollout(&pre.clone(), &pre, &g, &cfg, 2, &mut rng, &d);
        let kl_same: f32 = same.kl.sum().into_scalar();
        assert!(kl_same.abs() < 1e-5, "{est:?}: KL to itself {kl_same}");
        assert_eq!(same.seqs.len(), 2);
        assert!(same.seqs.iter().all(|s| s.len() == 12 && s.iter().all(|&a| (a as usize) < AA)));
        let theta = net::<Ad>(1);
        let r = rollout(&theta, &pre, &g, &cfg, 2, &mut crate::rng(4), &d);
        let kl: f32 = r.kl.clone().sum().into_scalar();
        assert!(kl > 1e-3, "{est:?}: KL between different networks {kl}");
        // The one-hot sample is the argmax tokens; gradients reach the model's parameters.
        let tokens: Vec<f32> = r.sample.clone().argmax(2).float().into_data().convert::<f32>().into_vec().unwrap();
        assert_eq!(tokens, r.seqs.concat().iter().map(|&a| a as f32).collect::<Vec<_>>());
        let loss = (r.sample * Tensor::ones([2, 12, AA], &d).cumsum(2)).sum() + r.kl.sum();
        let grads = GradientsParams::from_grads(loss.backward(), &theta);
        assert!(grads.len() > 10, "{est:?}: only {} parameter gradients", grads.len());
    }
}

/// Every parameter gradient of `model`, flattened in visiting order.
struct Collect<'a, B: burn::tensor::backend::AutodiffBackend> {
    grads: &'a B::Gradients,
    out: Vec<f32>,
}

impl<B: burn::tensor::backend::AutodiffBackend> burn::module::ModuleVisitor<B> for Collect<'_, B> {
    fn visit_float<const D: usize>(&mut self, param: &burn::module::Param<Tensor<B, D>>) {
        if let Some(g) = param.val().grad(self.grads) {
            self.out.extend(g.into_data().convert::<f32>().into_vec::<f32>().unwrap());
        }
    }
}

/// Loss gradients of one protein rollout on backend `B`, weights from record bytes.
fn rollout_grads<B: burn::tensor::backend::AutodiffBackend<InnerBackend = Bk>>(bytes: &[u8]) -> (f32, Vec<f32>) {
    use burn::record::{FullPrecisionSettings, NamedMpkBytesRecorder, Recorder};
    let d = Default::default();
    let rec = NamedMpkBytesRecorder::<FullPrecisionSettings>::default();
    let load = || ProteinMpnn::<B>::new(48, &d).load_record(Recorder::<B>::load(&rec, bytes.to_vec(), &d).unwrap());
    let (theta, pre) = (load(), load().no_grad());
    let g = featurize(&helix(10), 48);
    let cfg = ProteinDrakesConfig { grid: 5, truncate: 3, alpha: 0.5, ..Default::default() };
    let r = rollout(&theta, &pre, &g, &cfg, 2, &mut crate::rng(9), &d);
    let loss = (r.sample * Tensor::ones([2, 10, AA], &d).cumsum(2)).sum() + r.kl.sum();
    let value: f32 = loss.clone().into_scalar().elem();
    let grads = loss.backward();
    let mut c = Collect::<B> { grads: &grads, out: Vec::new() };
    theta.visit(&mut c);
    (value, c.out)
}

#[test]
fn activation_checkpointing_gives_the_same_gradients() {
    use burn::record::{FullPrecisionSettings, NamedMpkBytesRecorder, Recorder};
    // θ = the pretrained weights: the gradient runs through every relaxed decoder call.
    let base = net::<Bk>(5);
    let bytes = Recorder::<Bk>::record(&NamedMpkBytesRecorder::<FullPrecisionSettings>::default(), base.into_record(), ()).unwrap();
    let (v0, g0) = rollout_grads::<Ad>(&bytes);
    let (v1, g1) = rollout_grads::<crate::train::device::CpuCheckpointed>(&bytes);
    assert_eq!(v0, v1);
    assert_eq!(g0.len(), g1.len());
    assert!(g0.iter().any(|v| *v != 0.0));
    let max = g0.iter().zip(&g1).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
    let scale = g0.iter().map(|a| a.abs()).fold(0f32, f32::max);
    // Recomputation repeats the same f32 kernels on the same inputs: equal up to summation order.
    assert!(max <= 1e-5 * scale.max(1.0), "max |Δgrad| {max} (max |grad| {scale})");
}
