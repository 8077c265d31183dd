//! `deploys [list]` and `deploys import FILE`: the deploys the figures
//! count (see `ops::deploys`).

use super::CommitArgs;
use crate::ctx::Ctx;
use clap::{Args, Subcommand};
use postmortem::deploy::Deploy;
use postmortem::error::{Error, Result};
use postmortem::text::inline;

#[derive(Args, Debug)]
#[command(
    args_conflicts_with_subcommands = true,
    after_help = "Deploys come from tags matching the records' config:\n\n  [deploys]\n  \
tags = \"deploy/prod/{service}/*\"      # or \"v*\" with service = \"api\"\n  \
unplanned = [\"*hotfix*\", \"*rollback*\"]  # the default\n\n\
and from CI's JSON lines (deploys import). A tag's time is its tagger's, else its commit's. A \
deploy both tagged and imported (the same service and commit within 10 minutes) counts once.\n\n\
Examples:\n  devops postmortem deploys\n  devops postmortem deploys --service api --json\n  \
devops postmortem deploys import ci-deploys.jsonl\n  devops postmortem deploys import hotfixes.jsonl --unplanned"
)]
pub struct DeploysArgs {
    #[command(subcommand)]
    pub command: Option<DeploysCommand>,
    #[command(flatten)]
    pub list: ListArgs,
}

#[derive(Subcommand, Debug)]
pub enum DeploysCommand {
    /// The deploys, oldest first (the default)
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Add CI's deploys (JSON lines) to the records branch, in one commit
    Import(ImportArgs),
}

#[derive(Args, Debug, Default)]
#[command(
    after_help = "Examples:\n  devops postmortem deploys list --service api --since \"30d ago\""
)]
pub struct ListArgs {
    /// Only this service's deploys
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,
    /// Only deploys at or after this time ("30d ago", 2026-10-01)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// As the records branch was at a commit or time (tags made later left out)
    #[arg(long, value_name = "REV|TIME")]
    pub at: Option<String>,
    /// Print JSON: [{service, commit, at, unplanned, name, source}]
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
#[command(after_help = "One JSON object per line:\n\n  \
{\"service\": \"api\", \"commit\": \"<id>\", \"at\": \"2026-11-23T09:12:00+09:00\", \"id\": \"ci-812\", \"unplanned\": false}\n\n\
`service` may be left out when [deploys] names one; `id` and `unplanned` are optional; `commit` \
is a whole id, or a short one this repository knows. Lines already there (the same service and \
commit within 10 minutes) are not added again. A bad line refuses the file: nothing is written.\n\n\
Examples:\n  devops postmortem deploys import ci-deploys.jsonl\n  \
ci-export | devops postmortem deploys import - --unplanned")]
pub struct ImportArgs {
    /// The JSON-lines file (`-` for standard input)
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Mark every line unplanned (hotfixes, rollbacks)
    #[arg(long)]
    pub unplanned: bool,
    #[command(flatten)]
    pub commit: CommitArgs,
}

pub fn run(ctx: &Ctx, args: DeploysArgs) -> Result<()> {
    match args.command {
        None => list(ctx, args.list),
        Some(DeploysCommand::List(l)) => list(ctx, l),
        Some(DeploysCommand::Import(i)) => import(ctx, i),
    }
}

fn list(ctx: &Ctx, args: ListArgs) -> Result<()> {
    let since = args
        .since
        .as_deref()
        .map(|s| ctx.time("--since", s))
        .transpose()?;
    let deploys: Vec<Deploy> = postmortem::ops::deploys::all(ctx, args.at.as_deref())?
        .into_iter()
        .filter(|d| args.service.as_ref().is_none_or(|s| *s == d.service))
        .filter(|d| since.is_none_or(|s| d.at >= s))
        .collect();
    if args.json {
        return crate::render::json::print(&deploys);
    }
    if deploys.is_empty() {
        ctx.out.status(
            "no deploys: set `[deploys] tags` in the config (devops postmortem edit --config), or import CI's (devops postmortem deploys import FILE)",
        );
        return Ok(());
    }
    let rows = deploys
        .iter()
        .map(|d| {
            vec![
                ctx.view().minutes(d.at.0),
                inline(&d.service),
                inline(&d.shown()),
                d.commit[..d.commit.len().min(7)].to_string(),
                if d.unplanned { "unplanned" } else { "planned" }.to_string(),
            ]
        })
        .collect();
    crate::output::print(&crate::render::table::plain(
        &["DATE", "SERVICE", "DEPLOY", "COMMIT", "PLANNED"],
        rows,
        crate::render::table::Layout::of(&ctx.out),
    ));
    Ok(())
}

fn import(ctx: &Ctx, args: ImportArgs) -> Result<()> {
    let input = super::import::read_input(&args.file)?;
    let text = String::from_utf8(input.bytes)
        .map_err(|_| Error::usage(format!("{}: not UTF-8 text", input.name)).nothing_written())?;
    let done = postmortem::ops::deploys::import(
        ctx,
        &input.name,
        &text,
        args.unplanned,
        args.commit.message.as_deref(),
    )?;
    match done.commit {
        Some(c) => ctx.out.status(&format!(
            "imported {} deploy{} ({} already there) in {}",
            done.added,
            if done.added == 1 { "" } else { "s" },
            done.known,
            &c.to_string()[..7]
        )),
        None => ctx.out.status(&format!(
            "nothing new: all {} deploys are there already; nothing written",
            done.known
        )),
    }
    Ok(())
}
