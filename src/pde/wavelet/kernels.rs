//! Single-level analysis / synthesis kernels on slices and along one axis of an array.
//!
//! Analysis (non-periodization modes), for a filter `h` of length `F` and the
//! mode-extended signal `x~`: `y[k] = sum_j h[j] x~[2k + 1 - j]`, `k < floor((N+F-1)/2)`,
//! i.e. the odd samples of the full convolution `h * x~`.
//! Periodization: `y[k] = sum_j h[j] x'[(2k + F/2 - j) mod N']`, `k < N'/2`, where `x'` is
//! `x` padded to even length `N'` by repeating its last sample.
//! Synthesis is the transpose: every coefficient `c[k]` adds `c[k] g[j]` to output
//! sample `n = 2k + j - (F - 2)` (kept when `0 <= n < 2Nc - F + 2`), or to
//! `n = (2k + j - F/2 + 1) mod 2Nc` for periodization.

use super::error::WaveletError;
use super::filters::Wavelet;
use super::mode::Mode;
use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn, Zip};

/// Number of coefficients per band of a single-level DWT of a length-`n` signal
/// with a filter of length `f`: `ceil(n/2)` for periodization, else `floor((n+f-1)/2)`.
pub fn dwt_coeff_len(n: usize, f: usize, mode: Mode) -> usize {
    match mode {
        Mode::Periodization => n.div_ceil(2),
        _ => (n + f - 1) / 2,
    }
}

/// Output length of a single-level inverse DWT from `nc` coefficients per band
/// (`None` when the coefficients are too few for the filter).
pub fn idwt_out_len(nc: usize, f: usize, mode: Mode) -> Option<usize> {
    match mode {
        Mode::Periodization => Some(2 * nc),
        _ => (2 * nc + 2).checked_sub(f).filter(|&m| m > 0),
    }
}

/// Analysis filtering of one signal with filter `h` into `out`.
fn analyze(x: &[f64], h: &[f64], mode: Mode, out: &mut [f64]) {
    let f = h.len() as isize;
    if mode == Mode::Periodization {
        let n = x.len();
        let np = (n + n % 2) as isize;
        let at = |i: isize| x[(i.rem_euclid(np) as usize).min(n - 1)];
        for (k, y) in out.iter_mut().enumerate() {
            let base = 2 * k as isize + f / 2;
            *y = h
                .iter()
                .enumerate()
                .map(|(j, &c)| c * at(base - j as isize))
                .sum();
        }
        return;
    }
    let n = x.len() as isize;
    for (k, y) in out.iter_mut().enumerate() {
        let base = 2 * k as isize + 1;
        let interior = base - (f - 1) >= 0 && base < n;
        *y = if interior {
            h.iter()
                .enumerate()
                .map(|(j, &c)| c * x[(base - j as isize) as usize])
                .sum()
        } else {
            h.iter()
                .enumerate()
                .map(|(j, &c)| c * mode.extend(x, base - j as isize))
                .sum()
        };
    }
}

/// Synthesis: adds the upsampled-and-filtered `c` (filter `g`) into `out`.
fn synthesize_add(c: &[f64], g: &[f64], mode: Mode, out: &mut [f64]) {
    let f = g.len() as isize;
    let m = out.len() as isize;
    let (shift, wrap) = match mode {
        Mode::Periodization => (f / 2 - 1, true),
        _ => (f - 2, false),
    };
    for (k, &ck) in c.iter().enumerate() {
        for (j, &gj) in g.iter().enumerate() {
            let n = 2 * k as isize + j as isize - shift;
            let n = if wrap { n.rem_euclid(m) } else { n };
            if (0..m).contains(&n) {
                out[n as usize] += ck * gj;
            }
        }
    }
}

/// Single-level DWT of one signal: returns `(cA, cD)` written into `ca`, `cd`.
pub(crate) fn dwt_slice(x: &[f64], w: &Wavelet, mode: Mode, ca: &mut [f64], cd: &mut [f64]) {
    analyze(x, w.dec_lo(), mode, ca);
    analyze(x, w.dec_hi(), mode, cd);
}

/// Single-level inverse DWT of one signal into `out` (overwritten).
pub(crate) fn idwt_slice(ca: &[f64], cd: &[f64], w: &Wavelet, mode: Mode, out: &mut [f64]) {
    out.iter_mut().for_each(|v| *v = 0.0);
    synthesize_add(ca, w.rec_lo(), mode, out);
    synthesize_add(cd, w.rec_hi(), mode, out);
}

/// Single-level DWT along `axis` of an n-D array (every lane independently).
pub(crate) fn dwt_axis(
    x: &ArrayViewD<f64>,
    axis: usize,
    w: &Wavelet,
    mode: Mode,
) -> Result<(ArrayD<f64>, ArrayD<f64>), WaveletError> {
    let n = x.len_of(Axis(axis));
    if mode == Mode::Reflect && n < 2 {
        return Err(WaveletError::InvalidArgument(
            "reflect mode needs a signal length of at least 2".into(),
        ));
    }
    let mut shape = x.shape().to_vec();
    shape[axis] = dwt_coeff_len(n, w.filter_len(), mode);
    let mut ca = ArrayD::zeros(IxDyn(&shape));
    let mut cd = ArrayD::zeros(IxDyn(&shape));
    let (mut xb, mut ab, mut db) = (vec![0.0; n], vec![0.0; shape[axis]], vec![0.0; shape[axis]]);
    Zip::from(x.lanes(Axis(axis)))
        .and(ca.lanes_mut(Axis(axis)))
        .and(cd.lanes_mut(Axis(axis)))
        .for_each(|xl, mut al, mut dl| {
            xb.iter_mut().zip(xl.iter()).for_each(|(b, &v)| *b = v);
            dwt_slice(&xb, w, mode, &mut ab, &mut db);
            al.iter_mut().zip(&ab).for_each(|(o, &v)| *o = v);
            dl.iter_mut().zip(&db).for_each(|(o, &v)| *o = v);
        });
    Ok((ca, cd))
}

/// Single-level inverse DWT along `axis`; `ca` and `cd` must have equal shapes.
pub(crate) fn idwt_axis(
    ca: &ArrayViewD<f64>,
    cd: &ArrayViewD<f64>,
    axis: usize,
    w: &Wavelet,
    mode: Mode,
) -> Result<ArrayD<f64>, WaveletError> {
    if ca.shape() != cd.shape() {
        return Err(WaveletError::ShapeMismatch(format!(
            "approximation shape {:?} != detail shape {:?}",
            ca.shape(),
            cd.shape()
        )));
    }
    let nc = ca.len_of(Axis(axis));
    let m = idwt_out_len(nc, w.filter_len(), mode).ok_or_else(|| {
        WaveletError::ShapeMismatch(format!(
            "{nc} coefficients are too few for {} (filter length {})",
            w.name(),
            w.filter_len()
        ))
    })?;
    let mut shape = ca.shape().to_vec();
    shape[axis] = m;
    let mut out = ArrayD::zeros(IxDyn(&shape));
    let (mut ab, mut db, mut ob) = (vec![0.0; nc], vec![0.0; nc], vec![0.0; m]);
    Zip::from(ca.lanes(Axis(axis)))
        .and(cd.lanes(Axis(axis)))
        .and(out.lanes_mut(Axis(axis)))
        .for_each(|al, dl, mut ol| {
            ab.iter_mut().zip(al.iter()).for_each(|(b, &v)| *b = v);
            db.iter_mut().zip(dl.iter()).for_each(|(b, &v)| *b = v);
            idwt_slice(&ab, &db, w, mode, &mut ob);
            ol.iter_mut().zip(&ob).for_each(|(o, &v)| *o = v);
        });
    Ok(out)
}

/// Rejects empty arrays and non-finite values; `what` names the argument in the error.
pub(crate) fn check_finite_nonempty(x: &ArrayViewD<f64>, what: &str) -> Result<(), WaveletError> {
    if x.is_empty() {
        return Err(WaveletError::EmptyInput(format!(
            "{what} has shape {:?}",
            x.shape()
        )));
    }
    if x.iter().any(|v| !v.is_finite()) {
        return Err(WaveletError::NonFinite(what.to_string()));
    }
    Ok(())
}

/// Checks `level <= min over lens of max_level(len)`.
pub(crate) fn check_level(lens: &[usize], w: &Wavelet, level: usize) -> Result<(), WaveletError> {
    let len = lens.iter().copied().min().unwrap_or(0);
    let max = super::filters::max_level(len, w);
    if level > max {
        return Err(WaveletError::LevelTooHigh { level, max, len });
    }
    Ok(())
}
