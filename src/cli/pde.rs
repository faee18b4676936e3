//! `scidiff pde solve|generate|plot`: classical solvers, WDNO data sets and their figures.
//! The numerics live in `scidiff::pde::solvers`; this file reads flags and files and writes HDF5.

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use ndarray::{Array2, Array3, ArrayD, Axis, s};
use rayon::prelude::*;
use scidiff::io::{Attr, H5Writer, dataset_shape, read_array};
use scidiff::pde::solvers::advection_data::{AdvectionPreset, generate_advection};
use scidiff::pde::solvers::burgers::{Boundary, BurgersConfig, BurgersPreset, TimeScheme, generate_with_progress, solve_burgers};
use scidiff::pde::solvers::cns_data::{CnsPreset, generate_cns};
use scidiff::pde::solvers::smoke::SmokeConfig;
use scidiff::pde::solvers::smoke_expert::generate_smoke_with_progress;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum PdeCommand {
    /// Solve the unforced viscous Burgers equation from initial states (dataset `u0`).
    Solve(SolveArgs),
    /// Generate a data set (burgers1d, advection1d, cns1d or smoke2d) with all parameters as attributes.
    Generate(GenerateArgs),
    /// Plot one trajectory of a data set: space-time heatmaps (1-D) or density frames (2-D).
    Plot(PlotArgs),
    /// Train a WDNO model (wavelet diffusion), or with --arch fno|ddpm|srm a baseline or the super-resolution model, on a burgers1d data set.
    Train(super::pde_wdno::WdnoTrainArgs),
    /// Predict trajectories from u0 and f with a trained WDNO (or FNO baseline) model.
    Simulate(super::pde_wdno::SimulateArgs),
    /// MSE (t >= 1, overall and per step) and relative L2 of predictions against the truth.
    Eval(super::pde_wdno::EvalArgs),
    /// Generate controls with guided WDNO sampling; J is measured by the real solver.
    Control(super::pde_wdno::ControlArgs),
    /// Refine coarse trajectories 2x per stage in t and x with a super-resolution model (--arch srm).
    Superres(super::pde_srm::SuperresArgs),
}

#[derive(Args)]
pub struct SolveArgs {
    /// System (only burgers1d).
    #[arg(long, default_value = "burgers1d")]
    system: String,
    /// Initial states: dataset `u0` [batch, nx] on the boundary's grid.
    #[arg(long)]
    init: PathBuf,
    /// Viscosity ν >= 0.
    #[arg(long, allow_negative_numbers = true)]
    viscosity: f64,
    /// Final time T.
    #[arg(long, allow_negative_numbers = true)]
    t_end: f64,
    /// Report intervals: output times k·T/NT, k = 0..NT.
    #[arg(long)]
    nt: usize,
    /// dirichlet (u = 0 at x = 0, 1; x_j = (j+1)/(nx+1)) or periodic (x_j = j/nx).
    #[arg(long, default_value = "dirichlet")]
    boundary: String,
    /// Time integrator: ssp-rk3 or euler.
    #[arg(long, default_value = "ssp-rk3")]
    scheme: String,
    /// Fixed substeps per report interval (default: automatic from the stability limits). A fixed
    /// count that violates a limit is refused, naming the limit.
    #[arg(long)]
    substeps: Option<usize>,
    /// Output HDF5 file (dataset `u` [batch, NT+1, nx]).
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
pub struct GenerateArgs {
    /// burgers1d, advection1d, cns1d or smoke2d.
    #[arg(long)]
    system: String,
    /// small or paper.
    #[arg(long, default_value = "small")]
    preset: String,
    /// Number of trajectories.
    #[arg(long, default_value_t = 16)]
    trajectories: usize,
    /// Random seed; trajectory i uses a seed mixed from (seed, i), so output is thread-count independent.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// TOML file whose keys override the preset's fields (e.g. `steps_per_segment = 40`).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Output HDF5 file.
    #[arg(long)]
    out: PathBuf,
}

#[derive(Args)]
pub struct PlotArgs {
    /// A data set written by `pde generate` or `pde solve`.
    file: PathBuf,
    /// Trajectory index.
    #[arg(long, default_value_t = 0)]
    index: usize,
    /// Output PNG.
    #[arg(long)]
    out: PathBuf,
    /// Predictions (`u`, from `pde simulate`) to show beside the file's `u`, each with its
    /// absolute error (repeatable). Panels are titled with the file stems. Smoke: density
    /// frames of `pde simulate` files, the data subsampled onto their grid.
    #[arg(long)]
    compare: Vec<PathBuf>,
}

pub fn run(cmd: PdeCommand) -> Result<()> {
    match cmd {
        PdeCommand::Solve(a) => solve_cmd(a),
        PdeCommand::Generate(a) => generate_cmd(a),
        PdeCommand::Plot(a) => plot_cmd(a),
        PdeCommand::Train(a) => super::pde_wdno::train_cmd(a),
        PdeCommand::Simulate(a) => super::pde_wdno::simulate_cmd(a),
        PdeCommand::Eval(a) => super::pde_wdno::eval_cmd(a),
        PdeCommand::Control(a) => super::pde_wdno::control_cmd(a),
        PdeCommand::Superres(a) => super::pde_srm::superres_cmd(a),
    }
}

fn solve_cmd(a: SolveArgs) -> Result<()> {
    if a.system != "burgers1d" {
        bail!("unknown system '{}' for solve: expected burgers1d", a.system);
    }
    let boundary = match a.boundary.as_str() {
        "dirichlet" => Boundary::Dirichlet,
        "periodic" => Boundary::Periodic,
        b => bail!("unknown boundary '{b}': expected dirichlet or periodic"),
    };
    let scheme = match a.scheme.as_str() {
        "ssp-rk3" => TimeScheme::SspRk3,
        "euler" => TimeScheme::Euler,
        s => bail!("unknown scheme '{s}': expected ssp-rk3 or euler"),
    };
    if !(a.viscosity.is_finite() && a.viscosity >= 0.0) {
        bail!("--viscosity must be finite and >= 0, got {}", a.viscosity);
    }
    if a.nt == 0 {
        bail!("--nt must be >= 1");
    }
    let u0 = read_array(&a.init, "u0", Some(2))?;
    let u0: Array2<f64> = u0.into_dimensionality()?;
    let (batch, nx) = u0.dim();
    if batch == 0 {
        bail!("{}: dataset 'u0' has no rows", a.init.display());
    }
    let cfg = BurgersConfig { nu: a.viscosity, t_final: a.t_end, nt: a.nt, boundary, scheme, substeps: a.substeps, safety: 0.9 };
    let pb = super::progress(batch as u64, "burgers1d");
    let rows: Vec<Array2<f64>> = (0..batch)
        .into_par_iter()
        .map(|i| {
            let r = solve_burgers(u0.row(i), None, &cfg).with_context(|| format!("row {i} of u0"));
            pb.inc(1);
            r
        })
        .collect::<Result<_>>()?;
    pb.finish_and_clear();
    let mut u = Array3::zeros((batch, a.nt + 1, nx));
    for (i, r) in rows.iter().enumerate() {
        u.index_axis_mut(Axis(0), i).assign(r);
    }
    let mut w = H5Writer::create(&a.out)?;
    w.dataset("u", u.view().into_dyn())?;
    w.attr("system", Attr::Str(a.system.clone()))?
        .attr("config", Attr::Str(serde_json::to_string(&cfg)?))?
        .attr("viscosity", Attr::F64(a.viscosity))?
        .attr("t_end", Attr::F64(a.t_end))?
        .attr("nt", Attr::I64(a.nt as i64))?
        .attr("boundary", Attr::Str(a.boundary.clone()))?;
    w.finish()?;
    Ok(())
}

/// The preset's fields overridden by the keys of a TOML file (unknown keys are refused).
fn with_overrides<T: Serialize + DeserializeOwned>(preset: T, file: Option<&Path>) -> Result<T> {
    let Some(file) = file else { return Ok(preset) };
    let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let over: toml::Table = toml::from_str(&text).with_context(|| format!("{}: invalid TOML", file.display()))?;
    let mut base = toml::Table::try_from(&preset)?;
    base.extend(over);
    toml::Value::Table(base).try_into().map_err(|e: toml::de::Error| anyhow::anyhow!("{}: {}", file.display(), e.message()))
}

fn pick<T>(preset: &str, small: fn() -> T, paper: fn() -> T) -> Result<T> {
    match preset {
        "small" => Ok(small()),
        "paper" => Ok(paper()),
        p => bail!("unknown preset '{p}': expected small or paper"),
    }
}

/// Root attributes: system, preset, seed, count, the full configuration as JSON, and each
/// scalar configuration field under its own name.
fn write_params(w: &mut H5Writer, a: &GenerateArgs, cfg: &impl Serialize) -> Result<()> {
    let json = serde_json::to_value(cfg)?;
    w.attr("system", Attr::Str(a.system.clone()))?
        .attr("preset", Attr::Str(a.preset.clone()))?
        .attr("seed", Attr::I64(a.seed as i64))?
        .attr("trajectories", Attr::I64(a.trajectories as i64))?
        .attr("config", Attr::Str(json.to_string()))?
        .attr("scidiff_version", Attr::Str(env!("CARGO_PKG_VERSION").into()))?;
    if let Some(map) = json.as_object() {
        for (k, v) in map {
            match v {
                serde_json::Value::Number(n) if n.is_u64() || n.is_i64() => w.attr(k, Attr::I64(n.as_i64().unwrap_or(i64::MAX)))?,
                serde_json::Value::Number(n) => w.attr(k, Attr::F64(n.as_f64().unwrap_or(f64::NAN)))?,
                serde_json::Value::String(s) => w.attr(k, Attr::Str(s.clone()))?,
                serde_json::Value::Bool(b) => w.attr(k, Attr::I64(i64::from(*b)))?,
                _ => continue,
            };
        }
    }
    Ok(())
}

/// A solver error as one message: `SolverError::Trajectory` already prints its source, so the
/// error chain must not repeat it.
fn flat(e: scidiff::pde::solvers::SolverError) -> anyhow::Error {
    anyhow::anyhow!("{e}")
}

fn generate_cmd(a: GenerateArgs) -> Result<()> {
    if a.trajectories == 0 {
        bail!("--trajectories must be >= 1");
    }
    let pb = super::progress(a.trajectories as u64, &a.system);
    let done = || pb.inc(1);
    let mut w;
    match a.system.as_str() {
        "burgers1d" => {
            let p = with_overrides(pick(&a.preset, BurgersPreset::small, BurgersPreset::paper)?, a.config.as_deref())?;
            let (u, f) = generate_with_progress(&p, a.trajectories, a.seed, &done).map_err(flat)?;
            w = H5Writer::create(&a.out)?;
            w.dataset("u", u.view().into_dyn())?.dataset("f", f.view().into_dyn())?;
            write_params(&mut w, &a, &p)?;
        }
        "advection1d" => {
            let p = with_overrides(pick(&a.preset, AdvectionPreset::small, AdvectionPreset::paper)?, a.config.as_deref())?;
            let u = generate_advection(&p, a.trajectories, a.seed, &done).map_err(flat)?;
            w = H5Writer::create(&a.out)?;
            w.dataset("u", u.view().into_dyn())?;
            write_params(&mut w, &a, &p)?;
        }
        "cns1d" => {
            let p = with_overrides(pick(&a.preset, CnsPreset::small, CnsPreset::paper)?, a.config.as_deref())?;
            let [rho, u, p_field] = generate_cns(&p, a.trajectories, a.seed, &done).map_err(flat)?;
            w = H5Writer::create(&a.out)?;
            w.dataset("rho", rho.view().into_dyn())?.dataset("u", u.view().into_dyn())?.dataset("p", p_field.view().into_dyn())?;
            write_params(&mut w, &a, &p)?;
        }
        "smoke2d" => {
            let p = with_overrides(pick(&a.preset, SmokeConfig::small, SmokeConfig::paper)?, a.config.as_deref())?;
            let scenes = generate_smoke_with_progress(&p, a.trajectories, a.seed, &done).map_err(flat)?;
            let stack = |get: &dyn Fn(usize) -> ArrayD<f64>| -> Result<ArrayD<f64>> {
                let parts: Vec<ArrayD<f64>> = (0..scenes.len()).map(|i| get(i).insert_axis(Axis(0))).collect();
                let views: Vec<_> = parts.iter().map(|p| p.view()).collect();
                Ok(ndarray::concatenate(Axis(0), &views)?)
            };
            w = H5Writer::create(&a.out)?;
            w.dataset("density", stack(&|i| scenes[i].density.clone().into_dyn())?.view())?
                .dataset("velocity", stack(&|i| scenes[i].velocity.clone().into_dyn())?.view())?
                .dataset("control", stack(&|i| scenes[i].control.clone().into_dyn())?.view())?
                .dataset("smoke", stack(&|i| scenes[i].smoke.clone().into_dyn())?.view())?;
            write_params(&mut w, &a, &p)?;
        }
        s => bail!("unknown system '{s}': expected burgers1d, advection1d, cns1d or smoke2d"),
    }
    pb.finish_and_clear();
    w.finish()?;
    eprintln!("wrote {} trajectories of {} to {}", a.trajectories, a.system, a.out.display());
    Ok(())
}

/// Top row: truth, then each prediction's `u`; bottom row: the forcing `f` (when the file has
/// one), then each prediction's `|u − truth|` titled with its MSE over `t ≥ 1`.
fn compare_plot(a: &PlotArgs, truth: Array2<f64>, f: Option<Array2<f64>>) -> Result<()> {
    use scidiff::plot::heatmaps;
    let mut fields = Vec::new();
    for p in &a.compare {
        let x = read_array(p, "u", Some(3))?;
        if a.index >= x.shape()[0] || x.shape()[1..] != *truth.shape() {
            bail!("{}: 'u' is {:?}; need trajectory {} of shape {:?}", p.display(), x.shape(), a.index, truth.shape());
        }
        let u: Array2<f64> = x.index_axis(Axis(0), a.index).to_owned().into_dimensionality()?;
        let err = (&u - &truth).mapv(f64::abs);
        let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        fields.push((stem, u, err));
    }
    let mse = |e: &Array2<f64>| e.slice(s![1.., ..]).mapv(|v| v * v).mean().unwrap_or(0.0);
    let mut panels = vec![(format!("truth u[{}]", a.index), truth.view())];
    panels.extend(fields.iter().map(|(n, u, _)| (n.clone(), u.view())));
    panels.push(match &f {
        Some(f) => (format!("f[{}]", a.index), f.view()),
        None => (format!("truth u[{}]", a.index), truth.view()),
    });
    panels.extend(fields.iter().map(|(n, _, e)| (format!("|{n} - truth|, MSE {:.2e}", mse(e)), e.view())));
    heatmaps(&a.out, &panels, "x (grid index)", "t (step)", fields.len() + 1)?;
    Ok(())
}

fn plot_cmd(a: PlotArgs) -> Result<()> {
    use scidiff::plot::heatmaps;
    let has = |name: &str| dataset_shape(&a.file, name).is_ok();
    let trajectory = |name: &str, rank: usize| -> Result<ArrayD<f64>> {
        let x = read_array(&a.file, name, Some(rank))?;
        let n = x.shape()[0];
        if a.index >= n {
            bail!("--index {} out of range: dataset '{name}' has {n} trajectories", a.index);
        }
        Ok(x.index_axis(Axis(0), a.index).to_owned())
    };
    if has("density") && !a.compare.is_empty() {
        super::pde_smoke::compare_plot(&a.file, &a.compare, a.index, &a.out)?;
    } else if has("density") {
        let d = trajectory("density", 4)?;
        let n_rec = d.shape()[0];
        let times: Vec<usize> = (0..4).map(|k| k * (n_rec - 1) / 3).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        let frames: Vec<Array2<f64>> = times.iter().map(|&t| d.index_axis(Axis(0), t).to_owned().into_dimensionality()).collect::<Result<_, _>>()?;
        let panels: Vec<_> = times.iter().zip(&frames).map(|(t, f)| (format!("density, record {t}"), f.view())).collect();
        heatmaps(&a.out, &panels, "x (cell)", "y (cell)", panels.len())?;
    } else if has("rho") {
        let fields: Vec<Array2<f64>> = ["rho", "u", "p"].iter().map(|n| Ok(trajectory(n, 3)?.into_dimensionality()?)).collect::<Result<_>>()?;
        let panels: Vec<_> = ["rho", "u", "p"].iter().zip(&fields).map(|(n, f)| (format!("{n}[{}]", a.index), f.view())).collect();
        heatmaps(&a.out, &panels, "x (cell)", "t (step)", panels.len())?;
    } else if !a.compare.is_empty() {
        let f = if has("f") { Some(trajectory("f", 3)?.into_dimensionality()?) } else { None };
        compare_plot(&a, trajectory("u", 3)?.into_dimensionality()?, f)?;
    } else {
        let u: Array2<f64> = trajectory("u", 3).context("expected dataset 'u' [N, nt+1, nx] or 'density' [N, T, ny, nx]")?.into_dimensionality()?;
        let mut panels = vec![(format!("u[{}]", a.index), u.view())];
        let f: Option<Array2<f64>> = if has("f") { Some(trajectory("f", 3)?.into_dimensionality()?) } else { None };
        if let Some(f) = &f {
            panels.push((format!("f[{}]", a.index), f.slice(s![.., ..])));
        }
        heatmaps(&a.out, &panels, "x (grid index)", "t (step)", panels.len())?;
    }
    Ok(())
}
