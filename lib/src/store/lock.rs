//! Locks: ours, and git's as seen from outside.
//!
//! Ours is an OS lock (`flock`) on a file in `.git/`, so a killed run never
//! leaves a lock behind: the kernel drops it with the process. It keeps our
//! own writers in single file through their short critical section.
//!
//! git's locks (`index.lock`, `refs/heads/main.lock`) are files that git
//! creates and removes. We never create or delete them; when one is in the
//! way we wait briefly, then say which file it is, since when, and how to
//! tell whether a git command still owns it.

use crate::error::{Command, Context, Error, Result};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

pub struct WriteLock {
    _file: File,
}

pub fn path(repo: &git2::Repository) -> PathBuf {
    // The common dir is shared by linked worktrees, which share branches.
    repo.commondir().join("devops-postmortem.lock")
}

/// Waits for the repository's write lock.
pub fn acquire(repo: &git2::Repository) -> Result<WriteLock> {
    let file = open(repo)?;
    file.lock()
        .context(|| format!("cannot lock {}", path(repo).display()))?;
    Ok(WriteLock { _file: file })
}

/// The write lock if no one holds it now; `None` if a run of ours does
/// (it is at work, and settles its own journal).
pub fn try_acquire(repo: &git2::Repository) -> Result<Option<WriteLock>> {
    let file = open(repo)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(WriteLock { _file: file })),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(Error::new(format!(
            "cannot lock {}: {e}",
            path(repo).display()
        ))),
    }
}

fn open(repo: &git2::Repository) -> Result<File> {
    let path = path(repo);
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .context(|| format!("cannot open {}", path.display()))
}

/// How long to wait for a git lock held by someone else: git's own
/// commands hold them for milliseconds; longer means a `git commit`
/// waiting in an editor, or a lock left by a killed process.
pub const GIT_LOCK_PATIENCE: Duration = Duration::from_secs(3);

/// "git's lock file X exists (since …): …" with the way to find its owner.
pub fn git_lock_error(lock: &Path, what: &str) -> Error {
    let since = std::fs::metadata(lock)
        .and_then(|m| m.modified())
        .ok()
        .map(|t| {
            let age = SystemTime::now()
                .duration_since(t)
                .unwrap_or_default()
                .as_secs();
            let local: chrono::DateTime<chrono::Local> = t.into();
            format!(
                ", created {} ({} ago)",
                local.format("%Y-%m-%d %H:%M:%S"),
                if age < 120 {
                    format!("{age}s")
                } else {
                    crate::time::format_age(chrono::Duration::seconds(age as i64))
                }
            )
        })
        .unwrap_or_default();
    Error::new(format!(
        "{what}: git's lock file {} exists{since}; another git command is running, or one was killed",
        lock.display()
    ))
    .hint("if a git command is running (an editor open for `git commit`, see `ps -ef | grep git`), let it finish and run this again")
    .hint_run(
        "if none is, the lock is stale",
        Command::shell(format!("rm {}", super::shell_quote(&lock.display().to_string()))),
    )
}
