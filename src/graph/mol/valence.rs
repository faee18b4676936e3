//! Valence rules: default valences for implicit hydrogens and the maximum valences used by the
//! sanitisation (validity) check.
//!
//! Default valences follow OpenSMILES §3.5 (B 3; C 4; N 3, 5; O 2; P 3, 5; S 2, 4, 6;
//! F Cl Br I 1; we add Si 4, Se 2, 4, 6 and H 1). A charged atom uses the list of its
//! isoelectronic neutral element (atomic number minus charge): N⁺ → C (4), O⁺ → N, O⁻ → F (1),
//! N⁻ → O (2), C⁻ → N, C⁺ → B (3), S⁺ → P, B⁻ → C.
//!
//! The maximum valences mirror the defaults of RDKit's valence sanitisation, which GDSS uses to
//! decide validity: H 1, B 3, C 4, N 3, O 2, F 1, Si 4, P 7, S 6, Cl 1, Se 6, Br 1, I 5, with the
//! same isoelectronic shift for charges (so N⁺ 4, O⁺ 3, O⁻ 1).

use super::{Element, Molecule};

/// Default valences of a neutral element (empty if none are defined).
fn neutral_defaults(z: i32) -> &'static [u32] {
    match z {
        1 => &[1],
        5 => &[3],
        6 | 14 => &[4],
        7 | 15 => &[3, 5],
        8 => &[2],
        16 | 34 => &[2, 4, 6],
        9 | 17 | 35 | 53 => &[1],
        _ => &[],
    }
}

/// Default valences of `element` carrying formal `charge` (isoelectronic rule).
pub fn default_valences(element: Element, charge: i8) -> &'static [u32] {
    neutral_defaults(element.atomic_number() as i32 - charge as i32)
}

/// Maximum valence of a neutral element under the sanitisation rules.
fn neutral_max(z: i32) -> Option<u32> {
    match z {
        1 | 9 | 17 | 35 => Some(1),
        5 => Some(3),
        6 | 14 => Some(4),
        7 => Some(3),
        8 => Some(2),
        15 => Some(7),
        16 | 34 => Some(6),
        53 => Some(5),
        _ => None,
    }
}

/// Maximum allowed total valence (bonds + hydrogens) of `element` with formal `charge`, as in
/// RDKit-style sanitisation; `None` if the element is not checked.
pub fn max_valence(element: Element, charge: i8) -> Option<u32> {
    neutral_max(element.atomic_number() as i32 - charge as i32)
}

/// The GDSS/MoFlow valency table (C4 N3 O2 F1 P3 S2 Cl1 Br1 I1) used by the decoder's +1-charge
/// rule.
pub fn gdss_valency(element: Element) -> Option<u32> {
    match element.atomic_number() {
        6 => Some(4),
        7 | 15 => Some(3),
        8 | 16 => Some(2),
        9 | 17 | 35 | 53 => Some(1),
        _ => None,
    }
}

/// Smallest default valence that is at least `v`.
fn target_valence(element: Element, charge: i8, v: u32) -> Option<u32> {
    default_valences(element, charge)
        .iter()
        .copied()
        .find(|&d| d >= v)
}

/// Bond-order sum plus bracket hydrogens: the valence already used at atom `i`.
fn used_valence(mol: &Molecule, i: usize) -> u32 {
    mol.bond_order_sum(i) + mol.atoms()[i].explicit_h.unwrap_or(0) as u32
}

/// True if aromatic atom `i` still needs one double bond from its aromatic bonds: the smallest
/// default valence that fits the used valence (aromatic bonds counted as 1) leaves room.
pub fn needs_pi_bond(mol: &Molecule, i: usize) -> bool {
    let a = &mol.atoms()[i];
    if !a.aromatic {
        return false;
    }
    let v = used_valence(mol, i);
    target_valence(a.element, a.charge, v).is_some_and(|t| t > v)
}

/// Implicit hydrogens of atom `i` (0 for bracket atoms): fill up to the smallest default
/// valence; an aromatic atom that still needs a π bond reserves one unit for it.
pub fn implicit_h(mol: &Molecule, i: usize) -> u32 {
    let a = &mol.atoms()[i];
    if a.explicit_h.is_some() {
        return 0;
    }
    let v = mol.bond_order_sum(i);
    let Some(t) = target_valence(a.element, a.charge, v) else {
        return 0;
    };
    let pi = u32::from(a.aromatic && t > v);
    t - v - pi
}

/// Total valence of atom `i` in a Kekulé structure: bond orders plus all hydrogens.
pub fn total_valence(mol: &Molecule, i: usize) -> u32 {
    mol.bond_order_sum(i) + mol.total_h(i)
}

/// True if atom `i` of a Kekulé molecule is within its maximum valence (unchecked elements
/// pass).
pub fn atom_valence_ok(mol: &Molecule, i: usize) -> bool {
    let a = &mol.atoms()[i];
    max_valence(a.element, a.charge).is_none_or(|m| total_valence(mol, i) <= m)
}
