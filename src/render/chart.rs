//! Small charts: bars in the terminal (aligned by display width, so Hangul
//! labels line up) and inline SVG for the wall page.

use unicode_width::UnicodeWidthStr;

/// `label  ██████ 12`, one line a row, bars scaled to `width` cells.
pub fn bars(rows: &[(String, usize)], width: usize) -> String {
    let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let label_width = rows.iter().map(|(l, _)| l.width()).max().unwrap_or(0);
    let mut out = String::new();
    for (label, n) in rows {
        let cells = (n * width).div_ceil(max);
        let pad = " ".repeat(label_width - label.width());
        out.push_str(&format!("  {label}{pad}  {} {n}\n", "█".repeat(cells)));
    }
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const W: f64 = 600.0;
const H: f64 = 220.0;
const BOTTOM: f64 = 34.0;
const TOP: f64 = 28.0;

/// Vertical bars with the count above each and the label below.
pub fn svg_bars(rows: &[(String, usize)]) -> String {
    if rows.is_empty() {
        return empty_svg();
    }
    let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1) as f64;
    let slot = W / rows.len() as f64;
    let mut svg = open_svg();
    for (i, (label, n)) in rows.iter().enumerate() {
        let h = (H - BOTTOM - TOP) * (*n as f64) / max;
        let x = i as f64 * slot + slot * 0.15;
        let y = H - BOTTOM - h;
        svg.push_str(&format!(
            r##"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{h:.1}" rx="3" fill="#4c9aff"/><text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="20" font-weight="700" fill="#e6e6e6">{n}</text><text x="{:.1}" y="{:.1}" text-anchor="middle" font-size="18" fill="#c9d1d9">{}</text>"##,
            slot * 0.7,
            x + slot * 0.35,
            y - 6.0,
            x + slot * 0.35,
            H - 10.0,
            escape(&short_period(label)),
        ));
    }
    svg.push_str("</svg>");
    svg
}

/// A line through the points that have a value; gaps where none.
pub fn svg_trend(points: &[(String, Option<f64>)]) -> String {
    let values: Vec<f64> = points.iter().filter_map(|(_, v)| *v).collect();
    if values.is_empty() {
        return empty_svg();
    }
    let max = values.iter().cloned().fold(1.0, f64::max);
    let slot = W / points.len() as f64;
    let mut svg = open_svg();
    let mut line = Vec::new();
    for (i, (label, v)) in points.iter().enumerate() {
        let x = i as f64 * slot + slot / 2.0;
        svg.push_str(&format!(
            r##"<text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="18" fill="#c9d1d9">{}</text>"##,
            H - 10.0,
            escape(&short_period(label))
        ));
        if let Some(v) = v {
            let y = H - BOTTOM - (H - BOTTOM - TOP) * v / max;
            line.push(format!("{x:.1},{y:.1}"));
            svg.push_str(&format!(
                r##"<circle cx="{x:.1}" cy="{y:.1}" r="5" fill="#ffa24c"/><text x="{x:.1}" y="{:.1}" text-anchor="middle" font-size="18" fill="#e6e6e6">{}</text>"##,
                y - 10.0,
                escape(&postmortem::time::format_minutes(*v))
            ));
        }
    }
    svg.push_str(&format!(
        r##"<polyline points="{}" fill="none" stroke="#ffa24c" stroke-width="3"/></svg>"##,
        line.join(" ")
    ));
    svg
}

/// `2026-W47` → `W47`, `2026-11` → `2026-11`: labels fit under narrow bars.
fn short_period(label: &str) -> String {
    label
        .split_once("-W")
        .map_or(label.to_string(), |(_, w)| format!("W{w}"))
}

fn open_svg() -> String {
    // Inline in HTML5, so no xmlns: the page names no URL at all.
    format!(r#"<svg viewBox="0 0 {W} {H}" role="img">"#)
}

fn empty_svg() -> String {
    format!(
        r##"{}<text x="{}" y="{}" text-anchor="middle" font-size="16" fill="#8b98a5">no data yet</text></svg>"##,
        open_svg(),
        W / 2.0,
        H / 2.0
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn bars_align_hangul_labels() {
        let out = super::bars(&[("결제".into(), 4), ("search".into(), 2)], 8);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "  결제    ████████ 4");
        assert_eq!(lines[1], "  search  ████ 2");
    }
}
