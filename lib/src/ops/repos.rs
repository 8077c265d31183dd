//! `repos add|list|rm`: the user's list of the team's repositories
//! (`team::registry`), beside the team's own (`[team] repos` in the
//! records config). Adding a URL mirrors its records branch at once, so
//! a bad URL is said now, not at the first read.

use crate::error::{Command, Error, Result};
use crate::store::Store;
use crate::store::branch::{self, Access};
use crate::team::registry::{self, Entry, TeamEntry, UserFile};
use crate::team::{Dirs, Location, Source, TeamRepo, fresh, mirror, user_file};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// What `repos add` did.
#[derive(Debug)]
pub enum Added {
    /// Written to the user's list.
    Listed {
        name: String,
        location: Location,
        records: Records,
        /// The mirror made for a URL, and its records branch's commits.
        mirror: Option<(PathBuf, usize)>,
    },
    /// A URL that one of the user's clones already fetches from: nothing
    /// added, the clone is read.
    Cloned {
        url: String,
        name: String,
        path: PathBuf,
    },
}

/// Whether a clone holds the records branch (here or fetched from its
/// remote).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Records {
    Found { branch: String },
    Missing { branch: String },
}

/// `repos add PATH|URL [--name NAME] [--branch B]`.
pub fn add(
    dirs: &Dirs,
    cwd: &Path,
    target: &str,
    name: Option<&str>,
    branch: Option<&str>,
    records_dir: &str,
) -> Result<Added> {
    let file = UserFile::read(dirs)?;
    if is_url(cwd, target) {
        return add_url(dirs, &file, target, name, branch);
    }
    if branch.is_some() {
        return Err(Error::usage(
            "--branch is for a URL: a clone's records branch is its own `git config postmortem.branch`",
        ));
    }
    let (entry, records) = prepare_path(&file, &cwd.join(target), name, records_dir)?;
    add_checked(dirs, &entry)?;
    Ok(Added::Listed {
        name: entry.name,
        location: Location::Path(entry.path.unwrap_or_default()),
        records,
        mirror: None,
    })
}

/// A URL (`https://…`, `ssh://…`, `file://…`, `git@host:path`) rather
/// than a folder: what exists on disk is a folder.
fn is_url(cwd: &Path, target: &str) -> bool {
    if cwd.join(target).exists() {
        return false;
    }
    if target.contains("://") {
        return true;
    }
    // scp-like `host:path`, as git reads it: a colon before any slash.
    match target.split_once(':') {
        Some((host, _)) => !host.is_empty() && !host.contains('/'),
        None => false,
    }
}

/// The entry for the clone at `path` (its top, absolute) and whether it
/// holds records; refused when it is not a repository or clashes with
/// the list.
fn prepare_path(
    file: &UserFile,
    path: &Path,
    name: Option<&str>,
    records_dir: &str,
) -> Result<(Entry, Records)> {
    if !path.exists() {
        return Err(Error::usage(format!(
            "{} does not exist: give the folder of a clone (or a URL)",
            path.display()
        )));
    }
    let store = Store::open_at(path, records_dir, Access::ReadOnly)?;
    if mirror::is_mirror(&store.repo) {
        return Err(Error::usage(format!(
            "{} is a mirror that `devops postmortem fetch` keeps, not a clone: add the URL it mirrors, or a clone of it",
            path.display()
        ))
        .hint_run("see the list", Command::postmortem(["repos", "list"])));
    }
    let top = store
        .workdir
        .clone()
        .unwrap_or_else(|| store.git.git_dir.clone());
    let name = match name {
        Some(n) => n.to_string(),
        None => folder_name(&top),
    };
    let branch_name = branch::records_branch_name(&store.repo)?;
    let records = if branch::tip(&store.repo, &store.location.refname)?.is_some() {
        Records::Found {
            branch: branch_name,
        }
    } else {
        Records::Missing {
            branch: branch_name,
        }
    };
    let entry = Entry {
        name,
        path: Some(top),
        url: None,
        branch: None,
    };
    check_entry(file, &entry)?;
    Ok((entry, records))
}

fn add_url(
    dirs: &Dirs,
    file: &UserFile,
    url: &str,
    name: Option<&str>,
    branch: Option<&str>,
) -> Result<Added> {
    for e in &file.repos {
        if let Some(path) = &e.path
            && registry::remote_urls(path)
                .iter()
                .any(|u| registry::same_url(u, url))
        {
            return Ok(Added::Cloned {
                url: url.to_string(),
                name: e.name.clone(),
                path: path.clone(),
            });
        }
    }
    mirror::check_url(url)?;
    let name = match name {
        Some(n) => n.to_string(),
        None => registry::name_from_url(url),
    };
    let entry = Entry {
        name: name.clone(),
        path: None,
        url: Some(url.to_string()),
        branch: branch.map(str::to_string),
    };
    check_entry(file, &entry)?;
    if let Some(b) = branch
        && !registry::valid_branch(b)
    {
        return Err(Error::usage(format!(
            "--branch {b:?} is not a branch name git accepts"
        )));
    }
    let path = dirs.mirror(&name);
    let moved = mirror::fetch(&path, url, branch, true)
        .map_err(|e| Error::new(format!("cannot mirror {url}: {}", e.message)).nothing_written())?;
    let commits = git2::Repository::open_bare(&path)
        .ok()
        .and_then(|r| {
            let mut walk = r.revwalk().ok()?;
            walk.push(moved.after).ok()?;
            Some(walk.count())
        })
        .unwrap_or_default();
    add_checked(dirs, &entry)?;
    Ok(Added::Listed {
        name,
        location: Location::Url(url.to_string()),
        records: Records::Found {
            branch: mirror::branch_of(&path),
        },
        mirror: Some((path, commits)),
    })
}

/// Writes `entry`, checked again against the list as it is under the
/// lock (another `repos add` may have written meanwhile).
fn add_checked(dirs: &Dirs, entry: &Entry) -> Result<()> {
    user_file::add(dirs, entry, |file| check_entry(file, entry))
}

/// Refuses `entry` when the list has its repository already (the same
/// clone, the same URL) or its name.
fn check_entry(file: &UserFile, entry: &Entry) -> Result<()> {
    match (&entry.path, &entry.url) {
        (Some(top), _) => check_free(file, &entry.name, &top.display().to_string(), |e| {
            e.path.as_deref().is_some_and(|p| same_path(p, top))
        }),
        (_, url) => {
            let url = url.as_deref().unwrap_or_default();
            check_free(file, &entry.name, url, |e| {
                e.url.as_deref().is_some_and(|u| registry::same_url(u, url))
            })
        }
    }
}

/// Refuses a name that is not one, or one the user's list has already;
/// and a repository listed already (`same`), under any name.
fn check_free(
    file: &UserFile,
    name: &str,
    target: &str,
    same: impl Fn(&Entry) -> bool,
) -> Result<()> {
    if let Some(e) = file.repos.iter().find(|e| same(e)) {
        return Err(
            Error::usage(format!("{target} is already in your list, as {}", e.name))
                .hint_run("see the list", Command::postmortem(["repos", "list"])),
        );
    }
    if !registry::valid_name(name) {
        let fixed = suggested_name(name);
        return Err(Error::usage(format!(
            "{name:?} is not a repository name (letters, digits, '-', '_', '.'; not starting with '.' or '-')"
        ))
        .hint_run(
            "give one",
            Command::postmortem(["repos", "add", target, "--name", &fixed]),
        ));
    }
    if let Some(e) = file.repos.iter().find(|e| e.name == name) {
        let theirs = match (&e.path, &e.url) {
            (Some(p), _) => p.display().to_string(),
            (_, Some(u)) => u.clone(),
            _ => String::new(),
        };
        return Err(Error::usage(format!(
            "cannot add {target} as {name}: the name is taken by {theirs}"
        ))
        .hint_run(
            "give it another name",
            Command::postmortem(["repos", "add", target, "--name", &format!("{name}-2")]),
        ));
    }
    Ok(())
}

/// A name made of what `valid_name` allows, for the hint.
fn suggested_name(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    let s = s.trim_start_matches(['.', '-']).to_string();
    if s.is_empty() { "repo".into() } else { s }
}

/// The folder's name, without `.git` (a bare repository).
fn folder_name(top: &Path) -> String {
    let name = top
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    name.strip_suffix(".git").unwrap_or(&name).to_string()
}

fn same_path(a: &Path, b: &Path) -> bool {
    a == b || matches!((a.canonicalize(), b.canonicalize()), (Ok(x), Ok(y)) if x == y)
}

/// What `repos add --root DIR` found below DIR.
#[derive(Debug, Default)]
pub struct Scan {
    pub added: Vec<(String, PathBuf)>,
    /// Clones not added, and why.
    pub skipped: Vec<(PathBuf, String)>,
}

/// Folders never looked into: hidden ones, build output, dependencies.
const SKIPPED_FOLDERS: &[&str] = &["target", "node_modules"];
/// How deep below the root clones are looked for (`~/src/acme/api` is 2).
pub const SCAN_DEPTH: usize = 4;

/// Adds every clone below `root` that holds a records branch.
pub fn add_root(dirs: &Dirs, root: &Path, records_dir: &str) -> Result<Scan> {
    if !root.is_dir() {
        return Err(Error::usage(format!(
            "--root {}: not a folder",
            root.display()
        )));
    }
    let mut clones = Vec::new();
    find_clones(root, 0, &mut clones);
    let mut scan = Scan::default();
    // A linked work tree is its repository again: listed once.
    let mut seen: Vec<(PathBuf, &Path, String)> = Vec::new();
    let listed = UserFile::read(dirs)?;
    for e in &listed.repos {
        if let Some(path) = e.path.as_deref()
            && let Some(common) = common_dir(path)
        {
            seen.push((common, path, e.name.clone()));
        }
    }
    for path in &clones {
        let common = common_dir(path);
        let twin = seen
            .iter()
            .find(|(c, p, _)| Some(c) == common.as_ref() && !same_path(p, path));
        if let Some((_, _, name)) = twin {
            let why = format!("the same repository as {name} (a linked work tree)");
            scan.skipped.push((path.clone(), why));
            continue;
        }
        let file = UserFile::read(dirs)?;
        match prepare_path(&file, path, None, records_dir) {
            Ok((entry, Records::Found { .. })) => {
                add_checked(dirs, &entry)?;
                seen.extend(common.map(|c| (c, path.as_path(), entry.name.clone())));
                scan.added.push((entry.name, path.clone()));
            }
            Ok((_, Records::Missing { branch })) => {
                scan.skipped
                    .push((path.clone(), format!("no {branch} branch")));
            }
            Err(e) => scan.skipped.push((path.clone(), e.message)),
        }
    }
    Ok(scan)
}

/// The git directory a clone shares with its linked work trees.
fn common_dir(path: &Path) -> Option<PathBuf> {
    let repo = git2::Repository::open(path).ok()?;
    repo.commondir().canonicalize().ok()
}

/// The clones (folders holding `.git`) at or below `dir`, not looking
/// inside a clone (its submodules and vendored copies are its own).
fn find_clones(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) {
    if dir.join(".git").exists() {
        out.push(dir.to_path_buf());
        return;
    }
    if depth >= SCAN_DEPTH {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut folders: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            !name.starts_with('.') && !SKIPPED_FOLDERS.contains(&name.as_str())
        })
        .map(|e| e.path())
        .collect();
    folders.sort();
    for f in folders {
        find_clones(&f, depth + 1, out);
    }
}

/// One repository as `repos list` shows it.
#[derive(Debug)]
pub struct Listed {
    pub repo: TeamRepo,
    /// The mirror, for a repository known by its URL.
    pub mirror: Option<PathBuf>,
    /// Its records branch's name.
    pub branch: String,
    /// Whether that branch is here (or its remote's, fetched).
    pub found: bool,
    pub fetched_at: Option<SystemTime>,
    /// Why it cannot be read now (a missing folder, no mirror yet).
    pub problem: Option<String>,
}

/// The user's list, then the team's.
pub fn list(dirs: &Dirs, team: &[TeamEntry]) -> Result<Vec<Listed>> {
    let file = UserFile::read(dirs)?;
    Ok(file
        .with_team(team)
        .into_iter()
        .map(|repo| describe(dirs, &file, repo))
        .collect())
}

fn describe(dirs: &Dirs, file: &UserFile, repo: TeamRepo) -> Listed {
    let local = repo.local_path(dirs);
    let mut listed = Listed {
        mirror: matches!(repo.location, Location::Url(_)).then(|| local.clone()),
        branch: branch_wanted(file, &repo).unwrap_or_else(|| branch::DEFAULT_BRANCH.into()),
        found: false,
        fetched_at: fresh::fetched_at(&local),
        problem: None,
        repo,
    };
    if !local.exists() {
        listed.problem = Some(match listed.mirror {
            Some(_) => "not fetched yet".to_string(),
            None => format!("{} does not exist", local.display()),
        });
        return listed;
    }
    match git2::Repository::open(&local) {
        Ok(r) => {
            listed.branch = branch::records_branch_name(&r).unwrap_or(listed.branch);
            listed.found = holds_branch(&r, &listed.branch);
        }
        Err(e) => listed.problem = Some(format!("cannot open: {}", e.message())),
    }
    listed
}

/// The branch the user's entry names for its mirror.
fn branch_wanted(file: &UserFile, repo: &TeamRepo) -> Option<String> {
    if repo.source != Source::User {
        return None;
    }
    file.repos
        .iter()
        .find(|e| e.name == repo.name)
        .and_then(|e| e.branch.clone())
}

/// The branch here, or a remote's copy of it fetched here.
fn holds_branch(repo: &git2::Repository, name: &str) -> bool {
    let here = branch::tip(repo, &format!("refs/heads/{name}")).is_ok_and(|t| t.is_some());
    here || branch::remote_of(repo, name).is_some_and(|r| {
        branch::tip(repo, &format!("refs/remotes/{r}/{name}")).is_ok_and(|t| t.is_some())
    })
}

/// What `repos rm` did.
#[derive(Debug)]
pub struct Removed {
    pub name: String,
    /// The mirror removed with it (a cache).
    pub mirror: Option<PathBuf>,
    /// The team's list names it too: it is read from there now.
    pub team_still: bool,
}

/// Removes `name` from the user's list (and its mirror). The team's list
/// is the records config's, changed with `edit --config`.
pub fn remove(dirs: &Dirs, name: &str, team: &[TeamEntry]) -> Result<Removed> {
    let file = UserFile::read(dirs)?;
    let in_team = team.iter().any(|t| t.name() == name);
    let Some(entry) = file.repos.iter().find(|e| e.name == name) else {
        if in_team {
            return Err(Error::new(format!(
                "{name} is on the team's list ([team] repos in the records config), not yours: change it there"
            ))
            .hint_run("edit the team's config", Command::postmortem(["edit", "--config"])));
        }
        return Err(
            Error::usage(format!("no repository named {name:?} in your list"))
                .hint_run("see the list", Command::postmortem(["repos", "list"])),
        );
    };
    let mirror = match entry.url {
        Some(_) => Some(dirs.mirror(name)).filter(|m| m.exists()),
        None => None,
    };
    user_file::remove(dirs, name)?;
    if let Some(m) = &mirror {
        mirror::remove(m).map_err(|e| {
            Error::new(format!(
                "removed {name} from your list, but not its mirror {}: {e}",
                m.display()
            ))
        })?;
    }
    Ok(Removed {
        name: name.to_string(),
        mirror,
        team_still: in_team,
    })
}
