//! Opening the repository the way git does, and refusing the states we
//! must not write in.

use super::git::{Git, GitFailure};
use super::paths;
use crate::error::{Error, Result};
use crate::record::RecordId;
use git2::{Repository, RepositoryState};
use std::path::{Path, PathBuf};

pub struct Store {
    pub repo: Repository,
    pub workdir: PathBuf,
    /// The records directory relative to the work tree, with `/` separators.
    pub records_dir: String,
    /// The git CLI, pointed at this repository.
    pub git: Git,
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
/// - git has already decided whether the repository is safe to use
///   (`safe.directory`); libgit2 must not decide differently.
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
            let _ = git2::opts::set_verify_owner_validation(false);
        }
    });
}

/// Where git says the repository is, asked from `cwd` with the user's
/// environment (`GIT_DIR`, `GIT_WORK_TREE`, `core.worktree`, `.git`
/// files, `safe.directory`, ceilings): git's answer is the answer.
struct Located {
    git_dir: PathBuf,
    work_tree: PathBuf,
}

fn locate(cwd: &Path) -> Result<Located> {
    let args = [
        "rev-parse",
        "--is-bare-repository",
        "--absolute-git-dir",
        "--show-object-format",
        "--show-toplevel",
    ];
    let out = std::process::Command::new("git")
        .current_dir(cwd)
        .args(args)
        .env("LC_ALL", "C")
        .env("LANGUAGE", "C")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| {
            Error::new(format!("cannot run git: {e}"))
                .hint("devops postmortem needs the git command on PATH (https://git-scm.com)")
        })?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut lines = stdout.lines();
    let bare = lines.next();
    let git_dir = lines.next();
    let format = lines.next();
    let top = lines.next();
    if bare == Some("true") {
        return Err(Error::new(format!(
            "{} is a bare repository: records need a working tree",
            git_dir.unwrap_or_default()
        ))
        .hint("run devops in a clone: git clone <that path> and cd into it"));
    }
    if !out.status.success() || top.is_none() {
        let failure = GitFailure::from_output(&out, &args);
        if failure.stderr.contains("not a git repository") {
            return Err(Error::new(format!(
                "{} is not inside a git repository",
                cwd.display()
            ))
            .hint(
                "post-mortems live in your team's repository: cd into it, or run `git init` first",
            ));
        }
        if failure.stderr.contains("must be run in a work tree") {
            return Err(Error::new(format!(
                "{} is not inside the repository's working tree",
                cwd.display()
            ))
            .hint("cd into the working tree (where the checked-out files are)"));
        }
        // "dubious ownership" and the rest: git's own words, whole,
        // including the command that fixes it.
        let stderr = failure.stderr.clone();
        let mut e = failure.into_error();
        if stderr.contains("dubious ownership") {
            e.message = format!(
                "git refuses this repository: {}",
                e.message.trim_start_matches("git rev-parse failed: ")
            );
        }
        return Err(e);
    }
    if let Some(format) = format.filter(|f| *f != "sha1") {
        return Err(Error::new(format!(
            "this repository uses {format} object names (extensions.objectFormat), which \
             devops postmortem does not support yet: nothing was read or written"
        ))
        .hint("keep post-mortems in a SHA-1 repository for now"));
    }
    Ok(Located {
        git_dir: PathBuf::from(git_dir.unwrap_or_default()),
        work_tree: PathBuf::from(top.unwrap_or_default()),
    })
}

impl Store {
    /// Finds the repository as git would from `cwd`.
    pub fn discover(cwd: &Path, records_dir: &str) -> Result<Store> {
        tune_libgit2();
        let located = locate(cwd)?;
        let repo = Repository::open(&located.git_dir).map_err(|e| {
            let mut err = Error::new(format!(
                "cannot open the repository at {}: {}",
                located.git_dir.display(),
                e.message()
            ));
            if e.message().contains("extension") {
                err = err.hint(
                    "the repository uses a git extension (such as the reftable ref format) that \
                     devops postmortem cannot read yet",
                );
            }
            err
        })?;
        repo.set_workdir(&located.work_tree, false)?;
        let records_dir = paths::check_records_dir(records_dir)?;
        Ok(Store {
            git: Git::new(located.git_dir, located.work_tree.clone(), cwd),
            repo,
            workdir: located.work_tree,
            records_dir,
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

    /// With a sparse checkout that leaves the records directory out, the
    /// records are in git but not on disk: say so, rather than "no
    /// post-mortems" (and a green `check` with nothing checked).
    pub fn ensure_records_checked_out(&self) -> Result<()> {
        let sparse = self
            .repo
            .config()
            .and_then(|c| c.get_bool("core.sparseCheckout"))
            .unwrap_or(false);
        if !sparse || self.abs(&self.records_dir).is_dir() {
            return Ok(());
        }
        let in_head = self
            .repo
            .head()
            .and_then(|h| h.peel_to_tree())
            .is_ok_and(|t| t.get_path(Path::new(&self.records_dir)).is_ok());
        if !in_head {
            return Ok(());
        }
        Err(Error::new(format!(
            "{} is outside your sparse checkout: the records are in git but not in this work tree",
            self.records_dir
        ))
        .hint(format!(
            "git sparse-checkout add {}",
            crate::store::shell_quote(&self.records_dir)
        )))
    }

    /// `postmortems/2026/11/PM-20261123-k7x3q4mz.toml`
    pub fn record_path(&self, id: &RecordId) -> String {
        id.path_in(&self.records_dir)
    }

    pub fn abs(&self, rel: &str) -> PathBuf {
        self.workdir.join(rel)
    }
}
