//! `update`: change the scalar fields of a post-mortem (see `ops::update`).

use super::fields::{DescribeArgs, ImpactArgs, TimesArgs};
use super::{CommitArgs, report};
use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::Result;
use postmortem::ops::update::{Request, update};

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  devops postmortem update k7x3 --severity SEV1 --mitigated 09:45\n  devops postmortem update k7x3 --clear assignee"
)]
pub struct UpdateArgs {
    /// The post-mortem (any unique prefix of its ID)
    #[arg(add = super::completions::record_ids())]
    pub id: String,
    /// (--service and --tag replace the record's lists)
    #[command(flatten)]
    pub describe: DescribeArgs,
    #[command(flatten)]
    pub times: TimesArgs,
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
    let req = Request {
        describe: args.describe.describe(),
        times: args.times.times(),
        impact: args.impact.impact(),
        clear: args.clear.clone(),
    };
    let done = update(ctx, &args.id, &req, args.commit.message.as_deref())?;
    report(ctx, &done, "updated");
    Ok(())
}
