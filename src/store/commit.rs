//! The one write path: every change to a record is one commit touching one
//! file, built from HEAD's tree so the user's staged work stays theirs.
//!
//! 1. Read HEAD and the file in it; apply the edit; validate. Write the
//!    blob, the tree (HEAD's with one entry replaced) and the commit
//!    (signed by `git commit-tree -S` when `commit.gpgsign` is on, before
//!    any lock is taken, because a signer may wait for a passphrase).
//! 2. Under our lock, ask git whether the user has uncommitted edits to
//!    that file (`git status`, so filters and every index layout count);
//!    if so, stop: their edit is never overwritten or committed.
//! 3. Write the plan to the journal (synced), then, in git's own order:
//!    the work-tree file (atomically, with git's smudge filters and
//!    line-ending rules applied by `git cat-file --filters`), its index
//!    entry (`git update-index --cacheinfo`), and last the branch
//!    (`git update-ref` with the old value, a compare-and-swap).
//!
//! A crash at any instant leaves, at worst, the tool's change staged or in
//! the work tree and visible in `git status`, never a staged revert; the
//! next run finds the journal and finishes the change (`settle`). The
//! user's next plain `git commit` can only commit the tool's change, never
//! undo it.

use super::earlier::{Earlier, First};
use super::git::GitFailure;
use super::identity::signature;
use super::journal::{self, Journal};
use super::{Store, lock, paths, sign};
use crate::error::{Error, Result};
use crate::fsio::{Durability, Temp, atomic_write};
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
                crate::text::inline(&parsed.id),
            )));
        }
        let title = parsed.title.clone();
        record = Some(parsed);
        Ok((new_text, title))
    })?;
    Ok(Committed {
        commit,
        record: record.expect("edit ran"),
    })
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
    store.ensure_records_checked_out()?;
    let repo = &store.repo;
    let path = change.path;
    paths::check_inside(&store.workdir, path)?;
    // Fails before anything is planned when no identity is set.
    signature(repo, "AUTHOR", change.now)?;
    signature(repo, "COMMITTER", change.now)?;
    let signing = sign::wanted(repo)?;
    // Unsigned commits are built under the lock (cheap, and no other run
    // of ours can then make us rebuild); a signature may wait for a
    // person, so it is made first and the lock taken after.
    let mut guard = if signing {
        None
    } else {
        Some(lock_and_recover(store)?)
    };
    let mut earlier = Earlier::default();
    let result = attempts(store, change, &mut edit, signing, &mut guard, &mut earlier);
    let result = match result {
        Ok(Some(c)) => Ok(Some(c)),
        // An attempt may have left its bytes in the work tree, its blob
        // in the index and its journal (one that lost the race for the
        // branch, or whose undo could not finish); this one failed or
        // found nothing to change. "Nothing was written" must be true:
        // put them back, under our lock (a signing run may not hold it
        // yet).
        other if !earlier.staged.is_empty() => {
            let put_back = match guard.take() {
                Some(g) => Ok(g),
                None => lock::acquire(repo),
            }
            .and_then(|g| {
                guard = Some(g);
                earlier.put_back(store, path)
            });
            match put_back {
                // The user's own commit took our change along: it is in.
                Ok(Some(landed)) => {
                    super::earlier::took_along(landed);
                    Ok(Some(landed))
                }
                Ok(None) => other.map_err(put_back_done),
                Err(e) => {
                    crate::output::to_stderr(&format!(
                        "warning: {path} may still hold this change uncommitted ({}); `git status` shows it",
                        e.message
                    ));
                    other
                }
            }
        }
        other => other,
    };
    drop(guard);
    result
}

/// Said when a commit of the user's changed the record during the race:
/// it may hold our bytes, so "nothing was written" would not be sure.
const MAY_HOLD_IT: &str = "which may hold this change already";

/// An error after everything of ours was put back: "nothing was written"
/// holds, and no hint may promise that a later run finishes the change.
fn put_back_done(mut e: Error) -> Error {
    e.hints
        .retain(|h| !h.contains("the next devops command finishes it"));
    if ["nothing was written", "nothing was committed", MAY_HOLD_IT]
        .iter()
        .any(|said| e.message.contains(said))
    {
        e
    } else {
        e.suffix("nothing was written")
    }
}

/// Plans and settles the change until it lands, fails, or the branch
/// keeps moving.
fn attempts(
    store: &Store,
    change: &Change<'_>,
    edit: &mut impl FnMut(Option<&str>) -> Result<(String, String)>,
    signing: bool,
    guard: &mut Option<lock::WriteLock>,
    earlier: &mut Earlier,
) -> Result<Option<Oid>> {
    let repo = &store.repo;
    let path = change.path;
    let author = signature(repo, "AUTHOR", change.now)?;
    let committer = signature(repo, "COMMITTER", change.now)?;
    for _ in 0..MAX_ATTEMPTS {
        let head = Head::read(repo)?;
        let base_tree = match head.commit {
            Some(c) => repo.find_commit(c)?.tree()?,
            None => repo.find_tree(repo.treebuilder(None)?.write()?)?,
        };
        let current = tree_entry(repo, &base_tree, path)?;
        if let Some(c) = head.commit
            && earlier.is_ours(current.as_ref().map(|e| e.oid))
        {
            // The user's own commit took an earlier attempt's staged
            // change along: it is in; applying it again would double it.
            earlier.forget_journal(store);
            earlier.landed(store, path, current.as_ref(), c);
            return Ok(Some(c));
        }
        if let (Some(c), Some(last_old)) = (head.commit, earlier.last_old)
            && current.as_ref().map(|e| e.oid) != last_old
        {
            // A commit made meanwhile changed the record, perhaps with our
            // earlier attempt's bytes in it and an edit of its own: we
            // cannot tell whether this change is in, so we stop.
            return Err(Error::new(format!(
                "{path} was changed by a commit made meanwhile ({}), {MAY_HOLD_IT}",
                short(c)
            ))
            .hint(format!(
                "check what it holds (git show HEAD:{}); run this again only if the change is not in",
                shell_quote(path)
            )));
        }
        match (&current, change.create) {
            (Some(_), true) => {
                return Err(Error::new(format!(
                    "{path} already exists; nothing was written"
                )));
            }
            (None, false) => return Err(not_committed(store, path)),
            _ => {}
        }
        let style = current
            .as_ref()
            .map_or(TextStyle::default(), |c| TextStyle::detect(&c.bytes));
        let old_text = match &current {
            Some(c) => Some(style.normalize(&c.bytes).ok_or_else(|| {
                Error::new(format!("{path} is not UTF-8 text in HEAD: fix it by hand"))
            })?),
            None => None,
        };
        let (new_text, title) = edit(old_text.as_deref())?;
        if old_text.as_deref() == Some(new_text.as_str()) {
            return Ok(None);
        }
        crate::trace::mark("edited");

        let new_bytes = style.apply(&new_text);
        let blob = repo.blob(&new_bytes)?;
        let mode = current.as_ref().map_or(0o100644, |c| c.mode);
        let tree = TreeUpdateBuilder::new()
            .upsert(path, blob, file_mode(mode))
            .create_updated(repo, &base_tree)?;
        let message = commit_message(change, &title);
        let commit = if signing {
            sign::commit_tree(store, tree, head.commit, &message, &author, &committer)?
        } else {
            let tree = repo.find_tree(tree)?;
            let parents: Vec<git2::Commit<'_>> = match head.commit {
                Some(c) => vec![repo.find_commit(c)?],
                None => Vec::new(),
            };
            let parent_refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
            let buffer =
                repo.commit_create_buffer(&author, &committer, &message, &tree, &parent_refs)?;
            repo.odb()?.write(git2::ObjectType::Commit, &buffer)?
        };
        crate::trace::mark("commit object written");

        if guard.is_none() {
            *guard = Some(lock_and_recover(store)?);
        }
        if Head::read(repo)?.commit != head.commit {
            // Someone committed while we signed: build again on theirs
            // (letting go of the lock while signing, unless a journal of
            // ours waits under it).
            if signing && earlier.staged.is_empty() {
                *guard = None;
            }
            continue;
        }
        // A new record's path holds an ID this run drew at random a moment
        // ago: with no file there, no one can have edits to it, and asking
        // git would cost a read of the whole index (a fifth of the write
        // in a repository of 100k files).
        let fresh_record = change.create
            && change.id.is_some()
            && earlier.staged.is_empty()
            && std::fs::symlink_metadata(store.abs(path)).is_err();
        let index_now = if fresh_record {
            None
        } else {
            ensure_no_local_edits(store, path, current.as_ref().map(|c| c.oid), earlier)?
        };
        crate::trace::mark("checked local edits");

        let abs = store.abs(path);
        let worktree_bytes = smudged(store, path, blob)?;
        // The bytes a failure puts back: the user's, never an earlier
        // attempt's.
        let ours_file = earlier.our_bytes_in(store, path)?;
        let old_bytes = match ours_file {
            // HEAD still holds the record of the first attempt (else the
            // check above stopped): the user's bytes of it.
            Some(_) => earlier.first_bytes(store, path)?,
            None => std::fs::read(&abs).ok(),
        };
        let old_file = match (ours_file, &old_bytes) {
            (None, _) => journal::file_hash(&abs)?,
            (Some(_), Some(b)) => Some(Oid::hash_object(git2::ObjectType::Blob, b)?),
            (Some(_), None) => None,
        };
        let plan = Journal {
            branch: head.branch.clone(),
            parent: head.commit,
            commit,
            path: path.to_string(),
            mode,
            old_blob: current.as_ref().map(|c| c.oid),
            new_blob: blob,
            old_file,
            new_file: Oid::hash_object(git2::ObjectType::Blob, &worktree_bytes)?,
            ours_blob: index_now.filter(|b| earlier.is_ours(Some(*b))),
            ours_file,
            what: match change.id {
                Some(id) => format!("{} {id}", change.verb),
                None => format!("{} {path}", change.verb),
            },
        };
        earlier.first.get_or_insert_with(|| First {
            blob: plan.old_blob,
            mode,
            bytes: old_bytes.clone(),
        });
        journal::write(repo, &plan)?;
        // From here on its blob, bytes and journal are ours, whatever
        // happens next.
        earlier.remember(&plan);
        let steps = Steps {
            worktree_bytes: Some(worktree_bytes),
            old_bytes,
            index: Some(index_now),
        };
        match settle(store, &plan, steps)? {
            Settled::Committed(c) => {
                forget(store, &plan);
                crate::trace::mark("committed");
                return Ok(Some(c));
            }
            Settled::LandedElsewhere(c) => {
                // The user's own `git commit` took our staged change (this
                // attempt's or an earlier one's) along.
                forget(store, &plan);
                let in_head = tree_entry(repo, &repo.find_commit(c)?.tree()?, path)?;
                earlier.landed(store, path, in_head.as_ref(), c);
                return Ok(Some(c));
            }
            Settled::Moved => {
                // The branch moved under us (a `git commit` of the user's):
                // our blob may now be staged; the next attempt knows it.
                // The journal stays until then: a run killed meanwhile is
                // finished by the next one (replayed on the new tip). So
                // does our lock, even while the next attempt is signed:
                // no other run of ours may replay the journal meanwhile.
            }
            Settled::Abandoned(why) => {
                let _ = journal::remove(repo);
                return Err(Error::new(format!("{why}: nothing was written")));
            }
        }
    }
    Err(Error::new(format!(
        "the branch kept moving while committing {path}: nothing was written"
    ))
    .hint("something is committing in a loop; run this again when it is quiet"))
}

/// Removes the journal once the change is in; a journal that cannot be
/// removed is harmless (the next run finds the change done) but said.
fn forget(store: &Store, plan: &Journal) {
    if let Err(e) = journal::remove(&store.repo) {
        crate::output::to_stderr(&format!(
            "warning: {} is committed, but {} could not be removed ({e}); the next run removes it",
            plan.what,
            journal::path(&store.repo).display()
        ));
    }
}

/// Our lock, and any change a killed run of ours left half done finished
/// first (so this change starts from a consistent state).
fn lock_and_recover(store: &Store) -> Result<lock::WriteLock> {
    let guard = lock::acquire(&store.repo)?;
    crate::trace::mark("locked");
    if let Some(line) = recover_locked(store)? {
        crate::output::to_stderr(&line);
    }
    Ok(guard)
}

/// Finishes or leaves a change a killed run left behind. Called by every
/// command when the journal exists; returns the one line to show. A run
/// of ours that holds the lock is alive (the kernel drops a dead one's):
/// its journal is its own business, and this command does not wait for
/// it (it may be waiting for a passphrase). Writes wait for the lock in
/// `lock_and_recover` anyway.
pub fn recover(store: &Store) -> Result<Option<String>> {
    if !journal::path(&store.repo).exists() {
        return Ok(None);
    }
    match lock::try_acquire(&store.repo)? {
        Some(_guard) => recover_locked(store),
        None => Ok(None),
    }
}

fn recover_locked(store: &Store) -> Result<Option<String>> {
    let repo = &store.repo;
    let plan = match journal::read(repo) {
        journal::Found::None => return Ok(None),
        journal::Found::Damaged(path) => {
            let _ = std::fs::remove_file(&path);
            return Ok(Some(format!(
                "warning: removed a damaged journal of an interrupted change ({}); `git status` shows anything it left",
                path.display()
            )));
        }
        journal::Found::Note(j) => *j,
    };
    // Never move a branch in the middle of the user's rebase or merge.
    if let Err(e) = store.ensure_writable() {
        return Ok(Some(format!(
            "warning: an interrupted `{}` waits to be finished: {}",
            plan.what, e.message
        )));
    }
    let mut plan = plan;
    for _ in 0..MAX_ATTEMPTS {
        let steps = Steps {
            worktree_bytes: None,
            old_bytes: None,
            index: None,
        };
        let line = match settle(store, &plan, steps)? {
            Settled::Committed(c) => format!(
                "finished an interrupted `{}` (commit {})",
                plan.what,
                short(c)
            ),
            Settled::LandedElsewhere(c) => format!(
                "an interrupted `{}` is already in commit {}",
                plan.what,
                short(c)
            ),
            Settled::Abandoned(why) => format!(
                "warning: an interrupted `{}` was not finished: {why}; run it again if you still want it",
                plan.what
            ),
            Settled::Moved => {
                // The branch moved since (a commit of the user's): replay the
                // same change on top, if the record is still as it was.
                match replay(store, &plan)? {
                    Some(replayed) => {
                        journal::write(repo, &replayed)?;
                        plan = replayed;
                        continue;
                    }
                    None => {
                        // Not finished: nothing of it may stay staged or
                        // written, or the user's next commit would take it.
                        if let Err(e) = undo_interrupted(store, &plan) {
                            crate::output::to_stderr(&format!(
                                "warning: {} may still hold the interrupted change ({}); `git status` shows it",
                                plan.path, e.message
                            ));
                        }
                        format!(
                            "warning: an interrupted `{}` was not finished: {} changed since; run it again if you still want it",
                            plan.what, plan.path
                        )
                    }
                }
            }
        };
        let _ = journal::remove(repo);
        return Ok(Some(line));
    }
    Ok(Some(format!(
        "warning: an interrupted `{}` could not be finished: the branch keeps moving",
        plan.what
    )))
}

/// The journal's change rebuilt on the branch's current tip, when the file
/// there is still what the change started from.
/// Puts the index entry and the file of a change that will not be
/// finished back to the record it was planned on, where they hold ours.
fn undo_interrupted(store: &Store, plan: &Journal) -> Result<()> {
    let ours_blob =
        |b: Option<Oid>| b.is_some() && (b == Some(plan.new_blob) || b == plan.ours_blob);
    if ours_blob(index_entry(store, &plan.path)?) {
        update_index(store, &plan.path, plan.mode, plan.old_blob)?;
    }
    let file = journal::file_hash(&store.abs(&plan.path))?;
    if file.is_some() && (file == Some(plan.new_file) || file == plan.ours_file) {
        let old = plan
            .old_blob
            .map(|b| smudged(store, &plan.path, b))
            .transpose()?;
        restore_worktree(store, &plan.path, old.as_deref())?;
    }
    Ok(())
}

fn replay(store: &Store, plan: &Journal) -> Result<Option<Journal>> {
    let repo = &store.repo;
    let tip = branch_tip(repo, &plan.branch)?;
    let tip_tree = match tip {
        Some(t) => repo.find_commit(t)?.tree()?,
        None => repo.find_tree(repo.treebuilder(None)?.write()?)?,
    };
    let at_tip = tree_entry(repo, &tip_tree, &plan.path)?.map(|e| e.oid);
    if at_tip != plan.old_blob {
        return Ok(None);
    }
    let original = repo.find_commit(plan.commit)?;
    let tree = TreeUpdateBuilder::new()
        .upsert(&plan.path, plan.new_blob, file_mode(plan.mode))
        .create_updated(repo, &tip_tree)?;
    let message = original.message_raw().unwrap_or_default().to_string();
    let commit = if sign::wanted(repo)? {
        sign::commit_tree(
            store,
            tree,
            tip,
            &message,
            &original.author(),
            &original.committer(),
        )?
    } else {
        let tree = repo.find_tree(tree)?;
        let parents: Vec<git2::Commit<'_>> = match tip {
            Some(t) => vec![repo.find_commit(t)?],
            None => Vec::new(),
        };
        let parent_refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
        let buffer = repo.commit_create_buffer(
            &original.author(),
            &original.committer(),
            &message,
            &tree,
            &parent_refs,
        )?;
        repo.odb()?.write(git2::ObjectType::Commit, &buffer)?
    };
    Ok(Some(Journal {
        parent: tip,
        commit,
        ..plan.clone()
    }))
}

pub(super) fn short(c: Oid) -> String {
    c.to_string()[..7].to_string()
}

/// What the caller of `settle` already knows.
struct Steps {
    /// The bytes for the work tree (recomputed when `None`).
    worktree_bytes: Option<Vec<u8>>,
    /// The file's bytes before, to put back if a later step fails.
    old_bytes: Option<Vec<u8>>,
    /// The file's index entry, if just read (`Some(None)`: not in the index).
    index: Option<Option<Oid>>,
}

enum Settled {
    Committed(Oid),
    /// The branch already holds the new blob through another commit.
    LandedElsewhere(Oid),
    /// The branch moved away from the planned parent.
    Moved,
    /// Someone else changed the file or its index entry: leave them be.
    Abandoned(String),
}

/// Brings work tree, index and branch to the journal's plan, each step
/// only if it is not done yet, so the same code finishes a fresh change
/// and one a crash interrupted at any instant.
fn settle(store: &Store, plan: &Journal, steps: Steps) -> Result<Settled> {
    let repo = &store.repo;
    let tip = branch_tip(repo, &plan.branch)?;
    if tip == Some(plan.commit) {
        return Ok(Settled::Committed(plan.commit));
    }
    if tip != plan.parent {
        let at_tip = match tip {
            Some(t) => tree_entry(repo, &repo.find_commit(t)?.tree()?, &plan.path)?.map(|e| e.oid),
            None => None,
        };
        return Ok(match (tip, at_tip) {
            (Some(t), Some(b)) if b == plan.new_blob || Some(b) == plan.ours_blob => {
                Settled::LandedElsewhere(t)
            }
            _ => Settled::Moved,
        });
    }

    let abs = store.abs(&plan.path);
    let index = match steps.index {
        Some(known) => known,
        None => index_entry(store, &plan.path)?,
    };
    let file = journal::file_hash(&abs)?;
    let index_ok = index == plan.old_blob
        || index == Some(plan.new_blob)
        || (index.is_some() && index == plan.ours_blob);
    if !index_ok {
        return Ok(Settled::Abandoned(format!(
            "{} was staged by someone else meanwhile",
            plan.path
        )));
    }
    let ours_before = file.is_some() && file == plan.ours_file;
    if file != plan.old_file && file != Some(plan.new_file) && !ours_before {
        return Ok(Settled::Abandoned(format!(
            "{} was changed in the work tree meanwhile",
            plan.path
        )));
    }

    if file != Some(plan.new_file) {
        let bytes = match steps.worktree_bytes {
            Some(b) => b,
            None => smudged(store, &plan.path, plan.new_blob)?,
        };
        if let Err(e) = write_worktree(store, &plan.path, &bytes) {
            // The write is atomic: the file is as it was, and so is all else.
            let _ = journal::remove(repo);
            return Err(e.suffix("nothing was written"));
        }
        crate::trace::mark("work tree written");
    }
    // Puts the file back if it holds our bytes (written now, or by the
    // run that was killed).
    let undo_file = |store: &Store| -> Result<()> {
        let now = journal::file_hash(&abs)?;
        if now != Some(plan.new_file) && !(now.is_some() && now == plan.ours_file) {
            return Ok(());
        }
        match (&steps.old_bytes, plan.old_blob) {
            (_, None) => restore_worktree(store, &plan.path, None),
            (Some(bytes), Some(_)) => restore_worktree(store, &plan.path, Some(bytes)),
            (None, Some(old)) => {
                restore_worktree(store, &plan.path, Some(&smudged(store, &plan.path, old)?))
            }
        }
    };

    if index != Some(plan.new_blob) {
        if let Err(e) = update_index(store, &plan.path, plan.mode, Some(plan.new_blob)) {
            // Only an index entry as the user had it makes "nothing was
            // written" true once the file is back; one of ours (an
            // earlier attempt's) is left for the next run to finish.
            let undone = if index == plan.old_blob {
                undo_file(store)
            } else {
                Err(Error::new("the index holds an earlier attempt's entry"))
            };
            return Err(match undone {
                Ok(()) => {
                    let _ = journal::remove(repo);
                    e.suffix("nothing was written")
                }
                Err(_) => e.hint(format!(
                    "{} holds the change but it is not committed; the next devops command finishes it",
                    plan.path
                )),
            });
        }
        crate::trace::mark("index updated");
    }

    match move_branch(store, plan)? {
        Moved::Done => Ok(Settled::Committed(plan.commit)),
        Moved::Raced => {
            // Re-read: perhaps the move happened after all, or the user's
            // commit took our staged blob along.
            settle(
                store,
                plan,
                Steps {
                    worktree_bytes: None,
                    old_bytes: steps.old_bytes.clone(),
                    index: None,
                },
            )
        }
        Moved::Failed(e) => {
            // Put the index and the file back as they were, so nothing of
            // ours is left staged.
            let undone = update_index(store, &plan.path, plan.mode, plan.old_blob)
                .and_then(|_| undo_file(store));
            Err(match undone {
                Ok(()) => {
                    let _ = journal::remove(repo);
                    e.suffix("nothing was written")
                }
                Err(_) => e.hint(format!(
                    "{} is staged with the change but not committed; the next devops command finishes it",
                    plan.path
                )),
            })
        }
    }
}

enum Moved {
    Done,
    /// The branch was not where we expected it.
    Raced,
    Failed(Error),
}

/// `git update-ref BRANCH NEW OLD`: moves the branch only if it still
/// points at the planned parent. Git writes the reflogs (the branch's,
/// and HEAD's when HEAD points at it).
fn move_branch(store: &Store, plan: &Journal) -> Result<Moved> {
    let new = plan.commit.to_string();
    let old = plan
        .parent
        .map_or_else(|| "0".repeat(40), |p| p.to_string());
    let subject = store
        .repo
        .find_commit(plan.commit)?
        .summary()
        .ok()
        .flatten()
        .unwrap_or_default()
        .to_string();
    let reflog = format!("commit: {subject}");
    let args = ["update-ref", "-m", &reflog, &plan.branch, &new, &old];
    let start = std::time::Instant::now();
    loop {
        let out = store.git.output(&args)?;
        if out.status.success() {
            crate::trace::mark("branch moved");
            return Ok(Moved::Done);
        }
        let failure = GitFailure::from_output(&out, &args);
        if let Some(lock_file) = failure.lock_file() {
            if start.elapsed() < lock::GIT_LOCK_PATIENCE {
                std::thread::sleep(std::time::Duration::from_millis(25));
                continue;
            }
            return Ok(Moved::Failed(lock::git_lock_error(
                &lock_file,
                &format!("cannot move {}", plan.branch),
            )));
        }
        if branch_tip(&store.repo, &plan.branch)? != plan.parent {
            return Ok(Moved::Raced);
        }
        return Ok(Moved::Failed(failure.into_error()));
    }
}

/// `git update-index` for one entry: `Some(blob)` sets it, `None` removes
/// it. git takes its own `index.lock`; if someone holds it we wait a
/// little, then say who to look for.
///
/// When the work-tree file already holds that blob (as git's clean filters
/// see it), git adds it from the file, so the entry carries the file's
/// stat data and git knows it is clean (`git sparse-checkout`, `git
/// diff-files`); otherwise the entry is set to the blob exactly.
pub(super) fn update_index(store: &Store, path: &str, mode: u32, blob: Option<Oid>) -> Result<()> {
    let from_file = match blob {
        Some(b) => {
            store
                .git
                .run(&["hash-object", "--", path])
                .ok()
                .and_then(|out| Oid::from_str(String::from_utf8_lossy(&out).trim()).ok())
                == Some(b)
        }
        None => false,
    };
    let info;
    let args: Vec<&str> = match blob {
        Some(_) if from_file => vec!["update-index", "--add", "--", path],
        Some(b) => {
            info = format!("{mode:o},{b},{path}");
            vec!["update-index", "--add", "--cacheinfo", &info]
        }
        None => vec!["update-index", "--force-remove", "--", path],
    };
    let start = std::time::Instant::now();
    loop {
        let out = store.git.output(&args)?;
        if out.status.success() {
            return Ok(());
        }
        let failure = GitFailure::from_output(&out, &args);
        match failure.lock_file() {
            Some(_) if start.elapsed() < lock::GIT_LOCK_PATIENCE => {
                std::thread::sleep(std::time::Duration::from_millis(25));
            }
            Some(lock_file) => {
                return Err(lock::git_lock_error(
                    &lock_file,
                    &format!("cannot update the index for {path}"),
                ));
            }
            None => return Err(failure.into_error()),
        }
    }
}

/// The blob as git would check it out here: smudge filters, `eol`,
/// `core.autocrlf`, `working-tree-encoding`, `ident`.
pub(super) fn smudged(store: &Store, path: &str, blob: Oid) -> Result<Vec<u8>> {
    let path_arg = format!("--path={path}");
    let blob_hex = blob.to_string();
    store
        .git
        .run(&["cat-file", "--filters", &path_arg, &blob_hex])
}

/// Atomically replaces the work-tree file. The temporary file lives in
/// `.git/` (invisible to `git status` and `git add -A` if we are killed),
/// or beside the file when `.git` is on another filesystem.
fn write_worktree(store: &Store, path: &str, bytes: &[u8]) -> Result<()> {
    let target = paths::prepare_parent(&store.workdir, path)?;
    let in_git_dir = store.repo.path().join("devops-postmortem-tmp");
    let beside = crate::fsio::named_temp(&target);
    let result = match atomic_write(&target, bytes, Durability::Synced, Temp::Named(in_git_dir)) {
        Err(e) if e.raw_os_error() == Some(libc_exdev()) => {
            atomic_write(&target, bytes, Durability::Synced, Temp::Named(beside))
        }
        other => other,
    };
    result.map_err(|e| Error::new(format!("cannot write {path}: {e}")))
}

const fn libc_exdev() -> i32 {
    18 // EXDEV on Linux and the BSDs
}

/// Puts the file back as it was before we wrote it (`None`: it did not exist).
pub(super) fn restore_worktree(store: &Store, path: &str, old: Option<&[u8]>) -> Result<()> {
    match old {
        Some(bytes) => write_worktree(store, path, bytes),
        None => match std::fs::remove_file(store.abs(path)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(Error::new(format!("cannot remove {path}: {e}")))
            }
            _ => Ok(()),
        },
    }
}

/// The stage-0 index entry for `path`, read by git (`None`: not in the
/// index). A conflicted entry is an error.
pub(super) fn index_entry(store: &Store, path: &str) -> Result<Option<Oid>> {
    let out = store.git.run(&["ls-files", "--stage", "-z", "--", path])?;
    let mut found = None;
    for entry in out.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let text = String::from_utf8_lossy(entry);
        let (meta, name) = text.split_once('\t').unwrap_or((&text, ""));
        if name != path {
            continue;
        }
        let mut fields = meta.split(' ');
        let (_mode, oid, stage) = (fields.next(), fields.next(), fields.next());
        if stage != Some("0") {
            return Err(Error::new(format!(
                "{path} has an unresolved merge conflict: nothing was written"
            ))
            .hint(format!(
                "resolve it (edit the file, then `git add {}`), then run this again",
                shell_quote(path)
            )));
        }
        found = oid.and_then(|o| Oid::from_str(o).ok());
    }
    Ok(found)
}

/// The user's uncommitted edits to this very file are theirs: never
/// overwritten, never silently committed. Asked of git, so filters,
/// attributes and every index layout are respected.
/// Returns the file's index entry as the check found it.
fn ensure_no_local_edits(
    store: &Store,
    path: &str,
    in_head: Option<Oid>,
    earlier: &Earlier,
) -> Result<Option<Oid>> {
    let out = store.git.run(&[
        "status",
        "--porcelain=v2",
        "-z",
        "--untracked-files=no",
        "--ignore-submodules=all",
        "--no-renames",
        "--",
        path,
    ])?;
    let quoted = shell_quote(path);
    let mut index = in_head;
    for entry in out.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        let text = String::from_utf8_lossy(entry);
        let fields: Vec<&str> = text.splitn(9, ' ').collect();
        match fields.first().copied() {
            Some("u") => {
                return Err(Error::new(format!(
                    "{path} has an unresolved merge conflict: nothing was written"
                ))
                .hint(format!(
                    "resolve it (edit the file, then `git add {quoted}`), then run this again"
                )));
            }
            Some("1") if fields.len() == 9 => {
                let xy = fields[1].as_bytes();
                let staged_blob = Oid::from_str(fields[7]).ok();
                let ours_staged = xy[0] != b'.' && earlier.is_ours(staged_blob);
                // Only the work tree differs, and it holds an earlier
                // attempt's bytes (its staged blob did not stay staged).
                let ours_written = xy[1] != b'.' && earlier.our_bytes_in(store, path)?.is_some();
                if (xy[0] == b'.' || ours_staged) && (xy[1] == b'.' || ours_written) {
                    if ours_staged {
                        index = staged_blob;
                    }
                    continue;
                }
                if ours_staged {
                    return Err(Error::new(format!(
                        "{path} was edited while this change was being committed: nothing was committed"
                    ))
                    .hint(format!(
                        "`git diff {quoted}` shows your edit beside this change; keep what you want, commit it, then run this again"
                    )));
                }
                let what = if xy[0] != b'.' { "staged" } else { "unstaged" };
                return Err(Error::new(format!(
                    "{path} has {what} changes that are not committed: nothing was written"
                ))
                .hint(format!(
                    "commit them (git commit -m 'Edit post-mortem' -- {quoted}) or set them aside (git stash), then run this again"
                )));
            }
            _ => {
                return Err(Error::new(format!(
                    "{path} has changes that are not committed: nothing was written"
                ))
                .hint("`git status` shows them; commit or stash them, then run this again"));
            }
        }
    }
    // Not tracked, yet there: someone's file, not ours to overwrite.
    let abs = store.abs(path);
    if in_head.is_none()
        && std::fs::symlink_metadata(&abs).is_ok()
        && index_entry(store, path)?.is_none()
        && earlier.our_bytes_in(store, path)?.is_none()
    {
        return Err(Error::new(format!(
            "{path} exists but is not committed: nothing was written"
        ))
        .hint(format!(
            "move it away, or commit it (git add {quoted} && git commit -m 'Add post-mortem'), then run this again"
        )));
    }
    Ok(index)
}

/// Quotes a path for a shell command line when it needs it.
pub fn shell_quote(s: &str) -> String {
    if !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"/._-+:@%".contains(&b))
    {
        s.to_string()
    } else {
        format!("'{}'", s.replace('\'', "'\\''"))
    }
}

/// One entry of a tree at `path`.
pub(super) struct TreeFile {
    pub(super) oid: Oid,
    pub(super) mode: u32,
    bytes: Vec<u8>,
}

pub(super) fn tree_entry(
    repo: &git2::Repository,
    tree: &git2::Tree<'_>,
    path: &str,
) -> Result<Option<TreeFile>> {
    match tree.get_path(Path::new(path)) {
        Ok(entry) => {
            let mode = entry.filemode() as u32;
            if mode != 0o100644 && mode != 0o100755 {
                return Err(Error::new(format!(
                    "{path} is not a regular file in git (mode {mode:o}): nothing was written"
                )));
            }
            let blob = repo.find_blob(entry.id())?;
            Ok(Some(TreeFile {
                oid: entry.id(),
                mode,
                bytes: blob.content().to_vec(),
            }))
        }
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

fn file_mode(mode: u32) -> FileMode {
    if mode == 0o100755 {
        FileMode::BlobExecutable
    } else {
        FileMode::Blob
    }
}

fn branch_tip(repo: &git2::Repository, branch: &str) -> Result<Option<Oid>> {
    match repo.refname_to_id(branch) {
        Ok(oid) => Ok(Some(oid)),
        Err(e) if e.code() == ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// How a file writes its lines: records keep the BOM and line endings
/// they were committed with, so a change is a small diff, not the whole
/// file. The tool edits the text in the plain form (no BOM, `\n`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextStyle {
    bom: bool,
    crlf: bool,
}

const BOM: &[u8] = b"\xef\xbb\xbf";

impl TextStyle {
    pub fn detect(bytes: &[u8]) -> TextStyle {
        let crlf = bytes.windows(2).filter(|w| w == b"\r\n").count();
        let lf = bytes.iter().filter(|b| **b == b'\n').count();
        TextStyle {
            bom: bytes.starts_with(BOM),
            crlf: crlf > 0 && crlf * 2 >= lf,
        }
    }

    /// The plain text, or `None` if it is not UTF-8.
    pub fn normalize(&self, bytes: &[u8]) -> Option<String> {
        let body = bytes.strip_prefix(BOM).unwrap_or(bytes);
        let text = std::str::from_utf8(body).ok()?;
        Some(if self.crlf {
            text.replace("\r\n", "\n")
        } else {
            text.to_string()
        })
    }

    pub fn apply(&self, text: &str) -> Vec<u8> {
        let mut out = Vec::with_capacity(text.len() + 3);
        if self.bom {
            out.extend_from_slice(BOM);
        }
        if self.crlf {
            out.extend_from_slice(text.replace('\n', "\r\n").as_bytes());
        } else {
            out.extend_from_slice(text.as_bytes());
        }
        out
    }
}

/// The branch HEAD points at, and its commit (none on an unborn branch).
pub(super) struct Head {
    branch: String,
    pub(super) commit: Option<Oid>,
}

impl Head {
    pub(super) fn read(repo: &git2::Repository) -> Result<Head> {
        let head = repo.find_reference("HEAD")?;
        let branch = head
            .symbolic_target()?
            .ok_or_else(|| Error::new("HEAD is detached: post-mortem commits need a branch"))?
            .to_string();
        Ok(Head {
            commit: branch_tip(repo, &branch)?,
            branch,
        })
    }
}

fn not_committed(store: &Store, path: &str) -> Error {
    if store.abs(path).exists() {
        let quoted = shell_quote(path);
        Error::new(format!("{path} is not committed yet: commit it first")).hint(format!(
            "git add {quoted} && git commit -m 'postmortem: add record'"
        ))
    } else {
        Error::new(format!("{path} does not exist in HEAD"))
    }
}

fn commit_message(change: &Change<'_>, title: &str) -> String {
    let label = change.id.map_or("config".to_string(), |id| id.to_string());
    let mut subject = format!("postmortem: {} {label}", change.verb);
    let title = crate::text::inline(title);
    let title = title.trim();
    if !title.is_empty() {
        subject.push(' ');
        subject.push_str(&crate::text::truncate(title, 50));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_style_round_trips() {
        for bytes in [
            &b"a = 1\nb = 2\n"[..],
            b"a = 1\r\nb = 2\r\n",
            b"\xef\xbb\xbfa = 1\r\nb = 2\r\n",
            b"\xef\xbb\xbfa = 1\n",
        ] {
            let style = TextStyle::detect(bytes);
            let text = style.normalize(bytes).unwrap();
            assert!(!text.contains('\r') && !text.starts_with('\u{feff}'));
            assert_eq!(style.apply(&text), bytes);
        }
    }

    #[test]
    fn shell_quote_only_when_needed() {
        assert_eq!(
            shell_quote("postmortems/2026/11/a.toml"),
            "postmortems/2026/11/a.toml"
        );
        assert_eq!(shell_quote("my dir/a.toml"), "'my dir/a.toml'");
        assert_eq!(shell_quote("it's"), "'it'\\''s'");
    }
}
