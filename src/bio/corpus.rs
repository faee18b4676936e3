//! Training corpora for sequence pretraining and the reference ("top") set of the DRAKES-DHS metrics.
//!
//! * `dhs`: `dhs.tsv` in the data directory ([`data_dir`]: `$SCIDIFF_DATA/dhs`, else
//!   `~/.cache/scidiff/dhs`, written by `bash datasets/fetch_dhs.sh`). Brief §6.2: pretrain on the
//!   `training` rows of all four cell types (39,254), validate on the `validation` rows (chr2 in the
//!   shipped file), keep the `test` rows (chr1) held out.
//! * a `.tsv` path: a file in the same format (e.g. `src/bio/testdata/dhs_sample.tsv`), same split.
//! * a FASTA path: every record; records `10k + 9` (the 10th, 20th, …) are the validation set.
//!
//! Top set (brief §6.2): the held-out HepG2 sequences (`validation` + `test` rows, i.e. chr1 + chr2)
//! ranked by a reward, the top `fraction` (10 %, at least one sequence).

use std::path::{Path, PathBuf};

use super::alphabet::DNA;
use super::dhs::{DhsDataset, Split};
use super::fasta::read_fasta;
use super::{BioError, Result};

/// Sequences of a corpus (index form), split for training.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    /// Training sequences.
    pub train: Vec<Vec<u8>>,
    /// Validation sequences.
    pub val: Vec<Vec<u8>>,
    /// Held-out test sequences (empty for FASTA corpora).
    pub test: Vec<Vec<u8>>,
}

/// The DHS data directory: `$SCIDIFF_DATA/dhs`, else `$HOME/.cache/scidiff/dhs`.
pub fn data_dir() -> PathBuf {
    crate::io::data_root().join("dhs")
}

/// A file of the data directory, or an error that says how to fetch it.
pub fn data_file(name: &str) -> Result<PathBuf> {
    let p = data_dir().join(name);
    if p.is_file() {
        Ok(p)
    } else {
        Err(BioError::Invalid(format!(
            "{} not found: run `bash datasets/fetch_dhs.sh` (downloads dnadiffusion and pyjaspar from PyPI into $SCIDIFF_DATA or ~/.cache/scidiff)",
            p.display()
        )))
    }
}

fn is_fasta(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("fa" | "fasta" | "fna" | "fas"))
}

impl Corpus {
    /// Load `dhs`, a DHS-format `.tsv`, or a FASTA file (see the module docs).
    pub fn load(spec: &str) -> Result<Corpus> {
        if spec == "dhs" {
            return Self::from_dhs(&DhsDataset::load(data_file("dhs.tsv")?)?);
        }
        let path = Path::new(spec);
        if path.extension().and_then(|e| e.to_str()) == Some("tsv") {
            return Self::from_dhs(&DhsDataset::load(path)?);
        }
        if is_fasta(path) {
            let file = std::fs::File::open(path).map_err(|source| BioError::Io { context: spec.to_string(), source })?;
            let recs = read_fasta(std::io::BufReader::new(file), &DNA, spec)?;
            let mut c = Corpus::default();
            for (i, r) in recs.iter().enumerate() {
                let s = r.encode(&DNA)?;
                if i % 10 == 9 { c.val.push(s) } else { c.train.push(s) }
            }
            return Ok(c);
        }
        Err(BioError::Invalid(format!("dataset {spec:?}: expected `dhs`, a .tsv in dhs.tsv format, or a FASTA file (.fa/.fasta)")))
    }

    /// The source split of a DHS table.
    pub fn from_dhs(ds: &DhsDataset) -> Result<Corpus> {
        let pick = |s: Split| ds.records.iter().filter(|r| r.split == s).map(|r| r.sequence.clone()).collect::<Vec<_>>();
        Ok(Corpus { train: pick(Split::Training), val: pick(Split::Validation), test: pick(Split::Test) })
    }
}

/// The held-out HepG2 rows (`validation` + `test`) ranked by `reward` (descending, ties by file order),
/// the top `fraction` of them (at least one).
pub fn top_set(ds: &DhsDataset, fraction: f64, reward: impl Fn(&[u8]) -> f64) -> Result<Vec<Vec<u8>>> {
    let held: Vec<&[u8]> = ds.filter(|r| r.split != Split::Training && r.hepg2() == 1).into_iter().map(|r| r.sequence.as_slice()).collect();
    if held.is_empty() {
        return Err(BioError::Invalid("no held-out (validation/test) HepG2 rows for the top set".into()));
    }
    if !(fraction > 0.0 && fraction <= 1.0) {
        return Err(BioError::Invalid(format!("top-set fraction must be in (0, 1], got {fraction}")));
    }
    let scores: Vec<f64> = held.iter().map(|s| reward(s)).collect();
    let mut order: Vec<usize> = (0..held.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let k = ((fraction * held.len() as f64).round() as usize).max(1);
    Ok(order[..k].iter().map(|&i| held[i].to_vec()).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/bio/testdata/dhs_sample.tsv");

    #[test]
    fn dhs_split_and_top_set() {
        let ds = DhsDataset::load(FIXTURE).unwrap();
        let c = Corpus::load(FIXTURE).unwrap();
        // Oracle: the fixture's split column (160 rows, checked in dhs.rs).
        assert_eq!(c.train.len() + c.val.len() + c.test.len(), 160);
        assert_eq!(c.val.len(), ds.filter(|r| r.split == Split::Validation).len());
        // Rank by GC count: the top set must be the highest-GC held-out HepG2 rows.
        let gc = |s: &[u8]| s.iter().filter(|&&b| b == 1 || b == 2).count() as f64;
        let top = top_set(&ds, 0.25, gc).unwrap();
        let held: Vec<f64> = ds.filter(|r| r.split != Split::Training && r.hepg2() == 1).iter().map(|r| gc(&r.sequence)).collect();
        assert_eq!(top.len(), ((0.25 * held.len() as f64).round() as usize).max(1));
        let worst_in = top.iter().map(|s| gc(s)).fold(f64::INFINITY, f64::min);
        // Every held-out value strictly above the weakest member must be in the set.
        assert!(held.iter().filter(|&&g| g > worst_in).count() < top.len());
    }

    #[test]
    fn unknown_dataset_is_a_clear_error() {
        let e = Corpus::load("data.csv").unwrap_err().to_string();
        assert!(e.contains("data.csv") && e.contains("FASTA"), "{e}");
    }
}
