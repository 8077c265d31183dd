//! Turning records into text for people: tables, the readable view, JSON.
//! Record text always passes through `sanitize` on its way to a terminal.

pub mod chart;
pub mod json;
pub mod report;

pub mod sanitize;
pub mod show;
pub mod table;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Cuts `s` to at most `width` terminal columns (Hangul is two), adding `…`.
pub fn truncate(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// Every line two spaces in, for a table under a heading.
pub fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

/// `Bob Lee <bob@example.com>` → `Bob Lee`, for narrow columns.
pub fn short_person(p: &str) -> &str {
    match p.find(" <") {
        Some(i) if p.ends_with('>') => &p[..i],
        _ => p,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn hangul_counts_two_columns() {
        assert_eq!(truncate("결제 서버 장애", 8), "결제 서…");
        assert_eq!(short_person("Bob Lee <bob@x>"), "Bob Lee");
    }
}
