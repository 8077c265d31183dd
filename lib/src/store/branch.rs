//! Which branch holds the records, and where (if anywhere) it is checked
//! out.
//!
//! Records live on a branch of their own, `postmortems` by default, beside
//! the code's branches: writes move only that branch, so the user's HEAD,
//! index and work tree are never read for writing nor changed. The name
//! comes from `DEVOPS_PM_BRANCH` or `git config postmortem.branch`; without
//! either, in this order:
//!
//! 1. `postmortems` when it exists here;
//! 2. the remote's `postmortems`, from which the local branch is made (a
//!    teammate's first run);
//! 3. the checked-out branch when its tree already holds records (the
//!    layout of earlier versions; `migrate` moves them);
//! 4. else a new `postmortems` branch, made by the first write.
//!
//! Where the records branch is checked out (a records-only repository, or
//! `git worktree add ../postmortems postmortems`), writes go through that
//! work tree's index and files too (`tx::worktree`).

use super::git::Git;
use crate::error::{Command, Error, Result};
use git2::{ObjectType, Oid, Repository};
use std::path::{Path, PathBuf};

pub const DEFAULT_BRANCH: &str = "postmortems";
pub const BRANCH_ENV: &str = "DEVOPS_PM_BRANCH";
pub const BRANCH_KEY: &str = "postmortem.branch";

/// How the records branch was chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// Named by `DEVOPS_PM_BRANCH` or `postmortem.branch`.
    Configured,
    /// The `postmortems` branch exists here.
    Found,
    /// Made just now from the remote's branch (`origin/postmortems`).
    FromRemote(String),
    /// No records branch: the records already committed on the
    /// checked-out branch are used there, as earlier versions did.
    CheckedOutBranch,
    /// Nothing yet: the first write makes the branch.
    New,
}

/// A work tree in which the records branch is checked out.
#[derive(Debug, Clone)]
pub struct Checkout {
    /// That work tree's own git directory (its `index`, its `HEAD`).
    pub git_dir: PathBuf,
    pub work_tree: PathBuf,
    /// The git CLI pointed at that work tree.
    pub git: Git,
}

/// The records branch.
#[derive(Debug, Clone)]
pub struct Location {
    /// `refs/heads/postmortems`; `HEAD` when the records are on a detached
    /// HEAD (readable, not writable).
    pub refname: String,
    pub origin: Origin,
    /// Where it is checked out, if anywhere.
    pub checkout: Option<Checkout>,
}

impl Location {
    /// `postmortems`: the branch's short name.
    pub fn name(&self) -> &str {
        self.refname
            .strip_prefix("refs/heads/")
            .unwrap_or(&self.refname)
    }

    /// Where the records of this location are kept, for messages:
    /// "the postmortems branch".
    pub fn describe(&self) -> String {
        if self.refname == "HEAD" {
            "the detached HEAD".to_string()
        } else {
            format!("the {} branch", self.name())
        }
    }
}

/// What the resolution needs to know about the repository.
pub struct Context<'a> {
    pub repo: &'a Repository,
    pub git: &'a Git,
    pub records_dir: &'a str,
    /// `Access::ReadOnly` reads the remote's branch where there is no
    /// local one, instead of making it.
    pub access: Access,
}

/// Whether a store may write. A read-only one (shell completion) changes
/// nothing in the repository, not even the local records branch a first
/// run makes from the remote's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    ReadWrite,
    ReadOnly,
}

/// Finds the records branch (see the module comment). May make the local
/// branch from the remote's: that moves no branch of the user's.
pub fn locate(cx: &Context<'_>) -> Result<Location> {
    let (name, configured) = match configured_name(cx.repo)? {
        Some(name) => (name, true),
        None => (DEFAULT_BRANCH.to_string(), false),
    };
    let refname = format!("refs/heads/{name}");
    let exists = tip(cx.repo, &refname)?.is_some();
    let origin = if exists {
        if configured {
            Origin::Configured
        } else {
            Origin::Found
        }
    } else if let Some(remote_ref) = remote_branch(cx.repo, &name) {
        if cx.access == Access::ReadOnly {
            return Ok(Location {
                refname: remote_ref.clone(),
                origin: Origin::FromRemote(remote_ref),
                checkout: None,
            });
        }
        track(cx, &name, &remote_ref)?;
        Origin::FromRemote(remote_ref)
    } else if configured {
        Origin::Configured
    } else if let Some(head) = head_with_records(cx.repo, cx.records_dir)? {
        return Ok(Location {
            checkout: checkout_of(cx.repo, &head)?,
            refname: head,
            origin: Origin::CheckedOutBranch,
        });
    } else {
        Origin::New
    };
    Ok(Location {
        checkout: checkout_of(cx.repo, &refname)?,
        refname,
        origin,
    })
}

/// The records branch's short name as configured, else `postmortems`
/// (whether or not it exists yet): what a fetch of it asks for.
pub fn records_branch_name(repo: &Repository) -> Result<String> {
    Ok(configured_name(repo)?.unwrap_or_else(|| DEFAULT_BRANCH.to_string()))
}

/// `DEVOPS_PM_BRANCH`, else `git config postmortem.branch`, checked as git
/// checks a branch name.
fn configured_name(repo: &Repository) -> Result<Option<String>> {
    let (name, from) = match std::env::var(BRANCH_ENV).ok().filter(|s| !s.is_empty()) {
        Some(n) => (n, BRANCH_ENV.to_string()),
        None => match repo.config()?.get_string(BRANCH_KEY) {
            Ok(n) if !n.is_empty() => (n, format!("git config {BRANCH_KEY}")),
            _ => return Ok(None),
        },
    };
    let name = name
        .strip_prefix("refs/heads/")
        .unwrap_or(&name)
        .to_string();
    if !git2::Reference::is_valid_name(&format!("refs/heads/{name}")) || name == "HEAD" {
        return Err(Error::usage(format!(
            "{from} names '{}', which is not a branch name git accepts",
            crate::text::inline(&name)
        ))
        .hint(Command::git(["config", BRANCH_KEY, DEFAULT_BRANCH])));
    }
    Ok(Some(name))
}

/// The commit a ref points at (`None`: no such ref, or an unborn branch).
pub fn tip(repo: &Repository, refname: &str) -> Result<Option<Oid>> {
    match repo.refname_to_id(refname) {
        Ok(oid) => Ok(Some(oid)),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(Error::new(format!(
            "cannot read {refname}: {}",
            e.message()
        ))),
    }
}

/// The remote the records branch is shared through: the branch's own
/// upstream, else `origin`, else the only remote there is.
pub fn remote_of(repo: &Repository, name: &str) -> Option<String> {
    let config = repo.config().ok()?;
    if let Ok(r) = config.get_string(&format!("branch.{name}.remote"))
        && !r.is_empty()
        && r != "."
    {
        return Some(r);
    }
    let remotes = repo.remotes().ok()?;
    let names: Vec<&str> = remotes.iter().flatten().flatten().collect();
    if names.contains(&"origin") {
        return Some("origin".to_string());
    }
    match names.as_slice() {
        [only] => Some(only.to_string()),
        _ => None,
    }
}

/// `refs/remotes/origin/postmortems` when the remote's records branch has
/// been fetched here.
fn remote_branch(repo: &Repository, name: &str) -> Option<String> {
    let remote = remote_of(repo, name)?;
    let refname = format!("refs/remotes/{remote}/{name}");
    repo.refname_to_id(&refname).ok().map(|_| refname)
}

/// `git branch --track NAME origin/NAME`: the local records branch from the
/// remote's, with its upstream set for `sync`. Losing a race to another
/// run that made it first is fine.
fn track(cx: &Context<'_>, name: &str, remote_ref: &str) -> Result<()> {
    let short = remote_ref
        .strip_prefix("refs/remotes/")
        .unwrap_or(remote_ref);
    let out = cx.git.output(&["branch", "--track", name, short])?;
    if out.status.success() || tip(cx.repo, &format!("refs/heads/{name}"))?.is_some() {
        return Ok(());
    }
    Err(super::git::GitFailure::from_output(&out, &["branch"]).into_error())
}

/// HEAD's branch (or `HEAD` when detached) when its tree holds the records
/// directory.
fn head_with_records(repo: &Repository, records_dir: &str) -> Result<Option<String>> {
    let Ok(head) = repo.find_reference("HEAD") else {
        return Ok(None);
    };
    let name = match head.symbolic_target() {
        Ok(Some(target)) => target.to_string(),
        _ => "HEAD".to_string(),
    };
    let Ok(commit) = head.peel_to_commit() else {
        return Ok(None); // unborn
    };
    let holds = records_tree_in(repo, commit.tree_id(), records_dir)?.is_some();
    Ok(holds.then_some(name))
}

/// The records directory's tree inside the root tree `root`.
pub fn records_tree_in(repo: &Repository, root: Oid, records_dir: &str) -> Result<Option<Oid>> {
    let tree = repo.find_tree(root)?;
    match tree.get_path(Path::new(records_dir)) {
        Ok(e) if e.kind() == Some(ObjectType::Tree) => Ok(Some(e.id())),
        Ok(_) => Ok(None),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The work tree whose HEAD names `refname`, among the main work tree and
/// the linked ones.
pub fn checkout_of(repo: &Repository, refname: &str) -> Result<Option<Checkout>> {
    if !refname.starts_with("refs/heads/") {
        return Ok(None);
    }
    for (git_dir, work_tree) in work_trees(repo) {
        // A work tree whose HEAD cannot be read is not taken for one
        // without the branch: a write would then move the branch by its
        // ref alone under a work tree that holds it.
        let unreadable = |e: git2::Error| {
            Error::new(format!(
                "cannot read HEAD of the work tree {}: {}",
                work_tree.display(),
                e.message()
            ))
            .nothing_written()
        };
        if !git_dir.join("HEAD").exists() || !work_tree.is_dir() {
            // Being added or removed, or deleted without `git worktree
            // prune`: no files there to follow the branch.
            continue;
        }
        let wt_repo = Repository::open(&git_dir).map_err(unreadable)?;
        let head = match wt_repo.find_reference("HEAD") {
            Ok(h) => h.symbolic_target().ok().flatten().map(str::to_string),
            Err(e) => return Err(unreadable(e)),
        };
        if head.as_deref() == Some(refname) {
            let git = Git::for_work_tree(git_dir.clone(), work_tree.clone());
            return Ok(Some(Checkout {
                git_dir,
                work_tree,
                git,
            }));
        }
    }
    Ok(None)
}

/// (git dir, work tree) of every work tree of the repository: the main
/// one (unless the repository is bare) and each linked one.
pub fn work_trees(repo: &Repository) -> Vec<(PathBuf, PathBuf)> {
    let common = repo.commondir().to_path_buf();
    let mut out = Vec::new();
    if let Ok(main) = Repository::open(&common)
        && let Some(wd) = main.workdir()
    {
        out.push((common.clone(), wd.to_path_buf()));
    }
    // The repository we opened may have its work tree set by GIT_WORK_TREE
    // or core.worktree: that is the main one's if it shares its git dir.
    if repo.path() == common
        && let Some(wd) = repo.workdir()
    {
        out.retain(|(g, _)| *g != common);
        out.push((common.clone(), wd.to_path_buf()));
    }
    if let Ok(names) = repo.worktrees() {
        for name in names.iter().flatten().flatten() {
            if let Ok(wt) = repo.find_worktree(name) {
                let git_dir = common.join("worktrees").join(name);
                out.push((git_dir, wt.path().to_path_buf()));
            }
        }
    }
    out
}

/// The team's default branch as the remote shares it (`origin/HEAD`), for
/// what is read from the code's history (`Fixes-Postmortem:` trailers, the
/// commits before an incident): whatever branch is checked out. Without
/// `origin/HEAD` (a remote added by hand), the remote's `main` or
/// `master`; without a remote, HEAD.
pub fn team_tip(repo: &Repository) -> Option<Oid> {
    let remote = remote_of(repo, DEFAULT_BRANCH);
    if let Some(remote) = &remote {
        for name in ["HEAD", "main", "master"] {
            if let Ok(r) = repo.find_reference(&format!("refs/remotes/{remote}/{name}"))
                && let Ok(c) = r.resolve().and_then(|r| r.peel_to_commit())
            {
                return Some(c.id());
            }
        }
    }
    repo.head().ok()?.peel_to_commit().ok().map(|c| c.id())
}
