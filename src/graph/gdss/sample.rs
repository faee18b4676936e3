//! Sampling graphs with GDSS score networks through scidiff's samplers.
//!
//! [`GdssModel`] evaluates ScoreNetworkX and ScoreNetworkA on a [`GraphState`] and returns the
//! two partial scores, converting the raw network outputs as GDSS's `get_score_fn`
//! (`losses.py`) does: for a **VP** SDE the network predicts the noise and
//! `score = −out / σ(t)`; for a **VE** SDE the output *is* the score (the networks never see
//! `t`). The SDE of each component comes from the dataset preset ([`GdssPreset`], GDSS's
//! `config/*.yaml`; for VE the YAML keys `beta_min`/`beta_max` are σ_min/σ_max).
//!
//! Any core sampler ([`crate::sampler::sample`], e.g. `pc` with `snr` and `scale_eps`, or the
//! probability-flow solvers such as `dpm-solver++2m`) drives the joint state with per-component
//! coefficients; [`super::s4::s4`] is GDSS's own S4 solver.

use std::collections::BTreeMap;
use std::sync::Arc;

use burn::prelude::*;
use indicatif::ProgressBar;
use rand::rngs::StdRng;

use super::checkpoint::{CheckpointError, GdssCheckpoint, WeightKind};
use super::s4::s4;
use super::score_a::ScoreNetworkA;
use super::score_x::ScoreNetworkX;
use super::state::GraphState;
use crate::error::{ConfigError, SampleError};
use crate::sampler::{Method, Model, SampleOutput, SamplerConfig, sample};
use crate::sde::{Prediction, Sde, Ve, VpLinear};

/// One component's SDE as GDSS configures it (TOML: `{ type = "VP", beta_min = 0.1, beta_max = 1.0 }`).
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", deny_unknown_fields)]
pub enum GdssSde {
    /// VP with linear `β(t) ∈ [beta_min, beta_max]`.
    #[serde(rename = "VP")]
    Vp {
        /// β(0).
        beta_min: f64,
        /// β(1).
        beta_max: f64,
    },
    /// VE with `σ(t) = σ_min (σ_max/σ_min)^t`.
    #[serde(rename = "VE")]
    Ve {
        /// σ_min (YAML `beta_min`).
        sigma_min: f64,
        /// σ_max (YAML `beta_max`).
        sigma_max: f64,
    },
}

impl GdssSde {
    /// The scidiff process.
    pub fn build(&self) -> Arc<dyn Sde> {
        match *self {
            GdssSde::Vp { beta_min, beta_max } => Arc::new(VpLinear { beta_min, beta_max }),
            GdssSde::Ve { sigma_min, sigma_max } => Arc::new(Ve { sigma_min, sigma_max }),
        }
    }

    /// Factor turning the raw network output into the score at time `t`.
    pub fn output_scale(&self, t: f64) -> f64 {
        match self {
            GdssSde::Vp { .. } => -1.0 / self.build().sigma(t),
            GdssSde::Ve { .. } => 1.0,
        }
    }

    /// From YAML values (`type`, `beta_min`, `beta_max`).
    pub fn from_yaml(kind: &str, lo: f64, hi: f64) -> Option<Self> {
        match kind {
            "VP" => Some(GdssSde::Vp { beta_min: lo, beta_max: hi }),
            "VE" => Some(GdssSde::Ve { sigma_min: lo, sigma_max: hi }),
            _ => None,
        }
    }
}

/// GDSS's predictor names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GdssPredictor {
    /// Euler–Maruyama.
    Euler,
    /// Discrete reverse diffusion ([`super::reverse`]).
    Reverse,
    /// The S4 solver.
    S4,
}

/// Per-dataset settings of GDSS's released models (`config/<dataset>.yaml`), plus the published
/// MMD² (Table 1 of the paper, via the implementation brief) for comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct GdssPreset {
    /// CLI name (`community-small`, `ego-small`, `enzymes`, `grid`).
    pub name: &'static str,
    /// Graph-list file name (`community_small.json`, ...).
    pub file: &'static str,
    /// `N_max`.
    pub max_node_num: usize,
    /// `F` (one-hot degree classes).
    pub max_feat_num: usize,
    /// SDE of `X`.
    pub sde_x: GdssSde,
    /// SDE of `A`.
    pub sde_adj: GdssSde,
    /// Predictor.
    pub predictor: GdssPredictor,
    /// Whether a Langevin corrector runs (S4 has its own built in).
    pub corrector: bool,
    /// Langevin signal-to-noise ratio.
    pub snr: f64,
    /// Langevin noise factor.
    pub scale_eps: f64,
    /// Whether GDSS samples with the EMA weights.
    pub use_ema: bool,
    /// Final time ε of sampling.
    pub eps: f64,
    /// Published degree / clustering / orbit MMD².
    pub published: [f64; 3],
}

const VP01: GdssSde = GdssSde::Vp { beta_min: 0.1, beta_max: 1.0 };

/// The four generic-graph presets.
pub const PRESETS: [GdssPreset; 4] = [
    GdssPreset {
        name: "community-small",
        file: "community_small.json",
        max_node_num: 20,
        max_feat_num: 10,
        sde_x: VP01,
        sde_adj: VP01,
        predictor: GdssPredictor::Euler,
        corrector: true,
        snr: 0.05,
        scale_eps: 0.7,
        use_ema: false,
        eps: 1e-4,
        published: [0.045, 0.086, 0.007],
    },
    GdssPreset {
        name: "ego-small",
        file: "ego_small.json",
        max_node_num: 18,
        max_feat_num: 17,
        sde_x: VP01,
        sde_adj: VP01,
        predictor: GdssPredictor::Euler,
        corrector: false,
        snr: 0.0,
        scale_eps: 0.0,
        use_ema: false,
        eps: 1e-4,
        published: [0.021, 0.024, 0.007],
    },
    GdssPreset {
        name: "enzymes",
        file: "ENZYMES.json",
        max_node_num: 125,
        max_feat_num: 10,
        sde_x: VP01,
        sde_adj: GdssSde::Ve { sigma_min: 0.2, sigma_max: 1.0 },
        predictor: GdssPredictor::S4,
        corrector: false,
        snr: 0.15,
        scale_eps: 0.7,
        use_ema: true,
        eps: 1e-4,
        published: [0.026, 0.061, 0.009],
    },
    GdssPreset {
        name: "grid",
        file: "grid.json",
        max_node_num: 361,
        max_feat_num: 5,
        sde_x: VP01,
        sde_adj: GdssSde::Vp { beta_min: 0.2, beta_max: 0.8 },
        predictor: GdssPredictor::Reverse,
        corrector: true,
        snr: 0.1,
        scale_eps: 0.7,
        use_ema: true,
        eps: 1e-4,
        published: [0.111, 0.005, 0.070],
    },
];

/// The molecule presets: QM9 as GDSS configures it (`config/qm9.yaml` and its sampler table:
/// VE/VE σ ∈ [0.1, 1], Reverse + Langevin, snr 0.2, scale_eps 0.7, raw weights) and MOSES, which
/// takes GDSS's ZINC250k settings (VP X / VE A σ ∈ [0.2, 1], snr 0.2, scale_eps 0.9, 38 atoms,
/// 9 atom types). `file` names the extracted data file; `published` is unused (NaN): molecule
/// metrics are compared in `docs/molecules.md`. Sampling ε = 1e-4 (GDSS's grid `t_k`).
pub const MOL_PRESETS: [GdssPreset; 2] = [
    GdssPreset {
        name: "qm9",
        file: "qm9.tsv",
        max_node_num: 9,
        max_feat_num: 4,
        sde_x: GdssSde::Ve { sigma_min: 0.1, sigma_max: 1.0 },
        sde_adj: GdssSde::Ve { sigma_min: 0.1, sigma_max: 1.0 },
        predictor: GdssPredictor::Reverse,
        corrector: true,
        snr: 0.2,
        scale_eps: 0.7,
        use_ema: false,
        eps: 1e-4,
        published: [f64::NAN; 3],
    },
    GdssPreset {
        name: "moses",
        file: "moses_train.smi",
        max_node_num: 38,
        max_feat_num: 9,
        sde_x: VP01,
        sde_adj: GdssSde::Ve { sigma_min: 0.2, sigma_max: 1.0 },
        predictor: GdssPredictor::Reverse,
        corrector: true,
        snr: 0.2,
        scale_eps: 0.9,
        use_ema: false,
        eps: 1e-4,
        published: [f64::NAN; 3],
    },
];

impl GdssPreset {
    /// Preset by CLI name (also accepts GDSS's spellings, e.g. `community_small`, `ENZYMES`).
    pub fn by_name(name: &str) -> Option<&'static GdssPreset> {
        let key = name.to_ascii_lowercase().replace('_', "-");
        PRESETS.iter().find(|p| p.name == key)
    }

    /// A generic-graph or molecule preset by name (`qm9`, `moses`, `zinc250k-csv` → MOSES's).
    pub fn any_by_name(name: &str) -> Option<&'static GdssPreset> {
        let key = name.to_ascii_lowercase().replace('_', "-");
        let key = if key == "zinc250k-csv" || key == "zinc250k" { "moses".to_string() } else { key };
        Self::by_name(&key).or_else(|| MOL_PRESETS.iter().find(|p| p.name == key))
    }

    /// The two processes `[X, A]`.
    pub fn sdes(&self) -> Vec<Arc<dyn Sde>> {
        vec![self.sde_x.build(), self.sde_adj.build()]
    }

    /// GDSS's own sampler for this dataset with 1000 steps: Euler(+Langevin) → `pc` (2000
    /// NFE) or `euler-maruyama` (1000), S4 → `s4` (1000), Reverse + Langevin → `reverse`
    /// (2000); Reverse without a corrector (used by no released config) maps to Euler–Maruyama.
    pub fn default_sampler(&self) -> GraphSampler {
        match (self.predictor, self.corrector) {
            (GdssPredictor::S4, _) => GraphSampler::S4 { nfe: 1000, t_end: self.eps, snr: self.snr, scale_eps: self.scale_eps },
            (GdssPredictor::Reverse, true) => GraphSampler::Reverse { nfe: 2000, t_end: self.eps, snr: self.snr, scale_eps: self.scale_eps },
            (_, true) => GraphSampler::Core(SamplerConfig {
                method: Method::Pc,
                nfe: 2000,
                t_end: self.eps,
                snr: self.snr,
                scale_eps: self.scale_eps,
                ..SamplerConfig::default()
            }),
            (_, false) => GraphSampler::Core(SamplerConfig { method: Method::EulerMaruyama, nfe: 1000, t_end: self.eps, ..SamplerConfig::default() }),
        }
    }

    /// Checks this preset against the text of GDSS's `config/<dataset>.yaml`.
    pub fn check_yaml(&self, yaml: &str) -> Result<(), String> {
        let m = flat_yaml(yaml);
        let get = |k: &str| m.get(k).cloned().ok_or_else(|| format!("{}: key {k} missing", self.name));
        let num = |k: &str| -> Result<f64, String> { get(k)?.parse::<f64>().map_err(|e| format!("{k}: {e}")) };
        let sde = |c: &str| -> Result<GdssSde, String> {
            GdssSde::from_yaml(&get(&format!("sde.{c}.type"))?, num(&format!("sde.{c}.beta_min"))?, num(&format!("sde.{c}.beta_max"))?)
                .ok_or_else(|| format!("sde.{c}.type unknown"))
        };
        let predictor = match get("sampler.predictor")?.as_str() {
            "Euler" => GdssPredictor::Euler,
            "Reverse" => GdssPredictor::Reverse,
            "S4" => GdssPredictor::S4,
            p => return Err(format!("unknown predictor {p}")),
        };
        let found = GdssPreset {
            name: self.name,
            file: self.file,
            max_node_num: num("data.max_node_num")? as usize,
            max_feat_num: num("data.max_feat_num")? as usize,
            sde_x: sde("x")?,
            sde_adj: sde("adj")?,
            predictor,
            corrector: get("sampler.corrector")? == "Langevin",
            snr: num("sampler.snr")?,
            scale_eps: num("sampler.scale_eps")?,
            use_ema: get("sample.use_ema")? == "True",
            eps: num("sample.eps")?,
            published: self.published,
        };
        if &found == self { Ok(()) } else { Err(format!("preset {:?}\n  differs from YAML {:?}", self, found)) }
    }
}

/// A minimal reader for GDSS's block-style YAML configs: nested `key: value` maps by
/// indentation, flattened to dotted keys (`sde.adj.type → "VP"`). No lists, anchors or quoting
/// beyond stripping `'`/`"`.
pub fn flat_yaml(text: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut stack: Vec<(usize, String)> = Vec::new();
    for line in text.lines() {
        let body = line.split('#').next().unwrap_or("");
        if body.trim().is_empty() {
            continue;
        }
        let indent = body.len() - body.trim_start().len();
        let Some((k, v)) = body.trim().split_once(':') else { continue };
        while stack.last().is_some_and(|(i, _)| *i >= indent) {
            stack.pop();
        }
        let v = v.trim().trim_matches(|c| c == '\'' || c == '"');
        let mut path: Vec<&str> = stack.iter().map(|(_, s)| s.as_str()).collect();
        path.push(k.trim());
        let key = path.join(".");
        if v.is_empty() {
            stack.push((indent, k.trim().to_string()));
        } else {
            out.insert(key, v.to_string());
        }
    }
    out
}

/// How to sample: a core scidiff sampler or GDSS's S4.
#[derive(Debug, Clone, PartialEq)]
pub enum GraphSampler {
    /// Any [`Method`] of [`crate::sampler`].
    Core(SamplerConfig),
    /// GDSS's S4 solver.
    S4 {
        /// Steps (= evaluations of each network).
        nfe: usize,
        /// Final time ε.
        t_end: f64,
        /// Langevin snr.
        snr: f64,
        /// Langevin noise factor.
        scale_eps: f64,
    },
    /// GDSS's Reverse predictor + Langevin corrector ([`super::reverse`]).
    Reverse {
        /// Evaluations of each network (2 per step).
        nfe: usize,
        /// Final time ε.
        t_end: f64,
        /// Langevin snr.
        snr: f64,
        /// Langevin noise factor.
        scale_eps: f64,
    },
}

impl GraphSampler {
    /// From a CLI name (`s4` or any core sampler), with the preset's snr/scale_eps/ε.
    pub fn from_name(name: &str, nfe: usize, preset: &GdssPreset) -> Result<Self, ConfigError> {
        let snr = if preset.snr > 0.0 { preset.snr } else { 0.15 };
        let scale_eps = if preset.scale_eps > 0.0 { preset.scale_eps } else { 0.7 };
        if name == "s4" {
            return Ok(GraphSampler::S4 { nfe, t_end: preset.eps, snr, scale_eps });
        }
        if name == "reverse" {
            if nfe < 2 {
                return Err(ConfigError::Invalid(format!("the reverse sampler needs nfe >= 2 (2 evaluations per step), got {nfe}")));
            }
            return Ok(GraphSampler::Reverse { nfe, t_end: preset.eps, snr, scale_eps });
        }
        let method: Method = name.parse()?;
        let (snr, scale_eps) = if preset.corrector { (preset.snr, preset.scale_eps) } else { (0.16, 1.0) };
        Ok(GraphSampler::Core(SamplerConfig { method, nfe, t_end: preset.eps, snr, scale_eps, ..SamplerConfig::default() }))
    }

    /// Evaluations of each network.
    pub fn nfe(&self) -> usize {
        match self {
            GraphSampler::Core(c) => c.nfe,
            GraphSampler::S4 { nfe, .. } | GraphSampler::Reverse { nfe, .. } => *nfe,
        }
    }

    /// Short description for logs.
    pub fn describe(&self) -> String {
        match self {
            GraphSampler::Core(c) => format!("{} nfe={} snr={} scale_eps={} eps={}", c.method.name(), c.nfe, c.snr, c.scale_eps, c.t_end),
            GraphSampler::S4 { nfe, t_end, snr, scale_eps } => format!("s4 nfe={nfe} snr={snr} scale_eps={scale_eps} eps={t_end}"),
            GraphSampler::Reverse { nfe, t_end, snr, scale_eps } => format!("reverse+langevin nfe={nfe} snr={snr} scale_eps={scale_eps} eps={t_end}"),
        }
    }
}

/// GDSS's two score networks with the SDEs that define how their outputs become scores.
pub struct GdssModel<B: Backend> {
    /// X-network.
    pub net_x: ScoreNetworkX<B>,
    /// A-network.
    pub net_adj: ScoreNetworkA<B>,
    /// SDE of X.
    pub sde_x: GdssSde,
    /// SDE of A.
    pub sde_adj: GdssSde,
    /// Node-feature width `F`.
    pub feat: usize,
}

impl<B: Backend> GdssModel<B> {
    /// Loads the chosen weights of a released checkpoint with the preset's SDEs.
    pub fn from_checkpoint(
        ck: &GdssCheckpoint,
        kind: WeightKind,
        preset: &GdssPreset,
        device: &B::Device,
    ) -> Result<Self, CheckpointError> {
        if ck.config.x.max_feat_num != preset.max_feat_num {
            return Err(CheckpointError::Format(format!(
                "checkpoint has {} node features but dataset {} uses {}",
                ck.config.x.max_feat_num, preset.name, preset.max_feat_num
            )));
        }
        Ok(Self { net_x: ck.score_x(kind, device)?, net_adj: ck.score_adj(kind, device)?, sde_x: preset.sde_x, sde_adj: preset.sde_adj, feat: preset.max_feat_num })
    }

    /// The processes `[X, A]`.
    pub fn sdes(&self) -> Vec<Arc<dyn Sde>> {
        vec![self.sde_x.build(), self.sde_adj.build()]
    }
}

impl<B: Backend> Model<GraphState<B>> for GdssModel<B> {
    fn prediction(&self) -> Prediction {
        Prediction::Score
    }

    fn eval(&mut self, s: &GraphState<B>, t: f64) -> Result<GraphState<B>, SampleError> {
        let out_x = self.net_x.forward(s.x.clone(), s.adj.clone(), s.flags.clone());
        let out_adj = self.net_adj.forward(s.x.clone(), s.adj.clone(), s.flags.clone());
        Ok(GraphState {
            x: out_x.mul_scalar(self.sde_x.output_scale(t) as f32),
            adj: out_adj.mul_scalar(self.sde_adj.output_scale(t) as f32),
            flags: s.flags.clone(),
        })
    }
}

/// Samples one batch: GDSS's prior for the given node counts, then `sampler`. Returns the final
/// state (quantise with [`GraphState::to_graphs`]).
pub fn sample_graph_batch<B: Backend>(
    model: &mut GdssModel<B>,
    sampler: &GraphSampler,
    node_counts: &[usize],
    n_max: usize,
    rng: &mut StdRng,
    progress: Option<&ProgressBar>,
    device: &B::Device,
) -> Result<SampleOutput<GraphState<B>>, SampleError> {
    let flags = GraphState::<B>::flags_from_counts(node_counts, n_max, device);
    let prior = GraphState::prior(flags, model.feat, rng);
    let sdes = model.sdes();
    match sampler {
        GraphSampler::Core(cfg) => sample(cfg, model, &sdes, prior, rng, progress),
        GraphSampler::S4 { nfe, t_end, snr, scale_eps } => s4(model, &sdes, prior, *nfe, *t_end, *snr, *scale_eps, rng, progress),
        GraphSampler::Reverse { nfe, t_end, snr, scale_eps } => super::reverse::reverse_pc(model, &sdes, prior, *nfe / 2, *t_end, *snr, *scale_eps, rng, progress),
    }
}

