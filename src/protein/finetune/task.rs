//! Protein DRAKES as a [`Task`] of the shared trainer. Loss of step `k`:
//! `mean over trajectories of (−r(x₀) + α KL̂)` over `batch_size` training backbones drawn with
//! randomness from `(seed, k)` only (exact resume), `designs_per_backbone` trajectories each.
//! Validation: hard designs with the current weights on the first `validate_backbones` training
//! backbones (the same noise every time); the validation loss is `−mean reward`.

use super::ProteinDrakesConfig;
use super::rollout::{rollout, soft_reward};
use crate::protein::ProteinError;
use crate::protein::design::design;
use crate::protein::energy::{Contacts, Energy};
use crate::protein::features::{GraphFeatures, featurize};
use crate::protein::mpnn::ProteinMpnn;
use crate::protein::pdb::Backbone;
use crate::train::step_rng;
use crate::train::trainer::{Task, checkpoint_path, load_weights};
use burn::module::Module;
use burn::prelude::*;
use burn::tensor::backend::AutodiffBackend;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use crate::drakes::task::RewardWindow;

/// Checkpoint kind of a fine-tuned ProteinMPNN.
pub const MODEL_KIND: &str = "protein-mpnn";

/// The pretrained checkpoint copied into a fine-tuned model's directory (architecture, `k`,
/// reference model).
pub fn pretrained_copy(dir: &Path) -> PathBuf {
    dir.join("pretrained.pt")
}

/// Loads a ProteinMPNN from a released `.pt` file or from a fine-tuned model directory
/// (its `pretrained.pt` gives the architecture, its checkpoint the weights).
pub fn load_model<B: Backend>(path: &Path, device: &B::Device) -> Result<ProteinMpnn<B>, ProteinError> {
    if !path.is_dir() {
        return ProteinMpnn::load(path, device);
    }
    let base = ProteinMpnn::load(pretrained_copy(path), device)?;
    load_weights(&checkpoint_path(path), MODEL_KIND, "ema", base, device)
        .map_err(|e| ProteinError::Config(format!("fine-tuned model {}: {e}", path.display())))
}

/// A training backbone, featurised once.
#[derive(Debug, Clone)]
pub struct TrainItem {
    /// Backbone name.
    pub name: String,
    /// ProteinMPNN's graph.
    pub graph: GraphFeatures,
    /// Contacts of the reward.
    pub contacts: Contacts,
}

impl TrainItem {
    /// Featurises `bb` for a `k`-neighbour model.
    pub fn new(bb: &Backbone, k: usize) -> Self {
        Self { name: bb.name.clone(), graph: featurize(bb, k), contacts: Contacts::of(bb) }
    }
}

/// The fine-tuning task.
pub struct ProteinDrakesTask<B: AutodiffBackend> {
    /// Algorithm settings.
    pub config: ProteinDrakesConfig,
    pretrained: Arc<Vec<u8>>,
    reference: ProteinMpnn<B>,
    items: Vec<TrainItem>,
    energy: Energy,
    window: RewardWindow,
}

impl<B: AutodiffBackend> ProteinDrakesTask<B> {
    /// From the bytes of the pretrained `.pt`, the training backbones and the reward.
    pub fn new(config: ProteinDrakesConfig, pretrained: Vec<u8>, backbones: &[Backbone], energy: Energy, device: &B::Device) -> Result<Self, ProteinError> {
        config.validate().map_err(ProteinError::Config)?;
        if backbones.is_empty() {
            return Err(ProteinError::Config("no training backbones".into()));
        }
        let reference = ProteinMpnn::<B>::from_bytes(pretrained.clone(), device)
            .map_err(|source| ProteinError::Checkpoint { path: "pretrained model".into(), source })?
            .no_grad();
        let items = backbones.iter().map(|bb| TrainItem::new(bb, reference.k)).collect();
        Ok(Self { config, pretrained: Arc::new(pretrained), reference, items, energy, window: RewardWindow::default() })
    }

    /// Training backbones.
    pub fn items(&self) -> &[TrainItem] {
        &self.items
    }

    /// Mean hard reward of `validate_samples` designs on each validation backbone under `net`.
    pub fn validation_reward<C: Backend>(&self, net: &ProteinMpnn<C>, seed: u64) -> f64 {
        let (nb, ns) = (self.config.validate_backbones.min(self.items.len()), self.config.validate_samples);
        if nb == 0 || ns == 0 {
            return 0.0;
        }
        let mut total = 0.0;
        for (i, item) in self.items[..nb].iter().enumerate() {
            let enc = net.encode(&item.graph);
            let mut rng = step_rng(seed, u64::MAX - i as u64, 5);
            let seqs = design(net, &enc, ns, &self.config.design(), &mut rng, || {}).expect("validated config");
            total += seqs.iter().map(|s| self.energy.reward(&item.contacts, s)).sum::<f64>();
        }
        total / (nb * ns) as f64
    }
}

impl<B: AutodiffBackend> Task<B> for ProteinDrakesTask<B> {
    type Model = ProteinMpnn<B>;

    fn kind(&self) -> String {
        MODEL_KIND.into()
    }
    fn config_json(&self) -> serde_json::Value {
        let names: Vec<&str> = self.items.iter().map(|i| i.name.as_str()).collect();
        serde_json::json!({ "protein_drakes": self.config, "backbones": names })
    }
    fn init_model(&self, device: &B::Device) -> ProteinMpnn<B> {
        ProteinMpnn::from_bytes(self.pretrained.to_vec(), device).expect("pretrained weights were parsed once in ProteinDrakesTask::new")
    }
    fn loss(&self, model: &ProteinMpnn<B>, step: u64, seed: u64, batch_size: usize, device: &B::Device) -> Tensor<B, 1> {
        let mut rng = step_rng(seed, step, 11);
        let picks = rand::seq::index::sample(&mut rng, self.items.len(), batch_size.min(self.items.len())).into_vec();
        let n = self.config.designs_per_backbone;
        let mut loss = Tensor::<B, 1>::zeros([1], device);
        let (mut reward_sum, mut kl_sum) = (0.0, 0.0);
        for &i in &picks {
            let item = &self.items[i];
            let r = rollout(model, &self.reference, &item.graph, &self.config, n, &mut rng, device);
            let reward = soft_reward(&self.energy, &item.contacts, r.sample).sum();
            let kl = r.kl.sum();
            reward_sum += reward.clone().into_scalar().elem::<f64>();
            kl_sum += kl.clone().into_scalar().elem::<f64>();
            loss = loss + (reward.neg() + kl.mul_scalar(self.config.alpha)).reshape([1]);
        }
        let count = (picks.len() * n) as f64;
        self.window.add(reward_sum / count, kl_sum / count);
        loss.div_scalar(count as f32)
    }
    fn validate(&self, ema: &ProteinMpnn<B::InnerBackend>, seed: u64, _device: &B::Device) -> f64 {
        -self.validation_reward(ema, seed)
    }
    fn extra_metrics(&self) -> Option<serde_json::Map<String, serde_json::Value>> {
        self.window.take()
    }
}
