//! The bare mirror of a repository known only by its URL: the records
//! branch alone, under the user's cache (`Dirs::mirror`), fetched with
//! `+refs/heads/B:refs/heads/B` so it follows the team's branch even
//! through a force-push.
//!
//! A mirror is made in a `NAME.git.partial-*` folder beside its place and
//! renamed into it once its first fetch is done: a run killed half-way
//! leaves no mirror (the next run makes it again), never one that reads
//! as empty-and-fine.

use crate::error::{Error, Result};
use crate::store::branch::{self, DEFAULT_BRANCH};
use git2::{Oid, Repository};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, SystemTime};

/// The config key that marks a repository as one of our mirrors.
const MARK: &str = "postmortem.mirror";

/// A folder a killed run left half made is removed after this long (a
/// younger one may still be another run's first fetch).
const PARTIAL_TTL: Duration = Duration::from_secs(3600);

/// The records branch a mirror holds: its `postmortem.branch`, else
/// `postmortems`.
pub fn branch_of(mirror: &Path) -> String {
    Repository::open_bare(mirror)
        .ok()
        .and_then(|r| branch::records_branch_name(&r).ok())
        .unwrap_or_else(|| DEFAULT_BRANCH.to_string())
}

/// Whether a complete mirror is there: a bare repository holding its
/// records branch.
pub fn is_complete(mirror: &Path) -> bool {
    let Ok(repo) = Repository::open_bare(mirror) else {
        return false;
    };
    let name = branch::records_branch_name(&repo).unwrap_or_else(|_| DEFAULT_BRANCH.into());
    branch::tip(&repo, &format!("refs/heads/{name}")).is_ok_and(|t| t.is_some())
}

/// The mirror's records branch before and after a fetch from `url`.
#[derive(Debug, Clone, Copy)]
pub struct Moved {
    pub before: Option<Oid>,
    pub after: Oid,
}

/// Fetches the records branch from `url` into the mirror at `mirror`,
/// making it first when it is missing or not a repository any more.
/// `branch` is the one to mirror when making it (`None`: the mirror's
/// own, else `postmortems`). Without `prompt`, git asks for no password.
pub fn fetch(mirror: &Path, url: &str, branch: Option<&str>, prompt: bool) -> Result<Moved> {
    check_url(url)?;
    match Repository::open_bare(mirror) {
        Ok(repo) if follows(&repo, url, branch) => {
            let name = match branch {
                Some(b) => b.to_string(),
                None => branch::records_branch_name(&repo)?,
            };
            let refname = format!("refs/heads/{name}");
            let before = branch::tip(&repo, &refname)?;
            fetch_into(mirror, url, &name, prompt)?;
            let after = branch::tip(&repo, &refname)?
                .ok_or_else(|| Error::new(format!("{url} has no {name} branch")))?;
            Ok(Moved { before, after })
        }
        // Missing, not a repository, or the mirror of another URL or
        // branch (the team's entry of the name, mirrored before the
        // person's own): made anew, never read as this one.
        _ => {
            make(mirror, url, branch.unwrap_or(DEFAULT_BRANCH), prompt)?;
            let repo = Repository::open_bare(mirror)?;
            let after = branch::tip(&repo, &format!("refs/heads/{}", branch_of(mirror)))?
                .ok_or_else(|| {
                    Error::new(format!("{} holds no records branch", mirror.display()))
                })?;
            Ok(Moved {
                before: None,
                after,
            })
        }
    }
}

/// Whether `repo` is a mirror that `fetch` keeps: marked so when made, or
/// in the mirrors' folder (made by hand there, or before the mark).
pub fn is_mirror(repo: &Repository) -> bool {
    let marked = repo
        .config()
        .and_then(|c| c.open_level(git2::ConfigLevel::Local))
        .and_then(|c| c.get_bool(MARK))
        .unwrap_or(false);
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let in_folder = super::Dirs::from_env().is_ok_and(|dirs| {
        let folder = dirs.mirror("_");
        let folder = folder.parent().unwrap_or(&folder);
        canonical(repo.commondir()).starts_with(canonical(folder))
    });
    marked || in_folder
}

/// Refuses a write to a mirror, whoever sends it there (a command run
/// inside it, a list entry naming its path): its next fetch follows the
/// remote with a forced fetch and would drop the commit.
pub fn refuse_write(repo: &Repository) -> Result<()> {
    if !is_mirror(repo) {
        return Ok(());
    }
    let url = repo
        .find_remote("origin")
        .ok()
        .and_then(|r| r.url().ok().map(str::to_string))
        .unwrap_or_default();
    let dir = repo.commondir();
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().trim_end_matches(".git").to_string())
        .unwrap_or_default();
    // The clone goes to the home folder: never inside the mirror.
    let listed = super::Dirs::from_env()
        .and_then(|d| super::registry::UserFile::read(&d))
        .is_ok_and(|f| f.repos.iter().any(|e| e.name == name && e.url.is_some()));
    let source = if listed {
        super::Source::User
    } else {
        super::Source::Team
    };
    Err(write_refused(&name, &url, source, "cd && "))
}

/// The refusal of a write to the mirror of `url` named `name`, with the
/// clone that takes it (`cd`: where the clone is made from).
pub fn write_refused(name: &str, url: &str, source: super::Source, cd: &str) -> Error {
    let quote = crate::store::shell_quote;
    let mut line = cd.to_string();
    if source == super::Source::User {
        // The user's entry names the URL: the clone takes its place.
        line.push_str(&format!("devops postmortem repos rm {} && ", quote(name)));
    }
    line.push_str(&format!(
        "git clone {} {} && devops postmortem repos add {} --name {}",
        quote(url),
        quote(name),
        quote(name),
        quote(name)
    ));
    Error::new(format!(
        "{name} is read here from a mirror of {url}, which is never written (a fetch would drop the commit): write in a clone of it"
    ))
    .nothing_written()
    .hint_run(
        "clone it, add the clone to your list, and run the command again",
        crate::error::Command::shell(line),
    )
}

/// Whether the mirror `repo` is of `url` (and of `branch`, when given).
fn follows(repo: &Repository, url: &str, branch: Option<&str>) -> bool {
    let origin = repo
        .find_remote("origin")
        .ok()
        .and_then(|r| r.url().ok().map(str::to_string));
    let same_branch =
        branch.is_none_or(|b| branch::records_branch_name(repo).is_ok_and(|n| n == b));
    origin.is_some_and(|o| super::registry::same_url(&o, url)) && same_branch
}

/// Refuses what git would read as an option rather than a URL (a team
/// config is anyone's to write: `-oProxyCommand=…` must never reach git).
pub fn check_url(url: &str) -> Result<()> {
    if url.trim().is_empty() || url.starts_with('-') || url.chars().any(char::is_control) {
        return Err(Error::usage(format!(
            "{:?} is not a repository URL",
            crate::text::inline(url)
        )));
    }
    Ok(())
}

/// Makes the mirror: a bare repository beside its place, the first fetch
/// into it, then the rename. Whatever stood at `mirror` and was not a
/// repository (a folder a crash of an older version left) is replaced.
fn make(mirror: &Path, url: &str, branch: &str, prompt: bool) -> Result<()> {
    let parent = mirror
        .parent()
        .ok_or_else(|| Error::new(format!("{} has no parent folder", mirror.display())))?;
    std::fs::create_dir_all(parent)
        .map_err(|e| Error::new(format!("cannot create {}: {e}", parent.display())))?;
    let file = mirror.file_name().unwrap_or_default().to_string_lossy();
    forget_partials(parent, &file);
    let partial = tempfile::Builder::new()
        .prefix(&format!("{file}.partial-"))
        .tempdir_in(parent)
        .map_err(|e| {
            Error::new(format!(
                "cannot create a folder in {}: {e}",
                parent.display()
            ))
        })?;
    let dir = partial.path();
    let refspec = format!("+refs/heads/{branch}:refs/heads/{branch}");
    let head = format!("refs/heads/{branch}");
    for args in [
        &["init", "--bare", "-q"][..],
        &["config", "postmortem.branch", branch],
        &["config", MARK, "true"],
        &["config", "remote.origin.url", url],
        &["config", "remote.origin.fetch", &refspec],
        &["symbolic-ref", "HEAD", &head],
    ] {
        run(dir, args)?;
    }
    fetch_into(dir, url, branch, prompt)?;
    if mirror.exists() {
        remove(mirror)
            .map_err(|e| Error::new(format!("cannot replace {}: {e}", mirror.display())))?;
    }
    match std::fs::rename(partial.keep(), mirror) {
        Ok(()) => Ok(()),
        // Another run made it first: theirs stands, ours goes.
        Err(_) if is_complete(mirror) => Ok(()),
        Err(e) => Err(Error::new(format!(
            "cannot move the new mirror to {}: {e}",
            mirror.display()
        ))),
    }
}

/// Removes the mirror: first renamed aside at once (as a half-made one is
/// named), then deleted file by file. A run killed while deleting leaves
/// nothing at the mirror's place that would open as a repository with
/// objects missing; the next mirror made there clears what is left.
pub fn remove(mirror: &Path) -> std::io::Result<()> {
    let file = mirror.file_name().unwrap_or_default().to_string_lossy();
    let aside = mirror.with_file_name(format!("{file}.partial-removed-{}", std::process::id()));
    std::fs::rename(mirror, &aside)?;
    crate::store::tx::testpoint::reached("mirror-set-aside");
    std::fs::remove_dir_all(&aside)
}

/// Removes the half-made mirrors of `file` that killed runs left.
fn forget_partials(parent: &Path, file: &str) {
    let prefix = format!("{file}.partial-");
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| SystemTime::now().duration_since(t).unwrap_or_default() > PARTIAL_TTL);
        if old && entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// `git fetch URL +refs/heads/B:refs/heads/B` in the mirror.
fn fetch_into(dir: &Path, url: &str, branch: &str, prompt: bool) -> Result<()> {
    let refspec = format!("+refs/heads/{branch}:refs/heads/{branch}");
    let mut cmd = git(dir);
    if !prompt {
        cmd.env("GIT_TERMINAL_PROMPT", "0");
    }
    let out = cmd
        .args(["fetch", "--no-tags", "--quiet", url, &refspec])
        .output()
        .map_err(|e| Error::new(format!("cannot run git fetch: {e}")))?;
    if out.status.success() {
        if let Ok(repo) = Repository::open_bare(dir) {
            super::fresh::stamp(&repo);
        }
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    if stderr.contains("couldn't find remote ref") {
        return Err(Error::new(format!("{url} has no {branch} branch")));
    }
    Err(super::fetch::first_line("git fetch", &stderr))
}

fn run(dir: &Path, args: &[&str]) -> Result<()> {
    let out = git(dir)
        .args(args)
        .output()
        .map_err(|e| Error::new(format!("cannot run git {}: {e}", args[0])))?;
    if out.status.success() {
        return Ok(());
    }
    Err(super::fetch::first_line(
        &format!("git {}", args[0]),
        &String::from_utf8_lossy(&out.stderr),
    ))
}

/// The transports a mirror is fetched over. A URL comes from the team's
/// config, which anyone may write: `ext::sh -c …` (a command) is refused
/// whatever the person's own `protocol.allow` says.
const PROTOCOLS: &str = "file:git:http:https:ssh";

/// git on the mirror alone: none of the variables that would point it at
/// the user's own repository (`GIT_INDEX_FILE`, `GIT_OBJECT_DIRECTORY`, …).
fn git(dir: &Path) -> Command {
    let mut cmd = super::fetch::isolated_git();
    cmd.env("GIT_DIR", dir)
        .env("GIT_ALLOW_PROTOCOL", PROTOCOLS)
        .current_dir(dir);
    cmd
}
