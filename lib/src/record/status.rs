//! Which status a record is in, and what it still lacks to move on.

use super::model::{ActionStatus, Record, Status};

/// Incident times that run backwards, as (later field, earlier field):
/// started ≤ detected ≤ acknowledged ≤ mitigated ≤ resolved, over the
/// times that are given.
pub fn times_out_of_order(r: &Record) -> Vec<(&'static str, &'static str)> {
    let times = [
        ("started_at", r.started_at),
        ("detected_at", r.detected_at),
        ("acknowledged_at", r.acknowledged_at),
        ("mitigated_at", r.mitigated_at),
        ("resolved_at", r.resolved_at),
    ];
    let given: Vec<_> = times
        .iter()
        .filter_map(|(k, t)| t.map(|t| (*k, t)))
        .collect();
    given
        .windows(2)
        .filter(|pair| pair[1].1 < pair[0].1)
        .map(|pair| (pair[1].0, pair[0].0))
        .collect()
}

/// What a record lacks before it counts as analysed.
pub fn analysis_missing(r: &Record) -> Vec<String> {
    let mut missing = Vec::new();
    if r.analysis.root_cause.trim().is_empty() {
        missing.push("a root cause (analyze ID --root-cause TEXT)".to_string());
    }
    if r.action_items.is_empty() && r.analysis.no_action_reason.trim().is_empty() {
        missing.push(
            "an action item (analyze ID --action TEXT) or --no-action-reason TEXT".to_string(),
        );
    }
    // `reopen` clears analyzed_at; any `analyze` sets it again.
    if r.reopened_at.is_some() && r.analyzed_at.is_none() {
        missing.push(format!(
            "a fresh analysis decision since it was reopened (devops postmortem analyze {} --confirm, or add to the analysis)",
            r.id
        ));
    }
    missing
}

/// The status a record should have after an edit, given what it now holds.
/// Closed stays closed: only `close` and `reopen` move a record in or out.
pub fn derived(r: &Record) -> Status {
    if matches!(r.status, Status::Closed | Status::Withdrawn) {
        r.status
    } else if analysis_missing(r).is_empty() {
        Status::Analyzed
    } else if r.assignee.is_some() {
        Status::Assigned
    } else {
        Status::Open
    }
}

/// Why `close` must refuse, one reason a line; empty means it may close.
pub fn close_blockers(r: &Record, keep_open_actions: bool) -> Vec<String> {
    let mut blockers = analysis_missing(r);
    if !keep_open_actions {
        for a in r
            .action_items
            .iter()
            .filter(|a| a.status == ActionStatus::Open)
        {
            blockers.push(format!(
                "action #{n} is open: \"{text}\" (devops postmortem action done {id}#{n}, devops postmortem action wontfix {id}#{n} --reason TEXT, or close --keep-open-actions)",
                n = a.n,
                text = crate::text::inline(&a.text),
                id = r.id
            ));
        }
    }
    blockers
}

/// An analysed incident of one of the two worst severities whose actions
/// leave the field uneducated: no `educate` item and no reason given. The
/// field will call again about it.
pub fn needs_education(r: &Record, severities: &[String]) -> bool {
    r.status == Status::Analyzed
        && severities
            .iter()
            .take(2)
            .any(|s| s.eq_ignore_ascii_case(r.severity.trim()))
        && !r.action_items.iter().any(|a| {
            a.kind == crate::record::ActionKind::Educate
                && a.status != crate::record::ActionStatus::Wontfix
        })
        && r.analysis.no_educate_reason.trim().is_empty()
}
