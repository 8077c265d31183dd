//! `related`: post-mortems of incidents that look like the same problem,
//! before or after this one, each with the reasons it was picked: a
//! duplicate (marked, or of the same incident elsewhere), the same service
//! and shared problem words, or fixes that touched the same files.

use crate::record::{Record, Status};
use serde::Serialize;
use std::collections::BTreeSet;

#[derive(Debug, Serialize)]
pub struct Related {
    pub id: String,
    pub title: String,
    pub status: Status,
    pub severity: String,
    pub created_at: crate::record::Timestamp,
    /// When the incident began (`started_at`, else `created_at`).
    pub began: crate::record::Timestamp,
    pub reasons: Vec<Reason>,
}

#[derive(Debug, Serialize)]
pub struct Reason {
    /// `duplicate`, `same-source`, `service-and-words` or `same-files`.
    pub kind: &'static str,
    pub detail: String,
}

/// Shared problem words needed beside a shared service: one word is
/// chance ("timeout"); two is a pattern.
const MIN_SHARED_WORDS: usize = 2;

/// The records like `target` among `records`, earlier or later (a
/// duplicate written a minute before is as likely as one after);
/// withdrawn ones only when they are duplicates of it (or it of them).
/// `files` gives the files a record's fixing commits touched. Strongest
/// first, then newest.
pub fn related(
    target: &Record,
    records: &[Record],
    files: &dyn Fn(&Record) -> BTreeSet<String>,
) -> Vec<Related> {
    let like = Likeness::of(target, files);
    let mut out: Vec<(usize, Related)> = records
        .iter()
        .filter(|r| r.id != target.id)
        .filter_map(|r| like.compare(r, files))
        .collect();
    out.sort_by(|(sa, a), (sb, b)| sb.cmp(sa).then_with(|| b.began.cmp(&a.began)));
    out.into_iter().map(|(_, r)| r).collect()
}

/// What a record is compared by: its problem words (less its services'
/// own names, which say nothing about the problem) and its fixes' files.
struct Likeness<'a> {
    target: &'a Record,
    words: BTreeSet<String>,
    service_words: BTreeSet<String>,
    files: BTreeSet<String>,
}

impl<'a> Likeness<'a> {
    fn of(target: &'a Record, files: &dyn Fn(&Record) -> BTreeSet<String>) -> Self {
        Likeness {
            target,
            words: target.problem_words().into_iter().collect(),
            service_words: target
                .services
                .iter()
                .flat_map(|s| crate::record::words::significant(s))
                .collect(),
            files: files(target),
        }
    }

    /// `r` with its strength and reasons, if it is related at all: a
    /// duplicate, one of the same incident elsewhere, an incident of the
    /// same service saying the same things, or one whose fixes touched the
    /// same files.
    fn compare(
        &self,
        r: &Record,
        files: &dyn Fn(&Record) -> BTreeSet<String>,
    ) -> Option<(usize, Related)> {
        let target = self.target;
        let mut reasons = Vec::new();
        let mut strength = 0;
        let marked = duplicate(target, r);
        let same_source = crate::record::duplicates::shared_source(target, r);
        if marked.is_none() && r.status == Status::Withdrawn {
            return None;
        }
        if let Some(detail) = marked {
            strength += 100;
            reasons.push(Reason {
                kind: "duplicate",
                detail,
            });
        }
        if let Some(what) = same_source {
            strength += 100;
            reasons.push(Reason {
                kind: "same-source",
                detail: format!("both are {what}"),
            });
        }
        if let Some((n, reason)) = self.same_service_and_words(r) {
            strength += n;
            reasons.push(reason);
        }
        if let Some((n, reason)) = self.same_files(r, files) {
            strength += n;
            reasons.push(reason);
        }
        if reasons.is_empty() {
            return None;
        }
        let related = Related {
            id: r.id.clone(),
            title: r.title.clone(),
            status: r.status,
            severity: r.severity.clone(),
            created_at: r.created_at,
            began: crate::record::Timestamp(began(r)),
            reasons,
        };
        Some((strength, related))
    }

    fn same_service_and_words(&self, r: &Record) -> Option<(usize, Reason)> {
        let shared_services: Vec<&String> = r
            .services
            .iter()
            .filter(|s| self.target.services.contains(s))
            .collect();
        if shared_services.is_empty() {
            return None;
        }
        let shared: Vec<String> = r
            .problem_words()
            .into_iter()
            .filter(|w| self.words.contains(w) && !self.service_words.contains(w))
            .collect();
        (shared.len() >= MIN_SHARED_WORDS).then(|| {
            let detail = format!(
                "same service {}; both say {}",
                join(&shared_services),
                shared.join(", ")
            );
            let reason = Reason {
                kind: "service-and-words",
                detail,
            };
            (shared.len(), reason)
        })
    }

    fn same_files(
        &self,
        r: &Record,
        files: &dyn Fn(&Record) -> BTreeSet<String>,
    ) -> Option<(usize, Reason)> {
        if self.files.is_empty() {
            return None;
        }
        let theirs = files(r);
        let same: Vec<&String> = self.files.intersection(&theirs).collect();
        (!same.is_empty()).then(|| {
            let reason = Reason {
                kind: "same-files",
                detail: format!("fixes touched {}", join(&same)),
            };
            (10 * same.len(), reason)
        })
    }
}

/// "X was withdrawn as a duplicate of Y" when one of the two is marked a
/// duplicate of the other.
fn duplicate(target: &Record, r: &Record) -> Option<String> {
    let (dup, of) = if r.withdrawal.duplicate_of.as_deref() == Some(target.id.as_str()) {
        (r, target)
    } else if target.withdrawal.duplicate_of.as_deref() == Some(r.id.as_str()) {
        (target, r)
    } else {
        return None;
    };
    Some(format!(
        "{} was withdrawn as a duplicate of {}",
        dup.id, of.id
    ))
}

/// When the incident began, or else when it was written down.
fn began(r: &Record) -> chrono::DateTime<chrono::FixedOffset> {
    r.started_at.unwrap_or(r.created_at).0
}

fn join(items: &[&String]) -> String {
    items
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}
