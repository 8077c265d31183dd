//! `action pull` (and `sync`): each linked issue's state, brought into
//! its item; the issues of items a fix trailer finished, closed.

use super::{linked, place};
use crate::error::{Error, Result};
use crate::ops::Outcome;
use crate::record::{ActionItem, ActionStatus, RecordDoc, Timestamp};
use crate::session::Session;
use crate::store::read::Entry;
use crate::tracker::{self, Closing, State, Tracker};

/// What `pull` did: the records changed, and what could not be read: a
/// tracker (said once, its other issues not tried) or one issue.
#[derive(Default)]
pub struct Pulled {
    pub changed: Vec<Changed>,
    pub unreachable: Vec<Error>,
    /// Linked items read.
    pub read: usize,
}

/// One record changed: its commit, and a line per item.
pub struct Changed {
    pub done: Outcome,
    pub what: Vec<String>,
}

/// What to do to one item, from its issue's state.
#[derive(Debug, Clone, PartialEq)]
enum Step {
    Done(Closing),
    Wontfix(Closing, String),
    Reopen,
    /// Only the state seen changes (the item already agrees).
    Note(&'static str, Option<String>),
    /// Close the issue: a trailer finished the item.
    CloseRemote,
}

/// Reads the issue of every linked item and brings its state into the
/// record; with `close_remote`, closes the issues of items a fix trailer
/// finished. With `only` (a record), all its linked items; without, those
/// not settled more than 90 days ago.
pub fn pull(session: &Session, only: Option<&str>, close_remote: bool) -> Result<Pulled> {
    let entries = match only {
        Some(q) => vec![session.find(q)?],
        None => linked_records(session)?,
    };
    let mut records = Vec::with_capacity(entries.len());
    for entry in entries {
        let record = crate::store::read::load(&session.store, &entry)?;
        records.push((entry, record));
    }
    let wanted: Vec<Wanted<'_>> = records
        .iter()
        .enumerate()
        .flat_map(|(i, (_, r))| r.action_items.iter().map(move |a| (i, a)))
        .filter(|(_, a)| only.is_some() || worth_reading(a, session))
        .filter_map(|(i, a)| Some((i, a, linked(a)?, a.link.tracker_ref.as_deref()?)))
        .collect();
    crate::trace::mark("tracker: linked records read");
    let mut pulled = Pulled::default();
    let read = read_states(session, &wanted, &mut pulled);
    crate::trace::mark("tracker: issues read");
    let mut steps: Vec<Vec<Planned>> = records.iter().map(|_| Vec::new()).collect();
    for ((i, a, t, reference), state) in wanted.iter().zip(read) {
        if let Some(step) = state.and_then(|s| step_for(a, &s, close_remote)) {
            steps[*i].push((a.n, *t, reference.to_string(), step));
        }
    }
    let mut down: Vec<Tracker> = Vec::new();
    for ((entry, _), steps) in records.iter().zip(steps) {
        if let Some(changed) = apply(session, entry, steps, &mut down, &mut pulled.unreachable)? {
            pulled.changed.push(changed);
        }
    }
    Ok(pulled)
}

/// An item whose issue to read: its record's place in the list, the item,
/// its tracker and its reference there.
type Wanted<'a> = (usize, &'a ActionItem, Tracker, &'a str);

/// A step planned for item N: its tracker, its reference, the step.
type Planned = (u32, Tracker, String, Step);

/// How many issues are read at once: each read is a CLI waiting on the
/// network, not on this machine.
const READ_AT_ONCE: usize = 8;

/// The state of each wanted issue, in order (`None`: not read). Each
/// tracker's first issue is read alone: a tracker that fails there (not
/// installed, logged out, offline) is said once and its other issues are
/// not tried, so a hung one costs one timeout, not one per issue.
fn read_states(
    session: &Session,
    wanted: &[Wanted<'_>],
    pulled: &mut Pulled,
) -> Vec<Option<State>> {
    let place = place(session);
    let mut states: Vec<Option<State>> = vec![None; wanted.len()];
    let mut rest = Vec::new();
    for t in Tracker::ALL {
        let mine: Vec<usize> = (0..wanted.len()).filter(|&k| wanted[k].2 == t).collect();
        let Some((&first, others)) = mine.split_first() else {
            continue;
        };
        pulled.read += 1;
        match tracker::state(t, wanted[first].3, &place) {
            Ok(s) => {
                states[first] = Some(s);
                rest.extend_from_slice(others);
            }
            Err(e) => pulled.unreachable.push(e),
        }
    }
    pulled.read += rest.len();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(READ_AT_ONCE.min(rest.len()).max(1))
        .build();
    let read: Vec<Result<State>> = match pool {
        Ok(pool) => pool.install(|| {
            use rayon::prelude::*;
            rest.par_iter()
                .map(|&k| tracker::state(wanted[k].2, wanted[k].3, &place))
                .collect()
        }),
        Err(_) => rest
            .iter()
            .map(|&k| tracker::state(wanted[k].2, wanted[k].3, &place))
            .collect(),
    };
    for (k, r) in rest.into_iter().zip(read) {
        match r {
            Ok(s) => states[k] = Some(s),
            // One issue that cannot be read (deleted, moved): said, the
            // others go on.
            Err(e) => pulled.unreachable.push(e),
        }
    }
    states
}

/// The records with an item linked to an issue worth reading. Only
/// records whose bytes name a tracker are decoded (over 100k records, a
/// few), found through a cache of their own that a new records tree
/// updates from its changed files alone (see `store::linked_cache`).
fn linked_records(session: &Session) -> Result<Vec<Entry>> {
    let names = |b: &[u8]| {
        Tracker::ALL
            .iter()
            .any(|t| memchr::memmem::find(b, t.as_str().as_bytes()).is_some())
    };
    let files = crate::store::linked_cache::files_passing(&session.store, &names)?;
    let records = crate::store::read::some_records(&session.store, &files)?;
    records
        .iter()
        .filter(|r| r.action_items.iter().any(|a| worth_reading(a, session)))
        .map(|r| session.find(&r.id))
        .collect()
}

/// How long after an item is finished its issue is still read, for a
/// reopening: past that, only `action pull ID` reads it (each read is a
/// call to the tracker).
const SETTLED_DAYS: i64 = 90;

/// Whether a bulk pull reads this item's issue: linked, and not settled
/// long ago (finished here and seen closed there, over 90 days back).
fn worth_reading(a: &ActionItem, session: &Session) -> bool {
    if linked(a).is_none() {
        return false;
    }
    let settled =
        a.status != ActionStatus::Open && a.link.remote_state.as_deref() == Some("closed");
    let recent = a
        .done_at
        .is_some_and(|d| (session.now - d.0).num_days() <= SETTLED_DAYS);
    !settled || recent
}

/// The step that brings item `a` and its issue's `state` together, if any.
fn step_for(a: &ActionItem, state: &State, close_remote: bool) -> Option<Step> {
    let seen_closed = a.link.remote_state.as_deref() == Some("closed");
    let open = a.status == ActionStatus::Open;
    match state {
        State::Open if seen_closed && !open => Some(Step::Reopen),
        State::Open if seen_closed => Some(Step::Note("open", None)),
        // A trailer finished it here; its issue follows.
        State::Open if close_remote && a.status == ActionStatus::Done && a.commit.is_some() => {
            Some(Step::CloseRemote)
        }
        State::Open => None,
        State::Completed(c) if open => Some(Step::Done(c.clone())),
        State::NotPlanned(c, why) if open => Some(Step::Wontfix(c.clone(), why.clone())),
        State::Completed(c) | State::NotPlanned(c, _) if !seen_closed => {
            Some(Step::Note("closed", c.by.clone()))
        }
        _ => None,
    }
}

/// Applies the steps of one record as one commit. Closing a remote issue
/// happens first; one that fails is said and left for the next run.
fn apply(
    session: &Session,
    entry: &Entry,
    steps: Vec<Planned>,
    down: &mut Vec<Tracker>,
    unreachable: &mut Vec<Error>,
) -> Result<Option<Changed>> {
    let mut what = Vec::new();
    let mut kept = Vec::new();
    for (n, t, reference, step) in steps {
        if step == Step::CloseRemote {
            let comment = format!(
                "Fixed: {}#{n} was done by a commit (Fixes-Postmortem).",
                entry.id
            );
            if down.contains(&t) {
                continue;
            }
            if let Err(e) = tracker::close(t, &reference, &comment, &place(session)) {
                down.push(t);
                unreachable.push(e);
                continue;
            }
        }
        what.push(describe(n, &reference, &step));
        kept.push((n, step));
    }
    if kept.is_empty() {
        return Ok(None);
    }
    let message = what.join("\n");
    let done = session.change_record(entry, "action-pull", Some(&message), |doc, before| {
        for (n, step) in &kept {
            if before.action(*n).is_some() {
                apply_step(session, doc, *n, step);
            }
        }
        Ok(())
    })?;
    if done.commit.is_none() {
        return Ok(None);
    }
    Ok(Some(Changed {
        done: Outcome::of(done),
        what,
    }))
}

fn apply_step(session: &Session, doc: &mut RecordDoc, n: u32, step: &Step) {
    match step {
        Step::Done(c) => {
            let at = c.at.unwrap_or(Timestamp(session.now));
            doc.mark_action_done(n, &at, None);
            doc.set_remote_state(n, "closed", c.by.as_deref());
        }
        Step::Wontfix(c, why) => {
            doc.mark_action_wontfix(n, why);
            doc.set_remote_state(n, "closed", c.by.as_deref());
        }
        Step::Reopen => {
            doc.reopen_action(n);
            doc.set_remote_state(n, "open", None);
        }
        Step::Note(state, by) => {
            doc.set_remote_state(n, state, by.as_deref());
        }
        Step::CloseRemote => {
            doc.set_remote_state(n, "closed", None);
        }
    }
}

/// One line for the person and the commit message.
fn describe(n: u32, reference: &str, step: &Step) -> String {
    let by = |c: &Closing| {
        let mut s = String::new();
        if let Some(who) = &c.by {
            s.push_str(&format!(" by {who}"));
        }
        if let Some(at) = c.at {
            s.push_str(&format!(" at {}", crate::time::format_rfc3339(&at.0)));
        }
        s
    };
    match step {
        Step::Done(c) => format!("action #{n} done: {reference} was closed{}", by(c)),
        Step::Wontfix(c, why) => {
            format!("action #{n} won't be fixed: {reference} was {why}{}", by(c))
        }
        Step::Reopen => format!("action #{n} open again: {reference} was reopened"),
        Step::Note(state, _) => {
            format!("action #{n}: {reference} is {state} (the item already agrees)")
        }
        Step::CloseRemote => format!("action #{n}: closed {reference}, fixed by a commit"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::ActionKind;

    fn item(status: ActionStatus, seen: Option<&str>, commit: Option<&str>) -> ActionItem {
        ActionItem {
            n: 1,
            text: "t".into(),
            kind: ActionKind::Other,
            owner: None,
            due: None,
            priority: None,
            status,
            ticket: None,
            done_at: None,
            commit: commit.map(str::to_string),
            wontfix_reason: None,
            link: crate::record::TrackerLink {
                tracker: Some("github".into()),
                tracker_ref: Some("acme/api#1".into()),
                url: None,
                remote_state: seen.map(str::to_string),
                closed_by: None,
            }
            .into(),
        }
    }

    #[test]
    fn each_state_meets_each_item_as_the_issue_says() {
        use ActionStatus::{Done, Open, Wontfix};
        let closed = State::Completed(Closing::default());
        let not = State::NotPlanned(Closing::default(), "no".into());
        let step = |a: &ActionItem, s: &State| step_for(a, s, true);
        assert_eq!(
            step(&item(Open, Some("open"), None), &closed),
            Some(Step::Done(Closing::default()))
        );
        assert!(
            matches!(step(&item(Open, Some("open"), None), &not), Some(Step::Wontfix(_, r)) if r == "no")
        );
        assert_eq!(
            step(&item(Done, Some("closed"), None), &State::Open),
            Some(Step::Reopen)
        );
        assert_eq!(
            step(&item(Wontfix, Some("closed"), None), &State::Open),
            Some(Step::Reopen)
        );
        // Done here by hand, still open there: the local decision stands.
        assert_eq!(step(&item(Done, Some("open"), None), &State::Open), None);
        // Done by a trailer: its issue is closed, unless told not to.
        assert_eq!(
            step(&item(Done, Some("open"), Some("abc")), &State::Open),
            Some(Step::CloseRemote)
        );
        assert_eq!(
            step_for(&item(Done, Some("open"), Some("abc")), &State::Open, false),
            None
        );
        // Finished on both sides: only what was seen is noted, once.
        assert_eq!(
            step(&item(Done, Some("open"), None), &closed),
            Some(Step::Note("closed", None))
        );
        assert_eq!(step(&item(Done, Some("closed"), None), &closed), None);
        assert_eq!(step(&item(Open, Some("open"), None), &State::Open), None);
    }
}
