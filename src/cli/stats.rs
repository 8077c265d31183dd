//! `stats`: the numbers the team shares.

use super::filter::RecordFilter;
use crate::ctx::Ctx;
use crate::render::indent;
use crate::render::{chart, table};
use clap::Args;
use postmortem::error::Result;
use postmortem::metrics::METRICS;
use postmortem::metrics::stats::{Period, Stats, compute};
use postmortem::record::Record;
use postmortem::store::read::Detail;
use postmortem::time::format_minutes;

#[derive(Args, Debug)]
#[command(
    after_help = "Definitions: durations run from started_at. TTD = detected_at − started_at, \
TTA = acknowledged_at − started_at, TTM = mitigated_at − started_at, TTR = resolved_at − started_at; \
time to close = closed_at − created_at. A record missing a time is left out of that metric (shown \
as `left out`), never counted as zero. Median of an even count is the mean of the middle two; p90 is \
the nearest rank. An action item is overdue when it is open and its due day is before today; \
completion rate = done / (done + open). Field reports and users affected are summed over the \
records that have them; the others are `left_out`, never zero. This period is the one holding \
now; change_percent compares it with the one before (null when that had none).\n\n\
JSON fields: records, by_severity.<SEV>, by_status.<status>, by_service.<name>, by_period.<key>, \
ttd|tta|ttm|ttr|time_to_close.{count,left_out,mean_minutes,median_minutes,p90_minutes}, \
ttr_by_period[], action_items.{total,open,done,wontfix,overdue,completion_rate,by_kind.<kind>}, \
field_reports|users_affected.{total,records,left_out,by_severity.<SEV>,by_service.<name>,by_period.<key>,\
this_period{period,value,left_out},previous_period{…},change_percent}, \
recent_periods[{period,count,ttr_median_minutes,field_reports,users_affected}], \
recurring_services[{name,count,records,field_reports_previous,field_reports_this}], recurring_root_cause_words[{name,count,records}] (records: the newest 20 ids).\n\nExamples:\n  devops postmortem stats --since \"30d ago\" --by month\n  devops postmortem stats --json | jq .ttr.median_minutes"
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
    let stats = compute(
        &refs,
        &ctx.config.severities,
        by,
        ctx.zone(),
        ctx.now,
        filter.span(ctx)?,
    );
    drop(refs);
    Ok((records, stats))
}

pub fn run(ctx: &Ctx, args: StatsArgs) -> Result<()> {
    let (records, stats) = load_and_compute(ctx, &args.filter, args.by.into())?;
    postmortem::store::read::leave(records);
    if args.json {
        return crate::render::json::print(&stats);
    }
    crate::output::print(&text(&stats, crate::render::table::Layout::of(&ctx.out)));
    Ok(())
}

/// "this week 23, last week 41 (−43.9%); 312 in all from 40 records, 5 without a figure".
fn figure_line(f: &postmortem::metrics::impact::Figure, period: &str) -> String {
    let change = match f.change_percent {
        Some(p) if p > 0.0 => format!(" (+{p}%)"),
        Some(p) if p < 0.0 => format!(" (−{}%)", -p),
        Some(_) => " (no change)".to_string(),
        None => String::new(),
    };
    let left_out = if f.left_out > 0 {
        format!(", {} without a figure", f.left_out)
    } else {
        String::new()
    };
    let value = |v: Option<usize>| v.map_or("unknown".to_string(), |v| v.to_string());
    format!(
        "this {period} so far {}, last {period} {}{change}; {} in all from {} record{}{left_out}",
        value(f.this_period.value),
        value(f.previous_period.value),
        f.total,
        f.records,
        if f.records == 1 { "" } else { "s" }
    )
}

fn text(s: &Stats, layout: crate::render::table::Layout) -> String {
    let mut out = format!(
        "{} post-mortem{}\n",
        s.records,
        if s.records == 1 { "" } else { "s" }
    );
    // The team's own number first.
    let period = if s.period == Period::Week {
        "week"
    } else {
        "month"
    };
    for (label, f) in [
        ("Field reports", &s.field_reports),
        ("Users affected", &s.users_affected),
    ] {
        out.push_str(&format!("{label}: {}\n", figure_line(f, period)));
    }
    let mut section = |title: &str, rows: &[(String, usize)]| {
        let rows: Vec<(String, usize)> = rows
            .iter()
            .map(|(k, v)| (postmortem::text::inline(k), *v))
            .collect();
        if !rows.is_empty() {
            out.push_str(&format!("\n{title}\n{}", chart::bars(&rows, 30)));
        }
    };
    section("By severity", &s.by_severity.0);
    let statuses: Vec<(String, usize)> = s
        .by_status
        .0
        .iter()
        .filter(|(_, n)| *n > 0)
        .cloned()
        .collect();
    section("By status", &statuses);
    section("By service", &s.by_service.0);
    section(
        &format!(
            "Per {}",
            if s.period == Period::Week {
                "week"
            } else {
                "month"
            }
        ),
        &s.by_period.0,
    );

    let rows = METRICS
        .iter()
        .map(|m| {
            let d = s.metric(m.key);
            let f = |v: Option<f64>| v.map_or("—".to_string(), format_minutes);
            vec![
                match m.key {
                    "time_to_close" => m.label.to_string(),
                    key => format!("{} ({})", key.to_uppercase(), m.label),
                },
                d.count.to_string(),
                f(d.mean_minutes),
                f(d.median_minutes),
                f(d.p90_minutes),
                d.left_out.to_string(),
            ]
        })
        .collect();
    out.push_str("\nDurations (from started_at; close from created_at)\n");
    out.push_str(&indent(&table::plain(
        &["METRIC", "COUNT", "MEAN", "MEDIAN", "P90", "LEFT OUT"],
        rows,
        layout,
    )));

    let a = &s.action_items;
    out.push_str(&format!(
        "\nAction items: {} total, {} open, {} done, {} won't fix, {} overdue{}\n",
        a.total,
        a.open,
        a.done,
        a.wontfix,
        a.overdue,
        a.completion_rate
            .map_or(String::new(), |r| format!(", {:.0}% complete", r * 100.0))
    ));
    let kinds: Vec<String> = a
        .by_kind
        .0
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{k} {n}"))
        .collect();
    if !kinds.is_empty() {
        out.push_str(&format!("  by kind: {}\n", kinds.join(", ")));
    }
    let named = |v: &[postmortem::metrics::stats::Named]| {
        v.iter()
            .map(|n| {
                let reports = match (n.field_reports_previous, n.field_reports_this) {
                    (Some(Some(before)), Some(Some(now))) if now > before => {
                        format!("; field reports {before} → {now} ↑")
                    }
                    _ => String::new(),
                };
                format!(
                    "{} ({}{reports})",
                    postmortem::text::inline(&n.name),
                    n.count
                )
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    if !s.recurring_services.is_empty() {
        out.push_str(&format!(
            "Recurring services: {}\n",
            named(&s.recurring_services)
        ));
    }
    if !s.recurring_root_cause_words.is_empty() {
        out.push_str(&format!(
            "Recurring in root causes: {}\n",
            named(&s.recurring_root_cause_words)
        ));
    }
    let newest = s
        .recurring_root_cause_words
        .first()
        .or(s.recurring_services.first())
        .and_then(|n| n.records.first());
    if let Some(id) = newest {
        out.push_str(&format!("Alike: devops postmortem related {id}\n"));
    }
    out
}
