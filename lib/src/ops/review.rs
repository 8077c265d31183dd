//! `review`: approve a post-mortem's analysis, or ask for changes, as
//! someone other than its assignee (your git identity, as every commit).

use super::{Outcome, refuse_settled};
use crate::error::{Command, Error, Result};
use crate::record::status::analysis_missing;
use crate::record::{Record, Timestamp, Verdict};
use crate::session::Session;

/// What the reviewer decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approve,
    /// Changes asked for, and why.
    RequestChanges(String),
}

/// Records the decision on the record `query` names. An approval needs a
/// complete analysis and carries a `Reviewed-by:` trailer; neither may
/// come from the assignee.
pub fn review(
    session: &Session,
    query: &str,
    decision: &Decision,
    message: Option<&str>,
) -> Result<Outcome> {
    if let Decision::RequestChanges(why) = decision
        && why.trim().is_empty()
    {
        return Err(Error::usage(
            "--request-changes must say what to change, e.g. --request-changes \"the timeline stops at 09:20\"",
        ));
    }
    let me = crate::store::identity::identity(&session.store.repo, "AUTHOR")?;
    let reviewer = me.display();
    let entry = session.find(query)?;
    let (verdict, note) = match decision {
        Decision::Approve => (Verdict::Approved, None),
        Decision::RequestChanges(why) => (Verdict::ChangesRequested, Some(why.as_str())),
    };
    let trailers = match verdict {
        Verdict::Approved => vec![("Reviewed-by", reviewer.clone())],
        Verdict::ChangesRequested => Vec::new(),
    };
    let done =
        session.change_record_with(&entry, "review", message, &trailers, |doc, before| {
            refuse_settled(before)?;
            refuse_own(before, &me)?;
            if verdict == Verdict::Approved {
                refuse_unfinished(before)?;
                refuse_unassigned(before)?;
            }
            doc.review(verdict, &reviewer, &Timestamp(session.now), note);
            Ok(())
        })?;
    Ok(Outcome::of(done))
}

/// The assignee does not review their own analysis (known as
/// `people::is_person` knows them).
fn refuse_own(r: &Record, me: &crate::store::identity::Identity) -> Result<()> {
    let own = |a: &str| crate::people::is_person(a, &me.name, &me.email);
    match &r.assignee {
        Some(a) if own(a) => Err(Error::new(format!(
            "{} is assigned to you ({}): someone else reviews it",
            r.id,
            crate::text::inline(a)
        ))
        .nothing_written()
        .hint_run(
            "ask a teammate to run",
            Command::postmortem(["review", r.id.as_str(), "--approve"]),
        )),
        _ => Ok(()),
    }
}

/// With no assignee, "someone else" has no one to differ from: whoever
/// wrote the analysis could approve it. Its author takes it first.
fn refuse_unassigned(r: &Record) -> Result<()> {
    if r.assignee.is_some() {
        return Ok(());
    }
    Err(Error::new(format!(
        "{} has no assignee, so its review cannot be someone else's",
        r.id
    ))
    .nothing_written()
    .hint_run(
        "whoever wrote the analysis takes it, then you approve",
        Command::postmortem(["assign", r.id.as_str(), "me"]),
    ))
}

/// Only a finished analysis is approved.
fn refuse_unfinished(r: &Record) -> Result<()> {
    let missing = analysis_missing(r);
    if missing.is_empty() {
        return Ok(());
    }
    let mut e = Error::new(format!(
        "{} cannot be approved yet: its analysis lacks {}",
        r.id,
        missing.join("; ")
    ))
    .nothing_written();
    e = e.hint_run(
        "to send it back instead",
        Command::postmortem(["review", r.id.as_str(), "--request-changes", "TEXT"]),
    );
    Err(e)
}
