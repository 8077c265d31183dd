//! `update`: change the title, severity, services, summary, incident times
//! or impact of a post-mortem.

use super::fields::{Describe, ImpactInput, Times, clean_list};
use super::{Outcome, refuse_settled, time_order_warnings};
use crate::error::{Error, Result};
use crate::record::Status;
use crate::session::Session;

/// The fields `--clear` can remove.
pub const CLEARABLE: &[&str] = &[
    "started_at",
    "detected_at",
    "acknowledged_at",
    "mitigated_at",
    "resolved_at",
    "assignee",
    "summary",
    "users_affected",
    "field_reports",
];

/// What to change: the fields given, and the fields to clear.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub describe: Describe,
    pub times: Times,
    pub impact: ImpactInput,
    pub clear: Vec<String>,
}

impl Request {
    fn is_empty(&self) -> bool {
        self.describe.is_empty()
            && self.times.is_empty()
            && self.impact.is_empty()
            && self.clear.is_empty()
    }

    /// Refuses, before anything is read, what cannot be done.
    fn check(&self) -> Result<()> {
        if self.is_empty() {
            return Err(Error::usage(
                "nothing to update: give at least one field flag (see --help)",
            ));
        }
        for field in &self.clear {
            let set = match field.as_str() {
                "users_affected" => self.impact.counts.users_affected.is_some(),
                "field_reports" => self.impact.counts.field_reports.is_some(),
                "summary" => self.describe.summary.is_some(),
                _ => false,
            };
            if set {
                return Err(Error::usage(format!(
                    "--clear {field} and --{} both given: set it or clear it",
                    field.replace('_', "-")
                )));
            }
            if !CLEARABLE.contains(&field.as_str()) {
                return Err(Error::usage(format!(
                    "--clear {}: not a field that can be cleared; use one of {}",
                    crate::text::inline(field),
                    CLEARABLE.join(", ")
                )));
            }
        }
        if self
            .describe
            .title
            .as_deref()
            .is_some_and(|t| t.trim().is_empty())
        {
            return Err(Error::usage("--title cannot be empty"));
        }
        Ok(())
    }
}

/// Changes what `req` gives. A closed record is changed anyway, with a
/// warning; a withdrawn one is refused (reopen it first).
pub fn update(
    session: &Session,
    query: &str,
    req: &Request,
    message: Option<&str>,
) -> Result<Outcome> {
    req.check()?;
    let severity = req
        .describe
        .severity
        .as_deref()
        .map(|s| session.config.check_severity(s))
        .transpose()?;
    let entry = session.find(query)?;
    let mut warnings = Vec::new();
    let done = session.change_record(&entry, "update", message, |doc, before| {
        if before.status == Status::Withdrawn {
            refuse_settled(before)?;
        }
        if before.status == Status::Closed {
            warnings = vec![format!("{} is closed; updating it anyway", before.id)];
        }
        let d = &req.describe;
        if let Some(t) = &d.title {
            doc.set_str(&["title"], t.trim());
        }
        if let Some(s) = &severity {
            doc.set_str(&["severity"], s);
        }
        if !d.services.is_empty() {
            doc.set_list(&["services"], &clean_list(&d.services));
        }
        if !d.tags.is_empty() {
            doc.set_list(&["tags"], &clean_list(&d.tags));
        }
        if let Some(s) = &d.summary {
            doc.set_str(&["summary"], s.trim());
        }
        req.times.apply(session, doc, Some(before))?;
        req.impact.apply(doc, Some(&before.impact))?;
        for field in &req.clear {
            match field.as_str() {
                "users_affected" | "field_reports" => doc.remove(&["impact", field]),
                "assignee" | "summary" => doc.set_str(&[field], ""),
                other => doc.remove(&[other]),
            }
        }
        Ok(())
    })?;
    let mut outcome = Outcome::of(done);
    warnings.extend(time_order_warnings(&outcome.record));
    outcome.warnings = warnings;
    Ok(outcome)
}
