//! SMILES parser (Weininger 1988; OpenSMILES syntax).
//!
//! Supported: organic-subset atoms `B C N O P S F Cl Br I` and aromatic `b c n o p s`; bracket
//! atoms `[isotope? symbol chirality? hcount? charge? class?]` with any element symbol and
//! aromatic `b c n o p s se as te`; bonds `- = # : / \` (`/ \` read as single); branches;
//! ring closures `0`–`9` and `%nn`; `.` separating disconnected parts. An unwritten bond
//! between two aromatic atoms is aromatic, otherwise single. Isotopes, chirality and atom
//! classes are parsed and dropped. Whitespace ends the SMILES (the rest is a title).

use std::collections::BTreeMap;

use super::{Atom, BondOrder, ChemError, Element, Molecule};

/// An open ring closure: atom, bond written at the opening, byte offset.
type OpenRing = (usize, Option<BondOrder>, usize);

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    mol: Molecule,
    prev: Option<usize>,
    bond: Option<(BondOrder, usize)>,
    branches: Vec<(Option<usize>, usize)>,
    rings: BTreeMap<u32, OpenRing>,
    just_opened: bool,
}

/// Parses a SMILES string into a [`Molecule`] (aromatic atoms and bonds kept as written).
///
/// Errors name the byte position and the problem: unclosed ring, unbalanced parentheses,
/// unknown element, bad bracket atom, or another syntax error.
pub fn parse_smiles(smiles: &str) -> Result<Molecule, ChemError> {
    let end = smiles.find(char::is_whitespace).unwrap_or(smiles.len());
    let mut p = Parser {
        s: &smiles.as_bytes()[..end],
        pos: 0,
        mol: Molecule::new(),
        prev: None,
        bond: None,
        branches: Vec::new(),
        rings: BTreeMap::new(),
        just_opened: false,
    };
    while p.pos < p.s.len() {
        p.step()?;
    }
    p.finish()
}

fn syntax(pos: usize, msg: &str) -> ChemError {
    ChemError::Syntax {
        pos,
        msg: msg.to_string(),
    }
}

impl Parser<'_> {
    fn step(&mut self) -> Result<(), ChemError> {
        let c = self.s[self.pos];
        let opened = c == b'(';
        match c {
            b'(' => self.open_branch()?,
            b')' => self.close_branch()?,
            b'.' => self.dot()?,
            b'-' | b'=' | b'#' | b':' | b'/' | b'\\' | b'$' => self.bond_symbol(c)?,
            b'0'..=b'9' | b'%' => self.ring()?,
            b'[' => self.bracket()?,
            b'A'..=b'Z' | b'a'..=b'z' => self.organic()?,
            _ => {
                return Err(syntax(
                    self.pos,
                    &format!("unexpected character '{}'", c as char),
                ));
            }
        }
        self.just_opened = opened;
        Ok(())
    }

    fn finish(mut self) -> Result<Molecule, ChemError> {
        if let Some(&(_, pos)) = self.branches.first() {
            return Err(ChemError::UnbalancedParens { pos });
        }
        if let Some((&label, &(_, _, pos))) = self.rings.iter().min_by_key(|(_, r)| r.2) {
            return Err(ChemError::UnclosedRing { pos, label });
        }
        if let Some((_, pos)) = self.bond.take() {
            return Err(syntax(pos, "bond symbol not followed by an atom"));
        }
        Ok(self.mol)
    }

    fn open_branch(&mut self) -> Result<(), ChemError> {
        if self.prev.is_none() || self.bond.is_some() {
            return Err(syntax(self.pos, "branch must follow an atom"));
        }
        self.branches.push((self.prev, self.pos));
        self.pos += 1;
        Ok(())
    }

    fn close_branch(&mut self) -> Result<(), ChemError> {
        let Some((prev, _)) = self.branches.pop() else {
            return Err(ChemError::UnbalancedParens { pos: self.pos });
        };
        if self.just_opened {
            return Err(syntax(self.pos, "empty branch"));
        }
        if let Some((_, pos)) = self.bond {
            return Err(syntax(pos, "bond symbol at the end of a branch"));
        }
        self.prev = prev;
        self.pos += 1;
        Ok(())
    }

    fn dot(&mut self) -> Result<(), ChemError> {
        if self.bond.is_some() || self.prev.is_none() {
            return Err(syntax(self.pos, "'.' must follow an atom"));
        }
        self.prev = None;
        self.pos += 1;
        Ok(())
    }

    fn bond_symbol(&mut self, c: u8) -> Result<(), ChemError> {
        if self.bond.is_some() {
            return Err(syntax(self.pos, "two bond symbols in a row"));
        }
        if self.prev.is_none() {
            return Err(syntax(self.pos, "bond symbol without a preceding atom"));
        }
        let order = match c {
            b'=' => BondOrder::Double,
            b'#' => BondOrder::Triple,
            b':' => BondOrder::Aromatic,
            b'$' => return Err(syntax(self.pos, "quadruple bonds are not supported")),
            _ => BondOrder::Single,
        };
        self.bond = Some((order, self.pos));
        self.pos += 1;
        Ok(())
    }

    /// Bond type between atoms `a` and `b` when none is written.
    fn default_bond(&self, a: usize, b: usize) -> BondOrder {
        let atoms = self.mol.atoms();
        if atoms[a].aromatic && atoms[b].aromatic {
            BondOrder::Aromatic
        } else {
            BondOrder::Single
        }
    }

    fn ring_label(&mut self) -> Result<u32, ChemError> {
        let start = self.pos;
        if self.s[self.pos] != b'%' {
            self.pos += 1;
            return Ok((self.s[start] - b'0') as u32);
        }
        let digits = self
            .s
            .get(start + 1..start + 3)
            .filter(|d| d.iter().all(u8::is_ascii_digit));
        let Some(d) = digits else {
            return Err(syntax(start, "'%' must be followed by two digits"));
        };
        self.pos += 3;
        Ok(((d[0] - b'0') * 10 + (d[1] - b'0')) as u32)
    }

    fn ring(&mut self) -> Result<(), ChemError> {
        let start = self.pos;
        let Some(atom) = self.prev else {
            return Err(syntax(start, "ring-closure digit without a preceding atom"));
        };
        let label = self.ring_label()?;
        let written = self.bond.take().map(|(o, _)| o);
        let Some((other, opened_with, _)) = self.rings.remove(&label) else {
            self.rings.insert(label, (atom, written, start));
            return Ok(());
        };
        let order = match (opened_with, written) {
            (Some(a), Some(b)) if a != b => {
                return Err(syntax(
                    start,
                    &format!("ring {label} closed with a different bond"),
                ));
            }
            (Some(o), _) | (None, Some(o)) => o,
            (None, None) => self.default_bond(other, atom),
        };
        self.mol.add_bond(other, atom, order).map_err(|_| {
            syntax(
                start,
                &format!("ring {label} bonds an atom to itself or twice"),
            )
        })?;
        Ok(())
    }

    /// Adds `atom`, bonding it to the previous atom.
    fn push_atom(&mut self, atom: Atom) {
        let idx = self.mol.add_atom(atom);
        if let Some(p) = self.prev {
            let order = match self.bond.take() {
                Some((o, _)) => o,
                None => self.default_bond(p, idx),
            };
            self.mol
                .add_bond(p, idx, order)
                .expect("fresh atom has no bonds");
        }
        self.prev = Some(idx);
    }

    fn organic(&mut self) -> Result<(), ChemError> {
        let start = self.pos;
        if self.prev.is_none() && self.bond.is_some() {
            return Err(syntax(start, "bond symbol without a preceding atom"));
        }
        let two = self.s.get(start..start + 2);
        let (sym, aromatic, len) = match (two, self.s[start]) {
            (Some(b"Cl"), _) => ("Cl", false, 2),
            (Some(b"Br"), _) => ("Br", false, 2),
            (_, b'B' | b'C' | b'N' | b'O' | b'P' | b'S' | b'F' | b'I') => (
                std::str::from_utf8(&self.s[start..start + 1]).unwrap_or("?"),
                false,
                1,
            ),
            (_, b'b') => ("B", true, 1),
            (_, b'c') => ("C", true, 1),
            (_, b'n') => ("N", true, 1),
            (_, b'o') => ("O", true, 1),
            (_, b'p') => ("P", true, 1),
            (_, b's') => ("S", true, 1),
            _ => return Err(self.unknown_element(start)),
        };
        let element = Element::from_symbol(sym).ok_or_else(|| self.unknown_element(start))?;
        self.pos += len;
        self.push_atom(Atom {
            aromatic,
            ..Atom::new(element)
        });
        Ok(())
    }

    fn unknown_element(&self, start: usize) -> ChemError {
        let end = (start + 1..self.s.len())
            .find(|&k| !self.s[k].is_ascii_lowercase())
            .unwrap_or(self.s.len())
            .min(start + 2);
        let symbol = String::from_utf8_lossy(&self.s[start..end]).into_owned();
        ChemError::UnknownElement { pos: start, symbol }
    }

    fn bracket(&mut self) -> Result<(), ChemError> {
        let open = self.pos;
        if self.prev.is_none() && self.bond.is_some() {
            return Err(syntax(open, "bond symbol without a preceding atom"));
        }
        let close = (open..self.s.len()).find(|&k| self.s[k] == b']');
        let Some(close) = close else {
            return Err(ChemError::BadBracketAtom {
                pos: open,
                msg: "missing ']'".into(),
            });
        };
        let atom = parse_bracket(&self.s[open + 1..close], open)?;
        self.pos = close + 1;
        self.push_atom(atom);
        Ok(())
    }
}

/// Cursor over the inside of a bracket atom.
struct Inner<'a> {
    s: &'a [u8],
    k: usize,
    open: usize,
}

impl Inner<'_> {
    fn bad(&self, msg: &str) -> ChemError {
        ChemError::BadBracketAtom {
            pos: self.open,
            msg: msg.to_string(),
        }
    }

    fn peek(&self) -> Option<u8> {
        self.s.get(self.k).copied()
    }

    fn number(&mut self) -> Option<u32> {
        let start = self.k;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.k += 1;
        }
        let text = std::str::from_utf8(&self.s[start..self.k]).ok()?;
        if text.is_empty() {
            None
        } else {
            text.parse().ok()
        }
    }

    fn symbol(&mut self) -> Result<(Element, bool), ChemError> {
        let pos = self.open + 1 + self.k;
        let rest = &self.s[self.k..];
        for (text, aromatic) in [("se", true), ("as", true), ("te", true)] {
            if rest.starts_with(text.as_bytes()) {
                self.k += 2;
                let sym = format!("{}{}", text[..1].to_uppercase(), &text[1..]);
                return Ok((Element::from_symbol(&sym).expect("known symbol"), aromatic));
            }
        }
        match rest.first() {
            Some(c @ (b'b' | b'c' | b'n' | b'o' | b'p' | b's')) => {
                self.k += 1;
                let sym = (*c as char).to_ascii_uppercase().to_string();
                Ok((Element::from_symbol(&sym).expect("known symbol"), true))
            }
            Some(c) if c.is_ascii_uppercase() => self.element_symbol(pos),
            _ => Err(self.bad("missing element symbol")),
        }
    }

    fn element_symbol(&mut self, pos: usize) -> Result<(Element, bool), ChemError> {
        let rest = &self.s[self.k..];
        if rest.len() >= 2 && rest[1].is_ascii_lowercase() {
            let two = std::str::from_utf8(&rest[..2]).unwrap_or("");
            if let Some(e) = Element::from_symbol(two) {
                self.k += 2;
                return Ok((e, false));
            }
        }
        let one = std::str::from_utf8(&rest[..1]).unwrap_or("");
        match Element::from_symbol(one) {
            Some(e) => {
                self.k += 1;
                Ok((e, false))
            }
            None => {
                let len = if rest.len() >= 2 && rest[1].is_ascii_lowercase() {
                    2
                } else {
                    1
                };
                let symbol = String::from_utf8_lossy(&rest[..len]).into_owned();
                Err(ChemError::UnknownElement { pos, symbol })
            }
        }
    }

    fn chirality(&mut self) {
        if self.peek() != Some(b'@') {
            return;
        }
        self.k += 1;
        if self.peek() == Some(b'@') {
            self.k += 1;
            return;
        }
        let rest = &self.s[self.k..];
        if ["TH", "AL", "SP", "TB", "OH"]
            .iter()
            .any(|t| rest.starts_with(t.as_bytes()))
        {
            self.k += 2;
            self.number();
        }
    }

    fn hcount(&mut self) -> u8 {
        if self.peek() != Some(b'H') {
            return 0;
        }
        self.k += 1;
        self.number().map_or(1, |n| n.min(255) as u8)
    }

    fn charge(&mut self) -> Result<i8, ChemError> {
        let sign = match self.peek() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return Ok(0),
        };
        self.k += 1;
        if let Some(n) = self.number() {
            return if n <= 15 {
                Ok(sign * n as i8)
            } else {
                Err(self.bad("charge out of range"))
            };
        }
        let mut mag = 1;
        while self.peek() == Some(if sign > 0 { b'+' } else { b'-' }) {
            self.k += 1;
            mag += 1;
        }
        Ok(sign * mag)
    }
}

/// Parses the text between `[` and `]`; `open` is the offset of `[` for error messages.
fn parse_bracket(inner: &[u8], open: usize) -> Result<Atom, ChemError> {
    let mut c = Inner {
        s: inner,
        k: 0,
        open,
    };
    let _isotope = c.number();
    let (element, aromatic) = c.symbol()?;
    c.chirality();
    let h = c.hcount();
    let charge = c.charge()?;
    if c.peek() == Some(b':') {
        c.k += 1;
        c.number().ok_or_else(|| c.bad("atom class needs digits"))?;
    }
    if c.k != inner.len() {
        let rest = String::from_utf8_lossy(&inner[c.k..]);
        return Err(c.bad(&format!("unexpected '{rest}'")));
    }
    Ok(Atom {
        element,
        charge,
        explicit_h: Some(h),
        aromatic,
    })
}
