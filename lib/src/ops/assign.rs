//! `assign`: give a post-mortem to someone.

use super::{Outcome, refuse_settled};
use crate::error::Result;
use crate::session::Session;
use crate::store::read::Entry;

/// Assigns the record `query` names to `who` (`me`, or a name, handle or
/// email resolved against the roster).
pub fn assign(session: &Session, query: &str, who: &str, message: Option<&str>) -> Result<Outcome> {
    let entry = session.find(query)?;
    let who = session.person(who)?;
    assign_entry(session, &entry, &who, message)
}

/// The same, for a record already found and a person already resolved
/// (`triage --interactive`).
pub fn assign_entry(
    session: &Session,
    entry: &Entry,
    who: &str,
    message: Option<&str>,
) -> Result<Outcome> {
    let done = session.change_record(entry, "assign", message, |doc, before| {
        refuse_settled(before)?;
        doc.assign(who);
        Ok(())
    })?;
    Ok(Outcome::of(done))
}
