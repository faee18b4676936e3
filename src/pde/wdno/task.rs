//! WDNO training for the shared trainer (brief §3.3–3.4; Ho et al. 2020 "simple" loss):
//!
//! ```text
//! k ~ U{0..T−1},  ε ~ N(0, I),  x_k = √ᾱ_k x0 + √(1−ᾱ_k) ε,
//! x_k ← m ⊙ x0 + (1−m) ⊙ x_k          (inpaint known + padded positions, mask m),
//! L = mean_{b,c,h,w} w_c (ε̂(x_k, k) − (1−m) ⊙ ε)²,   w_c = the layout scalers.
//! ```
//!
//! Data are packed once on the host ([`WdnoData`]); every random draw of step `s` (examples,
//! conditioning, `k`, `ε`) comes from [`crate::train::step_rng`]`(seed, s)`, so runs are
//! reproducible and resumable bit for bit on CPU.

use super::config::{Conditioning, WdnoConfig};
use super::error::WdnoError;
use super::pack::Layout;
use super::schedule::DdpmSchedule;
use super::unet::Unet;
use crate::train::step_rng;
use crate::train::trainer::Task;
use burn::prelude::*;
use burn::tensor::backend::AutodiffBackend;
use ndarray::{Array3, ArrayView3, Axis};
use rand::RngExt;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};
use std::sync::Arc;

/// Packed training canvases `[N, C, H, W]` (both condition stripes filled).
#[derive(Debug, Clone)]
pub struct WdnoData {
    canvases: Vec<Array3<f32>>,
}

impl WdnoData {
    /// Pack `u [N, nt+1, nx]` and `f [N, nt, nx]`.
    pub fn pack(layout: &Layout, u: ArrayView3<f64>, f: ArrayView3<f64>) -> Result<Self, WdnoError> {
        if u.dim().0 != f.dim().0 || u.dim().0 == 0 {
            return Err(WdnoError::Shape(format!("u has {} trajectories, f {} (need the same, at least 1)", u.dim().0, f.dim().0)));
        }
        let canvases = u.outer_iter().zip(f.outer_iter()).map(|(ui, fi)| layout.pack(ui, fi, true)).collect::<Result<_, _>>()?;
        Ok(Self { canvases })
    }

    /// Number of trajectories.
    pub fn len(&self) -> usize {
        self.canvases.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.canvases.is_empty()
    }

    /// Largest `|value|` per channel (1 means the scaler exactly covers the data).
    pub fn channel_max(&self) -> Vec<f32> {
        let mut m = vec![0.0f32; self.canvases.first().map_or(0, |c| c.dim().0)];
        for c in &self.canvases {
            for (ch, plane) in c.axis_iter(Axis(0)).enumerate() {
                m[ch] = plane.iter().fold(m[ch], |a, v| a.max(v.abs()));
            }
        }
        m
    }
}

/// The training task.
#[derive(Debug, Clone)]
pub struct WdnoTask {
    /// Model definition.
    pub config: WdnoConfig,
    layout: Layout,
    schedule: DdpmSchedule,
    data: Arc<WdnoData>,
    masks: [Array3<f32>; 2],
}

/// One host-side batch: network input, target, step indices (shared with the SRM,
/// [`super::srm`]).
pub(crate) struct Batch {
    pub(crate) x: Vec<f32>,
    pub(crate) target: Vec<f32>,
    pub(crate) k: Vec<f32>,
}

impl Batch {
    /// An empty batch with room for `n` canvases of `plane` values.
    pub(crate) fn with_capacity(n: usize, plane: usize) -> Self {
        Self { x: Vec::with_capacity(n * plane), target: Vec::with_capacity(n * plane), k: Vec::with_capacity(n) }
    }

    /// Append one example: draw `k` and `ε`, noise `x0` where `mask` is 0, keep it (target 0)
    /// where `mask` is 1 — the inpainting rule of the module docs.
    pub(crate) fn push_noised(&mut self, x0: &Array3<f32>, mask: &Array3<f32>, schedule: &DdpmSchedule, rng: &mut StdRng) {
        let k = rng.random_range(0..schedule.len());
        let (a, s) = schedule.coefficients(k);
        for (v, m) in x0.iter().zip(mask.iter()) {
            let e: f64 = StandardNormal.sample(rng);
            let e = e as f32;
            if *m == 1.0 {
                self.x.push(*v);
                self.target.push(0.0);
            } else {
                self.x.push(a as f32 * v + s as f32 * e);
                self.target.push(e);
            }
        }
        self.k.push(k as f32);
    }

    /// `mean w_c (ε̂ − target)²` of `net` on this batch of `[C, H, W]` canvases, `w` = `weights`.
    pub(crate) fn weighted_eps_loss<Bk: Backend, D: super::sample::Denoiser<Bk> + ?Sized>(self, net: &D, [c, h, w]: [usize; 3], weights: &[f64], device: &Bk::Device) -> Tensor<Bk, 1> {
        let n = self.k.len();
        let x = Tensor::<Bk, 4>::from_data(TensorData::new(self.x, [n, c, h, w]), device);
        let target = Tensor::<Bk, 4>::from_data(TensorData::new(self.target, [n, c, h, w]), device);
        let k = Tensor::<Bk, 1>::from_data(TensorData::new(self.k, [n]), device);
        let wts: Vec<f32> = weights.iter().map(|v| *v as f32).collect();
        let wts = Tensor::<Bk, 1>::from_data(TensorData::new(wts, [c]), device).reshape([1, c, 1, 1]);
        ((net.eps(x, k) - target).square() * wts).mean()
    }
}

impl WdnoTask {
    /// Validate the configuration against the data and build the task.
    pub fn new(config: WdnoConfig, data: Arc<WdnoData>) -> Result<Self, WdnoError> {
        config.validate()?;
        let layout = Layout::new(&config.layout)?;
        if data.is_empty() || data.canvases[0].shape() != layout.shape() {
            return Err(WdnoError::Shape(format!("data canvases {:?} do not match the layout {:?}", data.canvases.first().map(|c| c.shape().to_vec()), layout.shape())));
        }
        let masks = [layout.fixed_mask(Conditioning::Simulation)?, layout.fixed_mask(Conditioning::Control)?];
        Ok(Self { schedule: DdpmSchedule::new(&config.diffusion), config, layout, data, masks })
    }

    /// The layout.
    pub fn layout(&self) -> &Layout {
        &self.layout
    }

    /// The schedule.
    pub fn schedule(&self) -> &DdpmSchedule {
        &self.schedule
    }

    fn make_batch(&self, idx: &[usize], rng: &mut StdRng) -> Batch {
        let plane = self.layout.shape().iter().product::<usize>();
        let mut b = Batch::with_capacity(idx.len(), plane);
        for &i in idx {
            let sim = match self.config.conditioning {
                Conditioning::Simulation => true,
                Conditioning::Control => false,
                Conditioning::Both => rng.random_bool(0.5),
            };
            let mut x0 = self.data.canvases[i].clone();
            if sim {
                self.layout.drop_target(x0.view_mut());
            }
            b.push_noised(&x0, &self.masks[usize::from(!sim)], &self.schedule, rng);
        }
        b
    }

    fn loss_on<Bk: Backend>(&self, net: &Unet<Bk>, batch: Batch, device: &Bk::Device) -> Tensor<Bk, 1> {
        batch.weighted_eps_loss(net, self.layout.shape(), &self.config.layout.scalers, device)
    }
}

impl<B: AutodiffBackend> Task<B> for WdnoTask {
    type Model = Unet<B>;

    fn kind(&self) -> String {
        "wdno-burgers-unet2d".into()
    }
    fn config_json(&self) -> serde_json::Value {
        serde_json::json!({ "wdno": self.config, "trajectories": self.data.len() })
    }
    fn init_model(&self, device: &B::Device) -> Unet<B> {
        self.config.unet.init(device)
    }
    fn loss(&self, model: &Unet<B>, step: u64, seed: u64, batch_size: usize, device: &B::Device) -> Tensor<B, 1> {
        let mut rng = step_rng(seed, step, 0);
        let idx: Vec<usize> = (0..batch_size).map(|_| rng.random_range(0..self.data.len())).collect();
        let batch = self.make_batch(&idx, &mut rng);
        self.loss_on(model, batch, device)
    }
    /// The loss of the first (up to) 64 training trajectories with fixed noise and steps: a
    /// low-variance monitor of the fit, not a held-out score.
    fn validate(&self, ema: &Unet<B::InnerBackend>, seed: u64, device: &B::Device) -> f64 {
        let mut rng = step_rng(seed, u64::MAX, 1);
        let idx: Vec<usize> = (0..self.data.len().min(64)).collect();
        let batch = self.make_batch(&idx, &mut rng);
        self.loss_on(ema, batch, device).into_scalar().elem()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pde::solvers::burgers::{BurgersPreset, generate};
    use burn::backend::{Autodiff, NdArray};

    type Ad = Autodiff<NdArray<f32>>;

    fn task(cond: Conditioning) -> WdnoTask {
        let (u, f) = generate(&BurgersPreset::small(), 3, 9).unwrap();
        let mut cfg = WdnoConfig::small(cond);
        cfg.unet.dim = 8;
        cfg.unet.attn_dim_head = 8;
        let layout = Layout::new(&cfg.layout).unwrap();
        WdnoTask::new(cfg, Arc::new(WdnoData::pack(&layout, u.view(), f.view()).unwrap())).unwrap()
    }

    /// Oracle: the inpainting rule. Fixed positions carry x0 exactly and a zero target; free
    /// positions satisfy x = √ᾱ x0 + √(1−ᾱ) target for the batch's own step.
    #[test]
    fn batch_inpaints_and_zeroes_targets() {
        for cond in [Conditioning::Simulation, Conditioning::Control] {
            let t = task(cond);
            let mut rng = crate::rng(3);
            let b = t.make_batch(&[1], &mut rng);
            let mut x0 = t.data.canvases[1].clone();
            if cond == Conditioning::Simulation {
                t.layout.drop_target(x0.view_mut());
            }
            let (a, s) = t.schedule.coefficients(b.k[0] as usize);
            let mask = &t.masks[usize::from(cond == Conditioning::Control)];
            for (((x, tg), v), m) in b.x.iter().zip(&b.target).zip(x0.iter()).zip(mask.iter()) {
                if *m == 1.0 {
                    assert!(*x == *v && *tg == 0.0);
                } else {
                    assert!((x - (a as f32 * v + s as f32 * tg)).abs() < 1e-5);
                }
            }
        }
    }

    /// The loss is finite and deterministic per (seed, step), and a few Adam steps lower it on
    /// a fixed batch (a property of any trainable network; 10 steps, lr 1e-3).
    #[test]
    fn loss_is_reproducible_and_trainable() {
        use burn::optim::{AdamConfig, GradientsParams, Optimizer};
        let t = task(Conditioning::Both);
        let dev = Default::default();
        <Ad as Backend>::seed(&dev, 0);
        let mut net: Unet<Ad> = <WdnoTask as Task<Ad>>::init_model(&t, &dev);
        let l1: f32 = <WdnoTask as Task<Ad>>::loss(&t, &net, 7, 1, 4, &dev).into_scalar();
        let l2: f32 = <WdnoTask as Task<Ad>>::loss(&t, &net, 7, 1, 4, &dev).into_scalar();
        assert_eq!(l1, l2);
        let mut opt = AdamConfig::new().init::<Ad, Unet<Ad>>();
        let first: f32 = <WdnoTask as Task<Ad>>::loss(&t, &net, 0, 1, 2, &dev).into_scalar();
        for _ in 0..10 {
            let loss = <WdnoTask as Task<Ad>>::loss(&t, &net, 0, 1, 2, &dev);
            let g = GradientsParams::from_grads(loss.backward(), &net);
            net = opt.step(1e-3, net, g);
        }
        let last: f32 = <WdnoTask as Task<Ad>>::loss(&t, &net, 0, 1, 2, &dev).into_scalar();
        assert!(last < 0.8 * first, "loss {first} -> {last}");
    }
}
