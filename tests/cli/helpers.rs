//! Helpers for tests of the records branch model (records on
//! `refs/heads/postmortems`, never in the user's work tree).

#![allow(dead_code)]

use crate::support::*;

impl TestRepo {
    /// The records branch's tip commit, "" before the branch exists.
    pub fn records_tip(&self) -> String {
        let out = self.git_output_in(
            self.path(),
            &["rev-parse", "-q", "--verify", "refs/heads/postmortems"],
        );
        String::from_utf8(out.stdout).unwrap().trim().to_string()
    }

    /// Everything a command could move: HEAD, the records branch's tip,
    /// the index and the work tree (`git status` with untracked files).
    pub fn everything(&self) -> (String, String, String) {
        (
            self.git(&["rev-parse", "HEAD"]).trim().to_string(),
            self.records_tip(),
            self.git(&["status", "--porcelain", "--untracked-files=all"]),
        )
    }

    /// The files on the records branch under `postmortems/`, one a line
    /// (`git ls-tree -r --name-only`), "" before the branch exists.
    pub fn records_files(&self) -> String {
        if self.records_tip().is_empty() {
            return String::new();
        }
        self.git(&[
            "ls-tree",
            "-r",
            "--name-only",
            "refs/heads/postmortems",
            "--",
            "postmortems",
        ])
    }

    /// Commits several files onto the records branch as one teammate's
    /// commit with plain git plumbing; HEAD, the index and the work tree
    /// are not touched. `None` removes a file.
    pub fn commit_many_on_records_branch(&self, files: &[(&str, Option<&str>)], message: &str) {
        self.commit_on_records_branch_as(None, files, message);
    }

    /// The same, by another person (`(name, email)`, author and committer).
    pub fn commit_on_records_branch_as(
        &self,
        who: Option<(&str, &str)>,
        files: &[(&str, Option<&str>)],
        message: &str,
    ) {
        let branch = "refs/heads/postmortems";
        let index = self.home.path().join("records-index-many");
        let index = index.to_str().unwrap();
        let _ = std::fs::remove_file(index);
        let vars = [("GIT_INDEX_FILE", index)];
        let parent = self.records_tip();
        if !parent.is_empty() {
            self.git_env(&vars, &["read-tree", &parent]);
        }
        for (rel, text) in files {
            match text {
                Some(text) => {
                    let tmp = self.home.path().join("blob");
                    std::fs::write(&tmp, text).unwrap();
                    let blob = self.git(&["hash-object", "-w", tmp.to_str().unwrap()]);
                    let info = format!("100644,{},{rel}", blob.trim());
                    self.git_env(&vars, &["update-index", "--add", "--cacheinfo", &info]);
                }
                None => {
                    self.git_env(&vars, &["update-index", "--force-remove", rel]);
                }
            }
        }
        let tree = self.git_env(&vars, &["write-tree"]);
        let mut args = vec!["commit-tree", tree.trim(), "-m", message];
        if !parent.is_empty() {
            args.extend(["-p", &parent]);
        }
        let commit = match who {
            Some((name, email)) => self.git_env(
                &[
                    ("GIT_AUTHOR_NAME", name),
                    ("GIT_AUTHOR_EMAIL", email),
                    ("GIT_COMMITTER_NAME", name),
                    ("GIT_COMMITTER_EMAIL", email),
                ],
                &args,
            ),
            None => self.git(&args),
        };
        self.git(&["update-ref", branch, commit.trim()]);
    }

    /// The records branch checked out in a linked work tree of its own
    /// (`git worktree add`), as a person editing records by hand or CI on
    /// a pull request to the records branch has it. Returns its path.
    pub fn records_worktree(&self) -> std::path::PathBuf {
        let wt = self.home.path().join("pm");
        self.git(&["worktree", "add", "-q", wt.to_str().unwrap(), "postmortems"]);
        wt
    }
}
