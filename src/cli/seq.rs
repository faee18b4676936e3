//! `scidiff seq pretrain | sample | eval | baseline`: masked discrete diffusion on DNA (DRAKES-DHS, brief
//! `drakes.md` §1 and §6).

use anyhow::{Context, Result, bail};
use burn::tensor::backend::AutodiffBackend;
use clap::{Args, Subcommand};
use ndarray::Array2;
use scidiff::bio::alphabet::DNA;
use scidiff::bio::corpus::{Corpus, data_dir};
use scidiff::bio::dhs::DhsDataset;
use scidiff::bio::evaluate::{EvalInputs, evaluate_set};
use scidiff::bio::fasta::{FastaRecord, read_fasta, write_fasta};
use scidiff::bio::motif::{MotifSet, load_pfm_list};
use scidiff::discrete::ancestral::sample_with;
use scidiff::drakes::guidance::{Guidance, guided_sample};
use scidiff::drakes::reward::BackendReward;
use scidiff::discrete::elbo::nelbo_mc;
use scidiff::discrete::net::NetDenoiser;
use scidiff::discrete::task::{MaskedConvTask, MaskedTaskConfig, preset, token_matrix};
use scidiff::train::device::{BackendTask, DeviceChoice, dispatch};
use scidiff::train::trainer::{TrainConfig, TrainError, TrainReport, load_ema, train};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum SeqCommand {
    /// Pretrain the masked-diffusion DNA denoiser (dilated CNN) with the shared trainer.
    Pretrain(PretrainArgs),
    /// Sample sequences from a pretrained model into FASTA (one line per record).
    Sample(SampleArgs),
    /// DRAKES-DHS metrics of a FASTA set (and its ELBO under a model).
    Eval(EvalArgs),
    /// Held-out bits/token of k-th order Markov chains fitted on the training split (ELBO baseline).
    Baseline(BaselineArgs),
    /// Train a D2 HepG2-accessibility oracle (CNN classifier) on one chromosome half.
    TrainOracle(super::seq_oracle::TrainOracleArgs),
    /// DRAKES reward fine-tuning of a pretrained model (relaxed trajectories, KL to the pretrained).
    Finetune(super::seq_finetune::FinetuneArgs),
    /// Plot two `seq eval` metrics per method (reward vs log-likelihood trade-off figure).
    PlotTradeoff(super::seq_finetune::TradeoffArgs),
    /// Protein design on fixed backbones with ProteinMPNN as a masked-diffusion model (FASTA out).
    Design(super::seq_protein::DesignArgs),
    /// Recovery, ProteinMPNN score under a second checkpoint, diversity and composition of designs.
    DesignEval(super::seq_protein::DesignEvalArgs),
}

#[derive(Args)]
pub struct BaselineArgs {
    /// `dhs`, a DHS-format .tsv, or a FASTA file.
    #[arg(long, default_value = "dhs")]
    dataset: String,
    /// Highest order fitted (all orders 0..=K are reported).
    #[arg(long, default_value_t = 5)]
    max_order: usize,
    /// Additive smoothing.
    #[arg(long, default_value_t = 0.5)]
    alpha: f64,
}

fn baseline(a: BaselineArgs) -> Result<()> {
    if !(a.alpha > 0.0) || a.max_order > 10 {
        bail!("--alpha must be positive (got {}) and --max-order at most 10 (got {})", a.alpha, a.max_order);
    }
    let corpus = Corpus::load(&a.dataset)?;
    let (train, val) = (as_refs(&corpus.train), as_refs(&corpus.val));
    println!("order  train_bits_per_token  val_bits_per_token   ({} train / {} val sequences)", train.len(), val.len());
    for k in 0..=a.max_order {
        let m = scidiff::bio::markov::MarkovChain::fit(&train, k, a.alpha);
        println!("{k:>5}  {:>20.4}  {:>18.4}", m.bits_per_token(&train), m.bits_per_token(&val));
    }
    Ok(())
}

#[derive(Args)]
pub struct PretrainArgs {
    /// `dhs` (the fetched DHS table), a DHS-format .tsv, or a FASTA file.
    #[arg(long)]
    dataset: Option<String>,
    /// quick or paper.
    #[arg(long, default_value = "quick")]
    preset: String,
    /// Model directory (run.toml, checkpoint.bin, metrics.jsonl).
    #[arg(long)]
    out: PathBuf,
    /// Total steps (default: the preset's).
    #[arg(long)]
    steps: Option<u64>,
    /// Random seed (weights, batches, masks); default 0.
    #[arg(long)]
    seed: Option<u64>,
    /// cpu, cuda or cuda:N.
    #[arg(long, default_value = "cpu")]
    device: String,
    /// Continue the run stored in --out (its dataset, preset and seed).
    #[arg(long)]
    resume: bool,
    /// Sequences per step (overrides the preset).
    #[arg(long)]
    batch_size: Option<usize>,
}

/// The step budget of a resumed run: `--steps` if given; `--seed` must match the run's seed.
pub fn resumed_steps(seed_arg: Option<u64>, seed: u64, steps_arg: Option<u64>, steps: u64) -> Result<u64> {
    if let Some(s) = seed_arg.filter(|s| *s != seed) {
        bail!("--seed {s} differs from the run's seed {seed} (a resumed run keeps its seed)");
    }
    Ok(steps_arg.unwrap_or(steps))
}

/// A TOML file of `T` (e.g. `[drakes]`/`[protein]` and `[train]` tables), with the file named in errors.
pub fn read_toml<T: serde::de::DeserializeOwned>(p: &std::path::Path) -> Result<T> {
    let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
    toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {}", p.display(), e.message()))
}

/// `run.toml` of a model directory (pretrained, or fine-tuned with a `[finetune]` table).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunFile {
    pub seed: u64,
    pub dataset: String,
    pub preset: String,
    pub train: TrainConfig,
    pub task: MaskedTaskConfig,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finetune: Option<super::seq_finetune::FinetuneRun>,
}

fn as_refs(v: &[Vec<u8>]) -> Vec<&[u8]> {
    v.iter().map(Vec::as_slice).collect()
}

pub fn read_run(dir: &Path) -> Result<RunFile> {
    super::read_run_toml(dir, "a seq model directory")
}

struct TrainJob {
    task: MaskedConvTask,
    cfg: TrainConfig,
    dir: PathBuf,
    seed: u64,
    resume: bool,
}

impl BackendTask for TrainJob {
    type Output = Result<TrainReport, TrainError>;
    fn run<B: AutodiffBackend>(self, device: B::Device) -> Self::Output {
        train::<B, MaskedConvTask>(&self.task, &self.cfg, &self.dir, self.seed, self.resume, &device, true)
    }
}

fn pretrain(a: PretrainArgs) -> Result<()> {
    let device: DeviceChoice = a.device.parse()?;
    let run = if a.resume {
        let mut run = read_run(&a.out)?;
        if run.finetune.is_some() {
            bail!("{} is a fine-tuned model; continue it with `seq finetune --resume`", a.out.display());
        }
        run.train.steps = resumed_steps(a.seed, run.seed, a.steps, run.train.steps)?;
        run
    } else {
        let Some(dataset) = a.dataset.clone() else { bail!("--dataset is required (dhs, a .tsv or a FASTA file)") };
        if a.out.join("checkpoint.bin").exists() {
            bail!("{} already holds a model; add --resume to continue it", a.out.display());
        }
        let (task, mut train) = preset(&a.preset, a.steps)?;
        if let Some(b) = a.batch_size {
            train.batch_size = b;
        }
        RunFile { seed: a.seed.unwrap_or(0), dataset, preset: a.preset.clone(), train, task, finetune: None }
    };
    if run.train.batch_size == 0 {
        bail!("batch size must be at least 1");
    }
    let corpus = Corpus::load(&run.dataset)?;
    let len = run.task.net.len;
    let train_x = token_matrix(&as_refs(&corpus.train), len, "training set")?;
    let val_x = token_matrix(&as_refs(&corpus.val), len, "validation set")?;
    let task = MaskedConvTask::new(run.task.clone(), train_x, val_x)?;
    if !a.resume {
        std::fs::create_dir_all(&a.out)?;
        std::fs::write(a.out.join("run.toml"), toml::to_string(&run)?)?;
    }
    eprintln!(
        "pretraining {} ({} train / {} val sequences) on {device} to step {} (batch {}, seed {})",
        run.preset,
        corpus.train.len(),
        corpus.val.len(),
        run.train.steps,
        run.train.batch_size,
        run.seed
    );
    let t0 = std::time::Instant::now();
    let report = dispatch(device, TrainJob { task: task.clone(), cfg: run.train.clone(), dir: a.out.clone(), seed: run.seed, resume: a.resume })??;
    let bits = report.val_loss.map(|v| format!("{:.4} bits/token ({v:.2} nats/seq)", task.bits_per_token(v))).unwrap_or("-".into());
    println!(
        "steps {}..{}: last loss {:.3} nats/seq, EMA validation NELBO {bits}, {:.2} steps/s, {:.0} s -> {}",
        report.start_step,
        report.steps,
        report.last_loss,
        report.steps_per_sec,
        t0.elapsed().as_secs_f64(),
        a.out.display()
    );
    Ok(())
}

#[derive(Args)]
pub struct SampleArgs {
    /// Model directory written by `seq pretrain`.
    #[arg(long)]
    model: PathBuf,
    /// Number of sequences.
    #[arg(long)]
    n: usize,
    /// Reverse steps (DRAKES: 128).
    #[arg(long, default_value_t = 128)]
    steps: usize,
    /// Random seed (sampling noise).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// cpu, cuda or cuda:N.
    #[arg(long, default_value = "cpu")]
    device: String,
    /// Output FASTA.
    #[arg(long)]
    out: PathBuf,
    /// Inference-time reward guidance (DRAKES' baselines): best-of-n:N, cg:SCALE, smc:ALPHA or
    /// tds:SCALE:ALPHA. Needs --reward.
    #[arg(long)]
    guide: Option<String>,
    /// Reward for --guide: motif or oracle (with --oracle).
    #[arg(long, default_value = "motif")]
    reward: String,
    /// Oracle directory for --reward oracle.
    #[arg(long)]
    oracle: Option<PathBuf>,
}

/// Parse a `--guide` value.
pub fn parse_guide(s: &str) -> Result<Guidance> {
    let parts: Vec<&str> = s.split(':').collect();
    let num = |i: usize| -> Result<f64> {
        let v: f64 = parts.get(i).with_context(|| format!("--guide {s}: missing parameter {i}"))?.parse().with_context(|| format!("--guide {s}: parameter {i} is not a number"))?;
        if !(v.is_finite() && v > 0.0) {
            bail!("--guide {s}: parameters must be positive and finite");
        }
        Ok(v)
    };
    let g = match parts[0] {
        "pretrained" => Guidance::Pretrained,
        "best-of-n" => Guidance::BestOfN { n: num(1)? as usize },
        "cg" => Guidance::Cg { scale: num(1)? },
        "smc" => Guidance::Smc { alpha: num(1)? },
        "tds" => Guidance::Tds { scale: num(1)?, alpha: num(2)? },
        o => bail!("unknown --guide method {o:?} (expected best-of-n:N, cg:SCALE, smc:ALPHA or tds:SCALE:ALPHA)"),
    };
    Ok(g)
}

struct SampleJob {
    task: MaskedConvTask,
    dir: PathBuf,
    n: usize,
    steps: usize,
    seed: u64,
    guide: Option<(Guidance, String, Option<PathBuf>)>,
}

impl BackendTask for SampleJob {
    type Output = Result<Array2<usize>>;
    fn run<B: AutodiffBackend>(self, device: B::Device) -> Self::Output {
        let (net, _) = load_ema::<B, MaskedConvTask>(&self.task, &self.dir, &device)?;
        let mut den = NetDenoiser::<B::InnerBackend, _> { net, device: device.clone() };
        let cfg = &self.task.config;
        let mut rng = scidiff::rng(self.seed);
        let x = if let Some((g, kind, oracle)) = &self.guide {
            let reward = BackendReward::<B> { reward: super::seq_finetune::load_reward::<B>(kind, oracle.as_deref(), &device)?.frozen(), device: device.clone() };
            let passes = if let Guidance::BestOfN { n } = g { *n as u64 } else { 1 };
            let pb = super::progress(self.steps as u64 * passes, "guided sampling");
            let x = guided_sample(&mut den, &reward, *g, self.n, cfg.net.len, &cfg.schedule, self.steps, &mut rng, &mut |_| pb.inc(1));
            pb.finish_and_clear();
            x
        } else {
            let pb = super::progress(self.steps as u64, "sampling");
            let x = sample_with(&mut den, self.n, cfg.net.len, &cfg.schedule, self.steps, &mut rng, &mut |_| pb.inc(1));
            pb.finish_and_clear();
            x
        };
        Ok(x)
    }
}

fn load_task(dir: &Path) -> Result<(RunFile, MaskedConvTask)> {
    let run = read_run(dir)?;
    let task = MaskedConvTask::for_loading(run.task.clone())?;
    Ok((run, task))
}

fn sample(a: SampleArgs) -> Result<()> {
    if a.n == 0 || a.steps == 0 {
        bail!("--n and --steps must be at least 1 (got {} and {})", a.n, a.steps);
    }
    let (_, task) = load_task(&a.model)?;
    let device: DeviceChoice = a.device.parse()?;
    let t0 = std::time::Instant::now();
    let guide = a.guide.as_deref().map(parse_guide).transpose()?.map(|g| (g, a.reward.clone(), a.oracle.clone()));
    let method = a.guide.clone().unwrap_or("none".into());
    let x = dispatch(device, SampleJob { task, dir: a.model.clone(), n: a.n, steps: a.steps, seed: a.seed, guide })??;
    let records = x
        .rows()
        .into_iter()
        .enumerate()
        .map(|(i, row)| {
            let idx: Vec<u8> = row.iter().map(|&v| v as u8).collect();
            Ok(FastaRecord { id: format!("sample_{}", i + 1), description: format!("seed={} steps={} guide={method}", a.seed, a.steps), sequence: DNA.decode(&idx)? })
        })
        .collect::<Result<Vec<_>>>()?;
    let file = std::fs::File::create(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    write_fasta(std::io::BufWriter::new(file), &records, 0)?;
    println!("{} sequences of length {} in {} steps ({:.1} s) -> {}", a.n, x.ncols(), a.steps, t0.elapsed().as_secs_f64(), a.out.display());
    Ok(())
}

#[derive(Args)]
pub struct EvalArgs {
    /// Generated sequences (FASTA, DNA).
    #[arg(long)]
    fasta: PathBuf,
    /// Also report the ELBO log-likelihood under this model.
    #[arg(long)]
    model: Option<PathBuf>,
    /// A D2 oracle directory (`seq train-oracle`): adds the median oracle logit and the % of
    /// sequences with p(HepG2) > 0.5 (the ATAC-Acc analogue).
    #[arg(long)]
    oracle: Option<PathBuf>,
    /// The fine-tuning (train) oracle, A: adds its median logit and the train − eval gap (reward
    /// hacking shows as a large gap).
    #[arg(long)]
    oracle_train: Option<PathBuf>,
    /// Data directory with dhs.tsv, motifs.json, jaspar2022_core_nr.json (default: $SCIDIFF_DATA/dhs
    /// or ~/.cache/scidiff/dhs); metrics whose file is missing are reported as absent.
    #[arg(long)]
    data: Option<PathBuf>,
    /// DHS table for the top set (default: DATA/dhs.tsv).
    #[arg(long)]
    dhs: Option<PathBuf>,
    /// Time points of the Monte-Carlo ELBO per sequence (the paper's estimator: 128).
    #[arg(long, default_value_t = 32)]
    elbo_steps: usize,
    /// Random seed of the ELBO estimate.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// cpu, cuda or cuda:N.
    #[arg(long, default_value = "cpu")]
    device: String,
    /// Also write the metrics as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
}

struct ElboJob {
    task: MaskedConvTask,
    dir: PathBuf,
    x: Array2<usize>,
    steps: usize,
    seed: u64,
}

impl BackendTask for ElboJob {
    type Output = Result<Vec<f64>>;
    fn run<B: AutodiffBackend>(self, device: B::Device) -> Self::Output {
        let (net, _) = load_ema::<B, MaskedConvTask>(&self.task, &self.dir, &device)?;
        let mut den = NetDenoiser::<B::InnerBackend, _> { net, device };
        let mut rng = scidiff::rng(self.seed);
        Ok(nelbo_mc(&mut den, &self.x, &self.task.config.schedule, self.steps, &mut rng).to_vec())
    }
}

fn optional<T>(path: PathBuf, load: impl Fn(&Path) -> scidiff::bio::Result<T>) -> Result<Option<T>> {
    if !path.is_file() {
        eprintln!("note: {} not found; metrics that need it are skipped (bash datasets/fetch_dhs.sh fetches it)", path.display());
        return Ok(None);
    }
    Ok(Some(load(&path)?))
}

fn eval(a: EvalArgs) -> Result<()> {
    let file = std::fs::File::open(&a.fasta).with_context(|| format!("opening {}", a.fasta.display()))?;
    let recs = read_fasta(std::io::BufReader::new(file), &DNA, &a.fasta.display().to_string())?;
    let seqs: Vec<Vec<u8>> = recs.iter().map(|r| r.encode(&DNA)).collect::<scidiff::bio::Result<_>>()?;
    let refs: Vec<&[u8]> = seqs.iter().map(Vec::as_slice).collect();
    let data = a.data.clone().unwrap_or_else(data_dir);
    let inputs = EvalInputs {
        dhs: optional(a.dhs.clone().unwrap_or(data.join("dhs.tsv")), |p| DhsDataset::load(p))?,
        motifs: optional(data.join("motifs.json"), |p| MotifSet::load(p))?,
        jaspar: optional(data.join("jaspar2022_core_nr.json"), |p| load_pfm_list(p))?,
    };
    let m = evaluate_set(&refs, &inputs)?;
    let mut out = serde_json::to_value(&m)?;
    if let Some(dir) = &a.model {
        let (_, task) = load_task(dir)?;
        let x = token_matrix(&refs, task.config.net.len, "evaluated set")?;
        let device: DeviceChoice = a.device.parse()?;
        let nelbo = dispatch(device, ElboJob { task: task.clone(), dir: dir.clone(), x, steps: a.elbo_steps.max(1), seed: a.seed })??;
        let ll: Vec<f64> = nelbo.iter().map(|v| -v).collect();
        let mean = nelbo.iter().sum::<f64>() / nelbo.len() as f64;
        out["loglik_median_nats"] = scidiff::bio::metrics::median(&ll)?.into();
        out["elbo_bits_per_token"] = task.bits_per_token(mean).into();
        out["elbo_steps"] = a.elbo_steps.into();
    }
    if let Some(dir) = &a.oracle {
        let z = super::seq_oracle::oracle_logits(dir, &seqs, &a.device)?;
        out["oracle_logit_median"] = scidiff::bio::metrics::median(&z)?.into();
        out["hepg2_accessible_pct"] = (100.0 * z.iter().filter(|v| **v > 0.0).count() as f64 / z.len() as f64).into();
        if let Some(train_dir) = &a.oracle_train {
            let za = super::seq_oracle::oracle_logits(train_dir, &seqs, &a.device)?;
            let (ma, mb) = (scidiff::bio::metrics::median(&za)?, scidiff::bio::metrics::median(&z)?);
            out["oracle_train_logit_median"] = ma.into();
            out["oracle_gap"] = (ma - mb).into();
        }
    } else if a.oracle_train.is_some() {
        bail!("--oracle-train needs --oracle (the evaluation oracle) as well");
    }
    for (k, v) in out.as_object().expect("object") {
        println!("{k:<22} {}", if v.is_null() { "n/a".to_string() } else { v.to_string() });
    }
    if let Some(p) = &a.json {
        std::fs::write(p, serde_json::to_string_pretty(&out)?).with_context(|| format!("writing {}", p.display()))?;
    }
    Ok(())
}

/// Run a `seq` subcommand.
pub fn run(c: SeqCommand) -> Result<()> {
    match c {
        SeqCommand::Pretrain(a) => pretrain(a),
        SeqCommand::Sample(a) => sample(a),
        SeqCommand::Eval(a) => eval(a),
        SeqCommand::Baseline(a) => baseline(a),
        SeqCommand::TrainOracle(a) => super::seq_oracle::train_oracle(a),
        SeqCommand::Finetune(a) => super::seq_finetune::finetune(a),
        SeqCommand::PlotTradeoff(a) => super::seq_finetune::tradeoff(a),
        SeqCommand::Design(a) => super::seq_protein::design(a),
        SeqCommand::DesignEval(a) => super::seq_protein::design_eval(a),
    }
}
