//! The DHS stand-in dataset of the DRAKES-DHS benchmark (brief `drakes.md` §6.1, §6.2).
//!
//! Source: PyPI `dnadiffusion==0.0.0.dev0`, file
//! `K562_hESCT0_HepG2_GM12878_12k_sequences_per_group.txt`: 47,872 real hg38 200-bp DNase-I hypersensitive
//! sites, 11,968 per cell type (GM12878, hESCT0, K562, HepG2). `datasets/fetch_dhs.sh` extracts it into
//! `dhs.tsv` with the header
//!
//! ```text
//! id  chrom  start  end  split  cell_type  GM12878  hESCT0  K562  HepG2  sequence
//! ```
//!
//! `split` is the source's `data_label`. **Measured on the file** (not as the brief states): `training`
//! = 39,254 rows on chr3–chr22, chrX, chrY; `validation` = 4,053 rows, all chr2; `test` = 4,565 rows, all
//! chr1 (the brief's §6.1 says validation = chr1, test = chr2; §6.2 says "validate on chr1, hold out chr2").
//! The loader keeps the source labels; callers that follow §6.2 literally should select by chromosome.
//!
//! D2 oracles (§6.2): two HepG2-vs-rest classifiers "trained on disjoint chromosome halves (odd vs even,
//! excluding chr1/chr2)". [`oracle_half`] maps odd autosomes chr3…chr21 to [`OracleHalf::A`] (fine-tuning
//! oracle), even autosomes chr4…chr22 to [`OracleHalf::B`] (evaluation oracle), and chr1, chr2, chrX,
//! chrY and anything else to [`OracleHalf::Excluded`] (the brief does not place the sex chromosomes; we
//! leave them out so the halves are pure autosome parity).

use std::io::BufRead;
use std::path::Path;

use super::alphabet::DNA;
use super::{BioError, Result};

/// Length of every DHS sequence.
pub const DHS_LEN: usize = 200;

/// Column names of `dhs.tsv`, in order.
pub const DHS_COLUMNS: [&str; 11] =
    ["id", "chrom", "start", "end", "split", "cell_type", "GM12878", "hESCT0", "K562", "HepG2", "sequence"];

/// Cell types, in the order of the label columns.
pub const CELL_TYPES: [&str; 4] = ["GM12878", "hESCT0", "K562", "HepG2"];

/// The source's `data_label`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Split {
    /// `training` (chr3–22, X, Y).
    Training,
    /// `validation` (chr2 in the shipped file).
    Validation,
    /// `test` (chr1 in the shipped file).
    Test,
}

impl Split {
    /// Parse `training` / `validation` / `test`.
    pub fn parse(s: &str) -> Option<Split> {
        match s {
            "training" => Some(Split::Training),
            "validation" => Some(Split::Validation),
            "test" => Some(Split::Test),
            _ => None,
        }
    }
}

/// Which D2 oracle's training data a chromosome belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OracleHalf {
    /// Odd autosomes chr3, chr5, …, chr21: the fine-tuning oracle.
    A,
    /// Even autosomes chr4, chr6, …, chr22: the evaluation oracle.
    B,
    /// chr1, chr2 (held out), chrX, chrY and unrecognised names.
    Excluded,
}

/// Chromosome-half assignment of the two D2 oracles (brief §6.2); accepts `chr7` or `7`.
///
/// ```
/// use scidiff::bio::dhs::{oracle_half, OracleHalf};
/// assert_eq!(oracle_half("chr3"), OracleHalf::A);
/// assert_eq!(oracle_half("chr22"), OracleHalf::B);
/// assert_eq!(oracle_half("chr2"), OracleHalf::Excluded);
/// assert_eq!(oracle_half("chrX"), OracleHalf::Excluded);
/// ```
pub fn oracle_half(chrom: &str) -> OracleHalf {
    let name = chrom.strip_prefix("chr").unwrap_or(chrom);
    match name.parse::<u32>() {
        Ok(n) if (3..=22).contains(&n) && n % 2 == 1 => OracleHalf::A,
        Ok(n) if (3..=22).contains(&n) => OracleHalf::B,
        _ => OracleHalf::Excluded,
    }
}

/// One DHS row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DhsRecord {
    /// `chr_start_end_summit` id of the source.
    pub id: String,
    /// Chromosome, e.g. `chr7`.
    pub chrom: String,
    /// DHS start (hg38, as in the source).
    pub start: u64,
    /// DHS end.
    pub end: u64,
    /// Source split label.
    pub split: Split,
    /// Index into [`CELL_TYPES`] of the row's cell type.
    pub cell_type: usize,
    /// 0/1 indicator per cell type, order [`CELL_TYPES`]; exactly one is 1 and it equals `cell_type`.
    pub labels: [u8; 4],
    /// Sequence as DNA indices (`A=0, C=1, G=2, T=3`), length [`DHS_LEN`].
    pub sequence: Vec<u8>,
}

impl DhsRecord {
    /// HepG2 label (1 = HepG2 DHS, 0 = one of the other three cell types).
    pub fn hepg2(&self) -> u8 {
        self.labels[3]
    }
}

/// The loaded table.
#[derive(Debug, Clone, Default)]
pub struct DhsDataset {
    /// Rows in file order.
    pub records: Vec<DhsRecord>,
}

impl DhsDataset {
    /// Load and validate `dhs.tsv`.
    pub fn load(path: impl AsRef<Path>) -> Result<DhsDataset> {
        let path = path.as_ref();
        let name = path.display().to_string();
        let file = std::fs::File::open(path).map_err(|source| BioError::Io { context: name.clone(), source })?;
        Self::parse(std::io::BufReader::new(file), &name)
    }

    /// Parse a `dhs.tsv` stream; `source_name` names it in errors. Validates the header, field count,
    /// coordinates, split names, 0/1 labels consistent with `cell_type`, length 200 and the DNA alphabet.
    pub fn parse<R: BufRead>(reader: R, source_name: &str) -> Result<DhsDataset> {
        let table = |line: usize, message: String| BioError::Table { source_name: source_name.to_string(), line, message };
        let mut lines = reader.lines().enumerate();
        let header = match lines.next() {
            Some((_, l)) => l.map_err(|source| BioError::Io { context: source_name.to_string(), source })?,
            None => return Err(table(1, "empty file, expected a header".into())),
        };
        let header: Vec<&str> = header.trim_end_matches('\r').split('\t').collect();
        if header != DHS_COLUMNS {
            return Err(table(1, format!("header {header:?}, expected {DHS_COLUMNS:?}")));
        }
        let mut records = Vec::new();
        for (n, line) in lines {
            let line_no = n + 1;
            let line = line.map_err(|source| BioError::Io { context: source_name.to_string(), source })?;
            let line = line.trim_end_matches('\r');
            if line.is_empty() {
                continue;
            }
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() != DHS_COLUMNS.len() {
                return Err(table(line_no, format!("{} fields, expected {}", f.len(), DHS_COLUMNS.len())));
            }
            let coord = |s: &str, what: &str| s.parse::<u64>().map_err(|_| table(line_no, format!("bad {what} {s:?}")));
            let split = Split::parse(f[4])
                .ok_or_else(|| table(line_no, format!("unknown split {:?} (expected training/validation/test)", f[4])))?;
            let cell_type = CELL_TYPES
                .iter()
                .position(|&c| c == f[5])
                .ok_or_else(|| table(line_no, format!("unknown cell type {:?}", f[5])))?;
            let mut labels = [0u8; 4];
            for (k, s) in f[6..10].iter().enumerate() {
                labels[k] = match *s {
                    "0" => 0,
                    "1" => 1,
                    _ => return Err(table(line_no, format!("label {} = {s:?}, expected 0 or 1", CELL_TYPES[k]))),
                };
            }
            if labels.iter().map(|&x| x as usize).sum::<usize>() != 1 || labels[cell_type] != 1 {
                return Err(table(line_no, format!("labels {labels:?} inconsistent with cell type {}", f[5])));
            }
            let sequence = DNA.encode(f[0], f[10])?;
            if sequence.len() != DHS_LEN {
                return Err(table(line_no, format!("sequence {} has length {}, expected {DHS_LEN}", f[0], sequence.len())));
            }
            records.push(DhsRecord {
                id: f[0].to_string(),
                chrom: f[1].to_string(),
                start: coord(f[2], "start")?,
                end: coord(f[3], "end")?,
                split,
                cell_type,
                labels,
                sequence,
            });
        }
        Ok(DhsDataset { records })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// True if there are no rows.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// All sequences (index form).
    pub fn sequences(&self) -> Vec<&[u8]> {
        self.records.iter().map(|r| r.sequence.as_slice()).collect()
    }

    /// HepG2 labels, one per row.
    pub fn hepg2_labels(&self) -> Vec<u8> {
        self.records.iter().map(DhsRecord::hepg2).collect()
    }

    /// Chromosome names, one per row.
    pub fn chroms(&self) -> Vec<&str> {
        self.records.iter().map(|r| r.chrom.as_str()).collect()
    }

    /// Rows satisfying a predicate, e.g. `|r| r.hepg2() == 1 && r.split == Split::Training`.
    pub fn filter(&self, keep: impl Fn(&DhsRecord) -> bool) -> Vec<&DhsRecord> {
        self.records.iter().filter(|r| keep(r)).collect()
    }

    /// Rows used to train the given D2 oracle half ([`oracle_half`] of their chromosome).
    pub fn oracle_rows(&self, half: OracleHalf) -> Vec<&DhsRecord> {
        self.filter(|r| oracle_half(&r.chrom) == half)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src/bio/testdata/dhs_sample.tsv");

    #[test]
    fn sample_fixture_loads() {
        let ds = DhsDataset::load(FIXTURE).unwrap();
        assert_eq!(ds.len(), 160);
        assert!(ds.records.iter().all(|r| r.sequence.len() == DHS_LEN));
        assert_eq!(ds.hepg2_labels().iter().map(|&x| x as usize).sum::<usize>(), 40);
        for r in &ds.records {
            match r.split {
                Split::Test => assert_eq!(r.chrom, "chr1"),
                Split::Validation => assert_eq!(r.chrom, "chr2"),
                Split::Training => assert!(r.chrom != "chr1" && r.chrom != "chr2"),
            }
        }
        let a = ds.oracle_rows(OracleHalf::A).len();
        let b = ds.oracle_rows(OracleHalf::B).len();
        let x = ds.oracle_rows(OracleHalf::Excluded).len();
        assert_eq!(a + b + x, ds.len());
        assert!(a > 0 && b > 0);
    }

    #[test]
    fn oracle_halves_are_disjoint_and_cover_autosomes() {
        for n in 1..=22u32 {
            let h = oracle_half(&format!("chr{n}"));
            let want = if n <= 2 { OracleHalf::Excluded } else if n % 2 == 1 { OracleHalf::A } else { OracleHalf::B };
            assert_eq!(h, want, "chr{n}");
        }
        for c in ["chrX", "chrY", "chrM", "chr1_KI270706v1_random", "chr23", "chr0"] {
            assert_eq!(oracle_half(c), OracleHalf::Excluded, "{c}");
        }
    }

    fn row(split: &str, labels: &str, seq: &str) -> String {
        format!("{}\nid1\tchr3\t10\t210\t{split}\tHepG2\t{labels}\t{seq}\n", DHS_COLUMNS.join("\t"))
    }

    #[test]
    fn bad_rows_are_rejected_with_reasons() {
        let good = "A".repeat(200);
        assert_eq!(DhsDataset::parse(row("training", "0\t0\t0\t1", &good).as_bytes(), "t").unwrap().len(), 1);
        let err = |s: String| DhsDataset::parse(s.as_bytes(), "t").unwrap_err().to_string();
        assert!(err(row("train", "0\t0\t0\t1", &good)).contains("unknown split"));
        assert!(err(row("training", "0\t0\t1\t0", &good)).contains("inconsistent"));
        assert!(err(row("training", "0\t0\t0\t1", &"A".repeat(199))).contains("length 199"));
        let mut bad = good.clone();
        bad.replace_range(9..10, "N");
        let e = err(row("training", "0\t0\t0\t1", &bad));
        assert!(e.contains("id1") && e.contains("position 10"), "{e}");
        assert!(err("id\tchrom\n".to_string()).contains("header"));
    }
}
