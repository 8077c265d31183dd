//! Action items fixed by commits: a `Fixes-Postmortem: ID#N` trailer (any
//! unique form of the ID) in a commit on the branch marks item N done,
//! recording the commit; a trailer that names no item is said, not
//! skipped.

use crate::error::Result;
use crate::record::{ActionStatus, Timestamp};
use crate::session::Session;

/// One item marked done: the commit made, and what to say about it.
pub struct Closed {
    pub done: super::Outcome,
    pub what: String,
}

/// What the trailers did: the items closed, and the trailers that name
/// no item (for the person to hear).
#[derive(Default)]
pub struct FromCommits {
    pub closed: Vec<Closed>,
    pub unresolved: Vec<crate::store::fixes::Unresolved>,
}

/// Marks done the open action items that commits on the team's default
/// branch name in a fix trailer, each as its own commit.
pub fn close_fixed(session: &Session) -> Result<FromCommits> {
    let settled = crate::store::fixes::pending_named(&session.store)?;
    let mut closed = Vec::new();
    for fix in settled.pending {
        let n = fix.n;
        let commit = &fix.commit;
        let entry = session.find(&fix.id)?;
        let short = &commit[..7];
        let message = format!("Fixed by {short} (a fix trailer in its message)");
        let done =
            session.change_record(&entry, "action-done", Some(&message), |doc, before| {
                if before
                    .action(n)
                    .is_none_or(|a| a.status != ActionStatus::Open)
                {
                    return Ok(());
                }
                doc.mark_action_done(n, &Timestamp(session.now), Some(commit));
                Ok(())
            })?;
        if done.commit.is_some() {
            closed.push(Closed {
                done: super::Outcome::of(done),
                what: format!("action #{n} done by commit {short}"),
            });
        }
    }
    Ok(FromCommits {
        closed,
        unresolved: settled.unresolved,
    })
}
