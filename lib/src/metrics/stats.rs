//! `stats`: counts, durations and action-item figures over a set of records.

use super::{Distribution, METRICS, distribution, is_overdue};
use crate::record::{ActionKind, ActionStatus, Record, Status};
use crate::time::Zone;
use chrono::{DateTime, FixedOffset};
use foldhash::HashMap;
use serde::Serialize;
use serde::ser::SerializeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Period {
    Week,
    Month,
}

/// Counts in a meaningful order (severity order, then by size), serialised
/// as a JSON object so `by_severity.SEV1` reads naturally.
#[derive(Debug, Clone, Default)]
pub struct Counts(pub Vec<(String, usize)>, HashMap<String, usize>);

impl Serialize for Counts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl Counts {
    /// Keys listed up front (every severity, every status) show even at 0.
    pub(super) fn with_keys(keys: impl Iterator<Item = String>) -> Counts {
        let mut c = Counts::default();
        for k in keys {
            c.1.insert(k.clone(), c.0.len());
            c.0.push((k, 0));
        }
        c
    }

    fn bump(&mut self, key: &str) {
        self.add(key, 1);
    }

    /// Adds `n` to `key`'s count.
    pub(super) fn add(&mut self, key: &str, n: usize) {
        match self.1.get(key) {
            Some(&i) => self.0[i].1 = self.0[i].1.saturating_add(n),
            None => {
                self.1.insert(key.to_string(), self.0.len());
                self.0.push((key.to_string(), n));
            }
        }
    }

    /// The count for `key` (0 when never seen).
    pub fn get(&self, key: &str) -> usize {
        self.1.get(key).map_or(0, |&i| self.0[i].1)
    }

    /// Reorders the rows; the index follows.
    pub(super) fn sort_by(
        &mut self,
        cmp: impl FnMut(&(String, usize), &(String, usize)) -> std::cmp::Ordering,
    ) {
        self.0.sort_by(cmp);
        self.1 = self
            .0
            .iter()
            .enumerate()
            .map(|(i, (k, _))| (k.clone(), i))
            .collect();
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionCounts {
    pub total: usize,
    pub open: usize,
    pub done: usize,
    pub wontfix: usize,
    pub overdue: usize,
    /// Items per kind (mitigate, prevent, process, educate, other), zeros included.
    pub by_kind: Counts,
    /// done / (done + open); `wontfix` items count neither way. Null with no items.
    pub completion_rate: Option<f64>,
}

/// A service or word that recurs, and the newest records it recurs in
/// (at most `NAMED_RECORDS`; `count` has them all): where `related` starts.
#[derive(Debug, Clone, Serialize)]
pub struct Named {
    pub name: String,
    pub count: usize,
    pub records: Vec<String>,
    /// For services: field reports in the previous period and this one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_reports_previous: Option<Option<usize>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field_reports_this: Option<Option<usize>>,
}

pub const NAMED_RECORDS: usize = 20;

/// The ids of the latest incidents among `records` that `has`.
fn ids_where(records: &[&Record], has: impl Fn(&Record) -> bool) -> Vec<String> {
    let newest_first =
        |a: &&Record, b: &&Record| b.began().cmp(&a.began()).then_with(|| b.id.cmp(&a.id));
    let mut hits: Vec<&Record> = records.iter().copied().filter(|r| has(r)).collect();
    // Only the newest few are named: pick them, then order those alone
    // (a service can have tens of thousands of records).
    if hits.len() > NAMED_RECORDS {
        hits.select_nth_unstable_by(NAMED_RECORDS - 1, newest_first);
        hits.truncate(NAMED_RECORDS);
    }
    hits.sort_by(newest_first);
    hits.into_iter().map(|r| r.id.clone()).collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct PeriodTtr {
    pub period: String,
    pub count: usize,
    pub median_minutes: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeriodPoint {
    pub period: String,
    pub count: usize,
    pub ttr_median_minutes: Option<f64>,
    /// Field reports and users affected of the period's incidents.
    pub field_reports: usize,
    pub users_affected: usize,
}

/// How many periods charts show.
pub const RECENT_PERIODS: usize = 12;

/// The keys of the `n` periods ending with the one holding `now`, oldest first.
pub fn last_periods(
    now: DateTime<FixedOffset>,
    period: Period,
    zone: Zone,
    n: usize,
) -> Vec<String> {
    let mut keys: Vec<String> = Vec::with_capacity(n);
    let mut at = now;
    while keys.len() < n {
        let key = period_key(at, period, zone);
        if keys.last() != Some(&key) {
            keys.push(key);
        }
        let step = match period {
            Period::Week => chrono::Duration::days(7),
            Period::Month => chrono::Duration::days(28),
        };
        match at.checked_sub_signed(step) {
            Some(t) => at = t,
            None => break,
        }
    }
    keys.reverse();
    keys
}

/// The `stats --json` document. Field names are a stable contract (README).
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub records: usize,
    /// Records not closed (nor withdrawn).
    pub open: usize,
    pub period: Period,
    pub by_severity: Counts,
    /// Open records per configured severity, zeros included.
    pub open_by_severity: Counts,
    pub by_status: Counts,
    pub by_service: Counts,
    pub by_period: Counts,
    pub ttd: Distribution,
    pub tta: Distribution,
    pub ttm: Distribution,
    pub ttr: Distribution,
    pub time_to_close: Distribution,
    pub ttr_by_period: Vec<PeriodTtr>,
    /// The last 12 periods up to now, in order, empty ones as zero: what a
    /// chart shows.
    pub recent_periods: Vec<PeriodPoint>,
    pub action_items: ActionCounts,
    /// Calls and tickets from the field, and users affected (metrics::impact).
    pub field_reports: super::impact::Figure,
    pub users_affected: super::impact::Figure,
    /// Services with field reports rising (this period over the one before) first.
    pub recurring_services: Vec<Named>,
    pub recurring_root_cause_words: Vec<Named>,
}

impl Stats {
    pub fn metric(&self, key: &str) -> &Distribution {
        match key {
            "ttd" => &self.ttd,
            "tta" => &self.tta,
            "ttm" => &self.ttm,
            "ttr" => &self.ttr,
            _ => &self.time_to_close,
        }
    }
}

pub fn period_key(t: DateTime<FixedOffset>, period: Period, zone: Zone) -> String {
    use chrono::Datelike;
    // By hand rather than `format("%G-W%V")`: this runs once per record.
    let local = zone.convert(t);
    match period {
        Period::Week => {
            let week = local.iso_week();
            format!("{:04}-W{:02}", week.year(), week.week())
        }
        Period::Month => format!("{:04}-{:02}", local.year(), local.month()),
    }
}

/// The time window the records were picked from (`--since`, `--until`):
/// the periods compared and charted end where it ends.
#[derive(Debug, Clone, Copy, Default)]
pub struct Span {
    pub since: Option<DateTime<FixedOffset>>,
    pub until: Option<DateTime<FixedOffset>>,
}

pub fn compute(
    records: &[&Record],
    severities: &[String],
    period: Period,
    zone: Zone,
    now: DateTime<FixedOffset>,
    span: Span,
) -> Stats {
    let keys: Vec<String> = records
        .iter()
        .map(|r| period_key(r.began(), period, zone))
        .collect();
    let tally = tally(records, &keys, severities);
    crate::trace::mark("stats: counted");
    let [ttd, tta, ttm, ttr, time_to_close] = METRICS.each_ref().map(|m| distribution(records, m));
    let ttr_by_period = ttr_by_period(records, &keys);
    let end = span.until.map_or(now, |u| u.min(now));
    let recent_keys = last_periods(end, period, zone, RECENT_PERIODS);
    let this = recent_keys.last().cloned().unwrap_or_default();
    let previous = recent_keys
        .len()
        .checked_sub(2)
        .map(|i| recent_keys[i].clone())
        .unwrap_or_default();
    let compared = super::impact::Compared {
        this: &this,
        previous: &previous,
        // `--since` inside (or after) the previous period leaves it partial.
        previous_cut: span
            .since
            .is_some_and(|s| period_key(s, period, zone) >= previous),
    };
    let figure = |pick| super::impact::figure(records, &keys, severities, &compared, pick);
    let field_reports = figure(super::impact::field_reports);
    let users_affected = figure(super::impact::users_affected);
    let recent_periods = recent_keys
        .into_iter()
        .map(|key| PeriodPoint {
            count: tally.by_period.get(&key),
            ttr_median_minutes: ttr_by_period
                .iter()
                .find(|p| p.period == key)
                .and_then(|p| p.median_minutes),
            field_reports: field_reports.by_period.get(&key),
            users_affected: users_affected.by_period.get(&key),
            period: key,
        })
        .collect();
    crate::trace::mark("stats: distributions");
    let action_items = action_counts(records, zone.convert(now).date_naive());
    let recurring_services = recurring_services(records, &keys, &compared, &tally);
    crate::trace::mark("stats: actions, services");
    let recurring_root_cause_words = recurring_words(records);
    crate::trace::mark("stats: words");
    Stats {
        records: records.len(),
        open: records.iter().filter(|r| r.status.is_active()).count(),
        period,
        by_severity: tally.by_severity,
        open_by_severity: tally.open_by_severity,
        by_status: tally.by_status,
        by_service: tally.by_service,
        by_period: tally.by_period,
        recent_periods,
        ttd,
        tta,
        ttm,
        ttr,
        time_to_close,
        ttr_by_period,
        action_items,
        field_reports,
        users_affected,
        recurring_services,
        recurring_root_cause_words,
    }
}

/// The records counted by severity, status, service and period, in one
/// pass; and each service's records, for naming those behind a recurring
/// one.
struct Tally<'r> {
    by_severity: Counts,
    open_by_severity: Counts,
    by_status: Counts,
    by_service: Counts,
    by_period: Counts,
    of_service: HashMap<&'r str, Vec<&'r Record>>,
}

fn tally<'r>(records: &[&'r Record], keys: &[String], severities: &[String]) -> Tally<'r> {
    let mut t = Tally {
        by_severity: Counts::with_keys(severities.iter().cloned()),
        open_by_severity: Counts::with_keys(severities.iter().cloned()),
        by_status: Counts::with_keys(Status::ALL.iter().map(|s| s.to_string())),
        by_service: Counts::default(),
        by_period: Counts::default(),
        of_service: HashMap::default(),
    };
    for (r, key) in records.iter().zip(keys) {
        t.by_severity.bump(&r.severity);
        if r.status.is_active() {
            t.open_by_severity.bump(&r.severity);
        }
        t.by_status.bump(r.status.as_str());
        for s in &r.services {
            t.by_service.bump(s);
            let of = t.of_service.entry(s.as_str()).or_default();
            // A record naming a service twice is one record of it.
            if !of.last().is_some_and(|last| std::ptr::eq(*last, *r)) {
                of.push(r);
            }
        }
        t.by_period.bump(key);
    }
    t.by_service
        .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    t.by_period.sort_by(|a, b| a.0.cmp(&b.0));
    t
}

/// The median time to resolve of each period. Each record's period is
/// computed once (in `keys`): formatting dates is the cost here.
fn ttr_by_period(records: &[&Record], keys: &[String]) -> Vec<PeriodTtr> {
    let mut in_period: std::collections::BTreeMap<&str, Vec<&Record>> = Default::default();
    for (r, key) in records.iter().zip(keys) {
        in_period.entry(key.as_str()).or_default().push(r);
    }
    in_period
        .into_iter()
        .map(|(period, rs)| {
            let d = distribution(&rs, &METRICS[3]);
            PeriodTtr {
                period: period.to_string(),
                count: d.count,
                median_minutes: d.median_minutes,
            }
        })
        .collect()
}

/// Action items by status and kind, the overdue ones, the completion rate.
fn action_counts(records: &[&Record], today: chrono::NaiveDate) -> ActionCounts {
    let mut a = ActionCounts {
        total: 0,
        open: 0,
        done: 0,
        wontfix: 0,
        overdue: 0,
        by_kind: Counts::with_keys(ActionKind::ALL.iter().map(|k| k.as_str().to_string())),
        completion_rate: None,
    };
    for item in records.iter().flat_map(|r| r.action_items.iter()) {
        a.total += 1;
        a.by_kind.bump(item.kind.as_str());
        match item.status {
            ActionStatus::Open => a.open += 1,
            ActionStatus::Done => a.done += 1,
            ActionStatus::Wontfix => a.wontfix += 1,
        }
        if is_overdue(item.status, item.due.map(|d| d.0), today) {
            a.overdue += 1;
        }
    }
    if a.done + a.open > 0 {
        a.completion_rate =
            Some(((a.done as f64 / (a.done + a.open) as f64) * 1000.0).round() / 1000.0);
    }
    a
}

/// Services with two or more incidents, rising field reports first (both
/// periods known), otherwise as counted (most records first).
fn recurring_services(
    records: &[&Record],
    keys: &[String],
    compared: &super::impact::Compared<'_>,
    tally: &Tally<'_>,
) -> Vec<Named> {
    let reports = super::impact::per_service(records, keys, compared, super::impact::field_reports);
    let mut named: Vec<Named> = tally
        .by_service
        .0
        .iter()
        .filter(|(_, n)| *n >= 2)
        .map(|(name, count)| {
            let (before, now) = reports.get(name.as_str()).copied().unwrap_or_default();
            Named {
                name: name.clone(),
                count: *count,
                records: ids_where(
                    tally
                        .of_service
                        .get(name.as_str())
                        .map_or(&[][..], Vec::as_slice),
                    |_| true,
                ),
                field_reports_previous: Some(before),
                field_reports_this: Some(now),
            }
        })
        .collect();
    named.sort_by_key(|n| {
        let rising = matches!(
            (n.field_reports_previous, n.field_reports_this),
            (Some(Some(before)), Some(Some(now))) if now > before
        );
        std::cmp::Reverse(rising)
    });
    named
}

/// Words that appear in the root cause of two or more records (each record
/// counts once), most frequent first.
fn recurring_words(records: &[&Record]) -> Vec<Named> {
    use rayon::prelude::*;
    // The words of 100k root causes: lower-casing and splitting is most of
    // the cost of `stats`, and each record's is its own; so is counting
    // them, per share of the records, then added up.
    let words: Vec<Vec<String>> = records.par_iter().map(|r| r.root_cause_words()).collect();
    let counts: HashMap<&str, usize> = words
        .par_iter()
        .fold(HashMap::default, |mut counts: HashMap<&str, usize>, ws| {
            for w in ws {
                *counts.entry(w.as_str()).or_default() += 1;
            }
            counts
        })
        .reduce(HashMap::default, |mut a, b| {
            for (w, n) in b {
                *a.entry(w).or_default() += n;
            }
            a
        });
    let mut out: Vec<(&str, usize)> = counts.into_iter().filter(|(_, n)| *n >= 2).collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
    out.truncate(10);
    out.into_iter()
        .map(|(name, count)| {
            let with: Vec<&Record> = records
                .par_iter()
                .zip(&words)
                .filter(|(_, w)| w.binary_search_by(|x| x.as_str().cmp(name)).is_ok())
                .map(|(r, _)| *r)
                .collect();
            Named {
                records: ids_where(&with, |_| true),
                name: name.to_string(),
                count,
                field_reports_previous: None,
                field_reports_this: None,
            }
        })
        .collect()
}
