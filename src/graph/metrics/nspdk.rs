//! NSPDK MMD: the neighbourhood subgraph pairwise distance kernel (Costa & De Grave, *Fast
//! neighborhood subgraph pairwise distance kernel*, ICML 2010) with the settings GDSS uses for
//! molecules (its `evaluation/eden.py`, EDeN "complexity 4"; brief gdss.md §6.2).
//!
//! # Features
//! A labelled graph is first expanded: every edge becomes a vertex carrying the edge label,
//! joined to its two endpoints, so original atoms sit at even distances from each other. For
//! radius `r ∈ {0..R}` and distance `d ∈ {0..D}` (here R = D = 4, i.e. 2r and 2d in the expanded
//! graph) and every ordered pair of original vertices `(u, v)` at distance `2d`, the feature is
//! a hash of the pair of rooted-neighbourhood hashes `(N_r(u), N_r(v))` (sorted so the pair is
//! unordered), plus a "half" feature hashing `N_r(v)` alone. The rooted neighbourhood hash of
//! `u` at radius `r` hashes the sorted multiset, over vertices `w` within distance `2r` of `u`,
//! of `(dist(u, w), view_r(w))`, where `view_r(w)` hashes `w`'s label with the sorted
//! `(dist(w, x), label(x))` of every `x` within `2r` of `w` (EDeN's distance-label
//! construction), and vertex labels include the vertex degree. Features are hashed into `2^16` slots per
//! `(r, d)` block; each block's count vector is L2-normalised, then the whole vector is.
//!
//! # Kernel and MMD
//! The kernel is the dot product of feature vectors, so the biased MMD² of GDSS equals the
//! squared distance of the mean embeddings: `MMD² = ‖mean φ(X) − mean φ(Y)‖²`.
//!
//! Hash values differ from EDeN's (Python's string hash is randomised per process anyway, so
//! EDeN's own values vary at the 1e-5 level): numbers are comparable in scale with GDSS's, not
//! bit-identical.

use std::collections::hash_map::DefaultHasher;
use std::collections::{HashMap, VecDeque};
use std::hash::{Hash, Hasher};

use rayon::prelude::*;

/// Maximum neighbourhood radius `R` (EDeN's `r`, GDSS: 4).
pub const RADIUS: usize = 4;
/// Maximum pair distance `D` (EDeN's `d`, GDSS: 4).
pub const DISTANCE: usize = 4;
/// Hash slots per `(r, d)` block.
const BITS: u64 = 1 << 16;

/// A graph with discrete vertex and edge labels.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabelledGraph {
    /// One label per vertex.
    pub labels: Vec<u64>,
    /// `(u, v, label)` with `u != v`, each edge once.
    pub edges: Vec<(usize, usize, u64)>,
}

/// A sparse, L2-normalised NSPDK feature vector: `(block, slot) → value`.
pub type Features = HashMap<(u16, u32), f64>;

fn hash_of<T: Hash>(t: &T) -> u64 {
    let mut h = DefaultHasher::new();
    t.hash(&mut h);
    h.finish()
}

/// The edge-to-vertex expansion: adjacency lists and labels (original vertices first).
fn expand(g: &LabelledGraph) -> (Vec<Vec<usize>>, Vec<u64>) {
    let n = g.labels.len();
    let mut adj = vec![Vec::new(); n + g.edges.len()];
    let mut labels: Vec<u64> = g.labels.iter().map(|&l| hash_of(&("v", l))).collect();
    for (k, &(u, v, l)) in g.edges.iter().enumerate() {
        let e = n + k;
        adj[u].push(e);
        adj[v].push(e);
        adj[e] = vec![u, v];
        labels.push(hash_of(&("e", l)));
    }
    let labels = labels.iter().enumerate().map(|(i, &l)| hash_of(&(l, adj[i].len()))).collect();
    (adj, labels)
}

/// Breadth-first distances from `s`, cut at `max` (`usize::MAX` beyond).
fn bfs(adj: &[Vec<usize>], s: usize, max: usize) -> Vec<usize> {
    let mut dist = vec![usize::MAX; adj.len()];
    dist[s] = 0;
    let mut queue = VecDeque::from([s]);
    while let Some(u) = queue.pop_front() {
        if dist[u] == max {
            continue;
        }
        for &v in &adj[u] {
            if dist[v] == usize::MAX {
                dist[v] = dist[u] + 1;
                queue.push_back(v);
            }
        }
    }
    dist
}

/// Rooted neighbourhood hashes `hash[r][u]` for the original vertices `u < n`.
fn neighbourhood_hashes(dist: &[Vec<usize>], labels: &[u64], n: usize) -> Vec<Vec<u64>> {
    let all = labels.len();
    (0..=RADIUS)
        .map(|r| {
            // Each vertex's view of its own radius-r ball: sorted (distance, label) pairs.
            let view: Vec<u64> = (0..all)
                .map(|w| {
                    let mut seen: Vec<(usize, u64)> = (0..all).filter(|&x| dist[w][x] <= 2 * r).map(|x| (dist[w][x], labels[x])).collect();
                    seen.sort_unstable();
                    hash_of(&(labels[w], seen))
                })
                .collect();
            (0..n)
                .map(|u| {
                    let mut items: Vec<(usize, u64)> = (0..all).filter(|&w| dist[u][w] <= 2 * r).map(|w| (dist[u][w], view[w])).collect();
                    items.sort_unstable();
                    hash_of(&(r, items))
                })
                .collect()
        })
        .collect()
}

/// The NSPDK feature vector of one graph (empty for a graph without vertices).
pub fn features(g: &LabelledGraph) -> Features {
    let n = g.labels.len();
    let (adj, labels) = expand(g);
    let reach = 2 * RADIUS.max(DISTANCE) + 2 * RADIUS;
    let dist: Vec<Vec<usize>> = (0..adj.len()).map(|s| bfs(&adj, s, reach)).collect();
    let nh = neighbourhood_hashes(&dist, &labels, n);
    let mut blocks: HashMap<u16, HashMap<u32, f64>> = HashMap::new();
    for r in 0..=RADIUS {
        for d in 0..=DISTANCE {
            let block = (r * (DISTANCE + 1) + d) as u16;
            for u in 0..n {
                for v in (0..n).filter(|&v| dist[u][v] == 2 * d) {
                    let (a, b) = (nh[r][u].min(nh[r][v]), nh[r][u].max(nh[r][v]));
                    for key in [hash_of(&(r, d, a, b)), hash_of(&(r, d, "half", nh[r][v]))] {
                        *blocks.entry(block).or_default().entry((key % BITS) as u32).or_default() += 1.0;
                    }
                }
            }
        }
    }
    normalise(blocks)
}

/// L2-normalises each block, then the concatenation.
fn normalise(blocks: HashMap<u16, HashMap<u32, f64>>) -> Features {
    let mut out = Features::new();
    for (b, slots) in blocks {
        let norm = slots.values().map(|x| x * x).sum::<f64>().sqrt();
        out.extend(slots.into_iter().map(|(s, x)| ((b, s), x / norm)));
    }
    let total = out.values().map(|x| x * x).sum::<f64>().sqrt();
    out.values_mut().for_each(|x| *x /= total);
    out
}

/// The NSPDK kernel: the dot product of two feature vectors.
pub fn kernel(a: &Features, b: &Features) -> f64 {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small.iter().filter_map(|(k, x)| large.get(k).map(|y| x * y)).sum()
}

/// Mean feature vector of a set of graphs (features computed in parallel).
pub fn mean_embedding(graphs: &[LabelledGraph]) -> Features {
    let feats: Vec<Features> = graphs.par_iter().map(features).collect();
    let mut mean = Features::new();
    for f in &feats {
        for (k, x) in f {
            *mean.entry(*k).or_default() += x / graphs.len() as f64;
        }
    }
    mean
}

/// Biased NSPDK MMD² between two sets (GDSS's definition); `None` if either set is empty.
pub fn nspdk_mmd2(x: &[LabelledGraph], y: &[LabelledGraph]) -> Option<f64> {
    if x.is_empty() || y.is_empty() {
        return None;
    }
    let (mx, my) = (mean_embedding(x), mean_embedding(y));
    Some((kernel(&mx, &mx) + kernel(&my, &my) - 2.0 * kernel(&mx, &my)).max(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn graph(labels: &[u64], edges: &[(usize, usize, u64)]) -> LabelledGraph {
        LabelledGraph { labels: labels.to_vec(), edges: edges.to_vec() }
    }

    #[test]
    fn self_kernel_is_one_and_relabelling_is_invisible() {
        let g = graph(&[6, 6, 8, 7], &[(0, 1, 1), (1, 2, 2), (1, 3, 1)]);
        // Same graph with vertices permuted (0→3, 1→0, 2→1, 3→2).
        let h = graph(&[6, 8, 7, 6], &[(3, 0, 1), (0, 1, 2), (0, 2, 1)]);
        let (fg, fh) = (features(&g), features(&h));
        assert!((kernel(&fg, &fg) - 1.0).abs() < 1e-12);
        assert_eq!(fg.len(), fh.len());
        assert!((kernel(&fg, &fh) - 1.0).abs() < 1e-12);
    }

    /// Ethane (C–C) against ethylene (C=C), checked by hand: both have the ten non-empty blocks
    /// (r = 0..4) × (d = 0, 1), each of weight 1/10 after normalisation. Only the r = 0 blocks
    /// see no edge label (a radius-0 neighbourhood is the root atom, whose label and degree
    /// agree), so they are identical and every other block is disjoint: k = 2/10.
    #[test]
    fn ethane_vs_ethylene_by_hand() {
        let ethane = features(&graph(&[6, 6], &[(0, 1, 1)]));
        let ethylene = features(&graph(&[6, 6], &[(0, 1, 2)]));
        assert!((kernel(&ethane, &ethylene) - 0.2).abs() < 1e-12);
        // Methane against ammonia: five blocks each (r = 0..4, d = 0), all disjoint.
        let c = features(&graph(&[6], &[]));
        let n = features(&graph(&[7], &[]));
        assert_eq!(c.len(), 10); // a pair feature and a half feature per block
        assert!(kernel(&c, &n).abs() < 1e-12);
    }

    #[test]
    fn mmd_is_zero_on_equal_sets_and_matches_pairwise_means() {
        let set_a = vec![graph(&[6, 6], &[(0, 1, 1)]), graph(&[6, 8, 6], &[(0, 1, 1), (1, 2, 1)])];
        let set_b = vec![graph(&[6, 6], &[(0, 1, 2)]), graph(&[7, 6], &[(0, 1, 3)]), graph(&[6], &[])];
        assert!(nspdk_mmd2(&set_a, &set_a).unwrap().abs() < 1e-12);
        // Brute force: mean over all pairs of the kernel (the V-statistic GDSS computes).
        let fa: Vec<Features> = set_a.iter().map(features).collect();
        let fb: Vec<Features> = set_b.iter().map(features).collect();
        let mean_k = |x: &[Features], y: &[Features]| {
            x.iter().flat_map(|a| y.iter().map(move |b| kernel(a, b))).sum::<f64>() / (x.len() * y.len()) as f64
        };
        let brute = mean_k(&fa, &fa) + mean_k(&fb, &fb) - 2.0 * mean_k(&fa, &fb);
        assert!((nspdk_mmd2(&set_a, &set_b).unwrap() - brute).abs() < 1e-12);
        assert!(brute > 0.1);
        assert_eq!(nspdk_mmd2(&[], &set_b), None);
    }
}
