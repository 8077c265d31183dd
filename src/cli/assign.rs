//! `assign`: give a post-mortem to someone.

use super::{CommitArgs, report};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use clap::Args;

#[derive(Args, Debug)]
pub struct AssignArgs {
    /// The post-mortem (any unique prefix of its ID)
    pub id: String,
    /// A name, handle or email; matched by prefix against the roster when the config has one
    #[arg(required_unless_present = "me")]
    pub who: Option<String>,
    /// Assign it to yourself (your git identity)
    #[arg(long, conflicts_with = "who")]
    pub me: bool,
    #[command(flatten)]
    pub commit: CommitArgs,
}

pub fn run(ctx: &Ctx, args: AssignArgs) -> Result<()> {
    let entry = ctx.find(&args.id)?;
    let who = match (&args.who, args.me) {
        (_, true) => crate::store::identity::identity(&ctx.store.repo, "AUTHOR")?.display(),
        (Some(who), false) => crate::people::resolve(&ctx.config, who)?,
        (None, false) => return Err(Error::usage("give WHO or --me")),
    };
    let done = assign(ctx, &entry, &who, args.commit.message.as_deref())?;
    report(
        ctx,
        &done,
        &format!("assigned to {}", crate::text::inline(&who)),
    );
    Ok(())
}

/// Shared with `triage --interactive`: the same one-commit change.
pub fn assign(
    ctx: &Ctx,
    entry: &crate::store::read::Entry,
    who: &str,
    message: Option<&str>,
) -> Result<crate::store::Committed> {
    ctx.change_record(entry, "assign", message, |doc, before| {
        super::refuse_settled(before)?;
        doc.set_str(&["assignee"], who);
        Ok(())
    })
}
