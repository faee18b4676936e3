//! Multi-level 1-D transforms (`wavedec` / `waverec`), single signals and batches of rows.

use super::error::WaveletError;
use super::filters::Wavelet;
use super::kernels::{check_finite_nonempty, check_level, dwt_axis, idwt_axis};
use super::mode::Mode;
use ndarray::{Array1, Array2, ArrayD, ArrayView1, ArrayView2, ArrayViewD, Axis, Ix1, Ix2};

/// Multi-level DWT along the last axis of `x` (any rank); returns `[cA_L, cD_L, ..., cD_1]`.
pub(crate) fn wavedec_last_axis(
    x: ArrayViewD<f64>,
    w: &Wavelet,
    mode: Mode,
    level: usize,
) -> Result<Vec<ArrayD<f64>>, WaveletError> {
    check_finite_nonempty(&x, "input signal")?;
    let axis = x.ndim() - 1;
    check_level(&[x.len_of(Axis(axis))], w, level)?;
    let mut details = Vec::with_capacity(level);
    let mut a = x.to_owned();
    for _ in 0..level {
        let (ca, cd) = dwt_axis(&a.view(), axis, w, mode)?;
        details.push(cd);
        a = ca;
    }
    details.push(a);
    details.reverse();
    Ok(details)
}

/// Multi-level inverse along the last axis, with PyWavelets' trimming: before each
/// step an approximation one sample longer than the detail loses its last sample.
pub(crate) fn waverec_last_axis(
    coeffs: &[ArrayViewD<f64>],
    w: &Wavelet,
    mode: Mode,
) -> Result<ArrayD<f64>, WaveletError> {
    let (first, rest) = coeffs
        .split_first()
        .ok_or_else(|| WaveletError::EmptyInput("no coefficient arrays given".into()))?;
    for (i, c) in coeffs.iter().enumerate() {
        check_finite_nonempty(c, &format!("coefficient array {i}"))?;
    }
    let axis = first.ndim() - 1;
    let mut a = first.to_owned();
    for (i, d) in rest.iter().enumerate() {
        if d.ndim() != a.ndim() {
            return Err(WaveletError::ShapeMismatch(format!(
                "coefficient array {} has rank {}, expected {}",
                i + 1,
                d.ndim(),
                a.ndim()
            )));
        }
        let (na, nd) = (a.len_of(Axis(axis)), d.len_of(Axis(axis)));
        if na == nd + 1 {
            a.slice_axis_inplace(Axis(axis), (0..nd).into());
        } else if na != nd || a.shape()[..axis] != d.shape()[..axis] {
            return Err(WaveletError::ShapeMismatch(format!(
                "level {}: approximation shape {:?} does not fit detail shape {:?}",
                i + 1,
                a.shape(),
                d.shape()
            )));
        }
        a = idwt_axis(&a.view(), d, axis, w, mode)?;
    }
    Ok(a)
}

/// Multi-level 1-D DWT (Mallat's algorithm), like `pywt.wavedec(x, w, mode, level)`.
///
/// Returns `[cA_level, cD_level, ..., cD_1]` (coarsest first). `level = 0` returns `[x]`.
/// Errors: empty or non-finite input, `level > max_level(x.len(), w)`.
pub fn wavedec(
    x: ArrayView1<f64>,
    w: &Wavelet,
    mode: Mode,
    level: usize,
) -> Result<Vec<Array1<f64>>, WaveletError> {
    let out = wavedec_last_axis(x.into_dyn(), w, mode, level)?;
    Ok(out
        .into_iter()
        .map(|a| a.into_dimensionality::<Ix1>().expect("rank 1"))
        .collect())
}

/// Inverse of [`wavedec`], like `pywt.waverec(coeffs, w, mode)`.
///
/// For odd-length signals the result can be one sample longer than the original
/// (exactly as PyWavelets); truncate to the original length.
pub fn waverec(
    coeffs: &[Array1<f64>],
    w: &Wavelet,
    mode: Mode,
) -> Result<Array1<f64>, WaveletError> {
    let views: Vec<_> = coeffs.iter().map(|c| c.view().into_dyn()).collect();
    let out = waverec_last_axis(&views, w, mode)?;
    Ok(out.into_dimensionality::<Ix1>().expect("rank 1"))
}

/// Batched [`wavedec`]: every row of `x` (`[batch, n]`) is transformed independently;
/// each output band is `[batch, n_band]`.
pub fn wavedec_batch(
    x: ArrayView2<f64>,
    w: &Wavelet,
    mode: Mode,
    level: usize,
) -> Result<Vec<Array2<f64>>, WaveletError> {
    let out = wavedec_last_axis(x.into_dyn(), w, mode, level)?;
    Ok(out
        .into_iter()
        .map(|a| a.into_dimensionality::<Ix2>().expect("rank 2"))
        .collect())
}

/// Batched [`waverec`] over rows: inverse of [`wavedec_batch`].
pub fn waverec_batch(
    coeffs: &[Array2<f64>],
    w: &Wavelet,
    mode: Mode,
) -> Result<Array2<f64>, WaveletError> {
    let views: Vec<_> = coeffs.iter().map(|c| c.view().into_dyn()).collect();
    let out = waverec_last_axis(&views, w, mode)?;
    Ok(out.into_dimensionality::<Ix2>().expect("rank 2"))
}

/// Batched multi-level DWT along the last axis of an array of any rank `>= 1`.
pub fn wavedec_lastaxis(
    x: ArrayViewD<f64>,
    w: &Wavelet,
    mode: Mode,
    level: usize,
) -> Result<Vec<ArrayD<f64>>, WaveletError> {
    if x.ndim() == 0 {
        return Err(WaveletError::InvalidArgument(
            "input must have at least one axis".into(),
        ));
    }
    wavedec_last_axis(x, w, mode, level)
}

/// Inverse of [`wavedec_lastaxis`].
pub fn waverec_lastaxis(
    coeffs: &[ArrayD<f64>],
    w: &Wavelet,
    mode: Mode,
) -> Result<ArrayD<f64>, WaveletError> {
    if coeffs.iter().any(|c| c.ndim() == 0) {
        return Err(WaveletError::InvalidArgument(
            "coefficients must have at least one axis".into(),
        ));
    }
    let views: Vec<_> = coeffs.iter().map(|c| c.view()).collect();
    waverec_last_axis(&views, w, mode)
}

#[cfg(test)]
#[path = "dwt1_tests.rs"]
mod tests;
