//! PNG figures with `plotters` (bitmap backend, pure-Rust text through `ab_glyph`).
//!
//! Text needs a TrueType font: `$SCIDIFF_FONT` if set, else DejaVu Sans or Liberation Sans from
//! the usual system folders. Without one, plotting fails with a clear error.

use plotters::prelude::*;
use std::path::Path;
use std::sync::OnceLock;
use thiserror::Error;

/// Plotting failed.
#[derive(Debug, Error)]
pub enum PlotError {
    /// No font could be found or loaded.
    #[error("no TrueType font found for plot text (set SCIDIFF_FONT to a .ttf file)")]
    NoFont,
    /// The drawing backend failed.
    #[error("cannot draw {path}: {message}")]
    Draw {
        /// Output file.
        path: String,
        /// Backend message.
        message: String,
    },
}

fn ensure_font() -> Result<(), PlotError> {
    static FONT: OnceLock<bool> = OnceLock::new();
    let ok = *FONT.get_or_init(|| {
        let mut candidates: Vec<String> = std::env::var("SCIDIFF_FONT").into_iter().collect();
        candidates.extend(
            [
                "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                "/usr/share/fonts/TTF/DejaVuSans.ttf",
                "/usr/share/fonts/dejavu/DejaVuSans.ttf",
                "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
            ]
            .map(String::from),
        );
        for c in candidates {
            if let Ok(bytes) = std::fs::read(&c) {
                let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
                if plotters::style::register_font("sans-serif", FontStyle::Normal, bytes).is_ok() {
                    return true;
                }
            }
        }
        false
    });
    if ok { Ok(()) } else { Err(PlotError::NoFont) }
}

fn draw_err(path: &Path, e: impl std::fmt::Display) -> PlotError {
    PlotError::Draw { path: path.display().to_string(), message: e.to_string() }
}

/// A named series of `(x, y)` points.
pub type Series = (String, Vec<(f64, f64)>);

/// A log–log line plot (e.g. error against NFE), one line with markers per series.
pub fn loglog_lines(path: &Path, title: &str, xlabel: &str, ylabel: &str, series: &[Series]) -> Result<(), PlotError> {
    ensure_font()?;
    let pts = series.iter().flat_map(|s| s.1.iter()).filter(|p| p.0 > 0.0 && p.1 > 0.0);
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    for &(x, y) in pts {
        (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
    }
    if x0 > x1 {
        return Err(draw_err(path, "no positive points to plot"));
    }
    let root = BitMapBackend::new(path, (1000, 700)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| draw_err(path, e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 26))
        .margin(15)
        .x_label_area_size(45)
        .y_label_area_size(70)
        .build_cartesian_2d((x0 * 0.9..x1 * 1.1).log_scale(), (y0 * 0.7..y1 * 1.5).log_scale())
        .map_err(|e| draw_err(path, e))?;
    chart
        .configure_mesh()
        .x_desc(xlabel)
        .y_desc(ylabel)
        .y_label_formatter(&|v| format!("{v:.0e}"))
        .x_label_formatter(&|v| format!("{v:.0}"))
        .x_labels(8)
        .draw()
        .map_err(|e| draw_err(path, e))?;
    for (i, (name, pts)) in series.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        let pts: Vec<(f64, f64)> = pts.iter().copied().filter(|p| p.0 > 0.0 && p.1 > 0.0).collect();
        chart
            .draw_series(LineSeries::new(pts.clone(), color.stroke_width(2)))
            .map_err(|e| draw_err(path, e))?
            .label(name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
        chart.draw_series(pts.into_iter().map(|p| Circle::new(p, 3, color.filled()))).map_err(|e| draw_err(path, e))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()
        .map_err(|e| draw_err(path, e))?;
    root.present().map_err(|e| draw_err(path, e))
}

/// A 2-D scatter plot of several point sets (e.g. target samples against model samples).
pub fn scatter(path: &Path, title: &str, sets: &[Series]) -> Result<(), PlotError> {
    ensure_font()?;
    let all: Vec<(f64, f64)> = sets.iter().flat_map(|s| s.1.iter().copied()).filter(|p| p.0.is_finite() && p.1.is_finite()).collect();
    if all.is_empty() {
        return Err(draw_err(path, "no finite points to plot"));
    }
    let lo = |f: fn(&(f64, f64)) -> f64| all.iter().map(f).fold(f64::MAX, f64::min);
    let hi = |f: fn(&(f64, f64)) -> f64| all.iter().map(f).fold(f64::MIN, f64::max);
    let (x0, x1, y0, y1) = (lo(|p| p.0), hi(|p| p.0), lo(|p| p.1), hi(|p| p.1));
    let pad = 0.05 * (x1 - x0).max(y1 - y0).max(1e-9);
    let root = BitMapBackend::new(path, (800 * sets.len().max(1) as u32, 800)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| draw_err(path, e))?;
    let panels = root.split_evenly((1, sets.len().max(1)));
    for (i, ((name, pts), area)) in sets.iter().zip(panels.iter()).enumerate() {
        let mut chart = ChartBuilder::on(area)
            .caption(format!("{title}: {name}"), ("sans-serif", 24))
            .margin(15)
            .x_label_area_size(35)
            .y_label_area_size(45)
            .build_cartesian_2d(x0 - pad..x1 + pad, y0 - pad..y1 + pad)
            .map_err(|e| draw_err(path, e))?;
        chart.configure_mesh().draw().map_err(|e| draw_err(path, e))?;
        let color = Palette99::pick(i).to_rgba();
        chart.draw_series(pts.iter().map(|p| Circle::new(*p, 1, color.mix(0.5).filled()))).map_err(|e| draw_err(path, e))?;
    }
    root.present().map_err(|e| draw_err(path, e))
}
