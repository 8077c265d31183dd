//! `assign`: give a post-mortem to someone.

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
    pub id: String,
    /// `me`, or a name, handle or email (matched by prefix against the roster when the config has one)
    pub who: String,
    #[command(flatten)]
    pub commit: CommitArgs,
}

pub fn run(ctx: &Ctx, args: AssignArgs) -> Result<()> {
    let entry = ctx.find(&args.id)?;
    let who = ctx.person(&args.who)?;
    let done = assign(ctx, &entry, &who, args.commit.message.as_deref())?;
    report(
        ctx,
        &done,
        &format!("assigned to {}", postmortem::text::inline(&who)),
    );
    Ok(())
}

/// Shared with `triage --interactive`: the same one-commit change.
pub fn assign(
    ctx: &Ctx,
    entry: &postmortem::store::read::Entry,
    who: &str,
    message: Option<&str>,
) -> Result<postmortem::store::Committed> {
    ctx.change_record(entry, "assign", message, |doc, before| {
        super::refuse_settled(before)?;
        doc.set_str(&["assignee"], who);
        Ok(())
    })
}
