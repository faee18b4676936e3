//! The SRM's 17-channel canvas at one refinement level (brief §5.1; repo
//! `get_wavelet_super_preprocess`).
//!
//! A fine trajectory `(u [nt+1, nx], f [nt, nx])` (`nt`, `nx` even) and its coarse version
//! `(u[::2, ::2], f[::2, ::2])` are packed by the base layout ([`Layout`], brief §2.2) at their
//! own resolutions. With `ct × cx` the fine coefficient grid, the canvas `[17, H, W]` holds:
//!
//! | channels | content |
//! |---|---|
//! | 0–7 | fine coefficients (u then f, bands `aa, da, ad, dd`), divided by the scalers |
//! | 8–15 | coarse coefficients, nearest-upsampled 2× (`low[i, j] = coarse[⌊i/2⌋, ⌊j/2⌋]`), cropped to `ct × cx` |
//! | 16 | the fine condition stripes of `u0` (simulation: no `uT`) |
//!
//! The coarse grid has `⌈ct/2⌉ × ⌈cx/2⌉` coefficients, so the 2× upsampling covers the fine grid
//! and the repo's "copy the last row" for odd lengths is the crop. Generated: the u bands
//! (channels 0–3) inside `ct × cx`; everything else (f bands, low bands, condition, padding) is
//! known, inpainted and has a zero noise target. Channels 0–7 and 16 are exactly the base
//! canvas of the fine trajectory, so [`SrmLevel::unpack`] is [`Layout::unpack`].

use super::config::{SRM_CHANNELS, SrmConfig};
use crate::pde::wdno::config::{Domain, LayoutConfig};
use crate::pde::wdno::error::WdnoError;
use crate::pde::wdno::pack::{COND, Layout};
use ndarray::{Array2, Array3, ArrayView1, ArrayView2, ArrayView3, s};

/// Index of the SRM's condition channel.
pub const SRM_COND: usize = 16;
/// First of the low (coarse, upsampled) channels.
pub const LOW: usize = 8;

/// One refinement level: the fine grid `(nt, nx)` from its coarse grid `(nt/2, nx/2)`.
#[derive(Debug, Clone)]
pub struct SrmLevel {
    fine: Layout,
    coarse: Layout,
}

impl SrmLevel {
    /// The level whose fine trajectories have `nt` intervals and `nx` points (both even).
    pub fn new(cfg: &SrmConfig, nt: usize, nx: usize) -> Result<Self, WdnoError> {
        if nt < 2 || nx < 4 || !nt.is_multiple_of(2) || !nx.is_multiple_of(2) {
            return Err(WdnoError::Shape(format!("a super-resolution level needs even nt >= 2 and nx >= 4 (the coarse grid is u[::2, ::2]), got {}x{nx}", nt + 1)));
        }
        let canvas = cfg.canvas_for(nt / 2 + 1, nx / 2);
        let layout = |nt: usize, nx: usize| LayoutConfig { domain: Domain::Wavelet, nt, nx, canvas, wavelet: cfg.wavelet.clone(), scalers: cfg.scalers.clone() };
        Ok(Self { fine: Layout::new(&layout(nt, nx))?, coarse: Layout::new(&layout(nt / 2, nx / 2))? })
    }

    /// The fine grid `(nt, nx)`.
    pub fn fine_grid(&self) -> (usize, usize) {
        (self.fine.config().nt, self.fine.config().nx)
    }

    /// The coarse grid `(nt/2, nx/2)`.
    pub fn coarse_grid(&self) -> (usize, usize) {
        (self.coarse.config().nt, self.coarse.config().nx)
    }

    /// Canvas shape `[17, H, W]`.
    pub fn shape(&self) -> [usize; 3] {
        let [_, h, w] = self.fine.shape();
        [SRM_CHANNELS, h, w]
    }

    /// The base layout of the fine trajectories.
    pub fn fine_layout(&self) -> &Layout {
        &self.fine
    }

    /// Channels 0–7 and 16 from a 9-channel fine canvas, 8–15 from the coarse one (upsampled).
    fn assemble(&self, fine: &Array3<f32>, coarse: &Array3<f32>) -> Array3<f32> {
        let (ct, cx) = self.fine.coef_dims();
        let mut out = Array3::<f32>::zeros(self.shape());
        out.slice_mut(s![..LOW, .., ..]).assign(&fine.slice(s![..COND, .., ..]));
        out.slice_mut(s![SRM_COND, .., ..]).assign(&fine.slice(s![COND, .., ..]));
        for ch in 0..LOW {
            for i in 0..ct {
                for j in 0..cx {
                    out[[LOW + ch, i, j]] = coarse[[ch, i / 2, j / 2]];
                }
            }
        }
        out
    }

    /// A training pair from a fine trajectory: target bands, its own coarse version as the
    /// low bands, the `u0` stripes.
    pub fn pack_pair(&self, u: ArrayView2<f64>, f: ArrayView2<f64>) -> Result<Array3<f32>, WdnoError> {
        let fine = self.fine.pack(u, f, false)?;
        let coarse = self.coarse.pack_fields(u.slice(s![..;2, ..;2]), f.slice(s![..;2, ..;2]))?;
        Ok(self.assemble(&fine, &coarse))
    }

    /// The known part of a super-resolution problem: a coarse trajectory `u_coarse`
    /// (`[nt/2+1, nx/2]`), the fine initial state `u0` (`[nx]`) and forcing `f` (`[nt, nx]`; its
    /// even rows and columns are the coarse forcing). The u target bands are zero.
    pub fn known(&self, u_coarse: ArrayView2<f64>, u0: ArrayView1<f64>, f: ArrayView2<f64>) -> Result<Array3<f32>, WdnoError> {
        let (nt, nx) = self.fine_grid();
        if f.dim() != (nt, nx) {
            return Err(WdnoError::Shape(format!("fine forcing is {}x{}, expected {nt}x{nx}", f.nrows(), f.ncols())));
        }
        let fine = self.fine.condition(u0, None, Some(f))?;
        let coarse = self.coarse.pack_fields(u_coarse, f.slice(s![..;2, ..;2]))?;
        Ok(self.assemble(&fine, &coarse))
    }

    /// Mask `[17, H, W]`: 0 on the u target bands inside the coefficient grid, 1 elsewhere.
    pub fn fixed_mask(&self) -> Array3<f32> {
        let (ct, cx) = self.fine.coef_dims();
        let mut m = Array3::<f32>::ones(self.shape());
        m.slice_mut(s![..4, ..ct, ..cx]).fill(0.0);
        m
    }

    /// The fine trajectory `(u [nt+1, nx], f [nt, nx])` of a canvas (inverse DWT of 0–7).
    pub fn unpack(&self, canvas: ArrayView3<f32>) -> Result<(Array2<f64>, Array2<f64>), WdnoError> {
        let shape = self.shape();
        if canvas.shape() != shape {
            return Err(WdnoError::Shape(format!("SRM canvas is {:?}, expected {shape:?}", canvas.shape())));
        }
        let mut base = Array3::<f32>::zeros(self.fine.shape());
        base.slice_mut(s![..COND, .., ..]).assign(&canvas.slice(s![..LOW, .., ..]));
        base.slice_mut(s![COND, .., ..]).assign(&canvas.slice(s![SRM_COND, .., ..]));
        self.fine.unpack(base.view())
    }

    /// The coarse trajectory held by the low bands (their even rows and columns).
    pub fn unpack_low(&self, canvas: ArrayView3<f32>) -> Result<(Array2<f64>, Array2<f64>), WdnoError> {
        let mut base = Array3::<f32>::zeros(self.coarse.shape());
        let (ct, cx) = self.coarse.coef_dims();
        let low = canvas.slice(s![LOW..SRM_COND, ..;2, ..;2]);
        base.slice_mut(s![..COND, ..ct, ..cx]).assign(&low.slice(s![.., ..ct, ..cx]));
        self.coarse.unpack(base.view())
    }
}

#[cfg(test)]
#[path = "pack_tests.rs"]
mod tests;
