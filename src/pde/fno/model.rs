//! The FNO surrogate for forced Burgers (Li et al., ICLR 2021, §4; the 2-D "space–time" variant
//! of their Navier–Stokes experiment, FNO-3D there, here over (t, x)).
//!
//! Input on the `(nt+1) × nx` grid, 4 channels: `u0(x)` repeated over time, the forcing that
//! acts before each row (`f[k−1]` on row `k`, zero on row 0) divided by `f_scale`, and the
//! coordinates `t = k/nt`, `x = (j+1)/(nx+1)`. Network: pointwise lift to `width`, zero padding
//! by `pad` (the grid is not periodic in t or x), `layers` blocks
//! `x ← σ(K x + W x)` with `K` a [`SpectralConv2d`] and `W` pointwise (no σ after the last),
//! crop, pointwise projection `width → proj → 1` with GELU. The output is the whole trajectory
//! `u[0..=nt]`; row 0 is replaced by the given `u0` when predicting.

use super::spectral::{DftBasis, SpectralConv2d};
use crate::pde::wdno::WdnoError;
use burn::nn::{Linear, LinearConfig};
use burn::prelude::*;
use burn::tensor::activation::gelu;
use ndarray::{Array3, ArrayView2, ArrayView3};
use serde::{Deserialize, Serialize};

/// FNO hyper-parameters (defaults: Li et al.'s 2-D setting, width 32, 12 modes, 4 layers,
/// projection 128; padding ours).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FnoConfig {
    /// Stored time intervals `nt` (`u` has `nt + 1` rows).
    pub nt: usize,
    /// Stored grid points `nx`.
    pub nx: usize,
    /// Channels in the Fourier layers.
    pub width: usize,
    /// Kept modes `[m₁ (each sign, over t), m₂ (over x)]`.
    pub modes: [usize; 2],
    /// Fourier layers.
    pub layers: usize,
    /// Zero padding appended to `[t, x]` before the Fourier layers.
    pub pad: [usize; 2],
    /// Hidden width of the projection.
    pub proj: usize,
    /// The forcing is divided by this on input.
    pub f_scale: f64,
}

impl Default for FnoConfig {
    fn default() -> Self {
        Self { nt: 40, nx: 60, width: 32, modes: [12, 12], layers: 4, pad: [8, 8], proj: 128, f_scale: 2.0 }
    }
}

impl FnoConfig {
    /// The `small` preset (41×60 data) or `paper` (81×120, 16 modes, width 64).
    pub fn preset(name: &str) -> Result<Self, WdnoError> {
        match name {
            "small" => Ok(Self::default()),
            "paper" => Ok(Self { nt: 80, nx: 120, width: 64, modes: [16, 16], ..Self::default() }),
            p => Err(WdnoError::Config(format!("unknown FNO preset '{p}': expected small or paper"))),
        }
    }

    /// Check sizes.
    pub fn validate(&self) -> Result<(), WdnoError> {
        if self.nt == 0 || self.nx < 2 || self.width == 0 || self.layers == 0 || self.proj == 0 || self.modes.contains(&0) || !(self.f_scale > 0.0) {
            return Err(WdnoError::Config(format!("FNO needs nt, width, layers, proj, modes > 0, nx >= 2 and f_scale > 0: {self:?}")));
        }
        Ok(())
    }

    /// The same network at `r` times the resolution (`r·nt` intervals, `r·nx` points), for
    /// zero-shot super-resolution (Li et al. §5.4): the padding grows so that the padded grid is
    /// exactly `r` times the training one, which keeps every kept mode at the same physical
    /// frequency; the weights do not change.
    pub fn at_resolution(&self, nt: usize, nx: usize) -> Result<Self, WdnoError> {
        let r = nt / self.nt;
        if r == 0 || nt != r * self.nt || nx != r * self.nx {
            return Err(WdnoError::Shape(format!("{}x{} is not an integer multiple r of the model's {}x{} (same r in t and x)", nt + 1, nx, self.nt + 1, self.nx)));
        }
        let [h, w] = self.grid();
        Ok(Self { nt, nx, pad: [r * h - (nt + 1), r * w - nx], ..self.clone() })
    }

    /// The padded grid the Fourier layers see.
    pub fn grid(&self) -> [usize; 2] {
        [self.nt + 1 + self.pad[0], self.nx + self.pad[1]]
    }

    /// The kept modes of the padded grid.
    pub fn basis(&self) -> DftBasis {
        DftBasis::new(self.grid(), self.modes[0], self.modes[1])
    }

    /// A freshly initialised network.
    pub fn init<B: Backend>(&self, device: &B::Device) -> Fno<B> {
        let modes = self.basis().modes();
        let lin = |i: usize, o: usize| LinearConfig::new(i, o).init(device);
        Fno {
            lift: lin(INPUTS, self.width),
            spectral: (0..self.layers).map(|_| SpectralConv2d::new(modes, self.width, self.width, device)).collect(),
            pointwise: (0..self.layers).map(|_| lin(self.width, self.width)).collect(),
            proj1: lin(self.width, self.proj),
            proj2: lin(self.proj, 1),
            nt: self.nt,
            nx: self.nx,
            pad: self.pad,
            modes: self.modes,
        }
    }

    /// The input channels `[4, nt+1, nx]` of one trajectory (see the module docs).
    pub fn input(&self, u0: ArrayView2<f64>, f: ArrayView3<f64>) -> Result<Array3<f32>, WdnoError> {
        let (n, nx) = u0.dim();
        if f.dim() != (n, self.nt, self.nx) || nx != self.nx {
            return Err(WdnoError::Shape(format!("u0 is {:?} and f {:?}; the FNO expects [N, {}] and [N, {}, {}]", u0.dim(), f.dim(), self.nx, self.nt, self.nx)));
        }
        let (h, w) = (self.nt + 1, self.nx);
        let mut x = Array3::<f32>::zeros((n * INPUTS, h, w));
        for b in 0..n {
            for k in 0..h {
                for j in 0..w {
                    let c = b * INPUTS;
                    x[[c, k, j]] = u0[[b, j]] as f32;
                    x[[c + 1, k, j]] = if k == 0 { 0.0 } else { (f[[b, k - 1, j]] / self.f_scale) as f32 };
                    x[[c + 2, k, j]] = k as f32 / self.nt as f32;
                    x[[c + 3, k, j]] = (j + 1) as f32 / (w + 1) as f32;
                }
            }
        }
        Ok(x)
    }
}

/// Input channels: u0, shifted forcing, t, x.
pub const INPUTS: usize = 4;

/// The network.
#[derive(Module, Debug)]
pub struct Fno<B: Backend> {
    lift: Linear<B>,
    spectral: Vec<SpectralConv2d<B>>,
    pointwise: Vec<Linear<B>>,
    proj1: Linear<B>,
    proj2: Linear<B>,
    nt: usize,
    nx: usize,
    pad: [usize; 2],
    modes: [usize; 2],
}

/// A pointwise linear map over the channel axis of `[N, C, H, W]`.
fn pointwise<B: Backend>(l: &Linear<B>, x: Tensor<B, 4>) -> Tensor<B, 4> {
    l.forward(x.permute([0, 2, 3, 1])).permute([0, 3, 1, 2])
}

impl<B: Backend> Fno<B> {
    /// `[N, 4, nt+1, nx]` → `[N, nt+1, nx]`.
    pub fn forward(&self, x: Tensor<B, 4>) -> Tensor<B, 3> {
        self.forward_padded(x, self.pad)
    }

    /// [`Self::forward`] with another padding (see [`FnoConfig::at_resolution`]).
    pub fn forward_padded(&self, x: Tensor<B, 4>, pad: [usize; 2]) -> Tensor<B, 3> {
        let [n, _, h, w] = x.dims();
        let device = x.device();
        let grid = [h + pad[0], w + pad[1]];
        let basis = DftBasis::new(grid, self.modes[0], self.modes[1]).tensors::<B>(&device);
        let mut z = pointwise(&self.lift, x);
        let c = z.dims()[1];
        z = z.pad((0, pad[1], 0, pad[0]), burn::tensor::ops::PadMode::Constant(0.0));
        let last = self.spectral.len() - 1;
        for (i, (k, p)) in self.spectral.iter().zip(&self.pointwise).enumerate() {
            let y = k.forward(z.clone(), &basis) + pointwise(p, z);
            z = if i == last { y } else { gelu(y) };
        }
        let z = z.slice([0..n, 0..c, 0..h, 0..w]);
        let z = pointwise(&self.proj2, gelu(pointwise(&self.proj1, z)));
        z.reshape([n, h, w])
    }

    /// The data sizes `(nt, nx)` the network was built for.
    pub fn sizes(&self) -> (usize, usize) {
        (self.nt, self.nx)
    }
}
