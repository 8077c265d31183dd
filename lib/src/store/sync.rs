//! Sharing the records branch through the `git` CLI (fetch and push of
//! that one branch, nothing else), as cargo and jj do: credentials,
//! proxies, SSH config and hooks then behave exactly as the user expects.
//! The merge itself is in-process (`replay`); `ops::sync` decides.

use super::git::GitFailure;
use super::{Store, branch, lock};
use crate::error::{Command, Error, Result};
use git2::Oid;
use std::process::Stdio;

pub const DRIVER: &str = "devops-postmortem";
/// What git runs for the attribute, where the records branch is checked
/// out and merged by a plain `git pull`: the field-aware merge when
/// `devops` is on PATH, else git's own line merge, which leaves conflict
/// markers (a driver that cannot start would leave one side silently).
pub const DRIVER_COMMAND: &str = "command -v devops >/dev/null 2>&1 && exec devops postmortem merge-driver %O %A %B %P; exec git merge-file -L ours -L base -L theirs %A %O %B";

pub fn attributes_line(records_dir: &str) -> String {
    format!("{records_dir}/**/*.toml merge={DRIVER}")
}

/// Makes git merge records field by field in this clone, committing
/// nothing: the attribute goes to `.git/info/attributes` (this clone's own
/// attributes file), the driver to `.git/config`. Returns whether anything
/// was added or brought up to date.
pub fn setup_merge_driver(store: &Store) -> Result<bool> {
    let mut changed = false;
    let info = store.repo.commondir().join("info");
    let attributes = info.join("attributes");
    let line = attributes_line(&store.records_dir);
    let current = std::fs::read_to_string(&attributes).unwrap_or_default();
    if !current.lines().any(|l| l.trim() == line) {
        std::fs::create_dir_all(&info)
            .map_err(|e| Error::new(format!("cannot create {}: {e}", info.display())))?;
        let mut text = current;
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str("# devops postmortem: records merge field by field\n");
        text.push_str(&line);
        text.push('\n');
        crate::fsio::atomic_write(
            &attributes,
            text.as_bytes(),
            crate::fsio::Durability::Synced,
            crate::fsio::Temp::Random,
        )
        .map_err(|e| Error::new(format!("cannot write {}: {e}", attributes.display())))?;
        changed = true;
    }
    Ok(upgrade_driver(store, true)? || changed)
}

/// Brings a driver registered by an earlier version (one that needed
/// `devops` on PATH) to the command with git's fallback; with `add`, also
/// registers it where none is.
pub fn upgrade_driver(store: &Store, add: bool) -> Result<bool> {
    let key = format!("merge.{DRIVER}.driver");
    let current = store.repo.config()?.get_string(&key).ok();
    if current.as_deref() == Some(DRIVER_COMMAND) || (current.is_none() && !add) {
        return Ok(false);
    }
    let mut config = store.repo.config()?.open_level(git2::ConfigLevel::Local)?;
    config.set_str(
        &format!("merge.{DRIVER}.name"),
        "devops postmortem field-aware merge",
    )?;
    config.set_str(&key, DRIVER_COMMAND)?;
    Ok(true)
}

/// Where the records branch is shared: `origin`, the branch's name there,
/// and the local ref that tracks it.
#[derive(Debug, Clone)]
pub struct Upstream {
    pub remote: String,
    /// The branch's name on the remote (`postmortems`).
    pub branch: String,
    /// `refs/remotes/origin/postmortems`.
    pub tracking: String,
}

impl Upstream {
    /// `origin/postmortems`, for messages.
    pub fn shown(&self) -> String {
        format!("{}/{}", self.remote, self.branch)
    }
}

pub fn upstream(store: &Store) -> Result<Upstream> {
    upstream_of(store, store.location.name())?.ok_or_else(|| {
        Error::new("this repository has no remote to share the records with").hint_run(
            "add the team's repository",
            Command::git(["remote", "add", "origin", "URL"]),
        )
    })
}

/// Where the branch `name` is shared; `None` in a repository without a
/// remote.
pub fn upstream_of(store: &Store, name: &str) -> Result<Option<Upstream>> {
    let Some(remote) = branch::remote_of(&store.repo, name) else {
        return Ok(None);
    };
    let merge = store
        .repo
        .config()?
        .get_string(&format!("branch.{name}.merge"))
        .unwrap_or_default();
    let branch = merge
        .strip_prefix("refs/heads/")
        .filter(|b| !b.is_empty())
        .unwrap_or(name)
        .to_string();
    Ok(Some(Upstream {
        tracking: format!("refs/remotes/{remote}/{branch}"),
        remote,
        branch,
    }))
}

/// Sets the records branch's upstream (after its first push, or once its
/// remote branch is known), when it is not set that way already.
pub fn remember_upstream(store: &Store, up: &Upstream) -> Result<()> {
    let name = store.location.name();
    let config = store.repo.config()?;
    let merge = format!("refs/heads/{}", up.branch);
    let (remote_key, merge_key) = (
        format!("branch.{name}.remote"),
        format!("branch.{name}.merge"),
    );
    if config.get_string(&remote_key).ok().as_deref() == Some(up.remote.as_str())
        && config.get_string(&merge_key).ok().as_deref() == Some(merge.as_str())
    {
        return Ok(());
    }
    let mut local = config.open_level(git2::ConfigLevel::Local)?;
    local.set_str(&remote_key, &up.remote)?;
    local.set_str(&merge_key, &merge)?;
    Ok(())
}

/// Runs a git command whose messages are for the person: progress shown
/// live on a terminal (unless quiet), errors kept whole.
pub fn talk(
    store: &Store,
    args: &[&str],
    progress: bool,
) -> Result<std::result::Result<String, GitFailure>> {
    let mut cmd = store.git.porcelain(args);
    cmd.stdin(Stdio::null());
    if progress {
        cmd.stderr(Stdio::inherit());
    }
    let out = cmd
        .output()
        .map_err(|e| super::git::cannot_run(&format!("git {}", args[0]), &e))?;
    if out.status.success() {
        Ok(Ok(String::from_utf8_lossy(&out.stdout).into_owned()))
    } else {
        Ok(Err(GitFailure::from_output(&out, args)))
    }
}

/// `git fetch REMOTE +refs/heads/B:refs/remotes/REMOTE/B`: the records
/// branch only (the `+` follows a force-push, as git's default refspec
/// does). Returns the remote's tip, `None` when it has no such branch.
pub fn fetch(store: &Store, up: &Upstream, progress: bool) -> Result<Option<Oid>> {
    let refspec = format!("+refs/heads/{}:{}", up.branch, up.tracking);
    let mut args = vec!["fetch", "--no-tags", "--no-write-fetch-head"];
    if !progress {
        args.push("--quiet");
    }
    args.extend([up.remote.as_str(), refspec.as_str()]);
    // `--no-write-fetch-head` arrived in git 2.29; older gits go without.
    let mut result = talk(store, &args, progress)?;
    if let Err(f) = &result
        && f.stderr.contains("no-write-fetch-head")
    {
        args.retain(|a| *a != "--no-write-fetch-head");
        result = talk(store, &args, progress)?;
    }
    match result {
        Ok(_) => {
            crate::team::fresh::stamp(&store.repo);
            branch::tip(&store.repo, &up.tracking)
        }
        Err(f) if f.stderr.contains("couldn't find remote ref") => Ok(None),
        Err(f) if f.lock_file().is_some() => {
            let lock_file = f.lock_file().unwrap_or_default();
            Err(lock::git_lock_error(&lock_file, "cannot fetch").nothing_written())
        }
        Err(f) => Err(f.into_error().hint(format!(
            "check that `git fetch {}` works here, then sync again",
            up.remote
        ))),
    }
}

/// The newest commit of `local` that the remote's branch had when it was
/// last fetched (its reflog, as `git pull --rebase` finds it): the
/// commits after it are the ones made here since. Else their merge base;
/// `None` when the two share no history.
pub fn fork_point(store: &Store, up: &Upstream, local: Oid) -> Result<Option<Oid>> {
    let local_hex = local.to_string();
    let out = store
        .git
        .output(&["merge-base", "--fork-point", &up.tracking, &local_hex])?;
    if out.status.success()
        && let Ok(oid) = Oid::from_str(String::from_utf8_lossy(&out.stdout).trim())
    {
        return Ok(Some(oid));
    }
    let Some(theirs) = branch::tip(&store.repo, &up.tracking)? else {
        return Ok(None);
    };
    match store.repo.merge_base(local, theirs) {
        Ok(b) => Ok(Some(b)),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// How a push ended.
pub enum Pushed {
    Done {
        stderr: String,
    },
    /// Someone pushed first: fetch and try again.
    Behind(GitFailure),
    /// The remote refused it (a hook, branch protection): `reason` is
    /// what git reported in parentheses.
    Refused {
        reason: String,
        failure: GitFailure,
    },
    Failed(GitFailure),
}

/// `git push REMOTE COMMIT:refs/heads/BRANCH` (with `+` when `force`).
pub fn push(
    store: &Store,
    remote: &str,
    commit: Oid,
    branch: &str,
    force: bool,
    progress: bool,
) -> Result<Pushed> {
    let refspec = format!(
        "{}{commit}:refs/heads/{branch}",
        if force { "+" } else { "" }
    );
    let mut cmd = store
        .git
        .porcelain(&["push", "--porcelain", remote, &refspec]);
    cmd.stdin(Stdio::null());
    if !progress {
        cmd.arg("--quiet");
    }
    let out = cmd
        .output()
        .map_err(|e| super::git::cannot_run("git push", &e))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if out.status.success() {
        return Ok(Pushed::Done { stderr });
    }
    let failure = GitFailure {
        command: "git push".into(),
        stderr: format!("{}\n{}", stdout.trim_end(), stderr.trim_end())
            .trim()
            .to_string(),
    };
    // --porcelain: `!\t<from>:<to>\t[rejected] (fetch first)` or
    // `!\t<from>:<to>\t[remote rejected] (pre-receive hook declined)`.
    for line in stdout.lines().filter(|l| l.starts_with('!')) {
        let reason = line
            .rsplit_once('(')
            .map(|(_, r)| r.trim_end_matches(')').to_string())
            .unwrap_or_default();
        if line.contains("[remote rejected]") {
            return Ok(Pushed::Refused { reason, failure });
        }
        if line.contains("[rejected]")
            && (reason.contains("fetch first") || reason.contains("non-fast-forward"))
        {
            return Ok(Pushed::Behind(failure));
        }
    }
    Ok(Pushed::Failed(failure))
}

/// Records the pushed tip as the remote's, so the next sync's fork point
/// knows it even when git did not update the tracking ref (a refspec of
/// another shape).
pub fn note_pushed(store: &Store, up: &Upstream, commit: Oid) -> Result<()> {
    if branch::tip(&store.repo, &up.tracking)? == Some(commit) {
        return Ok(());
    }
    let hex = commit.to_string();
    store.git.run(&[
        "update-ref",
        "-m",
        "devops postmortem sync: pushed",
        &up.tracking,
        &hex,
    ])?;
    Ok(())
}
