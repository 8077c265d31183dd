//! What the attempts of one write left behind.
//!
//! A write retries when the user's own `git commit` moves the branch
//! between our `git update-index` and `git update-ref` (see `commit`). An
//! attempt that lost that race may leave its blob staged, its bytes in
//! the work tree and its journal. The next attempt must know them for
//! ours, not the user's edits; must see when the user's commit took our
//! change along; and a failure must put back exactly what we overwrote.

use super::Store;
use super::commit::{
    Head, TreeFile, index_entry, restore_worktree, short, smudged, tree_entry, update_index,
};
use super::journal::{self, Journal};
use crate::error::Result;
use git2::Oid;

/// What the attempts of one change left behind, each ours from the moment
/// its journal is written: so the next attempt knows their blobs and
/// bytes for ours (not the user's edits), sees when the user's own commit
/// took one along, and a failure can put the user's state back.
#[derive(Default)]
pub(super) struct Earlier {
    /// Blobs we staged.
    pub(super) staged: Vec<Oid>,
    /// Hashes of the bytes we wrote to the work tree.
    pub(super) written: Vec<Oid>,
    /// Commits we planned: a journal naming one is ours.
    pub(super) commits: Vec<Oid>,
    /// HEAD's blob for the record when the last attempt was planned.
    pub(super) last_old: Option<Option<Oid>>,
    /// The record before this command, taken on the first attempt: HEAD's
    /// blob (which the index entry then equalled), its mode, and the
    /// file's bytes. A failure puts back exactly these where we overwrote
    /// them, whatever HEAD holds by then (a `git reset --soft` keeps the
    /// user's staged entry, and so must we).
    pub(super) first: Option<First>,
}

pub(super) struct First {
    pub(super) blob: Option<Oid>,
    pub(super) mode: u32,
    pub(super) bytes: Option<Vec<u8>>,
}

impl Earlier {
    pub(super) fn is_ours(&self, blob: Option<Oid>) -> bool {
        blob.is_some_and(|b| self.staged.contains(&b))
    }

    /// The hash of the work-tree file, if it holds bytes we wrote.
    pub(super) fn our_bytes_in(&self, store: &Store, path: &str) -> Result<Option<Oid>> {
        if self.written.is_empty() {
            return Ok(None);
        }
        let now = journal::file_hash(&store.abs(path))?;
        Ok(now.filter(|h| self.written.contains(h)))
    }

    pub(super) fn remember(&mut self, plan: &Journal) {
        self.last_old = Some(plan.old_blob);
        self.staged.push(plan.new_blob);
        self.written.push(plan.new_file);
        self.commits.push(plan.commit);
    }

    /// Removes the journal if it is one of ours (an attempt that lost the
    /// race keeps its journal, so a run killed before the next attempt
    /// is finished by the next run).
    pub(super) fn forget_journal(&self, store: &Store) {
        if let journal::Found::Note(j) = journal::read(&store.repo)
            && self.commits.contains(&j.commit)
        {
            let _ = journal::remove(&store.repo);
        }
    }

    /// The file's bytes before this command (`None`: there was none).
    pub(super) fn first_bytes(&self, store: &Store, path: &str) -> Result<Option<Vec<u8>>> {
        match &self.first {
            Some(First { bytes: Some(b), .. }) => Ok(Some(b.clone())),
            // Unreadable then, or absent: HEAD's version, or no file.
            Some(First { blob: Some(b), .. }) => Ok(Some(smudged(store, path, *b)?)),
            _ => Ok(None),
        }
    }

    /// Puts back the index entry and the file as they were before this
    /// command, where they still hold ours.
    fn restore_first(&self, store: &Store, path: &str) -> Result<()> {
        let Some(first) = &self.first else {
            return Ok(());
        };
        if self.is_ours(index_entry(store, path)?) {
            update_index(store, path, first.mode, first.blob)?;
        }
        if self.our_bytes_in(store, path)?.is_some() {
            restore_worktree(store, path, self.first_bytes(store, path)?.as_deref())?;
        }
        Ok(())
    }

    /// HEAD (commit `c`, holding `in_head`) has our change: the user's
    /// commit took it along. Index and file follow it, and it is said.
    pub(super) fn landed(&self, store: &Store, path: &str, in_head: Option<&TreeFile>, c: Oid) {
        if let Err(e) = self.align_with_head(store, path, in_head) {
            crate::output::to_stderr(&format!(
                "warning: {path} may differ from HEAD ({}); `git status` shows it",
                e.message
            ));
        }
        took_along(c);
    }

    /// When HEAD holds our change (the user's commit took it along):
    /// brings the index entry and the file, where they hold ours, to it.
    fn align_with_head(&self, store: &Store, path: &str, in_head: Option<&TreeFile>) -> Result<()> {
        let head_blob = in_head.map(|e| e.oid);
        let index = index_entry(store, path)?;
        if index != head_blob && self.is_ours(index) {
            let mode = in_head.map_or(0o100644, |e| e.mode);
            update_index(store, path, mode, head_blob)?;
        }
        if let Some(ours) = self.our_bytes_in(store, path)? {
            let want = in_head.map(|e| smudged(store, path, e.oid)).transpose()?;
            let want_hash = want
                .as_ref()
                .map(|b| Oid::hash_object(git2::ObjectType::Blob, b))
                .transpose()?;
            if want_hash != Some(ours) {
                restore_worktree(store, path, want.as_deref())?;
            }
        }
        Ok(())
    }

    /// After a failure: the index and file are put back and our journal
    /// goes, unless HEAD now holds our change (the user's commit took it
    /// along): then it is in, and that commit is returned.
    pub(super) fn put_back(&self, store: &Store, path: &str) -> Result<Option<Oid>> {
        // HEAD read once: the commit said to carry the change is the one
        // whose record was looked at.
        let head = Head::read(&store.repo)?.commit;
        let in_head = match head {
            Some(c) => tree_entry(&store.repo, &store.repo.find_commit(c)?.tree()?, path)?,
            None => None,
        };
        let landed = self.is_ours(in_head.as_ref().map(|e| e.oid));
        if !landed {
            self.restore_first(store, path)?;
        }
        // Only once nothing of ours is left: else the next run finishes it.
        self.forget_journal(store);
        Ok(head.filter(|_| landed))
    }
}

/// Says that the user's commit `c` carries the change.
pub(super) fn took_along(c: Oid) {
    crate::output::to_stderr(&format!(
        "note: a git commit made meanwhile ({}) took this change along; it is in, but not as a commit of its own",
        short(c)
    ));
}
