//! A channel's file from a Slack export: an array of messages with `ts`
//! (seconds and microseconds since the epoch, UTC), `user`, `text`, and
//! optionally `reactions` and `user_profile`.

use super::{Event, Problem, Window, text_field};
use chrono::{DateTime, FixedOffset};
use serde_json::Value;

/// The messages in the window, and how many the window left out.
pub fn channel(doc: &Value, window: &Window) -> Result<(Vec<Event>, usize), Problem> {
    let messages = doc.as_array().ok_or_else(|| {
        Problem::whole("not a list of messages: expected one channel's file from a Slack export")
    })?;
    let mut out = Vec::new();
    let mut outside = 0;
    for (i, m) in messages.iter().enumerate() {
        if text_field(m, "type").is_some_and(|t| t != "message") {
            continue;
        }
        // Joins, leaves and topic changes are not the incident.
        if text_field(m, "subtype").is_some_and(|s| s.starts_with("channel_") || s == "group_join")
        {
            continue;
        }
        let ts = text_field(m, "ts")
            .ok_or_else(|| Problem::at(i, "no ts: every message needs its time"))?;
        let at = parse_ts(ts).ok_or_else(|| {
            Problem::at(
                i,
                format!("ts = '{ts}' is not seconds.micro since the epoch"),
            )
        })?;
        let text = text_field(m, "text").unwrap_or("");
        let reacted = m
            .get("reactions")
            .and_then(Value::as_array)
            .is_some_and(|r| !r.is_empty());
        if !window.keeps(&at, text, reacted) {
            outside += 1;
            continue;
        }
        let who = m
            .get("user_profile")
            .and_then(|p| text_field(p, "display_name").or_else(|| text_field(p, "real_name")))
            .or_else(|| text_field(m, "user"))
            .or_else(|| text_field(m, "username"))
            .unwrap_or("someone");
        out.push(Event {
            at,
            text: super::clean(&format!("Slack, {who}: {text}")),
            source: "slack",
            source_id: ts.to_string(),
            marks: None,
            entry: i + 1,
            incident: None,
        });
    }
    Ok((out, outside))
}

/// `1700000000.123456` → that instant in UTC, microseconds kept.
fn parse_ts(ts: &str) -> Option<DateTime<FixedOffset>> {
    let (secs, frac) = ts.split_once('.').unwrap_or((ts, "0"));
    // Slack's clock starts in 2013: a sign or anything else is not a ts.
    if secs.is_empty() || !secs.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let secs: i64 = secs.parse().ok()?;
    if frac.is_empty() || frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let nanos: u32 = format!("{frac:0<9}").parse().ok()?;
    DateTime::from_timestamp(secs, nanos).map(|t| t.fixed_offset())
}
