//! Command groups. Each file parses its arguments, calls the library and prints; errors end
//! the process with one line on stderr and exit code 2.

mod pde;
mod pde_fno;
mod pde_smoke;
mod pde_srm;
mod pde_wdno;
mod graph;
mod graph_train;
mod mol;
mod mol_gdss;
mod sde;
mod seq;
mod seq_finetune;
mod seq_oracle;
mod seq_protein;
mod seq_protein_ft;
mod train;
mod wavelet;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Diffusion models for science: score-SDE core, training, PDE, graph and sequence modules.
#[derive(Parser)]
#[command(name = "scidiff", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Score-SDE core: sample, likelihood, training and the sampler study on Gaussian mixtures.
    #[command(subcommand)]
    Sde(sde::SdeCommand),
    /// PDE module: solve Burgers, generate WDNO data sets (burgers1d, advection1d, cns1d, smoke2d), plot them.
    #[command(subcommand)]
    Pde(pde::PdeCommand),
    /// PyWavelets-compatible multi-level DWT of HDF5 arrays (forward and inverse).
    #[command(subcommand)]
    Wavelet(wavelet::WaveletCommand),
    /// Graphs (GDSS): train, sample (own runs or released checkpoints), evaluate MMDs.
    #[command(subcommand)]
    Graph(graph::GraphCommand),
    /// Molecules (GDSS on QM9/MOSES): data sets and the validity/uniqueness/novelty/NSPDK metrics.
    #[command(subcommand)]
    Mol(mol::MolCommand),
    /// Sequences (DRAKES-DHS, DRAKES-MPNN): DNA masked diffusion and DRAKES, protein design with ProteinMPNN.
    #[command(subcommand)]
    Seq(seq::SeqCommand),
}

/// Parse the command line, run it, and map errors to exit code 2.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Sde(c) => sde::run(c),
        Command::Pde(c) => pde::run(c),
        Command::Wavelet(c) => wavelet::run(c),
        Command::Graph(c) => graph::run(c),
        Command::Mol(c) => mol::run(c),
        Command::Seq(c) => seq::run(c),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", format!("{e:#}").replace('\n', " "));
            ExitCode::from(2)
        }
    }
}

/// A progress bar on stderr (hidden when stderr is not a terminal).
pub fn progress(len: u64, what: &str) -> indicatif::ProgressBar {
    let pb = indicatif::ProgressBar::new(len);
    pb.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} ({per_sec}, eta {eta})")
            .expect("valid template")
            .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}

/// Read `dir/run.toml`; `what` names the kind of directory in the error.
pub fn read_run_toml<T: serde::de::DeserializeOwned>(dir: &std::path::Path, what: &str) -> anyhow::Result<T> {
    use anyhow::Context;
    let p = dir.join("run.toml");
    let text = std::fs::read_to_string(&p).with_context(|| format!("{} is not {what} (no run.toml)", dir.display()))?;
    toml::from_str(&text).map_err(|e| anyhow::anyhow!("{}: {}", p.display(), e.message()))
}
