//! `check`: validate every record, for CI and before a review.

use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::{Error, Result};
use postmortem::record::lint::{RULES, is_rule, rule_ids};

#[derive(Args, Debug)]
#[command(
    after_help = "Errors (exit 1) keep the format whole: TOML that does not parse, fields a status \
needs, incident times out of order, unknown severity or service, duplicate IDs, misplaced files, \
anything else in the records folder (only records, config.toml, deploys.jsonl and templates/ belong), two live \
records of one PagerDuty incident. Warnings and infos are about the write-up: blame language, \
vague or unowned action items, a stated length the times contradict, uncommitted records, passed \
review deadlines, Fixes-Postmortem trailers that name no action item. \
`--rules` lists them all; the config's `[lint] off = [\"ID\"]` turns a warning off for the team.\n\n\
In CI:  devops postmortem check\n\nExamples:\n  devops postmortem check\n  \
devops postmortem check --rule blame-language --rule vague-action\n  \
devops postmortem check --no-rule review-overdue --json"
)]
pub struct CheckArgs {
    /// Print JSON: {records, errors, warnings, infos, findings[{file, line, level, rule, message}]}
    #[arg(long)]
    pub json: bool,
    /// Run only this rule (repeat for more; `--rules` lists them); error rules always run
    #[arg(long = "rule", value_name = "ID")]
    pub only: Vec<String>,
    /// Skip this rule (repeat for more)
    #[arg(long = "no-rule", value_name = "ID")]
    pub skip: Vec<String>,
    /// List the rules: id, level, what each flags
    #[arg(long)]
    pub rules: bool,
}

pub fn run(ctx: &Ctx, args: CheckArgs) -> Result<()> {
    if args.rules {
        let text: String = RULES
            .iter()
            .map(|(id, level, what)| format!("{id:<18} {:<8} {what}\n", level.as_str()))
            .collect();
        crate::output::print(&text);
        return Ok(());
    }
    for id in &args.skip {
        if postmortem::record::lint::is_error_rule(id) {
            return Err(Error::usage(format!(
                "--no-rule {id}: error rules keep the record format whole and always run; only warning and info rules can be skipped"
            )));
        }
    }
    for id in args.only.iter().chain(&args.skip) {
        if !is_rule(id) {
            let hint = postmortem::record::lint::did_you_mean(id, &rule_ids())
                .map(|g| format!(" (did you mean '{g}'?)"))
                .unwrap_or_default();
            return Err(Error::usage(format!(
                "no rule '{}'{hint}: `devops postmortem check --rules` lists them",
                postmortem::text::inline(id)
            )));
        }
    }
    let mut selection = ctx.config.lint_rules().selection;
    if !args.only.is_empty() {
        // Asked for by name: runs even if the config turned it off.
        selection.skip.retain(|s| !args.only.contains(s));
        selection.only = args.only.clone();
    }
    selection.skip.extend(args.skip.iter().cloned());
    let report = postmortem::ops::check::check(ctx, selection)?;
    if args.json {
        crate::render::json::print(&report)?;
    } else {
        let text: String = report
            .findings
            .iter()
            .map(|f| {
                format!(
                    "{}:{}: {}[{}]: {}\n",
                    f.file,
                    f.line,
                    f.level.as_str(),
                    f.rule,
                    postmortem::text::inline(&crate::output::pasteable(&f.message))
                )
            })
            .collect();
        crate::output::print(&text);
    }
    let summary = format!(
        "{} error(s), {} warning(s), {} info(s) in {} record file(s)",
        report.errors, report.warnings, report.infos, report.records
    );
    if report.errors > 0 {
        return Err(Error::new(format!("check: {summary}")));
    }
    if !args.json {
        ctx.out.status(&format!("check: ok, {summary}"));
    }
    Ok(())
}
