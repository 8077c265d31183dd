//! `action add|done|wontfix|edit`: the follow-up items that stop a
//! recurrence.

use super::{Outcome, find_item, refuse_settled};
use crate::error::{Error, Result};
use crate::record::doc::ActionChange;
use crate::record::model::Day;
use crate::record::{ActionItem, ActionKind, ActionStatus, Record, Timestamp};
use crate::session::Session;

/// Who does an action item, by when, and what kind it is, as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionFields {
    pub owner: Option<String>,
    pub due: Option<String>,
    pub kind: Option<String>,
    pub ticket: Option<String>,
    /// A level of the config's priorities; the default level when not given.
    pub priority: Option<String>,
}

impl ActionFields {
    /// These fields, with the gaps filled from `defaults`.
    pub fn or(&self, defaults: &ActionFields) -> ActionFields {
        ActionFields {
            owner: self.owner.clone().or_else(|| defaults.owner.clone()),
            due: self.due.clone().or_else(|| defaults.due.clone()),
            kind: self.kind.clone().or_else(|| defaults.kind.clone()),
            ticket: self.ticket.clone().or_else(|| defaults.ticket.clone()),
            priority: self.priority.clone().or_else(|| defaults.priority.clone()),
        }
    }
}

/// One action item as typed: its text and its own owner, due day, kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionSpec {
    pub text: String,
    pub fields: ActionFields,
}

/// The kind typed, or why it is not one.
pub fn parse_kind(k: &str) -> Result<ActionKind> {
    ActionKind::parse(k).ok_or_else(|| {
        Error::usage(format!(
            "--kind '{}': use one of {}",
            crate::text::inline(k),
            ActionKind::names()
        ))
    })
}

/// The action items to add, numbered after the record's last one; the
/// owner defaults to the assignee. Every value is checked before anything
/// is written.
pub fn build(session: &Session, record: &Record, specs: &[ActionSpec]) -> Result<Vec<ActionItem>> {
    let first = record.action_items.iter().map(|a| a.n).max().unwrap_or(0) + 1;
    specs
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let text = spec.text.trim();
            if text.is_empty() {
                return Err(Error::usage("an action item needs text"));
            }
            let f = &spec.fields;
            let kind = f
                .kind
                .as_deref()
                .map(parse_kind)
                .transpose()?
                .unwrap_or_default();
            let owner = match &f.owner {
                Some(who) => Some(session.person(who)?),
                None => record.assignee.clone(),
            };
            let n = first + i as u32;
            let (priority, due) = priority_and_due(session, n, f)?;
            Ok(ActionItem {
                n,
                text: text.to_string(),
                kind,
                owner,
                due: Some(Day(due)),
                priority: Some(priority),
                status: ActionStatus::Open,
                ticket: f.ticket.clone().filter(|t| !t.trim().is_empty()),
                done_at: None,
                commit: None,
                wontfix_reason: None,
                link: Default::default(),
            })
        })
        .collect()
}

/// The item's priority (as configured) and due day: the day typed, else
/// today plus the priority's deadline, which a note says back.
fn priority_and_due(
    session: &Session,
    n: u32,
    f: &ActionFields,
) -> Result<(String, chrono::NaiveDate)> {
    let typed = f
        .priority
        .clone()
        .unwrap_or_else(|| session.config.default_priority());
    let (priority, days) = session
        .config
        .check_priority(&typed)
        .map_err(|e| Error::usage(format!("--priority: {}", e.message)))?;
    if let Some(d) = f.due.as_deref() {
        return Ok((priority, session.date("--due", d)?));
    }
    let due = chrono::Duration::try_days(days)
        .and_then(|d| session.today().checked_add_signed(d))
        .unwrap_or(chrono::NaiveDate::MAX);
    session.note(format!(
        "action #{n} is due {due}: {priority} priority gives {} (--due sets another day)",
        crate::time::format_days(days)
    ));
    Ok((priority, due))
}

/// Adds one action item; the outcome's record has it last.
pub fn add(
    session: &Session,
    query: &str,
    spec: &ActionSpec,
    message: Option<&str>,
) -> Result<Outcome> {
    let entry = session.find(query)?;
    let done = session.change_record(&entry, "action-add", message, |doc, before| {
        refuse_settled(before)?;
        for item in build(session, before, std::slice::from_ref(spec))? {
            doc.push_action(&item);
        }
        Ok(())
    })?;
    Ok(Outcome::of(done))
}

/// Marks item `ID#N` done, or won't-fix for `reason`. Allowed on closed
/// records too: that is how items carried by `close --keep-open-actions`
/// get finished.
pub fn set_status(
    session: &Session,
    item: &str,
    to: ActionStatus,
    reason: Option<&str>,
    message: Option<&str>,
) -> Result<(Outcome, u32)> {
    if to == ActionStatus::Wontfix && reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(Error::usage(
            "--reason must say why the action will not be done",
        ));
    }
    let (entry, n) = find_item(session, item)?;
    let verb = format!("action-{to}");
    let done = session.change_record(&entry, &verb, message, |doc, before| {
        let current = before.action(n).ok_or_else(|| no_such_action(before, n))?;
        if current.status == to {
            return Ok(());
        }
        match to {
            ActionStatus::Done => doc.mark_action_done(n, &Timestamp(session.now), None),
            _ => doc.mark_action_wontfix(n, reason.unwrap_or_default()),
        };
        Ok(())
    })?;
    Ok((Outcome::of(done), n))
}

/// A correction to item `ID#N`, as typed.
#[derive(Debug, Clone, Default)]
pub struct Correction {
    pub text: Option<String>,
    pub fields: ActionFields,
}

/// Corrects item `ID#N`: its text, owner, due day, kind or ticket.
pub fn edit(
    session: &Session,
    item: &str,
    c: &Correction,
    message: Option<&str>,
) -> Result<(Outcome, u32)> {
    let f = &c.fields;
    let change = ActionChange {
        text: c.text.clone(),
        kind: f.kind.as_deref().map(parse_kind).transpose()?,
        owner: f.owner.as_deref().map(|w| session.person(w)).transpose()?,
        due: f
            .due
            .as_deref()
            .map(|d| session.date("--due", d))
            .transpose()?,
        ticket: f.ticket.clone(),
        priority: f
            .priority
            .as_deref()
            .map(|p| session.config.check_priority(p).map(|(p, _)| p))
            .transpose()
            .map_err(|e| Error::usage(format!("--priority: {}", e.message)))?,
    };
    if change.is_empty() {
        return Err(Error::usage(
            "give what to correct: --text, --owner, --due, --kind, --ticket or --priority",
        ));
    }
    if change.text.as_deref().is_some_and(|t| t.trim().is_empty()) {
        return Err(Error::usage("--text: an action item needs text"));
    }
    let (entry, n) = find_item(session, item)?;
    let done = session.change_record(&entry, "action-edit", message, |doc, before| {
        if doc.edit_action(n, &change) {
            Ok(())
        } else {
            Err(no_such_action(before, n))
        }
    })?;
    Ok((Outcome::of(done), n))
}

pub(crate) fn no_such_action(r: &Record, n: u32) -> Error {
    let known: Vec<String> = r.action_items.iter().map(|a| format!("#{}", a.n)).collect();
    Error::new(format!(
        "{} has no action item #{n} (it has {})",
        r.id,
        if known.is_empty() {
            "none".to_string()
        } else {
            known.join(", ")
        }
    ))
}
