//! `scidiff sde ...`: sampling, likelihood and the sampler study on closed-form targets.

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use ndarray::Array2;
use scidiff::io::{Attr, H5Writer, read_matrix};
use scidiff::sampler::{Divergence, LikelihoodConfig, Method, Probe, SamplerConfig, log_likelihood, sample};
use scidiff::sde::{Sde, Spacing};
use scidiff::state::State;
use scidiff::study::{Study, format_table, orders, study_methods};
use scidiff::target::{GmmScore, TargetFile};
pub use super::train::TrainArgs;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum SdeCommand {
    /// Draw samples with a chosen sampler from a closed-form target's exact score (`--target`)
    /// or from a trained model's EMA weights (`--model DIR`).
    Sample(SampleArgs),
    /// Train a noise-prediction MLP on samples of a target's mixture (checkpoints in DIR).
    Train(TrainArgs),
    /// Negative log-likelihood (nats) of data points under a target's probability-flow ODE.
    Nll(NllArgs),
    /// Error against the exact probability-flow solution versus NFE for every ODE sampler.
    Study(StudyArgs),
}

#[derive(Args)]
pub struct SampleArgs {
    /// Target file ([sde] and [gmm] tables).
    #[arg(long, required_unless_present = "model", conflicts_with = "model")]
    pub(crate) target: Option<PathBuf>,
    /// A `scidiff sde train` run directory: sample from its EMA weights.
    #[arg(long)]
    pub(crate) model: Option<PathBuf>,
    /// Device for `--model`: cpu, cuda or cuda:N.
    #[arg(long, default_value = "cpu")]
    pub(crate) device: String,
    /// Sampler name (euler-maruyama, pc, euler, heun, heun-karras, ddim, dpm-solver-1/2/3,
    /// dpm-solver++2m/3m, deis-1/2/3, plms).
    #[arg(long)]
    pub(crate) sampler: String,
    /// Number of model evaluations.
    #[arg(long)]
    pub(crate) nfe: usize,
    /// Grid spacing: logsnr, uniform, quadratic or karras (default: the sampler's own).
    #[arg(long)]
    pub(crate) spacing: Option<String>,
    /// Start points: dataset `x` [n, d] of this HDF5 file.
    #[arg(long, conflicts_with = "n")]
    pub(crate) init: Option<PathBuf>,
    /// Or draw this many prior samples.
    #[arg(long)]
    pub(crate) n: Option<usize>,
    /// DDIM's eta.
    #[arg(long, default_value_t = 0.0)]
    pub(crate) eta: f64,
    /// Langevin signal-to-noise ratio for `pc`.
    #[arg(long, default_value_t = 0.16)]
    pub(crate) snr: f64,
    /// Random seed (prior draws and sampler noise).
    #[arg(long, default_value_t = 0)]
    pub(crate) seed: u64,
    /// Output HDF5 file (dataset `x`).
    #[arg(long)]
    pub(crate) out: PathBuf,
}

#[derive(Args)]
pub struct NllArgs {
    /// Target file.
    #[arg(long)]
    target: PathBuf,
    /// Data points: dataset `x` [n, d].
    #[arg(long)]
    data: PathBuf,
    /// Divergence: exact, or hutchinson (one Rademacher probe per point).
    #[arg(long, default_value = "exact")]
    divergence: String,
    /// ODE tolerance.
    #[arg(long, default_value_t = 1e-7)]
    tol: f64,
    /// Random seed (Hutchinson probes).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Output HDF5 file (datasets `nll` in nats and `bits_per_dim`).
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
pub struct StudyArgs {
    /// Output folder for `error_vs_nfe.png` and `study.csv`.
    #[arg(long, default_value = "runs/sde-study")]
    out: PathBuf,
    /// Start points: the m×m grid of normal quantiles.
    #[arg(long, default_value_t = 32)]
    points: usize,
    /// NFE values, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "5,10,20,50,100,200")]
    nfes: Vec<usize>,
}

pub fn run(cmd: SdeCommand) -> Result<()> {
    match cmd {
        SdeCommand::Sample(a) if a.model.is_some() => super::train::sample_model(a),
        SdeCommand::Sample(a) => sample_cmd(a),
        SdeCommand::Train(a) => super::train::train_cmd(a),
        SdeCommand::Nll(a) => nll_cmd(a),
        SdeCommand::Study(a) => study_cmd(a),
    }
}

fn sample_cmd(a: SampleArgs) -> Result<()> {
    let target = TargetFile::load(a.target.as_deref().expect("clap requires --target or --model"))?;
    let (gmm, sde) = (target.mixture()?, target.sde.build()?);
    let method: Method = a.sampler.parse()?;
    let spacing = a.spacing.as_deref().map(str::parse::<Spacing>).transpose()?;
    let mut rng = scidiff::rng(a.seed);
    let x0 = start_points(a.init.as_deref(), a.n, gmm.dim(), sde.as_ref(), &mut rng)?;
    let cfg = SamplerConfig { method, nfe: a.nfe, spacing, t_end: target.sde.t_end, eta: a.eta, snr: a.snr, ..SamplerConfig::default() };
    let pb = super::progress(a.nfe as u64, &format!("{} sampling", method.name()));
    let mut model = GmmScore { gmm, sde: sde.clone() };
    let out = sample(&cfg, &mut model, &[sde.clone()], x0, &mut rng, Some(&pb))?;
    pb.finish_and_clear();
    write_samples(&a.out, &out.x, &cfg, a.seed, sde.name(), out.steps, "closed-form score")
}

/// Write dataset `x` with the sampling settings as attributes.
pub fn write_samples(path: &Path, x: &Array2<f64>, cfg: &SamplerConfig, seed: u64, sde: &str, steps: usize, source: &str) -> Result<()> {
    let mut w = H5Writer::create(path)?;
    w.dataset("x", x.view().into_dyn())?
        .attr("sampler", Attr::Str(cfg.method.name()))?
        .attr("nfe", Attr::I64(cfg.nfe as i64))?
        .attr("steps", Attr::I64(steps as i64))?
        .attr("spacing", Attr::Str(format!("{:?}", cfg.spacing.unwrap_or(cfg.method.default_spacing())).to_lowercase()))?
        .attr("seed", Attr::I64(seed as i64))?
        .attr("sde", Attr::Str(sde.into()))?
        .attr("t_end", Attr::F64(cfg.t_end))?
        .attr("score", Attr::Str(source.into()))?;
    w.finish()?;
    eprintln!("wrote {} samples ({} NFE, {steps} steps) to {}", x.nrows(), cfg.nfe, path.display());
    Ok(())
}

/// Start points from `--init` (dataset `x`, checked against the target's dimension) or
/// `--n` prior draws.
pub fn start_points(init: Option<&Path>, n: Option<usize>, dim: usize, sde: &dyn Sde, rng: &mut rand::rngs::StdRng) -> Result<Array2<f64>> {
    match (init, n) {
        (Some(p), _) => {
            let x = read_matrix(p, "x")?;
            if x.ncols() != dim {
                bail!("{}: dataset 'x' has {} columns but the target has dimension {dim}", p.display(), x.ncols());
            }
            if x.nrows() == 0 {
                bail!("{}: dataset 'x' has no rows", p.display());
            }
            Ok(x)
        }
        (None, Some(0)) => bail!("--n must be at least 1"),
        (None, Some(n)) => Ok(Array2::<f64>::zeros((n, dim)).noise_like(rng) * sde.prior_std()),
        (None, None) => bail!("give either --init X.h5 or --n COUNT"),
    }
}

fn nll_cmd(a: NllArgs) -> Result<()> {
    let target = TargetFile::load(&a.target)?;
    let (gmm, sde) = (target.mixture()?, target.sde.build()?);
    let x = read_matrix(&a.data, "x")?;
    if x.ncols() != gmm.dim() {
        bail!("{}: dataset 'x' has {} columns but the target has dimension {}", a.data.display(), x.ncols(), gmm.dim());
    }
    let divergence = match a.divergence.as_str() {
        "exact" => Divergence::Exact,
        "hutchinson" => Divergence::Hutchinson(Probe::Rademacher),
        other => bail!("unknown divergence '{other}' (expected exact or hutchinson)"),
    };
    // A closed-form target's score is exact down to t = 0, so the ODE starts there and the
    // result is the density of the mixture itself.
    let cfg = LikelihoodConfig { t0: 0.0, tol: a.tol, divergence };
    let prior_marginal = gmm.marginal_at(sde.as_ref(), sde.t_max());
    let prior = move |z: &Array2<f64>| prior_marginal.log_prob(z.view());
    let mut model = GmmScore { gmm, sde: sde.clone() };
    let mut rng = scidiff::rng(a.seed);
    let out = log_likelihood(&mut model, sde.as_ref(), &x, &cfg, &prior, &mut rng).context("likelihood ODE")?;
    let nll = out.log_p.mapv(|v| -v);
    let mut w = H5Writer::create(&a.out)?;
    w.dataset("nll", nll.view().into_dyn())?
        .dataset("bits_per_dim", out.bits_per_dim.view().into_dyn())?
        .attr("units", Attr::Str("nats".into()))?
        .attr("divergence", Attr::Str(a.divergence.clone()))?
        .attr("ode_evaluations", Attr::I64(out.nfe as i64))?;
    w.finish()?;
    eprintln!("mean nll {:.5} nats ({:.5} bits/dim) over {} points, {} ODE evaluations -> {}", nll.mean().unwrap_or(f64::NAN), out.bits_per_dim.mean().unwrap_or(f64::NAN), nll.len(), out.nfe, a.out.display());
    Ok(())
}

fn study_cmd(a: StudyArgs) -> Result<()> {
    if a.points < 2 || a.nfes.is_empty() {
        bail!("need --points >= 2 and at least one NFE");
    }
    eprintln!("reference: DOPRI5 (tol 1e-11) on the PF-ODE of the 3-component mixture, {} start points", a.points * a.points);
    let study = Study::standard(a.points)?;
    let methods = study_methods();
    let pb = super::progress((methods.len() * a.nfes.len()) as u64, "sampler study");
    let mut rows = vec![];
    for (m, spacing) in &methods {
        for &nfe in &a.nfes {
            rows.push(study.measure(*m, *spacing, nfe)?);
            pb.inc(1);
        }
    }
    pb.finish_and_clear();
    println!("Mean L2 error at t = 1e-3 against the exact probability-flow solution (VP, 3-component GMM)");
    print!("{}", format_table(&rows, &a.nfes));
    println!("\nempirical order over the last two NFEs:");
    for (m, _) in &methods {
        let r: Vec<_> = rows.iter().filter(|r| r.method == m.name()).cloned().collect();
        if let Some(p) = orders(&r).last() {
            println!("  {:<16} {p:.2}", m.name());
        }
    }
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    let mut csv = String::from("sampler,nfe,mean_error,rms_error\n");
    for r in &rows {
        csv += &format!("{},{},{:.6e},{:.6e}\n", r.method, r.nfe, r.mean_error, r.rms_error);
    }
    std::fs::write(a.out.join("study.csv"), csv)?;
    let series: Vec<_> = methods
        .iter()
        .map(|(m, _)| (m.name(), rows.iter().filter(|r| r.method == m.name()).map(|r| (r.nfe as f64, r.mean_error)).collect()))
        .collect();
    let png = a.out.join("error_vs_nfe.png");
    scidiff::plot::loglog_lines(&png, "Sampler error vs NFE (exact GMM score, VP, log-SNR grid)", "NFE", "mean L2 error at t_end", &series)?;
    println!("\nwrote {} and {}", png.display(), a.out.join("study.csv").display());
    Ok(())
}
