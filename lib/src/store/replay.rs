//! This clone's commits on the records branch, replayed on top of the
//! remote's, in-process and over trees (no work tree, no `git rebase`, no
//! merge driver): each commit keeps its author and message and carries
//! its own changes. A file changed on both sides merges three-way: records
//! field by field (`record::merge`, counters summed), the imported deploys
//! as the union of both sides' lines, anything else as a whole file. A field changed two ways is a [`Clash`] for the person;
//! their answer is kept for the rest of the replay.

use super::Store;
use super::tx::{NewCommit, base_tree, file_mode, make_commit};
use crate::error::{Error, Result};
use crate::record::merge::{Conflict, MergeError, Resolution, merge_resolving};
use git2::{Oid, Signature, build::TreeUpdateBuilder};
use std::collections::BTreeMap;

/// A field changed both here and on the remote, named from this clone's
/// side ("yours").
#[derive(Debug, Clone)]
pub struct Clash {
    pub path: String,
    pub id: String,
    pub title: String,
    /// `severity`, `action#2.status`, or `(whole file)`.
    pub field: String,
    pub yours: String,
    pub theirs: String,
    pub yours_value: Option<toml::Value>,
    pub theirs_value: Option<toml::Value>,
}

/// Which side a person keeps (`Value`: a value they typed).
pub type Decide<'a> = dyn FnMut(&Clash) -> Result<Option<Resolution>> + 'a;

/// What the replay gave.
pub enum Replayed {
    /// The new tip (the remote's tip when nothing of ours was left).
    Done { tip: Oid },
    /// Clashes nobody settled: nothing was made.
    Unsettled(Vec<Clash>),
}

/// Replays `commits` (oldest first) onto `onto`. Every clash goes to
/// `decide`; those it leaves are collected and returned, with nothing
/// made. `committer` signs the new commits; authors stay.
pub fn replay(
    store: &Store,
    onto: Oid,
    commits: &[Oid],
    committer: &Signature<'_>,
    decide: &mut Decide<'_>,
) -> Result<Replayed> {
    let repo = &store.repo;
    let signing = super::sign::wanted(repo)?;
    let mut r = Replay {
        store,
        decide,
        decided: BTreeMap::new(),
        unsettled: Vec::new(),
    };
    let mut tip = onto;
    for &c in commits {
        let commit = repo.find_commit(c)?;
        let tree = r.apply(&commit, tip)?;
        if tree == repo.find_commit(tip)?.tree_id() {
            continue; // all of it is there already
        }
        let message = commit.message_raw().unwrap_or_default().to_string();
        tip = make_commit(
            store,
            &NewCommit {
                tree,
                parent: Some(tip),
                message: &message,
                author: &commit.author(),
                committer,
                signing: signing && r.unsettled.is_empty(),
            },
        )?;
    }
    if !r.unsettled.is_empty() {
        return Ok(Replayed::Unsettled(r.unsettled));
    }
    Ok(Replayed::Done { tip })
}

struct Replay<'s, 'd, 'e> {
    store: &'s Store,
    decide: &'d mut Decide<'e>,
    /// (path, field) → the answer given, for the commits after.
    decided: BTreeMap<(String, String), Resolution>,
    unsettled: Vec<Clash>,
}

impl Replay<'_, '_, '_> {
    /// The tree of `tip` with `commit`'s own changes applied.
    fn apply(&mut self, commit: &git2::Commit<'_>, tip: Oid) -> Result<Oid> {
        let repo = &self.store.repo;
        let parent = commit.parents().next().map(|p| p.id());
        let before = base_tree(repo, parent)?;
        let after = commit.tree()?;
        let onto = repo.find_commit(tip)?.tree()?;
        let diff = repo.diff_tree_to_tree(Some(&before), Some(&after), None)?;
        let mut update = TreeUpdateBuilder::new();
        for delta in diff.deltas() {
            let path = delta
                .new_file()
                .path()
                .or_else(|| delta.old_file().path())
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_default();
            let side = |f: git2::DiffFile<'_>| (!f.id().is_zero()).then(|| (f.id(), f.mode()));
            let base = side(delta.old_file());
            let mine = side(delta.new_file());
            let theirs = entry(&onto, &path);
            match self.merge_file(&path, base, mine, theirs)? {
                Some((blob, mode)) => update.upsert(&path, blob, mode),
                None => update.remove(&path),
            };
        }
        Ok(update.create_updated(repo, &onto)?)
    }

    /// One file's result: its blob and mode, or `None` for absent.
    fn merge_file(
        &mut self,
        path: &str,
        base: Option<(Oid, git2::FileMode)>,
        mine: Option<(Oid, git2::FileMode)>,
        theirs: Option<(Oid, git2::FileMode)>,
    ) -> Result<Option<(Oid, git2::FileMode)>> {
        let id = |x: Option<(Oid, git2::FileMode)>| x.map(|(o, _)| o);
        if id(theirs) == id(base) || id(theirs) == id(mine) {
            return Ok(mine);
        }
        let texts = (
            self.text(id(base))?,
            self.text(id(mine))?,
            self.text(id(theirs))?,
        );
        if let (Some(b), Some(m), Some(t)) = &texts
            && is_record(path)
        {
            let merged = self.merge_record(path, b, m, t)?;
            let blob = self.store.repo.blob(merged.as_bytes())?;
            let mode = mine.map_or(git2::FileMode::Blob, |(_, m)| m);
            return Ok(Some((blob, mode)));
        }
        if let (Some(m), Some(t)) = (&texts.1, &texts.2)
            && is_deploys(path)
            && let Some(joined) = crate::deploy::joined(texts.0.as_deref(), m, t)
        {
            let blob = self.store.repo.blob(joined.as_bytes())?;
            let mode = mine.map_or(git2::FileMode::Blob, |(_, m)| m);
            return Ok(Some((blob, mode)));
        }
        // Anything else changed on both sides: one side whole.
        let clash = Clash {
            path: path.to_string(),
            id: record_id(path),
            title: String::new(),
            field: WHOLE_FILE.to_string(),
            yours: describe(texts.1.as_deref()),
            theirs: describe(texts.2.as_deref()),
            yours_value: None,
            theirs_value: None,
        };
        Ok(match self.settle(&clash)? {
            Some(Resolution::Theirs) => theirs,
            _ => mine,
        })
    }

    /// A record changed on both sides, merged by field. The merge is
    /// oriented as a rebase is: the remote's version is "ours" (its layout
    /// and action numbers are the ones the team already shares), this
    /// clone's is "theirs".
    fn merge_record(&mut self, path: &str, base: &str, mine: &str, theirs: &str) -> Result<String> {
        let title = toml::from_str::<toml::Table>(mine)
            .ok()
            .and_then(|t| t.get("title").and_then(|v| v.as_str()).map(str::to_string))
            .unwrap_or_default();
        let mut asked: Vec<(String, Resolution)> = Vec::new();
        // Each round answers every clash left; a second must settle.
        for _ in 0..3 {
            let answers = asked.clone();
            let result = merge_resolving(base, theirs, mine, &|c: &Conflict| {
                answers
                    .iter()
                    .find(|(f, _)| *f == c.field)
                    .map(|(_, r)| flip(r.clone()))
            });
            let conflicts = match result {
                Ok(text) => return Ok(text),
                Err(MergeError::Parse(side, at)) => {
                    return Err(Error::new(format!(
                        "{path} does not parse in {} at {at}: fix it there first",
                        if side == "theirs" {
                            "your commits"
                        } else {
                            "the remote's branch"
                        }
                    ))
                    .nothing_written());
                }
                Err(MergeError::Conflicts(c)) => c,
            };
            for c in conflicts {
                let clash = Clash {
                    path: path.to_string(),
                    id: record_id(path),
                    title: title.clone(),
                    field: c.field.clone(),
                    yours: c.theirs,
                    theirs: c.ours,
                    yours_value: c.theirs_value,
                    theirs_value: c.ours_value,
                };
                // Unsettled: keep theirs for now; nothing is made anyway.
                let answer = self.settle(&clash)?.unwrap_or(Resolution::Theirs);
                asked.push((c.field, answer));
            }
        }
        Err(Error::new(format!("{path}: the merge did not settle")).nothing_written())
    }

    /// An earlier answer for this field, else the person's (kept).
    fn settle(&mut self, clash: &Clash) -> Result<Option<Resolution>> {
        let key = (clash.path.clone(), clash.field.clone());
        if let Some(r) = self.decided.get(&key) {
            return Ok(Some(r.clone()));
        }
        match (self.decide)(clash)? {
            Some(r) => {
                self.decided.insert(key, r.clone());
                Ok(Some(r))
            }
            None => {
                self.unsettled.push(clash.clone());
                self.decided.insert(key, Resolution::Theirs);
                Ok(None)
            }
        }
    }

    fn text(&self, blob: Option<Oid>) -> Result<Option<String>> {
        Ok(match blob {
            Some(b) => {
                Some(String::from_utf8_lossy(self.store.repo.find_blob(b)?.content()).into_owned())
            }
            None => None,
        })
    }
}

/// The field name of a clash over a whole file.
pub const WHOLE_FILE: &str = "(whole file)";

/// A person's answer (`Ours` = yours) in the merge's orientation.
fn flip(r: Resolution) -> Resolution {
    match r {
        Resolution::Ours => Resolution::Theirs,
        Resolution::Theirs => Resolution::Ours,
        value => value,
    }
}

fn entry(tree: &git2::Tree<'_>, path: &str) -> Option<(Oid, git2::FileMode)> {
    let e = tree.get_path(std::path::Path::new(path)).ok()?;
    Some((e.id(), file_mode(e.filemode() as u32)))
}

/// The imported deploys (`<dir>/deploys.jsonl`): both sides' imports join.
fn is_deploys(path: &str) -> bool {
    path.rsplit('/').next() == Some(crate::deploy::FILE)
}

fn is_record(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .and_then(|n| n.strip_suffix(".toml"))
        .and_then(crate::record::RecordId::parse)
        .is_some()
}

/// `postmortems/2026/11/PM-20261124-abcd1234.toml` → the ID (or the path).
fn record_id(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.strip_suffix(".toml") {
        Some(stem) if crate::record::RecordId::parse(stem).is_some() => stem.to_string(),
        _ => path.to_string(),
    }
}

fn describe(text: Option<&str>) -> String {
    match text {
        None => "(deleted)".to_string(),
        Some(t) => format!("{} lines", t.lines().count()),
    }
}
