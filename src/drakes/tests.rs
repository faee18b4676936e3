//! Oracles for the DRAKES pieces: brute-force path KL of a tiny chain, the released estimator's
//! zero on hard states, gradient flow, and an end-to-end reward increase.

use super::config::{DrakesConfig, KlEstimator};
use super::kl::{code_kl, path_kl};
use super::rollout::rollout;
use crate::discrete::net::{LogitNet, SeqMlp, SeqMlpConfig, one_hot};
use crate::discrete::schedule::MaskSchedule;
use burn::backend::{Autodiff, NdArray};
use burn::module::{AutodiffModule, Module};
use burn::optim::{AdamConfig, GradientsParams, Optimizer};
use burn::prelude::*;
use burn::tensor::activation::softmax;
use ndarray::Array2;

type Bk = NdArray<f32>;
type Ad = Autodiff<Bk>;

fn net<B: Backend>(len: usize, vocab: usize, seed: u64) -> SeqMlp<B> {
    B::seed(&Default::default(), seed);
    SeqMlpConfig { len, vocab, hidden: 32, time_embed: 8 }.init(&Default::default())
}

/// Base probabilities `[L, V]` of `m` at tokens `z` (value V = mask).
fn probs(m: &SeqMlp<Bk>, z: &[usize], v: usize, t: f64) -> Vec<Vec<f64>> {
    let za = Array2::from_shape_vec((1, z.len()), z.to_vec()).unwrap();
    let logits = m.logits(one_hot::<Bk>(&za, v, &Default::default()), Tensor::full([1], t as f32, &Default::default()));
    let p: Vec<f32> = softmax(logits.narrow(2, 0, v), 2).into_data().convert::<f32>().into_vec().unwrap();
    (0..z.len()).map(|j| (0..v).map(|k| p[j * v + k] as f64).collect()).collect()
}

/// All next states of `z` with their probability under a model, for unmask weight `w`.
fn transitions(p: &[Vec<f64>], z: &[usize], v: usize, w: f64) -> Vec<(Vec<usize>, f64)> {
    let mut out = vec![(vec![], 1.0)];
    for (j, &tok) in z.iter().enumerate() {
        let choices: Vec<(usize, f64)> = if tok < v { vec![(tok, 1.0)] } else { (0..v).map(|k| (k, w * p[j][k])).chain([(v, 1.0 - w)]).collect() };
        out = out.into_iter().flat_map(|(s, q)| choices.iter().map(move |&(c, pc)| ([s.clone(), vec![c]].concat(), q * pc))).collect();
    }
    out
}

#[test]
fn path_kl_estimator_is_unbiased_for_the_exact_path_kl() {
    // Oracle: enumerate every trajectory of a 2-position, 3-letter chain with 3 steps; the exact
    // KL(P_θ ‖ P_pre) = Σ P_θ log(P_θ/P_pre) must equal E_{P_θ}[Σ_k estimator(z_k)].
    let (len, v) = (2, 3);
    let (theta, pre) = (net::<Bk>(len, v, 1), net::<Bk>(len, v, 2));
    let cfg = DrakesConfig { steps: 3, truncate: 1, ..DrakesConfig::default() };
    let (grid, sched) = (cfg.grid(), MaskSchedule::default());
    // (state, P_θ(path so far), P_pre(path so far), estimator sum so far)
    let mut frontier = vec![(vec![v; len], 1.0f64, 1.0f64, 0.0f64)];
    for k in 0..cfg.steps {
        let (at, as_) = (sched.alpha(grid[k]), sched.alpha(grid[k + 1]));
        let w = (as_ - at) / (1.0 - at);
        let mut next = Vec::new();
        for (z, pt, pp, est) in frontier {
            let (a, b) = (probs(&theta, &z, v, grid[k]), probs(&pre, &z, v, grid[k]));
            let za = Array2::from_shape_vec((1, len), z.clone()).unwrap();
            let x = one_hot::<Bk>(&za, v, &Default::default());
            let tt = Tensor::<Bk, 1>::full([1], grid[k] as f32, &Default::default());
            let e: f32 = path_kl(theta.logits(x.clone(), tt.clone()), pre.logits(x.clone(), tt), x, Tensor::full([1], w as f32, &Default::default())).into_scalar();
            let tb = transitions(&b, &z, v, w);
            for ((zn, qa), (_, qb)) in transitions(&a, &z, v, w).into_iter().zip(tb) {
                next.push((zn, pt * qa, pp * qb, est + e as f64));
            }
        }
        frontier = next;
    }
    let exact: f64 = frontier.iter().filter(|f| f.1 > 0.0).map(|f| f.1 * (f.1 / f.2).ln()).sum();
    let expected: f64 = frontier.iter().map(|f| f.1 * f.3).sum();
    let total: f64 = frontier.iter().map(|f| f.1).sum();
    // f32 softmax rows sum to 1 within ~1e-7 each.
    assert!((total - 1.0).abs() < 1e-6, "path probabilities sum to {total}");
    assert!(exact > 1e-3, "models should differ: KL {exact}");
    // f32 network outputs: 1e-4 relative.
    assert!((exact - expected).abs() < 1e-4 * exact.max(1.0), "exact path KL {exact} vs E[estimator] {expected}");
}

#[test]
fn released_estimator_is_zero_on_hard_states_path_is_not() {
    let (len, v) = (6, 4);
    let (theta, pre) = (net::<Bk>(len, v, 3), net::<Bk>(len, v, 4));
    let dev = Default::default();
    // Half masked, half decoded hard states.
    let z = Array2::from_shape_fn((3, len), |(i, j)| if (i + j) % 2 == 0 { v } else { (i * j) % v });
    let x = one_hot::<Bk>(&z, v, &dev);
    let t = Tensor::<Bk, 1>::full([3], 0.5, &dev);
    let ones = Tensor::<Bk, 1>::ones([3], &dev);
    let code: Vec<f32> = code_kl(theta.logits(x.clone(), t.clone()), pre.logits(x.clone(), t.clone()), x.clone(), ones.clone()).into_data().convert::<f32>().into_vec().unwrap();
    assert!(code.iter().all(|c| *c == 0.0), "released estimator on hard states: {code:?}");
    let path: Vec<f32> = path_kl(theta.logits(x.clone(), t.clone()), pre.logits(x.clone(), t.clone()), x.clone(), ones.clone()).into_data().convert::<f32>().into_vec().unwrap();
    assert!(path.iter().all(|c| *c > 0.0), "path estimator: {path:?}");
    // θ = pre: both vanish (f32 rounding only).
    let same: f32 = path_kl(pre.logits(x.clone(), t.clone()), pre.logits(x.clone(), t.clone()), x.clone(), ones).into_data().convert::<f32>().into_vec::<f32>().unwrap().iter().map(|c| c.abs()).sum();
    assert!(same < 1e-6);
    // On a soft state the released estimator is positive.
    let soft = softmax(x.clone().mul_scalar(2.0), 2);
    let c: f32 = code_kl(theta.logits(soft.clone(), t.clone()), pre.logits(soft.clone(), t), soft, Tensor::ones([3], &dev)).sum().into_scalar();
    assert!(c > 0.0, "released estimator on soft states: {c}");
}

#[test]
fn rollout_is_hard_in_value_and_carries_gradients() {
    let (len, v) = (8, 4);
    let theta = net::<Ad>(len, v, 5);
    let reference = net::<Ad>(len, v, 6).no_grad();
    let cfg = DrakesConfig { steps: 6, truncate: 3, alpha: 1.0, ..DrakesConfig::default() };
    for est in [KlEstimator::Path, KlEstimator::DrakesCode] {
        let cfg = DrakesConfig { kl_estimator: est, ..cfg.clone() };
        let r = rollout(&theta, &reference, &cfg, &MaskSchedule::default(), 5, len, &mut crate::rng(1), &Default::default());
        let s: Vec<f32> = r.sample.clone().into_data().convert::<f32>().into_vec().unwrap();
        for i in 0..5 {
            for j in 0..len {
                let row = &s[(i * len + j) * v..(i * len + j + 1) * v];
                assert!(r.tokens[[i, j]] < v && row.iter().enumerate().all(|(k, &x)| x == if k == r.tokens[[i, j]] { 1.0 } else { 0.0 }));
            }
        }
        let kl: Vec<f32> = r.kl.clone().into_data().convert::<f32>().into_vec().unwrap();
        assert!(kl.iter().all(|k| k.is_finite() && *k >= 0.0), "{est:?}: {kl:?}");
        let w = Tensor::<Ad, 3>::from_data(TensorData::new((0..5 * len * v).map(|i| (i % 5) as f32).collect::<Vec<_>>(), [5, len, v]), &Default::default());
        let loss = (r.sample * w).sum() + r.kl.sum();
        let grads = loss.backward();
        let g: f32 = theta.l1.weight.grad(&grads).map(|g| g.abs().sum().into_scalar()).unwrap_or(0.0);
        assert!(g.is_finite() && g > 0.0, "{est:?}: no gradient reaches the first layer ({g})");
    }
}

/// Mean fraction of token 0 over samples of `m`.
fn frac_zero(m: &SeqMlp<Ad>, reference: &SeqMlp<Ad>, cfg: &DrakesConfig, len: usize, seed: u64) -> f64 {
    let r = rollout(m, reference, cfg, &MaskSchedule::default(), 64, len, &mut crate::rng(seed), &Default::default());
    r.tokens.iter().filter(|&&t| t == 0).count() as f64 / r.tokens.len() as f64
}

#[test]
fn finetuning_raises_the_reward_and_the_kl_weight_restrains_it() {
    // Reward: the number of token-0 positions (differentiable on soft samples). Without KL the
    // fine-tune should push far above the pretrained ~1/4; a large α should hold it closer.
    let (len, v) = (8, 4);
    let run = |alpha: f64| -> (f64, f64) {
        let reference = net::<Ad>(len, v, 7).no_grad();
        let mut m = net::<Ad>(len, v, 7);
        let cfg = DrakesConfig { steps: 8, truncate: 4, alpha, ..DrakesConfig::default() };
        let before = frac_zero(&m, &reference, &cfg, len, 99);
        let mut opt = AdamConfig::new().init::<Ad, SeqMlp<Ad>>();
        for step in 0..40 {
            let r = rollout(&m, &reference, &cfg, &MaskSchedule::default(), 16, len, &mut crate::rng(step), &Default::default());
            let reward = r.sample.narrow(2, 0, 1).sum_dim(1).reshape([16]);
            let loss = reward.neg().mean() + r.kl.mean().mul_scalar(alpha);
            let grads = GradientsParams::from_grads(loss.backward(), &m);
            m = opt.step(3e-3, m, grads);
        }
        (before, frac_zero(&m, &reference, &cfg, len, 99))
    };
    let (b0, free) = run(0.0);
    let (b1, held) = run(1.0);
    eprintln!("token-0 fraction: pretrained {b0:.3}, alpha 0 {free:.3}, alpha 1 {held:.3}");
    assert_eq!(b0, b1);
    assert!(free > b0 + 0.3, "no-KL fine-tune: token-0 fraction {b0:.3} -> {free:.3}");
    assert!(held < free - 0.1 && held > b0, "KL weight 1: {b0:.3} -> {held:.3} (no KL {free:.3})");
    let _ = m_valid_compiles(net::<Ad>(len, v, 1));
}

fn m_valid_compiles(m: SeqMlp<Ad>) -> SeqMlp<Bk> {
    m.valid()
}

#[test]
fn rewards_pass_gradients_to_the_input_only() {
    use super::reward::SeqReward;
    use crate::bio::motif::{D1Config, D1Reward, MotifSet};
    use crate::bio::oracle::OracleConfig;
    let dev = Default::default();
    let x = Tensor::<Ad, 3>::from_data(TensorData::new((0..2 * 30 * 4).map(|i| ((i * 7) % 11) as f32 / 11.0).collect::<Vec<_>>(), [2, 30, 4]), &dev).require_grad();
    // Oracle CNN with frozen weights (`no_grad`): the gradient still reaches the input.
    let net = OracleConfig { hidden: 8, dilations: vec![1, 2], ..OracleConfig::default() }.init::<Ad>(&dev);
    let r = SeqReward::Oracle(net).frozen();
    let grads = r.soft(x.clone()).sum().backward();
    let gx: f32 = x.grad(&grads).expect("input gradient").abs().sum().into_scalar();
    assert!(gx > 0.0 && gx.is_finite());
    // Motif: value equals the hard reward on a one-hot input; gradient equals the analytic one.
    let set = MotifSet::load(concat!(env!("CARGO_MANIFEST_DIR"), "/src/bio/testdata/motifs.json")).unwrap();
    let d1 = std::sync::Arc::new(D1Reward::new(&set.reward, D1Config::default()).unwrap());
    let seq: Vec<u8> = (0..60).map(|i| ((i * 5 + i / 7) % 4) as u8).collect();
    let oh = super::reward::base_one_hot::<Ad>(&[&seq], &dev).require_grad();
    let r = SeqReward::<Ad>::Motif(d1.clone());
    let v = r.soft(oh.clone());
    let val: f32 = v.clone().into_scalar();
    assert!((val as f64 - d1.reward_hard(&seq)).abs() < 1e-4, "{val} vs {}", d1.reward_hard(&seq));
    let g: Vec<f32> = oh.grad(&v.sum().backward()).unwrap().into_data().convert::<f32>().into_vec().unwrap();
    let host: Vec<f32> = oh.clone().into_data().convert::<f32>().into_vec().unwrap();
    let (_, want) = d1.reward_soft(ndarray::ArrayView2::from_shape((60, 4), &host).unwrap());
    assert!(g.iter().zip(want.iter()).all(|(a, b)| (a - b).abs() < 1e-5));
}

/// Reward = number of token-0 positions, for the guidance oracles.
struct CountZeros;

impl super::guidance::HostReward for CountZeros {
    fn values(&self, x: &Array2<usize>) -> Vec<f64> {
        x.rows().into_iter().map(|r| r.iter().filter(|&&t| t == 0).count() as f64).collect()
    }
    fn grad(&self, p: &ndarray::Array3<f64>) -> ndarray::Array3<f64> {
        ndarray::Array3::from_shape_fn(p.dim(), |(_, _, k)| if k == 0 { 1.0 } else { 0.0 })
    }
}

#[test]
fn smc_and_tds_sample_the_reward_tilted_distribution() {
    // Oracle: with an exact denoiser (an enumerable joint over 3 positions × 3 letters), SMC's
    // potentials telescope to exp(r(x₀)/α), so for many particles its output follows
    // p(x) exp(r(x)/α)/Z exactly (TDS too: its proposal is importance-corrected). Tolerance: total
    // variation 0.06 at 6000 particles (27 states; resampling costs effective sample size), and
    // plain sampling must meet the same bound against p itself (the discretisation error of 100
    // steps is part of both).
    use super::guidance::{Guidance, guided_sample};
    use crate::discrete::oracle::TinyJoint;
    let mut joint = TinyJoint::dirichlet(3, 3, 1.0, &mut crate::rng(4));
    let alpha = 0.7;
    let r = CountZeros;
    let tilted: Vec<f64> = {
        let w: Vec<f64> = (0..joint.p.len()).map(|s| joint.p[s] * (joint.decode(s).iter().filter(|&&t| t == 0).count() as f64 / alpha).exp()).collect();
        let z: f64 = w.iter().sum();
        w.iter().map(|v| v / z).collect()
    };
    let tv = |h: &ndarray::Array1<f64>, q: &[f64]| 0.5 * h.iter().zip(q).map(|(a, b)| (a - b).abs()).sum::<f64>();
    let p = joint.p.clone();
    let sched = MaskSchedule::default();
    let run = |g: Guidance, joint: &mut TinyJoint| {
        let x = guided_sample(joint, &r, g, 6000, 3, &sched, 100, &mut crate::rng(11), &mut |_| {});
        joint.histogram(&x)
    };
    let plain = run(Guidance::Pretrained, &mut joint);
    let smc = run(Guidance::Smc { alpha }, &mut joint);
    let tds = run(Guidance::Tds { scale: 0.5, alpha }, &mut joint);
    let (d_plain, d_smc, d_tds) = (tv(&plain, &p), tv(&smc, &tilted), tv(&tds, &tilted));
    let shift = tv(&ndarray::Array1::from(p.clone()), &tilted);
    eprintln!("TV: plain vs p {d_plain:.4}; SMC vs tilted {d_smc:.4}; TDS vs tilted {d_tds:.4}; p vs tilted {shift:.4}");
    let er = |h: &[f64]| h.iter().enumerate().map(|(s, w)| w * joint.decode(s).iter().filter(|&&t| t == 0).count() as f64).sum::<f64>();
    eprintln!("E r: p {:.3} tilted {:.3} smc {:.3} tds {:.3}", er(&p), er(&tilted), er(smc.as_slice().unwrap()), er(tds.as_slice().unwrap()));
    assert!(shift > 0.15, "the tilt should move the distribution ({shift})");
    assert!(d_plain < 0.06 && d_smc < 0.06 && d_tds < 0.06, "plain {d_plain}, smc {d_smc}, tds {d_tds}");
    // Best-of-N and CG raise the reward.
    let mean_r = |h: &ndarray::Array1<f64>| h.iter().enumerate().map(|(s, w)| w * joint.decode(s).iter().filter(|&&t| t == 0).count() as f64).sum::<f64>();
    let (base, bon, cg) = (mean_r(&plain), mean_r(&run(Guidance::BestOfN { n: 4 }, &mut joint.clone())), mean_r(&run(Guidance::Cg { scale: 2.0 }, &mut joint.clone())));
    assert!(bon > base + 0.3 && cg > base + 0.3, "mean reward: plain {base:.3}, best-of-4 {bon:.3}, CG {cg:.3}");
}
