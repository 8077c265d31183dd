//! PagerDuty's REST API documents: an incident's log entries
//! (`GET /incidents/{id}/log_entries`) and the incident itself
//! (`GET /incidents/{id}`).

use super::{Event, Mark, Problem, id_field, text_field, time_field};
use chrono::{DateTime, FixedOffset};
use serde_json::Value;

/// `{"log_entries": [{"id", "type", "summary", "created_at", …}]}`.
pub fn log_entries(doc: &Value) -> Result<Vec<Event>, Problem> {
    let entries = doc
        .get("log_entries")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            Problem::whole(
                "no \"log_entries\" list: expected the response of GET /incidents/{id}/log_entries",
            )
        })?;
    let mut out = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        let id = id_field(e, "id").ok_or_else(|| Problem::at(i, "no id"))?;
        let kind = text_field(e, "type").unwrap_or("log_entry");
        let at = time_field(e, "created_at", i)?;
        // `trigger_log_entry` and `trigger_log_entry_reference` alike.
        let verb = kind.strip_suffix("_reference").unwrap_or(kind);
        let verb = verb.strip_suffix("_log_entry").unwrap_or(verb);
        let marks = match verb {
            "trigger" => Some(Mark::Detected),
            "acknowledge" => Some(Mark::Acknowledged),
            "resolve" => Some(Mark::Resolved),
            _ => None,
        };
        let mut text = format!("PagerDuty {verb}: {}", own_words(e, verb).unwrap_or(verb));
        if let Some(d) = e
            .get("event_details")
            .and_then(|d| text_field(d, "description"))
        {
            text.push_str(&format!(" ({d})"));
        }
        out.push(Event {
            at,
            text: super::clean(&text),
            source: "pagerduty",
            source_id: id,
            marks,
            entry: i + 1,
            incident: e.get("incident").and_then(|n| id_field(n, "id")),
        });
    }
    Ok(out)
}

/// The entry's own words. A note's are in its channel (the summary only
/// says "Note added"); a trigger's are the alert's text, in its channel,
/// else the incident's title (the summary only says "Triggered through
/// the API"); any other entry's are its summary.
fn own_words<'a>(e: &'a Value, verb: &str) -> Option<&'a str> {
    let channel = |key: &str| e.get("channel").and_then(|c| text_field(c, key));
    let words = match verb {
        "annotate" => channel("summary").or_else(|| channel("content")),
        "trigger" => channel("summary")
            .or_else(|| channel("description"))
            .or_else(|| e.get("incident").and_then(|i| text_field(i, "summary"))),
        _ => None,
    };
    words.or_else(|| text_field(e, "summary"))
}

/// What `new --from pagerduty` takes from an incident.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    pub id: String,
    pub title: String,
    pub created_at: DateTime<FixedOffset>,
    /// `P1`…`P5` when the account uses priorities.
    pub priority: Option<String>,
    /// `high` or `low`.
    pub urgency: Option<String>,
    pub service: Option<String>,
    pub url: Option<String>,
}

/// `{"incident": {"id", "title", "created_at", "urgency", "priority":
/// {"summary"}, "service": {"summary"}, "html_url"}}` (or the incident
/// object alone).
pub fn incident(bytes: &[u8]) -> Result<Incident, Problem> {
    let bytes = super::without_bom(bytes);
    let doc = super::json(bytes)?;
    let i = doc.get("incident").unwrap_or(&doc);
    let field = |k: &str| text_field(i, k).map(super::clean);
    let id = id_field(i, "id").ok_or_else(|| {
        Problem::whole("the incident has no id: expected the response of GET /incidents/{id}")
    })?;
    let title = field("title")
        .or_else(|| field("summary"))
        .ok_or_else(|| Problem::whole("the incident has no title"))?;
    let created = text_field(i, "created_at")
        .ok_or_else(|| Problem::whole("the incident has no created_at"))?;
    let created_at = DateTime::parse_from_rfc3339(created).map_err(|e| {
        Problem::whole(format!(
            "created_at = '{created}' is not an RFC 3339 time: {e}"
        ))
    })?;
    if !crate::time::year_ok(&created_at) {
        return Err(Problem::whole(format!(
            "created_at = '{created}' is outside the years 1900-9999"
        )));
    }
    Ok(Incident {
        id,
        title,
        created_at,
        priority: i
            .get("priority")
            .and_then(|p| text_field(p, "summary").or_else(|| text_field(p, "name")))
            .map(str::to_string),
        urgency: field("urgency"),
        service: i
            .get("service")
            .and_then(|s| text_field(s, "summary").or_else(|| text_field(s, "name")))
            .map(super::clean),
        url: field("html_url"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn entry(id: Value, kind: &str, summary: &str) -> Value {
        json!({
            "id": id,
            "type": kind,
            "summary": summary,
            "created_at": "2026-11-03T09:20:00+09:00",
            "incident": {"id": "PABC123"}
        })
    }

    #[test]
    fn trigger_acknowledge_and_resolve_mark_the_incident_times() {
        let doc = json!({"log_entries": [
            entry(json!("R1"), "trigger_log_entry", "Triggered through the API"),
            entry(json!("R2"), "acknowledge_log_entry_reference", "Acknowledged by Bob"),
            entry(json!("R3"), "resolve_log_entry", "Resolved by Bob"),
            entry(json!("R4"), "notify_log_entry", "Notified Bob"),
        ]});
        let events = log_entries(&doc).unwrap();
        let got: Vec<(&str, Option<Mark>)> =
            events.iter().map(|e| (e.text.as_str(), e.marks)).collect();
        assert_eq!(
            got,
            [
                (
                    "PagerDuty trigger: Triggered through the API",
                    Some(Mark::Detected)
                ),
                (
                    "PagerDuty acknowledge: Acknowledged by Bob",
                    Some(Mark::Acknowledged)
                ),
                ("PagerDuty resolve: Resolved by Bob", Some(Mark::Resolved)),
                ("PagerDuty notify: Notified Bob", None),
            ]
        );
        assert_eq!(events[1].source_id, "R2");
        assert_eq!(events[1].incident.as_deref(), Some("PABC123"));
    }

    #[test]
    fn a_trigger_shows_the_alerts_text_not_triggered_through_the_api() {
        let mut e = entry(
            json!("R1"),
            "trigger_log_entry",
            "Triggered through the API",
        );
        e["channel"] = json!({"type": "api", "summary": "payments-api 5xx rate > 5%"});
        let events = log_entries(&json!({"log_entries": [e.clone()]})).unwrap();
        assert_eq!(
            events[0].text,
            "PagerDuty trigger: payments-api 5xx rate > 5%"
        );
        // Without a channel text, the incident's title.
        e["channel"] = json!({"type": "api"});
        e["incident"] = json!({"id": "PABC123", "summary": "[#42] Checkout errors"});
        let events = log_entries(&json!({"log_entries": [e]})).unwrap();
        assert_eq!(events[0].text, "PagerDuty trigger: [#42] Checkout errors");
    }

    #[test]
    fn a_note_shows_its_words_not_note_added() {
        let mut e = entry(json!("R9"), "annotate_log_entry", "Note added");
        e["channel"] = json!({"type": "note", "summary": "DB 커넥션 풀 고갈 확인"});
        let events = log_entries(&json!({"log_entries": [e]})).unwrap();
        assert_eq!(events[0].text, "PagerDuty annotate: DB 커넥션 풀 고갈 확인");
    }

    #[test]
    fn event_details_follow_the_summary_and_numeric_ids_are_ids() {
        let mut e = entry(json!(42), "trigger_log_entry", "Triggered");
        e["event_details"] = json!({"description": "5xx > 5%"});
        let events = log_entries(&json!({"log_entries": [e]})).unwrap();
        assert_eq!(events[0].text, "PagerDuty trigger: Triggered (5xx > 5%)");
        assert_eq!(events[0].source_id, "42");
        // The offset PagerDuty gave is kept.
        assert_eq!(events[0].at.to_rfc3339(), "2026-11-03T09:20:00+09:00");
    }

    #[test]
    fn an_entry_without_an_id_or_time_is_named() {
        let no_id = json!({"log_entries": [
            entry(json!("R1"), "trigger_log_entry", "x"),
            {"type": "trigger_log_entry", "created_at": "2026-11-03T09:20:00Z"}
        ]});
        let p = log_entries(&no_id).unwrap_err();
        assert_eq!((p.entry, p.message.as_str()), (Some(2), "no id"));
        let bad_time = json!({"log_entries": [{"id": "R1", "created_at": "yesterday"}]});
        let p = log_entries(&bad_time).unwrap_err();
        assert_eq!(p.entry, Some(1));
        assert!(
            p.message
                .starts_with("created_at = 'yesterday' is not an RFC 3339 time"),
            "{}",
            p.message
        );
    }

    #[test]
    fn a_document_that_is_not_a_log_is_an_error_not_a_panic() {
        for doc in [
            json!({}),
            json!({"log_entries": {}}),
            json!("x"),
            json!({"log_entries": [null]}),
        ] {
            assert!(log_entries(&doc).is_err(), "{doc}");
        }
    }

    #[test]
    fn an_incident_gives_title_time_priority_urgency_service_and_url() {
        let doc = r#"{"incident": {"id": "PABC123", "title": "결제 서버 장애",
            "created_at": "2026-11-03T09:20:00+09:00", "urgency": "high",
            "priority": {"summary": "P1"}, "service": {"summary": "payments-api"},
            "html_url": "https://acme.pagerduty.com/incidents/PABC123"}}"#;
        let i = incident(doc.as_bytes()).unwrap();
        assert_eq!(
            i,
            Incident {
                id: "PABC123".into(),
                title: "결제 서버 장애".into(),
                created_at: DateTime::parse_from_rfc3339("2026-11-03T09:20:00+09:00").unwrap(),
                priority: Some("P1".into()),
                urgency: Some("high".into()),
                service: Some("payments-api".into()),
                url: Some("https://acme.pagerduty.com/incidents/PABC123".into()),
            }
        );
    }

    #[test]
    fn a_bare_incident_object_with_a_bom_and_only_a_summary_reads() {
        let doc = "\u{feff}{\"id\": 7, \"summary\": \"Disk full\", \"created_at\": \"2026-11-03T00:00:00Z\"}";
        let i = incident(doc.as_bytes()).unwrap();
        assert_eq!((i.id.as_str(), i.title.as_str()), ("7", "Disk full"));
        assert_eq!((i.priority, i.service), (None, None));
    }

    #[test]
    fn an_incident_missing_its_parts_says_which() {
        let err = |s: &str| incident(s.as_bytes()).unwrap_err().message;
        assert!(err("[]").contains("no id"));
        assert!(err(r#"{"id": "P1", "created_at": "2026-11-03T00:00:00Z"}"#).contains("no title"));
        assert!(err(r#"{"id": "P1", "title": "t"}"#).contains("no created_at"));
        assert!(
            err(r#"{"id": "P1", "title": "t", "created_at": "1800-01-01T00:00:00Z"}"#)
                .contains("outside the years 1900-9999")
        );
        assert!(
            err(r#"{"id": "P1", "title": "t", "created_at": "soon"}"#)
                .contains("created_at = 'soon' is not an RFC 3339 time")
        );
        assert!(err("{\"id\": ").starts_with("not JSON at line 1"));
    }
}
