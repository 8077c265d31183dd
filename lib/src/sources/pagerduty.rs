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
        // A note's words are in its channel; the summary only says "Note added".
        let note = (verb == "annotate")
            .then(|| {
                e.get("channel")
                    .and_then(|c| text_field(c, "summary").or_else(|| text_field(c, "content")))
            })
            .flatten();
        let mut text = format!(
            "PagerDuty {verb}: {}",
            note.or_else(|| text_field(e, "summary")).unwrap_or(verb)
        );
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
