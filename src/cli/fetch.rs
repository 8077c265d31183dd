//! `fetch`: the team's records branches brought up to date on this
//! machine, in parallel (see `ops::fetch`). A progress line on a terminal,
//! then one line per repository; exit 1 when any failed.

use super::repos::{current_dir, team_list};
use crate::output::Output;
use clap::Args;
use postmortem::error::{Error, Result};
use postmortem::ops::fetch::Which;
use postmortem::store::shell_quote;
use postmortem::team::Dirs;
use postmortem::team::fetch::{Done, Fetched, Local, Tip};
use serde::Serialize;
use std::io::IsTerminal;
use std::sync::Mutex;

#[derive(Args, Debug)]
#[command(
    after_help = "Fetches the records branch only: a clone's into its remote-tracking \
branch (origin/postmortems), whose local branch then moves forward when it is strictly behind \
and not checked out; a mirror's into the mirror (following a force-push). Nothing is merged or \
pushed, and HEAD, the index, the work tree and other branches are never touched: \
`devops postmortem sync` shares your own records.\n\nExamples:\n  \
devops postmortem fetch\n  devops postmortem fetch --all-repos\n  \
devops postmortem fetch --repo api --repo web"
)]
pub struct FetchArgs {
    /// Every repository of your list and the team's (`repos list`)
    #[arg(long, conflicts_with = "repo")]
    pub all_repos: bool,
    /// This repository of the list, by name (repeat for more)
    #[arg(long, value_name = "NAME")]
    pub repo: Vec<String>,
    /// How many repositories are fetched at once
    #[arg(short = 'j', long, value_name = "N", default_value_t = 8,
          value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: u16,
    /// As JSON (see docs/json.md)
    #[arg(long)]
    pub json: bool,
}

pub fn run(records_dir: &str, args: FetchArgs) -> Result<()> {
    let dirs = Dirs::from_env()?;
    let out = Output::detect();
    let cwd = current_dir()?;
    let which = if args.all_repos {
        Which::All
    } else if !args.repo.is_empty() {
        Which::Named(args.repo.clone())
    } else {
        Which::Here
    };
    let team = match which {
        Which::Here => Vec::new(),
        _ => team_list(&out, &cwd, records_dir),
    };
    let progress = Progress::new(std::io::stderr().is_terminal() && !matches!(which, Which::Here));
    let fetched = postmortem::ops::fetch::fetch(
        &dirs,
        &team,
        &which,
        &cwd,
        records_dir,
        usize::from(args.jobs),
        &|f| progress.one_done(f),
    )?;
    progress.clear();
    if args.json {
        let rows: Vec<FetchedJson> = fetched.iter().map(as_json).collect();
        crate::render::json::print(&rows)?;
    } else {
        let text: String = fetched
            .iter()
            .map(|f| crate::output::pasteable(&line(f)).into_owned() + "\n")
            .collect();
        crate::output::print(&text);
    }
    let failed = fetched.iter().filter(|f| f.result.is_err()).count();
    if failed > 0 {
        return Err(Error::new(format!(
            "{failed} of {} repositories could not be fetched (said above); the others were",
            fetched.len()
        )));
    }
    Ok(())
}

/// `fetching 3/50…` on stderr, redrawn as each repository ends.
struct Progress {
    on: bool,
    done: Mutex<(usize, usize)>,
}

impl Progress {
    fn new(on: bool) -> Progress {
        Progress {
            on,
            done: Mutex::new((0, 0)),
        }
    }

    fn one_done(&self, f: &Fetched) {
        if !self.on {
            return;
        }
        let Ok(mut d) = self.done.lock() else { return };
        d.0 += 1;
        if f.result.is_err() {
            d.1 += 1;
        }
        let failed = if d.1 > 0 {
            format!(", {} failed", d.1)
        } else {
            String::new()
        };
        eprint!("\r\x1b[Kfetching: {} done{failed}, last {}", d.0, f.name);
    }

    fn clear(&self) {
        if self.on {
            eprint!("\r\x1b[K");
        }
    }
}

/// One repository's line.
fn line(f: &Fetched) -> String {
    let name = postmortem::text::inline(&f.name);
    match &f.result {
        Err(why) => format!("{name}: failed: {}", postmortem::text::inline(why)),
        Ok(done) => format!(
            "{name}: {}{}",
            tip_words(done),
            local_words(done, &f.path)
                .map(|w| format!("; {w}"))
                .unwrap_or_default()
        ),
    }
}

fn tip_words(done: &Done) -> String {
    let what = &done.fetched;
    match &done.tip {
        Tip::UpToDate => format!("{what} up to date"),
        Tip::Updated {
            before: None,
            after,
            commits,
            ..
        } => format!(
            "{what} fetched at {} ({})",
            short(after),
            commits_word(*commits, "commit")
        ),
        Tip::Updated {
            before: Some(b),
            after,
            commits,
            forced: false,
        } => format!(
            "{what} updated {}..{} ({})",
            short(b),
            short(after),
            commits_word(*commits, "new commit")
        ),
        Tip::Updated {
            before: Some(b),
            after,
            commits,
            forced: true,
        } => format!(
            "{what} forced update {}...{} (the team's branch was rewritten; {})",
            short(b),
            short(after),
            commits_word(*commits, "new commit")
        ),
        Tip::NoBranch { remote } => format!("{remote} has no records branch yet"),
        Tip::NoRemote => "no remote: nothing to fetch".to_string(),
    }
}

/// What became of the clone's own branch, with the command that settles
/// it, to paste.
fn local_words(done: &Done, path: &std::path::Path) -> Option<String> {
    let sync = || {
        format!(
            "cd {} && devops postmortem sync",
            shell_quote(&path.display().to_string())
        )
    };
    let branch = done
        .fetched
        .split_once('/')
        .map_or(done.fetched.as_str(), |(_, b)| b);
    match &done.local {
        Local::None | Local::Same => None,
        Local::FastForwarded { commits } => Some(format!(
            "{branch} fast-forwarded ({})",
            commits_word(*commits, "commit")
        )),
        Local::CheckedOut { commits, work_tree } => Some(format!(
            "{branch} is checked out in {} and {} behind: {}",
            work_tree.display(),
            commits_word(*commits, "commit"),
            sync()
        )),
        Local::Ahead { commits } => Some(format!(
            "{branch} has {} to share: {}",
            commits_word(*commits, "commit"),
            sync()
        )),
        Local::Diverged => Some(format!(
            "{branch} and {} both have new commits: {}",
            done.fetched,
            sync()
        )),
    }
}

/// `1 new commit`, `2 new commits`.
fn commits_word(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn short(oid: &impl std::fmt::Display) -> String {
    oid.to_string()[..7].to_string()
}

/// `fetch --json`: one object per repository (docs/json.md).
#[derive(Serialize)]
struct FetchedJson<'a> {
    name: &'a str,
    path: String,
    /// `updated`, `up-to-date`, `no-branch`, `no-remote`, or `failed`.
    result: &'static str,
    error: Option<&'a str>,
    fetched: Option<&'a str>,
    before: Option<String>,
    after: Option<String>,
    commits: Option<usize>,
    forced: bool,
    /// The clone's own branch: `none`, `same`, `fast-forwarded`,
    /// `checked-out`, `ahead`, `diverged`.
    local: &'static str,
}

fn as_json(f: &Fetched) -> FetchedJson<'_> {
    let mut j = FetchedJson {
        name: &f.name,
        path: f.path.display().to_string(),
        result: "failed",
        error: None,
        fetched: None,
        before: None,
        after: None,
        commits: None,
        forced: false,
        local: "none",
    };
    let done = match &f.result {
        Err(why) => {
            j.error = Some(why);
            return j;
        }
        Ok(done) => done,
    };
    j.fetched = Some(&done.fetched);
    j.result = match &done.tip {
        Tip::UpToDate => "up-to-date",
        Tip::NoBranch { .. } => "no-branch",
        Tip::NoRemote => "no-remote",
        Tip::Updated {
            before,
            after,
            commits,
            forced,
        } => {
            j.before = before.map(|b| b.to_string());
            j.after = Some(after.to_string());
            j.commits = Some(*commits);
            j.forced = *forced;
            "updated"
        }
    };
    j.local = match &done.local {
        Local::None => "none",
        Local::Same => "same",
        Local::FastForwarded { .. } => "fast-forwarded",
        Local::CheckedOut { .. } => "checked-out",
        Local::Ahead { .. } => "ahead",
        Local::Diverged => "diverged",
    };
    j
}
