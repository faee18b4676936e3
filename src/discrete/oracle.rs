//! An enumerable joint distribution over sequences of length `L` in a vocabulary of size `V`
//! (core brief §3.6), with its exact SUBS denoiser: for a masked position `i`,
//! `p(x^i = v | unmasked tokens of z)` by summing the joint table. For absorbing noise the exact
//! denoiser does not depend on `t`.

use super::MaskedDenoiser;
use ndarray::{Array1, Array2, Array3};
use rand::RngExt;
use rand::rngs::StdRng;
use rand_distr::{Distribution, Gamma};

/// A probability table over all `V^L` sequences.
#[derive(Debug, Clone)]
pub struct TinyJoint {
    /// Sequence length.
    pub len: usize,
    /// Vocabulary size.
    pub vocab: usize,
    /// `p[s]` for the sequence with base-`V` digits `s` (position 0 most significant).
    pub p: Vec<f64>,
}

impl TinyJoint {
    /// A table drawn from a symmetric Dirichlet(`concentration`).
    pub fn dirichlet(len: usize, vocab: usize, concentration: f64, rng: &mut StdRng) -> Self {
        let g = Gamma::new(concentration, 1.0).expect("positive concentration");
        let mut p: Vec<f64> = (0..vocab.pow(len as u32)).map(|_| g.sample(rng)).collect();
        let s: f64 = p.iter().sum();
        p.iter_mut().for_each(|v| *v /= s);
        Self { len, vocab, p }
    }

    /// Digits of state `s`.
    pub fn decode(&self, mut s: usize) -> Vec<usize> {
        let mut d = vec![0; self.len];
        for i in (0..self.len).rev() {
            d[i] = s % self.vocab;
            s /= self.vocab;
        }
        d
    }

    /// Index of a sequence.
    pub fn encode(&self, x: &[usize]) -> usize {
        x.iter().fold(0, |acc, &v| acc * self.vocab + v)
    }

    /// `log p(x)`.
    pub fn log_prob(&self, x: &[usize]) -> f64 {
        self.p[self.encode(x)].ln()
    }

    /// `n` exact draws as a `[n, L]` batch.
    pub fn sample(&self, n: usize, rng: &mut StdRng) -> Array2<usize> {
        let mut out = Array2::zeros((n, self.len));
        for i in 0..n {
            let u: f64 = rng.random();
            let (mut acc, mut s) = (0.0, self.p.len() - 1);
            for (k, p) in self.p.iter().enumerate() {
                acc += p;
                if u < acc {
                    s = k;
                    break;
                }
            }
            for (j, d) in self.decode(s).into_iter().enumerate() {
                out[[i, j]] = d;
            }
        }
        out
    }

    /// Per-position marginals `[L, V]`.
    pub fn marginals(&self) -> Array2<f64> {
        let mut m = Array2::zeros((self.len, self.vocab));
        for (s, p) in self.p.iter().enumerate() {
            for (j, d) in self.decode(s).into_iter().enumerate() {
                m[[j, d]] += p;
            }
        }
        m
    }

    /// Exact conditionals for one partially masked sequence (`z[i] == V` = masked): `[L, V]`.
    pub fn conditionals(&self, z: &[usize]) -> Array2<f64> {
        let v = self.vocab;
        let mut m = Array2::zeros((self.len, v));
        let mut total = 0.0;
        for (s, p) in self.p.iter().enumerate() {
            let d = self.decode(s);
            if d.iter().zip(z).all(|(a, b)| *b == v || a == b) {
                total += p;
                for (j, dj) in d.into_iter().enumerate() {
                    m[[j, dj]] += p;
                }
            }
        }
        m / total
    }

    /// The empirical distribution of a batch of sequences over the table's states.
    pub fn histogram(&self, x: &Array2<usize>) -> Array1<f64> {
        let mut h = Array1::zeros(self.p.len());
        for row in x.rows() {
            h[self.encode(&row.to_vec())] += 1.0 / x.nrows() as f64;
        }
        h
    }
}

impl MaskedDenoiser for TinyJoint {
    fn vocab(&self) -> usize {
        self.vocab
    }
    fn probs(&mut self, z: &Array2<usize>, _t: f64) -> Array3<f64> {
        let (b, l) = z.dim();
        let mut out = Array3::zeros((b, l, self.vocab));
        for i in 0..b {
            let c = self.conditionals(&z.row(i).to_vec());
            out.index_axis_mut(ndarray::Axis(0), i).assign(&c);
        }
        out
    }
}

/// A first-order Markov chain over `V` tokens: a source of training sequences with known
/// statistics (test oracle for learned denoisers).
#[derive(Debug, Clone)]
pub struct MarkovSource {
    /// Initial distribution `[V]`.
    pub init: Vec<f64>,
    /// Transition rows `trans[a][b] = P(x_{j+1} = b | x_j = a)`.
    pub trans: Vec<Vec<f64>>,
}

fn draw_index(probs: &[f64], u: f64) -> usize {
    let mut acc = 0.0;
    for (k, p) in probs.iter().enumerate() {
        acc += p;
        if u < acc {
            return k;
        }
    }
    probs.len() - 1
}

impl MarkovSource {
    /// The 4-state sticky chain of the sequence-module tests.
    pub fn sticky4() -> Self {
        let trans = [[0.7, 0.2, 0.05, 0.05], [0.1, 0.6, 0.25, 0.05], [0.05, 0.05, 0.6, 0.3], [0.4, 0.1, 0.1, 0.4]];
        Self { init: vec![0.4, 0.3, 0.2, 0.1], trans: trans.iter().map(|r| r.to_vec()).collect() }
    }

    /// `n` sequences of length `len`.
    pub fn sample(&self, n: usize, len: usize, rng: &mut StdRng) -> Array2<usize> {
        let mut x = Array2::zeros((n, len));
        for i in 0..n {
            x[[i, 0]] = draw_index(&self.init, rng.random());
            for j in 1..len {
                x[[i, j]] = draw_index(&self.trans[x[[i, j - 1]]], rng.random());
            }
        }
        x
    }

    /// Exact entropy of length-`len` sequences in bits per token:
    /// `(H(init) + Σ_{j ≥ 1} Σ_a P(x_{j−1} = a) H(trans_a)) / len`.
    pub fn entropy_bits_per_token(&self, len: usize) -> f64 {
        let h = |p: &[f64]| -p.iter().filter(|v| **v > 0.0).map(|v| v * v.log2()).sum::<f64>();
        let v = self.init.len();
        let mut marg = self.init.clone();
        let mut total = h(&self.init);
        for _ in 1..len {
            total += (0..v).map(|a| marg[a] * h(&self.trans[a])).sum::<f64>();
            marg = (0..v).map(|b| (0..v).map(|a| marg[a] * self.trans[a][b]).sum()).collect();
        }
        total / len as f64
    }
}
