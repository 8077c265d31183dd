//! The team's numbers, as pure functions over records and "now".
//!
//! Definitions (DESIGN.md §3, repeated in `stats --help` and the README):
//! incident durations run from `started_at`: TTD = detected − started,
//! TTA = acknowledged − started, TTM = mitigated − started,
//! TTR = resolved − started. Time to close = closed_at − created_at.
//! A record missing either time is left out of that metric (and counted in
//! `left_out`), never counted as zero. An action item is overdue when it is
//! open and its due day is before today. Deploy figures: `deploys`.

pub mod deploys;
pub mod digest;
pub mod follow_up;
pub mod impact;
pub mod stats;
pub mod triage;

use crate::record::{ActionStatus, Record};
use chrono::NaiveDate;
use serde::Serialize;

/// count, mean, median and p90 of a set of durations in minutes.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Distribution {
    pub count: usize,
    /// Records that lacked one of the two times.
    pub left_out: usize,
    pub mean_minutes: Option<f64>,
    pub median_minutes: Option<f64>,
    /// Nearest rank: the smallest value with at least 90% of values at or below it.
    pub p90_minutes: Option<f64>,
}

impl Distribution {
    pub fn of(mut minutes: Vec<f64>, left_out: usize) -> Distribution {
        minutes.sort_by(f64::total_cmp);
        let n = minutes.len();
        let round = |x: f64| (x * 10.0).round() / 10.0;
        let median = match n {
            0 => None,
            n if n % 2 == 1 => Some(minutes[n / 2]),
            n => Some((minutes[n / 2 - 1] + minutes[n / 2]) / 2.0),
        };
        let p90 = (n > 0).then(|| minutes[((0.9 * n as f64).ceil() as usize).max(1) - 1]);
        Distribution {
            count: n,
            left_out,
            mean_minutes: (n > 0).then(|| round(minutes.iter().sum::<f64>() / n as f64)),
            median_minutes: median.map(round),
            p90_minutes: p90.map(round),
        }
    }
}

/// One duration metric: its name and how to read it off a record.
pub struct Metric {
    pub key: &'static str,
    pub label: &'static str,
    pub minutes: fn(&Record) -> Option<f64>,
}

fn between(
    a: Option<crate::record::Timestamp>,
    b: Option<crate::record::Timestamp>,
) -> Option<f64> {
    Some((b?.0 - a?.0).num_seconds() as f64 / 60.0)
}

pub const METRICS: [Metric; 5] = [
    Metric {
        key: "ttd",
        label: "time to detect",
        minutes: |r| between(r.started_at, r.detected_at),
    },
    Metric {
        key: "tta",
        label: "time to acknowledge",
        minutes: |r| between(r.started_at, r.acknowledged_at),
    },
    Metric {
        key: "ttm",
        label: "time to mitigate",
        minutes: |r| between(r.started_at, r.mitigated_at),
    },
    Metric {
        key: "ttr",
        label: "time to resolve",
        minutes: |r| between(r.started_at, r.resolved_at),
    },
    Metric {
        key: "time_to_close",
        label: "time to close",
        minutes: |r| between(Some(r.created_at), r.closed_at),
    },
];

pub fn distribution(records: &[&Record], metric: &Metric) -> Distribution {
    let values: Vec<f64> = records.iter().filter_map(|r| (metric.minutes)(r)).collect();
    let left_out = records.len() - values.len();
    Distribution::of(values, left_out)
}

pub fn is_overdue(status: ActionStatus, due: Option<NaiveDate>, today: NaiveDate) -> bool {
    status == ActionStatus::Open && due.is_some_and(|d| d < today)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distribution_by_hand() {
        let d = Distribution::of(vec![10.0, 40.0, 20.0, 30.0], 2);
        assert_eq!(d.count, 4);
        assert_eq!(d.left_out, 2);
        assert_eq!(d.mean_minutes, Some(25.0));
        assert_eq!(d.median_minutes, Some(25.0));
        assert_eq!(d.p90_minutes, Some(40.0));
        let one = Distribution::of(vec![7.0], 0);
        assert_eq!(
            (one.median_minutes, one.p90_minutes),
            (Some(7.0), Some(7.0))
        );
        let none = Distribution::of(vec![], 3);
        assert_eq!((none.count, none.mean_minutes), (0, None));
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(Distribution::of(ten, 0).p90_minutes, Some(9.0));
    }
}
