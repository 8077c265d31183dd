//! `triage`: the daily review. What needs the team today?

use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::{Error, Result};
use postmortem::metrics::triage::{Item, Rules, compute, may_show};
use postmortem::store::read::Detail;
use postmortem::text::inline;
use postmortem::text::truncate;

#[derive(Args, Debug)]
#[command(
    after_help = "Sections: unassigned (oldest first); in analysis, per assignee; awaiting \
review (analysed, where the config's [review] required names the severity, not yet approved); \
changes requested (sent back by a reviewer, unchanged since); ready to close; past the review deadline (days per severity from review_days in the config: SEV1 3, SEV2 5, \
others 10 by default); stale (no change for stale_days, default 7); action items overdue or due \
within 3 days; closed since --closed-since.\n\nExamples:\n  devops postmortem triage\n  devops postmortem triage --mine --closed-since \"7d ago\"\n  \
devops postmortem triage --all-repos\n  devops postmortem triage --repo api --repo web --json"
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
    #[command(flatten)]
    pub repos: super::team::RepoChoice,
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
    // Only the records triage can show are decoded (`may_show`).
    let loaded = ctx.records_where(Detail::Slim, &|h| may_show(h, since.0))?;
    let records = postmortem::store::read::kept_to_exit(loaded.records);

    let rules = Rules {
        config: &ctx.config,
        now: ctx.now,
        since: since.0,
        mine: me,
    };
    let triage = compute(records, &rules);
    postmortem::trace::mark("triage rules applied");
    let fixes = pending_fixes(ctx, records, &loaded.ids);
    postmortem::trace::mark("triage computed");
    if args.json {
        return crate::render::json::print(&TriageJson {
            triage: &triage,
            fixed_by_commits: &fixes,
        });
    }
    let limit = (args.limit > 0).then_some(args.limit);
    let layout = crate::render::table::Layout::of(&ctx.out);
    let ids = args.ids.of(loaded.ids);
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
    ids: &postmortem::record::id::ShortIds,
) -> Vec<postmortem::store::fixes::Pending> {
    postmortem::store::fixes::pending(&ctx.store, records, ids).unwrap_or_else(|e| {
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
    let loaded = ctx.records_where(Detail::Slim, &|h| may_show(h, since.0))?;
    let rules = Rules {
        config: &ctx.config,
        now: ctx.now,
        since: since.0,
        mine: None,
    };
    let triage = compute(&loaded.records, &rules);
    let fixes = pending_fixes(ctx, &loaded.records, &loaded.ids);
    crate::render::json::to_bytes(&TriageJson {
        triage: &triage,
        fixed_by_commits: &fixes,
    })
}

/// `triage --all-repos --json` with its defaults, as bytes (for `serve
/// --all-repos`).
pub fn team_default_json(team: &super::team::TeamCtx) -> Result<Vec<u8>> {
    let args = <TriageDefaults as clap::Parser>::try_parse_from(["triage"])
        .map_err(|e| Error::new(e.to_string()))?
        .args;
    let triage = team_triage(team, &args.closed_since, None, &Default::default(), None)?;
    crate::render::json::to_bytes(&TeamTriageJson {
        state: team.state(),
        triage: &triage,
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

/// `triage --all-repos` / `--repo NAME`: each repository's triage, with
/// its own config, side by side in one set of sections; IDs qualified
/// (`api:k7x3`).
pub fn run_team(records_dir: &str, args: TriageArgs) -> Result<()> {
    // Each repository's Fixes-Postmortem trailers are read in the thread
    // that reads its records (git handles stay in their thread).
    let read_fixes: std::sync::Mutex<Fixes> = Default::default();
    let read = |s: &postmortem::session::Session| {
        let since = s.time("--closed-since", &args.closed_since)?;
        let loaded = s.records_where(Detail::Slim, &|h| may_show(h, since.0))?;
        let fixes = postmortem::store::fixes::pending(&s.store, &loaded.records, &loaded.ids);
        read_fixes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(s.store.repo.path().to_path_buf(), fixes);
        Ok(loaded)
    };
    let owned = super::team::TeamCtx::open(records_dir, &args.repos, &read)?;
    let team = &owned;
    if args.interactive {
        return Err(Error::usage(
            "--interactive walks one repository's records: run it in that repository, without --all-repos/--repo",
        ));
    }
    let me = if args.mine { Some(team.me()?) } else { None };
    postmortem::trace::mark("team read");
    let fixes = std::mem::take(&mut *read_fixes.lock().unwrap_or_else(|e| e.into_inner()));
    // Text shows the first `--limit` rows of each list; JSON all, in order.
    let first = (!args.json && args.limit > 0).then_some(args.limit);
    let triage = team_triage(team, &args.closed_since, me, &fixes, first)?;
    postmortem::trace::mark("team triage computed");
    if args.json {
        return crate::render::json::print(&TeamTriageJson {
            state: team.state(),
            triage: &triage,
        });
    }
    let limit = (args.limit > 0).then_some(args.limit);
    let shown = limit.unwrap_or(usize::MAX);
    let names = qualified_ids(team, &triage, args.ids.long, shown);
    let one = as_one(&triage, &names, shown);
    postmortem::trace::mark("team IDs qualified");
    let fixes: Vec<postmortem::store::fixes::Pending> = triage
        .fixed_by_commits
        .iter()
        .enumerate()
        .map(|(k, f)| postmortem::store::fixes::Pending {
            id: if k < shown {
                names[&(f.repo, f.item.id.as_str())].clone()
            } else {
                f.item.id.clone()
            },
            ..f.item.clone()
        })
        .collect();
    let layout = crate::render::table::Layout::of(&team.out);
    let text = crate::render::triage::text(
        &one,
        &fixes,
        &args.closed_since,
        limit,
        layout,
        &postmortem::record::id::ShortIds::long(),
    );
    postmortem::trace::mark("team triage rendered");
    crate::output::page(&text, None);
    postmortem::trace::mark("printed");
    // 100k records freed one by one is time the person waits for nothing.
    std::mem::forget(one);
    std::mem::forget(names);
    std::mem::forget(triage);
    std::mem::forget(owned);
    Ok(())
}

/// `triage --all-repos --json`: the repositories read and failed, then
/// the sections, each item with its `repo`.
#[derive(serde::Serialize)]
pub struct TeamTriageJson<'a> {
    #[serde(flatten)]
    pub state: super::team::State<'a>,
    #[serde(flatten)]
    pub triage: &'a TeamTriage<'a>,
}

use postmortem::team::view::merged::{self, TeamTriage};

/// Each repository's pending fixes as read beside its records, by its
/// git folder.
type Fixes =
    std::collections::HashMap<std::path::PathBuf, Result<Vec<postmortem::store::fixes::Pending>>>;

/// Every repository's triage, merged (`fixes`: as read already; any
/// repository not there is read now).
pub fn team_triage<'a>(
    team: &'a super::team::TeamCtx,
    closed_since: &str,
    mine: Option<String>,
    fixes: &Fixes,
    first: Option<usize>,
) -> Result<TeamTriage<'a>> {
    // The rules (and the fixes) need each repository's session, which
    // stays in this thread; the triages need only the rules and the
    // records, and are computed on every core.
    let mut rules = Vec::new();
    let mut found = Vec::new();
    for r in &team.view.repos {
        let s = &r.session;
        rules.push(Rules {
            config: &s.config,
            now: s.now,
            since: s.time("--closed-since", closed_since)?.0,
            mine: mine.clone(),
        });
        let records = &r.loaded.records;
        let fixes = match fixes.get(s.store.repo.path()) {
            Some(Ok(known)) => Ok(known.clone()),
            Some(Err(e)) => Err(postmortem::error::Error::new(e.message.clone())),
            None => postmortem::store::fixes::pending(&s.store, records, &r.loaded.ids),
        };
        found.push(fixes.unwrap_or_else(|e| {
            team.out.warn(&format!(
                "{}: Fixes-Postmortem trailers were not read: {}",
                r.name, e.message
            ));
            Vec::new()
        }));
    }
    postmortem::trace::mark("team rules and fixes");
    let work: Vec<(&[postmortem::record::Record], &Rules)> = team
        .view
        .repos
        .iter()
        .map(|r| &r.loaded.records[..])
        .zip(&rules)
        .collect();
    let triages =
        postmortem::team::view::parallel_map(&work, |(records, rules)| compute(records, rules));
    postmortem::trace::mark("team triages");
    let parts = team
        .view
        .repos
        .iter()
        .zip(triages)
        .zip(found)
        .map(|((r, triage), fixes)| merged::Part {
            repo: &r.name,
            triage,
            fixes,
        })
        .collect();
    Ok(merged::triage(parts, first))
}

type Names<'a> = std::collections::HashMap<(&'a str, &'a str), String>;

/// The qualified form of the IDs of the first `shown` rows of each list.
fn qualified_ids<'a>(
    team: &super::team::TeamCtx,
    t: &'a TeamTriage<'a>,
    long: bool,
    shown: usize,
) -> Names<'a> {
    let repos: std::collections::HashMap<&str, &postmortem::team::view::RepoView> = team
        .view
        .repos
        .iter()
        .map(|r| (r.name.as_str(), r))
        .collect();
    let mut names = Names::new();
    let mut name = |repo: &'a str, id: &'a str| {
        names
            .entry((repo, id))
            .or_insert_with(|| super::team::qualified(repos[repo], id, long));
    };
    for list in item_lists(t) {
        for i in list.iter().take(shown) {
            name(i.repo, i.item.id);
        }
    }
    for g in &t.in_analysis {
        for i in g.records.iter().take(shown) {
            name(i.repo, i.item.id);
        }
    }
    for list in [&t.actions_overdue, &t.actions_due_soon] {
        for a in list.iter().take(shown) {
            name(a.repo, a.item.id);
        }
    }
    for f in t.fixed_by_commits.iter().take(shown) {
        name(f.repo, f.item.id.as_str());
    }
    names
}

fn item_lists<'t, 'a>(t: &'t TeamTriage<'a>) -> [&'t Vec<merged::Tagged<'a, Item<'a>>>; 8] {
    [
        &t.unassigned,
        &t.awaiting_review,
        &t.changes_requested,
        &t.ready_to_close,
        &t.past_review_deadline,
        &t.stale,
        &t.no_user_education,
        &t.closed_since,
    ]
}

/// The merged triage as one repository's, the IDs of the first `shown`
/// rows of each list qualified (the rest are counted, never drawn): the
/// same sections, drawn by the same code.
fn as_one<'n>(
    t: &TeamTriage<'n>,
    names: &'n Names<'n>,
    shown: usize,
) -> postmortem::metrics::triage::Triage<'n> {
    let id = |k: usize, repo: &'n str, id: &'n str| -> &'n str {
        if k < shown { &names[&(repo, id)] } else { id }
    };
    let items = |list: &Vec<merged::Tagged<'n, Item<'n>>>| -> Vec<Item<'n>> {
        list.iter()
            .enumerate()
            .map(|(k, i)| Item {
                id: id(k, i.repo, i.item.id),
                ..i.item.clone()
            })
            .collect()
    };
    let actions = |list: &Vec<merged::Tagged<'n, postmortem::metrics::triage::ActionRef<'n>>>| {
        list.iter()
            .enumerate()
            .map(|(k, a)| postmortem::metrics::triage::ActionRef {
                id: id(k, a.repo, a.item.id),
                ..a.item.clone()
            })
            .collect()
    };
    postmortem::metrics::triage::Triage {
        unassigned: items(&t.unassigned),
        in_analysis: t
            .in_analysis
            .iter()
            .map(|g| postmortem::metrics::triage::Group {
                assignee: g.assignee,
                records: items(&g.records),
            })
            .collect(),
        awaiting_review: items(&t.awaiting_review),
        changes_requested: items(&t.changes_requested),
        ready_to_close: items(&t.ready_to_close),
        past_review_deadline: items(&t.past_review_deadline),
        stale: items(&t.stale),
        actions_overdue: actions(&t.actions_overdue),
        actions_due_soon: actions(&t.actions_due_soon),
        no_user_education: items(&t.no_user_education),
        closed_since: items(&t.closed_since),
        education_severities: t.education_severities.clone(),
    }
}
