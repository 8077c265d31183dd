//! Commit messages that say what changed: `postmortem: assign PM-… to Bob
//! Lee`, `postmortem: PM-… field reports 7 → 10`, with the trailers that
//! `log` and `Fixes-Postmortem` readers rely on.

use super::Change;
use crate::record::diff::{FieldChange, diff};

/// Fields whose change says nothing by itself (derived or stamped).
const QUIET: &[&str] = &["status", "updated_at", "analyzed_at", "closed_at"];

/// The whole message: subject, the `-m` text, trailers.
pub fn commit_message(change: &Change<'_>, old: Option<&str>, new: &str, title: &str) -> String {
    let mut message = format!("postmortem: {}", subject(change, old, new, title));
    if let Some(extra) = change.message.map(str::trim).filter(|m| !m.is_empty()) {
        message.push_str("\n\n");
        message.push_str(extra);
    }
    message.push_str("\n\n");
    if let Some(id) = change.id {
        message.push_str(&format!("Postmortem-Id: {id}\n"));
    }
    message.push_str(&format!("Postmortem-Action: {}\n", change.verb));
    for (key, value) in change.trailers {
        message.push_str(&format!("{key}: {}\n", crate::text::inline(value)));
    }
    message
}

/// What follows `postmortem: ` in the subject line.
fn subject(change: &Change<'_>, old: Option<&str>, new: &str, title: &str) -> String {
    let Some(id) = change.id else {
        return format!("{} {}", change.verb, change.path);
    };
    let title = crate::text::truncate(crate::text::inline(title).trim(), 50);
    let fallback = || {
        format!("{} {id} {title}", change.verb)
            .trim_end()
            .to_string()
    };
    if old.is_none() {
        return fallback();
    }
    let changes: Vec<FieldChange> = diff(old, Some(new))
        .into_iter()
        .filter(|c| !QUIET.contains(&c.field.as_str()))
        .collect();
    match changes.as_slice() {
        [one] if change.verb == "assign" && one.field == "assignee" => match &one.to {
            Some(who) => format!("assign {id} to {}", name_of(who)),
            None => format!("unassign {id}"),
        },
        // A value replaced by another (a list that grew reads better as
        // the verb and title).
        [one]
            if one.from.is_some()
                && one.to.is_some()
                && is_short(one.from.as_deref())
                && is_short(one.to.as_deref()) =>
        {
            format!(
                "{id} {} {} → {}",
                label(&one.field),
                shown(one.from.as_deref()),
                shown(one.to.as_deref())
            )
        }
        _ => fallback(),
    }
}

/// `Bob Lee <bob@example.com>` → `Bob Lee`, on one line.
fn name_of(person: &str) -> String {
    crate::text::inline(crate::people::name_of(person))
}

/// `impact.field_reports` → `field reports`.
fn label(field: &str) -> String {
    field.rsplit('.').next().unwrap_or(field).replace('_', " ")
}

fn is_short(value: Option<&str>) -> bool {
    value.is_none_or(|v| v.chars().count() <= 40 && !v.contains('\n'))
}

fn shown(value: Option<&str>) -> String {
    match value {
        Some(v) => crate::text::inline(v.trim_matches('"')),
        None => "(none)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::DateTime;

    fn change<'a>(verb: &'a str, id: &'a crate::record::RecordId) -> Change<'a> {
        Change {
            id: Some(id),
            path: "postmortems/2026/11/x.toml",
            verb,
            message: None,
            create: false,
            now: DateTime::parse_from_rfc3339("2026-11-24T10:00:00+09:00").unwrap(),
            trailers: &[],
        }
    }

    #[test]
    fn subjects_say_what_changed() {
        let id = crate::record::RecordId::parse("PM-20261124-abcdefgh").unwrap();
        let old = "title = \"t\"\nstatus = \"open\"\n[impact]\nfield_reports = 7\n";
        let new = "title = \"t\"\nstatus = \"open\"\n[impact]\nfield_reports = 10\n";
        assert_eq!(
            subject(&change("update", &id), Some(old), new, "t"),
            format!("{id} field reports 7 → 10")
        );
        let assigned = "title = \"t\"\nstatus = \"assigned\"\nassignee = \"Bob Lee <bob@example.com>\"\n[impact]\nfield_reports = 7\n";
        assert_eq!(
            subject(&change("assign", &id), Some(old), assigned, "t"),
            format!("assign {id} to Bob Lee")
        );
        assert_eq!(
            subject(&change("new", &id), None, new, "결제 장애"),
            format!("new {id} 결제 장애")
        );
        let message = commit_message(&change("update", &id), Some(old), new, "t");
        assert!(message.ends_with(&format!(
            "\n\nPostmortem-Id: {id}\nPostmortem-Action: update\n"
        )));
    }
}
