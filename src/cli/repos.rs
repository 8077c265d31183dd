//! `repos add|list|rm`: the team's repositories this machine reads (see
//! `ops::repos`). They need no repository of their own: outside one, the
//! user's list alone is shown.

use crate::output::Output;
use clap::{Args, Subcommand};
use postmortem::error::{Error, Result};
use postmortem::ops::repos::{self, Added, Listed, Records};
use postmortem::team::registry::TeamEntry;
use postmortem::team::{Dirs, Location, Source};
use serde::Serialize;
use std::path::{Path, PathBuf};

#[derive(Subcommand, Debug)]
pub enum ReposCommand {
    /// Add a clone, or a URL to mirror (its records branch only)
    Add(AddArgs),
    /// The repositories read with --all-repos: yours and the team's
    #[command(visible_alias = "ls")]
    List(ListArgs),
    /// Remove one of yours from the list (and its mirror)
    Rm(RmArgs),
}

#[derive(Args, Debug)]
#[command(
    after_help = "Your list is $XDG_CONFIG_HOME/devops/repos.toml (~/.config/devops/repos.toml); \
mirrors are kept in $XDG_CACHE_HOME/devops/repos/NAME.git.\n\nExamples:\n  \
devops postmortem repos add ~/src/api\n  \
devops postmortem repos add https://git.example.com/acme/web.git --name web\n  \
devops postmortem repos add git@git.example.com:acme/db.git --branch incidents\n  \
devops postmortem repos add --root ~/src"
)]
pub struct AddArgs {
    /// A folder of a clone, or a URL to mirror
    #[arg(value_name = "PATH|URL", required_unless_present = "root")]
    pub target: Option<String>,
    /// Its name in tables and qualified IDs (api:k7x3); default: the
    /// folder's or the URL's last part
    #[arg(long, value_name = "NAME", conflicts_with = "root")]
    pub name: Option<String>,
    /// For a URL: the team's records branch, when it is not `postmortems`
    #[arg(long, value_name = "BRANCH", conflicts_with = "root")]
    pub branch: Option<String>,
    /// Add every clone below DIR that has a records branch (hidden
    /// folders, target/ and node_modules/ are skipped; 4 levels deep)
    #[arg(long, value_name = "DIR", conflicts_with = "target")]
    pub root: Option<PathBuf>,
}

#[derive(Args, Debug)]
#[command(
    after_help = "LIST says whose list names it: yours (repos.toml) or the team's ([team] repos \
in the records config of the repository you are in).\n\nExamples:\n  \
devops postmortem repos list\n  devops postmortem repos list --json"
)]
pub struct ListArgs {
    /// As JSON (see docs/json.md)
    #[arg(long)]
    pub json: bool,
}

#[derive(Args, Debug)]
#[command(
    after_help = "The team's list is changed in the records config: devops postmortem edit --config\n\n\
Examples:\n  devops postmortem repos rm web"
)]
pub struct RmArgs {
    /// The repository's name (as `repos list` shows it)
    pub name: String,
}

pub fn run(records_dir: &str, cmd: ReposCommand) -> Result<()> {
    let dirs = Dirs::from_env()?;
    let out = Output::detect();
    let cwd = current_dir()?;
    match cmd {
        ReposCommand::Add(args) => add(&dirs, &out, &cwd, records_dir, args),
        ReposCommand::List(args) => {
            let team = team_list(&out, &cwd, records_dir);
            let listed = repos::list(&dirs, &team)?;
            for why in postmortem::team::registry::UserFile::read(&dirs)?.team_left_out(&team) {
                out.warn(&why);
            }
            list(&out, &listed, args.json)
        }
        ReposCommand::Rm(args) => {
            let team = team_list(&out, &cwd, records_dir);
            let removed = repos::remove(&dirs, &args.name, &team)?;
            let mut line = format!("removed {} from your list", removed.name);
            if let Some(m) = &removed.mirror {
                line.push_str(&format!(" (and its mirror {})", m.display()));
            }
            out.status(&line);
            if removed.team_still {
                out.status(&format!(
                    "note: the team's list names {} too: it is read from the team's URL now",
                    removed.name
                ));
            }
            Ok(())
        }
    }
}

pub fn current_dir() -> Result<PathBuf> {
    std::env::current_dir()
        .map_err(|e| Error::new(format!("cannot read the current directory: {e}")))
}

/// `[team] repos` of the repository the command runs in; none outside
/// one. A config that does not read is said, and the user's list stands.
pub fn team_list(out: &Output, cwd: &Path, records_dir: &str) -> Vec<TeamEntry> {
    use postmortem::store::branch::Access;
    match postmortem::session::Session::open_for(cwd, records_dir, Access::ReadOnly) {
        Ok(s) => s.config.team.repos.clone(),
        Err(e) if e.message.contains("not inside a git repository") => Vec::new(),
        Err(e) => {
            out.warn(&format!(
                "the team's list is not read: {}",
                postmortem::text::inline(&e.message)
            ));
            Vec::new()
        }
    }
}

fn add(dirs: &Dirs, out: &Output, cwd: &Path, records_dir: &str, args: AddArgs) -> Result<()> {
    if let Some(root) = &args.root {
        let scan = repos::add_root(dirs, &cwd.join(root), records_dir)?;
        for (name, path) in &scan.added {
            out.status(&format!("added {name} ({})", path.display()));
        }
        for (path, why) in &scan.skipped {
            out.status(&format!(
                "skipped {}: {}",
                path.display(),
                postmortem::text::inline(why)
            ));
        }
        out.status(&format!(
            "{} added, {} skipped",
            scan.added.len(),
            scan.skipped.len()
        ));
        return Ok(());
    }
    let target = args.target.unwrap_or_default();
    let added = repos::add(
        dirs,
        cwd,
        &target,
        args.name.as_deref(),
        args.branch.as_deref(),
        records_dir,
    )?;
    match added {
        Added::Cloned { url, name, path } => out.status(&format!(
            "{url} is your clone {name} ({}) already: nothing to mirror",
            path.display()
        )),
        Added::Listed {
            name,
            location,
            records,
            mirror,
        } => {
            let place = match (&location, &mirror) {
                (Location::Url(url), Some((m, commits))) => {
                    format!(
                        "{url}, mirrored in {} ({commits} commit{})",
                        m.display(),
                        if *commits == 1 { "" } else { "s" }
                    )
                }
                (Location::Url(url), None) => url.clone(),
                (Location::Path(p), _) => p.display().to_string(),
            };
            out.status(&format!("added {name}: {place}"));
            if let Records::Missing { branch } = records {
                out.status(&format!(
                    "note: {name} has no {branch} branch yet (not here, nor fetched from its remote): \
                     if the team has one, `devops postmortem fetch --repo {name}` brings it"
                ));
            }
        }
    }
    Ok(())
}

/// `repos list --json`: one object per repository (docs/json.md).
#[derive(Serialize)]
struct ListedJson<'a> {
    name: &'a str,
    /// `yours` (repos.toml) or `team` (`[team] repos`).
    list: &'static str,
    path: Option<String>,
    url: Option<&'a str>,
    mirror: Option<String>,
    branch: &'a str,
    branch_found: bool,
    fetched_at: Option<String>,
    problem: Option<&'a str>,
}

fn list(out: &Output, listed: &[Listed], json: bool) -> Result<()> {
    if json {
        let rows: Vec<ListedJson> = listed.iter().map(as_json).collect();
        return crate::render::json::print(&rows);
    }
    if listed.is_empty() {
        out.status(
            "no repositories listed: add them with `devops postmortem repos add PATH` (a clone) or URL (mirrored)",
        );
        return Ok(());
    }
    let rows = listed
        .iter()
        .map(|l| {
            let place = match &l.repo.location {
                Location::Path(p) => p.display().to_string(),
                Location::Url(u) => match &l.mirror {
                    Some(m) => format!("{u} (mirror {})", m.display()),
                    None => u.clone(),
                },
            };
            let branch = match (&l.problem, l.found) {
                (Some(p), _) => p.clone(),
                (None, true) => l.branch.clone(),
                (None, false) => format!("no {} branch", l.branch),
            };
            let fetched = l
                .fetched_at
                .map(|t| shown_time(t, "%Y-%m-%d %H:%M"))
                .unwrap_or_else(|| "never".into());
            [
                l.repo.name.clone(),
                whose(l.repo.source).to_string(),
                branch,
                fetched,
                place,
            ]
            .map(|c| postmortem::text::inline(&c))
            .to_vec()
        })
        .collect();
    crate::output::print(&crate::render::table::plain(
        &["NAME", "LIST", "RECORDS", "FETCHED", "WHERE"],
        rows,
        crate::render::table::Layout::of(out),
    ));
    Ok(())
}

fn as_json(l: &Listed) -> ListedJson<'_> {
    let (path, url) = match &l.repo.location {
        Location::Path(p) => (Some(p.display().to_string()), None),
        Location::Url(u) => (None, Some(u.as_str())),
    };
    ListedJson {
        name: &l.repo.name,
        list: whose(l.repo.source),
        path,
        url,
        mirror: l.mirror.as_ref().map(|m| m.display().to_string()),
        branch: &l.branch,
        branch_found: l.found,
        fetched_at: l.fetched_at.map(|t| shown_time(t, "%Y-%m-%dT%H:%M:%S%:z")),
        problem: l.problem.as_deref(),
    }
}

fn whose(source: Source) -> &'static str {
    match source {
        Source::User => "yours",
        Source::Team => "team",
    }
}

/// A file time in the machine's zone.
pub fn shown_time(t: std::time::SystemTime, format: &str) -> String {
    chrono::DateTime::<chrono::Local>::from(t)
        .format(format)
        .to_string()
}
