//! ChemNet's SMILES encoding: 35 tokens, longest match first, end token `.`, one-hot / 35.
//!
//! The vocabulary and its order are ChemNet's (Preuer et al. 2018, as shipped in PyPI `fcd`
//! 1.2.2): the two-letter tokens `Br`, `Cl`, `Si` win over their first letter; any other
//! character outside the vocabulary (`%`, `9`, `/`, `\`, `e`, …) becomes the unknown token `X`.
//! A string is encoded as its tokens followed by `.`, padded with all-zero rows to
//! `max(350, longest string + 1)` characters of the whole list, and every one-hot row is divided
//! by the vocabulary size (35) — what the reference implementation feeds the network.

/// The vocabulary, in ChemNet's index order.
pub const VOCAB: [&str; 35] = [
    "C", "N", "O", "H", "F", "Cl", "P", "B", "Br", "S", "I", "Si", "#", "(", ")", "+", "-", "1",
    "2", "3", "4", "5", "6", "7", "8", "=", "[", "]", "@", "c", "n", "o", "s", "X", ".",
];

/// Index of the unknown token `X`.
pub const UNKNOWN: u8 = 33;
/// Index of the end token `.`.
pub const END: u8 = 34;
/// The reference implementation's default padded length.
pub const DEFAULT_PAD_LEN: usize = 350;

/// Token indices of `smiles` followed by the end token.
pub fn tokenize(smiles: &str) -> Vec<u8> {
    let chars: Vec<char> = smiles.chars().collect();
    let mut out = Vec::with_capacity(chars.len() + 1);
    let mut i = 0;
    while i < chars.len() {
        if i + 1 < chars.len() {
            let pair: String = chars[i..i + 2].iter().collect();
            if let Some(k) = ["Cl", "Br", "Si"].iter().position(|t| *t == pair) {
                out.push([5u8, 8, 11][k]);
                i += 2;
                continue;
            }
        }
        let c = chars[i].to_string();
        out.push(VOCAB.iter().position(|t| *t == c).map_or(UNKNOWN, |k| k as u8));
        i += 1;
    }
    out.push(END);
    out
}

/// The padded length the reference uses for a list: `max(350, longest + 1)` in characters.
pub fn pad_len(smiles: &[String]) -> usize {
    let longest = smiles.iter().map(|s| s.chars().count() + 1).max().unwrap_or(0);
    longest.max(DEFAULT_PAD_LEN)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(ids: &[u8]) -> Vec<&'static str> {
        ids.iter().map(|&i| VOCAB[i as usize]).collect()
    }

    #[test]
    fn two_letter_tokens_win_and_unknowns_map_to_x() {
        assert_eq!(names(&tokenize("ClCBr")), ["Cl", "C", "Br", "."]);
        assert_eq!(names(&tokenize("C[Si](C)Cl")), ["C", "[", "Si", "]", "(", "C", ")", "Cl", "."]);
        // `%`, `0`, `9`, `/`, `l` alone and `e` are outside the vocabulary.
        assert_eq!(names(&tokenize("C%10/l9e")), ["C", "X", "1", "X", "X", "X", "X", "X", "."]);
        assert_eq!(names(&tokenize("c1ccncc1")), ["c", "1", "c", "c", "n", "c", "c", "1", "."]);
        assert_eq!(tokenize(""), vec![END]);
    }

    #[test]
    fn pad_length_follows_the_longest_string() {
        assert_eq!(pad_len(&["CCO".into()]), 350);
        let long = "C".repeat(400);
        assert_eq!(pad_len(&["C".into(), long]), 401);
    }
}
