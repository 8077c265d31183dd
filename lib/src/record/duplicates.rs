//! Two live post-mortems of one incident: both carry the tag that ties a
//! record to an incident in another tool (`pagerduty:ID`, which `new
//! --from pagerduty` writes). `new` refuses a second one, but two clones
//! that each made one before syncing bring them together in the merge.
//! Pure: `check`, `sync` and `related` bring the records.

use super::{Record, Status, Timestamp};
use crate::error::Command;
use std::collections::BTreeMap;

/// The tag prefixes that name an incident elsewhere, and how to say it.
const SOURCE_TAGS: &[(&str, &str)] = &[("pagerduty:", "PagerDuty incident")];

/// What ties one record to incidents elsewhere.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Tied {
    pub id: String,
    pub created_at: Timestamp,
    /// Its source tags, as written.
    pub tags: Vec<String>,
}

impl Tied {
    /// `None` for a withdrawn record (a duplicate already settled) and
    /// for one with no source tag.
    pub fn of(r: &Record) -> Option<Tied> {
        let tags: Vec<String> = r
            .tags
            .iter()
            .filter(|t| source_of(t).is_some())
            .cloned()
            .collect();
        (r.status != Status::Withdrawn && !tags.is_empty()).then(|| Tied {
            id: r.id.clone(),
            created_at: r.created_at,
            tags,
        })
    }
}

/// "PagerDuty incident Q3SRCH0SLOW01" for a source tag.
fn source_of(tag: &str) -> Option<String> {
    SOURCE_TAGS.iter().find_map(|(prefix, what)| {
        let id = tag.strip_prefix(prefix)?.trim();
        (!id.is_empty()).then(|| format!("{what} {id}"))
    })
}

/// "PagerDuty incident Q3 (tag pagerduty:Q3)" when `a` and `b` carry one
/// source tag (withdrawn or not: `related` shows settled duplicates too).
pub fn shared_source(a: &Record, b: &Record) -> Option<String> {
    a.tags
        .iter()
        .filter(|t| b.tags.contains(t))
        .find_map(|t| Some(format!("{} (tag {t})", source_of(t)?)))
}

/// A record that repeats an earlier one: indices into the slice given to
/// [`same_source`], and the tag they share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SameSource {
    pub newer: usize,
    pub older: usize,
    pub tag: String,
}

impl SameSource {
    /// "PagerDuty incident Q3SRCH0SLOW01 (tag pagerduty:Q3SRCH0SLOW01)".
    pub fn what(&self) -> String {
        let source = source_of(&self.tag).unwrap_or_default();
        format!("{source} (tag {})", self.tag)
    }

    /// The command that settles it: the newer one withdrawn as a
    /// duplicate of the older.
    pub fn withdraw(&self, tied: &[Tied]) -> Command {
        let (newer, older) = (&tied[self.newer].id, &tied[self.older].id);
        let source = source_of(&self.tag).unwrap_or_else(|| self.tag.clone());
        Command::postmortem([
            "withdraw".to_string(),
            newer.clone(),
            "--duplicate-of".into(),
            older.clone(),
            "--reason".into(),
            format!("Same {source} as {older}"),
        ])
    }
}

/// Every record that shares a source tag with an earlier one (by
/// creation, then ID), paired with the earliest: the one to keep. A pair
/// sharing several tags is said once.
pub fn same_source(tied: &[Tied]) -> Vec<SameSource> {
    let mut by_tag: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, t) in tied.iter().enumerate() {
        for tag in &t.tags {
            let list = by_tag.entry(tag.as_str()).or_default();
            // A record that names a tag twice is one record.
            if list.last() != Some(&i) {
                list.push(i);
            }
        }
    }
    let mut out: Vec<SameSource> = Vec::new();
    for (tag, mut group) in by_tag.into_iter().filter(|(_, g)| g.len() > 1) {
        group.sort_by(|&a, &b| {
            (tied[a].created_at, &tied[a].id).cmp(&(tied[b].created_at, &tied[b].id))
        });
        let older = group[0];
        for &newer in &group[1..] {
            if !out.iter().any(|s| s.newer == newer && s.older == older) {
                out.push(SameSource {
                    newer,
                    older,
                    tag: tag.to_string(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::testing::record;

    fn tagged(id: &str, created: &str, tags: &[&str]) -> Record {
        let tags: Vec<String> = tags.iter().map(|t| format!("\"{t}\"")).collect();
        record(
            id,
            &format!("created_at = {created}\ntags = [{}]\n", tags.join(", ")),
        )
    }

    #[test]
    fn the_later_of_two_with_one_incident_is_the_duplicate() {
        let records = [
            tagged(
                "PM-20261124-bbbbbbbb",
                "2026-11-24T10:00:00+09:00",
                &["pagerduty:Q1", "db"],
            ),
            tagged(
                "PM-20261124-aaaaaaaa",
                "2026-11-24T10:02:00+09:00",
                &["pagerduty:Q1"],
            ),
            tagged(
                "PM-20261124-cccccccc",
                "2026-11-24T09:00:00+09:00",
                &["pagerduty:Q2"],
            ),
            tagged("PM-20261124-dddddddd", "2026-11-24T09:00:00+09:00", &["db"]),
        ];
        let tied: Vec<Tied> = records.iter().filter_map(Tied::of).collect();
        let found = same_source(&tied);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(tied[found[0].newer].id, "PM-20261124-aaaaaaaa");
        assert_eq!(tied[found[0].older].id, "PM-20261124-bbbbbbbb");
        assert_eq!(
            found[0].withdraw(&tied).args,
            [
                "withdraw",
                "PM-20261124-aaaaaaaa",
                "--duplicate-of",
                "PM-20261124-bbbbbbbb",
                "--reason",
                "Same PagerDuty incident Q1 as PM-20261124-bbbbbbbb"
            ]
        );
    }

    #[test]
    fn a_withdrawn_record_does_not_count() {
        let mut gone = tagged(
            "PM-20261124-aaaaaaaa",
            "2026-11-24T10:02:00+09:00",
            &["pagerduty:Q1"],
        );
        gone.status = Status::Withdrawn;
        let kept = tagged(
            "PM-20261124-bbbbbbbb",
            "2026-11-24T10:00:00+09:00",
            &["pagerduty:Q1"],
        );
        let tied: Vec<Tied> = [gone, kept].iter().filter_map(Tied::of).collect();
        assert!(same_source(&tied).is_empty());
    }
}
