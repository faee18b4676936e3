//! DNA and protein alphabets: letters ↔ indices ↔ one-hot rows.
//!
//! * DNA: `A C G T` → `0 1 2 3` (complement of `b` is `3 - b`). **Lowercase is accepted** for DNA
//!   (soft-masked genome sequence is common) and normalised to uppercase; `N` and IUPAC codes are errors.
//! * Protein: the 20 standard amino acids in the alphabetical one-letter order
//!   `A C D E F G H I K L M N P Q R S T V W Y` → `0..20`; uppercase only (lowercase is an error, since
//!   some tools use it to flag low-confidence residues). `X` (unknown) is not accepted here; DRAKES' protein
//!   vocabulary adds `X` and `MASK` on top of these 20 (brief §0), which the model layer owns.
//!
//! One-hot matrices are `Array2<f32>` of shape `[L, |alphabet|]`, the layout of the soft inputs of the
//! DRAKES relaxation (brief §3.2) and of [`crate::bio::motif::D1Reward::reward_soft`].

use ndarray::Array2;

use super::{BioError, Result};

/// A fixed alphabet of single-byte letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alphabet {
    /// Human-readable name used in error messages.
    pub name: &'static str,
    /// Letters in index order (uppercase).
    pub letters: &'static [u8],
    /// Whether lowercase letters are accepted (and mapped to uppercase).
    pub case_insensitive: bool,
}

/// DNA: `ACGT`, lowercase accepted.
pub const DNA: Alphabet = Alphabet { name: "DNA", letters: b"ACGT", case_insensitive: true };

/// Protein: the 20 standard amino acids, alphabetical one-letter order, uppercase only.
pub const PROTEIN: Alphabet =
    Alphabet { name: "protein", letters: b"ACDEFGHIKLMNPQRSTVWY", case_insensitive: false };

impl Alphabet {
    /// Number of letters.
    pub fn len(&self) -> usize {
        self.letters.len()
    }

    /// Always false (alphabets are non-empty); present for clippy's `len_without_is_empty`.
    pub fn is_empty(&self) -> bool {
        self.letters.is_empty()
    }

    /// Index of one letter, or `None` if it is not in the alphabet.
    pub fn index_of(&self, letter: u8) -> Option<u8> {
        let l = if self.case_insensitive { letter.to_ascii_uppercase() } else { letter };
        self.letters.iter().position(|&c| c == l).map(|i| i as u8)
    }

    /// Encode a sequence to indices. `record` names the sequence in the error, which carries the 1-based
    /// position of the first unknown letter.
    ///
    /// ```
    /// use scidiff::bio::alphabet::DNA;
    /// assert_eq!(DNA.encode("r1", "ACgt").unwrap(), vec![0, 1, 2, 3]);
    /// assert!(DNA.encode("r1", "ACNT").unwrap_err().to_string().contains("position 3"));
    /// ```
    pub fn encode(&self, record: &str, seq: &str) -> Result<Vec<u8>> {
        seq.chars()
            .enumerate()
            .map(|(i, ch)| {
                let idx = if ch.is_ascii() { self.index_of(ch as u8) } else { None };
                idx.ok_or_else(|| BioError::UnknownLetter {
                    record: record.to_string(),
                    position: i + 1,
                    letter: ch,
                    alphabet: self.name,
                })
            })
            .collect()
    }

    /// Decode indices to an uppercase string.
    pub fn decode(&self, idx: &[u8]) -> Result<String> {
        idx.iter()
            .enumerate()
            .map(|(i, &x)| {
                self.letters.get(x as usize).map(|&c| c as char).ok_or(BioError::BadIndex {
                    index: x,
                    position: i + 1,
                    alphabet: self.name,
                    size: self.len(),
                })
            })
            .collect()
    }

    /// One-hot matrix `[L, |alphabet|]` of an index sequence (indices must be valid).
    pub fn one_hot(&self, idx: &[u8]) -> Result<Array2<f32>> {
        let mut out = Array2::<f32>::zeros((idx.len(), self.len()));
        for (i, &x) in idx.iter().enumerate() {
            if x as usize >= self.len() {
                return Err(BioError::BadIndex {
                    index: x,
                    position: i + 1,
                    alphabet: self.name,
                    size: self.len(),
                });
            }
            out[[i, x as usize]] = 1.0;
        }
        Ok(out)
    }

    /// Encode a string straight to a one-hot matrix.
    pub fn one_hot_str(&self, record: &str, seq: &str) -> Result<Array2<f32>> {
        self.one_hot(&self.encode(record, seq)?)
    }
}

/// Reverse complement of a DNA index sequence (`b ↦ 3 - b`, reversed).
pub fn reverse_complement(idx: &[u8]) -> Vec<u8> {
    idx.iter().rev().map(|&b| 3 - b).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dna_round_trip_and_case() {
        let idx = DNA.encode("x", "acgtACGT").unwrap();
        assert_eq!(idx, vec![0, 1, 2, 3, 0, 1, 2, 3]);
        assert_eq!(DNA.decode(&idx).unwrap(), "ACGTACGT");
        assert_eq!(reverse_complement(&DNA.encode("x", "AACG").unwrap()), DNA.encode("x", "CGTT").unwrap());
    }

    #[test]
    fn protein_round_trip_and_errors() {
        let s = "ACDEFGHIKLMNPQRSTVWY";
        let idx = PROTEIN.encode("p", s).unwrap();
        assert_eq!(idx, (0..20).collect::<Vec<u8>>());
        assert_eq!(PROTEIN.decode(&idx).unwrap(), s);
        let e = PROTEIN.encode("prot7", "ACDX").unwrap_err().to_string();
        assert!(e.contains("prot7") && e.contains("position 4") && e.contains("'X'"), "{e}");
        assert!(PROTEIN.encode("p", "acd").is_err(), "protein is uppercase only");
        assert!(PROTEIN.decode(&[20]).is_err());
    }

    #[test]
    fn unknown_dna_letter_names_record_and_position() {
        let e = DNA.encode("chr1_5", "ACGTN").unwrap_err();
        match e {
            BioError::UnknownLetter { record, position, letter, .. } => {
                assert_eq!((record.as_str(), position, letter), ("chr1_5", 5, 'N'));
            }
            other => panic!("unexpected {other}"),
        }
        assert!(DNA.encode("u", "AΩ").is_err());
    }

    #[test]
    fn one_hot_rows() {
        let oh = DNA.one_hot_str("x", "GT").unwrap();
        assert_eq!(oh.shape(), &[2, 4]);
        assert_eq!(oh.row(0).to_vec(), vec![0.0, 0.0, 1.0, 0.0]);
        assert_eq!(oh.row(1).to_vec(), vec![0.0, 0.0, 0.0, 1.0]);
        assert!(DNA.one_hot(&[4]).is_err());
    }
}
