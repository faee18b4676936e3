//! Track D2 of the DRAKES-DHS benchmark (brief `drakes.md` §6.2): two small CNN classifiers of HepG2
//! accessibility (HepG2 DHS vs the DHS of the other three cell types), trained on disjoint chromosome
//! halves ([`OracleHalf::A`]: odd autosomes chr3–chr21, the fine-tuning oracle; [`OracleHalf::B`]: even
//! autosomes chr4–chr22, the evaluation oracle). The paper's oracles are Enformer-architecture MPRA
//! regressors (§2.1), which cannot be reproduced offline; these stand in for them.
//!
//! Network ([`OracleCnn`]): one-hot (or soft) `[b, L, 4]` → Conv(4 → C, k) + ReLU → residual blocks
//! `h ← h + ReLU(Conv_{k,d}(LayerNorm_C(h)))` → mean over positions → Linear(C → 1): the logit of
//! `p(HepG2 | x)`. Loss: binary cross-entropy with logits, `softplus(z) − y z`, averaged.
//! Held-out metric: AUROC (Mann–Whitney: probability that a random positive outscores a random
//! negative, ties ½).

use crate::train::conv::conv1d;
use super::dhs::{DhsDataset, OracleHalf, oracle_half};
use crate::train::step_rng;
use crate::train::trainer::Task;
use burn::module::AutodiffModule;
use burn::nn::conv::{Conv1d, Conv1dConfig};
use burn::nn::{LayerNorm, LayerNormConfig, Linear, LinearConfig, PaddingConfig1d};
use burn::prelude::*;
use burn::tensor::activation::{relu, softplus};
use burn::tensor::backend::AutodiffBackend;
use rand::RngExt;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// [`OracleCnn`] hyper-parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OracleConfig {
    /// Channels.
    pub hidden: usize,
    /// Kernel size (odd).
    pub kernel: usize,
    /// Dilation of each residual block.
    pub dilations: Vec<usize>,
    /// Validation rows used (first ones of the held-out set).
    pub val_size: usize,
}

impl Default for OracleConfig {
    fn default() -> Self {
        Self { hidden: 64, kernel: 9, dilations: vec![1, 2, 4, 8, 16], val_size: 2048 }
    }
}

/// A residual block.
#[derive(Module, Debug)]
pub struct OracleBlock<B: Backend> {
    norm: LayerNorm<B>,
    conv: Conv1d<B>,
}

/// The classifier.
#[derive(Module, Debug)]
pub struct OracleCnn<B: Backend> {
    input: Conv1d<B>,
    blocks: Vec<OracleBlock<B>>,
    head: Linear<B>,
}

fn same_conv<B: Backend>(cin: usize, cout: usize, k: usize, d: usize, device: &B::Device) -> Conv1d<B> {
    let pad = d * (k - 1) / 2;
    Conv1dConfig::new(cin, cout, k).with_dilation(d).with_padding(PaddingConfig1d::Explicit(pad, pad)).init(device)
}

impl OracleConfig {
    /// Build with burn's default initialisation.
    pub fn init<B: Backend>(&self, device: &B::Device) -> OracleCnn<B> {
        let c = self.hidden;
        OracleCnn {
            input: same_conv(4, c, self.kernel, 1, device),
            blocks: self.dilations.iter().map(|&d| OracleBlock { norm: LayerNormConfig::new(c).init(device), conv: same_conv(c, c, self.kernel, d, device) }).collect(),
            head: LinearConfig::new(c, 1).init(device),
        }
    }
}

impl<B: Backend> OracleCnn<B> {
    /// Logits `[b]` from (soft) one-hot sequences `[b, L, 4]`.
    pub fn forward(&self, x: Tensor<B, 3>) -> Tensor<B, 1> {
        let mut h = relu(conv1d(&self.input, x.swap_dims(1, 2)));
        for blk in &self.blocks {
            let u = blk.norm.forward(h.clone().swap_dims(1, 2)).swap_dims(1, 2);
            h = h + relu(conv1d(&blk.conv, u));
        }
        let [b, c, _] = h.dims();
        self.head.forward(h.mean_dim(2).reshape([b, c])).reshape([b])
    }

    /// Logits of index sequences, in chunks of 256.
    pub fn logits(&self, seqs: &[&[u8]], device: &B::Device) -> Vec<f64> {
        seqs.chunks(256).flat_map(|part| self.forward(one_hot4::<B>(part, device)).into_data().convert::<f32>().into_vec::<f32>().expect("f32")).map(f64::from).collect()
    }
}

/// One-hot `[b, L, 4]` of equal-length index sequences.
pub fn one_hot4<B: Backend>(seqs: &[&[u8]], device: &B::Device) -> Tensor<B, 3> {
    let l = seqs.first().map_or(0, |s| s.len());
    let mut v = vec![0f32; seqs.len() * l * 4];
    for (i, s) in seqs.iter().enumerate() {
        for (j, &b) in s.iter().enumerate() {
            v[(i * l + j) * 4 + b as usize] = 1.0;
        }
    }
    Tensor::from_data(TensorData::new(v, [seqs.len(), l, 4]), device)
}

/// `mean(softplus(z) − y z)`: binary cross-entropy with logits.
pub fn bce_with_logits<B: Backend>(z: Tensor<B, 1>, y: Tensor<B, 1>) -> Tensor<B, 1> {
    (softplus(z.clone(), 1.0) - z * y).mean()
}

/// AUROC of `scores` for 0/1 `labels` (ties count ½); `None` if a class is absent.
pub fn auroc(scores: &[f64], labels: &[u8]) -> Option<f64> {
    let ranks = super::metrics::average_ranks(scores);
    let npos = labels.iter().filter(|&&y| y == 1).count() as f64;
    let nneg = labels.len() as f64 - npos;
    if npos == 0.0 || nneg == 0.0 {
        return None;
    }
    let rank_sum: f64 = ranks.iter().zip(labels).filter(|(_, y)| **y == 1).map(|(r, _)| r).sum();
    Some((rank_sum - npos * (npos + 1.0) / 2.0) / (npos * nneg))
}

/// Labelled sequences.
pub type Labelled = Vec<(Vec<u8>, u8)>;

/// Training rows of a half and the held-out rows (chr1 + chr2, the `validation`/`test` splits).
pub fn oracle_data(ds: &DhsDataset, half: OracleHalf) -> (Labelled, Labelled) {
    let take = |keep: &dyn Fn(&str) -> bool| ds.records.iter().filter(|r| keep(&r.chrom)).map(|r| (r.sequence.clone(), r.hepg2())).collect();
    let train = take(&|c| oracle_half(c) == half);
    let held = take(&|c| matches!(c, "chr1" | "chr2"));
    (train, held)
}

/// Training task of one oracle.
#[derive(Debug, Clone)]
pub struct OracleTask {
    /// Network configuration.
    pub config: OracleConfig,
    train: Arc<Labelled>,
    val: Arc<Labelled>,
}

impl OracleTask {
    /// Build (training rows must be non-empty).
    pub fn new(config: OracleConfig, train: Labelled, val: Labelled) -> Result<Self, super::BioError> {
        if train.is_empty() {
            return Err(super::BioError::Invalid("no training rows for the oracle".into()));
        }
        Ok(Self { config, train: Arc::new(train), val: Arc::new(val) })
    }

    fn batch_loss<B: Backend>(&self, model: &OracleCnn<B>, rows: &[&(Vec<u8>, u8)], device: &B::Device) -> Tensor<B, 1> {
        let seqs: Vec<&[u8]> = rows.iter().map(|r| r.0.as_slice()).collect();
        let y: Vec<f32> = rows.iter().map(|r| r.1 as f32).collect();
        let n = y.len();
        bce_with_logits(model.forward(one_hot4::<B>(&seqs, device)), Tensor::from_data(TensorData::new(y, [n]), device))
    }
}

impl<B: AutodiffBackend> Task<B> for OracleTask {
    type Model = OracleCnn<B>;
    fn kind(&self) -> String {
        "dhs-hepg2-oracle-cnn".into()
    }
    fn config_json(&self) -> serde_json::Value {
        serde_json::to_value(&self.config).expect("serialisable")
    }
    fn init_model(&self, device: &B::Device) -> OracleCnn<B> {
        self.config.init(device)
    }
    fn loss(&self, model: &OracleCnn<B>, step: u64, seed: u64, batch_size: usize, device: &B::Device) -> Tensor<B, 1> {
        let mut rng = step_rng(seed, step, 0);
        let rows: Vec<&(Vec<u8>, u8)> = (0..batch_size).map(|_| &self.train[rng.random_range(0..self.train.len())]).collect();
        self.batch_loss(model, &rows, device)
    }
    fn validate(&self, ema: &<OracleCnn<B> as AutodiffModule<B>>::InnerModule, _seed: u64, device: &B::Device) -> f64 {
        let n = self.val.len().min(self.config.val_size);
        if n == 0 {
            return 0.0;
        }
        let rows: Vec<&(Vec<u8>, u8)> = self.val[..n].iter().collect();
        rows.chunks(256).map(|c| self.batch_loss(ema, c, device).into_scalar().elem::<f64>() * c.len() as f64).sum::<f64>() / n as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auroc_matches_pair_counting() {
        // Oracle: brute-force count over all positive/negative pairs (ties ½).
        let s = [0.1, 0.4, 0.35, 0.8, 0.4, 0.2];
        let y = [0u8, 1, 0, 1, 0, 1];
        let mut wins = 0.0;
        let mut pairs = 0.0;
        for i in 0..6 {
            for j in 0..6 {
                if y[i] == 1 && y[j] == 0 {
                    pairs += 1.0;
                    wins += if s[i] > s[j] { 1.0 } else if s[i] == s[j] { 0.5 } else { 0.0 };
                }
            }
        }
        assert!((auroc(&s, &y).unwrap() - wins / pairs).abs() < 1e-12);
        assert!(auroc(&s, &[1; 6]).is_none());
    }

    #[test]
    fn bce_matches_closed_form() {
        type Bk = burn::backend::NdArray<f32>;
        let d = Default::default();
        let z = Tensor::<Bk, 1>::from_floats([2.0, -1.0], &d);
        let y = Tensor::<Bk, 1>::from_floats([1.0, 0.0], &d);
        let got: f32 = bce_with_logits(z, y).into_scalar();
        let want = 0.5 * ((1.0 + (-2.0f64).exp()).ln() + (1.0 + (-1.0f64).exp()).ln());
        assert!((got as f64 - want).abs() < 1e-6, "{got} vs {want}");
    }
}
