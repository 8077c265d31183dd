//! `list`: the records, filtered, newest first.

use super::filter::RecordFilter;
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
    /// Only records assigned to someone whose name or email contains this;
    /// `me` for yourself, `none` for unassigned
    #[arg(long, value_name = "WHO")]
    pub assignee: Option<String>,
    #[command(flatten)]
    pub filter: RecordFilter,
    /// Print JSON (the record format's field names)
    #[arg(long)]
    pub json: bool,
}

/// Who `--assignee` asks for.
enum Wanted {
    Anyone,
    Nobody,
    /// An email (for `me`) or part of a name or email, lowercased.
    Matching(String),
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
    let wanted = match args.assignee.as_deref() {
        None => Wanted::Anyone,
        Some("none") => Wanted::Nobody,
        Some("me") => Wanted::Matching(
            crate::store::identity::identity(&ctx.store.repo, "AUTHOR")?
                .email
                .to_lowercase(),
        ),
        Some(q) => Wanted::Matching(q.to_lowercase()),
    };

    // The table needs no prose; --json prints whole records.
    let detail = if args.json {
        Detail::Full
    } else {
        Detail::Slim
    };
    let records = args.filter.load(ctx, detail)?;
    let keep = |r: &Record| {
        let status_ok = if statuses.is_empty() {
            args.all || r.status != Status::Closed
        } else {
            statuses.contains(&r.status)
        };
        let assignee_ok = match &wanted {
            Wanted::Anyone => true,
            Wanted::Nobody => r.assignee.is_none(),
            Wanted::Matching(q) => r
                .assignee
                .as_deref()
                .is_some_and(|a| a.to_lowercase().contains(q.as_str())),
        };
        status_ok && assignee_ok
    };
    let shown: Vec<&Record> = records.iter().filter(|r| keep(r)).collect();

    if args.json {
        return crate::render::json::print(&shown);
    }
    if shown.is_empty() {
        let none_at_all =
            args.filter.at.is_none() && crate::store::read::entries(&ctx.store)?.is_empty();
        ctx.out.status(if none_at_all {
            "no post-mortems yet: `devops postmortem new` starts one"
        } else {
            "no post-mortems match (closed ones need --all)"
        });
        return Ok(());
    }
    crate::output::print(&crate::render::table::records(&shown, ctx.now));
    Ok(())
}
