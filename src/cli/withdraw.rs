//! `withdraw`: take a mistaken or duplicate post-mortem out of lists,
//! triage and figures. The file and its history stay; `reopen` brings it
//! back.

use super::{CommitArgs, report};
use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::{Error, Result};
use postmortem::record::{Status, Timestamp};

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  devops postmortem withdraw k7x3 --reason \"Opened by mistake\"\n  \
devops postmortem withdraw k7x3 --duplicate-of m4tz --reason \"Same outage\""
)]
pub struct WithdrawArgs {
    /// The post-mortem (any unique prefix of its ID)
    pub id: String,
    /// Why it is withdrawn (kept in the record and the commit message)
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// The post-mortem this one repeats
    #[arg(long, value_name = "ID")]
    pub duplicate_of: Option<String>,
    #[command(flatten)]
    pub commit: CommitArgs,
}

pub fn run(ctx: &Ctx, args: WithdrawArgs) -> Result<()> {
    let reason = args.reason.trim();
    if reason.is_empty() {
        return Err(Error::usage("--reason must say why it is withdrawn"));
    }
    let entry = ctx.find(&args.id)?;
    let original = match &args.duplicate_of {
        Some(q) => {
            let other = ctx.find(q)?;
            if other.id == entry.id {
                return Err(Error::usage("--duplicate-of names the record itself"));
            }
            Some(other.id.to_string())
        }
        None => None,
    };
    let mut message = format!("Withdrawn: {reason}");
    if let Some(o) = &original {
        message.push_str(&format!(" (duplicate of {o})"));
    }
    if let Some(extra) = &args.commit.message {
        message = format!("{message}\n\n{extra}");
    }
    let done = ctx.change_record(&entry, "withdraw", Some(&message), |doc, before| {
        if before.status == Status::Withdrawn {
            return Err(Error::new(format!("{} is already withdrawn", before.id)));
        }
        doc.set_str(&["status"], Status::Withdrawn.as_str());
        doc.set_time(&["withdrawn_at"], &Timestamp(ctx.now));
        doc.set_str(&["withdrawn_reason"], reason);
        if let Some(o) = &original {
            doc.set_str(&["duplicate_of"], o);
        }
        Ok(())
    })?;
    report(ctx, &done, "withdrawn");
    Ok(())
}
