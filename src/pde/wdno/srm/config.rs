//! Configuration of WDNO's super-resolution model (SRM, brief §5.1): the 17-channel layout's
//! wavelet and scalers, how many coarser resolution pairs it trains on, its canvas rule, the
//! U-Net and the schedule, with the `small` (brief §9.1) and `paper` (brief §3.1, §5.1) presets.
//!
//! Plain serde with `#[serde(default, deny_unknown_fields)]`; `Default` is the paper's Burgers
//! SRM (`--N_downsample 3`, dim 64, mults (1, 2, 4, 8): 35,755,921 parameters).

use crate::pde::wdno::config::{DiffusionConfig, UnetConfig};
use crate::pde::wdno::error::WdnoError;
use serde::{Deserialize, Serialize};

/// Channels of the SRM canvas: 8 target bands, 8 low bands, 1 condition channel.
pub const SRM_CHANNELS: usize = 17;

/// How a level's canvas is sized from its `ct × cx` coefficient grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CanvasRule {
    /// A square power of two, as the repo (41×60 → 64, 21×30 → 32, 11×15 → 16, 81×120 → 128).
    #[default]
    PowerOfTwo,
    /// Each side rounded up to a multiple of `max(4, U-Net downsampling)` (21×30 → 24×32 for
    /// the small U-Net, like the base model's canvas; less padding on CPU).
    RoundUp,
}

/// Everything that defines an SRM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SrmConfig {
    /// Wavelet name (paper `bior2.4`; mode `periodization`, level 1).
    pub wavelet: String,
    /// The base layout's 9 scalers (u LL, LH, HL, HH, f LL, LH, HL, HH, cond), used for the
    /// target bands, again for the low bands, and for the condition channel; also the loss
    /// weights. Paper: the base model's `[10, 3, 3, 1, 21, 5, 5, 1, 10]`.
    pub scalers: Vec<f64>,
    /// Training pairs below the data resolution (`--N_downsample`): pair `i` refines the data
    /// subsampled by `2^(i+1)` to the data subsampled by `2^i`. Paper 3 (81×120 data), small 2
    /// (41×60 ← 21×30 and 21×30 ← 11×15).
    pub levels: usize,
    /// Canvas sizing (paper: powers of two).
    pub canvas: CanvasRule,
    /// Denoiser (17 channels).
    pub unet: UnetConfig,
    /// Schedule (paper: 1000-step cosine).
    pub diffusion: DiffusionConfig,
}

impl Default for SrmConfig {
    fn default() -> Self {
        Self::paper()
    }
}

impl SrmConfig {
    /// Brief §3.1, §5.1: dim 64, mults (1, 2, 4, 8), three training pairs, power-of-two canvases.
    pub fn paper() -> Self {
        Self {
            wavelet: "bior2.4".into(),
            scalers: vec![10.0, 3.0, 3.0, 1.0, 21.0, 5.0, 5.0, 1.0, 10.0],
            levels: 3,
            canvas: CanvasRule::PowerOfTwo,
            unet: UnetConfig { channels: SRM_CHANNELS, dim: 64, ..UnetConfig::default() },
            diffusion: DiffusionConfig::default(),
        }
    }

    /// Brief §9.1 `burgers-small`: the base small U-Net (dim 16, mults (1, 2, 4)) with 17
    /// channels, pairs 41×60 ← 21×30 and 21×30 ← 11×15, canvases rounded up (24×32, 12×16).
    pub fn small() -> Self {
        Self { levels: 2, canvas: CanvasRule::RoundUp, unet: UnetConfig { channels: SRM_CHANNELS, dim: 16, dim_mults: vec![1, 2, 4], ..UnetConfig::default() }, ..Self::paper() }
    }

    /// A preset by name (`small` or `paper`).
    pub fn preset(name: &str) -> Result<Self, WdnoError> {
        match name {
            "small" => Ok(Self::small()),
            "paper" => Ok(Self::paper()),
            other => Err(WdnoError::Config(format!("unknown preset '{other}': expected small or paper"))),
        }
    }

    /// The 17 per-channel weights: target bands, low bands (same scalers), condition.
    pub fn channel_weights(&self) -> Vec<f64> {
        let s = &self.scalers;
        s[..8].iter().chain(&s[..8]).chain(std::iter::once(&s[8])).copied().collect()
    }

    /// The canvas `[H, W]` of a level with a `ct × cx` coefficient grid.
    pub fn canvas_for(&self, ct: usize, cx: usize) -> [usize; 2] {
        let m = self.unet.downsampling().max(4);
        match self.canvas {
            CanvasRule::PowerOfTwo => {
                let side = ct.max(cx).next_power_of_two().max(m);
                [side, side]
            }
            CanvasRule::RoundUp => [ct.div_ceil(m) * m, cx.div_ceil(m) * m],
        }
    }

    /// Check the pieces (scalers, channels, U-Net, schedule).
    pub fn validate(&self) -> Result<(), WdnoError> {
        let mut base = crate::pde::wdno::WdnoConfig::small(crate::pde::wdno::Conditioning::Simulation);
        base.unet = UnetConfig { channels: 9, ..self.unet.clone() };
        base.diffusion = self.diffusion.clone();
        base.layout.scalers = self.scalers.clone();
        base.layout.wavelet = self.wavelet.clone();
        base.layout.canvas = self.canvas_for(21, 30);
        base.validate()?;
        if self.unet.channels != SRM_CHANNELS {
            return Err(WdnoError::Config(format!("the SRM canvas has {SRM_CHANNELS} channels, the U-Net {}", self.unet.channels)));
        }
        if self.levels == 0 {
            return Err(WdnoError::Config("the SRM needs at least one training pair (levels >= 1)".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_canvases_and_toml() {
        let (p, s) = (SrmConfig::paper(), SrmConfig::small());
        p.validate().unwrap();
        s.validate().unwrap();
        // The repo's canvases (brief §5.1) and the small preset's.
        assert_eq!([p.canvas_for(41, 60), p.canvas_for(21, 30), p.canvas_for(11, 15), p.canvas_for(81, 120)], [[64, 64], [32, 32], [16, 16], [128, 128]]);
        assert_eq!([s.canvas_for(21, 30), s.canvas_for(11, 15), s.canvas_for(41, 60)], [[24, 32], [12, 16], [44, 60]]);
        assert_eq!(s.channel_weights().len(), 17);
        assert_eq!((s.channel_weights()[8], s.channel_weights()[12], s.channel_weights()[16]), (10.0, 21.0, 10.0));
        let back: SrmConfig = toml::from_str(&toml::to_string(&s).unwrap()).unwrap();
        assert_eq!(back, s);
        assert!(toml::from_str::<SrmConfig>("levels = 2\nbogus = 1").is_err());
        let mut bad = SrmConfig::small();
        bad.unet.channels = 9;
        assert!(bad.validate().is_err());
        bad = SrmConfig { levels: 0, ..SrmConfig::small() };
        assert!(bad.validate().is_err());
    }

    /// The small SRM is the small base U-Net with 17 instead of 9 channels in the 7×7 input and
    /// 1×1 output convolutions: 721,513 + 8·16·49 + 8·(16 + 1) = 727,921 parameters (the paper
    /// SRM's 35,755,921 is asserted from the layer list in `unet_tests`).
    #[test]
    fn small_parameter_count() {
        use burn::module::Module;
        let net: crate::pde::wdno::unet::Unet<burn::backend::NdArray<f32>> = SrmConfig::small().unet.init(&Default::default());
        assert_eq!(net.num_params(), 721_513 + 8 * 16 * 49 + 8 * 17);
        assert_eq!(net.num_params(), 727_921);
    }
}
