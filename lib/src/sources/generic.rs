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

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(events: &[Event]) -> Vec<&str> {
        events.iter().map(|e| e.text.as_str()).collect()
    }

    #[test]
    fn jsonl_skips_blank_lines_and_counts_entries_by_line() {
        let doc = "{\"at\": \"2026-11-03T09:20:00+09:00\", \"text\": \"alert fired\"}\n\n  \n{\"at\": \"2026-11-03T00:21:00Z\", \"text\": \"결제 회복\", \"source_id\": 7}\n";
        let events = jsonl(doc.as_bytes()).unwrap();
        assert_eq!(texts(&events), ["alert fired", "결제 회복"]);
        assert_eq!(events[0].entry, 1);
        assert_eq!(events[1].entry, 4);
        assert_eq!(events[1].source_id, "7");
        assert_eq!(events[0].source, "jsonl");
        // The offsets written are kept.
        assert_eq!(events[0].at.to_rfc3339(), "2026-11-03T09:20:00+09:00");
        assert_eq!(events[1].at.to_rfc3339(), "2026-11-03T00:21:00+00:00");
    }

    #[test]
    fn jsonl_reads_windows_line_endings() {
        let doc = "{\"at\": \"2026-11-03T09:20:00Z\", \"text\": \"a\"}\r\n{\"at\": \"2026-11-03T09:21:00Z\", \"text\": \"b\"}\r\n";
        assert_eq!(texts(&jsonl(doc.as_bytes()).unwrap()), ["a", "b"]);
    }

    #[test]
    fn an_entry_without_its_own_id_is_known_by_instant_and_text() {
        let doc = "{\"at\": \"2026-11-03T09:20:00+09:00\", \"text\": \"a\"}";
        let e = &jsonl(doc.as_bytes()).unwrap()[0];
        // FNV-1a 64 of "a" is af63dc4c8601ec8c.
        assert_eq!(e.source_id, "2026-11-03T00:20:00Z|af63dc4c8601ec8c");
    }

    #[test]
    fn jsonl_errors_name_the_line() {
        let good = "{\"at\": \"2026-11-03T09:20:00Z\", \"text\": \"a\"}\n";
        let cases: [(&[u8], &str); 5] = [
            (b"{\"at\": \"2026-11-03T09:20:00Z\", \"text\": \"a\"}\n{not json\n", "not JSON"),
            (b"{\"at\": \"2026-11-03T09:20:00Z\", \"text\": \"a\"}\n{\"text\": \"b\"}\n", "no at"),
            (b"{\"at\": \"2026-11-03T09:20:00Z\", \"text\": \"a\"}\n{\"at\": \"2026-11-03T09:20:00Z\", \"text\": \" \"}\n", "no text"),
            (b"{\"at\": \"2026-11-03T09:20:00Z\", \"text\": \"a\"}\n{\"at\": \"2026-11-03 09:20\", \"text\": \"b\"}\n", "at = '2026-11-03 09:20' is not an RFC 3339 time"),
            // `{"at": "` is 8 bytes: the 9th is not UTF-8.
            (b"{\"at\": \"2026-11-03T09:20:00Z\", \"text\": \"a\"}\n{\"at\": \"\xff\"}\n", "not UTF-8 text (byte 9)"),
        ];
        assert!(jsonl(good.as_bytes()).is_ok());
        for (doc, says) in cases {
            let p = jsonl(doc).unwrap_err();
            assert_eq!(p.entry, Some(2), "{}", p.message);
            assert!(p.message.starts_with(says), "{} / {says}", p.message);
        }
    }

    #[test]
    fn csv_skips_a_header_and_reads_quotes_and_ids() {
        let doc = "at,text,source_id\n2026-11-03T09:20:00+09:00,결제 알림,id-1\n 2026-11-03T00:21:00Z ,\"rollback, then restart\",\n";
        let events = csv(doc.as_bytes()).unwrap();
        assert_eq!(texts(&events), ["결제 알림", "rollback, then restart"]);
        assert_eq!(events[0].source_id, "id-1");
        assert_eq!(events[0].entry, 2);
        assert_eq!(events[1].entry, 3);
        assert!(events[1].source_id.starts_with("2026-11-03T00:21:00Z|"));
        assert_eq!(events[1].source, "csv");
    }

    #[test]
    fn csv_without_a_header_starts_at_the_first_row() {
        let events = csv(b"2026-11-03T09:20:00Z,first\n").unwrap();
        assert_eq!((events.len(), events[0].entry), (1, 1));
    }

    #[test]
    fn csv_errors_name_the_row() {
        let cases: [(&[u8], &str); 4] = [
            (
                b"2026-11-03T09:20:00Z,a\nonly-one-column\n",
                "needs at least two columns",
            ),
            (
                b"2026-11-03T09:20:00Z,a\nyesterday,b\n",
                "at = 'yesterday' is not an RFC 3339 time",
            ),
            (
                b"2026-11-03T09:20:00Z,a\n2026-11-03T09:21:00Z,  \n",
                "no text",
            ),
            (
                b"2026-11-03T09:20:00Z,a\n2026-11-03T09:21:00Z,\xff\n",
                "column 2 is not UTF-8 text",
            ),
        ];
        for (doc, says) in cases {
            let p = csv(doc).unwrap_err();
            assert_eq!(p.entry, Some(2), "{}", p.message);
            assert!(p.message.starts_with(says), "{} / {says}", p.message);
        }
    }

    #[test]
    fn an_unclosed_quote_is_refused_rather_than_swallowing_rows() {
        let doc = "2026-11-03T09:20:00Z,\"paged Bob\n2026-11-03T09:21:00Z,acknowledged\n";
        let p = csv(doc.as_bytes()).unwrap_err();
        assert_eq!(p.entry, Some(1));
        assert!(
            p.message.starts_with("a quote is not closed"),
            "{}",
            p.message
        );
        // A quoted text over two lines that do not start with a time is fine.
        let ok = "2026-11-03T09:20:00Z,\"line one\nline two\"\n";
        assert_eq!(texts(&csv(ok.as_bytes()).unwrap()), ["line one\nline two"]);
    }

    #[test]
    fn terminal_escapes_in_text_are_dropped() {
        let doc = "{\"at\": \"2026-11-03T09:20:00Z\", \"text\": \"\\u001b[2Jred\\u0007 alert\\r\"}";
        assert_eq!(texts(&jsonl(doc.as_bytes()).unwrap()), ["[2Jred alert"]);
    }
}
