//! `new`: start a post-mortem.

use super::CommitArgs;
use super::fields::{Describe, ImpactArgs, IncidentTimes, clean_list, warn_time_order};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::record::{RecordDoc, RecordId, Timestamp, model::SCHEMA};
use crate::store::{Change, commit_record};
use clap::Args;

#[derive(Args, Debug)]
#[command(
    after_help = "Without a terminal, --title is required and the new ID is printed alone \
on stdout:\n  id=$(devops postmortem new --title \"Login timeouts\" --severity SEV2 --started \"45m ago\")"
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
    #[command(flatten)]
    pub commit: CommitArgs,
}

pub fn run(ctx: &Ctx, mut args: NewArgs) -> Result<()> {
    let template = crate::templates::record_template(&ctx.store, &args.template)?;
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
        .map(|who| crate::people::resolve(&ctx.config, who))
        .transpose()?;
    let reporter = crate::store::identity::identity(&ctx.store.repo, "AUTHOR")?.display();
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
    args.times.apply(ctx, &mut doc)?;
    args.impact.apply(&mut doc);
    doc.set_time(&["created_at"], &Timestamp(ctx.now));
    let text = ctx.finish(doc)?;

    let change = Change {
        id: Some(&id),
        path: &path,
        verb: "new",
        message: args.commit.message.as_deref(),
        create: true,
        now: ctx.now,
    };
    let done = commit_record(&ctx.store, &change, |_| Ok(text.clone()))?;
    warn_time_order(ctx, &done.record);

    if ctx.out.stdout_tty {
        crate::output::print_after_commit(
            &format!(
                "Created {id}: {}\n  {path}\n  next: devops postmortem assign {} --me\n",
                crate::render::sanitize::inline(&title),
                id.suffix()
            ),
            &id.to_string(),
        );
    } else {
        crate::output::print_after_commit(&format!("{id}\n"), &id.to_string());
    }
    Ok(())
}

/// The guided flow for someone at a terminal who typed just `new`.
fn ask(ctx: &Ctx, args: &mut NewArgs) -> Result<()> {
    args.describe.title = Some(crate::prompt::text(ctx, "Title (what broke?)", true)?);
    if args.describe.severity.is_none() {
        let levels = ctx.config.severities.clone();
        let default = levels
            .iter()
            .position(|l| *l == ctx.config.default_severity())
            .unwrap_or(0);
        let pick = crate::prompt::select(ctx, "Severity (SEV1 is the worst)", &levels, default)?;
        args.describe.severity = Some(levels[pick].clone());
    }
    if args.describe.services.is_empty() {
        let known = known_services(ctx);
        if !known.is_empty() {
            let picked = crate::prompt::multi_select(ctx, "Affected services", &known)?;
            args.describe.services = picked.into_iter().map(|i| known[i].clone()).collect();
        }
        let more = crate::prompt::text(
            ctx,
            "Other services (comma-separated, empty for none)",
            false,
        )?;
        args.describe
            .services
            .extend(more.split(',').map(|s| s.trim().to_string()));
    }
    if args.describe.summary.is_none() {
        args.describe.summary = Some(crate::prompt::text(ctx, "Summary (what happened?)", false)?)
            .filter(|s| !s.is_empty());
    }
    if args.times.started.is_none()
        && let Some(t) = crate::prompt::time(ctx, "When did it start?")?
    {
        args.times.started = Some(crate::time::format_rfc3339(&t.0));
    }
    if args.times.detected.is_none()
        && let Some(t) = crate::prompt::time(ctx, "When was it detected?")?
    {
        args.times.detected = Some(crate::time::format_rfc3339(&t.0));
    }
    Ok(())
}

/// Services from the config first, then those used in existing records.
fn known_services(ctx: &Ctx) -> Vec<String> {
    let mut known = ctx.config.services.clone();
    if let Ok((records, _)) =
        crate::store::read::load_all(&ctx.store, crate::store::read::Detail::Slim)
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
