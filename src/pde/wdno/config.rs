//! WDNO configuration: the wavelet tensor layout, the U-Net, the diffusion schedule and the
//! conditioning, with the `small` (brief §9.1) and `paper` (brief §2.2, §3) presets.
//!
//! Every struct is plain serde with `#[serde(default, deny_unknown_fields)]`; `Default` is the
//! paper's Burgers setting (Hu et al. 2025, code `burgers/ddpm_burgers/*`).

use super::error::WdnoError;
use serde::{Deserialize, Serialize};

/// Which quantities are given (inpainted) and which are generated (brief §1.1 "Tasks", §4.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Conditioning {
    /// Simulation: `u0` (condition channel) and the whole forcing `f` are given; `u` is generated.
    Simulation,
    /// Control: `u0` and the target `uT` (condition channel) are given; `u` and `f` are generated.
    Control,
    /// Training only: each example is a simulation or a control example with probability ½,
    /// so one network serves both tasks (a scidiff choice; the paper trains two networks).
    Both,
}

impl Conditioning {
    /// The CLI name.
    pub fn name(self) -> &'static str {
        match self {
            Conditioning::Simulation => "simulation",
            Conditioning::Control => "control",
            Conditioning::Both => "both",
        }
    }
}

/// Where the diffusion runs (brief §6 "Baselines named", §8 item 9).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Domain {
    /// WDNO: single-level 2-D wavelet coefficients, 9 channels.
    #[default]
    Wavelet,
    /// The "DDPM" baseline: the same diffusion on the trajectories themselves, 3 channels
    /// (`u`, `f`, condition).
    Physical,
}

impl Domain {
    /// Canvas channels.
    pub fn channels(self) -> usize {
        match self {
            Domain::Wavelet => 9,
            Domain::Physical => 3,
        }
    }
}

/// The canvas: WDNO's 9-channel wavelet tensor of brief §2.2, or the 3-channel physical one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LayoutConfig {
    /// Wavelet (WDNO, default) or physical (the DDPM baseline).
    pub domain: Domain,
    /// Stored time intervals `nt` (`u` has `nt + 1` rows, `f` has `nt`); paper 80, small 40.
    pub nt: usize,
    /// Stored grid points `nx`; paper 120, small 60.
    pub nx: usize,
    /// Canvas `[rows, cols]`; paper `[64, 64]`, small `[24, 32]`. Rows must be a multiple of 4
    /// (four condition stripes).
    pub canvas: [usize; 2],
    /// Wavelet name (paper `bior2.4`); the mode is always `periodization`, level 1.
    pub wavelet: String,
    /// Per-channel scalers (wavelet: u LL, LH, HL, HH, f LL, LH, HL, HH, cond; physical: u, f,
    /// cond); values are divided by them, and they are also the loss weights.
    pub scalers: Vec<f64>,
}

impl Default for LayoutConfig {
    fn default() -> Self {
        Self {
            domain: Domain::Wavelet,
            nt: 80,
            nx: 120,
            canvas: [64, 64],
            wavelet: "bior2.4".into(),
            scalers: vec![10.0, 3.0, 3.0, 1.0, 21.0, 5.0, 5.0, 1.0, 10.0],
        }
    }
}

/// The U-Net denoiser of brief §3.1 (lucidrains' `Unet2D`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UnetConfig {
    /// Input and output channels (9 for the Burgers layout).
    pub channels: usize,
    /// Base width; paper 128, small 16.
    pub dim: usize,
    /// Width multipliers per level; paper (1, 2, 4, 8), small (1, 2, 4).
    pub dim_mults: Vec<usize>,
    /// GroupNorm groups in the ResBlocks (paper Burgers: 1).
    pub groups: usize,
    /// Attention heads (linear and full).
    pub attn_heads: usize,
    /// Width per attention head.
    pub attn_dim_head: usize,
}

impl Default for UnetConfig {
    fn default() -> Self {
        Self { channels: 9, dim: 128, dim_mults: vec![1, 2, 4, 8], groups: 1, attn_heads: 4, attn_dim_head: 32 }
    }
}

impl UnetConfig {
    /// The canvas sides must be divisible by this (one halving per level but the last).
    pub fn downsampling(&self) -> usize {
        1 << self.dim_mults.len().saturating_sub(1)
    }

    fn validate(&self) -> Result<(), WdnoError> {
        let widths_ok = self.dim_mults.iter().all(|&m| m > 0 && (self.dim * m) % self.groups.max(1) == 0);
        if self.channels == 0 || self.dim == 0 || self.dim_mults.is_empty() || self.groups == 0 || !widths_ok {
            return Err(WdnoError::Config(format!("U-Net needs channels, dim, groups > 0, non-empty mults and widths divisible by groups: {self:?}")));
        }
        if self.attn_heads == 0 || self.attn_dim_head == 0 || self.dim % 2 != 0 {
            return Err(WdnoError::Config(format!("U-Net needs attention heads/width > 0 and an even dim: {self:?}")));
        }
        Ok(())
    }
}

/// The discrete DDPM schedule (brief §3.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DiffusionConfig {
    /// Number of diffusion steps `T` (paper 1000).
    pub steps: usize,
    /// Cosine offset `s` (paper 0.008).
    pub cosine_s: f64,
    /// β clip (paper 0.999).
    pub max_beta: f64,
}

impl Default for DiffusionConfig {
    fn default() -> Self {
        Self { steps: 1000, cosine_s: 0.008, max_beta: 0.999 }
    }
}

/// Everything that defines a WDNO model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WdnoConfig {
    /// Tensor layout.
    pub layout: LayoutConfig,
    /// Denoiser.
    pub unet: UnetConfig,
    /// Schedule.
    pub diffusion: DiffusionConfig,
    /// What the model is trained to be given.
    pub conditioning: Conditioning,
}

impl Default for WdnoConfig {
    fn default() -> Self {
        Self::paper(Conditioning::Simulation)
    }
}

impl WdnoConfig {
    /// Brief §2.2 / §3: 81×120 trajectories, 41×60 coefficients on a 64×64 canvas, dim 128.
    pub fn paper(conditioning: Conditioning) -> Self {
        Self { layout: LayoutConfig::default(), unet: UnetConfig::default(), diffusion: DiffusionConfig::default(), conditioning }
    }

    /// Brief §9.1 `burgers-small`: 41×60 trajectories, 21×30 coefficients on a 24×32 canvas,
    /// U-Net dim 16, mults (1, 2, 4) (≈0.72 M parameters).
    pub fn small(conditioning: Conditioning) -> Self {
        Self {
            layout: LayoutConfig { nt: 40, nx: 60, canvas: [24, 32], ..LayoutConfig::default() },
            unet: UnetConfig { dim: 16, dim_mults: vec![1, 2, 4], ..UnetConfig::default() },
            diffusion: DiffusionConfig::default(),
            conditioning,
        }
    }

    /// The physical-space DDPM baseline of the same size: `u`, `f` and the condition stripes
    /// (`u0` over the top half of the rows, `uT` over the bottom half) on a canvas that holds the
    /// whole trajectory, sides rounded up to multiples of 8 (small 48×64, paper 88×120), same U-Net, schedule and training.
    /// Scalers 3.5 (u), 7 (f), 3.5 (cond) put the data at max |value| ≈ 0.7, the range of the
    /// wavelet channels (a scidiff choice for an equal footing; the repo's physical scaler 10
    /// would leave u within ±0.23).
    pub fn physical(self) -> Self {
        let canvas = [(self.layout.nt + 1).div_ceil(8) * 8, self.layout.nx.div_ceil(8) * 8];
        let layout = LayoutConfig { domain: Domain::Physical, canvas, scalers: vec![3.5, 7.0, 3.5], ..self.layout };
        Self { layout, unet: UnetConfig { channels: 3, ..self.unet }, ..self }
    }

    /// A preset by name (`small` or `paper`).
    pub fn preset(name: &str, conditioning: Conditioning) -> Result<Self, WdnoError> {
        match name {
            "small" => Ok(Self::small(conditioning)),
            "paper" => Ok(Self::paper(conditioning)),
            other => Err(WdnoError::Config(format!("unknown preset '{other}': expected small or paper"))),
        }
    }

    /// Check that the pieces fit together (canvas vs coefficients vs U-Net depth).
    pub fn validate(&self) -> Result<(), WdnoError> {
        self.unet.validate()?;
        let l = &self.layout;
        let ch = l.domain.channels();
        if l.scalers.len() != ch || l.scalers.iter().any(|s| !(s.is_finite() && *s > 0.0)) {
            return Err(WdnoError::Config(format!("need {ch} positive scalers, got {:?}", l.scalers)));
        }
        if self.unet.channels != ch {
            return Err(WdnoError::Config(format!("the Burgers layout has {ch} channels, the U-Net {}", self.unet.channels)));
        }
        let [h, w] = l.canvas;
        let (ct, cx, stripes) = match l.domain {
            Domain::Wavelet => ((l.nt + 2) / 2, l.nx.div_ceil(2), 4),
            Domain::Physical => (l.nt + 1, l.nx, 2),
        };
        if l.nt == 0 || l.nx < 2 || ct > h || cx > w || h % stripes != 0 {
            return Err(WdnoError::Config(format!(
                "the {ct}x{cx} grid of {}x{} trajectories must fit the canvas {h}x{w} (rows a multiple of {stripes})",
                l.nt + 1,
                l.nx
            )));
        }
        let d = self.unet.downsampling();
        if h % d != 0 || w % d != 0 {
            return Err(WdnoError::Config(format!("canvas {h}x{w} must be divisible by {d} for {} U-Net levels", self.unet.dim_mults.len())));
        }
        let d = &self.diffusion;
        if d.steps < 2 || !(d.cosine_s >= 0.0) || !(d.max_beta > 0.0 && d.max_beta < 1.0) {
            return Err(WdnoError::Config(format!("diffusion needs steps >= 2, s >= 0, 0 < max_beta < 1: {d:?}")));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_validate_and_reject_bad_canvas() {
        WdnoConfig::small(Conditioning::Both).validate().unwrap();
        WdnoConfig::paper(Conditioning::Control).validate().unwrap();
        let mut c = WdnoConfig::small(Conditioning::Simulation);
        c.layout.canvas = [20, 32]; // 21 coefficient rows do not fit
        assert!(c.validate().is_err());
        c.layout.canvas = [28, 32]; // fits, but 4 levels need sides divisible by 8
        c.unet.dim_mults = vec![1, 2, 4, 8];
        assert!(c.validate().is_err());
        let text = toml::to_string(&WdnoConfig::small(Conditioning::Both)).unwrap();
        let back: WdnoConfig = toml::from_str(&text).unwrap();
        assert_eq!(back, WdnoConfig::small(Conditioning::Both));
        assert!(toml::from_str::<WdnoConfig>("bogus = 1").is_err());
        let p = WdnoConfig::small(Conditioning::Both).physical();
        p.validate().unwrap();
        assert_eq!((p.layout.canvas, p.unet.channels), ([48, 64], 3));
        assert_eq!(WdnoConfig::paper(Conditioning::Both).physical().layout.canvas, [88, 120]);
        // Run files written before the physical domain existed still load, as wavelet runs.
        let mut old: toml::Table = toml::from_str(&text).unwrap();
        old["layout"].as_table_mut().unwrap().remove("domain");
        let back: WdnoConfig = toml::from_str(&toml::to_string(&old).unwrap()).unwrap();
        assert_eq!(back.layout.domain, Domain::Wavelet);
    }
}
