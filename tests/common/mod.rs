//! Helpers shared by integration tests.

use std::path::PathBuf;

/// The folder of GDSS's released checkpoints holding `probe` (e.g. `gdss_qm9.pth`): looked up in
/// `$GDSS_CHECKPOINT_DIR`, then `shared/data/gdss-checkpoints` inside and beside the crate (CI
/// has `../shared`), then `/work/shared/...`. `None` (with a SKIPPED message) when absent.
#[allow(dead_code)]
pub fn gdss_checkpoint_dir(probe: &str) -> Option<PathBuf> {
    let mut cands = Vec::new();
    if let Ok(d) = std::env::var("GDSS_CHECKPOINT_DIR") {
        cands.push(PathBuf::from(d));
    }
    cands.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("shared/data/gdss-checkpoints"));
    cands.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data/gdss-checkpoints"));
    cands.push(PathBuf::from("/work/shared/data/gdss-checkpoints"));
    let found = cands.into_iter().find(|d| d.join(probe).is_file());
    if found.is_none() {
        eprintln!("SKIPPED: GDSS checkpoints not found (set GDSS_CHECKPOINT_DIR to the folder holding gdss_<dataset>.pth)");
    }
    found
}

/// The `scidiff` binary of this build (for CLI tests).
#[allow(dead_code)]
pub fn scidiff() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_scidiff"))
}

/// Runs `scidiff args` and returns its stdout, failing the test with its stderr otherwise.
#[allow(dead_code)]
pub fn scidiff_ok(args: &[&str]) -> String {
    let out = scidiff().args(args).output().unwrap();
    assert!(out.status.success(), "{args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}
