//! The `scidiff` command line: a thin layer over the library (see `scidiff --help`).

mod cli;

fn main() -> std::process::ExitCode {
    cli::run()
}
