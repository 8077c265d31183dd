//! `at,text[,source_id]` for everything else, as JSON lines or CSV.

use super::{Event, Problem};
use chrono::{DateTime, FixedOffset};

/// One `{"at": "…", "text": "…", "source_id": "…"}` per line; blank
/// lines are skipped, and entries are counted by line.
pub fn jsonl(bytes: &[u8]) -> Result<Vec<Event>, Problem> {
    let mut out = Vec::new();
    for (i, line) in bytes.split(|b| *b == b'\n').enumerate() {
        let line = std::str::from_utf8(line).map_err(|e| {
            Problem::at(i, format!("not UTF-8 text (byte {})", e.valid_up_to() + 1))
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value =
            serde_json::from_str(line).map_err(|e| Problem::at(i, format!("not JSON: {e}")))?;
        let at = super::time_field(&v, "at", i)?;
        let what = super::text_field(&v, "text").ok_or_else(|| Problem::at(i, "no text"))?;
        let id = super::id_field(&v, "source_id");
        out.push(event("jsonl", at, what, id, i));
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
    for (i, row) in reader.byte_records().enumerate() {
        let row = row.map_err(|e| Problem::at(i, format!("not CSV: {e}")))?;
        let field = |n: usize| -> Result<Option<&str>, Problem> {
            row.get(n)
                .map(|f| {
                    std::str::from_utf8(f)
                        .map_err(|_| Problem::at(i, format!("column {} is not UTF-8 text", n + 1)))
                })
                .transpose()
        };
        let (Some(at), Some(what)) = (field(0)?, field(1)?) else {
            return Err(Problem::at(i, "needs at least two columns: at,text"));
        };
        if i == 0 && at.trim().eq_ignore_ascii_case("at") {
            continue;
        }
        // A quote left open swallows the rows after it into one text: the
        // csv reader cannot tell, so a text that runs into a line starting
        // like a row of times is refused rather than imported as one.
        if what
            .lines()
            .skip(1)
            .any(|l| DateTime::parse_from_rfc3339(l.split(',').next().unwrap_or("").trim()).is_ok())
        {
            return Err(Problem::at(
                i,
                "a quote is not closed: the text runs on into the rows after it (a text that really holds a line starting with a time: import it as jsonl)",
            ));
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
        let id = field(2)?
            .filter(|s| !s.trim().is_empty())
            .map(|s| s.trim().to_string());
        out.push(event("csv", at, what.trim(), id, i));
    }
    Ok(out)
}

/// Without an id of its own, an entry is known by its instant and text.
fn event(
    source: &'static str,
    at: DateTime<FixedOffset>,
    text: &str,
    id: Option<String>,
    i: usize,
) -> Event {
    Event {
        source_id: id.unwrap_or_else(|| super::derived_id(&at, text)),
        at,
        text: super::clean(text),
        source,
        marks: None,
        entry: i + 1,
        incident: None,
    }
}
