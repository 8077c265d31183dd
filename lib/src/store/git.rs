//! Running the `git` command on the repository we opened.
//!
//! Formats that git owns (the index, refs and their locks, filters and
//! attributes) are written only by git itself, through its plumbing, so
//! every layout git supports (split, sparse, v4, untracked cache,
//! fsmonitor, reftable) and every rule it follows (racy-clean entries,
//! cache-tree invalidation) holds now and in git's future versions.
//!
//! Every call names the repository explicitly (absolute `GIT_DIR` and
//! `GIT_WORK_TREE`) and runs at the top of the work tree, so it works on
//! the same repository as the rest of the tool whatever the user's
//! current directory and environment (`GIT_DIR`, `GIT_INDEX_FILE`, …).

use crate::error::{Error, Result};
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// How to reach one repository with the git CLI.
#[derive(Debug, Clone)]
pub struct Git {
    pub git_dir: PathBuf,
    /// `None` in a bare repository.
    pub work_tree: Option<PathBuf>,
    /// Path-valued variables the user set relative to their directory,
    /// made absolute because we run git elsewhere.
    env: Vec<(String, OsString)>,
}

/// Variables git resolves against the current directory.
const RELATIVE_VARS: &[&str] = &["GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR"];

/// Variables that say which repository (and which of its parts) git works
/// on. They name the repository the person stands in: every git command
/// run here drops them and gets back only what `Git::new` carried over for
/// that repository, so a linked work tree or a repository of the team's
/// list never gets the user's index or object folder.
pub const REPOSITORY_VARS: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
];

/// Whose repository-naming variables apply to a repository opened here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Env {
    /// Where the person stands: their `GIT_DIR`, `GIT_INDEX_FILE`, … say
    /// which repository and index they mean, as for git itself.
    Theirs,
    /// Another repository, named by its path (one of the team's): the
    /// person's variables are about a different repository and are ignored.
    Ignored,
}

impl Git {
    pub fn new(git_dir: PathBuf, work_tree: Option<PathBuf>, user_cwd: &Path, vars: Env) -> Git {
        let mut env = Vec::new();
        if vars == Env::Ignored {
            return Git {
                git_dir,
                work_tree,
                env,
            };
        }
        for var in RELATIVE_VARS {
            if let Some(v) = std::env::var_os(var).filter(|v| !v.is_empty()) {
                env.push((var.to_string(), user_cwd.join(v).into_os_string()));
            }
        }
        if let Some(v) = std::env::var_os("GIT_ALTERNATE_OBJECT_DIRECTORIES") {
            let joined = std::env::join_paths(std::env::split_paths(&v).map(|p| user_cwd.join(p)))
                .unwrap_or(v);
            env.push(("GIT_ALTERNATE_OBJECT_DIRECTORIES".into(), joined));
        }
        Git {
            git_dir,
            work_tree,
            env,
        }
    }

    /// Another work tree of the repository (where the records branch is
    /// checked out): its own git dir and index, none of the user's
    /// variables.
    pub fn for_work_tree(git_dir: PathBuf, work_tree: PathBuf) -> Git {
        Git {
            git_dir,
            work_tree: Some(work_tree),
            env: Vec::new(),
        }
    }

    /// Sets a variable for every git command run through this (e.g.
    /// `GIT_TERMINAL_PROMPT=0` where many run at once and no one can
    /// answer a prompt).
    pub fn set_env(&mut self, key: &str, value: &str) {
        self.env.push((key.to_string(), value.into()));
    }

    /// `git ARGS` for the tool's own plumbing: English messages (we read
    /// some of them), literal pathspecs (a path is never a pattern), no
    /// optional index refresh (a read never takes `index.lock`).
    pub fn plumbing(&self, args: &[&str]) -> Command {
        let mut cmd = self.porcelain(args);
        cmd.env("LC_ALL", "C")
            .env("LANGUAGE", "C")
            .env("GIT_LITERAL_PATHSPECS", "1")
            .env("GIT_OPTIONAL_LOCKS", "0")
            .stdin(Stdio::null());
        cmd
    }

    /// `git ARGS` as the user would run it (their language, their
    /// terminal): for `sync`, whose output is for the person.
    pub fn porcelain(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new("git");
        for var in REPOSITORY_VARS {
            cmd.env_remove(var);
        }
        cmd.env("GIT_DIR", &self.git_dir);
        match &self.work_tree {
            Some(wt) => cmd.current_dir(wt).env("GIT_WORK_TREE", wt),
            None => cmd.current_dir(&self.git_dir).env_remove("GIT_WORK_TREE"),
        };
        cmd.args(args);
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    /// Runs plumbing and returns its stdout; a failure is an error that
    /// carries git's own message, whole.
    pub fn run(&self, args: &[&str]) -> Result<Vec<u8>> {
        let out = output(self.plumbing(args), args)?;
        check(&out, args)?;
        Ok(out.stdout)
    }

    /// Runs plumbing and hands back whatever happened.
    pub fn output(&self, args: &[&str]) -> Result<Output> {
        output(self.plumbing(args), args)
    }
}

fn output(mut cmd: Command, args: &[&str]) -> Result<Output> {
    cmd.output()
        .map_err(|e| cannot_run(&format!("git {}", args.first().unwrap_or(&"")), &e))
}

/// `what` (a git command) could not be started. Only a missing program
/// is a PATH problem: a full disk or a limit on processes is said as it is.
pub(crate) fn cannot_run(what: &str, e: &std::io::Error) -> Error {
    let err = Error::new(format!("cannot run {}: {e}", what.trim_end()));
    if e.kind() == std::io::ErrorKind::NotFound {
        err.hint("devops postmortem needs the git command on PATH (https://git-scm.com)")
    } else {
        err
    }
}

fn check(out: &Output, args: &[&str]) -> Result<()> {
    if out.status.success() {
        return Ok(());
    }
    Err(GitFailure::from_output(out, args).into_error())
}

/// What a failed git command said, kept whole.
#[derive(Debug, Clone)]
pub struct GitFailure {
    pub command: String,
    pub stderr: String,
}

impl GitFailure {
    pub fn from_output(out: &Output, args: &[&str]) -> GitFailure {
        GitFailure {
            command: format!("git {}", args.first().copied().unwrap_or_default()),
            stderr: String::from_utf8_lossy(&out.stderr).trim_end().to_string(),
        }
    }

    /// The lock file git could not create, when that is why it failed.
    pub fn lock_file(&self) -> Option<PathBuf> {
        let start = self.stderr.find("Unable to create '")? + "Unable to create '".len();
        let rest = &self.stderr[start..];
        let end = rest.find("': File exists")?;
        Some(PathBuf::from(&rest[..end]))
    }

    /// The first line as the error, the rest of git's words as detail.
    pub fn into_error(self) -> Error {
        let mut lines = self
            .stderr
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.trim().is_empty());
        let first = lines.next().unwrap_or("(no message)");
        let first = first
            .strip_prefix("fatal: ")
            .or_else(|| first.strip_prefix("error: "))
            .unwrap_or(first);
        let mut e = Error::new(format!("{} failed: {first}", self.command));
        for l in lines {
            e = e.detail(l);
        }
        e
    }
}

/// How a file differs from HEAD, as `git status` sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileState {
    /// Changed (staged or not) but not committed.
    Changed,
    /// Not known to git yet.
    Untracked,
    /// An unresolved merge conflict.
    Conflicted,
}

impl Git {
    /// Files under `dir` that differ from HEAD, with how: git's own view
    /// (filters, attributes, every index layout), without taking its lock.
    pub fn changed_under(&self, dir: &str) -> Result<Vec<(String, FileState)>> {
        let out = self.run(&[
            "status",
            "--porcelain=v2",
            "-z",
            "--untracked-files=all",
            "--no-renames",
            "--ignore-submodules=all",
            "--",
            dir,
        ])?;
        let mut files = Vec::new();
        for entry in out.split(|b| *b == 0).filter(|e| !e.is_empty()) {
            let text = String::from_utf8_lossy(entry);
            let (state, fields) = match text.as_bytes()[0] {
                b'1' => (FileState::Changed, 9),
                b'u' => (FileState::Conflicted, 11),
                b'?' => (FileState::Untracked, 2),
                _ => continue,
            };
            if let Some(path) = text.splitn(fields, ' ').nth(fields - 1) {
                files.push((path.to_string(), state));
            }
        }
        Ok(files)
    }
}
