//! Separable n-D transforms over the last `k` axes (`dwtn`, `wavedecn`, `wavedec2`, ...).
//!
//! Detail keys follow PyWavelets: one character per transformed axis (first char =
//! first transformed axis), `'a'` = low-pass, `'d'` = high-pass along that axis.
//! A `BTreeMap` iterates them in PyWavelets' (itertools.product) order,
//! e.g. `aad, ada, add, daa, dad, dda, ddd`.

use super::error::WaveletError;
use super::filters::Wavelet;
use super::kernels::{check_finite_nonempty, check_level, dwt_axis, idwt_axis};
use super::mode::Mode;
use ndarray::{Array3, ArrayD, ArrayView3, ArrayViewD, Axis, Ix3, Slice};
use std::collections::BTreeMap;

/// Multi-level n-D coefficients, like the list returned by `pywt.wavedecn`.
#[derive(Debug, Clone, PartialEq)]
pub struct CoeffsN {
    /// Coarsest approximation (`'aa..a'`), leading (batch) axes kept.
    pub approx: ArrayD<f64>,
    /// Detail bands per level, coarse to fine; keys like `"ad"`, `"dda"`.
    pub details: Vec<BTreeMap<String, ArrayD<f64>>>,
}

/// Multi-level 2-D coefficients, like the list returned by `pywt.wavedec2`.
#[derive(Debug, Clone, PartialEq)]
pub struct Coeffs2 {
    /// Coarsest approximation, `[batch, h_L, w_L]`.
    pub approx: Array3<f64>,
    /// Per level, coarse to fine: `[cH, cV, cD]` = keys `da`, `ad`, `dd`.
    pub details: Vec<[Array3<f64>; 3]>,
}

fn check_ndim(rank: usize, ndim: usize) -> Result<usize, WaveletError> {
    if ndim == 0 || ndim > rank {
        return Err(WaveletError::InvalidArgument(format!(
            "cannot transform the last {ndim} axes of a rank-{rank} array"
        )));
    }
    Ok(rank - ndim)
}

/// Single-level n-D DWT over the last `ndim` axes, like `pywt.dwtn(x, axes=last ndim)`.
/// Returns all `2^ndim` bands, including the approximation `"aa..a"`.
pub fn dwtn(
    x: ArrayViewD<f64>,
    w: &Wavelet,
    mode: Mode,
    ndim: usize,
) -> Result<BTreeMap<String, ArrayD<f64>>, WaveletError> {
    let first = check_ndim(x.ndim(), ndim)?;
    check_finite_nonempty(&x, "input")?;
    let mut bands = vec![(String::new(), x.to_owned())];
    for axis in first..x.ndim() {
        let mut next = Vec::with_capacity(bands.len() * 2);
        for (key, arr) in bands {
            let (lo, hi) = dwt_axis(&arr.view(), axis, w, mode)?;
            next.push((format!("{key}a"), lo));
            next.push((format!("{key}d"), hi));
        }
        bands = next;
    }
    Ok(bands.into_iter().collect())
}

fn all_keys(ndim: usize) -> Vec<String> {
    (0..1usize << ndim)
        .map(|bits| {
            (0..ndim)
                .map(|i| {
                    if bits >> (ndim - 1 - i) & 1 == 1 {
                        'd'
                    } else {
                        'a'
                    }
                })
                .collect()
        })
        .collect()
}

/// Single-level n-D inverse, like `pywt.idwtn`; needs all `2^ndim` bands of one shape.
pub fn idwtn(
    coeffs: &BTreeMap<String, ArrayD<f64>>,
    w: &Wavelet,
    mode: Mode,
) -> Result<ArrayD<f64>, WaveletError> {
    let (k0, c0) = coeffs
        .iter()
        .next()
        .ok_or_else(|| WaveletError::EmptyInput("no coefficient bands given".into()))?;
    let ndim = k0.len();
    let first = check_ndim(c0.ndim(), ndim)?;
    let mut bands = BTreeMap::new();
    for key in all_keys(ndim) {
        let c = coeffs
            .get(&key)
            .ok_or_else(|| WaveletError::ShapeMismatch(format!("missing band '{key}'")))?;
        if c.shape() != c0.shape() {
            return Err(WaveletError::ShapeMismatch(format!(
                "band '{key}' has shape {:?}, band '{k0}' has {:?}",
                c.shape(),
                c0.shape()
            )));
        }
        check_finite_nonempty(&c.view(), &format!("band '{key}'"))?;
        bands.insert(key, c.clone());
    }
    if coeffs.len() != bands.len() {
        return Err(WaveletError::ShapeMismatch(format!(
            "expected exactly the {} bands of length {ndim}",
            bands.len()
        )));
    }
    for axis in (first..first + ndim).rev() {
        let mut next = BTreeMap::new();
        for (key, lo) in bands.iter().filter(|(k, _)| k.ends_with('a')) {
            let stem = &key[..key.len() - 1];
            let hi = &bands[&format!("{stem}d")];
            next.insert(
                stem.to_string(),
                idwt_axis(&lo.view(), &hi.view(), axis, w, mode)?,
            );
        }
        bands = next;
    }
    Ok(bands.remove("").expect("all bands merged"))
}

/// Multi-level n-D DWT over the last `ndim` axes (leading axes are a batch), like
/// `pywt.wavedecn(x, w, mode, level, axes=last ndim)`. `level` must not exceed
/// `max_level` of the shortest transformed axis.
pub fn wavedecn(
    x: ArrayViewD<f64>,
    w: &Wavelet,
    mode: Mode,
    level: usize,
    ndim: usize,
) -> Result<CoeffsN, WaveletError> {
    let first = check_ndim(x.ndim(), ndim)?;
    check_finite_nonempty(&x, "input")?;
    check_level(&x.shape()[first..], w, level)?;
    let approx_key = "a".repeat(ndim);
    let mut approx = x.to_owned();
    let mut details = Vec::with_capacity(level);
    for _ in 0..level {
        let mut bands = dwtn(approx.view(), w, mode, ndim)?;
        approx = bands.remove(&approx_key).expect("approximation band");
        details.push(bands);
    }
    details.reverse();
    Ok(CoeffsN { approx, details })
}

/// Trims `a` to the detail shape where it is one sample longer (PyWavelets' rule).
/// Leading (batch) axes `< first` must match exactly.
fn match_dims(
    a: ArrayD<f64>,
    d_shape: &[usize],
    first: usize,
) -> Result<ArrayD<f64>, WaveletError> {
    let ok = a.ndim() == d_shape.len()
        && a.shape()
            .iter()
            .zip(d_shape)
            .enumerate()
            .all(|(i, (&na, &nd))| na == nd || (i >= first && na == nd + 1));
    if !ok {
        return Err(WaveletError::ShapeMismatch(format!(
            "approximation shape {:?} does not fit detail shape {d_shape:?}",
            a.shape()
        )));
    }
    let mut a = a;
    for (i, &nd) in d_shape.iter().enumerate() {
        a.slice_axis_inplace(Axis(i), Slice::from(0..nd));
    }
    Ok(a)
}

/// Inverse of [`wavedecn`], like `pywt.waverecn`; the result may exceed the original
/// shape by one sample on odd-length axes (truncate, as with PyWavelets).
pub fn waverecn(c: &CoeffsN, w: &Wavelet, mode: Mode) -> Result<ArrayD<f64>, WaveletError> {
    check_finite_nonempty(&c.approx.view(), "approximation")?;
    let mut a = c.approx.clone();
    for (lvl, bands) in c.details.iter().enumerate() {
        let d0 = bands
            .values()
            .next()
            .ok_or_else(|| WaveletError::EmptyInput(format!("detail level {lvl} is empty")))?;
        let mut full = bands.clone();
        let ndim = bands.keys().next().map_or(0, String::len);
        let first = check_ndim(a.ndim(), ndim)?;
        full.insert("a".repeat(ndim), match_dims(a, d0.shape(), first)?);
        a = idwtn(&full, w, mode)?;
    }
    Ok(a)
}

const KEYS2: [&str; 3] = ["da", "ad", "dd"];

/// Multi-level 2-D DWT over the last two axes of `[batch, h, w]`, like
/// `pywt.wavedec2(x, w, mode, level, axes=(-2, -1))`.
pub fn wavedec2(
    x: ArrayView3<f64>,
    w: &Wavelet,
    mode: Mode,
    level: usize,
) -> Result<Coeffs2, WaveletError> {
    let c = wavedecn(x.into_dyn(), w, mode, level, 2)?;
    let to3 = |a: ArrayD<f64>| a.into_dimensionality::<Ix3>().expect("rank 3");
    let details = c
        .details
        .into_iter()
        .map(|mut b| KEYS2.map(|k| to3(b.remove(k).expect("2-D band"))))
        .collect();
    Ok(Coeffs2 {
        approx: to3(c.approx),
        details,
    })
}

/// Inverse of [`wavedec2`], like `pywt.waverec2`.
pub fn waverec2(c: &Coeffs2, w: &Wavelet, mode: Mode) -> Result<Array3<f64>, WaveletError> {
    let details = c
        .details
        .iter()
        .map(|t| {
            KEYS2
                .iter()
                .zip(t)
                .map(|(k, a)| (k.to_string(), a.clone().into_dyn()))
                .collect()
        })
        .collect();
    let cn = CoeffsN {
        approx: c.approx.clone().into_dyn(),
        details,
    };
    Ok(waverecn(&cn, w, mode)?
        .into_dimensionality::<Ix3>()
        .expect("rank 3"))
}

#[cfg(test)]
#[path = "dwtn_tests.rs"]
mod tests;
