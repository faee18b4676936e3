//! The training loop shared by every model: AdamW (Loshchilov & Hutter 2019) with gradient
//! clipping by global norm, the [`LrSchedule`], an EMA copy of the weights, periodic validation
//! on the EMA, a progress bar (loss, steps/s, ETA), metrics appended as JSON lines, and
//! checkpoints every `checkpoint_every` steps and at the end.
//!
//! A run lives in a directory: `checkpoint.bin` (see [`super::checkpoint`]) and
//! `metrics.jsonl`. Resuming reads the checkpoint, refuses one written for a different task or
//! configuration, drops metric lines past the checkpoint's step (work lost to the interruption
//! is redone identically), and continues.

use super::checkpoint::{self, CheckpointError, Header};
use super::ema::ema_update;
use super::schedule::LrSchedule;
use burn::module::AutodiffModule;
use burn::optim::{AdamWConfig, GradientsAccumulator, GradientsParams, Optimizer};
use burn::grad_clipping::GradientClippingConfig;
use burn::prelude::*;
use burn::record::{FullPrecisionSettings, NamedMpkBytesRecorder, Recorder};
use burn::tensor::backend::AutodiffBackend;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Optimisation settings (TOML-loadable; defaults suit the small models of the examples).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainConfig {
    /// Optimiser steps in total.
    pub steps: u64,
    /// Examples per step.
    pub batch_size: usize,
    /// Learning-rate schedule.
    pub lr: LrSchedule,
    /// AdamW decoupled weight decay.
    pub weight_decay: f64,
    /// Clip gradients to this global L2 norm (none if absent).
    pub grad_clip: Option<f64>,
    /// EMA decay (warmed up as `min(decay, (1 + k)/(10 + k))`).
    pub ema_decay: f64,
    /// Checkpoint period in steps (a checkpoint is also written at the end).
    pub checkpoint_every: u64,
    /// Validation period in steps (0: never).
    pub validate_every: u64,
    /// Metrics-line period in steps.
    pub log_every: u64,
    /// Micro-batches of `batch_size` accumulated per optimiser step (gradients averaged, then
    /// clipped once). Micro-batch `i` of step `k` draws its randomness as loss step `k·n + i`.
    #[serde(skip_serializing_if = "is_one")]
    pub accumulate: u64,
}

fn is_one(v: &u64) -> bool {
    *v == 1
}

impl Default for TrainConfig {
    fn default() -> Self {
        Self {
            steps: 3000,
            batch_size: 512,
            lr: LrSchedule::default(),
            weight_decay: 0.0,
            grad_clip: Some(1.0),
            ema_decay: 0.999,
            checkpoint_every: 500,
            validate_every: 500,
            log_every: 50,
            accumulate: 1,
        }
    }
}

/// What a model brings to the trainer.
pub trait Task<B: AutodiffBackend> {
    /// The network.
    type Model: AutodiffModule<B> + Clone;
    /// A name for the task and model (stored in checkpoints, checked on resume).
    fn kind(&self) -> String;
    /// The task's configuration (stored in checkpoints, checked on resume).
    fn config_json(&self) -> serde_json::Value;
    /// A freshly initialised model (the backend has been seeded).
    fn init_model(&self, device: &B::Device) -> Self::Model;
    /// The training loss of `step`; all randomness must come from `(seed, step)`.
    fn loss(&self, model: &Self::Model, step: u64, seed: u64, batch_size: usize, device: &B::Device) -> Tensor<B, 1>;
    /// A validation loss of the EMA weights.
    fn validate(&self, ema: &<Self::Model as AutodiffModule<B>>::InnerModule, seed: u64, device: &B::Device) -> f64;
    /// Extra fields for the next metrics line (e.g. the parts of a composite loss, averaged by
    /// the task over the steps since the last call). Default: none.
    fn extra_metrics(&self) -> Option<serde_json::Map<String, serde_json::Value>> {
        None
    }
}

/// Training failed.
#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    /// Checkpoint problem.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// The loss became NaN or Inf.
    #[error("loss is not finite at step {0} (lower the learning rate or check the data)")]
    Diverged(u64),
    /// File system error.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
}

/// Summary of a finished run.
#[derive(Debug, Clone)]
pub struct TrainReport {
    /// Step the run started from (0, or the checkpoint's step).
    pub start_step: u64,
    /// Steps completed in total.
    pub steps: u64,
    /// Mean training loss over the last logging window.
    pub last_loss: f64,
    /// Last validation loss (EMA weights), if any.
    pub val_loss: Option<f64>,
    /// Optimiser steps per second in this invocation.
    pub steps_per_sec: f64,
}

type Rec = NamedMpkBytesRecorder<FullPrecisionSettings>;

fn rec_err(e: impl std::fmt::Display) -> CheckpointError {
    CheckpointError::Record(format!("cannot encode or decode weights: {e}"))
}

/// The checkpoint path of a run directory.
pub fn checkpoint_path(dir: &Path) -> PathBuf {
    dir.join("checkpoint.bin")
}

fn run_config<B: AutodiffBackend, T: Task<B>>(task: &T, cfg: &TrainConfig) -> serde_json::Value {
    let mut c = cfg.clone();
    c.steps = 0; // the step budget may change between invocations
    serde_json::json!({ "task": task.config_json(), "train": c })
}

/// The EMA weights stored in a run directory, loaded onto `device`.
pub fn load_ema<B: AutodiffBackend, T: Task<B>>(task: &T, dir: &Path, device: &B::Device) -> Result<(<T::Model as AutodiffModule<B>>::InnerModule, Header), CheckpointError> {
    let (bytes, header) = ema_record(&checkpoint_path(dir), &task.kind())?;
    let model = task.init_model(device).valid();
    let record = Recorder::<B::InnerBackend>::load(&Rec::default(), bytes, device).map_err(rec_err)?;
    Ok((model.load_record(record), header))
}

/// The EMA weights of the checkpoint file `path` as record bytes, after checking its kind (for
/// loading them onto another backend, e.g. an autodiff one for a frozen reference or reward).
pub fn ema_record(path: &Path, kind: &str) -> Result<(Vec<u8>, Header), CheckpointError> {
    weights_record(path, kind, "ema")
}

/// Section `name` (`"ema"` or `"model"`, the raw weights) of the checkpoint file `path` as
/// record bytes, after checking that the file holds a `kind` model.
pub fn weights_record(path: &Path, kind: &str, name: &str) -> Result<(Vec<u8>, Header), CheckpointError> {
    let (header, sections) = checkpoint::read(path)?;
    if header.kind != kind {
        return Err(CheckpointError::Mismatch { path: path.display().to_string(), what: format!("kind '{}', expected '{kind}'", header.kind) });
    }
    Ok((section(&sections, name, path)?, header))
}

/// Loads section `name` of the checkpoint file `path` (a `kind` model) into `module`, a freshly
/// initialised module of the same architecture, on `device`.
pub fn load_weights<B: Backend, M: Module<B>>(path: &Path, kind: &str, name: &str, module: M, device: &B::Device) -> Result<M, CheckpointError> {
    let (bytes, _) = weights_record(path, kind, name)?;
    let record = Recorder::<B>::load(&Rec::default(), bytes, device)
        .map_err(|e| CheckpointError::Record(format!("{}: cannot decode weights: {e}", path.display())))?;
    Ok(module.load_record(record))
}

fn section(sections: &[(String, Vec<u8>)], name: &str, path: &Path) -> Result<Vec<u8>, CheckpointError> {
    sections
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, b)| b.clone())
        .ok_or_else(|| CheckpointError::Corrupt { path: path.display().to_string(), what: format!("no '{name}' section") })
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> TrainError + '_ {
    move |source| TrainError::Io { path: path.display().to_string(), source }
}

/// Keep only metric lines with `step <= last` (after a resume).
fn truncate_metrics(path: &Path, last: u64) -> Result<(), TrainError> {
    let Ok(text) = std::fs::read_to_string(path) else { return Ok(()) };
    let kept: String = text
        .lines()
        .filter(|l| serde_json::from_str::<serde_json::Value>(l).ok().and_then(|v| v["step"].as_u64()).is_some_and(|s| s <= last))
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(path, kept).map_err(io_err(path))
}

/// Train `task` in `dir` up to `cfg.steps` steps, from scratch or (`resume`) from its checkpoint.
pub fn train<B: AutodiffBackend, T: Task<B>>(task: &T, cfg: &TrainConfig, dir: &Path, seed: u64, resume: bool, device: &B::Device, show_progress: bool) -> Result<TrainReport, TrainError> {
    std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    let ckpt = checkpoint_path(dir);
    let config = run_config(task, cfg);
    let mut optim = AdamWConfig::new()
        .with_weight_decay(cfg.weight_decay as f32)
        .with_grad_clipping(cfg.grad_clip.map(|c| GradientClippingConfig::Norm(c as f32)))
        .init::<B, T::Model>();
    B::seed(device, seed);
    let mut model = task.init_model(device);
    let mut ema = model.valid();
    let mut start = 0;
    if resume {
        let (h, sections) = checkpoint::read(&ckpt)?;
        let p = ckpt.display().to_string();
        if h.kind != task.kind() {
            return Err(CheckpointError::Mismatch { path: p, what: format!("kind '{}', this run is '{}'", h.kind, task.kind()) }.into());
        }
        if h.config != config || h.seed != seed {
            return Err(CheckpointError::Mismatch { path: p, what: "configuration or seed differs from the stored run".into() }.into());
        }
        let r = Rec::default();
        model = model.load_record(Recorder::<B>::load(&r, section(&sections, "model", &ckpt)?, device).map_err(rec_err)?);
        ema = ema.load_record(Recorder::<B::InnerBackend>::load(&r, section(&sections, "ema", &ckpt)?, device).map_err(rec_err)?);
        optim = optim.load_record(Recorder::<B>::load(&r, section(&sections, "optim", &ckpt)?, device).map_err(rec_err)?);
        start = h.step;
        truncate_metrics(&dir.join("metrics.jsonl"), start)?;
    }
    let save = |step: u64, model: &T::Model, ema: &<T::Model as AutodiffModule<B>>::InnerModule, optim_rec: Vec<u8>| -> Result<(), TrainError> {
        let r = Rec::default();
        let m = Recorder::<B>::record(&r, model.clone().into_record(), ()).map_err(rec_err)?;
        let e = Recorder::<B::InnerBackend>::record(&r, ema.clone().into_record(), ()).map_err(rec_err)?;
        let header = Header { step, seed, kind: task.kind(), config: config.clone(), sections: vec![] };
        checkpoint::write(&ckpt, header, &[("model", m), ("ema", e), ("optim", optim_rec)])?;
        Ok(())
    };
    let metrics_path = dir.join("metrics.jsonl");
    let mut metrics = std::fs::OpenOptions::new().create(true).append(true).open(&metrics_path).map_err(io_err(&metrics_path))?;
    let pb = indicatif::ProgressBar::new(cfg.steps);
    pb.set_position(start.min(cfg.steps));
    pb.set_style(indicatif::ProgressStyle::with_template("train [{bar:30}] {pos}/{len} {msg} eta {eta}").expect("template").progress_chars("=> "));
    if !show_progress {
        pb.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let (t0, mut window, mut window_n, mut val_loss) = (Instant::now(), 0.0, 0u64, None);
    let mut last_loss = f64::NAN;
    let abort_at: Option<u64> = std::env::var("SCIDIFF_ABORT_AFTER_STEP").ok().and_then(|v| v.parse().ok());
    for step in start..cfg.steps {
        let log_now = (step + 1) % cfg.log_every.max(1) == 0 || step + 1 == cfg.steps;
        let grads = if cfg.accumulate <= 1 {
            let loss = task.loss(&model, step, seed, cfg.batch_size, device);
            let lv: f64 = loss.clone().into_scalar().elem();
            if !lv.is_finite() {
                return Err(TrainError::Diverged(step));
            }
            window += lv;
            GradientsParams::from_grads(loss.backward(), &model)
        } else {
            let n = cfg.accumulate;
            let mut acc = GradientsAccumulator::<T::Model>::new();
            for i in 0..n {
                let loss = task.loss(&model, step * n + i, seed, cfg.batch_size, device).div_scalar(n as f64);
                let lv: f64 = loss.clone().into_scalar().elem();
                if !lv.is_finite() {
                    return Err(TrainError::Diverged(step));
                }
                window += lv;
                acc.accumulate(&model, GradientsParams::from_grads(loss.backward(), &model));
            }
            acc.grads()
        };
        window_n += 1;
        let lr = cfg.lr.at(step);
        model = optim.step(lr, model, grads);
        let k = step as f64;
        ema = ema_update(ema, &model.valid(), cfg.ema_decay.min((1.0 + k) / (10.0 + k)));
        let done = step + 1;
        if cfg.validate_every > 0 && (done % cfg.validate_every == 0 || done == cfg.steps) {
            val_loss = Some(task.validate(&ema, seed, device));
        }
        if log_now {
            last_loss = window / window_n as f64;
            let rate = (done - start) as f64 / t0.elapsed().as_secs_f64();
            let mut line = serde_json::json!({ "step": done, "loss": last_loss, "lr": lr, "steps_per_s": rate, "val_loss": val_loss });
            if let (Some(extra), Some(obj)) = (task.extra_metrics(), line.as_object_mut()) {
                obj.extend(extra);
            }
            writeln!(metrics, "{line}").map_err(io_err(&metrics_path))?;
            pb.set_message(format!("loss {last_loss:.4} {rate:.1} it/s"));
            (window, window_n) = (0.0, 0);
        }
        if done % cfg.checkpoint_every.max(1) == 0 || done == cfg.steps {
            metrics.flush().map_err(io_err(&metrics_path))?;
            let r = Rec::default();
            let o = Recorder::<B>::record(&r, optim.to_record(), ()).map_err(rec_err)?;
            save(done, &model, &ema, o)?;
        }
        pb.set_position(done);
        if abort_at == Some(done) {
            // Test hook: die like `kill -9` (no unwinding, no cleanup).
            std::process::abort();
        }
    }
    pb.finish_and_clear();
    let elapsed = t0.elapsed().as_secs_f64().max(1e-9);
    Ok(TrainReport { start_step: start, steps: cfg.steps.max(start), last_loss, val_loss, steps_per_sec: cfg.steps.saturating_sub(start) as f64 / elapsed })
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::backend::{Autodiff, NdArray};
    use burn::nn::{Linear, LinearConfig};

    type Ad = Autodiff<NdArray<f32>>;

    /// Least squares on fixed data; the loss of every step (and micro-batch) is the same.
    struct Fixed;

    impl Task<Ad> for Fixed {
        type Model = Linear<Ad>;
        fn kind(&self) -> String {
            "fixed-lsq".into()
        }
        fn config_json(&self) -> serde_json::Value {
            serde_json::json!({})
        }
        fn init_model(&self, device: &burn::backend::ndarray::NdArrayDevice) -> Linear<Ad> {
            LinearConfig::new(3, 1).init(device)
        }
        fn loss(&self, model: &Linear<Ad>, _step: u64, _seed: u64, _b: usize, device: &burn::backend::ndarray::NdArrayDevice) -> Tensor<Ad, 1> {
            let x = Tensor::<Ad, 2>::from_data(TensorData::new(vec![1.0f32, 2.0, -1.0, 0.5, -0.3, 2.0, 1.5, 1.0, 0.0], [3, 3]), device);
            let y = Tensor::<Ad, 2>::from_data(TensorData::new(vec![1.0f32, -2.0, 0.5], [3, 1]), device);
            (model.forward(x) - y).powf_scalar(2.0).mean()
        }
        fn validate(&self, _ema: &Linear<NdArray<f32>>, _seed: u64, _device: &burn::backend::ndarray::NdArrayDevice) -> f64 {
            0.0
        }
    }

    #[test]
    fn accumulating_identical_micro_batches_equals_one_batch() {
        // Oracle: the mean of n equal gradients is that gradient, so with a step-independent loss
        // `accumulate = 3` must reproduce `accumulate = 1` (f32 rounding of the sum: 1e-6).
        let params = |accumulate: u64| {
            let dir = tempfile::tempdir().unwrap();
            let cfg = TrainConfig { steps: 5, batch_size: 1, accumulate, ema_decay: 0.0, validate_every: 0, ..TrainConfig::default() };
            train::<Ad, Fixed>(&Fixed, &cfg, dir.path(), 4, false, &Default::default(), false).unwrap();
            let (m, _) = load_ema::<Ad, Fixed>(&Fixed, dir.path(), &Default::default()).unwrap();
            crate::train::ema::flat_parameters(&m)
        };
        let (a, b) = (params(1), params(3));
        assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-6), "{a:?} vs {b:?}");
        // And training moved the weights at all.
        <Ad as Backend>::seed(&Default::default(), 4);
        let m0 = Fixed.init_model(&Default::default());
        assert!(crate::train::ema::flat_parameters(&m0.valid()).iter().zip(&a).any(|(x, y)| (x - y).abs() > 1e-4));
    }
}
