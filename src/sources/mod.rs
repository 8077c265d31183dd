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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Kind {
    Pagerduty,
    Alertmanager,
    Slack,
    Jsonl,
    Csv,
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

/// The events in a document of `kind`, in time order.
pub fn read(kind: Kind, bytes: &[u8], window: &Window) -> Result<Vec<Event>, Problem> {
    let mut events = match kind {
        Kind::Pagerduty => pagerduty::log_entries(&json(bytes)?)?,
        Kind::Alertmanager => alertmanager::webhook(&json(bytes)?)?,
        // Slack knows its reactions, so it applies the window itself.
        Kind::Slack => return slack::channel(&json(bytes)?, window).map(in_order),
        Kind::Jsonl => generic::jsonl(bytes)?,
        Kind::Csv => generic::csv(bytes)?,
    };
    events.retain(|e| window.keeps(&e.at, &e.text, false));
    Ok(in_order(events))
}

fn in_order(mut events: Vec<Event>) -> Vec<Event> {
    events.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.source_id.cmp(&b.source_id)));
    events
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
