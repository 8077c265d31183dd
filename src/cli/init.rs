//! `init`: a starting config on the records branch, and the merge driver in
//! this clone (see `ops::init`).

use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::Result;

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  devops postmortem init")]
pub struct InitArgs {
    #[command(flatten)]
    pub commit: super::CommitArgs,
}

pub fn run(ctx: &Ctx, args: InitArgs) -> Result<()> {
    let done = postmortem::ops::init::init(ctx, args.commit.message.as_deref())?;
    let config = ctx.store.config_path();
    let branch = ctx.store.location.describe();
    match done.config_commit {
        Some(_) => ctx
            .out
            .status(&format!("wrote and committed {config} on {branch}")),
        None => ctx
            .out
            .status(&format!("{config} already exists on {branch}")),
    }
    if done.driver_registered {
        ctx.out
            .status("registered the merge driver in .git/config and .git/info/attributes");
    }
    Ok(())
}
