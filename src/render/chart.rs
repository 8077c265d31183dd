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

/// Bars for the wall page, one a period, as HTML rather than SVG: their
/// value and label are text at the page's own size, so they stay
/// readable from across a room at any screen width (SVG text shrinks
/// with its picture). A period without a value is a gap marked `–`.
pub fn html_bars(rows: &[(String, Option<f64>)], show: impl Fn(f64) -> String) -> String {
    if rows.iter().all(|(_, v)| v.is_none()) {
        return r#"<p class="empty">no data yet</p>"#.to_string();
    }
    let max = rows
        .iter()
        .filter_map(|(_, v)| *v)
        .fold(0.0, f64::max)
        .max(1.0);
    let mut html = String::from(r#"<div class="bars" role="img">"#);
    for (label, v) in rows {
        let (shown, pct) = match v {
            Some(v) => (show(*v), 100.0 * v / max),
            None => ("–".to_string(), 0.0),
        };
        html.push_str(&format!(
            r#"<div class="bar"><span class="v">{}</span><div class="track"><i style="--p:{pct:.0}%"></i></div><span class="k">{}</span></div>"#,
            escape(&shown),
            escape(&short_period(label)),
        ));
    }
    html.push_str("</div>");
    html
}

/// `45m`, `3h`, `1.5h`, `2d`: a duration short enough to sit above a bar.
pub fn compact_minutes(m: f64) -> String {
    if m < 60.0 {
        format!("{m:.0}m")
    } else if m < 60.0 * 24.0 {
        let h = m / 60.0;
        if h < 10.0 && (h.fract() * 10.0).round() != 0.0 {
            format!("{h:.1}h")
        } else {
            format!("{h:.0}h")
        }
    } else {
        format!("{:.0}d", m / (60.0 * 24.0))
    }
}

/// `2026-W47` → `W47`, `2026-11` → `2026-11`: labels fit under narrow bars.
fn short_period(label: &str) -> String {
    label
        .split_once("-W")
        .map_or(label.to_string(), |(_, w)| format!("W{w}"))
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

    #[test]
    fn compact_durations() {
        let c = super::compact_minutes;
        assert_eq!(
            [c(45.0), c(60.0), c(90.0), c(600.0), c(3000.0)],
            ["45m", "1h", "1.5h", "10h", "2d"]
        );
    }
}
