//! DRAKES as a [`Task`] of the shared trainer: the loss of step `k` is
//! `−mean_b r(x₀⁽ᵇ⁾) + α mean_b KL̂⁽ᵇ⁾` over `batch_size` trajectories drawn with randomness from
//! `(seed, k)` only, so checkpoints resume exactly. The model starts from the pretrained weights;
//! the reference copy and the reward are frozen. Validation draws `validate_samples` hard
//! sequences from the current weights with the ancestral sampler (the same noise every time) and
//! reports `−mean reward` as the validation loss.

use super::config::DrakesConfig;
use super::reward::{SeqReward, hard_rewards};
use super::rollout::rollout;
use crate::discrete::ancestral::sample;
use crate::discrete::conv::DnaConv;
use crate::discrete::net::NetDenoiser;
use crate::discrete::task::MaskedTaskConfig;
use crate::train::checkpoint::CheckpointError;
use crate::train::step_rng;
use crate::train::trainer::Task;
use burn::module::Module;
use burn::prelude::*;
use burn::record::{FullPrecisionSettings, NamedMpkBytesRecorder, Recorder};
use burn::tensor::backend::AutodiffBackend;
use std::path::Path;
use std::sync::{Arc, Mutex};

type Rec = NamedMpkBytesRecorder<FullPrecisionSettings>;

/// The checkpoint kind of the pretrained DNA denoiser (a fine-tuned model keeps it, so every
/// command that loads a pretrained model loads a fine-tuned one).
pub const MODEL_KIND: &str = "masked-diffusion-dnaconv";

/// The weights of a DNA-denoiser checkpoint file (EMA section) as record bytes, with the
/// checkpoint's step. Normally `checkpoint_path(pretrained_dir)`.
pub fn pretrained_record(path: &Path) -> Result<(Vec<u8>, u64), CheckpointError> {
    let (bytes, header) = crate::train::trainer::ema_record(path, MODEL_KIND)?;
    Ok((bytes, header.step))
}

#[derive(Debug, Default)]
struct Window {
    n: usize,
    reward: f64,
    kl: f64,
}

/// Running means of the training reward and KL between two metrics lines (shared by the DNA and
/// protein fine-tunes).
#[derive(Debug, Default)]
pub struct RewardWindow(Mutex<Window>);

impl RewardWindow {
    /// Records one loss evaluation's mean reward and KL.
    pub fn add(&self, reward: f64, kl: f64) {
        if let Ok(mut w) = self.0.lock() {
            w.n += 1;
            w.reward += reward;
            w.kl += kl;
        }
    }

    /// `{reward, kl}` means since the last call (none if nothing was recorded).
    pub fn take(&self) -> Option<serde_json::Map<String, serde_json::Value>> {
        let mut w = self.0.lock().ok()?;
        if w.n == 0 {
            return None;
        }
        let mut m = serde_json::Map::new();
        m.insert("reward".into(), (w.reward / w.n as f64).into());
        m.insert("kl".into(), (w.kl / w.n as f64).into());
        *w = Window::default();
        Some(m)
    }
}

/// The fine-tuning task.
pub struct DrakesTask<B: AutodiffBackend> {
    /// Algorithm settings.
    pub config: DrakesConfig,
    /// The pretrained model's configuration (network, schedule).
    pub model: MaskedTaskConfig,
    pretrained: Arc<Vec<u8>>,
    reference: DnaConv<B>,
    reward: SeqReward<B>,
    window: RewardWindow,
}

impl<B: AutodiffBackend> DrakesTask<B> {
    /// Build from the pretrained record bytes ([`pretrained_record`]) and a reward.
    pub fn new(config: DrakesConfig, model: MaskedTaskConfig, pretrained: Vec<u8>, reward: SeqReward<B>, device: &B::Device) -> Result<Self, CheckpointError> {
        config.validate().map_err(|e| CheckpointError::Record(format!("invalid DRAKES configuration: {e}")))?;
        let reference = load_net::<B>(&model, &pretrained, device)?.no_grad();
        Ok(Self { config, model, pretrained: Arc::new(pretrained), reference, reward: reward.frozen(), window: RewardWindow::default() })
    }

    /// The reward in use.
    pub fn reward(&self) -> &SeqReward<B> {
        &self.reward
    }
}

fn load_net<B: Backend>(model: &MaskedTaskConfig, bytes: &[u8], device: &B::Device) -> Result<DnaConv<B>, CheckpointError> {
    let record = Recorder::<B>::load(&Rec::default(), bytes.to_vec(), device).map_err(|e| CheckpointError::Record(format!("cannot decode the pretrained weights: {e}")))?;
    Ok(model.net.init::<B>(device).load_record(record))
}

impl<B: AutodiffBackend> Task<B> for DrakesTask<B> {
    type Model = DnaConv<B>;

    fn kind(&self) -> String {
        MODEL_KIND.into()
    }
    fn config_json(&self) -> serde_json::Value {
        serde_json::json!({ "model": self.model, "drakes": self.config, "reward": self.reward.name() })
    }
    fn init_model(&self, device: &B::Device) -> DnaConv<B> {
        load_net::<B>(&self.model, &self.pretrained, device).expect("pretrained weights were decoded once in DrakesTask::new")
    }
    fn loss(&self, model: &DnaConv<B>, step: u64, seed: u64, batch_size: usize, device: &B::Device) -> Tensor<B, 1> {
        let mut rng = step_rng(seed, step, 7);
        let r = rollout(model, &self.reference, &self.config, &self.model.schedule, batch_size, self.model.net.len, &mut rng, device);
        let reward = self.reward.soft(r.sample).mean();
        let kl = r.kl.mean();
        self.window.add(reward.clone().into_scalar().elem::<f64>(), kl.clone().into_scalar().elem::<f64>());
        reward.neg() + kl.mul_scalar(self.config.alpha)
    }
    fn validate(&self, ema: &DnaConv<B::InnerBackend>, seed: u64, device: &B::Device) -> f64 {
        let n = self.config.validate_samples;
        if n == 0 {
            return 0.0;
        }
        let mut den = NetDenoiser::<B::InnerBackend, _> { net: ema.clone(), device: device.clone() };
        let x = sample(&mut den, n, self.model.net.len, &self.model.schedule, self.config.steps, &mut step_rng(seed, u64::MAX, 3));
        let r = hard_rewards(&self.reward.inner(), &x, device);
        -r.iter().sum::<f64>() / r.len() as f64
    }
    fn extra_metrics(&self) -> Option<serde_json::Map<String, serde_json::Value>> {
        self.window.take()
    }
}
