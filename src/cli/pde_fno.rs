//! `scidiff pde train --arch fno` and `pde simulate` on an FNO model directory: the Fourier
//! neural operator baseline of issue "PDE module II" in the same harness as WDNO. The method
//! lives in `scidiff::pde::fno`.

use super::pde_wdno::{SimulateArgs, WdnoTrainArgs, data_preset, options, read_uf, small_or_paper};
use anyhow::{Result, bail};
use ndarray::{Array2, Array3, Axis};
use scidiff::io::{Attr, H5Writer};
use scidiff::pde::fno::FnoConfig;
use scidiff::pde::fno::run::{FnoRun, load_net};
use scidiff::pde::fno::task::{FnoData, FnoTask, predict};
use scidiff::pde::wdno::run::Weights;
use scidiff::train::device::{BackendTask, dispatch};
use scidiff::train::schedule::LrSchedule;
use scidiff::train::trainer::{TrainConfig, TrainError, TrainReport, train};
use std::path::PathBuf;
use std::sync::Arc;

/// FNO optimisation defaults (Li et al. train with Adam 1e-3; cosine decay here, batch 16).
fn defaults(steps: u64) -> TrainConfig {
    TrainConfig {
        steps,
        batch_size: 16,
        lr: LrSchedule { peak: 1e-3, warmup: 100.min(steps / 10), decay_steps: steps, floor: 0.01, gamma: None },
        weight_decay: 0.0,
        grad_clip: Some(1.0),
        ema_decay: 0.995,
        checkpoint_every: 500,
        validate_every: 250,
        log_every: 50,
        accumulate: 1,
    }
}

struct Job {
    task: FnoTask,
    cfg: TrainConfig,
    dir: PathBuf,
    seed: u64,
    resume: bool,
}

impl BackendTask for Job {
    type Output = Result<TrainReport, TrainError>;
    fn run<B: burn::tensor::backend::AutodiffBackend>(self, device: B::Device) -> Self::Output {
        train::<B, FnoTask>(&self.task, &self.cfg, &self.dir, self.seed, self.resume, &device, true)
    }
}

fn run_file(a: &WdnoTrainArgs) -> Result<FnoRun> {
    if a.resume {
        let mut run = FnoRun::load(&a.out)?;
        if run.seed != a.seed {
            bail!("--seed {} differs from the run's seed {} (a resumed run keeps its seed)", a.seed, run.seed);
        }
        run.train.steps = a.steps.unwrap_or(run.train.steps);
        return Ok(run);
    }
    let steps = a.steps.unwrap_or(if a.preset == "small" { 2000 } else { 20_000 });
    let burgers = data_preset(&a.data, small_or_paper(&a.preset)?);
    let mut train = defaults(steps);
    train.batch_size = a.batch_size.unwrap_or(16);
    train.lr.peak = a.lr.unwrap_or(train.lr.peak);
    Ok(FnoRun { seed: a.seed, data: a.data.display().to_string(), burgers, train, fno: FnoConfig::preset(&a.preset)? })
}

pub fn train_cmd(a: WdnoTrainArgs) -> Result<()> {
    if a.conditioning != "both" && a.conditioning != "simulation" {
        bail!("an FNO only simulates (--conditioning {} does not apply)", a.conditioning);
    }
    let run = run_file(&a)?;
    if run.train.batch_size == 0 || run.train.steps == 0 {
        bail!("--steps and --batch-size must be at least 1");
    }
    let (u, f) = read_uf(&a.data, None)?;
    let data = Arc::new(FnoData::new(&run.fno, u.view(), f.view())?);
    let task = FnoTask::new(run.fno.clone(), data)?;
    if !a.resume {
        if a.out.join("checkpoint.bin").exists() {
            bail!("{} already holds a run; add --resume to continue it", a.out.display());
        }
        std::fs::create_dir_all(&a.out)?;
        std::fs::write(a.out.join("run.toml"), toml::to_string(&run)?)?;
    }
    let device = a.device.parse()?;
    eprintln!("training FNO ({} preset, width {}, modes {:?}) on {device} to step {} (batch {}, seed {}) in {}", a.preset, run.fno.width, run.fno.modes, run.train.steps, run.train.batch_size, run.seed, a.out.display());
    let r = dispatch(device, Job { task, cfg: run.train.clone(), dir: a.out.clone(), seed: run.seed, resume: a.resume })??;
    let val = r.val_loss.map(|v| format!("{v:.4e}")).unwrap_or("-".into());
    println!("fno: steps {}..{}: last loss {:.4e}, EMA MSE on 64 training trajectories {val}, {:.2} steps/s -> {}", r.start_step, r.steps, r.last_loss, r.steps_per_sec, a.out.display());
    Ok(())
}

struct SimJob {
    dir: PathBuf,
    run: FnoRun,
    cfg: FnoConfig,
    weights: Weights,
    batch: usize,
    u0: Array2<f64>,
    f: Array3<f64>,
}

impl BackendTask for SimJob {
    type Output = Result<Array3<f64>>;
    fn run<B: burn::tensor::backend::AutodiffBackend>(self, device: B::Device) -> Self::Output {
        let net = load_net::<B>(&self.dir, &self.run, self.weights, &device)?;
        let pb = super::progress(self.u0.nrows().div_ceil(self.batch.max(1)) as u64, "fno simulate");
        let u = predict::<B::InnerBackend>(&net, &self.cfg, self.u0.view(), self.f.view(), self.batch, &device, Some(&pb))?;
        pb.finish_and_clear();
        Ok(u)
    }
}

pub fn simulate_cmd(a: SimulateArgs) -> Result<()> {
    let run = FnoRun::load(&a.model)?;
    let (_, weights) = options(&a.sampling)?;
    let s = &a.sampling;
    if s.sampler != "ddim" || s.steps != 25 || s.eta != 1.0 || s.seed != 0 {
        eprintln!("note: the FNO is a deterministic regression model; --sampler, --steps, --eta and --seed do not apply and are ignored");
    }
    let (u, f) = read_uf(&a.input, a.sampling.limit)?;
    let cfg = if (u.dim().1, u.dim().2) == (run.fno.nt + 1, run.fno.nx) {
        run.fno.clone()
    } else {
        let c = run.fno.at_resolution(u.dim().1 - 1, u.dim().2).map_err(|e| anyhow::anyhow!("{}: {e}", a.input.display()))?;
        eprintln!("zero-shot: the FNO trained at {}x{} predicts at {}x{} (padding {:?})", run.fno.nt + 1, run.fno.nx, c.nt + 1, c.nx, c.pad);
        c
    };
    let u0 = u.index_axis(Axis(1), 0).to_owned();
    let t0 = std::time::Instant::now();
    let job = SimJob { dir: a.model.clone(), run, cfg, weights, batch: a.sampling.batch, u0, f };
    let pred = dispatch(a.sampling.device.parse()?, job)??;
    let secs = t0.elapsed().as_secs_f64();
    let mut w = H5Writer::create(&a.out)?;
    w.dataset("u", pred.view().into_dyn())?;
    w.attr("model", Attr::Str(a.model.display().to_string()))?.attr("input", Attr::Str(a.input.display().to_string()))?.attr("arch", Attr::Str("fno".into()))?.attr("weights", Attr::Str(a.sampling.weights.clone()))?;
    w.finish()?;
    eprintln!("simulated {} trajectories with the FNO in {secs:.2} s -> {}", pred.dim().0, a.out.display());
    Ok(())
}
