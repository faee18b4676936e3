//! The DRAKES DNA denoiser ([`DnaConv`], small configuration) trained by the masked-diffusion task
//! on sequences of a known 4-state Markov chain ([`MarkovSource::sticky4`], the chain of `tests/discrete_markov.rs`).
//!
//! Oracles: the exact entropy of the length-32 chain, `H = H(init) + Σ_j Σ_a P(x_j = a) H(P_a)`
//! (bits per token after dividing by `L`). The validation NELBO is an upper bound on the NLL, so in
//! expectation it can never be below `H` (tolerance 0.1 bits/token for the Monte-Carlo error of 512
//! sequences × one time each); after 40 steps it must have closed at least half the gap between the
//! untrained network (≈ 2 bits/token, uniform) and `H`.

use scidiff::discrete::conv::DnaConvConfig;
use scidiff::discrete::oracle::MarkovSource;
use scidiff::discrete::task::{MaskedConvTask, MaskedTaskConfig};
use scidiff::train::schedule::LrSchedule;
use scidiff::train::trainer::{TrainConfig, train};

const L: usize = 32;
/// Training steps: enough to close half the gap with margin (30 steps reach 1.60 bits/token
/// against a bar of 1.73); the whole test takes ~2 s with `train::conv`.
const STEPS: u64 = 40;

#[test]
fn dna_conv_learns_a_markov_chain() {
    type Bk = scidiff::train::device::Cpu;
    let device = Default::default();
    let mut rng = scidiff::rng(3);
    let net = DnaConvConfig { len: L, hidden: 32, kernel: 5, dilations: vec![1, 2, 4], ..DnaConvConfig::paper() };
    let cfg = MaskedTaskConfig { net, val_size: 512, ..MaskedTaskConfig::default() };
    let src = MarkovSource::sticky4();
    let task = MaskedConvTask::new(cfg, src.sample(4000, L, &mut rng), src.sample(512, L, &mut rng)).unwrap();
    let lr = LrSchedule { peak: 3e-3, warmup: 20, decay_steps: STEPS, floor: 0.1, gamma: None };
    let tc = |steps| TrainConfig { steps, batch_size: 32, lr: lr.clone(), ema_decay: 0.9, checkpoint_every: 1000, validate_every: 1000, log_every: 50, ..TrainConfig::default() };
    let dir = tempfile::tempdir().unwrap();
    let before = train::<Bk, MaskedConvTask>(&task, &tc(1), dir.path(), 0, false, &device, false).unwrap();
    let after = train::<Bk, MaskedConvTask>(&task, &tc(STEPS), dir.path(), 0, true, &device, false).unwrap();
    let (b0, b1) = (task.bits_per_token(before.val_loss.unwrap()), task.bits_per_token(after.val_loss.unwrap()));
    let h = src.entropy_bits_per_token(L);
    eprintln!("val NELBO: {b0:.4} -> {b1:.4} bits/token; chain entropy {h:.4}");
    assert!(b1 > h - 0.1, "NELBO {b1} below the entropy {h}: the ELBO estimate is broken");
    assert!(b1 < h + 0.5 * (b0 - h), "not learned: {b0} -> {b1} (entropy {h})");
}
