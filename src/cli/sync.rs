//! `sync`: share the records with the team (see `ops::sync`).

use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::{Error, Result};
use postmortem::ops::sync::{Clash, Options, Take};
use postmortem::record::merge::Resolution;
use postmortem::text::inline;

#[derive(Args, Debug)]
#[command(
    after_help = "Shares the records branch (postmortems) and nothing else: `git fetch` of that \
branch, then your post-mortem commits since the last sync are put on top of the team's \
(in-process, one commit each, authors kept), then `git push` of that branch. Your code branches \
are never fetched into, rebased or pushed. Records changed on both sides merge field by field, \
counters (field reports, users affected) add up; the same field changed two ways is asked on a \
terminal (yours, theirs or a new value) and otherwise stops the sync, records branch untouched, \
with the `--take` command that settles it. A force-push on the remote is followed: commits the \
team removed do not come back. Ctrl-C at any point leaves the branch as it was or merged. Items \
named by `Fixes-Postmortem: ID#N` trailers on the team's default branch (origin/HEAD) are marked \
done, and their tracker issues closed (`--no-close-remote`: left open). Items filed in the \
team's tracker (`action push`) take their issue's state: closed → done, not planned → wontfix, \
reopened → open; a tracker that cannot be reached is said, and the records sync without it.\n\n\
Examples:\n  devops postmortem sync\n  devops postmortem sync --take theirs\n  \
devops postmortem sync --branch pm-review/alice   # a protected records branch: a branch to review"
)]
pub struct SyncArgs {
    /// Fetch and merge, but do not push
    #[arg(long)]
    pub no_push: bool,
    /// Settle conflicts: mine, theirs, or ID:FIELD=mine|theirs for one (repeat)
    #[arg(long, value_name = "SIDE", value_parser = parse_take)]
    pub take: Vec<Take>,
    /// Push to this branch for review (a pull request) instead of the records branch
    #[arg(long, value_name = "NAME")]
    pub branch: Option<String>,
    /// No progress from git; only errors and the final line
    #[arg(short, long)]
    pub quiet: bool,
    /// Close the tracker issue of an item a Fixes-Postmortem trailer finished (the default)
    #[arg(long, overrides_with = "no_close_remote")]
    pub close_remote: bool,
    /// Leave those tracker issues open
    #[arg(long)]
    pub no_close_remote: bool,
}

fn parse_take(s: &str) -> std::result::Result<Take, String> {
    Take::parse(s)
}

pub fn run(ctx: &Ctx, args: SyncArgs) -> Result<()> {
    if let Some(b) = &args.branch {
        check_branch_name(b)?;
    }
    let can_ask = ctx.can_prompt();
    let mut ask = |clash: &Clash| ask(ctx, clash);
    let opts = Options {
        takes: args.take.clone(),
        branch: args.branch.clone(),
        no_push: args.no_push,
        progress: !args.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()),
        ask: if can_ask {
            Some(&mut ask as &mut postmortem::ops::sync::Ask<'_>)
        } else {
            None
        },
        close_remote: !args.no_close_remote,
    };
    let s = postmortem::ops::sync::sync(ctx, opts)?;
    if !s.remote_said.trim().is_empty() && !args.quiet {
        // What the remote said (hooks, links to open a pull request).
        ctx.out.status(s.remote_said.trim_end());
    }
    for c in &s.closed {
        super::report(ctx, &c.done, &c.what);
    }
    for d in &s.duplicates {
        let (newer, older) = postmortem::ops::duplicates::paths_in(d, &ctx.store.records_dir);
        let said = postmortem::ops::duplicates::describe(d, &newer, &older);
        ctx.out.warn(&crate::output::pasteable(&said));
    }
    warn_unresolved(ctx, &s.unresolved);
    super::action::report_pulled(ctx, &s.tracker, true);
    if let Some(b) = &s.merged_review {
        ctx.out.status(&format!(
            "review branch {b} has been merged into {}",
            s.upstream
        ));
    }
    let mut line = format!(
        "synced {} with {}: {} commit(s) in, {} out",
        ctx.store.location.name(),
        s.upstream,
        s.came_in,
        s.went_out
    );
    if let Some(to) = &s.pushed_to
        && !to.ends_with(s.upstream.rsplit('/').next().unwrap_or_default())
    {
        line.push_str(&format!(" (to {to}, for review)"));
    }
    if !s.settled.is_empty() {
        line.push_str(&format!("; settled: {}", s.settled.join(", ")));
    }
    ctx.out.status(&line);
    for link in &s.review_links {
        ctx.out.status(&format!("open the pull request: {link}"));
    }
    Ok(())
}

/// Each fix trailer that names no action item, as a warning.
pub fn warn_unresolved(ctx: &Ctx, unresolved: &[postmortem::store::fixes::Unresolved]) {
    for u in unresolved {
        ctx.out.warn(&crate::output::pasteable(&u.describe()));
    }
}

/// Asks which value to keep for one clash, on the terminal.
fn ask(ctx: &Ctx, c: &Clash) -> Result<Resolution> {
    ctx.out.status(&format!(
        "{} {} ({}): {} was changed here and by a teammate",
        c.id,
        inline(&c.title),
        c.path,
        c.field
    ));
    let choices = vec![
        format!("keep yours:  {}", inline(&c.yours)),
        format!("take theirs: {}", inline(&c.theirs)),
        "type a new value".to_string(),
    ];
    match crate::prompt::select(ctx, &format!("{} — which value?", c.field), &choices, 0)? {
        0 => Ok(Resolution::Ours),
        1 => Ok(Resolution::Theirs),
        _ => loop {
            // A count typed as the README writes them (15,200) is a count;
            // a wrong answer is asked again, not the end of the sync.
            let typed = crate::prompt::text(ctx, &format!("New value for {}", c.field), true)?;
            match typed_value(&typed, c) {
                Ok(value) => return Ok(Resolution::Value(Some(value))),
                Err(why) => ctx.out.status(&why),
            }
        },
    }
}

/// A typed answer as the field's kind of value: a count where either side
/// holds a number (`15200`, `15,200`), else text.
fn typed_value(typed: &str, c: &Clash) -> std::result::Result<toml::Value, String> {
    let numbers = [&c.yours_value, &c.theirs_value]
        .iter()
        .any(|v| matches!(v, Some(toml::Value::Integer(_))));
    if !numbers {
        return Ok(toml::Value::String(typed.to_string()));
    }
    match typed.parse::<postmortem::ops::fields::Amount>()? {
        postmortem::ops::fields::Amount::Set(n) => i64::try_from(n)
            .map(toml::Value::Integer)
            .map_err(|_| format!("'{typed}' is too large for a count")),
        postmortem::ops::fields::Amount::Add(_) => Err(format!(
            "'{typed}': give the count itself (e.g. 15,200), not an amount to add"
        )),
    }
}

/// A branch name git accepts (`git check-ref-format`'s rules, the common part).
fn check_branch_name(b: &str) -> Result<()> {
    let bad = b.is_empty()
        || b.starts_with('-')
        || b.starts_with('/')
        || b.ends_with('/')
        || b.ends_with(".lock")
        || b.contains("..")
        || b.contains("//")
        || b.contains("@{")
        || b.chars().any(|c| c.is_control() || " ~^:?*[\\".contains(c));
    if bad {
        return Err(Error::usage(format!(
            "--branch '{}' is not a name git accepts for a branch",
            inline(b)
        ))
        .hint("use letters, digits, '-', '_' and '/', e.g. --branch pm-review/alice"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clash(yours: Option<toml::Value>, theirs: Option<toml::Value>) -> Clash {
        Clash {
            path: "postmortems/2026/11/PM-20261130-aaaaaaaa.toml".into(),
            id: "PM-20261130-aaaaaaaa".into(),
            title: "t".into(),
            field: "impact.users_affected".into(),
            yours: String::new(),
            theirs: String::new(),
            yours_value: yours,
            theirs_value: theirs,
        }
    }

    #[test]
    fn a_typed_count_is_read_as_the_readme_writes_counts() {
        let count = clash(Some(toml::Value::Integer(7)), None);
        assert_eq!(
            typed_value("15,200", &count),
            Ok(toml::Value::Integer(15_200))
        );
        assert_eq!(typed_value("37", &count), Ok(toml::Value::Integer(37)));
        assert!(
            typed_value("+3", &count)
                .unwrap_err()
                .contains("the count itself")
        );
        assert!(
            typed_value("many", &count)
                .unwrap_err()
                .contains("is not a count")
        );
        let text = clash(Some(toml::Value::String("a".into())), None);
        assert_eq!(
            typed_value("15,200", &text),
            Ok(toml::Value::String("15,200".into()))
        );
    }
}
