//! `related`: post-mortems of earlier incidents that look like the same problem, each
//! with the reasons it was picked: an explicit duplicate, the same service
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
    /// `duplicate`, `service-and-words` or `same-files`.
    pub kind: &'static str,
    pub detail: String,
}

/// Shared problem words needed beside a shared service: one word is
/// chance ("timeout"); two is a pattern.
const MIN_SHARED_WORDS: usize = 2;

/// The records like `target` among `records`: earlier ones, and any that
/// are marked duplicates of it (or it of them). `files` gives the files a
/// record's fixing commits touched. Strongest first, then newest.
pub fn related(
    target: &Record,
    records: &[Record],
    files: &dyn Fn(&Record) -> BTreeSet<String>,
) -> Vec<Related> {
    let words: BTreeSet<String> = target.problem_words().into_iter().collect();
    // A service's own name says nothing about the problem.
    let services: BTreeSet<String> = target
        .services
        .iter()
        .flat_map(|s| crate::record::words::significant(s))
        .collect();
    let target_files = files(target);
    let mut out: Vec<(usize, Related)> = Vec::new();
    for r in records.iter().filter(|r| r.id != target.id) {
        let mut reasons = Vec::new();
        let duplicate = r.duplicate_of.as_deref() == Some(target.id.as_str())
            || target.duplicate_of.as_deref() == Some(r.id.as_str());
        if duplicate {
            let detail = if r.duplicate_of.as_deref() == Some(target.id.as_str()) {
                format!("{} was withdrawn as a duplicate of {}", r.id, target.id)
            } else {
                format!("{} was withdrawn as a duplicate of {}", target.id, r.id)
            };
            reasons.push(Reason {
                kind: "duplicate",
                detail,
            });
        } else if began(r) >= began(target) || r.status == Status::Withdrawn {
            continue;
        }
        let mut strength = if duplicate { 100 } else { 0 };
        let shared_services: Vec<&String> = r
            .services
            .iter()
            .filter(|s| target.services.contains(s))
            .collect();
        if !shared_services.is_empty() {
            let shared: Vec<String> = r
                .problem_words()
                .into_iter()
                .filter(|w| words.contains(w) && !services.contains(w))
                .collect();
            if shared.len() >= MIN_SHARED_WORDS {
                strength += shared.len();
                reasons.push(Reason {
                    kind: "service-and-words",
                    detail: format!(
                        "same service {}; both say {}",
                        join(&shared_services),
                        shared.join(", ")
                    ),
                });
            }
        }
        if !target_files.is_empty() {
            let theirs = files(r);
            let same: Vec<&String> = target_files.intersection(&theirs).collect();
            if !same.is_empty() {
                strength += 10 * same.len();
                reasons.push(Reason {
                    kind: "same-files",
                    detail: format!("fixes touched {}", join(&same)),
                });
            }
        }
        if !reasons.is_empty() {
            out.push((
                strength,
                Related {
                    id: r.id.clone(),
                    title: r.title.clone(),
                    status: r.status,
                    severity: r.severity.clone(),
                    created_at: r.created_at,
                    began: crate::record::Timestamp(began(r)),
                    reasons,
                },
            ));
        }
    }
    out.sort_by(|(sa, a), (sb, b)| sb.cmp(sa).then_with(|| b.began.cmp(&a.began)));
    out.into_iter().map(|(_, r)| r).collect()
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
