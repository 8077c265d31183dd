//! Moving the records branch where it is checked out nowhere: one
//! compare-and-swap of the ref, by git (`git update-ref NEW OLD`, which
//! takes git's own ref lock and writes the reflog). Nothing else is
//! touched; a crash before it leaves only objects no ref points at.

use super::{Applied, Plan};
use crate::error::Result;
use crate::store::git::{Git, GitFailure};
use crate::store::{Store, branch, lock};

/// How `git update-ref` ended.
pub enum Moved {
    Done,
    /// The branch was not where the plan expected it.
    Raced,
}

pub fn apply(store: &Store, plan: &Plan) -> Result<Applied> {
    // Checked out since the plan was made (a `git checkout` or `worktree
    // add` just now): plan again, to write through that work tree.
    if branch::checkout_of(&store.repo, &plan.refname)?.is_some() {
        return Ok(Applied::Raced);
    }
    if let Moved::Raced = update_ref(&store.git, &store.repo, plan)? {
        return Ok(Applied::Raced);
    }
    crate::trace::mark("branch moved");
    super::testpoint::reached("moved");
    Ok(Applied::Done)
}

/// `git update-ref -m SUBJECT REF NEW OLD`: moves the branch only if it
/// still points at the plan's parent (`OLD` of zeros: only if it does not
/// exist). A ref lock held by someone else is waited for a little, then
/// named.
pub fn update_ref(git: &Git, repo: &git2::Repository, plan: &Plan) -> Result<Moved> {
    let new = plan.commit.to_string();
    let old = plan
        .parent
        .map_or_else(|| "0".repeat(40), |p| p.to_string());
    let subject = repo
        .find_commit(plan.commit)?
        .summary()
        .ok()
        .flatten()
        .unwrap_or_default()
        .to_string();
    let args = ["update-ref", "-m", &subject, &plan.refname, &new, &old];
    let start = std::time::Instant::now();
    loop {
        let mut cmd = git.plumbing(&args);
        // Its own process group: a Ctrl-C meant for us (deferred while a
        // write is under way) does not kill it half way.
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
        let out = cmd
            .output()
            .map_err(|e| crate::store::git::cannot_run("git update-ref", &e))?;
        if out.status.success() {
            return Ok(Moved::Done);
        }
        let now = branch::tip(repo, &plan.refname)?;
        if now == Some(plan.commit) {
            return Ok(Moved::Done);
        }
        let failure = GitFailure::from_output(&out, &args);
        if let Some(lock_file) = failure.lock_file() {
            if start.elapsed() < lock::GIT_LOCK_PATIENCE {
                std::thread::sleep(std::time::Duration::from_millis(25));
                continue;
            }
            return Err(
                lock::git_lock_error(&lock_file, &format!("cannot move {}", plan.refname))
                    .nothing_written(),
            );
        }
        if now != plan.parent {
            return Ok(Moved::Raced);
        }
        // The branch is where it was: the commit is an object nothing
        // points at.
        return Err(failure.into_error().nothing_written());
    }
}
