//! ProteinMPNN's structure features (Dauparas et al. 2022, "Methods: model"), computed on the
//! host once per backbone (the backbone is fixed during design, so no gradient flows here).
//!
//! * virtual Cβ = −0.58273431·(b×c) + 0.56802827·b − 0.54067466·c + Cα with b = Cα − N,
//!   c = C − Cα;
//! * the k nearest neighbours of each residue by Cα distance (itself included, at distance
//!   √ε with ε = 1e−6, as the reference computes `sqrt(|d|² + ε)`);
//! * for each edge i→j, 25 atom-pair distances (Cα–Cα, N–N, C–C, O–O, Cβ–Cβ, Cα–N, Cα–C, Cα–O,
//!   Cα–Cβ, N–C, N–O, N–Cβ, Cβ–C, Cβ–O, O–C, N–Cα, C–Cα, O–Cα, Cβ–Cα, C–N, O–N, Cβ–N, C–Cβ,
//!   O–Cβ, C–O; the first atom on residue i) each expanded in 16 Gaussian RBFs with centres
//!   linspace(2, 22, 16) Å and width 1.25 Å;
//! * the relative position class d = clip(r_i − r_j + 32, 0, 64) of the residue numbers (one
//!   chain; the class 65 for "other chain" is never used here).
//!
//! Distances are computed in f64 and rounded to f32 once.

use super::pdb::Backbone;

/// Number of RBFs per atom pair.
pub const NUM_RBF: usize = 16;
/// Atom pairs per edge.
pub const NUM_PAIRS: usize = 25;
/// Relative-position classes of the positional encoding (65 in-chain + 1 inter-chain).
pub const POS_CLASSES: usize = 66;
const MAX_REL: i64 = 32;

/// Atom indices into `[N, Cα, C, O, Cβ]` of the 25 pairs, in the reference's order.
const PAIRS: [(usize, usize); NUM_PAIRS] = [
    (1, 1), (0, 0), (2, 2), (3, 3), (4, 4), (1, 0), (1, 2), (1, 3), (1, 4), (0, 2), (0, 3), (0, 4), (4, 2),
    (4, 3), (3, 2), (0, 1), (2, 1), (3, 1), (4, 1), (2, 0), (3, 0), (4, 0), (2, 4), (3, 4), (2, 3),
];

/// The k-NN graph of one backbone with its edge features.
#[derive(Debug, Clone)]
pub struct GraphFeatures {
    /// Residues.
    pub len: usize,
    /// Neighbours per residue (`min(k, len)`).
    pub k: usize,
    /// Neighbour indices, `[len, k]` row-major, nearest first.
    pub neighbors: Vec<usize>,
    /// RBF features, `[len, k, 25·16]`.
    pub rbf: Vec<f32>,
    /// Relative-position class per edge, `[len, k]`.
    pub pos_class: Vec<usize>,
}

/// `[N, Cα, C, O, Cβ]` per residue.
pub fn atoms_with_cb(bb: &Backbone) -> Vec<[[f64; 3]; 5]> {
    bb.coords
        .iter()
        .map(|&[n, ca, c, o]| {
            let b = sub(ca, n);
            let cc = sub(c, ca);
            let a = cross(b, cc);
            let cb: [f64; 3] =
                std::array::from_fn(|d| -0.58273431 * a[d] + 0.56802827 * b[d] - 0.54067466 * cc[d] + ca[d]);
            [n, ca, c, o, cb]
        })
        .collect()
}

fn sub(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[0] - b[0], a[1] - b[1], a[2] - b[2]]
}

fn cross(a: [f64; 3], b: [f64; 3]) -> [f64; 3] {
    [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
}

/// `sqrt(|a − b|² + 1e−6)`, the reference's regularised distance.
pub fn dist(a: [f64; 3], b: [f64; 3]) -> f64 {
    let d = sub(a, b);
    (d[0] * d[0] + d[1] * d[1] + d[2] * d[2] + 1e-6).sqrt()
}

/// Builds the graph features with `k` neighbours.
pub fn featurize(bb: &Backbone, k: usize) -> GraphFeatures {
    let atoms = atoms_with_cb(bb);
    let len = atoms.len();
    let k = k.min(len);
    let mut neighbors = Vec::with_capacity(len * k);
    for i in 0..len {
        let mut order: Vec<(f64, usize)> = (0..len).map(|j| (dist(atoms[i][1], atoms[j][1]), j)).collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        neighbors.extend(order.iter().take(k).map(|&(_, j)| j));
    }
    let sigma = 20.0 / NUM_RBF as f64;
    let mut rbf = Vec::with_capacity(len * k * NUM_PAIRS * NUM_RBF);
    let mut pos_class = Vec::with_capacity(len * k);
    for i in 0..len {
        for &j in &neighbors[i * k..(i + 1) * k] {
            for &(p, q) in &PAIRS {
                let d = dist(atoms[i][p], atoms[j][q]) as f32 as f64;
                for m in 0..NUM_RBF {
                    let mu = 2.0 + 20.0 * m as f64 / (NUM_RBF - 1) as f64;
                    rbf.push((-((d - mu) / sigma).powi(2)).exp() as f32);
                }
            }
            let off = bb.residue_index[i] - bb.residue_index[j];
            pos_class.push((off + MAX_REL).clamp(0, 2 * MAX_REL) as usize);
        }
    }
    GraphFeatures { len, k, neighbors, rbf, pos_class }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// An idealised helix of `n` residues (shared with other protein tests).
    pub(crate) fn helix(n: usize) -> Backbone {
        // An idealised α-helix-like spiral: 3.6 residues per turn, 1.5 Å rise.
        let coords = (0..n)
            .map(|i| {
                let t = i as f64 * 100f64.to_radians();
                let p = |r: f64, dt: f64, dz: f64| [r * (t + dt).cos(), r * (t + dt).sin(), 1.5 * i as f64 + dz];
                [p(1.55, -0.3, -0.5), p(2.3, 0.0, 0.0), p(1.6, 0.35, 0.6), p(1.3, 0.5, 1.7)]
            })
            .collect();
        Backbone {
            name: "helix".into(),
            chain: 'A',
            residue_index: (0..n as i64).collect(),
            native: vec![0; n],
            coords,
        }
    }

    #[test]
    fn neighbours_are_nearest_and_include_self() {
        let bb = helix(30);
        let f = featurize(&bb, 8);
        let atoms = atoms_with_cb(&bb);
        for i in 0..f.len {
            let nb = &f.neighbors[i * 8..(i + 1) * 8];
            assert_eq!(nb[0], i);
            let worst = nb.iter().map(|&j| dist(atoms[i][1], atoms[j][1])).fold(0.0, f64::max);
            let outside = (0..30).filter(|j| !nb.contains(j)).map(|j| dist(atoms[i][1], atoms[j][1]));
            assert!(outside.fold(f64::INFINITY, f64::min) >= worst);
        }
        // k larger than the chain: all residues.
        assert_eq!(featurize(&helix(5), 48).k, 5);
    }

    #[test]
    fn self_edge_rbf_and_positions() {
        let bb = helix(12);
        let f = featurize(&bb, 4);
        // Self edge, pair 0 (Cα–Cα) at distance 1e-3: RBF m = exp(-((0.001 - mu)/1.25)^2).
        let e = &f.rbf[0..NUM_RBF];
        assert!((e[0] - (-(((0.001f64 - 2.0) / 1.25).powi(2))).exp() as f32).abs() < 1e-6);
        assert_eq!(f.pos_class[0], 32);
        // Residue index offsets beyond ±32 clip.
        let mut far = bb.clone();
        far.residue_index[11] = 100;
        let g = featurize(&far, 12);
        let k = g.k;
        let j = g.neighbors[..k].iter().position(|&j| j == 11).unwrap();
        assert_eq!(g.pos_class[j], 0);
    }
}
