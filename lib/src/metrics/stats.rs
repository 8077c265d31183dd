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
    /// Action items done by their due day, of those that came due, and
    /// the median time to done; overall, per period and per service.
    pub follow_up: super::follow_up::FollowUp,
    /// Calls and tickets from the field, and users affected (metrics::impact).
    pub field_reports: super::impact::Figure,
    pub users_affected: super::impact::Figure,
    /// Services with field reports rising (this period over the one before) first.
    pub recurring_services: Vec<Named>,
    pub recurring_root_cause_words: Vec<Named>,
    /// DORA's stability figures per service (`metrics::deploys`), filled
    /// in by whoever can read the deploys (the store); empty here.
    pub deploys: super::deploys::DeployFigures,
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
    day_period_key(zone.convert(t).date_naive(), period)
}

/// The period a calendar day falls in: `2026-W48` or `2026-11`.
pub fn day_period_key(local: chrono::NaiveDate, period: Period) -> String {
    use chrono::Datelike;
    // By hand rather than `format("%G-W%V")`: this runs once per record.
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
    // Three groups of passes that share nothing but the records: the
    // counts and durations (by period), the action items, the words of
    // root causes. Each is a pass over 100k records; side by side they
    // take the time of the longest, not of all three.
    let today = zone.convert(now).date_naive();
    let (counted, ((action_items, follow_up), recurring_root_cause_words)) = rayon::join(
        || counts_and_durations(records, severities, period, zone, now, span),
        || {
            rayon::join(
                || {
                    (
                        action_counts(records, today),
                        super::follow_up::compute(records, period, zone, today),
                    )
                },
                || recurring_words(records),
            )
        },
    );
    crate::trace::mark("stats: counted, actions, words");
    let Counted {
        tally,
        durations: [ttd, tta, ttm, ttr, time_to_close],
        ttr_by_period,
        recent_periods,
        field_reports,
        users_affected,
        recurring_services,
    } = counted;
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
        follow_up,
        field_reports,
        users_affected,
        recurring_services,
        recurring_root_cause_words,
        deploys: Default::default(),
    }
}

/// The figures that go by each record's period: counts, durations, field
/// reports and users affected, recurring services.
struct Counted<'r> {
    tally: Tally<'r>,
    durations: [Distribution; 5],
    ttr_by_period: Vec<PeriodTtr>,
    recent_periods: Vec<PeriodPoint>,
    field_reports: super::impact::Figure,
    users_affected: super::impact::Figure,
    recurring_services: Vec<Named>,
}

fn counts_and_durations<'r>(
    records: &[&'r Record],
    severities: &[String],
    period: Period,
    zone: Zone,
    now: DateTime<FixedOffset>,
    span: Span,
) -> Counted<'r> {
    use rayon::prelude::*;
    // Formatting 100k dates: each record's is its own.
    let keys: Vec<String> = records
        .par_iter()
        .map(|r| period_key(r.began(), period, zone))
        .collect();
    let tally = tally(records, &keys, severities);
    let durations = METRICS.each_ref().map(|m| distribution(records, m));
    let ttr_by_period = ttr_by_period(records, &keys);
    // `--until` is exclusive: the last period is the one holding the
    // instant before it (`--until 2026-12-01` ends with November).
    let end = match span.until {
        Some(until) if until <= now => until - chrono::Duration::nanoseconds(1),
        _ => now,
    };
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
    let recurring_services = recurring_services(records, &keys, &compared, &tally);
    Counted {
        tally,
        durations,
        ttr_by_period,
        recent_periods,
        field_reports,
        users_affected,
        recurring_services,
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
            let of = t.of_service.entry(s.as_str()).or_default();
            // A record naming a service twice is one record of it.
            if !of.last().is_some_and(|last| std::ptr::eq(*last, *r)) {
                of.push(r);
                t.by_service.bump(s);
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
    // Counted by the kind's place in `ActionKind::ALL` (the order the
    // enum declares them), named once at the end.
    let mut by_kind = [0usize; ActionKind::ALL.len()];
    for item in records.iter().flat_map(|r| r.action_items.iter()) {
        a.total += 1;
        by_kind[item.kind as usize] += 1;
        match item.status {
            ActionStatus::Open => a.open += 1,
            ActionStatus::Done => a.done += 1,
            ActionStatus::Wontfix => a.wontfix += 1,
        }
        if is_overdue(item.status, item.due.map(|d| d.0), today) {
            a.overdue += 1;
        }
    }
    for (kind, n) in ActionKind::ALL.iter().zip(by_kind) {
        a.by_kind.add(kind.as_str(), n);
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::record::testing::record;

    fn kst() -> Zone {
        Zone::Fixed(FixedOffset::east_opt(9 * 3600).unwrap())
    }

    fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap()
    }

    fn severities() -> Vec<String> {
        ["SEV1", "SEV2", "SEV3", "SEV4"].map(String::from).to_vec()
    }

    fn stats_at(records: &[Record], now: &str) -> Stats {
        let refs: Vec<&Record> = records.iter().collect();
        compute(
            &refs,
            &severities(),
            Period::Month,
            kst(),
            at(now),
            Span::default(),
        )
    }

    fn stats(records: &[Record]) -> Stats {
        stats_at(records, "2026-12-01T12:00:00+09:00")
    }

    /// The example incident's times: started 09:12, detected 09:20,
    /// acknowledged 09:24, mitigated 09:45, resolved 09:52.
    const EXAMPLE_TIMES: &str = "started_at = 2026-11-03T09:12:00+09:00
detected_at = 2026-11-03T09:20:00+09:00
acknowledged_at = 2026-11-03T09:24:00+09:00
mitigated_at = 2026-11-03T09:45:00+09:00
resolved_at = 2026-11-03T09:52:00+09:00
";

    #[test]
    fn every_incident_duration_runs_from_started_at() {
        let s = stats(&[record("PM-1", EXAMPLE_TIMES)]);
        // 09:20 − 09:12, 09:24 − 09:12, 09:45 − 09:12, 09:52 − 09:12: each
        // from the start, never from the step before.
        assert_eq!(s.ttd.median_minutes, Some(8.0));
        assert_eq!(s.tta.median_minutes, Some(12.0));
        assert_eq!(s.ttm.median_minutes, Some(33.0));
        assert_eq!(s.ttr.median_minutes, Some(40.0));
    }

    #[test]
    fn time_to_close_is_closed_minus_created() {
        let r = record(
            "PM-1",
            "status = \"closed\"
created_at = 2026-11-03T10:03:11+09:00
closed_at = 2026-11-07T18:00:00+09:00
",
        );
        // 4 days (5760 min) + 7 h 56 min 49 s = 6236.8167 min, to one decimal.
        let d = stats(&[r]).time_to_close;
        assert_eq!((d.count, d.median_minutes), (1, Some(6236.8)));
    }

    #[test]
    fn durations_compare_instants_across_offsets() {
        // 00:10 UTC is 09:10 in Seoul: ten minutes to 09:20 +09:00.
        let r = record(
            "PM-1",
            "started_at = 2026-11-03T00:10:00Z\ndetected_at = 2026-11-03T09:20:00+09:00\n",
        );
        assert_eq!(stats(&[r]).ttd.mean_minutes, Some(10.0));
    }

    #[test]
    fn time_to_detect_median_and_mean_over_records() {
        let ttd = |id, minutes: u32| {
            record(
                id,
                &format!(
                    "started_at = 2026-11-03T09:00:00+09:00\ndetected_at = 2026-11-03T{:02}:{:02}:00+09:00\n",
                    9 + minutes / 60,
                    minutes % 60
                ),
            )
        };
        let odd = stats(&[ttd("PM-1", 8), ttd("PM-2", 30), ttd("PM-3", 4)]).ttd;
        // Sorted 4, 8, 30: median 8, mean 42 / 3 = 14.
        assert_eq!(
            (odd.count, odd.median_minutes, odd.mean_minutes),
            (3, Some(8.0), Some(14.0))
        );
        let even = stats(&[
            ttd("PM-1", 10),
            ttd("PM-2", 100),
            ttd("PM-3", 20),
            ttd("PM-4", 40),
        ])
        .ttd;
        // Sorted 10, 20, 40, 100: median (20 + 40) / 2 = 30, mean 170 / 4 = 42.5.
        assert_eq!(
            (even.median_minutes, even.mean_minutes),
            (Some(30.0), Some(42.5))
        );
    }

    #[test]
    fn a_missing_time_leaves_the_record_out_never_zero() {
        let with = record("PM-1", EXAMPLE_TIMES);
        let without_detected = record("PM-2", "started_at = 2026-11-04T09:00:00+09:00\n");
        let without_start = record("PM-3", "detected_at = 2026-11-05T09:00:00+09:00\n");
        let s = stats(&[with, without_detected, without_start]);
        // Had the two been counted as 0, the median of (0, 0, 8) would be 0.
        assert_eq!(s.ttd.count, 1);
        assert_eq!(s.ttd.left_out, 2);
        assert_eq!(s.ttd.median_minutes, Some(8.0));
        assert_eq!(s.ttd.mean_minutes, Some(8.0));
    }

    #[test]
    fn no_times_at_all_give_no_figures() {
        let s = stats(&[record("PM-1", "")]);
        assert_eq!(
            (
                s.ttr.count,
                s.ttr.left_out,
                s.ttr.median_minutes,
                s.ttr.mean_minutes
            ),
            (0, 1, None, None)
        );
    }

    #[test]
    fn counts_by_severity_list_every_level_worst_first_even_at_zero() {
        let s = stats(&[
            record("PM-1", "severity = \"SEV1\"\n"),
            record("PM-2", "severity = \"SEV3\"\nstatus = \"closed\"\n"),
            record("PM-3", "severity = \"SEV1\"\n"),
        ]);
        fn rows(c: &Counts) -> Vec<(&str, usize)> {
            c.0.iter().map(|(k, n)| (k.as_str(), *n)).collect()
        }
        assert_eq!(
            rows(&s.by_severity),
            [("SEV1", 2), ("SEV2", 0), ("SEV3", 1), ("SEV4", 0)]
        );
        assert_eq!(
            rows(&s.open_by_severity),
            [("SEV1", 2), ("SEV2", 0), ("SEV3", 0), ("SEV4", 0)]
        );
        assert_eq!((s.records, s.open), (3, 2));
    }

    #[test]
    fn counts_by_service_most_first_then_by_name() {
        let s = stats(&[
            record("PM-1", "services = [\"search\"]\n"),
            record("PM-2", "services = [\"payments\", \"card\"]\n"),
            record("PM-3", "services = [\"payments\"]\n"),
        ]);
        let rows: Vec<(&str, usize)> = s
            .by_service
            .0
            .iter()
            .map(|(k, n)| (k.as_str(), *n))
            .collect();
        assert_eq!(rows, [("payments", 2), ("card", 1), ("search", 1)]);
    }

    #[test]
    fn periods_are_months_in_the_teams_zone() {
        // 20:00 UTC on 30 November is 05:00 on 1 December in Seoul.
        let s = stats(&[
            record("PM-1", "started_at = 2026-11-30T20:00:00Z\n"),
            record("PM-2", "started_at = 2026-11-30T14:00:00Z\n"),
        ]);
        assert_eq!(s.by_period.get("2026-12"), 1);
        assert_eq!(s.by_period.get("2026-11"), 1);
    }

    #[test]
    fn a_record_without_a_start_counts_in_the_period_it_was_created() {
        let s = stats(&[record("PM-1", "created_at = 2026-10-15T10:00:00+09:00\n")]);
        let periods: Vec<&str> = s.by_period.0.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(periods, ["2026-10"]);
    }

    #[test]
    fn iso_weeks_belong_to_the_iso_year() {
        // 2026 begins on a Thursday, so it has 53 ISO weeks; 1 January 2027,
        // a Friday, is still in its week 53.
        let key = |s| period_key(at(s), Period::Week, kst());
        assert_eq!(key("2027-01-01T12:00:00+09:00"), "2026-W53");
        assert_eq!(key("2027-01-04T00:00:00+09:00"), "2027-W01");
        assert_eq!(key("2026-01-01T00:00:00+09:00"), "2026-W01");
    }

    #[test]
    fn the_last_twelve_months_end_with_the_one_holding_now() {
        let keys = last_periods(at("2026-03-31T12:00:00+09:00"), Period::Month, kst(), 12);
        assert_eq!(
            keys,
            [
                "2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10",
                "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"
            ]
        );
    }

    #[test]
    fn until_on_a_period_boundary_ends_with_the_period_before_it() {
        let refs: Vec<&Record> = Vec::new();
        let span = Span {
            since: None,
            until: Some(at("2026-12-01T00:00:00+09:00")),
        };
        let s = compute(
            &refs,
            &severities(),
            Period::Month,
            kst(),
            at("2026-12-03T12:00:00+09:00"),
            span,
        );
        let last = s.recent_periods.last().map(|p| p.period.as_str());
        assert_eq!(last, Some("2026-11"), "--until is exclusive");
    }

    #[test]
    fn recent_periods_end_at_until_when_it_is_before_now() {
        let refs: Vec<&Record> = Vec::new();
        let span = Span {
            since: None,
            until: Some(at("2026-06-15T00:00:00+09:00")),
        };
        let s = compute(
            &refs,
            &severities(),
            Period::Month,
            kst(),
            at("2026-12-01T12:00:00+09:00"),
            span,
        );
        let last = s.recent_periods.last().map(|p| p.period.as_str());
        assert_eq!(last, Some("2026-06"));
        assert_eq!(s.recent_periods.len(), RECENT_PERIODS);
    }

    fn actions(items: &[(&str, &str)]) -> String {
        items
            .iter()
            .enumerate()
            .map(|(i, (status, due))| {
                format!(
                    "\n[[action_items]]\nn = {}\ntext = \"a\"\nstatus = \"{status}\"\ndue = {due}\n",
                    i + 1
                )
            })
            .collect()
    }

    #[test]
    fn overdue_items_are_open_and_due_before_today_in_the_teams_zone() {
        let r = record(
            "PM-1",
            &actions(&[
                ("open", "2026-11-30"), // overdue
                ("open", "2026-12-01"), // overdue: today in Seoul is 2 December
                ("open", "2026-12-02"), // due today: not yet
                ("done", "2026-11-01"), // done: never overdue
                ("wontfix", "2026-11-01"),
            ]),
        );
        // 23:30 UTC on 1 December is 08:30 on 2 December in Seoul.
        let a = stats_at(&[r], "2026-12-01T23:30:00Z").action_items;
        assert_eq!(a.overdue, 2);
        assert_eq!((a.total, a.open, a.done, a.wontfix), (5, 3, 1, 1));
    }

    #[test]
    fn completion_rate_is_done_over_done_and_open_leaving_wontfix_out() {
        let r = record(
            "PM-1",
            &actions(&[
                ("done", "2026-12-20"),
                ("open", "2026-12-20"),
                ("open", "2026-12-20"),
                ("wontfix", "2026-12-20"),
            ]),
        );
        // 1 / (1 + 2) to three decimals.
        assert_eq!(stats(&[r]).action_items.completion_rate, Some(0.333));
        let none = record("PM-2", &actions(&[("wontfix", "2026-12-20")]));
        assert_eq!(stats(&[none]).action_items.completion_rate, None);
    }

    #[test]
    fn a_record_naming_a_service_twice_is_one_incident_of_it() {
        let s = stats(&[record("PM-1", "services = [\"payments\", \"payments\"]\n")]);
        assert_eq!(s.by_service.get("payments"), 1);
        // One incident is not a recurring service.
        assert!(s.recurring_services.is_empty());
    }
}
