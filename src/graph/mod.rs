//! Graph module (GDSS, Jo et al. 2022): graph I/O ([`io`]), generation metrics ([`metrics`]),
//! GDSS's score networks and released-checkpoint loading ([`gdss`]), and molecule chemistry
//! ([`mol`]: SMILES, kekulization, valency, GDSS encoding).

pub mod gdss;
pub mod generators;
pub mod graphml;
pub mod io;
pub mod metrics;
pub mod mol;
