//! Deterministic SMILES writer.
//!
//! Atoms are visited depth-first from the lowest-ranked atom of each component (ranks from
//! [`super::canonical_ranks`]), neighbours in rank order; non-tree bonds become ring closures
//! with the lowest free digit (`%nn` above 9). Aromatic atoms are written lowercase and Kekulé
//! molecules uppercase, so writing the output of [`super::kekulize`] gives a Kekulé SMILES.
//! Bracket atoms are used for elements outside the organic subset, charged atoms, and atoms
//! whose hydrogen count was given explicitly. Output is identical for identical input; for
//! isomorphic inputs it is usually, but not provably, identical.

use super::{BondOrder, Molecule, canonical_ranks};

/// Depth-first spanning structure of one molecule.
struct Plan {
    ranks: Vec<usize>,
    visited: Vec<bool>,
    done: Vec<bool>,
    children: Vec<Vec<(usize, usize)>>,
    ring_open: Vec<Vec<usize>>,
    ring_close: Vec<Vec<usize>>,
}

impl Plan {
    fn visit(&mut self, mol: &Molecule, u: usize) {
        self.visited[u] = true;
        let mut nbrs: Vec<(usize, usize)> = mol
            .atom_bonds(u)
            .iter()
            .map(|&k| (mol.bonds()[k].other(u), k))
            .collect();
        nbrs.sort_by_key(|&(v, _)| self.ranks[v]);
        for (v, k) in nbrs {
            if self.done[k] {
                continue;
            }
            self.done[k] = true;
            if self.visited[v] {
                self.ring_open[v].push(k);
                self.ring_close[u].push(k);
            } else {
                self.children[u].push((v, k));
                self.visit(mol, v);
            }
        }
    }
}

/// Emission state: ring digits in use.
struct Emitter<'a> {
    mol: &'a Molecule,
    plan: &'a Plan,
    digit_of: Vec<usize>,
    in_use: Vec<bool>,
    out: String,
}

impl Emitter<'_> {
    fn bond_text(&self, k: usize) -> &'static str {
        let b = self.mol.bonds()[k];
        let both = self.mol.atoms()[b.a].aromatic && self.mol.atoms()[b.b].aromatic;
        match (b.order, both) {
            (BondOrder::Single, true) => "-",
            (BondOrder::Aromatic, false) => ":",
            (BondOrder::Single | BondOrder::Aromatic, _) => "",
            (BondOrder::Double, _) => "=",
            (BondOrder::Triple, _) => "#",
        }
    }

    fn push_digit(&mut self, d: usize) {
        if d < 10 {
            self.out.push_str(&d.to_string());
        } else {
            self.out.push_str(&format!("%{d:02}"));
        }
    }

    fn rings(&mut self, u: usize) {
        let plan = self.plan;
        for &k in &plan.ring_close[u] {
            self.push_digit(self.digit_of[k]);
        }
        for &k in &plan.ring_open[u] {
            let d = (1..self.in_use.len())
                .find(|&d| !self.in_use[d])
                .expect("<99 open rings");
            self.in_use[d] = true;
            self.digit_of[k] = d;
            self.out.push_str(self.bond_text(k));
            self.push_digit(d);
        }
        for &k in &plan.ring_close[u] {
            self.in_use[self.digit_of[k]] = false;
        }
    }

    fn emit(&mut self, u: usize) {
        self.out.push_str(&atom_text(self.mol, u));
        self.rings(u);
        let kids = &self.plan.children[u];
        for (c, &(v, k)) in kids.iter().enumerate() {
            let last = c + 1 == kids.len();
            if !last {
                self.out.push('(');
            }
            self.out.push_str(self.bond_text(k));
            self.emit(v);
            if !last {
                self.out.push(')');
            }
        }
    }
}

/// SMILES text of atom `i`.
fn atom_text(mol: &Molecule, i: usize) -> String {
    let a = &mol.atoms()[i];
    let sym = a.element.symbol();
    let lower = a.aromatic && matches!(sym, "B" | "C" | "N" | "O" | "P" | "S" | "Se" | "As" | "Te");
    let sym = if lower {
        sym.to_lowercase()
    } else {
        sym.to_string()
    };
    if a.element.is_organic_subset() && a.charge == 0 && a.explicit_h.is_none() {
        return sym;
    }
    let h = mol.total_h(i);
    let mut s = format!("[{sym}");
    match h {
        0 => {}
        1 => s.push('H'),
        _ => s.push_str(&format!("H{h}")),
    }
    match a.charge {
        0 => {}
        1 => s.push('+'),
        -1 => s.push('-'),
        c if c > 0 => s.push_str(&format!("+{c}")),
        c => s.push_str(&format!("-{}", -c)),
    }
    s.push(']');
    s
}

/// Writes `mol` as SMILES (components joined by `.`; empty string for an empty molecule).
pub fn write_smiles(mol: &Molecule) -> String {
    let n = mol.num_atoms();
    let mut plan = Plan {
        ranks: canonical_ranks(mol),
        visited: vec![false; n],
        done: vec![false; mol.bonds().len()],
        children: vec![Vec::new(); n],
        ring_open: vec![Vec::new(); n],
        ring_close: vec![Vec::new(); n],
    };
    let mut starts: Vec<usize> = (0..n).collect();
    starts.sort_by_key(|&i| plan.ranks[i]);
    let mut roots = Vec::new();
    for s in starts {
        if !plan.visited[s] {
            roots.push(s);
            plan.visit(mol, s);
        }
    }
    let mut em = Emitter {
        mol,
        plan: &plan,
        digit_of: vec![0; mol.bonds().len()],
        in_use: vec![false; 100],
        out: String::new(),
    };
    for (c, &r) in roots.iter().enumerate() {
        if c > 0 {
            em.out.push('.');
        }
        em.emit(r);
    }
    em.out
}
