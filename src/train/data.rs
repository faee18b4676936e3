//! Training data from HDF5, streamed: the dataset's rows are split into blocks of
//! `block_rows`; each epoch visits the blocks in a seeded random order and the rows of each block
//! in a seeded random order, holding one block in memory at a time. Row `j` of the batch for step
//! `k` is the `(k·batch + j)`-th row of that order, so the data order is a pure function of
//! `(seed, step)` — nothing to save for an exact resume — and data larger than memory trains.
//! Blocks are validated as they are read (finite values; the first bad row is named).

use super::step_rng;
use crate::error::IoError;
use crate::io::{dataset_shape, read_rows};
use ndarray::{ArrayD, Axis, IxDyn};
use rand::seq::SliceRandom;
use std::path::{Path, PathBuf};

/// A seeded, block-shuffled view of one HDF5 dataset (axis 0 = examples).
pub struct H5Batches {
    path: PathBuf,
    dataset: String,
    shape: Vec<usize>,
    block_rows: usize,
    cache: Option<(u64, usize, ArrayD<f64>, Vec<usize>)>, // (epoch, block, rows, row order)
}

impl H5Batches {
    /// Open `dataset` of `path`; `block_rows` rows are read at a time.
    pub fn open(path: &Path, dataset: &str, block_rows: usize) -> Result<Self, IoError> {
        let shape = dataset_shape(path, dataset)?;
        if shape.len() < 2 || shape[0] == 0 {
            return Err(IoError::Shape { path: path.display().to_string(), dataset: dataset.into(), found: shape, expected: "[examples, ...] with at least one example".into() });
        }
        Ok(Self { path: path.into(), dataset: dataset.into(), shape, block_rows: block_rows.max(1), cache: None })
    }

    /// Number of examples.
    pub fn len(&self) -> usize {
        self.shape[0]
    }

    /// Whether the dataset is empty (never: `open` refuses that).
    pub fn is_empty(&self) -> bool {
        self.shape[0] == 0
    }

    /// Shape of one example.
    pub fn example_shape(&self) -> &[usize] {
        &self.shape[1..]
    }

    fn n_blocks(&self) -> usize {
        self.len().div_ceil(self.block_rows)
    }

    fn block_order(&self, seed: u64, epoch: u64) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.n_blocks()).collect();
        order.shuffle(&mut step_rng(seed, epoch, 101));
        order
    }

    /// The dataset row at position `pos` of epoch `epoch`'s visiting order.
    fn row(&mut self, seed: u64, epoch: u64, pos: usize) -> Result<ndarray::ArrayViewD<'_, f64>, IoError> {
        let order = self.block_order(seed, epoch);
        let size = |b: usize| self.block_rows.min(self.len() - b * self.block_rows);
        let (mut acc, mut slot) = (0, 0);
        while acc + size(order[slot]) <= pos {
            acc += size(order[slot]);
            slot += 1;
        }
        let block = order[slot];
        let fresh = !matches!(&self.cache, Some((e, b, _, _)) if *e == epoch && *b == block);
        if fresh {
            let start = block * self.block_rows;
            let rows = read_rows(&self.path, &self.dataset, start, start + size(block))?;
            let mut perm: Vec<usize> = (0..size(block)).collect();
            perm.shuffle(&mut step_rng(seed ^ block as u64, epoch, 202));
            self.cache = Some((epoch, block, rows, perm));
        }
        let (_, _, rows, perm) = self.cache.as_ref().expect("filled above");
        Ok(rows.index_axis(Axis(0), perm[pos - acc]))
    }

    /// The batch of training step `step` (shape `[batch, ...]`).
    pub fn batch(&mut self, step: u64, seed: u64, batch: usize) -> Result<ArrayD<f64>, IoError> {
        let n = self.len() as u64;
        let mut shape = vec![batch];
        shape.extend_from_slice(self.example_shape());
        let mut out = ArrayD::<f64>::zeros(IxDyn(&shape));
        for j in 0..batch {
            let k = step * batch as u64 + j as u64;
            let row = self.row(seed, k / n, (k % n) as usize)?.to_owned();
            out.index_axis_mut(Axis(0), j).assign(&row);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::io::H5Writer;

    fn file(dir: &Path, n: usize, poison: Option<usize>) -> PathBuf {
        let p = dir.join("d.h5");
        let mut a = ndarray::Array2::from_shape_fn((n, 3), |(i, j)| (i * 10 + j) as f64);
        if let Some(r) = poison {
            a[[r, 1]] = f64::INFINITY;
        }
        let mut w = H5Writer::create(&p).unwrap();
        w.dataset("x", a.view().into_dyn()).unwrap();
        w.finish().unwrap();
        p
    }

    #[test]
    fn each_epoch_visits_every_row_once_in_a_seeded_order() {
        let dir = tempfile::tempdir().unwrap();
        let p = file(dir.path(), 23, None);
        let mut d = H5Batches::open(&p, "x", 5).unwrap();
        // 23 rows, batches of 23: step k is exactly epoch k.
        let ids = |b: ArrayD<f64>| -> Vec<usize> { b.index_axis(Axis(1), 0).iter().map(|v| (*v / 10.0) as usize).collect() };
        let e0 = ids(d.batch(0, 7, 23).unwrap());
        let mut sorted = e0.clone();
        sorted.sort();
        assert_eq!(sorted, (0..23).collect::<Vec<_>>());
        let e1 = ids(d.batch(1, 7, 23).unwrap());
        assert_ne!(e0, e1, "epochs should be shuffled differently");
        // Same seed and step: same batch, whatever was read before.
        let mut d2 = H5Batches::open(&p, "x", 5).unwrap();
        assert_eq!(ids(d2.batch(1, 7, 23).unwrap()), e1);
        // Rows stay intact (columns belong together).
        let b = d.batch(3, 1, 4).unwrap();
        for r in b.axis_iter(Axis(0)) {
            assert_eq!(r[1] - r[0], 1.0);
        }
    }

    #[test]
    fn bad_data_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let p = file(dir.path(), 10, Some(6));
        let mut d = H5Batches::open(&p, "x", 4).unwrap();
        let err = d.batch(0, 0, 10).unwrap_err().to_string();
        assert!(err.contains("non-finite") && err.contains("19"), "{err}"); // row 6, column 1 -> flat index 19
        assert!(H5Batches::open(&p, "missing", 4).is_err());
    }
}
