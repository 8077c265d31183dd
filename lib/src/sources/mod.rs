//! Where incidents come from: documents from alerting and chat, read into
//! timeline events. Pure: bytes in, events out (or an error naming the
//! entry); `ops::import` puts them into a record.
//!
//! Formats, from their public documentation:
//! - `pagerduty`: the REST API's incident log entries
//!   (`GET /incidents/{id}/log_entries`: `{"log_entries": [...]}`), and an
//!   incident (`GET /incidents/{id}`: `{"incident": {...}}`) for `new --from`;
//! - `alertmanager`: Prometheus Alertmanager's webhook payload, version 4;
//! - `slack`: one channel's file from a Slack export (an array of messages
//!   with `ts`, `user`, `text`);
//! - `jsonl` and `csv`: `at,text[,source_id]`, for everything else.

mod alertmanager;
mod generic;
mod pagerduty;
mod slack;

pub use pagerduty::{Incident, incident};

use chrono::{DateTime, FixedOffset};

/// The incident time an event marks, when its source says so.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Detected,
    Acknowledged,
    Resolved,
}

impl Mark {
    pub fn field(self) -> &'static str {
        match self {
            Mark::Detected => "detected_at",
            Mark::Acknowledged => "acknowledged_at",
            Mark::Resolved => "resolved_at",
        }
    }
}

/// One thing that happened, as the source recorded it.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The exact instant, with the source's offset and sub-seconds.
    pub at: DateTime<FixedOffset>,
    pub text: String,
    pub source: &'static str,
    /// The source's own id for it: importing it again adds nothing.
    pub source_id: String,
    pub marks: Option<Mark>,
    /// Its entry in the document, counted from 1 (for messages).
    pub entry: usize,
    /// The incident it belongs to, when the source says (PagerDuty).
    pub incident: Option<String>,
}

/// What a document held: its events in time order, and how many the
/// window (`--since`, `--until`, `--match`) left out.
#[derive(Debug, Default)]
pub struct Read {
    pub events: Vec<Event>,
    pub outside: usize,
}

/// The kinds of document `import` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Pagerduty,
    Alertmanager,
    Slack,
    Jsonl,
    Csv,
}

impl Kind {
    /// As the command line names it: `pagerduty`, `jsonl`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Pagerduty => "pagerduty",
            Kind::Alertmanager => "alertmanager",
            Kind::Slack => "slack",
            Kind::Jsonl => "jsonl",
            Kind::Csv => "csv",
        }
    }
}

/// Which events to keep: the incident's window, and (`--match`) those
/// with a word, or for Slack a reaction.
#[derive(Debug, Clone, Default)]
pub struct Window {
    pub since: Option<DateTime<FixedOffset>>,
    pub until: Option<DateTime<FixedOffset>>,
    pub matching: Option<String>,
}

impl Window {
    /// `reacted`: someone reacted to it (Slack), which `--match` counts as
    /// the team marking it.
    pub fn keeps(&self, at: &DateTime<FixedOffset>, text: &str, reacted: bool) -> bool {
        if self.since.is_some_and(|s| *at < s) || self.until.is_some_and(|u| *at >= u) {
            return false;
        }
        match &self.matching {
            None => true,
            Some(word) => reacted || crate::text::contains_folded(text, word),
        }
    }
}

/// What was wrong, and where: `entry 3` (counted from 1), or the document.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub entry: Option<usize>,
    pub message: String,
}

impl Problem {
    pub fn at(entry: usize, message: impl Into<String>) -> Problem {
        Problem {
            entry: Some(entry + 1),
            message: message.into(),
        }
    }

    pub fn whole(message: impl Into<String>) -> Problem {
        Problem {
            entry: None,
            message: message.into(),
        }
    }

    /// `incident.json: entry 3: no created_at`.
    pub fn in_file(&self, file: &str) -> String {
        match self.entry {
            Some(n) => format!("{file}: entry {n}: {}", self.message),
            None => format!("{file}: {}", self.message),
        }
    }
}

/// The longest text one timeline entry takes from a source.
pub const MAX_TEXT: usize = 64 * 1024;

/// The most entries one import adds: a timeline people read, and a record
/// (and the memory to write it) of a sane size. A longer log is cut to the
/// incident with `--since`/`--until`.
pub const MAX_EVENTS: usize = 20_000;

/// The events in a document of `kind`, in time order.
pub fn read(kind: Kind, bytes: &[u8], window: &Window) -> Result<Read, Problem> {
    let bytes = without_bom(bytes);
    let (mut events, outside) = match kind {
        Kind::Pagerduty => (pagerduty::log_entries(&json(bytes)?)?, 0),
        Kind::Alertmanager => (alertmanager::webhook(&json(bytes)?)?, 0),
        // Slack knows its reactions, so it applies the window itself.
        Kind::Slack => slack::channel(&json(bytes)?, window)?,
        Kind::Jsonl => (generic::jsonl(bytes)?, 0),
        Kind::Csv => (generic::csv(bytes)?, 0),
    };
    let before = events.len();
    if kind != Kind::Slack {
        events.retain(|e| window.keeps(&e.at, &e.text, false));
    }
    let outside = outside + before - events.len();
    // Only what is imported must be importable: an entry cut out by the
    // window does not stop the rest.
    check(&events)?;
    if events.len() > MAX_EVENTS {
        return Err(Problem::whole(format!(
            "{} entries in the window; one import takes at most {MAX_EVENTS}: cut it to the incident with --since and --until",
            events.len()
        )));
    }
    events.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.source_id.cmp(&b.source_id)));
    Ok(Read { events, outside })
}

/// What every source must give: times a record can hold, texts of a
/// sane size, and one id for one thing.
fn check(events: &[Event]) -> Result<(), Problem> {
    let mut seen: std::collections::HashMap<&str, &Event> = std::collections::HashMap::new();
    for e in events {
        if !crate::time::year_ok(&e.at) {
            return Err(Problem::at(
                e.entry - 1,
                format!(
                    "the time {} is outside the years 1900-9999",
                    e.at.to_rfc3339()
                ),
            ));
        }
        if e.text.len() > MAX_TEXT {
            return Err(Problem::at(
                e.entry - 1,
                format!(
                    "its text is {} KiB; a timeline entry takes at most {} KiB",
                    e.text.len() / 1024,
                    MAX_TEXT / 1024
                ),
            ));
        }
        if let Some(first) = seen.insert(&e.source_id, e)
            && (first.at != e.at || first.text != e.text)
        {
            return Err(Problem::at(
                e.entry - 1,
                format!(
                    "id '{}' is also entry {}'s, with another time or text: one id, one event",
                    crate::text::inline(&e.source_id),
                    first.entry
                ),
            ));
        }
    }
    Ok(())
}

/// A stable id for an entry without one of its own: its instant in UTC
/// (the same instant written with another offset is the same entry) and
/// a 64-bit FNV-1a hash of its text (an id stays short, whatever the text).
pub fn derived_id(at: &DateTime<FixedOffset>, text: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{}|{hash:016x}", utc(at))
}

/// An instant in UTC, RFC 3339, for ids.
pub fn utc(at: &DateTime<FixedOffset>) -> String {
    at.with_timezone(&chrono::Utc)
        .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true)
}

/// Source text as one timeline entry holds it: control characters (a
/// terminal's escape sequences) dropped, lines kept, ends trimmed.
fn clean(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || *c == '\n' || *c == '\t')
        .collect::<String>()
        .trim()
        .to_string()
}

fn json(bytes: &[u8]) -> Result<serde_json::Value, Problem> {
    serde_json::from_slice(bytes).map_err(|e| {
        Problem::whole(format!(
            "not JSON at line {}, column {}: {e}",
            e.line(),
            e.column()
        ))
    })
}

/// An RFC 3339 time from field `key` of entry `i`, kept exactly.
fn time_field(
    v: &serde_json::Value,
    key: &str,
    i: usize,
) -> Result<DateTime<FixedOffset>, Problem> {
    let s = v
        .get(key)
        .and_then(|t| t.as_str())
        .ok_or_else(|| Problem::at(i, format!("no {key}: every entry needs its time")))?;
    DateTime::parse_from_rfc3339(s)
        .map_err(|e| Problem::at(i, format!("{key} = '{s}' is not an RFC 3339 time: {e}")))
}

fn text_field<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    v.get(key)
        .and_then(|t| t.as_str())
        .filter(|s| !s.trim().is_empty())
}

/// An id field, as a string or a number (`"id": 5`).
fn id_field(v: &serde_json::Value, key: &str) -> Option<String> {
    match v.get(key)? {
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// The bytes without a leading byte-order mark (Excel's CSV, Windows
/// editors): it is not content.
pub fn without_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn line(at: &str, text: &str) -> String {
        format!("{{\"at\": \"{at}\", \"text\": \"{text}\"}}\n")
    }

    fn texts(r: &Read) -> Vec<&str> {
        r.events.iter().map(|e| e.text.as_str()).collect()
    }

    #[test]
    fn events_come_out_in_time_order_across_offsets() {
        // 00:10 UTC is 09:10 in Seoul: before 09:30 +09:00, though written after.
        let doc =
            line("2026-11-03T09:30:00+09:00", "second") + &line("2026-11-03T00:10:00Z", "first");
        let r = read(Kind::Jsonl, doc.as_bytes(), &Window::default()).unwrap();
        assert_eq!(texts(&r), ["first", "second"]);
        assert_eq!(r.outside, 0);
    }

    #[test]
    fn the_window_keeps_since_up_to_but_not_including_until() {
        let doc = [
            line("2026-11-03T09:00:00+09:00", "before"),
            line("2026-11-03T09:10:00+09:00", "at since"),
            line("2026-11-03T09:20:00+09:00", "at until"),
        ]
        .concat();
        let window = Window {
            since: Some(at("2026-11-03T00:10:00Z")),
            until: Some(at("2026-11-03T09:20:00+09:00")),
            matching: None,
        };
        let r = read(Kind::Jsonl, doc.as_bytes(), &window).unwrap();
        assert_eq!(texts(&r), ["at since"]);
        assert_eq!(r.outside, 2);
    }

    #[test]
    fn match_keeps_entries_holding_the_word_in_any_case() {
        let doc = [
            line("2026-11-03T09:00:00Z", "DB pool exhausted"),
            line("2026-11-03T09:01:00Z", "lunch"),
            line("2026-11-03T09:02:00Z", "결제 DB 복구"),
        ]
        .concat();
        let window = Window {
            matching: Some("db".into()),
            ..Window::default()
        };
        let r = read(Kind::Jsonl, doc.as_bytes(), &window).unwrap();
        assert_eq!(texts(&r), ["DB pool exhausted", "결제 DB 복구"]);
        assert_eq!(r.outside, 1);
    }

    #[test]
    fn a_byte_order_mark_is_not_content() {
        let doc = "\u{feff}at,text\n2026-11-03T09:00:00Z,결제 장애\n";
        let r = read(Kind::Csv, doc.as_bytes(), &Window::default()).unwrap();
        assert_eq!(texts(&r), ["결제 장애"]);
    }

    #[test]
    fn one_id_with_two_different_events_is_refused_naming_both_entries() {
        let doc = "{\"at\": \"2026-11-03T09:00:00Z\", \"text\": \"a\", \"source_id\": \"x\"}\n\
                   {\"at\": \"2026-11-03T09:00:00Z\", \"text\": \"b\", \"source_id\": \"x\"}\n";
        let p = read(Kind::Jsonl, doc.as_bytes(), &Window::default()).unwrap_err();
        assert_eq!(p.entry, Some(2));
        assert!(
            p.message.contains("id 'x' is also entry 1's"),
            "{}",
            p.message
        );
    }

    #[test]
    fn the_same_event_written_twice_is_not_a_conflict() {
        let doc = line("2026-11-03T09:00:00Z", "a").repeat(2);
        let r = read(Kind::Jsonl, doc.as_bytes(), &Window::default()).unwrap();
        assert_eq!(r.events.len(), 2);
        assert_eq!(r.events[0].source_id, r.events[1].source_id);
    }

    #[test]
    fn a_time_a_record_cannot_hold_is_refused_unless_the_window_cuts_it() {
        let doc = line("2026-11-03T09:00:00Z", "ok") + &line("0999-01-01T00:00:00Z", "ancient");
        let p = read(Kind::Jsonl, doc.as_bytes(), &Window::default()).unwrap_err();
        assert_eq!(p.entry, Some(2));
        assert!(
            p.message.contains("outside the years 1900-9999"),
            "{}",
            p.message
        );
        let window = Window {
            since: Some(at("2026-01-01T00:00:00Z")),
            ..Window::default()
        };
        let r = read(Kind::Jsonl, doc.as_bytes(), &window).unwrap();
        assert_eq!((texts(&r), r.outside), (vec!["ok"], 1));
    }

    #[test]
    fn a_text_over_64_kib_is_refused() {
        let doc = line("2026-11-03T09:00:00Z", &"x".repeat(MAX_TEXT + 1));
        let p = read(Kind::Jsonl, doc.as_bytes(), &Window::default()).unwrap_err();
        assert!(
            p.message.contains("a timeline entry takes at most 64 KiB"),
            "{}",
            p.message
        );
        // Exactly the limit is fine; Hangul counts in bytes (3 each).
        let fits = line("2026-11-03T09:00:00Z", &"x".repeat(MAX_TEXT));
        assert!(read(Kind::Jsonl, fits.as_bytes(), &Window::default()).is_ok());
        let hangul = line("2026-11-03T09:00:00Z", &"가".repeat(MAX_TEXT / 3 + 1));
        assert!(read(Kind::Jsonl, hangul.as_bytes(), &Window::default()).is_err());
    }

    #[test]
    fn more_than_max_events_in_the_window_is_refused() {
        let start = at("2026-11-03T00:00:00Z");
        let doc: String = (0..=MAX_EVENTS as i64)
            .map(|i| {
                let t = start + chrono::Duration::seconds(i);
                line(&t.to_rfc3339(), "e")
            })
            .collect();
        let p = read(Kind::Jsonl, doc.as_bytes(), &Window::default()).unwrap_err();
        assert!(
            p.message.starts_with("20001 entries in the window"),
            "{}",
            p.message
        );
        // The window brings it under the limit.
        let window = Window {
            since: Some(start + chrono::Duration::seconds(1)),
            ..Window::default()
        };
        let r = read(Kind::Jsonl, doc.as_bytes(), &window).unwrap();
        assert_eq!((r.events.len(), r.outside), (MAX_EVENTS, 1));
    }

    #[test]
    fn hostile_bytes_are_errors_not_panics() {
        let docs: [&[u8]; 6] = [b"", b"\xff\xfe", b"{", b"[[[[", b"null", b"\xEF\xBB\xBF"];
        for kind in [Kind::Pagerduty, Kind::Alertmanager, Kind::Slack] {
            for doc in docs {
                assert!(
                    read(kind, doc, &Window::default()).is_err(),
                    "{kind:?} {doc:?}"
                );
            }
        }
        let deep = "[".repeat(10_000);
        assert!(read(Kind::Slack, deep.as_bytes(), &Window::default()).is_err());
        assert!(read(Kind::Jsonl, b"\xff", &Window::default()).is_err());
        assert!(read(Kind::Csv, b"\xff,\xff", &Window::default()).is_err());
    }

    #[test]
    fn not_json_says_where() {
        // Line 2 is `  "log_entries": [,]`: the comma is its 19th character.
        let p = read(
            Kind::Pagerduty,
            b"{\n  \"log_entries\": [,]\n}",
            &Window::default(),
        )
        .unwrap_err();
        assert_eq!(p.entry, None);
        assert!(
            p.message.starts_with("not JSON at line 2, column 19"),
            "{}",
            p.message
        );
    }

    #[test]
    fn derived_ids_name_the_instant_in_utc_and_hash_the_text() {
        let seoul = at("2026-11-03T09:20:00+09:00");
        let utc = at("2026-11-03T00:20:00Z");
        assert_eq!(derived_id(&seoul, "a"), derived_id(&utc, "a"));
        // FNV-1a 64: the offset basis alone for "", af63dc4c8601ec8c for "a".
        assert_eq!(
            derived_id(&utc, ""),
            "2026-11-03T00:20:00Z|cbf29ce484222325"
        );
        assert_eq!(
            derived_id(&utc, "a"),
            "2026-11-03T00:20:00Z|af63dc4c8601ec8c"
        );
        assert_eq!(
            derived_id(&at("2026-11-03T00:20:00.25Z"), "a"),
            "2026-11-03T00:20:00.250Z|af63dc4c8601ec8c"
        );
    }

    #[test]
    fn problems_say_the_file_and_the_entry() {
        assert_eq!(
            Problem::at(2, "no created_at").in_file("incident.json"),
            "incident.json: entry 3: no created_at"
        );
        assert_eq!(Problem::whole("empty").in_file("a.csv"), "a.csv: empty");
    }
}
