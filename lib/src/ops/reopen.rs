//! `reopen`: bring a closed or withdrawn post-mortem back.

use super::{Outcome, with_message};
use crate::error::{Error, Result};
use crate::record::Timestamp;
use crate::session::Session;

/// Reopens the record for `reason` (kept in the commit message, the audit
/// trail); its analysis must then be decided again before it closes.
pub fn reopen(
    session: &Session,
    query: &str,
    reason: &str,
    message: Option<&str>,
) -> Result<Outcome> {
    if reason.trim().is_empty() {
        return Err(Error::usage(
            "--reason must say why the post-mortem is reopened",
        ));
    }
    let entry = session.find(query)?;
    let message = with_message(format!("Reopened: {}", reason.trim()), message);
    let done = session.change_record(&entry, "reopen", Some(&message), |doc, before| {
        if before.status.is_active() {
            return Err(Error::new(format!(
                "{} is not closed or withdrawn (it is {})",
                before.id, before.status
            )));
        }
        doc.reopen(&Timestamp(session.now));
        Ok(())
    })?;
    Ok(Outcome::of(done))
}
