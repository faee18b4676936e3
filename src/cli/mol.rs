//! `scidiff mol data|eval`: the molecule benchmarks (QM9 with GDSS's split, MOSES, a ZINC250k
//! CSV) and the GDSS molecule metrics of generated SMILES.

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use rand::seq::SliceRandom;
use scidiff::graph::metrics::nspdk::LabelledGraph;
use scidiff::graph::mol::dataset::{MolData, default_mol_dir, load_qm9, load_smiles_file, load_zinc250k};
use scidiff::graph::mol::fcd::{ChemNet, default_chemnet_path};
use scidiff::graph::mol::metrics::{FcdReference, MolMetrics, evaluate_with_fcd, mol_set};
use scidiff::graph::mol::{AtomVocab, nspdk_graph};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Subcommand)]
pub enum MolCommand {
    /// Train GDSS's molecule model (QM9 or MOSES) with the shared trainer.
    Train(super::mol_gdss::TrainArgs),
    /// Sample molecules from a trained run or GDSS's released QM9 checkpoint: SMILES as built
    /// (one a line, empty where no molecule could be built) and optionally GDSS-corrected.
    Sample(super::mol_gdss::SampleArgs),
    /// Load a data set, print its counts and why molecules were left out; optionally write a
    /// random sample of its training SMILES (e.g. to measure the metrics' floor with `eval`).
    Data(DataArgs),
    /// Validity (w/o correction), uniqueness, novelty, NSPDK MMD² and FCD of generated SMILES
    /// (one a line; a blank line is a molecule that could not be built) against the data set.
    Eval(EvalArgs),
}

#[derive(Args)]
pub struct DataArgs {
    /// qm9, moses, or zinc250k-csv (with --data pointing at zinc250k.csv).
    #[arg(long)]
    dataset: String,
    /// Data directory of `datasets/fetch_mol.sh` (default $SCIDIFF_DATA/mol or ~/.cache/scidiff/mol),
    /// or the CSV file for zinc250k-csv.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Write this many random training SMILES to --out.
    #[arg(long)]
    sample_train: Option<usize>,
    /// Output file for --sample-train.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Random seed for --sample-train.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

#[derive(Args)]
pub struct EvalArgs {
    /// qm9, moses, or zinc250k-csv.
    #[arg(long)]
    dataset: String,
    /// Data directory or CSV file (see `mol data`).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Generated SMILES, one a line.
    #[arg(long)]
    generated: PathBuf,
    /// Write the metrics as JSON here.
    #[arg(long)]
    json: Option<PathBuf>,
    /// ChemNet weights for FCD (default: $SCIDIFF_DATA/mol/ChemNet_v0.13_pretrained.pt, written
    /// by datasets/fetch_mol.sh or datasets/fetch_chemnet.sh).
    #[arg(long)]
    chemnet: Option<PathBuf>,
    /// Skip FCD (embedding the test set takes ~1 minute for QM9 on 2 cores).
    #[arg(long)]
    no_fcd: bool,
}

pub fn run(cmd: MolCommand) -> Result<()> {
    match cmd {
        MolCommand::Train(a) => super::mol_gdss::train_cmd(a),
        MolCommand::Sample(a) => super::mol_gdss::sample_cmd(a),
        MolCommand::Data(a) => data(a),
        MolCommand::Eval(a) => eval(a),
    }
}

/// `(train, test)` of a named data set.
pub(super) fn load(dataset: &str, data: Option<&Path>) -> Result<(MolData, MolData)> {
    let dir = data.map(Path::to_path_buf).unwrap_or_else(default_mol_dir);
    Ok(match dataset {
        "qm9" => load_qm9(&dir.join("qm9.tsv"))?,
        "moses" => {
            let (vocab, max) = (AtomVocab::zinc250k(), 38);
            (load_smiles_file(&dir.join("moses_train.smi"), &vocab, max)?, load_smiles_file(&dir.join("moses_test.smi"), &vocab, max)?)
        }
        "zinc250k-csv" => {
            let Some(csv) = data else { bail!("zinc250k-csv needs --data PATH/zinc250k.csv (with GDSS's valid_idx_zinc250k.json beside it)") };
            let split = csv.with_file_name("valid_idx_zinc250k.json");
            if !split.exists() {
                bail!("zinc250k-csv: the test split {} is missing (GDSS's data/valid_idx_zinc250k.json: 0-based test row indices of zinc250k.csv)", split.display());
            }
            load_zinc250k(csv, &split)?
        }
        other => bail!("unknown dataset '{other}' (qm9, moses, zinc250k-csv)"),
    })
}

fn summarise(name: &str, d: &MolData) {
    println!("{name}: {} molecules kept, {} left out", d.molecules.len(), d.skipped.len());
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    for (_, e) in &d.skipped {
        let key = e.to_string();
        let key = key.split(':').next().unwrap_or(&key).to_string();
        *reasons.entry(key).or_default() += 1;
    }
    for (reason, count) in reasons.iter().take(8) {
        println!("  {count:>7}  {reason}");
    }
}

fn data(a: DataArgs) -> Result<()> {
    let t0 = Instant::now();
    let (train, test) = load(&a.dataset, a.data.as_deref())?;
    summarise("train", &train);
    summarise("test", &test);
    println!("loaded in {:.1} s", t0.elapsed().as_secs_f64());
    if let Some(n) = a.sample_train {
        let out = a.out.context("--sample-train needs --out FILE.smi")?;
        let mut idx: Vec<usize> = (0..train.smiles.len()).collect();
        idx.shuffle(&mut scidiff::rng(a.seed));
        let lines: Vec<&str> = idx.iter().take(n).map(|&i| train.smiles[i].as_str()).collect();
        std::fs::write(&out, lines.join("\n") + "\n").with_context(|| format!("cannot write {}", out.display()))?;
        println!("wrote {} training SMILES to {}", lines.len(), out.display());
    }
    Ok(())
}

fn eval(a: EvalArgs) -> Result<()> {
    let text = std::fs::read_to_string(&a.generated).with_context(|| format!("cannot read {}", a.generated.display()))?;
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        bail!("{} holds no lines", a.generated.display());
    }
    let t0 = Instant::now();
    let (train, test) = load(&a.dataset, a.data.as_deref())?;
    let (train_set, failed) = mol_set(&train.molecules);
    let test_graphs: Vec<LabelledGraph> = test.molecules.iter().filter_map(|m| nspdk_graph(m).ok()).collect();
    eprintln!(
        "reference: {} distinct training molecules ({failed} not kekulizable), {} test graphs ({:.1} s)",
        train_set.len(),
        test_graphs.len(),
        t0.elapsed().as_secs_f64()
    );
    let fcd_ref = fcd_reference(&a, &test)?;
    let m = evaluate_with_fcd(&lines, &train_set, &test_graphs, fcd_ref.as_ref())?;
    print_table(&a.dataset, &m, fcd_ref.is_some());
    if let Some(path) = a.json {
        std::fs::write(&path, serde_json::to_string_pretty(&m)?).with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(())
}

/// ChemNet and the test set's Gaussian, or `None` (with a note on stderr) when FCD is skipped.
fn fcd_reference(a: &EvalArgs, test: &MolData) -> Result<Option<FcdReference>> {
    if a.no_fcd {
        return Ok(None);
    }
    let path = a.chemnet.clone().unwrap_or_else(default_chemnet_path);
    let net = match ChemNet::load(&path) {
        Ok(net) => net,
        Err(e) if a.chemnet.is_none() && !path.exists() => {
            eprintln!("FCD skipped: {e}");
            return Ok(None);
        }
        Err(e) => return Err(e.into()),
    };
    let t0 = Instant::now();
    let r = FcdReference::new(net, &test.molecules)?;
    eprintln!("FCD reference: {} test molecules through ChemNet ({:.1} s)", test.molecules.len(), t0.elapsed().as_secs_f64());
    Ok(Some(r))
}

fn print_table(dataset: &str, m: &MolMetrics, fcd_asked: bool) {
    let pct = |x: Option<f64>| x.map_or("n/a".to_string(), |v| format!("{:.2}%", 100.0 * v));
    println!("{} generated, {} blank or unparsable", m.generated, m.unparsable);
    println!("| metric | scidiff | GDSS (paper, {dataset}) |");
    println!("|---|---|---|");
    let gdss = |q: &str, z: &str| if dataset == "qm9" { q.to_string() } else { z.to_string() };
    println!("| validity w/o correction | {} | {} |", pct(Some(m.validity_without_correction)), gdss("95.72%", "97.01% (ZINC250k)"));
    println!("| validity | {} | ~100% |", pct(Some(m.validity)));
    println!("| uniqueness | {} | {} |", pct(m.uniqueness), gdss("98.46% (unverified)", "99.64% (ZINC250k, unverified)"));
    println!("| novelty | {} | {} |", pct(m.novelty), gdss("86.27% (unverified)", "100.00% (ZINC250k, unverified)"));
    let nspdk = m.nspdk_mmd2.map_or("n/a".to_string(), |v| format!("{v:.5}"));
    println!("| NSPDK MMD² | {nspdk} | {} |", gdss("0.003 (not third-party checked)", "0.019 (ZINC250k, not third-party checked)"));
    let fcd = match (m.fcd, fcd_asked) {
        (Some(v), _) => format!("{v:.3} (scidiff SMILES on both sides)"),
        (None, true) => "n/a (< 2 valid)".to_string(),
        (None, false) => "not computed (no ChemNet weights or --no-fcd)".to_string(),
    };
    println!("| FCD | {fcd} | {} |", gdss("2.900 (RDKit-canonical SMILES)", "14.656 (ZINC250k)"));
}
