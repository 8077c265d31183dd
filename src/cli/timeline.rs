//! `timeline add`: what happened when, during the incident.

use super::{CommitArgs, report};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use clap::{Args, Subcommand};

#[derive(Subcommand, Debug)]
pub enum TimelineCommand {
    /// Add an entry: timeline add ID --at "09:20" "Error-rate alert fired"
    Add(AddArgs),
}

#[derive(Args, Debug)]
pub struct AddArgs {
    /// The post-mortem (any unique prefix of its ID)
    pub id: String,
    /// What happened
    pub text: String,
    /// When (any time form; default: now)
    #[arg(long, value_name = "TIME", default_value = "now")]
    pub at: String,
    #[command(flatten)]
    pub commit: CommitArgs,
}

pub fn run(ctx: &Ctx, cmd: TimelineCommand) -> Result<()> {
    let TimelineCommand::Add(args) = cmd;
    if args.text.trim().is_empty() {
        return Err(Error::usage("a timeline entry needs text"));
    }
    let at = ctx.time("--at", &args.at)?;
    let entry = ctx.find(&args.id)?;
    let done = ctx.change_record(
        &entry,
        "timeline",
        args.commit.message.as_deref(),
        |doc, _| {
            doc.push_timeline(&at, args.text.trim());
            Ok(())
        },
    )?;
    report(ctx, &done, "added a timeline entry");
    Ok(())
}

/// `--event "09:20 alert fired"`: the longest leading run of words (up to
/// three) that reads as a time, then the text.
pub fn split_event(ctx: &Ctx, event: &str) -> Result<(crate::record::Timestamp, String)> {
    let words: Vec<&str> = event.split_whitespace().collect();
    for k in (1..=3.min(words.len().saturating_sub(1))).rev() {
        if let Ok(t) = crate::time::parse_time(&words[..k].join(" "), ctx.now, ctx.zone()) {
            return Ok((crate::record::Timestamp(t), words[k..].join(" ")));
        }
    }
    Err(Error::usage(format!(
        "--event '{}': start with a time, then the text, e.g. --event \"09:20 alert fired\"",
        crate::render::sanitize::inline(event)
    )))
}
