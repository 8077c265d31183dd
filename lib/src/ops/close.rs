//! `close`: finish a post-mortem whose analysis is complete.

use super::Outcome;
use crate::error::{Error, Result};
use crate::record::status::close_blockers;
use crate::record::{Status, Timestamp};
use crate::session::Session;

/// Closes the record; refuses, listing each thing missing, while the
/// analysis is incomplete, (unless `keep_open_actions`) action items are
/// open, or the config requires an approval it lacks.
pub fn close(
    session: &Session,
    query: &str,
    keep_open_actions: bool,
    message: Option<&str>,
) -> Result<Outcome> {
    let entry = session.find(query)?;
    let done = session.change_record(&entry, "close", message, |doc, before| {
        if before.status == Status::Closed {
            return Err(Error::new(format!("{} is already closed", before.id)));
        }
        super::refuse_settled(before)?;
        let mut blockers = close_blockers(before, keep_open_actions);
        let required = session.config.review_required(&before.severity);
        blockers.extend(crate::record::review::close_blocker(before, required));
        if !blockers.is_empty() {
            let mut e = Error::new(format!(
                "cannot close {}: {} thing{} missing",
                before.id,
                blockers.len(),
                if blockers.len() == 1 { " is" } else { "s are" }
            ))
            .nothing_written();
            for b in blockers {
                e = e.hint(b);
            }
            return Err(e);
        }
        doc.close(&Timestamp(session.now));
        Ok(())
    })?;
    Ok(Outcome::of(done))
}
