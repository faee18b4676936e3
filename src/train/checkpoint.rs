//! Checkpoint files: everything needed to continue a run exactly, written atomically.
//!
//! Layout: the magic `SCIDIFF-CKPT\0\0\0\x01` (format version 1), a little-endian `u64` header
//! length, a JSON header (step, seed, the run's configuration, and for each binary section its
//! length and FNV-1a 64 hash), then the sections (model, EMA, optimiser state, each a burn record
//! in named MessagePack). A file with the wrong magic, a short read, or a hash mismatch is
//! refused with an error that says which, before anything is decoded.
//!
//! Writing goes to `checkpoint.bin.tmp`, is `fsync`ed, renamed over `checkpoint.bin`, and the
//! directory is `fsync`ed, so a crash at any moment leaves either the old or the new checkpoint.

use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use thiserror::Error;

const MAGIC: &[u8; 16] = b"SCIDIFF-CKPT\0\0\0\x01";

/// A checkpoint could not be written or read.
#[derive(Debug, Error)]
pub enum CheckpointError {
    /// File system error.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Not a scidiff checkpoint (or a different format version).
    #[error("{0}: not a scidiff checkpoint (bad magic or format version)")]
    Foreign(String),
    /// The file ends early or a section's hash does not match.
    #[error("{path}: checkpoint is truncated or corrupt ({what})")]
    Corrupt {
        /// The file.
        path: String,
        /// Which part failed.
        what: String,
    },
    /// The checkpoint belongs to a different kind of run.
    #[error("{path}: checkpoint was written by a different run ({what})")]
    Mismatch {
        /// The file.
        path: String,
        /// What differs.
        what: String,
    },
    /// A burn record could not be encoded or decoded.
    #[error("{0}")]
    Record(String),
}

/// The JSON header.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Header {
    /// Completed optimiser steps.
    pub step: u64,
    /// The run's seed (with `step` it fixes every later random draw).
    pub seed: u64,
    /// What kind of model and task wrote this (checked on resume).
    pub kind: String,
    /// The run configuration as JSON (checked on resume).
    pub config: serde_json::Value,
    /// Section names, lengths and hashes.
    pub sections: Vec<(String, u64, u64)>,
}

/// FNV-1a, 64 bit.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ *b as u64).wrapping_mul(0x0000_0100_0000_01b3))
}

fn io(path: &Path, source: std::io::Error) -> CheckpointError {
    CheckpointError::Io { path: path.display().to_string(), source }
}

/// Write `header` (its `sections` field is filled in) and the named sections to `path` atomically.
pub fn write(path: &Path, mut header: Header, sections: &[(&str, Vec<u8>)]) -> Result<(), CheckpointError> {
    header.sections = sections.iter().map(|(n, b)| (n.to_string(), b.len() as u64, fnv1a(b))).collect();
    let json = serde_json::to_vec(&header).map_err(|e| CheckpointError::Record(e.to_string()))?;
    let tmp = PathBuf::from(format!("{}.tmp", path.display()));
    {
        let mut f = std::fs::File::create(&tmp).map_err(|e| io(&tmp, e))?;
        f.write_all(MAGIC).map_err(|e| io(&tmp, e))?;
        f.write_all(&(json.len() as u64).to_le_bytes()).map_err(|e| io(&tmp, e))?;
        f.write_all(&json).map_err(|e| io(&tmp, e))?;
        for (_, b) in sections {
            f.write_all(b).map_err(|e| io(&tmp, e))?;
        }
        f.sync_all().map_err(|e| io(&tmp, e))?;
    }
    std::fs::rename(&tmp, path).map_err(|e| io(path, e))?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir).and_then(|d| d.sync_all()).map_err(|e| io(dir, e))?;
    }
    Ok(())
}

/// Read and verify a checkpoint: the header and the sections by name.
pub fn read(path: &Path) -> Result<(Header, Vec<(String, Vec<u8>)>), CheckpointError> {
    let bytes = std::fs::read(path).map_err(|e| io(path, e))?;
    let p = path.display().to_string();
    let corrupt = |what: &str| CheckpointError::Corrupt { path: p.clone(), what: what.to_string() };
    if bytes.len() < 24 || &bytes[..16] != MAGIC {
        return Err(CheckpointError::Foreign(p.clone()));
    }
    let hlen = u64::from_le_bytes(bytes[16..24].try_into().expect("8 bytes")) as usize;
    let body = bytes.get(24..24usize.saturating_add(hlen)).ok_or_else(|| corrupt("header cut short"))?;
    let header: Header = serde_json::from_slice(body).map_err(|_| corrupt("header is not valid JSON"))?;
    let mut at = 24 + hlen;
    let mut out = vec![];
    for (name, len, hash) in &header.sections {
        let end = at.checked_add(*len as usize).ok_or_else(|| corrupt("section length"))?;
        let b = bytes.get(at..end).ok_or_else(|| corrupt(&format!("section '{name}' cut short")))?;
        if fnv1a(b) != *hash {
            return Err(corrupt(&format!("section '{name}' hash mismatch")));
        }
        out.push((name.clone(), b.to_vec()));
        at = end;
    }
    if at != bytes.len() {
        return Err(corrupt("trailing bytes"));
    }
    Ok((header, out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header { step: 7, seed: 1, kind: "test".into(), config: serde_json::json!({"a": 1}), sections: vec![] }
    }

    #[test]
    fn round_trip_and_every_truncation_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.bin");
        write(&p, header(), &[("model", vec![1, 2, 3, 4]), ("optim", vec![9; 100])]).unwrap();
        let (h, s) = read(&p).unwrap();
        assert_eq!((h.step, s.len(), s[1].1.len()), (7, 2, 100));
        let full = std::fs::read(&p).unwrap();
        for cut in 0..full.len() {
            std::fs::write(&p, &full[..cut]).unwrap();
            assert!(read(&p).is_err(), "truncation at {cut} accepted");
        }
        let mut flipped = full.clone();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        std::fs::write(&p, &flipped).unwrap();
        assert!(matches!(read(&p), Err(CheckpointError::Corrupt { .. })));
        std::fs::write(&p, b"PK\x03\x04 a zip file, not ours").unwrap();
        assert!(matches!(read(&p), Err(CheckpointError::Foreign(_))));
    }
}
