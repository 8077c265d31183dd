//! `stats` as text: the team's figures first, then the counts as bars,
//! the durations as a table, action items and what recurs.

use super::{chart, indent, table};
use postmortem::metrics::METRICS;
use postmortem::metrics::stats::{Period, Stats};
use postmortem::time::format_minutes;

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

pub fn text(s: &Stats, layout: table::Layout) -> String {
    text_in(s, layout, None)
}

/// As `text`, for one repository of several (`repo`): the IDs in its
/// hints are qualified (`api:PM-…`), so they work pasted anywhere.
pub fn text_in(s: &Stats, layout: table::Layout, repo: Option<&str>) -> String {
    let mut out = format!(
        "{} post-mortem{}\n",
        s.records,
        if s.records == 1 { "" } else { "s" }
    );
    out.push_str(&figures(s));
    out.push_str(&counts(s));
    out.push_str(&durations(s, layout));
    out.push_str(&super::deploys::text(&s.deploys, period_name(s), layout));
    out.push_str(&action_items(s));
    out.push_str(&follow_up(s, layout));
    out.push_str(&recurring(s, repo));
    out
}

fn period_name(s: &Stats) -> &'static str {
    if s.period == Period::Week {
        "week"
    } else {
        "month"
    }
}

/// The team's own numbers, first.
fn figures(s: &Stats) -> String {
    let period = period_name(s);
    [
        ("Field reports", &s.field_reports),
        ("Users affected", &s.users_affected),
    ]
    .iter()
    .map(|(label, f)| format!("{label}: {}\n", figure_line(f, period)))
    .collect()
}

/// The counts by severity, status, service and period, as bars.
fn counts(s: &Stats) -> String {
    let section = |title: &str, rows: &[(String, usize)]| {
        let rows: Vec<(String, usize)> = rows
            .iter()
            .map(|(k, v)| (postmortem::text::inline(k), *v))
            .collect();
        if rows.is_empty() {
            String::new()
        } else {
            format!("\n{title}\n{}", chart::bars(&rows, 30))
        }
    };
    // Every status is counted; only those with records are drawn.
    let statuses: Vec<(String, usize)> = s
        .by_status
        .0
        .iter()
        .filter(|(_, n)| *n > 0)
        .cloned()
        .collect();
    [
        section("By severity", &s.by_severity.0),
        section("By status", &statuses),
        section("By service", &s.by_service.0),
        section(&format!("Per {}", period_name(s)), &s.by_period.0),
    ]
    .concat()
}

/// TTD, TTA, TTM, TTR and time to close, as a table.
fn durations(s: &Stats, layout: table::Layout) -> String {
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
    format!(
        "\nDurations (from started_at; close from created_at)\n{}",
        indent(&table::plain(
            &["METRIC", "COUNT", "MEAN", "MEDIAN", "P90", "LEFT OUT"],
            rows,
            layout,
        ))
    )
}

fn action_items(s: &Stats) -> String {
    let a = &s.action_items;
    let mut out = format!(
        "\nAction items: {} total, {} open, {} done, {} won't fix, {} overdue{}\n",
        a.total,
        a.open,
        a.done,
        a.wontfix,
        a.overdue,
        a.completion_rate
            .map_or(String::new(), |r| format!(", {:.0}% complete", r * 100.0))
    );
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
    out
}

/// Items done by their due day of those that came due, and the median
/// time to done: a line for all, a table per period and per service.
fn follow_up(s: &Stats, layout: table::Layout) -> String {
    use postmortem::metrics::follow_up::Rate;
    let f = &s.follow_up;
    if f.all.came_due == 0 {
        return "Follow-up: no action item has come due yet\n".to_string();
    }
    let percent = |r: &Rate| {
        r.completion_rate
            .map_or("—".into(), |x| format!("{:.0}%", x * 100.0))
    };
    let days = |r: &Rate| {
        r.median_days_to_done
            .map_or("—".into(), |d| format!("{d}d"))
    };
    let done = match f.all.done {
        0 => "none of them done yet".to_string(),
        n => format!("median {} to done ({n} done)", days(&f.all)),
    };
    let mut out = format!(
        "Follow-up: {} of {} items that came due were done by their due day ({}); {done}\n",
        f.all.done_on_time,
        f.all.came_due,
        percent(&f.all),
    );
    let row = |key: &str, r: &Rate| {
        vec![
            postmortem::text::inline(key),
            r.came_due.to_string(),
            r.done_on_time.to_string(),
            percent(r),
            days(r),
        ]
    };
    let period = if s.period == Period::Week {
        "WEEK"
    } else {
        "MONTH"
    };
    let tables = [
        (
            period,
            f.by_period
                .iter()
                .map(|p| row(&p.period, &p.rate))
                .collect(),
        ),
        (
            "SERVICE",
            f.by_service
                .iter()
                .map(|p| row(&p.service, &p.rate))
                .collect(),
        ),
    ];
    for (first, rows) in tables {
        let rows: Vec<Vec<String>> = rows;
        if !rows.is_empty() {
            let headers = [first, "CAME DUE", "ON TIME", "RATE", "MEDIAN TO DONE"];
            out.push_str(&indent(&table::plain(&headers, rows, layout)));
        }
    }
    out
}

/// Services and root-cause words that come back, and where to look.
fn recurring(s: &Stats, repo: Option<&str>) -> String {
    let mut out = String::new();
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
        let id = match repo {
            Some(repo) => postmortem::team::qualified(repo, id),
            None => id.to_string(),
        };
        out.push_str(&format!(
            "Alike: {}\n",
            crate::output::postmortem_line(&["related", &id])
        ));
    }
    out
}

/// `pool (3; field reports 2 → 9 ↑), cache (2)`.
fn named(v: &[postmortem::metrics::stats::Named]) -> String {
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
}
