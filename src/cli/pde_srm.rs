//! `scidiff pde train --arch srm` and `scidiff pde superres`: WDNO's super-resolution model
//! (brief §5.1) on Burgers data sets. The method lives in `scidiff::pde::wdno::srm`.

use super::pde_wdno::{SampleFlags, WdnoTrainArgs, options, read_uf, train_defaults};
use anyhow::{Result, bail};
use clap::Args;
use ndarray::{Array2, Array3, Axis, s};
use scidiff::io::{Attr, H5Writer, read_array};
use scidiff::pde::wdno::run::{SampleOptions, Weights};
use scidiff::pde::wdno::srm::run::load_srm;
use scidiff::pde::wdno::srm::{SrmConfig, SrmData, SrmRun, SrmTask, superresolve};
use scidiff::train::device::{BackendTask, dispatch};
use scidiff::train::trainer::{TrainConfig, TrainError, TrainReport, train};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Args)]
pub struct SuperresArgs {
    /// SRM directory from `pde train --arch srm`.
    #[arg(long)]
    model: PathBuf,
    /// Coarse trajectories `u` [N, nt+1, nx] (e.g. from `pde simulate`, or a data file).
    #[arg(long)]
    input: PathBuf,
    /// The given data at the output resolution: `u0 = u[:, 0]` and `f` [N, nt·2^K, nx·2^K]
    /// (e.g. the fine file of `pde generate --config fine.toml`); `u[:, 1..]` is not read.
    #[arg(long)]
    conditions: PathBuf,
    /// Refinement stages K, each 2x in t and x (above the training resolutions: zero-shot).
    #[arg(long, default_value_t = 1)]
    stages: usize,
    /// Output HDF5: `u` at the final resolution (and `u_stage{k}` for earlier stages).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    sampling: SampleFlags,
}

struct TrainJob {
    task: SrmTask,
    cfg: TrainConfig,
    dir: PathBuf,
    seed: u64,
    resume: bool,
}

impl BackendTask for TrainJob {
    type Output = Result<TrainReport, TrainError>;
    fn run<B: burn::tensor::backend::AutodiffBackend>(self, device: B::Device) -> Self::Output {
        train::<B, SrmTask>(&self.task, &self.cfg, &self.dir, self.seed, self.resume, &device, true)
    }
}

fn run_file(a: &WdnoTrainArgs, grid: [usize; 2]) -> Result<SrmRun> {
    let mut run = if a.resume {
        let run = SrmRun::load(&a.out)?;
        if run.seed != a.seed {
            bail!("--seed {} differs from the run's seed {} (a resumed run keeps its seed)", a.seed, run.seed);
        }
        if run.grid != grid {
            bail!("{}: the run was trained on {:?} data, --data is {grid:?}", a.out.display(), run.grid);
        }
        run
    } else {
        let steps = if a.preset == "small" { 2000 } else { 250_000 };
        SrmRun { seed: a.seed, data: a.data.display().to_string(), grid, train: train_defaults(&a.preset, steps), srm: SrmConfig::preset(&a.preset)? }
    };
    run.train.steps = a.steps.unwrap_or(run.train.steps);
    run.train.batch_size = a.batch_size.unwrap_or(run.train.batch_size);
    run.train.lr.peak = a.lr.unwrap_or(run.train.lr.peak);
    if !a.resume {
        run.train.lr.decay_steps = run.train.steps;
        run.train.lr.warmup = 100.min(run.train.steps / 10);
    }
    if run.train.batch_size == 0 || run.train.steps == 0 {
        bail!("--steps and --batch-size must be at least 1");
    }
    Ok(run)
}

pub fn train_cmd(a: WdnoTrainArgs) -> Result<()> {
    if a.conditioning != "both" && a.conditioning != "simulation" {
        bail!("the super-resolution model refines simulations (--conditioning {} does not apply)", a.conditioning);
    }
    let (u, f) = read_uf(&a.data, None)?;
    let run = run_file(&a, [f.dim().1, f.dim().2])?;
    if !a.resume && a.out.join("checkpoint.bin").exists() {
        bail!("{} already holds a run; add --resume to continue it", a.out.display());
    }
    let data = Arc::new(SrmData::pack(&run.srm, u.view(), f.view())?);
    for (i, level) in data.levels().iter().enumerate() {
        let (ft, fx) = level.fine_grid();
        let (ct, cx) = level.coarse_grid();
        let m: Vec<String> = data.channel_max(i).iter().map(|v| format!("{v:.2}")).collect();
        eprintln!("pair {}x{fx} <- {}x{cx} on a {:?} canvas; max |scaled value| per channel: [{}]", ft + 1, ct + 1, level.shape(), m.join(", "));
    }
    let task = SrmTask::new(run.srm.clone(), data)?;
    if !a.resume {
        std::fs::create_dir_all(&a.out)?;
        std::fs::write(a.out.join("run.toml"), toml::to_string(&run)?)?;
    }
    eprintln!("training the SRM ({}) on {} to step {} (batch {}, seed {}) in {}", a.preset, a.device, run.train.steps, run.train.batch_size, run.seed, a.out.display());
    let job = TrainJob { task, cfg: run.train.clone(), dir: a.out.clone(), seed: run.seed, resume: a.resume };
    let report = dispatch(a.device.parse()?, job)??;
    println!(
        "srm: steps {}..{}: last loss {:.5}, EMA validation loss {}, {:.2} steps/s -> {}",
        report.start_step,
        report.steps,
        report.last_loss,
        report.val_loss.map(|v| format!("{v:.5}")).unwrap_or("-".into()),
        report.steps_per_sec,
        a.out.display()
    );
    Ok(())
}

struct SrJob {
    dir: PathBuf,
    run: SrmRun,
    weights: Weights,
    opts: SampleOptions,
    stages: usize,
    coarse: Array3<f64>,
    u0: Array2<f64>,
    f: Array3<f64>,
}

impl BackendTask for SrJob {
    type Output = Result<Vec<Array3<f64>>>;
    fn run<B: burn::tensor::backend::AutodiffBackend>(self, device: B::Device) -> Self::Output {
        let net = load_srm::<B::InnerBackend>(&self.dir, &self.run, self.weights, &device)?;
        let calls = (self.coarse.dim().0.div_ceil(self.opts.batch) * self.stages * self.opts.steps) as u64;
        let pb = super::progress(calls, "srm superres");
        let out = superresolve(&net, &self.run.srm, self.coarse.view(), self.u0.view(), self.f.view(), self.stages, &self.opts, &device, Some(&pb))?;
        pb.finish_and_clear();
        Ok(out)
    }
}

pub fn superres_cmd(a: SuperresArgs) -> Result<()> {
    let run = SrmRun::load(&a.model)?;
    let (opts, weights) = options(&a.sampling)?;
    let coarse: Array3<f64> = read_array(&a.input, "u", Some(3))?.into_dimensionality()?;
    let (fine, f) = read_uf(&a.conditions, None)?;
    let n = a.sampling.limit.unwrap_or(usize::MAX).min(coarse.dim().0);
    if n == 0 || fine.dim().0 < n {
        bail!("{} has {} trajectories, {} has {} (need at least 1, and conditions for each)", a.input.display(), coarse.dim().0, a.conditions.display(), fine.dim().0);
    }
    let coarse = coarse.slice(s![..n, .., ..]).to_owned();
    let u0 = fine.slice(s![..n, 0, ..]).to_owned();
    let f = f.slice(s![..n, .., ..]).to_owned();
    let from = coarse.dim();
    let t0 = std::time::Instant::now();
    let job = SrJob { dir: a.model.clone(), run, weights, opts: opts.clone(), stages: a.stages, coarse, u0, f };
    let outs = dispatch(a.sampling.device.parse()?, job)??;
    let secs = t0.elapsed().as_secs_f64();
    let mut w = H5Writer::create(&a.out)?;
    let last = outs.len() - 1;
    w.dataset("u", outs[last].view().into_dyn())?;
    for (k, u) in outs[..last].iter().enumerate() {
        w.dataset(&format!("u_stage{}", k + 1), u.view().into_dyn())?;
    }
    w.attr("model", Attr::Str(a.model.display().to_string()))?
        .attr("input", Attr::Str(a.input.display().to_string()))?
        .attr("conditions", Attr::Str(a.conditions.display().to_string()))?
        .attr("stages", Attr::I64(a.stages as i64))?
        .attr("sampler", Attr::Str(opts.sampler.clone()))?
        .attr("steps", Attr::I64(opts.steps as i64))?
        .attr("eta", Attr::F64(opts.eta))?
        .attr("seed", Attr::I64(opts.seed as i64))?
        .attr("weights", Attr::Str(a.sampling.weights.clone()))?;
    w.finish()?;
    let out = outs[last].index_axis(Axis(0), 0).dim();
    eprintln!("super-resolved {n} trajectories {}x{} -> {}x{} ({} stage(s)) in {secs:.1} s -> {}", from.1, from.2, out.0, out.1, a.stages, a.out.display());
    Ok(())
}
