//! Prometheus Alertmanager's webhook payload (version 4): `alerts` with
//! `status`, `labels`, `annotations`, `startsAt`, `endsAt`, `fingerprint`.

use super::{Event, Mark, Problem, text_field, time_field};
use serde_json::Value;

pub fn webhook(doc: &Value) -> Result<Vec<Event>, Problem> {
    if let Some(v) = text_field(doc, "version")
        && v != "4"
    {
        return Err(Problem::whole(format!(
            "webhook version {v}: this reads version 4 (Alertmanager 0.16 and later)"
        )));
    }
    let alerts = doc.get("alerts").and_then(Value::as_array).ok_or_else(|| {
        Problem::whole("no \"alerts\" list: expected an Alertmanager webhook payload")
    })?;
    let all_resolved = text_field(doc, "status") == Some("resolved");
    let mut out = Vec::new();
    for (i, a) in alerts.iter().enumerate() {
        let labels = a.get("labels");
        let name = labels
            .and_then(|l| text_field(l, "alertname"))
            .unwrap_or("alert");
        let what = a
            .get("annotations")
            .and_then(|n| text_field(n, "summary").or_else(|| text_field(n, "description")))
            .map(|s| format!(": {s}"))
            .unwrap_or_default();
        let id = text_field(a, "fingerprint")
            .map(str::to_string)
            .unwrap_or_else(|| format!("{name}#{}", i + 1));
        let starts = time_field(a, "startsAt", i)?;
        out.push(Event {
            at: starts,
            text: super::clean(&format!("Alert {name} firing{what}")),
            source: "alertmanager",
            source_id: format!("{id}:firing:{}", super::utc(&starts)),
            marks: Some(Mark::Detected),
            entry: i + 1,
            incident: None,
        });
        if text_field(a, "status") == Some("resolved") {
            let ends = time_field(a, "endsAt", i)?;
            // Alertmanager writes 0001-01-01 for "not ended".
            if chrono::Datelike::year(&ends) > 1 {
                out.push(Event {
                    at: ends,
                    text: super::clean(&format!("Alert {name} resolved")),
                    source: "alertmanager",
                    source_id: format!("{id}:resolved:{}", super::utc(&ends)),
                    // The incident is resolved when every alert of it is.
                    marks: all_resolved.then_some(Mark::Resolved),
                    entry: i + 1,
                    incident: None,
                });
            }
        }
    }
    Ok(out)
}
