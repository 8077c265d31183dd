//! Records and action items as files, JSON and the record cache spell
//! them: every key flat, in the order they have always had. In memory
//! (`super::model`) the rarely set groups are boxed; these mirrors are
//! what serde reads and writes, so the TOML keys, the JSON and the
//! cache's encoding stay exactly as they were.

use super::lean::Lean;
use super::model::{
    ActionItem, ActionKind, ActionStatus, Analysis, Day, DeployLinks, Impact, Record, Review,
    Status, TimelineEntry, Timestamp, TrackerLink, Verdict, Withdrawal, empty_as_none,
    timeline_in_time_order,
};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
/// A record as files, JSON and the cache spell it.
pub struct RecordFields {
    pub schema: i64,
    pub id: String,
    pub title: String,
    pub status: Status,
    pub severity: String,
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub reporter: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub assignee: Option<String>,
    #[serde(default)]
    pub summary: String,
    #[serde(default)]
    pub started_at: Option<Timestamp>,
    #[serde(default)]
    pub detected_at: Option<Timestamp>,
    #[serde(default)]
    pub acknowledged_at: Option<Timestamp>,
    #[serde(default)]
    pub mitigated_at: Option<Timestamp>,
    #[serde(default)]
    pub resolved_at: Option<Timestamp>,
    pub created_at: Timestamp,
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
    #[serde(default)]
    pub closed_at: Option<Timestamp>,
    /// When `analyze` last ran: after a reopen the analysis must be decided
    /// again (a new `analyze`, or `analyze --confirm`) before closing.
    #[serde(default)]
    pub analyzed_at: Option<Timestamp>,
    #[serde(default)]
    pub reopened_at: Option<Timestamp>,
    /// Set by `withdraw`: out of lists, triage and figures; file and history stay.
    #[serde(default)]
    pub withdrawn_at: Option<Timestamp>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub withdrawn_reason: Option<String>,
    /// The record this one repeats (`withdraw --duplicate-of`).
    #[serde(default, deserialize_with = "empty_as_none")]
    pub duplicate_of: Option<String>,
    /// The last review of the analysis (`review --approve` or
    /// `--request-changes`), by someone other than the assignee; `reopen`
    /// clears it, so a reopened record needs a fresh approval.
    #[serde(default)]
    pub review: Option<Verdict>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub reviewed_by: Option<String>,
    #[serde(default)]
    pub reviewed_at: Option<Timestamp>,
    /// Why changes were requested.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub review_note: Option<String>,
    #[serde(default)]
    pub impact: Impact,
    #[serde(default)]
    pub analysis: Analysis,
    /// In `--json` and to templates: in time order (by instant, ties in
    /// file order), as `show` numbers them: entry i is `ID#(i+1)`. The
    /// cache keeps the file's order, which edits address.
    #[serde(default, serialize_with = "timeline_in_time_order")]
    pub timeline: Vec<TimelineEntry>,
    #[serde(default)]
    pub action_items: Vec<ActionItem>,
    /// `[deploy]`: the deploy that caused it and the one that remedied it.
    #[serde(default)]
    pub deploy: DeployLinks,
}

#[derive(Serialize, Deserialize)]
/// An action item as files, JSON and the cache spell it.
pub struct ActionItemFields {
    pub n: u32,
    pub text: String,
    #[serde(default)]
    pub kind: ActionKind,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub owner: Option<String>,
    #[serde(default)]
    pub due: Option<Day>,
    /// A level of the config's `[actions.priorities]`; a due day left out
    /// at creation is set from its deadline.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub priority: Option<String>,
    pub status: ActionStatus,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub ticket: Option<String>,
    #[serde(default)]
    pub done_at: Option<Timestamp>,
    /// The commit that carried the fix, when closed by `Fixes-Postmortem:`.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub commit: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub wontfix_reason: Option<String>,
    // The tracker link's fields. Plain fields, not a flattened struct:
    // the record cache (postcard) cannot read flattened ones.
    /// `github`, `gitlab` or `jira`.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub tracker: Option<String>,
    /// `acme/api#123`, `group/proj#7`, `OPS-42`.
    #[serde(default, rename = "ref", deserialize_with = "empty_as_none")]
    pub tracker_ref: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub url: Option<String>,
    /// `open` or `closed`, as last read: a change there is news to bring
    /// in; the same state again is not (a local `done` stands).
    #[serde(default, deserialize_with = "empty_as_none")]
    pub remote_state: Option<String>,
    /// Who closed it on the tracker, when the tracker said.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub closed_by: Option<String>,
}

impl From<RecordFields> for Record {
    fn from(f: RecordFields) -> Record {
        Record {
            schema: f.schema,
            id: f.id,
            title: f.title,
            status: f.status,
            severity: f.severity,
            services: f.services,
            tags: f.tags,
            reporter: f.reporter,
            assignee: f.assignee,
            summary: f.summary,
            started_at: f.started_at,
            detected_at: f.detected_at,
            acknowledged_at: f.acknowledged_at,
            mitigated_at: f.mitigated_at,
            resolved_at: f.resolved_at,
            created_at: f.created_at,
            updated_at: f.updated_at,
            closed_at: f.closed_at,
            analyzed_at: f.analyzed_at,
            reopened_at: f.reopened_at,
            withdrawal: Lean::new(Withdrawal {
                at: f.withdrawn_at,
                reason: f.withdrawn_reason,
                duplicate_of: f.duplicate_of,
            }),
            review: Lean::new(Review {
                verdict: f.review,
                by: f.reviewed_by,
                at: f.reviewed_at,
                note: f.review_note,
            }),
            impact: f.impact,
            analysis: f.analysis,
            timeline: f.timeline,
            action_items: f.action_items,
            deploy: Lean::new(f.deploy),
        }
    }
}

impl From<Record> for RecordFields {
    fn from(r: Record) -> RecordFields {
        let withdrawal = r.withdrawal.into_inner();
        let review = r.review.into_inner();
        RecordFields {
            schema: r.schema,
            id: r.id,
            title: r.title,
            status: r.status,
            severity: r.severity,
            services: r.services,
            tags: r.tags,
            reporter: r.reporter,
            assignee: r.assignee,
            summary: r.summary,
            started_at: r.started_at,
            detected_at: r.detected_at,
            acknowledged_at: r.acknowledged_at,
            mitigated_at: r.mitigated_at,
            resolved_at: r.resolved_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            closed_at: r.closed_at,
            analyzed_at: r.analyzed_at,
            reopened_at: r.reopened_at,
            withdrawn_at: withdrawal.at,
            withdrawn_reason: withdrawal.reason,
            duplicate_of: withdrawal.duplicate_of,
            review: review.verdict,
            reviewed_by: review.by,
            reviewed_at: review.at,
            review_note: review.note,
            impact: r.impact,
            analysis: r.analysis,
            timeline: r.timeline,
            action_items: r.action_items,
            deploy: r.deploy.into_inner(),
        }
    }
}

impl From<ActionItemFields> for ActionItem {
    fn from(f: ActionItemFields) -> ActionItem {
        ActionItem {
            n: f.n,
            text: f.text,
            kind: f.kind,
            owner: f.owner,
            due: f.due,
            priority: f.priority,
            status: f.status,
            ticket: f.ticket,
            done_at: f.done_at,
            commit: f.commit,
            wontfix_reason: f.wontfix_reason,
            link: Lean::new(TrackerLink {
                tracker: f.tracker,
                tracker_ref: f.tracker_ref,
                url: f.url,
                remote_state: f.remote_state,
                closed_by: f.closed_by,
            }),
        }
    }
}

impl From<ActionItem> for ActionItemFields {
    fn from(a: ActionItem) -> ActionItemFields {
        let link = a.link.into_inner();
        ActionItemFields {
            n: a.n,
            text: a.text,
            kind: a.kind,
            owner: a.owner,
            due: a.due,
            priority: a.priority,
            status: a.status,
            ticket: a.ticket,
            done_at: a.done_at,
            commit: a.commit,
            wontfix_reason: a.wontfix_reason,
            tracker: link.tracker,
            tracker_ref: link.tracker_ref,
            url: link.url,
            remote_state: link.remote_state,
            closed_by: link.closed_by,
        }
    }
}
