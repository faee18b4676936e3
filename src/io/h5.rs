//! HDF5 through `hdf5-metno` (HDF5 2.x built from source by its `static` feature, so no system
//! library is needed). Files are readable by h5py.
//!
//! Reading validates what a model would otherwise silently consume: the dataset exists, has the
//! expected rank, a floating-point type, and only finite values (the first offender is named).
//! Writing is atomic: data goes to `NAME.tmp` and is renamed over `NAME` only when complete, so
//! an interrupted run never leaves a half-written file under the real name. Generation
//! parameters travel as attributes on the root group.

use crate::error::IoError;
use hdf5::types::{FloatSize, TypeDescriptor, VarLenUnicode};
use ndarray::{Array2, ArrayD, ArrayViewD, IxDyn, s};
use std::path::{Path, PathBuf};

fn h5err(path: &Path, e: impl std::fmt::Display) -> IoError {
    IoError::Hdf5 { path: path.display().to_string(), message: e.to_string().replace('\n', " ") }
}

/// Open a finished file for reading without HDF5's file lock. Writers go through a temporary file
/// and an atomic rename, so a reader never sees a half-written file; and a lock can outlive its
/// writer when HDF5's descriptor (opened without close-on-exec) is inherited by a child process
/// spawned meanwhile, which made readers fail with "unable to lock file".
fn open_for_reading(path: &Path) -> hdf5::Result<hdf5::File> {
    hdf5::File::with_options().with_fapl(|p| p.file_locking(false)).open(path)
}

fn open_dataset(path: &Path, name: &str) -> Result<hdf5::Dataset, IoError> {
    if !path.exists() {
        return Err(IoError::Os { path: path.display().to_string(), source: std::io::Error::from(std::io::ErrorKind::NotFound) });
    }
    let file = open_for_reading(path).map_err(|e| h5err(path, format!("not a readable HDF5 file ({e})")))?;
    let ds = file.dataset(name).map_err(|_| h5err(path, format!("no dataset '{name}'")))?;
    let dtype = ds.dtype().and_then(|t| t.to_descriptor()).map_err(|e| h5err(path, e))?;
    if !matches!(dtype, TypeDescriptor::Float(FloatSize::U4) | TypeDescriptor::Float(FloatSize::U8)) {
        return Err(h5err(path, format!("dataset '{name}' has type {dtype:?}, expected 32- or 64-bit float")));
    }
    Ok(ds)
}

fn check_finite(path: &Path, name: &str, a: &ArrayD<f64>, offset: usize) -> Result<(), IoError> {
    match a.iter().position(|v| !v.is_finite()) {
        Some(i) => Err(IoError::NonFinite { path: path.display().to_string(), dataset: name.into(), index: offset + i }),
        None => Ok(()),
    }
}

/// The shape of dataset `name`.
pub fn dataset_shape(path: &Path, name: &str) -> Result<Vec<usize>, IoError> {
    Ok(open_dataset(path, name)?.shape())
}

/// Read dataset `name` as `f64`, requiring rank `rank` (if given) and finite values.
pub fn read_array(path: &Path, name: &str, rank: Option<usize>) -> Result<ArrayD<f64>, IoError> {
    let ds = open_dataset(path, name)?;
    let shape = ds.shape();
    if let Some(r) = rank {
        if shape.len() != r {
            return Err(IoError::Shape { path: path.display().to_string(), dataset: name.into(), found: shape, expected: format!("rank {r}") });
        }
    }
    let a: ArrayD<f64> = ds.read_dyn::<f64>().map_err(|e| h5err(path, e))?;
    check_finite(path, name, &a, 0)?;
    Ok(a)
}

/// Read a rank-2 dataset (`[rows, cols]`).
pub fn read_matrix(path: &Path, name: &str) -> Result<Array2<f64>, IoError> {
    let a = read_array(path, name, Some(2))?;
    Ok(a.into_dimensionality().expect("rank checked"))
}

/// Read rows `start..end` of dataset `name` along its first axis (streaming access for data
/// larger than memory), validating finiteness.
pub fn read_rows(path: &Path, name: &str, start: usize, end: usize) -> Result<ArrayD<f64>, IoError> {
    let ds = open_dataset(path, name)?;
    let shape = ds.shape();
    if shape.is_empty() || end > shape[0] || start > end {
        return Err(IoError::Shape { path: path.display().to_string(), dataset: name.into(), found: shape, expected: format!("at least {end} rows") });
    }
    let a: ArrayD<f64> = ds.read_slice::<f64, _, IxDyn>(s![start..end, ..]).map_err(|e| h5err(path, e))?;
    let row = shape[1..].iter().product::<usize>();
    check_finite(path, name, &a, start * row)?;
    Ok(a)
}

/// An attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum Attr {
    /// A float.
    F64(f64),
    /// An integer.
    I64(i64),
    /// A string.
    Str(String),
}

/// Read a root-group attribute.
pub fn read_attr(path: &Path, name: &str) -> Result<Attr, IoError> {
    let file = open_for_reading(path).map_err(|e| h5err(path, e))?;
    let a = file.attr(name).map_err(|_| h5err(path, format!("no attribute '{name}'")))?;
    let td = a.dtype().and_then(|t| t.to_descriptor()).map_err(|e| h5err(path, e))?;
    match td {
        TypeDescriptor::Float(_) => a.read_scalar::<f64>().map(Attr::F64),
        TypeDescriptor::Integer(_) | TypeDescriptor::Unsigned(_) => a.read_scalar::<i64>().map(Attr::I64),
        _ => a.read_scalar::<VarLenUnicode>().map(|s| Attr::Str(s.as_str().to_string())),
    }
    .map_err(|e| h5err(path, e))
}

/// Writes datasets and attributes into `NAME.tmp`, renamed to `NAME` by [`H5Writer::finish`].
pub struct H5Writer {
    file: Option<hdf5::File>,
    tmp: PathBuf,
    path: PathBuf,
}

impl H5Writer {
    /// Start writing `path` (through a temporary file beside it).
    pub fn create(path: &Path) -> Result<Self, IoError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| IoError::Os { path: dir.display().to_string(), source })?;
        }
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        // No object timestamps (the root group tracks them by default): same data, same bytes.
        let file = hdf5::File::with_options()
            .with_fcpl(|p| p.obj_track_times(false))
            .create(&tmp)
            .map_err(|e| h5err(path, e))?;
        Ok(Self { file: Some(file), tmp, path: path.to_path_buf() })
    }

    fn file(&self) -> &hdf5::File {
        self.file.as_ref().expect("open until finish")
    }

    /// Write an `f64` dataset (chunked and deflate-compressed when large).
    pub fn dataset(&mut self, name: &str, data: ArrayViewD<f64>) -> Result<&mut Self, IoError> {
        let b = self.file().new_dataset_builder();
        let b = if data.len() > 1 << 16 && data.ndim() > 0 && data.shape()[0] > 1 {
            let mut chunk = data.shape().to_vec();
            chunk[0] = (chunk[0] / 8).max(1);
            b.chunk(chunk).deflate(4).with_data(&data)
        } else {
            b.with_data(&data)
        };
        b.create(name).map_err(|e| h5err(&self.path, e))?;
        Ok(self)
    }

    /// Write an `f32` dataset.
    pub fn dataset_f32(&mut self, name: &str, data: ArrayViewD<f32>) -> Result<&mut Self, IoError> {
        self.file().new_dataset_builder().with_data(&data).create(name).map_err(|e| h5err(&self.path, e))?;
        Ok(self)
    }

    /// Attach a root-group attribute.
    pub fn attr(&mut self, name: &str, value: Attr) -> Result<&mut Self, IoError> {
        let f = self.file();
        let r = match &value {
            Attr::F64(v) => f.new_attr::<f64>().create(name).and_then(|a| a.write_scalar(v)),
            Attr::I64(v) => f.new_attr::<i64>().create(name).and_then(|a| a.write_scalar(v)),
            Attr::Str(s) => {
                let v: VarLenUnicode = s.parse().map_err(|_| h5err(&self.path, format!("attribute {name} is not valid text")))?;
                f.new_attr::<VarLenUnicode>().create(name).and_then(|a| a.write_scalar(&v))
            }
        };
        r.map_err(|e| h5err(&self.path, e))?;
        Ok(self)
    }

    /// Flush, close and move the file into place.
    pub fn finish(mut self) -> Result<(), IoError> {
        if let Some(f) = self.file.take() {
            f.flush().map_err(|e| h5err(&self.path, e))?;
            drop(f);
        }
        std::fs::File::open(&self.tmp).and_then(|f| f.sync_all()).map_err(|source| IoError::Os { path: self.tmp.display().to_string(), source })?;
        std::fs::rename(&self.tmp, &self.path).map_err(|source| IoError::Os { path: self.path.display().to_string(), source })
    }
}

impl Drop for H5Writer {
    fn drop(&mut self) {
        if self.file.take().is_some() {
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}
