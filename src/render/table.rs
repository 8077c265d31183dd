//! Plain, borderless tables (like `gh` and `cargo`): columns aligned by
//! display width, so Hangul lines up.

use super::short_person;
use crate::record::Record;
use crate::text::{self as sanitize, truncate};
use chrono::{DateTime, FixedOffset};
use comfy_table::{Table, presets};

/// A table of already-sanitised cells. Returns text ending in a newline.
pub fn plain(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut table = Table::new();
    table.load_style(presets::NOTHING);
    table.set_header(header.to_vec());
    table.add_rows(rows);
    for column in table.column_iter_mut() {
        column.set_padding((0, 2));
    }
    let mut text = table.trim_fmt();
    text.push('\n');
    text
}

const TITLE_WIDTH: usize = 60;

/// `list`: ID, severity, status, assignee, age, title.
pub fn records(records: &[&Record], now: DateTime<FixedOffset>) -> String {
    let rows = records
        .iter()
        .map(|r| {
            vec![
                r.id.clone(),
                sanitize::inline(&r.severity),
                r.status.to_string(),
                r.assignee.as_deref().map_or("-".to_string(), |a| {
                    truncate(&sanitize::inline(short_person(a)), 20)
                }),
                crate::time::format_age(now - r.began()),
                truncate(&sanitize::inline(&r.title), TITLE_WIDTH),
            ]
        })
        .collect();
    plain(&["ID", "SEV", "STATUS", "ASSIGNEE", "AGE", "TITLE"], rows)
}
