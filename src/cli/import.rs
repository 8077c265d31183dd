//! `import`: a record's timeline from the pager, the alert manager or the
//! chat channel, in one commit.

use super::{CommitArgs, report};
use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::{Error, Result};
use postmortem::ops::import::{Plan, apply, plan};
use postmortem::sources::{Kind, Read, Window};

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
    /// The window, bare clocks read as the time nearest the incident's
    /// start (`--since 09:00` for an incident at 09:10 is that morning),
    /// and `--until` after `--since`.
    pub fn window(
        &self,
        ctx: &Ctx,
        began: Option<chrono::DateTime<chrono::FixedOffset>>,
    ) -> Result<Window> {
        let near = began.map(|b| b - chrono::Duration::hours(12));
        let since = self
            .since
            .as_deref()
            .map(|s| ctx.time_after("--since", s, near).map(|t| t.0))
            .transpose()?;
        let until = self
            .until
            .as_deref()
            .map(|s| ctx.time_after("--until", s, since.or(near)).map(|t| t.0))
            .transpose()?;
        if let (Some(s), Some(u)) = (since, until)
            && u <= s
        {
            return Err(Error::usage(format!(
                "--until {} is not after --since {}",
                postmortem::time::format_rfc3339(&u),
                postmortem::time::format_rfc3339(&s)
            )));
        }
        Ok(Window {
            since,
            until,
            matching: self.matching.clone().filter(|w| !w.trim().is_empty()),
        })
    }
}

/// The bytes of FILE (or standard input) and the name errors give it.
pub fn read_input(file: &str) -> Result<(Vec<u8>, String)> {
    if file == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .map_err(|e| Error::new(format!("standard input: {e}")))?;
        return Ok((bytes, "standard input".into()));
    }
    let bytes = std::fs::read(file).map_err(|e| {
        Error::usage(format!(
            "{file}: {}",
            postmortem::error::one_line(&e.to_string())
        ))
    })?;
    Ok((bytes, file.to_string()))
}

/// The events in `bytes`, or an error naming the file and the entry.
pub fn events(kind: Kind, bytes: &[u8], name: &str, window: &Window) -> Result<Read> {
    postmortem::sources::read(kind, bytes, window).map_err(|p| {
        Error::usage(format!(
            "{} (read as {} {})",
            p.in_file(name),
            article(kind),
            kind_name(kind)
        ))
        .nothing_written()
        .hint("devops postmortem import --help")
    })
}

fn kind_name(kind: Kind) -> String {
    kind.name().to_string()
}

fn article(kind: Kind) -> &'static str {
    if kind == Kind::Alertmanager {
        "an"
    } else {
        "a"
    }
}

pub fn run(ctx: &Ctx, args: ImportArgs) -> Result<()> {
    let entry = ctx.find(&args.id)?;
    let record = postmortem::store::read::load(&ctx.store, &entry)?;
    let window = args.window.window(ctx, record.started_at.map(|t| t.0))?;
    let (bytes, name) = read_input(&args.file)?;
    let read = events(args.from.into(), &bytes, &name, &window)?;
    let counts = Counts {
        total: read.events.len() + read.outside,
        outside: read.outside,
        file: name,
    };
    if args.dry_run {
        let plan = plan(&record, read.events).map_err(Error::usage)?;
        crate::output::print(&describe(&record.id, &plan, &counts, true));
        return Ok(());
    }
    let mut summary = String::new();
    let done = ctx.change_record(
        &entry,
        "import",
        args.commit.message.as_deref(),
        |doc, before| {
            // Planned against the record as committed, on every attempt:
            // a commit of someone else's in between moves it.
            let plan = plan(before, read.events.clone()).map_err(Error::usage)?;
            apply(doc, &plan);
            summary = describe(&before.id, &plan, &counts, false);
            Ok(())
        },
    )?;
    if done.commit.is_none() {
        ctx.out.status(summary.trim_end());
        return Ok(());
    }
    report(ctx, &done, summary.lines().next().unwrap_or("imported"));
    for line in summary.lines().skip(1) {
        ctx.out.status(line);
    }
    Ok(())
}

/// How many entries the document had, and how many the window left out.
struct Counts {
    total: usize,
    outside: usize,
    file: String,
}

/// What an import adds and sets, one line each.
fn describe(id: &str, plan: &Plan, counts: &Counts, dry: bool) -> String {
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
