//! Samplers: one implementation per published update rule, shared by every domain.
//!
//! A sampler sees a network only through [`Model`] (one evaluation, in whatever
//! [`Prediction`] the network makes) and a state only through [`State`] (linear combinations,
//! noise, norms). Per-step coefficients are computed in `f64` from each component's
//! [`Sde`]; conversions between parameterisations happen in one place ([`Evaluator`]).
//!
//! | name | family | update rule | NFE per step |
//! |---|---|---|---|
//! | `euler-maruyama` | reverse SDE | Song et al. 2021, eq. 6 discretised | 1 |
//! | `pc` | reverse SDE | predictor (EM) + Langevin corrector, Song et al. 2021 Alg. 4/5 | 2 |
//! | `euler`, `heun` | PF-ODE | Karras et al. 2022, Alg. 1, in `x/alpha`, `sigma/alpha` | 1, 2 |
//! | `heun-karras` | PF-ODE | `heun` on the Karras grid (rho = 7) | 2 |
//! | `ddim` | PF-ODE (eta = 0) / SDE | Song et al. 2021b (DDIM), eq. 12 | 1 |
//! | `dpm-solver-1/2/3` | PF-ODE | Lu et al. 2022, Alg. 1 and 2 (eqs. 3.7–3.9), single-step | 1, 2, 3 |
//! | `dpm-solver++2m/3m` | PF-ODE | Lu et al. 2022b (DPM-Solver++), Alg. 2 and App. B | 1 |
//! | `deis-1..3` | PF-ODE | Zhang & Chen 2023 (DEIS), tAB: Lagrange-in-`t` exponential integrator | 1 |
//! | `plms` | PF-ODE | Liu et al. 2022 (PNDM), pseudo-RK4 warm-up then linear multistep | 1 (4 warm-up) |
//!
//! `--nfe N` always means exactly `N` model evaluations.

mod dpm;
mod edm;
mod likelihood;
mod multistep;
pub mod ode45;
mod stochastic;

pub(crate) use multistep::gauss_legendre;
pub use stochastic::langevin_update;

pub use likelihood::{Divergence, LikelihoodConfig, LikelihoodOutput, Probe, log_likelihood, standard_prior};

use crate::error::{ConfigError, SampleError};
use crate::sde::{Prediction, Sde, Spacing, time_grid};
use crate::state::State;
use indicatif::ProgressBar;
use ndarray::{Array1, Array2};
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use std::sync::Arc;

/// A denoising network (or an exact oracle) as the samplers see it.
pub trait Model<S: State> {
    /// What [`Model::eval`] returns.
    fn prediction(&self) -> Prediction;
    /// One network evaluation at state `x` and time `t`.
    fn eval(&mut self, x: &S, t: f64) -> Result<S, SampleError>;
}

/// A score model that can also give the divergence of its score (for likelihoods).
pub trait DivergenceModel {
    /// The score at `x` (rows are points) and, per row, `tr(∂s/∂x)` when `probes` is `None`,
    /// else `vᵀ (∂s/∂x) v` with `v` the row's probe.
    fn score_and_divergence(
        &mut self,
        x: &Array2<f64>,
        t: f64,
        probes: Option<&Array2<f64>>,
    ) -> Result<(Array2<f64>, Array1<f64>), SampleError>;
}

/// The sampling methods, by their CLI names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Method {
    /// Euler–Maruyama on the reverse SDE.
    #[serde(rename = "euler-maruyama")]
    EulerMaruyama,
    /// Predictor–corrector: Euler–Maruyama + Langevin.
    #[serde(rename = "pc")]
    Pc,
    /// Euler on the probability-flow ODE.
    #[serde(rename = "euler")]
    Euler,
    /// Heun on the probability-flow ODE.
    #[serde(rename = "heun")]
    Heun,
    /// Heun on the Karras (EDM) sigma grid.
    #[serde(rename = "heun-karras")]
    HeunKarras,
    /// DDIM (with `eta`).
    #[serde(rename = "ddim")]
    Ddim,
    /// Single-step DPM-Solver of the given order (1–3).
    #[serde(rename = "dpm-solver")]
    DpmSolver(u8),
    /// Multistep DPM-Solver++ of the given order (2 or 3).
    #[serde(rename = "dpm-solver++")]
    DpmSolverPlusPlus(u8),
    /// DEIS tAB of the given order (1–3).
    #[serde(rename = "deis")]
    Deis(u8),
    /// PNDM's pseudo linear multistep.
    #[serde(rename = "plms")]
    Plms,
}

/// Every accepted sampler name.
pub const METHOD_NAMES: [&str; 16] = [
    "euler-maruyama", "pc", "euler", "heun", "heun-karras", "ddim", "dpm-solver-1", "dpm-solver-2",
    "dpm-solver-3", "dpm-solver++2m", "dpm-solver++3m", "deis-1", "deis-2", "deis-3", "plms", "em",
];

impl FromStr for Method {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<Self, ConfigError> {
        Ok(match s {
            "euler-maruyama" | "em" => Method::EulerMaruyama,
            "pc" => Method::Pc,
            "euler" => Method::Euler,
            "heun" => Method::Heun,
            "heun-karras" => Method::HeunKarras,
            "ddim" => Method::Ddim,
            "dpm-solver-1" => Method::DpmSolver(1),
            "dpm-solver-2" => Method::DpmSolver(2),
            "dpm-solver-3" => Method::DpmSolver(3),
            "dpm-solver++2m" => Method::DpmSolverPlusPlus(2),
            "dpm-solver++3m" => Method::DpmSolverPlusPlus(3),
            "deis-1" => Method::Deis(1),
            "deis-2" => Method::Deis(2),
            "deis-3" => Method::Deis(3),
            "plms" => Method::Plms,
            other => {
                return Err(ConfigError::Invalid(format!(
                    "unknown sampler '{other}' (expected one of: {})",
                    METHOD_NAMES[..15].join(", ")
                )));
            }
        })
    }
}

impl Method {
    /// The CLI name.
    pub fn name(self) -> String {
        match self {
            Method::EulerMaruyama => "euler-maruyama".into(),
            Method::Pc => "pc".into(),
            Method::Euler => "euler".into(),
            Method::Heun => "heun".into(),
            Method::HeunKarras => "heun-karras".into(),
            Method::Ddim => "ddim".into(),
            Method::DpmSolver(k) => format!("dpm-solver-{k}"),
            Method::DpmSolverPlusPlus(k) => format!("dpm-solver++{k}m"),
            Method::Deis(k) => format!("deis-{k}"),
            Method::Plms => "plms".into(),
        }
    }

    /// The grid a method uses unless told otherwise: uniform in `t` for the SDE samplers (as
    /// score_sde), Karras for `heun-karras`, log-SNR for the ODE solvers (DPM-Solver's advice).
    pub fn default_spacing(self) -> Spacing {
        match self {
            Method::EulerMaruyama | Method::Pc => Spacing::Uniform,
            Method::HeunKarras => Spacing::Karras,
            _ => Spacing::LogSnr,
        }
    }

    /// Whether the method draws noise (and so depends on the seed).
    pub fn is_stochastic(self, eta: f64) -> bool {
        matches!(self, Method::EulerMaruyama | Method::Pc) || (self == Method::Ddim && eta > 0.0)
    }
}

/// Everything a sampling run needs besides the model and the start state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SamplerConfig {
    /// The update rule.
    pub method: Method,
    /// Number of model evaluations.
    pub nfe: usize,
    /// Grid spacing; `None` picks [`Method::default_spacing`].
    pub spacing: Option<Spacing>,
    /// Time at which sampling stops (ε).
    pub t_end: f64,
    /// DDIM's eta (0 = deterministic).
    pub eta: f64,
    /// Langevin signal-to-noise ratio (score_sde default 0.16).
    pub snr: f64,
    /// Factor on the Langevin corrector's noise term (`x ← x + ε s + scale_eps·sqrt(2ε) z`).
    /// 1 is the textbook corrector (score_sde); GDSS (Jo et al. 2022, `solver.py`) uses a
    /// "cooled" 0.7–0.9. The step size `ε` itself is unchanged.
    pub scale_eps: f64,
    /// Multistep solvers: drop to first order on the final steps when fewer than 10 steps are
    /// taken (DPM-Solver's `lower_order_final`).
    pub lower_order_final: bool,
}

impl Default for SamplerConfig {
    fn default() -> Self {
        Self { method: Method::DpmSolverPlusPlus(2), nfe: 20, spacing: None, t_end: 1e-3, eta: 0.0, snr: 0.16, scale_eps: 1.0, lower_order_final: true }
    }
}

/// Result of a sampling run.
#[derive(Debug, Clone)]
pub struct SampleOutput<S> {
    /// The final state at `t_end`.
    pub x: S,
    /// Model evaluations used.
    pub nfe: usize,
    /// Steps taken.
    pub steps: usize,
}

/// Counts model evaluations, checks outputs and converts them to the parameterisation a rule
/// needs, per component.
pub struct Evaluator<'a, S: State, M: Model<S>> {
    model: &'a mut M,
    sdes: &'a [Arc<dyn Sde>],
    /// Evaluations so far.
    pub nfe: usize,
    /// Current step (for messages).
    pub step: usize,
    progress: Option<&'a ProgressBar>,
    _s: std::marker::PhantomData<S>,
}

impl<'a, S: State, M: Model<S>> Evaluator<'a, S, M> {
    /// Wrap a model; `sdes` has one process per state component.
    pub fn new(model: &'a mut M, sdes: &'a [Arc<dyn Sde>], progress: Option<&'a ProgressBar>) -> Result<Self, SampleError> {
        if sdes.len() != S::COMPONENTS {
            return Err(SampleError::Shape(format!("{} processes given for a state of {} components", sdes.len(), S::COMPONENTS)));
        }
        Ok(Self { model, sdes, nfe: 0, step: 0, progress, _s: std::marker::PhantomData })
    }

    /// The model's output at `(x, t)` expressed as `want`.
    pub fn eval(&mut self, x: &S, t: f64, want: Prediction) -> Result<S, SampleError> {
        let out = self.model.eval(x, t)?;
        self.nfe += 1;
        if let Some(p) = self.progress {
            p.inc(1);
        }
        if !out.is_finite() {
            return Err(SampleError::NonFinite { t, step: self.step });
        }
        let have = self.model.prediction();
        if have == want {
            return Ok(out);
        }
        Ok(comb(self.sdes, &[x, &out], |sde| {
            let (a, b) = have.coefficients(want, sde.alpha(t), sde.sigma(t));
            vec![a, b]
        }))
    }
}

/// `Σ_j c_j(sde) · terms[j]`, with the coefficients computed per component from its process.
pub fn comb<S: State>(sdes: &[Arc<dyn Sde>], terms: &[&S], coef: impl Fn(&dyn Sde) -> Vec<f64>) -> S {
    let c: Vec<Vec<f64>> = sdes.iter().map(|s| coef(s.as_ref())).collect();
    let refs: Vec<&[f64]> = c.iter().map(|v| v.as_slice()).collect();
    S::lin_comb(terms, &refs)
}

/// Run `cfg.method` from the prior sample `x_t` at `T = sdes[0].t_max()` down to `cfg.t_end`.
///
/// `sdes` holds one process per component of the state; the time grid is shared and built from
/// the first one.
pub fn sample<S: State, M: Model<S>>(
    cfg: &SamplerConfig,
    model: &mut M,
    sdes: &[Arc<dyn Sde>],
    x_t: S,
    rng: &mut StdRng,
    progress: Option<&ProgressBar>,
) -> Result<SampleOutput<S>, SampleError> {
    if cfg.nfe == 0 {
        return Err(ConfigError::Invalid("nfe must be at least 1".into()).into());
    }
    if !(cfg.eta >= 0.0 && cfg.eta <= 1.0) {
        return Err(ConfigError::Invalid(format!("eta must lie in [0, 1], got {}", cfg.eta)).into());
    }
    if !x_t.is_finite() {
        return Err(SampleError::Shape("the start state holds NaN or Inf".into()));
    }
    let spacing = cfg.spacing.unwrap_or(cfg.method.default_spacing());
    let grid = |n: usize| time_grid(sdes[0].as_ref(), spacing, cfg.t_end, n);
    let mut ev = Evaluator::new(model, sdes, progress)?;
    let (x, steps) = match cfg.method {
        Method::EulerMaruyama => stochastic::euler_maruyama(&mut ev, sdes, x_t, &grid(cfg.nfe)?, rng)?,
        Method::Pc => stochastic::predictor_corrector(&mut ev, sdes, x_t, &grid(cfg.nfe.div_ceil(2))?, cfg.nfe, cfg.snr, cfg.scale_eps, rng)?,
        Method::Euler => edm::heun(&mut ev, sdes, x_t, &grid(cfg.nfe)?, 0)?,
        Method::Heun | Method::HeunKarras => {
            let steps = cfg.nfe.div_ceil(2);
            edm::heun(&mut ev, sdes, x_t, &grid(steps)?, cfg.nfe / 2)?
        }
        Method::Ddim => dpm::ddim(&mut ev, sdes, x_t, &grid(cfg.nfe)?, cfg.eta, rng)?,
        Method::DpmSolver(order) => dpm::singlestep(&mut ev, sdes, x_t, &grid(cfg.nfe)?, order as usize)?,
        Method::DpmSolverPlusPlus(order) => {
            dpm::multistep_pp(&mut ev, sdes, x_t, &grid(cfg.nfe)?, order as usize, cfg.lower_order_final)?
        }
        Method::Deis(order) => multistep::deis(&mut ev, sdes, x_t, &grid(cfg.nfe)?, order as usize)?,
        Method::Plms => {
            let warm = multistep::plms_warmup_steps(cfg.nfe);
            multistep::plms(&mut ev, sdes, x_t, &grid(cfg.nfe - 3 * warm)?, warm)?
        }
    };
    debug_assert_eq!(ev.nfe, cfg.nfe, "{} used {} evaluations for nfe {}", cfg.method.name(), ev.nfe, cfg.nfe);
    Ok(SampleOutput { x, nfe: ev.nfe, steps })
}

#[cfg(test)]
mod tests;
