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
/// A resolved incident of the two worst levels that says neither which
/// deploy caused it nor that none did (`check`'s `deploy-cause`).
pub fn needs_deploy_cause(r: &Record, severities: &[String]) -> bool {
    r.resolved_at.is_some()
        && r.status != Status::Withdrawn
        && severities
            .iter()
            .take(2)
            .any(|s| s.eq_ignore_ascii_case(r.severity.trim()))
        && !r.deploy.is_stated()
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &str) -> Record {
        crate::record::testing::record("PM-20261101-aaaaaaaa", fields)
    }

    const ANALYSED: &str = "[analysis]\nroot_cause = \"pool shared with the batch\"\n";

    fn action(n: u32, kind: &str, status: &str) -> String {
        format!(
            "\n[[action_items]]\nn = {n}\ntext = \"do {n}\"\nkind = \"{kind}\"\nstatus = \"{status}\"\n"
        )
    }

    #[test]
    fn times_in_order_are_fine() {
        let r = record(
            "started_at = 2026-11-03T09:12:00+09:00
detected_at = 2026-11-03T09:20:00+09:00
acknowledged_at = 2026-11-03T09:20:00+09:00
resolved_at = 2026-11-03T09:52:00+09:00
",
        );
        assert!(times_out_of_order(&r).is_empty());
    }

    #[test]
    fn a_time_before_the_one_it_follows_is_named_with_it() {
        let r = record(
            "started_at = 2026-11-03T09:12:00+09:00
detected_at = 2026-11-03T09:10:00+09:00
",
        );
        assert_eq!(times_out_of_order(&r), [("detected_at", "started_at")]);
    }

    #[test]
    fn missing_times_are_skipped_when_comparing_neighbours() {
        // detected and acknowledged are not given: mitigated follows started.
        let r = record(
            "started_at = 2026-11-03T09:12:00+09:00
mitigated_at = 2026-11-03T09:00:00+09:00
resolved_at = 2026-11-03T09:30:00+09:00
",
        );
        assert_eq!(times_out_of_order(&r), [("mitigated_at", "started_at")]);
    }

    #[test]
    fn order_compares_instants_not_the_written_clock() {
        // 00:15 UTC is 09:15 in Seoul: after 09:12 +09:00, though "00:15" < "09:12".
        let r =
            record("started_at = 2026-11-03T09:12:00+09:00\ndetected_at = 2026-11-03T00:15:00Z\n");
        assert!(times_out_of_order(&r).is_empty());
    }

    #[test]
    fn analysis_needs_a_root_cause_and_an_action_or_a_reason_for_none() {
        let missing = analysis_missing(&record(""));
        assert_eq!(missing.len(), 2, "{missing:?}");
        assert!(missing[0].contains("root cause"));
        assert!(missing[1].contains("action item"));
        let blank_cause =
            record("[analysis]\nroot_cause = \"   \"\nno_action_reason = \"a one-off\"\n");
        assert_eq!(analysis_missing(&blank_cause).len(), 1);
        let with_reason = record(&format!(
            "{ANALYSED}no_action_reason = \"the vendor fixed it\"\n"
        ));
        assert!(analysis_missing(&with_reason).is_empty());
        let with_action = record(&format!("{ANALYSED}{}", action(1, "prevent", "open")));
        assert!(analysis_missing(&with_action).is_empty());
    }

    #[test]
    fn a_reopened_record_needs_a_fresh_analysis_decision() {
        let reopened = record(&format!(
            "reopened_at = 2026-11-05T10:00:00+09:00\n{ANALYSED}no_action_reason = \"x\"\n"
        ));
        let missing = analysis_missing(&reopened);
        assert_eq!(missing.len(), 1);
        assert!(missing[0].contains("analyze PM-20261101-aaaaaaaa --confirm"));
        let decided = record(&format!(
            "reopened_at = 2026-11-05T10:00:00+09:00\nanalyzed_at = 2026-11-05T11:00:00+09:00\n{ANALYSED}no_action_reason = \"x\"\n"
        ));
        assert!(analysis_missing(&decided).is_empty());
    }

    #[test]
    fn derived_status_follows_what_the_record_holds() {
        assert_eq!(derived(&record("")), Status::Open);
        assert_eq!(
            derived(&record("status = \"analyzed\"\nassignee = \"Bob\"\n")),
            Status::Assigned,
            "an analysed record that lost its root cause goes back to assigned"
        );
        let analysed = format!(
            "assignee = \"Bob\"\n{ANALYSED}{}",
            action(1, "other", "open")
        );
        assert_eq!(derived(&record(&analysed)), Status::Analyzed);
        // Analysed without an assignee is still analysed.
        let unassigned = format!("{ANALYSED}no_action_reason = \"x\"\n");
        assert_eq!(derived(&record(&unassigned)), Status::Analyzed);
    }

    #[test]
    fn closed_and_withdrawn_stay_put_whatever_they_hold() {
        assert_eq!(derived(&record("status = \"closed\"\n")), Status::Closed);
        assert_eq!(
            derived(&record("status = \"withdrawn\"\n")),
            Status::Withdrawn
        );
    }

    #[test]
    fn open_actions_block_closing_unless_kept_open() {
        let r = record(&format!(
            "{ANALYSED}{}{}{}",
            action(1, "prevent", "done"),
            action(2, "mitigate", "open"),
            action(3, "process", "wontfix")
        ));
        let blockers = close_blockers(&r, false);
        assert_eq!(blockers.len(), 1, "{blockers:?}");
        assert!(blockers[0].starts_with("action #2 is open: \"do 2\""));
        assert!(blockers[0].contains("action done PM-20261101-aaaaaaaa#2"));
        assert!(close_blockers(&r, true).is_empty());
    }

    #[test]
    fn a_missing_analysis_blocks_closing_even_keeping_actions_open() {
        assert_eq!(close_blockers(&record(""), true).len(), 2);
    }

    #[test]
    fn the_two_worst_severities_need_an_educate_action_or_a_reason() {
        let severities: Vec<String> = ["SEV1", "SEV2", "SEV3"].map(String::from).to_vec();
        let analysed = |severity: &str, more: &str| {
            record(&format!(
                "status = \"analyzed\"\nseverity = \"{severity}\"\n{ANALYSED}{more}"
            ))
        };
        assert!(needs_education(&analysed("SEV1", ""), &severities));
        // Any case, as typed by hand.
        assert!(needs_education(&analysed("sev2", ""), &severities));
        assert!(!needs_education(&analysed("SEV3", ""), &severities));
        let educated = action(1, "educate", "open");
        assert!(!needs_education(&analysed("SEV1", &educated), &severities));
        // An education given up on educates no one.
        let given_up = action(1, "educate", "wontfix");
        assert!(needs_education(&analysed("SEV1", &given_up), &severities));
        let reason = "no_educate_reason = \"internal only\"\n";
        assert!(!needs_education(&analysed("SEV1", reason), &severities));
        // Only analysed records are asked.
        let open = record("severity = \"SEV1\"\n");
        assert!(!needs_education(&open, &severities));
    }
}
