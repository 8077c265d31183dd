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
    pub value: usize,
    pub left_out: usize,
}

/// Which figure of a record.
pub type Pick = fn(&Record) -> Option<u64>;

pub fn field_reports(r: &Record) -> Option<u64> {
    r.impact.field_reports
}

pub fn users_affected(r: &Record) -> Option<u64> {
    r.impact.users_affected
}

/// The figure `pick` over `records`; `keys[i]` is record i's period, and
/// `this`/`previous` the periods compared.
pub fn figure(
    records: &[&Record],
    keys: &[String],
    severities: &[String],
    this: &str,
    previous: &str,
    pick: Pick,
) -> Figure {
    let mut f = Figure {
        total: 0,
        records: 0,
        left_out: 0,
        by_severity: Counts::with_keys(severities.iter().cloned()),
        by_service: Counts::default(),
        by_period: Counts::default(),
        this_period: PeriodValue {
            period: this.to_string(),
            value: 0,
            left_out: 0,
        },
        previous_period: PeriodValue {
            period: previous.to_string(),
            value: 0,
            left_out: 0,
        },
        change_percent: None,
    };
    for (r, key) in records.iter().zip(keys) {
        let slot = if key == this {
            Some(&mut f.this_period)
        } else if key == previous {
            Some(&mut f.previous_period)
        } else {
            None
        };
        let Some(n) = pick(r) else {
            f.left_out += 1;
            if let Some(p) = slot {
                p.left_out += 1;
            }
            continue;
        };
        let n = usize::try_from(n).unwrap_or(usize::MAX);
        f.records += 1;
        f.total = f.total.saturating_add(n);
        f.by_severity.add(&r.severity, n);
        for s in &r.services {
            f.by_service.add(s, n);
        }
        f.by_period.add(key, n);
        if let Some(p) = slot {
            p.value = p.value.saturating_add(n);
        }
    }
    f.by_service
        .sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    f.by_period.sort_by(|a, b| a.0.cmp(&b.0));
    f.change_percent = change(f.previous_period.value, f.this_period.value);
    f
}

/// The change from `before` to `now` in percent, one decimal.
pub fn change(before: usize, now: usize) -> Option<f64> {
    (before > 0).then(|| {
        let pct = (now as f64 - before as f64) / before as f64 * 100.0;
        (pct * 10.0).round() / 10.0
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn change_in_percent() {
        assert_eq!(super::change(41, 23), Some(-43.9));
        assert_eq!(super::change(10, 15), Some(50.0));
        assert_eq!(super::change(0, 5), None);
    }
}
