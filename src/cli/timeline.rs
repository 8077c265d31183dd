//! `timeline add|edit|rm`: what happened when, during the incident (see
//! `ops::timeline`).

use super::{CommitArgs, report};
use crate::ctx::Ctx;
use clap::{Args, Subcommand};
use postmortem::error::Result;
use postmortem::ops::timeline;

#[derive(Subcommand, Debug)]
pub enum TimelineCommand {
    /// Add an entry: timeline add ID --at "09:20" "Error-rate alert fired"
    Add(AddArgs),
    /// Correct an entry: timeline edit ID#N [--at TIME] [--text TEXT]
    Edit(EditArgs),
    /// Remove an entry: timeline rm ID#N
    #[command(visible_alias = "remove")]
    Rm(RmArgs),
}

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  devops postmortem timeline add k7x3 --at 09:20 \"Error-rate alert fired\"\n  \
devops postmortem timeline add k7x3 \"Rollback started\"   # now"
)]
pub struct AddArgs {
    /// The post-mortem (any unique prefix of its ID)
    #[arg(add = super::completions::record_ids())]
    pub id: String,
    /// What happened
    pub text: String,
    /// When (any time form; a bare 09:20 is the one nearest the incident's start, up to 12 h either side; default: now)
    #[arg(long, value_name = "TIME", default_value = "now")]
    pub at: String,
    #[command(flatten)]
    pub commit: CommitArgs,
}

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  devops postmortem timeline edit k7x3#2 --at 09:24\n  \
devops postmortem timeline edit k7x3#2 --text \"Pager fired\""
)]
pub struct EditArgs {
    /// ID#N: the entry, numbered in time order as `show` prints it
    pub entry: String,
    /// The corrected time
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// The corrected text
    #[arg(long, value_name = "TEXT")]
    pub text: Option<String>,
    #[command(flatten)]
    pub commit: CommitArgs,
}

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  devops postmortem timeline rm k7x3#2\n  \
devops postmortem timeline rm k7x3#5 -m \"Entered twice\"")]
pub struct RmArgs {
    /// ID#N: the entry, numbered in time order as `show` prints it
    pub entry: String,
    #[command(flatten)]
    pub commit: CommitArgs,
}

pub fn run(ctx: &Ctx, cmd: TimelineCommand) -> Result<()> {
    match cmd {
        TimelineCommand::Add(args) => {
            let done = timeline::add(
                ctx,
                &args.id,
                &args.at,
                &args.text,
                args.commit.message.as_deref(),
            )?;
            report(ctx, &done, "added a timeline entry");
        }
        TimelineCommand::Edit(args) => {
            let (done, n) = timeline::edit(
                ctx,
                &args.entry,
                args.at.as_deref(),
                args.text.as_deref(),
                args.commit.message.as_deref(),
            )?;
            report(ctx, &done, &format!("corrected timeline entry #{n}"));
        }
        TimelineCommand::Rm(args) => {
            let (done, n) = timeline::remove(ctx, &args.entry, args.commit.message.as_deref())?;
            report(ctx, &done, &format!("removed timeline entry #{n}"));
        }
    }
    Ok(())
}
