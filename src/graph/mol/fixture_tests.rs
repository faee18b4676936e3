//! Tests over real SMILES: 2,000 QM9 molecules (qm9pack) and 500 MOSES molecules (molsets).

use super::*;

const QM9: &str = include_str!("testdata/qm9.smi");
const MOSES: &str = include_str!("testdata/moses.smi");

/// Non-comment lines split on tabs.
fn records(text: &str) -> impl Iterator<Item = Vec<&str>> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| l.split('\t').collect())
}

/// Everything the fixture must satisfy for one SMILES; returns an error description.
fn check(smiles: &str, vocab: &AtomVocab, max_nodes: usize) -> Result<Molecule, String> {
    let mol = parse_smiles(smiles).map_err(|e| format!("parse: {e}"))?;
    let kek = kekulize(&mol).map_err(|e| format!("kekulize: {e}"))?;
    for (label, m) in [("as read", &mol), ("kekulized", &kek)] {
        let w = write_smiles(m);
        let back = parse_smiles(&w).map_err(|e| format!("reparse {label} {w}: {e}"))?;
        if !isomorphic(m, &back, MatchMode::Full) {
            return Err(format!("round trip {label} via {w}"));
        }
    }
    if !is_valid(&mol) || !gdss_valency_ok(&kek) {
        return Err("valency check".into());
    }
    let (x, a) = encode(&mol, vocab, max_nodes).map_err(|e| format!("encode: {e}"))?;
    let dec = decode(&x, &a, vocab);
    if !isomorphic(&dec, &kek.fold_hydrogens(), MatchMode::Skeleton) {
        return Err(format!("decode gives {}", write_smiles(&dec)));
    }
    if !gdss_valency_ok(&dec) || !is_valid(&dec) || correct_valency(&dec) != dec {
        return Err(format!("decoded molecule invalid: {}", write_smiles(&dec)));
    }
    Ok(kek)
}

/// Runs [`check`] over a fixture and reports every failure.
fn run_fixture(
    text: &str,
    vocab: &AtomVocab,
    max_nodes: usize,
    extra: impl Fn(&[&str], &Molecule) -> Result<(), String>,
) -> usize {
    let mut failures = Vec::new();
    let mut n = 0;
    for rec in records(text) {
        n += 1;
        let res = check(rec[0], vocab, max_nodes).and_then(|m| extra(&rec, &m));
        if let Err(e) = res {
            failures.push(format!("{}: {e}", rec[0]));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {n} failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    n
}

/// QM9 gives atom counts H C N O F: our implicit hydrogens must match the formula.
fn qm9_formula(rec: &[&str], mol: &Molecule) -> Result<(), String> {
    let want: Vec<u32> = rec[2].split(' ').map(|t| t.parse().unwrap()).collect();
    let count = |e: Element| mol.atoms().iter().filter(|a| a.element == e).count() as u32;
    let h: u32 = (0..mol.num_atoms()).map(|i| mol.total_h(i)).sum();
    let got = vec![
        h,
        count(Element::C),
        count(Element::N),
        count(Element::O),
        count(Element::F),
    ];
    if got == want {
        Ok(())
    } else {
        Err(format!("formula {got:?} != {want:?}"))
    }
}

#[test]
fn qm9_fixture() {
    let n = run_fixture(QM9, &AtomVocab::qm9(), encode::QM9_MAX_NODES, qm9_formula);
    assert_eq!(n, 2000);
}

#[test]
fn moses_fixture() {
    let n = run_fixture(
        MOSES,
        &AtomVocab::zinc250k(),
        encode::ZINC250K_MAX_NODES,
        |_, _| Ok(()),
    );
    assert_eq!(n, 500);
}

#[test]
fn fixture_writer_is_canonical_enough() {
    // Writing the re-parsed output again gives the same string (idempotent on Kekulé forms).
    let mut differ = 0;
    for rec in records(QM9).chain(records(MOSES)) {
        let k = kekulize(&parse_smiles(rec[0]).unwrap()).unwrap();
        let w = write_smiles(&k);
        if write_smiles(&parse_smiles(&w).unwrap()) != w {
            differ += 1;
        }
    }
    assert_eq!(differ, 0);
}

#[test]
fn fixture_writer_ignores_atom_order() {
    // The same Kekulé molecule with atoms renumbered (reversed, then rotated) writes the same.
    let mut differ = Vec::new();
    for rec in records(QM9).chain(records(MOSES)) {
        let k = kekulize(&parse_smiles(rec[0]).unwrap()).unwrap();
        let n = k.num_atoms();
        let perm: Vec<usize> = (0..n).rev().cycle().skip(n / 3).take(n).collect();
        let shuffled = k.subgraph(&perm);
        assert!(isomorphic(&k, &shuffled, MatchMode::Full));
        if write_smiles(&shuffled) != write_smiles(&k) {
            differ.push(rec[0]);
        }
    }
    assert!(
        differ.is_empty(),
        "{} differ: {:?}",
        differ.len(),
        &differ[..differ.len().min(10)]
    );
}
