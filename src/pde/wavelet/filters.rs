//! Wavelet filter banks (analysis and synthesis low/high-pass filters).

use super::error::WaveletError;
use super::filters_table::{FilterRow, TABLE};
use std::fmt;
use std::str::FromStr;

/// A two-channel filter bank identified by its PyWavelets name.
///
/// All four filters have the same even length `F` (biorthogonal filters are
/// zero-padded as in PyWavelets), so `filter_len()` equals `pywt.Wavelet(name).dec_len`.
#[derive(Clone, Copy)]
pub struct Wavelet {
    row: &'static FilterRow,
}

impl Wavelet {
    /// Looks up a wavelet by name (`"haar"`, `"db1"`..`"db10"`, `"sym2"`..`"sym10"`,
    /// `"coif1"`..`"coif5"`, `"bior1.1"`..`"bior6.8"`); case-insensitive.
    pub fn from_name(name: &str) -> Result<Self, WaveletError> {
        let key = name.trim().to_ascii_lowercase();
        TABLE
            .iter()
            .find(|r| r.name == key)
            .map(|row| Wavelet { row })
            .ok_or_else(|| WaveletError::UnknownWavelet(name.to_string()))
    }

    /// Names of all supported wavelets.
    pub fn names() -> impl Iterator<Item = &'static str> {
        TABLE.iter().map(|r| r.name)
    }

    /// Canonical name, e.g. `"bior2.4"`.
    pub fn name(&self) -> &'static str {
        self.row.name
    }

    /// Filter length `F` (all four filters share it).
    pub fn filter_len(&self) -> usize {
        self.row.filters[0].len()
    }

    /// Decomposition (analysis) low-pass filter.
    pub fn dec_lo(&self) -> &'static [f64] {
        self.row.filters[0]
    }

    /// Decomposition (analysis) high-pass filter.
    pub fn dec_hi(&self) -> &'static [f64] {
        self.row.filters[1]
    }

    /// Reconstruction (synthesis) low-pass filter.
    pub fn rec_lo(&self) -> &'static [f64] {
        self.row.filters[2]
    }

    /// Reconstruction (synthesis) high-pass filter.
    pub fn rec_hi(&self) -> &'static [f64] {
        self.row.filters[3]
    }
}

impl PartialEq for Wavelet {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

impl fmt::Debug for Wavelet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Wavelet({})", self.name())
    }
}

impl fmt::Display for Wavelet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Wavelet {
    type Err = WaveletError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Wavelet::from_name(s)
    }
}

/// Maximum useful decomposition level for a signal of length `len`, like
/// `pywt.dwt_max_level(len, wavelet.dec_len)`: `floor(log2(len / (F - 1)))`,
/// or 0 when `len < F - 1`.
pub fn max_level(len: usize, wavelet: &Wavelet) -> usize {
    let f = wavelet.filter_len();
    if f < 2 || len < f - 1 {
        return 0;
    }
    (len / (f - 1)).ilog2() as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_has_all_families() {
        let names: Vec<_> = Wavelet::names().collect();
        assert_eq!(names.len(), 1 + 10 + 9 + 5 + 15);
        for n in [
            "haar", "db10", "sym10", "coif5", "bior1.3", "bior2.4", "bior6.8",
        ] {
            assert_eq!(Wavelet::from_name(n).unwrap().name(), n);
        }
        assert_eq!(Wavelet::from_name(" BIOR2.4 ").unwrap().filter_len(), 10);
        assert_eq!("bior1.3".parse::<Wavelet>().unwrap().filter_len(), 6);
    }

    #[test]
    fn unknown_name_is_named_in_error() {
        let e = Wavelet::from_name("db42").unwrap_err();
        assert_eq!(e, WaveletError::UnknownWavelet("db42".into()));
        assert!(e.to_string().contains("db42"));
    }

    /// Low-pass analysis filters sum to sqrt(2); synthesis and analysis are biorthogonal:
    /// sum_n dec_lo[n] rec_lo[n + 2k] reversed-convolution = delta_k.
    #[test]
    fn filters_are_biorthogonal() {
        for n in Wavelet::names() {
            let w = Wavelet::from_name(n).unwrap();
            let s: f64 = w.dec_lo().iter().sum();
            assert!((s - 2f64.sqrt()).abs() < 1e-10, "{n}: sum {s}");
            let f = w.filter_len() as isize;
            for k in -(f / 2)..=(f / 2) {
                let mut acc = 0.0;
                for j in 0..f {
                    let i = f - 1 - j + 2 * k;
                    if (0..f).contains(&i) {
                        acc += w.rec_lo()[j as usize] * w.dec_lo()[i as usize];
                    }
                }
                let want = if k == 0 { 1.0 } else { 0.0 };
                assert!((acc - want).abs() < 1e-9, "{n}: k={k} acc={acc}");
            }
        }
    }

    #[test]
    fn max_level_matches_pywt() {
        let db2 = Wavelet::from_name("db2").unwrap();
        let haar = Wavelet::from_name("haar").unwrap();
        let b24 = Wavelet::from_name("bior2.4").unwrap();
        // Values of pywt.dwt_max_level(len, filter_len).
        assert_eq!(max_level(1, &haar), 0);
        assert_eq!(max_level(17, &haar), 4);
        assert_eq!(max_level(32, &haar), 5);
        assert_eq!(max_level(9, &db2), 1);
        assert_eq!(max_level(2, &db2), 0);
        assert_eq!(max_level(33, &b24), 1);
        assert_eq!(max_level(36, &b24), 2);
    }
}
