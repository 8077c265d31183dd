//! `check`: validate every record, for CI and before a review.

use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::record::lint::Level;
use clap::Args;

#[derive(Args, Debug)]
#[command(
    after_help = "Errors (exit 1): TOML that does not parse, schema, required fields by \
status (analyzed needs a root cause and actions; closed needs closed_at), timestamp order \
(started ≤ detected ≤ acknowledged ≤ mitigated ≤ resolved), unknown severity or service, \
duplicate IDs, files outside postmortems/YYYY/MM/<id>.toml. Warnings: records changed but not \
committed, review deadlines passed.\n\nIn CI:  devops postmortem check\n\nExamples:\n  devops postmortem check\n  devops postmortem check --json"
)]
pub struct CheckArgs {
    /// Print JSON: {records, errors, warnings, findings[{file, line, level, message}]}
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, args: CheckArgs) -> Result<()> {
    let report = crate::ops::check::check(ctx)?;
    if args.json {
        crate::render::json::print(&report)?;
    } else {
        let text: String = report
            .findings
            .iter()
            .map(|f| {
                let level = match f.level {
                    Level::Error => "error",
                    Level::Warning => "warning",
                };
                format!(
                    "{}:{}: {level}: {}\n",
                    f.file,
                    f.line,
                    crate::text::inline(&f.message)
                )
            })
            .collect();
        crate::output::print(&text);
    }
    let summary = format!(
        "{} error(s), {} warning(s) in {} record file(s)",
        report.errors, report.warnings, report.records
    );
    if report.errors > 0 {
        return Err(Error::new(format!("check: {summary}")));
    }
    if !args.json {
        ctx.out.status(&format!("check: ok, {summary}"));
    }
    Ok(())
}
