//! What `new` and `update` say about an incident, as typed: its
//! description, its times and its impact, checked and written into a
//! record document.

use crate::error::{Error, Result};
use crate::record::model::Impact;
use crate::record::{Record, RecordDoc};
use crate::session::Session;
use crate::time::Bare;

/// What the incident is. In `update`, the lists replace the record's.
#[derive(Debug, Clone, Default)]
pub struct Describe {
    pub title: Option<String>,
    pub severity: Option<String>,
    pub services: Vec<String>,
    pub tags: Vec<String>,
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

/// Incident times, each in any form `time` reads; back-dating is normal,
/// and the record keeps the offset given.
#[derive(Debug, Clone, Default)]
pub struct Times {
    pub started: Option<String>,
    pub detected: Option<String>,
    pub acknowledged: Option<String>,
    pub mitigated: Option<String>,
    pub resolved: Option<String>,
}

impl Times {
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
    /// --detected 09:20` is 11-23 09:20; one more than 12 h after it is
    /// refused with both readings (see `Session::time_as`).
    pub fn apply(
        &self,
        session: &Session,
        doc: &mut RecordDoc,
        before: Option<&Record>,
    ) -> Result<()> {
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
        // The latest incident time so far, and its field.
        let mut anchor: Option<(&str, chrono::DateTime<_>)> = None;
        for (flag, key, value) in self.pairs() {
            let t = match (value, anchor) {
                // A start corrected with a bare clock stays near the one
                // it corrects, not on today's date.
                (Some(v), None) if key == "started_at" => {
                    Some(session.time_as(flag, v, Bare::near(existing(key).map(|t| t.0)))?)
                }
                (Some(v), _) => Some(session.incident_time(flag, v, anchor)?),
                (None, _) => existing(key),
            };
            if let (Some(_), Some(t)) = (value, t) {
                parsed.push((key, t));
            }
            if let Some(t) = t
                && anchor.is_none_or(|(_, a)| t.0 > a)
            {
                anchor = Some((key, t.0));
            }
        }
        for (key, t) in parsed {
            doc.set_time(&[key], &t);
        }
        Ok(())
    }
}

/// The impact, as typed: counts (`37` sets, `+3` adds) and words.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub users_affected: Option<Amount>,
    pub field_reports: Option<Amount>,
}

#[derive(Debug, Clone, Default)]
pub struct ImpactInput {
    pub counts: Counts,
    pub description: Option<String>,
}

impl ImpactInput {
    pub fn is_empty(&self) -> bool {
        self.counts.users_affected.is_none()
            && self.counts.field_reports.is_none()
            && self.description.is_none()
    }

    /// Writes the figures; `+N` adds to what the record (`current`) has.
    pub fn apply(&self, doc: &mut RecordDoc, current: Option<&Impact>) -> Result<()> {
        let figures = [
            (
                "users_affected",
                self.counts.users_affected,
                current.and_then(|c| c.users_affected),
            ),
            (
                "field_reports",
                self.counts.field_reports,
                current.and_then(|c| c.field_reports),
            ),
        ];
        for (key, change, now) in figures {
            let Some(change) = change else { continue };
            let n = change.applied_to(now).ok_or_else(|| {
                Error::usage(format!(
                    "--{}: {} + that is more than a count holds ({MAX_COUNT})",
                    key.replace('_', "-"),
                    now.unwrap_or(0)
                ))
            })?;
            doc.set_int(&["impact", key], n);
        }
        if let Some(text) = &self.description {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_set_added_and_grouped_by_thousands() {
        assert_eq!("37".parse(), Ok(Amount::Set(37)));
        assert_eq!("+3".parse(), Ok(Amount::Add(3)));
        assert_eq!("1,200".parse(), Ok(Amount::Set(1200)));
        for bad in [
            "",
            "+",
            "1,20",
            "12,000,0",
            "-3",
            "3.5",
            "abc",
            "99999999999999999999",
        ] {
            assert!(bad.parse::<Amount>().is_err(), "{bad}");
        }
        assert_eq!(Amount::Add(3).applied_to(Some(7)), Some(10));
        assert_eq!(Amount::Add(3).applied_to(None), Some(3));
        assert_eq!(Amount::Add(1).applied_to(Some(MAX_COUNT)), None);
    }

    #[test]
    fn lists_lose_blanks_and_repeats_and_keep_their_order() {
        let typed = ["b".to_string(), " a ".into(), "".into(), "b".into()];
        assert_eq!(clean_list(&typed), ["b", "a"]);
    }
}
