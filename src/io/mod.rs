//! HDF5 and other file formats.
