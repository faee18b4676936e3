//! Physics-style stability proxies of a sequence threaded on a fixed backbone: the rewards of
//! the offline protein track (brief drakes.md §6.3; the paper's Megascale ddG oracle is not
//! reachable offline, so these stand in for it and are reported as what they are).
//!
//! Contacts: residue pairs (i, j), |i − j| ≥ 3, whose virtual Cβ atoms (see
//! [`super::features::atoms_with_cb`]) are closer than 8 Å. Burial b_i: the number of other Cβ
//! within 10 Å, z-scored over the chain.
//!
//! * **Fine-tuning reward** (`mj`): E = Σ_contacts M_MJ(s_i, s_j) − w Σ_i b_i · KD(s_i)/4.5 with
//!   the Miyazawa–Jernigan quasichemical contact energies in a buried environment (AAindex3
//!   MIYS960102; J. Mol. Biol. 256, 623, 1996) and the Kyte–Doolittle hydropathy (AAindex1
//!   KYTJ820101), w = 0.5 (our choice: it puts the two terms on the same per-residue scale).
//! * **Evaluation oracle** (`bt`): Σ_contacts M_BT(s_i, s_j) with the Betancourt–Thirumalai
//!   pair potential (AAindex3 BETM990101; Protein Sci. 8, 361, 1999) — a different potential, so
//!   optimising the first one can be checked for potential-specific hacking.
//!
//! Rewards are r = −E / L (higher = more stable-looking, per residue). For soft sequences
//! P (rows = probability vectors over the 20 amino acids) E(P) = Σ_contacts p_iᵀ M p_j −
//! w Σ_i b_i h·p_i, which equals E at one-hot rows and has the analytic gradient used by
//! reward back-propagation.

use std::path::Path;

use super::ProteinError;
use super::features::atoms_with_cb;
use super::pdb::{Backbone, MPNN_LETTERS};

/// Contact cutoff between virtual Cβ atoms, Å.
pub const CONTACT_CUTOFF: f64 = 8.0;
/// Burial count radius, Å.
pub const BURIAL_RADIUS: f64 = 10.0;
/// Minimum sequence separation of a contact.
pub const MIN_SEPARATION: usize = 3;
/// Weight of the burial × hydropathy term of the `mj` reward.
pub const HYDRO_WEIGHT: f64 = 0.5;

/// A 20×20 symmetric pair potential in ProteinMPNN order (`ACDEFGHIKLMNPQRSTVWY`).
pub type PairTable = [[f64; 20]; 20];

/// AAindex's residue order.
const AAINDEX_ORDER: &[u8; 20] = b"ARNDCQEGHILKMFPSTWYV";

fn mpnn_index(letter: u8) -> usize {
    MPNN_LETTERS.iter().position(|&c| c == letter).expect("standard amino acid")
}

fn entry<'a>(text: &'a str, accession: &str, file: &str) -> Result<Vec<&'a str>, ProteinError> {
    let start = text
        .lines()
        .position(|l| l.strip_prefix("H ").map(str::trim) == Some(accession))
        .ok_or_else(|| ProteinError::Missing(format!("AAindex entry {accession} in {file}")))?;
    Ok(text.lines().skip(start).take_while(|l| !l.starts_with("//")).collect())
}

fn numbers(lines: &[&str], what: &str) -> Result<Vec<f64>, ProteinError> {
    lines
        .iter()
        .flat_map(|l| l.split_whitespace())
        .map(|t| t.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| ProteinError::Sequence(format!("{what}: value {t:?} is not a finite number"))))
        .collect()
}

/// Parses a 20×20 AAindex3 matrix (lower triangle or full, rows = cols = `ARNDCQEGHILKMFPSTWYV`).
pub fn parse_aaindex3(text: &str, accession: &str) -> Result<PairTable, ProteinError> {
    let lines = entry(text, accession, "aaindex3")?;
    let m = lines.iter().position(|l| l.starts_with("M ")).ok_or_else(|| ProteinError::Sequence(format!("{accession}: no M line")))?;
    let header = lines[m].replace(' ', "");
    if !header.contains("rows=ARNDCQEGHILKMFPSTWYV,cols=ARNDCQEGHILKMFPSTWYV") {
        return Err(ProteinError::Sequence(format!("{accession}: unsupported layout {:?}", lines[m])));
    }
    let v = numbers(&lines[m + 1..], accession)?;
    let mut t = [[0.0; 20]; 20];
    let mut put = |r: usize, c: usize, x: f64| {
        let (a, b) = (mpnn_index(AAINDEX_ORDER[r]), mpnn_index(AAINDEX_ORDER[c]));
        t[a][b] = x;
        t[b][a] = x;
    };
    match v.len() {
        210 => {
            let mut it = v.into_iter();
            for r in 0..20 {
                for c in 0..=r {
                    put(r, c, it.next().expect("210 values"));
                }
            }
        }
        400 => (0..400).for_each(|i| put(i / 20, i % 20, v[i])),
        n => return Err(ProteinError::Sequence(format!("{accession}: {n} values, expected 210 (triangle) or 400"))),
    }
    Ok(t)
}

/// Parses a 20-value AAindex1 scale into ProteinMPNN order.
pub fn parse_aaindex1(text: &str, accession: &str) -> Result<[f64; 20], ProteinError> {
    let lines = entry(text, accession, "aaindex1")?;
    let i = lines.iter().position(|l| l.starts_with("I ")).ok_or_else(|| ProteinError::Sequence(format!("{accession}: no I line")))?;
    let v = numbers(&lines[i + 1..], accession)?;
    if v.len() != 20 {
        return Err(ProteinError::Sequence(format!("{accession}: {} values, expected 20", v.len())));
    }
    let mut out = [0.0; 20];
    for (k, x) in v.into_iter().enumerate() {
        out[mpnn_index(AAINDEX_ORDER[k])] = x;
    }
    Ok(out)
}

/// Contacts and burial of one backbone.
#[derive(Debug, Clone)]
pub struct Contacts {
    /// Residues.
    pub len: usize,
    /// Pairs (i < j).
    pub pairs: Vec<(usize, usize)>,
    /// z-scored burial counts.
    pub burial: Vec<f64>,
}

impl Contacts {
    /// Contacts of a backbone.
    pub fn of(bb: &Backbone) -> Self {
        let cb: Vec<[f64; 3]> = atoms_with_cb(bb).iter().map(|a| a[4]).collect();
        let len = cb.len();
        let d = |i: usize, j: usize| (0..3).map(|k| (cb[i][k] - cb[j][k]).powi(2)).sum::<f64>().sqrt();
        let mut pairs = Vec::new();
        let mut count = vec![0.0; len];
        for i in 0..len {
            for j in i + 1..len {
                let dij = d(i, j);
                if dij < BURIAL_RADIUS {
                    count[i] += 1.0;
                    count[j] += 1.0;
                }
                if j - i >= MIN_SEPARATION && dij < CONTACT_CUTOFF {
                    pairs.push((i, j));
                }
            }
        }
        let mean = count.iter().sum::<f64>() / len.max(1) as f64;
        let sd = (count.iter().map(|c| (c - mean).powi(2)).sum::<f64>() / len.max(1) as f64).sqrt().max(1e-9);
        Self { len, pairs, burial: count.iter().map(|c| (c - mean) / sd).collect() }
    }
}

/// A contact energy with an optional burial × hydropathy term.
#[derive(Debug, Clone)]
pub struct Energy {
    /// Name for reports (`mj`, `bt`).
    pub name: String,
    /// Pair potential.
    pub pair: PairTable,
    /// Per-residue hydropathy (already scaled) and its weight.
    pub hydro: Option<([f64; 20], f64)>,
}

impl Energy {
    /// Loads `mj` (fine-tuning reward) or `bt` (evaluation oracle) from `dir/aaindex`.
    pub fn load(dir: &Path, name: &str) -> Result<Self, ProteinError> {
        let read = |f: &str| {
            let p = dir.join("aaindex").join(f);
            std::fs::read_to_string(&p).map_err(|_| ProteinError::Missing(format!("AAindex file {}", p.display())))
        };
        match name {
            "mj" => {
                let kd = parse_aaindex1(&read("aaindex1")?, "KYTJ820101")?.map(|v| v / 4.5);
                Ok(Self { name: name.into(), pair: parse_aaindex3(&read("aaindex3")?, "MIYS960102")?, hydro: Some((kd, HYDRO_WEIGHT)) })
            }
            "bt" => Ok(Self { name: name.into(), pair: parse_aaindex3(&read("aaindex3")?, "BETM990101")?, hydro: None }),
            o => Err(ProteinError::Config(format!("unknown energy {o:?} (expected mj or bt)"))),
        }
    }

    /// Energy of a hard sequence; unknown residues (`X`, index ≥ 20, only in natives) add 0.
    pub fn energy(&self, c: &Contacts, seq: &[u8]) -> f64 {
        let known = |a: u8| (a as usize) < 20;
        let pair: f64 = c
            .pairs
            .iter()
            .filter(|&&(i, j)| known(seq[i]) && known(seq[j]))
            .map(|&(i, j)| self.pair[seq[i] as usize][seq[j] as usize])
            .sum();
        let hydro = self.hydro.map_or(0.0, |(h, w)| {
            -w * seq.iter().zip(&c.burial).filter(|(a, _)| known(**a)).map(|(&a, b)| b * h[a as usize]).sum::<f64>()
        });
        pair + hydro
    }

    /// Reward −E/L of a hard sequence.
    pub fn reward(&self, c: &Contacts, seq: &[u8]) -> f64 {
        -self.energy(c, seq) / c.len.max(1) as f64
    }

    /// Energy of a soft sequence `p [L][20]` and its gradient `∂E/∂p`.
    pub fn energy_soft(&self, c: &Contacts, p: &[[f64; 20]]) -> (f64, Vec<[f64; 20]>) {
        let mut grad = vec![[0.0; 20]; p.len()];
        let mut e = 0.0;
        for &(i, j) in &c.pairs {
            // m_j = M p_j, m_i = M p_i (M symmetric): E += p_i·m_j.
            let mj: [f64; 20] = std::array::from_fn(|a| (0..20).map(|b| self.pair[a][b] * p[j][b]).sum());
            let mi: [f64; 20] = std::array::from_fn(|a| (0..20).map(|b| self.pair[a][b] * p[i][b]).sum());
            e += (0..20).map(|a| p[i][a] * mj[a]).sum::<f64>();
            for a in 0..20 {
                grad[i][a] += mj[a];
                grad[j][a] += mi[a];
            }
        }
        if let Some((h, w)) = self.hydro {
            for (i, row) in p.iter().enumerate() {
                for a in 0..20 {
                    e -= w * c.burial[i] * h[a] * row[a];
                    grad[i][a] -= w * c.burial[i] * h[a];
                }
            }
        }
        (e, grad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRIANGLE: &str = "H TEST000001\nD test\nM rows = ARNDCQEGHILKMFPSTWYV, cols = ARNDCQEGHILKMFPSTWYV\n";

    fn triangle() -> String {
        let mut s = TRIANGLE.to_string();
        for r in 0..20 {
            s += &(0..=r).map(|c| format!("{:.2}", r as f64 + c as f64 / 100.0)).collect::<Vec<_>>().join(" ");
            s += "\n";
        }
        s + "//\n"
    }

    #[test]
    fn aaindex3_triangle_is_symmetric_and_reordered() {
        let t = parse_aaindex3(&triangle(), "TEST000001").unwrap();
        // AAindex rows: A=0, R=1, ...; R–A = 1.00 lands at (R, A) and (A, R) in MPNN order.
        let (a, r) = (mpnn_index(b'A'), mpnn_index(b'R'));
        assert_eq!(t[r][a], 1.0);
        assert_eq!(t[a][r], 1.0);
        let v = mpnn_index(b'V');
        assert_eq!(t[v][v], 19.19);
        assert!(parse_aaindex3(&triangle().replace("19.19", "NA"), "TEST000001").unwrap_err().to_string().contains("NA"));
        assert!(parse_aaindex3(&triangle(), "NOPE").unwrap_err().to_string().contains("NOPE"));
    }

    #[test]
    fn soft_energy_matches_hard_and_its_gradient() {
        let bb = {
            // A compact 3D random walk of 12 residues with ideal-ish backbone offsets.
            let mut rng = crate::rng(3);
            let mut pos = [0.0f64; 3];
            let coords = (0..12)
                .map(|_| {
                    for p in pos.iter_mut() {
                        *p += rand::RngExt::random_range(&mut rng, -2.5..2.5);
                    }
                    let o = |dx: f64, dy: f64| [pos[0] + dx, pos[1] + dy, pos[2]];
                    [o(-1.2, 0.4), o(0.0, 0.0), o(1.2, 0.5), o(1.6, 1.6)]
                })
                .collect();
            Backbone { name: "w".into(), chain: 'A', residue_index: (0..12).collect(), native: vec![0; 12], coords }
        };
        let c = Contacts::of(&bb);
        assert!(!c.pairs.is_empty());
        let mut pair = [[0.0; 20]; 20];
        for a in 0..20 {
            for b in 0..20 {
                pair[a][b] = ((a * 7 + b * 7) % 11) as f64 / 10.0 - 0.5;
            }
        }
        let e = Energy { name: "t".into(), pair, hydro: Some((std::array::from_fn(|a| a as f64 / 20.0 - 0.5), 0.5)) };
        let seq: Vec<u8> = (0..12).map(|i| (i * 5 % 20) as u8).collect();
        let onehot: Vec<[f64; 20]> = seq.iter().map(|&a| std::array::from_fn(|b| f64::from(u8::from(b == a as usize)))).collect();
        assert!((e.energy_soft(&c, &onehot).0 - e.energy(&c, &seq)).abs() < 1e-12);
        // Central differences on a soft point.
        let p: Vec<[f64; 20]> = (0..12).map(|i| std::array::from_fn(|a| ((i * 3 + a) % 7 + 1) as f64 / 80.0)).collect();
        let (_, g) = e.energy_soft(&c, &p);
        for (i, a) in [(0, 0), (5, 7), (11, 19)] {
            let mut q = p.clone();
            q[i][a] += 1e-5;
            let up = e.energy_soft(&c, &q).0;
            q[i][a] -= 2e-5;
            let fd = (up - e.energy_soft(&c, &q).0) / 2e-5;
            assert!((fd - g[i][a]).abs() < 1e-6, "{fd} vs {}", g[i][a]);
        }
    }
}
