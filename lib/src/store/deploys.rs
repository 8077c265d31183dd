//! Deploys as the repository knows them: tags matching the team's
//! patterns (listed with `git for-each-ref`; an annotated tag's tagger
//! time, else its commit's, kept per object by `tag_times`), and the file
//! `deploys import` keeps on the records branch. Also what ties an incident to them: its cause and
//! remedy commits found among the deploys (by commit, else the first
//! deploy that contains it), remedies found through `Fixes-Postmortem:`
//! trailers in deployed commits, and what `changes` and `analyze` suggest.

use super::Store;
use crate::config::DeployConfig;
use crate::deploy::{Deploy, Source, TagPattern};
use crate::error::{Command, Error, Result};
use crate::record::{Record, RecordId, Timestamp};
use git2::Oid;

/// The deploys tags mark, in no particular order; tags made after
/// `cutoff` (a Unix time) left out.
pub fn from_tags(store: &Store, cfg: &DeployConfig, cutoff: Option<i64>) -> Result<Vec<Deploy>> {
    let patterns = cfg.tags.patterns();
    if patterns.is_empty() {
        return Ok(Vec::new());
    }
    let unplanned = cfg.unplanned.patterns();
    let mut prefixes: Vec<String> = patterns
        .iter()
        .map(|p| format!("refs/tags/{}", p.prefix()))
        .collect();
    prefixes.sort();
    prefixes.dedup();
    // A prefix inside another would list its tags twice.
    let covered: Vec<String> = prefixes
        .iter()
        .filter(|p| {
            !prefixes
                .iter()
                .any(|q| q != *p && p.starts_with(q.as_str()))
        })
        .cloned()
        .collect();
    let mut args = vec!["for-each-ref", "--format=%(objectname) %(refname:strip=2)"];
    args.extend(covered.iter().map(String::as_str));
    let out = store.git.run(&args)?;
    crate::trace::mark("deploys: tags listed");
    let text = String::from_utf8_lossy(&out);
    // Names and object ids only (no object is read); the matching tags'
    // commits and times come from `tag_times`, read once per object.
    let tags: Vec<(Oid, &str)> = text
        .lines()
        .filter_map(|l| {
            let (object, name) = l.split_once(' ')?;
            let matches = patterns.iter().any(|p| p.capture(name).is_some());
            Some((Oid::from_str(object).ok()?, name)).filter(|_| matches)
        })
        .collect();
    let objects: Vec<Oid> = tags.iter().map(|(o, _)| *o).collect();
    crate::trace::mark("deploys: tags matched");
    let stamps = super::tag_times::stamps(store, &objects);
    crate::trace::mark("deploys: tag times read");
    let mut deploys = Vec::new();
    for (object, name) in tags {
        let Some(Some(stamp)) = stamps.get(&object) else {
            continue; // a tag of a tree or a blob: no deploy
        };
        if let Some(d) = tag_deploy(name, stamp, &patterns, &unplanned, cfg.service.as_deref())
            && cutoff.is_none_or(|c| d.at.0.timestamp() <= c)
        {
            deploys.push(d);
        }
    }
    Ok(deploys)
}

/// A tag as a deploy, when it matches a pattern (and a pattern without
/// `{service}` has the config's service).
fn tag_deploy(
    name: &str,
    stamp: &super::tag_times::Stamp,
    patterns: &[TagPattern],
    unplanned: &[TagPattern],
    single: Option<&str>,
) -> Option<Deploy> {
    let captured = patterns.iter().find_map(|p| p.capture(name))?;
    let service = match captured {
        "" => single?.to_string(),
        s => s.to_string(),
    };
    Some(Deploy {
        service,
        commit: stamp.commit.to_string(),
        at: Timestamp(stamp.time()?),
        unplanned: unplanned.iter().any(|p| p.matches(name)),
        name: name.to_string(),
        source: Source::Tag,
    })
}

/// The imported file's path on the records branch.
pub fn file_path(store: &Store) -> String {
    format!("{}/{}", store.records_dir, crate::deploy::FILE)
}

/// The imported deploys in `text`; a line that does not read is an error
/// naming it (a hand edit broke it: the file is the team's record).
pub fn read_file(path: &str, text: &str) -> Result<Vec<Deploy>> {
    let (deploys, bad) = crate::deploy::read_stored(text);
    match bad.first() {
        None => Ok(deploys),
        // A hand edit broke it: the file is the team's, so it is said,
        // not dropped.
        Some(n) => Err(Error::new(format!(
            "{path}:{n} on the records branch is not a deploy line ({{\"service\", \"commit\", \"at\", \"id\", \"unplanned\"}}): fix or remove it there"
        ))),
    }
}

/// The file's text at the records branch's commit `at` (`None`: its tip).
pub fn file_text(store: &Store, at: Option<Oid>) -> Result<Option<String>> {
    let path = file_path(store);
    let Some(at) = at else {
        return store.text(&path);
    };
    let tree = store.repo.find_commit(at)?.tree()?;
    let Ok(entry) = tree.get_path(std::path::Path::new(&path)) else {
        return Ok(None);
    };
    let blob = store.repo.find_blob(entry.id())?;
    Ok(Some(String::from_utf8_lossy(blob.content()).into_owned()))
}

/// A commit as the repository names it in full, from a full or short id.
pub fn full_commit(store: &Store, reference: &str) -> Option<String> {
    let obj = store.repo.revparse_single(reference).ok()?;
    Some(obj.peel_to_commit().ok()?.id().to_string())
}

/// What `--caused-by REF`/`--remedied-by REF` names: a deploy (its tag or
/// CI id), a tag, or a commit; the commit's full id.
pub fn resolve(store: &Store, deploys: &[Deploy], flag: &str, reference: &str) -> Result<String> {
    let typed = reference.trim();
    if let Some(d) = deploys.iter().find(|d| d.is_named(typed)) {
        return Ok(d.commit.clone());
    }
    let is_option = typed.starts_with('-');
    match (!is_option).then(|| full_commit(store, typed)).flatten() {
        Some(c) => Ok(c),
        None => Err(Error::usage(format!(
            "{flag} '{}': no deploy, tag or commit of that name",
            crate::text::inline(typed)
        ))
        .nothing_written()
        .hint_run(
            "the deploys known here",
            Command::postmortem(["deploys", "list"]),
        )),
    }
}

pub use crate::deploy::Links;

/// Whether deploy `d` is of a service `r` names (any, when it names none).
fn of_record(d: &Deploy, r: &Record) -> bool {
    r.services.is_empty() || r.services.contains(&d.service)
}

/// Whether `deployed` carries `change` (is it, or descends from it).
fn carries(store: &Store, deployed: &str, change: &str) -> bool {
    if deployed == change {
        return true;
    }
    match (Oid::from_str(deployed), Oid::from_str(change)) {
        (Ok(a), Ok(b)) => store.repo.graph_descendant_of(a, b).unwrap_or(false),
        _ => false,
    }
}

/// The deploy that shipped `commit` for `r`'s services: the same commit
/// (the last at or before `near`, else the first after), else the first
/// deploy from `from` on that carries it.
fn deploy_of(
    store: &Store,
    deploys: &[Deploy],
    r: &Record,
    commit: &str,
    near: chrono::DateTime<chrono::FixedOffset>,
    from: Option<chrono::DateTime<chrono::FixedOffset>>,
) -> Option<usize> {
    let mine = || deploys.iter().enumerate().filter(|(_, d)| of_record(d, r));
    let exact: Vec<usize> = mine()
        .filter(|(_, d)| d.commit == commit)
        .filter(|(_, d)| from.is_none_or(|f| d.at.0 >= f))
        .map(|(i, _)| i)
        .collect();
    if let Some(&i) = exact.iter().rev().find(|&&i| deploys[i].at.0 <= near) {
        return Some(i);
    }
    if let Some(&i) = exact.first() {
        return Some(i);
    }
    // Only deploys made after the commit can carry it (give or take skew).
    let made = Oid::from_str(commit)
        .ok()
        .and_then(|c| store.repo.find_commit(c).ok())
        .map_or(i64::MIN, |c| {
            c.time().seconds() - super::graph::SKEW_SECONDS
        });
    mine()
        .filter(|(_, d)| from.is_none_or(|f| d.at.0 >= f) && d.at.0.timestamp() >= made)
        .find(|(_, d)| carries(store, &d.commit, commit))
        .map(|(i, _)| i)
}

/// Each record's cause and remedy among `deploys` (sorted by time): as
/// the record says (`[deploy]`), the remedy otherwise from a
/// `Fixes-Postmortem:` trailer naming the record in a commit that a deploy
/// of its services after the incident began carries.
pub fn link(store: &Store, deploys: &[Deploy], records: &[&Record]) -> Result<Vec<Links>> {
    let mut links: Vec<Links> = records
        .iter()
        .map(|r| {
            let began = r.began();
            Links {
                cause: r
                    .deploy
                    .caused_by
                    .as_deref()
                    .and_then(|c| deploy_of(store, deploys, r, c, began, None)),
                remedy: r
                    .deploy
                    .remedied_by
                    .as_deref()
                    .and_then(|c| deploy_of(store, deploys, r, c, began, Some(began))),
            }
        })
        .collect();
    let waiting: Vec<usize> = (0..records.len())
        .filter(|&i| records[i].deploy.remedied_by.is_none())
        .collect();
    if waiting.is_empty() || deploys.is_empty() {
        return Ok(links);
    }
    let Some(since) = waiting
        .iter()
        .map(|&i| records[i].began().timestamp())
        .min()
    else {
        return Ok(links);
    };
    let by_id: std::collections::HashMap<&str, usize> = waiting
        .iter()
        .map(|&i| (records[i].id.as_str(), i))
        .collect();
    for t in super::fixes::since(store, since)? {
        for named in t.trailer.items() {
            let crate::store::trailers::Named::Item { query, .. } = named else {
                continue;
            };
            // A whole ID is looked up (most trailers name records outside
            // the window: a miss); a short one is matched (rare).
            let named: Vec<usize> = match by_id.get(query.as_str()) {
                Some(&i) => vec![i],
                None if RecordId::parse(&query).is_some() => Vec::new(),
                None => waiting
                    .iter()
                    .copied()
                    .filter(|&i| {
                        RecordId::parse(&records[i].id).is_some_and(|id| id.matches(&query))
                    })
                    .collect(),
            };
            if named.is_empty() {
                continue;
            }
            let commit = t.commit.to_string();
            // A deploy cannot carry a commit made after it (give or take
            // the skew every walk allows): no ancestry asked of those.
            let made =
                store.repo.find_commit(t.commit)?.time().seconds() - super::graph::SKEW_SECONDS;
            for i in named {
                let r = records[i];
                // Several fixes: the first deploy that carries one.
                let found = mine_after(deploys, r, r.began())
                    .filter(|&j| deploys[j].at.0.timestamp() >= made)
                    .find(|&j| carries(store, &deploys[j].commit, &commit));
                links[i].remedy = match (links[i].remedy, found) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
            }
        }
    }
    Ok(links)
}

/// `r`'s services' deploys from `began` on, in time order.
fn mine_after<'d>(
    deploys: &'d [Deploy],
    r: &'d Record,
    began: chrono::DateTime<chrono::FixedOffset>,
) -> impl Iterator<Item = usize> + 'd {
    deploys
        .iter()
        .enumerate()
        .filter(move |(_, d)| of_record(d, r) && d.at.0 >= began)
        .map(|(i, _)| i)
}

/// What `changes` and `analyze` offer as cause and remedy.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Suggestions {
    /// The last deploy of the incident's services before it began.
    pub cause: Option<Deploy>,
    /// Commits after it began that say `This reverts commit X`, with X.
    pub reverts: Vec<Revert>,
    /// Deploys after it began of an older version than the suspect's.
    pub rollbacks: Vec<Deploy>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Revert {
    pub commit: String,
    pub subject: String,
    pub reverts: String,
}

/// How far after the incident began a revert or rollback is looked for
/// when it has no resolution yet.
const REMEDY_WINDOW_DAYS: i64 = 7;

pub fn suggest(store: &Store, deploys: &[Deploy], r: &Record) -> Result<Suggestions> {
    let began = r.began();
    let cause = deploys
        .iter()
        .filter(|d| of_record(d, r) && d.at.0 <= began)
        .max_by_key(|d| d.at)
        .cloned();
    let end = r
        .resolved_at
        .map(|t| t.0)
        .unwrap_or(began + chrono::Duration::days(REMEDY_WINDOW_DAYS));
    let rollbacks = match &cause {
        Some(c) => deploys
            .iter()
            .filter(|d| of_record(d, r) && d.at.0 > began && d.at.0 <= end)
            .filter(|d| d.commit != c.commit && carries(store, &c.commit, &d.commit))
            .cloned()
            .collect(),
        None => Vec::new(),
    };
    let mut reverts = Vec::new();
    let nearby = super::history::commits_between(store, began.timestamp(), end.timestamp())?;
    for c in nearby {
        let Ok(oid) = Oid::from_str(&c.commit) else {
            continue;
        };
        let message = store
            .repo
            .find_commit(oid)?
            .message()
            .unwrap_or_default()
            .to_string();
        if let Some(reverted) = reverted_commit(&message) {
            reverts.push(Revert {
                commit: c.commit,
                subject: c.subject,
                reverts: reverted,
            });
        }
    }
    Ok(Suggestions {
        cause,
        reverts,
        rollbacks,
    })
}

/// The X of git's `This reverts commit X.`
pub fn reverted_commit(message: &str) -> Option<String> {
    let at = message.find("This reverts commit ")?;
    let rest = &message[at + "This reverts commit ".len()..];
    let id: String = rest.chars().take_while(char::is_ascii_hexdigit).collect();
    (id.len() >= 7).then_some(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_revert_names_the_commit_it_reverts() {
        let m = "Revert \"Pool size 50\"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.\n";
        assert_eq!(
            reverted_commit(m).as_deref(),
            Some("0123456789abcdef0123456789abcdef01234567")
        );
        assert_eq!(reverted_commit("fix pool"), None);
    }

    #[test]
    fn a_tag_reads_as_a_deploy_of_its_service() {
        let patterns = [TagPattern::new("deploy/prod/{service}/*")];
        let unplanned = [TagPattern::new("*hotfix*")];
        let stamp = super::super::tag_times::Stamp {
            commit: Oid::from_bytes(&[7; 20]).unwrap(),
            seconds: 1_793_581_200,
            offset_minutes: 540,
        };
        let d = tag_deploy(
            "deploy/prod/api/hotfix-1",
            &stamp,
            &patterns,
            &unplanned,
            None,
        )
        .unwrap();
        assert_eq!((d.service.as_str(), d.unplanned), ("api", true));
        assert_eq!(
            crate::time::format_rfc3339(&d.at.0),
            "2026-11-02T10:00:00+09:00"
        );
        let d = tag_deploy("deploy/prod/web/7", &stamp, &patterns, &unplanned, None).unwrap();
        assert_eq!((d.service.as_str(), d.unplanned), ("web", false));
        assert!(tag_deploy("v1", &stamp, &patterns, &[], None).is_none());
        let single = [TagPattern::new("v*")];
        assert!(
            tag_deploy("v1", &stamp, &single, &[], None).is_none(),
            "no service"
        );
        assert_eq!(
            tag_deploy("v1", &stamp, &single, &[], Some("api"))
                .unwrap()
                .service,
            "api"
        );
    }
}
