//! ChemNet (Preuer et al., J. Chem. Inf. Model. 58, 1736, 2018), the network behind FCD, read
//! from the `ChemNet_v0.13_pretrained.pt` file of PyPI `fcd` 1.2.2 and run natively.
//!
//! Architecture (checked against the file's layer list on load):
//! 1. Conv1d 35→32, kernel 4, stride 2, no bias, TensorFlow-style "same" padding, SELU;
//! 2. Conv1d 32→32, same, SELU;
//! 3. LSTM 32→128 run over the *reversed* sequence, its output sequence reversed back;
//! 4. LSTM 128→512 over that sequence; the activation is its last hidden state (512 values).
//!
//! The "same" padding is the reference's `SamePadding1d`: with `pad = k − s` when `L` is a
//! multiple of `s` and `k − (L mod s)` otherwise, the left pad is `⌊pad/s⌋` and the right pad
//! the rest (so 350 → 175 → 88 time steps). LSTM gates are PyTorch's order i, f, g, o.
//! Batches of molecules run in parallel (rayon); each batch is a fixed sequence of f32 GEMMs,
//! so the activations do not depend on the thread count.

use std::path::Path;

use ndarray::{Array2, Array3, ArrayView2, Axis, s};
use rayon::prelude::*;

use super::FcdError;
use super::tokens::{pad_len, tokenize, VOCAB};
use crate::graph::gdss::checkpoint::{RawTensor, StateDict, state_dict};
use crate::graph::gdss::torch_pickle::{PyValue, TorchZip};

const SELU_SCALE: f32 = 1.050_701;
const SELU_ALPHA: f32 = 1.673_263_2;
/// Molecules per batch (one GEMM chain each).
const BATCH: usize = 128;

/// One LSTM layer, weights transposed for row-major GEMMs.
#[derive(Debug, Clone)]
struct Lstm {
    /// `W_ih^T`, `[input, 4H]`.
    w_ih: Array2<f32>,
    /// `W_hh^T`, `[H, 4H]`.
    w_hh: Array2<f32>,
    /// `b_ih + b_hh`, `[4H]`.
    bias: Vec<f32>,
    hidden: usize,
}

/// The pretrained ChemNet.
#[derive(Debug, Clone)]
pub struct ChemNet {
    /// `[out, in, k]`.
    conv1: Array3<f32>,
    conv2: Array3<f32>,
    lstm1: Lstm,
    lstm2: Lstm,
}

fn fmt(msg: impl Into<String>) -> FcdError {
    FcdError::Format(msg.into())
}

fn int_kw(kw: &PyValue, key: &str) -> Result<i64, FcdError> {
    match kw.get(key) {
        Some(PyValue::Int(i)) => Ok(*i),
        other => Err(fmt(format!("layer argument `{key}`: expected an int, got {other:?}"))),
    }
}

fn flag(info: &PyValue, key: &str) -> Result<bool, FcdError> {
    match info.get(key) {
        Some(PyValue::Bool(b)) => Ok(*b),
        other => Err(fmt(format!("layer flag `{key}`: expected a bool, got {other:?}"))),
    }
}

fn tensor<'a>(sd: &'a StateDict, key: &str, shape: &[usize]) -> Result<&'a RawTensor, FcdError> {
    let t = sd.get(key).ok_or_else(|| fmt(format!("missing tensor `{key}`")))?;
    if t.shape != shape {
        return Err(fmt(format!("`{key}` has shape {:?}, ChemNet needs {shape:?}", t.shape)));
    }
    if t.data.iter().any(|v| !v.is_finite()) {
        return Err(fmt(format!("`{key}` holds NaN or Inf")));
    }
    Ok(t)
}

fn conv(sd: &StateDict, kw: &PyValue, info: &PyValue, cin: usize) -> Result<Array3<f32>, FcdError> {
    let ok = int_kw(kw, "in_channels")? == cin as i64
        && int_kw(kw, "out_channels")? == 32
        && int_kw(kw, "kernel_size")? == 4
        && int_kw(kw, "stride")? == 2
        && kw.get("bias") == Some(&PyValue::Bool(false))
        && info.get("activation") == Some(&PyValue::Str("selu".into()))
        && info.get("padding") == Some(&PyValue::Str("same".into()));
    if !ok {
        return Err(fmt(format!("unsupported Conv1d layer {kw:?} {info:?}")));
    }
    let w = tensor(sd, "weight", &[32, cin, 4])?;
    Ok(Array3::from_shape_vec((32, cin, 4), w.data.clone()).expect("shape checked"))
}

fn lstm(sd: &StateDict, kw: &PyValue, input: usize, hidden: usize) -> Result<Lstm, FcdError> {
    if int_kw(kw, "input_size")? != input as i64
        || int_kw(kw, "hidden_size")? != hidden as i64
        || kw.get("batch_first") != Some(&PyValue::Bool(true))
    {
        return Err(fmt(format!("unsupported LSTM layer {kw:?}")));
    }
    let g = 4 * hidden;
    let t = |k: &str, rows: usize, cols: usize| -> Result<Array2<f32>, FcdError> {
        let raw = tensor(sd, k, &[rows, cols])?;
        Ok(Array2::from_shape_vec((rows, cols), raw.data.clone()).expect("shape checked").reversed_axes().as_standard_layout().to_owned())
    };
    let (b_ih, b_hh) = (tensor(sd, "bias_ih_l0", &[g])?, tensor(sd, "bias_hh_l0", &[g])?);
    Ok(Lstm {
        w_ih: t("weight_ih_l0", g, input)?,
        w_hh: t("weight_hh_l0", g, hidden)?,
        bias: b_ih.data.iter().zip(&b_hh.data).map(|(a, b)| a + b).collect(),
        hidden,
    })
}

impl ChemNet {
    /// Reads `ChemNet_v0.13_pretrained.pt` (see `datasets/fetch_mol.sh`).
    pub fn load(path: impl AsRef<Path>) -> Result<Self, FcdError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| FcdError::Io { path: path.display().to_string(), source })?;
        Self::from_bytes(bytes)
    }

    /// Parses the bytes of the `.pt` file: a pickled list of `(layer type, (state dict,
    /// constructor arguments, flags))`.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, FcdError> {
        let TorchZip { zip, prefix, top } = TorchZip::open(bytes)?;
        let PyValue::List(layers) = top else {
            return Err(fmt("top-level object is not a layer list"));
        };
        let mut parts = Vec::with_capacity(layers.len());
        for (i, layer) in layers.iter().enumerate() {
            let PyValue::Tuple(lt) = layer else { return Err(fmt(format!("layer {i} is not a tuple"))) };
            let [PyValue::Str(kind), PyValue::Tuple(cfg)] = lt.as_slice() else {
                return Err(fmt(format!("layer {i}: expected (type, config)")));
            };
            let [sd, kw, info] = cfg.as_slice() else { return Err(fmt(format!("layer {i}: config is not a triple"))) };
            parts.push((kind.clone(), state_dict(&zip, &prefix, sd, &format!("layer {i}"))?, kw.clone(), info.clone()));
        }
        let kinds: Vec<&str> = parts.iter().map(|p| p.0.as_str()).collect();
        if kinds != ["Conv1d", "Conv1d", "LSTM", "LSTM"] {
            return Err(fmt(format!("layer types {kinds:?}, ChemNet v0.13 has Conv1d, Conv1d, LSTM, LSTM")));
        }
        let expect_flags = [(true, false), (true, true)];
        for (p, (rev, last)) in parts[2..].iter().zip(expect_flags) {
            if flag(&p.3, "reverse")? != rev || flag(&p.3, "last")? != last {
                return Err(fmt(format!("unsupported LSTM flags {:?}", p.3)));
            }
        }
        Ok(Self {
            conv1: conv(&parts[0].1, &parts[0].2, &parts[0].3, VOCAB.len())?,
            conv2: conv(&parts[1].1, &parts[1].2, &parts[1].3, 32)?,
            lstm1: lstm(&parts[2].1, &parts[2].2, 32, 128)?,
            lstm2: lstm(&parts[3].1, &parts[3].2, 128, 512)?,
        })
    }

    /// Activations (`[n, 512]`) of a list of SMILES strings, padded as the reference pads one
    /// call of `get_predictions` (so the numbers match it for the same list).
    pub fn activations(&self, smiles: &[String]) -> Array2<f32> {
        let len = pad_len(smiles);
        let chunks: Vec<Array2<f32>> = smiles
            .par_chunks(BATCH)
            .map(|chunk| {
                let tokens: Vec<Vec<u8>> = chunk.iter().map(|s| tokenize(s)).collect();
                self.forward(&tokens, len)
            })
            .collect();
        let views: Vec<ArrayView2<f32>> = chunks.iter().map(|a| a.view()).collect();
        if views.is_empty() {
            return Array2::zeros((0, 512));
        }
        ndarray::concatenate(Axis(0), &views).expect("same width")
    }

    /// Forward pass of one batch; `tokens[b]` has at most `len` entries.
    fn forward(&self, tokens: &[Vec<u8>], len: usize) -> Array2<f32> {
        let x1 = conv1_onehot(&self.conv1, tokens, len);
        let x2 = conv_dense(&self.conv2, &x1);
        let (steps, b) = (x2.shape()[0], x2.shape()[1]);
        let seq = x2.into_shape_with_order((steps * b, 32)).expect("contiguous");
        let h1 = run_lstm(&self.lstm1, seq.view(), steps, b, true);
        let h2 = run_lstm(&self.lstm2, h1.view(), steps, b, false);
        h2.slice(s![(steps - 1) * b.., ..]).to_owned()
    }
}

/// TensorFlow-style "same" padding of the reference (`SamePadding1d`): `(left, right)`.
pub fn same_padding(len: usize, k: usize, stride: usize) -> (usize, usize) {
    let pad = if len % stride == 0 { k.saturating_sub(stride) } else { k.saturating_sub(len % stride) };
    let left = pad / stride;
    if pad % stride == 0 { (left, left) } else { (left, pad - left) }
}

fn out_len(len: usize, (l, r): (usize, usize), k: usize, stride: usize) -> usize {
    (len + l + r - k) / stride + 1
}

fn selu(x: f32) -> f32 {
    if x > 0.0 { SELU_SCALE * x } else { SELU_SCALE * SELU_ALPHA * (x.exp() - 1.0) }
}

/// First convolution on one-hot / 35 input: a gather of weight columns. Output `[T, B, 32]`.
fn conv1_onehot(w: &Array3<f32>, tokens: &[Vec<u8>], len: usize) -> Array3<f32> {
    let pad = same_padding(len, 4, 2);
    let t_out = out_len(len, pad, 4, 2);
    let scale = 1.0 / VOCAB.len() as f32;
    let mut out = Array3::<f32>::zeros((t_out, tokens.len(), 32));
    for (b, toks) in tokens.iter().enumerate() {
        for t in 0..t_out {
            for k in 0..4 {
                let p = (2 * t + k) as isize - pad.0 as isize;
                if p < 0 || p as usize >= toks.len() {
                    continue;
                }
                let tok = toks[p as usize] as usize;
                for c in 0..32 {
                    out[[t, b, c]] += w[[c, tok, k]] * scale;
                }
            }
            out.slice_mut(s![t, b, ..]).mapv_inplace(selu);
        }
    }
    out
}

/// Second convolution as one GEMM over im2col rows. Input and output `[T, B, C]`.
fn conv_dense(w: &Array3<f32>, x: &Array3<f32>) -> Array3<f32> {
    let (len, b, cin) = x.dim();
    let pad = same_padding(len, 4, 2);
    let t_out = out_len(len, pad, 4, 2);
    let mut cols = Array2::<f32>::zeros((t_out * b, 4 * cin));
    for t in 0..t_out {
        for k in 0..4 {
            let p = (2 * t + k) as isize - pad.0 as isize;
            if p < 0 || p as usize >= len {
                continue;
            }
            cols.slice_mut(s![t * b..(t + 1) * b, k * cin..(k + 1) * cin]).assign(&x.slice(s![p as usize, .., ..]));
        }
    }
    // Weight matrix [(k, c_in), c_out].
    let wm = Array2::from_shape_fn((4 * cin, 32), |(r, co)| w[[co, r % cin, r / cin]]);
    let y = cols.dot(&wm).mapv(selu);
    y.into_shape_with_order((t_out, b, 32)).expect("contiguous")
}

fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}

/// Runs an LSTM over time-major rows (`row = t·B + b`), optionally over the reversed sequence
/// (the output is then reversed back, so row `t` holds the state after reading `t..T`).
fn run_lstm(l: &Lstm, x: ArrayView2<f32>, steps: usize, b: usize, reverse: bool) -> Array2<f32> {
    let h_dim = l.hidden;
    let mut pre = x.dot(&l.w_ih);
    pre.rows_mut().into_iter().for_each(|mut r| r.iter_mut().zip(&l.bias).for_each(|(v, bb)| *v += bb));
    let mut out = Array2::<f32>::zeros((steps * b, h_dim));
    let mut h = Array2::<f32>::zeros((b, h_dim));
    let mut c = Array2::<f32>::zeros((b, h_dim));
    for i in 0..steps {
        let t = if reverse { steps - 1 - i } else { i };
        let gates = &pre.slice(s![t * b..(t + 1) * b, ..]) + &h.dot(&l.w_hh);
        for r in 0..b {
            let g = gates.row(r);
            for j in 0..h_dim {
                let (ig, fg) = (sigmoid(g[j]), sigmoid(g[h_dim + j]));
                let (gg, og) = (g[2 * h_dim + j].tanh(), sigmoid(g[3 * h_dim + j]));
                let cn = fg * c[[r, j]] + ig * gg;
                c[[r, j]] = cn;
                h[[r, j]] = og * cn.tanh();
            }
        }
        out.slice_mut(s![t * b..(t + 1) * b, ..]).assign(&h);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_padding_matches_the_reference_rule() {
        // 350 → pad 2 → (1, 1) → 175; 175 → pad 3 → (1, 2) → 88.
        assert_eq!(same_padding(350, 4, 2), (1, 1));
        assert_eq!(out_len(350, (1, 1), 4, 2), 175);
        assert_eq!(same_padding(175, 4, 2), (1, 2));
        assert_eq!(out_len(175, (1, 2), 4, 2), 88);
    }

    #[test]
    fn conv_gemm_equals_direct_convolution() {
        let (len, b, cin) = (9, 2, 32);
        let x = Array3::from_shape_fn((len, b, cin), |(t, bb, c)| ((t * 7 + bb * 3 + c) % 11) as f32 * 0.1 - 0.5);
        let w = Array3::from_shape_fn((32, cin, 4), |(o, i, k)| ((o + 2 * i + 5 * k) % 13) as f32 * 0.01 - 0.06);
        let y = conv_dense(&w, &x);
        let pad = same_padding(len, 4, 2);
        for t in 0..y.dim().0 {
            for bb in 0..b {
                for o in 0..32 {
                    let mut acc = 0.0f32;
                    for k in 0..4 {
                        let p = (2 * t + k) as isize - pad.0 as isize;
                        if p >= 0 && (p as usize) < len {
                            (0..cin).for_each(|i| acc += w[[o, i, k]] * x[[p as usize, bb, i]]);
                        }
                    }
                    assert!((y[[t, bb, o]] - selu(acc)).abs() < 1e-5);
                }
            }
        }
    }
}
