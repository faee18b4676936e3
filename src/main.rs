//! The `scidiff` command line: a thin layer over the library (see `scidiff --help`).

mod cli;

fn main() -> std::process::ExitCode {
    // SAFETY: runs first, before any other thread exists. Restoring the default SIGPIPE action
    // makes `scidiff ... | head` stop quietly, as Unix tools do, instead of panicking in println!.
    #[cfg(unix)]
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    cli::run()
}
