//! `update`: change the scalar fields of a post-mortem.

use super::fields::{Describe, ImpactArgs, IncidentTimes, clean_list, warn_time_order};
use super::{CommitArgs, report};
use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::{Error, Result};
use postmortem::record::Status;

const CLEARABLE: &[&str] = &[
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

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  devops postmortem update k7x3 --severity SEV1 --mitigated 09:45\n  devops postmortem update k7x3 --clear assignee"
)]
pub struct UpdateArgs {
    /// The post-mortem (any unique prefix of its ID)
    pub id: String,
    /// (--service and --tag replace the record's lists)
    #[command(flatten)]
    pub describe: Describe,
    #[command(flatten)]
    pub times: IncidentTimes,
    #[command(flatten)]
    pub impact: ImpactArgs,
    /// Remove a field: started_at, detected_at, … resolved_at, assignee, summary,
    /// users_affected, field_reports
    #[arg(long, value_name = "FIELD")]
    pub clear: Vec<String>,
    #[command(flatten)]
    pub commit: CommitArgs,
}

pub fn run(ctx: &Ctx, args: UpdateArgs) -> Result<()> {
    let nothing = args.describe.is_empty()
        && args.times.is_empty()
        && args.impact.is_empty()
        && args.clear.is_empty();
    if nothing {
        return Err(Error::usage(
            "nothing to update: give at least one field flag (see --help)",
        ));
    }
    for field in &args.clear {
        let set = match field.as_str() {
            "users_affected" => args.impact.users_affected.is_some(),
            "field_reports" => args.impact.field_reports.is_some(),
            "summary" => args.describe.summary.is_some(),
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
                postmortem::text::inline(field),
                CLEARABLE.join(", ")
            )));
        }
    }
    if let Some(t) = &args.describe.title
        && t.trim().is_empty()
    {
        return Err(Error::usage("--title cannot be empty"));
    }
    let severity = args
        .describe
        .severity
        .as_deref()
        .map(|s| ctx.config.check_severity(s))
        .transpose()?;
    let entry = ctx.find(&args.id)?;
    let done = ctx.change_record(
        &entry,
        "update",
        args.commit.message.as_deref(),
        |doc, before| {
            if before.status == Status::Withdrawn {
                super::refuse_settled(before)?;
            }
            if before.status == Status::Closed {
                ctx.out
                    .warn(&format!("{} is closed; updating it anyway", before.id));
            }
            if let Some(t) = &args.describe.title {
                doc.set_str(&["title"], t.trim());
            }
            if let Some(s) = &severity {
                doc.set_str(&["severity"], s);
            }
            if !args.describe.services.is_empty() {
                doc.set_list(&["services"], &clean_list(&args.describe.services));
            }
            if !args.describe.tags.is_empty() {
                doc.set_list(&["tags"], &clean_list(&args.describe.tags));
            }
            if let Some(s) = &args.describe.summary {
                doc.set_str(&["summary"], s.trim());
            }
            args.times.apply(ctx, doc, Some(before))?;
            args.impact.apply(doc, Some(&before.impact))?;
            for field in &args.clear {
                match field.as_str() {
                    "users_affected" | "field_reports" => doc.remove(&["impact", field]),
                    "assignee" | "summary" => doc.set_str(&[field], ""),
                    other => doc.remove(&[other]),
                }
            }
            Ok(())
        },
    )?;
    warn_time_order(ctx, &done.record);
    report(ctx, &done, "updated");
    Ok(())
}
