//! GPU benchmark (issue "GPU performance"): times the kernels our models live on and one training
//! step of each domain model that exists, after warm-up and with device synchronisation, on the
//! chosen backend. `benches/torch_yardstick.py` times the same operations in PyTorch, and
//! `benches/gpu_compare.py` joins both into one table with the ratio. `benches/gpu_run.sh` runs
//! everything in one device call.
//!
//! Run: `cargo run --release --features cuda --example bench_gpu -- --device cuda --out bench_burn.json`
//! (also runs on `--device cpu` with smaller sizes, for checking the program itself).
//!
//! Every row: name, shape, median milliseconds over `reps` timed repetitions (each one
//! synchronised), and TFLOP/s where the flop count is standard (2·m·n·k for matmul,
//! 2·N·Cout·H·W·Cin·k² for convolution).

use burn::module::AutodiffModule;
use burn::optim::{AdamWConfig, GradientsParams, Optimizer};
use burn::prelude::*;
use burn::tensor::module::{conv1d, conv2d};
use burn::tensor::ops::ConvOptions;
use burn::tensor::{Distribution, FloatDType};
use burn::tensor::backend::AutodiffBackend;
use scidiff::graph::gdss::GdssModelConfig;
use scidiff::train::device::{BackendTask, DeviceChoice, dispatch};
use std::time::Instant;

#[derive(serde::Serialize)]
struct Row {
    name: String,
    shape: String,
    ms: f64,
    tflops: Option<f64>,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Time `f` (warm-up `warm` calls, then `reps` synchronised calls), median in ms.
fn time<B: Backend>(device: &B::Device, warm: usize, reps: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..warm {
        f();
    }
    let _ = B::sync(device);
    let samples = (0..reps)
        .map(|_| {
            let t0 = Instant::now();
            f();
            let _ = B::sync(device);
            t0.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    median(samples)
}

struct Bench {
    big: bool,
    half: bool,
}

impl BackendTask for Bench {
    type Output = Vec<Row>;
    fn run<B: AutodiffBackend>(self, device: B::Device) -> Vec<Row> {
        let mut rows = vec![];
        kernels::<B::InnerBackend>(&device, self.big, self.half, &mut rows);
        train_steps::<B>(&device, self.big, &mut rows);
        rows
    }
}

fn kernels<B: Backend>(device: &B::Device, big: bool, half: bool, rows: &mut Vec<Row>) {
    let sizes: &[usize] = if big { &[1024, 2048, 4096, 8192] } else { &[256, 512] };
    for &n in sizes {
        let a = Tensor::<B, 2>::random([n, n], Distribution::Normal(0.0, 1.0), device);
        let b = Tensor::<B, 2>::random([n, n], Distribution::Normal(0.0, 1.0), device);
        let ms = time::<B>(device, 10, 10, || { let _ = a.clone().matmul(b.clone()); });
        rows.push(Row { name: "matmul f32".into(), shape: format!("{n}x{n}x{n}"), ms, tflops: Some(2.0 * (n as f64).powi(3) / ms / 1e9) });
        if half {
            for (dt, label) in [(FloatDType::F16, "matmul f16"), (FloatDType::BF16, "matmul bf16")] {
                let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    let (ah, bh) = (a.clone().cast(dt), b.clone().cast(dt));
                    time::<B>(device, 10, 10, || { let _ = ah.clone().matmul(bh.clone()); })
                }));
                if let Ok(ms) = r {
                    rows.push(Row { name: label.into(), shape: format!("{n}x{n}x{n}"), ms, tflops: Some(2.0 * (n as f64).powi(3) / ms / 1e9) });
                }
            }
        }
    }
    // conv2d as in a U-Net block (WDNO: 64x64 wavelet images); conv1d as in the DRAKES CNN.
    let (bs, c, hw) = if big { (32, 128, 64) } else { (4, 32, 32) };
    let x = Tensor::<B, 4>::random([bs, c, hw, hw], Distribution::Normal(0.0, 1.0), device);
    let w = Tensor::<B, 4>::random([c, c, 3, 3], Distribution::Normal(0.0, 0.1), device);
    let ms = time::<B>(device, 5, 10, || { let _ = conv2d(x.clone(), w.clone(), None, ConvOptions::new([1, 1], [1, 1], [1, 1], 1)); });
    let fl = 2.0 * (bs * c * hw * hw * c * 9) as f64;
    rows.push(Row { name: "conv2d 3x3".into(), shape: format!("[{bs},{c},{hw},{hw}]"), ms, tflops: Some(fl / ms / 1e9) });
    let (bs1, c1, l1) = if big { (256, 128, 200) } else { (8, 32, 200) };
    let x1 = Tensor::<B, 3>::random([bs1, c1, l1], Distribution::Normal(0.0, 1.0), device);
    let w1 = Tensor::<B, 3>::random([c1, c1, 9], Distribution::Normal(0.0, 0.1), device);
    let ms = time::<B>(device, 5, 10, || { let _ = conv1d(x1.clone(), w1.clone(), None, ConvOptions::new([1], [8], [2], 1)); });
    let fl = 2.0 * (bs1 * c1 * l1 * c1 * 9) as f64;
    rows.push(Row { name: "conv1d k9 dil2".into(), shape: format!("[{bs1},{c1},{l1}]"), ms, tflops: Some(fl / ms / 1e9) });
    // GDSS graph multi-head attention network (ScoreNetworkA, community-small sizes).
    let cfg = GdssModelConfig::community_small();
    let net = cfg.adj.init::<B>(device);
    let (gb, n) = (if big { 128 } else { 16 }, 20);
    let xg = Tensor::<B, 3>::random([gb, n, cfg.x.max_feat_num], Distribution::Normal(0.0, 1.0), device);
    let ag = Tensor::<B, 3>::random([gb, n, n], Distribution::Uniform(0.0, 1.0), device);
    let fg = Tensor::<B, 2>::ones([gb, n], device);
    let ms = time::<B>(device, 5, 10, || { let _ = net.forward(xg.clone(), ag.clone(), fg.clone()); });
    rows.push(Row { name: "GDSS ScoreNetworkA fwd".into(), shape: format!("[{gb},{n}]"), ms, tflops: None });
}

fn train_steps<B: AutodiffBackend>(device: &B::Device, big: bool, rows: &mut Vec<Row>) {
    use scidiff::train::trainer::Task;
    // Score-SDE MLP (scidiff sde train), batch 4096.
    let task = scidiff::train::sde_task::GmmTask::new(scidiff::train::sde_task::GmmTaskConfig {
        target: scidiff::target::TargetFile::example(),
        mlp: Default::default(),
        dsm: Default::default(),
    })
    .expect("example target");
    let mut model = Task::<B>::init_model(&task, device);
    let mut opt = AdamWConfig::new().init::<B, _>();
    let batch = if big { 4096 } else { 512 };
    let mut step = 0u64;
    let ms = time::<B>(device, 5, 20, || {
        let loss = Task::<B>::loss(&task, &model, step, 0, batch, device);
        let g = GradientsParams::from_grads(loss.backward(), &model);
        model = opt.step(1e-3, model.clone(), g);
        step += 1;
    });
    rows.push(Row { name: "train step: sde MLP 3x128".into(), shape: format!("batch {batch}"), ms, tflops: None });
    // GDSS X and A networks: forward + backward of a squared-output loss, community-small sizes.
    let cfg = GdssModelConfig::community_small();
    let (mut nx, mut na) = (cfg.x.init::<B>(device), cfg.adj.init::<B>(device));
    let (mut ox, mut oa) = (AdamWConfig::new().init::<B, _>(), AdamWConfig::new().init::<B, _>());
    let (gb, n) = (if big { 128 } else { 16 }, 20);
    let xg = Tensor::<B, 3>::random([gb, n, cfg.x.max_feat_num], Distribution::Normal(0.0, 1.0), device);
    let ag = Tensor::<B, 3>::random([gb, n, n], Distribution::Uniform(0.0, 1.0), device);
    let fg = Tensor::<B, 2>::ones([gb, n], device);
    let ms = time::<B>(device, 3, 10, || {
        let lx = nx.forward(xg.clone(), ag.clone(), fg.clone()).square().mean();
        let gx = GradientsParams::from_grads(lx.backward(), &nx);
        nx = ox.step(1e-3, nx.clone(), gx);
        let la = na.forward(xg.clone(), ag.clone(), fg.clone()).square().mean();
        let ga = GradientsParams::from_grads(la.backward(), &na);
        na = oa.step(1e-3, na.clone(), ga);
    });
    rows.push(Row { name: "train step: GDSS X+A nets".into(), shape: format!("batch {gb}, n {n}"), ms, tflops: None });
    let _ = nx.valid();
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let get = |k: &str| args.iter().position(|a| a == k).and_then(|i| args.get(i + 1)).cloned();
    let device: DeviceChoice = get("--device").unwrap_or("cpu".into()).parse()?;
    let big = device != DeviceChoice::Cpu || args.iter().any(|a| a == "--big");
    let half = device != DeviceChoice::Cpu || args.iter().any(|a| a == "--half");
    let rows = dispatch(device, Bench { big, half })?;
    println!("| op | shape | burn ms | burn TFLOP/s |");
    println!("|---|---|---|---|");
    for r in &rows {
        println!("| {} | {} | {:.3} | {} |", r.name, r.shape, r.ms, r.tflops.map(|t| format!("{t:.2}")).unwrap_or("-".into()));
    }
    if let Some(out) = get("--out") {
        std::fs::write(&out, serde_json::to_string_pretty(&rows)?)?;
        eprintln!("wrote {out}");
    }
    Ok(())
}
