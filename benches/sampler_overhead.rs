//! Per-step overhead of each sampler on a state of 1e6 floats.
//!
//! The "model" is a cheap linear map (one pass over the state), so what is measured is the
//! sampler's own work: coefficient computation and the linear combinations of its update rule.
//! Reported: wall time per step, minus the model's own time per evaluation × NFE/step.
//! Run: `cargo bench --bench sampler_overhead` (prints a table; no assertions).

use ndarray::Array2;
use scidiff::error::SampleError;
use scidiff::sampler::{METHOD_NAMES, Method, Model, SamplerConfig, sample};
use scidiff::sde::{Prediction, Sde, VpLinear};
use scidiff::state::State;
use std::sync::Arc;
use std::time::Instant;

struct Linear;
impl Model<Array2<f64>> for Linear {
    fn prediction(&self) -> Prediction {
        Prediction::Noise
    }
    fn eval(&mut self, x: &Array2<f64>, _t: f64) -> Result<Array2<f64>, SampleError> {
        Ok(x.mapv(|v| 0.1 * v))
    }
}

struct TensorLinear;
type Tb = burn::backend::NdArray<f32>;
impl Model<burn::tensor::Tensor<Tb, 2>> for TensorLinear {
    fn prediction(&self) -> Prediction {
        Prediction::Noise
    }
    fn eval(&mut self, x: &burn::tensor::Tensor<Tb, 2>, _t: f64) -> Result<burn::tensor::Tensor<Tb, 2>, SampleError> {
        Ok(x.clone().mul_scalar(0.1))
    }
}

fn time<F: FnMut()>(mut f: F, reps: usize) -> f64 {
    f();
    let t0 = Instant::now();
    for _ in 0..reps {
        f();
    }
    t0.elapsed().as_secs_f64() / reps as f64
}

fn main() {
    let sde: Arc<dyn Sde> = Arc::new(VpLinear::default());
    let x0 = Array2::<f64>::zeros((1000, 1000)).noise_like(&mut scidiff::rng(0));
    let model_t = time(|| { let _ = Linear.eval(&x0, 0.5).unwrap(); }, 5);
    let xt = scidiff::train::tensor_state::array_to_tensor::<Tb>(&x0, &Default::default());
    let model_tt = time(|| { let _ = TensorLinear.eval(&xt, 0.5).unwrap(); }, 5);
    println!("state: 1e6 floats; model = one scaled copy ({:.2} ms ndarray f64, {:.2} ms burn NdArray f32)", model_t * 1e3, model_tt * 1e3);
    println!("{:<16} {:>6} {:>6} {:>14} {:>16} {:>14} {:>16}", "sampler", "NFE", "steps", "f64 ms/step", "f64 overhead", "f32 ms/step", "f32 overhead");
    let nfe = 24;
    for name in &METHOD_NAMES[..15] {
        let m: Method = name.parse().unwrap();
        let cfg = SamplerConfig { method: m, nfe, ..SamplerConfig::default() };
        let mut steps = 0;
        let t_arr = time(|| {
            let out = sample(&cfg, &mut Linear, std::slice::from_ref(&sde), x0.clone(), &mut scidiff::rng(1), None).unwrap();
            steps = out.steps;
        }, 2);
        let t_ten = time(|| {
            let _ = sample(&cfg, &mut TensorLinear, std::slice::from_ref(&sde), xt.clone(), &mut scidiff::rng(1), None).unwrap();
        }, 2);
        let per = |t: f64| t / steps as f64 * 1e3;
        let over = |t: f64, mt: f64| (t - nfe as f64 * mt) / steps as f64 * 1e3;
        println!("{:<16} {:>6} {:>6} {:>14.2} {:>16.2} {:>14.2} {:>16.2}", name, nfe, steps, per(t_arr), over(t_arr, model_t), per(t_ten), over(t_ten, model_tt));
    }
}
