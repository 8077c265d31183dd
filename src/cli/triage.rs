//! `triage`: the daily review. What needs the team today?

use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::{Error, Result};
use postmortem::metrics::triage::{Item, Rules, compute};
use postmortem::store::read::Detail;
use postmortem::text::inline;
use postmortem::text::truncate;

#[derive(Args, Debug)]
#[command(
    after_help = "Sections: unassigned (oldest first); in analysis, per assignee; awaiting \
review (analysed, where the config's [review] required names the severity, not yet approved); \
changes requested (sent back by a reviewer, unchanged since); ready to close; past the review deadline (days per severity from review_days in the config: SEV1 3, SEV2 5, \
others 10 by default); stale (no change for stale_days, default 7); action items overdue or due \
within 3 days; closed since --closed-since.\n\nExamples:\n  devops postmortem triage\n  devops postmortem triage --mine --closed-since \"7d ago\""
)]
pub struct TriageArgs {
    /// Show what was closed since this time (default: a day ago)
    #[arg(long, value_name = "TIME", default_value = "1d ago")]
    pub closed_since: String,
    /// Only records assigned to me and action items I own
    #[arg(long)]
    pub mine: bool,
    /// Walk the unassigned records and assign each (needs a terminal)
    #[arg(long, short)]
    pub interactive: bool,
    /// Rows shown per section, oldest first (0: all); JSON is always whole
    #[arg(long, value_name = "N", default_value_t = 20)]
    pub limit: usize,
    /// Print JSON with the same sections
    #[arg(long, conflicts_with = "interactive")]
    pub json: bool,
    #[command(flatten)]
    pub ids: super::filter::IdForm,
}

/// `triage --json`: the sections, and the items commits say they fix.
#[derive(serde::Serialize)]
struct TriageJson<'a> {
    #[serde(flatten)]
    triage: &'a postmortem::metrics::triage::Triage<'a>,
    fixed_by_commits: &'a [postmortem::store::fixes::Pending],
}

pub fn run(ctx: &Ctx, args: TriageArgs) -> Result<()> {
    if args.interactive && !ctx.can_prompt() {
        return Err(Error::usage(
            "--interactive needs a terminal; use `assign ID WHO` in scripts",
        ));
    }
    let since = ctx.time("--closed-since", &args.closed_since)?;
    let me = if args.mine {
        Some(postmortem::store::identity::identity(&ctx.store.repo, "AUTHOR")?.email)
    } else {
        None
    };
    let records = postmortem::store::read::kept_to_exit(ctx.records(None, Detail::Slim)?);

    let rules = Rules {
        config: &ctx.config,
        now: ctx.now,
        since: since.0,
        mine: me,
    };
    let triage = compute(records, &rules);
    postmortem::trace::mark("triage rules applied");
    let fixes = pending_fixes(ctx, records);
    postmortem::trace::mark("triage computed");
    if args.json {
        return crate::render::json::print(&TriageJson {
            triage: &triage,
            fixed_by_commits: &fixes,
        });
    }
    let limit = (args.limit > 0).then_some(args.limit);
    let layout = crate::render::table::Layout::of(&ctx.out);
    let ids = args.ids.of(postmortem::record::id::ShortIds::of(
        records.iter().map(|r| r.id.as_str()),
    ));
    let text =
        crate::render::triage::text(&triage, &fixes, &args.closed_since, limit, layout, &ids);
    postmortem::trace::mark("triage rendered");
    if args.interactive {
        crate::output::print(&text);
    } else {
        ctx.page(&text);
    }

    if args.interactive {
        assign_walk(ctx, &triage.unassigned)?;
    }
    Ok(())
}

/// Commits that say `Fixes-Postmortem: PM-…#N`: shown, not acted on
/// (a read never commits). A history that cannot be read only costs
/// this section.
fn pending_fixes(
    ctx: &Ctx,
    records: &[postmortem::record::Record],
) -> Vec<postmortem::store::fixes::Pending> {
    postmortem::store::fixes::pending(&ctx.store, records).unwrap_or_else(|e| {
        ctx.out.warn(&format!(
            "Fixes-Postmortem trailers were not read: {}",
            e.message
        ));
        Vec::new()
    })
}

/// `triage --json` with its defaults, as bytes (for `serve`): the same
/// sections and fields, from the same code.
pub fn default_json(ctx: &Ctx) -> Result<Vec<u8>> {
    let args = <TriageDefaults as clap::Parser>::try_parse_from(["triage"])
        .map_err(|e| Error::new(e.to_string()))?
        .args;
    let since = ctx.time("--closed-since", &args.closed_since)?;
    let records = ctx.records(None, Detail::Slim)?;
    let rules = Rules {
        config: &ctx.config,
        now: ctx.now,
        since: since.0,
        mine: None,
    };
    let triage = compute(&records, &rules);
    let fixes = pending_fixes(ctx, &records);
    crate::render::json::to_bytes(&TriageJson {
        triage: &triage,
        fixed_by_commits: &fixes,
    })
}

/// `triage` as typed with no flags: its defaults, from clap itself.
#[derive(clap::Parser)]
struct TriageDefaults {
    #[command(flatten)]
    args: TriageArgs,
}

/// Offers each unassigned record to the roster (or, without one, to the
/// people who committed recently). Each pick is the same commit as `assign`.
fn assign_walk(ctx: &Ctx, unassigned: &[Item]) -> Result<()> {
    if unassigned.is_empty() {
        ctx.out.status("no unassigned post-mortems");
        return Ok(());
    }
    let people: Vec<String> = if ctx.config.people.is_empty() {
        postmortem::store::history::recent_authors(&ctx.store, 500)?
    } else {
        ctx.config.people.iter().map(|p| p.display()).collect()
    };
    let mut choices: Vec<String> = people.iter().map(|p| inline(p)).collect();
    choices.push("(skip)".into());
    choices.push("(stop)".into());
    for item in unassigned {
        let prompt = format!(
            "{} {} {}: assign to",
            item.id,
            inline(item.severity),
            truncate(&inline(item.title), 40)
        );
        let pick = crate::prompt::select(ctx, &prompt, &choices, people.len())?;
        if pick == people.len() {
            continue;
        }
        if pick > people.len() {
            break;
        }
        let entry = ctx.find(item.id)?;
        let done = postmortem::ops::assign::assign_entry(ctx, &entry, &people[pick], None)?;
        super::report(
            ctx,
            &done,
            &format!("assigned to {}", inline(&people[pick])),
        );
    }
    Ok(())
}
