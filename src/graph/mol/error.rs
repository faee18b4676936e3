//! Errors of the molecule module.

use thiserror::Error;

/// Everything that can go wrong when reading, kekulizing or encoding a molecule.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChemError {
    /// SMILES syntax error at byte offset `pos`.
    #[error("SMILES error at position {pos}: {msg}")]
    Syntax {
        /// Byte offset in the input.
        pos: usize,
        /// What is wrong.
        msg: String,
    },
    /// A ring-closure digit was opened but never closed.
    #[error("SMILES error at position {pos}: unclosed ring {label}")]
    UnclosedRing {
        /// Byte offset of the opening digit.
        pos: usize,
        /// Ring-closure number.
        label: u32,
    },
    /// Parentheses do not balance.
    #[error("SMILES error at position {pos}: unbalanced parentheses")]
    UnbalancedParens {
        /// Byte offset of the offending parenthesis (or end of input).
        pos: usize,
    },
    /// Element symbol not known (or not allowed outside brackets).
    #[error("SMILES error at position {pos}: unknown element '{symbol}'")]
    UnknownElement {
        /// Byte offset of the symbol.
        pos: usize,
        /// The symbol as written.
        symbol: String,
    },
    /// Malformed bracket atom.
    #[error("SMILES error at position {pos}: bad bracket atom: {msg}")]
    BadBracketAtom {
        /// Byte offset of the `[`.
        pos: usize,
        /// What is wrong.
        msg: String,
    },
    /// Self-bond, duplicate bond or bond to a missing atom.
    #[error("invalid bond between atoms {a} and {b}")]
    BadBond {
        /// First atom.
        a: usize,
        /// Second atom.
        b: usize,
    },
    /// No Kekulé structure exists for the aromatic system.
    #[error("cannot kekulize: aromatic atom {atom} gets no double bond")]
    Kekulize {
        /// An aromatic atom left without a π partner.
        atom: usize,
    },
    /// Atom type missing from the encoding vocabulary.
    #[error("atom {atom} ({symbol}) is not in the atom vocabulary")]
    AtomNotInVocab {
        /// Atom index.
        atom: usize,
        /// Element symbol.
        symbol: String,
    },
    /// More heavy atoms than the encoding's `max_nodes`.
    #[error("molecule has {n} atoms, more than max_nodes = {max}")]
    TooManyAtoms {
        /// Atom count.
        n: usize,
        /// Limit.
        max: usize,
    },
}
