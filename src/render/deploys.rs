//! DORA's stability figures as text (for `stats`): a row per service, then
//! each service's trend over the last periods that had deploys.

use super::{indent, table};
use postmortem::metrics::deploys::{DeployFigures, ServiceFigures};
use postmortem::time::format_minutes;

/// How many of the recent periods the trend line shows.
const TREND_PERIODS: usize = 4;

/// `20% (2/10)`, or `unknown (0 deploys)`: a ratio always with its n.
pub fn ratio(rate: Option<f64>, part: usize, whole: usize) -> String {
    match rate {
        Some(r) => format!("{}% ({part}/{whole})", percent(r)),
        None => "unknown (0 deploys)".to_string(),
    }
}

/// A rate as a percentage without a trailing `.0`.
fn percent(r: f64) -> String {
    let p = (r * 1000.0).round() / 10.0;
    if p.fract() == 0.0 {
        format!("{p:.0}")
    } else {
        format!("{p:.1}")
    }
}

/// Seconds as `1h 30m`, or `unknown`.
pub fn duration(seconds: Option<f64>) -> String {
    seconds.map_or("unknown".to_string(), |s| format_minutes(s / 60.0))
}

pub fn text(f: &DeployFigures, period: &str, layout: table::Layout) -> String {
    if f.by_service.is_empty() {
        return String::new();
    }
    let rows = f.by_service.iter().map(|(name, s)| row(name, s)).collect();
    let mut out = format!(
        "\nDeploys (DORA's stability figures, per service)\n{}",
        indent(&table::plain(
            &[
                "SERVICE",
                "DEPLOYS",
                "PER WEEK",
                "CHANGE FAIL RATE",
                "REWORK RATE",
                "RECOVERY MEDIAN",
                "RECOVERY P90",
                "UNLINKED",
            ],
            rows,
            layout,
        ))
    );
    for (name, s) in &f.by_service {
        if let Some(line) = trend(s) {
            out.push_str(&format!(
                "  {} per {period}: {line}\n",
                postmortem::text::inline(name)
            ));
        }
    }
    out
}

fn row(name: &str, s: &ServiceFigures) -> Vec<String> {
    let left = if s.recovery_left_out > 0 {
        format!(", {} not yet", s.recovery_left_out)
    } else {
        String::new()
    };
    let c = &s.counted;
    vec![
        postmortem::text::inline(name),
        c.deploys.to_string(),
        s.deploys_per_week
            .map_or("unknown".to_string(), |w| w.to_string()),
        ratio(c.change_fail_rate, c.failed, c.deploys),
        ratio(c.rework_rate, c.unplanned, c.deploys),
        format!(
            "{} (n={}{left})",
            duration(c.recovery_time_median_s),
            s.recovered
        ),
        duration(s.recovery_time_p90_s),
        s.unlinked_incidents.to_string(),
    ]
}

/// `2026-W45 3 deploys, 1 failed · 2026-W46 …`, the last few periods.
fn trend(s: &ServiceFigures) -> Option<String> {
    let shown: Vec<String> = s
        .by_period
        .iter()
        .rev()
        .take(TREND_PERIODS)
        .rev()
        .map(|p| {
            let c = &p.counted;
            format!(
                "{} {} deploy{}, {} failed, {} unplanned",
                p.period,
                c.deploys,
                if c.deploys == 1 { "" } else { "s" },
                c.failed,
                c.unplanned
            )
        })
        .collect();
    (!shown.is_empty()).then(|| shown.join(" · "))
}
