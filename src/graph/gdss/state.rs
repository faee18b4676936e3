//! The GDSS sampler state: node features `X` [b, n, F], weighted adjacency `A` [b, n, n] and
//! node flags [b, n] (ones for real nodes, a prefix of ones per graph).
//!
//! As a [`State`] it has two components, `X` and `A`, each driven by its own SDE; the flags are
//! constant during sampling and travel with the state (every linear combination keeps the
//! flags of its first term). Noise follows GDSS's `gen_noise` (Jo et al. 2022, `utils/graph_utils.py`):
//! for `X` i.i.d. N(0, 1) with padding rows zeroed, for `A` a strict-upper-triangular N(0, 1)
//! mirrored to the lower triangle (zero diagonal, symmetric) with padding rows and columns
//! zeroed. [`State::mean_norms`] is GDSS's Langevin norm: per graph, the Frobenius norm over the
//! whole (masked) tensor, averaged over the batch — one number per component.
//!
//! Noise is drawn on the host from the sampler's seeded RNG (X first, then A) and uploaded, so
//! runs are reproducible for a given seed.

use burn::prelude::*;
use petgraph::graph::UnGraph;
use rand::RngExt;
use rand::rngs::StdRng;
use rand_distr::{Distribution, StandardNormal};

use crate::state::State;

/// A batch of dense graphs being sampled.
#[derive(Debug, Clone)]
pub struct GraphState<B: Backend> {
    /// Node features `[b, n, F]`.
    pub x: Tensor<B, 3>,
    /// Adjacency `[b, n, n]`.
    pub adj: Tensor<B, 3>,
    /// Node flags `[b, n]` (1 = real node, 0 = padding).
    pub flags: Tensor<B, 2>,
}

fn host_flags<B: Backend>(flags: &Tensor<B, 2>) -> Vec<f32> {
    flags.clone().into_data().convert::<f32>().into_vec().expect("f32 flags")
}

fn normal(rng: &mut StdRng) -> f32 {
    let z: f64 = StandardNormal.sample(rng);
    z as f32
}

/// Node-masked N(0, 1) noise of shape `[b, n, f]` (`flags` row-major `[b, n]`).
pub(crate) fn masked_noise(flags: &[f32], b: usize, n: usize, f: usize, rng: &mut StdRng) -> Vec<f32> {
    let mut v = vec![0f32; b * n * f];
    for (k, row) in v.chunks_mut(f).enumerate() {
        let z: Vec<f32> = (0..f).map(|_| normal(rng)).collect();
        if flags[k] != 0.0 {
            for (o, zi) in row.iter_mut().zip(z) {
                *o = zi * flags[k];
            }
        }
    }
    v
}

/// Symmetric, zero-diagonal, masked N(0, 1) noise of shape `[b, n, n]` (GDSS `gen_noise(sym=True)`).
pub(crate) fn sym_noise(flags: &[f32], b: usize, n: usize, rng: &mut StdRng) -> Vec<f32> {
    let mut v = vec![0f32; b * n * n];
    for g in 0..b {
        let m = &flags[g * n..(g + 1) * n];
        let a = &mut v[g * n * n..(g + 1) * n * n];
        for i in 0..n {
            for j in i + 1..n {
                let z = normal(rng) * m[i] * m[j];
                a[i * n + j] = z;
                a[j * n + i] = z;
            }
        }
    }
    v
}

impl<B: Backend> GraphState<B> {
    /// Batch size, `N_max` and feature width.
    pub fn dims(&self) -> (usize, usize, usize) {
        let [b, n, f] = self.x.dims();
        (b, n, f)
    }

    /// Flags `[b, n]` with the first `counts[k]` entries of row `k` set (counts are clamped to `n`).
    pub fn flags_from_counts(counts: &[usize], n: usize, device: &B::Device) -> Tensor<B, 2> {
        let mut v = vec![0f32; counts.len() * n];
        for (k, &c) in counts.iter().enumerate() {
            v[k * n..k * n + c.min(n)].iter_mut().for_each(|x| *x = 1.0);
        }
        Tensor::from_data(TensorData::new(v, [counts.len(), n]), device)
    }

    /// GDSS's prior (`sampler.py`): `X ~ N(0, I)` and symmetric zero-diagonal `A ~ N(0, 1)`
    /// off the diagonal, both masked by `flags` (`[b, n]`). GDSS draws both from unit
    /// Gaussians whatever the SDE (all its VE SDEs have `σ_max = 1`).
    pub fn prior(flags: Tensor<B, 2>, feat: usize, rng: &mut StdRng) -> Self {
        let [b, n] = flags.dims();
        let device = flags.device();
        let zero = Self {
            x: Tensor::zeros([b, n, feat], &device),
            adj: Tensor::zeros([b, n, n], &device),
            flags,
        };
        zero.noise_like(rng)
    }

    /// Node counts drawn as GDSS's `init_flags` does: each graph copies the node count of a
    /// uniformly chosen training graph (with replacement).
    pub fn sample_node_counts(train_counts: &[usize], b: usize, rng: &mut StdRng) -> Vec<usize> {
        assert!(!train_counts.is_empty(), "no training graphs to draw node counts from");
        (0..b).map(|_| train_counts[rng.random_range(0..train_counts.len())]).collect()
    }

    /// GDSS's final step for generic graphs: quantise `A` (entries ≥ 0.5 → edge, `quantize`),
    /// keep real nodes only, drop self loops and isolated nodes, and — as GDSS's
    /// `adjs_to_graphs` does — turn an empty result into a single node.
    pub fn to_graphs(&self) -> Vec<UnGraph<(), ()>> {
        let (b, n, _) = self.dims();
        let adj: Vec<f32> = self.adj.clone().into_data().convert::<f32>().into_vec().expect("f32 adjacency");
        let flags = host_flags(&self.flags);
        (0..b)
            .map(|g| {
                let a = &adj[g * n * n..(g + 1) * n * n];
                let m = &flags[g * n..(g + 1) * n];
                let mut edges = Vec::new();
                for i in 0..n {
                    for j in i + 1..n {
                        if m[i] != 0.0 && m[j] != 0.0 && a[i * n + j] >= 0.5 {
                            edges.push((i, j));
                        }
                    }
                }
                let mut id = vec![usize::MAX; n];
                let mut graph = UnGraph::<(), ()>::default();
                for &(i, j) in &edges {
                    for v in [i, j] {
                        if id[v] == usize::MAX {
                            id[v] = graph.add_node(()).index();
                        }
                    }
                }
                for &(i, j) in &edges {
                    graph.add_edge((id[i] as u32).into(), (id[j] as u32).into(), ());
                }
                if graph.node_count() == 0 {
                    graph.add_node(());
                }
                graph
            })
            .collect()
    }
}

impl<B: Backend> State for GraphState<B> {
    const COMPONENTS: usize = 2;

    fn lin_comb(terms: &[&Self], coefs: &[&[f64]]) -> Self {
        let xs: Vec<&Tensor<B, 3>> = terms.iter().map(|t| &t.x).collect();
        let adjs: Vec<&Tensor<B, 3>> = terms.iter().map(|t| &t.adj).collect();
        Self {
            x: Tensor::lin_comb(&xs, &coefs[..1]),
            adj: Tensor::lin_comb(&adjs, &coefs[1..2]),
            flags: terms[0].flags.clone(),
        }
    }

    fn noise_like(&self, rng: &mut StdRng) -> Self {
        let (b, n, f) = self.dims();
        let flags = host_flags(&self.flags);
        let device = self.x.device();
        let x = masked_noise(&flags, b, n, f, rng);
        let adj = sym_noise(&flags, b, n, rng);
        Self {
            x: Tensor::from_data(TensorData::new(x, [b, n, f]), &device),
            adj: Tensor::from_data(TensorData::new(adj, [b, n, n]), &device),
            flags: self.flags.clone(),
        }
    }

    fn mean_norms(&self) -> Vec<f64> {
        vec![self.x.mean_norms()[0], self.adj.mean_norms()[0]]
    }

    fn is_finite(&self) -> bool {
        State::is_finite(&self.x) && State::is_finite(&self.adj)
    }
}
