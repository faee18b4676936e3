//! The sampler state abstraction.
//!
//! Samplers never touch tensors directly: each update rule is a linear combination
//! `x' = Σ_j c_j · term_j` whose scalar coefficients come from the schedule (in `f64`), plus fresh
//! Gaussian noise and, for the Langevin corrector, batch norms. A state is made of one or more
//! *components*, each driven by its own [`crate::sde::Sde`] (GDSS's node features and adjacency,
//! §3.2 of Jo et al. 2022); coefficients are given per component. Implementations:
//!
//! * `ndarray::Array<f64, D>` — one component, axis 0 is the batch (oracle tests, the CLI);
//! * `burn::tensor::Tensor<B, D>` — one component, for trained networks on CPU or GPU
//!   (see [`crate::train::tensor_state`]);
//! * [`Joint`] — two states side by side, components concatenated.

use ndarray::{Array, Axis, Dimension, RemoveAxis, Zip};
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};

/// A batched sampler state.
pub trait State: Clone {
    /// Number of independently scheduled components.
    const COMPONENTS: usize;
    /// `Σ_j coefs[c][j] · terms[j]`, component by component (`coefs.len() == COMPONENTS`).
    fn lin_comb(terms: &[&Self], coefs: &[&[f64]]) -> Self;
    /// Standard Gaussian noise of the same shape (and structure: masks, symmetry).
    fn noise_like(&self, rng: &mut StdRng) -> Self;
    /// Per component, the batch mean of the per-sample L2 norms (Langevin's snr rule).
    fn mean_norms(&self) -> Vec<f64>;
    /// Whether every entry is finite.
    fn is_finite(&self) -> bool;
}

impl<D: Dimension + RemoveAxis> State for Array<f64, D> {
    const COMPONENTS: usize = 1;

    fn lin_comb(terms: &[&Self], coefs: &[&[f64]]) -> Self {
        let c = coefs[0];
        assert_eq!(terms.len(), c.len(), "one coefficient per term");
        let mut out = terms[0].mapv(|v| v * c[0]);
        for (t, &k) in terms.iter().zip(c).skip(1) {
            if k != 0.0 {
                out.scaled_add(k, *t);
            }
        }
        out
    }

    fn noise_like(&self, rng: &mut StdRng) -> Self {
        let mut out = self.clone();
        out.iter_mut().for_each(|v| *v = StandardNormal.sample(rng));
        out
    }

    fn mean_norms(&self) -> Vec<f64> {
        if self.ndim() == 0 || self.len_of(Axis(0)) == 0 {
            return vec![0.0];
        }
        let n = self.len_of(Axis(0));
        let total: f64 = self.axis_iter(Axis(0)).map(|row| row.iter().map(|v| v * v).sum::<f64>().sqrt()).sum();
        vec![total / n as f64]
    }

    fn is_finite(&self) -> bool {
        let mut ok = true;
        Zip::from(self).for_each(|v| ok &= v.is_finite());
        ok
    }
}

/// Two states sampled jointly, each with its own schedules (e.g. node features and adjacency).
#[derive(Debug, Clone, PartialEq)]
pub struct Joint<A, B> {
    /// First block.
    pub a: A,
    /// Second block.
    pub b: B,
}

impl<A: State, B: State> State for Joint<A, B> {
    const COMPONENTS: usize = A::COMPONENTS + B::COMPONENTS;

    fn lin_comb(terms: &[&Self], coefs: &[&[f64]]) -> Self {
        let (ca, cb) = coefs.split_at(A::COMPONENTS);
        let ta: Vec<&A> = terms.iter().map(|t| &t.a).collect();
        let tb: Vec<&B> = terms.iter().map(|t| &t.b).collect();
        Joint { a: A::lin_comb(&ta, ca), b: B::lin_comb(&tb, cb) }
    }

    fn noise_like(&self, rng: &mut StdRng) -> Self {
        Joint { a: self.a.noise_like(rng), b: self.b.noise_like(rng) }
    }

    fn mean_norms(&self) -> Vec<f64> {
        let mut v = self.a.mean_norms();
        v.extend(self.b.mean_norms());
        v
    }

    fn is_finite(&self) -> bool {
        self.a.is_finite() && self.b.is_finite()
    }
}
