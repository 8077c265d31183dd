//! Fetching the team's records branches, each repository on its own, a
//! few at a time: a clone's into its remote-tracking ref (then its local
//! branch fast-forwarded when that is safe), a mirror's into the mirror.
//! One repository failing is said and the others go on.
//!
//! Nothing else moves: never HEAD, the index, a work tree or another
//! branch; nothing is pushed.

use super::{Dirs, Location, TeamRepo, mirror};
use crate::error::{Error, Result};
use crate::store::branch::{self, Access};
use crate::store::{Store, sync as git_sync};
use git2::{Oid, Repository};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// One repository to fetch.
#[derive(Debug, Clone)]
pub struct Job {
    pub repo: TeamRepo,
    /// The records branch to mirror, for a URL (`repos add --branch`).
    pub branch: Option<String>,
}

/// What fetching one repository did, or why it could not (one line).
#[derive(Debug, Clone)]
pub struct Fetched {
    pub name: String,
    /// The clone, or the mirror.
    pub path: PathBuf,
    pub result: std::result::Result<Done, String>,
}

#[derive(Debug, Clone)]
pub struct Done {
    /// `origin/postmortems` for a clone, `postmortems` for a mirror.
    pub fetched: String,
    pub tip: Tip,
    pub local: Local,
}

/// The fetched branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tip {
    UpToDate,
    /// `before` is `None` on the first fetch; `forced` when the team's
    /// branch was rewritten (the mirror follows it).
    Updated {
        before: Option<Oid>,
        after: Oid,
        commits: usize,
        forced: bool,
    },
    /// The remote has no records branch (yet).
    NoBranch {
        remote: String,
    },
    /// A repository without a remote: nothing to fetch.
    NoRemote,
}

/// The clone's own records branch after the fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Local {
    /// A mirror, or a clone without a local branch (reads take the
    /// remote's).
    None,
    /// Where the remote's is.
    Same,
    /// Moved forward to the remote's (it was strictly behind).
    FastForwarded { commits: usize },
    /// Behind, but checked out in a work tree: left for `sync`.
    CheckedOut { commits: usize, work_tree: PathBuf },
    /// Holds commits the remote has not: `sync` shares them.
    Ahead { commits: usize },
    /// Both sides have commits of their own: `sync` merges them.
    Diverged,
}

/// Fetches every job, `workers` at a time, calling `done` as each ends
/// (from the worker's thread: a progress line). Results come back in the
/// jobs' order.
pub fn fetch_all(
    jobs: &[Job],
    dirs: &Dirs,
    records_dir: &str,
    workers: usize,
    done: &(dyn Fn(&Fetched) + Sync),
) -> Vec<Fetched> {
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<Fetched>>> = Mutex::new(vec![None; jobs.len()]);
    std::thread::scope(|scope| {
        for _ in 0..workers.clamp(1, jobs.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(job) = jobs.get(i) else { break };
                    let fetched = fetch_one(job, dirs, records_dir, jobs.len() == 1);
                    done(&fetched);
                    if let Ok(mut r) = results.lock() {
                        r[i] = Some(fetched);
                    }
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect()
}

/// Fetches one repository; a failure becomes its one line. Without
/// `prompt` (many at once), git asks for no password on the terminal: a
/// repository that needs one fails, saying so, and the others go on.
pub fn fetch_one(job: &Job, dirs: &Dirs, records_dir: &str, prompt: bool) -> Fetched {
    let result = match &job.repo.location {
        Location::Path(path) => fetch_clone(path, records_dir, prompt),
        Location::Url(url) => fetch_mirror(
            &dirs.mirror(&job.repo.name),
            url,
            job.branch.as_deref(),
            prompt,
        ),
    };
    Fetched {
        name: job.repo.name.clone(),
        path: job.repo.local_path(dirs),
        result: result.map_err(|e| crate::error::one_line(&e.message)),
    }
}

fn fetch_mirror(path: &Path, url: &str, branch: Option<&str>, prompt: bool) -> Result<Done> {
    let moved = mirror::fetch(path, url, branch, prompt)?;
    let repo = Repository::open_bare(path)?;
    Ok(Done {
        fetched: mirror::branch_of(path),
        tip: compare(&repo, moved.before, moved.after)?,
        local: Local::None,
    })
}

/// A clone: `git fetch REMOTE +refs/heads/B:refs/remotes/REMOTE/B` as
/// `sync` runs it, then its local branch.
pub fn fetch_clone(path: &Path, records_dir: &str, prompt: bool) -> Result<Done> {
    if !path.exists() {
        return Err(Error::new(format!(
            "{} does not exist (moved or deleted?)",
            path.display()
        )));
    }
    let mut store = Store::open_at(path, records_dir, Access::ReadOnly)?;
    if !prompt {
        store.git.set_env("GIT_TERMINAL_PROMPT", "0");
    }
    let name = branch::records_branch_name(&store.repo)?;
    let Some(up) = git_sync::upstream_of(&store, &name)? else {
        return Ok(Done {
            fetched: name,
            tip: Tip::NoRemote,
            local: Local::None,
        });
    };
    let before = branch::tip(&store.repo, &up.tracking)?;
    let Some(after) = git_sync::fetch(&store, &up, false)? else {
        return Ok(Done {
            fetched: up.shown(),
            tip: Tip::NoBranch {
                remote: up.remote.clone(),
            },
            local: Local::None,
        });
    };
    Ok(Done {
        fetched: up.shown(),
        tip: compare(&store.repo, before, after)?,
        local: follow(&store, &name, after)?,
    })
}

/// How the fetched branch moved.
fn compare(repo: &Repository, before: Option<Oid>, after: Oid) -> Result<Tip> {
    if before == Some(after) {
        return Ok(Tip::UpToDate);
    }
    let (commits, forced) = match before {
        None => (count(repo, after)?, false),
        Some(b) => {
            let (ahead, _) = repo.graph_ahead_behind(after, b)?;
            (ahead, !repo.graph_descendant_of(after, b)?)
        }
    };
    Ok(Tip::Updated {
        before,
        after,
        commits,
        forced,
    })
}

/// Commits reachable from `tip`.
fn count(repo: &Repository, tip: Oid) -> Result<usize> {
    let mut walk = repo.revwalk()?;
    walk.push(tip)?;
    Ok(walk.count())
}

/// Brings the local records branch to the fetched tip when it is strictly
/// behind and checked out nowhere: compare-and-swap, as our writes move
/// it, so a commit made meanwhile is never lost.
fn follow(store: &Store, name: &str, theirs: Oid) -> Result<Local> {
    let refname = format!("refs/heads/{name}");
    let repo = &store.repo;
    let Some(ours) = branch::tip(repo, &refname)? else {
        return Ok(Local::None);
    };
    if ours == theirs {
        return Ok(Local::Same);
    }
    let (ahead, behind) = repo.graph_ahead_behind(ours, theirs)?;
    match (ahead, behind) {
        (0, commits) => {
            if let Some(checkout) = branch::checkout_of(repo, &refname)? {
                return Ok(Local::CheckedOut {
                    commits,
                    work_tree: checkout.work_tree,
                });
            }
            let (new, old) = (theirs.to_string(), ours.to_string());
            store.git.run(&[
                "update-ref",
                "-m",
                "devops postmortem fetch: fast-forward",
                &refname,
                &new,
                &old,
            ])?;
            Ok(Local::FastForwarded { commits })
        }
        (commits, 0) => Ok(Local::Ahead { commits }),
        _ => Ok(Local::Diverged),
    }
}

/// git for a repository other than the one the user is in: none of the
/// variables that point git at a repository, an index or objects.
pub fn isolated_git() -> std::process::Command {
    let mut cmd = std::process::Command::new("git");
    for var in crate::store::git::REPOSITORY_VARS {
        cmd.env_remove(var);
    }
    cmd.env("LC_ALL", "C")
        .env("LANGUAGE", "C")
        .stdin(std::process::Stdio::null());
    cmd
}

/// A failed git command as one error line: its first line of substance.
pub fn first_line(command: &str, stderr: &str) -> Error {
    let line = stderr
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("(no message)");
    let line = line
        .strip_prefix("fatal: ")
        .or_else(|| line.strip_prefix("error: "))
        .unwrap_or(line);
    Error::new(format!("{command} failed: {line}"))
}
