//! `timeline add|edit|rm`: what happened when, during the incident.
//! Entries are numbered in time order, as `show` prints them.

use super::{Outcome, find_item};
use crate::error::{Command, Error, Result};
use crate::record::{Record, Timestamp};
use crate::session::Session;
use crate::time::Bare;
use chrono::{DateTime, FixedOffset};

/// Adds an entry at `at` (any time form; a bare clock is the one nearest
/// the incident's start, up to 12 h either side).
pub fn add(
    session: &Session,
    query: &str,
    at: &str,
    text: &str,
    message: Option<&str>,
) -> Result<Outcome> {
    if text.trim().is_empty() {
        return Err(Error::usage("a timeline entry needs text"));
    }
    let entry = session.find(query)?;
    let done = session.change_record(&entry, "timeline", message, |doc, before| {
        let at = session.time_as("--at", at, began(before))?;
        doc.push_timeline(&at, text.trim());
        Ok(())
    })?;
    Ok(Outcome::of(done))
}

/// Corrects entry `ID#N`: its time, its text, or both.
pub fn edit(
    session: &Session,
    entry: &str,
    at: Option<&str>,
    text: Option<&str>,
    message: Option<&str>,
) -> Result<(Outcome, u32)> {
    if at.is_none() && text.is_none() {
        return Err(Error::usage("give --at TIME, --text TEXT, or both"));
    }
    if text.is_some_and(|t| t.trim().is_empty()) {
        return Err(Error::usage(
            "--text: a timeline entry needs text (use `timeline rm` to remove it)",
        ));
    }
    let (found, n) = find_item(session, entry)?;
    let done = session.change_record(&found, "timeline-edit", message, |doc, before| {
        let i = index_of(before, n)?;
        let at = at
            .map(|a| session.time_as("--at", a, began(before)))
            .transpose()?;
        if !doc.edit_timeline(i, at.as_ref(), text) {
            return Err(Error::new(format!("timeline entry #{n} is not a table")));
        }
        Ok(())
    })?;
    Ok((Outcome::of(done), n))
}

/// Removes entry `ID#N`.
pub fn remove(session: &Session, entry: &str, message: Option<&str>) -> Result<(Outcome, u32)> {
    let (found, n) = find_item(session, entry)?;
    let done = session.change_record(&found, "timeline-rm", message, |doc, before| {
        let i = index_of(before, n)?;
        doc.remove_timeline(i);
        Ok(())
    })?;
    Ok((Outcome::of(done), n))
}

/// How a bare clock in a timeline entry is read: nearest the start, as
/// the trigger or the deploy before it often comes first.
fn began(r: &Record) -> Bare {
    Bare::near(r.started_at.map(|t| t.0))
}

/// The file index of entry `n`, or an error listing what there is.
fn index_of(r: &Record, n: u32) -> Result<usize> {
    r.timeline_in_order()
        .into_iter()
        .find(|(k, _, _)| *k == n)
        .map(|(_, i, _)| i)
        .ok_or_else(|| {
            Error::usage(format!(
                "{} has no timeline entry #{n} (it has {})",
                r.id,
                r.timeline.len(),
            ))
            .hint_run(
                "the entries, numbered",
                Command::postmortem(["show", r.id.as_str()]),
            )
        })
}

/// `--event "09:20 alert fired"`: the longest leading run of words (up to
/// three) that reads as a time, then the text.
pub fn split_event(
    session: &Session,
    event: &str,
    started: Option<DateTime<FixedOffset>>,
) -> Result<(Timestamp, String)> {
    let bare = Bare::near(started);
    let words: Vec<&str> = event.split_whitespace().collect();
    for k in (1..=3.min(words.len().saturating_sub(1))).rev() {
        let when = words[..k].join(" ");
        if crate::time::parse_time_as(&when, session.now, session.zone(), bare).is_ok() {
            let t = session.time_as("--event", &when, bare)?;
            return Ok((t, words[k..].join(" ")));
        }
    }
    Err(Error::usage(format!(
        "--event '{}': start with a time, then the text, e.g. --event \"09:20 alert fired\"",
        crate::text::inline(event)
    )))
}
