//! `scidiff graph train` (GDSS's two score networks with the shared trainer) and
//! `scidiff graph sample --model DIR` (sampling a trained run).

use super::graph::{SampleArgs, SamplePlan, dataset_path, preset, sample_loop, trained_sample_settings, write_trained};
use anyhow::{Context, Result, bail};
use clap::Args;
use petgraph::graph::UnGraph;
use scidiff::graph::gdss::train::{GdssTask, GdssTaskConfig, load_trained, paper_train_config, quick_train_config};
use scidiff::graph::gdss::WeightKind;
use scidiff::graph::io::{GraphList, ValidateOptions, remove_isolated};
use scidiff::train::device::{BackendTask, DeviceChoice, dispatch};
use scidiff::train::trainer::{TrainConfig, TrainError, TrainReport, train};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Args)]
pub struct TrainArgs {
    /// community-small, ego-small, grid, enzymes, or a JSON graph list of your own (test split =
    /// first 20% in file order). Not needed with --resume.
    #[arg(long, required_unless_present = "resume")]
    dataset: Option<String>,
    /// quick (community-small in minutes on CPU) or paper (GDSS's 5000 epochs).
    #[arg(long, default_value = "quick")]
    preset: String,
    /// Run directory (checkpoint.bin, run.toml, metrics.jsonl).
    #[arg(long)]
    out: PathBuf,
    /// Train until this many steps in total (default: the preset's).
    #[arg(long)]
    steps: Option<u64>,
    /// Random seed (weights, batches, times, noise).
    #[arg(long)]
    seed: Option<u64>,
    /// cpu, cuda or cuda:N.
    #[arg(long, default_value = "cpu")]
    device: String,
    /// Continue the run in --out.
    #[arg(long)]
    resume: bool,
    /// Graph list of a named benchmark (default: datasets/graphs/<name>.json).
    #[arg(long)]
    data: Option<PathBuf>,
}

/// `run.toml`: the whole definition of a GDSS training run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct GraphRunFile {
    /// Seed.
    seed: u64,
    /// quick or paper.
    preset: String,
    /// The graph list trained on.
    data: PathBuf,
    /// Optimisation.
    train: TrainConfig,
    /// Model and data description.
    task: GdssTaskConfig,
}

fn read_run(dir: &Path) -> Result<GraphRunFile> {
    super::read_run_toml(dir, "a graph training run")
}

type Split = (Vec<UnGraph<(), ()>>, Vec<UnGraph<(), ()>>);

/// `(test, train)` of a graph list, isolated nodes removed (GDSS derives node flags from `A`).
fn load_graphs(path: &Path) -> Result<Split> {
    let list = GraphList::read_json(path).with_context(|| format!("reading graph list {}", path.display()))?;
    let (test, train) = list.split_test_train(ValidateOptions::default()).with_context(|| path.display().to_string())?;
    Ok((test.iter().map(remove_isolated).collect(), train.iter().map(remove_isolated).collect()))
}

/// Resolves `--dataset`: a benchmark name or a file; returns the task config and the data path.
fn new_task_config(dataset: &str, data: Option<&Path>) -> Result<(GdssTaskConfig, PathBuf, Split)> {
    let as_file = Path::new(dataset);
    if let Ok(p) = preset(dataset) {
        let path = dataset_path(p, data)?;
        let split = load_graphs(&path)?;
        let counts = split.1.iter().map(|g| g.node_count()).collect();
        return Ok((GdssTaskConfig::from_preset(p, counts), path, split));
    }
    if !as_file.is_file() {
        bail!("--dataset '{dataset}' is neither a benchmark (community-small, ego-small, grid, enzymes) nor a graph-list file");
    }
    let split = load_graphs(as_file)?;
    let all: Vec<_> = split.0.iter().chain(&split.1).cloned().collect();
    Ok((GdssTaskConfig::custom(dataset, &all, &split.1), as_file.to_path_buf(), split))
}

/// Training GDSS's networks on the chosen backend (generic graphs and molecules alike).
pub(super) struct TrainJob {
    pub task: GdssTask,
    pub cfg: TrainConfig,
    pub dir: PathBuf,
    pub seed: u64,
    pub resume: bool,
}

impl BackendTask for TrainJob {
    type Output = Result<TrainReport, TrainError>;
    fn run<B: burn::tensor::backend::AutodiffBackend>(self, device: B::Device) -> Self::Output {
        train::<B, GdssTask>(&self.task, &self.cfg, &self.dir, self.seed, self.resume, &device, true)
    }
}

pub fn train_cmd(a: TrainArgs) -> Result<()> {
    let device: DeviceChoice = a.device.parse()?;
    let dir = a.out.clone();
    let (run, split) = if a.resume {
        let mut run = read_run(&dir)?;
        if let Some(s) = a.seed.filter(|&s| s != run.seed) {
            bail!("--seed {s} differs from the run's seed {} (a resumed run keeps its seed)", run.seed);
        }
        if let Some(d) = a.dataset.as_deref().filter(|&d| d != run.task.dataset) {
            bail!("--dataset {d} differs from the run's data set {}", run.task.dataset);
        }
        run.train.steps = a.steps.unwrap_or(run.train.steps);
        let split = load_graphs(&run.data)?;
        (run, split)
    } else {
        if dir.join("checkpoint.bin").exists() {
            bail!("{} already holds a run; add --resume to continue it", dir.display());
        }
        let (task, data, split) = new_task_config(a.dataset.as_deref().expect("clap"), a.data.as_deref())?;
        let mut train = match a.preset.as_str() {
            "quick" => quick_train_config(&task.preset, split.1.len()),
            "paper" => paper_train_config(&task.preset, split.1.len()),
            p => bail!("unknown --preset '{p}' (expected quick or paper)"),
        };
        train.steps = a.steps.unwrap_or(train.steps);
        let run = GraphRunFile { seed: a.seed.unwrap_or(0), preset: a.preset.clone(), data, train, task };
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        std::fs::write(dir.join("run.toml"), toml::to_string(&run)?)?;
        (run, split)
    };
    let task = GdssTask::new(run.task.clone(), &split.1, &split.0)?;
    eprintln!(
        "training GDSS on {} ({} train / {} test graphs, N_max {}, F {}) on {device}: {} preset, to step {}, batch {}, seed {}",
        run.task.dataset,
        split.1.len(),
        split.0.len(),
        run.task.max_node_num,
        run.task.max_feat_num,
        run.preset,
        run.train.steps,
        run.train.batch_size,
        run.seed
    );
    let t0 = Instant::now();
    let report = dispatch(device, TrainJob { task, cfg: run.train.clone(), dir: dir.clone(), seed: run.seed, resume: a.resume })??;
    println!(
        "steps {}..{}: last loss {:.4}, EMA test loss {}, {:.2} steps/s, {:.0} s -> {}",
        report.start_step,
        report.steps,
        report.last_loss,
        report.val_loss.map(|v| format!("{v:.4}")).unwrap_or("-".into()),
        report.steps_per_sec,
        t0.elapsed().as_secs_f64(),
        dir.display()
    );
    Ok(())
}

struct SampleJob {
    task: GdssTask,
    dir: PathBuf,
    ema: bool,
    plan: SamplePlan,
}

impl BackendTask for SampleJob {
    type Output = Result<Vec<UnGraph<(), ()>>>;
    fn run<B: burn::tensor::backend::AutodiffBackend>(self, device: B::Device) -> Self::Output {
        let nets = load_trained::<B>(&self.task, &self.dir, self.ema, &device)?;
        let mut model = self.task.sampler_model(nets);
        sample_loop(&mut model, &self.plan, &device)
    }
}

/// `scidiff graph sample --model DIR`.
pub fn sample_trained(dir: &Path, a: &SampleArgs) -> Result<()> {
    let run = read_run(dir)?;
    let p = run.task.sampling_preset();
    let (sampler, kind, o) = trained_sample_settings(a, &p)?;
    let device: DeviceChoice = o.device.parse()?;
    if run.task.train_node_counts.is_empty() {
        bail!("{}: run.toml stores no training node counts", dir.display());
    }
    let test_size = run.task.train_node_counts.len() / 4; // test = 20% of all = 1/4 of train
    let n = o.n.unwrap_or(test_size.max(1));
    if n == 0 {
        bail!("--n must be at least 1");
    }
    let plan = SamplePlan {
        sampler: sampler.clone(),
        counts: run.task.train_node_counts.clone(),
        n,
        batch: o.batch.unwrap_or(n),
        n_max: run.task.max_node_num,
        seed: o.seed,
        name: run.task.dataset.clone(),
    };
    let task = GdssTask::for_weights(run.task.clone())?;
    let start = Instant::now();
    let graphs = dispatch(device, SampleJob { task, dir: dir.to_path_buf(), ema: kind == WeightKind::Ema, plan })??;
    let wall = start.elapsed().as_secs_f64();
    let desc = sampler.describe();
    let source = format!("scidiff graph sample: model {}, {kind:?} weights, {desc}, seed {}, {wall:.1} s", dir.display(), o.seed);
    write_trained(&graphs, &o, &run.task.dataset, source, &format!("{desc}, {kind:?} weights, seed {}, {wall:.1} s", o.seed))
}
