//! `scidiff graph ...`: sampling GDSS's released weights with scidiff's samplers, and the GDSS
//! MMD evaluation against a dataset's test split.

use anyhow::{Context, Result, bail};
use burn::backend::NdArray;
use clap::{Args, Subcommand};
use petgraph::graph::UnGraph;
use rand::seq::SliceRandom;
use scidiff::graph::gdss::{GdssCheckpoint, GdssModel, GdssPreset, GraphSampler, PRESETS, WeightKind, sample_graph_batch};
use scidiff::graph::io::{GraphList, ValidateOptions, remove_isolated};
use scidiff::graph::metrics::{Descriptors, MetricTable, evaluate_descriptors};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Subcommand)]
pub enum GraphCommand {
    /// Sample graphs from a released GDSS checkpoint (`.pth`) with any scidiff sampler or S4.
    Sample(SampleArgs),
    /// MMD² (degree, clustering, orbit, spectral) of generated graphs against the test split,
    /// next to the train-vs-test noise floor and GDSS's published numbers.
    Eval(EvalArgs),
}

#[derive(Args)]
pub struct SampleArgs {
    /// Released GDSS checkpoint (`gdss_<dataset>.pth`).
    #[arg(long)]
    checkpoint: PathBuf,
    /// community-small, ego-small, enzymes or grid.
    #[arg(long)]
    dataset: String,
    /// Dataset graph list (JSON); default: `<dataset file>` under datasets/graphs or shared/data/graphs.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Number of graphs (default: the test-split size, as GDSS).
    #[arg(long)]
    n: Option<usize>,
    /// Graphs per batch (default: all at once).
    #[arg(long)]
    batch: Option<usize>,
    /// Sampler: s4 or any core sampler (pc, euler-maruyama, dpm-solver++2m, ...). Default:
    /// GDSS's own for the dataset (pc with its snr/scale_eps, 2000 NFE; s4 1000 NFE; ...).
    #[arg(long)]
    sampler: Option<String>,
    /// Evaluations of each network (default 1000 for s4/euler-maruyama, 2000 for pc, else 50).
    #[arg(long)]
    nfe: Option<usize>,
    /// Langevin snr override (pc, s4).
    #[arg(long)]
    snr: Option<f64>,
    /// Langevin noise factor override (pc, s4).
    #[arg(long)]
    scale_eps: Option<f64>,
    /// Weights: ema or raw (default: GDSS's choice for the dataset).
    #[arg(long)]
    weights: Option<String>,
    /// Random seed (node counts, prior and sampler noise).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Device (only cpu for now).
    #[arg(long, default_value = "cpu")]
    device: String,
    /// Output JSON graph list.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
pub struct EvalArgs {
    /// JSON graph list of generated graphs.
    #[arg(long)]
    generated: PathBuf,
    /// community-small, ego-small, enzymes or grid.
    #[arg(long)]
    dataset: String,
    /// Dataset graph list (JSON); default as for `sample`.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Random training subsets (of the test-set size) for the noise floor.
    #[arg(long, default_value_t = 20)]
    floor_draws: usize,
    /// Seed of the floor subsets.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

pub fn run(cmd: GraphCommand) -> Result<()> {
    match cmd {
        GraphCommand::Sample(a) => sample_cmd(a),
        GraphCommand::Eval(a) => eval_cmd(a),
    }
}

fn preset(name: &str) -> Result<&'static GdssPreset> {
    GdssPreset::by_name(name).with_context(|| {
        let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
        format!("unknown dataset '{name}' (expected one of: {})", names.join(", "))
    })
}

/// The dataset's graph list: `--data`, else `$SCIDIFF_GRAPH_DATA`, `datasets/graphs`,
/// `shared/data/graphs`, `../shared/data/graphs` (relative to the working directory), then the
/// same under the crate root.
fn dataset_path(p: &GdssPreset, data: Option<&Path>) -> Result<PathBuf> {
    if let Some(d) = data {
        return Ok(d.to_path_buf());
    }
    let mut dirs: Vec<PathBuf> = std::env::var_os("SCIDIFF_GRAPH_DATA").map(PathBuf::from).into_iter().collect();
    for base in [PathBuf::from("."), PathBuf::from(env!("CARGO_MANIFEST_DIR"))] {
        for sub in ["datasets/graphs", "shared/data/graphs", "../shared/data/graphs"] {
            dirs.push(base.join(sub));
        }
    }
    dirs.iter()
        .map(|d| d.join(p.file))
        .find(|f| f.is_file())
        .with_context(|| format!("{} not found under datasets/graphs or shared/data/graphs (pass --data FILE)", p.file))
}

fn load_split(p: &GdssPreset, data: Option<&Path>) -> Result<(Vec<UnGraph<(), ()>>, Vec<UnGraph<(), ()>>)> {
    let path = dataset_path(p, data)?;
    let list = GraphList::read_json(&path)?;
    Ok(list.split_test_train(ValidateOptions::default()).with_context(|| path.display().to_string())?)
}

fn sample_cmd(a: SampleArgs) -> Result<()> {
    let p = preset(&a.dataset)?;
    if a.device != "cpu" {
        bail!("graph sampling supports only --device cpu for now (got '{}')", a.device);
    }
    let (test, train) = load_split(p, a.data.as_deref())?;
    let n = a.n.unwrap_or(test.len());
    if n == 0 {
        bail!("--n must be at least 1");
    }
    let kind = match a.weights.as_deref() {
        None => if p.use_ema { WeightKind::Ema } else { WeightKind::Raw },
        Some("ema") => WeightKind::Ema,
        Some("raw") => WeightKind::Raw,
        Some(w) => bail!("unknown --weights '{w}' (expected ema or raw)"),
    };
    let mut sampler = match a.sampler.as_deref() {
        None => {
            let mut s = p.default_sampler();
            if let Some(k) = a.nfe {
                match &mut s {
                    GraphSampler::Core(c) => c.nfe = k,
                    GraphSampler::S4 { nfe, .. } => *nfe = k,
                }
            }
            s
        }
        Some(name) => {
            let nfe = a.nfe.unwrap_or(match name {
                "s4" | "euler-maruyama" | "em" => 1000,
                "pc" => 2000,
                _ => 50,
            });
            GraphSampler::from_name(name, nfe, p)?
        }
    };
    match &mut sampler {
        GraphSampler::Core(c) => {
            c.snr = a.snr.unwrap_or(c.snr);
            c.scale_eps = a.scale_eps.unwrap_or(c.scale_eps);
        }
        GraphSampler::S4 { snr, scale_eps, .. } => {
            *snr = a.snr.unwrap_or(*snr);
            *scale_eps = a.scale_eps.unwrap_or(*scale_eps);
        }
    }
    let ck = GdssCheckpoint::load(&a.checkpoint)?;
    let device = Default::default();
    let mut model = GdssModel::<NdArray<f32>>::from_checkpoint(&ck, kind, p, &device)?;
    let counts: Vec<usize> = train.iter().map(|g| g.node_count()).collect();
    let mut rng = scidiff::rng(a.seed);
    let batch = a.batch.unwrap_or(n).max(1);
    let start = Instant::now();
    let mut graphs = Vec::with_capacity(n);
    while graphs.len() < n {
        let b = batch.min(n - graphs.len());
        let node_counts = GdssState::sample_node_counts(&counts, b, &mut rng);
        let pb = super::progress(sampler.nfe() as u64, &format!("{} graphs {}..{}", p.name, graphs.len(), graphs.len() + b));
        let out = sample_graph_batch(&mut model, &sampler, &node_counts, p.max_node_num, &mut rng, Some(&pb), &device)?;
        pb.finish_and_clear();
        graphs.extend(out.x.to_graphs());
    }
    let wall = start.elapsed().as_secs_f64();
    let mut list = GraphList::from_graphs(&graphs);
    list.name = Some(format!("{} (generated)", p.name));
    list.source = Some(format!(
        "scidiff graph sample: checkpoint {}, {:?} weights, {}, seed {}, {:.1} s",
        a.checkpoint.display(),
        kind,
        sampler.describe(),
        a.seed,
        wall
    ));
    list.write_json(&a.out)?;
    let edges: usize = graphs.iter().map(|g| g.edge_count()).sum();
    let nodes: usize = graphs.iter().map(|g| g.node_count()).sum();
    println!(
        "wrote {n} graphs to {} ({}, {kind:?} weights, seed {}, {wall:.1} s; mean {:.1} nodes, {:.1} edges)",
        a.out.display(),
        sampler.describe(),
        a.seed,
        nodes as f64 / n as f64,
        edges as f64 / n as f64
    );
    Ok(())
}

type GdssState = scidiff::graph::gdss::GraphState<NdArray<f32>>;

fn row(name: &str, f: impl Fn(&MetricTable) -> f64, ours: &MetricTable, floors: &[MetricTable], full: &MetricTable, published: Option<f64>) -> String {
    let v: Vec<f64> = floors.iter().map(&f).collect();
    let mean = v.iter().sum::<f64>() / v.len().max(1) as f64;
    let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (v.len().max(2) - 1) as f64).sqrt();
    let publ = published.map_or("-".to_string(), |x| format!("{x:.3}"));
    format!("{name:<11} {:>10.4} {:>10.4} ± {:<8.4} {:>10.4} {:>10}", f(ours), mean, sd, f(full), publ)
}

fn eval_cmd(a: EvalArgs) -> Result<()> {
    let p = preset(&a.dataset)?;
    let (test, train) = load_split(p, a.data.as_deref())?;
    let opts = ValidateOptions { allow_self_loops: true, allow_duplicates: false };
    let generated: Vec<UnGraph<(), ()>> = GraphList::read_json(&a.generated)?
        .to_graphs(opts)
        .with_context(|| a.generated.display().to_string())?
        .iter()
        .map(remove_isolated)
        .collect();
    if generated.is_empty() {
        bail!("{} holds no graphs", a.generated.display());
    }
    let (d_gen, d_test, d_train) = (Descriptors::compute(&generated), Descriptors::compute(&test), Descriptors::compute(&train));
    let ours = evaluate_descriptors(&d_gen, &d_test);
    let full = evaluate_descriptors(&d_train, &d_test);
    let mut rng = scidiff::rng(a.seed);
    let k = test.len().min(d_train.len());
    let floors: Vec<MetricTable> = (0..a.floor_draws)
        .map(|_| {
            let mut idx: Vec<usize> = (0..d_train.len()).collect();
            idx.shuffle(&mut rng);
            idx.truncate(k);
            evaluate_descriptors(&d_train.select(&idx), &d_test)
        })
        .collect();
    println!(
        "{}: {} generated vs {} test graphs (MMD², lower is better; floor = {} random train subsets of {k} vs test)",
        p.name,
        generated.len(),
        test.len(),
        a.floor_draws
    );
    println!("{:<11} {:>10} {:>21} {:>10} {:>10}", "metric", "generated", "floor mean ± sd", "train-test", "GDSS paper");
    let pb = p.published;
    println!("{}", row("degree", |m| m.degree, &ours, &floors, &full, Some(pb[0])));
    println!("{}", row("clustering", |m| m.clustering, &ours, &floors, &full, Some(pb[1])));
    println!("{}", row("orbit", |m| m.orbit, &ours, &floors, &full, Some(pb[2])));
    println!("{}", row("avg", |m| m.average(), &ours, &floors, &full, Some(pb.iter().sum::<f64>() / 3.0)));
    println!("{}", row("spectral", |m| m.spectral, &ours, &floors, &full, None));
    Ok(())
}
