//! The rules `check` applies to one record's text. Pure: the caller brings
//! the team's rules (from its config) and the clock.

use super::parse::{Located, line_col, parse_record};
use super::status::analysis_missing;
use super::{Record, Status};
use chrono::{DateTime, FixedOffset};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub file: String,
    pub line: usize,
    pub level: Level,
    pub message: String,
}

/// What a team's config says a record must hold to (built by
/// `Config::lint_rules`), so this module needs nothing above it.
pub struct Rules<'a> {
    /// Known severity levels, worst first (matched case-insensitively).
    pub severities: &'a [String],
    /// Known services; empty means any.
    pub services: &'a [String],
    /// With `strict_roster`: the people an assignee or owner must be.
    pub roster: Option<Vec<String>>,
    /// Days from creation until the review is due, per severity.
    pub review_days: Box<dyn Fn(&str) -> u32 + Send + Sync + 'a>,
}

/// Lints one record; returns its findings and, when it parses, the record.
pub fn lint(
    path: &str,
    text: &str,
    rules: &Rules<'_>,
    now: DateTime<FixedOffset>,
) -> (Vec<Finding>, Option<Record>) {
    let record = match parse_record(text) {
        Ok(r) => r,
        Err(Located { line, message, col }) => {
            let f = Finding {
                file: path.into(),
                line,
                level: Level::Error,
                message: format!("{message} (column {col})"),
            };
            return (vec![f], None);
        }
    };
    let spans = toml_edit::Document::parse(text.to_string()).ok();
    let line = |path: &[&str]| -> usize {
        let Some(doc) = &spans else { return 1 };
        let mut item = doc.as_item();
        for key in path {
            match item.get(key) {
                Some(i) => item = i,
                None => return 1,
            }
        }
        item.span().map_or(1, |s| line_col(text, s.start).0)
    };
    let mut out = Vec::new();
    let mut error = |at: &[&str], message: String| {
        out.push(Finding {
            file: path.into(),
            line: line(at),
            level: Level::Error,
            message,
        });
    };

    let stem = path
        .rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".toml");
    if record.id != stem {
        error(
            &["id"],
            format!(
                "id = \"{}\" does not match the file name {stem}.toml",
                record.id
            ),
        );
    }
    if !rules
        .severities
        .iter()
        .any(|k| k.eq_ignore_ascii_case(record.severity.trim()))
    {
        error(
            &["severity"],
            format!(
                "unknown severity '{}': the config knows {}",
                record.severity,
                rules.severities.join(", ")
            ),
        );
    }
    if !rules.services.is_empty() {
        for s in record
            .services
            .iter()
            .filter(|s| !rules.services.contains(s))
        {
            let guess = did_you_mean(s, rules.services)
                .map(|g| format!(" (did you mean '{g}'?)"))
                .unwrap_or_default();
            error(
                &["services"],
                format!(
                    "unknown service '{s}'{guess}: add it to services in the config, or fix the name"
                ),
            );
        }
    }
    if matches!(record.status, Status::Analyzed | Status::Closed) {
        for missing in analysis_missing(&record) {
            error(
                &["status"],
                format!("status = \"{}\" needs {missing}", record.status),
            );
        }
    }
    if record.status == Status::Closed && record.closed_at.is_none() {
        error(&["status"], "status = \"closed\" needs closed_at".into());
    }
    if record.status != Status::Closed && record.closed_at.is_some() {
        error(
            &["closed_at"],
            format!("closed_at is set but status is \"{}\"", record.status),
        );
    }
    for (later, earlier) in super::status::times_out_of_order(&record) {
        error(
            &[later],
            format!(
                "{later} is before {earlier}: started ≤ detected ≤ acknowledged ≤ mitigated ≤ resolved"
            ),
        );
    }
    // An incident cannot happen after it was written down, nor before
    // there were computers to page anyone.
    let incident_times = [
        ("started_at", record.started_at),
        ("detected_at", record.detected_at),
        ("acknowledged_at", record.acknowledged_at),
        ("mitigated_at", record.mitigated_at),
        ("resolved_at", record.resolved_at),
    ];
    let written = record.created_at.0 + chrono::Duration::hours(1);
    for (key, t) in incident_times
        .iter()
        .filter_map(|(k, t)| t.map(|t| (*k, t.0)))
    {
        if key == "started_at" && t > written {
            error(
                &[key],
                format!(
                    "{key} = {} is after the record was created ({}): an incident is written down after it starts",
                    crate::time::format_rfc3339(&t),
                    crate::time::format_rfc3339(&record.created_at.0)
                ),
            );
        }
        if chrono::Datelike::year(&t) < 1970 {
            error(
                &[key],
                format!(
                    "{key} = {} is before 1970: check the year",
                    crate::time::format_rfc3339(&t)
                ),
            );
        }
    }
    if let Some(roster) = &rules.roster {
        let known = |who: &str| roster.iter().any(|p| p == who);
        if let Some(a) = record.assignee.as_deref().filter(|a| !known(a)) {
            error(
                &["assignee"],
                format!(
                    "assignee '{a}' is not in the roster (strict_roster = true): use a name from [[people]]"
                ),
            );
        }
        for item in &record.action_items {
            if let Some(o) = item.owner.as_deref().filter(|o| !known(o)) {
                error(
                    &["action_items"],
                    format!(
                        "action #{}: owner '{o}' is not in the roster (strict_roster = true)",
                        item.n
                    ),
                );
            }
        }
    }
    if record.status == Status::Withdrawn && record.withdrawn_reason.is_none() {
        error(
            &["status"],
            "status = \"withdrawn\" needs withdrawn_reason".into(),
        );
    }
    if record.status.is_active() {
        let days = (rules.review_days)(&record.severity);
        let due = record.review_due(days);
        if due < now {
            out.push(Finding {
                file: path.into(),
                line: line(&["created_at"]),
                level: Level::Warning,
                message: format!(
                    "review deadline passed on {} ({} days for {})",
                    due.format("%Y-%m-%d"),
                    days,
                    record.severity
                ),
            });
        }
    }
    (out, Some(record))
}

/// The known name closest to a typo (at most a third of it wrong).
pub fn did_you_mean<'a>(typed: &str, known: &'a [String]) -> Option<&'a str> {
    known
        .iter()
        .map(|k| (edit_distance(&typed.to_lowercase(), &k.to_lowercase()), k))
        .filter(|(d, k)| *d > 0 && *d <= (k.chars().count() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.as_str())
}

/// Levenshtein distance over characters (Hangul counts as one each).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (row[j + 1] + 1)
                .min(row[j] + 1)
                .min(prev + usize::from(ca != *cb));
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    #[test]
    fn suggests_the_closest_known_name() {
        let known = vec![
            "payments".to_string(),
            "search".to_string(),
            "결제".to_string(),
        ];
        assert_eq!(super::did_you_mean("paymnets", &known), Some("payments"));
        assert_eq!(super::did_you_mean("serach", &known), Some("search"));
        assert_eq!(super::did_you_mean("billing", &known), None);
    }
}
