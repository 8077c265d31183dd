//! `new`: start a post-mortem (see `ops::create`); on a terminal, a guided
//! flow asks for what the flags did not say.

use super::CommitArgs;
use super::fields::{DescribeArgs, ImpactArgs, TimesArgs};
use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::{Command, Error, Result};
use postmortem::ops::create::{self, Request};
use postmortem::ops::fields::{Amount, Times};

#[derive(Args, Debug)]
#[command(
    after_help = "Severity defaults to the config's default_severity, else the middle level. \
Without a terminal, --title is required and the new ID is printed alone \
on stdout.\n\nExamples:\n  devops postmortem new --title \"Login timeouts\" --severity SEV2 --started \"45m ago\"\n  id=$(devops postmortem new --title \"결제 서버 장애\" --started \"2026-11-23 09:12\" --detected 09:20)"
)]
pub struct NewArgs {
    #[command(flatten)]
    pub describe: DescribeArgs,
    #[command(flatten)]
    pub times: TimesArgs,
    #[command(flatten)]
    pub impact: ImpactArgs,
    /// Assign it right away (a name, handle or email; see `assign`)
    #[arg(long, value_name = "WHO")]
    pub assignee: Option<String>,
    /// Record template: built-in `default` or `sre`, or <dir>/templates/NAME.toml
    #[arg(long, default_value = "default", value_name = "NAME")]
    pub template: String,
    /// Start from another tool's incident: pagerduty (GET /incidents/{id}); flags still win
    #[arg(long, value_enum, value_name = "KIND", requires = "incident")]
    pub from: Option<NewFrom>,
    /// The incident document for --from (- for standard input)
    #[arg(value_name = "FILE", requires = "from")]
    pub incident: Option<String>,
    /// Its log entries (GET /incidents/{id}/log_entries), imported in the same commit
    #[arg(long, value_name = "FILE", requires = "from")]
    pub log: Option<String>,
    #[command(flatten)]
    pub commit: CommitArgs,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum NewFrom {
    Pagerduty,
}

pub fn run(ctx: &Ctx, args: NewArgs) -> Result<()> {
    let mut req = Request {
        describe: args.describe.describe(),
        times: args.times.times(),
        impact: args.impact.impact(),
        assignee: args.assignee.clone(),
        template: args.template.clone(),
    };
    let from = match args.from {
        Some(NewFrom::Pagerduty) => Some(from_pagerduty(ctx, &args, &mut req)?),
        None => None,
    };
    if req
        .describe
        .title
        .as_deref()
        .is_none_or(|t| t.trim().is_empty())
    {
        if !ctx.can_prompt() {
            return Err(
                Error::usage("missing --title: without a terminal, give it as a flag").hint(
                    Command::postmortem(["new", "--title", "What broke", "--severity", "SEV2"]),
                ),
            );
        }
        ask(ctx, &mut req)?;
    }
    let made = create::create(ctx, &req, from.as_ref(), args.commit.message.as_deref())?;
    for w in &made.outcome.warnings {
        ctx.out.warn(w);
    }
    ctx.flush_notes();
    let id = &made.id;
    if ctx.out.stdout_tty {
        crate::output::print_after_commit(
            &format!(
                "Created {id}: {}\n  {}\n  next: {}\n",
                postmortem::text::inline(&made.outcome.record.title),
                made.path,
                crate::output::postmortem_line(&["assign", id.suffix(), "me"])
            ),
            id.as_str(),
        );
    } else {
        crate::output::print_after_commit(&format!("{id}\n"), id.as_str());
    }
    Ok(())
}

/// The incident document and its log, read here (a file, or standard
/// input), handed to the library.
fn from_pagerduty(ctx: &Ctx, args: &NewArgs, req: &mut Request) -> Result<create::FromSource> {
    let file = args.incident.as_deref().unwrap_or("-");
    if file == "-" && args.log.as_deref() == Some("-") {
        return Err(Error::usage(
            "the incident and --log cannot both come from standard input",
        ));
    }
    let incident = super::import::read_input(file)?;
    let log = args
        .log
        .as_deref()
        .map(super::import::read_input)
        .transpose()?;
    create::from_pagerduty(ctx, req, &incident, log.as_ref())
}

/// The guided flow for someone at a terminal who typed just `new`: each
/// part asked in turn (a bad answer is asked again in place), then a
/// summary from which any part can be changed, or all cancelled. Ctrl-C
/// restores the terminal and writes nothing.
fn ask(ctx: &Ctx, args: &mut Request) -> Result<()> {
    let _restore = crate::prompt::restore_on_interrupt();
    // First pass: what the flags did not already say.
    let given = [
        false,
        args.describe.severity.is_some(),
        !args.describe.services.is_empty(),
        args.describe.summary.is_some(),
        !args.times.is_empty(),
        !args.impact.is_empty(),
    ];
    for part in (0..PARTS.len()).filter(|p| !given[*p]) {
        ask_part(ctx, args, part)?;
    }
    let mut choices: Vec<String> = vec!["Create it".into()];
    choices.extend(PARTS.iter().map(|p| format!("Change the {p}")));
    choices.push("Cancel (nothing is written)".into());
    loop {
        ctx.out.status(&summary(ctx, args));
        match crate::prompt::select(ctx, "Create this post-mortem?", &choices, 0)? {
            0 => return Ok(()),
            k if k == choices.len() - 1 => {
                return Err(Error::new("cancelled").nothing_written());
            }
            k => ask_part(ctx, args, k - 1)?,
        }
    }
}

const PARTS: [&str; 6] = [
    "title", "severity", "services", "summary", "times", "impact",
];

fn ask_part(ctx: &Ctx, args: &mut Request, part: usize) -> Result<()> {
    use crate::prompt;
    match PARTS[part] {
        "title" => args.describe.title = Some(prompt::text(ctx, "Title (what broke?)", true)?),
        "severity" => {
            let levels = ctx.config.severities.clone();
            let current = args
                .describe
                .severity
                .clone()
                .unwrap_or_else(|| ctx.config.default_severity());
            let default = levels.iter().position(|l| *l == current).unwrap_or(0);
            let pick = prompt::select(ctx, "Severity (SEV1 is the worst)", &levels, default)?;
            args.describe.severity = Some(levels[pick].clone());
        }
        "services" => {
            let known = known_services(ctx);
            args.describe.services.clear();
            if !known.is_empty() {
                let picked = prompt::multi_select(ctx, "Affected services", &known)?;
                args.describe.services = picked.into_iter().map(|i| known[i].clone()).collect();
            }
            // With a list in the config, only its services are valid (`check`
            // would refuse others): new ones go into the config first.
            if ctx.config.services.is_empty() {
                let more = prompt::text(
                    ctx,
                    "Other services (comma-separated, empty for none)",
                    false,
                )?;
                args.describe.services.extend(
                    more.split(',')
                        .map(|s| s.trim().to_string())
                        .filter(|s| !s.is_empty()),
                );
            }
        }
        "summary" => {
            args.describe.summary = Some(prompt::text(ctx, "Summary (what happened?)", false)?)
                .filter(|s| !s.is_empty());
        }
        "times" => {
            let mut anchor = None;
            type Slot = fn(&mut Times) -> &mut Option<String>;
            let fields: [(&str, Slot); 4] = [
                ("When did it start?", |t| &mut t.started),
                ("When was it detected?", |t| &mut t.detected),
                ("When was the impact mitigated?", |t| &mut t.mitigated),
                ("When was it resolved?", |t| &mut t.resolved),
            ];
            for (question, slot) in fields {
                let t = prompt::time(ctx, question, anchor)?;
                if let Some(t) = t {
                    anchor = Some(t.0);
                }
                *slot(&mut args.times) = t.map(|t| postmortem::time::format_rfc3339(&t.0));
            }
        }
        _ => {
            args.impact.counts.users_affected =
                prompt::number(ctx, "Users affected")?.map(Amount::Set);
            args.impact.counts.field_reports =
                prompt::number(ctx, "Field reports (calls and tickets from users)")?
                    .map(Amount::Set);
            args.impact.description =
                Some(prompt::text(ctx, "Impact in words", false)?).filter(|s| !s.is_empty());
        }
    }
    Ok(())
}

/// What the guided flow is about to create.
fn summary(ctx: &Ctx, args: &Request) -> String {
    use postmortem::text::inline;
    let d = &args.describe;
    let t = &args.times;
    let shown_time = |v: &Option<String>| {
        v.as_deref()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
            .map(|t| {
                ctx.zone()
                    .convert(t)
                    .format("%Y-%m-%d %H:%M %:z")
                    .to_string()
            })
            .unwrap_or_else(|| "—".into())
    };
    let number = |n: Option<u64>| n.map_or("—".to_string(), |n| n.to_string());
    let rows = [
        ("title", inline(d.title.as_deref().unwrap_or(""))),
        (
            "severity",
            d.severity
                .clone()
                .unwrap_or_else(|| ctx.config.default_severity()),
        ),
        ("services", inline(&d.services.join(", "))),
        ("summary", inline(d.summary.as_deref().unwrap_or("—"))),
        ("started", shown_time(&t.started)),
        ("detected", shown_time(&t.detected)),
        ("mitigated", shown_time(&t.mitigated)),
        ("resolved", shown_time(&t.resolved)),
        (
            "users affected",
            number(
                args.impact
                    .counts
                    .users_affected
                    .and_then(|a| a.applied_to(None)),
            ),
        ),
        (
            "field reports",
            number(
                args.impact
                    .counts
                    .field_reports
                    .and_then(|a| a.applied_to(None)),
            ),
        ),
        (
            "impact",
            inline(args.impact.description.as_deref().unwrap_or("—")),
        ),
    ];
    let mut s = String::from("\nAbout to create:\n");
    for (k, v) in rows {
        s.push_str(&format!("  {k:<15} {v}\n"));
    }
    s
}

/// Services from the config first, then those used in existing records.
fn known_services(ctx: &Ctx) -> Vec<String> {
    let mut known = ctx.config.services.clone();
    if let Ok((records, _)) =
        postmortem::store::read::load_all(&ctx.store, postmortem::store::read::Detail::Slim)
    {
        let mut used: Vec<String> = records.into_iter().flat_map(|r| r.services).collect();
        used.sort();
        used.dedup();
        for s in used {
            if !known.contains(&s) {
                known.push(s);
            }
        }
    }
    known
}
