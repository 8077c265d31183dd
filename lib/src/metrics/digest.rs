//! `digest`: what needs someone today, for the team or for one person,
//! drawn from the same rules as `triage` (a short list for a chat room
//! each morning, not the whole review).
//!
//! - awaiting review: analysed where the config requires a review, not
//!   approved; for one person, those they may approve (not their own);
//! - changes requested: sent back by a reviewer, unchanged since;
//! - action items overdue, and due within `triage::DUE_SOON_DAYS` days;
//! - unassigned records (the team's digest only);
//! - stale: active records nobody changed for `stale_days` (default 7).

use super::triage::{ActionRef, Item, Rules, compute};
use crate::config::Config;
use crate::record::Record;
use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct Digest<'a> {
    /// Today, in the team's clock.
    #[serde(serialize_with = "as_text")]
    pub date: NaiveDate,
    /// The person it is for (`Name <email>`); null for the team.
    pub person: Option<String>,
    pub awaiting_review: Vec<Item<'a>>,
    pub changes_requested: Vec<Item<'a>>,
    pub actions_overdue: Vec<ActionRef<'a>>,
    pub actions_due_soon: Vec<ActionRef<'a>>,
    pub unassigned: Vec<Item<'a>>,
    pub stale: Vec<Item<'a>>,
    /// Days without a change after which an active record is stale.
    pub stale_days: u32,
    pub due_soon_days: i64,
}

fn as_text<S: serde::Serializer>(d: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(d)
}

impl Digest<'_> {
    /// How many things need someone.
    pub fn count(&self) -> usize {
        self.awaiting_review.len()
            + self.changes_requested.len()
            + self.actions_overdue.len()
            + self.actions_due_soon.len()
            + self.unassigned.len()
            + self.stale.len()
    }
}

/// The digest over `records`; `me` (`Name <email>`) narrows it to one
/// person: their records and items, and the reviews they may give.
pub fn digest<'a>(
    records: &'a [Record],
    config: &Config,
    now: DateTime<FixedOffset>,
    me: Option<(&str, &str)>,
) -> Digest<'a> {
    let rules = |mine: Option<String>| Rules {
        config,
        now,
        since: now,
        mine,
    };
    let team = compute(records, &rules(None));
    let (person, email) = me.unzip();
    let mine = email.map(|e| compute(records, &rules(Some(e.to_string()))));
    // Reviews are given by others: a person's digest lists those they may
    // approve, which the narrowed triage (their own records) would not.
    let awaiting_review = team
        .awaiting_review
        .into_iter()
        .filter(|i| {
            // Not their own: known as `review` knows the assignee.
            person.is_none_or(|p| {
                let (name, email) = crate::people::name_and_email(p);
                !i.assignee
                    .is_some_and(|a| crate::people::is_person(a, name, email))
            })
        })
        .collect();
    let t = mine.unwrap_or(super::triage::Triage {
        awaiting_review: Vec::new(),
        ..team
    });
    Digest {
        date: now.date_naive(),
        person: person.map(str::to_string),
        awaiting_review,
        changes_requested: t.changes_requested,
        actions_overdue: t.actions_overdue,
        actions_due_soon: t.actions_due_soon,
        unassigned: t.unassigned,
        stale: t.stale,
        stale_days: config.stale_days(),
        due_soon_days: super::triage::DUE_SOON_DAYS,
    }
}
