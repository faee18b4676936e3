//! Configuration of the 2-D smoke WDNO (brief §2.3 layout, §3.2 denoiser, §3.3 schedule), with
//! the `small` (CPU) and `paper` presets.
//!
//! Plain serde structs with `#[serde(default, deny_unknown_fields)]`; `Default` is the paper's
//! setting (repo `smoke/wave_trans_2d.py`, `smoke/ddpm/*`, `scripts/smoke/*`).

use crate::pde::wdno::config::Conditioning;
use crate::pde::wdno::error::WdnoError;
use serde::{Deserialize, Serialize};

/// Fields of the smoke canvas, in channel order: density, vx, vy, cx, cy.
pub const FIELDS: usize = 5;
/// Sub-bands per field (3-D DWT, level 1).
pub const BANDS3: usize = 8;
/// Channel of the initial-density condition (brief §2.3).
pub const INIT_CHANNEL: usize = 40;
/// Channel of the target-fraction curve.
pub const FRACTION_CHANNEL: usize = 41;
/// Channels of the smoke canvas.
pub const SMOKE_CHANNELS: usize = 42;

/// WDNO's 42 fixed scalers for bior1.3 (brief §2.3).
pub const PAPER_SCALERS: [f64; SMOKE_CHANNELS] = [
    4., 2., 2., 2., 2., 2., 1., 1., 37., 12., 15., 11., 19., 6., 11., 5., 44., 24., 9., 10., 16., 9., 6., 6., 37., 10., 15., 8., 19., 5., 11., 5., 43., 24., 9., 10.,
    16., 9., 5., 5., 3., 2.,
];

/// The smoke tensor layout and how model frames are taken from the data records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmokeLayoutConfig {
    /// Frames `nt` the model sees (paper 32 of the 33 records, small 16).
    pub frames: usize,
    /// Take every `time_stride`-th data record (paper 1, small 2).
    pub time_stride: usize,
    /// Take every `space_stride`-th cell of the solver grid (paper 2: 127² → 64², small 2: 63² → 32²).
    pub space_stride: usize,
    /// Model grid `[ny, nx]` after subsampling (paper 64², small 32²).
    pub grid: [usize; 2],
    /// Canvas `[T', H, W]` (paper `[24, 40, 40]`, small `[12, 20, 20]`); `T'` a multiple of 4,
    /// `H` even.
    pub canvas: [usize; 3],
    /// Wavelet (paper `bior1.3`; mode `zero`, level 1).
    pub wavelet: String,
    /// The 42 scalers; values are divided by them, and they are the loss weights.
    pub scalers: Vec<f64>,
}

impl Default for SmokeLayoutConfig {
    fn default() -> Self {
        Self { frames: 32, time_stride: 1, space_stride: 2, grid: [64, 64], canvas: [24, 40, 40], wavelet: "bior1.3".into(), scalers: PAPER_SCALERS.to_vec() }
    }
}

/// The 3-D U-Net denoiser (brief §3.2, with the paper's attention by default: see [`super::unet3d`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Unet3dConfig {
    /// Input/output channels (42).
    pub channels: usize,
    /// Base width (paper 64, small 16).
    pub dim: usize,
    /// Width multipliers per level (paper and small (1, 2, 4)).
    pub dim_mults: Vec<usize>,
    /// GroupNorm groups (paper 8).
    pub groups: usize,
    /// Kernel `[t, y, x]` of the initial convolution (paper 7×7×7, small 3×3×3).
    pub init_kernel: [usize; 3],
    /// Attention layers as in the paper (default true; [`super::attention3d`]): temporal
    /// attention after the initial conv, spatial linear + temporal attention at every level,
    /// full spatial + temporal attention in the middle. `false` gives the convolution-only net.
    pub attention: bool,
    /// Attention heads (paper 4).
    pub attn_heads: usize,
    /// Width per head (paper 32).
    pub attn_dim_head: usize,
}

impl Default for Unet3dConfig {
    fn default() -> Self {
        Self { channels: SMOKE_CHANNELS, dim: 64, dim_mults: vec![1, 2, 4], groups: 8, init_kernel: [7, 7, 7], attention: true, attn_heads: 4, attn_dim_head: 32 }
    }
}

impl Unet3dConfig {
    /// Canvas sides must be divisible by this (one spatial halving per level but the last).
    pub fn downsampling(&self) -> usize {
        1 << self.dim_mults.len().saturating_sub(1)
    }
}

/// The sigmoid β schedule of the smoke models (brief §3.3; lucidrains `sigmoid_beta_schedule`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SigmoidScheduleConfig {
    /// Steps `T` (paper 1000).
    pub steps: usize,
    /// Sigmoid start (paper −3).
    pub start: f64,
    /// Sigmoid end (paper 3).
    pub end: f64,
    /// Temperature τ (paper 1).
    pub tau: f64,
    /// β clip (paper 0.999).
    pub max_beta: f64,
}

impl Default for SigmoidScheduleConfig {
    fn default() -> Self {
        Self { steps: 1000, start: -3.0, end: 3.0, tau: 1.0, max_beta: 0.999 }
    }
}

/// Everything that defines a smoke WDNO model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmokeWdnoConfig {
    /// Tensor layout.
    pub layout: SmokeLayoutConfig,
    /// Denoiser.
    pub unet: Unet3dConfig,
    /// Schedule.
    pub diffusion: SigmoidScheduleConfig,
    /// What the model is trained to be given (simulation: controls + d0; control: d0 only).
    pub conditioning: Conditioning,
}

impl Default for SmokeWdnoConfig {
    fn default() -> Self {
        Self::paper(Conditioning::Both)
    }
}

impl SmokeWdnoConfig {
    /// Brief §2.3, §3.2: 32 frames of 64², 18×34×34 coefficients on a 24×40×40 canvas, dim 64.
    pub fn paper(conditioning: Conditioning) -> Self {
        Self { layout: SmokeLayoutConfig::default(), unet: Unet3dConfig::default(), diffusion: SigmoidScheduleConfig::default(), conditioning }
    }

    /// CPU preset: the `small` generator's 63² records subsampled to 32² and every 2nd record
    /// (16 frames, 16 solver frames each), 10×18×18 coefficients on a 12×20×20 canvas, dim 16,
    /// 3×3×3 initial kernel.
    pub fn small(conditioning: Conditioning) -> Self {
        let layout = SmokeLayoutConfig { frames: 16, time_stride: 2, grid: [32, 32], canvas: [12, 20, 20], ..SmokeLayoutConfig::default() };
        let unet = Unet3dConfig { dim: 16, init_kernel: [3, 3, 3], ..Unet3dConfig::default() };
        Self { layout, unet, diffusion: SigmoidScheduleConfig::default(), conditioning }
    }

    /// A preset by name (`small` or `paper`).
    pub fn preset(name: &str, conditioning: Conditioning) -> Result<Self, WdnoError> {
        match name {
            "small" => Ok(Self::small(conditioning)),
            "paper" => Ok(Self::paper(conditioning)),
            other => Err(WdnoError::Config(format!("unknown preset '{other}': expected small or paper"))),
        }
    }

    /// Check that the pieces fit together.
    pub fn validate(&self) -> Result<(), WdnoError> {
        let (l, u, d) = (&self.layout, &self.unet, &self.diffusion);
        let bad = |m: String| Err(WdnoError::Config(m));
        if l.scalers.len() != SMOKE_CHANNELS || l.scalers.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
            return bad(format!("need {SMOKE_CHANNELS} positive scalers, got {:?}", l.scalers));
        }
        if u.channels != SMOKE_CHANNELS || u.dim == 0 || u.dim % 2 != 0 || u.dim_mults.is_empty() || u.groups == 0 {
            return bad(format!("the 3-D U-Net needs {SMOKE_CHANNELS} channels, an even dim > 0, mults and groups: {u:?}"));
        }
        if u.dim_mults.iter().any(|m| *m == 0 || (u.dim * m) % u.groups != 0) || u.init_kernel.iter().any(|k| k % 2 == 0) {
            return bad(format!("U-Net widths must be divisible by groups and init kernels odd: {u:?}"));
        }
        if u.attention && (u.attn_heads == 0 || u.attn_dim_head == 0) {
            return bad(format!("attention needs attn_heads and attn_dim_head > 0: {u:?}"));
        }
        let [t, h, w] = l.canvas;
        let ds = u.downsampling();
        if t % 4 != 0 || h % 2 != 0 || h % ds != 0 || w % ds != 0 {
            return bad(format!("canvas {:?}: T' must be a multiple of 4, H even, H and W multiples of {ds}", l.canvas));
        }
        if l.frames < 2 || l.time_stride == 0 || l.space_stride == 0 || l.grid.iter().any(|g| *g < 2) {
            return bad(format!("layout needs frames >= 2, strides >= 1 and a grid >= 2: {l:?}"));
        }
        let schedule_ok = d.steps >= 2 && d.end > d.start && d.tau > 0.0 && d.max_beta > 0.0 && d.max_beta < 1.0; // false for NaN
        if !schedule_ok {
            return bad(format!("sigmoid schedule needs steps >= 2, end > start, tau > 0, 0 < max_beta < 1: {d:?}"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_validate_and_round_trip() {
        for c in [SmokeWdnoConfig::small(Conditioning::Both), SmokeWdnoConfig::paper(Conditioning::Control)] {
            c.validate().unwrap();
            let back: SmokeWdnoConfig = toml::from_str(&toml::to_string(&c).unwrap()).unwrap();
            assert_eq!(back, c);
        }
        let mut c = SmokeWdnoConfig::small(Conditioning::Both);
        c.layout.canvas = [10, 20, 20]; // T' not a multiple of 4
        assert!(c.validate().is_err());
        assert!(toml::from_str::<SmokeWdnoConfig>("bogus = 1").is_err());
    }
}
