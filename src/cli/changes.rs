//! `changes`: what shipped before it broke. The commits (and tags, as
//! deploy markers) in the window before the incident began.

use crate::ctx::Ctx;
use crate::render::table;
use clap::Args;
use postmortem::error::{Error, Result};
use postmortem::text::inline;

#[derive(Args, Debug)]
#[command(after_help = "Examples:\n  devops postmortem changes k7x3 --window 48h")]
pub struct ChangesArgs {
    /// The post-mortem (any unique prefix of its ID)
    #[arg(add = super::completions::record_ids())]
    pub id: String,
    /// How far back from started_at to look: 24h, 90m, 3d
    #[arg(long, default_value = "24h", value_name = "DURATION")]
    pub window: String,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &Ctx, args: ChangesArgs) -> Result<()> {
    let window = parse_window(&args.window)?;
    let entry = ctx.find(&args.id)?;
    let record = postmortem::store::read::load(&ctx.store, &entry)?;
    let started = record.started_at.ok_or_else(|| {
        Error::new(format!(
            "{} has no started_at: the window is measured back from it",
            record.id
        ))
        .hint(format!(
            "devops postmortem update {} --started TIME",
            record.id
        ))
    })?;
    let to = started.0.timestamp();
    let commits =
        postmortem::store::history::commits_between(&ctx.store, to - window.num_seconds(), to)?;
    if args.json {
        return crate::render::json::print(&commits);
    }
    if commits.is_empty() {
        ctx.out.status(&format!(
            "no commits in the {} before {}",
            args.window,
            postmortem::time::format_rfc3339(&ctx.zone().convert(started.0))
        ));
    } else {
        print_table(ctx, &commits);
    }
    let links = &record.deploy;
    if !links.no_deploy && (links.caused_by.is_none() || links.remedied_by.is_none()) {
        say_suggestions(ctx, &record)?;
    }
    Ok(())
}

/// The commits as a table, newest first.
fn print_table(ctx: &Ctx, commits: &[postmortem::store::history::NearbyCommit]) {
    let rows = commits
        .iter()
        .map(|c| {
            vec![
                c.commit[..7].to_string(),
                in_zone(ctx, &c.date).replace('T', " "),
                inline(crate::render::short_person(&c.author)),
                c.tags
                    .iter()
                    .map(|t| inline(t))
                    .collect::<Vec<_>>()
                    .join(","),
                inline(&c.subject),
            ]
        })
        .collect();
    crate::output::print(&table::plain(
        &["COMMIT", "DATE", "AUTHOR", "TAGS", "SUBJECT"],
        rows,
        crate::render::table::Layout::of(&ctx.out),
    ));
}

/// The likely cause and remedies among the deploys (shared with
/// `analyze`), each with the command that links it.
pub fn say_suggestions(ctx: &Ctx, record: &postmortem::record::Record) -> Result<()> {
    let found = postmortem::ops::deploys::suggest(ctx, record)?;
    let id = record.id.as_str();
    let when = |t: &postmortem::record::Timestamp| ctx.view().minutes(t.0);
    let link =
        |flag: &str, what: &str| crate::output::postmortem_line(&["analyze", id, flag, what]);
    if let Some(d) = found
        .cause
        .as_ref()
        .filter(|_| record.deploy.caused_by.is_none())
    {
        ctx.out.status(&format!(
            "the last deploy of {} before it began: {} ({}, {}); if it caused this:\n  {}",
            inline(&d.service),
            inline(&d.shown()),
            when(&d.at),
            &d.commit[..d.commit.len().min(7)],
            link("--caused-by", &d.shown())
        ));
    }
    if record.deploy.remedied_by.is_some() {
        return Ok(());
    }
    for r in &found.reverts {
        ctx.out.status(&format!(
            "a revert after it began: {} {} (reverts {}); if it remedied this:\n  {}",
            &r.commit[..7],
            inline(&r.subject),
            &r.reverts[..r.reverts.len().min(7)],
            link("--remedied-by", &r.commit[..12])
        ));
    }
    for d in &found.rollbacks {
        ctx.out.status(&format!(
            "a redeploy of an older version after it began: {} ({}); if it remedied this:\n  {}",
            inline(&d.shown()),
            when(&d.at),
            link("--remedied-by", &d.shown())
        ));
    }
    Ok(())
}

/// A commit's date in the team's zone (the same instant), as `log` shows
/// it: commits made elsewhere read on the team's clock.
fn in_zone(ctx: &Ctx, date: &str) -> String {
    chrono::DateTime::parse_from_rfc3339(date).map_or_else(
        |_| date.to_string(),
        |t| postmortem::time::format_rfc3339(&ctx.zone().convert(t)),
    )
}

/// `24h`, `90m`, `3d`, `1w`.
fn parse_window(s: &str) -> Result<chrono::Duration> {
    let bad = || {
        Error::usage(format!(
            "--window '{}': use a number and m, h, d or w, e.g. 24h",
            inline(s)
        ))
    };
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let n: i64 = s[..split].parse().map_err(|_| bad())?;
    let minutes = match &s[split..] {
        "m" => n,
        "h" => n * 60,
        "d" => n * 60 * 24,
        "w" => n * 60 * 24 * 7,
        _ => return Err(bad()),
    };
    chrono::Duration::try_minutes(minutes).ok_or_else(bad)
}
