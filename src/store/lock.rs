//! One writer at a time per repository. An OS file lock, so a crashed run
//! never leaves a stale lock behind (unlike a lock *file*).

use crate::error::{Context, Result};
use std::fs::{File, OpenOptions};

pub struct WriteLock {
    _file: File,
}

pub fn acquire(repo: &git2::Repository) -> Result<WriteLock> {
    // The common dir is shared by linked worktrees, which share branches.
    let path = repo.commondir().join("devops-postmortem.lock");
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .context(|| format!("cannot open {}", path.display()))?;
    file.lock()
        .context(|| format!("cannot lock {}", path.display()))?;
    Ok(WriteLock { _file: file })
}
