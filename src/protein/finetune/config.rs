//! Settings of protein DRAKES (brief `drakes.md` §3.2 "Protein differences", §3.3) and the
//! `quick` / `paper` presets.

use crate::drakes::KlEstimator;
use crate::train::schedule::LrSchedule;
use crate::train::trainer::TrainConfig;
use serde::{Deserialize, Serialize};

/// Fine-tuning settings (TOML-loadable as the `[protein]` table; defaults = the paper's protein
/// run where it has one, ours otherwise).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProteinDrakesConfig {
    /// Grid points on `[t_min, 1]` (paper: 50, i.e. 49 transitions).
    pub grid: usize,
    /// Relaxed, differentiable transitions at the end (paper: 24).
    pub truncate: usize,
    /// Gumbel-softmax temperature τ of the relaxed draws (paper: 0.5).
    pub tau: f64,
    /// Sampling temperature of the amino-acid distribution softmax(logits / T) (paper: 0.1).
    pub temperature: f64,
    /// First grid point (paper: 0.01).
    pub t_min: f64,
    /// KL weight α (paper, protein: 3e-4; 0 = "DRAKES w/o KL").
    pub alpha: f64,
    /// KL estimator (`path`, ours, default; `drakes_code`, the released weighting).
    pub kl_estimator: KlEstimator,
    /// Evaluate the path KL at this many random hard transitions and rescale (none = all).
    pub kl_hard_samples: Option<usize>,
    /// Trajectories per backbone in one loss evaluation (the trainer's `batch_size` counts
    /// backbones).
    pub designs_per_backbone: usize,
    /// Fine-tuning reward (`mj`; `bt` is the evaluation oracle and should not be tuned on).
    pub reward: String,
    /// Training backbones used for validation (the first ones of the train split).
    pub validate_backbones: usize,
    /// Designs per validation backbone (0: no validation).
    pub validate_samples: usize,
}

impl Default for ProteinDrakesConfig {
    fn default() -> Self {
        Self {
            grid: 50,
            truncate: 24,
            tau: 0.5,
            temperature: 0.1,
            t_min: 0.01,
            alpha: 3e-4,
            kl_estimator: KlEstimator::Path,
            kl_hard_samples: None,
            designs_per_backbone: 1,
            reward: "mj".into(),
            validate_backbones: 4,
            validate_samples: 4,
        }
    }
}

impl ProteinDrakesConfig {
    /// Checks values the algorithm cannot run with.
    pub fn validate(&self) -> Result<(), String> {
        if self.grid < 2 || self.truncate == 0 || self.truncate > self.grid - 1 {
            return Err(format!("need grid ≥ 2 and 1 ≤ truncate ({}) ≤ grid − 1 ({})", self.truncate, self.grid.saturating_sub(1)));
        }
        for (name, v) in [("tau", self.tau), ("temperature", self.temperature)] {
            if !(v > 0.0 && v.is_finite()) {
                return Err(format!("{name} must be positive and finite, got {v}"));
            }
        }
        if !(self.alpha >= 0.0 && self.alpha.is_finite()) {
            return Err(format!("alpha must be ≥ 0 and finite, got {}", self.alpha));
        }
        if !(0.0..1.0).contains(&self.t_min) {
            return Err(format!("t_min must lie in [0, 1), got {}", self.t_min));
        }
        if self.kl_hard_samples == Some(0) || self.designs_per_backbone == 0 {
            return Err("kl_hard_samples and designs_per_backbone must be ≥ 1".into());
        }
        if !matches!(self.reward.as_str(), "mj" | "bt") {
            return Err(format!("unknown reward {:?} (expected mj or bt)", self.reward));
        }
        Ok(())
    }

    /// The time grid `t_min = g_0 < … < g_{grid−1} = 1` (the sampler's, [`crate::protein::DesignConfig::grid`]).
    pub fn times(&self) -> Vec<f64> {
        self.design().grid()
    }

    /// The hard sampler with the same grid and temperature (for validation and `seq design`).
    pub fn design(&self) -> crate::protein::DesignConfig {
        crate::protein::DesignConfig { steps: self.grid, temperature: self.temperature, t_min: self.t_min, batch: 8 }
    }
}

/// `(algorithm, optimiser)` of a preset; the trainer's `batch_size` is backbones per step.
///
/// * `paper` (brief §3.3, protein): 50-point grid, last 24 transitions relaxed, τ 0.5, α 3e-4,
///   16 backbones × 8 accumulated, Adam 3e-5, weight decay 1e-4, clip 1.0. The paper trains
///   200 epochs over its training backbones; with our 35 train backbones an epoch is ~2 steps of
///   16, so 400 steps. No activation checkpointing by default (see `--checkpointing`).
/// * `quick` (brief §7.3 sizing, 2-core CPU): 16-point grid, last 4 relaxed, path KL on 4 sampled
///   hard transitions, 2 backbones × 2 designs per step, lr 3e-4 (10× the paper's, to move in 30
///   steps), α 3e-4, 30 steps.
pub fn preset(name: &str, steps: Option<u64>) -> Result<(ProteinDrakesConfig, TrainConfig), String> {
    let (cfg, mut train) = match name {
        "paper" => {
            let lr = LrSchedule { peak: 3e-5, warmup: 0, decay_steps: 400, floor: 1.0, gamma: None };
            let t = TrainConfig { steps: 400, batch_size: 16, lr, weight_decay: 1e-4, grad_clip: Some(1.0), ema_decay: 0.0, checkpoint_every: 10, validate_every: 20, log_every: 1, accumulate: 8 };
            (ProteinDrakesConfig::default(), t)
        }
        "quick" => {
            let lr = LrSchedule { peak: 3e-4, warmup: 0, decay_steps: 30, floor: 1.0, gamma: None };
            let t = TrainConfig { steps: 30, batch_size: 2, lr, weight_decay: 1e-4, grad_clip: Some(1.0), ema_decay: 0.0, checkpoint_every: 5, validate_every: 10, log_every: 1, accumulate: 1 };
            let c = ProteinDrakesConfig { grid: 16, truncate: 4, kl_hard_samples: Some(4), designs_per_backbone: 2, validate_backbones: 3, ..Default::default() };
            (c, t)
        }
        o => return Err(format!("unknown preset {o:?} (expected quick or paper)")),
    };
    if let Some(s) = steps {
        train.steps = s;
        train.lr.decay_steps = s.max(1);
    }
    Ok((cfg, train))
}
