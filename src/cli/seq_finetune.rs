//! `scidiff seq finetune`: DRAKES reward fine-tuning of a pretrained DNA model (brief `drakes.md`
//! §3), through the shared trainer (checkpoints, exact resume, progress bar, metrics.jsonl).

use anyhow::{Context, Result, bail};
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use scidiff::bio::corpus::data_file;
use scidiff::bio::motif::{D1Config, D1Reward, MotifSet};
use scidiff::drakes::config::{DrakesConfig, preset};
use scidiff::drakes::reward::SeqReward;
use scidiff::drakes::task::{DrakesTask, pretrained_record};
use scidiff::train::device::{BackendTask, DeviceChoice, dispatch_with, peak_rss_bytes};
use scidiff::train::trainer::{Task, TrainConfig, TrainReport, checkpoint_path, train};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Args)]
pub struct FinetuneArgs {
    /// dna (masked-diffusion DNA model) or protein (ProteinMPNN on the offline protein track).
    #[arg(long, default_value = "dna")]
    pub track: String,
    /// Pretrained model: a `seq pretrain` directory (dna) or a ProteinMPNN `.pt` (protein;
    /// default DATA/mpnn/v_48_020.pt); not needed with --resume.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Fine-tuning method (drakes; the inference-time baselines are `seq sample --guide`).
    #[arg(long, default_value = "drakes")]
    pub method: String,
    /// dna: motif (D1, analytic liver-TF grammar, default) or oracle (D2 CNN; needs --oracle);
    /// protein: mj (Miyazawa–Jernigan contact energy, default).
    #[arg(long)]
    pub reward: Option<String>,
    /// Oracle directory (`seq train-oracle --half a`) for --reward oracle.
    #[arg(long)]
    pub oracle: Option<PathBuf>,
    /// quick (2-core CPU demonstration) or paper (brief §3.3).
    #[arg(long, default_value = "quick")]
    pub preset: String,
    /// TOML with `[drakes]` and/or `[train]` tables; a table replaces the preset's (missing keys
    /// take the paper defaults).
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Output model directory (accepted by `seq sample` and `seq eval --model`).
    #[arg(long)]
    pub out: PathBuf,
    /// Optimiser steps (default: the preset's).
    #[arg(long)]
    pub steps: Option<u64>,
    /// Random seed (trajectories); default 0.
    #[arg(long)]
    pub seed: Option<u64>,
    /// KL weight α (0 = "DRAKES w/o KL").
    #[arg(long)]
    pub alpha: Option<f64>,
    /// path (default) or drakes_code (the released estimator).
    #[arg(long)]
    pub kl_estimator: Option<String>,
    /// Trajectories per optimiser step.
    #[arg(long)]
    pub batch_size: Option<usize>,
    /// cpu, cuda or cuda:N.
    #[arg(long, default_value = "cpu")]
    pub device: String,
    /// Continue the run stored in --out.
    #[arg(long)]
    pub resume: bool,
    /// burn's activation checkpointing (recompute element-wise results in the backward pass
    /// instead of storing them): same gradients, less memory, some extra time.
    #[arg(long)]
    pub checkpointing: bool,
}

impl FinetuneArgs {
    /// `--alpha`, `--kl-estimator` and `--batch-size` over a preset's or config file's values.
    pub fn apply_overrides(&self, alpha: &mut f64, kl: &mut scidiff::drakes::KlEstimator, train: &mut TrainConfig) -> Result<()> {
        if let Some(al) = self.alpha {
            *alpha = al;
        }
        if let Some(k) = &self.kl_estimator {
            *kl = k.parse().map_err(anyhow::Error::msg)?;
        }
        if let Some(b) = self.batch_size {
            train.batch_size = b;
        }
        if train.batch_size == 0 {
            bail!("batch size must be at least 1");
        }
        Ok(())
    }
}

/// The `finetune` table of a fine-tuned model's run.toml.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FinetuneRun {
    pub method: String,
    reward: String,
    pub oracle: Option<PathBuf>,
    pretrained: PathBuf,
    pretrained_step: u64,
    pub preset: String,
    pub seed: u64,
    drakes: DrakesConfig,
    train: TrainConfig,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    drakes: Option<DrakesConfig>,
    train: Option<TrainConfig>,
}

/// Copy of the pretrained checkpoint inside the output directory (reference model, resume).
fn pretrained_copy(out: &Path) -> PathBuf {
    out.join("pretrained.bin")
}

/// The reward named `kind` on backend `B` (oracle weights frozen by the task).
pub fn load_reward<B: AutodiffBackend>(kind: &str, oracle: Option<&Path>, device: &B::Device) -> Result<SeqReward<B>> {
    match kind {
        "motif" => {
            let set = MotifSet::load(data_file("motifs.json")?)?;
            Ok(SeqReward::Motif(Arc::new(D1Reward::new(&set.reward, D1Config::default())?)))
        }
        "oracle" => {
            let Some(dir) = oracle else { bail!("--reward oracle needs --oracle DIR (train one with `seq train-oracle --half a`)") };
            Ok(SeqReward::Oracle(super::seq_oracle::oracle_model::<B>(dir, device)?))
        }
        o => bail!("unknown reward {o:?} (expected motif or oracle)"),
    }
}

fn new_run(a: &FinetuneArgs) -> Result<(super::seq::RunFile, FinetuneRun)> {
    if a.method != "drakes" {
        bail!("unknown method {:?}: `seq finetune` trains drakes; pretrained, best-of-n, cg, smc and tds are sampling methods (`seq sample --guide`)", a.method);
    }
    let Some(model) = &a.model else { bail!("--model PRETRAINED_DIR is required (or --resume)") };
    let reward = a.reward.clone().unwrap_or_else(|| "motif".into());
    match (reward.as_str(), &a.oracle) {
        ("motif", _) | ("oracle", Some(_)) => {}
        ("oracle", None) => bail!("--reward oracle needs --oracle DIR (train one with `seq train-oracle --half a`)"),
        (o, _) => bail!("unknown reward {o:?} (expected motif or oracle)"),
    }
    if checkpoint_path(&a.out).exists() {
        bail!("{} already holds a model; add --resume to continue it", a.out.display());
    }
    let pre: super::seq::RunFile = super::seq::read_run(model)?;
    let (_, step) = pretrained_record(&checkpoint_path(model))?;
    let (mut drakes, mut train) = preset(&a.preset, a.steps).map_err(anyhow::Error::msg)?;
    if let Some(p) = &a.config {
        let file: ConfigFile = super::seq::read_toml(p)?;
        drakes = file.drakes.unwrap_or(drakes);
        train = file.train.unwrap_or(train);
    }
    a.apply_overrides(&mut drakes.alpha, &mut drakes.kl_estimator, &mut train)?;
    drakes.validate().map_err(|e| anyhow::anyhow!("invalid DRAKES configuration: {e}"))?;
    let oracle = a.oracle.as_ref().map(|p| std::path::absolute(p)).transpose()?;
    let ft = FinetuneRun { method: a.method.clone(), reward, oracle, pretrained: std::path::absolute(model)?, pretrained_step: step, preset: a.preset.clone(), seed: a.seed.unwrap_or(0), drakes, train };
    Ok((pre, ft))
}

struct FinetuneJob {
    run: super::seq::RunFile,
    ft: FinetuneRun,
    dir: PathBuf,
    pub resume: bool,
}

impl BackendTask for FinetuneJob {
    type Output = Result<(TrainReport, f64)>;
    fn run<B: AutodiffBackend>(self, device: B::Device) -> Self::Output {
        let reward = load_reward::<B>(&self.ft.reward, self.ft.oracle.as_deref(), &device)?;
        let (bytes, _) = pretrained_record(&pretrained_copy(&self.dir))?;
        let task = DrakesTask::<B>::new(self.ft.drakes.clone(), self.run.task.clone(), bytes, reward, &device)?;
        B::seed(&device, self.ft.seed);
        let before = -task.validate(&burn::module::AutodiffModule::valid(&task.init_model(&device)), self.ft.seed, &device);
        let report = train::<B, DrakesTask<B>>(&task, &self.ft.train, &self.dir, self.ft.seed, self.resume, &device, true)?;
        Ok((report, before))
    }
}

pub fn finetune(a: FinetuneArgs) -> Result<()> {
    match a.track.as_str() {
        "dna" => {}
        "protein" => return super::seq_protein_ft::finetune_protein(a),
        o => bail!("unknown track {o:?} (expected dna or protein)"),
    }
    let device: DeviceChoice = a.device.parse()?;
    let (run, ft) = if a.resume {
        let mut run: super::seq::RunFile = super::seq::read_run(&a.out)?;
        let Some(mut ft) = run.finetune.take() else { bail!("{} is not a fine-tuned model (no [finetune] in run.toml)", a.out.display()) };
        ft.train.steps = super::seq::resumed_steps(a.seed, ft.seed, a.steps, ft.train.steps)?;
        (run, ft)
    } else {
        let (pre, ft) = new_run(&a)?;
        std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
        let tmp = a.out.join("pretrained.bin.tmp");
        std::fs::copy(checkpoint_path(&ft.pretrained), &tmp)?;
        std::fs::rename(&tmp, pretrained_copy(&a.out))?;
        (pre, ft)
    };
    let mut stored = run.clone();
    stored.finetune = Some(ft.clone());
    std::fs::write(a.out.join("run.toml"), toml::to_string(&stored)?)?;
    let d = &ft.drakes;
    eprintln!(
        "DRAKES fine-tune ({} reward, {:?} KL, α {}) of {} on {device}: T {} steps, last {} relaxed (τ {}), batch {}, to step {} (seed {})",
        ft.reward, d.kl_estimator, d.alpha, ft.pretrained.display(), d.steps, d.truncate, d.tau, ft.train.batch_size, ft.train.steps, ft.seed
    );
    let t0 = std::time::Instant::now();
    let (report, before) = dispatch_with(device, a.checkpointing, FinetuneJob { run, ft: ft.clone(), dir: a.out.clone(), resume: a.resume })??;
    let after = report.val_loss.map(|v| format!("{:.4}", -v)).unwrap_or("-".into());
    let what = format!("mean {} reward of {} validation samples", ft.reward, ft.drakes.validate_samples);
    print_summary(&report, &what, (before, after), t0, &a);
    Ok(())
}

/// The closing lines of a fine-tune: reward before/after, speed, output and peak memory.
pub fn print_summary(report: &TrainReport, what: &str, (before, after): (f64, String), t0: std::time::Instant, a: &FinetuneArgs) {
    println!(
        "steps {}..{}: last objective {:.4}; {what}: pretrained {before:.4} -> fine-tuned {after}; {:.3} steps/s, {:.0} s -> {}",
        report.start_step,
        report.steps,
        report.last_loss,
        report.steps_per_sec,
        t0.elapsed().as_secs_f64(),
        a.out.display()
    );
    if let Some(b) = peak_rss_bytes() {
        println!("peak memory {:.2} GiB (activation checkpointing {})", b as f64 / (1u64 << 30) as f64, if a.checkpointing { "on" } else { "off" });
    }
}

#[derive(Args)]
pub struct TradeoffArgs {
    /// Folder of `seq eval --json` files named METHOD.sSEED.json (scripts/drakes_table.sh writes them).
    #[arg(long)]
    eval: PathBuf,
    /// Metric on the x axis.
    #[arg(long, default_value = "loglik_median_nats")]
    x: String,
    /// Metric on the y axis.
    #[arg(long, default_value = "d1_median")]
    y: String,
    /// Output PNG.
    #[arg(long)]
    pub out: PathBuf,
}

/// One point per method (mean over seeds) of two `seq eval` metrics.
pub fn tradeoff(a: TradeoffArgs) -> Result<()> {
    let mut by_method: std::collections::BTreeMap<String, Vec<(f64, f64)>> = Default::default();
    for entry in std::fs::read_dir(&a.eval).with_context(|| format!("reading {}", a.eval.display()))? {
        let path = entry?.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()).and_then(|n| n.strip_suffix(".json")) else { continue };
        let method = name.rsplit_once(".s").map_or(name, |(m, _)| m).to_string();
        let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path)?).with_context(|| format!("{} is not JSON", path.display()))?;
        if let (Some(x), Some(y)) = (v[&a.x].as_f64(), v[&a.y].as_f64()) {
            by_method.entry(method).or_default().push((x, y));
        }
    }
    if by_method.is_empty() {
        bail!("no file in {} has both {} and {}", a.eval.display(), a.x, a.y);
    }
    let points: Vec<(String, f64, f64)> = by_method
        .into_iter()
        .map(|(m, v)| {
            let n = v.len() as f64;
            (m, v.iter().map(|p| p.0).sum::<f64>() / n, v.iter().map(|p| p.1).sum::<f64>() / n)
        })
        .collect();
    scidiff::plot::labelled_points(&a.out, "DRAKES-DHS: reward vs naturalness (mean over seeds)", &a.x, &a.y, &points)?;
    for (m, x, y) in &points {
        println!("{m:<20} {}={x:.3} {}={y:.3}", a.x, a.y);
    }
    Ok(())
}
