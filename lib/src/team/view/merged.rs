//! Per-repository results joined into one view: each item tagged with its
//! repository, each list in its own order across them. Every repository's
//! part is computed with its own config (review days, severities, zone):
//! the merged triage is the per-repository triages side by side, never a
//! triage of records pooled from teams with different rules.
//!
//! Figures stay per repository. Across repositories only counts are
//! totalled; a median or rate over teams with their own severity scales,
//! services and ways of writing times down would be a number no one team
//! can act on (DORA's warning against comparing teams by their figures),
//! and a median of medians is no median at all.

use crate::metrics::stats::Stats;
use crate::metrics::triage::{ActionRef, Item, Triage};
use crate::store::fixes::Pending;
use serde::Serialize;
use std::collections::BTreeMap;

/// An item of one repository: `{"repo": "api", ...the item}`.
#[derive(Debug, Clone, Serialize)]
pub struct Tagged<'r, T> {
    pub repo: &'r str,
    #[serde(flatten)]
    pub item: T,
}

/// Records in analysis of one assignee, across repositories.
#[derive(Debug, Clone, Serialize)]
pub struct TeamGroup<'a> {
    pub assignee: &'a str,
    pub records: Vec<Tagged<'a, Item<'a>>>,
}

/// The sections of `triage`, across repositories (see `metrics::triage`).
#[derive(Debug, Clone, Serialize)]
pub struct TeamTriage<'a> {
    pub unassigned: Vec<Tagged<'a, Item<'a>>>,
    pub in_analysis: Vec<TeamGroup<'a>>,
    pub awaiting_review: Vec<Tagged<'a, Item<'a>>>,
    pub changes_requested: Vec<Tagged<'a, Item<'a>>>,
    pub ready_to_close: Vec<Tagged<'a, Item<'a>>>,
    pub past_review_deadline: Vec<Tagged<'a, Item<'a>>>,
    pub stale: Vec<Tagged<'a, Item<'a>>>,
    pub actions_overdue: Vec<Tagged<'a, ActionRef<'a>>>,
    pub actions_due_soon: Vec<Tagged<'a, ActionRef<'a>>>,
    pub no_user_education: Vec<Tagged<'a, Item<'a>>>,
    pub closed_since: Vec<Tagged<'a, Item<'a>>>,
    pub fixed_by_commits: Vec<Tagged<'a, Pending>>,
    #[serde(skip)]
    pub education_severities: Vec<String>,
}

/// One repository's triage and the commits that say they fix its items.
pub struct Part<'a> {
    pub repo: &'a str,
    pub triage: Triage<'a>,
    pub fixes: Vec<Pending>,
}

/// The parts, in the repositories' order, joined. Lists keep the order
/// each has alone (oldest first; most overdue first; closed in the order
/// they closed), interleaved across repositories by the same key. With
/// `first`, only that many from the front of each list are put in order
/// (a table shows them; the rest are only counted).
pub fn triage<'a>(mut parts: Vec<Part<'a>>, first: Option<usize>) -> TeamTriage<'a> {
    let oldest_first = |mut v: Vec<Tagged<'a, Item<'a>>>| {
        order(&mut v, first, |t| std::cmp::Reverse(t.item.age_hours));
        v
    };
    let most_overdue_first = |mut v: Vec<Tagged<'a, ActionRef<'a>>>| {
        order(&mut v, first, |t| std::cmp::Reverse(t.item.days_overdue));
        v
    };
    let education_severities = parts
        .first()
        .map(|p| p.triage.education_severities.clone())
        .unwrap_or_default();
    let mut closed = join(&mut parts, |t| std::mem::take(&mut t.closed_since));
    order(&mut closed, first, |t| std::cmp::Reverse(t.item.age_hours));
    TeamTriage {
        unassigned: oldest_first(join(&mut parts, |t| std::mem::take(&mut t.unassigned))),
        in_analysis: in_analysis(&mut parts),
        awaiting_review: oldest_first(join(&mut parts, |t| std::mem::take(&mut t.awaiting_review))),
        changes_requested: oldest_first(join(&mut parts, |t| {
            std::mem::take(&mut t.changes_requested)
        })),
        ready_to_close: oldest_first(join(&mut parts, |t| std::mem::take(&mut t.ready_to_close))),
        past_review_deadline: oldest_first(join(&mut parts, |t| {
            std::mem::take(&mut t.past_review_deadline)
        })),
        stale: oldest_first(join(&mut parts, |t| std::mem::take(&mut t.stale))),
        actions_overdue: most_overdue_first(join(&mut parts, |t| {
            std::mem::take(&mut t.actions_overdue)
        })),
        actions_due_soon: most_overdue_first(join(&mut parts, |t| {
            std::mem::take(&mut t.actions_due_soon)
        })),
        no_user_education: oldest_first(join(&mut parts, |t| {
            std::mem::take(&mut t.no_user_education)
        })),
        closed_since: closed,
        fixed_by_commits: parts
            .iter_mut()
            .flat_map(|p| {
                let repo = p.repo;
                std::mem::take(&mut p.fixes)
                    .into_iter()
                    .map(move |item| Tagged { repo, item })
            })
            .collect(),
        education_severities,
    }
}

/// `v` by `key` (stable: ties in the parts' order), or only its `first` items
/// (found in linear time, then put in order; ties at the cut unordered).
fn order<T, K: Ord>(v: &mut [T], first: Option<usize>, key: impl Fn(&T) -> K) {
    match first {
        Some(n) if n < v.len() => {
            v.select_nth_unstable_by(n, |a, b| key(a).cmp(&key(b)));
            v[..n].sort_by_key(&key);
        }
        _ => v.sort_by_key(key),
    }
}

/// One list taken from every part, each item tagged, in the parts' order.
fn join<'a, T>(
    parts: &mut [Part<'a>],
    take: impl Fn(&mut Triage<'a>) -> Vec<T>,
) -> Vec<Tagged<'a, T>> {
    parts
        .iter_mut()
        .flat_map(|p| {
            let repo = p.repo;
            take(&mut p.triage)
                .into_iter()
                .map(move |item| Tagged { repo, item })
        })
        .collect()
}

/// One group per assignee (by name, as in one repository), oldest record
/// first across repositories.
fn in_analysis<'a>(parts: &mut [Part<'a>]) -> Vec<TeamGroup<'a>> {
    let mut by_assignee: BTreeMap<&'a str, Vec<Tagged<'a, Item<'a>>>> = BTreeMap::new();
    for part in parts.iter_mut() {
        for group in std::mem::take(&mut part.triage.in_analysis) {
            let records = by_assignee.entry(group.assignee).or_default();
            records.extend(group.records.into_iter().map(|item| Tagged {
                repo: part.repo,
                item,
            }));
        }
    }
    by_assignee
        .into_iter()
        .map(|(assignee, mut records)| {
            records.sort_by_key(|t| t.item.created_at);
            TeamGroup { assignee, records }
        })
        .collect()
}

/// `stats` across repositories: each repository's figures whole, and the
/// counts that add up.
#[derive(Debug, Serialize)]
pub struct TeamStats<'r> {
    pub repos: Vec<Tagged<'r, Stats>>,
    pub total: Totals,
}

/// Counts summed over the repositories; no durations, rates or medians
/// (see the module comment).
#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct Totals {
    pub records: usize,
    pub open: usize,
    pub by_status: BTreeMap<String, usize>,
    pub action_items: ActionTotals,
    /// Calls and tickets from the field: each is one person's report, so
    /// they add up (users affected do not: one user may be in two).
    pub field_reports: usize,
}

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
pub struct ActionTotals {
    pub total: usize,
    pub open: usize,
    pub done: usize,
    pub wontfix: usize,
    pub overdue: usize,
}

/// Each repository's figures, and their totals.
pub fn stats<'r>(parts: Vec<(&'r str, Stats)>) -> TeamStats<'r> {
    let mut total = Totals::default();
    for (_, s) in &parts {
        total.records += s.records;
        total.open += s.open;
        for (status, n) in &s.by_status.0 {
            *total.by_status.entry(status.clone()).or_default() += n;
        }
        let a = &s.action_items;
        total.action_items.total += a.total;
        total.action_items.open += a.open;
        total.action_items.done += a.done;
        total.action_items.wontfix += a.wontfix;
        total.action_items.overdue += a.overdue;
        total.field_reports += s.field_reports.total;
    }
    TeamStats {
        repos: parts
            .into_iter()
            .map(|(repo, item)| Tagged { repo, item })
            .collect(),
        total,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::metrics::triage::{Rules, compute};
    use crate::record::testing::record;
    use chrono::DateTime;

    const BOB: &str = "Bob Lee <bob@example.com>";

    fn rules(config: &Config) -> Rules<'_> {
        let now = DateTime::parse_from_rfc3339("2026-11-24T10:00:00+09:00").unwrap();
        Rules {
            config,
            now,
            since: now - chrono::Duration::days(1),
            mine: None,
        }
    }

    #[test]
    fn sections_interleave_oldest_first_and_groups_join_by_assignee() {
        let config = Config::default();
        let api = [
            record("PM-A1", "started_at = 2026-11-10T09:00:00+09:00\n"),
            record(
                "PM-A2",
                &format!(
                    "status = \"assigned\"\nassignee = \"{BOB}\"\nstarted_at = 2026-11-12T09:00:00+09:00\n"
                ),
            ),
        ];
        let web = [
            record("PM-W1", "started_at = 2026-11-05T09:00:00+09:00\n"),
            record(
                "PM-W2",
                &format!(
                    "status = \"assigned\"\nassignee = \"{BOB}\"\ncreated_at = 2026-10-01T09:00:00+09:00\n"
                ),
            ),
        ];
        let rules = rules(&config);
        let parts = vec![
            Part {
                repo: "api",
                triage: compute(&api, &rules),
                fixes: Vec::new(),
            },
            Part {
                repo: "web",
                triage: compute(&web, &rules),
                fixes: Vec::new(),
            },
        ];
        let t = triage(parts, None);
        let unassigned: Vec<(&str, &str)> =
            t.unassigned.iter().map(|i| (i.repo, i.item.id)).collect();
        assert_eq!(unassigned, [("web", "PM-W1"), ("api", "PM-A1")]);
        assert_eq!(t.in_analysis.len(), 1, "one group for Bob");
        let bobs: Vec<&str> = t.in_analysis[0].records.iter().map(|i| i.repo).collect();
        assert_eq!(bobs, ["web", "api"], "created first, first");
        let json = serde_json::to_value(&t.unassigned[0]).unwrap();
        assert_eq!(json["repo"], "web");
        assert_eq!(json["id"], "PM-W1");
    }

    #[test]
    fn totals_add_counts_and_nothing_else() {
        let config = Config::default();
        let zone = config.zone();
        let now = DateTime::parse_from_rfc3339("2026-11-24T10:00:00+09:00").unwrap();
        let figures = |records: &[crate::record::Record]| {
            let refs: Vec<&crate::record::Record> = records.iter().collect();
            crate::metrics::stats::compute(
                &refs,
                &config.severities,
                crate::metrics::stats::Period::Week,
                zone,
                now,
                Default::default(),
            )
        };
        let api = [
            record("PM-A1", ""),
            record("PM-A2", "status = \"closed\"\n"),
        ];
        let web = [record("PM-W1", "")];
        let t = stats(vec![("api", figures(&api)), ("web", figures(&web))]);
        assert_eq!(t.total.records, 3);
        assert_eq!(t.total.open, 2);
        assert_eq!(t.total.by_status["open"], 2);
        assert_eq!(t.total.by_status["closed"], 1);
        let json = serde_json::to_value(&t).unwrap();
        assert_eq!(json["repos"][1]["repo"], "web");
        assert_eq!(json["repos"][1]["records"], 1);
        assert!(json["total"].get("ttr").is_none());
    }
}
