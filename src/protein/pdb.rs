//! Protein backbones from PDB files: the N, Cα, C, O atoms of one chain, in residue order.
//!
//! Reads fixed-column `ATOM`/`HETATM` records (PDB format v3.3 §9: atom name columns 13–16,
//! altLoc 17, residue name 18–20, chain 22, residue number 23–26, insertion code 27, x/y/z
//! 31–54). Only the first model is read; of alternate locations the first one met is kept (as
//! ProteinMPNN's parser does, which keeps altLoc ' ' or 'A'); selenomethionine (`MSE`) counts as
//! Met. A residue enters the backbone only when all four backbone atoms are present, and its
//! number (with insertion codes stepping by one) is kept, because ProteinMPNN's relative
//! positional encoding uses the residue-number offset, not the array index (§ "Methods" of
//! Dauparas et al., Science 378, 49, 2022).

use std::path::Path;

use super::ProteinError;

/// ProteinMPNN's alphabet: the 20 amino acids in one-letter alphabetical order, then `X`.
pub const MPNN_LETTERS: &[u8; 21] = b"ACDEFGHIKLMNPQRSTVWYX";
/// Index of the unknown residue `X`.
pub const UNKNOWN: u8 = 20;

/// One chain's backbone.
#[derive(Debug, Clone, PartialEq)]
pub struct Backbone {
    /// A label (file stem).
    pub name: String,
    /// Chain identifier.
    pub chain: char,
    /// Residue numbers as used for the positional encoding.
    pub residue_index: Vec<i64>,
    /// Native sequence as ProteinMPNN indices (`X` = 20 for non-standard residues).
    pub native: Vec<u8>,
    /// `[N, Cα, C, O]` coordinates per residue, Å.
    pub coords: Vec<[[f64; 3]; 4]>,
}

impl Backbone {
    /// Number of residues.
    pub fn len(&self) -> usize {
        self.native.len()
    }

    /// True when the chain has no residue.
    pub fn is_empty(&self) -> bool {
        self.native.is_empty()
    }

    /// Native sequence as letters.
    pub fn native_string(&self) -> String {
        self.native.iter().map(|&i| MPNN_LETTERS[i as usize] as char).collect()
    }

    /// Reads the backbone of `chain` (or of the first chain when `None`) from a PDB file.
    pub fn read(path: impl AsRef<Path>, chain: Option<char>) -> Result<Self, ProteinError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|source| ProteinError::Io { path: path.display().to_string(), source })?;
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("backbone").to_string();
        Self::parse(&text, &name, chain)
    }

    /// Parses PDB text; `name` labels errors and the result.
    pub fn parse(text: &str, name: &str, chain: Option<char>) -> Result<Self, ProteinError> {
        let mut residues: Vec<Residue> = Vec::new();
        let mut chain_id = chain;
        for (lineno, line) in text.lines().enumerate() {
            if line.starts_with("ENDMDL") {
                break;
            }
            if !(line.starts_with("ATOM  ") || line.starts_with("HETATM")) {
                continue;
            }
            let atom = AtomLine::parse(line).map_err(|msg| ProteinError::Pdb {
                source_name: name.to_string(),
                line: lineno + 1,
                msg,
            })?;
            let Some(slot) = backbone_slot(&atom.atom) else { continue };
            let cid = *chain_id.get_or_insert(atom.chain);
            if atom.chain != cid || (line.starts_with("HETATM") && atom.resname != "MSE") {
                continue;
            }
            let key = (atom.resseq, atom.icode);
            if residues.last().map(|r| r.key) != Some(key) {
                if residues.iter().any(|r| r.key == key) {
                    continue; // a later record of an earlier residue (rare; first wins)
                }
                residues.push(Residue { key, resname: atom.resname.clone(), atoms: [None; 4] });
            }
            let r = residues.last_mut().expect("pushed");
            if r.atoms[slot].is_none() {
                r.atoms[slot] = Some(atom.xyz);
            }
        }
        let cid = chain_id.unwrap_or(' ');
        let mut bb = Backbone { name: name.to_string(), chain: cid, residue_index: vec![], native: vec![], coords: vec![] };
        let mut last: Option<(i64, char)> = None;
        let mut index = 0i64;
        for r in residues {
            let Some(atoms) = r.atoms.iter().copied().collect::<Option<Vec<_>>>() else { continue };
            index = match last {
                Some((prev, _)) if prev == r.key.0 => index + 1, // insertion code
                Some((prev, _)) => index + (r.key.0 - prev),
                None => r.key.0,
            };
            last = Some(r.key);
            bb.residue_index.push(index);
            bb.native.push(one_letter(&r.resname));
            bb.coords.push([atoms[0], atoms[1], atoms[2], atoms[3]]);
        }
        if bb.is_empty() {
            return Err(ProteinError::Pdb {
                source_name: name.to_string(),
                line: 0,
                msg: format!("no residue of chain {cid:?} has all four backbone atoms N, CA, C, O"),
            });
        }
        Ok(bb)
    }
}

#[derive(Debug)]
struct Residue {
    key: (i64, char),
    resname: String,
    atoms: [Option<[f64; 3]>; 4],
}

#[derive(Debug)]
struct AtomLine {
    atom: String,
    resname: String,
    chain: char,
    resseq: i64,
    icode: char,
    xyz: [f64; 3],
}

impl AtomLine {
    fn parse(line: &str) -> Result<Self, String> {
        if !line.is_ascii() {
            return Err("non-ASCII characters in an ATOM record".into());
        }
        if line.len() < 54 {
            return Err(format!("ATOM record has {} columns, coordinates need 54", line.len()));
        }
        let col = |a: usize, b: usize| line[a - 1..b].trim();
        let num = |a: usize, b: usize, what: &str| -> Result<f64, String> {
            let v: f64 = col(a, b).parse().map_err(|_| format!("{what} {:?} is not a number", col(a, b)))?;
            if v.is_finite() { Ok(v) } else { Err(format!("{what} is not finite")) }
        };
        let resseq = col(23, 26).parse::<i64>().map_err(|_| format!("residue number {:?} is not an integer", col(23, 26)))?;
        Ok(Self {
            atom: col(13, 16).to_string(),
            resname: col(18, 20).to_string(),
            chain: line.as_bytes()[21] as char,
            resseq,
            icode: line.as_bytes()[26] as char,
            xyz: [num(31, 38, "x")?, num(39, 46, "y")?, num(47, 54, "z")?],
        })
    }
}

fn backbone_slot(atom: &str) -> Option<usize> {
    match atom {
        "N" => Some(0),
        "CA" => Some(1),
        "C" => Some(2),
        "O" => Some(3),
        _ => None,
    }
}

/// One-letter index of a three-letter residue name (`MSE` → Met, anything else unknown → `X`).
pub fn one_letter(resname: &str) -> u8 {
    const NAMES: [&str; 20] = [
        "ALA", "CYS", "ASP", "GLU", "PHE", "GLY", "HIS", "ILE", "LYS", "LEU", "MET", "ASN", "PRO", "GLN", "ARG",
        "SER", "THR", "VAL", "TRP", "TYR",
    ];
    let name = if resname == "MSE" { "MET" } else { resname };
    NAMES.iter().position(|n| *n == name).map_or(UNKNOWN, |i| i as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn atom(serial: usize, name: &str, res: &str, chain: char, seq: i64, icode: char, xyz: [f64; 3]) -> String {
        format!(
            "ATOM  {serial:>5} {name:<4} {res:>3} {chain}{seq:>4}{icode}   {:>8.3}{:>8.3}{:>8.3}  1.00  0.00           C",
            xyz[0], xyz[1], xyz[2]
        )
    }

    fn residue(chain: char, seq: i64, icode: char, res: &str, skip: Option<&str>) -> Vec<String> {
        ["N", "CA", "C", "O", "CB"]
            .iter()
            .enumerate()
            .filter(|(_, n)| Some(**n) != skip)
            .map(|(i, n)| atom(i + 1, n, res, chain, seq, icode, [seq as f64, i as f64, 0.5]))
            .collect()
    }

    #[test]
    fn reads_chain_gaps_insertions_and_skips_incomplete() {
        let mut lines = Vec::new();
        lines.extend(residue('A', 10, ' ', "GLY", None));
        lines.extend(residue('A', 11, ' ', "MSE", None));
        lines.extend(residue('A', 11, 'A', "TRP", None)); // insertion code → index + 1
        lines.extend(residue('A', 12, ' ', "ALA", Some("O"))); // incomplete → dropped
        lines.extend(residue('A', 15, ' ', "UNK", None)); // 12..14 missing after 11A: index 12 + 4
        lines.extend(residue('B', 1, ' ', "CYS", None));
        let bb = Backbone::parse(&lines.join("\n"), "t", None).unwrap();
        assert_eq!(bb.chain, 'A');
        assert_eq!(bb.native_string(), "GMWX");
        assert_eq!(bb.residue_index, vec![10, 11, 12, 16]);
        assert_eq!(bb.coords[0][1], [10.0, 1.0, 0.5]);
        let b = Backbone::parse(&lines.join("\n"), "t", Some('B')).unwrap();
        assert_eq!(b.native_string(), "C");
    }

    #[test]
    fn clear_errors() {
        let bad = residue('A', 1, ' ', "GLY", None).join("\n").replacen("   1.000", "   1.0x0", 1);
        let err = Backbone::parse(&bad, "t", None).unwrap_err().to_string();
        assert!(err.contains("t") && err.contains("line") && err.contains("not a number"), "{err}");
        let err = Backbone::parse("HEADER nothing\n", "empty", None).unwrap_err().to_string();
        assert!(err.contains("no residue"), "{err}");
        let short = "ATOM      1  N   GLY A   1      1.000";
        assert!(Backbone::parse(short, "s", None).unwrap_err().to_string().contains("columns"));
    }
}
