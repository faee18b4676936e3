//! Shared test helpers: the PyWavelets fixture and deterministic test signals.
//!
//! Tolerance 1e-10: inputs are O(1), filters have at most 30 taps with |h| <= 1, and three
//! levels chain a few hundred f64 multiply-adds per output, so against PyWavelets (same
//! filters, same arithmetic) the error is ~1e-15 (observed <= 7e-16). Perfect reconstruction
//! is additionally limited by the precision of the tabulated filters themselves (PyWavelets'
//! own sym3 round trip errs by ~1e-11), so 1e-10 still leaves margin while any indexing
//! or boundary bug shows up as O(1e-2) or larger.

use ndarray::{ArrayD, IxDyn};
use serde::Deserialize;

/// Comparison tolerance against PyWavelets and for perfect reconstruction.
pub const TOL: f64 = 1e-10;

/// Flat array with its shape.
#[derive(Deserialize)]
pub struct Arr {
    pub shape: Vec<usize>,
    pub data: Vec<f64>,
    #[serde(default)]
    pub key: String,
}

impl Arr {
    pub fn to_array(&self) -> ArrayD<f64> {
        ArrayD::from_shape_vec(IxDyn(&self.shape), self.data.clone()).unwrap()
    }
}

#[derive(Deserialize)]
pub struct Case1 {
    pub w: String,
    pub mode: String,
    pub n: usize,
    pub level: usize,
    pub coeffs: Vec<Vec<f64>>,
}

#[derive(Deserialize)]
pub struct Case2 {
    pub w: String,
    pub mode: String,
    pub shape: Vec<usize>,
    pub level: usize,
    pub approx: Arr,
    pub details: Vec<Vec<Arr>>,
}

#[derive(Deserialize)]
pub struct CaseN {
    pub w: String,
    pub mode: String,
    pub shape: Vec<usize>,
    pub ndim: usize,
    pub level: usize,
    pub approx: Arr,
    pub details: Vec<Vec<Arr>>,
}

#[derive(Deserialize)]
pub struct Fixture {
    pub master: Vec<f64>,
    pub d1: Vec<Case1>,
    pub d2: Vec<Case2>,
    pub dn: Vec<CaseN>,
}

/// Parsed `testdata/pywt_cases.json`.
pub fn fixture() -> Fixture {
    serde_json::from_str(include_str!("testdata/pywt_cases.json")).unwrap()
}

/// First `prod(shape)` samples of the fixture's master vector, reshaped.
pub fn input(master: &[f64], shape: &[usize]) -> ArrayD<f64> {
    let n = shape.iter().product();
    ArrayD::from_shape_vec(IxDyn(shape), master[..n].to_vec()).unwrap()
}

/// Max |a - b| (shapes must agree).
pub fn max_abs_diff(a: &ArrayD<f64>, b: &ArrayD<f64>) -> f64 {
    assert_eq!(a.shape(), b.shape());
    a.iter()
        .zip(b)
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max)
}

/// Deterministic pseudo-random array in [-1, 1) (64-bit LCG).
pub fn lcg_array(shape: &[usize], seed: u64) -> ArrayD<f64> {
    let mut s = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    ArrayD::from_shape_fn(IxDyn(shape), |_| {
        s = s
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((s >> 11) as f64 / (1u64 << 53) as f64) * 2.0 - 1.0
    })
}
