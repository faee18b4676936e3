//! File formats: HDF5 datasets with validation (more formats arrive with the domain modules).

mod h5;

pub use h5::{Attr, H5Writer, dataset_shape, read_array, read_attr, read_matrix, read_rows};
