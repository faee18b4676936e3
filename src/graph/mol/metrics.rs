//! Molecule-generation metrics as GDSS reports them (brief gdss.md §6.2), on generated SMILES.
//!
//! * **validity w/o correction**: the SMILES parses (our reader; a blank line is a molecule
//!   that could not be built) and [`gdss_valency_ok`] holds. Our denominator is **every**
//!   generated molecule, blank lines included; GDSS divides by the molecules that survive its
//!   correction (its issue #3), which can only give a larger number.
//! * **validity**: parses, kekulizes and every atom's valence (with hydrogens) is allowed.
//! * **uniqueness** `|distinct valid| / |valid|` and **novelty** `|distinct valid ∉ train| /
//!   |distinct valid|` (MOSES definitions), with identity up to Kekulé-invariant isomorphism
//!   ([`super::identity`]).
//! * **NSPDK MMD²** between valid generated molecules and the test set
//!   ([`crate::graph::metrics::nspdk`]).
//!
//! * **FCD** of the valid molecules against the test set ([`FcdReference`], [`super::fcd`]):
//!   both sets are written by [`write_smiles`] (Kekulé form) before ChemNet reads them, so the
//!   two sides share one SMILES dialect; GDSS uses RDKit-canonical strings instead (the gap is
//!   measured in docs/molecules.md).

use serde::Serialize;

use super::identity::{MolSet, nspdk_graph, uniqueness_novelty};
use super::fcd::{ChemNet, FcdError, GaussianStats, frechet_distance};
use super::{Molecule, gdss_valency_ok, is_valid, parse_smiles, write_smiles};
use crate::graph::metrics::nspdk::{LabelledGraph, nspdk_mmd2};

/// The metric table of one set of generated molecules.
#[derive(Clone, Debug, Serialize)]
pub struct MolMetrics {
    /// Generated molecules (lines, blank ones included).
    pub generated: usize,
    /// Blank lines or unparsable SMILES.
    pub unparsable: usize,
    /// Fraction valid without correction (over all generated).
    pub validity_without_correction: f64,
    /// Fraction valid (over all generated).
    pub validity: f64,
    /// Distinct valid / valid.
    pub uniqueness: Option<f64>,
    /// Distinct valid not in training / distinct valid.
    pub novelty: Option<f64>,
    /// NSPDK MMD² of the valid molecules against the test set.
    pub nspdk_mmd2: Option<f64>,
    /// FCD of the valid molecules against the test set (`None`: not asked for, or < 2 valid).
    pub fcd: Option<f64>,
}

/// ChemNet with the Gaussian of the reference (test) molecules, for [`evaluate_with_fcd`].
pub struct FcdReference {
    net: ChemNet,
    test: GaussianStats,
}

impl FcdReference {
    /// Embeds the reference molecules (written by [`write_smiles`]).
    pub fn new(net: ChemNet, reference: &[Molecule]) -> Result<Self, FcdError> {
        let smiles: Vec<String> = reference.iter().map(write_smiles).collect();
        let test = super::fcd::stats(&net, &smiles)?;
        Ok(Self { net, test })
    }

    /// FCD of `mols` (written by [`write_smiles`]) against the reference.
    pub fn score(&self, mols: &[Molecule]) -> Result<f64, FcdError> {
        let smiles: Vec<String> = mols.iter().map(write_smiles).collect();
        frechet_distance(&super::fcd::stats(&self.net, &smiles)?, &self.test)
    }
}

/// Parses generated SMILES; `None` for a blank or unparsable line.
pub fn parse_generated(lines: &[String]) -> Vec<Option<Molecule>> {
    lines.iter().map(|s| if s.trim().is_empty() { None } else { parse_smiles(s.trim()).ok() }).collect()
}

/// All metrics but FCD of `generated` against the training set and the test set's NSPDK graphs.
pub fn evaluate(generated: &[String], train: &MolSet, test_graphs: &[LabelledGraph]) -> MolMetrics {
    evaluate_with_fcd(generated, train, test_graphs, None).expect("no FCD, no error")
}

/// [`evaluate`] plus FCD against `fcd`'s reference when given (needs ≥ 2 valid molecules).
pub fn evaluate_with_fcd(
    generated: &[String],
    train: &MolSet,
    test_graphs: &[LabelledGraph],
    fcd: Option<&FcdReference>,
) -> Result<MolMetrics, FcdError> {
    let parsed = parse_generated(generated);
    let n = generated.len().max(1) as f64;
    let unparsable = parsed.iter().filter(|m| m.is_none()).count();
    let raw_ok = parsed.iter().flatten().filter(|m| gdss_valency_ok(m)).count();
    let valid: Vec<Molecule> = parsed.into_iter().flatten().filter(is_valid).collect();
    let (uniqueness, novelty) = uniqueness_novelty(&valid, train).unwrap_or((None, None));
    let graphs: Vec<LabelledGraph> = valid.iter().filter_map(|m| nspdk_graph(m).ok()).collect();
    let fcd = match fcd {
        Some(r) if valid.len() >= 2 => Some(r.score(&valid)?),
        _ => None,
    };
    Ok(MolMetrics {
        generated: generated.len(),
        unparsable,
        validity_without_correction: raw_ok as f64 / n,
        validity: valid.len() as f64 / n,
        uniqueness,
        novelty,
        nspdk_mmd2: nspdk_mmd2(&graphs, test_graphs),
        fcd,
    })
}

/// A [`MolSet`] of molecules (those that fail kekulization are left out and counted).
pub fn mol_set(mols: &[Molecule]) -> (MolSet, usize) {
    let mut set = MolSet::new();
    let failed = mols.iter().filter(|m| set.insert(m).is_err()).count();
    (set, failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metrics_by_hand_on_a_small_batch() {
        let train_mols: Vec<Molecule> = ["CCO", "c1ccccc1"].iter().map(|s| parse_smiles(s).unwrap()).collect();
        let (train, failed) = mol_set(&train_mols);
        assert_eq!(failed, 0);
        let test: Vec<LabelledGraph> = train_mols.iter().map(|m| nspdk_graph(m).unwrap()).collect();
        // 6 lines: blank, unparsable, pentavalent carbon (parses, invalid), ethanol (in train),
        // benzene in another Kekulé form (in train), propane (novel).
        let lines: Vec<String> = ["", "C1CC", "C(C)(C)(C)(C)C", "OCC", "C1=CC=CC=C1", "CCC"].iter().map(|s| s.to_string()).collect();
        let m = evaluate(&lines, &train, &test);
        assert_eq!(m.generated, 6);
        assert_eq!(m.unparsable, 2);
        assert!((m.validity_without_correction - 3.0 / 6.0).abs() < 1e-12);
        assert!((m.validity - 3.0 / 6.0).abs() < 1e-12);
        assert_eq!(m.uniqueness, Some(1.0));
        assert_eq!(m.novelty, Some(1.0 / 3.0));
        assert!(m.nspdk_mmd2.unwrap() > 0.0);
        // The training molecules themselves: NSPDK MMD² = 0, novelty 0.
        let own: Vec<String> = ["CCO", "c1ccccc1"].iter().map(|s| s.to_string()).collect();
        let m = evaluate(&own, &train, &test);
        assert!(m.nspdk_mmd2.unwrap().abs() < 1e-12);
        assert_eq!(m.novelty, Some(0.0));
    }
}
