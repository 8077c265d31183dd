//! Flags shared by `new` and `update`: incident times and impact.

use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::Result;
use postmortem::record::{Record, RecordDoc};

/// What the incident is: shared by `new` and `update` (where the lists
/// replace what the record had).
#[derive(Args, Debug, Default)]
pub struct Describe {
    /// What broke, in one line (any language: "결제 서버 장애")
    #[arg(long, short)]
    pub title: Option<String>,
    /// Severity, SEV1 the worst (levels come from the config)
    #[arg(long, short)]
    pub severity: Option<String>,
    /// Affected service (repeat, or separate with commas)
    #[arg(long = "service", value_delimiter = ',', value_name = "NAME")]
    pub services: Vec<String>,
    /// Free-form tag (repeat, or separate with commas)
    #[arg(long = "tag", value_delimiter = ',', value_name = "TAG")]
    pub tags: Vec<String>,
    /// What happened, in a few sentences
    #[arg(long, value_name = "TEXT")]
    pub summary: Option<String>,
}

impl Describe {
    pub fn is_empty(&self) -> bool {
        self.title.is_none()
            && self.severity.is_none()
            && self.services.is_empty()
            && self.tags.is_empty()
            && self.summary.is_none()
    }
}

/// Incident times. Any form `--help` lists; back-dating is normal, and the
/// record keeps the offset you gave.
#[derive(Args, Debug, Default)]
pub struct IncidentTimes {
    /// When the incident began (e.g. "2026-11-23 09:12", "45m ago", "어제 14:30")
    #[arg(long, value_name = "TIME")]
    pub started: Option<String>,
    /// When it was noticed (alert, report); TTD = detected − started
    #[arg(long, value_name = "TIME")]
    pub detected: Option<String>,
    /// When someone took it on; TTA = acknowledged − started
    #[arg(long, value_name = "TIME")]
    pub acknowledged: Option<String>,
    /// When the impact stopped; TTM = mitigated − started
    #[arg(long, value_name = "TIME")]
    pub mitigated: Option<String>,
    /// When it was fully fixed; TTR = resolved − started
    #[arg(long, value_name = "TIME")]
    pub resolved: Option<String>,
}

impl IncidentTimes {
    pub fn is_empty(&self) -> bool {
        self.pairs().iter().all(|(_, _, v)| v.is_none())
    }

    fn pairs(&self) -> [(&'static str, &'static str, &Option<String>); 5] {
        [
            ("--started", "started_at", &self.started),
            ("--detected", "detected_at", &self.detected),
            ("--acknowledged", "acknowledged_at", &self.acknowledged),
            ("--mitigated", "mitigated_at", &self.mitigated),
            ("--resolved", "resolved_at", &self.resolved),
        ]
    }

    /// Parses every given time first, so one bad value writes nothing. A
    /// bare clock is read after the latest earlier incident time (given
    /// here, or already in `before`): `--started "2026-11-23 09:12"
    /// --detected 09:20` is 11-23 09:20.
    pub fn apply(&self, ctx: &Ctx, doc: &mut RecordDoc, before: Option<&Record>) -> Result<()> {
        let existing = |key: &str| {
            before.and_then(|r| match key {
                "started_at" => r.started_at,
                "detected_at" => r.detected_at,
                "acknowledged_at" => r.acknowledged_at,
                "mitigated_at" => r.mitigated_at,
                "resolved_at" => r.resolved_at,
                _ => None,
            })
        };
        let mut parsed = Vec::new();
        let mut anchor = None;
        for (flag, key, value) in self.pairs() {
            let t = match value {
                Some(v) => {
                    let t = ctx.time_after(flag, v, anchor)?;
                    parsed.push((key, t));
                    Some(t)
                }
                None => existing(key),
            };
            if let Some(t) = t {
                anchor = Some(anchor.map_or(t.0, |a: chrono::DateTime<_>| a.max(t.0)));
            }
        }
        for (key, t) in parsed {
            doc.set_time(&[key], &t);
        }
        Ok(())
    }
}

/// Warns (does not refuse) when incident times run backwards: people fill
/// them in one at a time, and `check` reports what is left.
pub fn warn_time_order(ctx: &Ctx, r: &Record) {
    for (later, earlier) in postmortem::record::status::times_out_of_order(r) {
        ctx.out.warn(&format!(
            "{later} is before {earlier}: check the times (devops postmortem update)"
        ));
    }
}

#[derive(Args, Debug, Default)]
pub struct ImpactArgs {
    /// How many users were affected (+N adds to the count)
    #[arg(long, value_name = "N|+N", allow_hyphen_values = true)]
    pub users_affected: Option<Amount>,
    /// How many calls and tickets came in from the field (+N adds: reports keep arriving)
    #[arg(long, value_name = "N|+N", allow_hyphen_values = true)]
    pub field_reports: Option<Amount>,
    /// Impact in words
    #[arg(long, value_name = "TEXT")]
    pub impact: Option<String>,
}

impl ImpactArgs {
    pub fn is_empty(&self) -> bool {
        self.users_affected.is_none() && self.field_reports.is_none() && self.impact.is_none()
    }

    /// Writes the figures; `+N` adds to what the record (`current`) has.
    pub fn apply(
        &self,
        doc: &mut RecordDoc,
        current: Option<&postmortem::record::model::Impact>,
    ) -> postmortem::error::Result<()> {
        let figures = [
            (
                "users_affected",
                self.users_affected,
                current.and_then(|c| c.users_affected),
            ),
            (
                "field_reports",
                self.field_reports,
                current.and_then(|c| c.field_reports),
            ),
        ];
        for (key, change, now) in figures {
            let Some(change) = change else { continue };
            let n = change.applied_to(now).ok_or_else(|| {
                postmortem::error::Error::usage(format!(
                    "--{}: {} + that is more than a count holds ({MAX_COUNT})",
                    key.replace('_', "-"),
                    now.unwrap_or(0)
                ))
            })?;
            doc.set_int(&["impact", key], n);
        }
        if let Some(text) = &self.impact {
            doc.set_str(&["impact", "description"], text);
        }
        Ok(())
    }
}

/// A count as typed: `37` sets it, `+3` adds to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    Set(u64),
    Add(u64),
}

/// The largest count a record holds (TOML integers are 64-bit signed).
const MAX_COUNT: u64 = i64::MAX as u64;

impl Amount {
    /// The count after this change, or None when it would not fit.
    pub fn applied_to(self, current: Option<u64>) -> Option<u64> {
        match self {
            Amount::Set(n) => Some(n),
            Amount::Add(n) => current
                .unwrap_or(0)
                .checked_add(n)
                .filter(|n| *n <= MAX_COUNT),
        }
    }
}

impl std::str::FromStr for Amount {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Amount, String> {
        let bad =
            || format!("'{s}' is not a count: give a whole number (37, 1,200) or one to add (+3)");
        let t = s.trim();
        let (add, digits) = match t.strip_prefix('+') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        // Digits, or thousands in groups of three (1,200).
        let groups: Vec<&str> = digits.split(',').collect();
        let grouped =
            groups.len() == 1 || (groups[0].len() <= 3 && groups[1..].iter().all(|g| g.len() == 3));
        if digits.is_empty()
            || !grouped
            || !groups
                .iter()
                .all(|g| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(bad());
        }
        let n: u64 = groups.concat().parse().map_err(|_| bad())?;
        if n > MAX_COUNT {
            return Err(format!(
                "'{s}' is too large: a count holds at most {MAX_COUNT}"
            ));
        }
        Ok(if add { Amount::Add(n) } else { Amount::Set(n) })
    }
}

/// Splits `--service a,b --service c` and drops blanks and duplicates.
pub fn clean_list(values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        let v = v.trim();
        if !v.is_empty() && !out.iter().any(|o| o == v) {
            out.push(v.to_string());
        }
    }
    out
}
