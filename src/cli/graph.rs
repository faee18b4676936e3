//! `scidiff graph ...`: sampling GDSS's released weights with scidiff's samplers, and the GDSS
//! MMD evaluation against a dataset's test split.

use anyhow::{Context, Result, bail};
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
    /// Train GDSS's two score networks on a benchmark data set or a graph list of your own.
    Train(super::graph_train::TrainArgs),
    /// Sample graphs from a trained run (`--model DIR`) or a released GDSS checkpoint (`.pth`)
    /// with any scidiff sampler or S4.
    Sample(SampleArgs),
    /// MMD² (degree, clustering, orbit, spectral) of generated graphs against the test split,
    /// next to the train-vs-test noise floor and GDSS's published numbers.
    Eval(EvalArgs),
    /// Draw graphs of a JSON graph list (data set or generated) as a PNG grid.
    Plot(PlotArgs),
    /// Generate community-small or grid graphs with GDSS's recipe into a JSON graph list.
    Generate(GenerateArgs),
}

#[derive(Args)]
pub struct GenerateArgs {
    /// community-small or grid.
    #[arg(long)]
    kind: String,
    /// Number of graphs.
    #[arg(long, default_value_t = 100)]
    n: usize,
    /// Random seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Output JSON graph list (the format of `datasets/graphs/`).
    #[arg(long)]
    out: PathBuf,
}

fn generate(a: GenerateArgs) -> Result<()> {
    if a.n == 0 {
        bail!("--n must be at least 1");
    }
    let graphs = scidiff::graph::generators::generate(&a.kind, a.n, a.seed).map_err(anyhow::Error::msg)?;
    scidiff::graph::io::GraphList::from_graphs(graphs.iter()).write_json(&a.out)?;
    let nodes = graphs.iter().map(|g| g.node_count()).sum::<usize>() as f64 / a.n as f64;
    let edges = graphs.iter().map(|g| g.edge_count()).sum::<usize>() as f64 / a.n as f64;
    println!("{} {} graphs (mean {nodes:.1} nodes, {edges:.1} edges) -> {}", a.n, a.kind, a.out.display());
    Ok(())
}

#[derive(Args)]
pub struct PlotArgs {
    /// JSON graph list (`datasets/graphs/*.json` or the output of `graph sample`).
    input: PathBuf,
    /// Draw the graphs from this index on.
    #[arg(long, default_value_t = 0)]
    start: usize,
    /// How many graphs to draw.
    #[arg(long, default_value_t = 16)]
    n: usize,
    /// Panels per row.
    #[arg(long, default_value_t = 4)]
    columns: usize,
    /// Seed of the layout's starting positions.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Output PNG.
    #[arg(long)]
    out: PathBuf,
}

fn plot_cmd(a: PlotArgs) -> Result<()> {
    let opts = ValidateOptions { allow_self_loops: true, allow_duplicates: false };
    let list = GraphList::read_json(&a.input)?;
    let graphs = list.to_graphs(opts).with_context(|| a.input.display().to_string())?;
    if a.start >= graphs.len() {
        bail!("--start {} is past the end of {} ({} graphs)", a.start, a.input.display(), graphs.len());
    }
    let pick: Vec<(usize, UnGraph<(), ()>)> = graphs.into_iter().enumerate().skip(a.start).take(a.n.max(1)).collect();
    let title = list.name.clone().unwrap_or_else(|| a.input.display().to_string());
    scidiff::plot::graphs::graph_grid(&a.out, &title, &pick, a.columns, a.seed)?;
    println!("drew {} graphs to {}", pick.len(), a.out.display());
    Ok(())
}

/// Sampler choice shared by `graph sample` and `mol sample`.
#[derive(Args, Clone, Debug)]
pub(super) struct SamplerOpts {
    /// Sampler: s4, reverse (GDSS Reverse + Langevin) or any core sampler (pc, euler-maruyama, dpm-solver++2m, ...). Default:
    /// GDSS's own for the dataset (pc with its snr/scale_eps, 2000 NFE; s4 1000 NFE; ...).
    #[arg(long)]
    pub sampler: Option<String>,
    /// Evaluations of each network (default 1000 for s4/euler-maruyama, 2000 for pc, else 50).
    #[arg(long)]
    pub nfe: Option<usize>,
    /// Langevin snr override (pc, s4).
    #[arg(long)]
    pub snr: Option<f64>,
    /// Langevin noise factor override (pc, s4).
    #[arg(long)]
    pub scale_eps: Option<f64>,
    /// Weights: ema or raw (default: GDSS's choice for the dataset).
    #[arg(long)]
    pub weights: Option<String>,
}

#[derive(Args)]
pub struct SampleArgs {
    /// Run directory of `scidiff graph train` (node counts, SDEs and networks come from it).
    #[arg(long, required_unless_present = "checkpoint", conflicts_with_all = ["checkpoint", "dataset", "data"])]
    model: Option<PathBuf>,
    /// Released GDSS checkpoint (`gdss_<dataset>.pth`; needs --dataset).
    #[arg(long, requires = "dataset")]
    checkpoint: Option<PathBuf>,
    /// community-small, ego-small, enzymes or grid (with --checkpoint).
    #[arg(long)]
    dataset: Option<String>,
    /// Dataset graph list (JSON); default: `<dataset file>` under datasets/graphs or shared/data/graphs.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Number of graphs (default: the test-split size, as GDSS).
    #[arg(long)]
    n: Option<usize>,
    /// Graphs per batch (default: all at once).
    #[arg(long)]
    batch: Option<usize>,
    #[command(flatten)]
    pub(super) opts: SamplerOpts,
    /// Random seed (node counts, prior and sampler noise).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Device: cpu, or cuda[:N] (a build with `--features cuda`).
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
        GraphCommand::Train(a) => super::graph_train::train_cmd(a),
        GraphCommand::Sample(a) => sample_cmd(a),
        GraphCommand::Eval(a) => eval_cmd(a),
        GraphCommand::Plot(a) => plot_cmd(a),
        GraphCommand::Generate(a) => generate(a),
    }
}

pub(super) fn preset(name: &str) -> Result<&'static GdssPreset> {
    GdssPreset::by_name(name).with_context(|| {
        let names: Vec<&str> = PRESETS.iter().map(|p| p.name).collect();
        format!("unknown dataset '{name}' (expected one of: {})", names.join(", "))
    })
}

/// The dataset's graph list: `--data`, else `$SCIDIFF_GRAPH_DATA`, `datasets/graphs`,
/// `shared/data/graphs`, `../shared/data/graphs` (relative to the working directory), then the
/// same under the crate root.
pub(super) fn dataset_path(p: &GdssPreset, data: Option<&Path>) -> Result<PathBuf> {
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

/// The sampler chosen on the command line for preset `p`.
pub(super) fn sampler_from_args(a: &SamplerOpts, p: &GdssPreset) -> Result<GraphSampler> {
    let mut sampler = match a.sampler.as_deref() {
        None => {
            let mut s = p.default_sampler();
            if let Some(k) = a.nfe {
                match &mut s {
                    GraphSampler::Core(c) => c.nfe = k,
                    GraphSampler::S4 { nfe, .. } | GraphSampler::Reverse { nfe, .. } => *nfe = k,
                }
            }
            s
        }
        Some(name) => {
            let nfe = a.nfe.unwrap_or(match name {
                "s4" | "euler-maruyama" | "em" => 1000,
                "pc" | "reverse" => 2000,
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
        GraphSampler::S4 { snr, scale_eps, .. } | GraphSampler::Reverse { snr, scale_eps, .. } => {
            *snr = a.snr.unwrap_or(*snr);
            *scale_eps = a.scale_eps.unwrap_or(*scale_eps);
        }
    }
    Ok(sampler)
}

pub(super) fn weight_kind(a: &SamplerOpts, p: &GdssPreset) -> Result<WeightKind> {
    Ok(match a.weights.as_deref() {
        None => if p.use_ema { WeightKind::Ema } else { WeightKind::Raw },
        Some("ema") => WeightKind::Ema,
        Some("raw") => WeightKind::Raw,
        Some(w) => bail!("unknown --weights '{w}' (expected ema or raw)"),
    })
}

/// What to sample: batches of graphs with node counts drawn from `counts`.
pub(super) struct SamplePlan {
    pub sampler: GraphSampler,
    pub counts: Vec<usize>,
    pub n: usize,
    pub batch: usize,
    pub n_max: usize,
    pub seed: u64,
    pub name: String,
}

/// Samples `plan.n` graphs in batches with a progress bar per batch.
pub(super) fn sample_loop<B: burn::tensor::backend::Backend>(model: &mut GdssModel<B>, plan: &SamplePlan, device: &B::Device) -> Result<Vec<UnGraph<(), ()>>> {
    let mut rng = scidiff::rng(plan.seed);
    let mut graphs = Vec::with_capacity(plan.n);
    while graphs.len() < plan.n {
        let b = plan.batch.max(1).min(plan.n - graphs.len());
        let node_counts = scidiff::graph::gdss::GraphState::<B>::sample_node_counts(&plan.counts, b, &mut rng);
        let pb = super::progress(plan.sampler.nfe() as u64, &format!("{} graphs {}..{}", plan.name, graphs.len(), graphs.len() + b));
        let out = sample_graph_batch(model, &plan.sampler, &node_counts, plan.n_max, &mut rng, Some(&pb), device)?;
        pb.finish_and_clear();
        graphs.extend(out.x.to_graphs());
    }
    Ok(graphs)
}

/// Writes generated graphs and prints a one-line summary.
fn write_generated(graphs: &[UnGraph<(), ()>], out: &Path, name: &str, source: String, summary: &str) -> Result<()> {
    let mut list = GraphList::from_graphs(graphs);
    list.name = Some(format!("{name} (generated)"));
    list.source = Some(source);
    list.write_json(out)?;
    let n = graphs.len().max(1) as f64;
    let edges: usize = graphs.iter().map(|g| g.edge_count()).sum();
    let nodes: usize = graphs.iter().map(|g| g.node_count()).sum();
    println!("wrote {} graphs to {} ({summary}; mean {:.1} nodes, {:.1} edges)", graphs.len(), out.display(), nodes as f64 / n, edges as f64 / n);
    Ok(())
}

fn sample_cmd(a: SampleArgs) -> Result<()> {
    if let Some(dir) = a.model.clone() {
        return super::graph_train::sample_trained(&dir, &a);
    }
    let checkpoint = a.checkpoint.clone().context("pass --model DIR or --checkpoint FILE.pth")?;
    let p = preset(a.dataset.as_deref().context("--checkpoint needs --dataset")?)?;
    let choice: scidiff::train::device::DeviceChoice = a.device.parse()?;
    let (test, train) = load_split(p, a.data.as_deref())?;
    let n = a.n.unwrap_or(test.len());
    if n == 0 {
        bail!("--n must be at least 1");
    }
    let kind = weight_kind(&a.opts, p)?;
    let sampler = sampler_from_args(&a.opts, p)?;
    let ck = GdssCheckpoint::load(&checkpoint)?;
    let counts: Vec<usize> = train.iter().map(|g| g.node_count()).collect();
    let plan = SamplePlan { sampler, counts, n, batch: a.batch.unwrap_or(n), n_max: p.max_node_num, seed: a.seed, name: p.name.to_string() };
    let start = Instant::now();
    let described = plan.sampler.describe();
    let graphs = scidiff::train::device::dispatch(choice, ReleasedJob { ck, kind, preset: p, plan })??;
    let wall = start.elapsed().as_secs_f64();
    let source = format!("scidiff graph sample: checkpoint {}, {:?} weights, {described}, seed {}, {:.1} s, {}", checkpoint.display(), kind, a.seed, wall, a.device);
    write_generated(&graphs, &a.out, p.name, source, &format!("{described}, {kind:?} weights, seed {}, {wall:.1} s", a.seed))
}

/// Sampling with released GDSS weights on the chosen backend.
struct ReleasedJob {
    ck: GdssCheckpoint,
    kind: WeightKind,
    preset: &'static GdssPreset,
    plan: SamplePlan,
}

impl scidiff::train::device::BackendTask for ReleasedJob {
    type Output = Result<Vec<UnGraph<(), ()>>>;
    fn run<B: burn::tensor::backend::AutodiffBackend>(self, device: B::Device) -> Self::Output {
        let mut model = GdssModel::<B::InnerBackend>::from_checkpoint(&self.ck, self.kind, self.preset, &device)?;
        sample_loop(&mut model, &self.plan, &device)
    }
}

/// Sample arguments the trained-model path needs.
pub(super) struct SampleOptions {
    pub n: Option<usize>,
    pub batch: Option<usize>,
    pub seed: u64,
    pub device: String,
    pub out: PathBuf,
}

/// Sampler, weights and options of `a` for a trained model with preset `p`.
pub(super) fn trained_sample_settings(a: &SampleArgs, p: &GdssPreset) -> Result<(GraphSampler, WeightKind, SampleOptions)> {
    let o = SampleOptions { n: a.n, batch: a.batch, seed: a.seed, device: a.device.clone(), out: a.out.clone() };
    Ok((sampler_from_args(&a.opts, p)?, weight_kind(&a.opts, p)?, o))
}

/// Writes graphs generated by a trained model.
pub(super) fn write_trained(graphs: &[UnGraph<(), ()>], o: &SampleOptions, name: &str, source: String, summary: &str) -> Result<()> {
    write_generated(graphs, &o.out, name, source, summary)
}

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
