//! `action push|pull`: action items as issues in the team's tracker.
//! `push` files one issue per item (never a second: the item keeps its
//! `tracker`, `ref` and `url`); `pull` brings each linked issue's state
//! back (closed as done → done, not planned → wontfix with the tracker's
//! words, reopened → open) and closes the issues of items that a
//! `Fixes-Postmortem:` trailer finished. Every change is one commit per
//! record, by the person running it.

use super::action::no_such_action;
use super::{Outcome, find_item, with_message};
use crate::error::{Command, Error, Result};
use crate::record::{ActionItem, ActionStatus, Record, RecordDoc, Timestamp};
use crate::session::Session;
use crate::store::read::Entry;
use crate::tracker::{self, Closing, Link, NewIssue, Place, State, Tracker};

/// What `push` did.
pub enum Pushed {
    /// A new issue, recorded in the item.
    Made {
        done: Box<Outcome>,
        n: u32,
        link: Link,
    },
    /// The item has an issue already: nothing was made.
    Already {
        n: u32,
        tracker: String,
        reference: String,
        url: Option<String>,
    },
}

/// Files item `ID#N` as an issue in `to` (`target`: a repository or
/// project other than the configured one) and records where it is.
pub fn push(
    session: &Session,
    item: &str,
    to: Tracker,
    target: Option<&str>,
    message: Option<&str>,
) -> Result<Pushed> {
    let (entry, n) = find_item(session, item)?;
    let record = crate::store::read::load(&session.store, &entry)?;
    let action = record.action(n).ok_or_else(|| no_such_action(&record, n))?;
    if let Some(reference) = &action.tracker_ref {
        return Ok(Pushed::Already {
            n,
            tracker: action.tracker.clone().unwrap_or_default(),
            reference: reference.clone(),
            url: action.url.clone(),
        });
    }
    if action.status != ActionStatus::Open {
        return Err(Error::new(format!(
            "{}#{n} is {}: only open items go to the tracker",
            record.id, action.status
        )));
    }
    let issue = new_issue(session, &record, &entry, action);
    let link = tracker::create(to, target, &issue, &place(session))?;
    let first = format!("Filed as {} ({})", link.reference, link.url);
    let recorded = session.change_record(
        &entry,
        "action-push",
        Some(&with_message(first, message)),
        |doc, _| {
            doc.link_action(n, to.as_str(), &link.reference, &link.url);
            Ok(())
        },
    );
    let done = recorded.map_err(|e| {
        Error::new(format!(
            "made {} but could not record it in {}: {}",
            link.url, record.id, e.message
        ))
        .hint_run(
            "add `tracker`, `ref` and `url` to the item by hand",
            Command::postmortem(["edit", record.id.as_str()]),
        )
    })?;
    Ok(Pushed::Made {
        done: Box::new(Outcome::of(done)),
        n,
        link,
    })
}

/// Where the CLIs run: the work tree (so `gh` and `glab` find the
/// repository's remote), else the git directory.
fn place(session: &Session) -> Place<'_> {
    Place {
        dir: session
            .store
            .workdir
            .as_deref()
            .unwrap_or_else(|| session.store.repo.path()),
        config: &session.config.tracker,
    }
}

/// The issue for `action`: its text as the title, and a body that leads
/// back to the post-mortem.
fn new_issue(session: &Session, record: &Record, entry: &Entry, action: &ActionItem) -> NewIssue {
    let mut body = format!(
        "Action item {}#{} of the post-mortem \"{}\" ({}).\n\n{}\n",
        record.id, action.n, record.title, record.severity, action.text
    );
    if let Some(owner) = &action.owner {
        // The name alone: the issue may be public, the address is not.
        let name = crate::people::name_of(owner);
        body.push_str(&format!("\nOwner: {name}"));
    }
    if let Some(due) = action.due {
        body.push_str(&format!("\nDue: {}", due.0));
    }
    body.push_str(&format!(
        "\n\nPost-mortem: {}\nClose this issue when it is done: `devops postmortem sync` brings its state back.\n",
        record_link(session, entry)
    ));
    let label = &session.config.tracker.label;
    NewIssue {
        title: action.text.clone(),
        body,
        label: (!label.trim().is_empty()).then(|| label.clone()),
    }
}

/// A link to the record: the config's `record_url`, else the file on the
/// records branch at `origin`'s web address, else its path there.
fn record_link(session: &Session, entry: &Entry) -> String {
    let branch = session.store.location.name();
    if let Some(template) = &session.config.tracker.record_url {
        return template
            .replace("{path}", &entry.path)
            .replace("{id}", entry.id.as_str())
            .replace("{branch}", branch);
    }
    let origin = session
        .store
        .repo
        .find_remote("origin")
        .ok()
        .and_then(|r| r.url().ok().map(str::to_string));
    match origin.as_deref().and_then(web_address) {
        Some(web) if web.contains("gitlab") => format!("{web}/-/blob/{branch}/{}", entry.path),
        Some(web) => format!("{web}/blob/{branch}/{}", entry.path),
        None => format!("{} on the {branch} branch", entry.path),
    }
}

/// `git@github.com:acme/api.git` or `https://github.com/acme/api.git` →
/// `https://github.com/acme/api`; `None` for a local path.
fn web_address(remote: &str) -> Option<String> {
    let rest = match remote
        .strip_prefix("https://")
        .or_else(|| remote.strip_prefix("ssh://"))
    {
        Some(r) => r.to_string(),
        // scp-like: `git@github.com:acme/api.git`.
        None => {
            let (host, path) = remote.split_once('@')?.1.split_once(':')?;
            format!("{host}/{path}")
        }
    };
    let rest = rest.rsplit_once('@').map_or(rest.as_str(), |(_, r)| r);
    let rest = rest.trim_end_matches('/').trim_end_matches(".git");
    rest.contains('/').then(|| format!("https://{rest}"))
}

/// What `pull` did: the records changed, and each tracker that could not
/// be read (said once, the rest of its items skipped).
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
        .filter_map(|(i, a)| Some((i, a, linked(a)?, a.tracker_ref.as_deref()?)))
        .collect();
    let mut pulled = Pulled::default();
    let read = read_states(session, &wanted, &mut pulled);
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
/// few), and the record cache is not refreshed for it (see
/// `store::read::files_passing`).
fn linked_records(session: &Session) -> Result<Vec<Entry>> {
    let names = |b: &[u8]| {
        Tracker::ALL
            .iter()
            .any(|t| memchr::memmem::find(b, t.as_str().as_bytes()).is_some())
    };
    let files = crate::store::read::files_passing(&session.store, &names)?;
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
    let settled = a.status != ActionStatus::Open && a.remote_state.as_deref() == Some("closed");
    let recent = a
        .done_at
        .is_some_and(|d| (session.now - d.0).num_days() <= SETTLED_DAYS);
    !settled || recent
}

fn linked(a: &ActionItem) -> Option<Tracker> {
    a.tracker.as_deref().and_then(Tracker::parse)
}

/// The step that brings item `a` and its issue's `state` together, if any.
fn step_for(a: &ActionItem, state: &State, close_remote: bool) -> Option<Step> {
    let seen_closed = a.remote_state.as_deref() == Some("closed");
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

    #[test]
    fn remotes_become_web_addresses() {
        let web = |s| web_address(s);
        assert_eq!(
            web("git@github.com:acme/api.git").as_deref(),
            Some("https://github.com/acme/api")
        );
        assert_eq!(
            web("https://github.com/acme/api.git").as_deref(),
            Some("https://github.com/acme/api")
        );
        assert_eq!(
            web("https://tok@gitlab.com/g/p").as_deref(),
            Some("https://gitlab.com/g/p")
        );
        assert_eq!(web("/tmp/remote.git"), None);
    }
}
