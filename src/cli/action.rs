//! `action add|done|wontfix`: the follow-up items that stop a recurrence.

use super::{CommitArgs, report};
use crate::ctx::Ctx;
use clap::{Args, Subcommand};
use postmortem::error::{Error, Result};
use postmortem::record::doc::set_table_str;
use postmortem::record::id::split_action_ref;
use postmortem::record::model::Day;
use postmortem::record::{ActionItem, ActionKind, ActionStatus, Record, Timestamp};

#[derive(Subcommand, Debug)]
pub enum ActionCommand {
    /// Add an action item to a post-mortem
    Add(AddArgs),
    /// Mark an action item done: ID#N (e.g. k7x3#1)
    Done(DoneArgs),
    /// Decide not to do an action item: ID#N --reason TEXT
    Wontfix(WontfixArgs),
    /// Correct an action item: ID#N with --text, --owner, --due, --kind or --ticket
    Edit(EditArgs),
    /// Mark done the items that commits name in `Fixes-Postmortem: ID#N` trailers
    #[command(name = "from-commits")]
    FromCommits(FromCommitsArgs),
}

#[derive(Args, Debug)]
pub struct FromCommitsArgs {}

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  devops postmortem action edit k7x3#1 --due +7d --owner carol\n  \
devops postmortem action edit k7x3#2 --text \"Alert at 80% pool usage\""
)]
pub struct EditArgs {
    /// ID#N, e.g. PM-20261123-k7x3q4mz#1 or k7x3#1
    pub item: String,
    /// The corrected text
    #[arg(long, value_name = "TEXT")]
    pub text: Option<String>,
    #[command(flatten)]
    pub fields: ActionFields,
    #[command(flatten)]
    pub commit: CommitArgs,
}

/// Who does an action item, by when, and what kind it is.
#[derive(Args, Debug, Default, Clone)]
pub struct ActionFields {
    /// Who will do it (name, handle or email; default: the assignee)
    #[arg(long, value_name = "WHO")]
    pub owner: Option<String>,
    /// Due date: YYYY-MM-DD, +7d, 2w, tomorrow
    #[arg(long, value_name = "DATE")]
    pub due: Option<String>,
    /// mitigate, prevent, process, educate (training, a notice, a guide for the field) or other
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// A link to the ticket that tracks it
    #[arg(long, value_name = "URL")]
    pub ticket: Option<String>,
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// The post-mortem (any unique prefix of its ID)
    pub id: String,
    /// What will be done
    pub text: String,
    #[command(flatten)]
    pub fields: ActionFields,
    #[command(flatten)]
    pub commit: CommitArgs,
}

#[derive(Args, Debug)]
pub struct DoneArgs {
    /// ID#N, e.g. PM-20261123-k7x3q4mz#1 or k7x3#1
    pub item: String,
    #[command(flatten)]
    pub commit: CommitArgs,
}

#[derive(Args, Debug)]
pub struct WontfixArgs {
    /// ID#N, e.g. PM-20261123-k7x3q4mz#1 or k7x3#1
    pub item: String,
    /// Why it will not be done
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    #[command(flatten)]
    pub commit: CommitArgs,
}

pub fn run(ctx: &Ctx, cmd: ActionCommand) -> Result<()> {
    match cmd {
        ActionCommand::Edit(args) => edit(ctx, args),
        ActionCommand::FromCommits(_) => {
            let records = ctx.records(None, postmortem::store::read::Detail::Slim)?;
            let closed = postmortem::ops::fixes::close_fixed(ctx, &records)?;
            if closed.is_empty() {
                ctx.out
                    .status("no open action item is named by a Fixes-Postmortem trailer");
            }
            for c in &closed {
                report(ctx, &c.done, &c.what);
            }
            Ok(())
        }
        ActionCommand::Add(args) => add(ctx, args),
        ActionCommand::Done(args) => set_status(
            ctx,
            &args.item,
            ActionStatus::Done,
            None,
            args.commit.message.as_deref(),
        ),
        ActionCommand::Wontfix(args) => {
            if args.reason.trim().is_empty() {
                return Err(Error::usage(
                    "--reason must say why the action will not be done",
                ));
            }
            set_status(
                ctx,
                &args.item,
                ActionStatus::Wontfix,
                Some(&args.reason),
                args.commit.message.as_deref(),
            )
        }
    }
}

fn add(ctx: &Ctx, args: AddArgs) -> Result<()> {
    let entry = ctx.find(&args.id)?;
    let done = ctx.change_record(
        &entry,
        "action-add",
        args.commit.message.as_deref(),
        |doc, before| {
            refuse_closed(before)?;
            let spec = ActionSpec {
                text: args.text.clone(),
                fields: args.fields.clone(),
            };
            for item in build(ctx, before, std::slice::from_ref(&spec))? {
                doc.push_action(&item);
            }
            Ok(())
        },
    )?;
    let n = done.record.action_items.last().map_or(0, |a| a.n);
    report(ctx, &done, &format!("added action #{n}"));
    Ok(())
}

/// Action items for `texts`, numbered after the record's last one. Every
/// value is checked before anything is written.
/// One action item as typed: its text and its own owner, due day, kind.
#[derive(Debug, Clone, Default)]
pub struct ActionSpec {
    pub text: String,
    pub fields: ActionFields,
}

impl ActionFields {
    /// These fields, with the gaps filled from `defaults`.
    pub fn or(&self, defaults: &ActionFields) -> ActionFields {
        ActionFields {
            owner: self.owner.clone().or_else(|| defaults.owner.clone()),
            due: self.due.clone().or_else(|| defaults.due.clone()),
            kind: self.kind.clone().or_else(|| defaults.kind.clone()),
            ticket: self.ticket.clone().or_else(|| defaults.ticket.clone()),
        }
    }
}

/// The kind typed, or why it is not one.
pub fn parse_kind(k: &str) -> Result<ActionKind> {
    ActionKind::parse(k).ok_or_else(|| {
        Error::usage(format!(
            "--kind '{}': use one of {}",
            postmortem::text::inline(k),
            ActionKind::names()
        ))
    })
}

/// The action items to add, numbered after the record's last one.
pub fn build(ctx: &Ctx, record: &Record, specs: &[ActionSpec]) -> Result<Vec<ActionItem>> {
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
                Some(who) => Some(ctx.person(who)?),
                None => record.assignee.clone(),
            };
            let due = f.due.as_deref().map(|d| ctx.date("--due", d)).transpose()?;
            Ok(ActionItem {
                n: first + i as u32,
                text: text.to_string(),
                kind,
                owner,
                due: due.map(Day),
                status: ActionStatus::Open,
                ticket: f.ticket.clone().filter(|t| !t.trim().is_empty()),
                done_at: None,
                commit: None,
                wontfix_reason: None,
            })
        })
        .collect()
}

fn edit(ctx: &Ctx, args: EditArgs) -> Result<()> {
    let f = &args.fields;
    if args.text.is_none()
        && f.owner.is_none()
        && f.due.is_none()
        && f.kind.is_none()
        && f.ticket.is_none()
    {
        return Err(Error::usage(
            "give what to correct: --text, --owner, --due, --kind or --ticket",
        ));
    }
    if args.text.as_deref().is_some_and(|t| t.trim().is_empty()) {
        return Err(Error::usage("--text: an action item needs text"));
    }
    let kind = f.kind.as_deref().map(parse_kind).transpose()?;
    let owner = f.owner.as_deref().map(|w| ctx.person(w)).transpose()?;
    let due = f.due.as_deref().map(|d| ctx.date("--due", d)).transpose()?;
    let (query, n) = split_action_ref(&args.item)?;
    let entry = ctx.find(query)?;
    let done = ctx.change_record(
        &entry,
        "action-edit",
        args.commit.message.as_deref(),
        |doc, before| {
            let table = doc.action_mut(n).ok_or_else(|| no_such_action(before, n))?;
            if let Some(t) = &args.text {
                set_table_str(table, "text", t.trim());
            }
            if let Some(k) = kind {
                set_table_str(table, "kind", k.as_str());
            }
            if let Some(o) = &owner {
                set_table_str(table, "owner", o);
            }
            if let Some(d) = due {
                table.insert(
                    "due",
                    toml_edit::value(
                        d.to_string()
                            .parse::<toml_edit::Datetime>()
                            .map_err(|e| Error::new(e.to_string()))?,
                    ),
                );
            }
            if let Some(t) = &f.ticket {
                set_table_str(table, "ticket", t.trim());
            }
            Ok(())
        },
    )?;
    report(ctx, &done, &format!("corrected action #{n}"));
    Ok(())
}

fn refuse_closed(r: &Record) -> Result<()> {
    super::refuse_settled(r)
}

/// `done` and `wontfix`. Allowed on closed records too: that is how items
/// carried by `close --keep-open-actions` get finished.
fn set_status(
    ctx: &Ctx,
    item: &str,
    to: ActionStatus,
    reason: Option<&str>,
    message: Option<&str>,
) -> Result<()> {
    let (query, n) = split_action_ref(item)?;
    let entry = ctx.find(query)?;
    let verb = format!("action-{to}");
    let done = ctx.change_record(&entry, &verb, message, |doc, before| {
        let current = before.action(n).ok_or_else(|| no_such_action(before, n))?;
        if current.status == to {
            return Ok(());
        }
        if to == ActionStatus::Done {
            doc.mark_action_done(n, &Timestamp(ctx.now), None);
            return Ok(());
        }
        let table = doc.action_mut(n).ok_or_else(|| no_such_action(before, n))?;
        set_table_str(table, "status", to.as_str());
        if to == ActionStatus::Wontfix {
            set_table_str(table, "wontfix_reason", reason.unwrap_or_default().trim());
        }
        Ok(())
    })?;
    report(
        ctx,
        &done,
        &format!(
            "action #{n} {}",
            if to == ActionStatus::Done {
                "done"
            } else {
                "won't be fixed"
            }
        ),
    );
    Ok(())
}

fn no_such_action(r: &Record, n: u32) -> Error {
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
