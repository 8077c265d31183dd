//! The team's own number: how often the field (users, operators, stores)
//! calls to report a problem, and how many users an incident reached.
//! Summed per severity, service and period, with this period against the
//! one before. A record without the figure is `left_out`, never a zero.

use super::stats::Counts;
use crate::record::Record;
use serde::Serialize;

/// One figure (field reports, or users affected) over a set of records.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub total: usize,
    /// Records that have the figure.
    pub records: usize,
    /// Records without it: not counted as zero.
    pub left_out: usize,
    pub by_severity: Counts,
    pub by_service: Counts,
    pub by_period: Counts,
    /// The period holding now, and the one before it.
    pub this_period: PeriodValue,
    pub previous_period: PeriodValue,
    /// (this − previous) / previous × 100, one decimal; null when the
    /// previous period had nothing to compare with.
    pub change_percent: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeriodValue {
    pub period: String,
    /// The sum over the period's records that have the figure; 0 for a
    /// period without incidents; null when its incidents all lack the
    /// figure, or the filters cut the period off.
    pub value: Option<usize>,
    pub left_out: usize,
}

/// A running sum that remembers whether anything was known.
#[derive(Debug, Clone, Copy, Default)]
pub struct Tally {
    sum: usize,
    with: usize,
    without: usize,
}

impl Tally {
    pub fn add(&mut self, figure: Option<u64>) {
        match figure {
            Some(n) => {
                self.sum = self
                    .sum
                    .saturating_add(usize::try_from(n).unwrap_or(usize::MAX));
                self.with += 1;
            }
            None => self.without += 1,
        }
    }

    /// None when every record counted lacked the figure.
    pub fn value(&self) -> Option<usize> {
        (self.with > 0 || self.without == 0).then_some(self.sum)
    }
}

/// Which figure of a record.
pub type Pick = fn(&Record) -> Option<u64>;

pub fn field_reports(r: &Record) -> Option<u64> {
    r.impact.field_reports
}

pub fn users_affected(r: &Record) -> Option<u64> {
    r.impact.users_affected
}

/// The two periods compared: the one holding the end of the window
/// (now, or `--until`) and the one before; `previous_cut` when the
/// filters start inside it (its figure would be partial).
pub struct Compared<'a> {
    pub this: &'a str,
    pub previous: &'a str,
    pub previous_cut: bool,
}

/// The figure `pick` over `records`; `keys[i]` is record i's period.
pub fn figure(
    records: &[&Record],
    keys: &[String],
    severities: &[String],
    compared: &Compared<'_>,
    pick: Pick,
) -> Figure {
    let (this, previous) = (compared.this, compared.previous);
    let mut f = Figure {
        total: 0,
        records: 0,
        left_out: 0,
        by_severity: Counts::with_keys(severities.iter().cloned()),
        by_service: Counts::default(),
        by_period: Counts::default(),
        this_period: PeriodValue {
            period: this.to_string(),
            value: None,
            left_out: 0,
        },
        previous_period: PeriodValue {
            period: previous.to_string(),
            value: None,
            left_out: 0,
        },
        change_percent: None,
    };
    let (mut now, mut before) = (Tally::default(), Tally::default());
    for (r, key) in records.iter().zip(keys) {
        let figure = pick(r);
        if key == this {
            now.add(figure);
        } else if key == previous {
            before.add(figure);
        }
        let Some(n) = figure else {
            f.left_out += 1;
            continue;
        };
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        f.records += 1;
        f.total = f.total.saturating_add(n);
        f.by_severity.add(&r.severity, n);
        for s in distinct(&r.services) {
            f.by_service.add(s, n);
        }
        f.by_period.add(key, n);
    }
    f.by_service
        .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    f.by_period.sort_by(|a, b| a.0.cmp(&b.0));
    f.this_period.value = now.value();
    f.this_period.left_out = now.without;
    f.previous_period.value = before.value().filter(|_| !compared.previous_cut);
    f.previous_period.left_out = before.without;
    f.change_percent = change(f.previous_period.value, f.this_period.value);
    f
}

/// A record's services, each once: a service named twice in one record is
/// one incident of it.
fn distinct(services: &[String]) -> std::collections::BTreeSet<&str> {
    services.iter().map(String::as_str).collect()
}

/// Per service, the figure in the previous period and this one.
pub fn per_service(
    records: &[&Record],
    keys: &[String],
    compared: &Compared<'_>,
    pick: Pick,
) -> foldhash::HashMap<String, (Option<usize>, Option<usize>)> {
    let mut tallies: foldhash::HashMap<&str, (Tally, Tally)> = Default::default();
    for (r, key) in records.iter().zip(keys) {
        let period = if key == compared.this {
            1
        } else if key == compared.previous {
            0
        } else {
            continue;
        };
        for s in distinct(&r.services) {
            let t = tallies.entry(s).or_default();
            if period == 0 { &mut t.0 } else { &mut t.1 }.add(pick(r));
        }
    }
    tallies
        .into_iter()
        .map(|(s, (before, now))| {
            let before = before.value().filter(|_| !compared.previous_cut);
            (s.to_string(), (before, now.value()))
        })
        .collect()
}

/// The change from `before` to `now` in percent, one decimal; None
/// without both, or from nothing.
pub fn change(before: Option<usize>, now: Option<usize>) -> Option<f64> {
    let (before, now) = (before?, now?);
    (before > 0).then(|| {
        let pct = (now as f64 - before as f64) / before as f64 * 100.0;
        (pct * 10.0).round() / 10.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn twice_named() -> Record {
        crate::record::parse::parse_record(
            "schema = 1\nid = \"PM-20261101-aaaaaaaa\"\ntitle = \"t\"\nstatus = \"open\"\n\
             severity = \"SEV2\"\nservices = [\"payments\", \"payments\"]\n\
             created_at = 2026-11-01T10:00:00+09:00\n[impact]\nfield_reports = 7\n",
        )
        .unwrap()
    }

    #[test]
    fn a_service_named_twice_counts_its_reports_once() {
        let r = twice_named();
        let keys = vec!["2026-11".to_string()];
        let compared = Compared {
            this: "2026-11",
            previous: "2026-10",
            previous_cut: false,
        };
        let f = figure(&[&r], &keys, &["SEV2".into()], &compared, field_reports);
        assert_eq!(f.total, 7);
        assert_eq!(f.by_service.get("payments"), 7);
        let by = per_service(&[&r], &keys, &compared, field_reports);
        assert_eq!(by["payments"], (Some(0), Some(7)));
    }

    #[test]
    fn change_in_percent() {
        assert_eq!(super::change(Some(41), Some(23)), Some(-43.9));
        assert_eq!(super::change(Some(10), Some(15)), Some(50.0));
        assert_eq!(super::change(Some(0), Some(5)), None);
        assert_eq!(super::change(Some(40), None), None);
    }
}
