//! `scidiff sde train` and `scidiff sde sample --model DIR`.

use super::sde::{SampleArgs, start_points, write_samples};
use anyhow::{Context, Result, bail};
use clap::Args;
use scidiff::sampler::{Method, SamplerConfig, sample};
use scidiff::sde::Spacing;
use scidiff::target::TargetFile;
use scidiff::train::device::{BackendTask, DeviceChoice, dispatch};
use scidiff::train::sde_task::{GmmTask, GmmTaskConfig, load_denoiser};
use scidiff::train::tensor_state::{array_to_tensor, tensor_to_array};
use scidiff::train::trainer::{TrainConfig, TrainReport, TrainError, train};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct TrainArgs {
    /// Target file ([sde] and [gmm]); not needed with --resume.
    #[arg(long, required_unless_present = "resume")]
    target: Option<PathBuf>,
    /// Train until this many steps in total.
    #[arg(long)]
    steps: u64,
    /// Run directory (checkpoint.bin, run.toml, metrics.jsonl).
    #[arg(long, required_unless_present = "resume")]
    out: Option<PathBuf>,
    /// Continue the run in this directory.
    #[arg(long, conflicts_with_all = ["target", "out", "config"])]
    resume: Option<PathBuf>,
    /// Optional TOML with [train], [mlp] and [dsm] tables overriding the defaults.
    #[arg(long)]
    config: Option<PathBuf>,
    /// Random seed (weights, data, noise).
    #[arg(long)]
    seed: Option<u64>,
    /// cpu, cuda or cuda:N.
    #[arg(long, default_value = "cpu")]
    device: String,
    /// Examples per step (overrides the config).
    #[arg(long)]
    batch_size: Option<usize>,
    /// Checkpoint period in steps (overrides the config).
    #[arg(long)]
    checkpoint_every: Option<u64>,
}

/// `run.toml`: the whole definition of a run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunFile {
    /// Seed.
    pub seed: u64,
    /// Optimisation settings.
    pub train: TrainConfig,
    /// Task (target, network, loss).
    #[serde(flatten)]
    pub task: GmmTaskConfig,
}

/// Optional overrides file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Overrides {
    train: Option<TrainConfig>,
    mlp: Option<scidiff::train::mlp::MlpConfig>,
    dsm: Option<scidiff::train::loss::DsmConfig>,
}

fn read_run(dir: &Path) -> Result<RunFile> {
    super::read_run_toml(dir, "a training run")
}

struct TrainJob {
    task: GmmTask,
    cfg: TrainConfig,
    dir: PathBuf,
    seed: u64,
    resume: bool,
}

impl BackendTask for TrainJob {
    type Output = Result<TrainReport, TrainError>;
    fn run<B: burn::tensor::backend::AutodiffBackend>(self, device: B::Device) -> Self::Output {
        train::<B, GmmTask>(&self.task, &self.cfg, &self.dir, self.seed, self.resume, &device, true)
    }
}

pub fn train_cmd(a: TrainArgs) -> Result<()> {
    let device: DeviceChoice = a.device.parse()?;
    let (mut run, dir, resume) = match &a.resume {
        Some(dir) => {
            let mut run = read_run(dir)?;
            if let Some(s) = a.seed {
                if s != run.seed {
                    bail!("--seed {s} differs from the run's seed {} (a resumed run keeps its seed)", run.seed);
                }
            }
            run.train.steps = a.steps;
            (run, dir.clone(), true)
        }
        None => {
            let target = TargetFile::load(a.target.as_deref().expect("clap"))?;
            let o: Overrides = match &a.config {
                Some(p) => {
                    let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
                    toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {}", p.display(), e.message()))?
                }
                None => Overrides::default(),
            };
            let task = GmmTaskConfig { target, mlp: o.mlp.unwrap_or_default(), dsm: o.dsm.unwrap_or_default() };
            let mut train = o.train.unwrap_or_default();
            train.steps = a.steps;
            (RunFile { seed: a.seed.unwrap_or(0), train, task }, a.out.clone().expect("clap"), false)
        }
    };
    if let Some(b) = a.batch_size {
        run.train.batch_size = b;
    }
    if let Some(c) = a.checkpoint_every {
        run.train.checkpoint_every = c;
    }
    if run.train.batch_size == 0 {
        bail!("batch size must be at least 1");
    }
    let task = GmmTask::new(run.task.clone())?;
    run.task = task.config.clone();
    if !resume {
        if dir.join("checkpoint.bin").exists() {
            bail!("{} already holds a run; use --resume {} to continue it", dir.display(), dir.display());
        }
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("run.toml"), toml::to_string(&run)?)?;
    }
    eprintln!("training {} on {device} to step {} (batch {}, seed {})", "sde-gmm-mlp", run.train.steps, run.train.batch_size, run.seed);
    let report = dispatch(device, TrainJob { task, cfg: run.train.clone(), dir: dir.clone(), seed: run.seed, resume })??;
    println!(
        "steps {}..{}: last loss {:.5}, EMA validation loss {}, {:.1} steps/s -> {}",
        report.start_step,
        report.steps,
        report.last_loss,
        report.val_loss.map(|v| format!("{v:.5}")).unwrap_or("-".into()),
        report.steps_per_sec,
        dir.display()
    );
    Ok(())
}

struct SampleJob {
    task: GmmTask,
    dir: PathBuf,
    cfg: SamplerConfig,
    x0: ndarray::Array2<f64>,
    seed: u64,
}

impl BackendTask for SampleJob {
    type Output = Result<(ndarray::Array2<f64>, usize)>;
    fn run<B: burn::tensor::backend::AutodiffBackend>(self, device: B::Device) -> Self::Output {
        let mut model = load_denoiser::<B>(&self.task, &self.dir, &device)?;
        let x0 = array_to_tensor::<B::InnerBackend>(&self.x0, &device);
        let mut rng = scidiff::train::step_rng(self.seed, 0, 7);
        let pb = super::progress(self.cfg.nfe as u64, &format!("{} sampling", self.cfg.method.name()));
        let out = sample(&self.cfg, &mut model, &[self.task.sde()], x0, &mut rng, Some(&pb))?;
        pb.finish_and_clear();
        Ok((tensor_to_array(out.x), out.steps))
    }
}

pub fn sample_model(a: SampleArgs) -> Result<()> {
    let dir = a.model.clone().expect("checked by caller");
    let run = read_run(&dir)?;
    let task = GmmTask::new(run.task)?;
    let method: Method = a.sampler.parse()?;
    let spacing = a.spacing.as_deref().map(str::parse::<Spacing>).transpose()?;
    let sde = task.sde();
    let mut rng = scidiff::rng(a.seed);
    let x0 = start_points(a.init.as_deref(), a.n, task.mixture().dim(), sde.as_ref(), &mut rng)?;
    let cfg = SamplerConfig { method, nfe: a.nfe, spacing, t_end: task.config.target.sde.t_end, eta: a.eta, snr: a.snr, ..SamplerConfig::default() };
    let device: DeviceChoice = a.device.parse()?;
    let (x, steps) = dispatch(device, SampleJob { task, dir: dir.clone(), cfg: cfg.clone(), x0, seed: a.seed })??;
    write_samples(&a.out, &x, &cfg, a.seed, sde.name(), steps, &format!("EMA weights of {}", dir.display()))
}
