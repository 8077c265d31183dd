//! Opening the repository and refusing the states we must not write in.

use crate::error::{Error, Result};
use crate::record::RecordId;
use git2::{Repository, RepositoryState};
use std::path::{Path, PathBuf};

pub struct Store {
    pub repo: Repository,
    pub workdir: PathBuf,
    /// The records directory relative to the work tree, with `/` separators.
    pub records_dir: String,
}

/// libgit2's defaults suit a long-lived process; ours reads each object of
/// a 100k-commit history about once (see BENCHMARKS.md for the figures):
/// - its object cache then only holds every root tree in memory to the end
///   (half of a first `log`, 80 MB); the history code memoises what it
///   reads again itself;
/// - it re-hashes every object it reads with collision-detecting SHA-1
///   (a quarter of what is left); git does not on reads either, and zlib's
///   checksum still catches a damaged object;
/// - it maps packs in windows of up to 1 GB, up to 8 GB in all, and every
///   page touched stays resident: 32 MB windows, 64 MB in all, keep a scan
///   of 100k commit messages from showing the whole pack as ours.
fn tune_libgit2() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        git2::opts::enable_caching(false);
        git2::opts::strict_hash_verification(false);
        // Safety: libgit2's global options, set once before any repository
        // is opened by this process and never changed afterwards.
        unsafe {
            let _ = git2::opts::set_mwindow_size(32 << 20);
            let _ = git2::opts::set_mwindow_mapped_limit(64 << 20);
        }
    });
}

impl Store {
    /// Finds the repository from `cwd` upwards (subdirectories and linked
    /// worktrees included).
    pub fn discover(cwd: &Path, records_dir: &str) -> Result<Store> {
        tune_libgit2();
        let repo = Repository::discover(cwd).map_err(|_| {
            Error::new(format!("{} is not inside a git repository", cwd.display())).hint(
                "post-mortems live in your team's repository: cd into it, or run `git init` first",
            )
        })?;
        if repo.is_bare() {
            return Err(Error::new(format!(
                "{} is a bare repository: records need a working tree",
                repo.path().display()
            ))
            .hint("run devops in a clone: git clone <that path> and cd into it"));
        }
        let workdir = repo
            .workdir()
            .ok_or_else(|| Error::new("the repository has no working tree"))?
            .to_path_buf();
        Ok(Store {
            repo,
            workdir,
            records_dir: check_records_dir(records_dir)?,
        })
    }

    /// Refuses, before anything is written, the states in which a commit of
    /// ours would surprise the user.
    pub fn ensure_writable(&self) -> Result<()> {
        // The state first: a rebase also detaches HEAD, and "finish the
        // rebase" is the useful thing to say.
        let busy = match self.repo.state() {
            RepositoryState::Clean if self.repo.head_detached()? => {
                return Err(
                    Error::new("HEAD is detached: post-mortem commits need a branch")
                        .hint("switch to your branch first: git switch main"),
                );
            }
            RepositoryState::Clean => return Ok(()),

            RepositoryState::Merge => "a merge",
            RepositoryState::Revert | RepositoryState::RevertSequence => "a revert",
            RepositoryState::CherryPick | RepositoryState::CherryPickSequence => "a cherry-pick",
            RepositoryState::Bisect => "a bisect",
            RepositoryState::Rebase
            | RepositoryState::RebaseInteractive
            | RepositoryState::RebaseMerge => "a rebase",
            RepositoryState::ApplyMailbox | RepositoryState::ApplyMailboxOrRebase => "git am",
        };
        Err(Error::new(format!(
            "{busy} is in progress in this repository: nothing was written"
        ))
        .hint("finish it or abort it (git status says how), then run this again"))
    }

    /// `postmortems/2026/11/PM-20261123-k7x3q4mz.toml`
    pub fn record_path(&self, id: &RecordId) -> String {
        id.path_in(&self.records_dir)
    }

    pub fn abs(&self, rel: &str) -> PathBuf {
        self.workdir.join(rel)
    }
}

/// The records directory is configurable, so it could reach a path: keep it
/// inside the work tree.
fn check_records_dir(dir: &str) -> Result<String> {
    let trimmed = dir.trim().trim_end_matches('/');
    let ok = !trimmed.is_empty()
        && !trimmed.starts_with('/')
        && !trimmed.contains('\\')
        && trimmed
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != ".." && part != ".git");
    if !ok {
        return Err(Error::usage(format!(
            "records directory '{}' must be a relative path inside the repository, without '..'",
            crate::render::sanitize::inline(dir)
        )));
    }
    Ok(trimmed.to_string())
}
