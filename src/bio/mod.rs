//! Biological sequences for DRAKES-style design (Wang et al. 2024, *Fine-Tuning Discrete Diffusion Models
//! via Reward Optimization with Applications to DNA and Protein Design*, ICLR 2025, arXiv 2410.13643).
//!
//! This module holds the data, metrics and reward oracles of the offline "DRAKES-DHS" benchmark (brief
//! `drakes.md` §6); the diffusion model itself is in [`crate::discrete`]:
//!
//! * [`alphabet`]: DNA (`ACGT`) and protein (20 amino acids) alphabets, indices and one-hot matrices;
//! * [`fasta`]: a validating FASTA reader and writer;
//! * [`dhs`]: the 47,872 real 200-bp DHS sequences of PyPI `dnadiffusion==0.0.0.dev0` (extracted by
//!   `datasets/fetch_dhs.sh` into `dhs.tsv`) and the chromosome-half split of the two D2 oracles (§6.2);
//! * [`motif`]: JASPAR count matrices, log-odds PWMs, two-strand scanning, FIMO-style p-value thresholds and
//!   the analytic D1 reward (§6.2), on hard sequences and on soft `[L, 4]` probability matrices with an
//!   analytic gradient;
//! * [`corpus`]: pretraining corpora (`dhs`, a DHS-format `.tsv`, FASTA) and the top set of the metrics;
//! * [`evaluate`]: all model-free DRAKES-DHS metrics of a generated set at once;
//! * [`markov`]: k-th order Markov chains, the likelihood baseline of the diffusion model;
//! * [`metrics`]: 3-mer Pearson, JASPAR hit-count Spearman, diversity and median reward (§2.1, §6.2);
//! * [`oracle`]: the D2 track's CNN classifiers of HepG2 accessibility on chromosome halves.
//!
//! Conventions: base indices are `A=0, C=1, G=2, T=3`, so the complement of index `b` is `3 - b`;
//! tensors are `f32` (they feed the diffusion model), accumulations of many terms (correlations, p-value
//! tables) are `f64`.

pub mod alphabet;
pub mod corpus;
pub mod dhs;
pub mod evaluate;
pub mod fasta;
pub mod markov;
pub mod metrics;
pub mod motif;
pub mod oracle;

/// Errors of the `bio` module; every variant names the offending record, line or value.
#[derive(Debug, thiserror::Error)]
pub enum BioError {
    /// A letter outside the alphabet (`position` is 1-based within the record's sequence).
    #[error("record '{record}': unknown {alphabet} letter {letter:?} at position {position}")]
    UnknownLetter {
        /// Record id (FASTA id, DHS id, or a caller-chosen label).
        record: String,
        /// 1-based position in the sequence.
        position: usize,
        /// The offending character.
        letter: char,
        /// Alphabet name (`DNA` or `protein`).
        alphabet: &'static str,
    },
    /// An index outside the alphabet when decoding.
    #[error("index {index} at position {position} is outside the {alphabet} alphabet of size {size}")]
    BadIndex {
        /// The offending index.
        index: u8,
        /// 1-based position.
        position: usize,
        /// Alphabet name.
        alphabet: &'static str,
        /// Alphabet size.
        size: usize,
    },
    /// A FASTA record with a header but no sequence.
    #[error("FASTA record '{record}' (header on line {line}) has an empty sequence")]
    EmptyRecord {
        /// Record id.
        record: String,
        /// Line of the header (1-based).
        line: usize,
    },
    /// Sequence text before the first `>` header.
    #[error("FASTA line {line}: sequence data before any '>' header")]
    MissingHeader {
        /// 1-based line number.
        line: usize,
    },
    /// A `>` line with no identifier.
    #[error("FASTA line {line}: header has no identifier")]
    EmptyHeader {
        /// 1-based line number.
        line: usize,
    },
    /// A malformed table row (DHS TSV).
    #[error("{source_name} line {line}: {message}")]
    Table {
        /// File or stream name.
        source_name: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong, with the offending value.
        message: String,
    },
    /// A malformed or inconsistent motif.
    #[error("motif '{motif}': {message}")]
    Motif {
        /// Motif id.
        motif: String,
        /// What is wrong.
        message: String,
    },
    /// Bad argument (shape, empty set, ...).
    #[error("invalid input: {0}")]
    Invalid(String),
    /// I/O error with the path or stream it came from.
    #[error("{context}: {source}")]
    Io {
        /// Path or stream name.
        context: String,
        /// Underlying error.
        source: std::io::Error,
    },
    /// JSON decoding error.
    #[error("{context}: {source}")]
    Json {
        /// Path or stream name.
        context: String,
        /// Underlying error.
        source: serde_json::Error,
    },
}

/// Result alias of the `bio` module.
pub type Result<T> = std::result::Result<T, BioError>;
