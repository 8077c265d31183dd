//! `log`: who changed what, when. Straight from git history, including
//! changes made by hand with a plain `git commit`.

use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::Result;
use postmortem::store::history::{HistoryQuery, Revision, activity, record_history};
use postmortem::text::inline;
use postmortem::text::truncate;

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  devops postmortem log k7x3\n  devops postmortem log --changed-since yesterday --author bob\n  \
devops postmortem log --all-repos --changed-since \"7d ago\"\n  devops postmortem log api:k7x3"
)]
pub struct LogArgs {
    /// One post-mortem's history; without it, the team's activity across all records
    #[arg(add = super::completions::record_ids())]
    pub id: Option<String>,
    /// Only changes made at or after this time ("1d ago", "yesterday 09:00")
    #[arg(long, value_name = "TIME")]
    pub changed_since: Option<String>,
    /// Only changes by this author (part of the name or email)
    #[arg(long, value_name = "WHO")]
    pub author: Option<String>,
    /// At most this many entries
    #[arg(long, short = 'n', default_value = "100", value_name = "N")]
    pub max_count: usize,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub repos: super::team::RepoChoice,
}

pub fn run(ctx: &Ctx, args: LogArgs) -> Result<()> {
    let since = args
        .changed_since
        .as_deref()
        .map(|s| ctx.time("--changed-since", s))
        .transpose()?;
    let q = HistoryQuery {
        since: since.map(|s| s.0.timestamp()),
        author: args.author.as_deref(),
        limit: args.max_count,
    };
    match &args.id {
        Some(id) => {
            let entry = ctx.find(id)?;
            let revisions = record_history(&ctx.store, &entry, &q)?;
            if args.json {
                return crate::render::json::print(&revisions);
            }
            let text: String = revisions
                .iter()
                .map(|r| entry_text(r, None, ctx.zone()))
                .collect();
            ctx.page(&text);
        }
        None => {
            let entries = activity(&ctx.store, &q)?;
            if args.json {
                return crate::render::json::print(&entries);
            }
            let text: String = entries
                .iter()
                .map(|a| entry_text(&a.revision, Some(&a.id), ctx.zone()))
                .collect();
            if text.is_empty() {
                ctx.out.status("no post-mortem changes in that range");
            }
            ctx.page(&text);
        }
    }
    Ok(())
}

/// A commit's time in the team's zone, so every line of `log` reads alike.
fn local(date: &str, zone: postmortem::time::Zone) -> String {
    chrono::DateTime::parse_from_rfc3339(date)
        .map(|t| zone.convert(t).format("%Y-%m-%d %H:%M %:z").to_string())
        .unwrap_or_else(|_| date.to_string())
}

fn entry_text(r: &Revision, id: Option<&str>, zone: postmortem::time::Zone) -> String {
    let mut s = format!(
        "{}  {}  {}  {}{}\n",
        &r.commit[..7],
        local(&r.date, zone),
        inline(crate::render::short_person(&r.author)),
        inline(&r.action),
        id.map(|i| format!("  {i}")).unwrap_or_default()
    );
    if r.action == "commit" {
        s.push_str(&format!("    ({})\n", truncate(&inline(&r.subject), 70)));
    }
    // The why: -m text and reasons, as written.
    for line in r.message.lines().filter(|l| !l.trim().is_empty()) {
        s.push_str(&format!("    » {}\n", inline(line.trim())));
    }
    for c in &r.changes {
        // A time field's value in the team's zone too (the same instant):
        // an imported UTC time should not read as another day.
        let side = |v: &Option<String>| {
            v.as_deref().map_or(
                "(none)".to_string(),
                |v| match chrono::DateTime::parse_from_rfc3339(v) {
                    Ok(t) => postmortem::time::format_rfc3339(&zone.convert(t)),
                    Err(_) => truncate(&inline(v), 60),
                },
            )
        };
        s.push_str(&format!(
            "    {}: {} → {}\n",
            inline(&c.field),
            side(&c.from),
            side(&c.to)
        ));
    }
    s
}

/// `log --all-repos` / `--repo NAME`: the activity of every chosen
/// repository, newest first, each entry's ID qualified; JSON entries gain
/// `"repo"`. One record's history is `log api:k7x3`.
pub fn run_team(records_dir: &str, args: LogArgs) -> Result<()> {
    if args.id.is_some() {
        return Err(postmortem::error::Error::usage(
            "one record's history is in its repository: give its qualified ID (log api:k7x3), without --all-repos/--repo",
        ));
    }
    let nothing = |_: &postmortem::session::Session| {
        Ok(postmortem::session::Loaded {
            records: Vec::new(),
            unreadable: Vec::new(),
            ids: Default::default(),
        })
    };
    let team = super::team::TeamCtx::open(records_dir, &args.repos, &nothing)?;
    let mut entries = Vec::new();
    for r in &team.view.repos {
        let s = &r.session;
        let since = args
            .changed_since
            .as_deref()
            .map(|t| s.time("--changed-since", t))
            .transpose()?;
        let q = HistoryQuery {
            since: since.map(|t| t.0.timestamp()),
            author: args.author.as_deref(),
            limit: args.max_count,
        };
        for item in activity(&s.store, &q)? {
            let at = chrono::DateTime::parse_from_rfc3339(&item.revision.date).ok();
            entries.push((at, r, item));
        }
    }
    entries.sort_by_key(|(at, _, _)| std::cmp::Reverse(*at));
    entries.truncate(args.max_count);
    if args.json {
        let tagged: Vec<_> = entries
            .iter()
            .map(|(_, r, item)| postmortem::team::view::merged::Tagged {
                repo: &r.name,
                item,
            })
            .collect();
        return crate::render::json::print(&tagged);
    }
    let text: String = entries
        .iter()
        .map(|(_, r, a)| {
            let id = postmortem::team::qualified(&r.name, &a.id);
            entry_text(&a.revision, Some(&id), r.session.zone())
        })
        .collect();
    if text.is_empty() {
        team.out
            .status("no post-mortem changes in that range in these repositories");
    }
    crate::output::page(&text, None);
    Ok(())
}
