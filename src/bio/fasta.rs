//! FASTA reading and writing with validation.
//!
//! Accepted input: records start with a `>` header line whose first whitespace-separated token is the id
//! (the rest is the description); the sequence may span several lines; blank lines anywhere are ignored;
//! trailing `\r` is stripped. Errors (all [`BioError`]) name the line or record: sequence before the first
//! header ([`BioError::MissingHeader`]), a header without id ([`BioError::EmptyHeader`]), a record without
//! sequence ([`BioError::EmptyRecord`]), and an unknown letter with the record id and its 1-based position
//! in the concatenated sequence ([`BioError::UnknownLetter`]). Sequences are stored normalised to
//! uppercase, so write → read is the identity on valid records.

use std::io::{BufRead, Write};

use super::alphabet::Alphabet;
use super::{BioError, Result};

/// One FASTA record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FastaRecord {
    /// First token of the header.
    pub id: String,
    /// Rest of the header after the id (may be empty).
    pub description: String,
    /// Sequence, uppercase, validated against the alphabet it was read with.
    pub sequence: String,
}

impl FastaRecord {
    /// Indices of the sequence in `alphabet`.
    pub fn encode(&self, alphabet: &Alphabet) -> Result<Vec<u8>> {
        alphabet.encode(&self.id, &self.sequence)
    }
}

/// Read all records from `reader`, validating every sequence against `alphabet`.
/// `source_name` is used in I/O error messages.
pub fn read_fasta<R: BufRead>(reader: R, alphabet: &Alphabet, source_name: &str) -> Result<Vec<FastaRecord>> {
    let mut records = Vec::new();
    let mut current: Option<(FastaRecord, usize)> = None;
    for (n, line) in reader.lines().enumerate() {
        let line_no = n + 1;
        let line = line.map_err(|source| BioError::Io { context: source_name.to_string(), source })?;
        let line = line.trim_end_matches(['\r', '\n']);
        if line.trim().is_empty() {
            continue;
        }
        if let Some(header) = line.strip_prefix('>') {
            if let Some(done) = current.take() {
                records.push(finish(done, alphabet)?);
            }
            let header = header.trim();
            let (id, description) = match header.split_once(char::is_whitespace) {
                Some((id, rest)) => (id, rest.trim()),
                None => (header, ""),
            };
            if id.is_empty() {
                return Err(BioError::EmptyHeader { line: line_no });
            }
            let rec = FastaRecord { id: id.to_string(), description: description.to_string(), sequence: String::new() };
            current = Some((rec, line_no));
        } else {
            match current.as_mut() {
                None => return Err(BioError::MissingHeader { line: line_no }),
                Some((rec, _)) => rec.sequence.push_str(line.trim()),
            }
        }
    }
    if let Some(done) = current.take() {
        records.push(finish(done, alphabet)?);
    }
    Ok(records)
}

fn finish((mut rec, line): (FastaRecord, usize), alphabet: &Alphabet) -> Result<FastaRecord> {
    if rec.sequence.is_empty() {
        return Err(BioError::EmptyRecord { record: rec.id, line });
    }
    let idx = alphabet.encode(&rec.id, &rec.sequence)?;
    rec.sequence = alphabet.decode(&idx)?;
    Ok(rec)
}

/// Write records with sequence lines of at most `width` letters (`width = 0` means one line).
pub fn write_fasta<W: Write>(mut writer: W, records: &[FastaRecord], width: usize) -> Result<()> {
    let io = |source| BioError::Io { context: "FASTA writer".to_string(), source };
    for rec in records {
        if rec.description.is_empty() {
            writeln!(writer, ">{}", rec.id).map_err(io)?;
        } else {
            writeln!(writer, ">{} {}", rec.id, rec.description).map_err(io)?;
        }
        let bytes = rec.sequence.as_bytes();
        let w = if width == 0 { bytes.len().max(1) } else { width };
        for chunk in bytes.chunks(w) {
            writer.write_all(chunk).map_err(io)?;
            writer.write_all(b"\n").map_err(io)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bio::alphabet::{DNA, PROTEIN};

    fn read(text: &str) -> Result<Vec<FastaRecord>> {
        read_fasta(text.as_bytes(), &DNA, "test")
    }

    #[test]
    fn multi_line_blank_lines_and_lowercase() {
        let recs = read("\n>s1 first one\nACGT\nac\n\n>s2\r\nGGGG\n\n").unwrap();
        assert_eq!(recs.len(), 2);
        assert_eq!(recs[0].id, "s1");
        assert_eq!(recs[0].description, "first one");
        assert_eq!(recs[0].sequence, "ACGTAC");
        assert_eq!(recs[1].sequence, "GGGG");
    }

    #[test]
    fn round_trip() {
        let recs = vec![
            FastaRecord { id: "a".into(), description: "desc x".into(), sequence: "ACGTACGTACGTA".into() },
            FastaRecord { id: "b".into(), description: String::new(), sequence: "T".into() },
        ];
        for width in [0, 1, 5, 60] {
            let mut buf = Vec::new();
            write_fasta(&mut buf, &recs, width).unwrap();
            assert_eq!(read(std::str::from_utf8(&buf).unwrap()).unwrap(), recs, "width {width}");
        }
        let prot = vec![FastaRecord { id: "p".into(), description: String::new(), sequence: "MKV".into() }];
        let mut buf = Vec::new();
        write_fasta(&mut buf, &prot, 2).unwrap();
        assert_eq!(read_fasta(&buf[..], &PROTEIN, "p").unwrap(), prot);
    }

    #[test]
    fn errors_are_specific() {
        assert!(matches!(read("ACGT\n>x\nA\n"), Err(BioError::MissingHeader { line: 1 })));
        assert!(matches!(read(">x\nA\n>\nA\n"), Err(BioError::EmptyHeader { line: 3 })));
        match read(">x\nA\n\n>empty desc\n>z\nA\n") {
            Err(BioError::EmptyRecord { record, line }) => assert_eq!((record.as_str(), line), ("empty", 4)),
            other => panic!("{other:?}"),
        }
        match read(">ok\nAC\n>bad\nACG\nTNA\n") {
            Err(BioError::UnknownLetter { record, position, letter, .. }) => {
                assert_eq!((record.as_str(), position, letter), ("bad", 5, 'N'));
            }
            other => panic!("{other:?}"),
        }
        assert!(read("").unwrap().is_empty());
    }
}
