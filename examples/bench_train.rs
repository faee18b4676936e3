//! Training throughput of the `sde train` MLP (3×128, batch 4096): optimiser steps per second.
//! Prints a table row; record results in docs/benchmarks.md with the machine named.
//!
//! Run: `cargo run --release --example bench_train [-- --device cuda --steps 200]`

use scidiff::target::TargetFile;
use scidiff::train::device::{BackendTask, DeviceChoice, dispatch};
use scidiff::train::sde_task::{GmmTask, GmmTaskConfig};
use scidiff::train::trainer::{TrainConfig, train};

struct Bench {
    task: GmmTask,
    cfg: TrainConfig,
}

impl BackendTask for Bench {
    type Output = anyhow::Result<f64>;
    fn run<B: burn::tensor::backend::AutodiffBackend>(self, device: B::Device) -> Self::Output {
        let dir = tempfile_dir();
        // Warm-up (kernel compilation and autotuning on GPU backends) is excluded.
        let warm = TrainConfig { steps: 10, ..self.cfg.clone() };
        train::<B, GmmTask>(&self.task, &warm, &dir.join("warm"), 0, false, &device, false)?;
        let r = train::<B, GmmTask>(&self.task, &self.cfg, &dir.join("run"), 0, false, &device, false)?;
        let _ = std::fs::remove_dir_all(&dir);
        Ok(r.steps_per_sec)
    }
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("scidiff-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let get = |k: &str| args.iter().position(|a| a == k).and_then(|i| args.get(i + 1)).cloned();
    let device: DeviceChoice = get("--device").unwrap_or("cpu".into()).parse()?;
    let steps: u64 = get("--steps").and_then(|s| s.parse().ok()).unwrap_or(100);
    let batch: usize = get("--batch").and_then(|s| s.parse().ok()).unwrap_or(4096);
    let task = GmmTask::new(GmmTaskConfig { target: TargetFile::example(), mlp: Default::default(), dsm: Default::default() })?;
    let cfg = TrainConfig { steps, batch_size: batch, checkpoint_every: steps, validate_every: 0, log_every: steps, ..TrainConfig::default() };
    let rate = dispatch(device, Bench { task, cfg })??;
    println!("| device | model | batch | steps | steps/s | examples/s |");
    println!("|---|---|---|---|---|---|");
    println!("| {device} | MLP 3x128 (2-D) | {batch} | {steps} | {rate:.1} | {:.0} |", rate * batch as f64);
    Ok(())
}
