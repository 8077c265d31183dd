//! `search`: which post-mortems mention these words (see `ops::search`).

use super::filter::{RecordFilter, Selection};
use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::{Error, Result};
use postmortem::ops::search::{Found, Mode, Query, search_records, search_store};
use postmortem::store::read::Detail;
use postmortem::text::inline;
use postmortem::text::truncate;

#[derive(Args, Debug)]
#[command(
    after_help = "Every word must occur (in any field). Searches titles, summaries, impact, \
the analysis, timeline entries and action items; case-insensitive for Latin letters; Hangul as \
typed. Closed records too (unlike list, which needs --all).\n\nExamples:\n  \
devops postmortem search \"connection pool\"\n  devops postmortem search 연결 풀 --severity SEV1\n  \
devops postmortem search dns --word --json\n  devops postmortem search timeout --all-repos"
)]
pub struct SearchArgs {
    /// The words to look for
    #[arg(required = true, value_name = "WORD")]
    pub words: Vec<String>,
    /// Whole words only ("pool" does not find "pools")
    #[arg(long, short)]
    pub word: bool,
    #[command(flatten)]
    pub select: Selection,
    #[command(flatten)]
    pub filter: RecordFilter,
    /// Print JSON: each record with the fields that matched
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub ids: super::filter::IdForm,
    #[command(flatten)]
    pub repos: super::team::RepoChoice,
}

pub fn run(ctx: &Ctx, mut args: SearchArgs) -> Result<()> {
    let query = query(&mut args)?;
    let keep = args.select.rule(ctx)?;
    let (found, ids) = if args.filter.at.is_some() {
        let (records, ids) = super::filter::load(ctx, &keep, &args.filter, Detail::Full)?;
        let records = records.into_iter().filter(|r| keep.keeps(r)).collect();
        (search_records(records, &query), ids)
    } else {
        let within = args.filter.filter().window(ctx)?;
        let rule = |r: &postmortem::record::Record| {
            keep.keeps(r)
                && within(r)
                && (r.status != postmortem::record::Status::Withdrawn
                    || args.select.status.iter().any(|s| s == "withdrawn"))
        };
        search_store(&ctx.store, &query, &rule)?
    };
    let found: Vec<_> = found
        .into_iter()
        .take(keep.max.unwrap_or(usize::MAX))
        .collect();
    if args.json {
        return crate::render::json::print(&found);
    }
    if found.is_empty() {
        ctx.out.status("no post-mortem mentions that");
        return Ok(());
    }
    // Short forms unique among every record read, not only those found.
    let ids = args.ids.of(ids);
    let out = text(&found, |f| (ids.show(&f.id).to_string(), f));
    ctx.page(&out);
    Ok(())
}

/// What to look for, from the words and `--word`; a search looks through
/// closed records too, unless a status is asked for.
fn query(args: &mut SearchArgs) -> Result<Query> {
    let mode = if args.word {
        Mode::Word
    } else {
        Mode::Substring
    };
    let query = Query::new(&args.words, mode);
    if query.is_empty() {
        return Err(Error::usage("give a word to search for"));
    }
    if args.select.status.is_empty() {
        args.select.all = true;
    }
    Ok(query)
}

/// Each record found (its ID as `shown` gives it) and the fields that
/// matched, written on every core.
fn text<T: Sync>(found: &[T], shown: impl Fn(&T) -> (String, &Found) + Sync) -> String {
    crate::render::parallel::joined(found, |out, item| {
        use std::fmt::Write;
        let (id, f) = shown(item);
        // Writing to a String cannot fail.
        let _ = writeln!(
            out,
            "{id}  {}  {}  {}",
            inline(&f.severity),
            f.status,
            truncate(&inline(&f.title), 60)
        );
        for h in &f.matches {
            let _ = writeln!(out, "    {}: {}", h.field, inline(&h.text));
        }
    })
}

/// `search --all-repos` / `--repo NAME`: every chosen repository searched,
/// the latest incident first, IDs qualified; JSON results gain `"repo"`.
pub fn run_team(records_dir: &str, mut args: SearchArgs) -> Result<()> {
    let query = query(&mut args)?;
    let read = args
        .filter
        .reader(args.select.wants_withdrawn(), Detail::Full);
    let mut team = super::team::TeamCtx::open(records_dir, &args.repos, &read)?;
    let keep = team.rule(&args.select)?;
    let mut found: Vec<(usize, Found)> = Vec::new();
    for (i, r) in team.view.repos.iter_mut().enumerate() {
        let records: Vec<_> = std::mem::take(&mut r.loaded.records)
            .into_iter()
            .filter(|rec| keep.keeps(rec))
            .collect();
        found.extend(search_records(records, &query).into_iter().map(|f| (i, f)));
    }
    found.sort_by_key(|(_, f)| std::cmp::Reverse(f.began));
    found.truncate(keep.max.unwrap_or(usize::MAX));
    let repos = &team.view.repos;
    if args.json {
        let tagged: Vec<_> = found
            .iter()
            .map(|(i, item)| postmortem::team::view::merged::Tagged {
                repo: &repos[*i].name,
                item,
            })
            .collect();
        return crate::render::json::print(&tagged);
    }
    if found.is_empty() {
        team.out
            .status("no post-mortem in these repositories mentions that");
        return Ok(());
    }
    // Sessions stay on this thread: the IDs are made here, the text on
    // every core.
    let shown: Vec<(String, &Found)> = found
        .iter()
        .map(|(i, f)| (super::team::qualified(&repos[*i], &f.id, args.ids.long), f))
        .collect();
    let out = text(&shown, |(id, f)| (id.clone(), *f));
    crate::output::page(&out, None);
    Ok(())
}
