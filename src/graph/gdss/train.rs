//! Training GDSS's two score networks with the shared trainer (Jo et al. 2022, §3.2 "training
//! objectives", eq. 7; reference code `losses.py`).
//!
//! For a batch of graphs `(X₀, A₀)` with node flags `m` (a prefix of ones), one time per graph
//! `t ~ U[ε, 1]` (ε = 1e-5), shared by `X` and `A`, and noise `z_X` (N(0, 1), padding rows zero)
//! and `z_A` (strict upper triangle N(0, 1) mirrored: symmetric, zero diagonal, padding rows and
//! columns zero):
//!
//! ```text
//! X_t = α_X(t) X₀ + σ_X(t) z_X,     A_t = α_A(t) A₀ + σ_A(t) z_A     (then masked)
//! s_X = k_X(t) · net_X(X_t, A_t, m),  s_A = k_A(t) · net_A(X_t, A_t, m)
//! L = 1/B Σ_graphs ½ ‖σ_X s_X + z_X‖²  +  1/B Σ_graphs ½ ‖σ_A s_A + z_A‖²
//! ```
//! with `k = −1/σ(t)` for a VP SDE (the network predicts the noise, so the residual is
//! `z − net`) and `k = 1` for a VE SDE (the network *is* the time-independent score). Sums run
//! over every padded entry; padding contributes exactly zero. `α`, `σ` are the closed-form
//! marginals of each component's SDE ([`GdssSde`]).
//!
//! GDSS backpropagates the two losses separately into two Adam optimisers. The networks share no
//! weights, so the gradient of the summed loss is the same pair of gradients, and Adam acts
//! element-wise: one optimiser on [`GdssNets`] is equivalent except for (i) the shared trainer's
//! AdamW decays weights decoupled from the gradient (GDSS: Adam with L2 weight decay 1e-4) and
//! (ii) burn clips the gradient norm of each parameter tensor separately (GDSS: the global norm
//! of each network, 1.0).
//!
//! Node features are GDSS's `deg` initialisation: the one-hot node degree with `F` classes
//! (`max_feat_num` = max degree + 1 of the benchmark sets). Training batches follow PyTorch's
//! shuffled `DataLoader`: step `k` lies in epoch `⌊k / ⌈n/b⌉⌋`, whose permutation is seeded by
//! `(seed, epoch)`; the last batch of an epoch may be short.

use burn::module::Module;
use burn::prelude::*;
use burn::tensor::backend::AutodiffBackend;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::RngExt;
use serde::{Deserialize, Serialize};

use super::config::GdssModelConfig;
use super::sample::{GdssModel, GdssPreset, GdssSde, PRESETS};
use super::score_a::ScoreNetworkA;
use super::score_x::ScoreNetworkX;
use super::state::{masked_noise, sym_noise};
use crate::graph::io::Graph;
use crate::train::step_rng;
use crate::train::trainer::Task;

/// The two GDSS networks trained together.
#[derive(Module, Debug)]
pub struct GdssNets<B: Backend> {
    /// `s_X`.
    pub x: ScoreNetworkX<B>,
    /// `s_A`.
    pub adj: ScoreNetworkA<B>,
}

/// Bad training data or configuration.
#[derive(Debug, thiserror::Error)]
pub enum GdssTrainError {
    /// A graph is larger than `N_max`.
    #[error("graph {graph} has {nodes} nodes but the model allows at most {max} (max_node_num)")]
    TooManyNodes {
        /// Graph index.
        graph: usize,
        /// Its node count.
        nodes: usize,
        /// `N_max`.
        max: usize,
    },
    /// A degree does not fit the one-hot feature width.
    #[error("graph {graph}: node {node} has degree {degree} but there are only {classes} one-hot degree classes (max_feat_num)")]
    DegreeTooLarge {
        /// Graph index.
        graph: usize,
        /// Node.
        node: usize,
        /// Its degree.
        degree: usize,
        /// `F`.
        classes: usize,
    },
    /// Nothing to train on.
    #[error("the training split is empty")]
    Empty,
    /// Inconsistent configuration.
    #[error("invalid GDSS training configuration: {0}")]
    Config(String),
}

fn default_eps() -> f64 {
    1e-5
}

/// Everything that defines a GDSS model to train (stored in the run directory).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GdssTaskConfig {
    /// Benchmark name (`community-small`, ...) or the graph-list file of a custom data set.
    pub dataset: String,
    /// The GDSS preset whose SDEs, networks and sampler settings are used (`custom` data take
    /// community-small's, with `N_max` and `F` from the data).
    pub preset: String,
    /// `N_max`.
    pub max_node_num: usize,
    /// `F` (one-hot degree classes).
    pub max_feat_num: usize,
    /// SDE of `X`.
    pub sde_x: GdssSde,
    /// SDE of `A`.
    pub sde_adj: GdssSde,
    /// The two networks.
    pub model: GdssModelConfig,
    /// Smallest training time ε (GDSS: 1e-5).
    #[serde(default = "default_eps")]
    pub eps: f64,
    /// Node counts of the training graphs (sampling copies one per generated graph).
    pub train_node_counts: Vec<usize>,
}

impl Default for GdssTaskConfig {
    /// Community-small with no training graphs yet.
    fn default() -> Self {
        Self::from_preset(&PRESETS[0], Vec::new())
    }
}

impl GdssTaskConfig {
    /// The configuration of a GDSS benchmark preset.
    pub fn from_preset(p: &GdssPreset, train_node_counts: Vec<usize>) -> Self {
        let model = GdssModelConfig::for_dataset(&p.name.replace('-', "_")).unwrap_or_else(GdssModelConfig::community_small);
        Self {
            dataset: p.name.to_string(),
            preset: p.name.to_string(),
            max_node_num: p.max_node_num,
            max_feat_num: p.max_feat_num,
            sde_x: p.sde_x,
            sde_adj: p.sde_adj,
            model,
            eps: default_eps(),
            train_node_counts,
        }
    }

    /// A custom graph list: community-small's SDEs and networks, `N_max` = the largest graph,
    /// `F` = the largest degree + 1 (over `all` graphs, train and test).
    pub fn custom(dataset: &str, all: &[Graph], train: &[Graph]) -> Self {
        let n_max = all.iter().map(|g| g.node_count()).max().unwrap_or(1).max(1);
        let max_deg = all.iter().flat_map(|g| g.node_indices().map(move |v| g.neighbors(v).count())).max().unwrap_or(0);
        let mut c = Self::from_preset(&PRESETS[0], train.iter().map(|g| g.node_count()).collect());
        c.dataset = dataset.to_string();
        c.preset = "custom".into();
        c.max_node_num = n_max;
        c.max_feat_num = max_deg + 1;
        c.model.x.max_feat_num = max_deg + 1;
        c.model.adj.max_feat_num = max_deg + 1;
        c.model.adj.max_node_num = n_max;
        c
    }

    /// Sampler settings for this model: the preset's (snr, scale_eps, ε, predictor) with this
    /// model's `N_max`, `F` and SDEs.
    pub fn sampling_preset(&self) -> GdssPreset {
        let base = GdssPreset::any_by_name(&self.preset).unwrap_or(&PRESETS[0]);
        GdssPreset {
            name: if self.preset == "custom" { "custom" } else { base.name },
            max_node_num: self.max_node_num,
            max_feat_num: self.max_feat_num,
            sde_x: self.sde_x,
            sde_adj: self.sde_adj,
            ..base.clone()
        }
    }

    fn check(&self) -> Result<(), GdssTrainError> {
        let bad = |m: String| Err(GdssTrainError::Config(m));
        if self.model.x.max_feat_num != self.max_feat_num || self.model.adj.max_feat_num != self.max_feat_num {
            return bad(format!("network feature widths ({}, {}) differ from max_feat_num {}", self.model.x.max_feat_num, self.model.adj.max_feat_num, self.max_feat_num));
        }
        if !(self.eps > 0.0 && self.eps < 1.0) {
            return bad(format!("eps must lie in (0, 1), got {}", self.eps));
        }
        if self.model.x.depth == 0 || self.model.adj.num_layers < 2 {
            return bad("X depth must be >= 1 and A num_layers >= 2".into());
        }
        Ok(())
    }
}

/// Graphs as dense host arrays: one-hot degree `X` `[g, n, f]`, `A` `[g, n, n]`, flags `[g, n]`.
#[derive(Debug, Clone, Default)]
pub struct DenseGraphs {
    /// `N_max`.
    pub n: usize,
    /// `F`.
    pub f: usize,
    /// Node features.
    pub x: Vec<f32>,
    /// Adjacency.
    pub adj: Vec<f32>,
    /// Node flags.
    pub flags: Vec<f32>,
}

impl DenseGraphs {
    /// Pads `graphs` to `n` nodes with one-hot degree features of width `f`.
    pub fn new(graphs: &[Graph], n: usize, f: usize) -> Result<Self, GdssTrainError> {
        let g_n = graphs.len();
        let mut d = Self { n, f, x: vec![0.0; g_n * n * f], adj: vec![0.0; g_n * n * n], flags: vec![0.0; g_n * n] };
        for (gi, g) in graphs.iter().enumerate() {
            if g.node_count() > n {
                return Err(GdssTrainError::TooManyNodes { graph: gi, nodes: g.node_count(), max: n });
            }
            for v in g.node_indices() {
                let i = v.index();
                d.flags[gi * n + i] = 1.0;
                let mut deg = 0;
                for u in g.neighbors(v) {
                    if u != v {
                        d.adj[(gi * n + i) * n + u.index()] = 1.0;
                        deg += 1;
                    }
                }
                if deg >= f {
                    return Err(GdssTrainError::DegreeTooLarge { graph: gi, node: i, degree: deg, classes: f });
                }
                d.x[(gi * n + i) * f + deg] = 1.0;
            }
        }
        Ok(d)
    }

    /// Number of graphs.
    pub fn len(&self) -> usize {
        self.flags.len() / self.n.max(1)
    }

    /// Whether there are no graphs.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The graphs `idx` as `(x, adj, flags)` host arrays.
    pub fn gather(&self, idx: &[usize]) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
        let (n, f) = (self.n, self.f);
        let pick = |v: &[f32], w: usize| idx.iter().flat_map(|&i| v[i * w..(i + 1) * w].iter().copied()).collect::<Vec<f32>>();
        (pick(&self.x, n * f), pick(&self.adj, n * n), pick(&self.flags, n))
    }
}

/// Training noise for a batch, drawn as GDSS's `gen_noise`: `z_X` node-masked N(0, 1)
/// `[b, n, f]`, then `z_A` symmetric, zero-diagonal, masked `[b, n, n]`.
pub fn training_noise(flags: &[f32], b: usize, n: usize, f: usize, rng: &mut StdRng) -> (Vec<f32>, Vec<f32>) {
    let zx = masked_noise(flags, b, n, f, rng);
    let za = sym_noise(flags, b, n, rng);
    (zx, za)
}

/// One perturbed batch on the host: inputs `(X_t, A_t, flags)`, the noise, and per graph the
/// factors `σ(t)·k(t)` that turn a network output into `σ·s` (so the residual is `c·out + z`).
#[derive(Debug, Clone)]
pub struct NoisyBatch {
    /// Batch size, `N_max`, `F`.
    pub dims: (usize, usize, usize),
    /// `X_t` `[b, n, f]`.
    pub x_t: Vec<f32>,
    /// `A_t` `[b, n, n]`.
    pub adj_t: Vec<f32>,
    /// Flags `[b, n]`.
    pub flags: Vec<f32>,
    /// `z_X`.
    pub z_x: Vec<f32>,
    /// `z_A`.
    pub z_adj: Vec<f32>,
    /// `σ_X(t)·k_X(t)` per graph.
    pub c_x: Vec<f32>,
    /// `σ_A(t)·k_A(t)` per graph.
    pub c_adj: Vec<f32>,
}

fn perturb_into(x0: &[f32], z: &[f32], out: &mut [f32], coef: &[(f32, f32)], per_graph: usize) {
    for (k, ((o, &x), &zz)) in out.iter_mut().zip(x0).zip(z).enumerate() {
        let (a, s) = coef[k / per_graph];
        *o = a * x + s * zz;
    }
}

/// Perturbs clean graphs `(x0, adj0, flags)` at times `t` (one per graph) with noise `(z_x, z_adj)`.
#[allow(clippy::too_many_arguments)]
pub fn perturb(cfg: &GdssTaskConfig, dims: (usize, usize, usize), x0: &[f32], adj0: &[f32], flags: Vec<f32>, t: &[f64], z_x: Vec<f32>, z_adj: Vec<f32>) -> NoisyBatch {
    let (_, n, f) = dims;
    let (sx, sa) = (cfg.sde_x.build(), cfg.sde_adj.build());
    let cx: Vec<(f32, f32)> = t.iter().map(|&t| (sx.alpha(t) as f32, sx.sigma(t) as f32)).collect();
    let ca: Vec<(f32, f32)> = t.iter().map(|&t| (sa.alpha(t) as f32, sa.sigma(t) as f32)).collect();
    let mut x_t = vec![0.0; x0.len()];
    let mut adj_t = vec![0.0; adj0.len()];
    perturb_into(x0, &z_x, &mut x_t, &cx, n * f);
    perturb_into(adj0, &z_adj, &mut adj_t, &ca, n * n);
    // Mask (padding rows of X₀ and padding rows/columns of A₀ are already zero, as is the noise).
    for (k, v) in x_t.iter_mut().enumerate() {
        *v *= flags[k / f];
    }
    for (k, v) in adj_t.iter_mut().enumerate() {
        let (g, i, j) = (k / (n * n), (k / n) % n, k % n);
        *v *= flags[g * n + i] * flags[g * n + j];
    }
    let c_x = t.iter().zip(&cx).map(|(&t, &(_, s))| (cfg.sde_x.output_scale(t) * s as f64) as f32).collect();
    let c_adj = t.iter().zip(&ca).map(|(&t, &(_, s))| (cfg.sde_adj.output_scale(t) * s as f64) as f32).collect();
    NoisyBatch { dims, x_t, adj_t, flags, z_x, z_adj, c_x, c_adj }
}

/// The two GDSS losses `(L_X, L_A)` of the networks on a perturbed batch (sum over entries, ½,
/// mean over graphs).
pub fn dsm_losses<B: Backend>(nets: &GdssNets<B>, batch: &NoisyBatch, device: &B::Device) -> (Tensor<B, 1>, Tensor<B, 1>) {
    let (b, n, f) = batch.dims;
    let t3 = |v: &[f32], s: [usize; 3]| Tensor::<B, 3>::from_data(TensorData::new(v.to_vec(), s), device);
    let x_t = t3(&batch.x_t, [b, n, f]);
    let adj_t = t3(&batch.adj_t, [b, n, n]);
    let flags = Tensor::<B, 2>::from_data(TensorData::new(batch.flags.clone(), [b, n]), device);
    let out_x = nets.x.forward(x_t.clone(), adj_t.clone(), flags.clone());
    let out_a = nets.adj.forward(x_t, adj_t, flags);
    let res_x = out_x * t3(&batch.c_x, [b, 1, 1]) + t3(&batch.z_x, [b, n, f]);
    let res_a = out_a * t3(&batch.c_adj, [b, 1, 1]) + t3(&batch.z_adj, [b, n, n]);
    let scale = 0.5 / b.max(1) as f64;
    (res_x.powi_scalar(2).sum().mul_scalar(scale), res_a.powi_scalar(2).sum().mul_scalar(scale))
}

/// The GDSS training task (data on the host, networks on the trainer's backend).
#[derive(Debug, Clone)]
pub struct GdssTask {
    /// Configuration.
    pub config: GdssTaskConfig,
    train: DenseGraphs,
    test: DenseGraphs,
}

impl GdssTask {
    /// Builds the task from the training and test graphs.
    pub fn new(config: GdssTaskConfig, train: &[Graph], test: &[Graph]) -> Result<Self, GdssTrainError> {
        config.check()?;
        if train.is_empty() {
            return Err(GdssTrainError::Empty);
        }
        let train = DenseGraphs::new(train, config.max_node_num, config.max_feat_num)?;
        let test = DenseGraphs::new(test, config.max_node_num, config.max_feat_num)?;
        Ok(Self { config, train, test })
    }

    /// Builds the task from already dense data (molecules: atom-type `X`, bond-order `A`).
    pub fn from_dense(config: GdssTaskConfig, train: DenseGraphs, test: DenseGraphs) -> Result<Self, GdssTrainError> {
        config.check()?;
        if train.is_empty() {
            return Err(GdssTrainError::Empty);
        }
        let dims_ok = |d: &DenseGraphs| d.is_empty() || (d.n == config.max_node_num && d.f == config.max_feat_num);
        if !dims_ok(&train) || !dims_ok(&test) {
            return Err(GdssTrainError::Config(format!("dense data ({}, {}) differ from the model's N_max {} and F {}", train.n, train.f, config.max_node_num, config.max_feat_num)));
        }
        Ok(Self { config, train, test })
    }

    /// A task without data, only to load or initialise weights (sampling).
    pub fn for_weights(config: GdssTaskConfig) -> Result<Self, GdssTrainError> {
        config.check()?;
        Ok(Self { config, train: DenseGraphs::default(), test: DenseGraphs::default() })
    }

    /// Number of training graphs.
    pub fn train_len(&self) -> usize {
        self.train.len()
    }

    /// Training-graph indices of step `step` (shuffled epochs, as PyTorch's `DataLoader`).
    pub fn batch_indices(&self, step: u64, seed: u64, batch_size: usize) -> Vec<usize> {
        let n = self.train.len();
        let bs = batch_size.clamp(1, n.max(1));
        let per_epoch = n.div_ceil(bs).max(1) as u64;
        let (epoch, j) = (step / per_epoch, (step % per_epoch) as usize);
        let mut perm: Vec<usize> = (0..n).collect();
        perm.shuffle(&mut step_rng(seed, epoch, 3));
        perm[j * bs..((j + 1) * bs).min(n)].to_vec()
    }

    /// Draws times and noise for the graphs `idx` of `data` and perturbs them.
    pub fn noisy_batch(&self, data: &DenseGraphs, idx: &[usize], rng: &mut StdRng) -> NoisyBatch {
        let (b, n, f) = (idx.len(), data.n, data.f);
        let (x0, adj0, flags) = data.gather(idx);
        let t: Vec<f64> = (0..b).map(|_| self.config.eps + (1.0 - self.config.eps) * rng.random::<f64>()).collect();
        let (z_x, z_adj) = training_noise(&flags, b, n, f, rng);
        perturb(&self.config, (b, n, f), &x0, &adj0, flags, &t, z_x, z_adj)
    }

    /// Initialised networks.
    pub fn init_nets<B: Backend>(&self, device: &B::Device) -> GdssNets<B> {
        GdssNets { x: self.config.model.x.init(device), adj: self.config.model.adj.init(device) }
    }

    /// The sampler model of trained networks.
    pub fn sampler_model<B: Backend>(&self, nets: GdssNets<B>) -> GdssModel<B> {
        GdssModel { net_x: nets.x, net_adj: nets.adj, sde_x: self.config.sde_x, sde_adj: self.config.sde_adj, feat: self.config.max_feat_num }
    }

    fn loss_of<B: Backend>(&self, nets: &GdssNets<B>, data: &DenseGraphs, idx: &[usize], rng: &mut StdRng, device: &B::Device) -> Tensor<B, 1> {
        let batch = self.noisy_batch(data, idx, rng);
        let (lx, la) = dsm_losses(nets, &batch, device);
        lx + la
    }
}

impl<B: AutodiffBackend> Task<B> for GdssTask {
    type Model = GdssNets<B>;

    fn kind(&self) -> String {
        "gdss".into()
    }
    fn config_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.config).expect("serialisable")
    }
    fn init_model(&self, device: &B::Device) -> GdssNets<B> {
        self.init_nets(device)
    }
    fn loss(&self, model: &GdssNets<B>, step: u64, seed: u64, batch_size: usize, device: &B::Device) -> Tensor<B, 1> {
        let idx = self.batch_indices(step, seed, batch_size);
        let mut rng = step_rng(seed, step, 0);
        self.loss_of(model, &self.train, &idx, &mut rng, device)
    }
    /// GDSS's test loss: the whole test split (or the training set if there is none) with fixed
    /// times and noise.
    fn validate(&self, ema: &GdssNets<B::InnerBackend>, seed: u64, device: &B::Device) -> f64 {
        let data = if self.test.is_empty() { &self.train } else { &self.test };
        let idx: Vec<usize> = (0..data.len()).collect();
        let mut rng = step_rng(seed, u64::MAX, 1);
        self.loss_of(ema, data, &idx, &mut rng, device).into_scalar().elem()
    }
}

/// Mini-batch size of GDSS's config for a preset (`custom` data: community-small's 128).
pub fn paper_batch_size(preset: &str) -> usize {
    match preset {
        "enzymes" => 64,
        "grid" => 8,
        _ => 128,
    }
}

/// GDSS's optimisation (`config/<dataset>.yaml`): lr 1e-2, `ExponentialLR(0.999)` per epoch
/// (here per step, `0.999^(1/steps_per_epoch)`), weight decay 1e-4, gradient clip 1.0, EMA
/// 0.999, 5000 epochs of `⌈n_train / batch⌉` steps (community-small: 5000 steps of the whole
/// 80-graph training set).
pub fn paper_train_config(preset: &str, n_train: usize) -> crate::train::trainer::TrainConfig {
    let batch = paper_batch_size(preset);
    let per_epoch = n_train.div_ceil(batch).max(1) as u64;
    crate::train::trainer::TrainConfig {
        steps: 5000 * per_epoch,
        batch_size: batch,
        lr: crate::train::schedule::LrSchedule { peak: 1e-2, warmup: 0, decay_steps: 0, floor: 1.0, gamma: Some(0.999f64.powf(1.0 / per_epoch as f64)) },
        weight_decay: 1e-4,
        grad_clip: Some(1.0),
        ema_decay: 0.999,
        checkpoint_every: 500,
        validate_every: 250,
        log_every: 10,
        accumulate: 1,
    }
}

/// The `quick` preset: GDSS's optimiser settings with 1/10 of community-small's schedule
/// (500 full-batch steps, the learning rate decaying 10× faster: `0.99^k`), so a release build
/// trains in minutes on 2 CPU cores.
pub fn quick_train_config(preset: &str, n_train: usize) -> crate::train::trainer::TrainConfig {
    let mut c = paper_train_config(preset, n_train);
    c.steps = 500;
    c.lr.gamma = Some(0.99f64.powf(1.0 / n_train.div_ceil(c.batch_size).max(1) as f64));
    c.checkpoint_every = 100;
    c.validate_every = 100;
    c
}

/// Loads trained networks from a run directory of the shared trainer: the EMA weights
/// (`ema = true`) or the raw optimiser weights, on `B`'s inner backend.
pub fn load_trained<B: AutodiffBackend>(task: &GdssTask, dir: &std::path::Path, ema: bool, device: &B::Device) -> Result<GdssNets<B::InnerBackend>, crate::train::checkpoint::CheckpointError> {
    use burn::module::AutodiffModule;
    if ema {
        return crate::train::trainer::load_ema::<B, GdssTask>(task, dir, device).map(|(m, _)| m);
    }
    let path = crate::train::trainer::checkpoint_path(dir);
    let nets = crate::train::trainer::load_weights(&path, "gdss", "model", task.init_nets::<B>(device), device)?;
    Ok(nets.valid())
}
