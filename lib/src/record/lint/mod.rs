//! The rules `check` applies to one record's text. Pure: the caller brings
//! the team's rules (from its config) and the clock. Every finding names
//! its rule (`RULES`), so `check --rule/--no-rule` and the config's
//! `[lint] off` can choose.

pub mod writeup;

use super::model::review_due;
use super::parse::{Located, line_col, parse_record};
use super::status::analysis_missing;
use super::{ActionStatus, Record, Status};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Error,
    Warning,
    Info,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Info => "info",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    pub file: String,
    pub line: usize,
    pub level: Level,
    /// The rule's id (`RULES`).
    pub rule: &'static str,
    pub message: String,
}

/// Every rule: id, level, what it flags. Errors keep the record format
/// whole (the tool refuses to write a record with one); warnings and
/// infos are about the write-up, and a team can turn those off.
pub const RULES: &[(&str, Level, &str)] = &[
    (
        "syntax",
        Level::Error,
        "TOML that does not parse, or a field of the wrong type",
    ),
    (
        "id-mismatch",
        Level::Error,
        "id does not match the file name",
    ),
    (
        "file-path",
        Level::Error,
        "a file outside <dir>/YYYY/MM/<id>.toml",
    ),
    ("duplicate-id", Level::Error, "two files with one id"),
    (
        "duplicate-source",
        Level::Error,
        "two live records of one incident elsewhere (the same pagerduty:ID tag); withdraw the newer",
    ),
    (
        "stray-file",
        Level::Error,
        "a committed path in the records directory that is not a record, config.toml, deploys.jsonl or under templates/",
    ),
    (
        "unknown-severity",
        Level::Error,
        "a severity the config does not list",
    ),
    (
        "unknown-service",
        Level::Error,
        "a service the config does not list",
    ),
    (
        "status-fields",
        Level::Error,
        "a status without what it needs (analyzed: root cause and actions; closed: closed_at; withdrawn: a reason)",
    ),
    (
        "time-order",
        Level::Error,
        "incident times out of order (started ≤ detected ≤ acknowledged ≤ mitigated ≤ resolved)",
    ),
    (
        "time-range",
        Level::Error,
        "an incident that starts after it was written down, or before 1970",
    ),
    (
        "roster",
        Level::Error,
        "with strict_roster: an assignee or owner not in [[people]]",
    ),
    (
        "merge-conflict",
        Level::Error,
        "unresolved merge conflict markers",
    ),
    ("unreadable", Level::Error, "a file that cannot be read"),
    (
        "uncommitted",
        Level::Warning,
        "a record changed but not committed",
    ),
    (
        "fixes-trailer",
        Level::Warning,
        "a Fixes-Postmortem (or Fixes: PM-…) trailer on the team's branch that names no action item",
    ),
    (
        "review-overdue",
        Level::Warning,
        "the review deadline for its severity has passed",
    ),
    (
        "blame-language",
        Level::Warning,
        "blame words (\"human error\", \"should have\", \"부주의\", \"실수\"; [lint] blame_words adds)",
    ),
    (
        "vague-action",
        Level::Warning,
        "an action item that promises effort, not a change (\"Improve monitoring\", \"모니터링 강화\")",
    ),
    (
        "action-owner-due",
        Level::Warning,
        "an open action item without owner or due date on an analyzed record",
    ),
    (
        "duration-mismatch",
        Level::Warning,
        "a stated length (\"for 40 minutes\", \"40분간\") the incident times contradict",
    ),
    (
        "no-educate",
        Level::Warning,
        "an analyzed SEV1/SEV2 (the two worst levels) with no educate action and no reason (analyze --no-educate-reason); triage lists them too",
    ),
    (
        "deploy-cause",
        Level::Warning,
        "with [deploys] in the config: a resolved SEV1/SEV2 (the two worst levels) that names neither the deploy that caused it nor that none did (analyze --caused-by REF, or --no-deploy)",
    ),
    (
        "no-timeline",
        Level::Info,
        "an analyzed or closed record without timeline entries",
    ),
];

/// Whether `id` names a rule.
pub fn is_rule(id: &str) -> bool {
    RULES.iter().any(|(r, _, _)| *r == id)
}

/// Rule `id` as this build names it.
pub fn rule_id(id: &str) -> Option<&'static str> {
    RULES.iter().find(|(r, _, _)| *r == id).map(|(r, _, _)| *r)
}

/// The rule ids, for messages.
pub fn rule_ids() -> Vec<String> {
    RULES.iter().map(|(r, _, _)| r.to_string()).collect()
}

/// Whether `id` names an error rule: those keep the record format whole,
/// always run, and can be neither skipped nor turned off.
pub fn is_error_rule(id: &str) -> bool {
    RULES.iter().any(|(r, l, _)| *r == id && *l == Level::Error)
}

/// The level of rule `id`.
pub fn level_of(id: &str) -> Level {
    let rule = RULES.iter().find(|(r, _, _)| *r == id);
    debug_assert!(rule.is_some(), "rule {id} is not in RULES");
    rule.map_or(Level::Error, |(_, l, _)| *l)
}

/// Which rules run: all but `skip`, or only `only` when it is given.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    pub only: Vec<String>,
    pub skip: Vec<String>,
}

impl Selection {
    /// Error rules always run: they keep the format whole, and a CI step
    /// that picks warnings must still fail on a broken file.
    pub fn runs(&self, id: &str) -> bool {
        level_of(id) == Level::Error
            || ((self.only.is_empty() || self.only.iter().any(|o| o == id))
                && !self.skip.iter().any(|s| s == id))
    }
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
    /// The team's blame words and vague action phrases, added to ours.
    pub blame_words: &'a [String],
    pub vague_actions: &'a [String],
    /// The team keeps deploys (`[deploys]` in the config): a serious
    /// incident then says which one caused it, or that none did.
    pub deploys: bool,
    pub selection: Selection,
}

/// Finds the line of a field, or of a phrase inside it.
/// The document with spans is parsed only when a finding needs a line
/// that a plain look at the text cannot give: most records have no
/// finding, and parsing twice is most of `check`'s time.
struct Lines<'t> {
    text: &'t str,
    doc: std::cell::OnceCell<Option<toml_edit::Document<String>>>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Self {
        Lines {
            text,
            doc: std::cell::OnceCell::new(),
        }
    }

    /// The line of top-level `key = …`: before the first table header, a
    /// line that starts with the key and then `=`. (Only for files that
    /// parsed, so the key is where TOML says it is.)
    fn top_level(&self, key: &str) -> Option<usize> {
        for (n, line) in self.text.lines().enumerate() {
            let line = line.trim_start();
            if line.starts_with('[') {
                return None;
            }
            if let Some(rest) = line.strip_prefix(key)
                && rest.trim_start().starts_with('=')
            {
                return Some(n + 1);
            }
        }
        None
    }

    /// The span of the item at `path`; numeric parts index arrays.
    fn span(&self, path: &[&str]) -> Option<std::ops::Range<usize>> {
        let doc = self
            .doc
            .get_or_init(|| toml_edit::Document::parse(self.text.to_string()).ok());
        let mut item = doc.as_ref()?.as_item();
        for key in path {
            item = match key.parse::<usize>() {
                Ok(i) => item.get(i)?,
                Err(_) => item.get(key)?,
            };
        }
        item.span()
    }

    fn of(&self, path: &[&str]) -> usize {
        if let [key] = path
            && let Some(line) = self.top_level(key)
        {
            return line;
        }
        self.span(path)
            .map_or(1, |s| line_col(self.text, s.start).0)
    }

    /// The line where `phrase` appears in the field at `path` (a
    /// multi-line string spans lines), or the field's first line.
    fn of_phrase(&self, path: &[&str], phrase: &str) -> usize {
        let Some(span) = self.span(path) else {
            return 1;
        };
        let raw = self.text.get(span.clone()).unwrap_or("");
        let at = if phrase.is_ascii() {
            raw.to_ascii_lowercase().find(&phrase.to_ascii_lowercase())
        } else {
            raw.find(phrase)
        };
        line_col(self.text, span.start + at.unwrap_or(0)).0
    }
}

/// Lints one record; returns its findings and, when it parses, the record.
pub fn lint(
    path: &str,
    text: &str,
    rules: &Rules<'_>,
    now: DateTime<FixedOffset>,
) -> (Vec<Finding>, Option<Record>) {
    let (mut found, record, clock) = lint_timeless(path, text, rules);
    found.extend(clock.and_then(|c| c.finding(path, rules, now)));
    (found, record)
}

/// The one rule that depends on the clock (`review-overdue`), kept apart
/// so that the rest of a file's findings, which depend only on its text
/// and the config, can be cached by its blob id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewClock {
    pub severity: String,
    /// When the review is due (seconds since 1970): creation plus the
    /// config's days for the severity (the config keys any cache).
    pub due: i64,
    pub days: u32,
    /// The line of `created_at`, where the finding is said.
    pub line: usize,
}

impl ReviewClock {
    /// `None` for a record that is not waiting on its review.
    fn of(record: &Record, rules: &Rules<'_>, lines: &Lines<'_>) -> Option<ReviewClock> {
        let days = (rules.review_days)(&record.severity);
        record.status.is_active().then(|| ReviewClock {
            severity: record.severity.clone(),
            due: review_due(record.created_at, days).timestamp(),
            days,
            line: lines.of(&["created_at"]),
        })
    }

    /// The finding once the review deadline has passed.
    pub fn finding(
        &self,
        path: &str,
        rules: &Rules<'_>,
        now: DateTime<FixedOffset>,
    ) -> Option<Finding> {
        if self.due >= now.timestamp() || !rules.selection.runs("review-overdue") {
            return None;
        }
        // The day on the team's clock (that of `now`).
        let day = DateTime::from_timestamp(self.due, 0)
            .map(|d| d.with_timezone(now.offset()).date_naive().to_string())
            .unwrap_or_default();
        Some(Finding {
            file: path.into(),
            line: self.line,
            level: level_of("review-overdue"),
            rule: "review-overdue",
            message: format!(
                "review deadline passed on {day} ({} days for {})",
                self.days, self.severity
            ),
        })
    }
}

/// Lints one record against every rule but the clock's: its findings, the
/// record when it parses, and its review clock when it has one.
pub fn lint_timeless(
    path: &str,
    text: &str,
    rules: &Rules<'_>,
) -> (Vec<Finding>, Option<Record>, Option<ReviewClock>) {
    let record = match parse_record(text) {
        Ok(r) => r,
        Err(Located { line, message, col }) => {
            let rule = if crate::record::parse::conflict_markers(text).is_some() {
                "merge-conflict"
            } else {
                "syntax"
            };
            let f = Finding {
                file: path.into(),
                line,
                level: Level::Error,
                rule,
                message: format!("{message} (column {col})"),
            };
            return (vec![f], None, None);
        }
    };
    let lines = Lines::new(text);
    let mut out = Vec::new();
    let mut found = |rule: &'static str, line: usize, message: String| {
        if rules.selection.runs(rule) {
            out.push(Finding {
                file: path.into(),
                line,
                level: level_of(rule),
                rule,
                message,
            });
        }
    };
    format_rules(path, &record, rules, &lines, &mut found);
    writeup_rules(&record, rules, &lines, &mut found);
    let clock = ReviewClock::of(&record, rules, &lines);
    (out, Some(record), clock)
}

type Found<'f> = dyn FnMut(&'static str, usize, String) + 'f;

/// The rules that keep the record format whole.
fn format_rules(
    path: &str,
    record: &Record,
    rules: &Rules<'_>,
    lines: &Lines<'_>,
    found: &mut Found<'_>,
) {
    name_rule(path, record, lines, found);
    vocabulary_rules(record, rules, lines, found);
    status_rules(record, lines, found);
    time_rules(record, lines, found);
    roster_rule(record, rules, lines, found);
}

/// The ID is the file's name.
fn name_rule(path: &str, record: &Record, lines: &Lines<'_>, found: &mut Found<'_>) {
    let stem = path
        .rsplit('/')
        .next()
        .unwrap_or(path)
        .trim_end_matches(".toml");
    if record.id != stem {
        found(
            "id-mismatch",
            lines.of(&["id"]),
            format!(
                "id = \"{}\" does not match the file name {stem}.toml",
                record.id
            ),
        );
    }
}

/// Severities and services the config knows.
fn vocabulary_rules(record: &Record, rules: &Rules<'_>, lines: &Lines<'_>, found: &mut Found<'_>) {
    if !rules
        .severities
        .iter()
        .any(|k| k.eq_ignore_ascii_case(record.severity.trim()))
    {
        found(
            "unknown-severity",
            lines.of(&["severity"]),
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
            found(
                "unknown-service",
                lines.of(&["services"]),
                format!(
                    "unknown service '{s}'{guess}: add it to services in the config, or fix the name"
                ),
            );
        }
    }
}

/// The fields each status needs.
fn status_rules(record: &Record, lines: &Lines<'_>, found: &mut Found<'_>) {
    let status_line = lines.of(&["status"]);
    if matches!(record.status, Status::Analyzed | Status::Closed) {
        for missing in analysis_missing(record) {
            found(
                "status-fields",
                status_line,
                format!("status = \"{}\" needs {missing}", record.status),
            );
        }
    }
    if record.status == Status::Closed && record.closed_at.is_none() {
        found(
            "status-fields",
            status_line,
            "status = \"closed\" needs closed_at".into(),
        );
    }
    if record.status != Status::Closed && record.closed_at.is_some() {
        found(
            "status-fields",
            lines.of(&["closed_at"]),
            format!("closed_at is set but status is \"{}\"", record.status),
        );
    }
    if record.status == Status::Withdrawn && record.withdrawal.reason.is_none() {
        found(
            "status-fields",
            status_line,
            "status = \"withdrawn\" needs withdrawn_reason".into(),
        );
    }
}

/// Incident times in order, and in a believable range.
fn time_rules(record: &Record, lines: &Lines<'_>, found: &mut Found<'_>) {
    for (later, earlier) in super::status::times_out_of_order(record) {
        found(
            "time-order",
            lines.of(&[later]),
            format!(
                "{later} is before {earlier}: started ≤ detected ≤ acknowledged ≤ mitigated ≤ resolved"
            ),
        );
    }
    // An incident cannot happen after it was written down, nor before
    // there were computers to page anyone.
    let written = record.created_at.0 + chrono::Duration::hours(1);
    for (key, t) in incident_times(record) {
        if key == "started_at" && t > written {
            found(
                "time-range",
                lines.of(&[key]),
                format!(
                    "{key} = {} is after the record was created ({}): an incident is written down after it starts",
                    crate::time::format_rfc3339(&t),
                    crate::time::format_rfc3339(&record.created_at.0)
                ),
            );
        }
        if chrono::Datelike::year(&t) < 1970 {
            found(
                "time-range",
                lines.of(&[key]),
                format!(
                    "{key} = {} is before 1970: check the year",
                    crate::time::format_rfc3339(&t)
                ),
            );
        }
    }
}

/// With `strict_roster`, people from the roster only.
fn roster_rule(record: &Record, rules: &Rules<'_>, lines: &Lines<'_>, found: &mut Found<'_>) {
    if let Some(roster) = &rules.roster {
        let known = |who: &str| roster.iter().any(|p| p == who);
        if let Some(a) = record.assignee.as_deref().filter(|a| !known(a)) {
            found(
                "roster",
                lines.of(&["assignee"]),
                format!(
                    "assignee '{a}' is not in the roster (strict_roster = true): use a name from [[people]]"
                ),
            );
        }
        for (i, item) in record.action_items.iter().enumerate() {
            if let Some(o) = item.owner.as_deref().filter(|o| !known(o)) {
                found(
                    "roster",
                    lines.of(&["action_items", &i.to_string(), "owner"]),
                    format!(
                        "action #{}: owner '{o}' is not in the roster (strict_roster = true)",
                        item.n
                    ),
                );
            }
        }
    }
}

/// The incident times the record has, in order.
fn incident_times(record: &Record) -> impl Iterator<Item = (&'static str, DateTime<FixedOffset>)> {
    [
        ("started_at", record.started_at),
        ("detected_at", record.detected_at),
        ("acknowledged_at", record.acknowledged_at),
        ("mitigated_at", record.mitigated_at),
        ("resolved_at", record.resolved_at),
    ]
    .into_iter()
    .filter_map(|(k, t)| t.map(|t| (k, t.0)))
}

/// The prose fields a reviewer reads, by their path in the file. The
/// timeline is left out: it quotes machines ("connect failed to …").
fn prose(record: &Record) -> Vec<(Vec<String>, &str)> {
    let a = &record.analysis;
    fn one<'r>(k: &[&str], v: &'r str) -> (Vec<String>, &'r str) {
        (k.iter().map(|s| s.to_string()).collect(), v)
    }
    let mut out: Vec<(Vec<String>, &str)> = vec![
        one(&["title"], record.title.as_str()),
        one(&["summary"], record.summary.as_str()),
        one(
            &["impact", "description"],
            record.impact.description.as_str(),
        ),
        one(&["analysis", "trigger"], a.trigger.as_str()),
        one(&["analysis", "root_cause"], a.root_cause.as_str()),
        one(
            &["analysis", "no_action_reason"],
            a.no_action_reason.as_str(),
        ),
    ];
    let lists: [(&str, &Vec<String>); 5] = [
        ("contributing_factors", &a.contributing_factors),
        ("five_whys", &a.five_whys),
        ("went_wrong", &a.went_wrong),
        ("lucky", &a.lucky),
        ("lessons", &a.lessons),
    ];
    for (key, items) in lists {
        for (i, v) in items.iter().enumerate() {
            out.push((
                vec!["analysis".into(), key.into(), i.to_string()],
                v.as_str(),
            ));
        }
    }
    for (i, item) in record.action_items.iter().enumerate() {
        out.push((
            vec!["action_items".into(), i.to_string(), "text".into()],
            item.text.as_str(),
        ));
    }
    out.retain(|(_, v)| !v.trim().is_empty());
    out
}

/// `analysis.lessons[2]` for a path `analysis, lessons, 2`.
fn field_name(path: &[String]) -> String {
    let mut out = String::new();
    for part in path {
        if part.parse::<usize>().is_ok() {
            out.push_str(&format!("[{}]", part.parse::<usize>().unwrap_or(0) + 1));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(part);
        }
    }
    out
}

/// The rules about the write-up itself.
fn writeup_rules(record: &Record, rules: &Rules<'_>, lines: &Lines<'_>, found: &mut Found<'_>) {
    if rules.selection.runs("blame-language") {
        for (path, text) in prose(record) {
            let keys: Vec<&str> = path.iter().map(String::as_str).collect();
            for hit in writeup::blame_in(text, rules.blame_words) {
                found(
                    "blame-language",
                    lines.of_phrase(&keys, &hit.phrase),
                    format!(
                        "{}: \"{}\" is blame language: {}",
                        field_name(&path),
                        hit.phrase,
                        hit.instead
                    ),
                );
            }
        }
    }
    let analyzed = record.status == Status::Analyzed;
    for (i, item) in record.action_items.iter().enumerate() {
        let at = |field: &str| lines.of(&["action_items", &i.to_string(), field]);
        let open = item.status == ActionStatus::Open;
        if open && let Some(why) = writeup::vague_action(&item.text, rules.vague_actions) {
            found(
                "vague-action",
                at("text"),
                format!(
                    "action #{} \"{}\" is vague: {why}; {}",
                    item.n,
                    crate::text::truncate(&item.text, 60),
                    writeup::SPECIFIC
                ),
            );
        }
        if analyzed && open {
            let lacks = match (item.owner.is_none(), item.due.is_none()) {
                (true, true) => Some("no owner and no due date"),
                (true, false) => Some("no owner"),
                (false, true) => Some("no due date"),
                (false, false) => None,
            };
            if let Some(lacks) = lacks {
                found(
                    "action-owner-due",
                    at("text"),
                    format!(
                        "action #{} has {lacks}: devops postmortem action edit {}#{} --owner WHO --due DATE",
                        item.n, record.id, item.n
                    ),
                );
            }
        }
    }
    duration_rule(record, lines, found);
    if super::status::needs_education(record, rules.severities) {
        found(
            "no-educate",
            lines.of(&["severity"]),
            format!(
                "{} with no action that educates the field: add one (devops postmortem action add {} TEXT --kind educate) or say why none (devops postmortem analyze {} --no-educate-reason TEXT)",
                record.severity, record.id, record.id
            ),
        );
    }
    if rules.deploys && super::status::needs_deploy_cause(record, rules.severities) {
        found(
            "deploy-cause",
            lines.of(&["resolved_at"]),
            format!(
                "{} resolved without saying what deploy caused it: name it (devops postmortem analyze {} --caused-by REF) or say none did (devops postmortem analyze {} --no-deploy)",
                record.severity, record.id, record.id
            ),
        );
    }
    if matches!(record.status, Status::Analyzed | Status::Closed) && record.timeline.is_empty() {
        found(
            "no-timeline",
            lines.of(&["status"]),
            format!(
                "no timeline entries: build one with `devops postmortem import {} --from pagerduty FILE` (or alertmanager, slack, jsonl, csv)",
                record.id
            ),
        );
    }
}

/// A length stated in the title, summary or impact that the incident's
/// own times contradict ("40 minutes" for a 2-hour outage).
fn duration_rule(record: &Record, lines: &Lines<'_>, found: &mut Found<'_>) {
    let Some(start) = record.started_at.map(|t| t.0) else {
        return;
    };
    let measured: Vec<(&str, i64)> = [
        ("mitigated", record.mitigated_at),
        ("resolved", record.resolved_at),
    ]
    .into_iter()
    .filter_map(|(k, t)| t.map(|t| (k, (t.0 - start).num_minutes())))
    .collect();
    if measured.is_empty() {
        return;
    }
    let fields: [(&[&str], &str); 3] = [
        (&["title"], &record.title),
        (&["summary"], &record.summary),
        (&["impact", "description"], &record.impact.description),
    ];
    for (path, text) in fields {
        for stated in writeup::stated_minutes(text) {
            if measured
                .iter()
                .any(|(_, m)| writeup::length_fits(stated, *m))
            {
                continue;
            }
            let times: Vec<String> = measured
                .iter()
                .map(|(k, m)| format!("{k} after {}", crate::time::format_minutes(*m as f64)))
                .collect();
            found(
                "duration-mismatch",
                lines.of(path),
                format!(
                    "{} says {} but the incident times say {}: fix the text or the times",
                    path.join("."),
                    crate::time::format_minutes(stated as f64),
                    times.join(", ")
                ),
            );
        }
    }
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
