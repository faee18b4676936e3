//! Generators of GDSS's synthetic benchmark families (brief `gdss.md` §5), for users who want more
//! graphs than the shipped lists (`datasets/graphs/`, which hold GDSS's exact sets).
//!
//! * **community-small** (the EDP-GNN recipe GDSS uses): draw `n ~ U{12..20}`, two communities
//!   of `c = ⌊n/2⌋` nodes, each an Erdős–Rényi `G(c, 0.7)`; every cross pair is bridged with
//!   probability `0.1/c` (`p_inter = 0.05`), and if none is, the first nodes of the two
//!   communities are joined. One deliberate difference: the recipe seeds each community's
//!   `G(c, 0.7)` with its index (`seed=i`), so GDSS's list holds only one intra-community graph
//!   per size — its 100 graphs are 5 distinct community pairs plus bridges, and its train and
//!   test splits share graphs. We draw fresh communities, which is what "more graphs" should mean.
//! * **grid**: a 2-D lattice `m × n` with `m, n ~ U{10..19}`.
//!
//! Our random streams are not networkx's: use the shipped lists to reproduce GDSS's numbers.

use petgraph::graph::{NodeIndex, UnGraph};
use rand::rngs::StdRng;
use rand::RngExt;

/// `G(n, p)` on nodes `offset..offset + n` of `g`.
fn add_gnp(g: &mut UnGraph<(), ()>, offset: usize, n: usize, p: f64, rng: &mut StdRng) {
    for i in 0..n {
        for j in i + 1..n {
            if rng.random::<f64>() < p {
                g.add_edge(NodeIndex::new(offset + i), NodeIndex::new(offset + j), ());
            }
        }
    }
}

/// One community-small graph.
pub fn community_graph(rng: &mut StdRng) -> UnGraph<(), ()> {
    let n = rng.random_range(12..=20usize);
    let c = n / 2;
    let mut g = UnGraph::<(), ()>::with_capacity(2 * c, 0);
    for _ in 0..2 * c {
        g.add_node(());
    }
    for k in 0..2 {
        add_gnp(&mut g, k * c, c, 0.7, rng);
    }
    let p_bridge = 0.05 * 2.0 / c as f64;
    let mut bridged = false;
    for i in 0..c {
        for j in c..2 * c {
            if rng.random::<f64>() < p_bridge {
                g.add_edge(NodeIndex::new(i), NodeIndex::new(j), ());
                bridged = true;
            }
        }
    }
    if !bridged {
        g.add_edge(NodeIndex::new(0), NodeIndex::new(c), ());
    }
    g
}

/// One `m × n` grid graph, `m, n ~ U{10..19}`.
pub fn grid_graph(rng: &mut StdRng) -> UnGraph<(), ()> {
    let (m, n) = (rng.random_range(10..20usize), rng.random_range(10..20usize));
    lattice(m, n)
}

/// The `m × n` 2-D lattice (node `i·n + j`).
pub fn lattice(m: usize, n: usize) -> UnGraph<(), ()> {
    let mut g = UnGraph::<(), ()>::with_capacity(m * n, 2 * m * n);
    for _ in 0..m * n {
        g.add_node(());
    }
    let e = |g: &mut UnGraph<(), ()>, a: usize, b: usize| {
        g.add_edge(NodeIndex::new(a), NodeIndex::new(b), ());
    };
    for i in 0..m {
        for j in 0..n {
            if j + 1 < n {
                e(&mut g, i * n + j, i * n + j + 1);
            }
            if i + 1 < m {
                e(&mut g, i * n + j, (i + 1) * n + j);
            }
        }
    }
    g
}

/// `count` graphs of family `kind` (`community-small` or `grid`).
pub fn generate(kind: &str, count: usize, seed: u64) -> Result<Vec<UnGraph<(), ()>>, String> {
    let mut rng = crate::rng(seed);
    let f: fn(&mut StdRng) -> UnGraph<(), ()> = match kind {
        "community-small" | "community" => community_graph,
        "grid" => grid_graph,
        o => return Err(format!("unknown graph family {o:?} (expected community-small or grid)")),
    };
    Ok((0..count).map(|_| f(&mut rng)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn structure_of_each_family() {
        for g in generate("community-small", 50, 1).unwrap() {
            let n = g.node_count();
            assert!(n % 2 == 0 && (12..=20).contains(&n), "{n} nodes");
            let c = n / 2;
            let cross = g.edge_indices().filter(|e| {
                let (a, b) = g.edge_endpoints(*e).unwrap();
                (a.index() < c) != (b.index() < c)
            });
            assert!(cross.count() >= 1, "no bridge");
        }
        for g in generate("grid", 20, 2).unwrap() {
            // Oracle: an m × n lattice has 2mn − m − n edges and degrees 2..4.
            let n = g.node_count();
            let (m, k) = (10..20).flat_map(|m| (10..20).map(move |k| (m, k))).find(|(m, k)| m * k == n && g.edge_count() == 2 * m * k - m - k).expect("lattice counts");
            assert_eq!(g.edge_count(), 2 * m * k - m - k);
            assert!(g.node_indices().all(|v| (2..=4).contains(&g.neighbors(v).count())));
        }
        assert!(generate("ring", 1, 0).is_err());
    }

    #[test]
    fn community_moments_match_the_recipe() {
        // Oracle: the recipe's exact expectations over c = ⌊n/2⌋, n ~ U{12..20}: nodes E[2c];
        // intra-community density 0.7; cross edges E[c²p + (1 − p)^{c²}] with p = 0.1/c.
        // Tolerance: 4 standard errors of the sample mean over 4000 graphs.
        let gs = generate("community-small", 4000, 3).unwrap();
        let cs: Vec<f64> = (12..=20).map(|n| (n / 2) as f64).collect();
        let e_nodes = cs.iter().map(|c| 2.0 * c).sum::<f64>() / 9.0;
        let e_cross = cs.iter().map(|c| { let p = 0.1 / c; c * c * p + (1.0 - p).powf(c * c) }).sum::<f64>() / 9.0;
        let stats: Vec<(f64, f64, f64)> = gs
            .iter()
            .map(|g| {
                let c = g.node_count() / 2;
                let cross = g.edge_indices().filter(|e| { let (a, b) = g.edge_endpoints(*e).unwrap(); (a.index() < c) != (b.index() < c) }).count() as f64;
                let intra = g.edge_count() as f64 - cross;
                (g.node_count() as f64, intra / (c * (c - 1)) as f64, cross)
            })
            .collect();
        let n = stats.len() as f64;
        let check = |what: &str, f: &dyn Fn(&(f64, f64, f64)) -> f64, expect: f64| {
            let m = stats.iter().map(f).sum::<f64>() / n;
            let sd = (stats.iter().map(|s| (f(s) - m).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
            assert!((m - expect).abs() < 4.0 * sd / n.sqrt(), "{what}: mean {m:.4}, expected {expect:.4} (sd {sd:.4})");
        };
        check("nodes", &|s| s.0, e_nodes);
        check("intra density", &|s| s.1, 0.7);
        check("cross edges", &|s| s.2, e_cross);
    }
}
