//! Follow-through on action items: of the items that came due, how many
//! were done by their due day, and how long items took to get done; over
//! all records, per period and per service.
//!
//! An item came due when its due day is before today (as overdue counts
//! it); items without a due day, and won't-fix ones, are left out. Done on
//! time: done on or before its due day (in the team's clock). Time to
//! done: from the record's creation to `done_at`, over the items that
//! came due and are done.

use super::stats::{Period, day_period_key};
use crate::record::{ActionItem, ActionStatus, Record};
use crate::time::Zone;
use chrono::NaiveDate;
use foldhash::HashMap;
use serde::Serialize;
use std::collections::BTreeMap;

/// One group's figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Rate {
    /// Items whose due day has passed (n).
    pub came_due: usize,
    /// Of those, done by their due day.
    pub done_on_time: usize,
    /// done_on_time / came_due, to three places; null when none came due.
    pub completion_rate: Option<f64>,
    /// Of those that came due, the ones done (on time or late).
    pub done: usize,
    /// Median days from the record's creation to done, to one place.
    pub median_days_to_done: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeriodRate {
    /// The period the items' due days fall in.
    pub period: String,
    #[serde(flatten)]
    pub rate: Rate,
}

#[derive(Debug, Clone, Serialize)]
pub struct ServiceRate {
    pub service: String,
    #[serde(flatten)]
    pub rate: Rate,
}

/// The `stats --json` `follow_up` object.
#[derive(Debug, Clone, Serialize)]
pub struct FollowUp {
    #[serde(flatten)]
    pub all: Rate,
    /// Oldest period first, only periods where something came due.
    pub by_period: Vec<PeriodRate>,
    /// By service name.
    pub by_service: Vec<ServiceRate>,
}

/// An item that came due: on time or not, and days to done when done.
struct Due {
    on_time: bool,
    days_to_done: Option<f64>,
}

/// Tallies of one group before the figures are made.
#[derive(Default)]
struct Tally(Vec<Due>);

impl Tally {
    fn rate(self) -> Rate {
        let came_due = self.0.len();
        let done_on_time = self.0.iter().filter(|d| d.on_time).count();
        let days: Vec<f64> = self.0.iter().filter_map(|d| d.days_to_done).collect();
        let median = super::Distribution::of(days.clone(), 0).median_minutes;
        Rate {
            came_due,
            done_on_time,
            completion_rate: (came_due > 0)
                .then(|| (done_on_time as f64 / came_due as f64 * 1000.0).round() / 1000.0),
            done: days.len(),
            median_days_to_done: median,
        }
    }
}

pub fn compute(records: &[&Record], period: Period, zone: Zone, today: NaiveDate) -> FollowUp {
    let mut all = Tally::default();
    // Keyed by the period's numbers, named once each at the end: 100k
    // items would otherwise format (and compare) a key each.
    // (A day of the period, to name it by.)
    let mut by_period: HashMap<(i32, u32), (NaiveDate, Tally)> = HashMap::default();
    let mut by_service: BTreeMap<&str, Tally> = BTreeMap::new();
    for r in records {
        let mut services: Option<Vec<&str>> = None;
        for item in &r.action_items {
            let Some(due) = came_due(item, today) else {
                continue;
            };
            let d = || judge(r, item, due, zone);
            all.0.push(d());
            by_period
                .entry(period_numbers(due, period))
                .or_insert_with(|| (due, Tally::default()))
                .1
                .0
                .push(d());
            let services = services.get_or_insert_with(|| {
                let mut s: Vec<&str> = r.services.iter().map(String::as_str).collect();
                s.sort_unstable();
                s.dedup();
                s
            });
            for s in services.iter() {
                by_service.entry(s).or_default().0.push(d());
            }
        }
    }
    let mut by_period: Vec<PeriodRate> = by_period
        .into_values()
        .map(|(day, t)| PeriodRate {
            period: day_period_key(day, period),
            rate: t.rate(),
        })
        .collect();
    by_period.sort_by(|a, b| a.period.cmp(&b.period));
    FollowUp {
        all: all.rate(),
        by_period,
        by_service: by_service
            .into_iter()
            .map(|(service, t)| ServiceRate {
                service: service.to_string(),
                rate: t.rate(),
            })
            .collect(),
    }
}

/// The period a day falls in, as numbers: (ISO year, week) or (year, month).
fn period_numbers(day: NaiveDate, period: Period) -> (i32, u32) {
    use chrono::Datelike;
    match period {
        Period::Week => {
            let week = day.iso_week();
            (week.year(), week.week())
        }
        Period::Month => (day.year(), day.month()),
    }
}

/// The due day of an item that came due (passed, not won't-fix).
fn came_due(item: &ActionItem, today: NaiveDate) -> Option<NaiveDate> {
    let due = item.due?.0;
    (item.status != ActionStatus::Wontfix && due < today).then_some(due)
}

fn judge(r: &Record, item: &ActionItem, due: NaiveDate, zone: Zone) -> Due {
    let done_at = match item.status {
        ActionStatus::Done => item.done_at.map(|t| t.0),
        _ => None,
    };
    Due {
        on_time: done_at.is_some_and(|t| zone.convert(t).date_naive() <= due),
        days_to_done: done_at.map(|t| {
            let secs = (t - r.created_at.0).num_seconds().max(0) as f64;
            secs / 86_400.0
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::testing::record;

    fn item(n: u32, status: &str, due: &str, done_at: &str) -> String {
        let done = if done_at.is_empty() {
            String::new()
        } else {
            format!("done_at = {done_at}\n")
        };
        format!(
            "\n[[action_items]]\nn = {n}\ntext = \"a{n}\"\nstatus = \"{status}\"\ndue = {due}\n{done}"
        )
    }

    /// Created 1 November 10:00 +09:00; today 1 December.
    #[test]
    fn rates_by_hand() {
        let utc9 = Zone::Fixed(chrono::FixedOffset::east_opt(9 * 3600).unwrap());
        let a = record(
            "PM-A",
            &format!(
                "services = [\"pay\", \"pay\"]\n{}{}{}{}",
                // on time, 4 days after creation
                item(1, "done", "2026-11-10", "2026-11-05T10:00:00+09:00"),
                // late: done the day after its due day, 20 days in
                item(2, "done", "2026-11-20", "2026-11-21T10:00:00+09:00"),
                // open past due
                item(3, "open", "2026-11-25", ""),
                // won't fix: left out
                item(4, "wontfix", "2026-11-12", ""),
            ),
        );
        let b = record(
            "PM-B",
            &format!(
                "services = [\"search\"]\n{}{}",
                // done on its due day: on time; 10.5 days after creation
                item(1, "done", "2026-11-11", "2026-11-11T13:00:00+00:00"),
                // not yet due (today's due day has not passed)
                item(2, "open", "2026-12-01", ""),
            ),
        );
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let f = compute(&[&a, &b], Period::Month, utc9, today);
        // 4 came due (A1, A2, A3, B1); on time A1, B1 → 0.5.
        // Days to done: A1 4, A2 20, B1 10.5 → median 10.5.
        assert_eq!(
            f.all,
            Rate {
                came_due: 4,
                done_on_time: 2,
                completion_rate: Some(0.5),
                done: 3,
                median_days_to_done: Some(10.5),
            }
        );
        assert_eq!(f.by_period.len(), 1);
        assert_eq!(f.by_period[0].period, "2026-11");
        let services: Vec<(&str, usize, Option<f64>)> = f
            .by_service
            .iter()
            .map(|s| (s.service.as_str(), s.rate.came_due, s.rate.completion_rate))
            .collect();
        // pay: A1 on time of A1–A3 (named twice, counted once) → 0.333.
        assert_eq!(
            services,
            [("pay", 3, Some(0.333)), ("search", 1, Some(1.0))]
        );
        let weeks = compute(&[&a, &b], Period::Week, utc9, today);
        let keys: Vec<(&str, usize)> = weeks
            .by_period
            .iter()
            .map(|p| (p.period.as_str(), p.rate.came_due))
            .collect();
        assert_eq!(keys, [("2026-W46", 2), ("2026-W47", 1), ("2026-W48", 1)]);
    }

    #[test]
    fn nothing_came_due_is_null_not_zero() {
        let r = record("PM-A", &item(1, "open", "2026-12-05", ""));
        let today = NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        let f = compute(&[&r], Period::Week, Zone::Local, today);
        assert_eq!((f.all.came_due, f.all.completion_rate), (0, None));
        assert!(f.by_period.is_empty() && f.by_service.is_empty());
    }
}
