//! `reopen`: bring a closed post-mortem back (see `ops::reopen`).

use super::{CommitArgs, report};
use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::Result;

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  devops postmortem reopen k7x3 --reason \"It happened again\"")]
pub struct ReopenArgs {
    /// The post-mortem (any unique prefix of its ID)
    #[arg(add = super::completions::record_ids())]
    pub id: String,
    /// Why it is reopened (kept in the commit message, the audit trail)
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    #[command(flatten)]
    pub commit: CommitArgs,
}

pub fn run(ctx: &Ctx, args: ReopenArgs) -> Result<()> {
    let done = postmortem::ops::reopen::reopen(
        ctx,
        &args.id,
        &args.reason,
        args.commit.message.as_deref(),
    )?;
    report(ctx, &done, "reopened");
    Ok(())
}
