//! `list`: the records, filtered, newest first.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::record::{Record, Status};
use crate::store::read::Detail;
use clap::Args;

#[derive(Args, Debug)]
pub struct ListArgs {
    /// Only these statuses (repeat or comma-separate: open, assigned, analyzed, closed)
    #[arg(long, value_delimiter = ',', value_name = "STATUS")]
    pub status: Vec<String>,
    /// Include closed post-mortems
    #[arg(long, short)]
    pub all: bool,
    /// Only this severity (repeat or comma-separate)
    #[arg(long, value_delimiter = ',', value_name = "SEV")]
    pub severity: Vec<String>,
    /// Only records that name this service
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,
    /// Only records assigned to someone whose name or email contains this;
    /// `me` for yourself, `none` for unassigned
    #[arg(long, value_name = "WHO")]
    pub assignee: Option<String>,
    /// Only incidents that began at or after this time ("7d ago", 2026-11-01)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// The records as they were at a commit, tag or time (HEAD~10, v1.2, 2026-10-01)
    #[arg(long, value_name = "REV|TIME")]
    pub at: Option<String>,
    /// Print JSON (the record format's field names)
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, args: ListArgs) -> Result<()> {
    let statuses = args
        .status
        .iter()
        .map(|s| {
            Status::parse(s).ok_or_else(|| {
                Error::usage(format!(
                    "--status '{}': use one of {}",
                    crate::render::sanitize::inline(s),
                    Status::names()
                ))
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let severities = args
        .severity
        .iter()
        .map(|s| ctx.config.check_severity(s))
        .collect::<Result<Vec<_>>>()?;
    let since = args
        .since
        .as_deref()
        .map(|s| ctx.time("--since", s))
        .transpose()?;
    let me = match args.assignee.as_deref() {
        Some("me") => Some(crate::store::identity::identity(&ctx.store.repo, "AUTHOR")?.email),
        _ => None,
    };

    // The table needs no prose; --json prints whole records.
    let detail = if args.json {
        Detail::Full
    } else {
        Detail::Slim
    };
    let records = ctx.records(args.at.as_deref(), detail)?;
    let keep = |r: &Record| {
        let status_ok = if statuses.is_empty() {
            args.all || r.status != Status::Closed
        } else {
            statuses.contains(&r.status)
        };
        let assignee_ok = match (args.assignee.as_deref(), &me) {
            (None, _) => true,
            (Some(_), Some(email)) => r
                .assignee
                .as_deref()
                .is_some_and(|a| a.contains(email.as_str())),
            (Some("none"), None) => r.assignee.is_none(),
            (Some(q), None) => r
                .assignee
                .as_deref()
                .is_some_and(|a| a.to_lowercase().contains(&q.to_lowercase())),
        };
        status_ok
            && assignee_ok
            && (severities.is_empty() || severities.contains(&r.severity))
            && args.service.as_ref().is_none_or(|s| r.services.contains(s))
            && since.is_none_or(|t| r.began() >= t.0)
    };
    let mut shown: Vec<&Record> = records.iter().filter(|r| keep(r)).collect();
    shown.sort_by(|a, b| b.began().cmp(&a.began()).then_with(|| a.id.cmp(&b.id)));

    if args.json {
        return crate::render::json::print(&shown);
    }
    if shown.is_empty() {
        ctx.out.status(if records.is_empty() {
            "no post-mortems yet: `devops postmortem new` starts one"
        } else {
            "no post-mortems match (closed ones need --all)"
        });
        return Ok(());
    }
    crate::output::print(&crate::render::table::records(&shown, ctx.now));
    Ok(())
}
