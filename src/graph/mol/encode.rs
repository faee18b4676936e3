//! GDSS tensor encoding and decoding of molecules, GDSS validity and valency correction.
//!
//! Encoding (GDSS, Jo et al. ICML 2022, §4 and its MoFlow-derived data pipeline): the molecule
//! is kekulized; `X[i, t] = 1` if atom `i` has vocabulary type `t` (no "virtual atom" column,
//! padding rows all zero); `A[i, j] ∈ {0, 1, 2, 3}` is the bond order (one weighted channel,
//! symmetric, zero diagonal). Hydrogens stay implicit and formal charges are dropped. Atoms
//! keep the molecule's own order (GDSS uses RDKit's canonical-SMILES order; any order is a
//! relabelling of the same graph).
//!
//! Decoding follows GDSS's sampler: X is thresholded at 0.5 and each row takes the first type
//! above it (rows with none are virtual and dropped); A is read from its lower triangle and
//! quantised (<0.5 → none, <1.5 → 1, <2.5 → 2, else 3). Bonds are added in row-major order; after
//! each, the first over-valent atom is found and, if it is N, O or S exceeding the GDSS table
//! (N 3, O 2, S 2) by exactly one, it gets formal charge +1.
//!
//! Validity: GDSS counts a decoded molecule as "valid w/o correction" when it passes valence
//! sanitisation as built (those +1 charges included), **whether or not it is connected**; only
//! after the correction loop does it keep the fragment with the longest SMILES string.

use ndarray::{Array2, ArrayBase, Data, Ix2};

use super::valence::{self, gdss_valency, max_valence};
use super::{Atom, BondOrder, ChemError, Element, Molecule, kekulize, write_smiles};

/// Ordered list of atom types: column `t` of X is `elements()[t]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AtomVocab {
    elements: Vec<Element>,
}

impl AtomVocab {
    /// Vocabulary from an explicit element list.
    pub fn new(elements: Vec<Element>) -> Self {
        AtomVocab { elements }
    }

    /// QM9: C, N, O, F (F = 4); GDSS uses `max_nodes = 9`.
    pub fn qm9() -> Self {
        Self::new(vec![Element::C, Element::N, Element::O, Element::F])
    }

    /// ZINC250k: C, N, O, F, P, S, Cl, Br, I (F = 9); GDSS uses `max_nodes = 38`.
    pub fn zinc250k() -> Self {
        use Element as E;
        Self::new(vec![E::C, E::N, E::O, E::F, E::P, E::S, E::CL, E::BR, E::I])
    }

    /// Atom types in column order.
    pub fn elements(&self) -> &[Element] {
        &self.elements
    }

    /// Number of atom types (columns of X).
    pub fn len(&self) -> usize {
        self.elements.len()
    }

    /// True if there are no types.
    pub fn is_empty(&self) -> bool {
        self.elements.is_empty()
    }

    /// Column of `element`, if present.
    pub fn index_of(&self, element: Element) -> Option<usize> {
        self.elements.iter().position(|&e| e == element)
    }
}

/// Maximum number of heavy atoms GDSS uses for QM9.
pub const QM9_MAX_NODES: usize = 9;
/// Maximum number of heavy atoms GDSS uses for ZINC250k.
pub const ZINC250K_MAX_NODES: usize = 38;

/// Encodes `mol` as GDSS tensors `(X [max_nodes, vocab.len()], A [max_nodes, max_nodes])`.
///
/// Hydrogen atoms written as `[H]` are first folded into their neighbours
/// ([`Molecule::fold_hydrogens`]). Fails if the molecule cannot be kekulized, has more than
/// `max_nodes` heavy atoms, or contains an element outside `vocab`.
pub fn encode(
    mol: &Molecule,
    vocab: &AtomVocab,
    max_nodes: usize,
) -> Result<(Array2<f32>, Array2<f32>), ChemError> {
    let kek = kekulize(&mol.fold_hydrogens())?;
    let n = kek.num_atoms();
    if n > max_nodes {
        return Err(ChemError::TooManyAtoms { n, max: max_nodes });
    }
    let mut x = Array2::<f32>::zeros((max_nodes, vocab.len()));
    for (i, atom) in kek.atoms().iter().enumerate() {
        let t = vocab
            .index_of(atom.element)
            .ok_or_else(|| ChemError::AtomNotInVocab {
                atom: i,
                symbol: atom.element.symbol().to_string(),
            })?;
        x[[i, t]] = 1.0;
    }
    let mut a = Array2::<f32>::zeros((max_nodes, max_nodes));
    for b in kek.bonds() {
        let o = b.order.order() as f32;
        a[[b.a, b.b]] = o;
        a[[b.b, b.a]] = o;
    }
    Ok((x, a))
}

/// GDSS bond quantisation of one adjacency entry.
fn quantise(v: f32) -> u8 {
    match v {
        v if v >= 2.5 => 3,
        v if v >= 1.5 => 2,
        v if v >= 0.5 => 1,
        _ => 0,
    }
}

/// Atom type of row `i`: first column above 0.5, or `None` (virtual / padding).
fn row_type<S: Data<Elem = f32>>(x: &ArrayBase<S, Ix2>, i: usize, f: usize) -> Option<usize> {
    (0..f).find(|&t| x[[i, t]] > 0.5)
}

/// Builds a molecule from GDSS tensors exactly as GDSS's decoder does, including the +1
/// formal charge on N/O/S that exceed the GDSS valency by one (see the module docs).
///
/// Rows beyond `a`'s size and columns beyond `vocab.len()` are ignored.
pub fn decode<S, T>(x: &ArrayBase<S, Ix2>, a: &ArrayBase<T, Ix2>, vocab: &AtomVocab) -> Molecule
where
    S: Data<Elem = f32>,
    T: Data<Elem = f32>,
{
    let rows = x.nrows().min(a.nrows()).min(a.ncols());
    let f = vocab.len().min(x.ncols());
    let mut mol = Molecule::new();
    let mut kept = Vec::new();
    for i in 0..rows {
        if let Some(t) = row_type(x, i, f) {
            mol.add_atom(Atom::new(vocab.elements()[t]));
            kept.push(i);
        }
    }
    for s in 0..kept.len() {
        for e in 0..s {
            let Some(order) = BondOrder::from_order(quantise(a[[kept[s], kept[e]]])) else {
                continue;
            };
            mol.add_bond(s, e, order)
                .expect("each pair is visited once");
            charge_if_one_over(&mut mol);
        }
    }
    mol
}

/// GDSS's per-bond rule: the first over-valent atom gets +1 if it is N, O or S exceeding the
/// GDSS valency by exactly one.
fn charge_if_one_over(mol: &mut Molecule) {
    let Some((i, v)) = first_offender(mol) else {
        return;
    };
    let el = mol.atoms()[i].element;
    if matches!(el, Element::N | Element::O | Element::S) && gdss_valency(el) == Some(v - 1) {
        mol.atom_mut(i).charge = 1;
    }
}

/// First atom whose explicit valence (bond orders + bracket hydrogens) exceeds its maximum
/// valence, with that valence — what RDKit's sanitisation error reports.
fn first_offender(mol: &Molecule) -> Option<(usize, u32)> {
    (0..mol.num_atoms()).find_map(|i| {
        let a = &mol.atoms()[i];
        let v = mol.bond_order_sum(i) + a.explicit_h.unwrap_or(0) as u32;
        max_valence(a.element, a.charge)
            .filter(|&m| v > m)
            .map(|_| (i, v))
    })
}

/// GDSS "validity without correction": every atom within its maximum valence as built.
/// Connectivity is not required.
pub fn gdss_valency_ok(mol: &Molecule) -> bool {
    first_offender(mol).is_none()
}

/// MoFlow/GDSS valency correction: while an atom is over-valent, lower the highest-order bond
/// of the first offending atom by one (removing it if single; ties go to the atom's earliest
/// bond, and a lowered bond moves to the end of the atom's bond list, as in RDKit).
pub fn correct_valency(mol: &Molecule) -> Molecule {
    let mut m = mol.clone();
    while let Some((i, _)) = first_offender(&m) {
        let best = m.atom_bonds(i).iter().copied().reduce(|best, k| {
            if m.bonds()[k].order.order() > m.bonds()[best].order.order() {
                k
            } else {
                best
            }
        });
        let Some(k) = best else { break };
        let b = m.bonds()[k];
        m.remove_bond(b.a, b.b);
        if let Some(lower) = BondOrder::from_order(b.order.order() - 1) {
            m.add_bond(b.a, b.b, lower).expect("bond was just removed");
        }
    }
    m
}

/// Keeps the connected component with the longest SMILES string (first on ties), as GDSS does
/// after correction. Our writer's Kekulé SMILES lengths can differ from RDKit's.
pub fn largest_fragment(mol: &Molecule) -> Molecule {
    let comps = mol.components();
    if comps.len() <= 1 {
        return mol.clone();
    }
    let mut best: Option<(usize, Molecule)> = None;
    for comp in comps {
        let frag = mol.subgraph(&comp);
        let len = write_smiles(&frag).len();
        if best.as_ref().is_none_or(|(l, _)| len > *l) {
            best = Some((len, frag));
        }
    }
    best.map(|(_, m)| m).unwrap_or_default()
}

/// General validity: the molecule kekulizes and every atom's total valence (bonds plus
/// explicit or implicit hydrogens) is within its maximum valence (see [`valence`]).
/// Disconnected molecules can be valid, as in GDSS's count.
pub fn is_valid(mol: &Molecule) -> bool {
    let Ok(kek) = kekulize(mol) else { return false };
    (0..kek.num_atoms()).all(|i| valence::atom_valence_ok(&kek, i))
}

/// Everything GDSS derives from one generated graph.
#[derive(Clone, Debug)]
pub struct GdssDecoded {
    /// The molecule as built by [`decode`] (with GDSS's +1 charges).
    pub raw: Molecule,
    /// [`gdss_valency_ok`] of `raw`: counts towards "validity w/o correction".
    pub valid_without_correction: bool,
    /// Largest fragment after [`correct_valency`]; `None` if empty or still invalid.
    pub corrected: Option<Molecule>,
}

/// Decodes, checks and corrects one generated graph as GDSS's sampler does.
pub fn gdss_decode<S, T>(
    x: &ArrayBase<S, Ix2>,
    a: &ArrayBase<T, Ix2>,
    vocab: &AtomVocab,
) -> GdssDecoded
where
    S: Data<Elem = f32>,
    T: Data<Elem = f32>,
{
    let raw = decode(x, a, vocab);
    let valid_without_correction = gdss_valency_ok(&raw);
    let fixed = largest_fragment(&correct_valency(&raw));
    let corrected = (fixed.num_atoms() > 0 && is_valid(&fixed)).then_some(fixed);
    GdssDecoded {
        raw,
        valid_without_correction,
        corrected,
    }
}

/// GDSS's two validity fractions over a batch of decoded graphs:
/// `(valid w/o correction, survivors)` where the first is counted over the molecules that
/// survive decoding and correction (GDSS's denominator, issue #3) and the second is the
/// fraction of the batch that survives. Empty inputs give `(0, 0)`.
pub fn validity_fractions(batch: &[GdssDecoded]) -> (f64, f64) {
    let survivors: Vec<&GdssDecoded> = batch.iter().filter(|d| d.corrected.is_some()).collect();
    if survivors.is_empty() {
        return (0.0, 0.0);
    }
    let ok = survivors
        .iter()
        .filter(|d| d.valid_without_correction)
        .count();
    (
        ok as f64 / survivors.len() as f64,
        survivors.len() as f64 / batch.len() as f64,
    )
}
