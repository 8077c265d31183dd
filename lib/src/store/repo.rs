//! Opening the repository the way git does, finding its records branch,
//! and reading that branch.

use super::branch::{self, Checkout, Location};
use super::git::{Env, Git, GitFailure};
use super::{Notice, paths};
use crate::error::{Error, Result};
use crate::record::RecordId;
use git2::{Oid, Repository, RepositoryState};
use std::path::{Path, PathBuf};

pub struct Store {
    pub repo: Repository,
    /// The current work tree (`None` in a bare repository).
    pub workdir: Option<PathBuf>,
    /// The records directory inside the records branch's tree, with `/`
    /// separators.
    pub records_dir: String,
    /// The git CLI, pointed at this repository.
    pub git: Git,
    /// The branch that holds the records.
    pub location: Location,
    snapshot: std::cell::Cell<Option<Snapshot>>,
    pub(super) notices: std::cell::RefCell<Vec<super::Notice>>,
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
    /// `None` in a bare repository: records live on a branch, so none is
    /// needed to read or write them.
    work_tree: Option<PathBuf>,
}

fn inside_git_dir(cwd: &Path) -> Error {
    Error::new(format!(
        "{} is inside the repository's git directory, not its working tree",
        cwd.display()
    ))
    .hint("cd into the working tree (where the checked-out files are)")
}

fn locate(cwd: &Path, vars: Env) -> Result<Located> {
    // git would fail to start in it, saying only "Not a directory".
    if cwd.is_file() {
        return Err(Error::new(format!(
            "{} is a file, not a repository's folder",
            cwd.display()
        )));
    }
    let args = [
        "rev-parse",
        "--is-bare-repository",
        "--absolute-git-dir",
        "--show-object-format",
        "--show-toplevel",
    ];
    let mut cmd = std::process::Command::new("git");
    if vars == Env::Ignored {
        for var in super::git::REPOSITORY_VARS {
            cmd.env_remove(var);
        }
    }
    let out = cmd
        .current_dir(cwd)
        .args(args)
        .env("LC_ALL", "C")
        .env("LANGUAGE", "C")
        .stdin(std::process::Stdio::null())
        .output()
        .map_err(|e| super::git::cannot_run("git", &e))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut lines = stdout.lines();
    let bare = lines.next() == Some("true");
    let git_dir = lines.next();
    let format = lines.next();
    let top = lines.next();
    let failure = GitFailure::from_output(&out, &args);
    // A bare repository fails only at `--show-toplevel`, after the rest.
    let bare_ok = bare && git_dir.is_some();
    if !out.status.success() && !bare_ok {
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
            return Err(inside_git_dir(cwd));
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
        work_tree: top.filter(|_| !bare).map(PathBuf::from),
    })
}

impl Store {
    /// Finds the repository as git would from `cwd`, and its records branch.
    pub fn discover(cwd: &Path, records_dir: &str) -> Result<Store> {
        Store::discover_for(cwd, records_dir, branch::Access::ReadWrite)
    }

    /// As `discover`; a read-only store finishes no interrupted write,
    /// upgrades no merge driver and makes no branch, and every write
    /// through it is refused.
    pub fn discover_for(cwd: &Path, records_dir: &str, access: branch::Access) -> Result<Store> {
        Store::open_with(cwd, records_dir, access, Env::Theirs)
    }

    /// Another repository than the one the person stands in (one of the
    /// team's, by its path): found from `path` alone, the person's
    /// `GIT_DIR`, `GIT_INDEX_FILE`, … ignored (they name their own).
    pub fn open_at(path: &Path, records_dir: &str, access: branch::Access) -> Result<Store> {
        Store::open_with(path, records_dir, access, Env::Ignored)
    }

    fn open_with(
        cwd: &Path,
        records_dir: &str,
        access: branch::Access,
        vars: Env,
    ) -> Result<Store> {
        tune_libgit2();
        let located = locate(cwd, vars)?;
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
        if let Some(wt) = &located.work_tree {
            repo.set_workdir(wt, false)?;
        }
        let records_dir = paths::check_records_dir(records_dir)?;
        let git = Git::new(located.git_dir, located.work_tree.clone(), cwd, vars);
        let location = branch::locate(&branch::Context {
            repo: &repo,
            git: &git,
            records_dir: &records_dir,
            access,
        })?;
        let store = Store {
            git,
            repo,
            workdir: located.work_tree,
            records_dir,
            location,
            snapshot: Default::default(),
            notices: Default::default(),
        };
        match &store.location.origin {
            branch::Origin::CheckedOutBranch => store.notice(Notice::OnCheckedOutBranch {
                branch: store.location.name().to_string(),
            }),
            branch::Origin::FromRemote(remote_ref) => store.notice(Notice::Tracking {
                branch: store.location.name().to_string(),
                remote_ref: remote_ref
                    .strip_prefix("refs/remotes/")
                    .unwrap_or(remote_ref)
                    .to_string(),
            }),
            _ => {}
        }
        if access == branch::Access::ReadOnly {
            return Ok(store);
        }
        // A merge driver an earlier version registered needed `devops` on
        // PATH: bring it to the command with git's own fallback, once.
        let _ = super::sync::upgrade_driver(&store, false);
        // A write a killed run left half done is finished (or undone)
        // before anything reads or writes.
        if let Err(e) = super::tx::recover(&store) {
            store.notice(Notice::RecoveryFailed { reason: e.message });
        }
        Ok(store)
    }

    /// What a read should say about where its records came from: the
    /// remote's branch being ahead, a stale copy on the checked-out
    /// branch, or no records branch in this clone.
    pub fn look_around(&self) -> Result<()> {
        let name = self.location.name().to_string();
        if self.location.origin == branch::Origin::New {
            if !self.head_holds_records() {
                self.notice(Notice::NoBranchHere {
                    remote: branch::remote_of(&self.repo, &name),
                    branch: name,
                });
            }
            return Ok(());
        }
        if self.location.origin != branch::Origin::CheckedOutBranch
            && self.location.checkout.is_none()
            && self.head_holds_records()
            && let Ok(head) = self.repo.head()
        {
            self.notice(Notice::StaleCopy {
                branch: head.shorthand().unwrap_or("HEAD").to_string(),
                dir: self.records_dir.clone(),
            });
        }
        if let Some(remote) = branch::remote_of(&self.repo, &name) {
            let remote_ref = format!("refs/remotes/{remote}/{name}");
            if let (Some(theirs), Some(ours)) = (
                branch::tip(&self.repo, &remote_ref)?,
                self.snapshot()?.commit,
            ) && theirs != ours
            {
                let (_, behind) = self.repo.graph_ahead_behind(ours, theirs)?;
                if behind > 0 {
                    self.notice(Notice::RemoteAhead {
                        remote_ref: format!("{remote}/{name}"),
                        commits: behind,
                    });
                }
            }
        }
        Ok(())
    }

    /// The records branch as it is now (read once, and again after each
    /// write of ours).
    pub fn snapshot(&self) -> Result<Snapshot> {
        if let Some(s) = self.snapshot.get() {
            return Ok(s);
        }
        let s = Snapshot::of(&self.repo, &self.location.refname, &self.records_dir)?;
        self.snapshot.set(Some(s));
        Ok(s)
    }

    /// The records branch's tip as it is on disk now, whatever this store
    /// read before: how a long-running reader (`serve`) notices a move.
    pub fn tip_now(&self) -> Result<Option<Oid>> {
        branch::tip(&self.repo, &self.location.refname)
    }

    /// When a commit was made (its committer time).
    pub fn commit_time(&self, commit: Oid) -> Result<chrono::DateTime<chrono::FixedOffset>> {
        let t = self.repo.find_commit(commit)?.time();
        let offset = chrono::FixedOffset::east_opt(t.offset_minutes() * 60)
            .unwrap_or_else(|| chrono::FixedOffset::east_opt(0).expect("zero offset"));
        Ok(chrono::DateTime::from_timestamp(t.seconds(), 0)
            .unwrap_or_default()
            .with_timezone(&offset))
    }

    /// The branch moved: the next read looks again.
    pub fn moved(&self) {
        self.snapshot.set(None);
    }

    /// Finds the records branch again (after a lost race: the branch may
    /// have been checked out or switched away from meanwhile).
    pub fn relocate(&self) -> Result<Location> {
        let mut loc = self.location.clone();
        loc.checkout = branch::checkout_of(&self.repo, &loc.refname)?;
        Ok(loc)
    }

    /// `postmortems/2026/11/PM-20261123-k7x3q4mz.toml`
    pub fn record_path(&self, id: &RecordId) -> String {
        id.path_in(&self.records_dir)
    }

    /// `postmortems/config.toml`
    pub fn config_path(&self) -> String {
        format!("{}/config.toml", self.records_dir)
    }

    /// The text of a file on the records branch (`None`: not there).
    pub fn text(&self, path: &str) -> Result<Option<String>> {
        let Some(tree) = self.snapshot()?.root else {
            return Ok(None);
        };
        let tree = self.repo.find_tree(tree)?;
        let entry = match tree.get_path(Path::new(path)) {
            Ok(e) => e,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        if entry.kind() != Some(git2::ObjectType::Blob) || entry.filemode() == 0o120000 {
            return Err(Error::new(format!(
                "{path} on {} is not a regular file",
                self.location.describe()
            )));
        }
        let blob = self.repo.find_blob(entry.id())?;
        String::from_utf8(blob.content().to_vec())
            .map(Some)
            .map_err(|_| Error::new(format!("{path} is not UTF-8 text")))
    }

    /// Whether the current work tree's checked-out commit holds the records
    /// directory: then `check` lints the files there (CI on a pull request
    /// to the records branch), and the earlier layout's records are there.
    pub fn head_holds_records(&self) -> bool {
        self.workdir.is_some()
            && self
                .repo
                .head()
                .ok()
                .and_then(|h| h.peel_to_commit().ok())
                .and_then(|c| {
                    branch::records_tree_in(&self.repo, c.tree_id(), &self.records_dir).ok()
                })
                .flatten()
                .is_some()
    }

    /// Refuses, before anything is written, the states of the work tree
    /// where the records branch is checked out in which a commit of ours
    /// would surprise the user. Writes that move only the branch need none
    /// of this.
    pub fn ensure_checkout_writable(checkout: &Checkout) -> Result<()> {
        let repo = Repository::open(&checkout.git_dir)?;
        let busy = match repo.state() {
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
            "{busy} is in progress in {}, where the records branch is checked out",
            checkout.work_tree.display()
        ))
        .nothing_written()
        .hint("finish it or abort it (git status says how), then run this again"))
    }
}

/// The records branch at one moment: its tip, root tree and the records
/// directory's tree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Snapshot {
    pub commit: Option<Oid>,
    pub root: Option<Oid>,
    /// The records directory's tree (`None`: no records yet).
    pub dir: Option<Oid>,
}

impl Snapshot {
    pub fn of(repo: &Repository, refname: &str, records_dir: &str) -> Result<Snapshot> {
        let Some(commit) = branch::tip(repo, refname)? else {
            return Ok(Snapshot::default());
        };
        Snapshot::at(repo, commit, records_dir)
    }

    pub fn at(repo: &Repository, commit: Oid, records_dir: &str) -> Result<Snapshot> {
        let root = repo.find_commit(commit)?.tree_id();
        Ok(Snapshot {
            commit: Some(commit),
            root: Some(root),
            dir: branch::records_tree_in(repo, root, records_dir)?,
        })
    }
}
