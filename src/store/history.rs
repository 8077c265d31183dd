//! Reading the repository's history: a record's changes, the team's
//! activity, the commits around an incident.
//!
//! Walks are cheap on long histories of mostly code: a commit is skipped as
//! soon as the records directory's tree id equals its parent's, and a
//! record's own walk stops shortly after the commit that created it.

use super::Store;
use super::read::Entry;
use crate::error::Result;
use crate::record::diff::{FieldChange, diff};
use git2::{Commit, ObjectType, Oid, Sort};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

/// Commits may carry clock skew; walks in time order look this far past
/// the point where they could stop.
const SKEW_SECONDS: i64 = 24 * 3600;

#[derive(Debug, Clone, Serialize)]
pub struct Revision {
    pub commit: String,
    pub author: String,
    pub email: String,
    pub date: String,
    /// The `Postmortem-Action` trailer, or `commit` for a plain git commit.
    pub action: String,
    pub subject: String,
    pub changes: Vec<FieldChange>,
}

/// Authors of the newest commits, most recent first, each once: who is
/// around to take work when the team keeps no roster.
pub fn recent_authors(store: &Store, commits: usize) -> Result<Vec<String>> {
    let mut walk = store.repo.revwalk()?;
    if walk.push_head().is_err() {
        return Ok(Vec::new()); // an unborn branch has no authors yet
    }
    let mut authors: Vec<String> = Vec::new();
    for oid in walk.take(commits) {
        let commit = store.repo.find_commit(oid?)?;
        let a = commit.author();
        let who = format!("{} <{}>", a.name().unwrap_or("?"), a.email().unwrap_or("?"));
        if !authors.contains(&who) {
            authors.push(who);
        }
    }
    Ok(authors)
}

/// Newest first. `topological` guarantees children before parents even when
/// commit times tie or run backwards (clock skew, pinned dates), which a
/// history needs; a time window only needs dates.
fn walk_from_head(store: &Store, topological: bool) -> Result<Option<git2::Revwalk<'_>>> {
    let mut walk = store.repo.revwalk()?;
    if walk.push_head().is_err() {
        return Ok(None);
    }
    walk.set_sorting(if topological {
        Sort::TOPOLOGICAL | Sort::TIME
    } else {
        Sort::TIME
    })?;
    Ok(Some(walk))
}

/// The id of the records directory's tree in a commit (None: not there).
fn dir_id(store: &Store, commit: &Commit<'_>) -> Result<Option<Oid>> {
    let tree = commit.tree()?;
    Ok(tree
        .get_name(&store.records_dir)
        .filter(|e| e.kind() == Some(ObjectType::Tree))
        .map(|e| e.id())
        .or_else(|| {
            // A nested records dir (`docs/postmortems`): resolve the whole path.
            tree.get_path(Path::new(&store.records_dir))
                .ok()
                .map(|e| e.id())
        }))
}

fn revision(commit: &Commit<'_>, changes: Vec<FieldChange>) -> Revision {
    let author = commit.author();
    let time = commit.time();
    let offset = chrono::FixedOffset::east_opt(time.offset_minutes() * 60)
        .unwrap_or(chrono::FixedOffset::east_opt(0).expect("UTC"));
    let date = chrono::DateTime::from_timestamp(time.seconds(), 0)
        .map(|t| crate::time::format_rfc3339(&t.with_timezone(&offset)))
        .unwrap_or_default();
    let message = commit.message().unwrap_or_default();
    Revision {
        commit: commit.id().to_string(),
        author: author.name().unwrap_or_default().to_string(),
        email: author.email().unwrap_or_default().to_string(),
        date,
        action: trailer(message, "Postmortem-Action")
            .unwrap_or("commit")
            .to_string(),
        subject: message.lines().next().unwrap_or_default().to_string(),
        changes,
    }
}

pub fn trailer<'a>(message: &'a str, key: &str) -> Option<&'a str> {
    message
        .lines()
        .rev()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':').map(str::trim))
}

/// A record's history, newest first: one entry per commit that changed it.
pub fn record_history(store: &Store, entry: &Entry) -> Result<Vec<Revision>> {
    let Some(walk) = walk_from_head(store, true)? else {
        return Ok(Vec::new());
    };
    let within = entry
        .path
        .strip_prefix(&format!("{}/", store.records_dir))
        .unwrap_or(&entry.path)
        .to_string();
    // Blob of the record per records-dir tree: most commits share one.
    let mut blob_by_dir: HashMap<Oid, Option<Oid>> = HashMap::new();
    let mut blob_in = |dir: Option<Oid>| -> Result<Option<Oid>> {
        let Some(dir) = dir else { return Ok(None) };
        if let Some(b) = blob_by_dir.get(&dir) {
            return Ok(*b);
        }
        let tree = store.repo.find_tree(dir)?;
        let b = tree.get_path(Path::new(&within)).ok().map(|e| e.id());
        blob_by_dir.insert(dir, b);
        Ok(b)
    };
    let mut dir_by_commit: HashMap<Oid, Option<Oid>> = HashMap::new();
    let mut out = Vec::new();
    let mut created_at: Option<i64> = None;
    for oid in walk {
        let commit = store.repo.find_commit(oid?)?;
        if let Some(t) = created_at
            && commit.time().seconds() < t - SKEW_SECONDS
        {
            break;
        }
        let dir = match dir_by_commit.remove(&commit.id()) {
            Some(d) => d,
            None => dir_id(store, &commit)?,
        };
        let mut parent_dirs = Vec::new();
        for p in commit.parents() {
            let d = dir_id(store, &p)?;
            dir_by_commit.insert(p.id(), d);
            parent_dirs.push(d);
        }
        // Unchanged records directory: nothing to look at.
        if !parent_dirs.is_empty() && parent_dirs.contains(&dir) {
            continue;
        }
        let blob = blob_in(dir)?;
        let mut parent_blobs = Vec::new();
        for d in &parent_dirs {
            parent_blobs.push(blob_in(*d)?);
        }
        if parent_blobs.contains(&blob) || (parent_blobs.is_empty() && blob.is_none()) {
            continue;
        }
        if blob.is_some() && parent_blobs.iter().all(Option::is_none) {
            created_at = Some(commit.time().seconds());
        }
        let text = |b: Option<Oid>| -> Result<Option<String>> {
            Ok(match b {
                Some(b) => {
                    Some(String::from_utf8_lossy(store.repo.find_blob(b)?.content()).into_owned())
                }
                None => None,
            })
        };
        let before = text(parent_blobs.first().copied().flatten())?;
        let after = text(blob)?;
        out.push(revision(&commit, diff(before.as_deref(), after.as_deref())));
    }
    Ok(out)
}

/// The team's activity across all records, newest first.
pub struct ActivityQuery<'a> {
    pub since: Option<i64>,
    pub author: Option<&'a str>,
    pub limit: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct Activity {
    pub id: String,
    #[serde(flatten)]
    pub revision: Revision,
}

pub fn activity(store: &Store, q: &ActivityQuery<'_>) -> Result<Vec<Activity>> {
    let Some(walk) = walk_from_head(store, true)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for oid in walk {
        let commit = store.repo.find_commit(oid?)?;
        if q.since
            .is_some_and(|s| commit.time().seconds() < s - SKEW_SECONDS)
            || out.len() >= q.limit
        {
            break;
        }
        if q.since.is_some_and(|s| commit.time().seconds() < s) {
            continue;
        }
        if let Some(who) = q.author {
            let a = commit.author();
            let hay = format!(
                "{} <{}>",
                a.name().unwrap_or_default(),
                a.email().unwrap_or_default()
            )
            .to_lowercase();
            if !hay.contains(&who.to_lowercase()) {
                continue;
            }
        }
        let dir = dir_id(store, &commit)?;
        let parent = commit.parents().next();
        let parent_dir = match &parent {
            Some(p) => dir_id(store, p)?,
            None => None,
        };
        if dir == parent_dir {
            continue;
        }
        let old = match parent_dir {
            Some(d) => Some(store.repo.find_tree(d)?),
            None => None,
        };
        let new = match dir {
            Some(d) => Some(store.repo.find_tree(d)?),
            None => None,
        };
        let changed = store
            .repo
            .diff_tree_to_tree(old.as_ref(), new.as_ref(), None)?;
        for delta in changed.deltas() {
            let file = delta
                .new_file()
                .path()
                .or_else(|| delta.old_file().path())
                .unwrap_or(Path::new(""));
            let Some(id) = file
                .file_stem()
                .and_then(|s| s.to_str())
                .and_then(crate::record::RecordId::parse)
            else {
                continue;
            };
            let text = |oid: Oid| -> Result<Option<String>> {
                if oid.is_zero() {
                    return Ok(None);
                }
                Ok(Some(
                    String::from_utf8_lossy(store.repo.find_blob(oid)?.content()).into_owned(),
                ))
            };
            let changes = diff(
                text(delta.old_file().id())?.as_deref(),
                text(delta.new_file().id())?.as_deref(),
            );
            out.push(Activity {
                id: id.to_string(),
                revision: revision(&commit, changes),
            });
        }
    }
    Ok(out)
}

/// A code commit near an incident.
#[derive(Debug, Clone, Serialize)]
pub struct NearbyCommit {
    pub commit: String,
    pub author: String,
    pub date: String,
    pub subject: String,
    /// Tags pointing at it: deploy markers.
    pub tags: Vec<String>,
}

/// Commits made in `[from, to]` (committer time), newest first, leaving
/// out the post-mortem commits themselves.
pub fn commits_between(store: &Store, from: i64, to: i64) -> Result<Vec<NearbyCommit>> {
    let Some(walk) = walk_from_head(store, false)? else {
        return Ok(Vec::new());
    };
    let tags = tags_by_commit(store)?;
    let mut out = Vec::new();
    let mut older_seen = 0;
    for oid in walk {
        let commit = store.repo.find_commit(oid?)?;
        let t = commit.time().seconds();
        if t > to {
            continue;
        }
        if t < from {
            // Like `git log --since`: a few older commits in a row end the walk.
            older_seen += 1;
            if older_seen > 8 {
                break;
            }
            continue;
        }
        older_seen = 0;
        let message = commit.message().unwrap_or_default();
        if trailer(message, "Postmortem-Id").is_some() {
            continue;
        }
        let rev = revision(&commit, Vec::new());
        out.push(NearbyCommit {
            commit: rev.commit,
            author: format!("{} <{}>", rev.author, rev.email),
            date: rev.date,
            subject: rev.subject,
            tags: tags.get(&commit.id()).cloned().unwrap_or_default(),
        });
    }
    Ok(out)
}

fn tags_by_commit(store: &Store) -> Result<HashMap<Oid, Vec<String>>> {
    let mut map: HashMap<Oid, Vec<String>> = HashMap::new();
    for name in store.repo.tag_names(None)?.iter().flatten().flatten() {
        if let Ok(obj) = store.repo.revparse_single(&format!("refs/tags/{name}"))
            && let Ok(commit) = obj.peel_to_commit()
        {
            map.entry(commit.id()).or_default().push(name.to_string());
        }
    }
    Ok(map)
}

/// `Fixes-Postmortem: PM-…#N` trailers in commits made since `since`.
pub fn fixes_since(store: &Store, since: i64) -> Result<Vec<(String, u32, Oid)>> {
    let Some(walk) = walk_from_head(store, false)? else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for oid in walk {
        let commit = store.repo.find_commit(oid?)?;
        if commit.time().seconds() < since - SKEW_SECONDS {
            break;
        }
        let message = commit.message().unwrap_or_default();
        for line in message.lines() {
            let Some(value) = line.strip_prefix("Fixes-Postmortem:") else {
                continue;
            };
            for item in value.split([',', ' ']).filter(|s| !s.is_empty()) {
                if let Some((id, n)) = item.rsplit_once('#')
                    && let Ok(n) = n.parse()
                {
                    out.push((id.to_string(), n, commit.id()));
                }
            }
        }
    }
    Ok(out)
}
