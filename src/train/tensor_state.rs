//! burn tensors as sampler states: one component, axis 0 is the batch. Noise is drawn on the
//! host from the sampler's seeded RNG and uploaded, so CPU runs are reproducible bit for bit and
//! independent of the backend's own RNG.

use crate::state::State;
use burn::prelude::*;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};

impl<B: Backend, const D: usize> State for Tensor<B, D> {
    const COMPONENTS: usize = 1;

    fn lin_comb(terms: &[&Self], coefs: &[&[f64]]) -> Self {
        let c = coefs[0];
        let mut out = terms[0].clone().mul_scalar(c[0] as f32);
        for (t, &k) in terms.iter().zip(c).skip(1) {
            if k != 0.0 {
                out = out + (*t).clone().mul_scalar(k as f32);
            }
        }
        out
    }

    fn noise_like(&self, rng: &mut StdRng) -> Self {
        let shape = self.dims();
        let n: usize = shape.iter().product();
        let v: Vec<f32> = (0..n).map(|_| { let z: f64 = StandardNormal.sample(rng); z as f32 }).collect();
        Tensor::from_data(TensorData::new(v, shape), &self.device())
    }

    fn mean_norms(&self) -> Vec<f64> {
        let b = self.dims()[0];
        let flat: Tensor<B, 2> = self.clone().reshape([b as i64, -1]);
        let norms = flat.square().sum_dim(1).sqrt().mean();
        vec![norms.into_scalar().elem::<f64>()]
    }

    fn is_finite(&self) -> bool {
        let s = self.clone().abs().sum().into_scalar().elem::<f64>();
        s.is_finite()
    }
}

/// `[n, d]` host array → `[n, d]` f32 tensor.
pub fn array_to_tensor<B: Backend>(a: &ndarray::Array2<f64>, device: &B::Device) -> Tensor<B, 2> {
    let v: Vec<f32> = a.iter().map(|x| *x as f32).collect();
    Tensor::from_data(TensorData::new(v, [a.nrows(), a.ncols()]), device)
}

/// `[n, d]` tensor → host `f64` array.
pub fn tensor_to_array<B: Backend>(t: Tensor<B, 2>) -> ndarray::Array2<f64> {
    let [n, d] = t.dims();
    let v: Vec<f32> = t.into_data().convert::<f32>().into_vec().expect("f32 data");
    ndarray::Array2::from_shape_vec((n, d), v.into_iter().map(f64::from).collect()).expect("shape")
}
