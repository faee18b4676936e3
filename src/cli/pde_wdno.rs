//! `scidiff pde train|simulate|eval|control`: the WDNO model on Burgers data sets written by
//! `scidiff pde generate --system burgers1d`. The method lives in `scidiff::pde::wdno`.

use anyhow::{Context, Result, bail};
use clap::Args;
use ndarray::{Array2, Array3, Axis, s};
use scidiff::io::{Attr, H5Writer, read_array, read_attr};
use scidiff::pde::fno::run::FnoRun;
use scidiff::pde::resample::{Upsample, upsample};
use scidiff::pde::solvers::burgers::BurgersPreset;
use scidiff::pde::wdno::control::{GuidanceConfig, evaluate_control, simulation_metrics};
use scidiff::pde::wdno::pack::Layout;
use scidiff::pde::wdno::run::{RunFile, SampleOptions, Weights, control, load_net, resolve_model, simulate};
use scidiff::pde::wdno::task::{WdnoData, WdnoTask};
use scidiff::pde::wdno::config::Domain;
use scidiff::pde::wdno::{Conditioning, WdnoConfig};
use scidiff::train::device::{BackendTask, DeviceChoice, dispatch};
use scidiff::train::schedule::LrSchedule;
use scidiff::train::trainer::{TrainConfig, TrainError, TrainReport, train};
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Args)]
pub struct WdnoTrainArgs {
    /// Training data: Burgers (`u` [N, nt+1, nx], `f` [N, nt, nx]) from `pde generate --system
    /// burgers1d`, or smoke (`density`, `velocity`, `control`, `smoke`) from `--system smoke2d`
    /// (detected by its `density` dataset; trains the smoke WDNO).
    #[arg(long)]
    pub(super) data: PathBuf,
    /// small (41x60 data, dim-16 U-Net) or paper (81x120, dim 128).
    #[arg(long, default_value = "small")]
    pub(super) preset: String,
    /// Model directory.
    #[arg(long)]
    pub(super) out: PathBuf,
    /// Train until this many steps in total (default: the preset's).
    #[arg(long)]
    pub(super) steps: Option<u64>,
    /// Seed of weights, batches and noise.
    #[arg(long, default_value_t = 0)]
    pub(super) seed: u64,
    /// cpu, cuda or cuda:N.
    #[arg(long, default_value = "cpu")]
    pub(super) device: String,
    /// Continue the run(s) in --out up to --steps.
    #[arg(long)]
    pub(super) resume: bool,
    /// both (one network for simulation and control), separate (the paper's two networks, in
    /// OUT/simulation and OUT/control), simulation or control.
    #[arg(long, default_value = "both")]
    pub(super) conditioning: String,
    /// Examples per step (default 16, as WDNO).
    #[arg(long)]
    pub(super) batch_size: Option<usize>,
    /// Peak learning rate (default: the preset's).
    #[arg(long)]
    pub(super) lr: Option<f64>,
    /// wdno (the wavelet diffusion model), ddpm (the same diffusion in physical space, baseline),
    /// fno (the Fourier neural operator baseline) or srm (WDNO's super-resolution model, used by
    /// `pde superres`).
    #[arg(long, default_value = "wdno")]
    pub(super) arch: String,
    /// Smoke only: build the 3-D U-Net without its attention layers (the paper has them; this
    /// is a cheaper convolution-only network). Stored in run.toml.
    #[arg(long)]
    pub(super) no_attention: bool,
}

#[derive(Args)]
pub struct SampleFlags {
    /// ddim (WDNO's sampler) or a core sampler (dpm-solver++2m, deis-2, ...).
    #[arg(long, default_value = "ddim")]
    pub(super) sampler: String,
    /// DDIM steps (or model evaluations for a core sampler).
    #[arg(long, default_value_t = 25)]
    pub(super) steps: usize,
    /// DDIM's eta (WDNO: 1).
    #[arg(long, default_value_t = 1.0)]
    pub(super) eta: f64,
    /// Core samplers: clip x̂0 to [-1, 1] at every model evaluation, as WDNO's DDIM does
    /// (guards against an under-trained network's blow-up at high noise).
    #[arg(long)]
    pub(super) clip_x0: bool,
    /// Seed of the sampling noise.
    #[arg(long, default_value_t = 0)]
    pub(super) seed: u64,
    /// Trajectories per batch.
    #[arg(long, default_value_t = 25)]
    pub(super) batch: usize,
    /// Use only the first N trajectories of the input.
    #[arg(long)]
    pub(super) limit: Option<usize>,
    /// ema (default) or raw (the optimiser's weights, what WDNO evaluates).
    #[arg(long, default_value = "ema")]
    pub(super) weights: String,
    /// cpu, cuda or cuda:N.
    #[arg(long, default_value = "cpu")]
    pub(super) device: String,
}

#[derive(Args)]
pub struct SimulateArgs {
    /// Model directory from `pde train`.
    #[arg(long)]
    pub(super) model: PathBuf,
    /// Input: `u` (only u[:, 0, :] is used) and `f`.
    #[arg(long)]
    pub(super) input: PathBuf,
    /// Output HDF5 with the predicted `u` (same shape as the input's).
    #[arg(long)]
    pub(super) out: PathBuf,
    #[command(flatten)]
    pub(super) sampling: SampleFlags,
}

#[derive(Args)]
pub struct EvalArgs {
    /// Predictions from `pde simulate`: `u` (1-D), or `density`/`velocity`/`fraction` (smoke,
    /// compared on the model grid: the truth is subsampled by the layout the file stores).
    #[arg(long)]
    pred: PathBuf,
    /// Ground truth from `pde generate` (`u`, or the smoke datasets).
    #[arg(long)]
    truth: PathBuf,
    /// nearest or bilinear: a prediction r times coarser than the truth (in t and x) is
    /// upsampled onto the truth's grid first (super-resolution baselines).
    #[arg(long)]
    upsample: Option<String>,
}

#[derive(Args)]
pub struct ControlArgs {
    /// Model directory from `pde train`.
    #[arg(long)]
    pub(super) model: PathBuf,
    /// Test data. Burgers: u0 = u[:, 0], target uT = u[:, nt], the stored `f` is the oracle.
    /// Smoke: only the initial density is given; the stored control is the reference.
    #[arg(long)]
    pub(super) input: PathBuf,
    /// burgers-target (Burgers models) or smoke-leakage (smoke models).
    #[arg(long, default_value = "burgers-target")]
    pub(super) objective: String,
    /// Output HDF5. Burgers: generated `f`, re-simulated `u`, the model's own `u_model`,
    /// per-target J. Smoke: generated `control` and per-scene J, J_zero, J_data_control, J_model.
    #[arg(long)]
    pub(super) out: PathBuf,
    /// Guidance weight w_u (Burgers; WDNO 1.2e5).
    #[arg(long, default_value_t = 1.2e5)]
    pub(super) wu: f64,
    /// Energy weight w_f (Burgers; WDNO 2e-5).
    #[arg(long, default_value_t = 2e-5)]
    pub(super) wf: f64,
    /// Initial-density weight w_init (smoke-leakage; WDNO 0.1).
    #[arg(long, default_value_t = 0.1)]
    pub(super) w_init: f64,
    /// Constant guidance scale (smoke-leakage; WDNO 100).
    #[arg(long, default_value_t = 100.0)]
    pub(super) guidance_scale: f64,
    #[command(flatten)]
    pub(super) sampling: SampleFlags,
}

/// Read `u` [N, nt+1, nx] and `f` [N, nt, nx], checking they belong together.
pub(super) fn read_uf(path: &Path, limit: Option<usize>) -> Result<(Array3<f64>, Array3<f64>)> {
    let u: Array3<f64> = read_array(path, "u", Some(3))?.into_dimensionality()?;
    let f: Array3<f64> = read_array(path, "f", Some(3)).with_context(|| format!("{} needs the forcing dataset 'f'", path.display()))?.into_dimensionality()?;
    let ((n, t1, nx), (nf, tf, xf)) = (u.dim(), f.dim());
    if n != nf || t1 != tf + 1 || nx != xf {
        bail!("{}: u is {:?} and f is {:?}; expected [N, nt+1, nx] and [N, nt, nx]", path.display(), u.dim(), f.dim());
    }
    let n = limit.unwrap_or(n).min(n);
    if n == 0 {
        bail!("{}: no trajectories to use", path.display());
    }
    Ok((u.slice(s![..n, .., ..]).to_owned(), f.slice(s![..n, .., ..]).to_owned()))
}

fn check_layout(path: &Path, u: &Array3<f64>, cfg: &WdnoConfig) -> Result<()> {
    let (_, t1, nx) = u.dim();
    if (t1, nx) != (cfg.layout.nt + 1, cfg.layout.nx) {
        bail!("{}: trajectories are {t1}x{nx}, the model expects {}x{} (nt+1 x nx)", path.display(), cfg.layout.nt + 1, cfg.layout.nx);
    }
    Ok(())
}

/// The generator preset stored in a data file's `config` attribute, else `fallback`.
pub(super) fn data_preset(path: &Path, fallback: BurgersPreset) -> BurgersPreset {
    match read_attr(path, "config") {
        Ok(Attr::Str(json)) => serde_json::from_str(&json).unwrap_or(fallback),
        _ => fallback,
    }
}

pub(super) fn small_or_paper(preset: &str) -> Result<BurgersPreset> {
    Ok(match preset {
        "small" => BurgersPreset::small(),
        "paper" => BurgersPreset::paper(),
        p => bail!("unknown preset '{p}': expected small or paper"),
    })
}

/// Optimisation defaults per preset: WDNO's batch 16; the small run is short, so a higher peak
/// learning rate with warm-up and cosine decay, and a short EMA.
pub(super) fn train_defaults(preset: &str, steps: u64) -> TrainConfig {
    let (peak, ema) = if preset == "small" { (1e-3, 0.995) } else { (1e-4, 0.999) };
    TrainConfig {
        steps,
        batch_size: 16,
        lr: LrSchedule { peak, warmup: 100.min(steps / 10), decay_steps: steps, floor: 0.05, gamma: None },
        weight_decay: 0.0,
        grad_clip: Some(1.0),
        ema_decay: ema,
        checkpoint_every: 500,
        validate_every: 500,
        log_every: 50,
        accumulate: 1,
    }
}

struct TrainJob {
    task: WdnoTask,
    cfg: TrainConfig,
    dir: PathBuf,
    seed: u64,
    resume: bool,
}

impl BackendTask for TrainJob {
    type Output = Result<TrainReport, TrainError>;
    fn run<B: burn::tensor::backend::AutodiffBackend>(self, device: B::Device) -> Self::Output {
        train::<B, WdnoTask>(&self.task, &self.cfg, &self.dir, self.seed, self.resume, &device, true)
    }
}

/// `--steps`, `--batch-size`, `--lr` on top of the run's `[train]` (a fresh run also decays to
/// its last step), with the checks every `pde train` makes.
pub(super) fn apply_train_overrides(train: &mut TrainConfig, a: &WdnoTrainArgs, dir: &Path) -> Result<()> {
    train.steps = a.steps.unwrap_or(train.steps);
    if let Some(b) = a.batch_size {
        train.batch_size = b;
    }
    if let Some(lr) = a.lr {
        train.lr.peak = lr;
    }
    if !a.resume {
        train.lr.decay_steps = train.steps;
        train.lr.warmup = 100.min(train.steps / 10);
    }
    if train.batch_size == 0 || train.steps == 0 {
        bail!("--steps and --batch-size must be at least 1");
    }
    if !a.resume && dir.join("checkpoint.bin").exists() {
        bail!("{} already holds a run; add --resume to continue it", dir.display());
    }
    Ok(())
}

pub fn train_cmd(a: WdnoTrainArgs) -> Result<()> {
    if super::pde_smoke::is_smoke_data(&a.data) {
        return super::pde_smoke::train_cmd(a);
    }
    if a.no_attention {
        bail!("--no-attention applies to smoke data; the Burgers U-Net keeps the paper's attention");
    }
    let physical = match a.arch.as_str() {
        "wdno" => false,
        "ddpm" => true,
        "fno" => return super::pde_fno::train_cmd(a),
        "srm" => return super::pde_srm::train_cmd(a),
        x => bail!("unknown --arch '{x}': expected wdno, ddpm, fno or srm"),
    };
    let device: DeviceChoice = a.device.parse()?;
    let conds: Vec<(Conditioning, PathBuf)> = match a.conditioning.as_str() {
        "both" => vec![(Conditioning::Both, a.out.clone())],
        "simulation" => vec![(Conditioning::Simulation, a.out.clone())],
        "control" => vec![(Conditioning::Control, a.out.clone())],
        "separate" => vec![(Conditioning::Simulation, a.out.join("simulation")), (Conditioning::Control, a.out.join("control"))],
        c => bail!("unknown --conditioning '{c}': expected both, separate, simulation or control"),
    };
    let default_steps = if a.preset == "small" { 2000 } else { 100_000 };
    let (u, f) = read_uf(&a.data, None)?;
    let mut data: Option<Arc<WdnoData>> = None;
    for (cond, dir) in conds {
        let mut run = if a.resume {
            let run = RunFile::load(&dir)?;
            if run.seed != a.seed {
                bail!("--seed {} differs from the run's seed {} (a resumed run keeps its seed)", a.seed, run.seed);
            }
            run
        } else {
            let wdno = WdnoConfig::preset(&a.preset, cond)?;
            let wdno = if physical { wdno.physical() } else { wdno };
            let burgers = data_preset(&a.data, small_or_paper(&a.preset)?);
            RunFile { seed: a.seed, data: a.data.display().to_string(), burgers, train: train_defaults(&a.preset, default_steps), wdno }
        };
        apply_train_overrides(&mut run.train, &a, &dir)?;
        check_layout(&a.data, &u, &run.wdno)?;
        let packed = match &data {
            Some(d) => d.clone(),
            None => {
                let d = Arc::new(WdnoData::pack(&Layout::new(&run.wdno.layout)?, u.view(), f.view())?);
                let m: Vec<String> = d.channel_max().iter().map(|v| format!("{v:.2}")).collect();
                eprintln!("packed {} trajectories; max |scaled coefficient| per channel: [{}]", d.len(), m.join(", "));
                data = Some(d.clone());
                d
            }
        };
        let task = WdnoTask::new(run.wdno.clone(), packed)?;
        if !a.resume {
            std::fs::create_dir_all(&dir)?;
            std::fs::write(dir.join("run.toml"), toml::to_string(&run)?)?;
        }
        let name = if run.wdno.layout.domain == Domain::Physical { "the physical-space DDPM" } else { "WDNO" };
        eprintln!("training {name} ({}, {} params config) on {device} to step {} (batch {}, seed {}) in {}", cond.name(), a.preset, run.train.steps, run.train.batch_size, run.seed, dir.display());
        let report = dispatch(device, TrainJob { task, cfg: run.train.clone(), dir: dir.clone(), seed: run.seed, resume: a.resume })??;
        println!(
            "{}: steps {}..{}: last loss {:.5}, EMA validation loss {}, {:.2} steps/s -> {}",
            cond.name(),
            report.start_step,
            report.steps,
            report.last_loss,
            report.val_loss.map(|v| format!("{v:.5}")).unwrap_or("-".into()),
            report.steps_per_sec,
            dir.display()
        );
    }
    Ok(())
}

pub(super) fn options(s: &SampleFlags) -> Result<(SampleOptions, Weights)> {
    let w = match s.weights.as_str() {
        "ema" => Weights::Ema,
        "raw" => Weights::Raw,
        w => bail!("unknown --weights '{w}': expected ema or raw"),
    };
    Ok((SampleOptions { sampler: s.sampler.clone(), steps: s.steps, eta: s.eta, batch: s.batch, seed: s.seed, clip_x0: s.clip_x0 }, w))
}

struct SimJob {
    dir: PathBuf,
    run: RunFile,
    weights: Weights,
    opts: SampleOptions,
    u0: Array2<f64>,
    f: Array3<f64>,
}

impl BackendTask for SimJob {
    type Output = Result<Array3<f64>>;
    fn run<B: burn::tensor::backend::AutodiffBackend>(self, device: B::Device) -> Self::Output {
        let net = load_net::<B>(&self.dir, &self.run, self.weights, &device)?;
        let batches = self.u0.nrows().div_ceil(self.opts.batch) as u64;
        let pb = super::progress(batches * self.opts.steps as u64, "wdno simulate");
        let u = simulate::<B>(&net, &self.run.wdno, self.u0.view(), self.f.view(), &self.opts, &device, Some(&pb))?;
        pb.finish_and_clear();
        Ok(u)
    }
}

pub fn simulate_cmd(a: SimulateArgs) -> Result<()> {
    if scidiff::pde::wdno::smoke::run::SmokeRunFile::is_smoke(&a.model) {
        return super::pde_smoke::simulate_cmd(a);
    }
    if FnoRun::is_fno(&a.model) {
        return super::pde_fno::simulate_cmd(a);
    }
    if scidiff::pde::wdno::srm::SrmRun::is_srm(&a.model) {
        bail!("{} holds a super-resolution model, which refines trajectories: use `pde superres`", a.model.display());
    }
    let (dir, run) = resolve_model(&a.model, Conditioning::Simulation)?;
    let (opts, weights) = options(&a.sampling)?;
    let (u, f) = read_uf(&a.input, a.sampling.limit)?;
    check_layout(&a.input, &u, &run.wdno)?;
    let u0 = u.index_axis(Axis(1), 0).to_owned();
    let t0 = std::time::Instant::now();
    let pred = dispatch(a.sampling.device.parse()?, SimJob { dir: dir.clone(), run, weights, opts: opts.clone(), u0, f })??;
    let secs = t0.elapsed().as_secs_f64();
    let mut w = H5Writer::create(&a.out)?;
    w.dataset("u", pred.view().into_dyn())?;
    w.attr("model", Attr::Str(dir.display().to_string()))?
        .attr("input", Attr::Str(a.input.display().to_string()))?
        .attr("sampler", Attr::Str(opts.sampler.clone()))?
        .attr("steps", Attr::I64(opts.steps as i64))?
        .attr("eta", Attr::F64(opts.eta))?
        .attr("seed", Attr::I64(opts.seed as i64))?
        .attr("weights", Attr::Str(a.sampling.weights.clone()))?;
    w.finish()?;
    eprintln!("simulated {} trajectories in {secs:.1} s -> {}", pred.dim().0, a.out.display());
    Ok(())
}

pub fn eval_cmd(a: EvalArgs) -> Result<()> {
    if super::pde_smoke::is_smoke_data(&a.pred) {
        if a.upsample.is_some() {
            bail!("--upsample applies to 1-D (u) predictions; {} is a smoke prediction", a.pred.display());
        }
        return super::pde_smoke::eval_cmd(&a.pred, &a.truth);
    }
    let mut pred: Array3<f64> = read_array(&a.pred, "u", Some(3))?.into_dimensionality()?;
    let truth: Array3<f64> = read_array(&a.truth, "u", Some(3))?.into_dimensionality()?;
    if let Some(mode) = &a.upsample {
        let mode = match mode.as_str() {
            "nearest" => Upsample::Nearest,
            "bilinear" => Upsample::Bilinear,
            m => bail!("unknown --upsample '{m}': expected nearest or bilinear"),
        };
        let r = (truth.dim().1 - 1) / (pred.dim().1 - 1).max(1);
        if r == 0 || (pred.dim().1 - 1) * r != truth.dim().1 - 1 || pred.dim().2 * r != truth.dim().2 {
            bail!("prediction {:?} is not an integer factor coarser than the truth {:?} in both t and x", pred.dim(), truth.dim());
        }
        pred = upsample(pred.view(), r, truth.dim().2, mode);
    }
    let n = pred.dim().0;
    if truth.dim().0 < n || truth.dim().1 != pred.dim().1 || truth.dim().2 != pred.dim().2 {
        bail!("prediction {:?} does not fit the truth {:?} (same nt+1 and nx, at most as many trajectories)", pred.dim(), truth.dim());
    }
    let m = simulation_metrics(pred.view(), truth.slice(s![..n, .., ..]))?;
    println!("trajectories {}  MSE(t>=1) {:.4e}  relative L2 {:.4e}", m.n, m.mse, m.rel_l2);
    let per: Vec<String> = m.mse_per_step.iter().enumerate().map(|(k, v)| format!("{}:{v:.2e}", k + 1)).collect();
    println!("MSE per step: {}", per.join(" "));
    Ok(())
}

struct CtrlJob {
    dir: PathBuf,
    run: RunFile,
    weights: Weights,
    opts: SampleOptions,
    guidance: GuidanceConfig,
    u0: Array2<f64>,
    ut: Array2<f64>,
}

impl BackendTask for CtrlJob {
    type Output = Result<(Array3<f64>, Array3<f64>)>;
    fn run<B: burn::tensor::backend::AutodiffBackend>(self, device: B::Device) -> Self::Output {
        let net = load_net::<B>(&self.dir, &self.run, self.weights, &device)?;
        let batches = self.u0.nrows().div_ceil(self.opts.batch) as u64;
        let pb = super::progress(batches * self.opts.steps as u64, "wdno control");
        let out = control::<B>(&net, &self.run.wdno, self.u0.view(), self.ut.view(), &self.guidance, &self.opts, &device, Some(&pb))?;
        pb.finish_and_clear();
        Ok(out)
    }
}

pub fn control_cmd(a: ControlArgs) -> Result<()> {
    let smoke_model = scidiff::pde::wdno::smoke::run::SmokeRunFile::is_smoke(&a.model);
    match (a.objective.as_str(), smoke_model) {
        ("smoke-leakage", true) => return super::pde_smoke::control_cmd(a),
        ("burgers-target", false) => {}
        ("smoke-leakage", false) => bail!("{} is not a smoke WDNO model: smoke-leakage needs one (pde train --data SMOKE.h5)", a.model.display()),
        ("burgers-target", true) => bail!("{} holds a smoke model: use --objective smoke-leakage", a.model.display()),
        (o, _) => bail!("objective '{o}' is not available: expected burgers-target or smoke-leakage"),
    }
    if FnoRun::is_fno(&a.model) {
        bail!("{} holds an FNO surrogate, which predicts u from a given forcing and cannot generate controls; use a WDNO model", a.model.display());
    }
    let (dir, run) = resolve_model(&a.model, Conditioning::Control)?;
    let (opts, weights) = options(&a.sampling)?;
    let (u, f) = read_uf(&a.input, a.sampling.limit.or(Some(50)))?;
    check_layout(&a.input, &u, &run.wdno)?;
    let nt = run.wdno.layout.nt;
    let (u0, ut) = (u.index_axis(Axis(1), 0).to_owned(), u.index_axis(Axis(1), nt).to_owned());
    let guidance = GuidanceConfig { wu: a.wu, wf: a.wf };
    let t0 = std::time::Instant::now();
    let (u_gen, f_gen) = dispatch(a.sampling.device.parse()?, CtrlJob { dir: dir.clone(), run: run.clone(), weights, opts: opts.clone(), guidance, u0, ut })??;
    let secs = t0.elapsed().as_secs_f64();
    let preset = data_preset(&a.input, run.burgers.clone());
    let r = evaluate_control(&preset, u.view(), f.view(), u_gen.view(), f_gen.view())?;
    let mut w = H5Writer::create(&a.out)?;
    let v = |x: &Vec<f64>| ndarray::Array1::from(x.clone()).into_dyn();
    w.dataset("f", f_gen.view().into_dyn())?
        .dataset("u", r.u_resim.view().into_dyn())?
        .dataset("u_model", u_gen.view().into_dyn())?
        .dataset("J", v(&r.j).view())?
        .dataset("J_zero", v(&r.j_zero).view())?
        .dataset("J_oracle", v(&r.j_oracle).view())?
        .dataset("energy", v(&r.energy).view())?;
    w.attr("model", Attr::Str(dir.display().to_string()))?
        .attr("input", Attr::Str(a.input.display().to_string()))?
        .attr("sampler", Attr::Str(opts.sampler.clone()))?
        .attr("steps", Attr::I64(opts.steps as i64))?
        .attr("seed", Attr::I64(opts.seed as i64))?
        .attr("wu", Attr::F64(a.wu))?
        .attr("wf", Attr::F64(a.wf))?;
    w.finish()?;
    let (j, j0, jo, e, eo) = r.means();
    let mean = |x: &Vec<f64>| x.iter().sum::<f64>() / x.len() as f64;
    println!("targets {}  ({:.1} s sampling, {} {} steps)", r.j.len(), secs, opts.sampler, opts.steps);
    println!("J (solver, true u0)   {j:.4e}   energy {e:.4}");
    println!("J (f = 0)             {j0:.4e}");
    println!("J (oracle stored f)   {jo:.4e}   energy {eo:.4}");
    println!("J (from generated u0) {:.4e}   J_model (self-predicted) {:.4e}", mean(&r.j_from_generated_u0), mean(&r.j_model));
    println!("solver floor: the stored f re-simulated from u0 gives MSE(t>=1) {:.4e} against the stored u", r.floor());
    Ok(())
}
