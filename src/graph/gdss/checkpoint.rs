//! Loading the released GDSS checkpoints (`checkpoints/<dataset>/*.pth` of the reference code)
//! natively, without PyTorch or Python.
//!
//! A checkpoint is a `torch.save` zip archive whose pickle holds a dict with
//! `model_config` (an `EasyDict`), `params_x` / `params_adj` (the constructor kwargs of the two
//! networks), `x_state_dict` / `adj_state_dict` (the raw weights) and, for the generic-graph
//! datasets, `ema_x` / `ema_adj` (`{decay, num_updates, shadow_params: [tensor, …]}` with the
//! shadow parameters in `module.parameters()` order, i.e. state-dict order).

use std::collections::HashSet;
use std::path::Path;

use burn::module::Param;
use burn::nn::Linear;
use burn::tensor::backend::Backend;
use burn::tensor::{Tensor, TensorData};

use super::config::{ConvKind, GdssModelConfig, ScoreNetworkAConfig, ScoreNetworkXConfig};
use super::score_a::ScoreNetworkA;
use super::score_x::ScoreNetworkX;
use super::torch_pickle::{PyValue, StoredZip, TensorRef, TorchZip};

/// Everything that can go wrong while reading or applying a checkpoint.
#[derive(Debug, thiserror::Error)]
pub enum CheckpointError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// File path.
        path: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// The file ends before a structure it announces (truncated download/copy).
    #[error("truncated checkpoint: {0}")]
    Truncated(String),
    /// The pickle program could not be executed.
    #[error("pickle error at byte {pos}: {msg}")]
    Pickle {
        /// Byte offset of the opcode.
        pos: usize,
        /// Description.
        msg: String,
    },
    /// The archive or pickle does not have the expected GDSS layout.
    #[error("unexpected checkpoint layout: {0}")]
    Format(String),
    /// A parameter of the network has no tensor in the state dict.
    #[error("missing key `{0}` in state dict")]
    MissingKey(String),
    /// The state dict holds tensors the network has no parameter for.
    #[error("unexpected key(s) in state dict: {0:?}")]
    UnexpectedKeys(Vec<String>),
    /// A tensor's shape differs from the parameter's (shapes in PyTorch layout).
    #[error("shape mismatch for `{key}`: network expects {expected:?}, checkpoint has {found:?}")]
    ShapeMismatch {
        /// State-dict key.
        key: String,
        /// Shape the network expects (PyTorch layout).
        expected: Vec<usize>,
        /// Shape in the checkpoint.
        found: Vec<usize>,
    },
}

/// A dense float tensor read from a checkpoint (row-major, PyTorch layout).
#[derive(Debug, Clone, PartialEq)]
pub struct RawTensor {
    /// Shape.
    pub shape: Vec<usize>,
    /// Row-major values.
    pub data: Vec<f32>,
}

/// An ordered PyTorch state dict (`name → tensor`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StateDict {
    /// Entries in checkpoint order.
    pub entries: Vec<(String, RawTensor)>,
}

impl StateDict {
    /// Tensor by name.
    pub fn get(&self, key: &str) -> Option<&RawTensor> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, t)| t)
    }
    /// Total number of scalars.
    pub fn num_scalars(&self) -> usize {
        self.entries.iter().map(|(_, t)| t.data.len()).sum()
    }
    /// Removes an entry (handy for testing error paths).
    pub fn remove(&mut self, key: &str) -> Option<RawTensor> {
        let i = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(i).1)
    }
}

/// Hands out state-dict tensors as burn parameters and records which keys were used.
pub(crate) struct ParamLoader<'a> {
    sd: &'a StateDict,
    used: HashSet<String>,
}

impl<'a> ParamLoader<'a> {
    pub(crate) fn new(sd: &'a StateDict) -> Self {
        Self {
            sd,
            used: HashSet::new(),
        }
    }

    fn fetch(&mut self, key: &str, expected: Vec<usize>) -> Result<&'a RawTensor, CheckpointError> {
        let t = self
            .sd
            .get(key)
            .ok_or_else(|| CheckpointError::MissingKey(key.to_string()))?;
        if t.shape != expected {
            return Err(CheckpointError::ShapeMismatch {
                key: key.to_string(),
                expected,
                found: t.shape.clone(),
            });
        }
        self.used.insert(key.to_string());
        Ok(t)
    }

    /// 2-D parameter; `transpose` for PyTorch `Linear` weights (`[out, in]` → burn `[in, out]`).
    pub(crate) fn param2<B: Backend>(
        &mut self,
        key: &str,
        current: Param<Tensor<B, 2>>,
        transpose: bool,
    ) -> Result<Param<Tensor<B, 2>>, CheckpointError> {
        let [r, c] = current.dims();
        let expected = if transpose { vec![c, r] } else { vec![r, c] };
        let t = self.fetch(key, expected.clone())?;
        let device = current.device();
        let tensor = Tensor::<B, 2>::from_data(TensorData::new(t.data.clone(), expected), &device);
        Ok(Param::from_tensor(if transpose {
            tensor.transpose()
        } else {
            tensor
        }))
    }

    /// 1-D parameter.
    pub(crate) fn param1<B: Backend>(
        &mut self,
        key: &str,
        current: Param<Tensor<B, 1>>,
    ) -> Result<Param<Tensor<B, 1>>, CheckpointError> {
        let [n] = current.dims();
        let t = self.fetch(key, vec![n])?;
        let device = current.device();
        Ok(Param::from_tensor(Tensor::from_data(
            TensorData::new(t.data.clone(), [n]),
            &device,
        )))
    }

    /// A PyTorch `nn.Linear` named `key` (`key.weight` `[out, in]`, transposed to burn's
    /// `[in, out]`, and `key.bias` when the layer has one).
    pub(crate) fn linear<B: Backend>(&mut self, key: &str, lin: Linear<B>) -> Result<Linear<B>, CheckpointError> {
        let weight = self.param2(&format!("{key}.weight"), lin.weight, true)?;
        let bias = match lin.bias {
            Some(b) => Some(self.param1(&format!("{key}.bias"), b)?),
            None => None,
        };
        Ok(Linear { weight, bias })
    }

    /// Fails if the state dict holds keys that were never requested.
    pub(crate) fn finish(self) -> Result<(), CheckpointError> {
        let extra: Vec<String> = self
            .sd
            .entries
            .iter()
            .map(|(k, _)| k.clone())
            .filter(|k| !self.used.contains(k))
            .collect();
        if extra.is_empty() {
            Ok(())
        } else {
            Err(CheckpointError::UnexpectedKeys(extra))
        }
    }
}

/// Which weights of a checkpoint to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WeightKind {
    /// The trained weights (`x_state_dict` / `adj_state_dict`).
    Raw,
    /// The exponential-moving-average copies (`ema_x` / `ema_adj`).
    Ema,
}

/// A parsed GDSS checkpoint.
#[derive(Debug, Clone)]
pub struct GdssCheckpoint {
    /// Network configs rebuilt from `params_x` / `params_adj`.
    pub config: GdssModelConfig,
    /// Raw X-network weights.
    pub x: StateDict,
    /// Raw A-network weights.
    pub adj: StateDict,
    /// EMA X-network weights (same keys as `x`), when stored.
    pub ema_x: Option<StateDict>,
    /// EMA A-network weights, when stored.
    pub ema_adj: Option<StateDict>,
}

fn fmt_err(msg: impl Into<String>) -> CheckpointError {
    CheckpointError::Format(msg.into())
}

fn read_tensor(
    zip: &StoredZip,
    prefix: &str,
    name: &str,
    t: &TensorRef,
) -> Result<RawTensor, CheckpointError> {
    if t.storage != "FloatStorage" {
        return Err(fmt_err(format!(
            "`{name}`: storage {} is not float32",
            t.storage
        )));
    }
    if t.shape.len() != t.stride.len() {
        return Err(fmt_err(format!("`{name}`: size/stride rank mismatch")));
    }
    let entry = format!("{prefix}data/{}", t.key);
    let bytes = zip
        .get(&entry)
        .ok_or_else(|| fmt_err(format!("`{name}`: storage entry {entry} missing")))?;
    let numel: usize = t.shape.iter().product();
    let max_index = t.offset
        + t.shape
            .iter()
            .zip(&t.stride)
            .map(|(&n, &s)| n.saturating_sub(1) * s)
            .sum::<usize>();
    if numel > 0 && (max_index + 1) * 4 > bytes.len() {
        return Err(CheckpointError::Truncated(format!(
            "storage of `{name}` ({entry})"
        )));
    }
    let at = |i: usize| f32::from_le_bytes(bytes[4 * i..4 * i + 4].try_into().unwrap());
    let mut data = Vec::with_capacity(numel);
    let mut idx = vec![0usize; t.shape.len()];
    for _ in 0..numel {
        let off = t.offset + idx.iter().zip(&t.stride).map(|(i, s)| i * s).sum::<usize>();
        data.push(at(off));
        for d in (0..idx.len()).rev() {
            idx[d] += 1;
            if idx[d] < t.shape[d] {
                break;
            }
            idx[d] = 0;
        }
    }
    Ok(RawTensor {
        shape: t.shape.clone(),
        data,
    })
}

pub(crate) fn state_dict(
    zip: &StoredZip,
    prefix: &str,
    v: &PyValue,
    what: &str,
) -> Result<StateDict, CheckpointError> {
    let items = v
        .items()
        .ok_or_else(|| fmt_err(format!("`{what}` is not a dict")))?;
    let mut entries = Vec::with_capacity(items.len());
    for (k, t) in items {
        let PyValue::Str(name) = k else {
            return Err(fmt_err(format!("`{what}` has a non-string key")));
        };
        let PyValue::Tensor(tr) = t else {
            return Err(fmt_err(format!("`{what}.{name}` is not a tensor")));
        };
        entries.push((name.clone(), read_tensor(zip, prefix, name, tr)?));
    }
    Ok(StateDict { entries })
}

/// EMA shadow parameters are a list in parameter order; name them after `raw`'s keys.
fn ema_dict(
    zip: &StoredZip,
    prefix: &str,
    v: &PyValue,
    raw: &StateDict,
    what: &str,
) -> Result<StateDict, CheckpointError> {
    let Some(PyValue::List(shadow)) = v.get("shadow_params") else {
        return Err(fmt_err(format!("`{what}` has no shadow_params list")));
    };
    if shadow.len() != raw.entries.len() {
        return Err(fmt_err(format!(
            "`{what}` has {} shadow params but the state dict has {} tensors",
            shadow.len(),
            raw.entries.len()
        )));
    }
    let mut entries = Vec::with_capacity(shadow.len());
    for ((name, r), s) in raw.entries.iter().zip(shadow) {
        let PyValue::Tensor(tr) = s else {
            return Err(fmt_err(format!(
                "`{what}` shadow for `{name}` is not a tensor"
            )));
        };
        let t = read_tensor(zip, prefix, name, tr)?;
        if t.shape != r.shape {
            return Err(CheckpointError::ShapeMismatch {
                key: format!("{what}:{name}"),
                expected: r.shape.clone(),
                found: t.shape,
            });
        }
        entries.push((name.clone(), t));
    }
    Ok(StateDict { entries })
}

fn get_usize(d: &PyValue, key: &str, what: &str) -> Result<usize, CheckpointError> {
    match d.get(key) {
        Some(PyValue::Int(i)) if *i >= 0 => Ok(*i as usize),
        _ => Err(fmt_err(format!(
            "`{what}.{key}` missing or not a non-negative int"
        ))),
    }
}

fn parse_config(top: &PyValue) -> Result<GdssModelConfig, CheckpointError> {
    let px = top
        .get("params_x")
        .ok_or_else(|| fmt_err("no `params_x`"))?;
    let pa = top
        .get("params_adj")
        .ok_or_else(|| fmt_err("no `params_adj`"))?;
    for (d, want, what) in [
        (px, "ScoreNetworkX", "params_x"),
        (pa, "ScoreNetworkA", "params_adj"),
    ] {
        match d.get("model_type") {
            Some(PyValue::Str(s)) if s == want => {}
            other => {
                return Err(fmt_err(format!(
                    "`{what}.model_type` is {other:?}, expected {want}"
                )));
            }
        }
    }
    if let Some(conv) = pa.get("conv")
        && *conv != PyValue::Str("GCN".into())
    {
        return Err(fmt_err(format!(
            "unsupported attention conv {conv:?} (only GCN)"
        )));
    }
    let x = ScoreNetworkXConfig {
        max_feat_num: get_usize(px, "max_feat_num", "params_x")?,
        depth: get_usize(px, "depth", "params_x")?,
        nhid: get_usize(px, "nhid", "params_x")?,
    };
    let g = |k: &str| get_usize(pa, k, "params_adj");
    let adj = ScoreNetworkAConfig {
        max_feat_num: g("max_feat_num")?,
        max_node_num: g("max_node_num")?,
        nhid: g("nhid")?,
        num_layers: g("num_layers")?,
        num_linears: g("num_linears")?,
        c_init: g("c_init")?,
        c_hid: g("c_hid")?,
        c_final: g("c_final")?,
        adim: g("adim")?,
        num_heads: g("num_heads")?,
        conv: ConvKind::Gcn,
    };
    Ok(GdssModelConfig { x, adj })
}

impl GdssCheckpoint {
    /// Reads a released GDSS `.pth` file.
    pub fn load(path: impl AsRef<Path>) -> Result<Self, CheckpointError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| CheckpointError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_bytes(bytes)
    }

    /// Parses the bytes of a `.pth` file.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, CheckpointError> {
        let TorchZip { zip, prefix, top } = TorchZip::open(bytes)?;
        let config = parse_config(&top)?;
        let sd = |k: &str| -> Result<StateDict, CheckpointError> {
            state_dict(
                &zip,
                &prefix,
                top.get(k).ok_or_else(|| fmt_err(format!("no `{k}`")))?,
                k,
            )
        };
        let x = sd("x_state_dict")?;
        let adj = sd("adj_state_dict")?;
        let ema_x = top
            .get("ema_x")
            .map(|v| ema_dict(&zip, &prefix, v, &x, "ema_x"))
            .transpose()?;
        let ema_adj = top
            .get("ema_adj")
            .map(|v| ema_dict(&zip, &prefix, v, &adj, "ema_adj"))
            .transpose()?;
        Ok(Self {
            config,
            x,
            adj,
            ema_x,
            ema_adj,
        })
    }

    fn pick<'s>(
        &'s self,
        kind: WeightKind,
        raw: &'s StateDict,
        ema: &'s Option<StateDict>,
        what: &str,
    ) -> Result<&'s StateDict, CheckpointError> {
        match kind {
            WeightKind::Raw => Ok(raw),
            WeightKind::Ema => ema
                .as_ref()
                .ok_or_else(|| fmt_err(format!("checkpoint stores no EMA weights for {what}"))),
        }
    }

    /// Builds the X-network from the stored config and loads the chosen weights.
    pub fn score_x<B: Backend>(
        &self,
        kind: WeightKind,
        device: &B::Device,
    ) -> Result<ScoreNetworkX<B>, CheckpointError> {
        let sd = self.pick(kind, &self.x, &self.ema_x, "the X network")?;
        self.config.x.init::<B>(device).load_state_dict(sd)
    }

    /// Builds the A-network from the stored config and loads the chosen weights.
    pub fn score_adj<B: Backend>(
        &self,
        kind: WeightKind,
        device: &B::Device,
    ) -> Result<ScoreNetworkA<B>, CheckpointError> {
        let sd = self.pick(kind, &self.adj, &self.ema_adj, "the A network")?;
        self.config.adj.init::<B>(device).load_state_dict(sd)
    }
}
