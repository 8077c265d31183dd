//! The one write path: every change to a record is one commit touching one
//! file, built without the user's index so their staged work stays theirs.
//!
//! 1. Under a per-repository lock, read HEAD and the record's blob in it.
//! 2. Refuse if the user has uncommitted edits to that file.
//! 3. Apply the edit, validate the result (an invalid record is never committed).
//! 4. Write the blob, replace one entry of HEAD's tree (TreeUpdateBuilder),
//!    create the commit, and move the branch only if it still points where
//!    we read it (compare-and-swap); if someone else moved it, start over.
//! 5. Write the file into the work tree and update only its index entry, so
//!    `git status` is unchanged by us.

use super::identity::signature;
use super::index::{IndexError, IndexTx};
use super::{Store, lock, sign};
use crate::error::{Context, Error, Result};
use crate::record::parse::parse_record;
use crate::record::{Record, RecordId};
use chrono::{DateTime, FixedOffset};
use git2::{ErrorCode, FileMode, Oid, build::TreeUpdateBuilder};
use std::path::Path;

const MAX_ATTEMPTS: usize = 20;

pub struct Change<'a> {
    /// The record this change is about (`None` for the shared config).
    pub id: Option<&'a RecordId>,
    /// The file, relative to the work tree.
    pub path: &'a str,
    /// `new`, `assign`, `analyze`, …: the verb in the subject and trailer.
    pub verb: &'a str,
    /// Extra text from `-m/--message`.
    pub message: Option<&'a str>,
    /// True for `new`: the record must not exist yet.
    pub create: bool,
    pub now: DateTime<FixedOffset>,
}

pub struct Committed {
    /// `None` when the edit changed nothing and so nothing was committed.
    pub commit: Option<Oid>,
    pub record: Record,
}

/// Commits `edit(current text)` as the new content of a record, refusing
/// anything that does not parse as a record with the same ID.
pub fn commit_record(
    store: &Store,
    change: &Change<'_>,
    mut edit: impl FnMut(Option<&str>) -> Result<String>,
) -> Result<Committed> {
    let id = change.id.expect("a record change names its record");
    let path = change.path;
    let mut record = None;
    let commit = commit_file(store, change, |old| {
        let new_text = edit(old)?;
        let parsed = parse_record(&new_text).map_err(|e| {
            Error::new(format!(
                "the change would make an invalid record: {}",
                e.in_file(path)
            ))
        })?;
        if parsed.id != id.as_str() {
            return Err(Error::new(format!(
                "{path}: id = \"{}\" must stay {id}: the ID is the file's name",
                crate::render::sanitize::inline(&parsed.id),
            )));
        }
        record = Some(parsed);
        Ok((new_text, parsed_title(record.as_ref())))
    })?;
    Ok(Committed {
        commit,
        record: record.expect("edit ran"),
    })
}

fn parsed_title(r: Option<&Record>) -> String {
    r.map(|r| r.title.clone()).unwrap_or_default()
}

/// Commits `edit(current text)` as the new content of one file. `edit`
/// returns the text and the title for the commit subject, and must
/// validate: what it returns is committed. `None` means nothing changed.
pub fn commit_file(
    store: &Store,
    change: &Change<'_>,
    mut edit: impl FnMut(Option<&str>) -> Result<(String, String)>,
) -> Result<Option<Oid>> {
    store.ensure_writable()?;
    let repo = &store.repo;
    let path = change.path.to_string();
    let author = signature(repo, "AUTHOR", change.now)?;
    let committer = signature(repo, "COMMITTER", change.now)?;
    let _lock = lock::acquire(repo)?;
    // git's index.lock from the check of the user's staged work until our
    // entry is written. `None`: a layout left to libgit2.
    let mut index_tx = match IndexTx::begin(repo) {
        Ok(tx) => Some(tx),
        Err(IndexError::Unsupported(_)) => None,
        Err(e) => return Err(index_error(&path, e)),
    };
    crate::trace::mark("locked");

    for _ in 0..MAX_ATTEMPTS {
        let head = Head::read(repo)?;
        let base_tree = match &head.commit {
            Some(c) => repo.find_commit(*c)?.tree()?,
            None => repo.find_tree(repo.treebuilder(None)?.write()?)?,
        };
        let current = match base_tree.get_path(Path::new(&path)) {
            Ok(entry) => Some((entry.id(), blob_text(repo, entry.id(), &path)?)),
            Err(e) if e.code() == ErrorCode::NotFound => None,
            Err(e) => return Err(e.into()),
        };
        match (&current, change.create) {
            (Some(_), true) => {
                return Err(Error::new(format!(
                    "{path} already exists; nothing was written"
                )));
            }
            (None, false) => return Err(not_committed(store, &path)),
            _ => {}
        }
        ensure_no_local_edits(
            store,
            &path,
            current.as_ref().map(|c| c.0),
            index_tx.as_ref(),
        )?;
        crate::trace::mark("checked local edits");

        let old_text = current.as_ref().map(|c| c.1.as_str());
        let (new_text, title) = edit(old_text)?;
        if old_text == Some(new_text.as_str()) {
            return Ok(None);
        }

        crate::trace::mark("edited");
        let blob = repo.blob(new_text.as_bytes())?;
        let tree_id = TreeUpdateBuilder::new()
            .upsert(&path, blob, FileMode::Blob)
            .create_updated(repo, &base_tree)?;
        let tree = repo.find_tree(tree_id)?;
        let message = commit_message(change, &title);
        let parents: Vec<git2::Commit<'_>> = match head.commit {
            Some(c) => vec![repo.find_commit(c)?],
            None => Vec::new(),
        };
        let parent_refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
        let buffer =
            repo.commit_create_buffer(&author, &committer, &message, &tree, &parent_refs)?;
        let buffer = String::from_utf8(buffer.to_vec())
            .context(|| "libgit2 made a commit buffer that is not UTF-8".to_string())?;
        let commit = match sign::sign_if_configured(repo, &buffer, &committer_email(&committer))? {
            Some(sig) => repo.commit_signed(&buffer, &sig, Some("gpgsig"))?,
            None => repo
                .odb()?
                .write(git2::ObjectType::Commit, buffer.as_bytes())?,
        };

        let reflog = format!("commit: {}", message.lines().next().unwrap_or_default());
        let moved = match head.commit {
            Some(old) => repo.reference_matching(&head.branch, commit, true, old, &reflog),
            None => repo.reference(&head.branch, commit, false, &reflog),
        };
        match moved {
            Ok(_) => {
                crate::trace::mark("committed");
                write_worktree(store, &path, &new_text)?;
                update_index_entry(store, &path, blob, index_tx.take())?;
                crate::trace::mark("index updated");
                return Ok(Some(commit));
            }
            // Someone else committed since we read HEAD: redo on top of theirs.
            Err(e)
                if matches!(
                    e.code(),
                    ErrorCode::Modified | ErrorCode::Exists | ErrorCode::Locked
                ) =>
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(Error::new(format!(
        "{} moved {MAX_ATTEMPTS} times while committing {path}: nothing was written; try again",
        Head::read(repo)
            .map(|h| h.branch)
            .unwrap_or_else(|_| "HEAD".into())
    )))
}

fn committer_email(sig: &git2::Signature<'_>) -> String {
    sig.email().unwrap_or_default().to_string()
}

/// The branch HEAD points at, and its commit (none on an unborn branch).
struct Head {
    branch: String,
    commit: Option<Oid>,
}

impl Head {
    fn read(repo: &git2::Repository) -> Result<Head> {
        let head = repo.find_reference("HEAD")?;
        let branch = head
            .symbolic_target()?
            .ok_or_else(|| Error::new("HEAD is detached: post-mortem commits need a branch"))?
            .to_string();
        let commit = match repo.refname_to_id(&branch) {
            Ok(oid) => Some(oid),
            Err(e) if e.code() == ErrorCode::NotFound => None,
            Err(e) => return Err(e.into()),
        };
        Ok(Head { branch, commit })
    }
}

fn blob_text(repo: &git2::Repository, oid: Oid, path: &str) -> Result<String> {
    let blob = repo.find_blob(oid)?;
    String::from_utf8(blob.content().to_vec())
        .map_err(|_| Error::new(format!("{path} is not UTF-8 text in HEAD: fix it by hand")))
}

fn not_committed(store: &Store, path: &str) -> Error {
    if store.abs(path).exists() {
        Error::new(format!("{path} is not committed yet: commit it first")).hint(format!(
            "git add {path} && git commit -m 'postmortem: add record'"
        ))
    } else {
        Error::new(format!("{path} does not exist in HEAD"))
    }
}

/// The user's uncommitted edits to this very file are theirs: never
/// overwritten, never silently committed.
fn ensure_no_local_edits(
    store: &Store,
    path: &str,
    head_blob: Option<Oid>,
    index: Option<&IndexTx>,
) -> Result<()> {
    let staged = match index.map(|tx| tx.staged(path)) {
        Some(Ok(staged)) => staged,
        Some(Err(e @ (IndexError::Io(_) | IndexError::Locked))) => {
            return Err(index_error(path, e));
        }
        // Unresolved conflicts or a layout left to libgit2.
        _ => store
            .repo
            .index()
            .map_err(|e| {
                Error::new(format!("cannot read the index: {}", e.message())).hint(
                    "git can rewrite the index in a form this tool reads: a split index in \
                     version 4 with `git update-index --index-version 3`, any other with \
                     `git update-index --no-split-index`",
                )
            })?
            .get_path(Path::new(path), 0)
            .map(|e| e.id),
    };
    let on_disk = match std::fs::read(store.abs(path)) {
        Ok(bytes) => Some(Oid::hash_object(git2::ObjectType::Blob, &bytes)?),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::new(format!("cannot read {path}: {e}"))),
    };
    if staged == head_blob && on_disk == head_blob {
        return Ok(());
    }
    let what = if staged != head_blob {
        "staged"
    } else {
        "unstaged"
    };
    Err(Error::new(format!(
        "{path} has {what} changes that are not committed: nothing was written"
    ))
    .hint(format!(
        "commit them (git commit -- {path}) or set them aside (git stash), then run this again"
    )))
}

/// Atomic: a temporary file in the same directory, then a rename.
fn write_worktree(store: &Store, path: &str, text: &str) -> Result<()> {
    let abs = store.abs(path);
    let dir = abs.parent().expect("record paths have a directory");
    std::fs::create_dir_all(dir).context(|| format!("cannot create {}", dir.display()))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .context(|| format!("cannot write in {}", dir.display()))?;
    std::io::Write::write_all(&mut tmp, text.as_bytes())
        .context(|| format!("cannot write {path}"))?;
    tmp.persist(&abs)
        .context(|| format!("cannot write {path}"))?;
    Ok(())
}

/// Updates this one entry of the index, so `git status` is unchanged by
/// the commit. The fast path edits the index file directly (see
/// `store::index`); layouts it leaves alone go through libgit2.
fn update_index_entry(store: &Store, path: &str, blob: Oid, index: Option<IndexTx>) -> Result<()> {
    match index.map(|tx| tx.upsert(path, blob, &store.abs(path))) {
        Some(Ok(())) => Ok(()),
        Some(Err(e @ (IndexError::Io(_) | IndexError::Locked))) => Err(index_error(path, e)),
        _ => update_index_with_libgit2(store, path),
    }
}

fn index_error(path: &str, e: IndexError) -> Error {
    match e {
        IndexError::Locked => Error::new(format!(
            "the index is locked by another git command (.git/index.lock), so {path} could not be updated in it"
        ))
        .hint(format!("when that command is done, run: git reset -q -- {path}")),
        IndexError::Io(e) => Error::new(format!("cannot update the index for {path}: {e}")),
        IndexError::Unsupported(why) => Error::new(format!("cannot read the index ({why})")),
    }
}

/// Re-reads the index (someone may have staged files since) and updates this
/// one entry. A held `index.lock` (a git command running) gets retries.
fn update_index_with_libgit2(store: &Store, path: &str) -> Result<()> {
    let mut last = None;
    for _ in 0..50 {
        let mut index = store.repo.index()?;
        index.read(true)?;
        index.add_path(Path::new(path))?;
        match index.write() {
            Ok(()) => return Ok(()),
            Err(e) if e.code() == ErrorCode::Locked => {
                last = Some(e);
                std::thread::sleep(std::time::Duration::from_millis(40));
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(Error::new(format!(
        "the commit was made, but the index could not be updated for {path}: {}",
        last.map(|e| e.message().to_string()).unwrap_or_default()
    ))
    .hint(format!(
        "when the other git command is done, run: git reset -q -- {path}"
    )))
}

fn commit_message(change: &Change<'_>, title: &str) -> String {
    let label = change.id.map_or("config".to_string(), |id| id.to_string());
    let mut subject = format!("postmortem: {} {label}", change.verb);
    let title = crate::render::sanitize::inline(title);
    let title = title.trim();
    if !title.is_empty() {
        subject.push(' ');
        subject.push_str(&crate::render::truncate(title, 50));
    }
    let mut message = subject;
    if let Some(extra) = change.message.map(str::trim).filter(|m| !m.is_empty()) {
        message.push_str("\n\n");
        message.push_str(extra);
    }
    message.push_str("\n\n");
    if let Some(id) = change.id {
        message.push_str(&format!("Postmortem-Id: {id}\n"));
    }
    message.push_str(&format!("Postmortem-Action: {}\n", change.verb));
    message
}
