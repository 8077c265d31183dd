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
devops postmortem related k7x3 --json | jq '.[].id'"
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
    let files = |r: &postmortem::record::Record| -> BTreeSet<String> {
        r.action_items
            .iter()
            .filter_map(|a| a.commit.as_deref())
            .flat_map(|c| postmortem::store::fixes::files_touched(&ctx.store, c))
            .collect()
    };
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
        .map(|r| {
            vec![
                ids.show(&r.id).to_string(),
                ctx.zone().convert(r.began.0).format("%Y-%m-%d").to_string(),
                r.status.to_string(),
                inline(&r.title),
                r.reasons
                    .iter()
                    .map(|w| inline(&w.detail))
                    .collect::<Vec<_>>()
                    .join("; "),
            ]
        })
        .collect();
    let table = plain(
        &["ID", "BEGAN", "STATUS", "TITLE", "WHY"],
        rows,
        Layout::of(&ctx.out),
    );
    ctx.page(&table);
    Ok(())
}
