//! The smoke wavelet tensor (brief §2.3; WDNO code `smoke/wave_trans_2d.py`,
//! `smoke/ddpm/data_2d.py`).
//!
//! Each field `F ∈ {d, vx, vy, cx, cy}` (`[nt, ny, nx]`) gets a single-level 3-D DWT over
//! `(t, y, x)` with bior1.3 and zero padding: 8 sub-bands of `ct × cy × cx`,
//! `c = ⌊(n + 5)/2⌋` (32 → 18, 64 → 34). The canvas holds 42 channels of `[T', H, W]`, stored
//! flat as `[42·T', H, W]` (row `c·T' + τ`; the paper's tensor is `[T', 42, H, W]`, the same
//! numbers transposed), each divided by its fixed scaler:
//!
//! | channels | content |
//! |---|---|
//! | `8f .. 8f+7` | field `f` bands `aaa, aad, ada, add, daa, dad, dda, ddd` (letters: t, y, x) |
//! | 40 | 2-D DWT (bior1.3, zero) of `d(0)`: bands `aa, da, ad, dd`, band `j` repeated over `τ ∈ [jT'/4, (j+1)T'/4)` |
//! | 41 | 1-D DWT of the target fraction `s(t)`: at `τ < ct`, rows `[0, H/2)` hold `a[τ]`, rows `[H/2, H)` hold `d[τ]`, all columns |
//!
//! Coefficients sit in the top-left `ct × cy × cx`; the rest is zero ("padding"). The inverse
//! multiplies by the scalers, inverts the DWTs and crops `nt × ny × nx`: exact up to rounding
//! (the zero-mode DWT is a frame, perfect reconstruction on the kept samples). Channel 40 is
//! decoded from the mean of each band's repeated rows, channel 41 from the mean of each half
//! (the paper's "averaging the two halves"), so a generated canvas decodes to its least-squares
//! constant per block.

use super::config::{BANDS3, FIELDS, FRACTION_CHANNEL, INIT_CHANNEL, SMOKE_CHANNELS, SmokeLayoutConfig};
use crate::pde::wdno::config::Conditioning;
use crate::pde::wdno::error::WdnoError;
use crate::pde::wdno::pack::BANDS;
use crate::pde::wavelet::{Mode, Wavelet, dwt_coeff_len, dwtn, idwtn, tensor as wt};
use burn::prelude::*;
use ndarray::{Array1, Array2, Array3, Array4, ArrayView1, ArrayView2, ArrayView3, ArrayView4, Axis, s};
use std::collections::BTreeMap;

/// 3-D band keys in channel order (ptwt `wavedec3` order; letters = t, y, x).
pub const BANDS_3D: [&str; BANDS3] = ["aaa", "aad", "ada", "add", "daa", "dad", "dda", "ddd"];

/// One scene on the model grid.
#[derive(Debug, Clone, PartialEq)]
pub struct SmokeScene {
    /// `[5, nt, ny, nx]`: density, vx, vy, cx, cy.
    pub fields: Array4<f64>,
    /// Target fraction `s(t)`, `[nt]`.
    pub fraction: Array1<f64>,
}

/// A validated smoke layout with its wavelet.
#[derive(Debug, Clone)]
pub struct SmokeLayout {
    cfg: SmokeLayoutConfig,
    wavelet: Wavelet,
}

fn finite<'a>(what: &str, mut v: impl Iterator<Item = &'a f64>) -> Result<(), WdnoError> {
    match v.position(|x| !x.is_finite()) {
        Some(i) => Err(WdnoError::NonFinite(format!("{what} has a non-finite value at flat index {i}"))),
        None => Ok(()),
    }
}

impl SmokeLayout {
    /// Check the wavelet name and that the coefficients fit the canvas.
    pub fn new(cfg: &SmokeLayoutConfig) -> Result<Self, WdnoError> {
        let wavelet = Wavelet::from_name(&cfg.wavelet)?;
        let l = Self { cfg: cfg.clone(), wavelet };
        let (ct, cy, cx) = l.coef_dims();
        let [t, h, w] = cfg.canvas;
        if ct > t || cy > h || cx > w || t % 4 != 0 || h % 2 != 0 || cfg.scalers.len() != SMOKE_CHANNELS {
            return Err(WdnoError::Config(format!("smoke layout does not fit: {ct}x{cy}x{cx} coefficients on a {t}x{h}x{w} canvas (T' % 4 == 0, H even), {} scalers", cfg.scalers.len())));
        }
        Ok(l)
    }

    /// The configuration.
    pub fn config(&self) -> &SmokeLayoutConfig {
        &self.cfg
    }

    /// Coefficients per band `(ct, cy, cx)`.
    pub fn coef_dims(&self) -> (usize, usize, usize) {
        let c = |n: usize| dwt_coeff_len(n, self.wavelet.filter_len(), Mode::Zero);
        (c(self.cfg.frames), c(self.cfg.grid[0]), c(self.cfg.grid[1]))
    }

    /// Flat canvas shape `[42·T', H, W]`.
    pub fn shape(&self) -> [usize; 3] {
        let [t, h, w] = self.cfg.canvas;
        [SMOKE_CHANNELS * t, h, w]
    }

    /// `T'`.
    pub fn frames_canvas(&self) -> usize {
        self.cfg.canvas[0]
    }

    fn rows(&self, ch: usize) -> std::ops::Range<usize> {
        let t = self.cfg.canvas[0];
        ch * t..(ch + 1) * t
    }

    fn scale(&self, ch: usize) -> f64 {
        self.cfg.scalers[ch]
    }

    fn check_scene(&self, sc: &SmokeScene) -> Result<(), WdnoError> {
        let [ny, nx] = self.cfg.grid;
        let nt = self.cfg.frames;
        if sc.fields.dim() != (FIELDS, nt, ny, nx) || sc.fraction.len() != nt {
            return Err(WdnoError::Shape(format!("scene fields {:?} and fraction [{}], expected [{FIELDS}, {nt}, {ny}, {nx}] and [{nt}]", sc.fields.shape(), sc.fraction.len())));
        }
        finite("scene fields", sc.fields.iter())?;
        finite("target fraction", sc.fraction.iter())
    }

    /// The full canvas of a scene.
    pub fn pack(&self, sc: &SmokeScene) -> Result<Array3<f32>, WdnoError> {
        self.check_scene(sc)?;
        let mut canvas = Array3::<f32>::zeros(self.shape());
        let bands = dwtn(sc.fields.view().into_dyn(), &self.wavelet, Mode::Zero, 3)?;
        let (ct, cy, cx) = self.coef_dims();
        let t0 = self.cfg.canvas[0];
        for (b, key) in BANDS_3D.iter().enumerate() {
            for f in 0..FIELDS {
                let ch = BANDS3 * f + b;
                let src = bands[*key].index_axis(Axis(0), f).into_dimensionality::<ndarray::Ix3>().expect("rank 3");
                let c = self.scale(ch);
                let mut dst = canvas.slice_mut(s![ch * t0..ch * t0 + ct, ..cy, ..cx]);
                dst.zip_mut_with(&src, |d, v| *d = (v / c) as f32);
            }
        }
        self.write_init(&mut canvas, sc.fields.slice(s![0, 0, .., ..]))?;
        self.write_fraction(&mut canvas, sc.fraction.view())?;
        Ok(canvas)
    }

    /// Channel 40 from `d(0)` (`[ny, nx]`).
    fn write_init(&self, canvas: &mut Array3<f32>, d0: ArrayView2<f64>) -> Result<(), WdnoError> {
        let [ny, nx] = self.cfg.grid;
        if d0.dim() != (ny, nx) {
            return Err(WdnoError::Shape(format!("initial density is {:?}, expected [{ny}, {nx}]", d0.dim())));
        }
        finite("initial density", d0.iter())?;
        let bands = dwtn(d0.into_dyn(), &self.wavelet, Mode::Zero, 2)?;
        let (_, cy, cx) = self.coef_dims();
        let (q, c, r) = (self.cfg.canvas[0] / 4, self.scale(INIT_CHANNEL), self.rows(INIT_CHANNEL).start);
        for (j, key) in BANDS.iter().enumerate() {
            let band = bands[*key].view().into_dimensionality::<ndarray::Ix2>().expect("rank 2");
            for tau in j * q..(j + 1) * q {
                canvas.slice_mut(s![r + tau, ..cy, ..cx]).zip_mut_with(&band, |d, v| *d = (v / c) as f32);
            }
        }
        Ok(())
    }

    /// Channel 41 from `s(t)`.
    fn write_fraction(&self, canvas: &mut Array3<f32>, frac: ArrayView1<f64>) -> Result<(), WdnoError> {
        let parts = dwtn(frac.into_dyn(), &self.wavelet, Mode::Zero, 1)?;
        let (half, c, r) = (self.cfg.canvas[1] / 2, self.scale(FRACTION_CHANNEL), self.rows(FRACTION_CHANNEL).start);
        for (tau, (a, d)) in parts["a"].iter().zip(parts["d"].iter()).enumerate() {
            canvas.slice_mut(s![r + tau, ..half, ..]).fill((a / c) as f32);
            canvas.slice_mut(s![r + tau, half.., ..]).fill((d / c) as f32);
        }
        Ok(())
    }

    fn check_canvas(&self, canvas: &ArrayView3<f32>) -> Result<(), WdnoError> {
        let [c, h, w] = self.shape();
        if canvas.dim() != (c, h, w) {
            return Err(WdnoError::Shape(format!("canvas is {:?}, expected [{c}, {h}, {w}]", canvas.shape())));
        }
        Ok(())
    }

    /// Inverse of [`SmokeLayout::pack`] for channels 0–39 and 41.
    pub fn unpack(&self, canvas: ArrayView3<f32>) -> Result<SmokeScene, WdnoError> {
        self.check_canvas(&canvas)?;
        let (ct, cy, cx) = self.coef_dims();
        let t0 = self.cfg.canvas[0];
        let mut bands = BTreeMap::new();
        for (b, key) in BANDS_3D.iter().enumerate() {
            let mut band = ndarray::Array4::<f64>::zeros((FIELDS, ct, cy, cx));
            for f in 0..FIELDS {
                let ch = BANDS3 * f + b;
                let c = self.scale(ch);
                band.index_axis_mut(Axis(0), f).zip_mut_with(&canvas.slice(s![ch * t0..ch * t0 + ct, ..cy, ..cx]), |d, v| *d = f64::from(*v) * c);
            }
            bands.insert(key.to_string(), band.into_dyn());
        }
        let full = idwtn(&bands, &self.wavelet, Mode::Zero)?;
        let [ny, nx] = self.cfg.grid;
        let fields = full.slice(s![.., ..self.cfg.frames, ..ny, ..nx]).to_owned().into_dimensionality().expect("rank 4");
        Ok(SmokeScene { fields, fraction: self.unpack_fraction(canvas)? })
    }

    /// `s(t)` from channel 41 (the mean of each half per `τ`).
    pub fn unpack_fraction(&self, canvas: ArrayView3<f32>) -> Result<Array1<f64>, WdnoError> {
        self.check_canvas(&canvas)?;
        let (ct, _, _) = self.coef_dims();
        let (half, c, r) = (self.cfg.canvas[1] / 2, self.scale(FRACTION_CHANNEL), self.rows(FRACTION_CHANNEL).start);
        let mean = |tau: usize, lo: bool| -> f64 {
            let blk = if lo { canvas.slice(s![r + tau, ..half, ..]) } else { canvas.slice(s![r + tau, half.., ..]) };
            blk.iter().map(|v| f64::from(*v)).sum::<f64>() / blk.len() as f64 * c
        };
        let a: Array1<f64> = (0..ct).map(|t| mean(t, true)).collect();
        let d: Array1<f64> = (0..ct).map(|t| mean(t, false)).collect();
        let bands = BTreeMap::from([("a".to_string(), a.into_dyn()), ("d".to_string(), d.into_dyn())]);
        let s = idwtn(&bands, &self.wavelet, Mode::Zero)?;
        Ok(s.slice(s![..self.cfg.frames]).to_owned().into_dimensionality().expect("rank 1"))
    }

    /// `d(0)` from channel 40 (the mean of each band's repeated rows).
    pub fn unpack_init(&self, canvas: ArrayView3<f32>) -> Result<Array2<f64>, WdnoError> {
        self.check_canvas(&canvas)?;
        let (_, cy, cx) = self.coef_dims();
        let (q, c, r) = (self.cfg.canvas[0] / 4, self.scale(INIT_CHANNEL), self.rows(INIT_CHANNEL).start);
        let mut bands = BTreeMap::new();
        for (j, key) in BANDS.iter().enumerate() {
            let blk = canvas.slice(s![r + j * q..r + (j + 1) * q, ..cy, ..cx]).mapv(f64::from);
            let band = blk.mean_axis(Axis(0)).expect("T'/4 >= 1 rows") * c;
            bands.insert(key.to_string(), band.into_dyn());
        }
        let full = idwtn(&bands, &self.wavelet, Mode::Zero)?;
        let [ny, nx] = self.cfg.grid;
        Ok(full.slice(s![..ny, ..nx]).to_owned().into_dimensionality().expect("rank 2"))
    }

    /// The known part of a sampling problem: channel 40 from `d0` (`[ny, nx]`) and, for
    /// simulation, the control bands from `controls` (`[2, nt, ny, nx]`, cx then cy).
    pub fn condition(&self, d0: ArrayView2<f64>, controls: Option<ArrayView4<f64>>) -> Result<Array3<f32>, WdnoError> {
        let mut canvas = Array3::<f32>::zeros(self.shape());
        if let Some(c) = controls {
            let [ny, nx] = self.cfg.grid;
            if c.dim() != (2, self.cfg.frames, ny, nx) {
                return Err(WdnoError::Shape(format!("controls are {:?}, expected [2, {}, {ny}, {nx}]", c.shape(), self.cfg.frames)));
            }
            let mut fields = Array4::<f64>::zeros((FIELDS, self.cfg.frames, ny, nx));
            fields.slice_mut(s![3.., .., .., ..]).assign(&c);
            let full = self.pack(&SmokeScene { fields, fraction: Array1::zeros(self.cfg.frames) })?;
            let rows = self.rows(3 * BANDS3).start..self.rows(INIT_CHANNEL).start;
            canvas.slice_mut(s![rows.clone(), .., ..]).assign(&full.slice(s![rows, .., ..]));
        }
        self.write_init(&mut canvas, d0)?;
        Ok(canvas)
    }

    /// Mask `[42·T', H, W]`: 1 where the value is fixed (condition or padding), 0 where it is
    /// generated: density and velocity bands and `s` (simulation), plus the control bands
    /// (control).
    pub fn fixed_mask(&self, cond: Conditioning) -> Result<Array3<f32>, WdnoError> {
        let (ct, cy, cx) = self.coef_dims();
        let t0 = self.cfg.canvas[0];
        let mut m = Array3::<f32>::ones(self.shape());
        let fields = match cond {
            Conditioning::Simulation => 3,
            Conditioning::Control => FIELDS,
            Conditioning::Both => return Err(WdnoError::Config("a sampling problem is either simulation or control".into())),
        };
        for ch in 0..BANDS3 * fields {
            m.slice_mut(s![ch * t0..ch * t0 + ct, ..cy, ..cx]).fill(0.0);
        }
        let r = self.rows(FRACTION_CHANNEL).start;
        m.slice_mut(s![r..r + ct, .., ..]).fill(0.0);
        Ok(m)
    }

    /// The differentiable decode used by guidance: `[B, 42·T', H, W]` →
    /// (`d(0)` from the density bands `[B, ny, nx]`, `s(t)` from channel 41 `[B, nt]`).
    pub fn decode_tensor<B: Backend>(&self, canvas: Tensor<B, 4>) -> Result<(Tensor<B, 3>, Tensor<B, 2>), WdnoError> {
        let [b, c, h, w] = canvas.dims();
        if [c, h, w] != self.shape() {
            return Err(WdnoError::Shape(format!("canvas is {:?}, expected [B, {:?}]", canvas.dims(), self.shape())));
        }
        let (ct, cy, cx) = self.coef_dims();
        let t0 = self.cfg.canvas[0];
        let [ny, nx] = self.cfg.grid;
        let mut bands = BTreeMap::new();
        for (bi, key) in BANDS_3D.iter().enumerate() {
            let band = canvas.clone().narrow(1, bi * t0, ct).narrow(2, 0, cy).narrow(3, 0, cx).mul_scalar(self.scale(bi) as f32);
            bands.insert(key.to_string(), band.unsqueeze_dim::<5>(1)); // [B, 1, ct, cy, cx]
        }
        let dens = wt::idwtn(&bands, &self.wavelet, Mode::Zero)?; // [B, 1, T, Y, X]
        let d0 = dens.narrow(2, 0, 1).narrow(3, 0, ny).narrow(4, 0, nx).reshape([b, ny, nx]);
        let r = self.rows(FRACTION_CHANNEL).start;
        let half = h / 2;
        let sc = self.scale(FRACTION_CHANNEL) as f32;
        let blk = canvas.narrow(1, r, ct);
        let a = blk.clone().narrow(2, 0, half).mean_dim(2).mean_dim(3).reshape([b, 1, ct]).mul_scalar(sc);
        let d = blk.narrow(2, half, h - half).mean_dim(2).mean_dim(3).reshape([b, 1, ct]).mul_scalar(sc);
        let s = wt::waverec(&[a, d], &self.wavelet, Mode::Zero)?;
        Ok((d0, s.narrow(2, 0, self.cfg.frames).reshape([b, self.cfg.frames])))
    }
}

/// The target fraction per record from the `smoke` rows (`[R, 8]`: 7 cumulative bucket
/// amounts, then the remaining smoke): `s = bucket[1] / Σ row`.
pub fn target_fraction(smoke: ArrayView2<f64>) -> Result<Array1<f64>, WdnoError> {
    smoke
        .outer_iter()
        .map(|row| {
            let total: f64 = row.sum();
            if row.len() < 2 || !(total.is_finite() && total > 0.0) {
                return Err(WdnoError::NonFinite(format!("smoke row {row} has no positive finite total")));
            }
            Ok(row[crate::pde::solvers::smoke::TARGET_BUCKET] / total)
        })
        .collect()
}

/// The model-grid scene `i` of a generated data set: density `[N, R, Y, X]`, velocity and
/// control `[N, R, 2, Y, X]`, smoke `[N, R, 8]`, subsampled by the layout's strides.
pub fn scene_from_data(cfg: &SmokeLayoutConfig, density: ArrayView4<f64>, velocity: ndarray::ArrayView5<f64>, control: ndarray::ArrayView5<f64>, smoke: ArrayView3<f64>, i: usize) -> Result<SmokeScene, WdnoError> {
    let (ts, ss, nt) = (cfg.time_stride as isize, cfg.space_stride as isize, cfg.frames);
    let [ny, nx] = cfg.grid;
    let rec = density.dim().1;
    let sub = |a: ndarray::ArrayView3<f64>| a.slice(s![..;ts, ..;ss, ..;ss]).to_owned();
    let d = sub(density.index_axis(Axis(0), i));
    if d.dim().0 < nt || d.dim().1 != ny || d.dim().2 != nx {
        return Err(WdnoError::Shape(format!("data records {:?} subsampled by {ts} (time) and {ss} (space) give {:?}, need >= {nt} frames of {ny}x{nx}", density.shape(), d.dim())));
    }
    if velocity.dim().1 != rec || control.dim().1 != rec || smoke.dim().1 != rec || velocity.dim().2 != 2 || control.dim().2 != 2 {
        return Err(WdnoError::Shape(format!("density {:?}, velocity {:?}, control {:?}, smoke {:?} disagree", density.shape(), velocity.shape(), control.shape(), smoke.shape())));
    }
    let mut fields = Array4::<f64>::zeros((FIELDS, nt, ny, nx));
    fields.index_axis_mut(Axis(0), 0).assign(&d.slice(s![..nt, .., ..]));
    for c in 0..2 {
        let v = sub(velocity.index_axis(Axis(0), i).index_axis(Axis(1), c));
        let u = sub(control.index_axis(Axis(0), i).index_axis(Axis(1), c));
        fields.index_axis_mut(Axis(0), 1 + c).assign(&v.slice(s![..nt, .., ..]));
        fields.index_axis_mut(Axis(0), 3 + c).assign(&u.slice(s![..nt, .., ..]));
    }
    let frac = target_fraction(smoke.index_axis(Axis(0), i).slice(s![..;ts, ..]))?;
    Ok(SmokeScene { fields, fraction: frac.slice(s![..nt]).to_owned() })
}

#[cfg(test)]
#[path = "pack_tests.rs"]
mod tests;
