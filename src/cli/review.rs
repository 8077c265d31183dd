//! `review`: approve a post-mortem's analysis or ask for changes (see
//! `ops::review`).

use super::{CommitArgs, report};
use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::Result;
use postmortem::ops::review::{Decision, review};

#[derive(Args, Debug)]
#[command(
    after_help = "The reviewer is you, as git knows you (user.name, user.email), and must not \
be the record's assignee. An approval needs an assignee and a complete analysis, and adds a `Reviewed-by:` \
trailer to the commit. Where the config says `[review] required = [\"SEV1\", \"SEV2\"]`, `close` \
waits for an approval; `reopen`, or a change to the analysis, clears it, so the new text needs a \
fresh one. Changes \
requested send the record back to its assignee; their next change puts it up for review again.\n\n\
Examples:\n  devops postmortem review k7x3 --approve\n  \
devops postmortem review k7x3 --request-changes \"The timeline stops at 09:20; what paged us?\""
)]
pub struct ReviewArgs {
    /// The post-mortem (any unique prefix of its ID)
    #[arg(add = super::completions::record_ids())]
    pub id: String,
    /// Approve the analysis
    #[arg(long, required_unless_present = "request_changes")]
    pub approve: bool,
    /// Send it back to the assignee, saying what to change
    #[arg(long, value_name = "WHY", conflicts_with = "approve")]
    pub request_changes: Option<String>,
    #[command(flatten)]
    pub commit: CommitArgs,
}

pub fn run(ctx: &Ctx, args: ReviewArgs) -> Result<()> {
    let decision = match args.request_changes {
        Some(why) => Decision::RequestChanges(why),
        None => Decision::Approve,
    };
    let done = review(ctx, &args.id, &decision, args.commit.message.as_deref())?;
    let what = match decision {
        Decision::Approve => "approved",
        Decision::RequestChanges(_) => "changes requested",
    };
    report(ctx, &done, what);
    Ok(())
}
