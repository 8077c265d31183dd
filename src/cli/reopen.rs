//! `reopen`: bring a closed post-mortem back.

use super::{CommitArgs, report};
use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::{Error, Result};
use postmortem::record::Status;

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  devops postmortem reopen k7x3 --reason \"It happened again\"")]
pub struct ReopenArgs {
    /// The post-mortem (any unique prefix of its ID)
    pub id: String,
    /// Why it is reopened (kept in the commit message, the audit trail)
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    #[command(flatten)]
    pub commit: CommitArgs,
}

pub fn run(ctx: &Ctx, args: ReopenArgs) -> Result<()> {
    if args.reason.trim().is_empty() {
        return Err(Error::usage(
            "--reason must say why the post-mortem is reopened",
        ));
    }
    let entry = ctx.find(&args.id)?;
    let mut message = format!("Reopened: {}", args.reason.trim());
    if let Some(extra) = &args.commit.message {
        message = format!("{message}\n\n{extra}");
    }
    let done = ctx.change_record(&entry, "reopen", Some(&message), |doc, before| {
        if before.status.is_active() {
            return Err(Error::new(format!(
                "{} is not closed or withdrawn (it is {})",
                before.id, before.status
            )));
        }
        for key in ["withdrawn_at", "withdrawn_reason", "duplicate_of"] {
            doc.remove(&[key]);
        }
        // Open for now; the status is then derived from what the record
        // holds, and the analysis must be decided again before closing.
        doc.set_str(&["status"], Status::Open.as_str());
        doc.remove(&["closed_at"]);
        doc.set_time(&["reopened_at"], &postmortem::record::Timestamp(ctx.now));
        doc.remove(&["analyzed_at"]);
        Ok(())
    })?;
    report(ctx, &done, "reopened");
    Ok(())
}
