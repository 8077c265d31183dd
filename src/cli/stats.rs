//! `stats`: the numbers the team shares (computed by `metrics::stats`,
//! drawn by `render::stats`).

use super::filter::RecordFilter;
use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::Result;
use postmortem::metrics::stats::{Period, Stats, compute};
use postmortem::record::Record;
use postmortem::store::read::Detail;

#[derive(Args, Debug)]
#[command(
    after_help = "Definitions: durations run from started_at. TTD = detected_at − started_at, \
TTA = acknowledged_at − started_at, TTM = mitigated_at − started_at, TTR = resolved_at − started_at; \
time to close = closed_at − created_at. A record missing a time is left out of that metric (shown \
as `left out`), never counted as zero. Median of an even count is the mean of the middle two; p90 is \
the nearest rank. An action item is overdue when it is open and its due day is before today; \
completion rate = done / (done + open). Follow-up completion rate = items done by their due \
day / items that came due (due day before today; won't-fix and undated items left out), with n \
(came_due); time to done = done_at − the record's created_at, median in days; overall, per \
period of the due day and per service. Field reports and users affected are summed over the \
records that have them; the others are `left_out`, never zero. This period is the one holding \
now; change_percent compares it with the one before (null when that had none).\n\n\
JSON fields: records, by_severity.<SEV>, by_status.<status>, by_service.<name>, by_period.<key>, \
ttd|tta|ttm|ttr|time_to_close.{count,left_out,mean_minutes,median_minutes,p90_minutes}, \
ttr_by_period[], action_items.{total,open,done,wontfix,overdue,completion_rate,by_kind.<kind>}, \
follow_up.{came_due,done_on_time,completion_rate,done,median_days_to_done,by_period[{period,…}],by_service[{service,…}]}, \
field_reports|users_affected.{total,records,left_out,by_severity.<SEV>,by_service.<name>,by_period.<key>,\
this_period{period,value,left_out},previous_period{…},change_percent}, \
recent_periods[{period,count,ttr_median_minutes,field_reports,users_affected}], \
recurring_services[{name,count,records,field_reports_previous,field_reports_this}], recurring_root_cause_words[{name,count,records}] (records: the newest 20 ids), \
deploys.by_service.<name>.{deploys,failed,unplanned,change_fail_rate,rework_rate,recovery_time_median_s,recovery_time_p90_s,\
recovered,recovery_left_out,deploys_per_week,unlinked_incidents,by_period[]}.\n\n\
Deploys (DORA's stability figures, per service, over the window; see `deploys --help`): change fail rate = \
distinct deploys a live record names as its cause / deploys; rework rate = unplanned deploys (hotfix or \
rollback tags, lines imported as unplanned, remedies) / deploys; recovery time runs from the failing deploy \
to the remedy deploy, else the resolution; every ratio shows its n, and is unknown (null) without deploys.\n\nExamples:\n  devops postmortem stats --since \"30d ago\" --by month\n  devops postmortem stats --json | jq .ttr.median_minutes\n  \
devops postmortem stats --all-repos --since \"90d ago\"\n\n\
Across repositories (--all-repos, --repo NAME): each repository's figures whole, with its own \
severities, services and zone, then a total of the counts alone (records, open, by status, action \
items, field reports). No median, rate or duration is taken across repositories: teams' scales and \
ways of writing times differ, and DORA warns against blending or comparing teams' figures. JSON: \
{repos: [{repo, ...the fields above}], total: {records, open, by_status, action_items: {total, \
open, done, wontfix, overdue}, field_reports}, failed: [{name, path, why}]}."
)]
pub struct StatsArgs {
    #[command(flatten)]
    pub filter: RecordFilter,
    /// Count incidents per week (ISO weeks) or per month
    #[arg(long, value_enum, default_value = "week")]
    pub by: crate::cli::values::PeriodArg,
    /// Print JSON (stable field names; see below)
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub repos: super::team::RepoChoice,
}

/// The records the filter selects, and the team's figures over them
/// (shared by `stats` and the wall page).
pub fn load_and_compute(
    ctx: &Ctx,
    filter: &RecordFilter,
    by: Period,
) -> Result<(Vec<Record>, Stats)> {
    let records = filter.load(ctx, Detail::Slim)?;
    let stats = figures(ctx, filter, &records, by)?;
    Ok((records, stats))
}

/// One repository's figures over `records` (as `filter` selected them).
pub fn figures(
    session: &postmortem::session::Session,
    filter: &RecordFilter,
    records: &[Record],
    by: Period,
) -> Result<Stats> {
    let refs: Vec<&Record> = records.iter().collect();
    let span = filter.filter().span(session)?;
    let mut stats = compute(
        &refs,
        &session.config.severities,
        by,
        session.zone(),
        session.now,
        span,
    );
    let recent: Vec<String> = stats
        .recent_periods
        .iter()
        .map(|p| p.period.clone())
        .collect();
    stats.deploys =
        postmortem::ops::deploys::figures(session, &refs, span, by, filter.at.as_deref(), &recent)?;
    if !filter.service.is_empty() {
        // `--service api`: that service's deploys, as its incidents.
        stats
            .deploys
            .by_service
            .retain(|name, _| filter.service.iter().any(|s| s == name));
    }
    Ok(stats)
}

pub fn run(ctx: &Ctx, args: StatsArgs) -> Result<()> {
    let (records, stats) = load_and_compute(ctx, &args.filter, args.by.into())?;
    postmortem::store::read::leave(records);
    if args.json {
        return crate::render::json::print(&stats);
    }
    crate::output::print(&crate::render::stats::text(
        &stats,
        crate::render::table::Layout::of(&ctx.out),
    ));
    Ok(())
}

/// `stats --json` with its defaults, as bytes (for `serve`).
pub fn default_json(ctx: &Ctx) -> Result<Vec<u8>> {
    let args = <StatsDefaults as clap::Parser>::try_parse_from(["stats"])
        .map_err(|e| postmortem::error::Error::new(e.to_string()))?
        .args;
    let (records, stats) = load_and_compute(ctx, &args.filter, args.by.into())?;
    drop(records);
    crate::render::json::to_bytes(&stats)
}

/// `stats` as typed with no flags: its defaults, from clap itself.
#[derive(clap::Parser)]
struct StatsDefaults {
    #[command(flatten)]
    args: StatsArgs,
}

/// `stats --all-repos` / `--repo NAME`: each repository's figures, and
/// the counts that add up across them (see `team::view::merged`).
pub fn run_team(records_dir: &str, args: StatsArgs) -> Result<()> {
    let read = args.filter.reader(false, Detail::Slim);
    let team = super::team::TeamCtx::open(records_dir, &args.repos, &read)?;
    let merged = team_stats(&team, &args.filter, args.by.into())?;
    if args.json {
        return crate::render::json::print(&TeamStatsJson {
            stats: &merged,
            failed: team.state().failed,
        });
    }
    let layout = crate::render::table::Layout::of(&team.out);
    let mut text = String::new();
    for part in &merged.repos {
        text.push_str(&crate::output::paint_if(
            layout.colour,
            "1;4",
            &format!("Repository {}", postmortem::text::inline(part.repo)),
        ));
        text.push_str("\n\n");
        text.push_str(&crate::render::stats::text_in(
            &part.item,
            layout,
            Some(part.repo),
        ));
        text.push('\n');
    }
    text.push_str(&total_text(&merged.total));
    crate::output::print(&text);
    Ok(())
}

/// Each repository's figures over its records as read, and the totals.
fn team_stats<'a>(
    team: &'a super::team::TeamCtx,
    filter: &RecordFilter,
    by: Period,
) -> Result<postmortem::team::view::merged::TeamStats<'a>> {
    let mut parts = Vec::new();
    for r in &team.view.repos {
        let stats = figures(&r.session, filter, &r.loaded.records, by)?;
        parts.push((r.name.as_str(), stats));
    }
    Ok(postmortem::team::view::merged::stats(parts))
}

/// `stats --all-repos --json` with its defaults, as bytes (for `serve
/// --all-repos`).
pub fn team_default_json(team: &super::team::TeamCtx) -> Result<Vec<u8>> {
    let args = <StatsDefaults as clap::Parser>::try_parse_from(["stats"])
        .map_err(|e| postmortem::error::Error::new(e.to_string()))?
        .args;
    let merged = team_stats(team, &args.filter, args.by.into())?;
    crate::render::json::to_bytes(&TeamStatsJson {
        stats: &merged,
        failed: team.state().failed,
    })
}

/// `stats --all-repos --json`.
#[derive(serde::Serialize)]
struct TeamStatsJson<'a> {
    #[serde(flatten)]
    stats: &'a postmortem::team::view::merged::TeamStats<'a>,
    failed: Vec<super::team::FailedState<'a>>,
}

/// The counts across repositories, and why there is nothing more.
fn total_text(t: &postmortem::team::view::merged::Totals) -> String {
    let statuses: Vec<String> = t
        .by_status
        .iter()
        .map(|(s, n)| format!("{s} {n}"))
        .collect();
    let a = &t.action_items;
    format!(
        "All repositories (counts only: times and rates stay per repository)\n  \
records {} ({}), open {}\n  action items {} (open {}, overdue {}, done {}, won't fix {})\n  \
field reports {}\n",
        t.records,
        statuses.join(", "),
        t.open,
        a.total,
        a.open,
        a.overdue,
        a.done,
        a.wontfix,
        t.field_reports
    )
}
