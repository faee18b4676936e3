//! `scidiff sde train`: a noise-prediction MLP trained by denoising score matching on fresh
//! samples of a target file's Gaussian mixture, and sampling from its EMA weights with any core
//! sampler (`scidiff sde sample --model DIR`).

use super::loss::{DsmConfig, dsm_loss};
use super::mlp::{MlpConfig, NoiseMlp};
use super::step_rng;
use super::trainer::Task;
use crate::error::SampleError;
use crate::sampler::Model;
use crate::sde::{Prediction, Sde};
use crate::target::{GaussianMixture, TargetFile};
use burn::prelude::*;
use burn::tensor::backend::AutodiffBackend;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Everything that defines the model of a `scidiff sde train` run (stored in `run.toml`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GmmTaskConfig {
    /// The target (process and mixture).
    pub target: TargetFile,
    /// The network.
    #[serde(default)]
    pub mlp: MlpConfig,
    /// The loss.
    #[serde(default)]
    pub dsm: DsmConfig,
}

/// The training task.
#[derive(Debug, Clone)]
pub struct GmmTask {
    /// Configuration.
    pub config: GmmTaskConfig,
    gmm: GaussianMixture,
    sde: Arc<dyn Sde>,
}

impl GmmTask {
    /// Validate the configuration and build the task.
    pub fn new(mut config: GmmTaskConfig) -> Result<Self, crate::error::ConfigError> {
        let gmm = config.target.mixture()?;
        let sde = config.target.sde.build()?;
        config.mlp.dim = gmm.dim();
        Ok(Self { config, gmm, sde })
    }

    /// The forward process.
    pub fn sde(&self) -> Arc<dyn Sde> {
        self.sde.clone()
    }

    /// The mixture.
    pub fn mixture(&self) -> &GaussianMixture {
        &self.gmm
    }

    fn loss_on<B: Backend>(&self, model: &NoiseMlp<B>, x0: &ndarray::Array2<f64>, rng: &mut rand::rngs::StdRng, device: &B::Device) -> Tensor<B, 1> {
        let batch = self.config.dsm.batch::<B, 2>(self.sde.as_ref(), &x0.clone().into_dyn(), rng, device);
        dsm_loss(model.forward(batch.x_t.clone(), batch.t.clone()), &batch)
    }
}

impl<B: AutodiffBackend> Task<B> for GmmTask {
    type Model = NoiseMlp<B>;

    fn kind(&self) -> String {
        "sde-gmm-mlp".into()
    }
    fn config_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.config).expect("serialisable")
    }
    fn init_model(&self, device: &B::Device) -> NoiseMlp<B> {
        self.config.mlp.init(device)
    }
    fn loss(&self, model: &NoiseMlp<B>, step: u64, seed: u64, batch_size: usize, device: &B::Device) -> Tensor<B, 1> {
        let mut rng = step_rng(seed, step, 0);
        let x0 = self.gmm.data().sample(batch_size, &mut rng);
        self.loss_on(model, &x0, &mut rng, device)
    }
    fn validate(&self, ema: &NoiseMlp<B::InnerBackend>, seed: u64, device: &B::Device) -> f64 {
        let mut rng = step_rng(seed, u64::MAX, 1);
        let x0 = self.gmm.data().sample(4096, &mut rng);
        self.loss_on(ema, &x0, &mut rng, device).into_scalar().elem()
    }
}

/// A trained MLP as a sampler [`Model`] on `[n, d]` tensors.
pub struct MlpDenoiser<B: Backend> {
    /// The network (EMA weights).
    pub net: NoiseMlp<B>,
    /// What it predicts.
    pub prediction: Prediction,
}

impl<B: Backend> Model<Tensor<B, 2>> for MlpDenoiser<B> {
    fn prediction(&self) -> Prediction {
        self.prediction
    }
    fn eval(&mut self, x: &Tensor<B, 2>, t: f64) -> Result<Tensor<B, 2>, SampleError> {
        let n = x.dims()[0];
        let tt = Tensor::<B, 1>::full([n], t as f32, &x.device());
        Ok(self.net.forward(x.clone(), tt))
    }
}

/// Load the EMA network of a run directory for sampling on `B`'s inner backend.
pub fn load_denoiser<B: AutodiffBackend>(task: &GmmTask, dir: &std::path::Path, device: &B::Device) -> Result<MlpDenoiser<B::InnerBackend>, super::checkpoint::CheckpointError> {
    let (net, _) = super::trainer::load_ema::<B, GmmTask>(task, dir, device)?;
    Ok(MlpDenoiser { net, prediction: task.config.dsm.prediction })
}
