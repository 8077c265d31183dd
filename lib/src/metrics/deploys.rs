//! DORA's stability figures per service, from deploys and the incidents
//! tied to them (dora.dev, "DORA's software delivery metrics"):
//!
//! - deployment frequency: deploys in the window ÷ its weeks (from
//!   `--since`, else the service's first deploy, to `--until`, else now);
//! - change fail rate: distinct deploys that caused a live incident ÷
//!   deploys (a deploy named by two records, or by a duplicate, is one);
//! - failed deployment recovery time: from the failing deploy to the last
//!   of its incidents' remedy deploys (else their resolution); an incident
//!   whose cause is a change no deploy in the data carries is measured
//!   from its detection (else start);
//! - deployment rework rate: unplanned deploys (a hotfix or rollback tag,
//!   an import line marked so, or an incident's remedy) ÷ deploys.
//!
//! A ratio without deploys is `None` ("unknown"), never 0; every ratio
//! comes with its n (`deploys`). Withdrawn records (duplicates among them)
//! never count.

use super::Distribution;
use super::stats::{Period, period_key};
use crate::deploy::{Deploy, Links};
use crate::record::{Record, Status};
use crate::time::Zone;
use chrono::{DateTime, FixedOffset};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, Default, Serialize)]
pub struct DeployFigures {
    /// Per service, by name.
    pub by_service: BTreeMap<String, ServiceFigures>,
}

/// The counts and ratios of a set of deploys (a service's in the window,
/// or one period's of them).
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Counted {
    /// Deploys: the n of every ratio.
    pub deploys: usize,
    /// Distinct deploys that caused an incident.
    pub failed: usize,
    /// Hotfixes, rollbacks and remedies.
    pub unplanned: usize,
    pub change_fail_rate: Option<f64>,
    pub rework_rate: Option<f64>,
    pub recovery_time_median_s: Option<f64>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ServiceFigures {
    #[serde(flatten)]
    pub counted: Counted,
    pub recovery_time_p90_s: Option<f64>,
    /// How many recoveries the median and p90 are over.
    pub recovered: usize,
    /// Failures not recovered yet (no remedy deploy and no resolution).
    pub recovery_left_out: usize,
    pub deploys_per_week: Option<f64>,
    /// Resolved incidents of the service that say neither what deploy
    /// caused them nor that none did: the figures may miss a failure.
    pub unlinked_incidents: usize,
    /// The recent periods, oldest first: the trend.
    pub by_period: Vec<PeriodDeploys>,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct PeriodDeploys {
    pub period: String,
    #[serde(flatten)]
    pub counted: Counted,
}

/// The window figures are counted over (`--since`, `--until` or now).
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub since: Option<DateTime<FixedOffset>>,
    pub end: DateTime<FixedOffset>,
    pub period: Period,
    pub zone: Zone,
}

impl Window {
    fn holds(&self, t: DateTime<FixedOffset>) -> bool {
        self.since.is_none_or(|s| t >= s) && t < self.end
    }
}

/// A record that counts: not withdrawn, not a duplicate.
fn live(r: &Record) -> bool {
    r.status != Status::Withdrawn && r.withdrawal.duplicate_of.is_none()
}

/// One recovery: the service and period it counts in, and its seconds
/// (`None`: not recovered yet).
struct Recovery {
    service: String,
    period: String,
    seconds: Option<f64>,
}

pub fn compute(
    deploys: &[Deploy],
    records: &[&Record],
    links: &[Links],
    window: &Window,
    recent: &[String],
) -> DeployFigures {
    // Each deploy's period, formatted once (10k tags, 12 periods).
    let keys: Vec<String> = deploys
        .iter()
        .map(|d| period_key(d.at.0, window.period, window.zone))
        .collect();
    let live_links: Vec<(&Record, Links)> = records
        .iter()
        .zip(links)
        .filter(|(r, _)| live(r))
        .map(|(r, l)| (*r, *l))
        .collect();
    let failed: BTreeSet<usize> = live_links.iter().filter_map(|(_, l)| l.cause).collect();
    let remedies: BTreeSet<usize> = live_links.iter().filter_map(|(_, l)| l.remedy).collect();
    let unplanned = |i: usize| deploys[i].unplanned || remedies.contains(&i);
    let recoveries = recoveries(deploys, &live_links, &failed, window);
    let mut out = DeployFigures::default();
    let services: BTreeSet<&str> = deploys.iter().map(|d| d.service.as_str()).collect();
    for service in services {
        let in_window: Vec<usize> = (0..deploys.len())
            .filter(|&i| deploys[i].service == service && window.holds(deploys[i].at.0))
            .collect();
        let mine: Vec<&Recovery> = recoveries.iter().filter(|r| r.service == service).collect();
        let tally = |here: &[usize], times: Vec<f64>| {
            Counted {
                deploys: here.len(),
                failed: here.iter().filter(|&&i| failed.contains(&i)).count(),
                unplanned: here.iter().filter(|&&i| unplanned(i)).count(),
                change_fail_rate: None,
                rework_rate: None,
                recovery_time_median_s: Distribution::of(times, 0).median_minutes,
            }
            .with_ratios()
        };
        let times: Vec<f64> = mine.iter().filter_map(|r| r.seconds).collect();
        let d = Distribution::of(times.clone(), 0);
        let by_period = recent
            .iter()
            .map(|p| {
                let here: Vec<usize> = in_window
                    .iter()
                    .copied()
                    .filter(|&i| keys[i] == *p)
                    .collect();
                let times = mine
                    .iter()
                    .filter(|r| r.period == *p)
                    .filter_map(|r| r.seconds)
                    .collect();
                PeriodDeploys {
                    period: p.clone(),
                    counted: tally(&here, times),
                }
            })
            .collect();
        let first = deploys
            .iter()
            .find(|d| d.service == service)
            .map(|d| d.at.0);
        out.by_service.insert(
            service.to_string(),
            ServiceFigures {
                counted: tally(&in_window, times),
                recovery_time_p90_s: d.p90_minutes,
                recovered: d.count,
                recovery_left_out: mine.len() - d.count,
                deploys_per_week: per_week(in_window.len(), window.since.or(first), window.end),
                unlinked_incidents: unlinked(&live_links, service, window),
                by_period,
            },
        );
    }
    out
}

impl Counted {
    /// The ratios of the counts.
    fn with_ratios(mut self) -> Counted {
        self.change_fail_rate = ratio(self.failed, self.deploys);
        self.rework_rate = ratio(self.unplanned, self.deploys);
        self
    }
}

/// `part ÷ whole` to three decimals; `None` without a whole.
fn ratio(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| ((part as f64 / whole as f64) * 1000.0).round() / 1000.0)
}

/// Deploys per week from `start` to `end`, to two decimals; `None` for a
/// window shorter than a day (or unknown).
fn per_week(
    n: usize,
    start: Option<DateTime<FixedOffset>>,
    end: DateTime<FixedOffset>,
) -> Option<f64> {
    let days = (end - start?).num_seconds() as f64 / 86_400.0;
    (days >= 1.0).then(|| ((n as f64 / (days / 7.0)) * 100.0).round() / 100.0)
}

/// The recovery of each failed deploy in the window, and of each incident
/// caused by a change that no deploy in the data carries.
fn recoveries(
    deploys: &[Deploy],
    live: &[(&Record, Links)],
    failed: &BTreeSet<usize>,
    window: &Window,
) -> Vec<Recovery> {
    let key = |t: DateTime<FixedOffset>| period_key(t, window.period, window.zone);
    // When an incident was over: its remedy deploy, else its resolution.
    let over = |r: &Record, l: &Links| {
        l.remedy
            .map(|i| deploys[i].at.0)
            .or(r.resolved_at.map(|t| t.0))
    };
    let mut out = Vec::new();
    for &d in failed {
        let deploy = &deploys[d];
        if !window.holds(deploy.at.0) {
            continue;
        }
        let ends: Vec<Option<DateTime<FixedOffset>>> = live
            .iter()
            .filter(|(_, l)| l.cause == Some(d))
            .map(|(r, l)| over(r, l))
            .collect();
        let seconds = ends
            .iter()
            .copied()
            .collect::<Option<Vec<_>>>()
            .and_then(|ends| ends.into_iter().max())
            .map(|end| (end - deploy.at.0).num_seconds() as f64)
            .filter(|s| *s >= 0.0);
        out.push(Recovery {
            service: deploy.service.clone(),
            period: key(deploy.at.0),
            seconds,
        });
    }
    for (r, l) in live {
        if l.cause.is_some() || r.deploy.caused_by.is_none() {
            continue;
        }
        let Some(start) = r.detected_at.or(r.started_at).map(|t| t.0) else {
            continue;
        };
        if !window.holds(start) {
            continue;
        }
        let seconds = over(r, l)
            .map(|end| (end - start).num_seconds() as f64)
            .filter(|s| *s >= 0.0);
        for service in &r.services {
            out.push(Recovery {
                service: service.clone(),
                period: key(start),
                seconds,
            });
        }
    }
    out
}

/// Resolved live incidents of `service` that began in the window and
/// state neither a cause nor "no deploy".
fn unlinked(live: &[(&Record, Links)], service: &str, window: &Window) -> usize {
    live.iter()
        .filter(|(r, _)| r.services.iter().any(|s| s == service))
        .filter(|(r, _)| r.resolved_at.is_some() && !r.deploy.is_stated())
        .filter(|(r, _)| window.holds(r.began()))
        .count()
}
