//! FNO training for the shared trainer and batched prediction.
//!
//! Loss: the mean squared error of `u[1..=nt]` (row 0 is the given `u0`), the same quantity
//! `scidiff pde eval` reports. Batches are drawn from [`crate::train::step_rng`]`(seed, step)`,
//! so runs are reproducible and resume bit for bit on CPU.

use super::model::{FnoConfig, Fno, INPUTS};
use crate::pde::wdno::WdnoError;
use crate::train::step_rng;
use crate::train::trainer::Task;
use burn::prelude::*;
use burn::tensor::backend::AutodiffBackend;
use indicatif::ProgressBar;
use ndarray::{Array3, ArrayView2, ArrayView3, Axis, s};
use rand::RngExt;
use std::sync::Arc;

/// The checkpoint kind of an FNO run.
pub const KIND: &str = "fno-burgers-2d";

/// Inputs `[N·4, nt+1, nx]` and targets `[N, nt+1, nx]`, built once on the host.
#[derive(Debug, Clone)]
pub struct FnoData {
    inputs: Array3<f32>,
    targets: Array3<f32>,
}

impl FnoData {
    /// Build from `u [N, nt+1, nx]` and `f [N, nt, nx]`; refuses NaN/Inf.
    pub fn new(cfg: &FnoConfig, u: ArrayView3<f64>, f: ArrayView3<f64>) -> Result<Self, WdnoError> {
        if u.dim().0 == 0 || u.dim() != (f.dim().0, cfg.nt + 1, cfg.nx) {
            return Err(WdnoError::Shape(format!("u is {:?}, f {:?}; the FNO expects [N >= 1, {}, {}] and [N, {}, {}]", u.dim(), f.dim(), cfg.nt + 1, cfg.nx, cfg.nt, cfg.nx)));
        }
        if u.iter().chain(f.iter()).any(|v| !v.is_finite()) {
            return Err(WdnoError::Shape("u or f holds NaN or Inf".into()));
        }
        let inputs = cfg.input(u.index_axis(Axis(1), 0), f)?;
        Ok(Self { inputs, targets: u.mapv(|v| v as f32) })
    }

    /// Number of trajectories.
    pub fn len(&self) -> usize {
        self.targets.dim().0
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The training task.
#[derive(Debug, Clone)]
pub struct FnoTask {
    /// The network definition.
    pub config: FnoConfig,
    data: Arc<FnoData>,
}

impl FnoTask {
    /// Validate and build.
    pub fn new(config: FnoConfig, data: Arc<FnoData>) -> Result<Self, WdnoError> {
        config.validate()?;
        if data.targets.dim().1 != config.nt + 1 || data.targets.dim().2 != config.nx {
            return Err(WdnoError::Shape(format!("data are {:?}, the config wants {}x{}", data.targets.dim(), config.nt + 1, config.nx)));
        }
        Ok(Self { config, data })
    }

    fn loss_on<Bk: Backend>(&self, net: &Fno<Bk>, idx: &[usize], device: &Bk::Device) -> Tensor<Bk, 1> {
        let (h, w) = (self.config.nt + 1, self.config.nx);
        let mut x: Vec<f32> = Vec::with_capacity(idx.len() * INPUTS * h * w);
        let mut y: Vec<f32> = Vec::with_capacity(idx.len() * h * w);
        for &i in idx {
            x.extend(self.data.inputs.slice(s![i * INPUTS..(i + 1) * INPUTS, .., ..]).iter());
            y.extend(self.data.targets.index_axis(Axis(0), i).iter());
        }
        let n = idx.len();
        let x = Tensor::<Bk, 4>::from_data(TensorData::new(x, [n, INPUTS, h, w]), device);
        let y = Tensor::<Bk, 3>::from_data(TensorData::new(y, [n, h, w]), device);
        let pred = net.forward(x);
        (pred.slice([0..n, 1..h, 0..w]) - y.slice([0..n, 1..h, 0..w])).square().mean()
    }
}

impl<B: AutodiffBackend> Task<B> for FnoTask {
    type Model = Fno<B>;

    fn kind(&self) -> String {
        KIND.into()
    }
    fn config_json(&self) -> serde_json::Value {
        serde_json::json!({ "fno": self.config, "trajectories": self.data.len() })
    }
    fn init_model(&self, device: &B::Device) -> Fno<B> {
        self.config.init(device)
    }
    fn loss(&self, model: &Fno<B>, step: u64, seed: u64, batch_size: usize, device: &B::Device) -> Tensor<B, 1> {
        let mut rng = step_rng(seed, step, 0);
        let idx: Vec<usize> = (0..batch_size).map(|_| rng.random_range(0..self.data.len())).collect();
        self.loss_on(model, &idx, device)
    }
    /// MSE(t ≥ 1) of the EMA weights on the first (up to) 64 training trajectories: a monitor of
    /// the fit, not a held-out score (use `scidiff pde eval` on a test file for that).
    fn validate(&self, ema: &Fno<B::InnerBackend>, _seed: u64, device: &B::Device) -> f64 {
        let idx: Vec<usize> = (0..self.data.len().min(64)).collect();
        self.loss_on(ema, &idx, device).into_scalar().elem()
    }
}

/// Predict whole trajectories `[N, nt+1, nx]` from `u0 [N, nx]` and `f [N, nt, nx]` in batches
/// of `batch`; row 0 is `u0` exactly. `cfg` may be the training config at another resolution
/// ([`FnoConfig::at_resolution`]).
pub fn predict<B: Backend>(net: &Fno<B>, cfg: &FnoConfig, u0: ArrayView2<f64>, f: ArrayView3<f64>, batch: usize, device: &B::Device, pb: Option<&ProgressBar>) -> Result<Array3<f64>, WdnoError> {
    let x = cfg.input(u0, f)?;
    let (n, h, w) = (u0.nrows(), cfg.nt + 1, cfg.nx);
    let mut out = Array3::<f64>::zeros((n, h, w));
    for start in (0..n).step_by(batch.max(1)) {
        let end = (start + batch.max(1)).min(n);
        let xb: Vec<f32> = x.slice(s![start * INPUTS..end * INPUTS, .., ..]).iter().copied().collect();
        let y = net.forward_padded(Tensor::<B, 4>::from_data(TensorData::new(xb, [end - start, INPUTS, h, w]), device), cfg.pad);
        let y = y.into_data().to_vec::<f32>().map_err(|e| WdnoError::Shape(format!("{e:?}")))?;
        let y = Array3::from_shape_vec((end - start, h, w), y.into_iter().map(f64::from).collect()).expect("shape from the tensor");
        out.slice_mut(s![start..end, .., ..]).assign(&y);
        if let Some(pb) = pb {
            pb.inc(1);
        }
    }
    out.index_axis_mut(Axis(1), 0).assign(&u0);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pde::solvers::burgers::{BurgersPreset, generate};
    use burn::backend::{Autodiff, NdArray};
    use burn::optim::{AdamConfig, GradientsParams, Optimizer};

    type Ad = Autodiff<NdArray<f32>>;

    fn small() -> (FnoConfig, Array3<f64>, Array3<f64>) {
        let (u, f) = generate(&BurgersPreset::small(), 6, 4).unwrap();
        let cfg = FnoConfig { width: 8, modes: [4, 4], layers: 2, proj: 16, ..FnoConfig::default() };
        (cfg, u, f)
    }

    /// The input layout: u0 on every row, f shifted down one row, coordinates in (0, 1].
    #[test]
    fn input_channels_follow_the_documented_layout() {
        let (cfg, u, f) = small();
        let x = cfg.input(u.index_axis(Axis(1), 0), f.view()).unwrap();
        assert_eq!(x.dim(), (6 * INPUTS, 41, 60));
        let (b, k, j) = (2, 7, 11);
        assert_eq!(x[[b * INPUTS, k, j]], u[[b, 0, j]] as f32);
        assert_eq!(x[[b * INPUTS + 1, k, j]], (f[[b, k - 1, j]] / cfg.f_scale) as f32);
        assert_eq!(x[[b * INPUTS + 1, 0, j]], 0.0);
        assert_eq!(x[[b * INPUTS + 2, 40, j]], 1.0);
        assert!(cfg.input(u.index_axis(Axis(1), 0), f.slice(s![.., ..39, ..])).is_err());
    }

    /// Parameter count of the `small` FNO, by hand: lift 4·32+32, four spectral layers of
    /// 2·288·32·32 (24 row × 12 column modes), four pointwise 32·32+32, projection 32·128+128
    /// and 128+1.
    #[test]
    fn small_parameter_count() {
        use burn::module::Module;
        let net: Fno<burn::backend::NdArray<f32>> = FnoConfig::default().init(&Default::default());
        assert_eq!(FnoConfig::default().basis().modes(), 288);
        assert_eq!(net.num_params(), 160 + 4 * 2 * 288 * 32 * 32 + 4 * 1056 + 4224 + 129);
        assert_eq!(net.num_params(), 2_368_033);
    }

    /// Zero-shot resolution: the padded grid doubles exactly (49x68 -> 98x136); other factors
    /// in t and x, or non-multiples, are refused.
    #[test]
    fn at_resolution_scales_the_padded_grid() {
        let cfg = FnoConfig::default();
        let fine = cfg.at_resolution(80, 120).unwrap();
        assert_eq!((fine.pad, fine.grid()), ([17, 16], [98, 136]));
        assert!(cfg.at_resolution(80, 60).is_err() && cfg.at_resolution(60, 90).is_err());
    }

    /// Bad data are refused with an error, not a panic.
    #[test]
    fn non_finite_data_is_refused() {
        let (cfg, mut u, f) = small();
        u[[1, 3, 4]] = f64::NAN;
        let e = FnoData::new(&cfg, u.view(), f.view()).unwrap_err().to_string();
        assert!(e.contains("NaN"), "{e}");
    }

    /// Trainability and determinism: the loss is a pure function of (seed, step), and 30 Adam
    /// steps on one fixed batch lower it well below the start (lr 3e-3).
    #[test]
    fn loss_is_reproducible_and_falls() {
        let (cfg, u, f) = small();
        let task = FnoTask::new(cfg, Arc::new(FnoData::new(&small().0, u.view(), f.view()).unwrap())).unwrap();
        let dev = Default::default();
        <Ad as Backend>::seed(&dev, 0);
        let mut net: Fno<Ad> = <FnoTask as Task<Ad>>::init_model(&task, &dev);
        let l = |net: &Fno<Ad>| -> f32 { <FnoTask as Task<Ad>>::loss(&task, net, 3, 1, 4, &dev).into_scalar() };
        assert_eq!(l(&net), l(&net));
        let first = l(&net);
        let mut opt = AdamConfig::new().init::<Ad, Fno<Ad>>();
        for _ in 0..30 {
            let g = GradientsParams::from_grads(<FnoTask as Task<Ad>>::loss(&task, &net, 3, 1, 4, &dev).backward(), &net);
            net = opt.step(3e-3, net, g);
        }
        let last = l(&net);
        assert!(last < 0.5 * first, "loss {first} -> {last}");
        let pred = predict(&burn::module::AutodiffModule::valid(&net), &task.config, u.index_axis(Axis(1), 0), f.view(), 4, &dev, None).unwrap();
        assert_eq!(pred.dim(), u.dim());
        assert_eq!(pred.index_axis(Axis(1), 0), u.index_axis(Axis(1), 0));
    }
}
