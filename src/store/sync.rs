//! Sharing with the team through the `git` CLI (fetch, rebase, push), as
//! cargo and jj do: credentials, proxies, SSH config and hooks then behave
//! exactly as the user expects. This module runs git; `ops::sync` decides.

use super::Store;
use super::git::GitFailure;
use crate::error::{Error, Result};
use std::process::Stdio;

pub const DRIVER: &str = "devops-postmortem";
/// What git runs for the attribute: found on PATH, like any git helper,
/// never one machine's absolute path.
pub const DRIVER_COMMAND: &str = "devops postmortem merge-driver %O %A %B %P";
/// The environment variable that hands the driver the settled records.
pub const RESOLUTIONS_ENV: &str = "DEVOPS_PM_RESOLUTIONS";

pub fn attributes_line(records_dir: &str) -> String {
    format!("{records_dir}/**/*.toml merge={DRIVER}")
}

/// Makes git merge records field by field in this clone, committing
/// nothing: the attribute goes to `.git/info/attributes` (this clone's own
/// attributes file), the driver to `.git/config`. Returns whether anything
/// was added. A committed `.gitattributes` (from `init`) works the same.
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
    let mut config = store.repo.config()?.open_level(git2::ConfigLevel::Local)?;
    let key = format!("merge.{DRIVER}.driver");
    if config.get_string(&key).ok().as_deref() != Some(DRIVER_COMMAND) {
        config.set_str(
            &format!("merge.{DRIVER}.name"),
            "devops postmortem field-aware merge",
        )?;
        config.set_str(&key, DRIVER_COMMAND)?;
        changed = true;
    }
    Ok(changed)
}

/// The branch this one shares with: `origin/main` as remote, branch and
/// the local name of the remote-tracking ref.
#[derive(Debug, Clone)]
pub struct Upstream {
    pub remote: String,
    /// The branch's name on the remote (`main`).
    pub branch: String,
    /// `origin/main`.
    pub tracking: String,
}

pub fn upstream(store: &Store) -> Result<Upstream> {
    let out = store.git.run(&[
        "rev-parse",
        "--abbrev-ref",
        "--symbolic-full-name",
        "@{upstream}",
    ]);
    let tracking = match out {
        Ok(o) => String::from_utf8_lossy(&o).trim().to_string(),
        Err(_) => {
            return Err(Error::new("this branch has no upstream to sync with")
                .hint("push it once with: git push -u origin HEAD"));
        }
    };
    let head = store.repo.head()?;
    let local = head.shorthand().unwrap_or("HEAD").to_string();
    let remote = store
        .repo
        .config()?
        .get_string(&format!("branch.{local}.remote"))
        .unwrap_or_else(|_| "origin".into());
    let merge = store
        .repo
        .config()?
        .get_string(&format!("branch.{local}.merge"))
        .unwrap_or_default();
    let branch = merge
        .strip_prefix("refs/heads/")
        .unwrap_or(&merge)
        .to_string();
    Ok(Upstream {
        remote,
        branch,
        tracking,
    })
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
        .map_err(|e| Error::new(format!("cannot run git {}: {e}", args[0])))?;
    if out.status.success() {
        Ok(Ok(String::from_utf8_lossy(&out.stdout).into_owned()))
    } else {
        Ok(Err(GitFailure::from_output(&out, args)))
    }
}

/// Commits on each side since they parted: (mine, theirs).
pub fn ahead_behind(store: &Store, tracking: &str) -> Result<(usize, usize)> {
    let range = format!("HEAD...{tracking}");
    let counts = store
        .git
        .run(&["rev-list", "--left-right", "--count", &range])?;
    let text = String::from_utf8_lossy(&counts);
    let mut parts = text
        .split_whitespace()
        .map(|n| n.parse::<usize>().unwrap_or(0));
    Ok((parts.next().unwrap_or(0), parts.next().unwrap_or(0)))
}

/// Record files changed between two commits.
pub fn changed_files(store: &Store, from: &str, to: &str) -> Result<Vec<String>> {
    let out = store.git.run(&[
        "diff",
        "--name-only",
        "--no-renames",
        "-z",
        from,
        to,
        "--",
        &store.records_dir,
    ])?;
    Ok(out
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .filter(|p| p.ends_with(".toml"))
        .collect())
}

/// A file's text at a revision (`None`: not there).
pub fn text_at(store: &Store, rev: &str, path: &str) -> Result<Option<String>> {
    let spec = format!("{rev}:{path}");
    let Ok(obj) = store.repo.revparse_single(&spec) else {
        return Ok(None);
    };
    let blob = obj
        .peel_to_blob()
        .map_err(|_| Error::new(format!("{spec} is not a file")))?;
    Ok(Some(String::from_utf8_lossy(blob.content()).into_owned()))
}

/// `git rebase TRACKING`, with the settled records handed to the merge
/// driver. On failure the rebase is aborted: the branch is as it was.
pub fn rebase(
    store: &Store,
    tracking: &str,
    resolutions: Option<&std::path::Path>,
) -> Result<std::result::Result<(), GitFailure>> {
    let args = ["rebase", "--quiet", tracking];
    let mut cmd = store.git.porcelain(&args);
    cmd.stdin(Stdio::null()).env("GIT_EDITOR", "true");
    if let Some(path) = resolutions {
        cmd.env(RESOLUTIONS_ENV, path);
    }
    let out = cmd
        .output()
        .map_err(|e| Error::new(format!("cannot run git rebase: {e}")))?;
    if out.status.success() {
        return Ok(Ok(()));
    }
    let failure = GitFailure::from_output(&out, &args);
    let _ = store.git.porcelain(&["rebase", "--abort"]).output();
    Ok(Err(failure))
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

pub fn push(
    store: &Store,
    remote: &str,
    refspec: &str,
    progress: bool,
    set_upstream: bool,
) -> Result<Pushed> {
    let mut args = vec!["push", "--porcelain"];
    if set_upstream {
        args.push("--set-upstream");
    }
    args.extend([remote, refspec]);
    let mut cmd = store.git.porcelain(&args);
    cmd.stdin(Stdio::null());
    if !progress {
        cmd.arg("--quiet");
    }
    let out = cmd
        .output()
        .map_err(|e| Error::new(format!("cannot run git push: {e}")))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    if progress && !stderr.trim().is_empty() {
        // What the remote said (hooks, links to open a pull request).
        crate::output::to_stderr(stderr.trim_end());
    }
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
