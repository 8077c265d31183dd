//! Reading the repository's history: a record's changes, the team's
//! activity, the commits around an incident.
//!
//! Walks are cheap on long histories of mostly code: a commit is skipped as
//! soon as the records directory's tree id equals its parent's, and a
//! record's own walk stops shortly after the commit that created it.

use super::read::Entry;
use super::{Store, graph};
use crate::error::Result;
use crate::record::diff::{FieldChange, diff};
use git2::{Commit, Oid};
use serde::Serialize;
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Clone, Serialize)]
pub struct Revision {
    pub commit: String,
    /// `Name <email>`, the form records store.
    pub author: String,
    pub date: String,
    /// The `Postmortem-Action` trailer, or `commit` for a plain git commit.
    pub action: String,
    pub subject: String,
    /// The commit message's body: the why (`-m` text, `--reason`), without
    /// the subject and the trailers.
    pub message: String,
    pub changes: Vec<FieldChange>,
}

/// Authors of the newest commits, most recent first, each once: who is
/// around to take work when the team keeps no roster.
pub fn recent_authors(store: &Store, commits: usize) -> Result<Vec<String>> {
    let graph = graph::load(store, super::branch::team_tip(&store.repo))?;
    let mut authors: Vec<String> = Vec::new();
    for c in graph.date_order().into_iter().take(commits) {
        let commit = store.repo.find_commit(graph.oid(c))?;
        let a = commit.author();
        let who = person(&a);
        if !authors.contains(&who) {
            authors.push(who);
        }
    }
    Ok(authors)
}

/// A git signature as records write people: `Name <email>`.
fn person(sig: &git2::Signature<'_>) -> String {
    format!(
        "{} <{}>",
        sig.name().unwrap_or("?"),
        sig.email().unwrap_or("?")
    )
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
        author: person(&author),
        date,
        action: super::trailers::last(message, "Postmortem-Action")
            .unwrap_or_else(|| "commit".to_string()),
        subject: message.lines().next().unwrap_or_default().to_string(),
        message: body(message),
        changes,
    }
}

/// A message's body: after the subject paragraph, without the trailer
/// block (as git finds it: `git interpret-trailers`' rules, through
/// libgit2).
fn body(message: &str) -> String {
    let mut paragraphs: Vec<&str> = message.trim().split("\n\n").skip(1).collect();
    let trailers = git2::message_trailers_strs(message).map_or(0, |t| t.len());
    if trailers > 0
        && paragraphs
            .last()
            .is_some_and(|p| p.lines().count() == trailers)
    {
        paragraphs.pop();
    }
    paragraphs.join("\n\n").trim().to_string()
}

fn blob_text(store: &Store, blob: Option<Oid>) -> Result<Option<String>> {
    Ok(match blob {
        Some(b) => Some(String::from_utf8_lossy(store.repo.find_blob(b)?.content()).into_owned()),
        None => None,
    })
}

/// A record's history, newest first: one entry per commit that changed it,
/// up to `q.limit` of those `q` keeps. A commit is skipped as soon as its
/// records-directory tree equals a parent's (git's history
/// simplification), without reading any tree; the walk stops at the limit,
/// so the default `log ID` reads the newest changes only.
pub fn record_history(store: &Store, entry: &Entry, q: &HistoryQuery<'_>) -> Result<Vec<Revision>> {
    let graph = graph::load(store, store.snapshot()?.commit)?;
    let within = entry
        .path
        .strip_prefix(&format!("{}/", store.records_dir))
        .unwrap_or(&entry.path)
        .to_string();
    // The record's blob per records-dir tree, memoised per subtree on the
    // way down: a month tree holds thousands of records and changes rarely,
    // so it is read once per version, not once per commit.
    let parts: Vec<&str> = within.split('/').collect();
    let mut memo: HashMap<(Oid, usize), Option<Oid>> = HashMap::new();
    let mut blob_in = |dir: Option<Oid>| -> Result<Option<Oid>> {
        match dir {
            Some(dir) => lookup(store, &mut memo, dir, &parts, 0),
            None => Ok(None),
        }
    };
    let mut out = Vec::new();
    let order = graph.date_order();
    crate::trace::mark("date order");
    for c in order {
        if out.len() >= q.limit {
            break;
        }
        let dir = graph.dir(c);
        let parents = graph.parents(c);
        if q.too_old(graph.time(c))
            || parents.iter().any(|&p| graph.dir(p) == dir)
            || (parents.is_empty() && dir.is_none())
        {
            continue;
        }
        let blob = blob_in(dir)?;
        let mut parent_blobs = Vec::with_capacity(parents.len());
        for &p in parents {
            parent_blobs.push(blob_in(graph.dir(p))?);
        }
        if parent_blobs.contains(&blob) || (parent_blobs.is_empty() && blob.is_none()) {
            continue;
        }
        let commit = store.repo.find_commit(graph.oid(c))?;
        if !q.by_author(&commit) {
            continue;
        }
        let before = blob_text(store, parent_blobs.first().copied().flatten())?;
        let after = blob_text(store, blob)?;
        out.push(revision(&commit, diff(before.as_deref(), after.as_deref())));
    }
    Ok(out)
}

/// The id at `parts[depth..]` below `tree`, memoised per (tree, depth).
fn lookup(
    store: &Store,
    memo: &mut HashMap<(Oid, usize), Option<Oid>>,
    tree: Oid,
    parts: &[&str],
    depth: usize,
) -> Result<Option<Oid>> {
    if let Some(found) = memo.get(&(tree, depth)) {
        return Ok(*found);
    }
    let child = store
        .repo
        .find_tree(tree)?
        .get_name(parts[depth])
        .map(|e| e.id());
    let found = match child {
        Some(id) if depth + 1 < parts.len() => lookup(store, memo, id, parts, depth + 1)?,
        other => other,
    };
    memo.insert((tree, depth), found);
    Ok(found)
}

/// Which changes a history read keeps: made at `since` or later (commit
/// time, seconds), by an author whose `Name <email>` contains `author`
/// (any case), at most `limit` of them.
pub struct HistoryQuery<'a> {
    pub since: Option<i64>,
    pub author: Option<&'a str>,
    pub limit: usize,
}

impl HistoryQuery<'_> {
    fn too_old(&self, time: i64) -> bool {
        self.since.is_some_and(|s| time < s)
    }

    fn by_author(&self, commit: &Commit<'_>) -> bool {
        self.author.is_none_or(|who| {
            person(&commit.author())
                .to_lowercase()
                .contains(&who.to_lowercase())
        })
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct Activity {
    pub id: String,
    #[serde(flatten)]
    pub revision: Revision,
}

/// The team's activity across all records, newest first.
pub fn activity(store: &Store, q: &HistoryQuery<'_>) -> Result<Vec<Activity>> {
    let graph = graph::load(store, store.snapshot()?.commit)?;
    let mut out = Vec::new();
    for c in graph.date_order() {
        if out.len() >= q.limit {
            break;
        }
        if q.too_old(graph.time(c)) {
            continue;
        }
        let dir = graph.dir(c);
        let parent_dir = graph.parents(c).first().and_then(|&p| graph.dir(p));
        if dir == parent_dir {
            continue;
        }
        let commit = store.repo.find_commit(graph.oid(c))?;
        if !q.by_author(&commit) {
            continue;
        }
        let tree = |d: Option<Oid>| -> Result<Option<git2::Tree<'_>>> {
            Ok(match d {
                Some(d) => Some(store.repo.find_tree(d)?),
                None => None,
            })
        };
        let (old, new) = (tree(parent_dir)?, tree(dir)?);
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
            let side = |oid: Oid| blob_text(store, (!oid.is_zero()).then_some(oid));
            let changes = diff(
                side(delta.old_file().id())?.as_deref(),
                side(delta.new_file().id())?.as_deref(),
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
/// out the post-mortem commits themselves. Only those commits are read.
pub fn commits_between(store: &Store, from: i64, to: i64) -> Result<Vec<NearbyCommit>> {
    let graph = graph::load(store, super::branch::team_tip(&store.repo))?;
    let tags = tags_by_commit(store)?;
    let mut out = Vec::new();
    for c in graph.date_order() {
        let t = graph.time(c);
        if t > to || t < from {
            continue;
        }
        let commit = store.repo.find_commit(graph.oid(c))?;
        if super::trailers::last(commit.message().unwrap_or_default(), "Postmortem-Id").is_some() {
            continue;
        }
        let rev = revision(&commit, Vec::new());
        out.push(NearbyCommit {
            commit: rev.commit,
            author: rev.author,
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
