//! `at,text[,source_id]` for everything else, as JSON lines or CSV.

use super::{Event, Problem};
use chrono::DateTime;

/// One `{"at": "…", "text": "…", "source_id": "…"}` per line.
pub fn jsonl(bytes: &[u8]) -> Result<Vec<Event>, Problem> {
    let text = std::str::from_utf8(bytes).map_err(|_| Problem::whole("not UTF-8 text"))?;
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| Problem::at(i, format!("line {} is not JSON: {e}", i + 1)))?;
        let at = super::time_field(&v, "at", i)?;
        let what = super::text_field(&v, "text").ok_or_else(|| Problem::at(i, "no text"))?;
        let id = super::text_field(&v, "source_id");
        out.push(event("jsonl", at, what, id));
    }
    Ok(out)
}

/// Rows of `at,text[,source_id]`; a first row naming the columns is skipped.
pub fn csv(bytes: &[u8]) -> Result<Vec<Event>, Problem> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut out = Vec::new();
    for (i, row) in reader.records().enumerate() {
        let row = row.map_err(|e| Problem::at(i, format!("not CSV: {e}")))?;
        let (Some(at), Some(what)) = (row.get(0), row.get(1)) else {
            return Err(Problem::at(i, "needs at least two columns: at,text"));
        };
        if i == 0 && at.trim().eq_ignore_ascii_case("at") {
            continue;
        }
        let at = DateTime::parse_from_rfc3339(at.trim()).map_err(|e| {
            Problem::at(
                i,
                format!("at = '{}' is not an RFC 3339 time: {e}", at.trim()),
            )
        })?;
        if what.trim().is_empty() {
            return Err(Problem::at(i, "no text"));
        }
        out.push(event(
            "csv",
            at,
            what.trim(),
            row.get(2).filter(|s| !s.trim().is_empty()),
        ));
    }
    Ok(out)
}

/// Without an id of its own, an entry is known by its time and text.
fn event(
    source: &'static str,
    at: chrono::DateTime<chrono::FixedOffset>,
    text: &str,
    id: Option<&str>,
) -> Event {
    Event {
        source_id: id
            .map(str::to_string)
            .unwrap_or_else(|| format!("{}|{text}", crate::time::format_rfc3339(&at))),
        at,
        text: super::clean(text),
        source,
        marks: None,
    }
}
