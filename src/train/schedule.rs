//! Learning-rate schedule: linear warm-up to the peak, then cosine decay to a floor over a fixed
//! number of steps (Loshchilov & Hutter 2017 without restarts), then constant at the floor.
//!
//! The schedule depends only on the step, never on how many steps one invocation was asked
//! for, so a run of N steps is exactly the first N steps of a longer run — what makes
//! `--resume DIR --steps 2N` reproduce a single 2N-step run.

use serde::{Deserialize, Serialize};

/// Warm-up plus cosine decay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LrSchedule {
    /// Peak learning rate.
    pub peak: f64,
    /// Warm-up steps (linear from 0).
    pub warmup: u64,
    /// Step at which the cosine reaches the floor.
    pub decay_steps: u64,
    /// Final learning rate as a fraction of the peak.
    pub floor: f64,
    /// If set, exponential decay instead of the cosine: `peak · gamma^(step − warmup)` after
    /// the warm-up (PyTorch's `ExponentialLR`, used by GDSS); `decay_steps` and `floor` are ignored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gamma: Option<f64>,
}

impl Default for LrSchedule {
    fn default() -> Self {
        Self { peak: 2e-3, warmup: 100, decay_steps: 4000, floor: 0.05, gamma: None }
    }
}

impl LrSchedule {
    /// Learning rate at `step` (0-based).
    pub fn at(&self, step: u64) -> f64 {
        if step < self.warmup {
            return self.peak * (step + 1) as f64 / self.warmup as f64;
        }
        if let Some(g) = self.gamma {
            return self.peak * g.powf((step - self.warmup) as f64);
        }
        let span = self.decay_steps.saturating_sub(self.warmup).max(1) as f64;
        let p = ((step - self.warmup) as f64 / span).min(1.0);
        self.peak * (self.floor + (1.0 - self.floor) * 0.5 * (1.0 + (std::f64::consts::PI * p).cos()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warmup_then_cosine() {
        let s = LrSchedule { peak: 1.0, warmup: 10, decay_steps: 110, floor: 0.1, gamma: None };
        assert!((s.at(0) - 0.1).abs() < 1e-12);
        assert!((s.at(9) - 1.0).abs() < 1e-12);
        assert!((s.at(10) - 1.0).abs() < 1e-12);
        assert!((s.at(60) - 0.55).abs() < 1e-12); // half way: floor + (1-floor)/2
        assert!((s.at(110) - 0.1).abs() < 1e-12);
        assert!((s.at(10_000) - 0.1).abs() < 1e-12);
    }

    #[test]
    fn exponential_after_warmup() {
        // Closed form peak·γ^(k − warmup); the cosine fields are ignored.
        let s = LrSchedule { peak: 0.01, warmup: 0, decay_steps: 5, floor: 0.5, gamma: Some(0.999) };
        assert!((s.at(0) - 0.01).abs() < 1e-15);
        assert!((s.at(1000) - 0.01 * 0.999f64.powi(1000)).abs() < 1e-15);
    }
}
