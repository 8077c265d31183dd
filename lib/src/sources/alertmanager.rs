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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn alert(status: &str, starts: &str, ends: &str) -> Value {
        json!({
            "status": status,
            "labels": {"alertname": "HighErrorRate", "service": "payments"},
            "annotations": {"summary": "결제 오류율 5% 초과"},
            "startsAt": starts,
            "endsAt": ends,
            "fingerprint": "f1"
        })
    }

    #[test]
    fn a_resolved_alert_is_a_firing_and_a_resolved_event() {
        let doc = json!({
            "version": "4",
            "status": "resolved",
            "alerts": [alert("resolved", "2026-11-03T00:20:00Z", "2026-11-03T00:52:00.5Z")]
        });
        let events = webhook(&doc).unwrap();
        assert_eq!(events.len(), 2);
        let (fired, resolved) = (&events[0], &events[1]);
        assert_eq!(
            fired.text,
            "Alert HighErrorRate firing: 결제 오류율 5% 초과"
        );
        assert_eq!(fired.at.to_rfc3339(), "2026-11-03T00:20:00+00:00");
        assert_eq!(fired.source_id, "f1:firing:2026-11-03T00:20:00Z");
        assert_eq!(fired.marks, Some(Mark::Detected));
        assert_eq!(fired.entry, 1);
        assert_eq!(resolved.text, "Alert HighErrorRate resolved");
        assert_eq!(resolved.source_id, "f1:resolved:2026-11-03T00:52:00.500Z");
        assert_eq!(resolved.marks, Some(Mark::Resolved));
    }

    #[test]
    fn one_alert_resolved_in_a_firing_group_does_not_resolve_the_incident() {
        let doc = json!({
            "status": "firing",
            "alerts": [
                alert("resolved", "2026-11-03T00:20:00Z", "2026-11-03T00:30:00Z"),
                alert("firing", "2026-11-03T00:25:00Z", "0001-01-01T00:00:00Z"),
            ]
        });
        let events = webhook(&doc).unwrap();
        let marks: Vec<_> = events.iter().map(|e| (e.entry, e.marks)).collect();
        assert_eq!(
            marks,
            [
                (1, Some(Mark::Detected)),
                (1, None),
                (2, Some(Mark::Detected))
            ]
        );
    }

    #[test]
    fn the_zero_end_time_is_not_an_end() {
        // Alertmanager writes 0001-01-01 for "not ended".
        let doc = json!({
            "alerts": [alert("resolved", "2026-11-03T00:20:00Z", "0001-01-01T00:00:00Z")]
        });
        assert_eq!(webhook(&doc).unwrap().len(), 1);
    }

    #[test]
    fn without_fingerprint_or_name_an_alert_is_known_by_its_place() {
        let doc = json!({"alerts": [{"startsAt": "2026-11-03T09:20:00+09:00"}]});
        let e = &webhook(&doc).unwrap()[0];
        assert_eq!(e.text, "Alert alert firing");
        assert_eq!(e.source_id, "alert#1:firing:2026-11-03T00:20:00Z");
        // The offset the source gave is kept on the event.
        assert_eq!(e.at.offset().local_minus_utc(), 9 * 3600);
    }

    #[test]
    fn another_webhook_version_is_refused_by_number() {
        let doc = json!({"version": "3", "alerts": []});
        let p = webhook(&doc).unwrap_err();
        assert_eq!(p.entry, None);
        assert!(p.message.starts_with("webhook version 3:"), "{}", p.message);
    }

    #[test]
    fn a_document_without_alerts_is_an_error_not_a_panic() {
        for doc in [
            json!({}),
            json!({"alerts": "x"}),
            json!([1, 2]),
            json!(null),
        ] {
            let p = webhook(&doc).unwrap_err();
            assert!(p.message.contains("no \"alerts\" list"), "{}", p.message);
        }
    }

    #[test]
    fn an_alert_without_a_usable_start_names_its_entry() {
        let doc = json!({
            "alerts": [
                alert("firing", "2026-11-03T00:20:00Z", ""),
                {"labels": {"alertname": "X"}},
                7,
            ]
        });
        let p = webhook(&doc).unwrap_err();
        assert_eq!(p.entry, Some(2));
        assert!(p.message.contains("no startsAt"), "{}", p.message);
        let doc = json!({"alerts": [alert("firing", "2026-11-03 00:20", "")]});
        let p = webhook(&doc).unwrap_err();
        assert_eq!(p.entry, Some(1));
        assert!(
            p.message.contains("startsAt = '2026-11-03 00:20'"),
            "{}",
            p.message
        );
    }

    #[test]
    fn a_resolved_alert_without_an_end_is_an_error() {
        let mut a = alert("resolved", "2026-11-03T00:20:00Z", "");
        a.as_object_mut().unwrap().remove("endsAt");
        let p = webhook(&json!({"alerts": [a]})).unwrap_err();
        assert!(p.message.contains("no endsAt"), "{}", p.message);
    }
}
