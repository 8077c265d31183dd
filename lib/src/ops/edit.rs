//! `edit`: a record, or the team's config, changed by hand as text; held to
//! `check`'s rules (the config to its own) before it is committed.

use super::Outcome;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::record::RecordDoc;
use crate::record::parse::parse_record;
use crate::session::Session;
use crate::store::read::Entry;
use crate::store::{Change, commit_file, commit_record};

/// What is being edited: a record, or the config.
#[derive(Debug, Clone)]
pub enum Target {
    Record(Entry),
    Config,
}

impl Target {
    pub fn path(&self, session: &Session) -> String {
        match self {
            Target::Record(e) => e.path.clone(),
            Target::Config => session.store.config_path(),
        }
    }
}

/// The record `query` names, or the config.
pub fn target(session: &Session, query: Option<&str>) -> Result<Target> {
    match query {
        Some(q) => Ok(Target::Record(session.find(q)?)),
        None => Ok(Target::Config),
    }
}

/// The text to start from: the file on the records branch (the config:
/// an empty one when there is none yet).
pub fn current(session: &Session, target: &Target) -> Result<String> {
    match target {
        Target::Record(e) => crate::store::read::read_text(&session.store, &e.path),
        Target::Config => Ok(session
            .store
            .text(&session.store.config_path())?
            .unwrap_or_default()),
    }
}

/// Why `text` cannot be committed in place of `original`, if it cannot:
/// what `check` says of a record, what reading the config says of it.
pub fn problems(session: &Session, target: &Target, original: &str, text: &str) -> Result<()> {
    match target {
        Target::Record(entry) => {
            let r = parse_record(text).map_err(|e| Error::new(e.to_string()))?;
            if r.id != entry.id.as_str() {
                return Err(Error::new(format!(
                    "id must stay {}: the ID is the file's name",
                    entry.id
                )));
            }
            refuse_review_by_hand(original, text, entry.id.as_str())?;
            session.validate(&entry.path, text)
        }
        Target::Config => Config::parse(text, &session.store.config_path()).map(|_| ()),
    }
}

/// The review fields are a reviewer's verdict, written by `review` with a
/// `Reviewed-by:` trailer: an assignee typing `review = "approved"` would
/// pass `close` unreviewed.
fn refuse_review_by_hand(original: &str, text: &str, id: &str) -> Result<()> {
    let fields = |t: &str| {
        let table = t.parse::<toml::Table>().unwrap_or_default();
        crate::record::review::FIELDS.map(|k| table.get(k).cloned())
    };
    if fields(original) == fields(text) {
        return Ok(());
    }
    Err(Error::new(format!(
        "{} are set by `devops postmortem review {id}`, not by hand: leave them as they were",
        crate::record::review::FIELDS.join(", ")
    )))
}

/// Commits the edited text, if the file on the branch is still `original`
/// (else someone changed it meanwhile: nothing is committed). `None`: the
/// text is the original.
pub fn commit(
    session: &Session,
    target: &Target,
    original: &str,
    edited: &str,
    message: Option<&str>,
) -> Result<Option<Outcome>> {
    if edited == original {
        return Ok(None);
    }
    problems(session, target, original, edited)?;
    let path = target.path(session);
    let moved = || {
        Error::new(format!(
            "{path} changed on {} while you were editing",
            session.store.location.describe()
        ))
        .nothing_written()
        .hint("run edit again on the new version")
    };
    match target {
        Target::Record(entry) => {
            let change = Change {
                id: Some(&entry.id),
                path: &entry.path,
                verb: "edit",
                message,
                create: false,
                now: session.now,
                trailers: &[],
            };
            let done = commit_record(&session.store, &change, |now| {
                if now != Some(original) {
                    return Err(moved());
                }
                let doc = RecordDoc::parse(edited).map_err(|e| Error::new(e.to_string()))?;
                match crate::record::parse::parse_record(original) {
                    Ok(before) => session.finish_change(&entry.path, doc, &before),
                    Err(_) => session.finish(&entry.path, doc),
                }
            })?;
            Ok(Some(Outcome::of(done)))
        }
        Target::Config => {
            let change = Change {
                id: None,
                path: &path,
                verb: "edit",
                message,
                // An empty config file is there all the same.
                create: session.store.text(&path)?.is_none(),
                now: session.now,
                trailers: &[],
            };
            commit_file(&session.store, &change, |now| {
                if now.unwrap_or_default() != original {
                    return Err(moved());
                }
                Ok((edited.to_string(), String::new()))
            })?;
            Ok(None)
        }
    }
}
