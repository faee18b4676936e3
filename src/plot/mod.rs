//! PNG figures with `plotters` (bitmap backend, pure-Rust text through `ab_glyph`).
//!
//! Text needs a TrueType font: `$SCIDIFF_FONT` if set, else DejaVu Sans or Liberation Sans from
//! the usual system folders. Without one, plotting fails with a clear error.

pub mod graphs;

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

/// One heatmap panel: title and a `[rows, cols]` array (row 0 drawn at the bottom).
pub type Panel<'a> = (String, ndarray::ArrayView2<'a, f64>);

/// Maps `t ∈ [0, 1]` to a colour: diverging blue–white–red when `signed`, else a dark-blue to
/// yellow sequential ramp.
fn colormap(t: f64, signed: bool) -> RGBColor {
    let t = t.clamp(0.0, 1.0);
    let lerp = |a: (f64, f64, f64), b: (f64, f64, f64), s: f64| {
        RGBColor((a.0 + (b.0 - a.0) * s) as u8, (a.1 + (b.1 - a.1) * s) as u8, (a.2 + (b.2 - a.2) * s) as u8)
    };
    if signed {
        let (blue, white, red) = ((33.0, 102.0, 172.0), (247.0, 247.0, 247.0), (178.0, 24.0, 43.0));
        if t < 0.5 { lerp(blue, white, t * 2.0) } else { lerp(white, red, t * 2.0 - 1.0) }
    } else {
        let (dark, mid, yellow) = ((48.0, 18.0, 59.0), (33.0, 145.0, 140.0), (253.0, 231.0, 37.0));
        if t < 0.5 { lerp(dark, mid, t * 2.0) } else { lerp(mid, yellow, t * 2.0 - 1.0) }
    }
}

/// A heatmap of `data` (`[rows, cols]`; rows on the y axis from the bottom, columns on x).
pub fn heatmap(path: &Path, title: &str, data: ndarray::ArrayView2<f64>, xlabel: &str, ylabel: &str) -> Result<(), PlotError> {
    heatmaps(path, &[(title.to_string(), data)], xlabel, ylabel, 1)
}

/// Several heatmap panels in a grid of `columns` columns. Each panel has its own colour range,
/// written into its caption; signed data use a diverging map centred on zero.
pub fn heatmaps(path: &Path, panels: &[Panel], xlabel: &str, ylabel: &str, columns: usize) -> Result<(), PlotError> {
    ensure_font()?;
    if panels.is_empty() || panels.iter().any(|p| p.1.is_empty()) {
        return Err(draw_err(path, "nothing to plot"));
    }
    let cols = columns.clamp(1, panels.len());
    let rows = panels.len().div_ceil(cols);
    let root = BitMapBackend::new(path, (560 * cols as u32, 480 * rows as u32)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| draw_err(path, e))?;
    let areas = root.split_evenly((rows, cols));
    for ((title, data), area) in panels.iter().zip(areas.iter()) {
        let (nr, nc) = data.dim();
        let finite = || data.iter().copied().filter(|v| v.is_finite());
        let (lo, hi) = (finite().fold(f64::MAX, f64::min), finite().fold(f64::MIN, f64::max));
        if lo > hi {
            return Err(draw_err(path, format!("panel '{title}' has no finite values")));
        }
        let signed = lo < 0.0;
        let (vmin, vmax) = if signed { let m = lo.abs().max(hi.abs()); (-m, m) } else { (lo, hi) };
        let span = (vmax - vmin).max(1e-300);
        let mut chart = ChartBuilder::on(area)
            .caption(format!("{title}  [{lo:.3}, {hi:.3}]"), ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(50)
            .build_cartesian_2d(0..nc, 0..nr)
            .map_err(|e| draw_err(path, e))?;
        chart.configure_mesh().disable_mesh().x_desc(xlabel).y_desc(ylabel).x_labels(6).y_labels(6).draw().map_err(|e| draw_err(path, e))?;
        let cells = (0..nr).flat_map(|r| (0..nc).map(move |c| (r, c))).map(|(r, c)| {
            let v = data[[r, c]];
            let color = if v.is_finite() { colormap((v - vmin) / span, signed) } else { RGBColor(0, 0, 0) };
            Rectangle::new([(c, r), (c + 1, r + 1)], color.filled())
        });
        chart.draw_series(cells).map_err(|e| draw_err(path, e))?;
    }
    root.present().map_err(|e| draw_err(path, e))
}

/// A scatter of named points, each drawn with its label (trade-off plots: one point per method).
pub fn labelled_points(path: &Path, title: &str, xlabel: &str, ylabel: &str, points: &[(String, f64, f64)]) -> Result<(), PlotError> {
    ensure_font()?;
    let pts: Vec<&(String, f64, f64)> = points.iter().filter(|p| p.1.is_finite() && p.2.is_finite()).collect();
    if pts.is_empty() {
        return Err(draw_err(path, "no finite points to plot"));
    }
    let (x0, x1) = pts.iter().fold((f64::MAX, f64::MIN), |a, p| (a.0.min(p.1), a.1.max(p.1)));
    let (y0, y1) = pts.iter().fold((f64::MAX, f64::MIN), |a, p| (a.0.min(p.2), a.1.max(p.2)));
    let (px, py) = (0.15 * (x1 - x0).max(1e-9), 0.1 * (y1 - y0).max(1e-9));
    let root = BitMapBackend::new(path, (900, 700)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| draw_err(path, e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(title, ("sans-serif", 24))
        .margin(20)
        .x_label_area_size(45)
        .y_label_area_size(60)
        .build_cartesian_2d(x0 - px..x1 + px, y0 - py..y1 + py)
        .map_err(|e| draw_err(path, e))?;
    chart.configure_mesh().x_desc(xlabel).y_desc(ylabel).draw().map_err(|e| draw_err(path, e))?;
    for (i, p) in pts.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        chart.draw_series(std::iter::once(Circle::new((p.1, p.2), 6, color.filled()))).map_err(|e| draw_err(path, e))?;
        chart.draw_series(std::iter::once(Text::new(p.0.clone(), (p.1, p.2), ("sans-serif", 16).into_font().color(&BLACK)))).map_err(|e| draw_err(path, e))?;
    }
    root.present().map_err(|e| draw_err(path, e))
}
