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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read(doc: &Value) -> Vec<Event> {
        channel(doc, &Window::default()).unwrap().0
    }

    #[test]
    fn ts_is_seconds_and_microseconds_since_the_epoch_in_utc() {
        // 1700000000 s after the epoch is 2023-11-14 22:13:20 UTC.
        let t = parse_ts("1700000000.123456").unwrap();
        assert_eq!(t.to_rfc3339(), "2023-11-14T22:13:20.123456+00:00");
        assert_eq!(parse_ts("1700000000").unwrap().timestamp(), 1_700_000_000);
    }

    #[test]
    fn anything_but_digits_dot_digits_is_not_a_ts() {
        for bad in [
            "",
            "-1.5",
            "+1700000000.1",
            "1700000000.",
            ".5",
            "17e8.0",
            "1.0123456789",
            "1.2.3",
            "١٧٠٠٠٠٠٠٠٠.0",
            "99999999999999999999.0",
        ] {
            assert_eq!(parse_ts(bad), None, "{bad}");
        }
    }

    #[test]
    fn messages_become_events_named_by_who_said_them() {
        let doc = json!([
            {"type": "message", "user": "U01", "text": "결제 실패 확인", "ts": "1700000000.123456"},
            {"type": "message", "user": "U02", "user_profile": {"display_name": "", "real_name": "Kim Minsu"},
             "text": "rolling back", "ts": "1700000100.000200"},
            {"type": "message", "text": "bot says hi", "ts": "1700000200.000000"},
        ]);
        let events = read(&doc);
        let got: Vec<(&str, &str, usize)> = events
            .iter()
            .map(|e| (e.text.as_str(), e.source_id.as_str(), e.entry))
            .collect();
        assert_eq!(
            got,
            [
                ("Slack, U01: 결제 실패 확인", "1700000000.123456", 1),
                ("Slack, Kim Minsu: rolling back", "1700000100.000200", 2),
                ("Slack, someone: bot says hi", "1700000200.000000", 3),
            ]
        );
        assert!(
            events
                .iter()
                .all(|e| e.source == "slack" && e.marks.is_none())
        );
    }

    #[test]
    fn joins_and_other_kinds_are_skipped() {
        let doc = json!([
            {"type": "message", "subtype": "channel_join", "user": "U01", "text": "has joined", "ts": "1700000000.000001"},
            {"type": "message", "subtype": "group_join", "text": "joined", "ts": "1700000000.000002"},
            {"type": "reaction_added", "ts": "1700000000.000003"},
            {"type": "message", "subtype": "bot_message", "username": "alertbot", "text": "5xx up", "ts": "1700000000.000004"},
        ]);
        let events = read(&doc);
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].text, "Slack, alertbot: 5xx up");
        assert_eq!(events[0].entry, 4);
    }

    #[test]
    fn a_bad_ts_names_the_message() {
        let doc = json!([
            {"type": "message", "text": "ok", "ts": "1700000000.1"},
            {"type": "message", "text": "bad", "ts": "yesterday"},
        ]);
        let p = channel(&doc, &Window::default()).unwrap_err();
        assert_eq!(p.entry, Some(2));
        assert!(p.message.contains("ts = 'yesterday'"), "{}", p.message);
        let p = channel(&json!([{"text": "no time"}]), &Window::default()).unwrap_err();
        assert_eq!(p.entry, Some(1));
        assert!(p.message.starts_with("no ts"), "{}", p.message);
    }

    #[test]
    fn a_document_that_is_not_a_list_is_an_error_not_a_panic() {
        for doc in [json!({}), json!("x"), json!(null)] {
            assert!(channel(&doc, &Window::default()).is_err());
        }
        // Entries that are not objects have no ts.
        assert!(channel(&json!([1]), &Window::default()).is_err());
    }

    #[test]
    fn the_window_counts_what_it_leaves_out_and_match_keeps_reacted_messages() {
        let doc = json!([
            {"text": "early", "ts": "1700000000.000000"},
            {"text": "DB pool exhausted", "ts": "1700000100.000000"},
            {"text": "lunch?", "ts": "1700000200.000000", "reactions": [{"name": "eyes"}]},
            {"text": "lunch!", "ts": "1700000300.000000", "reactions": []},
            {"text": "late", "ts": "1700000400.000000"},
        ]);
        let window = Window {
            since: Some(parse_ts("1700000100").unwrap()),
            until: Some(parse_ts("1700000400").unwrap()),
            matching: Some("db".into()),
        };
        let (events, outside) = channel(&doc, &window).unwrap();
        let texts: Vec<&str> = events.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Slack, someone: DB pool exhausted",
                "Slack, someone: lunch?"
            ]
        );
        assert_eq!(outside, 3);
    }
}
