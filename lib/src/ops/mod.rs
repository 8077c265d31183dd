//! Operations: one per verb, each the whole of what a command does below
//! its argument parsing. An operation takes a [`Session`] and plain values
//! (no flags, no terminal), keeps the rules of the record (what may change
//! when, what a change implies), writes through the store's one
//! transaction, and returns an outcome for the binary to render.

pub mod action;
pub mod analyze;
pub mod assign;
pub mod check;
pub mod close;
pub mod create;
pub mod deploys;
pub mod duplicates;
pub mod edit;
pub mod fetch;
pub mod fields;
pub mod fixes;
pub mod import;
pub mod init;
pub mod query;
pub mod related;
pub mod reopen;
pub mod repos;
pub mod review;
pub mod search;
pub mod sync;
pub mod timeline;
pub mod tracker;
pub mod undo;
pub mod update;
pub mod withdraw;

use crate::error::{Command, Error, Result};
use crate::record::Record;
use crate::session::Session;
use crate::store::Committed;
use crate::store::read::Entry;

/// What a write did: the commit (`None`: nothing changed, so nothing was
/// committed), the record as it is now, and what the person should hear
/// besides.
#[derive(Debug)]
pub struct Outcome {
    pub commit: Option<git2::Oid>,
    pub record: Record,
    pub warnings: Vec<String>,
}

impl Outcome {
    pub fn of(done: Committed) -> Outcome {
        Outcome {
            commit: done.commit,
            record: done.record,
            warnings: Vec::new(),
        }
    }
}

/// Refuses changes to a closed or withdrawn record, with the way back.
pub fn refuse_settled(r: &Record) -> Result<()> {
    if r.status.is_active() {
        return Ok(());
    }
    Err(
        Error::new(format!("{} is {}: reopen it first", r.id, r.status)).hint(Command::postmortem(
            ["reopen", r.id.as_str(), "--reason", "TEXT"],
        )),
    )
}

/// Incident times that run backwards: warned about (people fill them in
/// one at a time, and `check` reports what is left), not refused.
pub fn time_order_warnings(r: &Record) -> Vec<String> {
    crate::record::status::times_out_of_order(r)
        .into_iter()
        .map(|(later, earlier)| {
            format!("{later} is before {earlier}: check the times (devops postmortem update)")
        })
        .collect()
}

/// `ID#N` → the record's entry and N.
pub fn find_item(session: &Session, item: &str) -> Result<(Entry, u32)> {
    let (query, n) = crate::record::id::split_action_ref(item)?;
    Ok((session.find(query)?, n))
}

/// The `-m` text, after a line of our own when there is one.
pub fn with_message(first: String, extra: Option<&str>) -> String {
    match extra.map(str::trim).filter(|e| !e.is_empty()) {
        Some(extra) => format!("{first}\n\n{extra}"),
        None => first,
    }
}
