//! `seq design` and `seq design-eval`: ProteinMPNN as a masked-diffusion model on fixed
//! backbones (the offline DRAKES-MPNN track, `scidiff::protein`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use burn::tensor::backend::AutodiffBackend;
use clap::Args;
use scidiff::bio::alphabet::PROTEIN;
use scidiff::bio::fasta::{FastaRecord, read_fasta, write_fasta};
use scidiff::protein::dataset::{self, Split};
use scidiff::protein::run::{BestOf, Designs, design_set, evaluate_set};
use scidiff::drakes::guidance::Guidance;
use scidiff::protein::energy::Energy;
use scidiff::protein::guided::guided_set;
use scidiff::protein::{Backbone, DesignConfig, ProteinMpnn};
use scidiff::train::device::{BackendTask, DeviceChoice, dispatch};

/// Which backbones: explicit files, or a split of the fetched set.
#[derive(Args, Clone)]
pub struct BackboneArgs {
    /// PDB file(s) of the backbone(s) (the first chain, or --chain). Overrides --split.
    #[arg(long = "backbone")]
    backbones: Vec<PathBuf>,
    /// Chain to read from --backbone files.
    #[arg(long)]
    chain: Option<char>,
    /// Split of the fetched set (train: 35, test: 15, all: 50 backbones).
    #[arg(long, value_enum, default_value = "test")]
    split: Split,
    /// Use only the first N backbones of the split.
    #[arg(long)]
    limit: Option<usize>,
    /// Data directory of `datasets/fetch_protein.sh` (default ${SCIDIFF_DATA:-~/.cache/scidiff}/protein).
    #[arg(long)]
    data: Option<PathBuf>,
}

impl BackboneArgs {
    fn data_dir(&self) -> PathBuf {
        self.data.clone().unwrap_or_else(dataset::default_dir)
    }

    fn load(&self) -> Result<Vec<Backbone>> {
        let paths = if self.backbones.is_empty() {
            let mut p = dataset::backbones(&self.data_dir(), self.split)?;
            p.truncate(self.limit.unwrap_or(usize::MAX));
            p
        } else {
            self.backbones.clone()
        };
        paths.iter().map(|p| Ok(Backbone::read(p, self.chain)?)).collect()
    }
}

#[derive(Args)]
pub struct DesignArgs {
    #[command(flatten)]
    backbones: BackboneArgs,
    /// ProteinMPNN checkpoint `.pt` or fine-tuned model directory (`seq finetune --track
    /// protein`); default DATA/mpnn/v_48_020.pt.
    #[arg(long, alias = "model")]
    weights: Option<PathBuf>,
    /// Designs per backbone.
    #[arg(long, default_value_t = 8)]
    n: usize,
    /// Grid points of the masked-diffusion sampler (DRAKES: 50).
    #[arg(long, default_value_t = 50)]
    steps: usize,
    /// Softmax temperature (DRAKES: 0.1).
    #[arg(long, default_value_t = 0.1)]
    temperature: f64,
    /// Sequences decoded together.
    #[arg(long, default_value_t = 8)]
    batch: usize,
    /// Random seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// cpu, cuda or cuda:N.
    #[arg(long, default_value = "cpu")]
    device: String,
    /// Best-of-K baseline: keep the highest-reward of K draws per design (with --reward).
    #[arg(long, default_value_t = 1)]
    best_of: usize,
    /// Guidance baseline (DRAKES' protein settings: cg:1000, smc:0.03, tds:1000:0.03), guided by
    /// --reward; particles = the --batch designs decoded together.
    #[arg(long)]
    guide: Option<String>,
    /// Reward ranking the --best-of draws or guiding --guide: mj (fine-tuning reward) or bt
    /// (evaluation oracle).
    #[arg(long, default_value = "mj")]
    reward: String,
    /// Output FASTA (records NAME_k, k = 1..n).
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
pub struct DesignEvalArgs {
    /// FASTA written by `seq design` (record ids NAME_k name the backbone).
    #[arg(long)]
    fasta: PathBuf,
    /// Backbone directory: DATA/backbones by default (or --data).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Scoring checkpoint, deliberately not the designing one (default: DATA/mpnn/v_48_002.pt).
    #[arg(long)]
    weights: Option<PathBuf>,
    /// Random decoding orders averaged per score.
    #[arg(long, default_value_t = 4)]
    orders: usize,
    /// Random seed of the decoding orders.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// cpu, cuda or cuda:N.
    #[arg(long, default_value = "cpu")]
    device: String,
    /// Also write the metrics as JSON.
    #[arg(long)]
    json: Option<PathBuf>,
}

/// A released `.pt` or a fine-tuned model directory (`seq finetune --track protein`).
fn load_net<B: AutodiffBackend>(path: &Path, device: &B::Device) -> Result<ProteinMpnn<B::InnerBackend>> {
    Ok(scidiff::protein::finetune::load_model(path, device)?)
}

struct DesignJob {
    best_of: Option<(usize, Energy)>,
    guide: Option<(Guidance, Energy)>,
    weights: PathBuf,
    backbones: Vec<Backbone>,
    n: usize,
    cfg: DesignConfig,
    seed: u64,
}

impl BackendTask for DesignJob {
    type Output = Result<Vec<Designs>>;
    fn run<B: AutodiffBackend>(self, device: B::Device) -> Self::Output {
        let net = load_net::<B>(&self.weights, &device)?;
        let k = self.best_of.as_ref().map_or(1, |b| b.0);
        let per = (self.n * k).div_ceil(self.cfg.batch) * (self.cfg.steps - 1);
        let pb = super::progress((per * self.backbones.len()) as u64, "designing");
        if let Some((method, energy)) = &self.guide {
            let out = guided_set(&net, &self.backbones, self.n, &self.cfg, self.seed, *method, energy, &mut |_| pb.inc(1))?;
            pb.finish_and_clear();
            return Ok(out);
        }
        let best = self.best_of.as_ref().map(|(k, energy)| BestOf { k: *k, energy });
        let out = design_set(&net, &self.backbones, self.n, &self.cfg, self.seed, best, || pb.inc(1))?;
        pb.finish_and_clear();
        Ok(out)
    }
}

pub fn design(a: DesignArgs) -> Result<()> {
    if a.n == 0 || a.best_of == 0 {
        bail!("--n and --best-of must be at least 1 (got {} and {})", a.n, a.best_of);
    }
    let cfg = DesignConfig { steps: a.steps, temperature: a.temperature, batch: a.batch, ..DesignConfig::default() };
    cfg.validate()?;
    let backbones = a.backbones.load()?;
    let weights = a.weights.clone().unwrap_or_else(|| a.backbones.data_dir().join("mpnn/v_48_020.pt"));
    if !weights.exists() {
        bail!("ProteinMPNN weights {} not found: run `bash datasets/fetch_protein.sh` or pass --weights", weights.display());
    }
    let device: DeviceChoice = a.device.parse()?;
    let t0 = std::time::Instant::now();
    let best_of = if a.best_of > 1 { Some((a.best_of, Energy::load(&a.backbones.data_dir(), &a.reward)?)) } else { None };
    let guide = match &a.guide {
        None => None,
        Some(_) if best_of.is_some() => bail!("--guide and --best-of are separate baselines: give one"),
        Some(g) => match super::seq::parse_guide(g)? {
            m @ (Guidance::Cg { .. } | Guidance::Smc { .. } | Guidance::Tds { .. }) => Some((m, Energy::load(&a.backbones.data_dir(), &a.reward)?)),
            _ => bail!("--guide {g}: the protein track takes cg:SCALE, smc:ALPHA or tds:SCALE:ALPHA (best-of-K is --best-of K)"),
        },
    };
    let job = DesignJob { best_of, guide, weights: weights.clone(), backbones: backbones.clone(), n: a.n, cfg: cfg.clone(), seed: a.seed };
    let sets = dispatch(device, job)??;
    let mut records = Vec::new();
    for d in &sets {
        for (k, s) in d.seqs.iter().enumerate() {
            records.push(FastaRecord {
                id: format!("{}_{}", d.name, k + 1),
                description: format!(
                    "backbone={} weights={} steps={} T={} seed={} best_of={}{}{}",
                    d.name,
                    weights.display(),
                    cfg.steps,
                    cfg.temperature,
                    a.seed,
                    a.best_of,
                    a.guide.as_ref().map_or(String::new(), |g| format!(" guide={g}")),
                    if a.best_of > 1 || a.guide.is_some() { format!(" reward={}", a.reward) } else { String::new() }
                ),
                sequence: PROTEIN.decode(s)?,
            });
        }
    }
    let f = std::fs::File::create(&a.out).with_context(|| format!("cannot create {}", a.out.display()))?;
    write_fasta(std::io::BufWriter::new(f), &records, 0)?;
    eprintln!("designed {} sequences for {} backbone(s) in {:.1} s → {}", records.len(), sets.len(), t0.elapsed().as_secs_f64(), a.out.display());
    Ok(())
}

struct EvalJob {
    energies: Vec<Energy>,
    weights: PathBuf,
    backbones: Vec<Backbone>,
    designs: Vec<Designs>,
    orders: usize,
    seed: u64,
}

impl BackendTask for EvalJob {
    type Output = Result<scidiff::protein::run::SetMetrics>;
    fn run<B: AutodiffBackend>(self, device: B::Device) -> Self::Output {
        let net = load_net::<B>(&self.weights, &device)?;
        Ok(evaluate_set(&net, &self.backbones, &self.designs, &self.energies, self.orders, self.seed)?)
    }
}

/// Groups FASTA records by backbone (the id up to its last `_`), in order of appearance.
fn group(records: &[FastaRecord]) -> Result<Vec<Designs>> {
    let mut out: Vec<Designs> = Vec::new();
    for r in records {
        let name = r.id.rsplit_once('_').map(|(n, _)| n).with_context(|| format!("record id {:?} is not NAME_k", r.id))?;
        let seq = r.encode(&PROTEIN)?;
        match out.iter_mut().find(|d| d.name == name) {
            Some(d) => d.seqs.push(seq),
            None => out.push(Designs { name: name.to_string(), seqs: vec![seq] }),
        }
    }
    Ok(out)
}

pub fn design_eval(a: DesignEvalArgs) -> Result<()> {
    let data = a.data.clone().unwrap_or_else(dataset::default_dir);
    let f = std::fs::File::open(&a.fasta).with_context(|| format!("cannot open {}", a.fasta.display()))?;
    let records = read_fasta(std::io::BufReader::new(f), &PROTEIN, &a.fasta.display().to_string())?;
    if records.is_empty() {
        bail!("{} holds no records", a.fasta.display());
    }
    let designs = group(&records)?;
    let backbones = designs
        .iter()
        .map(|d| {
            let p = data.join("backbones").join(format!("{}.pdb", d.name));
            if !p.exists() {
                bail!("no backbone {} for the records {}_k (pass --data DIR holding backbones/NAME.pdb)", p.display(), d.name);
            }
            Ok(Backbone::read(&p, None)?)
        })
        .collect::<Result<Vec<_>>>()?;
    let weights = a.weights.clone().unwrap_or_else(|| data.join("mpnn/v_48_002.pt"));
    let device: DeviceChoice = a.device.parse()?;
    let energies = vec![Energy::load(&data, "mj")?, Energy::load(&data, "bt")?];
    let m = dispatch(device, EvalJob { energies, weights: weights.clone(), backbones, designs, orders: a.orders, seed: a.seed })??;
    println!("scoring model: {} ({} random decoding orders per score; score = mean NLL per residue, nats)", weights.display(), a.orders);
    println!(
        "{:<8} {:>4} {:>4} {:>9} {:>8} {:>8} {:>8} {:>9} {:>9} {:>7} {:>9} {:>9} {:>7}",
        "backbone", "len", "n", "recovery", "score", "native", "pair-id", "mj", "mj-nat", "mj>nat", "bt", "bt-nat", "bt>nat"
    );
    let line = |name: &str, len: String, n: String, v: [f64; 10]| {
        println!(
            "{:<8} {:>4} {:>4} {:>9.3} {:>8.3} {:>8.3} {:>8.3} {:>9.3} {:>9.3} {:>7.2} {:>9.3} {:>9.3} {:>7.2}",
            name, len, n, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]
        )
    };
    let vals = |r: &scidiff::protein::run::BackboneMetrics| {
        let (mj, bt) = (&r.energies[0], &r.energies[1]);
        [r.recovery, r.score, r.native_score, r.pairwise_identity, mj.median, mj.native, mj.better_than_native, bt.median, bt.native, bt.better_than_native]
    };
    let mut sum = [0.0; 10];
    for r in &m.backbones {
        let v = vals(r);
        line(&r.name, r.len.to_string(), r.n.to_string(), v);
        sum.iter_mut().zip(v).for_each(|(s, x)| *s += x / m.backbones.len() as f64);
    }
    line("mean", String::new(), String::new(), sum);
    println!("rewards are −E/L (higher = more stable-looking): mj = Miyazawa–Jernigan + burial·hydropathy (fine-tuning reward), bt = Betancourt–Thirumalai (evaluation oracle); median over designs; x>nat = fraction of designs above the native");
    println!("amino-acid composition KL(designs ‖ natives) = {:.4} nats", m.composition_kl);
    if let Some(p) = &a.json {
        std::fs::write(p, serde_json::to_string_pretty(&m)?).with_context(|| format!("cannot write {}", p.display()))?;
    }
    Ok(())
}
