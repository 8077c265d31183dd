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
to the remedy deploy, else the resolution; every ratio shows its n, and is unknown (null) without deploys.\n\nExamples:\n  devops postmortem stats --since \"30d ago\" --by month\n  devops postmortem stats --json | jq .ttr.median_minutes"
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
}

/// The records the filter selects, and the team's figures over them
/// (shared by `stats` and the wall page).
pub fn load_and_compute(
    ctx: &Ctx,
    filter: &RecordFilter,
    by: Period,
) -> Result<(Vec<Record>, Stats)> {
    let records = filter.load(ctx, Detail::Slim)?;
    let refs: Vec<&Record> = records.iter().collect();
    let span = filter.filter().span(ctx)?;
    let mut stats = compute(&refs, &ctx.config.severities, by, ctx.zone(), ctx.now, span);
    let recent: Vec<String> = stats
        .recent_periods
        .iter()
        .map(|p| p.period.clone())
        .collect();
    stats.deploys =
        postmortem::ops::deploys::figures(ctx, &refs, span, by, filter.at.as_deref(), &recent)?;
    if !filter.service.is_empty() {
        // `--service api`: that service's deploys, as its incidents.
        stats
            .deploys
            .by_service
            .retain(|name, _| filter.service.iter().any(|s| s == name));
    }
    drop(refs);
    Ok((records, stats))
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
