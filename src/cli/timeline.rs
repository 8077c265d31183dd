//! `timeline add|edit|rm`: what happened when, during the incident.
//! Entries are numbered in time order, as `show` prints them.

use super::{CommitArgs, report};
use crate::ctx::Ctx;
use clap::{Args, Subcommand};
use postmortem::error::{Error, Result};
use postmortem::record::doc::{set_table_str, set_table_time};
use postmortem::record::id::split_action_ref;

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
    pub id: String,
    /// What happened
    pub text: String,
    /// When (any time form; a bare 09:20 is read after the incident began; default: now)
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
#[command(after_help = "Example:\n  devops postmortem timeline rm k7x3#2")]
pub struct RmArgs {
    /// ID#N: the entry, numbered in time order as `show` prints it
    pub entry: String,
    #[command(flatten)]
    pub commit: CommitArgs,
}

pub fn run(ctx: &Ctx, cmd: TimelineCommand) -> Result<()> {
    match cmd {
        TimelineCommand::Add(args) => add(ctx, args),
        TimelineCommand::Edit(args) => edit(ctx, args),
        TimelineCommand::Rm(args) => rm(ctx, args),
    }
}

fn add(ctx: &Ctx, args: AddArgs) -> Result<()> {
    if args.text.trim().is_empty() {
        return Err(Error::usage("a timeline entry needs text"));
    }
    let entry = ctx.find(&args.id)?;
    let done = ctx.change_record(
        &entry,
        "timeline",
        args.commit.message.as_deref(),
        |doc, before| {
            // A bare clock is read after the incident began.
            let at = ctx.time_after("--at", &args.at, before.started_at.map(|t| t.0))?;
            doc.push_timeline(&at, args.text.trim());
            Ok(())
        },
    )?;
    report(ctx, &done, "added a timeline entry");
    Ok(())
}

/// The file index of entry `n`, or an error listing what there is.
fn index_of(r: &postmortem::record::Record, n: u32) -> Result<usize> {
    r.timeline_in_order()
        .into_iter()
        .find(|(k, _, _)| *k == n)
        .map(|(_, i, _)| i)
        .ok_or_else(|| {
            Error::usage(format!(
                "{} has no timeline entry #{n} (it has {}); `devops postmortem show {}` numbers them",
                r.id,
                r.timeline.len(),
                r.id
            ))
        })
}

fn edit(ctx: &Ctx, args: EditArgs) -> Result<()> {
    if args.at.is_none() && args.text.is_none() {
        return Err(Error::usage("give --at TIME, --text TEXT, or both"));
    }
    if args.text.as_deref().is_some_and(|t| t.trim().is_empty()) {
        return Err(Error::usage(
            "--text: a timeline entry needs text (use `timeline rm` to remove it)",
        ));
    }
    let (query, n) = split_action_ref(&args.entry)?;
    let entry = ctx.find(query)?;
    let done = ctx.change_record(
        &entry,
        "timeline-edit",
        args.commit.message.as_deref(),
        |doc, before| {
            let i = index_of(before, n)?;
            let at = args
                .at
                .as_deref()
                .map(|a| ctx.time_after("--at", a, before.started_at.map(|t| t.0)))
                .transpose()?;
            let table = doc
                .timeline_mut(i)
                .ok_or_else(|| Error::new(format!("timeline entry #{n} is not a table")))?;
            if let Some(at) = &at {
                set_table_time(table, "at", at);
            }
            if let Some(text) = &args.text {
                set_table_str(table, "text", text.trim());
            }
            Ok(())
        },
    )?;
    report(ctx, &done, &format!("corrected timeline entry #{n}"));
    Ok(())
}

fn rm(ctx: &Ctx, args: RmArgs) -> Result<()> {
    let (query, n) = split_action_ref(&args.entry)?;
    let entry = ctx.find(query)?;
    let done = ctx.change_record(
        &entry,
        "timeline-rm",
        args.commit.message.as_deref(),
        |doc, before| {
            let i = index_of(before, n)?;
            doc.remove_timeline(i);
            Ok(())
        },
    )?;
    report(ctx, &done, &format!("removed timeline entry #{n}"));
    Ok(())
}

/// `--event "09:20 alert fired"`: the longest leading run of words (up to
/// three) that reads as a time, then the text.
pub fn split_event(
    ctx: &Ctx,
    event: &str,
    anchor: Option<chrono::DateTime<chrono::FixedOffset>>,
) -> Result<(postmortem::record::Timestamp, String)> {
    let words: Vec<&str> = event.split_whitespace().collect();
    for k in (1..=3.min(words.len().saturating_sub(1))).rev() {
        let when = words[..k].join(" ");
        if postmortem::time::parse_time_after(&when, ctx.now, ctx.zone(), anchor).is_ok() {
            let t = ctx.time_after("--event", &when, anchor)?;
            return Ok((t, words[k..].join(" ")));
        }
    }
    Err(Error::usage(format!(
        "--event '{}': start with a time, then the text, e.g. --event \"09:20 alert fired\"",
        postmortem::text::inline(event)
    )))
}
