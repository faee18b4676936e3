//! A masked-diffusion model trained with the shared trainer on sequences from a known Markov
//! chain recovers the chain's statistics (issue "Sequence module I", test 6).
//!
//! Chain: 4 states, length 12, a sticky transition matrix with distinct rows; 1500 AdamW steps of
//! batch 256 on fresh chain samples (MDLM loss, log-linear schedule), EMA weights, then 4000
//! ancestral samples in 32 steps. Oracle: the true transition matrix and initial distribution.
//! Tolerance: max absolute error 0.06 on transition probabilities (Monte-Carlo SE ≈ 0.005 for
//! ~10^4 transitions per row, the rest is model error of a tiny MLP after a short run).

use burn::prelude::*;
use burn::tensor::backend::AutodiffBackend;
use ndarray::Array2;
use scidiff::discrete::oracle::MarkovSource;
use scidiff::discrete::ancestral::sample;
use scidiff::discrete::net::{SeqMlp, SeqMlpConfig, SeqMlpDenoiser, masked_batch, masked_elbo_loss};
use scidiff::discrete::schedule::MaskSchedule;
use scidiff::train::step_rng;
use scidiff::train::trainer::{Task, TrainConfig, load_ema, train};

const P: [[f64; 4]; 4] = [[0.7, 0.2, 0.05, 0.05], [0.1, 0.6, 0.25, 0.05], [0.05, 0.05, 0.6, 0.3], [0.4, 0.1, 0.1, 0.4]];
const INIT: [f64; 4] = [0.4, 0.3, 0.2, 0.1];
const L: usize = 12;

fn chain(n: usize, rng: &mut rand::rngs::StdRng) -> Array2<usize> {
    MarkovSource::sticky4().sample(n, L, rng)
}

struct MarkovTask {
    cfg: SeqMlpConfig,
    schedule: MaskSchedule,
}

impl<B: AutodiffBackend> Task<B> for MarkovTask {
    type Model = SeqMlp<B>;
    fn kind(&self) -> String {
        "markov-seqmlp".into()
    }
    fn config_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.cfg).unwrap()
    }
    fn init_model(&self, device: &B::Device) -> SeqMlp<B> {
        self.cfg.init(device)
    }
    fn loss(&self, model: &SeqMlp<B>, step: u64, seed: u64, batch_size: usize, device: &B::Device) -> Tensor<B, 1> {
        let mut rng = step_rng(seed, step, 0);
        let x = chain(batch_size, &mut rng);
        let b = masked_batch::<B>(&x, 4, &self.schedule, 1e-3, &mut rng, device);
        masked_elbo_loss(model.forward(b.z.clone(), b.t.clone()), &b)
    }
    fn validate(&self, ema: &SeqMlp<B::InnerBackend>, seed: u64, device: &B::Device) -> f64 {
        let mut rng = step_rng(seed, u64::MAX, 1);
        let x = chain(512, &mut rng);
        let b = masked_batch::<B::InnerBackend>(&x, 4, &self.schedule, 1e-3, &mut rng, device);
        masked_elbo_loss(ema.forward(b.z.clone(), b.t.clone()), &b).into_scalar().elem()
    }
}

#[test]
fn learns_markov_chain_transitions() {
    type Bk = scidiff::train::device::Cpu;
    let device = Default::default();
    let dir = tempfile::tempdir().unwrap();
    let task = MarkovTask { cfg: SeqMlpConfig { len: L, vocab: 4, hidden: 256, time_embed: 32 }, schedule: MaskSchedule::LogLinear { eps: 1e-3 } };
    let mut lr = scidiff::train::schedule::LrSchedule::default();
    lr.decay_steps = 1500;
    let cfg = TrainConfig { steps: 1500, batch_size: 256, lr, ema_decay: 0.99, checkpoint_every: 1500, validate_every: 1500, ..TrainConfig::default() };
    let report = train::<Bk, MarkovTask>(&task, &cfg, dir.path(), 0, false, &device, false).unwrap();
    // Exact NELBO of the chain: the entropy of 12 steps, for scale.
    let (net, _) = load_ema::<Bk, MarkovTask>(&task, dir.path(), &device).unwrap();
    let mut den = SeqMlpDenoiser { net, device };
    let x = sample(&mut den, 4000, L, &task.schedule, 32, &mut scidiff::rng(9));
    let mut counts = [[0.0f64; 4]; 4];
    let mut first = [0.0f64; 4];
    for row in x.rows() {
        first[row[0]] += 1.0;
        for j in 1..L {
            counts[row[j - 1]][row[j]] += 1.0;
        }
    }
    let mut worst: f64 = 0.0;
    for a in 0..4 {
        let tot: f64 = counts[a].iter().sum();
        for b in 0..4 {
            worst = worst.max((counts[a][b] / tot - P[a][b]).abs());
        }
    }
    let init_err = (0..4).map(|k| (first[k] / 4000.0 - INIT[k]).abs()).fold(0.0, f64::max);
    eprintln!("val NELBO {:?}, worst transition error {worst:.4}, worst initial error {init_err:.4}", report.val_loss);
    assert!(worst < 0.06, "transition matrix not recovered: worst abs error {worst}");
    assert!(init_err < 0.06, "initial distribution not recovered: {init_err}");
}
