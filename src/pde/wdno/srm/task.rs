//! SRM training for the shared trainer (brief §5.1, repo `SuperDataLoader`): the loss of
//! [`crate::pde::wdno::task`] (ε-prediction, inpainted known positions with zero target,
//! scaler-weighted MSE) on random-level batches.
//!
//! From training data at `(nt, nx)`, level `i < levels` holds the pairs "data subsampled by
//! `2^i` ← data subsampled by `2^(i+1)`" ([`SrmLevel::pack_pair`]); each step draws one level
//! uniformly (canvases differ in size between levels), then the batch's trajectories, all from
//! [`crate::train::step_rng`]`(seed, step)` (reproducible and resumable).

use super::config::SrmConfig;
use super::pack::SrmLevel;
use crate::pde::wdno::error::WdnoError;
use crate::pde::wdno::schedule::DdpmSchedule;
use crate::pde::wdno::task::Batch;
use crate::pde::wdno::unet::Unet;
use crate::train::step_rng;
use crate::train::trainer::Task;
use burn::prelude::*;
use burn::tensor::backend::AutodiffBackend;
use ndarray::{Array3, ArrayView3, Axis, s};
use rand::RngExt;
use rand::rngs::StdRng;
use std::sync::Arc;

/// Packed training pairs: `pairs[i][n]` is trajectory `n` at level `i`.
#[derive(Debug, Clone)]
pub struct SrmData {
    levels: Vec<SrmLevel>,
    pairs: Vec<Vec<Array3<f32>>>,
}

impl SrmData {
    /// Pack `u [N, nt+1, nx]`, `f [N, nt, nx]` at every level of `cfg` (`nt`, `nx` must be
    /// divisible by `2^levels`).
    pub fn pack(cfg: &SrmConfig, u: ArrayView3<f64>, f: ArrayView3<f64>) -> Result<Self, WdnoError> {
        let ((n, t1, nx), (nf, nt, xf)) = (u.dim(), f.dim());
        if n == 0 || n != nf || t1 != nt + 1 || nx != xf {
            return Err(WdnoError::Shape(format!("u is {:?} and f {:?}: expected [N, nt+1, nx] and [N, nt, nx] with N >= 1", u.dim(), f.dim())));
        }
        let d = 1usize << cfg.levels;
        if !nt.is_multiple_of(d) || !nx.is_multiple_of(d) {
            return Err(WdnoError::Shape(format!("{} training pairs need nt and nx divisible by {d}, got {t1}x{nx}", cfg.levels)));
        }
        let mut levels = Vec::with_capacity(cfg.levels);
        let mut pairs = Vec::with_capacity(cfg.levels);
        for i in 0..cfg.levels {
            let r = 1usize << i;
            let level = SrmLevel::new(cfg, nt / r, nx / r)?;
            let (us, fs) = (u.slice(s![.., ..;r, ..;r]), f.slice(s![.., ..;r, ..;r]));
            let p = us.outer_iter().zip(fs.outer_iter()).map(|(ui, fi)| level.pack_pair(ui, fi)).collect::<Result<Vec<_>, _>>()?;
            levels.push(level);
            pairs.push(p);
        }
        Ok(Self { levels, pairs })
    }

    /// Number of trajectories.
    pub fn len(&self) -> usize {
        self.pairs[0].len()
    }

    /// Whether there are none (never, once packed).
    pub fn is_empty(&self) -> bool {
        self.pairs[0].is_empty()
    }

    /// The levels, finest first.
    pub fn levels(&self) -> &[SrmLevel] {
        &self.levels
    }

    /// Largest `|value|` per channel at level `i` (1 means the scaler exactly covers the data).
    pub fn channel_max(&self, i: usize) -> Vec<f32> {
        let mut m = vec![0.0f32; self.levels[i].shape()[0]];
        for c in &self.pairs[i] {
            for (ch, plane) in c.axis_iter(Axis(0)).enumerate() {
                m[ch] = plane.iter().fold(m[ch], |a, v| a.max(v.abs()));
            }
        }
        m
    }
}

/// The SRM training task.
#[derive(Debug, Clone)]
pub struct SrmTask {
    /// Model definition.
    pub config: SrmConfig,
    data: Arc<SrmData>,
    masks: Vec<Array3<f32>>,
    weights: Vec<f64>,
    schedule: DdpmSchedule,
}

impl SrmTask {
    /// Validate the configuration against the data and build the task.
    pub fn new(config: SrmConfig, data: Arc<SrmData>) -> Result<Self, WdnoError> {
        config.validate()?;
        if data.levels.len() != config.levels {
            return Err(WdnoError::Config(format!("data packed for {} levels, the configuration has {}", data.levels.len(), config.levels)));
        }
        let masks = data.levels.iter().map(SrmLevel::fixed_mask).collect();
        Ok(Self { weights: config.channel_weights(), schedule: DdpmSchedule::new(&config.diffusion), masks, data, config })
    }

    fn make_batch(&self, level: usize, idx: &[usize], rng: &mut StdRng) -> Batch {
        let plane = self.data.levels[level].shape().iter().product::<usize>();
        let mut b = Batch::with_capacity(idx.len(), plane);
        for &i in idx {
            b.push_noised(&self.data.pairs[level][i], &self.masks[level], &self.schedule, rng);
        }
        b
    }

    fn loss_on<Bk: Backend>(&self, net: &Unet<Bk>, level: usize, batch: Batch, device: &Bk::Device) -> Tensor<Bk, 1> {
        batch.weighted_eps_loss(net, self.data.levels[level].shape(), &self.weights, device)
    }
}

impl<B: AutodiffBackend> Task<B> for SrmTask {
    type Model = Unet<B>;

    fn kind(&self) -> String {
        "wdno-srm-unet2d".into()
    }
    fn config_json(&self) -> serde_json::Value {
        serde_json::json!({ "srm": self.config, "trajectories": self.data.len() })
    }
    fn init_model(&self, device: &B::Device) -> Unet<B> {
        self.config.unet.init(device)
    }
    fn loss(&self, model: &Unet<B>, step: u64, seed: u64, batch_size: usize, device: &B::Device) -> Tensor<B, 1> {
        let mut rng = step_rng(seed, step, 0);
        let level = rng.random_range(0..self.data.levels.len());
        let idx: Vec<usize> = (0..batch_size).map(|_| rng.random_range(0..self.data.len())).collect();
        let batch = self.make_batch(level, &idx, &mut rng);
        self.loss_on(model, level, batch, device)
    }
    /// The mean over levels of the loss of the first (up to) 32 training trajectories with
    /// fixed noise and steps: a low-variance monitor of the fit, not a held-out score.
    fn validate(&self, ema: &Unet<B::InnerBackend>, seed: u64, device: &B::Device) -> f64 {
        let idx: Vec<usize> = (0..self.data.len().min(32)).collect();
        let n = self.data.levels.len();
        let total: f64 = (0..n)
            .map(|level| {
                let mut rng = step_rng(seed, u64::MAX, 1 + level as u64);
                let batch = self.make_batch(level, &idx, &mut rng);
                self.loss_on(ema, level, batch, device).into_scalar().elem::<f64>()
            })
            .sum();
        total / n as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pde::solvers::burgers::{BurgersPreset, generate};
    use burn::backend::{Autodiff, NdArray};

    type Ad = Autodiff<NdArray<f32>>;

    /// Both small levels are packed (shapes), pairs at level 1 are the level-0 data's
    /// `[::2, ::2]` pairs, and the loss is finite and reproducible per (seed, step).
    #[test]
    fn random_level_batches() {
        let (u, f) = generate(&BurgersPreset::small(), 3, 6).unwrap();
        let mut cfg = SrmConfig::small();
        cfg.unet.dim = 8;
        cfg.unet.attn_dim_head = 8;
        let data = SrmData::pack(&cfg, u.view(), f.view()).unwrap();
        assert_eq!(data.levels().iter().map(SrmLevel::shape).collect::<Vec<_>>(), [[17, 24, 32], [17, 12, 16]]);
        let direct = data.levels()[1].pack_pair(u.slice(s![2, ..;2, ..;2]), f.slice(s![2, ..;2, ..;2])).unwrap();
        assert_eq!(data.pairs[1][2], direct);
        assert!(data.channel_max(0).iter().all(|m| *m <= 1.0), "{:?}", data.channel_max(0));
        let task = SrmTask::new(cfg.clone(), Arc::new(data)).unwrap();
        let dev = Default::default();
        let net: Unet<Ad> = <SrmTask as Task<Ad>>::init_model(&task, &dev);
        let levels: Vec<usize> = (0..8).map(|s| step_rng(1, s, 0).random_range(0..2)).collect();
        assert!(levels.contains(&0) && levels.contains(&1));
        for step in 0..2 {
            let a: f32 = <SrmTask as Task<Ad>>::loss(&task, &net, step, 1, 2, &dev).into_scalar();
            let b: f32 = <SrmTask as Task<Ad>>::loss(&task, &net, step, 1, 2, &dev).into_scalar();
            assert!(a.is_finite() && a == b);
        }
        assert!(SrmData::pack(&SrmConfig { levels: 3, ..cfg }, u.view(), f.view()).is_err()); // 40 % 8 != 0
    }
}
