//! Review of a post-mortem's analysis: who may approve, when one is
//! needed, and what waits for one. Pure: the config says where a review is
//! required, `ops::review` writes the verdict.

use super::model::{Record, Status, Verdict};

/// The record's review fields, which change together (`reopen` clears
/// them; a sync merge takes them from one side).
pub const FIELDS: [&str; 4] = ["review", "reviewed_by", "reviewed_at", "review_note"];

/// Whether the record holds an approval (cleared by `reopen`) from
/// someone other than its assignee: one given before the record was
/// reassigned to its reviewer is no review of their own work.
pub fn approved(r: &Record) -> bool {
    r.review.verdict == Some(Verdict::Approved) && !reviewed_by_assignee(r)
}

fn reviewed_by_assignee(r: &Record) -> bool {
    let (Some(assignee), Some(reviewer)) = (&r.assignee, &r.review.by) else {
        return false;
    };
    let (name, email) = crate::people::name_and_email(reviewer);
    crate::people::is_person(assignee, name, email)
}

/// An approval given for another analysis than the one `after` holds:
/// it approves text that is gone, so the change withdraws it.
pub fn approval_outlived(before: &Record, after: &Record) -> bool {
    approved(before) && before.analysis != after.analysis
}

/// Changes were asked for and nothing changed since: the record is back
/// with its assignee. (The review's own commit stamps `updated_at` with
/// `reviewed_at`; any later change puts it up for review again.)
pub fn changes_requested(r: &Record) -> bool {
    r.review.verdict == Some(Verdict::ChangesRequested)
        && r.review
            .at
            .is_some_and(|at| r.updated_at.is_none_or(|u| u <= at))
}

/// An active record whose analysis is done, where the config requires a
/// review, with no approval and no open request for changes.
pub fn awaiting(r: &Record, required: bool) -> bool {
    required && r.status == Status::Analyzed && !approved(r) && !changes_requested(r)
}

/// What `close` lacks when a review is required and missing.
pub fn close_blocker(r: &Record, required: bool) -> Option<String> {
    if !required || approved(r) {
        return None;
    }
    let asked = if changes_requested(r) {
        format!(
            " (changes were requested: {})",
            crate::text::inline(r.review.note.as_deref().unwrap_or("see the record"))
        )
    } else {
        String::new()
    };
    Some(format!(
        "an approval{asked}: someone other than the assignee runs `devops postmortem review {} --approve`",
        r.id
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(fields: &str) -> Record {
        crate::record::testing::record("PM-20261101-aaaaaaaa", fields)
    }

    #[test]
    fn an_analysed_record_awaits_review_until_approved() {
        let waiting = record("status = \"analyzed\"\n");
        assert!(awaiting(&waiting, true));
        assert!(!awaiting(&waiting, false), "not required: never waits");
        let approved = record(
            "status = \"analyzed\"\nreview = \"approved\"\nreviewed_by = \"Bob\"\nreviewed_at = 2026-11-02T10:00:00+09:00\n",
        );
        assert!(!awaiting(&approved, true));
        assert_eq!(close_blocker(&approved, true), None);
        let blocker = close_blocker(&waiting, true).unwrap();
        assert!(
            blocker.ends_with("runs `devops postmortem review PM-20261101-aaaaaaaa --approve`"),
            "{blocker}"
        );
    }

    #[test]
    fn changes_requested_wait_for_the_assignee_then_for_review_again() {
        let asked = "status = \"analyzed\"\nreview = \"changes_requested\"\nreview_note = \"no timeline\"\nreviewed_at = 2026-11-02T10:00:00+09:00\n";
        let r = record(&format!("{asked}updated_at = 2026-11-02T10:00:00+09:00\n"));
        assert!(changes_requested(&r) && !awaiting(&r, true));
        assert!(close_blocker(&r, true).unwrap().contains("no timeline"));
        let reworked = record(&format!("{asked}updated_at = 2026-11-03T09:00:00+09:00\n"));
        assert!(!changes_requested(&reworked) && awaiting(&reworked, true));
    }
}
