use super::*;
use crate::pde::solvers::burgers::{BurgersPreset, generate};
use ndarray::Axis;

fn max_diff(a: ArrayView2<f64>, b: ArrayView2<f64>) -> f64 {
    assert_eq!(a.dim(), b.dim());
    a.iter().zip(b).fold(0.0, |m, (x, y)| m.max((x - y).abs()))
}

/// Oracle: perfect reconstruction. The target bands of a pair invert to the fine trajectory and
/// the low bands' even samples invert to its `[::2, ::2]` subsample, at both small levels
/// (41×60 ← 21×30 and 21×30 ← 11×15, odd coarse `nx`); the error is the f32 canvas (1e-5, as
/// the base layout). Everything outside the coefficient grid is zero padding.
#[test]
fn pairs_invert_exactly_to_fine_and_coarse() {
    let cfg = SrmConfig::small();
    let (u, f) = generate(&BurgersPreset::small(), 2, 7).unwrap();
    for (r, shape, ct, cx) in [(1usize, [17, 24, 32], 21, 30), (2, [17, 12, 16], 11, 15)] {
        let level = SrmLevel::new(&cfg, 40 / r, 60 / r).unwrap();
        assert_eq!((level.shape(), level.coarse_grid()), (shape, (20 / r, 30 / r)));
        for i in 0..2 {
            let (ui, fi) = (u.slice(s![i, ..;r, ..;r]), f.slice(s![i, ..;r, ..;r]));
            let c = level.pack_pair(ui, fi).unwrap();
            let (ur, fr) = level.unpack(c.view()).unwrap();
            assert!(max_diff(ur.view(), ui) < 1e-5 && max_diff(fr.view(), fi) < 1e-5);
            let (uc, fc) = level.unpack_low(c.view()).unwrap();
            assert!(max_diff(uc.view(), ui.slice(s![..;2, ..;2])) < 1e-5 && max_diff(fc.view(), fi.slice(s![..;2, ..;2])) < 1e-5);
            assert!(c.slice(s![..SRM_COND, ct.., ..]).iter().all(|v| *v == 0.0) && c.slice(s![..SRM_COND, .., cx..]).iter().all(|v| *v == 0.0));
            // Nearest upsampling: each coarse coefficient fills a 2x2 block.
            assert_eq!(c[[LOW + 2, 2, 4]], c[[LOW + 2, 3, 5]]);
            // Condition: the fine u0 stripes only (no uT in a super-resolution problem).
            let base = level.fine_layout().pack(ui, fi, false).unwrap();
            assert_eq!(c.index_axis(Axis(0), SRM_COND), base.index_axis(Axis(0), COND));
            assert!(c.slice(s![SRM_COND, shape[1] / 2.., ..]).iter().all(|v| *v == 0.0));
        }
    }
}

/// Oracle: the known canvas of a super-resolution problem built from (coarse u, fine u0, fine
/// f) is the training pair with the generated positions zeroed, bit for bit.
#[test]
fn known_is_the_masked_pair() {
    let cfg = SrmConfig::small();
    let (u, f) = generate(&BurgersPreset::small(), 1, 8).unwrap();
    let level = SrmLevel::new(&cfg, 40, 60).unwrap();
    let (ui, fi) = (u.index_axis(Axis(0), 0), f.index_axis(Axis(0), 0));
    let pair = level.pack_pair(ui, fi).unwrap();
    let known = level.known(ui.slice(s![..;2, ..;2]), ui.row(0), fi).unwrap();
    let mask = level.fixed_mask();
    assert_eq!(mask.iter().filter(|m| **m == 0.0).count(), 4 * 21 * 30);
    assert_eq!(known, &pair * &mask);
    // Wrong shapes are refused with the sizes in the message.
    let e = level.known(ui, ui.row(0), fi).unwrap_err().to_string();
    assert!(e.contains("41x60") || e.contains("21x30"), "{e}");
    assert!(level.known(ui.slice(s![..;2, ..;2]), ui.row(0), fi.slice(s![..20, ..])).is_err());
    assert!(SrmLevel::new(&cfg, 41, 60).is_err() && SrmLevel::new(&cfg, 40, 15).is_err());
}
