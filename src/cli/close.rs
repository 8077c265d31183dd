//! `close`: finish a post-mortem whose analysis is complete.

use super::{CommitArgs, report};
use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::{Error, Result};
use postmortem::record::{Status, Timestamp, status::close_blockers};

#[derive(Args, Debug)]
#[command(
    after_help = "Closing needs a root cause, at least one action item (or \
--no-action-reason given to analyze), and every action item done or wontfix, unless \
--keep-open-actions carries them (they stay visible in triage).\n\nExamples:\n  devops postmortem close k7x3\n  devops postmortem close k7x3 --keep-open-actions"
)]
pub struct CloseArgs {
    /// The post-mortem (any unique prefix of its ID)
    pub id: String,
    /// Close even though action items are still open; they stay in triage
    #[arg(long)]
    pub keep_open_actions: bool,
    #[command(flatten)]
    pub commit: CommitArgs,
}

pub fn run(ctx: &Ctx, args: CloseArgs) -> Result<()> {
    let entry = ctx.find(&args.id)?;
    let done = ctx.change_record(
        &entry,
        "close",
        args.commit.message.as_deref(),
        |doc, before| {
            if before.status == Status::Closed {
                return Err(Error::new(format!("{} is already closed", before.id)));
            }
            super::refuse_settled(before)?;
            let blockers = close_blockers(before, args.keep_open_actions);
            if !blockers.is_empty() {
                let mut e = Error::new(format!(
                    "cannot close {}: {} thing{} missing",
                    before.id,
                    blockers.len(),
                    if blockers.len() == 1 { " is" } else { "s are" }
                ))
                .nothing_written();
                for b in blockers {
                    e = e.hint(b);
                }
                return Err(e);
            }
            doc.set_str(&["status"], Status::Closed.as_str());
            doc.set_time(&["closed_at"], &Timestamp(ctx.now));
            Ok(())
        },
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
