//! `withdraw`: take a mistaken or duplicate post-mortem out of lists,
//! triage and figures (see `ops::withdraw`).

use super::{CommitArgs, report};
use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::Result;

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  devops postmortem withdraw k7x3 --reason \"Opened by mistake\"\n  \
devops postmortem withdraw k7x3 --duplicate-of m4tz"
)]
pub struct WithdrawArgs {
    /// The post-mortem (any unique prefix of its ID)
    #[arg(add = super::completions::record_ids())]
    pub id: String,
    /// Why it is withdrawn (kept in the record and the commit message);
    /// with --duplicate-of, "Duplicate of ID" unless given
    #[arg(long, value_name = "TEXT", required_unless_present = "duplicate_of")]
    pub reason: Option<String>,
    /// The post-mortem this one repeats
    #[arg(long, value_name = "ID")]
    pub duplicate_of: Option<String>,
    #[command(flatten)]
    pub commit: CommitArgs,
}

pub fn run(ctx: &Ctx, args: WithdrawArgs) -> Result<()> {
    let done = postmortem::ops::withdraw::withdraw(
        ctx,
        &args.id,
        args.reason.as_deref(),
        args.duplicate_of.as_deref(),
        args.commit.message.as_deref(),
    )?;
    report(ctx, &done, "withdrawn");
    Ok(())
}
