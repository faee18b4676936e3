//! The Burgers wavelet tensor (brief §2.2; WDNO code `burgers/wave_trans.py`,
//! `burgers/ddpm_burgers/data_burgers_1d.py`).
//!
//! A trajectory `u` (`[nt+1, nx]`) and its forcing `f` (`[nt, nx]`, given one appended zero row)
//! get a single-level 2-D DWT over (t, x) with `periodization` (odd lengths first extended by
//! their last sample), giving `ct × cx = ⌈(nt+1)/2⌉ × ⌈nx/2⌉` coefficients per sub-band. The
//! canvas `[9, H, W]` holds, each divided by its fixed scaler `c_k`:
//!
//! | channels | content |
//! |---|---|
//! | 0–3 | u bands `aa, da, ad, dd` (pywt keys; first letter = time) |
//! | 4–7 | f bands, same order |
//! | 8 | condition: 1-D DWTs of `u0` and `uT` over x as 4 stripes of `H/4` identical rows: `[a(u0), d(u0), a(uT), d(uT)]` |
//!
//! Coefficients sit in the top-left `ct × cx`; the rest of channels 0–7 ("pad") is zero, as are
//! the unused stripes (uT in simulation). The inverse multiplies by the scalers, crops the
//! coefficients, inverts the DWT and crops `nt+1` (resp. `nt`) rows: exact up to rounding.
//! [`Layout::unpack_tensor`] is the same inverse on burn tensors (differentiable, for guidance).
//!
//! The physical-space baseline ([`Domain::Physical`]) skips the DWT: channel 0 is `u`, 1 is `f`
//! (plus the zero row), 2 the condition as 2 stripes of `H/2` rows, `[u0, uT]`, each divided by
//! its scaler, in the top-left `(nt+1) × nx` of the canvas.

use super::config::{Conditioning, Domain, LayoutConfig};
use super::error::WdnoError;
use crate::pde::wavelet::{Mode, Wavelet, dwtn, idwtn, tensor as wt, wavedec, waverec};
use burn::prelude::*;
use ndarray::{Array1, Array2, Array3, ArrayView1, ArrayView2, ArrayView3, ArrayViewMut3, Axis, s};
use std::collections::BTreeMap;

/// Band keys in channel order.
pub const BANDS: [&str; 4] = ["aa", "da", "ad", "dd"];
/// Index of the condition channel of the wavelet layout (the last channel in both domains).
pub const COND: usize = 8;

/// A validated layout with its wavelet.
#[derive(Debug, Clone)]
pub struct Layout {
    cfg: LayoutConfig,
    wavelet: Wavelet,
}

impl Layout {
    /// Check the configuration (wavelet name, canvas size) and build the layout.
    pub fn new(cfg: &LayoutConfig) -> Result<Self, WdnoError> {
        let wavelet = Wavelet::from_name(&cfg.wavelet)?;
        let l = Self { cfg: cfg.clone(), wavelet };
        let (ct, cx) = l.coef_dims();
        let [h, w] = cfg.canvas;
        let (st, ch) = (l.stripes(), cfg.domain.channels());
        if cfg.nt == 0 || cfg.nx < 2 || ct > h || cx > w || h % st != 0 || cfg.scalers.len() != ch {
            return Err(WdnoError::Config(format!("layout does not fit: {ct}x{cx} grid on {h}x{w} (rows % {st} == 0), {ch} scalers: {cfg:?}")));
        }
        Ok(l)
    }

    /// The configuration.
    pub fn config(&self) -> &LayoutConfig {
        &self.cfg
    }

    /// Coefficient grid `(ct, cx)` per sub-band (physical: the trajectory grid `(nt+1, nx)`).
    pub fn coef_dims(&self) -> (usize, usize) {
        match self.cfg.domain {
            Domain::Wavelet => ((self.cfg.nt + 2) / 2, self.cfg.nx.div_ceil(2)),
            Domain::Physical => (self.cfg.nt + 1, self.cfg.nx),
        }
    }

    /// Canvas shape `[C, H, W]` (`C` = 9 wavelet, 3 physical).
    pub fn shape(&self) -> [usize; 3] {
        [self.cfg.domain.channels(), self.cfg.canvas[0], self.cfg.canvas[1]]
    }

    fn physical(&self) -> bool {
        self.cfg.domain == Domain::Physical
    }

    /// Index of the condition channel (the last).
    pub fn cond_channel(&self) -> usize {
        self.cfg.domain.channels() - 1
    }

    /// Condition stripes: `a(u0), d(u0), a(uT), d(uT)` (wavelet) or `u0, uT` (physical).
    fn stripes(&self) -> usize {
        if self.physical() { 2 } else { 4 }
    }

    /// Channels holding `u` (the first `n`), then `f` (up to `2n`).
    fn field_channels(&self) -> usize {
        if self.physical() { 1 } else { 4 }
    }

    fn check(&self, what: &str, got: (usize, usize), want: (usize, usize)) -> Result<(), WdnoError> {
        if got != want {
            return Err(WdnoError::Shape(format!("{what} is {}x{}, expected {}x{}", got.0, got.1, want.0, want.1)));
        }
        Ok(())
    }

    /// Write the condition stripes of `u0` and (if given) `uT` into channel 8 of `canvas`.
    fn write_condition(&self, mut canvas: ArrayViewMut3<f32>, u0: ArrayView1<f64>, ut: Option<ArrayView1<f64>>) -> Result<(), WdnoError> {
        let rows = self.cfg.canvas[0] / self.stripes();
        let cc = self.cond_channel();
        let c = self.cfg.scalers[cc];
        for (i, v) in [Some(u0), ut].into_iter().enumerate() {
            let Some(v) = v else { continue };
            self.check("condition state", (1, v.len()), (1, self.cfg.nx))?;
            if self.physical() {
                for r in i * rows..(i + 1) * rows {
                    canvas.slice_mut(s![cc, r, ..v.len()]).zip_mut_with(&v, |d, x| *d = (x / c) as f32);
                }
                continue;
            }
            let bands = wavedec(v, &self.wavelet, Mode::Periodization, 1)?;
            for (j, band) in bands.iter().enumerate() {
                let r0 = (2 * i + j) * rows;
                for (k, b) in band.iter().enumerate() {
                    canvas.slice_mut(s![COND, r0..r0 + rows, k]).fill((b / c) as f32);
                }
            }
        }
        Ok(())
    }

    /// The full canvas of a trajectory: all bands of `u` and `f`, condition stripes of `u0` and
    /// (if `with_target`) `uT = u[nt]`.
    pub fn pack(&self, u: ArrayView2<f64>, f: ArrayView2<f64>, with_target: bool) -> Result<Array3<f32>, WdnoError> {
        let mut canvas = self.pack_fields(u, f)?;
        self.write_condition(canvas.view_mut(), u.row(0), with_target.then(|| u.row(self.cfg.nt)))?;
        Ok(canvas)
    }

    /// [`Layout::pack`] without the condition channel (left zero): the u and f channels only.
    pub fn pack_fields(&self, u: ArrayView2<f64>, f: ArrayView2<f64>) -> Result<Array3<f32>, WdnoError> {
        let (nt, nx) = (self.cfg.nt, self.cfg.nx);
        self.check("u", u.dim(), (nt + 1, nx))?;
        self.check("f", f.dim(), (nt, nx))?;
        let mut both = ndarray::Array3::<f64>::zeros((2, nt + 1, nx));
        both.slice_mut(s![0, .., ..]).assign(&u);
        both.slice_mut(s![1, ..nt, ..]).assign(&f);
        let mut canvas = Array3::<f32>::zeros(self.shape());
        if self.physical() {
            for field in 0..2 {
                let c = self.cfg.scalers[field];
                canvas.slice_mut(s![field, ..nt + 1, ..nx]).zip_mut_with(&both.index_axis(Axis(0), field), |d, v| *d = (v / c) as f32);
            }
            return Ok(canvas);
        }
        let bands = dwtn(both.view().into_dyn(), &self.wavelet, Mode::Periodization, 2)?;
        let (ct, cx) = self.coef_dims();
        for (b, key) in BANDS.iter().enumerate() {
            let band = &bands[*key];
            for field in 0..2 {
                let ch = 4 * field + b;
                let c = self.cfg.scalers[ch];
                let src = band.index_axis(Axis(0), field);
                canvas.slice_mut(s![ch, ..ct, ..cx]).zip_mut_with(&src, |d, v| *d = (v / c) as f32);
            }
        }
        Ok(canvas)
    }

    /// The known part of a sampling problem: the condition stripes (`u0`, and `uT` for control)
    /// and, for simulation, the f bands. Everything else is zero.
    pub fn condition(&self, u0: ArrayView1<f64>, ut: Option<ArrayView1<f64>>, f: Option<ArrayView2<f64>>) -> Result<Array3<f32>, WdnoError> {
        let mut canvas = match f {
            Some(f) => {
                let mut u = Array2::zeros((self.cfg.nt + 1, self.cfg.nx));
                u.row_mut(0).assign(&u0);
                let mut c = self.pack(u.view(), f, false)?;
                c.slice_mut(s![0..self.field_channels(), .., ..]).fill(0.0);
                c
            }
            None => Array3::zeros(self.shape()),
        };
        self.write_condition(canvas.view_mut(), u0, ut)?;
        Ok(canvas)
    }

    /// Zero the target stripes (`uT`) of a packed canvas, turning a control example into a
    /// simulation one.
    pub fn drop_target(&self, mut canvas: ArrayViewMut3<f32>) {
        let rows = self.cfg.canvas[0] / self.stripes();
        canvas.slice_mut(s![self.cond_channel(), self.stripes() / 2 * rows.., ..]).fill(0.0);
    }

    /// Mask `[C, H, W]`: 1 where the value is fixed (known condition or zero padding), 0 where
    /// it is generated.
    pub fn fixed_mask(&self, cond: Conditioning) -> Result<Array3<f32>, WdnoError> {
        let (ct, cx) = self.coef_dims();
        let mut m = Array3::<f32>::ones(self.shape());
        let n = self.field_channels();
        let generated = match cond {
            Conditioning::Simulation => 0..n,
            Conditioning::Control => 0..2 * n,
            Conditioning::Both => return Err(WdnoError::Config("a sampling problem is either simulation or control".into())),
        };
        for ch in generated {
            m.slice_mut(s![ch, ..ct, ..cx]).fill(0.0);
        }
        Ok(m)
    }

    /// Inverse of [`Layout::pack`] for channels 0–7: `(u [nt+1, nx], f [nt, nx])`.
    pub fn unpack(&self, canvas: ArrayView3<f32>) -> Result<(Array2<f64>, Array2<f64>), WdnoError> {
        let [c, h, w] = self.shape();
        if canvas.dim() != (c, h, w) {
            return Err(WdnoError::Shape(format!("canvas is {:?}, expected [{c}, {h}, {w}]", canvas.shape())));
        }
        let (ct, cx) = self.coef_dims();
        let (nt, nx) = (self.cfg.nt, self.cfg.nx);
        if self.physical() {
            let field = |ch: usize, rows: usize| canvas.slice(s![ch, ..rows, ..nx]).mapv(|v| f64::from(v) * self.cfg.scalers[ch]);
            return Ok((field(0, nt + 1), field(1, nt)));
        }
        let mut bands = BTreeMap::new();
        for (b, key) in BANDS.iter().enumerate() {
            let mut band = ndarray::Array3::<f64>::zeros((2, ct, cx));
            for field in 0..2 {
                let ch = 4 * field + b;
                let sc = self.cfg.scalers[ch];
                band.index_axis_mut(Axis(0), field).zip_mut_with(&canvas.slice(s![ch, ..ct, ..cx]), |d, v| *d = f64::from(*v) * sc);
            }
            bands.insert(key.to_string(), band.into_dyn());
        }
        let full = idwtn(&bands, &self.wavelet, Mode::Periodization)?;
        let u = full.slice(s![0, ..nt + 1, ..nx]).to_owned();
        let f = full.slice(s![1, ..nt, ..nx]).to_owned();
        Ok((u, f))
    }

    /// The 1-D inverse of the condition stripes `(u0, uT)` (row 0 of each stripe).
    pub fn unpack_condition(&self, canvas: ArrayView3<f32>) -> Result<(Array1<f64>, Array1<f64>), WdnoError> {
        let rows = self.cfg.canvas[0] / self.stripes();
        let cc = self.cond_channel();
        let c = self.cfg.scalers[cc];
        if self.physical() {
            let row = |i: usize| -> Array1<f64> { canvas.slice(s![cc, i * rows, ..self.cfg.nx]).mapv(|v| f64::from(v) * c) };
            return Ok((row(0), row(1)));
        }
        let k = self.cfg.nx.div_ceil(2);
        let row = |i: usize| -> Array1<f64> { canvas.slice(s![cc, i * rows, ..k]).mapv(|v| f64::from(v) * c) };
        let inv = |i: usize| -> Result<Array1<f64>, WdnoError> {
            let v = waverec(&[row(2 * i), row(2 * i + 1)], &self.wavelet, Mode::Periodization)?;
            Ok(v.slice(s![..self.cfg.nx]).to_owned())
        };
        Ok((inv(0)?, inv(1)?))
    }

    /// [`Layout::pack`] on burn tensors, without condition channel (it is 0): `u [B, nt+1, nx]`,
    /// `f [B, nt, nx]` → `[B, 9, H, W]`.
    pub fn pack_tensor<B: Backend>(&self, u: Tensor<B, 3>, f: Tensor<B, 3>) -> Result<Tensor<B, 4>, WdnoError> {
        let (nt, nx) = (self.cfg.nt, self.cfg.nx);
        let [b, r, x] = u.dims();
        self.check("u", (r, x), (nt + 1, nx))?;
        self.check("f", (f.dims()[1], f.dims()[2]), (nt, nx))?;
        let device = u.device();
        let f = Tensor::cat(vec![f, Tensor::zeros([b, 1, nx], &device)], 1);
        let both = Tensor::stack::<4>(vec![u, f], 1); // [B, 2, nt+1, nx]
        let [_, h, w] = self.shape();
        if self.physical() {
            let sc: Vec<f32> = self.cfg.scalers[..2].iter().map(|v| *v as f32).collect();
            let sc = Tensor::<B, 1>::from_data(TensorData::new(sc, [2]), &device).reshape([1, 2, 1, 1]);
            let fields = (both / sc).pad((0, w - nx, 0, h - nt - 1), burn::tensor::ops::PadMode::Constant(0.0));
            return Ok(Tensor::cat(vec![fields, Tensor::zeros([b, 1, h, w], &device)], 1));
        }
        let bands = wt::dwtn(both, &self.wavelet, Mode::Periodization, 2)?;
        let (ct, cx) = self.coef_dims();
        let mut chans = Vec::with_capacity(9);
        for field in 0..2 {
            for (bi, key) in BANDS.iter().enumerate() {
                let band = bands[*key].clone().narrow(1, field, 1).div_scalar(self.cfg.scalers[4 * field + bi] as f32);
                chans.push(band.pad((0, w - cx, 0, h - ct), burn::tensor::ops::PadMode::Constant(0.0)));
            }
        }
        chans.push(Tensor::zeros([b, 1, h, w], &device));
        Ok(Tensor::cat(chans, 1))
    }

    /// [`Layout::unpack`] on burn tensors (differentiable): `[B, C, H, W]` →
    /// `(u [B, nt+1, nx], f [B, nt, nx])`.
    pub fn unpack_tensor<B: Backend>(&self, canvas: Tensor<B, 4>) -> Result<(Tensor<B, 3>, Tensor<B, 3>), WdnoError> {
        let [_, c, h, w] = canvas.dims();
        let [c0, h0, w0] = self.shape();
        if (c, h, w) != (c0, h0, w0) {
            return Err(WdnoError::Shape(format!("canvas is {:?}, expected [B, {c0}, {h0}, {w0}]", canvas.dims())));
        }
        let (ct, cx) = self.coef_dims();
        let device = canvas.device();
        let (nt, nx) = (self.cfg.nt, self.cfg.nx);
        if self.physical() {
            let field = |ch: usize, rows: usize| canvas.clone().narrow(1, ch, 1).narrow(2, 0, rows).narrow(3, 0, nx).squeeze_dim::<3>(1).mul_scalar(self.cfg.scalers[ch] as f32);
            return Ok((field(0, nt + 1), field(1, nt)));
        }
        let scale: Vec<f32> = self.cfg.scalers[..8].iter().map(|v| *v as f32).collect();
        let scale = Tensor::<B, 1>::from_data(TensorData::new(scale, [8]), &device).reshape([1, 8, 1, 1]);
        let coef = canvas.narrow(1, 0, 8).narrow(2, 0, ct).narrow(3, 0, cx) * scale;
        let mut bands = BTreeMap::new();
        for (bi, key) in BANDS.iter().enumerate() {
            let pair = Tensor::cat(vec![coef.clone().narrow(1, bi, 1), coef.clone().narrow(1, 4 + bi, 1)], 1);
            bands.insert(key.to_string(), pair);
        }
        let full = wt::idwtn(&bands, &self.wavelet, Mode::Periodization)?; // [B, 2, 2ct, 2cx]
        let u = full.clone().narrow(1, 0, 1).narrow(2, 0, nt + 1).narrow(3, 0, nx).squeeze_dim::<3>(1);
        let f = full.narrow(1, 1, 1).narrow(2, 0, nt).narrow(3, 0, nx).squeeze_dim::<3>(1);
        Ok((u, f))
    }
}

/// Stack `[9, H, W]` host canvases into one `[B, 9, H, W]` tensor.
pub fn canvases_to_tensor<B: Backend>(items: &[ArrayView3<f32>], device: &B::Device) -> Tensor<B, 4> {
    let shape = items.first().map(|a| a.dim()).unwrap_or((9, 1, 1));
    let mut v = Vec::with_capacity(items.len() * shape.0 * shape.1 * shape.2);
    for a in items {
        v.extend(a.iter().copied());
    }
    Tensor::from_data(TensorData::new(v, [items.len(), shape.0, shape.1, shape.2]), device)
}

/// A `[B, 9, H, W]` tensor back to host canvases.
pub fn tensor_to_canvases<B: Backend>(t: Tensor<B, 4>) -> Vec<Array3<f32>> {
    let [b, c, h, w] = t.dims();
    let v: Vec<f32> = t.into_data().convert::<f32>().into_vec().expect("f32 data");
    let all = ndarray::Array4::from_shape_vec((b, c, h, w), v).expect("shape");
    all.outer_iter().map(|a| a.to_owned()).collect()
}

#[cfg(test)]
#[path = "pack_tests.rs"]
mod tests;
