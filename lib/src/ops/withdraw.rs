//! `withdraw`: take a mistaken or duplicate post-mortem out of lists,
//! triage and figures. The file and its history stay; `reopen` brings it
//! back.

use super::{Outcome, with_message};
use crate::error::{Error, Result};
use crate::record::{Status, Timestamp};
use crate::session::Session;

/// Withdraws the record for `reason`, as a duplicate of the record
/// `duplicate_of` names when given; a duplicate needs no other reason
/// ("Duplicate of PM-…" is one).
pub fn withdraw(
    session: &Session,
    query: &str,
    reason: Option<&str>,
    duplicate_of: Option<&str>,
    message: Option<&str>,
) -> Result<Outcome> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    let entry = session.find(query)?;
    let original = match duplicate_of {
        Some(q) => {
            let other = session.find(q)?;
            if other.id == entry.id {
                return Err(Error::usage("--duplicate-of names the record itself"));
            }
            Some(other.id.to_string())
        }
        None => None,
    };
    let reason = match (reason, &original) {
        (Some(r), _) => r.to_string(),
        (None, Some(o)) => format!("Duplicate of {o}"),
        (None, None) => {
            return Err(Error::usage(
                "--reason must say why it is withdrawn (or give --duplicate-of ID)",
            ));
        }
    };
    let mut first = format!("Withdrawn: {reason}");
    if let Some(o) = original.as_ref().filter(|o| !reason.contains(o.as_str())) {
        first.push_str(&format!(" (duplicate of {o})"));
    }
    let message = with_message(first, message);
    let done = session.change_record(&entry, "withdraw", Some(&message), |doc, before| {
        if before.status == Status::Withdrawn {
            return Err(Error::new(format!("{} is already withdrawn", before.id)));
        }
        doc.withdraw(&Timestamp(session.now), &reason, original.as_deref());
        Ok(())
    })?;
    Ok(Outcome::of(done))
}
