//! `related`: has this happened before? (see `ops::related`)

use crate::ctx::Ctx;
use crate::render::table::{Layout, plain};
use clap::Args;
use postmortem::error::Result;
use postmortem::store::read::Detail;
use postmortem::text::inline;
use std::collections::BTreeSet;

#[derive(Args, Debug)]
#[command(
    after_help = "Picked when: one is withdrawn as a duplicate of the other; both come from one \
incident elsewhere (the same pagerduty:ID tag); they share a service and at least two words of \
their title, summary, trigger or root cause; or the commits that fixed their action items \
(Fixes-Postmortem trailers) touched the same files. Earlier and later records alike; withdrawn \
ones only as duplicates. Strongest first.\n\nExamples:\n  devops postmortem related k7x3\n  \
devops postmortem related k7x3 --json | jq '.[].id'\n  \
devops postmortem related api:k7x3 --all-repos"
)]
pub struct RelatedArgs {
    /// The post-mortem (any unique prefix of its ID)
    #[arg(add = super::completions::record_ids())]
    pub id: String,
    /// Print JSON: [{id, title, status, severity, created_at, began, reasons[{kind, detail}]}]
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub ids: super::filter::IdForm,
    // The record itself is in the current repository, or the one its
    // qualified ID names.
    #[command(flatten)]
    pub repos: super::team::RepoChoice,
}

pub fn run(ctx: &Ctx, args: RelatedArgs) -> Result<()> {
    let entry = ctx.find(&args.id)?;
    let records = ctx.records(None, Detail::Full)?;
    // The target is among the records read; loaded alone only when it is
    // not (a file the list skipped, which then says why).
    let loaded;
    let target = match records.iter().find(|r| r.id == entry.id.as_str()) {
        Some(r) => r,
        None => {
            loaded = postmortem::store::read::load(&ctx.store, &entry)?;
            &loaded
        }
    };
    let files = |r: &postmortem::record::Record| files_fixed(&ctx.store, r);
    let found = postmortem::ops::related::related(target, &records, &files);
    if args.json {
        return crate::render::json::print(&found);
    }
    if found.is_empty() {
        ctx.out.status(&format!(
            "nothing like {}: no duplicate, no shared service and words, no fix in the same files",
            target.id
        ));
        return Ok(());
    }
    let ids = args.ids.of(postmortem::record::id::ShortIds::of(
        records.iter().map(|r| r.id.as_str()),
    ));
    let rows = found
        .iter()
        .map(|r| row(ids.show(&r.id).to_string(), ctx.zone(), r))
        .collect();
    ctx.page(&table(rows, Layout::of(&ctx.out)));
    Ok(())
}

/// The files the commits that fixed `r`'s action items touched.
fn files_fixed(
    store: &postmortem::store::Store,
    r: &postmortem::record::Record,
) -> BTreeSet<String> {
    r.action_items
        .iter()
        .filter_map(|a| a.commit.as_deref())
        .flat_map(|c| postmortem::store::fixes::files_touched(store, c))
        .collect()
}

/// `related ID --all-repos` / `--repo NAME`: the record (in its own
/// repository) against every chosen repository's records, each compared
/// with that repository's fixes; most reasons first, then the latest.
/// IDs qualified; JSON entries gain `"repo"`.
pub fn run_team(records_dir: &str, args: RelatedArgs) -> Result<()> {
    let read = |s: &postmortem::session::Session| s.records(None, Detail::Full);
    let team = super::team::TeamCtx::open(records_dir, &args.repos, &read)?;
    let home = match super::route::named() {
        Some(name) => team.view.repos.iter().find(|r| r.name == name),
        None => team.view.repos.iter().find(|r| r.here),
    }
    .ok_or_else(|| {
        postmortem::error::Error::usage(
            "which repository is the record in? give its qualified ID (api:k7x3), or run it there",
        )
    })?;
    let entry = home.session.find(&args.id)?;
    let loaded;
    let target = match home
        .loaded
        .records
        .iter()
        .find(|r| r.id == entry.id.as_str())
    {
        Some(r) => r,
        None => {
            loaded = postmortem::store::read::load(&home.session.store, &entry)?;
            &loaded
        }
    };
    let target_files = files_fixed(&home.session.store, target);
    let mut found = Vec::new();
    for r in &team.view.repos {
        let store = &r.session.store;
        // The record's own fixes were made in its own repository.
        let files = |rec: &postmortem::record::Record| {
            if rec.id == target.id {
                target_files.clone()
            } else {
                files_fixed(store, rec)
            }
        };
        let mine = postmortem::ops::related::related(target, &r.loaded.records, &files);
        found.extend(mine.into_iter().map(|item| (r, item)));
    }
    found.sort_by(|(_, a), (_, b)| {
        b.reasons
            .len()
            .cmp(&a.reasons.len())
            .then_with(|| b.began.cmp(&a.began))
    });
    if args.json {
        let tagged: Vec<_> = found
            .iter()
            .map(|(r, item)| postmortem::team::view::merged::Tagged {
                repo: &r.name,
                item,
            })
            .collect();
        return crate::render::json::print(&tagged);
    }
    if found.is_empty() {
        team.out
            .status(&format!("nothing like {} in these repositories", target.id));
        return Ok(());
    }
    let rows = found
        .iter()
        .map(|(r, f)| {
            let id = super::team::qualified(r, &f.id, args.ids.long);
            row(id, r.session.zone(), f)
        })
        .collect();
    let table = table(rows, Layout::of(&team.out));
    crate::output::page(&table, None);
    Ok(())
}

/// One row of the table: the record as `id` shows it, the day it began in
/// `zone`, and why it is alike.
fn row(
    id: String,
    zone: postmortem::time::Zone,
    f: &postmortem::ops::related::Related,
) -> Vec<String> {
    vec![
        id,
        zone.convert(f.began.0).format("%Y-%m-%d").to_string(),
        f.status.to_string(),
        inline(&f.title),
        f.reasons
            .iter()
            .map(|w| inline(&w.detail))
            .collect::<Vec<_>>()
            .join("; "),
    ]
}

fn table(rows: Vec<Vec<String>>, layout: Layout) -> String {
    plain(&["ID", "BEGAN", "STATUS", "TITLE", "WHY"], rows, layout)
}
