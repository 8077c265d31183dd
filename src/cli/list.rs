//! `list`: the records, filtered, newest first.

use super::filter::{RecordFilter, Selection};
use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::Result;
use postmortem::record::Record;
use postmortem::store::read::Detail;

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  devops postmortem list --all --severity SEV1,SEV2\n  devops postmortem list --mine --json\n  \
devops postmortem list --all-repos --severity SEV1\n  devops postmortem list --repo api --repo web --json"
)]
pub struct ListArgs {
    #[command(flatten)]
    pub select: Selection,
    #[command(flatten)]
    pub filter: RecordFilter,
    /// Print JSON (the record format's field names)
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub ids: super::filter::IdForm,
    #[command(flatten)]
    pub repos: super::team::RepoChoice,
}

pub fn run(ctx: &Ctx, args: ListArgs) -> Result<()> {
    let keep = args.select.rule(ctx)?;
    // The table needs no prose; --json prints whole records.
    let detail = if args.json {
        Detail::Full
    } else {
        Detail::Slim
    };
    let (records, ids) = super::filter::load(ctx, &keep, &args.filter, detail)?;
    let shown: Vec<&Record> = records
        .iter()
        .filter(|r| keep.keeps(r))
        .take(keep.max.unwrap_or(usize::MAX))
        .collect();

    if args.json {
        let printed = crate::render::json::print(&shown);
        drop(shown);
        postmortem::store::read::leave(records);
        return printed;
    }
    if shown.is_empty() {
        let none_at_all =
            args.filter.at.is_none() && postmortem::store::read::entries(&ctx.store)?.is_empty();
        ctx.out.status(if none_at_all {
            "no post-mortems yet: `devops postmortem new` starts one"
        } else {
            "no post-mortems match (closed ones need --all)"
        });
        return Ok(());
    }
    postmortem::trace::mark("filtered");
    let layout = crate::render::table::Layout::of(&ctx.out);
    let table = crate::render::table::records(&shown, ctx.now, layout, &args.ids.of(ids));
    postmortem::trace::mark("rendered");
    drop(shown);
    postmortem::store::read::leave(records);
    ctx.page(&table);
    postmortem::trace::mark("printed");
    Ok(())
}

/// `list --all-repos` / `--repo NAME`: every chosen repository's records
/// in one table, the latest incident first, IDs qualified (`api:k7x3`);
/// JSON records gain `"repo"`.
pub fn run_team(records_dir: &str, args: ListArgs) -> Result<()> {
    let detail = if args.json {
        Detail::Full
    } else {
        Detail::Slim
    };
    let read = args.filter.reader(args.select.wants_withdrawn(), detail);
    let team = super::team::TeamCtx::open(records_dir, &args.repos, &read)?;
    let keep = team.rule(&args.select)?;
    let shown: Vec<_> = team
        .records(|r| keep.keeps(r))
        .into_iter()
        .take(keep.max.unwrap_or(usize::MAX))
        .collect();
    if args.json {
        let tagged: Vec<_> = shown
            .iter()
            .map(|(repo, item)| postmortem::team::view::merged::Tagged {
                repo: &repo.name,
                item,
            })
            .collect();
        return crate::render::json::print(&tagged);
    }
    if shown.is_empty() {
        team.out
            .status("no post-mortems match in these repositories (closed ones need --all)");
        return Ok(());
    }
    let now = team.now();
    let rows = shown
        .iter()
        .map(|(repo, r)| {
            let id = super::team::qualified(repo, &r.id, args.ids.long);
            crate::render::table::record_row(r, id, now)
        })
        .collect();
    let layout = crate::render::table::Layout::of(&team.out);
    crate::output::page(
        &crate::render::table::render(&crate::render::table::RECORD_COLUMNS, rows, layout),
        None,
    );
    // Records freed one by one at exit are time spent for nothing.
    std::mem::forget(shown);
    std::mem::forget(team);
    Ok(())
}
