//! The DNA denoiser of DRAKES (brief `drakes.md` §1.2; Wang et al. 2024, App. F, borrowed from the
//! Dirichlet-flow-matching CNN of Stark et al. 2024): a residual stack of dilated 1-D convolutions
//! that maps a (soft) one-hot sequence `[b, L, V + 1]` (last class = `[MASK]`) to logits over the
//! same `V + 1` classes.
//!
//! ```text
//! h₀ = ReLU(Conv_k(x))                                     (V + 1 → C channels, kernel k, 'same')
//! e  = ReLU(Linear([sin 2πWt, cos 2πWt]))                   Gaussian Fourier features, W ~ N(0, s²)
//! hₗ = hₗ₋₁ + ReLU(Conv_{k, dₗ}(LayerNorm_C(hₗ₋₁ + Linearₗ(e))))   l = 1..n, dilation dₗ
//! logits = Conv₁(ReLU(Conv₁(hₙ)))                            (C → C → V + 1, 1×1 convolutions)
//! ```
//!
//! Padding `dₗ (k − 1)/2` keeps the length, so the network is length-agnostic; the `len` field
//! only fixes the length of sampled sequences. The paper configuration ([`DnaConvConfig::paper`]):
//! `C = 128`, `k = 9`, 20 layers with dilations `1 (×8), 4 (×4), 16 (×4), 64 (×4)`, 64 Fourier
//! frequencies of scale 30, **time conditioning off** (DRAKES' `time_conditioning: False`: the
//! network always sees `t = 0`, so the time path is a learned constant channel bias; masked
//! diffusion does not need `t`, MDLM §3.2). 3,326,597 trainable parameters, matching the brief's
//! count. [`DnaConvConfig::quick`] is the brief's 2-core CPU configuration (§7.3).
//!
//! The SUBS projection (mask logit −∞, carry-over of unmasked tokens) is applied by
//! [`subs_log_probs_tensor`] and by the host-side adapter [`super::net::NetDenoiser`]; the training
//! loss [`super::net::masked_elbo_loss`] only reads masked positions, so it takes raw logits.

use crate::train::conv::conv1d as fast_conv1d;
use super::net::LogitNet;
use burn::nn::conv::{Conv1d, Conv1dConfig};
use burn::nn::{LayerNorm, LayerNormConfig, Linear, LinearConfig, PaddingConfig1d};
use burn::prelude::*;
use burn::tensor::activation::{log_softmax, relu};
use rand::SeedableRng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

/// [`DnaConv`] hyper-parameters (TOML-loadable; defaults = the paper's network).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DnaConvConfig {
    /// Length of sampled sequences (the network itself accepts any length).
    pub len: usize,
    /// Vocabulary size without the mask (4 for DNA).
    pub vocab: usize,
    /// Channels `C`.
    pub hidden: usize,
    /// Kernel size `k` (odd).
    pub kernel: usize,
    /// Dilation of each residual block (one block per entry).
    pub dilations: Vec<usize>,
    /// Number of Gaussian Fourier frequencies (the embedding has twice as many features).
    pub fourier_features: usize,
    /// Standard deviation of the fixed Fourier frequencies.
    pub fourier_scale: f64,
    /// Feed `t` to the time path (DRAKES: off, the network sees `t = 0`).
    pub time_conditioning: bool,
}

impl Default for DnaConvConfig {
    fn default() -> Self {
        Self::paper()
    }
}

impl DnaConvConfig {
    /// The DRAKES DNA denoiser (brief §1.2): 128 channels, kernel 9, 20 blocks.
    pub fn paper() -> Self {
        let mut dilations = vec![1; 8];
        dilations.extend([4; 4]);
        dilations.extend([16; 4]);
        dilations.extend([64; 4]);
        Self { len: 200, vocab: 4, hidden: 128, kernel: 9, dilations, fourier_features: 64, fourier_scale: 30.0, time_conditioning: false }
    }

    /// The brief's small CPU configuration (§7.3): 64 channels, 8 blocks, dilations
    /// `1, 1, 2, 4, 8, 16, 32, 64` (receptive field covers the 200 bp).
    pub fn quick() -> Self {
        Self { hidden: 64, dilations: vec![1, 1, 2, 4, 8, 16, 32, 64], ..Self::paper() }
    }

    /// Check the values the network cannot work with.
    pub fn validate(&self) -> Result<(), String> {
        if self.kernel % 2 == 0 || self.kernel == 0 {
            return Err(format!("kernel must be odd, got {}", self.kernel));
        }
        if self.hidden == 0 || self.vocab == 0 || self.len == 0 || self.fourier_features == 0 {
            return Err(format!("hidden ({}), vocab ({}), len ({}) and fourier_features ({}) must be positive", self.hidden, self.vocab, self.len, self.fourier_features));
        }
        if let Some(d) = self.dilations.iter().find(|d| **d == 0) {
            return Err(format!("dilation {d} must be positive"));
        }
        Ok(())
    }

    /// Build with burn's default initialisation.
    pub fn init<B: Backend>(&self, device: &B::Device) -> DnaConv<B> {
        let (c, k, v1) = (self.hidden, self.kernel, self.vocab + 1);
        let conv = |cin: usize, cout: usize, k: usize, d: usize| {
            let pad = d * (k - 1) / 2;
            Conv1dConfig::new(cin, cout, k).with_dilation(d).with_padding(PaddingConfig1d::Explicit(pad, pad)).init(device)
        };
        let blocks = self
            .dilations
            .iter()
            .map(|&d| ConvBlock { time: LinearConfig::new(c, c).init(device), norm: LayerNormConfig::new(c).init(device), conv: conv(c, c, k, d) })
            .collect();
        DnaConv {
            input: conv(v1, c, k, 1),
            time: LinearConfig::new(2 * self.fourier_features, c).init(device),
            blocks,
            head1: conv(c, c, 1, 1),
            head2: conv(c, v1, 1, 1),
            cfg: self.clone(),
        }
    }
}

/// One residual block: time bias, channel LayerNorm, dilated convolution, ReLU.
#[derive(Module, Debug)]
pub struct ConvBlock<B: Backend> {
    time: Linear<B>,
    norm: LayerNorm<B>,
    conv: Conv1d<B>,
}

/// The network.
#[derive(Module, Debug)]
pub struct DnaConv<B: Backend> {
    input: Conv1d<B>,
    time: Linear<B>,
    blocks: Vec<ConvBlock<B>>,
    head1: Conv1d<B>,
    head2: Conv1d<B>,
    #[module(skip)]
    cfg: DnaConvConfig,
}

/// The fixed Gaussian Fourier frequencies `W ~ N(0, scale²)` (drawn from a constant seed, so they
/// are part of the configuration, not of the weights).
pub fn fourier_frequencies(n: usize, scale: f64) -> Vec<f32> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x5EED_F0F0);
    (0..n)
        .map(|_| {
            let z: f64 = StandardNormal.sample(&mut rng);
            (scale * z) as f32
        })
        .collect()
}

/// `[sin 2πWt, cos 2πWt]` of times `t` `[b]` → `[b, 2n]`.
pub fn fourier_embedding<B: Backend>(t: Tensor<B, 1>, freqs: &[f32]) -> Tensor<B, 2> {
    let device = t.device();
    let w: Vec<f32> = freqs.iter().map(|f| f * std::f32::consts::TAU).collect();
    let w = Tensor::<B, 1>::from_data(TensorData::new(w, [freqs.len()]), &device).unsqueeze::<2>();
    let args = t.unsqueeze_dim::<2>(1).matmul(w);
    Tensor::cat(vec![args.clone().sin(), args.cos()], 1)
}

impl<B: Backend> DnaConv<B> {
    /// The configuration the network was built from.
    pub fn config(&self) -> &DnaConvConfig {
        &self.cfg
    }

    /// Logits `[b, L, V + 1]` from soft tokens `[b, L, V + 1]` at times `t` `[b]`.
    pub fn forward(&self, x: Tensor<B, 3>, t: Tensor<B, 1>) -> Tensor<B, 3> {
        let t = if self.cfg.time_conditioning { t } else { t.zeros_like() };
        let freqs = fourier_frequencies(self.cfg.fourier_features, self.cfg.fourier_scale);
        let e = relu(self.time.forward(fourier_embedding(t, &freqs)));
        let mut h = relu(fast_conv1d(&self.input, x.swap_dims(1, 2)));
        for b in &self.blocks {
            let u = h.clone() + b.time.forward(e.clone()).unsqueeze_dim::<3>(2);
            let u = b.norm.forward(u.swap_dims(1, 2)).swap_dims(1, 2);
            h = h + relu(fast_conv1d(&b.conv, u));
        }
        fast_conv1d(&self.head2, relu(fast_conv1d(&self.head1, h))).swap_dims(1, 2)
    }
}

impl<B: Backend> LogitNet<B> for DnaConv<B> {
    fn vocab(&self) -> usize {
        self.cfg.vocab
    }
    fn logits(&self, x: Tensor<B, 3>, t: Tensor<B, 1>) -> Tensor<B, 3> {
        self.forward(x, t)
    }
}

/// SUBS log-probabilities `[b, L, V + 1]` in burn (MDLM §3.2): the mask class gets `−∞`; a position
/// whose input argmax is a real token (hard or soft input, brief §1.1) becomes a point mass on that
/// token (`0` there, `−∞` elsewhere); masked positions get `log_softmax` over the `V` real classes.
pub fn subs_log_probs_tensor<B: Backend>(logits: Tensor<B, 3>, x: Tensor<B, 3>) -> Tensor<B, 3> {
    let [b, l, v1] = logits.dims();
    let v = v1 - 1;
    let device = logits.device();
    let lp = log_softmax(logits.narrow(2, 0, v), 2);
    let arg = x.argmax(2); // [b, l, 1]
    let unmasked = arg.clone().not_equal_elem(v as i64).expand([b, l, v]);
    let classes = Tensor::<B, 1, Int>::arange(0..v as i64, &device).reshape([1, 1, v]).expand([b, l, v]);
    let hot = arg.expand([b, l, v]).equal(classes);
    let carry = Tensor::<B, 3>::full([b, l, v], f32::NEG_INFINITY, &device).mask_fill(hot, 0.0);
    let out = lp.mask_where(unmasked, carry);
    Tensor::cat(vec![out, Tensor::full([b, l, 1], f32::NEG_INFINITY, &device)], 2)
}

#[cfg(test)]
mod tests {
    use super::*;
    use burn::module::Module;
    type Bk = burn::backend::NdArray<f32>;

    #[test]
    fn paper_preset_has_the_briefs_parameter_count() {
        // Oracle: the hand count in the brief (§1.2, §7.1): 3,326,597 trainable parameters.
        let net = DnaConvConfig::paper().init::<Bk>(&Default::default());
        assert_eq!(net.num_params(), 3_326_597);
    }

    #[test]
    fn output_shape_and_subs_projection() {
        let device = Default::default();
        let cfg = DnaConvConfig { hidden: 8, dilations: vec![1, 2], len: 12, ..DnaConvConfig::paper() };
        let net = cfg.init::<Bk>(&device);
        // Positions 0..6 unmasked with tokens j % 4, the rest masked.
        let z = ndarray::Array2::from_shape_fn((2, 12), |(_, j)| if j < 6 { j % 4 } else { 4 });
        let x = super::super::net::one_hot::<Bk>(&z, 4, &device);
        let logits = net.forward(x.clone(), Tensor::full([2], 0.5, &device));
        assert_eq!(logits.dims(), [2, 12, 5]);
        let lp: Vec<f32> = subs_log_probs_tensor(logits, x).into_data().convert::<f32>().into_vec().unwrap();
        for i in 0..2 {
            for j in 0..12 {
                let row = &lp[(i * 12 + j) * 5..(i * 12 + j + 1) * 5];
                assert_eq!(row[4], f32::NEG_INFINITY, "mask class must be impossible");
                if j < 6 {
                    for (k, &v) in row[..4].iter().enumerate() {
                        assert_eq!(v, if k == j % 4 { 0.0 } else { f32::NEG_INFINITY }, "carry-over at ({i},{j})");
                    }
                } else {
                    // A proper distribution over the 4 bases (f32 rounding: 1e-5).
                    let s: f32 = row[..4].iter().map(|v| v.exp()).sum();
                    assert!((s - 1.0).abs() < 1e-5 && row[..4].iter().all(|v| v.is_finite()));
                }
            }
        }
    }

    #[test]
    fn time_conditioning_off_ignores_t() {
        let device = Default::default();
        let mut cfg = DnaConvConfig { hidden: 8, dilations: vec![1], len: 6, ..DnaConvConfig::paper() };
        let z = ndarray::Array2::from_elem((1, 6), 4usize);
        let x = super::super::net::one_hot::<Bk>(&z, 4, &device);
        let at = |net: &DnaConv<Bk>, t: f32| -> Vec<f32> { net.forward(x.clone(), Tensor::full([1], t, &device)).into_data().convert::<f32>().into_vec().unwrap() };
        let net = cfg.init::<Bk>(&device);
        assert_eq!(at(&net, 0.1), at(&net, 0.9));
        cfg.time_conditioning = true;
        let net = cfg.init::<Bk>(&device);
        assert_ne!(at(&net, 0.1), at(&net, 0.9));
    }
}
