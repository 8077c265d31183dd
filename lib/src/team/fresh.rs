//! How fresh a repository's records are on this machine: when its records
//! branch was last fetched, for the views to say "api: fetched 3 h ago".
//!
//! Several ways a fetch leaves a trace, and each is true of the records
//! branch alone:
//! - our own `fetch` and `sync` touch a stamp file in the git directory
//!   (they do not write `FETCH_HEAD`: a person's `git merge FETCH_HEAD`
//!   must never find the records branch there);
//! - a plain `git fetch` or `git pull` writes `FETCH_HEAD`, which names the
//!   branches it fetched: counted only when the records branch is one;
//! - a fetch that moved the remote-tracking ref leaves a reflog entry,
//!   and `git clone` one on `refs/remotes/origin/HEAD`;
//! - in a bare mirror, where nothing but a fetch moves a branch, the
//!   branch's ref file itself.
//!
//! The newest of these is the answer; none at all is `None` (never
//! fetched, or a repository with no remote).

use crate::store::branch;
use git2::Repository;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The file our fetches touch, in the repository's common git directory.
pub const STAMP: &str = "devops-postmortem-fetched";

/// When the records branch of the repository at `path` (a clone's top, or
/// a bare mirror) was last fetched.
pub fn fetched_at(path: &Path) -> Option<SystemTime> {
    let repo = Repository::open(path).ok()?;
    let name = branch::records_branch_name(&repo).ok()?;
    let mut times = vec![
        mtime(&repo.commondir().join(STAMP)),
        fetch_head(&repo, &name),
    ];
    if repo.is_bare() {
        times.push(bare_branch(&repo, &name));
    }
    if let Some(remote) = branch::remote_of(&repo, &name) {
        let tracking = format!("refs/remotes/{remote}/{name}");
        times.push(newest_reflog(&repo, &tracking));
        if branch::tip(&repo, &tracking).is_ok_and(|t| t.is_some()) {
            times.push(cloned(&repo, &remote));
        }
    }
    times.into_iter().flatten().max()
}

/// Marks the records branch as fetched just now. A cache of a fact, so a
/// failure to write it costs only a staler "fetched … ago".
pub fn stamp(repo: &Repository) {
    let _ = crate::fsio::atomic_write(
        &repo.commondir().join(STAMP),
        b"the records branch was last fetched at this file's time\n",
        crate::fsio::Durability::Cached,
        crate::fsio::Temp::Random,
    );
}

fn mtime(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path).ok()?.modified().ok()
}

/// `FETCH_HEAD`'s time when it names the records branch (a linked work
/// tree keeps its own).
fn fetch_head(repo: &Repository, name: &str) -> Option<SystemTime> {
    let needle = format!("branch '{name}' of ");
    [repo.path(), repo.commondir()]
        .iter()
        .map(|dir| dir.join("FETCH_HEAD"))
        .filter(|f| std::fs::read_to_string(f).is_ok_and(|t| t.contains(&needle)))
        .filter_map(|f| mtime(&f))
        .max()
}

/// The loose ref's time, else `packed-refs`' (where `git clone` puts it).
fn bare_branch(repo: &Repository, name: &str) -> Option<SystemTime> {
    let dir = repo.commondir();
    mtime(&dir.join("refs/heads").join(name)).or_else(|| {
        repo.find_reference(&format!("refs/heads/{name}"))
            .ok()
            .and_then(|_| mtime(&dir.join("packed-refs")))
    })
}

fn newest_reflog(repo: &Repository, refname: &str) -> Option<SystemTime> {
    let log = repo.reflog(refname).ok()?;
    entry_time(&log.get(0)?)
}

/// When `git clone` made the clone: it logs `refs/remotes/R/HEAD` alone
/// ("clone: from …"), packing the branches it fetched without a reflog.
fn cloned(repo: &Repository, remote: &str) -> Option<SystemTime> {
    let log = repo.reflog(&format!("refs/remotes/{remote}/HEAD")).ok()?;
    log.iter()
        .filter(|e| {
            e.message()
                .ok()
                .flatten()
                .is_some_and(|m| m.starts_with("clone:"))
        })
        .filter_map(|e| entry_time(&e))
        .max()
}

fn entry_time(entry: &git2::ReflogEntry<'_>) -> Option<SystemTime> {
    let secs = u64::try_from(entry.committer().when().seconds()).ok()?;
    Some(UNIX_EPOCH + Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repository_never_fetched_has_no_time_and_a_stamp_gives_one() {
        let dir = tempfile::tempdir().unwrap();
        let repo = Repository::init(dir.path()).unwrap();
        assert_eq!(fetched_at(dir.path()), None);
        // Another branch fetched is not the records branch fetched.
        std::fs::write(
            repo.path().join("FETCH_HEAD"),
            "0123456789012345678901234567890123456789\t\tbranch 'main' of /x\n",
        )
        .unwrap();
        assert_eq!(fetched_at(dir.path()), None);
        std::fs::write(
            repo.path().join("FETCH_HEAD"),
            "0123456789012345678901234567890123456789\tnot-for-merge\tbranch 'postmortems' of /x\n",
        )
        .unwrap();
        assert!(fetched_at(dir.path()).is_some());
        std::fs::remove_file(repo.path().join("FETCH_HEAD")).unwrap();
        let before = SystemTime::now() - Duration::from_secs(5);
        stamp(&repo);
        assert!(fetched_at(dir.path()).is_some_and(|t| t >= before));
    }

    #[test]
    fn no_repository_there_is_none() {
        assert_eq!(fetched_at(Path::new("/nonexistent/devops-pm-test")), None);
    }
}
