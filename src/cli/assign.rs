//! `assign`: give a post-mortem to someone (see `ops::assign`).

use super::{CommitArgs, report};
use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::Result;

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  devops postmortem assign k7x3 bob\n  devops postmortem assign k7x3 me"
)]
pub struct AssignArgs {
    /// The post-mortem (any unique prefix of its ID)
    #[arg(add = super::completions::record_ids())]
    pub id: String,
    /// `me`, or a name, handle or email (matched by prefix against the roster when the config has one)
    pub who: String,
    #[command(flatten)]
    pub commit: CommitArgs,
}

pub fn run(ctx: &Ctx, args: AssignArgs) -> Result<()> {
    let done =
        postmortem::ops::assign::assign(ctx, &args.id, &args.who, args.commit.message.as_deref())?;
    let who = done.record.assignee.clone().unwrap_or_default();
    report(
        ctx,
        &done,
        &format!("assigned to {}", postmortem::text::inline(&who)),
    );
    Ok(())
}
