//! `close`: finish a post-mortem whose analysis is complete (see
//! `ops::close`).

use super::{CommitArgs, report};
use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::Result;

#[derive(Args, Debug)]
#[command(
    after_help = "Closing needs a root cause, at least one action item (or \
--no-action-reason given to analyze), and every action item done or wontfix, unless \
--keep-open-actions carries them (they stay visible in triage), and, where the config's \
[review] required names the severity, an approval (devops postmortem review ID --approve).\n\nExamples:\n  devops postmortem close k7x3\n  devops postmortem close k7x3 --keep-open-actions"
)]
pub struct CloseArgs {
    /// The post-mortem (any unique prefix of its ID)
    #[arg(add = super::completions::record_ids())]
    pub id: String,
    /// Close even though action items are still open; they stay in triage
    #[arg(long)]
    pub keep_open_actions: bool,
    #[command(flatten)]
    pub commit: CommitArgs,
}

pub fn run(ctx: &Ctx, args: CloseArgs) -> Result<()> {
    let done = postmortem::ops::close::close(
        ctx,
        &args.id,
        args.keep_open_actions,
        args.commit.message.as_deref(),
    )?;
    report(ctx, &done, "closed");
    let open = done.record.open_actions().count();
    if open > 0 {
        ctx.out.status(&format!(
            "{open} action item(s) stay open and visible in triage"
        ));
    }
    Ok(())
}
