//! `scidiff pde train|simulate|control` for the 2-D smoke WDNO (data from
//! `scidiff pde generate --system smoke2d`). The method lives in `scidiff::pde::wdno::smoke`.

use super::pde_wdno::{ControlArgs, SimulateArgs, WdnoTrainArgs, options};
use anyhow::{Context, Result, bail};
use ndarray::{Array1, Array2, Array3, Array4, Array5, Axis, s};
use scidiff::io::{Attr, H5Writer, dataset_shape, read_array, read_attr};
use scidiff::pde::solvers::smoke::{SmokeConfig, SmokeSim};
use scidiff::pde::wdno::Conditioning;
use scidiff::pde::wdno::run::{SampleOptions, Weights};
use scidiff::pde::wdno::smoke::config::SmokeLayoutConfig;
use scidiff::pde::wdno::smoke::metrics::{SmokeFields, SmokeSimMetrics, smoke_simulation_metrics};
use scidiff::pde::wdno::smoke::control::{LeakageGuidanceConfig, control_of_fields, leakage_of_control};
use scidiff::pde::wdno::smoke::pack::{scene_from_data, target_fraction};
use scidiff::pde::wdno::smoke::run::{SmokeRunFile, control, initial_densities, load_net, scene_controls, scenes_to_arrays, simulate};
use scidiff::pde::wdno::smoke::task::{SmokeData, SmokeTask};
use scidiff::pde::wdno::smoke::{SmokeLayout, SmokeScene, SmokeWdnoConfig};
use scidiff::train::device::{BackendTask, DeviceChoice, dispatch};
use scidiff::train::schedule::LrSchedule;
use scidiff::train::trainer::{TrainConfig, TrainError, TrainReport, train};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Whether a data file is a smoke data set (it has a `density` dataset).
pub fn is_smoke_data(path: &Path) -> bool {
    dataset_shape(path, "density").is_ok()
}

/// The raw generator arrays of a smoke data file (first `limit` scenes).
struct SmokeFile {
    density: Array4<f64>,
    velocity: Array5<f64>,
    control: Array5<f64>,
    smoke: Array3<f64>,
}

fn read_smoke(path: &Path, limit: Option<usize>) -> Result<SmokeFile> {
    let get = |name: &str, rank: usize| read_array(path, name, Some(rank)).with_context(|| format!("{} needs the smoke dataset '{name}' (pde generate --system smoke2d)", path.display()));
    let n_all = dataset_shape(path, "density")?[0];
    let n = limit.unwrap_or(n_all).min(n_all);
    if n == 0 {
        bail!("{}: no scenes to use", path.display());
    }
    let density: Array4<f64> = get("density", 4)?.into_dimensionality()?;
    let velocity: Array5<f64> = get("velocity", 5)?.into_dimensionality()?;
    let control: Array5<f64> = get("control", 5)?.into_dimensionality()?;
    let smoke: Array3<f64> = get("smoke", 3)?.into_dimensionality()?;
    Ok(SmokeFile {
        density: density.slice(s![..n, .., .., ..]).to_owned(),
        velocity: velocity.slice(s![..n, .., .., .., ..]).to_owned(),
        control: control.slice(s![..n, .., .., .., ..]).to_owned(),
        smoke: smoke.slice(s![..n, .., ..]).to_owned(),
    })
}

impl SmokeFile {
    fn scenes(&self, layout: &SmokeLayoutConfig) -> Result<Vec<SmokeScene>> {
        (0..self.density.dim().0)
            .map(|i| Ok(scene_from_data(layout, self.density.view(), self.velocity.view(), self.control.view(), self.smoke.view(), i)?))
            .collect()
    }
}

/// The solver settings stored in a data file's `config` attribute.
fn stored_smoke_config(path: &Path) -> Option<SmokeConfig> {
    match read_attr(path, "config") {
        Ok(Attr::Str(json)) => serde_json::from_str::<SmokeConfig>(&json).ok(),
        _ => None,
    }
}

/// The solver settings stored in a data file, else the preset's.
fn data_smoke_config(path: &Path, preset: &str) -> Result<SmokeConfig> {
    if let Some(c) = stored_smoke_config(path) {
        return Ok(c);
    }
    Ok(match preset {
        "small" => SmokeConfig::small(),
        "paper" => SmokeConfig::paper(),
        p => bail!("unknown preset '{p}': expected small or paper"),
    })
}

/// Optimisation defaults: the paper's lr 1e-3, batch 6 (its MultiStepLR is replaced by warm-up
/// and cosine decay); the small CPU preset uses batch 4 and a short EMA.
fn train_defaults(preset: &str, steps: u64) -> TrainConfig {
    let (batch, ema) = if preset == "small" { (4, 0.995) } else { (6, 0.995) };
    TrainConfig {
        steps,
        batch_size: batch,
        lr: LrSchedule { peak: 1e-3, warmup: 100.min(steps / 10), decay_steps: steps, floor: 0.05, gamma: None },
        weight_decay: 0.0,
        grad_clip: Some(1.0),
        ema_decay: ema,
        checkpoint_every: 500,
        validate_every: 500,
        log_every: 50,
        accumulate: 1,
    }
}

struct TrainJob {
    task: SmokeTask,
    cfg: TrainConfig,
    dir: PathBuf,
    seed: u64,
    resume: bool,
}

impl BackendTask for TrainJob {
    type Output = Result<TrainReport, TrainError>;
    fn run<B: burn::tensor::backend::AutodiffBackend>(self, device: B::Device) -> Self::Output {
        train::<B, SmokeTask>(&self.task, &self.cfg, &self.dir, self.seed, self.resume, &device, true)
    }
}

fn new_run(a: &WdnoTrainArgs) -> Result<SmokeRunFile> {
    let cond = match a.conditioning.as_str() {
        "both" => Conditioning::Both,
        "simulation" => Conditioning::Simulation,
        "control" => Conditioning::Control,
        c => bail!("--conditioning '{c}' is not available for smoke: expected both, simulation or control"),
    };
    let steps = if a.preset == "small" { 2000 } else { 200_000 };
    let mut smoke_wdno = SmokeWdnoConfig::preset(&a.preset, cond)?;
    smoke_wdno.unet.attention = !a.no_attention;
    Ok(SmokeRunFile { seed: a.seed, data: a.data.display().to_string(), smoke: data_smoke_config(&a.data, &a.preset)?, train: train_defaults(&a.preset, steps), smoke_wdno })
}

/// `pde train` on a smoke data set.
pub fn train_cmd(a: WdnoTrainArgs) -> Result<()> {
    if a.arch != "wdno" {
        bail!("--arch {} is not available for smoke data: only wdno", a.arch);
    }
    let device: DeviceChoice = a.device.parse()?;
    let dir = a.out.clone();
    let mut run = if a.resume {
        let run = SmokeRunFile::load(&dir)?;
        if a.no_attention && run.smoke_wdno.unet.attention {
            bail!("--no-attention cannot change a run that has attention ({})", dir.display());
        }
        if run.seed != a.seed {
            bail!("--seed {} differs from the run's seed {} (a resumed run keeps its seed)", a.seed, run.seed);
        }
        run
    } else {
        new_run(&a)?
    };
    super::pde_wdno::apply_train_overrides(&mut run.train, &a, &dir)?;
    let layout = SmokeLayout::new(&run.smoke_wdno.layout)?;
    let scenes = read_smoke(&a.data, None)?.scenes(&run.smoke_wdno.layout)?;
    let data = Arc::new(SmokeData::pack(&layout, &scenes)?);
    let m: Vec<String> = data.channel_max(layout.frames_canvas()).iter().map(|v| format!("{v:.2}")).collect();
    eprintln!("packed {} smoke scenes; max |scaled coefficient| per channel: [{}]", data.len(), m.join(", "));
    let task = SmokeTask::new(run.smoke_wdno.clone(), data)?;
    if !a.resume {
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join("run.toml"), toml::to_string(&run)?)?;
    }
    eprintln!("training smoke WDNO ({}, {}) on {device} to step {} (batch {}, seed {}) in {}", run.smoke_wdno.conditioning.name(), a.preset, run.train.steps, run.train.batch_size, run.seed, dir.display());
    let report = dispatch(device, TrainJob { task, cfg: run.train.clone(), dir: dir.clone(), seed: run.seed, resume: a.resume })??;
    println!(
        "smoke: steps {}..{}: last loss {:.5}, EMA validation loss {}, {:.2} steps/s -> {}",
        report.start_step,
        report.steps,
        report.last_loss,
        report.val_loss.map(|v| format!("{v:.5}")).unwrap_or("-".into()),
        report.steps_per_sec,
        dir.display()
    );
    Ok(())
}

enum Job {
    Simulate(Array3<f64>, Array5<f64>),
    Control(Array3<f64>, LeakageGuidanceConfig),
}

struct SampleJob {
    dir: PathBuf,
    run: SmokeRunFile,
    weights: Weights,
    opts: SampleOptions,
    job: Job,
}

impl BackendTask for SampleJob {
    type Output = Result<Vec<SmokeScene>>;
    fn run<B: burn::tensor::backend::AutodiffBackend>(self, device: B::Device) -> Self::Output {
        let net = load_net::<B>(&self.dir, &self.run, self.weights, &device)?;
        let cfg = &self.run.smoke_wdno;
        let n = match &self.job {
            Job::Simulate(d0, _) | Job::Control(d0, _) => d0.dim().0,
        };
        let pb = super::progress(n.div_ceil(self.opts.batch) as u64 * self.opts.steps as u64, "smoke wdno");
        let out = match &self.job {
            Job::Simulate(d0, c) => simulate::<B>(&net, cfg, d0.view(), c.view(), &self.opts, &device, Some(&pb))?,
            Job::Control(d0, g) => control::<B>(&net, cfg, d0.view(), g, &self.opts, &device, Some(&pb))?,
        };
        pb.finish_and_clear();
        Ok(out)
    }
}

/// Print a smoke prediction's errors (the lines `pde simulate` and `pde eval` share).
fn print_metrics(m: &SmokeSimMetrics, per_frame: bool) {
    println!("scenes {}  MSE density (t>=1) {:.4e}  velocity {:.4e}  target fraction {:.4e}", m.n, m.mse_density, m.mse_velocity, m.mse_fraction);
    if per_frame {
        let line = |v: &[f64], from: usize| v.iter().enumerate().skip(from).map(|(k, e)| format!("{k}:{e:.2e}")).collect::<Vec<_>>().join(" ");
        println!("MSE density per frame: {}", line(&m.density_per_frame, 1));
        println!("MSE velocity per frame: {}", line(&m.velocity_per_frame, 0));
    }
}

fn fields<'a>(d: &'a Array4<f64>, v: &'a Array5<f64>, f: &'a Array2<f64>) -> SmokeFields<'a> {
    SmokeFields { density: d.view(), velocity: v.view(), fraction: f.view() }
}

/// `pde simulate` with a smoke model: d(0) and the controls of `--input` given.
pub fn simulate_cmd(a: SimulateArgs) -> Result<()> {
    let run = SmokeRunFile::load(&a.model)?;
    run.serves(Conditioning::Simulation)?;
    let (opts, weights) = options(&a.sampling)?;
    let layout = run.smoke_wdno.layout.clone();
    let truth = read_smoke(&a.input, a.sampling.limit)?.scenes(&layout)?;
    let job = Job::Simulate(initial_densities(&truth), scene_controls(&truth));
    let t0 = std::time::Instant::now();
    let pred = dispatch(a.sampling.device.parse()?, SampleJob { dir: a.model.clone(), run, weights, opts: opts.clone(), job })??;
    let secs = t0.elapsed().as_secs_f64();
    let (d, v, _, frac) = scenes_to_arrays(&pred);
    let (dt, vt, _, ft) = scenes_to_arrays(&truth);
    let mut w = H5Writer::create(&a.out)?;
    w.dataset("density", d.view().into_dyn())?.dataset("velocity", v.view().into_dyn())?.dataset("fraction", frac.view().into_dyn())?;
    w.attr("model", Attr::Str(a.model.display().to_string()))?.attr("input", Attr::Str(a.input.display().to_string()))?.attr("steps", Attr::I64(opts.steps as i64))?.attr("seed", Attr::I64(opts.seed as i64))?;
    w.attr(LAYOUT_ATTR, Attr::Str(serde_json::to_string(&layout)?))?;
    w.finish()?;
    println!("simulated {} scenes in {secs:.1} s ({} ddim steps) -> {}", pred.len(), opts.steps, a.out.display());
    print_metrics(&smoke_simulation_metrics(&fields(&d, &v, &frac), &fields(&dt, &vt, &ft))?, false);
    Ok(())
}

/// Attribute of a smoke prediction file holding the model's layout (JSON), so `pde eval` can
/// subsample the solver's data the same way.
const LAYOUT_ATTR: &str = "layout";

/// A smoke prediction file: density, velocity, target fraction on the model grid.
fn read_prediction(path: &Path) -> Result<(Array4<f64>, Array5<f64>, Array2<f64>)> {
    let get = |name: &str, rank: usize| read_array(path, name, Some(rank)).with_context(|| format!("{} needs dataset '{name}' (a smoke prediction from pde simulate)", path.display()));
    Ok((get("density", 4)?.into_dimensionality()?, get("velocity", 5)?.into_dimensionality()?, get("fraction", 2)?.into_dimensionality()?))
}

/// The solver's data on a prediction's grid: another prediction file as it is, or a
/// `pde generate` file subsampled by the layout stored in the prediction.
fn truth_on_model_grid(pred: &Path, truth: &Path, n: usize) -> Result<(Array4<f64>, Array5<f64>, Array2<f64>)> {
    let (d, v, f) = if dataset_shape(truth, "fraction").is_ok() {
        read_prediction(truth)?
    } else {
        let layout: SmokeLayoutConfig = match read_attr(pred, LAYOUT_ATTR) {
            Ok(Attr::Str(json)) => serde_json::from_str(&json).with_context(|| format!("{}: attribute '{LAYOUT_ATTR}' is not a smoke layout", pred.display()))?,
            _ => bail!("{} has no '{LAYOUT_ATTR}' attribute (written by pde simulate since this version): re-run pde simulate, or compare two files of equal shapes", pred.display()),
        };
        let (d, v, _, f) = scenes_to_arrays(&read_smoke(truth, Some(n))?.scenes(&layout)?);
        (d, v, f)
    };
    if d.dim().0 < n {
        bail!("{} has {} scenes; the prediction has {n}", truth.display(), d.dim().0);
    }
    Ok((d.slice(s![..n, .., .., ..]).to_owned(), v.slice(s![..n, .., .., .., ..]).to_owned(), f.slice(s![..n, ..]).to_owned()))
}

/// `pde eval` for smoke: density / velocity / target-fraction MSE against the solver's data.
pub fn eval_cmd(pred: &Path, truth: &Path) -> Result<()> {
    let (d, v, f) = read_prediction(pred)?;
    let (dt, vt, ft) = truth_on_model_grid(pred, truth, d.dim().0)?;
    print_metrics(&smoke_simulation_metrics(&fields(&d, &v, &f), &fields(&dt, &vt, &ft))?, true);
    Ok(())
}

/// `pde plot DATA.h5 --compare PRED.h5 ...` for smoke: density at four frames of scene `index`,
/// one row for the solver's data on the model grid, one per prediction, one per `|error|`.
pub fn compare_plot(truth: &Path, preds: &[PathBuf], index: usize, out: &Path) -> Result<()> {
    let mut truth_d: Option<Array3<f64>> = None;
    let mut rows = Vec::new();
    for p in preds {
        let (d, _, _) = read_prediction(p)?;
        if index >= d.dim().0 {
            bail!("--index {index} out of range: {} has {} scenes", p.display(), d.dim().0);
        }
        let (dt, _, _) = truth_on_model_grid(p, truth, index + 1)?;
        let dt = dt.index_axis(Axis(0), index).to_owned();
        if truth_d.as_ref().is_some_and(|t| t.dim() != dt.dim()) || d.shape()[1..] != *dt.shape() {
            bail!("{}: density {:?} does not fit the other predictions / the truth on the model grid {:?}", p.display(), d.shape(), dt.shape());
        }
        truth_d.get_or_insert(dt);
        let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        rows.push((stem, d.index_axis(Axis(0), index).to_owned()));
    }
    let Some(truth_d) = truth_d else { bail!("no predictions to compare") };
    let nt = truth_d.dim().0;
    let times: Vec<usize> = (0..4).map(|k| k * (nt - 1) / 3).collect::<std::collections::BTreeSet<_>>().into_iter().collect();
    let errors: Vec<Array3<f64>> = rows.iter().map(|(_, d)| (d - &truth_d).mapv(f64::abs)).collect();
    let frame_mse = |e: &Array3<f64>, t: usize| e.index_axis(Axis(0), t).mapv(|v| v * v).mean().unwrap_or(0.0);
    let mut panels = Vec::new();
    panels.extend(times.iter().map(|&t| (format!("truth density, frame {t}"), truth_d.index_axis(Axis(0), t))));
    for (name, d) in &rows {
        panels.extend(times.iter().map(|&t| (format!("{name}, frame {t}"), d.index_axis(Axis(0), t))));
    }
    for ((name, _), e) in rows.iter().zip(&errors) {
        panels.extend(times.iter().map(|&t| (format!("|{name} - truth|, MSE {:.2e}", frame_mse(e, t)), e.index_axis(Axis(0), t))));
    }
    scidiff::plot::heatmaps(out, &panels, "x (cell)", "y (cell)", times.len())?;
    Ok(())
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len().max(1) as f64
}

/// `pde control --objective smoke-leakage`: only d(0) of `--input` is given; J from our solver.
pub fn control_cmd(a: ControlArgs) -> Result<()> {
    let run = SmokeRunFile::load(&a.model)?;
    run.serves(Conditioning::Control)?;
    let (opts, weights) = options(&a.sampling)?;
    let file = read_smoke(&a.input, a.sampling.limit.or(Some(50)))?;
    let truth = file.scenes(&run.smoke_wdno.layout)?;
    let guidance = LeakageGuidanceConfig { w_init: a.w_init, scale: a.guidance_scale };
    let job = Job::Control(initial_densities(&truth), guidance.clone());
    let t0 = std::time::Instant::now();
    let generated = dispatch(a.sampling.device.parse()?, SampleJob { dir: a.model.clone(), run: run.clone(), weights, opts: opts.clone(), job })??;
    let secs = t0.elapsed().as_secs_f64();
    let sim = SmokeSim::new(stored_smoke_config(&a.input).unwrap_or(run.smoke.clone()))?;
    let lay = &run.smoke_wdno.layout;
    let (mut j, mut j0, mut jd, mut stored, mut jm) = (vec![], vec![], vec![], vec![], vec![]);
    for (i, (g, t)) in generated.iter().zip(&truth).enumerate() {
        let d0 = file.density.slice(s![i, 0, .., ..]);
        let ctl = control_of_fields(&g.fields);
        j.push(leakage_of_control(&sim, lay, d0, ctl.view())?);
        j0.push(leakage_of_control(&sim, lay, d0, Array4::zeros(ctl.dim()).view())?);
        jd.push(leakage_of_control(&sim, lay, d0, control_of_fields(&t.fields).view())?);
        let frac = target_fraction(file.smoke.index_axis(Axis(0), i))?;
        stored.push(1.0 - frac[frac.len() - 1]);
        jm.push(1.0 - g.fraction[g.fraction.len() - 1]);
    }
    let (_, _, c, _) = scenes_to_arrays(&generated);
    let mut w = H5Writer::create(&a.out)?;
    let v = |x: &Vec<f64>| Array1::from(x.clone()).into_dyn();
    w.dataset("control", c.view().into_dyn())?.dataset("J", v(&j).view())?.dataset("J_zero", v(&j0).view())?.dataset("J_data_control", v(&jd).view())?.dataset("J_model", v(&jm).view())?;
    w.attr("model", Attr::Str(a.model.display().to_string()))?.attr("input", Attr::Str(a.input.display().to_string()))?.attr("steps", Attr::I64(opts.steps as i64))?.attr("seed", Attr::I64(opts.seed as i64))?.attr("w_init", Attr::F64(a.w_init))?.attr("guidance_scale", Attr::F64(a.guidance_scale))?;
    w.finish()?;
    println!("scenes {}  ({secs:.1} s sampling, ddim {} steps, guidance scale {})", j.len(), opts.steps, a.guidance_scale);
    println!("J = leakage (solver, true d0, generated control)  {:.4}", mean(&j));
    println!("J (zero control)                                 {:.4}", mean(&j0));
    println!("J (data's own control, same tiling path)         {:.4}", mean(&jd));
    println!("leakage stored in the data (expert run)          {:.4}", mean(&stored));
    println!("J_model (1 - model's own s(t_last), not a result) {:.4}", mean(&jm));
    Ok(())
}
