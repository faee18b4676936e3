//! The SUBS parameterisation (MDLM §3.2): from logits over `V + 1` classes, the mask class gets
//! probability 0 ("zero masking probabilities"), and positions already unmasked keep their token
//! with probability 1 ("carry-over unmasking").

use ndarray::{Array2, Array3, Axis};

/// SUBS log-probabilities `[b, L, V]` from logits `[b, L, V + 1]` and the current tokens `z`.
pub fn subs_log_probs(logits: &Array3<f64>, z: &Array2<usize>) -> Array3<f64> {
    let (b, l, v1) = logits.dim();
    let v = v1 - 1;
    let mut out = Array3::from_elem((b, l, v), f64::NEG_INFINITY);
    for i in 0..b {
        for j in 0..l {
            if z[[i, j]] < v {
                out[[i, j, z[[i, j]]]] = 0.0;
                continue;
            }
            let row = logits.index_axis(Axis(0), i);
            let row = row.index_axis(Axis(0), j);
            let m = row.iter().take(v).cloned().fold(f64::NEG_INFINITY, f64::max);
            let lse = m + row.iter().take(v).map(|x| (x - m).exp()).sum::<f64>().ln();
            for k in 0..v {
                out[[i, j, k]] = row[k] - lse;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mask_class_is_removed_and_unmasked_tokens_are_copied() {
        let logits = Array3::from_shape_vec((1, 2, 3), vec![0.0, 1.0, 50.0, 2.0, 0.0, 50.0]).unwrap();
        let z = Array2::from_shape_vec((1, 2), vec![2, 0]).unwrap(); // V = 2: position 0 masked
        let lp = subs_log_probs(&logits, &z);
        let p0: Vec<f64> = (0..2).map(|k| lp[[0, 0, k]].exp()).collect();
        let want = 1.0 / (1.0 + 1f64.exp());
        assert!((p0[0] - want).abs() < 1e-15 && (p0[0] + p0[1] - 1.0).abs() < 1e-15);
        assert_eq!((lp[[0, 1, 0]], lp[[0, 1, 1]]), (0.0, f64::NEG_INFINITY));
    }
}
