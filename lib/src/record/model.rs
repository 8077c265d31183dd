//! The record as data. Deserialized from the TOML file, serialized for `--json`:
//! the field names here are the contract of both (DESIGN.md §1).

use super::flat::{ActionItemFields, RecordFields};
use super::lean::Lean;
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Deserializer, Serialize, Serializer, de};
use std::fmt;

pub const SCHEMA: i64 = 1;

/// A record in memory. Files, JSON and the record cache spell it flat
/// (`super::flat::RecordFields`: every key where it always was); here the
/// groups most records leave empty are boxed (`super::lean`), which keeps
/// 100k records in memory some 20 MB smaller.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "RecordFields", into = "RecordFields")]
pub struct Record {
    pub schema: i64,
    pub id: String,
    pub title: String,
    pub status: Status,
    pub severity: String,
    pub services: Vec<String>,
    pub tags: Vec<String>,
    pub reporter: Option<String>,
    pub assignee: Option<String>,
    pub summary: String,
    pub started_at: Option<Timestamp>,
    pub detected_at: Option<Timestamp>,
    pub acknowledged_at: Option<Timestamp>,
    pub mitigated_at: Option<Timestamp>,
    pub resolved_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Option<Timestamp>,
    pub closed_at: Option<Timestamp>,
    /// When `analyze` last ran: after a reopen the analysis must be decided
    /// again (a new `analyze`, or `analyze --confirm`) before closing.
    pub analyzed_at: Option<Timestamp>,
    pub reopened_at: Option<Timestamp>,
    /// Set by `withdraw`: out of lists, triage and figures; file and history stay.
    pub withdrawal: Lean<Withdrawal>,
    /// The last review of the analysis (`review --approve` or
    /// `--request-changes`), by someone other than the assignee; `reopen`
    /// clears it, so a reopened record needs a fresh approval.
    pub review: Lean<Review>,
    pub impact: Impact,
    pub analysis: Analysis,
    /// In `--json` and to templates: in time order (by instant, ties in
    /// file order), as `show` numbers them: entry i is `ID#(i+1)`. The
    /// cache keeps the file's order, which edits address.
    pub timeline: Vec<TimelineEntry>,
    pub action_items: Vec<ActionItem>,
    /// `[deploy]`: the deploy that caused it and the one that remedied it.
    pub deploy: Lean<DeployLinks>,
}

/// `withdrawn_at`, `withdrawn_reason`, `duplicate_of`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Withdrawal {
    pub at: Option<Timestamp>,
    pub reason: Option<String>,
    /// The record this one repeats (`withdraw --duplicate-of`).
    pub duplicate_of: Option<String>,
}

/// `review`, `reviewed_by`, `reviewed_at`, `review_note`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Review {
    pub verdict: Option<Verdict>,
    pub by: Option<String>,
    pub at: Option<Timestamp>,
    /// Why changes were requested.
    pub note: Option<String>,
}

/// An item's link to the issue that tracks it in the team's tracker
/// (`action push`), and what `action pull` last read of it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrackerLink {
    /// `github`, `gitlab` or `jira`.
    pub tracker: Option<String>,
    /// `acme/api#123`, `group/proj#7`, `OPS-42` (the key `ref`).
    pub tracker_ref: Option<String>,
    pub url: Option<String>,
    /// `open` or `closed`, as last read: a change there is news to bring
    /// in; the same state again is not (a local `done` stands).
    pub remote_state: Option<String>,
    /// Who closed it on the tracker, when the tracker said.
    pub closed_by: Option<String>,
}

crate::record::lean::rare!(Withdrawal, Review, TrackerLink, DeployLinks);

/// How an incident ties to deploys (`analyze --caused-by/--remedied-by/
/// --no-deploy`); what the change fail rate, rework rate and recovery time
/// are counted from. Commits are kept as full ids: tags move and go, CI's
/// ids live in CI; the deploy is found again from the commit and services.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeployLinks {
    /// The deployed commit that caused the incident.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub caused_by: Option<String>,
    /// The deployed commit that remedied it (a revert, a rollback, a fix).
    #[serde(default, deserialize_with = "empty_as_none")]
    pub remedied_by: Option<String>,
    /// Stated: no deploy was involved.
    #[serde(default)]
    pub no_deploy: bool,
}

impl DeployLinks {
    /// Whether the record says what deploy caused it, or that none did.
    pub fn is_stated(&self) -> bool {
        self.caused_by.is_some() || self.no_deploy
    }
}

/// Text formats get the timeline sorted by instant: as strings, a `+00:00`
/// entry and a `+09:00` one sort by their wall clocks, not when they happened.
pub(super) fn timeline_in_time_order<S: Serializer>(
    timeline: &[TimelineEntry],
    s: S,
) -> Result<S::Ok, S::Error> {
    if !s.is_human_readable() {
        return timeline.serialize(s);
    }
    let mut sorted: Vec<&TimelineEntry> = timeline.iter().collect();
    // Stable: entries at the same instant keep the file's order.
    sorted.sort_by_key(|e| e.at);
    sorted.serialize(s)
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Impact {
    #[serde(default)]
    pub users_affected: Option<u64>,
    #[serde(default)]
    pub field_reports: Option<u64>,
    #[serde(default)]
    pub description: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Analysis {
    #[serde(default)]
    pub trigger: String,
    #[serde(default)]
    pub root_cause: String,
    #[serde(default)]
    pub contributing_factors: Vec<String>,
    #[serde(default)]
    pub five_whys: Vec<String>,
    #[serde(default)]
    pub went_well: Vec<String>,
    #[serde(default)]
    pub went_wrong: Vec<String>,
    #[serde(default)]
    pub lucky: Vec<String>,
    #[serde(default)]
    pub lessons: Vec<String>,
    #[serde(default)]
    pub no_action_reason: String,
    /// Why no action educates the field, when none does.
    #[serde(default)]
    pub no_educate_reason: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TimelineEntry {
    pub at: Timestamp,
    pub text: String,
    /// Where an imported entry came from (`pagerduty`, `alertmanager`,
    /// `slack`, `jsonl`, `csv`) and its id there: importing the same
    /// document again adds nothing.
    #[serde(default, deserialize_with = "empty_as_none")]
    pub source: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    pub source_id: Option<String>,
}

/// An action item in memory; spelled flat outside it
/// (`super::flat::ActionItemFields`), its tracker link boxed.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(from = "ActionItemFields", into = "ActionItemFields")]
pub struct ActionItem {
    pub n: u32,
    pub text: String,
    pub kind: ActionKind,
    pub owner: Option<String>,
    pub due: Option<Day>,
    /// A level of the config's `[actions.priorities]`; a due day left out
    /// at creation is set from its deadline.
    pub priority: Option<String>,
    pub status: ActionStatus,
    pub ticket: Option<String>,
    pub done_at: Option<Timestamp>,
    /// The commit that carried the fix, when closed by `Fixes-Postmortem:`.
    pub commit: Option<String>,
    pub wontfix_reason: Option<String>,
    pub link: Lean<TrackerLink>,
}

macro_rules! string_enum {
    ($(#[$m:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum $name { $($variant),+ }

        #[allow(dead_code)] // generated for every enum; not each uses all of it
        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str().eq_ignore_ascii_case(s.trim()))
            }
            pub fn names() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

string_enum!(
    /// Where a post-mortem is in its life: open → assigned → analyzed → closed.
    Status {
        Open = "open",
        Assigned = "assigned",
        Analyzed = "analyzed",
        Closed = "closed",
        Withdrawn = "withdrawn"
    }
);
impl Status {
    /// Still being worked on: not closed, not withdrawn.
    pub fn is_active(self) -> bool {
        !matches!(self, Status::Closed | Status::Withdrawn)
    }
}

string_enum!(ActionKind { Mitigate = "mitigate", Prevent = "prevent", Process = "process", Educate = "educate", Other = "other" });
string_enum!(ActionStatus { Open = "open", Done = "done", Wontfix = "wontfix" });

/// A reviewer's verdict on the analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Approved,
    ChangesRequested,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Approved => "approved",
            Verdict::ChangesRequested => "changes_requested",
        }
    }
}

// string_enum! cannot carry #[default] on one variant.
#[allow(clippy::derivable_impls)]
impl Default for ActionKind {
    fn default() -> Self {
        ActionKind::Other
    }
}

/// An RFC 3339 time with the offset the person gave, kept exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub DateTime<FixedOffset>);

/// A calendar day (`due = 2026-12-07`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Day(pub NaiveDate);

// Text formats (TOML, JSON) carry RFC 3339 strings; the binary record cache
// carries (seconds, offset) and days since the epoch.
impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&crate::time::format_rfc3339(&self.0))
        } else {
            let t = &self.0;
            (
                t.timestamp(),
                t.timestamp_subsec_nanos(),
                t.offset().local_minus_utc(),
            )
                .serialize(s)
        }
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_str(&self.0.to_string())
        } else {
            self.0.to_epoch_days().serialize(s)
        }
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if !d.is_human_readable() {
            let (secs, nanos, offset) = <(i64, u32, i32)>::deserialize(d)?;
            let offset = chrono::FixedOffset::east_opt(offset)
                .ok_or_else(|| de::Error::custom("bad offset"))?;
            let t = DateTime::from_timestamp(secs, nanos)
                .ok_or_else(|| de::Error::custom("bad time"))?;
            return Ok(Timestamp(t.with_timezone(&offset)));
        }
        let text = d.deserialize_any(DatetimeText)?;
        DateTime::parse_from_rfc3339(&text)
            .map(Timestamp)
            .map_err(|_| {
                de::Error::custom(format!(
                    "'{text}' is not a time with an offset, e.g. 2026-11-23T09:12:00+09:00"
                ))
            })
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if !d.is_human_readable() {
            let days = i32::deserialize(d)?;
            return NaiveDate::from_epoch_days(days)
                .map(Day)
                .ok_or_else(|| de::Error::custom("bad day"));
        }
        let text = d.deserialize_any(DatetimeText)?;
        NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map(Day)
            .map_err(|_| de::Error::custom(format!("'{text}' is not a date, e.g. 2026-12-07")))
    }
}

/// Accepts a TOML datetime (which the toml crate hands over as a one-field
/// map) or a quoted string, so a hand-written `"2026-11-23T09:12:00+09:00"`
/// reads the same as the bare form.
struct DatetimeText;

impl<'de> de::Visitor<'de> for DatetimeText {
    type Value = String;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a TOML date-time")
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
        Ok(v.to_string())
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<String, A::Error> {
        match map.next_key::<String>()? {
            Some(_) => map.next_value::<String>(),
            None => Err(de::Error::custom("expected a date-time")),
        }
    }
}

/// The file format writes `""` for "not set"; JSON says `null`.
pub(super) fn empty_as_none<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let s = Option::<String>::deserialize(d)?;
    Ok(s.filter(|s| !s.trim().is_empty()))
}

impl Record {
    pub fn action(&self, n: u32) -> Option<&ActionItem> {
        self.action_items.iter().find(|a| a.n == n)
    }

    pub fn open_actions(&self) -> impl Iterator<Item = &ActionItem> {
        self.action_items
            .iter()
            .filter(|a| a.status == ActionStatus::Open)
    }

    /// Drops the prose that tables and figures never show (summary, analysis
    /// lists, timeline): over 100k records that is most of the memory.
    pub fn slim(&mut self) {
        self.summary = String::new();
        self.impact.description = String::new();
        let root_cause = std::mem::take(&mut self.analysis.root_cause);
        let no_educate_reason = std::mem::take(&mut self.analysis.no_educate_reason);
        self.analysis = Analysis {
            root_cause,
            no_educate_reason,
            ..Analysis::default()
        };
        self.timeline = Vec::new();
        if self.review.is_set() {
            self.review.edit(|r| r.note = None);
        }
        for a in &mut self.action_items {
            a.ticket = None;
            a.wontfix_reason = None;
            // `commit` stays: triage reads slim records, and an item that
            // names the commit that closed it was reopened after it.
            if a.link.is_set() {
                a.link.edit(|l| {
                    l.url = None;
                    l.closed_by = None;
                });
            }
        }
        self.action_items.shrink_to_fit();
    }

    /// Timeline entries in time order, numbered from 1 as `show` numbers
    /// them (`timeline edit ID#N`), with their index in the file.
    pub fn timeline_in_order(&self) -> Vec<(u32, usize, &TimelineEntry)> {
        let mut entries: Vec<(usize, &TimelineEntry)> = self.timeline.iter().enumerate().collect();
        entries.sort_by_key(|(i, e)| (e.at, *i));
        entries
            .into_iter()
            .enumerate()
            .map(|(n, (i, e))| (n as u32 + 1, i, e))
            .collect()
    }

    /// Every time the record holds, shown in `zone` (the same instants):
    /// what human output and templates read, so all say one clock.
    pub fn in_zone(&self, zone: crate::time::Zone) -> Record {
        let mut r = self.clone();
        let to = |t: &mut Timestamp| t.0 = zone.convert(t.0);
        let fields = [
            &mut r.started_at,
            &mut r.detected_at,
            &mut r.acknowledged_at,
            &mut r.mitigated_at,
            &mut r.resolved_at,
            &mut r.updated_at,
            &mut r.closed_at,
            &mut r.analyzed_at,
            &mut r.reopened_at,
        ];
        fields.into_iter().flatten().for_each(to);
        if r.withdrawal.is_set() {
            r.withdrawal.edit(|w| w.at.iter_mut().for_each(to));
        }
        if r.review.is_set() {
            r.review.edit(|v| v.at.iter_mut().for_each(to));
        }
        to(&mut r.created_at);
        r.timeline.iter_mut().for_each(|e| to(&mut e.at));
        r.action_items
            .iter_mut()
            .filter_map(|a| a.done_at.as_mut())
            .for_each(to);
        r
    }

    /// When the incident began, for ordering and ages: the given start, else creation.
    pub fn began(&self) -> DateTime<FixedOffset> {
        self.started_at.unwrap_or(self.created_at).0
    }

    /// The day the review is due: `days` after the record was created.
    /// Saturates instead of overflowing on absurd dates or day counts.
    pub fn review_due(&self, days: u32) -> DateTime<FixedOffset> {
        review_due(self.created_at, days)
    }
}

/// `days` after `created`, saturating instead of overflowing.
pub fn review_due(created: Timestamp, days: u32) -> DateTime<FixedOffset> {
    let created = created.0;
    chrono::Duration::try_days(i64::from(days))
        .and_then(|d| created.checked_add_signed(d))
        .unwrap_or_else(|| DateTime::<chrono::Utc>::MAX_UTC.with_timezone(created.offset()))
}
