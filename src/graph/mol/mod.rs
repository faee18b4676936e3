//! Small molecular graphs for GDSS-style molecule generation.
//!
//! # Scope
//! A [`Molecule`] is a heavy-atom graph: atoms carry an [`Element`], a formal charge, an optional
//! explicit hydrogen count and an aromatic flag; bonds are single, double, triple or aromatic.
//! Hydrogens are implicit unless written in a bracket atom.
//!
//! # SMILES
//! [`parse_smiles`] reads SMILES as defined by Weininger (J. Chem. Inf. Comput. Sci. 28, 31–36,
//! 1988) with the syntax of the OpenSMILES specification (opensmiles.org, 2007–2016): the
//! organic subset `B C N O P S F Cl Br I`, aromatic `b c n o p s`, bracket atoms
//! `[isotope? symbol chirality? hcount? charge? class?]`, bonds `- = # : / \`, branches, ring
//! closures `0`–`9` and `%nn`, and `.` between disconnected parts. Isotopes, chirality (`@`,
//! `@@`, …), atom classes and the directional bonds `/ \` are parsed and dropped (`/ \` read as
//! single bonds). [`write_smiles`] writes a deterministic SMILES (see [`mod@write`]).
//!
//! # Hydrogens and valences
//! Atoms outside brackets get implicit hydrogens from default valences (OpenSMILES §3.5):
//! B 3; C 4; N 3, 5; O 2; P 3, 5; S 2, 4, 6; F Cl Br I 1 — the smallest default valence that is
//! at least the sum of the bond orders is filled with hydrogens. A charged atom uses the
//! valences of its isoelectronic neutral element (N⁺ like C, O⁻ like F, C⁻ like N, …); see
//! [`valence`]. Bracket atoms have exactly the hydrogens written.
//!
//! # Aromaticity
//! Aromatic input is accepted and turned into a Kekulé structure by [`kekulize`]: every aromatic
//! atom that still needs a π bond (e.g. `c`, pyridine-type `n`, `[nH+]`, but not `[nH]`, `o`,
//! `s` or a three-connected `n`) must receive exactly one double bond among its aromatic bonds,
//! found by a perfect matching; all other aromatic bonds become single. No aromaticity
//! perception is done on Kekulé input.
//!
//! # GDSS encoding
//! [`encode()`] follows GDSS (Jo, Lee, Hwang, *Score-based Generative Modeling of Graphs via the
//! System of Stochastic Differential Equations*, ICML 2022, arXiv:2202.02514) as inherited from
//! MoFlow (Zang & Wang, KDD 2020): kekulize, X = one-hot atom type without a "virtual atom"
//! column (QM9: C N O F; ZINC250k: C N O F P S Cl Br I), A = one weighted channel holding the
//! bond order 1/2/3, padding rows/columns zero, hydrogens implicit and formal charges dropped.
//! [`decode`] quantises X and A as GDSS does and rebuilds the molecule, giving N, O, S a +1
//! charge when a bond pushes them exactly one above their GDSS valence (N 3, O 2, S 2).
//! [`gdss_valency_ok`] is "validity without correction"; [`correct_valency`] is the MoFlow
//! bond-lowering loop; [`largest_fragment`] keeps the fragment with the longest SMILES.

pub mod canon;
pub mod dataset;
pub mod element;
pub mod encode;
pub mod gdss;
pub mod error;
pub mod fcd;
pub mod identity;
pub mod kekule;
pub mod metrics;
pub mod smiles;
pub mod valence;
pub mod write;

#[cfg(test)]
mod fixture_tests;
#[cfg(test)]
mod tests;

pub use canon::{MatchMode, canonical_ranks, isomorphic};
pub use element::Element;
pub use encode::{
    AtomVocab, GdssDecoded, correct_valency, decode, encode, gdss_decode, gdss_valency_ok,
    is_valid, largest_fragment, validity_fractions,
};
pub use error::ChemError;
pub use identity::{MolSet, kekule_invariant, nspdk_graph, uniqueness_novelty};
pub use kekule::kekulize;
pub use smiles::parse_smiles;
pub use write::write_smiles;

use serde::{Deserialize, Serialize};

/// One atom of a [`Molecule`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Atom {
    /// Chemical element.
    pub element: Element,
    /// Formal charge.
    pub charge: i8,
    /// Hydrogen count written in a bracket atom; `None` means "implicit from default valences".
    pub explicit_h: Option<u8>,
    /// Aromatic flag (lowercase symbol in SMILES); cleared by [`kekulize`].
    pub aromatic: bool,
}

impl Atom {
    /// A neutral, non-aromatic atom with implicit hydrogens.
    pub fn new(element: Element) -> Self {
        Atom {
            element,
            charge: 0,
            explicit_h: None,
            aromatic: false,
        }
    }
}

/// Bond type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum BondOrder {
    /// Single bond (order 1).
    Single,
    /// Double bond (order 2).
    Double,
    /// Triple bond (order 3).
    Triple,
    /// Aromatic bond (before kekulization).
    Aromatic,
}

impl BondOrder {
    /// Integer order; aromatic counts as 1 (its π share is accounted for per atom).
    pub fn order(self) -> u8 {
        match self {
            BondOrder::Single | BondOrder::Aromatic => 1,
            BondOrder::Double => 2,
            BondOrder::Triple => 3,
        }
    }

    /// Bond of integer order 1, 2 or 3.
    pub fn from_order(order: u8) -> Option<Self> {
        match order {
            1 => Some(BondOrder::Single),
            2 => Some(BondOrder::Double),
            3 => Some(BondOrder::Triple),
            _ => None,
        }
    }
}

/// One bond between atoms `a` and `b` (`a != b`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bond {
    /// First atom index.
    pub a: usize,
    /// Second atom index.
    pub b: usize,
    /// Bond type.
    pub order: BondOrder,
}

impl Bond {
    /// The atom at the other end from `i`.
    pub fn other(&self, i: usize) -> usize {
        if self.a == i { self.b } else { self.a }
    }
}

/// A molecular graph with implicit hydrogens.
///
/// Serialised as `{ atoms, bonds }`; deserialisation re-adds the bonds and rejects invalid ones.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "MolData", into = "MolData")]
pub struct Molecule {
    atoms: Vec<Atom>,
    bonds: Vec<Bond>,
    /// Per atom, the indices of its bonds in insertion order.
    adj: Vec<Vec<usize>>,
}

impl Molecule {
    /// Empty molecule.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an atom and returns its index.
    pub fn add_atom(&mut self, atom: Atom) -> usize {
        self.atoms.push(atom);
        self.adj.push(Vec::new());
        self.atoms.len() - 1
    }

    /// Adds a bond; fails on a self-bond, an unknown atom or a duplicate bond.
    pub fn add_bond(&mut self, a: usize, b: usize, order: BondOrder) -> Result<usize, ChemError> {
        let n = self.atoms.len();
        if a == b || a >= n || b >= n || self.bond_between(a, b).is_some() {
            return Err(ChemError::BadBond { a, b });
        }
        self.bonds.push(Bond { a, b, order });
        let id = self.bonds.len() - 1;
        self.adj[a].push(id);
        self.adj[b].push(id);
        Ok(id)
    }

    /// Removes the bond between `a` and `b` if present; returns its old type.
    pub fn remove_bond(&mut self, a: usize, b: usize) -> Option<BondOrder> {
        let id = self.bond_between(a, b)?;
        let old = self.bonds.remove(id).order;
        for list in &mut self.adj {
            list.retain(|&k| k != id);
            list.iter_mut().filter(|k| **k > id).for_each(|k| *k -= 1);
        }
        Some(old)
    }

    /// Atoms in index order.
    pub fn atoms(&self) -> &[Atom] {
        &self.atoms
    }

    /// Mutable atom access.
    pub fn atom_mut(&mut self, i: usize) -> &mut Atom {
        &mut self.atoms[i]
    }

    /// Bonds in insertion order.
    pub fn bonds(&self) -> &[Bond] {
        &self.bonds
    }

    /// Changes the type of bond `id`.
    pub fn set_bond_order(&mut self, id: usize, order: BondOrder) {
        self.bonds[id].order = order;
    }

    /// Number of atoms.
    pub fn num_atoms(&self) -> usize {
        self.atoms.len()
    }

    /// Indices of the bonds of atom `i`, in insertion order.
    pub fn atom_bonds(&self, i: usize) -> &[usize] {
        &self.adj[i]
    }

    /// `(neighbour, bond type)` pairs of atom `i`.
    pub fn neighbors(&self, i: usize) -> impl Iterator<Item = (usize, BondOrder)> + '_ {
        self.adj[i]
            .iter()
            .map(move |&k| (self.bonds[k].other(i), self.bonds[k].order))
    }

    /// Number of bonded heavy neighbours.
    pub fn degree(&self, i: usize) -> usize {
        self.adj[i].len()
    }

    /// Index of the bond between `a` and `b`.
    pub fn bond_between(&self, a: usize, b: usize) -> Option<usize> {
        self.adj
            .get(a)?
            .iter()
            .copied()
            .find(|&k| self.bonds[k].other(a) == b)
    }

    /// Sum of bond orders at atom `i` (aromatic bonds count 1).
    pub fn bond_order_sum(&self, i: usize) -> u32 {
        self.neighbors(i).map(|(_, o)| o.order() as u32).sum()
    }

    /// Hydrogens on atom `i`: the bracket count, else the implicit count.
    pub fn total_h(&self, i: usize) -> u32 {
        match self.atoms[i].explicit_h {
            Some(h) => h as u32,
            None => valence::implicit_h(self, i),
        }
    }

    /// True if any atom or bond is aromatic.
    pub fn has_aromatic(&self) -> bool {
        self.atoms.iter().any(|a| a.aromatic)
            || self.bonds.iter().any(|b| b.order == BondOrder::Aromatic)
    }

    /// Connected components, each sorted, ordered by their smallest atom index.
    pub fn components(&self) -> Vec<Vec<usize>> {
        let mut seen = vec![false; self.num_atoms()];
        let mut comps = Vec::new();
        for s in 0..self.num_atoms() {
            if seen[s] {
                continue;
            }
            seen[s] = true;
            let (mut comp, mut stack) = (vec![s], vec![s]);
            while let Some(u) = stack.pop() {
                for (v, _) in self.neighbors(u) {
                    if !seen[v] {
                        seen[v] = true;
                        comp.push(v);
                        stack.push(v);
                    }
                }
            }
            comp.sort_unstable();
            comps.push(comp);
        }
        comps
    }

    /// Index of the heavy atom that hydrogen atom `i` can be folded into: a neutral `[H]` with
    /// one single bond to a non-hydrogen atom.
    fn fold_target(&self, i: usize) -> Option<usize> {
        let a = &self.atoms[i];
        if a.element != Element::H || a.charge != 0 || self.degree(i) != 1 {
            return None;
        }
        let (j, o) = self.neighbors(i).next()?;
        (o == BondOrder::Single && self.atoms[j].element != Element::H).then_some(j)
    }

    /// Copy with hydrogen atoms (e.g. `[H]N=C`) folded into their neighbour's bracket hydrogen
    /// count, as RDKit does when reading SMILES. Other atoms keep their relative order.
    pub fn fold_hydrogens(&self) -> Molecule {
        let n = self.num_atoms();
        let mut extra = vec![0u32; n];
        let mut keep = Vec::with_capacity(n);
        for i in 0..n {
            match self.fold_target(i) {
                Some(j) => extra[j] += 1,
                None => keep.push(i),
            }
        }
        let mut m = self.subgraph(&keep);
        for (new, &old) in keep.iter().enumerate() {
            if extra[old] > 0 {
                let h = (self.total_h(old) + extra[old]).min(255) as u8;
                m.atoms[new].explicit_h = Some(h);
            }
        }
        m
    }

    /// The sub-molecule induced by `atoms` (renumbered in the given order).
    pub fn subgraph(&self, atoms: &[usize]) -> Molecule {
        let mut map = vec![usize::MAX; self.num_atoms()];
        let mut m = Molecule::new();
        for &i in atoms {
            map[i] = m.add_atom(self.atoms[i].clone());
        }
        for b in &self.bonds {
            if map[b.a] != usize::MAX && map[b.b] != usize::MAX {
                m.add_bond(map[b.a], map[b.b], b.order)
                    .expect("bonds of a valid molecule");
            }
        }
        m
    }
}

/// Serialised form of a [`Molecule`].
#[derive(Clone, Serialize, Deserialize)]
struct MolData {
    atoms: Vec<Atom>,
    bonds: Vec<Bond>,
}

impl From<Molecule> for MolData {
    fn from(m: Molecule) -> Self {
        MolData {
            atoms: m.atoms,
            bonds: m.bonds,
        }
    }
}

impl TryFrom<MolData> for Molecule {
    type Error = ChemError;

    fn try_from(d: MolData) -> Result<Self, ChemError> {
        let mut m = Molecule::new();
        d.atoms.into_iter().for_each(|a| {
            m.add_atom(a);
        });
        for b in d.bonds {
            m.add_bond(b.a, b.b, b.order)?;
        }
        Ok(m)
    }
}
