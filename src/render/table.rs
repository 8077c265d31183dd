//! Plain, borderless tables (like `gh` and `cargo`), by display width so
//! Hangul lines up.
//!
//! On a terminal, comfy-table fits them to its width: the columns marked
//! `shrink` give way first (titles, names), a value too long for its column
//! is cut at a word boundary with `…`, and colour is added after the
//! layout. Into a pipe, nothing is cut: whole values aligned by spaces
//! (as `git` and `gh` do), so `list | grep` sees every title; that path is
//! a plain aligner, which also keeps 100k rows cheap.

use super::short_person;
use crate::output::{Fit, paint_if};
use chrono::{DateTime, FixedOffset};
use comfy_table::{ColumnConstraint, ContentArrangement, Table, presets};
use postmortem::record::Record;
use postmortem::text::inline;
use unicode_width::UnicodeWidthStr;

/// One column: its header, and whether it may shrink to fit a terminal.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    pub header: &'static str,
    pub shrink: bool,
}

/// A value and the SGR colour that repeats its meaning (`31` red …).
#[derive(Debug, Clone, Default)]
pub struct Cell {
    pub text: String,
    pub colour: Option<&'static str>,
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell { text, colour: None }
    }
}

impl Cell {
    pub fn coloured(text: String, colour: Option<&'static str>) -> Cell {
        Cell { text, colour }
    }
}

/// Where and how a table is drawn.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    pub fit: Fit,
    pub colour: bool,
}

impl Layout {
    pub fn of(out: &crate::output::Output) -> Layout {
        Layout {
            fit: out.fit(),
            colour: out.color_data,
        }
    }
}

/// The table as text ending in a newline. Cells are neutralised already.
pub fn render(columns: &[Column], rows: Vec<Vec<Cell>>, layout: Layout) -> String {
    match layout.fit {
        Fit::Terminal(width) => fitted(columns, rows, width, layout.colour),
        Fit::Pipe => aligned(columns, &rows, layout.colour),
    }
}

/// A table of plain strings where the last column may shrink.
pub fn plain(header: &[&'static str], rows: Vec<Vec<String>>, layout: Layout) -> String {
    let columns: Vec<Column> = header
        .iter()
        .enumerate()
        .map(|(i, h)| Column {
            header: h,
            shrink: i + 1 == header.len(),
        })
        .collect();
    let rows = rows
        .into_iter()
        .map(|r| r.into_iter().map(Cell::from).collect())
        .collect();
    render(&columns, rows, layout)
}

fn fitted(columns: &[Column], mut rows: Vec<Vec<Cell>>, width: usize, colour: bool) -> String {
    // Natural widths; then the shrinking columns give way, the last first
    // (the title), each down to a floor, until the table fits.
    let mut widths: Vec<usize> = columns.iter().map(|c| c.header.width()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.text.width());
        }
    }
    let total = widths.iter().sum::<usize>() + 2 * widths.len().saturating_sub(1);
    let mut excess = total.saturating_sub(width);
    for (i, spec) in columns.iter().enumerate().rev() {
        if excess == 0 {
            break;
        }
        if spec.shrink {
            let floor = spec.header.width().max(8).min(widths[i]);
            let give = excess.min(widths[i] - floor);
            widths[i] -= give;
            excess -= give;
        }
    }
    for row in &mut rows {
        for (cell, w) in row.iter_mut().zip(&widths) {
            if cell.text.width() > *w {
                cell.text = cut_at_word(&cell.text, *w);
            }
        }
    }
    let mut table = Table::new();
    table
        .load_style(presets::NOTHING)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(columns.iter().map(|c| c.header).collect::<Vec<_>>());
    for row in rows {
        table.add_row(
            row.into_iter()
                .map(|c| match c.colour {
                    Some(code) => paint_if(colour, code, &c.text),
                    None => c.text,
                })
                .collect::<Vec<_>>(),
        );
    }
    for (column, w) in table.column_iter_mut().zip(&widths) {
        column.set_padding((0, 2));
        column.set_constraint(ColumnConstraint::Absolute(comfy_table::Width::Fixed(
            (*w + 2).min(u16::MAX as usize) as u16,
        )));
    }
    let mut text = table.trim_fmt();
    text.push('\n');
    text
}

/// `s` cut to `width` columns at a word boundary where there is one in
/// the last half, with `…`.
pub fn cut_at_word(s: &str, width: usize) -> String {
    use unicode_width::UnicodeWidthChar;
    let room = width.saturating_sub(1);
    let mut end = 0;
    let mut used = 0;
    let mut last_space = None;
    let mut word_ends = false;
    for (i, c) in s.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > room {
            // The cut falls between words: no need to go back.
            word_ends = c == ' ';
            break;
        }
        if c == ' ' {
            last_space = Some(i);
        }
        used += w;
        end = i + c.len_utf8();
    }
    let cut = match last_space {
        _ if word_ends => end,
        Some(sp) if sp >= end / 2 && sp > 0 => sp,
        _ => end,
    };
    format!("{}…", s[..cut].trim_end())
}

fn aligned(columns: &[Column], rows: &[Vec<Cell>], colour: bool) -> String {
    // Each cell's width is measured once: Unicode widths of 100k rows.
    let cell_widths: Vec<Vec<usize>> =
        super::parallel::map(rows, |row| row.iter().map(|c| c.text.width()).collect());
    let mut widths: Vec<usize> = columns.iter().map(|c| c.header.width()).collect();
    for row in &cell_widths {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(*cell);
        }
    }
    let mut out = String::with_capacity(rows.len() * 96 + 96);
    let mut line = |cells: &mut dyn Iterator<Item = (&str, usize, Option<&'static str>)>| {
        let mut first = true;
        let mut pending = 0;
        for ((text, text_width, code), width) in cells.zip(&widths) {
            if !first {
                out.extend(std::iter::repeat_n(' ', pending + 2));
            }
            first = false;
            match code {
                Some(code) if colour => out.push_str(&paint_if(true, code, text)),
                _ => out.push_str(text),
            }
            pending = width - text_width;
        }
        out.push('\n');
    };
    line(&mut columns.iter().map(|c| (c.header, c.header.width(), None)));
    for (row, row_widths) in rows.iter().zip(&cell_widths) {
        line(
            &mut row
                .iter()
                .zip(row_widths)
                .map(|(c, w)| (c.text.as_str(), *w, c.colour)),
        );
    }
    out
}

/// The colour that repeats a severity: the worst two stand out.
pub fn severity_colour(severity: &str) -> Option<&'static str> {
    match severity.to_ascii_uppercase().as_str() {
        "SEV1" => Some("1;31"),
        "SEV2" => Some("33"),
        _ => None,
    }
}

/// `list`'s columns: ID, severity, status, assignee, age, title.
pub const RECORD_COLUMNS: [Column; 6] = [
    Column {
        header: "ID",
        shrink: false,
    },
    Column {
        header: "SEV",
        shrink: false,
    },
    Column {
        header: "STATUS",
        shrink: false,
    },
    Column {
        header: "ASSIGNEE",
        shrink: true,
    },
    Column {
        header: "AGE",
        shrink: false,
    },
    Column {
        header: "TITLE",
        shrink: true,
    },
];

/// `list`: ID, severity, status, assignee, age, title.
pub fn records(
    records: &[&Record],
    now: DateTime<FixedOffset>,
    layout: Layout,
    ids: &postmortem::record::id::ShortIds,
) -> String {
    let rows = super::parallel::map(records, |r| record_row(r, ids.show(&r.id).to_string(), now));
    render(&RECORD_COLUMNS, rows, layout)
}

/// One row of `list`, its ID as given (short, whole or qualified).
pub fn record_row(r: &Record, id: String, now: DateTime<FixedOffset>) -> Vec<Cell> {
    let severity = inline(&r.severity);
    let status_colour = (!r.status.is_active()).then_some("2");
    vec![
        Cell::from(id),
        Cell::coloured(severity.clone(), severity_colour(&severity)),
        Cell::coloured(r.status.to_string(), status_colour),
        Cell::from(
            r.assignee
                .as_deref()
                .map_or("-".to_string(), |a| inline(short_person(a))),
        ),
        Cell::from(postmortem::time::format_age(now - r.began())),
        Cell::from(inline(&r.title)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_at_a_word_boundary_by_display_width() {
        assert_eq!(
            cut_at_word("A very long title about the gateway", 20),
            "A very long title…"
        );
        assert_eq!(cut_at_word("결제 서버 장애 복구", 10), "결제 서버…");
        assert_eq!(cut_at_word("Supercalifragilistic", 8), "Superca…");
    }
}
