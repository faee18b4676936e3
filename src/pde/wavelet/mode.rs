//! Boundary (signal-extension) modes, with PyWavelets semantics.

use super::error::WaveletError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How a finite signal `x[0..N]` is extended beyond its ends before filtering.
///
/// Index `n` outside `0..N` reads:
/// * `Zero`: `0`.
/// * `Constant`: the nearest edge value, `x[0]` or `x[N-1]`.
/// * `Periodic`: `x[n mod N]`.
/// * `Symmetric` (half-sample): `... x1 x0 | x0 x1 ... x(N-1) | x(N-1) x(N-2) ...`, period `2N`.
/// * `Reflect` (whole-sample): `... x2 x1 | x0 x1 ... x(N-1) | x(N-2) x(N-3) ...`, period `2N-2`
///   (needs `N >= 2`).
/// * `Periodization`: periodic extension with a critically sampled output of `ceil(N/2)`
///   coefficients; an odd-length signal is first padded by repeating its last sample.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Zero padding.
    Zero,
    /// Edge-value (constant) padding.
    Constant,
    /// Half-sample symmetric extension (PyWavelets' default).
    Symmetric,
    /// Whole-sample symmetric extension.
    Reflect,
    /// Periodic extension, output length `floor((N+F-1)/2)`.
    Periodic,
    /// Periodic extension, output length `ceil(N/2)` (orthogonal transform for orthogonal wavelets).
    Periodization,
}

impl Mode {
    /// All modes, in a fixed order.
    pub const ALL: [Mode; 6] = [
        Mode::Zero,
        Mode::Constant,
        Mode::Symmetric,
        Mode::Reflect,
        Mode::Periodic,
        Mode::Periodization,
    ];

    /// PyWavelets' name of the mode.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Zero => "zero",
            Mode::Constant => "constant",
            Mode::Symmetric => "symmetric",
            Mode::Reflect => "reflect",
            Mode::Periodic => "periodic",
            Mode::Periodization => "periodization",
        }
    }

    /// Value of the extended signal at (possibly out-of-range) index `n`.
    /// `x` must be non-empty; `Reflect` with `N == 1` repeats the single sample.
    /// `Periodization` is handled by the transform itself and reads like `Periodic` here.
    #[inline]
    pub(crate) fn extend(self, x: &[f64], n: isize) -> f64 {
        let len = x.len() as isize;
        if (0..len).contains(&n) {
            return x[n as usize];
        }
        let i = match self {
            Mode::Zero => return 0.0,
            Mode::Constant => {
                if n < 0 {
                    0
                } else {
                    len - 1
                }
            }
            Mode::Periodic | Mode::Periodization => n.rem_euclid(len),
            Mode::Symmetric => {
                let m = n.rem_euclid(2 * len);
                if m < len { m } else { 2 * len - 1 - m }
            }
            Mode::Reflect => {
                if len == 1 {
                    0
                } else {
                    let m = n.rem_euclid(2 * len - 2);
                    if m < len { m } else { 2 * len - 2 - m }
                }
            }
        };
        x[i as usize]
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Mode {
    type Err = WaveletError;

    /// Parses a PyWavelets mode name (case-insensitive; `per` and `zpd`/`sym`/`ppd` aliases accepted).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zero" | "zpd" => Ok(Mode::Zero),
            "constant" | "sp0" => Ok(Mode::Constant),
            "symmetric" | "sym" => Ok(Mode::Symmetric),
            "reflect" => Ok(Mode::Reflect),
            "periodic" | "ppd" => Ok(Mode::Periodic),
            "periodization" | "per" => Ok(Mode::Periodization),
            _ => Err(WaveletError::UnknownMode(s.to_string())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_roundtrip_and_error() {
        for m in Mode::ALL {
            assert_eq!(m.name().parse::<Mode>().unwrap(), m);
            assert_eq!(m.to_string(), m.name());
        }
        assert_eq!("PER".parse::<Mode>().unwrap(), Mode::Periodization);
        let e = "smooth-ish".parse::<Mode>().unwrap_err();
        assert_eq!(e, WaveletError::UnknownMode("smooth-ish".into()));
        assert!(e.to_string().contains("smooth-ish"));
    }

    #[test]
    fn extension_values() {
        let x = [1.0, 2.0, 3.0];
        let at = |m: Mode| (-4..7).map(|n| m.extend(&x, n)).collect::<Vec<_>>();
        assert_eq!(
            at(Mode::Symmetric),
            [3., 3., 2., 1., 1., 2., 3., 3., 2., 1., 1.]
        );
        assert_eq!(
            at(Mode::Reflect),
            [1., 2., 3., 2., 1., 2., 3., 2., 1., 2., 3.]
        );
        assert_eq!(
            at(Mode::Periodic),
            [3., 1., 2., 3., 1., 2., 3., 1., 2., 3., 1.]
        );
        assert_eq!(at(Mode::Zero), [0., 0., 0., 0., 1., 2., 3., 0., 0., 0., 0.]);
        assert_eq!(
            at(Mode::Constant),
            [1., 1., 1., 1., 1., 2., 3., 3., 3., 3., 3.]
        );
    }
}
