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
