use super::*;
use crate::pde::solvers::burgers::{BurgersPreset, generate};
use crate::pde::wdno::schedule::DdpmSchedule;
use burn::backend::NdArray;

type Cpu = NdArray<f32>;

fn tiny() -> SrmConfig {
    let mut c = SrmConfig::small();
    c.unet.dim = 8;
    c.unet.attn_dim_head = 8;
    c
}

fn opts(seed: u64, batch: usize) -> SampleOptions {
    SampleOptions { steps: 2, seed, batch, ..SampleOptions::default() }
}

/// Recursion shapes (11×15 → 21×30 → 41×60 with an untrained SRM, batches of 2 over 3
/// trajectories), same seed → same output, another seed → another output.
#[test]
fn recursion_shapes_and_seeds() {
    let dev = Default::default();
    <Cpu as Backend>::seed(&dev, 0);
    let net: Unet<Cpu> = tiny().unet.init(&dev);
    let (u, f) = generate(&BurgersPreset::small(), 3, 2).unwrap();
    let coarse = u.slice(s![.., ..;4, ..;4]);
    let u0 = u.index_axis(Axis(1), 0);
    let run = |seed| superresolve(&net, &tiny(), coarse, u0, f.view(), 2, &opts(seed, 2), &dev, None).unwrap();
    let (a, b, c) = (run(0), run(0), run(1));
    assert_eq!(a.iter().map(|x| x.dim()).collect::<Vec<_>>(), [(3, 21, 30), (3, 41, 60)]);
    assert_eq!(a, b);
    assert_ne!(a[1], c[1]);
    assert!(a[1].iter().all(|v| v.is_finite()));
}

/// A denoiser that knows the answer: ε̂ = (x − √ᾱ_k x0)/√(1−ᾱ_k) for the true canvas x0.
struct Truth {
    x0: Tensor<Cpu, 4>,
    sched: DdpmSchedule,
}

impl Denoiser<Cpu> for Truth {
    fn eps(&self, x: Tensor<Cpu, 4>, k: Tensor<Cpu, 1>) -> Tensor<Cpu, 4> {
        let k: f32 = k.into_data().into_vec::<f32>().unwrap()[0];
        let (a, s) = self.sched.coefficients(k as usize);
        (x - self.x0.clone().mul_scalar(a as f32)).div_scalar(s as f32)
    }
}

/// Oracle: with a denoiser that returns the true fine bands, one stage of DDIM (η = 1, 5 steps)
/// through the known canvas, the clip and the inverse DWT gives back the fine trajectory from
/// its coarse subsample (to the f32 canvas error, 1e-4 after DDIM's arithmetic).
#[test]
fn perfect_denoiser_recovers_the_fine_trajectory() {
    let dev = Default::default();
    let cfg = tiny();
    let (u, f) = generate(&BurgersPreset::small(), 2, 3).unwrap();
    let level = SrmLevel::new(&cfg, 40, 60).unwrap();
    let pairs: Vec<_> = (0..2).map(|i| level.pack_pair(u.index_axis(Axis(0), i), f.index_axis(Axis(0), i)).unwrap()).collect();
    let views: Vec<_> = pairs.iter().map(|p| p.view()).collect();
    let oracle = Truth { x0: canvases_to_tensor::<Cpu>(&views, &dev), sched: DdpmSchedule::new(&cfg.diffusion) };
    let o = SampleOptions { steps: 5, ..opts(0, 2) };
    let out = superresolve(&oracle, &cfg, u.slice(s![.., ..;2, ..;2]), u.index_axis(Axis(1), 0), f.view(), 1, &o, &dev, None).unwrap();
    let err = (&out[0] - &u).mapv(f64::abs).fold(0.0, |m: f64, v| m.max(*v));
    assert!(err < 1e-4, "max error {err}");
}

/// Wrong shapes, NaN inputs and bad stage counts are errors naming the problem, not panics.
#[test]
fn bad_inputs_are_refused() {
    let dev = Default::default();
    let net: Unet<Cpu> = tiny().unet.init(&dev);
    let (u, f) = generate(&BurgersPreset::small(), 1, 4).unwrap();
    let (coarse, u0) = (u.slice(s![.., ..;2, ..;2]).to_owned(), u.index_axis(Axis(1), 0).to_owned());
    let go = |c: &Array3<f64>, stages| superresolve(&net, &tiny(), c.view(), u0.view(), f.view(), stages, &opts(0, 1), &dev, None);
    assert!(matches!(go(&u, 1), Err(WdnoError::Shape(_))));
    assert!(matches!(go(&coarse, 0), Err(WdnoError::Config(_))));
    let mut nan = coarse.clone();
    nan[[0, 3, 4]] = f64::NAN;
    assert!(matches!(go(&nan, 1), Err(WdnoError::NonFinite(_))));
}
