//! File formats: HDF5 datasets with validation (more formats arrive with the domain modules).

mod h5;

/// Root of the fetched data sets: `$SCIDIFF_DATA` when set and non-empty, else
/// `$HOME/.cache/scidiff` — the same rule as the `datasets/fetch_*.sh` scripts'
/// `${SCIDIFF_DATA:-$HOME/.cache/scidiff}`. Each domain uses a sub-folder (`dhs`, `mol`, `protein`).
pub fn data_root() -> std::path::PathBuf {
    match std::env::var_os("SCIDIFF_DATA") {
        Some(d) if !d.is_empty() => std::path::PathBuf::from(d),
        _ => std::path::PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/scidiff"),
    }
}

pub use h5::{Attr, H5Writer, dataset_shape, read_array, read_attr, read_matrix, read_rows};
