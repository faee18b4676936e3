//! Smoke model directories and the batched simulate / control drivers behind `scidiff pde`.
//!
//! A model directory holds `run.toml` ([`SmokeRunFile`]) and the shared trainer's files. One
//! network trained with [`Conditioning::Both`] (the default) serves both tasks. Sampling is
//! WDNO's DDIM ([`crate::pde::wdno::sample::ddim`]) on the sigmoid schedule by default, or any
//! core sampler (`SampleOptions::sampler`, e.g. `dpm-solver++2m`) on the continuous
//! [`VpSigmoid`] SDE that matches that schedule; batch `i` draws its noise from stream `(seed, i)`.

use super::config::SmokeWdnoConfig;
use super::control::{LeakageGuidance, LeakageGuidanceConfig};
use super::pack::{SmokeLayout, SmokeScene};
use super::task::{SMOKE_KIND, schedule_of};
use super::unet3d::Unet3d;
use crate::pde::solvers::smoke::SmokeConfig;
use crate::pde::wdno::config::Conditioning;
use crate::pde::wdno::error::WdnoError;
use crate::pde::wdno::pack::{canvases_to_tensor, tensor_to_canvases};
use crate::pde::wdno::run::{SampleOptions, Weights, check_opts, sample_known_with};
use crate::sde::{Sde, VpSigmoid};
use std::sync::Arc;
use crate::pde::wdno::sample::{Guidance, Known};
use crate::train::checkpoint::CheckpointError;
use crate::train::trainer::{TrainConfig, checkpoint_path, load_weights};
use burn::module::AutodiffModule;
use burn::prelude::*;
use burn::tensor::backend::AutodiffBackend;
use indicatif::ProgressBar;
use ndarray::{Array3, ArrayView3, ArrayView4, Axis};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// `run.toml` of a smoke model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmokeRunFile {
    /// Seed of weights, batches and noise.
    pub seed: u64,
    /// The training data file (for the record).
    pub data: String,
    /// The generator's solver settings (they re-simulate controls).
    pub smoke: SmokeConfig,
    /// Optimisation.
    pub train: TrainConfig,
    /// The model.
    pub smoke_wdno: SmokeWdnoConfig,
}

impl SmokeRunFile {
    /// Read `dir/run.toml`.
    pub fn load(dir: &Path) -> Result<Self, WdnoError> {
        let p = dir.join("run.toml");
        let text = std::fs::read_to_string(&p).map_err(|e| WdnoError::Config(format!("{} is not a model directory ({}: {e})", dir.display(), p.display())))?;
        toml::from_str(&text).map_err(|e| WdnoError::Config(format!("{}: {}", p.display(), e.message())))
    }

    /// Whether `dir` holds a smoke WDNO run.
    pub fn is_smoke(dir: &Path) -> bool {
        Self::load(dir).is_ok()
    }

    /// Check that this run's network serves `task`.
    pub fn serves(&self, task: Conditioning) -> Result<(), WdnoError> {
        let c = self.smoke_wdno.conditioning;
        if c == task || c == Conditioning::Both {
            return Ok(());
        }
        Err(WdnoError::Config(format!("this smoke model was trained for {}, it cannot do {}", c.name(), task.name())))
    }
}

/// Load a trained smoke network onto `B`'s inner backend.
pub fn load_net<B: AutodiffBackend>(dir: &Path, run: &SmokeRunFile, weights: Weights, device: &B::Device) -> Result<Unet3d<B::InnerBackend>, CheckpointError> {
    let net: Unet3d<B> = run.smoke_wdno.unet.init(device);
    load_weights(&checkpoint_path(dir), SMOKE_KIND, weights.section(), net.valid(), device)
}

fn known_of<B: Backend>(layout: &SmokeLayout, canv: &[ndarray::Array3<f32>], cond: Conditioning, device: &B::Device) -> Result<Known<B>, WdnoError> {
    let mask = layout.fixed_mask(cond)?;
    let masks: Vec<_> = canv.iter().map(|_| mask.view()).collect();
    let views: Vec<_> = canv.iter().map(|c| c.view()).collect();
    Ok(Known { values: canvases_to_tensor(&views, device), mask: canvases_to_tensor(&masks, device) })
}

#[allow(clippy::too_many_arguments)]
fn sample_all<B: Backend>(
    net: &Unet3d<B>,
    cfg: &SmokeWdnoConfig,
    n: usize,
    cond: Conditioning,
    opts: &SampleOptions,
    device: &B::Device,
    pb: Option<&ProgressBar>,
    condition: &dyn Fn(usize) -> Result<ndarray::Array3<f32>, WdnoError>,
    guide: &mut dyn FnMut(std::ops::Range<usize>) -> Option<Box<dyn Guidance<B>>>,
) -> Result<Vec<SmokeScene>, WdnoError> {
    let layout = SmokeLayout::new(&cfg.layout)?;
    let sched = schedule_of(cfg);
    let d = &cfg.diffusion;
    let sde: Arc<dyn Sde> = Arc::new(VpSigmoid { start: d.start, end: d.end, tau: d.tau });
    let mut out = Vec::with_capacity(n);
    for (bi, start) in (0..n).step_by(opts.batch).enumerate() {
        let end = (start + opts.batch).min(n);
        let canv = (start..end).map(condition).collect::<Result<Vec<_>, _>>()?;
        let known = known_of::<B>(&layout, &canv, cond, device)?;
        let mut g = guide(start..end);
        // Shorten the trait object's lifetime to this call (`as_deref_mut` would keep 'static).
        #[allow(clippy::option_as_ref_deref)]
        let g = g.as_mut().map(|g| -> &mut dyn Guidance<B> { &mut **g });
        let x = sample_known_with(net, &sched, sde.clone(), &known, opts, bi, g, pb)?;
        for c in tensor_to_canvases(x) {
            out.push(layout.unpack(c.view())?);
        }
    }
    Ok(out)
}

/// Simulation: sample scenes given `d0 [N, ny, nx]` and controls `[N, 2, nt, ny, nx]` (cx, cy).
pub fn simulate<B: AutodiffBackend>(net: &Unet3d<B::InnerBackend>, cfg: &SmokeWdnoConfig, d0: ArrayView3<f64>, controls: ndarray::ArrayView5<f64>, opts: &SampleOptions, device: &B::Device, pb: Option<&ProgressBar>) -> Result<Vec<SmokeScene>, WdnoError> {
    check_opts(opts)?;
    let layout = SmokeLayout::new(&cfg.layout)?;
    if controls.dim().0 != d0.dim().0 {
        return Err(WdnoError::Shape(format!("{} initial densities but {} control sequences", d0.dim().0, controls.dim().0)));
    }
    let condition = |i: usize| layout.condition(d0.index_axis(Axis(0), i), Some(controls.index_axis(Axis(0), i)));
    sample_all::<B::InnerBackend>(net, cfg, d0.dim().0, Conditioning::Simulation, opts, device, pb, &condition, &mut |_| None)
}

/// Control: sample scenes (control included) given only `d0 [N, ny, nx]`, guided by the
/// smoke-leakage objective.
pub fn control<B: AutodiffBackend>(net: &Unet3d<B::InnerBackend>, cfg: &SmokeWdnoConfig, d0: ArrayView3<f64>, guidance: &LeakageGuidanceConfig, opts: &SampleOptions, device: &B::Device, pb: Option<&ProgressBar>) -> Result<Vec<SmokeScene>, WdnoError> {
    check_opts(opts)?;
    let layout = SmokeLayout::new(&cfg.layout)?;
    let condition = |i: usize| layout.condition(d0.index_axis(Axis(0), i), None);
    let mut guide = |r: std::ops::Range<usize>| -> Option<Box<dyn Guidance<B::InnerBackend>>> {
        Some(Box::new(LeakageGuidance::<B>::new(&layout, d0.slice(ndarray::s![r, .., ..]), guidance.clone(), device)))
    };
    sample_all::<B::InnerBackend>(net, cfg, d0.dim().0, Conditioning::Control, opts, device, pb, &condition, &mut guide)
}

/// Stack scene fields `[5, nt, ny, nx]` as `[N, nt, ny, nx]` density and `[N, nt, 2, ny, nx]`
/// velocity (the generator's axis order).
pub fn scenes_to_arrays(scenes: &[SmokeScene]) -> (ndarray::Array4<f64>, ndarray::Array5<f64>, ndarray::Array5<f64>, ndarray::Array2<f64>) {
    let (_, nt, ny, nx) = scenes.first().map(|s| s.fields.dim()).unwrap_or((5, 0, 0, 0));
    let n = scenes.len();
    let mut d = ndarray::Array4::zeros((n, nt, ny, nx));
    let mut v = ndarray::Array5::zeros((n, nt, 2, ny, nx));
    let mut c = ndarray::Array5::zeros((n, nt, 2, ny, nx));
    let mut s = ndarray::Array2::zeros((n, nt));
    for (i, sc) in scenes.iter().enumerate() {
        d.index_axis_mut(Axis(0), i).assign(&sc.fields.index_axis(Axis(0), 0));
        for k in 0..2 {
            v.index_axis_mut(Axis(0), i).index_axis_mut(Axis(1), k).assign(&sc.fields.index_axis(Axis(0), 1 + k));
            c.index_axis_mut(Axis(0), i).index_axis_mut(Axis(1), k).assign(&sc.fields.index_axis(Axis(0), 3 + k));
        }
        s.row_mut(i).assign(&sc.fraction);
    }
    (d, v, c, s)
}

/// Initial densities `[N, ny, nx]` of scenes.
pub fn initial_densities(scenes: &[SmokeScene]) -> Array3<f64> {
    let views: Vec<_> = scenes.iter().map(|s| s.fields.slice(ndarray::s![0, 0, .., ..])).collect();
    ndarray::stack(Axis(0), &views).unwrap_or_else(|_| Array3::zeros((0, 0, 0)))
}

/// Controls `[N, 2, nt, ny, nx]` of scenes.
pub fn scene_controls(scenes: &[SmokeScene]) -> ndarray::Array5<f64> {
    let views: Vec<ArrayView4<f64>> = scenes.iter().map(|s| s.fields.slice(ndarray::s![3..5, .., .., ..])).collect();
    ndarray::stack(Axis(0), &views).unwrap_or_else(|_| ndarray::Array5::zeros((0, 2, 0, 0, 0)))
}
