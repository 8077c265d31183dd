//! `undo`: takes back your own last change to a record, as a new commit
//! made with the same rules as any write. History is the audit trail, so
//! nothing is rewritten: the change stays in `log`, and so does its undo.
//!
//! The change undone is the newest commit on the records branch that this
//! tool made for you (your git identity's email, a `Postmortem-Action:`
//! trailer) and that changed one record; `undo ID` looks only at that
//! record's. When teammates changed the record since, their changes stay:
//! the undo is merged field by field (base: the record after your change,
//! ours: the record now, theirs: the record before your change), and a
//! field that both touched stops the undo, naming it.

use super::{Outcome, with_message};
use crate::error::{Command, Error, Result};
use crate::record::RecordId;
use crate::record::doc::RecordDoc;
use crate::record::merge::{MergeError, merge_resolving};
use crate::session::Session;
use git2::{Commit, Oid, Repository};

/// What was undone and how.
pub struct Undone {
    pub done: Outcome,
    /// The subject of the commit taken back (`postmortem: assign PM-… to Bob`).
    pub subject: String,
    /// That commit, abbreviated.
    pub commit: String,
    /// True when a record's creation was taken back by withdrawing it:
    /// records are never deleted (their history is the audit trail).
    pub withdrawn: bool,
}

/// How far back `undo` looks for a change of yours.
const LOOK_BACK: usize = 5_000;

pub fn undo(session: &Session, query: Option<&str>, message: Option<&str>) -> Result<Undone> {
    let store = &session.store;
    let me = crate::store::identity::identity(&store.repo, "AUTHOR")?;
    let only = query.map(|q| session.find(q)).transpose()?;
    let tip = store.snapshot()?.commit;
    let Some(found) = tip
        .map(|tip| last_change(store, tip, &me.email, only.as_ref().map(|e| &e.id)))
        .transpose()?
        .flatten()
    else {
        let whose = only.map_or_else(String::new, |e| format!(" to {}", e.id));
        return Err(Error::new(format!(
            "no change of yours{whose} on {} to undo (as {})",
            store.location.name(),
            me.email
        ))
        .hint_run("who changed what", Command::postmortem(["log"])));
    };
    let entry = session.find(found.id.as_str())?;
    let commit = found.short.clone();
    let subject = found.subject.clone();
    let first = with_message(format!("Undo {commit}: {subject}"), message);
    let Some(before) = found.before else {
        // A creation: withdrawn, not deleted.
        let done = super::withdraw::withdraw(
            session,
            found.id.as_str(),
            Some(&format!("Undone: made by mistake ({commit})")),
            None,
            message,
        )?;
        return Ok(Undone {
            done,
            subject,
            commit,
            withdrawn: true,
        });
    };
    let after = found.after;
    let done = session.change_record(&entry, "undo", Some(&first), |doc, _| {
        let now = doc.render();
        let reverted = take_back(&after, &now, &before, &entry.id)?;
        *doc = RecordDoc::parse(&reverted)
            .map_err(|e| Error::new(format!("the undo would make an invalid record: {e}")))?;
        Ok(())
    })?;
    Ok(Undone {
        done: Outcome::of(done),
        subject,
        commit,
        withdrawn: false,
    })
}

/// The record now, with the change from `before` to `after` taken back:
/// `before` itself when no one changed it since.
fn take_back(after: &str, now: &str, before: &str, id: &RecordId) -> Result<String> {
    if now == after {
        return Ok(before.to_string());
    }
    merge_resolving(after, now, before, &|_| None).map_err(|e| match e {
        MergeError::Conflicts(c) => {
            let fields: Vec<&str> = c.iter().map(|c| c.field.as_str()).collect();
            Error::new(format!(
                "{id} changed since in what the undo would take back ({}): nothing was written",
                fields.join(", ")
            ))
            .nothing_written()
            .hint_run(
                "see who changed what",
                Command::postmortem(["log", id.as_str()]),
            )
        }
        MergeError::Parse(side, at) => Error::new(format!(
            "{id}: the {side} version does not parse ({}): nothing was written",
            at.message
        ))
        .nothing_written(),
    })
}

/// A change of yours: the record, its text before (`None`: created) and
/// after, and the commit.
struct Found {
    id: RecordId,
    before: Option<String>,
    after: String,
    short: String,
    subject: String,
}

/// The newest commit, first parents from `tip`, that this tool made for
/// `email` and that changed exactly one record (of `only`, when given).
fn last_change(
    store: &crate::store::Store,
    tip: Oid,
    email: &str,
    only: Option<&RecordId>,
) -> Result<Option<Found>> {
    let repo = &store.repo;
    let mut commit = repo.find_commit(tip)?;
    for _ in 0..LOOK_BACK {
        let parent = commit.parents().next();
        let ours = commit.parent_count() <= 1
            && commit.author().email().is_ok_and(|e| e == email)
            && commit
                .message()
                .is_ok_and(|m| m.contains("\nPostmortem-Action: "));
        if ours && let Some(found) = changed_record(store, &commit, parent.as_ref(), only)? {
            return Ok(Some(found));
        }
        let Some(parent) = parent else {
            return Ok(None);
        };
        commit = parent;
    }
    Ok(None)
}

/// The one record `commit` changed against `parent`, with both texts.
fn changed_record(
    store: &crate::store::Store,
    commit: &Commit<'_>,
    parent: Option<&Commit<'_>>,
    only: Option<&RecordId>,
) -> Result<Option<Found>> {
    let repo = &store.repo;
    let old = parent.map(|p| p.tree()).transpose()?;
    let diff = repo.diff_tree_to_tree(old.as_ref(), Some(&commit.tree()?), None)?;
    let prefix = format!("{}/", store.records_dir);
    let mut records = diff.deltas().filter_map(|d| {
        let path = d.new_file().path().or(d.old_file().path())?.to_str()?;
        let stem = path.strip_prefix(&prefix)?.rsplit('/').next()?;
        let id = RecordId::parse(stem.strip_suffix(".toml")?)?;
        Some((id, d.old_file().id(), d.new_file().id()))
    });
    let (Some((id, old_blob, new_blob)), None) = (records.next(), records.next()) else {
        return Ok(None);
    };
    if only.is_some_and(|o| *o != id) || new_blob.is_zero() {
        return Ok(None);
    }
    let text = |blob: Oid| -> Result<Option<String>> {
        if blob.is_zero() {
            return Ok(None);
        }
        Ok(Some(blob_text(repo, blob)?))
    };
    let short = commit.as_object().short_id()?;
    Ok(Some(Found {
        before: text(old_blob)?,
        after: text(new_blob)?.unwrap_or_default(),
        short: short.as_str().unwrap_or_default().to_string(),
        subject: commit
            .summary()
            .ok()
            .flatten()
            .unwrap_or_default()
            .to_string(),
        id,
    }))
}

fn blob_text(repo: &Repository, blob: Oid) -> Result<String> {
    let b = repo.find_blob(blob)?;
    String::from_utf8(b.content().to_vec())
        .map_err(|_| Error::new(format!("blob {blob} is not UTF-8 text")))
}
