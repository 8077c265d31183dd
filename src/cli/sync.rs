//! `sync`: fetch, put my post-mortem commits on top of the team's, push.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::store::read::Detail;
use crate::store::sync::{git, git_ok, register_merge_driver};
use clap::Args;

#[derive(Args, Debug)]
#[command(
    after_help = "Runs the git command: `git fetch`, then `git rebase` of your commits onto \
the upstream branch (records changed on both sides are merged field by field), then `git push`. \
Two changes to the same field stop the sync with a message naming the record and field; your \
branch is left exactly as it was. Then action items named by `Fixes-Postmortem: PM-…#N` trailers \
in new commits are marked done."
)]
pub struct SyncArgs {
    /// Fetch and rebase, but do not push
    #[arg(long)]
    pub no_push: bool,
}

pub fn run(ctx: &Ctx, args: SyncArgs) -> Result<()> {
    ctx.store.ensure_writable()?;
    register_merge_driver(&ctx.store)?;
    let upstream = git_ok(
        &ctx.store,
        &[
            "rev-parse",
            "--abbrev-ref",
            "--symbolic-full-name",
            "@{upstream}",
        ],
    )
    .map_err(|_| {
        Error::new("this branch has no upstream to sync with")
            .hint("push it once with: git push -u origin HEAD")
    })?;
    let remote = upstream.split('/').next().unwrap_or("origin").to_string();
    git_ok(&ctx.store, &["fetch", "--quiet", &remote])?;
    let (ahead, behind) = ahead_behind(ctx)?;

    if behind > 0 {
        if ahead == 0 {
            git_ok(
                &ctx.store,
                &["merge", "--ff-only", "--quiet", "@{upstream}"],
            )?;
        } else {
            let dirty = git_ok(
                &ctx.store,
                &["status", "--porcelain", "--untracked-files=no"],
            )?;
            if !dirty.is_empty() {
                return Err(Error::new("you have uncommitted changes: sync needs to rebase your commits; nothing was changed")
                    .hint("commit or stash them (git stash), then sync again"));
            }
            let out = git(&ctx.store, &["rebase", "--quiet", "@{upstream}"])?;
            if !out.status.success() {
                let stderr = String::from_utf8_lossy(&out.stderr).to_string();
                let _ = git(&ctx.store, &["rebase", "--abort"]);
                let conflict = stderr
                    .lines()
                    .find_map(|l| l.trim().strip_prefix("error: conflict in"))
                    .map(|c| format!("conflicting edits to the same field in{c}"))
                    .unwrap_or_else(|| {
                        format!("git rebase failed: {}", crate::error::one_line(&stderr))
                    });
                return Err(Error::new(format!("{conflict}; the sync was undone, nothing was lost"))
                    .hint("agree on the value, change it with `devops postmortem update`, then sync again"));
            }
        }
    }
    let fixed = super::action::close_fixed(ctx, &ctx.records(None, Detail::Slim)?)?;
    let (ahead, _) = ahead_behind(ctx)?;
    if ahead > 0 && !args.no_push {
        let out = git(&ctx.store, &["push", "--quiet"])?;
        if !out.status.success() {
            return Err(Error::new(format!(
                "git push failed: {}",
                crate::error::one_line(&String::from_utf8_lossy(&out.stderr))
            ))
            .hint("someone pushed meanwhile: run sync again"));
        }
    }
    ctx.out.status(&format!(
        "synced with {upstream}: {behind} commit(s) in, {} out{}",
        if args.no_push { 0 } else { ahead },
        if fixed > 0 {
            format!(", {fixed} action item(s) closed by commits")
        } else {
            String::new()
        }
    ));
    Ok(())
}

fn ahead_behind(ctx: &Ctx) -> Result<(usize, usize)> {
    let counts = git_ok(
        &ctx.store,
        &["rev-list", "--left-right", "--count", "HEAD...@{upstream}"],
    )?;
    let mut parts = counts
        .split_whitespace()
        .map(|n| n.parse::<usize>().unwrap_or(0));
    Ok((parts.next().unwrap_or(0), parts.next().unwrap_or(0)))
}
