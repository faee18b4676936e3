//! Molecule identity for uniqueness and novelty: a Kekulé-invariant form and a set of
//! molecules up to isomorphism.
//!
//! GDSS reports uniqueness and novelty with MOSES, which compares RDKit canonical SMILES; RDKit
//! perceives aromaticity first, so the two Kekulé structures of benzene are one molecule.
//! Generated molecules here are Kekulé graphs, so identity needs a Kekulé-invariant form.
//!
//! # Kekulé-invariant form
//! Let `P` be the atoms carrying exactly one double bond and no triple bond, and `H` the graph
//! on `P` whose edges are the single and double bonds between atoms of `P`. The double bonds of
//! the molecule form a perfect matching `M` of `H`, and every other Kekulé structure with the
//! same skeleton, elements, charges and hydrogens is another perfect matching of the same `H`
//! (alternating-cycle swaps keep the matched atom set). So for each edge `e = uv` of `H`:
//!
//! * `e` lies in **some** perfect matching ⇔ `H − {u, v}` has a perfect matching;
//! * `e` lies in **every** perfect matching ⇔ `H − e` has none.
//!
//! Edges in some but not all matchings are relabelled aromatic (and their atoms flagged
//! aromatic); the rest keep their order. The result depends only on the set of perfect
//! matchings of `H`, hence not on which Kekulé structure came in. Hydrogen counts are frozen
//! as explicit counts first, so the relabelling cannot change them.
//!
//! This equals RDKit's aromaticity on ordinary aromatic rings (benzenoids, pyridines, azoles
//! whose π bonds alternate). It differs where RDKit's Hückel rule says "not aromatic" although
//! two Kekulé forms exist (e.g. cyclo-octatetraene, whose two forms are identical anyway by
//! symmetry), so uniqueness and novelty are at most slightly higher than RDKit's.
//!
//! # Set up to isomorphism
//! [`MolSet`] buckets molecules by a colour-refinement invariant and confirms membership with
//! the exact isomorphism test [`super::isomorphic`] (mode [`MatchMode::Full`]).

use std::collections::HashMap;

use super::canon::invariant_hash;
use crate::graph::metrics::nspdk::LabelledGraph;
use super::{BondOrder, ChemError, MatchMode, Molecule, isomorphic, kekulize};

/// Search budget per perfect-matching query.
const MAX_STEPS: usize = 200_000;

/// Does the graph on `alive` atoms with edges `edges` (pairs) have a perfect matching?
/// Backtracking on the atom with the fewest free partners. `None` if the budget ran out.
fn has_perfect_matching(n: usize, alive: &[bool], edges: &[(usize, usize)]) -> Option<bool> {
    let mut nbrs = vec![Vec::new(); n];
    for &(a, b) in edges {
        if alive[a] && alive[b] {
            nbrs[a].push(b);
            nbrs[b].push(a);
        }
    }
    let mut open = alive.to_vec();
    let mut steps = 0;
    let found = search(&nbrs, &mut open, &mut steps);
    (steps <= MAX_STEPS).then_some(found)
}

fn search(nbrs: &[Vec<usize>], open: &mut [bool], steps: &mut usize) -> bool {
    *steps += 1;
    if *steps > MAX_STEPS {
        return false;
    }
    let free = |u: usize, open: &[bool]| nbrs[u].iter().filter(|&&v| open[v]).count();
    let Some(u) = (0..open.len()).filter(|&u| open[u]).min_by_key(|&u| free(u, open)) else {
        return true;
    };
    let options: Vec<usize> = nbrs[u].iter().copied().filter(|&v| open[v]).collect();
    for v in options {
        open[u] = false;
        open[v] = false;
        if search(nbrs, open, steps) {
            return true;
        }
        open[u] = true;
        open[v] = true;
    }
    false
}

/// The Kekulé-invariant form of `mol` (aromatic input is kekulized first); see the module docs.
pub fn kekule_invariant(mol: &Molecule) -> Result<Molecule, ChemError> {
    let mut m = kekulize(mol)?;
    let n = m.num_atoms();
    for i in 0..n {
        let h = m.total_h(i);
        m.atom_mut(i).explicit_h = Some(h as u8);
    }
    let in_p: Vec<bool> = (0..n)
        .map(|i| {
            let orders: Vec<BondOrder> = m.neighbors(i).map(|(_, o)| o).collect();
            orders.iter().filter(|&&o| o == BondOrder::Double).count() == 1
                && !orders.contains(&BondOrder::Triple)
        })
        .collect();
    let h_edges: Vec<(usize, usize, usize)> = m
        .bonds()
        .iter()
        .enumerate()
        .filter(|(_, b)| in_p[b.a] && in_p[b.b] && b.order != BondOrder::Triple)
        .map(|(k, b)| (k, b.a, b.b))
        .collect();
    let pairs: Vec<(usize, usize)> = h_edges.iter().map(|&(_, a, b)| (a, b)).collect();
    let mut switchable = Vec::new();
    for (idx, &(k, a, b)) in h_edges.iter().enumerate() {
        if switchable_bond(&m, n, &in_p, &pairs, idx, k, a, b) {
            switchable.push((k, a, b));
        }
    }
    for (k, a, b) in switchable {
        m.set_bond_order(k, BondOrder::Aromatic);
        m.atom_mut(a).aromatic = true;
        m.atom_mut(b).aromatic = true;
    }
    Ok(m)
}

/// Is edge `idx` (bond `k` = a–b) in some but not every perfect matching of `H`?
#[allow(clippy::too_many_arguments)]
fn switchable_bond(m: &Molecule, n: usize, in_p: &[bool], pairs: &[(usize, usize)], idx: usize, k: usize, a: usize, b: usize) -> bool {
    let is_double = m.bonds()[k].order == BondOrder::Double;
    if is_double {
        // In M; switchable iff H − e still has a perfect matching.
        let without: Vec<(usize, usize)> = pairs.iter().enumerate().filter(|(j, _)| *j != idx).map(|(_, &p)| p).collect();
        has_perfect_matching(n, in_p, &without).unwrap_or(false)
    } else {
        // Not in M; switchable iff H − {a, b} has a perfect matching.
        let mut alive = in_p.to_vec();
        alive[a] = false;
        alive[b] = false;
        has_perfect_matching(n, &alive, pairs).unwrap_or(false)
    }
}

/// A set of molecules up to isomorphism of their Kekulé-invariant forms.
#[derive(Default)]
pub struct MolSet {
    buckets: HashMap<u64, Vec<Molecule>>,
    len: usize,
}

impl MolSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of distinct molecules.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True if empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Inserts `mol`; returns `Ok(true)` if it was not in the set yet.
    pub fn insert(&mut self, mol: &Molecule) -> Result<bool, ChemError> {
        let inv = kekule_invariant(mol)?;
        let bucket = self.buckets.entry(invariant_hash(&inv, MatchMode::Full)).or_default();
        if bucket.iter().any(|m| isomorphic(m, &inv, MatchMode::Full)) {
            return Ok(false);
        }
        bucket.push(inv);
        self.len += 1;
        Ok(true)
    }

    /// True if a molecule isomorphic to `mol` (Kekulé-invariantly) is in the set.
    pub fn contains(&self, mol: &Molecule) -> Result<bool, ChemError> {
        let inv = kekule_invariant(mol)?;
        Ok(self
            .buckets
            .get(&invariant_hash(&inv, MatchMode::Full))
            .is_some_and(|b| b.iter().any(|m| isomorphic(m, &inv, MatchMode::Full))))
    }
}

/// MOSES-style uniqueness and novelty of valid molecules: `unique = |distinct| / |valid|` and
/// `novel = |distinct not in training| / |distinct|`. `None` where a denominator is zero.
pub fn uniqueness_novelty(valid: &[Molecule], training: &MolSet) -> Result<(Option<f64>, Option<f64>), ChemError> {
    let mut distinct = MolSet::new();
    let mut novel = 0usize;
    for m in valid {
        if distinct.insert(m)? && !training.contains(m)? {
            novel += 1;
        }
    }
    let ratio = |a: usize, b: usize| (b > 0).then(|| a as f64 / b as f64);
    Ok((ratio(distinct.len(), valid.len()), ratio(novel, distinct.len())))
}

/// The labelled graph GDSS's NSPDK sees for a molecule (brief gdss.md §5.1): vertex label =
/// atomic number, edge label = integer bond order with aromatic bonds (here: the switchable
/// bonds of the Kekulé-invariant form, RDKit's aromatic bonds) labelled 1.
pub fn nspdk_graph(mol: &Molecule) -> Result<LabelledGraph, ChemError> {
    let inv = kekule_invariant(mol)?;
    Ok(LabelledGraph {
        labels: inv.atoms().iter().map(|a| u64::from(a.element.atomic_number())).collect(),
        edges: inv.bonds().iter().map(|b| (b.a, b.b, u64::from(b.order.order()))).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::mol::parse_smiles;

    fn same(a: &str, b: &str) -> bool {
        let mut s = MolSet::new();
        s.insert(&parse_smiles(a).unwrap()).unwrap();
        s.contains(&parse_smiles(b).unwrap()).unwrap()
    }

    #[test]
    fn two_kekule_forms_are_one_molecule() {
        assert!(same("C1=CC=CC=C1", "C=1C=CC=CC=1"));
        assert!(same("C1=CC=CC=C1", "c1ccccc1"));
        assert!(same("CC1=CC=CC=C1", "C1=C(C)C=CC=C1"));
        // Naphthalene has three Kekulé structures.
        assert!(same("C1=CC=C2C=CC=CC2=C1", "c1ccc2ccccc2c1"));
        assert!(same("C1=CC2=CC=CC=C2C=C1", "C1=CC=C2C=CC=CC2=C1"));
        assert!(same("C1=CC=NC=C1", "n1ccccc1"));
        assert!(same("C1=CNC=C1", "c1cc[nH]c1"));
    }

    #[test]
    fn different_molecules_stay_different() {
        assert!(!same("C1=CC=CC=C1", "C1CCCCC1"));
        assert!(!same("C=CC=C", "CC=CC"));
        assert!(!same("C1=CC=NC=C1", "C1=CC=CC=C1"));
        assert!(!same("CC(=O)O", "CC(O)=C"));
        assert!(!same("OC1=CC=CC=C1", "OC1=CC=CC=C1C"));
    }

    #[test]
    fn only_alternating_cycles_become_aromatic() {
        // Butadiene: one perfect matching, nothing switches.
        let m = kekule_invariant(&parse_smiles("C=CC=C").unwrap()).unwrap();
        assert!(m.bonds().iter().all(|b| b.order != BondOrder::Aromatic));
        // Benzene: all six ring bonds switch.
        let m = kekule_invariant(&parse_smiles("C1=CC=CC=C1").unwrap()).unwrap();
        assert_eq!(m.bonds().iter().filter(|b| b.order == BondOrder::Aromatic).count(), 6);
        // Benzoquinone: C=O bonds fix the ring; nothing switches.
        let m = kekule_invariant(&parse_smiles("O=C1C=CC(=O)C=C1").unwrap()).unwrap();
        assert!(m.bonds().iter().all(|b| b.order != BondOrder::Aromatic));
        // Hydrogens are unchanged by the relabelling.
        let src = parse_smiles("CC1=CC=CC=C1").unwrap();
        let m = kekule_invariant(&src).unwrap();
        for i in 0..src.num_atoms() {
            assert_eq!(m.total_h(i), src.total_h(i));
        }
    }

    #[test]
    fn uniqueness_and_novelty_count_by_hand() {
        let mols: Vec<Molecule> = ["C1=CC=CC=C1", "c1ccccc1", "CCO", "OCC", "CCN"]
            .iter()
            .map(|s| parse_smiles(s).unwrap())
            .collect();
        let mut train = MolSet::new();
        train.insert(&parse_smiles("C(C)O").unwrap()).unwrap();
        let (u, nov) = uniqueness_novelty(&mols, &train).unwrap();
        // Distinct: benzene, ethanol, ethylamine = 3 of 5; novel: benzene, ethylamine = 2 of 3.
        assert_eq!(u, Some(3.0 / 5.0));
        assert_eq!(nov, Some(2.0 / 3.0));
        assert_eq!(uniqueness_novelty(&[], &train).unwrap(), (None, None));
    }

    #[test]
    fn nspdk_graph_labels_aromatic_bonds_one() {
        let g = nspdk_graph(&parse_smiles("C1=CC=CC=C1C=O").unwrap()).unwrap();
        let mut orders: Vec<u64> = g.edges.iter().map(|e| e.2).collect();
        orders.sort_unstable();
        assert_eq!(orders, vec![1, 1, 1, 1, 1, 1, 1, 2]);
        assert_eq!(g.labels.iter().filter(|&&z| z == 8).count(), 1);
    }
}
