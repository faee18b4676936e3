//! `scidiff seq train-oracle`: the D2 HepG2-accessibility oracles of DRAKES-DHS (brief §6.2), and
//! scoring a sequence set with a trained oracle (used by `seq eval --oracle`).

use anyhow::{Result, bail};
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use scidiff::bio::corpus::data_file;
use scidiff::bio::dhs::{DhsDataset, OracleHalf};
use scidiff::bio::oracle::{OracleConfig, OracleTask, auroc, oracle_data};
use scidiff::train::device::{BackendTask, DeviceChoice, dispatch};
use scidiff::train::schedule::LrSchedule;
use scidiff::train::trainer::{TrainConfig, load_ema, train};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct TrainOracleArgs {
    /// a (odd autosomes chr3–21, fine-tuning oracle) or b (even chr4–22, evaluation oracle).
    #[arg(long)]
    half: String,
    /// Output directory (run.toml, checkpoint.bin, oracle.json).
    #[arg(long)]
    out: PathBuf,
    /// `dhs` or a DHS-format .tsv.
    #[arg(long, default_value = "dhs")]
    dataset: String,
    /// Optimiser steps.
    #[arg(long, default_value_t = 2000)]
    steps: u64,
    /// Sequences per step.
    #[arg(long, default_value_t = 64)]
    batch_size: usize,
    /// Random seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// cpu, cuda or cuda:N.
    #[arg(long, default_value = "cpu")]
    device: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct OracleRun {
    seed: u64,
    half: String,
    dataset: String,
    train: TrainConfig,
    net: OracleConfig,
}

fn load_dhs(spec: &str) -> Result<DhsDataset> {
    let path = if spec == "dhs" { data_file("dhs.tsv")? } else { PathBuf::from(spec) };
    Ok(DhsDataset::load(path)?)
}

/// Scores from the EMA weights: logits of `seqs` (`sets[0]`) and of further sets.
struct ScoreJob {
    task: OracleTask,
    dir: PathBuf,
    sets: Vec<Vec<Vec<u8>>>,
}

impl BackendTask for ScoreJob {
    type Output = Result<Vec<Vec<f64>>>;
    fn run<B: AutodiffBackend>(self, device: B::Device) -> Self::Output {
        let (net, _) = load_ema::<B, OracleTask>(&self.task, &self.dir, &device)?;
        Ok(self.sets.iter().map(|s| net.logits(&s.iter().map(Vec::as_slice).collect::<Vec<_>>(), &device)).collect())
    }
}

struct TrainJob {
    task: OracleTask,
    cfg: TrainConfig,
    dir: PathBuf,
    seed: u64,
}

impl BackendTask for TrainJob {
    type Output = Result<scidiff::train::trainer::TrainReport, scidiff::train::trainer::TrainError>;
    fn run<B: AutodiffBackend>(self, device: B::Device) -> Self::Output {
        train::<B, OracleTask>(&self.task, &self.cfg, &self.dir, self.seed, false, &device, true)
    }
}

fn split_xy(rows: &[(Vec<u8>, u8)]) -> (Vec<Vec<u8>>, Vec<u8>) {
    rows.iter().cloned().unzip()
}

pub fn train_oracle(a: TrainOracleArgs) -> Result<()> {
    let (half, other) = match a.half.as_str() {
        "a" | "A" => (OracleHalf::A, OracleHalf::B),
        "b" | "B" => (OracleHalf::B, OracleHalf::A),
        h => bail!("--half must be a or b, got {h:?}"),
    };
    if a.out.join("checkpoint.bin").exists() {
        bail!("{} already holds an oracle", a.out.display());
    }
    let ds = load_dhs(&a.dataset)?;
    let (train_rows, held) = oracle_data(&ds, half);
    let (other_rows, _) = oracle_data(&ds, other);
    let net = OracleConfig::default();
    let lr = LrSchedule { peak: 1e-3, warmup: 100, decay_steps: a.steps.max(101), floor: 0.05, gamma: None };
    let cfg = TrainConfig { steps: a.steps, batch_size: a.batch_size, lr, ema_decay: 0.999, checkpoint_every: 500, validate_every: 500, log_every: 25, ..TrainConfig::default() };
    let run = OracleRun { seed: a.seed, half: a.half.to_lowercase(), dataset: a.dataset.clone(), train: cfg.clone(), net: net.clone() };
    std::fs::create_dir_all(&a.out)?;
    std::fs::write(a.out.join("run.toml"), toml::to_string(&run)?)?;
    let task = OracleTask::new(net, train_rows.clone(), held.clone())?;
    eprintln!("training oracle {} on {} rows ({} held out on chr1+chr2)", run.half, train_rows.len(), held.len());
    let device: DeviceChoice = a.device.parse()?;
    let t0 = std::time::Instant::now();
    dispatch(device, TrainJob { task: task.clone(), cfg, dir: a.out.clone(), seed: a.seed })??;
    let secs = t0.elapsed().as_secs_f64();
    let (hx, hy) = split_xy(&held);
    let (ox, oy) = split_xy(&other_rows);
    let scores = dispatch(device, ScoreJob { task, dir: a.out.clone(), sets: vec![hx, ox] })??;
    let acc = |s: &[f64], y: &[u8]| s.iter().zip(y).filter(|(z, y)| (**z > 0.0) == (**y == 1)).count() as f64 / y.len().max(1) as f64;
    let report = serde_json::json!({
        "half": run.half, "train_rows": train_rows.len(), "train_seconds": secs,
        "heldout_chr1_chr2": { "n": hy.len(), "auroc": auroc(&scores[0], &hy), "accuracy": acc(&scores[0], &hy) },
        "other_half": { "n": oy.len(), "auroc": auroc(&scores[1], &oy), "accuracy": acc(&scores[1], &oy) },
    });
    std::fs::write(a.out.join("oracle.json"), serde_json::to_string_pretty(&report)?)?;
    println!("{report}");
    Ok(())
}

/// Logits of `seqs` under the oracle stored in `dir`.
pub fn oracle_logits(dir: &Path, seqs: &[Vec<u8>], device: &str) -> Result<Vec<f64>> {
    let run: OracleRun = super::read_run_toml(dir, "an oracle directory")?;
    let task = OracleTask::new(run.net, vec![(vec![], 0)], vec![])?;
    let device: DeviceChoice = device.parse()?;
    Ok(dispatch(device, ScoreJob { task, dir: dir.to_path_buf(), sets: vec![seqs.to_vec()] })??.remove(0))
}

/// The oracle stored in `dir` (EMA weights) on an autodiff backend, for rewards that must be
/// differentiated (DRAKES, classifier guidance).
pub fn oracle_model<B: AutodiffBackend>(dir: &Path, device: &B::Device) -> Result<scidiff::bio::oracle::OracleCnn<B>> {
    use scidiff::train::trainer::{Task, checkpoint_path, load_weights};
    let run: OracleRun = super::read_run_toml(dir, "an oracle directory (seq train-oracle)")?;
    let task = OracleTask::new(run.net.clone(), vec![(vec![], 0)], vec![])?;
    let path = checkpoint_path(dir);
    Ok(load_weights(&path, &<OracleTask as Task<B>>::kind(&task), "ema", run.net.init::<B>(device), device)?)
}
