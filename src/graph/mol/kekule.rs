//! Kekulization: replace aromatic bonds by alternating single/double bonds.
//!
//! Aromatic atoms that still need a π bond (see [`super::valence::needs_pi_bond`]) must each be
//! covered by exactly one double bond chosen among aromatic bonds joining two such atoms — a
//! perfect matching on that subgraph. It is found by backtracking that always extends the
//! atom with the fewest remaining partners first (which rarely backtracks on real molecules).
//! All unmatched aromatic bonds become single and the aromatic flags are cleared; implicit
//! hydrogen counts are unchanged by construction.

use super::valence::needs_pi_bond;
use super::{BondOrder, ChemError, Molecule};

/// Search budget (recursive calls) before giving up on a pathological aromatic system.
const MAX_STEPS: usize = 1_000_000;

struct Matcher {
    /// Candidate `(partner, bond id)` pairs for each atom needing a π bond.
    cand: Vec<Vec<(usize, usize)>>,
    open: Vec<bool>,
    chosen: Vec<usize>,
    steps: usize,
    stuck: Option<usize>,
}

impl Matcher {
    fn options(&self, u: usize) -> usize {
        self.cand[u].iter().filter(|(v, _)| self.open[*v]).count()
    }

    /// Open atom with the fewest open partners.
    fn pick(&self) -> Option<usize> {
        (0..self.open.len())
            .filter(|&u| self.open[u])
            .min_by_key(|&u| self.options(u))
    }

    fn solve(&mut self) -> bool {
        self.steps += 1;
        let Some(u) = self.pick() else { return true };
        if self.steps > MAX_STEPS {
            self.stuck.get_or_insert(u);
            return false;
        }
        let opts: Vec<(usize, usize)> = self.cand[u]
            .iter()
            .copied()
            .filter(|(v, _)| self.open[*v])
            .collect();
        for (v, bond) in opts {
            self.open[u] = false;
            self.open[v] = false;
            self.chosen.push(bond);
            if self.solve() {
                return true;
            }
            self.chosen.pop();
            self.open[u] = true;
            self.open[v] = true;
        }
        self.stuck.get_or_insert(u);
        false
    }
}

/// Returns a Kekulé form of `mol` (a plain copy if nothing is aromatic).
///
/// Fails with [`ChemError::Kekulize`] if the aromatic atoms needing a double bond cannot be
/// perfectly matched (e.g. pyrrole written with `n` instead of `[nH]`).
pub fn kekulize(mol: &Molecule) -> Result<Molecule, ChemError> {
    let mut out = mol.clone();
    if !mol.has_aromatic() {
        return Ok(out);
    }
    let n = mol.num_atoms();
    let need: Vec<bool> = (0..n).map(|i| needs_pi_bond(mol, i)).collect();
    let mut cand = vec![Vec::new(); n];
    for (id, b) in mol.bonds().iter().enumerate() {
        if b.order == BondOrder::Aromatic && need[b.a] && need[b.b] {
            cand[b.a].push((b.b, id));
            cand[b.b].push((b.a, id));
        }
    }
    let mut m = Matcher {
        cand,
        open: need,
        chosen: Vec::new(),
        steps: 0,
        stuck: None,
    };
    if !m.solve() {
        return Err(ChemError::Kekulize {
            atom: m.stuck.unwrap_or(0),
        });
    }
    for id in 0..mol.bonds().len() {
        if mol.bonds()[id].order == BondOrder::Aromatic {
            out.set_bond_order(id, BondOrder::Single);
        }
    }
    for &id in &m.chosen {
        out.set_bond_order(id, BondOrder::Double);
    }
    for i in 0..n {
        out.atom_mut(i).aromatic = false;
    }
    Ok(out)
}
