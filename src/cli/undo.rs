//! `undo`: take back your own last change (see `ops::undo`).

use super::{CommitArgs, report};
use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::Result;

#[derive(Args, Debug)]
#[command(
    after_help = "The change taken back is your newest commit on the records branch that this tool \
made (by your git email); a teammate's later changes to the record stay. A record you created is \
withdrawn, not deleted: its history is the audit trail. Run it again to take back the undo.\n\n\
Examples:\n  devops postmortem undo\n  devops postmortem undo k7x3   # your last change to that record"
)]
pub struct UndoArgs {
    /// Only your last change to this post-mortem (any unique prefix of its ID)
    #[arg(add = super::completions::record_ids())]
    pub id: Option<String>,
    #[command(flatten)]
    pub commit: CommitArgs,
}

pub fn run(ctx: &Ctx, args: UndoArgs) -> Result<()> {
    let undone =
        postmortem::ops::undo::undo(ctx, args.id.as_deref(), args.commit.message.as_deref())?;
    let what = if undone.withdrawn {
        format!(
            "undid {} ({}) by withdrawing the record",
            undone.commit, undone.subject
        )
    } else {
        format!("undid {} ({})", undone.commit, undone.subject)
    };
    report(ctx, &undone.done, &what);
    Ok(())
}
