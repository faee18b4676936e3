//! Model directories and the batched simulate / control drivers behind `scidiff pde`.
//!
//! A model directory holds `run.toml` ([`RunFile`]) and the shared trainer's files
//! (`checkpoint.bin`, `metrics.jsonl`). `scidiff pde train` writes either one directory trained
//! with [`Conditioning::Both`] (the default: one network serves both tasks) or, with
//! `--conditioning separate`, the paper's two networks in `simulation/` and `control/`;
//! [`resolve_model`] finds the run that serves a task.

use super::config::{Conditioning, DiffusionConfig, WdnoConfig};
use super::control::{BurgersTarget, GuidanceConfig};
use super::error::WdnoError;
use super::pack::{Layout, canvases_to_tensor, tensor_to_canvases};
use super::sample::{InpaintedNet, Known, ddim, matching_sde};
use super::schedule::DdpmSchedule;
use super::task::WdnoTask;
use super::unet::Unet;
use crate::pde::solvers::burgers::BurgersPreset;
use crate::sampler::{Method, SamplerConfig, sample};
use crate::sde::Sde;
use crate::train::checkpoint::CheckpointError;
use crate::train::trainer::{TrainConfig, checkpoint_path, load_weights};
use burn::module::AutodiffModule;
use burn::prelude::*;
use burn::tensor::backend::AutodiffBackend;
use indicatif::ProgressBar;
use ndarray::{Array3, ArrayView2, ArrayView3, Axis};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// `run.toml`: the whole definition of a training run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunFile {
    /// Seed of weights, batches and noise.
    pub seed: u64,
    /// The training data file (for the record).
    pub data: String,
    /// The data generator's preset (its solver settings re-simulate controls).
    pub burgers: BurgersPreset,
    /// Optimisation.
    pub train: TrainConfig,
    /// The model.
    pub wdno: WdnoConfig,
}

impl RunFile {
    /// Read `dir/run.toml`.
    pub fn load(dir: &Path) -> Result<Self, WdnoError> {
        let p = dir.join("run.toml");
        let text = std::fs::read_to_string(&p).map_err(|e| WdnoError::Config(format!("{} is not a WDNO model directory ({}: {e})", dir.display(), p.display())))?;
        toml::from_str(&text).map_err(|e| WdnoError::Config(format!("{}: {}", p.display(), e.message())))
    }
}

/// The run directory inside `dir` whose model serves `task` (Simulation or Control).
pub fn resolve_model(dir: &Path, task: Conditioning) -> Result<(PathBuf, RunFile), WdnoError> {
    let candidates = [dir.to_path_buf(), dir.join(task.name())];
    for d in candidates {
        if !d.join("run.toml").exists() {
            continue;
        }
        let run = RunFile::load(&d)?;
        if run.wdno.conditioning == task || run.wdno.conditioning == Conditioning::Both {
            return Ok((d, run));
        }
        return Err(WdnoError::Config(format!("{} holds a '{}' model, which cannot do {}", d.display(), run.wdno.conditioning.name(), task.name())));
    }
    Err(WdnoError::Config(format!("{} holds no WDNO model for {} (no run.toml there or in {}/)", dir.display(), task.name(), task.name())))
}

/// Which stored weights to sample with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weights {
    /// The EMA copy (scidiff's default).
    Ema,
    /// The raw optimiser weights (what WDNO evaluates).
    Raw,
}

impl Weights {
    /// The checkpoint section holding these weights.
    pub fn section(self) -> &'static str {
        match self {
            Weights::Ema => "ema",
            Weights::Raw => "model",
        }
    }
}

/// Load a trained network from a run directory onto `B`'s inner backend.
pub fn load_net<B: AutodiffBackend>(dir: &Path, run: &RunFile, weights: Weights, device: &B::Device) -> Result<Unet<B::InnerBackend>, CheckpointError> {
    let net: Unet<B> = run.wdno.unet.init(device);
    load_weights(&checkpoint_path(dir), "wdno-burgers-unet2d", weights.section(), net.valid(), device)
}

/// How to sample.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleOptions {
    /// `ddim` (WDNO's sampler) or any core sampler name (e.g. `dpm-solver++2m`).
    pub sampler: String,
    /// DDIM steps, or model evaluations for a core sampler.
    pub steps: usize,
    /// DDIM's η (WDNO: 1).
    pub eta: f64,
    /// Trajectories per batch.
    pub batch: usize,
    /// Seed of the initial noise (batch `i` uses stream `i`).
    pub seed: u64,
    /// Core samplers only: clip the model's x̂0 to [−1, 1] and re-derive ε from it at every
    /// evaluation, as WDNO's DDIM always does (off by default: the core samplers' published form).
    pub clip_x0: bool,
}

impl Default for SampleOptions {
    fn default() -> Self {
        Self { sampler: "ddim".into(), steps: 25, eta: 1.0, batch: 25, seed: 0, clip_x0: false }
    }
}

fn sample_batch<B: AutodiffBackend>(net: &Unet<B::InnerBackend>, cfg: &WdnoConfig, known: &Known<B::InnerBackend>, opts: &SampleOptions, batch_index: usize, guide: Option<&mut BurgersTarget<B>>, pb: Option<&ProgressBar>) -> Result<Tensor<B::InnerBackend, 4>, WdnoError> {
    let guide = guide.map(|g| g as &mut dyn super::sample::Guidance<B::InnerBackend>);
    sample_known(net, &cfg.diffusion, known, opts, batch_index, guide, pb)
}

/// Sample one batch of canvases with the `known` values imposed: WDNO's DDIM or a core sampler
/// (`opts.sampler`), noise from stream `(opts.seed, batch_index)`. Shared by the base model and
/// the super-resolution model ([`super::srm`]).
pub(crate) fn sample_known<B: Backend, D: super::sample::Denoiser<B> + ?Sized>(net: &D, diffusion: &DiffusionConfig, known: &Known<B>, opts: &SampleOptions, batch_index: usize, guide: Option<&mut dyn super::sample::Guidance<B>>, pb: Option<&ProgressBar>) -> Result<Tensor<B, 4>, WdnoError> {
    let sched = DdpmSchedule::new(diffusion);
    sample_known_with(net, &sched, Arc::new(matching_sde(diffusion.cosine_s)), known, opts, batch_index, guide, pb)
}

/// [`sample_known`] for any discrete schedule and the continuous SDE matching it (used by the
/// core samplers; DDIM uses `sched` alone).
#[allow(clippy::too_many_arguments)]
pub(crate) fn sample_known_with<B: Backend, D: super::sample::Denoiser<B> + ?Sized>(net: &D, sched: &DdpmSchedule, sde: Arc<dyn Sde>, known: &Known<B>, opts: &SampleOptions, batch_index: usize, guide: Option<&mut dyn super::sample::Guidance<B>>, pb: Option<&ProgressBar>) -> Result<Tensor<B, 4>, WdnoError> {
    let mut rng = crate::train::step_rng(opts.seed, batch_index as u64, 11);
    if opts.sampler == "ddim" {
        return ddim(net, sched, known, opts.steps, opts.eta, &mut rng, guide, pb);
    }
    let method: Method = opts.sampler.parse().map_err(|e: crate::error::ConfigError| WdnoError::Config(e.to_string()))?;
    let sdes: [Arc<dyn Sde>; 1] = [sde.clone()];
    let scfg = SamplerConfig { method, nfe: opts.steps, eta: opts.eta, ..SamplerConfig::default() };
    let x_t = super::sample::noise_like(&known.values, &mut rng);
    let mut guide = guide;
    // Re-borrow with the trait object's lifetime shortened to this call (`as_deref_mut` would
    // keep the caller's, which `InpaintedNet`'s single lifetime cannot accept).
    #[allow(clippy::option_as_ref_deref)]
    let guide = guide.as_mut().map(|g| -> &mut dyn super::sample::Guidance<B> { &mut **g });
    let mut model = InpaintedNet { net, known, sched, sde, guide, clip_x0: opts.clip_x0 };
    let out = sample(&scfg, &mut model, &sdes, x_t, &mut rng, pb)?;
    Ok(known.inpaint(out.x))
}

fn known_of<B: Backend>(layout: &Layout, canv: Vec<ndarray::Array3<f32>>, cond: Conditioning, device: &B::Device) -> Result<Known<B>, WdnoError> {
    let mask = layout.fixed_mask(cond)?;
    let masks: Vec<_> = (0..canv.len()).map(|_| mask.view()).collect();
    let views: Vec<_> = canv.iter().map(|c| c.view()).collect();
    Ok(Known { values: canvases_to_tensor(&views, device), mask: canvases_to_tensor(&masks, device) })
}

pub(crate) fn check_opts(opts: &SampleOptions) -> Result<(), WdnoError> {
    if opts.batch == 0 || opts.steps == 0 {
        return Err(WdnoError::Config(format!("batch and steps must be >= 1, got {} and {}", opts.batch, opts.steps)));
    }
    Ok(())
}

/// Simulation: predict `u [N, nt+1, nx]` from `u0 [N, nx]` and `f [N, nt, nx]`.
pub fn simulate<B: AutodiffBackend>(net: &Unet<B::InnerBackend>, cfg: &WdnoConfig, u0: ArrayView2<f64>, f: ArrayView3<f64>, opts: &SampleOptions, device: &B::Device, pb: Option<&ProgressBar>) -> Result<Array3<f64>, WdnoError> {
    check_opts(opts)?;
    let layout = Layout::new(&cfg.layout)?;
    let (n, nt, nx) = (u0.nrows(), cfg.layout.nt, cfg.layout.nx);
    if f.dim() != (n, nt, nx) || u0.ncols() != nx {
        return Err(WdnoError::Shape(format!("u0 {:?} and f {:?} do not match the model's [N, {nx}] and [N, {nt}, {nx}]", u0.dim(), f.dim())));
    }
    let mut out = Array3::zeros((n, nt + 1, nx));
    for (bi, start) in (0..n).step_by(opts.batch).enumerate() {
        let end = (start + opts.batch).min(n);
        let canv = (start..end).map(|i| layout.condition(u0.row(i), None, Some(f.index_axis(Axis(0), i)))).collect::<Result<Vec<_>, _>>()?;
        let known = known_of::<B::InnerBackend>(&layout, canv, Conditioning::Simulation, device)?;
        let x = sample_batch::<B>(net, cfg, &known, opts, bi, None, pb)?;
        for (k, c) in tensor_to_canvases(x).into_iter().enumerate() {
            out.index_axis_mut(Axis(0), start + k).assign(&layout.unpack(c.view())?.0);
        }
    }
    Ok(out)
}

/// Control: generate `(u, f)` for initial states `u0 [N, nx]` and targets `uT [N, nx]`,
/// guided by the Burgers target objective.
#[allow(clippy::too_many_arguments)]
pub fn control<B: AutodiffBackend>(net: &Unet<B::InnerBackend>, cfg: &WdnoConfig, u0: ArrayView2<f64>, ut: ArrayView2<f64>, guidance: &GuidanceConfig, opts: &SampleOptions, device: &B::Device, pb: Option<&ProgressBar>) -> Result<(Array3<f64>, Array3<f64>), WdnoError> {
    check_opts(opts)?;
    let layout = Layout::new(&cfg.layout)?;
    let (n, nt, nx) = (u0.nrows(), cfg.layout.nt, cfg.layout.nx);
    if ut.dim() != (n, nx) || u0.ncols() != nx {
        return Err(WdnoError::Shape(format!("u0 {:?} and uT {:?} must both be [N, {nx}]", u0.dim(), ut.dim())));
    }
    let (mut uo, mut fo) = (Array3::zeros((n, nt + 1, nx)), Array3::zeros((n, nt, nx)));
    for (bi, start) in (0..n).step_by(opts.batch).enumerate() {
        let end = (start + opts.batch).min(n);
        let canv = (start..end).map(|i| layout.condition(u0.row(i), Some(ut.row(i)), None)).collect::<Result<Vec<_>, _>>()?;
        let known = known_of::<B::InnerBackend>(&layout, canv, Conditioning::Control, device)?;
        let rows = ndarray::s![start..end, ..];
        let mut guide = BurgersTarget::<B>::new(&layout, u0.slice(rows), ut.slice(rows), guidance.clone(), device);
        let x = sample_batch::<B>(net, cfg, &known, opts, bi, Some(&mut guide), pb)?;
        for (k, c) in tensor_to_canvases(x).into_iter().enumerate() {
            let (u, f) = layout.unpack(c.view())?;
            uo.index_axis_mut(Axis(0), start + k).assign(&u);
            fo.index_axis_mut(Axis(0), start + k).assign(&f);
        }
    }
    Ok((uo, fo))
}

/// Build the training task for `run` on packed data.
pub fn task_for(run: &RunFile, data: Arc<super::task::WdnoData>) -> Result<WdnoTask, WdnoError> {
    WdnoTask::new(run.wdno.clone(), data)
}
