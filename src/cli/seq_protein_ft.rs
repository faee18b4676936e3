//! `scidiff seq finetune --track protein`: DRAKES reward fine-tuning of ProteinMPNN on the
//! offline protein track (`scidiff::protein::finetune`), through the shared trainer
//! (checkpoints, exact resume, progress bar, metrics.jsonl). The output directory is accepted
//! by `seq design --weights DIR` and `seq design-eval --weights DIR`.

use anyhow::{Context, Result, bail};
use burn::module::AutodiffModule;
use burn::tensor::backend::AutodiffBackend;
use scidiff::protein::Backbone;
use scidiff::protein::dataset::{self, Split};
use scidiff::protein::energy::Energy;
use scidiff::protein::finetune::task::pretrained_copy;
use scidiff::protein::finetune::{ProteinDrakesConfig, ProteinDrakesTask, preset};
use scidiff::train::device::{BackendTask, DeviceChoice, dispatch_with};
use scidiff::train::trainer::{TrainConfig, TrainReport, checkpoint_path, train};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

use super::seq_finetune::FinetuneArgs;

/// `run.toml` of a fine-tuned protein model.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProteinRun {
    method: String,
    /// Protein data directory (backbones, AAindex).
    data: PathBuf,
    /// The pretrained `.pt` it started from.
    pretrained: PathBuf,
    preset: String,
    seed: u64,
    protein: ProteinDrakesConfig,
    train: TrainConfig,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    protein: Option<ProteinDrakesConfig>,
    train: Option<TrainConfig>,
}

fn new_run(a: &FinetuneArgs) -> Result<ProteinRun> {
    if a.method != "drakes" {
        bail!("unknown method {:?}: `seq finetune` trains drakes; best-of-K is `seq design --best-of K`", a.method);
    }
    if a.oracle.is_some() {
        bail!("--oracle is a DNA option (the protein reward is --reward mj)");
    }
    if checkpoint_path(&a.out).exists() {
        bail!("{} already holds a model; add --resume to continue it", a.out.display());
    }
    let data = dataset::default_dir();
    let pretrained = a.model.clone().unwrap_or_else(dataset::default_weights);
    if !pretrained.is_file() {
        bail!("ProteinMPNN weights {} not found: run `bash datasets/fetch_protein.sh` or pass --model FILE.pt", pretrained.display());
    }
    let (mut protein, mut train) = preset(&a.preset, a.steps).map_err(anyhow::Error::msg)?;
    if let Some(p) = &a.config {
        let file: ConfigFile = super::seq::read_toml(p)?;
        protein = file.protein.unwrap_or(protein);
        train = file.train.unwrap_or(train);
    }
    if let Some(r) = &a.reward {
        protein.reward = r.clone();
    }
    a.apply_overrides(&mut protein.alpha, &mut protein.kl_estimator, &mut train)?;
    protein.validate().map_err(|e| anyhow::anyhow!("invalid protein DRAKES configuration: {e}"))?;
    Ok(ProteinRun { method: a.method.clone(), data: std::path::absolute(data)?, pretrained: std::path::absolute(pretrained)?, preset: a.preset.clone(), seed: a.seed.unwrap_or(0), protein, train })
}

fn read_run(dir: &Path) -> Result<ProteinRun> {
    let p = dir.join("run.toml");
    let text = std::fs::read_to_string(&p).with_context(|| format!("reading {}", p.display()))?;
    toml::from_str(&text).map_err(|e| anyhow::anyhow!("{} is not a protein fine-tune run: {}", p.display(), e.message()))
}

fn train_backbones(data: &Path) -> Result<Vec<Backbone>> {
    dataset::backbones(data, Split::Train)?.iter().map(|p| Ok(Backbone::read(p, None)?)).collect()
}

struct Job {
    run: ProteinRun,
    dir: PathBuf,
    resume: bool,
}

impl BackendTask for Job {
    type Output = Result<(TrainReport, f64)>;
    fn run<B: AutodiffBackend>(self, device: B::Device) -> Self::Output {
        let bytes = std::fs::read(pretrained_copy(&self.dir)).with_context(|| format!("reading {}", pretrained_copy(&self.dir).display()))?;
        let energy = Energy::load(&self.run.data, &self.run.protein.reward)?;
        let backbones = train_backbones(&self.run.data)?;
        let task = ProteinDrakesTask::<B>::new(self.run.protein.clone(), bytes, &backbones, energy, &device)?;
        B::seed(&device, self.run.seed);
        let before = task.validation_reward(&scidiff::train::trainer::Task::init_model(&task, &device).valid(), self.run.seed);
        let report = train::<B, ProteinDrakesTask<B>>(&task, &self.run.train, &self.dir, self.run.seed, self.resume, &device, true)?;
        Ok((report, before))
    }
}

/// `seq finetune --track protein`.
pub fn finetune_protein(a: FinetuneArgs) -> Result<()> {
    let device: DeviceChoice = a.device.parse()?;
    let run = if a.resume {
        let mut run = read_run(&a.out)?;
        run.train.steps = super::seq::resumed_steps(a.seed, run.seed, a.steps, run.train.steps)?;
        run
    } else {
        let run = new_run(&a)?;
        std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
        let tmp = a.out.join("pretrained.pt.tmp");
        std::fs::copy(&run.pretrained, &tmp)?;
        std::fs::rename(&tmp, pretrained_copy(&a.out))?;
        run
    };
    std::fs::write(a.out.join("run.toml"), toml::to_string(&run)?)?;
    let (c, t) = (&run.protein, &run.train);
    eprintln!(
        "protein DRAKES fine-tune ({} reward, {:?} KL, α {}) of {} on {device}: {} grid points, last {} transitions relaxed (τ {}), T {}, {} backbones × {} designs per step, to step {} (seed {})",
        c.reward, c.kl_estimator, c.alpha, run.pretrained.display(), c.grid, c.truncate, c.tau, c.temperature, t.batch_size, c.designs_per_backbone, t.steps, run.seed
    );
    let t0 = std::time::Instant::now();
    let (report, before) = dispatch_with(device, a.checkpointing, Job { run: run.clone(), dir: a.out.clone(), resume: a.resume })??;
    let after = report.val_loss.map(|v| format!("{:.4}", -v)).unwrap_or("-".into());
    let what = format!("mean {} reward of {} × {} validation designs", c.reward, c.validate_backbones, c.validate_samples);
    super::seq_finetune::print_summary(&report, &what, (before, after), t0, &a);
    Ok(())
}
