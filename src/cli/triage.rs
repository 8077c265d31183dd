//! `triage`: the daily review. What needs the team today?

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::metrics::triage::{ActionRef, Item, Rules, Triage, compute};
use crate::render::indent;
use crate::render::{short_person, table};
use crate::store::read::Detail;
use crate::text::inline;
use crate::text::truncate;
use crate::time::format_age;
use clap::Args;

#[derive(Args, Debug)]
#[command(
    after_help = "Sections: unassigned (oldest first); in analysis, per assignee; ready to \
close; past the review deadline (days per severity from review_days in the config: SEV1 3, SEV2 5, \
others 10 by default); stale (no change for stale_days, default 7); action items overdue or due \
within 7 days; closed since --since."
)]
pub struct TriageArgs {
    /// Show what was closed since this time (default: a day ago)
    #[arg(long, value_name = "TIME", default_value = "1d ago")]
    pub since: String,
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
}

pub fn run(ctx: &Ctx, args: TriageArgs) -> Result<()> {
    if args.interactive && !ctx.can_prompt() {
        return Err(Error::usage(
            "--interactive needs a terminal; use `assign ID WHO` in scripts",
        ));
    }
    let since = ctx.time("--since", &args.since)?;
    let me = if args.mine {
        Some(crate::store::identity::identity(&ctx.store.repo, "AUTHOR")?.email)
    } else {
        None
    };
    let records = ctx.records(None, Detail::Slim)?;

    let rules = Rules {
        config: &ctx.config,
        now: ctx.now,
        since: since.0,
        mine: me,
    };
    let mut triage = compute(&records, &rules);
    // Commits that say `Fixes-Postmortem: PM-…#N`: shown, not acted on
    // (a read never commits). A history that cannot be read only costs
    // this section.
    match crate::store::fixes::pending(&ctx.store, &records) {
        Ok(fixes) => triage.fixed_by_commits = fixes,
        Err(e) => ctx.out.warn(&format!(
            "Fixes-Postmortem trailers were not read: {}",
            e.message
        )),
    }
    crate::trace::mark("triage computed");
    if args.json {
        return crate::render::json::print(&triage);
    }
    let limit = (args.limit > 0).then_some(args.limit);
    let text = text(&triage, &args.since, limit);
    crate::trace::mark("triage rendered");
    crate::output::print(&text);

    if args.interactive {
        assign_walk(ctx, &triage.unassigned)?;
    }
    Ok(())
}

/// `limit`: rows per table; a daily review of 40k open records reads the
/// counts and the oldest, and a wall of rows would bury both.
fn text(t: &Triage, since: &str, limit: Option<usize>) -> String {
    let mut out = String::new();
    let items = |out: &mut String, title: &str, items: &[Item]| {
        if items.is_empty() {
            return;
        }
        out.push_str(&format!("{title} ({})\n", items.len()));
        out.push_str(&indent(&limited(ITEM_HEADER, items, item_row, limit)));
        out.push('\n');
    };
    items(&mut out, "Unassigned, oldest first", &t.unassigned);
    if !t.in_analysis.is_empty() {
        out.push_str("In analysis\n");
        for g in &t.in_analysis {
            out.push_str(&format!(
                "  {} ({})\n",
                inline(short_person(&g.assignee)),
                g.records.len()
            ));
            let rows = limited(ITEM_HEADER, &g.records, item_row, limit);
            out.push_str(&indent(&indent(&rows)));
        }
        out.push('\n');
    }
    items(&mut out, "Ready to close", &t.ready_to_close);
    items(
        &mut out,
        "Past the review deadline",
        &t.past_review_deadline,
    );
    items(&mut out, "Stale: no change for a while", &t.stale);
    actions(&mut out, "Action items overdue", &t.actions_overdue, limit);
    actions(
        &mut out,
        "Action items due within 7 days",
        &t.actions_due_soon,
        limit,
    );
    items(&mut out, &format!("Closed since {since}"), &t.closed_since);
    if !t.fixed_by_commits.is_empty() {
        out.push_str(&format!(
            "Fixed by commits, not yet marked done ({})\n",
            t.fixed_by_commits.len()
        ));
        let rows = |f: &crate::store::fixes::Pending| {
            vec![
                format!("{}#{}", f.id, f.n),
                f.commit[..7].to_string(),
                truncate(&inline(&f.text), 50),
            ]
        };
        out.push_str(&indent(&limited(
            &["ITEM", "COMMIT", "ACTION"],
            &t.fixed_by_commits,
            rows,
            limit,
        )));
        out.push_str("  `devops postmortem sync` marks them done (or `devops postmortem action from-commits`)\n\n");
    }
    if out.is_empty() {
        out.push_str("Nothing needs the team today.\n");
    }
    out
}

const ITEM_HEADER: &[&str] = &[
    "ID",
    "SEV",
    "STATUS",
    "ASSIGNEE",
    "AGE",
    "REVIEW BY",
    "TITLE",
];

fn item_row(i: &Item) -> Vec<String> {
    vec![
        i.id.clone(),
        inline(&i.severity),
        i.status.to_string(),
        i.assignee
            .as_deref()
            .map_or("-".into(), |a| truncate(&inline(short_person(a)), 20)),
        format_age(chrono::Duration::hours(i.age_hours)),
        i.review_due.clone(),
        truncate(&inline(&i.title), 50),
    ]
}

/// A table of the first `limit` of `list`, and a line for the rest.
fn limited<T>(
    header: &[&str],
    list: &[T],
    row: impl Fn(&T) -> Vec<String>,
    limit: Option<usize>,
) -> String {
    let shown = limit.map_or(list.len(), |n| n.min(list.len()));
    let mut text = table::plain(header, list[..shown].iter().map(row).collect());
    if shown < list.len() {
        text.push_str(&format!(
            "… {} more (--limit 0 shows all)\n",
            list.len() - shown
        ));
    }
    text
}

fn actions(out: &mut String, title: &str, list: &[ActionRef], limit: Option<usize>) {
    if list.is_empty() {
        return;
    }
    out.push_str(&format!("{title} ({})\n", list.len()));
    let header = &["ITEM", "OWNER", "DUE", "ACTION"];
    out.push_str(&indent(&limited(header, list, action_row, limit)));
    out.push('\n');
}

fn action_row(a: &ActionRef) -> Vec<String> {
    let when = match a.days_overdue {
        d if d > 0 => format!("{} ({d}d late)", a.due),
        0 => format!("{} (today)", a.due),
        d => format!("{} (in {}d)", a.due, -d),
    };
    vec![
        format!("{}#{}", a.id, a.n),
        a.owner
            .as_deref()
            .map_or("-".into(), |o| truncate(&inline(short_person(o)), 20)),
        when,
        truncate(&inline(&a.text), 50),
    ]
}

/// Offers each unassigned record to the roster (or, without one, to the
/// people who committed recently). Each pick is the same commit as `assign`.
fn assign_walk(ctx: &Ctx, unassigned: &[Item]) -> Result<()> {
    if unassigned.is_empty() {
        ctx.out.status("no unassigned post-mortems");
        return Ok(());
    }
    let people: Vec<String> = if ctx.config.people.is_empty() {
        crate::store::history::recent_authors(&ctx.store, 500)?
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
            inline(&item.severity),
            truncate(&inline(&item.title), 40)
        );
        let pick = crate::prompt::select(ctx, &prompt, &choices, people.len())?;
        if pick == people.len() {
            continue;
        }
        if pick > people.len() {
            break;
        }
        let entry = ctx.find(&item.id)?;
        let done = super::assign::assign(ctx, &entry, &people[pick], None)?;
        super::report(
            ctx,
            &done,
            &format!("assigned to {}", inline(&people[pick])),
        );
    }
    Ok(())
}
