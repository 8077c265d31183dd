//! `import`: a record's timeline from the pager, the alert manager or the
//! chat channel, in one commit.

use super::{CommitArgs, report};
use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::{Error, Result};
use postmortem::ops::create::Input;
use postmortem::ops::import::{Imported, WindowInput, import};

#[derive(Args, Debug)]
#[command(after_help = "Kinds (their public formats):
  pagerduty     GET /incidents/{id}/log_entries: trigger → detected_at, acknowledge → acknowledged_at, resolve → resolved_at
  alertmanager  an Alertmanager webhook payload (version 4): startsAt → detected_at, endsAt → resolved_at
  slack         one channel's file from a Slack export (--since/--until cut the window; --match keeps reacted or matching messages)
  jsonl, csv    at,text[,source_id] for everything else (at: RFC 3339)

Importing the same file again adds nothing. Incident times are filled only where the record has none.

Examples:
  devops postmortem import k7x3 --from pagerduty log_entries.json
  devops postmortem import k7x3 --from slack channels/incident/2026-11-23.json --since 09:00 --until 11:00 --dry-run
  curl -s … | devops postmortem import k7x3 --from alertmanager -")]
pub struct ImportArgs {
    /// The post-mortem (any unique prefix of its ID)
    #[arg(add = super::completions::record_ids())]
    pub id: String,
    /// What the file is
    #[arg(long, value_enum, value_name = "KIND")]
    pub from: crate::cli::values::SourceArg,
    /// The file, or - for standard input
    #[arg(value_name = "FILE")]
    pub file: String,
    /// Show what would be added and set; write nothing
    #[arg(long, short = 'n')]
    pub dry_run: bool,
    #[command(flatten)]
    pub window: WindowArgs,
    #[command(flatten)]
    pub commit: CommitArgs,
}

#[derive(Args, Debug, Default)]
pub struct WindowArgs {
    /// Only events at or after TIME (a bare 09:00 is the one nearest the incident's start)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only events before TIME
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Only events whose text has WORD (Slack: or that someone reacted to)
    #[arg(long = "match", value_name = "WORD")]
    pub matching: Option<String>,
}

impl WindowArgs {
    fn input(&self) -> WindowInput {
        WindowInput {
            since: self.since.clone(),
            until: self.until.clone(),
            matching: self.matching.clone(),
        }
    }
}

/// FILE (or standard input): its bytes, the name errors give it, and the
/// argument as a shell word for commands to paste (none for standard
/// input, which a pasted command would read from the terminal).
pub fn read_input(file: &str) -> Result<Input> {
    if file == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .map_err(|e| Error::new(format!("standard input: {e}")))?;
        return Ok(Input {
            bytes,
            name: "standard input".into(),
            arg: None,
        });
    }
    let bytes = std::fs::read(file).map_err(|e| {
        Error::usage(format!(
            "{file}: {}",
            postmortem::error::one_line(&e.to_string())
        ))
    })?;
    // A file named like a flag, made safe to paste.
    let arg = if file.starts_with('-') {
        format!("./{file}")
    } else {
        file.to_string()
    };
    Ok(Input {
        bytes,
        name: file.to_string(),
        arg: Some(arg),
    })
}

pub fn run(ctx: &Ctx, args: ImportArgs) -> Result<()> {
    let input = read_input(&args.file)?;
    let done = import(
        ctx,
        &args.id,
        args.from.into(),
        &input,
        &args.window.input(),
        args.dry_run,
        args.commit.message.as_deref(),
    )?;
    let Some(outcome) = &done.outcome else {
        crate::output::print(&describe(&done, true));
        return Ok(());
    };
    let summary = describe(&done, false);
    if outcome.commit.is_none() {
        ctx.out.status(summary.trim_end());
        return Ok(());
    }
    report(ctx, outcome, summary.lines().next().unwrap_or("imported"));
    for line in summary.lines().skip(1) {
        ctx.out.status(line);
    }
    Ok(())
}

/// What an import adds and sets, one line each.
fn describe(done: &Imported, dry: bool) -> String {
    let (id, plan, counts) = (&done.record_id, &done.plan, &done.counts);
    let n = plan.added.len();
    let entries = |n: usize| if n == 1 { "entry" } else { "entries" };
    let outside = if counts.outside > 0 {
        format!("{} outside --since/--until/--match", counts.outside)
    } else {
        String::new()
    };
    let mut out = String::new();
    if counts.total == 0 {
        out.push_str(&format!(
            "nothing to import: {} has no entries\n",
            counts.file
        ));
    } else if n == 0 && plan.already == 0 {
        out.push_str(&format!(
            "nothing to import: all {} {} of {} are outside --since/--until/--match\n",
            counts.total,
            entries(counts.total),
            counts.file
        ));
    } else if n == 0 {
        let rest = if outside.is_empty() {
            String::new()
        } else {
            format!("; {outside}")
        };
        out.push_str(&format!(
            "nothing to import: {} of {} {} already in {id}{rest}\n",
            plan.already,
            counts.total,
            if counts.total == 1 {
                "entry is"
            } else {
                "entries are"
            },
        ));
    } else {
        let mut notes = Vec::new();
        if plan.already > 0 {
            notes.push(format!("{} already there", plan.already));
        }
        if !outside.is_empty() {
            notes.push(outside);
        }
        let notes = if notes.is_empty() {
            String::new()
        } else {
            format!(" ({})", notes.join(", "))
        };
        let verb = if dry { "would add" } else { "imported" };
        out.push_str(&format!("{verb} {n} timeline {}{notes}\n", entries(n)));
    }
    if dry {
        for e in &plan.added {
            out.push_str(&format!(
                "  + {}  {}\n",
                postmortem::time::format_rfc3339(&e.at),
                postmortem::text::inline(&postmortem::text::truncate(&e.text, 100))
            ));
        }
    }
    for (field, at) in &plan.times {
        let verb = if dry { "would set" } else { "set" };
        out.push_str(&format!(
            "{verb} {field} = {}\n",
            postmortem::time::format_rfc3339(at)
        ));
    }
    for why in &plan.not_set {
        out.push_str(&format!("left alone: {why}\n"));
    }
    out
}
