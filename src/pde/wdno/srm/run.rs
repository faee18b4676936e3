//! SRM model directories and recursive super-resolution (brief §5.1 "Test").
//!
//! Stage `s = 1..K` refines a trajectory at `(nt·2^(s−1), nx·2^(s−1))` to `(nt·2^s, nx·2^s)`:
//! the previous stage's `u` becomes the low bands, the fine `u0` and `f` (the final resolution's
//! subsampled by `2^(K−s)`) are given, the SRM samples the fine u bands (WDNO's DDIM or a core
//! sampler, [`sample_known`]) and the inverse DWT gives the fine `u`. Stages above the training
//! resolutions are the paper's zero-shot super-resolution: the U-Net is convolutional, so the
//! same weights run on the larger canvas.

use super::config::SrmConfig;
use super::pack::SrmLevel;
use crate::pde::wdno::error::WdnoError;
use crate::pde::wdno::pack::{canvases_to_tensor, tensor_to_canvases};
use crate::pde::wdno::run::{SampleOptions, Weights, check_opts, sample_known};
use crate::pde::wdno::sample::{Denoiser, Known};
use crate::pde::wdno::unet::Unet;
use crate::train::checkpoint::CheckpointError;
use crate::train::trainer::{TrainConfig, checkpoint_path, load_weights};
use burn::prelude::*;
use indicatif::ProgressBar;
use ndarray::{Array3, ArrayView2, ArrayView3, Axis, s};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// `run.toml` of an SRM directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SrmRun {
    /// Seed of weights, batches and noise.
    pub seed: u64,
    /// The training data file (for the record).
    pub data: String,
    /// The training data's grid `[nt, nx]` (the finest training pair's fine grid).
    pub grid: [usize; 2],
    /// Optimisation.
    pub train: TrainConfig,
    /// The model.
    pub srm: SrmConfig,
}

impl SrmRun {
    /// Read `dir/run.toml`.
    pub fn load(dir: &Path) -> Result<Self, WdnoError> {
        let p = dir.join("run.toml");
        let text = std::fs::read_to_string(&p).map_err(|e| WdnoError::Config(format!("{} is not an SRM model directory ({}: {e})", dir.display(), p.display())))?;
        if !Self::is_srm_text(&text) {
            return Err(WdnoError::Config(format!("{} holds no super-resolution model (train one with `pde train --arch srm`)", dir.display())));
        }
        toml::from_str(&text).map_err(|e| WdnoError::Config(format!("{}: {}", p.display(), e.message())))
    }

    fn is_srm_text(text: &str) -> bool {
        toml::from_str::<toml::Table>(text).is_ok_and(|t| t.contains_key("srm"))
    }

    /// Whether `dir` holds an SRM (its `run.toml` has an `[srm]` table).
    pub fn is_srm(dir: &Path) -> bool {
        std::fs::read_to_string(dir.join("run.toml")).is_ok_and(|t| Self::is_srm_text(&t))
    }
}

/// Load a trained SRM (EMA or raw weights).
pub fn load_srm<B: Backend>(dir: &Path, run: &SrmRun, weights: Weights, device: &B::Device) -> Result<Unet<B>, CheckpointError> {
    load_weights(&checkpoint_path(dir), "wdno-srm-unet2d", weights.section(), run.srm.unet.init::<B>(device), device)
}

fn non_finite(what: &str, a: impl IntoIterator<Item = f64>) -> Result<(), WdnoError> {
    match a.into_iter().position(|v| !v.is_finite()) {
        Some(i) => Err(WdnoError::NonFinite(format!("{what} holds a non-finite value (flat index {i})"))),
        None => Ok(()),
    }
}

/// Refine `u_coarse [N, nt+1, nx]` by `stages` factors of 2 given the final resolution's
/// `u0 [N, nx·2^K]` and `f [N, nt·2^K, nx·2^K]` with the denoiser `net` (a trained SRM,
/// [`load_srm`]). Returns every stage's `u`, coarsest first.
#[allow(clippy::too_many_arguments)]
pub fn superresolve<B: Backend, D: Denoiser<B> + ?Sized>(net: &D, cfg: &SrmConfig, u_coarse: ArrayView3<f64>, u0: ArrayView2<f64>, f: ArrayView3<f64>, stages: usize, opts: &SampleOptions, device: &B::Device, pb: Option<&ProgressBar>) -> Result<Vec<Array3<f64>>, WdnoError> {
    check_opts(opts)?;
    let (n, t1, nx) = u_coarse.dim();
    let r = 1usize.checked_shl(stages as u32).filter(|_| (1..=8).contains(&stages)).ok_or_else(|| WdnoError::Config(format!("stages must be 1..=8, got {stages}")))?;
    if n == 0 || t1 < 2 || f.dim() != (n, (t1 - 1) * r, nx * r) || u0.dim() != (n, nx * r) {
        return Err(WdnoError::Shape(format!("coarse u {:?} refined {r}x needs u0 [{n}, {}] and f [{n}, {}, {}], got {:?} and {:?}", u_coarse.dim(), nx * r, (t1 - 1) * r, nx * r, u0.dim(), f.dim())));
    }
    non_finite("the coarse trajectory", u_coarse.iter().copied())?;
    non_finite("u0", u0.iter().copied())?;
    non_finite("f", f.iter().copied())?;
    let mut outs: Vec<Array3<f64>> = Vec::with_capacity(stages);
    for stage in 1..=stages {
        let step = r >> stage; // the final grid subsampled to this stage's
        let level = SrmLevel::new(cfg, (t1 - 1) << stage, nx << stage)?;
        let prev = outs.last().map_or(u_coarse, |u| u.view());
        let (u0s, fs) = (u0.slice(s![.., ..;step]), f.slice(s![.., ..;step, ..;step]));
        let next = refine(net, cfg, &level, prev, u0s, fs, (stage - 1) * n.div_ceil(opts.batch), opts, device, pb)?;
        outs.push(next);
    }
    Ok(outs)
}

/// One stage over all trajectories, in batches (batch `i` draws noise stream `first + i`).
#[allow(clippy::too_many_arguments)]
fn refine<B: Backend, D: Denoiser<B> + ?Sized>(net: &D, cfg: &SrmConfig, level: &SrmLevel, u: ArrayView3<f64>, u0: ArrayView2<f64>, f: ArrayView3<f64>, first: usize, opts: &SampleOptions, device: &B::Device, pb: Option<&ProgressBar>) -> Result<Array3<f64>, WdnoError> {
    let (nt, nx) = level.fine_grid();
    let n = u.dim().0;
    let mask = level.fixed_mask();
    let mut out = Array3::zeros((n, nt + 1, nx));
    for (bi, start) in (0..n).step_by(opts.batch).enumerate() {
        let end = (start + opts.batch).min(n);
        let canv = (start..end).map(|i| level.known(u.index_axis(Axis(0), i), u0.row(i), f.index_axis(Axis(0), i))).collect::<Result<Vec<_>, _>>()?;
        let views: Vec<_> = canv.iter().map(|c| c.view()).collect();
        let masks: Vec<_> = canv.iter().map(|_| mask.view()).collect();
        let known = Known { values: canvases_to_tensor::<B>(&views, device), mask: canvases_to_tensor::<B>(&masks, device) };
        let x = sample_known(net, &cfg.diffusion, &known, opts, first + bi, None, pb)?;
        for (k, c) in tensor_to_canvases(x).into_iter().enumerate() {
            out.index_axis_mut(Axis(0), start + k).assign(&level.unpack(c.view())?.0);
        }
    }
    Ok(out)
}

#[cfg(test)]
#[path = "run_tests.rs"]
mod tests;
