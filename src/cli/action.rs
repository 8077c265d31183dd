//! `action add|done|wontfix|edit|from-commits`: the follow-up items that
//! stop a recurrence (see `ops::action`).

use super::{CommitArgs, report};
use crate::ctx::Ctx;
use clap::{Args, Subcommand};
use postmortem::error::Result;
use postmortem::ops::action::{self, ActionSpec, Correction};
use postmortem::ops::tracker::{Pulled, Pushed};
use postmortem::record::ActionStatus;
use postmortem::tracker::Tracker;

#[derive(Subcommand, Debug)]
pub enum ActionCommand {
    /// Add an action item to a post-mortem
    Add(AddArgs),
    /// Mark an action item done: ID#N (e.g. k7x3#1)
    Done(DoneArgs),
    /// Decide not to do an action item: ID#N --reason TEXT
    Wontfix(WontfixArgs),
    /// Correct an action item (ID#N): text, owner, due, priority, kind or ticket
    Edit(EditArgs),
    /// Mark done the items that commits name in `Fixes-Postmortem: ID#N` trailers
    #[command(name = "from-commits")]
    FromCommits(FromCommitsArgs),
    /// File an action item as an issue in the team's tracker: ID#N --to github|gitlab|jira
    Push(PushArgs),
    /// Bring the state of linked tracker issues back into their items
    Pull(PullArgs),
}

#[derive(Args, Debug)]
#[command(
    after_help = "Runs the tracker's own CLI with its own login (`gh auth login`, `glab auth login`, \
`jira init`); no token is kept here. The issue gets the item's text as its title, a link back to \
the post-mortem and the label from `[tracker] label` (default \"postmortem\"); the item keeps \
`tracker`, `ref` and `url`. Pushing an item again makes no second issue: it says where the first \
is. The repository or project: --repo, else `[tracker] github`, `gitlab` or `jira_project` in the \
config, else the CLI's own default (gh and glab: the repository you are in).\n\n\
Examples:\n  devops postmortem action push k7x3#1 --to github\n  \
devops postmortem action push k7x3#2 --to jira --repo OPS\n  \
devops postmortem action push k7x3#3 --to gitlab --repo acme/ops/api"
)]
pub struct PushArgs {
    /// ID#N, e.g. PM-20261123-k7x3q4mz#1 or k7x3#1
    pub item: String,
    /// github, gitlab or jira
    #[arg(long, value_name = "TRACKER", value_parser = parse_tracker)]
    pub to: Tracker,
    /// OWNER/REPO (github), GROUP/PROJECT (gitlab) or the project key (jira)
    #[arg(long, value_name = "WHERE")]
    pub repo: Option<String>,
    #[command(flatten)]
    pub commit: CommitArgs,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Reads each linked issue through its tracker's CLI: closed as completed → done \
(at the tracker's closing time), closed as not planned → wontfix with the tracker's words, \
reopened → open; one commit per record changed, by you. An item a Fixes-Postmortem trailer \
finished closes its issue (--no-close-remote: left open). Items finished here and closed there \
more than 90 days ago are read only for the record named. `sync` does all this too.\n\n\
Examples:\n  devops postmortem action pull\n  devops postmortem action pull k7x3"
)]
pub struct PullArgs {
    /// Only this post-mortem (any unique prefix of its ID)
    #[arg(add = super::completions::record_ids())]
    pub id: Option<String>,
    /// Leave open the issues of items that fix trailers finished
    #[arg(long)]
    pub no_close_remote: bool,
}

fn parse_tracker(s: &str) -> std::result::Result<Tracker, String> {
    Tracker::parse(s).ok_or_else(|| format!("'{s}': use github, gitlab or jira"))
}

#[derive(Args, Debug)]
#[command(
    after_help = "A commit on the team's default branch (origin/HEAD) whose message ends with \
`Fixes-Postmortem: k7x3#2` marks item 2 done, recording the commit. `sync` does this too, and \
closes the item's tracker issue (`action pull` closes it after this command).\n\n\
Examples:\n  git commit -m \"Size the pool\" -m \"Fixes-Postmortem: k7x3#2\"\n  \
devops postmortem action from-commits"
)]
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
    pub fields: ActionFieldArgs,
    #[command(flatten)]
    pub commit: CommitArgs,
}

/// Who does an action item, by when, and what kind it is.
#[derive(Args, Debug, Default, Clone)]
pub struct ActionFieldArgs {
    /// Who will do it (name, handle or email; default: the assignee)
    #[arg(long, value_name = "WHO")]
    pub owner: Option<String>,
    /// Due date: YYYY-MM-DD, +7d, 2w, tomorrow; a past day is taken (the item is then overdue).
    /// Left out, new items are due after their priority's deadline
    #[arg(long, value_name = "DATE")]
    pub due: Option<String>,
    /// Priority: a level of the config's [actions.priorities] (built in: high 4 weeks,
    /// normal 8 weeks, low 12 weeks; default normal)
    #[arg(long, value_name = "LEVEL")]
    pub priority: Option<String>,
    /// mitigate, prevent, process, educate (training, a notice, a guide for the field) or other
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// A link to the ticket that tracks it
    #[arg(long, value_name = "URL")]
    pub ticket: Option<String>,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Without --due the item is due after its priority's deadline (config \
[actions.priorities]; built in: high 4 weeks, normal 8 weeks, low 12 weeks, default normal), and \
the day is said back.\n\nExamples:\n  devops postmortem action add k7x3 \"Alert at 80% pool usage\" --owner carol --due +14d\n  \
devops postmortem action add k7x3 \"Give the batch its own pool\" --priority high\n  \
devops postmortem action add k7x3 \"Guide for the field on the rollback page\" --kind educate"
)]
pub struct AddArgs {
    /// The post-mortem (any unique prefix of its ID)
    #[arg(add = super::completions::record_ids())]
    pub id: String,
    /// What will be done
    pub text: String,
    #[command(flatten)]
    pub fields: ActionFieldArgs,
    #[command(flatten)]
    pub commit: CommitArgs,
}

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  devops postmortem action done k7x3#1\n  \
devops postmortem action done k7x3#2 -m \"Shipped in v2.14\"")]
pub struct DoneArgs {
    /// ID#N, e.g. PM-20261123-k7x3q4mz#1 or k7x3#1
    pub item: String,
    #[command(flatten)]
    pub commit: CommitArgs,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  devops postmortem action wontfix k7x3#3 --reason \"The service is retired in January\""
)]
pub struct WontfixArgs {
    /// ID#N, e.g. PM-20261123-k7x3q4mz#1 or k7x3#1
    pub item: String,
    /// Why it will not be done
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    #[command(flatten)]
    pub commit: CommitArgs,
}

impl ActionFieldArgs {
    pub fn fields(&self) -> action::ActionFields {
        action::ActionFields {
            owner: self.owner.clone(),
            due: self.due.clone(),
            kind: self.kind.clone(),
            ticket: self.ticket.clone(),
            priority: self.priority.clone(),
        }
    }
}

pub fn run(ctx: &Ctx, cmd: ActionCommand) -> Result<()> {
    match cmd {
        ActionCommand::Add(args) => {
            let spec = ActionSpec {
                text: args.text.clone(),
                fields: args.fields.fields(),
            };
            let done = action::add(ctx, &args.id, &spec, args.commit.message.as_deref())?;
            let n = done.record.action_items.last().map_or(0, |a| a.n);
            report(ctx, &done, &format!("added action #{n}"));
        }
        ActionCommand::Done(args) => {
            let (done, n) = action::set_status(
                ctx,
                &args.item,
                ActionStatus::Done,
                None,
                args.commit.message.as_deref(),
            )?;
            report(ctx, &done, &format!("action #{n} done"));
        }
        ActionCommand::Wontfix(args) => {
            let (done, n) = action::set_status(
                ctx,
                &args.item,
                ActionStatus::Wontfix,
                Some(&args.reason),
                args.commit.message.as_deref(),
            )?;
            report(ctx, &done, &format!("action #{n} won't be fixed"));
        }
        ActionCommand::Edit(args) => {
            let correction = Correction {
                text: args.text.clone(),
                fields: args.fields.fields(),
            };
            let (done, n) =
                action::edit(ctx, &args.item, &correction, args.commit.message.as_deref())?;
            report(ctx, &done, &format!("corrected action #{n}"));
        }
        ActionCommand::FromCommits(_) => {
            let fixed = postmortem::ops::fixes::close_fixed(ctx)?;
            if fixed.closed.is_empty() {
                ctx.out
                    .status("no open action item is named by a Fixes-Postmortem trailer");
            }
            for c in &fixed.closed {
                report(ctx, &c.done, &c.what);
            }
            super::sync::warn_unresolved(ctx, &fixed.unresolved);
        }
        ActionCommand::Push(args) => push(ctx, &args)?,
        ActionCommand::Pull(args) => {
            let pulled =
                postmortem::ops::tracker::pull(ctx, args.id.as_deref(), !args.no_close_remote)?;
            report_pulled(ctx, &pulled, false);
            if let Some(first) = pulled.unreachable.into_iter().next() {
                return Err(first);
            }
            if pulled.changed.is_empty() {
                ctx.out.status(&format!(
                    "{} linked item(s) read: nothing changed",
                    pulled.read
                ));
            }
        }
    }
    Ok(())
}

fn push(ctx: &Ctx, args: &PushArgs) -> Result<()> {
    let pushed = postmortem::ops::tracker::push(
        ctx,
        &args.item,
        args.to,
        args.repo.as_deref(),
        args.commit.message.as_deref(),
    )?;
    match pushed {
        Pushed::Made { done, n, link } => {
            report(
                ctx,
                &done,
                &format!("action #{n} filed as {}", link.reference),
            );
            crate::output::print_after_commit(&format!("{}\n", link.url), done.record.id.as_str());
        }
        Pushed::Already {
            n,
            tracker,
            reference,
            url,
        } => {
            ctx.out.status(&format!(
                "action #{n} is already filed in {tracker} as {reference}{}: no second issue made",
                url.map(|u| format!(" ({u})")).unwrap_or_default()
            ));
        }
    }
    Ok(())
}

/// What a pull changed; in `sync`, each tracker that could not be read
/// as a warning (the records synced without it).
pub fn report_pulled(ctx: &Ctx, pulled: &Pulled, in_sync: bool) {
    for c in &pulled.changed {
        for line in &c.what[..c.what.len().saturating_sub(1)] {
            ctx.out.status(line);
        }
        if let Some(last) = c.what.last() {
            report(ctx, &c.done, last);
        }
    }
    if in_sync {
        for e in &pulled.unreachable {
            let fix = e
                .hints
                .iter()
                .find_map(|h| match h {
                    postmortem::error::Hint::Run(c) => Some(format!(" ({})", c.shown())),
                    postmortem::error::Hint::SayRun(say, c) => {
                        Some(format!(" ({say}: {})", c.shown()))
                    }
                    _ => None,
                })
                .unwrap_or_default();
            ctx.out.warn(&format!(
                "{}{fix}; the records synced without the tracker",
                e.message
            ));
        }
    }
}
