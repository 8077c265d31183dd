//! `fetch`: bring the records branches of the team's repositories up to
//! date on this machine (`team::fetch` does each), without merging or
//! pushing anything: the reads then show what the team has.

use crate::error::{Command, Error, Result};
use crate::store::Store;
use crate::store::branch::Access;
use crate::team::fetch::{Fetched, Job, fetch_all};
use crate::team::registry::{TeamEntry, UserFile};
use crate::team::{Dirs, Location, Source, TeamRepo};
use std::path::Path;

/// Which repositories.
#[derive(Debug, Clone)]
pub enum Which {
    /// The one the command runs in.
    Here,
    /// Every one of the user's and the team's lists.
    All,
    /// These, by name.
    Named(Vec<String>),
}

/// Fetches the repositories `which` names, `workers` at a time; `done`
/// hears of each as it ends.
pub fn fetch(
    dirs: &Dirs,
    team: &[TeamEntry],
    which: &Which,
    cwd: &Path,
    records_dir: &str,
    workers: usize,
    done: &(dyn Fn(&Fetched) + Sync),
) -> Result<Vec<Fetched>> {
    let jobs = jobs(dirs, team, which, cwd, records_dir)?;
    Ok(fetch_all(&jobs, dirs, records_dir, workers, done))
}

fn jobs(
    dirs: &Dirs,
    team: &[TeamEntry],
    which: &Which,
    cwd: &Path,
    records_dir: &str,
) -> Result<Vec<Job>> {
    let file = UserFile::read(dirs)?;
    let job = |repo: TeamRepo| {
        let branch = match repo.source {
            Source::User => file
                .repos
                .iter()
                .find(|e| e.name == repo.name)
                .and_then(|e| e.branch.clone()),
            Source::Team => None,
        };
        Job { repo, branch }
    };
    let listed = file.with_team(team);
    match which {
        Which::Here => Ok(vec![job(here(&listed, cwd, records_dir)?)]),
        Which::All => {
            if listed.is_empty() {
                return Err(Error::usage("no repositories listed yet").hint(
                    "add them: devops postmortem repos add PATH (a clone) or URL (mirrored)",
                ));
            }
            Ok(listed.into_iter().map(job).collect())
        }
        Which::Named(names) => names
            .iter()
            .enumerate()
            // `--repo api --repo api`: one fetch (two would race for its ref).
            .filter(|(i, n)| !names[..*i].contains(n))
            .map(|(_, n)| {
                let repo = listed.iter().find(|r| &r.name == n).ok_or_else(|| {
                    let known: Vec<&str> = listed.iter().map(|r| r.name.as_str()).collect();
                    Error::usage(format!(
                        "--repo {n}: no such repository in the list ({})",
                        if known.is_empty() {
                            "empty".to_string()
                        } else {
                            known.join(", ")
                        }
                    ))
                    .hint_run("see the list", Command::postmortem(["repos", "list"]))
                })?;
                Ok(job(repo.clone()))
            })
            .collect(),
    }
}

/// The repository the command runs in, under its listed name if it is
/// listed, else its folder's.
fn here(listed: &[TeamRepo], cwd: &Path, records_dir: &str) -> Result<TeamRepo> {
    let store = Store::discover_for(cwd, records_dir, Access::ReadOnly)?;
    let top = store
        .workdir
        .clone()
        .unwrap_or_else(|| store.git.git_dir.clone());
    let name = listed
        .iter()
        .find(|r| matches!(&r.location, Location::Path(p) if *p == top))
        .map(|r| r.name.clone())
        .unwrap_or_else(|| {
            top.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "this repository".into())
        });
    Ok(TeamRepo {
        name,
        location: Location::Path(top),
        source: Source::User,
    })
}
