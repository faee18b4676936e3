//! `scidiff wavelet forward|inverse`: PyWavelets-compatible multi-level DWT of HDF5 arrays.
//!
//! Layout (PyWavelets' order): 1-D `c0` (approximation), `c1`…`cL` (details, coarse to fine);
//! 2-D `c0`, then `ck_h`, `ck_v`, `ck_d` for k = 1…L. Input/output signal dataset: `x`,
//! `[batch, n]` (1-D, last axis) or `[batch, h, w]` (2-D, last two axes).

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use ndarray::{Array2, Array3, ArrayD};
use scidiff::io::{Attr, H5Writer, dataset_shape, read_array};
use scidiff::pde::wavelet::{Coeffs2, Mode, Wavelet, wavedec_batch, wavedec2, waverec_batch, waverec2};
use std::path::{Path, PathBuf};

#[derive(Subcommand)]
pub enum WaveletCommand {
    /// Multi-level DWT of dataset `x` into `c0`, `c1`… (1-D) or `c0`, `c1_h`, `c1_v`, `c1_d`… (2-D).
    Forward(WaveletArgs),
    /// Inverse DWT of the `c*` datasets back into `x` (level inferred when not given).
    Inverse(WaveletArgs),
}

#[derive(Args)]
pub struct WaveletArgs {
    /// Wavelet name (haar, db1..db10, sym2..sym10, coif1..coif5, bior*.*).
    #[arg(long)]
    wavelet: String,
    /// Decomposition level (required for forward; inferred from the datasets for inverse).
    #[arg(long)]
    level: Option<usize>,
    /// Boundary mode: zero, constant, symmetric, reflect, periodic, periodization.
    #[arg(long, default_value = "symmetric")]
    mode: String,
    /// 1: transform the last axis of [batch, n]; 2: the last two axes of [batch, h, w].
    #[arg(long, default_value_t = 1)]
    dims: usize,
    /// Input HDF5 file.
    #[arg(long = "in")]
    input: PathBuf,
    /// Output HDF5 file.
    #[arg(long)]
    out: PathBuf,
}

pub fn run(cmd: WaveletCommand) -> Result<()> {
    match cmd {
        WaveletCommand::Forward(a) => forward(a),
        WaveletCommand::Inverse(a) => inverse(a),
    }
}

fn parse(a: &WaveletArgs) -> Result<(Wavelet, Mode)> {
    if !(a.dims == 1 || a.dims == 2) {
        bail!("--dims must be 1 or 2, got {}", a.dims);
    }
    Ok((Wavelet::from_name(&a.wavelet)?, a.mode.parse::<Mode>()?))
}

fn attrs(w: &mut H5Writer, a: &WaveletArgs, level: usize) -> Result<()> {
    w.attr("wavelet", Attr::Str(a.wavelet.clone()))?
        .attr("mode", Attr::Str(a.mode.clone()))?
        .attr("level", Attr::I64(level as i64))?
        .attr("dims", Attr::I64(a.dims as i64))?;
    Ok(())
}

fn forward(a: WaveletArgs) -> Result<()> {
    let (wav, mode) = parse(&a)?;
    let level = a.level.context("--level is required for forward")?;
    if level == 0 {
        bail!("--level must be >= 1");
    }
    let x = read_array(&a.input, "x", Some(a.dims + 1))?;
    let mut w = H5Writer::create(&a.out)?;
    if a.dims == 1 {
        let x: Array2<f64> = x.into_dimensionality()?;
        let c = wavedec_batch(x.view(), &wav, mode, level)?;
        for (k, band) in c.iter().enumerate() {
            w.dataset(&format!("c{k}"), band.view().into_dyn())?;
        }
    } else {
        let x: Array3<f64> = x.into_dimensionality()?;
        let c = wavedec2(x.view(), &wav, mode, level)?;
        w.dataset("c0", c.approx.view().into_dyn())?;
        for (k, [h, v, d]) in c.details.iter().enumerate() {
            for (s, band) in [("h", h), ("v", v), ("d", d)] {
                w.dataset(&format!("c{}_{s}", k + 1), band.view().into_dyn())?;
            }
        }
    }
    attrs(&mut w, &a, level)?;
    w.finish()?;
    Ok(())
}

/// Name of the first detail dataset of level `k` (1-based).
fn detail_name(k: usize, dims: usize) -> String {
    if dims == 1 { format!("c{k}") } else { format!("c{k}_h") }
}

fn read_band(path: &Path, name: &str, rank: usize) -> Result<ArrayD<f64>> {
    Ok(read_array(path, name, Some(rank))?)
}

fn inverse(a: WaveletArgs) -> Result<()> {
    let (wav, mode) = parse(&a)?;
    let rank = a.dims + 1;
    let approx = read_band(&a.input, "c0", rank)?;
    let present = (1..).take_while(|&k| dataset_shape(&a.input, &detail_name(k, a.dims)).is_ok()).count();
    let level = match a.level {
        Some(l) if l != present => bail!("--level {l} but {} holds detail datasets for levels 1..={present}", a.input.display()),
        Some(l) => l,
        None => present,
    };
    if level == 0 {
        bail!("{}: no detail dataset '{}'", a.input.display(), detail_name(1, a.dims));
    }
    let x: ArrayD<f64> = if a.dims == 1 {
        let mut bands = vec![approx.into_dimensionality()?];
        for k in 1..=level {
            bands.push(read_band(&a.input, &format!("c{k}"), rank)?.into_dimensionality()?);
        }
        waverec_batch(&bands, &wav, mode)?.into_dyn()
    } else {
        let mut details = Vec::with_capacity(level);
        for k in 1..=level {
            let b = |s: &str| -> Result<Array3<f64>> { Ok(read_band(&a.input, &format!("c{k}_{s}"), rank)?.into_dimensionality()?) };
            details.push([b("h")?, b("v")?, b("d")?]);
        }
        let c = Coeffs2 { approx: approx.into_dimensionality()?, details };
        waverec2(&c, &wav, mode)?.into_dyn()
    };
    let mut w = H5Writer::create(&a.out)?;
    w.dataset("x", x.view())?;
    attrs(&mut w, &a, level)?;
    w.finish()?;
    Ok(())
}
