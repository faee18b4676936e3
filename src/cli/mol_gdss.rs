//! `scidiff mol train` (GDSS's molecule models with the shared trainer) and `scidiff mol sample`
//! (a trained run or GDSS's released QM9 checkpoint → SMILES, with and without correction).

use super::graph::{SamplerOpts, sampler_from_args, weight_kind};
use super::graph_train::TrainJob;
use anyhow::{Context, Result, bail};
use clap::Args;
use scidiff::graph::gdss::train::{GdssTask, GdssTaskConfig, load_trained};
use scidiff::graph::gdss::{GdssCheckpoint, GdssModel, GdssPreset, GraphSampler, GraphState, WeightKind, sample_graph_batch};
use scidiff::graph::mol::dataset::MolData;
use scidiff::graph::mol::encode::{GdssDecoded, validity_fractions};
use scidiff::graph::mol::gdss::{decode_batch, dense_molecules, mol_paper_train_config, mol_preset, mol_quick_train_config, mol_task_config, vocab_for};
use scidiff::graph::mol::write_smiles;
use scidiff::train::device::{BackendTask, DeviceChoice, dispatch};
use scidiff::train::trainer::TrainConfig;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Test molecules used for the validation loss (the whole QM9 test split fits; MOSES's does not).
const MAX_VALIDATION: usize = 4096;

#[derive(Args)]
pub struct TrainArgs {
    /// qm9 or moses (not needed with --resume).
    #[arg(long, required_unless_present = "resume")]
    dataset: Option<String>,
    /// quick (QM9 in minutes on 2 CPU cores) or paper (GDSS: batch 1024, 300 epochs).
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
    /// Data directory of `datasets/fetch_mol.sh` (default $SCIDIFF_DATA/mol or ~/.cache/scidiff/mol).
    #[arg(long)]
    data: Option<PathBuf>,
}

/// `run.toml` of a molecule run.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct MolRunFile {
    seed: u64,
    preset: String,
    data: Option<PathBuf>,
    train: TrainConfig,
    task: GdssTaskConfig,
}

fn read_run(dir: &Path) -> Result<MolRunFile> {
    super::read_run_toml(dir, "a molecule training run")
}

fn mol_gdss_preset(dataset: &str) -> Result<&'static GdssPreset> {
    mol_preset(dataset).with_context(|| format!("unknown molecule dataset '{dataset}' (qm9 or moses)"))
}

/// Dense training and (capped) test tensors of a data set.
fn dense_split(p: &GdssPreset, train: &MolData, test: &MolData) -> Result<(scidiff::graph::gdss::train::DenseGraphs, scidiff::graph::gdss::train::DenseGraphs)> {
    let vocab = vocab_for(p);
    let enc = |d: &[scidiff::graph::mol::Molecule], what: &str| {
        dense_molecules(d, &vocab, p.max_node_num).map_err(|(i, e)| anyhow::anyhow!("{what} molecule {i}: {e}"))
    };
    let test_n = test.molecules.len().min(MAX_VALIDATION);
    Ok((enc(&train.molecules, "training")?, enc(&test.molecules[..test_n], "test")?))
}

fn new_run(a: &TrainArgs, p: &GdssPreset, train_data: &MolData) -> Result<MolRunFile> {
    let counts = train_data.molecules.iter().map(|m| m.num_atoms()).collect();
    let mut train = match a.preset.as_str() {
        "quick" => mol_quick_train_config(),
        "paper" => mol_paper_train_config(train_data.molecules.len()),
        other => bail!("unknown --preset '{other}' (expected quick or paper)"),
    };
    train.steps = a.steps.unwrap_or(train.steps);
    Ok(MolRunFile { seed: a.seed.unwrap_or(0), preset: a.preset.clone(), data: a.data.clone(), train, task: mol_task_config(p, counts) })
}

/// `scidiff mol train`.
pub fn train_cmd(a: TrainArgs) -> Result<()> {
    let device: DeviceChoice = a.device.parse()?;
    let resumed = if a.resume { Some(read_run(&a.out)?) } else { None };
    if resumed.is_none() && a.out.join("checkpoint.bin").exists() {
        bail!("{} already holds a run; add --resume to continue it", a.out.display());
    }
    let (dataset, data) = match &resumed {
        Some(run) => (run.task.dataset.as_str(), run.data.as_deref()),
        None => (a.dataset.as_deref().expect("clap requires --dataset"), a.data.as_deref()),
    };
    let p = mol_gdss_preset(dataset)?;
    let (train_data, test_data) = super::mol::load(p.name, data)?;
    let run = match resumed {
        Some(mut run) => {
            if let Some(s) = a.seed.filter(|&s| s != run.seed) {
                bail!("--seed {s} differs from the run's seed {} (a resumed run keeps its seed)", run.seed);
            }
            run.train.steps = a.steps.unwrap_or(run.train.steps);
            run
        }
        None => {
            let run = new_run(&a, p, &train_data)?;
            std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
            std::fs::write(a.out.join("run.toml"), toml::to_string(&run)?)?;
            run
        }
    };
    let (dense_train, dense_test) = dense_split(p, &train_data, &test_data)?;
    let task = GdssTask::from_dense(run.task.clone(), dense_train, dense_test)?;
    eprintln!(
        "training GDSS on {} ({} train molecules, {} skipped; {} test for the loss; N_max {}, F {}) on {device}: {} preset, to step {}, batch {}, seed {}",
        p.name,
        train_data.molecules.len(),
        train_data.skipped.len(),
        test_data.molecules.len().min(MAX_VALIDATION),
        p.max_node_num,
        p.max_feat_num,
        run.preset,
        run.train.steps,
        run.train.batch_size,
        run.seed
    );
    let t0 = Instant::now();
    let report = dispatch(device, TrainJob { task, cfg: run.train.clone(), dir: a.out.clone(), seed: run.seed, resume: a.resume })??;
    println!(
        "steps {}..{}: last loss {:.4}, EMA test loss {}, {:.2} steps/s, {:.0} s -> {}",
        report.start_step,
        report.steps,
        report.last_loss,
        report.val_loss.map(|v| format!("{v:.4}")).unwrap_or("-".into()),
        report.steps_per_sec,
        t0.elapsed().as_secs_f64(),
        a.out.display()
    );
    Ok(())
}

#[derive(Args)]
pub struct SampleArgs {
    /// Run directory of `scidiff mol train`.
    #[arg(long, required_unless_present = "checkpoint", conflicts_with = "checkpoint")]
    model: Option<PathBuf>,
    /// GDSS's released checkpoint (`gdss_qm9.pth`); node counts come from the QM9 training split.
    #[arg(long)]
    checkpoint: Option<PathBuf>,
    /// Data directory (with --checkpoint: where qm9.tsv is).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Number of molecules.
    #[arg(long, default_value_t = 1000)]
    n: usize,
    /// Molecules per batch (default: all at once, as GDSS).
    #[arg(long)]
    batch: Option<usize>,
    #[command(flatten)]
    opts: SamplerOpts,
    /// Random seed (atom counts, prior and sampler noise).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Device: cpu, or cuda[:N] for --model runs.
    #[arg(long, default_value = "cpu")]
    device: String,
    /// Output: one SMILES a line as built, without correction (empty line: no atom was generated).
    #[arg(long)]
    out: PathBuf,
    /// Also write GDSS's valency-corrected largest fragments here (empty line: nothing survived).
    #[arg(long)]
    corrected: Option<PathBuf>,
}

/// Where the networks come from.
enum Weights {
    Run { task: GdssTask, dir: PathBuf },
    Released(Box<GdssCheckpoint>),
}

struct SampleJob {
    weights: Weights,
    kind: WeightKind,
    preset: GdssPreset,
    sampler: GraphSampler,
    counts: Vec<usize>,
    n: usize,
    batch: usize,
    seed: u64,
}

impl BackendTask for SampleJob {
    type Output = Result<Vec<GdssDecoded>>;
    fn run<B: burn::tensor::backend::AutodiffBackend>(self, device: B::Device) -> Self::Output {
        let mut model: GdssModel<B::InnerBackend> = match &self.weights {
            Weights::Run { task, dir } => task.sampler_model(load_trained::<B>(task, dir, self.kind == WeightKind::Ema, &device)?),
            Weights::Released(ck) => GdssModel::from_checkpoint(ck, self.kind, &self.preset, &device)?,
        };
        let vocab = vocab_for(&self.preset);
        let mut rng = scidiff::rng(self.seed);
        let mut out = Vec::with_capacity(self.n);
        while out.len() < self.n {
            let b = self.batch.max(1).min(self.n - out.len());
            let counts = GraphState::<B::InnerBackend>::sample_node_counts(&self.counts, b, &mut rng);
            let pb = super::progress(self.sampler.nfe() as u64, &format!("molecules {}..{}", out.len(), out.len() + b));
            let s = sample_graph_batch(&mut model, &self.sampler, &counts, self.preset.max_node_num, &mut rng, Some(&pb), &device)?;
            pb.finish_and_clear();
            let (n, f) = (self.preset.max_node_num, self.preset.max_feat_num);
            let x: Vec<f32> = s.x.x.into_data().to_vec().map_err(|e| anyhow::anyhow!("{e:?}"))?;
            let adj: Vec<f32> = s.x.adj.into_data().to_vec().map_err(|e| anyhow::anyhow!("{e:?}"))?;
            out.extend(decode_batch(&x, &adj, (b, n, f), &vocab));
        }
        Ok(out)
    }
}

/// `scidiff mol sample`.
pub fn sample_cmd(a: SampleArgs) -> Result<()> {
    if a.n == 0 {
        bail!("--n must be at least 1");
    }
    let (weights, preset, counts, source) = match (&a.model, &a.checkpoint) {
        (Some(dir), _) => {
            let run = read_run(dir)?;
            let p = run.task.sampling_preset();
            let counts = run.task.train_node_counts.clone();
            let task = GdssTask::for_weights(run.task)?;
            (Weights::Run { task, dir: dir.clone() }, p, counts, format!("model {}", dir.display()))
        }
        (None, Some(ck)) => {
            let p = mol_preset("qm9").expect("qm9 preset").clone();
            let loaded = GdssCheckpoint::load(ck).with_context(|| format!("loading {}", ck.display()))?;
            let (train, _) = super::mol::load("qm9", a.data.as_deref())?;
            let counts = train.molecules.iter().map(|m| m.num_atoms()).collect();
            (Weights::Released(Box::new(loaded)), p, counts, format!("released checkpoint {}", ck.display()))
        }
        (None, None) => bail!("give --model DIR or --checkpoint gdss_qm9.pth"),
    };
    if counts.is_empty() {
        bail!("no training atom counts to draw molecule sizes from");
    }
    let sampler = sampler_from_args(&a.opts, &preset)?;
    let kind = weight_kind(&a.opts, &preset)?;
    let device: DeviceChoice = a.device.parse()?;
    let desc = sampler.describe();
    eprintln!("sampling {} molecules from {source} ({kind:?} weights, {desc}, seed {}) on {device}", a.n, a.seed);
    let t0 = Instant::now();
    let job = SampleJob { weights, kind, preset, sampler, counts, n: a.n, batch: a.batch.unwrap_or(a.n), seed: a.seed };
    let decoded = dispatch(device, job)??;
    write_outputs(&decoded, &a.out, a.corrected.as_deref())?;
    report(&decoded, t0.elapsed().as_secs_f64());
    Ok(())
}

fn write_outputs(decoded: &[GdssDecoded], out: &Path, corrected: Option<&Path>) -> Result<()> {
    let raw: Vec<String> = decoded.iter().map(|d| if d.raw.num_atoms() == 0 { String::new() } else { write_smiles(&d.raw) }).collect();
    std::fs::write(out, raw.join("\n") + "\n").with_context(|| format!("cannot write {}", out.display()))?;
    if let Some(path) = corrected {
        let fixed: Vec<String> = decoded.iter().map(|d| d.corrected.as_ref().map(write_smiles).unwrap_or_default()).collect();
        std::fs::write(path, fixed.join("\n") + "\n").with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

fn report(decoded: &[GdssDecoded], wall: f64) {
    let n = decoded.len().max(1) as f64;
    let empty = decoded.iter().filter(|d| d.raw.num_atoms() == 0).count();
    let ok = decoded.iter().filter(|d| d.valid_without_correction && d.raw.num_atoms() > 0).count();
    let survivors = decoded.iter().filter(|d| d.corrected.is_some()).count();
    let (gdss_ratio, _) = validity_fractions(decoded);
    println!(
        "{} molecules in {wall:.1} s: valid w/o correction {:.2}% of all ({:.2}% of the {survivors} that survive correction, GDSS's denominator), {empty} empty, {} lost in correction",
        decoded.len(),
        100.0 * ok as f64 / n,
        100.0 * gdss_ratio,
        decoded.len() - survivors
    );
}
