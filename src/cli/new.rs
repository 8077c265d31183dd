//! `new`: start a post-mortem.

use super::CommitArgs;
use super::fields::{Describe, ImpactArgs, IncidentTimes, clean_list, warn_time_order};
use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::{Error, Result};
use postmortem::record::{RecordDoc, RecordId, Timestamp, model::SCHEMA};
use postmortem::store::{Change, commit_record};

#[derive(Args, Debug)]
#[command(
    after_help = "Severity defaults to the config's default_severity, else the middle level. \
Without a terminal, --title is required and the new ID is printed alone \
on stdout.\n\nExamples:\n  devops postmortem new --title \"Login timeouts\" --severity SEV2 --started \"45m ago\"\n  id=$(devops postmortem new --title \"결제 서버 장애\" --started \"2026-11-23 09:12\" --detected 09:20)"
)]
pub struct NewArgs {
    #[command(flatten)]
    pub describe: Describe,
    #[command(flatten)]
    pub times: IncidentTimes,
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

pub fn run(ctx: &Ctx, mut args: NewArgs) -> Result<()> {
    let template = postmortem::templates::record_template(&ctx.store, &args.template)?;
    let from = match args.from {
        Some(NewFrom::Pagerduty) => Some(from_pagerduty(ctx, &mut args)?),
        None => None,
    };
    if args
        .describe
        .title
        .as_deref()
        .is_none_or(|t| t.trim().is_empty())
    {
        if !ctx.can_prompt() {
            return Err(
                Error::usage("missing --title: without a terminal, give it as a flag")
                    .hint("devops postmortem new --title \"What broke\" --severity SEV2"),
            );
        }
        ask(ctx, &mut args)?;
    }
    let title = args.describe.title.clone().unwrap_or_default();
    let severity = match &args.describe.severity {
        Some(s) => ctx.config.check_severity(s)?,
        None => ctx.config.default_severity(),
    };
    let assignee = args
        .assignee
        .as_deref()
        .map(|who| ctx.person(who))
        .transpose()?;
    let reporter = postmortem::store::identity::identity(&ctx.store.repo, "AUTHOR")?.display();
    let id = RecordId::generate(ctx.now.naive_utc().date())?;
    let path = ctx.store.record_path(&id);

    let mut doc = RecordDoc::parse(&template).map_err(|e| {
        Error::new(format!(
            "template '{}' is not valid TOML: {e}",
            args.template
        ))
    })?;
    doc.set_int(&["schema"], SCHEMA as u64);
    doc.set_str(&["id"], id.as_str());
    doc.set_str(&["title"], title.trim());
    doc.set_str(&["status"], "open");
    doc.set_str(&["severity"], &severity);
    let services = clean_list(&args.describe.services);
    if !services.is_empty() {
        doc.set_list(&["services"], &services);
    }
    let tags = clean_list(&args.describe.tags);
    if !tags.is_empty() {
        doc.push_to_list(&["tags"], &tags);
    }
    doc.set_str(&["reporter"], &reporter);
    if let Some(a) = &assignee {
        doc.set_str(&["assignee"], a);
    }
    if let Some(s) = &args.describe.summary {
        doc.set_str(&["summary"], s.trim());
    }
    args.times.apply(ctx, &mut doc, None)?;
    args.impact.apply(&mut doc, None)?;
    doc.set_time(&["created_at"], &Timestamp(ctx.now));
    if let Some(events) = from.as_ref().and_then(|f| f.events.clone()) {
        let so_far = postmortem::record::parse::parse_record(&doc.render())
            .map_err(|e| Error::new(format!("the new record would be invalid: {e}")))?;
        let plan = postmortem::ops::import::plan(&so_far, events).map_err(|e| {
            Error::usage(format!("{}: {e}", args.log.as_deref().unwrap_or("--log")))
        })?;
        postmortem::ops::import::apply(&mut doc, &plan);
        for why in &plan.not_set {
            ctx.note(format!("left alone: {why}"));
        }
    }
    let text = ctx.finish(&path, doc)?;

    let change = Change {
        id: Some(&id),
        path: &path,
        verb: "new",
        message: args.commit.message.as_deref(),
        create: true,
        now: ctx.now,
    };
    let done = commit_record(&ctx.store, &change, |_| {
        // Again as the commit is made (under the lock, unless commits are
        // signed; then a moved branch makes it run again): two people
        // paged at once both got past the first look.
        if let Some(f) = &from {
            f.refuse_a_second(ctx)?;
        }
        Ok(text.clone())
    })?;
    warn_time_order(ctx, &done.record);
    ctx.flush_notes();

    if ctx.out.stdout_tty {
        crate::output::print_after_commit(
            &format!(
                "Created {id}: {}\n  {path}\n  next: devops postmortem assign {} me\n",
                postmortem::text::inline(&title),
                id.suffix()
            ),
            &id.to_string(),
        );
    } else {
        crate::output::print_after_commit(&format!("{id}\n"), &id.to_string());
    }
    Ok(())
}

/// What `new --from` brought: the tag that ties the record to the
/// incident, and the log entries to import with it.
struct FromSource {
    tag: String,
    incident: String,
    log: Option<String>,
    events: Option<Vec<postmortem::sources::Event>>,
}

impl FromSource {
    /// Refuses an incident that already has a post-mortem: two people
    /// paged at 3 a.m. should not write two.
    fn refuse_a_second(&self, ctx: &Ctx) -> Result<()> {
        let (records, _) =
            postmortem::store::read::load_all(&ctx.store, postmortem::store::read::Detail::Slim)?;
        let Some(r) = records.iter().find(|r| r.tags.contains(&self.tag)) else {
            return Ok(());
        };
        let hint = match self.log.as_deref().and_then(path_arg) {
            Some(log) => format!("devops postmortem import {} --from pagerduty {log}", r.id),
            None => format!("devops postmortem show {}", r.id),
        };
        Err(Error::new(format!(
            "PagerDuty incident {} already has a post-mortem: {} ({})",
            postmortem::text::inline(&self.incident),
            r.id,
            postmortem::text::inline(&r.title)
        ))
        .hint(hint))
    }
}

/// A file argument as a shell word that cannot be read as a flag; `None`
/// for standard input (which a pasted command would read from the terminal).
fn path_arg(path: &str) -> Option<String> {
    if path == "-" {
        return None;
    }
    let path = if path.starts_with('-') {
        format!("./{path}")
    } else {
        path.to_string()
    };
    Some(postmortem::store::shell_quote(&path))
}

/// Fills what the flags left out from a PagerDuty incident (title,
/// severity, service, start, a `pagerduty:ID` tag) and reads its log
/// entries, which must be that incident's.
fn from_pagerduty(ctx: &Ctx, args: &mut NewArgs) -> Result<FromSource> {
    use postmortem::ops::import::{pagerduty_service, pagerduty_severity, pagerduty_tag};
    let file = args.incident.as_deref().unwrap_or("-");
    if file == "-" && args.log.as_deref() == Some("-") {
        return Err(Error::usage(
            "the incident and --log cannot both come from standard input",
        ));
    }
    let (bytes, name) = super::import::read_input(file)?;
    let incident = postmortem::sources::incident(&bytes).map_err(|p| {
        Error::usage(format!(
            "{} (--from pagerduty reads an incident as GET /incidents/{{id}} returns it)",
            p.in_file(&name)
        ))
        .nothing_written()
        .hint("devops postmortem new --help")
    })?;
    let from = FromSource {
        tag: pagerduty_tag(&incident),
        incident: incident.id.clone(),
        log: args.log.clone(),
        events: None,
    };
    from.refuse_a_second(ctx)?;
    args.describe.tags.push(from.tag.clone());
    let d = &mut args.describe;
    d.title.get_or_insert_with(|| incident.title.clone());
    d.severity
        .get_or_insert_with(|| pagerduty_severity(&ctx.config, &incident));
    if d.services.is_empty()
        && let Some(theirs) = &incident.service
    {
        let ours = pagerduty_service(&ctx.config, theirs);
        let known = &ctx.config.services;
        if !known.is_empty() && !known.contains(&ours) {
            let config = format!("{}/config.toml", ctx.store.records_dir);
            let mut e = Error::usage(format!(
                "{name}: PagerDuty service '{}' is not one of the services in {config}; map it there with [import.pagerduty.services] \"{}\" = \"{}\", or give --service",
                postmortem::text::inline(theirs),
                postmortem::text::inline(theirs).replace('"', "\\\""),
                known[0]
            )).nothing_written();
            if let Some(file) = path_arg(file) {
                let log = args
                    .log
                    .as_deref()
                    .and_then(path_arg)
                    .map(|l| format!(" --log {l}"))
                    .unwrap_or_default();
                e = e.hint(format!(
                    "devops postmortem new --from pagerduty {file}{log} --service {}",
                    postmortem::store::shell_quote(&known[0])
                ));
            }
            return Err(e);
        }
        d.services.push(ours);
    }
    args.times
        .started
        .get_or_insert_with(|| postmortem::time::format_rfc3339(&incident.created_at));
    if d.summary.is_none()
        && let Some(url) = &incident.url
    {
        d.summary = Some(format!("PagerDuty incident: {url}"));
    }
    let Some(log) = args.log.as_deref() else {
        return Ok(from);
    };
    let (bytes, name) = super::import::read_input(log)?;
    let read = super::import::events(
        postmortem::sources::Kind::Pagerduty,
        &bytes,
        &name,
        &Default::default(),
    )?;
    Ok(FromSource {
        events: Some(read.events),
        ..from
    })
}

/// The guided flow for someone at a terminal who typed just `new`: each
/// part asked in turn (a bad answer is asked again in place), then a
/// summary from which any part can be changed, or all cancelled. Ctrl-C
/// restores the terminal and writes nothing.
fn ask(ctx: &Ctx, args: &mut NewArgs) -> Result<()> {
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

fn ask_part(ctx: &Ctx, args: &mut NewArgs, part: usize) -> Result<()> {
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
            type Slot = fn(&mut IncidentTimes) -> &mut Option<String>;
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
            args.impact.users_affected =
                prompt::number(ctx, "Users affected")?.map(super::fields::Amount::Set);
            args.impact.field_reports =
                prompt::number(ctx, "Field reports (calls and tickets from users)")?
                    .map(super::fields::Amount::Set);
            args.impact.impact =
                Some(prompt::text(ctx, "Impact in words", false)?).filter(|s| !s.is_empty());
        }
    }
    Ok(())
}

/// What the guided flow is about to create.
fn summary(ctx: &Ctx, args: &NewArgs) -> String {
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
            number(args.impact.users_affected.and_then(|a| a.applied_to(None))),
        ),
        (
            "field reports",
            number(args.impact.field_reports.and_then(|a| a.applied_to(None))),
        ),
        (
            "impact",
            inline(args.impact.impact.as_deref().unwrap_or("—")),
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
