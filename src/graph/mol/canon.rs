//! Graph invariants: colour refinement (Weisfeiler–Lehman / Morgan-style), a deterministic
//! canonical-enough atom ranking, and an exact isomorphism test by backtracking.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};

use super::{BondOrder, Molecule};

/// Which labels two molecules must share to count as isomorphic.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchMode {
    /// Element, formal charge, total hydrogens, aromatic flag; exact bond type.
    Full,
    /// Element only; exact bond type (what the GDSS tensors keep).
    Skeleton,
}

fn hash_of<T: Hash>(t: &T) -> u64 {
    let mut h = DefaultHasher::new();
    t.hash(&mut h);
    h.finish()
}

/// Initial atom label under `mode`, including the degree.
fn atom_label(mol: &Molecule, i: usize, mode: MatchMode) -> (u8, i8, u32, bool, usize) {
    let a = &mol.atoms()[i];
    let z = a.element.atomic_number();
    match mode {
        MatchMode::Full => (z, a.charge, mol.total_h(i), a.aromatic, mol.degree(i)),
        MatchMode::Skeleton => (z, 0, 0, false, mol.degree(i)),
    }
}

fn bond_label(o: BondOrder) -> u8 {
    o as u8
}

/// One refinement round: each colour becomes a hash of itself and its sorted neighbourhood.
fn refine_once(mol: &Molecule, colors: &[u64]) -> Vec<u64> {
    (0..mol.num_atoms())
        .map(|i| {
            let mut nb: Vec<(u8, u64)> = mol
                .neighbors(i)
                .map(|(j, o)| (bond_label(o), colors[j]))
                .collect();
            nb.sort_unstable();
            hash_of(&(colors[i], nb))
        })
        .collect()
}

fn class_count(colors: &[u64]) -> usize {
    let mut c = colors.to_vec();
    c.sort_unstable();
    c.dedup();
    c.len()
}

/// Refines until the partition stops splitting (at most `n` rounds).
fn refine_stable(mol: &Molecule, mut colors: Vec<u64>) -> Vec<u64> {
    let mut classes = class_count(&colors);
    for _ in 0..mol.num_atoms() {
        let next = refine_once(mol, &colors);
        let c = class_count(&next);
        colors = next;
        if c == classes {
            break;
        }
        classes = c;
    }
    colors
}

/// Colours after exactly `rounds` refinements (comparable between molecules).
fn refine_fixed(mol: &Molecule, mode: MatchMode, rounds: usize) -> Vec<u64> {
    let mut colors: Vec<u64> = (0..mol.num_atoms())
        .map(|i| hash_of(&atom_label(mol, i, mode)))
        .collect();
    for _ in 0..rounds {
        colors = refine_once(mol, &colors);
    }
    colors
}

/// A hash of the multiset of atom colours after `n` refinement rounds: equal for isomorphic
/// molecules (under `mode`), so it buckets molecules before an exact [`isomorphic`] test.
pub(crate) fn invariant_hash(mol: &Molecule, mode: MatchMode) -> u64 {
    let mut colors = refine_fixed(mol, mode, mol.num_atoms());
    colors.sort_unstable();
    hash_of(&(mol.num_atoms(), mol.bonds().len(), colors))
}

/// Deterministic ranks 0..n: atoms ordered by their label (element, charge, H, aromatic,
/// degree) then by refined colour; remaining ties (symmetric atoms) are broken one at a time
/// by lowest index followed by re-refinement. Isomorphic molecules give the same ordering up
/// to automorphism in practice; this is not a proven canonical labelling.
pub fn canonical_ranks(mol: &Molecule) -> Vec<usize> {
    let n = mol.num_atoms();
    let labels: Vec<_> = (0..n)
        .map(|i| atom_label(mol, i, MatchMode::Full))
        .collect();
    let mut colors = refine_stable(mol, labels.iter().map(hash_of).collect());
    loop {
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| (labels[i], colors[i], i));
        let tie = order
            .windows(2)
            .find(|w| colors[w[0]] == colors[w[1]])
            .map(|w| w[0]);
        let Some(t) = tie else {
            let mut ranks = vec![0; n];
            order.iter().enumerate().for_each(|(r, &i)| ranks[i] = r);
            return ranks;
        };
        colors[t] = hash_of(&(colors[t], "tie"));
        colors = refine_stable(mol, colors);
    }
}

/// Backtracking state for [`isomorphic`].
struct Iso<'a> {
    a: &'a Molecule,
    b: &'a Molecule,
    ca: Vec<u64>,
    cb: Vec<u64>,
    order: Vec<usize>,
    map: Vec<usize>,
    used: Vec<bool>,
}

impl Iso<'_> {
    /// Can atom `u` of `a` map to atom `v` of `b` given the partial map?
    fn feasible(&self, u: usize, v: usize) -> bool {
        if self.used[v] || self.ca[u] != self.cb[v] {
            return false;
        }
        let mut mapped = 0;
        for (u2, o) in self.a.neighbors(u) {
            let v2 = self.map[u2];
            if v2 == usize::MAX {
                continue;
            }
            mapped += 1;
            match self.b.bond_between(v, v2) {
                Some(k) if self.b.bonds()[k].order == o => {}
                _ => return false,
            }
        }
        let mapped_b = self.b.neighbors(v).filter(|(v2, _)| self.used[*v2]).count();
        mapped == mapped_b
    }

    fn extend(&mut self, k: usize) -> bool {
        let Some(&u) = self.order.get(k) else {
            return true;
        };
        for v in 0..self.b.num_atoms() {
            if !self.feasible(u, v) {
                continue;
            }
            self.map[u] = v;
            self.used[v] = true;
            if self.extend(k + 1) {
                return true;
            }
            self.map[u] = usize::MAX;
            self.used[v] = false;
        }
        false
    }
}

/// Breadth-first atom order, component by component (keeps the backtracking local).
fn bfs_order(mol: &Molecule) -> Vec<usize> {
    let mut order = Vec::with_capacity(mol.num_atoms());
    let mut seen = vec![false; mol.num_atoms()];
    for s in 0..mol.num_atoms() {
        if seen[s] {
            continue;
        }
        seen[s] = true;
        let start = order.len();
        order.push(s);
        let mut k = start;
        while k < order.len() {
            let u = order[k];
            k += 1;
            for (v, _) in mol.neighbors(u) {
                if !seen[v] {
                    seen[v] = true;
                    order.push(v);
                }
            }
        }
    }
    order
}

/// Exact isomorphism test of two molecules under `mode` (colour refinement prunes the
/// backtracking search).
pub fn isomorphic(a: &Molecule, b: &Molecule, mode: MatchMode) -> bool {
    let n = a.num_atoms();
    if n != b.num_atoms() || a.bonds().len() != b.bonds().len() {
        return false;
    }
    let (ca, cb) = (refine_fixed(a, mode, n), refine_fixed(b, mode, n));
    let (mut sa, mut sb) = (ca.clone(), cb.clone());
    sa.sort_unstable();
    sb.sort_unstable();
    if sa != sb {
        return false;
    }
    let order = bfs_order(a);
    let mut iso = Iso {
        a,
        b,
        ca,
        cb,
        order,
        map: vec![usize::MAX; n],
        used: vec![false; n],
    };
    iso.extend(0)
}
