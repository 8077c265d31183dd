//! `report -o FILE`: the page for the team's wall display.

use super::filter::RecordFilter;
use crate::ctx::Ctx;
use crate::render::report::{Live, OpenRow, Reports, WallPage};
use clap::Args;
use postmortem::error::Result;
use postmortem::metrics::triage::{Rules, compute as triage};
use postmortem::record::Record;
use std::path::PathBuf;

#[derive(Args, Debug)]
#[command(
    after_help = "One self-contained HTML file (inline CSS and one small inline script that \
fits whole rows to the screen; nothing from the network; it reloads itself every 5 minutes). \
Laid out for a TV (1280×720 up to 3840×2160, text never under 18 px) and for a phone. \
Regenerate it from cron or CI, or let `serve` keep it current. The template is templates/report.html; a repository may override it in \
<dir>/templates/report.html. Every figure carries data-stat=\"<stats --json path>\".\n\n\
Across repositories (--all-repos, --repo NAME): one page, each row labelled with its repository \
and its ID qualified, the header saying how fresh each repository is and naming those that \
failed. Its figures are counts over every repository; times to resolve and rates stay per \
repository (stats --all-repos), as they are not comparable across teams.\n\n\
Examples:\n  devops postmortem report -o wall.html\n  devops postmortem report --all-repos -o team-wall.html"
)]
pub struct ReportArgs {
    /// Where to write the page (`-` for stdout)
    #[arg(long, short, value_name = "FILE", alias = "html")]
    pub output: PathBuf,
    /// The page's heading
    #[arg(long, default_value = "Post-mortems", value_name = "TEXT")]
    pub title: String,
    /// Trend per week or per month
    #[arg(long, value_enum, default_value = "week")]
    pub by: crate::cli::values::PeriodArg,
    #[command(flatten)]
    pub filter: RecordFilter,
    #[command(flatten)]
    pub repos: super::team::RepoChoice,
}

pub fn run(ctx: &Ctx, args: ReportArgs) -> Result<()> {
    let html = wall_html(ctx, &args.title, args.by, &args.filter, None)?;
    crate::output::write_file(&args.output, &html)?;
    if args.output.as_os_str() != "-" {
        ctx.out.status(&format!("wrote {}", args.output.display()));
    }
    Ok(())
}

/// The wall page: a static copy (`live: None`) or `serve`'s page, which
/// updates itself and says how current it is.
pub fn wall_html(
    ctx: &Ctx,
    title: &str,
    by: crate::cli::values::PeriodArg,
    filter: &RecordFilter,
    live: Option<Live>,
) -> Result<String> {
    let (records, stats) = super::stats::load_and_compute(ctx, filter, by.into())?;
    let rules = Rules {
        config: &ctx.config,
        now: ctx.now,
        since: ctx.now,
        mine: None,
    };
    let overdue = triage(&records, &rules).actions_overdue;

    let mut open: Vec<&Record> = records.iter().filter(|r| r.status.is_active()).collect();
    open.sort_by_key(|r| (rank(&ctx.config, &r.severity), r.began()));
    let open = open
        .into_iter()
        .map(|r| open_row(r, r.id.clone(), &ctx.config, ctx.now))
        .collect();
    let names: Vec<Option<String>> = overdue
        .iter()
        .map(|a| a.owner.map(|o| person_name(&ctx.config, o)))
        .collect();

    let page = WallPage {
        title,
        // The page's one time, with the zone it is in.
        generated_at: format!("{} {}", ctx.view().minutes(ctx.now), ctx.view().label()),
        stats: &stats,
        open,
        overdue: &overdue,
        owners: &names,
        overdue_repos: &[],
        live,
        team: None,
    };
    Reports::new(
        postmortem::templates::report_templates(&ctx.store)?,
        ctx.view(),
    )?
    .wall_page(&page)
}

/// A severity's place in the team's order (worst first).
fn rank(config: &postmortem::config::Config, sev: &str) -> usize {
    config
        .severities
        .iter()
        .position(|s| s == sev)
        .unwrap_or(usize::MAX)
}

/// One open record's row, its ID as given (plain or qualified).
fn open_row(
    r: &Record,
    id: String,
    config: &postmortem::config::Config,
    now: chrono::DateTime<chrono::FixedOffset>,
) -> OpenRow {
    OpenRow {
        id,
        severity: r.severity.clone(),
        sev_class: match rank(config, &r.severity) {
            n @ 0..=3 => format!("sev{}", n + 1),
            _ => "sevx".into(),
        },
        title: r.title.clone(),
        status: r.status.to_string(),
        assignee: r.assignee.as_deref().map(|a| person_name(config, a)),
        age: postmortem::time::format_age(now - r.began()),
        repo: None,
    }
}

/// A person by name, for a screen read from across the room: the name
/// part of `Name <email>`, or the roster's name for a bare address.
fn person_name(config: &postmortem::config::Config, who: &str) -> String {
    let short = crate::render::short_person(who);
    config
        .people
        .iter()
        .find(|p| !p.email.is_empty() && p.email.eq_ignore_ascii_case(short))
        .map_or_else(|| short.to_string(), |p| p.name.clone())
}

/// `report --all-repos` / `--repo NAME`: the page across repositories.
pub fn run_team(records_dir: &str, args: ReportArgs) -> Result<()> {
    let read = args
        .filter
        .reader(false, postmortem::store::read::Detail::Slim);
    let team = super::team::TeamCtx::open(records_dir, &args.repos, &read)?;
    let html = team_wall_html(&team, &args.title, args.by, &args.filter, None)?;
    crate::output::write_file(&args.output, &html)?;
    if args.output.as_os_str() != "-" {
        team.out.status(&format!("wrote {}", args.output.display()));
    }
    Ok(())
}

/// The wall page across repositories: counts over all of them (times
/// and rates left out: they stay per repository), the open records of
/// all, worst first, each labelled with its repository; the overdue
/// actions of all, most overdue first; how fresh each repository is.
pub fn team_wall_html(
    team: &super::team::TeamCtx,
    title: &str,
    by: crate::cli::values::PeriodArg,
    filter: &RecordFilter,
    live: Option<Live>,
) -> Result<String> {
    let repos = &team.view.repos;
    let first = &repos
        .first()
        .ok_or_else(|| postmortem::error::Error::new("no repository was read"))?
        .session;
    let all: Vec<&Record> = repos.iter().flat_map(|r| &r.loaded.records).collect();
    let span = filter.filter().span(first)?;
    let mut stats = postmortem::metrics::stats::compute(
        &all,
        &first.config.severities,
        by.into(),
        first.zone(),
        first.now,
        span,
    );
    counts_only(&mut stats);

    let mut open: Vec<(usize, &Record, &postmortem::team::view::RepoView)> = repos
        .iter()
        .flat_map(|r| {
            r.loaded
                .records
                .iter()
                .filter(|rec| rec.status.is_active())
                .map(move |rec| (rank(&r.session.config, &rec.severity), rec, r))
        })
        .collect();
    open.sort_by_key(|(rank, rec, _)| (*rank, rec.began()));
    let open: Vec<OpenRow> = open
        .into_iter()
        .map(|(_, rec, r)| OpenRow {
            repo: Some(r.name.clone()),
            ..open_row(
                rec,
                super::team::qualified(r, &rec.id, false),
                &r.session.config,
                r.session.now,
            )
        })
        .collect();

    let mut overdue = Vec::new();
    for r in repos {
        let s = &r.session;
        let rules = Rules {
            config: &s.config,
            now: s.now,
            since: s.now,
            mine: None,
        };
        for a in triage(&r.loaded.records, &rules).actions_overdue {
            let owner = a.owner.map(|o| person_name(&s.config, o));
            overdue.push((
                super::team::qualified(r, a.id, false),
                r.name.clone(),
                owner,
                a,
            ));
        }
    }
    overdue.sort_by_key(|(_, _, _, a)| std::cmp::Reverse(a.days_overdue));
    let actions: Vec<_> = overdue
        .iter()
        .map(|(id, _, _, a)| postmortem::metrics::triage::ActionRef { id, ..a.clone() })
        .collect();
    let owners: Vec<Option<String>> = overdue.iter().map(|(_, _, o, _)| o.clone()).collect();
    let labels: Vec<String> = overdue.iter().map(|(_, n, _, _)| n.clone()).collect();

    let now = team.now();
    let page = WallPage {
        title,
        generated_at: format!(
            "{} {}",
            first.view().minutes(first.now),
            first.view().label()
        ),
        stats: &stats,
        open,
        overdue: &actions,
        owners: &owners,
        overdue_repos: &labels,
        live,
        team: Some(crate::render::report::TeamWall {
            repos: repos
                .iter()
                .map(|r| {
                    let (fresh, stale) = super::team::freshness(r, now);
                    crate::render::report::RepoFresh {
                        name: r.name.clone(),
                        fresh,
                        stale,
                    }
                })
                .collect(),
            failed: team
                .view
                .failed
                .iter()
                .map(|f| crate::render::report::RepoFailed {
                    name: f.name.clone(),
                    why: f.why.clone(),
                })
                .collect(),
        }),
    };
    Reports::new(
        postmortem::templates::report_templates(&first.store)?,
        first.view(),
    )?
    .wall_page(&page)
}

/// Leaves the counts of figures over many repositories, and none of the
/// times or rates: a median over teams with their own scales and habits
/// is no team's number (see `team::view::merged`).
fn counts_only(stats: &mut postmortem::metrics::stats::Stats) {
    for d in [
        &mut stats.ttd,
        &mut stats.tta,
        &mut stats.ttm,
        &mut stats.ttr,
        &mut stats.time_to_close,
    ] {
        d.mean_minutes = None;
        d.median_minutes = None;
        d.p90_minutes = None;
    }
    for p in &mut stats.recent_periods {
        p.ttr_median_minutes = None;
    }
    stats.ttr_by_period.clear();
    stats.follow_up.all = Default::default();
    stats.follow_up.by_period.clear();
    stats.follow_up.by_service.clear();
    stats.deploys = Default::default();
}
