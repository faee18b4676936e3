//! DRAKES hyper-parameters (brief `drakes.md` §3.3) and the `quick` / `paper` presets.

use crate::train::schedule::LrSchedule;
use crate::train::trainer::TrainConfig;
use serde::{Deserialize, Serialize};

/// Which KL estimator regularises the fine-tune (module docs of [`super`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KlEstimator {
    /// The path KL of the discretised reverse chain (default).
    Path,
    /// The released code's weighting (zero on hard states).
    DrakesCode,
}

impl std::str::FromStr for KlEstimator {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "path" => Ok(Self::Path),
            "drakes_code" | "drakes-code" | "code" => Ok(Self::DrakesCode),
            o => Err(format!("unknown KL estimator {o:?} (expected path or drakes_code)")),
        }
    }
}

/// The fine-tuning algorithm's settings (TOML-loadable; defaults = the paper's DNA run).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DrakesConfig {
    /// Reverse sampling steps `T` (paper: 128).
    pub steps: usize,
    /// Relaxed, differentiable steps at the end of the chain `K` (paper: 50).
    pub truncate: usize,
    /// Gumbel-softmax temperature τ (paper: 1.0).
    pub tau: f64,
    /// KL weight α (paper: 1e-3; 0 = "DRAKES w/o KL").
    pub alpha: f64,
    /// KL estimator (paper's code: `drakes_code`; ours by default: `path`).
    pub kl_estimator: KlEstimator,
    /// Evaluate the path KL at this many randomly chosen hard steps per iteration and rescale
    /// by `(T − K)/n` (unbiased; none = all of them, as the paper).
    pub kl_hard_samples: Option<usize>,
    /// Last time of the grid `linspace(1, t_end, T + 1)` (paper: 1e-5).
    pub t_end: f64,
    /// Hard samples drawn from the current weights at each validation to log the mean reward.
    pub validate_samples: usize,
}

impl Default for DrakesConfig {
    fn default() -> Self {
        Self { steps: 128, truncate: 50, tau: 1.0, alpha: 1e-3, kl_estimator: KlEstimator::Path, kl_hard_samples: None, t_end: 1e-5, validate_samples: 64 }
    }
}

impl DrakesConfig {
    /// Check values the algorithm cannot run with.
    pub fn validate(&self) -> Result<(), String> {
        if self.steps == 0 || self.truncate == 0 || self.truncate > self.steps {
            return Err(format!("need 1 <= truncate ({}) <= steps ({})", self.truncate, self.steps));
        }
        if !(self.tau > 0.0 && self.tau.is_finite()) {
            return Err(format!("tau must be positive and finite, got {}", self.tau));
        }
        if !(self.alpha >= 0.0 && self.alpha.is_finite()) {
            return Err(format!("alpha must be >= 0 and finite, got {}", self.alpha));
        }
        if !(self.t_end > 0.0 && self.t_end < 1.0) {
            return Err(format!("t_end must lie in (0, 1), got {}", self.t_end));
        }
        if self.kl_hard_samples == Some(0) {
            return Err("kl_hard_samples must be at least 1 (leave it out for all steps)".into());
        }
        Ok(())
    }

    /// The time grid `t_0 = 1 > t_1 > … > t_T = t_end`.
    pub fn grid(&self) -> Vec<f64> {
        (0..=self.steps).map(|k| 1.0 + (self.t_end - 1.0) * k as f64 / self.steps as f64).collect()
    }
}

/// `(algorithm, optimiser)` of a preset.
///
/// * `paper`: brief §3.3, DNA: T 128, K 50, τ 1, α 1e-3, Adam lr 1e-4 (constant), clip 1.0
///   after accumulating 4 micro-batches of 32 trajectories (128 per step), 1000 optimiser steps.
///   Differences from the released run: path KL by default (`--kl-estimator drakes_code` for
///   theirs), frozen reference model. burn's autodiff keeps every relaxed step's activations
///   (about 2 GiB per trajectory at the paper size, brief §7.1) unless `seq finetune
///   --checkpointing` selects burn's op-level activation checkpointing.
/// * `quick`: the brief's 2-core CPU sizing (§7.3): T 32, K 8, batch 8, path KL on 8 sampled hard
///   steps, lr 1e-3 (10× the paper's, to move in 60 steps), 60 steps.
pub fn preset(name: &str, steps: Option<u64>) -> Result<(DrakesConfig, TrainConfig), String> {
    let (cfg, mut train) = match name {
        "paper" => {
            let lr = LrSchedule { peak: 1e-4, warmup: 0, decay_steps: 1000, floor: 1.0, gamma: None };
            let t = TrainConfig { steps: 1000, batch_size: 32, lr, weight_decay: 0.0, grad_clip: Some(1.0), ema_decay: 0.0, checkpoint_every: 50, validate_every: 50, log_every: 1, accumulate: 4 };
            (DrakesConfig::default(), t)
        }
        "quick" => {
            let lr = LrSchedule { peak: 1e-3, warmup: 0, decay_steps: 60, floor: 1.0, gamma: None };
            let t = TrainConfig { steps: 60, batch_size: 8, lr, weight_decay: 0.0, grad_clip: Some(1.0), ema_decay: 0.0, checkpoint_every: 10, validate_every: 20, log_every: 1, accumulate: 1 };
            (DrakesConfig { steps: 32, truncate: 8, kl_hard_samples: Some(8), validate_samples: 32, ..DrakesConfig::default() }, t)
        }
        o => return Err(format!("unknown preset {o:?} (expected quick or paper)")),
    };
    if let Some(s) = steps {
        train.steps = s;
        train.lr.decay_steps = s.max(1);
    }
    Ok((cfg, train))
}
