//! A real temporary git repository and the real `devops` binary, with the
//! user's environment hidden: own HOME, no system git config, fixed clock.

#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::process::Output;
use tempfile::TempDir;

pub const NOW: &str = "2026-11-24T10:00:00+09:00";

pub struct TestRepo {
    pub dir: TempDir,
    pub home: TempDir,
    pub now: String,
}

impl TestRepo {
    /// `git init` with an identity and one commit of code.
    pub fn new() -> TestRepo {
        let repo = TestRepo::bare_init();
        repo.git(&["config", "user.name", "Alice Kim"]);
        repo.git(&["config", "user.email", "alice@example.com"]);
        repo.write("main.rs", "fn main() {}\n");
        repo.git(&["add", "main.rs"]);
        repo.git(&["commit", "-q", "-m", "code"]);
        repo
    }

    /// `git init` and nothing else: no identity, no commit.
    pub fn bare_init() -> TestRepo {
        let repo = TestRepo {
            dir: tempfile::tempdir().unwrap(),
            home: tempfile::tempdir().unwrap(),
            now: NOW.to_string(),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// An exact copy (work tree, index, objects, config) in new folders:
    /// the twin for differential tests.
    pub fn duplicate(&self) -> TestRepo {
        self.duplicate_in(tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap())
    }

    fn duplicate_in(&self, dir: TempDir, home: TempDir) -> TestRepo {
        let twin = TestRepo {
            dir,
            home,
            now: self.now.clone(),
        };
        for (from, to) in [
            (self.path(), twin.path()),
            (self.home.path(), twin.home.path()),
        ] {
            let status = std::process::Command::new("cp")
                .args(["-a", "--"])
                .arg(from.join("."))
                .arg(to)
                .status()
                .unwrap();
            assert!(status.success(), "cp -a failed");
        }
        twin
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    fn env(&self, cmd: &mut std::process::Command) {
        cmd.env_clear()
            .env("PATH", path_with_devops())
            .env("HOME", self.home.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("TZ", "UTC")
            .env("LC_ALL", "C.UTF-8")
            .env("NO_COLOR", "1");
    }

    /// Runs the git CLI; panics with its stderr if it fails.
    pub fn git(&self, args: &[&str]) -> String {
        self.git_in(self.path(), args)
    }

    pub fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.git_output_in(dir, args);
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    pub fn git_output_in(&self, dir: &Path, args: &[&str]) -> Output {
        self.git_env_output(dir, &[], args)
    }

    fn git_env_output(&self, dir: &Path, vars: &[(&str, &str)], args: &[&str]) -> Output {
        let mut cmd = std::process::Command::new("git");
        self.env(&mut cmd);
        cmd.current_dir(dir)
            .env("GIT_AUTHOR_DATE", "2026-11-24T09:00:00+09:00")
            .env("GIT_COMMITTER_DATE", "2026-11-24T09:00:00+09:00")
            .envs(vars.iter().copied())
            .args(args)
            .output()
            .unwrap()
    }

    /// Runs the git CLI with extra variables; panics with its stderr if it fails.
    pub fn git_env(&self, vars: &[(&str, &str)], args: &[&str]) -> String {
        let out = self.git_env_output(self.path(), vars, args);
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Where the records are: the `postmortems` branch once it exists,
    /// else HEAD (the layout of earlier versions).
    pub fn records_ref(&self) -> String {
        let out = self.git_output_in(
            self.path(),
            &["rev-parse", "-q", "--verify", "refs/heads/postmortems"],
        );
        if out.status.success() {
            "refs/heads/postmortems".into()
        } else {
            "HEAD".into()
        }
    }

    /// A file's text on the records branch (`git show`).
    pub fn show(&self, rel: &str) -> String {
        self.git(&["show", &format!("{}:{rel}", self.records_ref())])
    }

    /// Commits a file onto the records branch with plain git plumbing, as a
    /// teammate's commit (the branch is made if it does not exist yet).
    /// HEAD, the index and the work tree are not touched.
    pub fn commit_on_records_branch(&self, rel: &str, text: &str, message: &str) {
        let branch = "refs/heads/postmortems";
        let index = self.home.path().join("records-index");
        let index = index.to_str().unwrap();
        let _ = std::fs::remove_file(index);
        let vars = [("GIT_INDEX_FILE", index)];
        let parent = self.git_output_in(self.path(), &["rev-parse", "-q", "--verify", branch]);
        let parent = String::from_utf8(parent.stdout).unwrap().trim().to_string();
        if !parent.is_empty() {
            self.git_env(&vars, &["read-tree", &parent]);
        }
        let tmp = self.home.path().join("blob");
        std::fs::write(&tmp, text).unwrap();
        let blob = self.git(&["hash-object", "-w", tmp.to_str().unwrap()]);
        let info = format!("100644,{},{rel}", blob.trim());
        self.git_env(&vars, &["update-index", "--add", "--cacheinfo", &info]);
        let tree = self.git_env(&vars, &["write-tree"]);
        let mut args = vec!["commit-tree", tree.trim(), "-m", message];
        if !parent.is_empty() {
            args.extend(["-p", &parent]);
        }
        let commit = self.git(&args);
        self.git(&["update-ref", branch, commit.trim()]);
    }

    /// `devops postmortem …` in the repository's root.
    pub fn pm(&self, args: &[&str]) -> Output {
        self.pm_in(self.path(), args)
    }

    pub fn pm_in(&self, dir: &Path, args: &[&str]) -> Output {
        self.cmd_in(dir)
            .arg("postmortem")
            .args(args)
            .output()
            .unwrap()
    }

    /// `devops postmortem …` as another person: their git identity, as a
    /// teammate's clone has it.
    pub fn pm_as(&self, (name, email): (&str, &str), args: &[&str]) -> Output {
        self.cmd_in(self.path())
            .env("GIT_AUTHOR_NAME", name)
            .env("GIT_AUTHOR_EMAIL", email)
            .arg("postmortem")
            .args(args)
            .output()
            .unwrap()
    }

    /// The binary as a plain `std::process::Command`, for tests that wire
    /// its streams themselves.
    pub fn std_cmd_in(&self, dir: &Path) -> std::process::Command {
        let mut std_cmd = std::process::Command::new(devops_bin());
        self.env(&mut std_cmd);
        std_cmd.current_dir(dir).env("DEVOPS_PM_NOW", &self.now);
        std_cmd
    }

    pub fn cmd_in(&self, dir: &Path) -> Command {
        let mut cmd = Command::from_std(self.std_cmd_in(dir));
        cmd.write_stdin("");
        cmd
    }

    /// Runs a shell command line in the repository as a person would paste
    /// it: `devops` on PATH, the test's HOME and clock.
    pub fn sh(&self, command: &str) -> Output {
        let mut cmd = std::process::Command::new("sh");
        self.env(&mut cmd);
        cmd.arg("-c")
            .arg(command)
            .current_dir(self.path())
            .env("DEVOPS_PM_NOW", &self.now)
            .output()
            .unwrap()
    }

    /// Runs and expects success; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.pm(args);
        assert!(
            out.status.success(),
            "devops postmortem {args:?} failed ({:?}): {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs at another "now" and expects success; returns stdout.
    pub fn ok_at(&self, now: &str, args: &[&str]) -> String {
        let out = self
            .cmd_in(self.path())
            .env("DEVOPS_PM_NOW", now)
            .arg("postmortem")
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?} at {now}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// Runs and expects exit code `code`; returns stderr.
    pub fn fails(&self, code: i32, args: &[&str]) -> String {
        let out = self.pm(args);
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(
            out.status.code(),
            Some(code),
            "devops postmortem {args:?}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "panic: {stderr}");
        assert!(stderr.starts_with("error: "), "not an error line: {stderr}");
        stderr
    }

    /// `new` with a title and the given flags; returns the ID printed on stdout.
    pub fn new_record(&self, title: &str, extra: &[&str]) -> String {
        let mut args = vec!["new", "--title", title];
        args.extend_from_slice(extra);
        let out = self.ok(&args);
        let id = out.trim().to_string();
        assert!(id.starts_with("PM-"), "new printed {out:?}");
        id
    }

    pub fn write(&self, rel: &str, text: &str) {
        let p = self.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    /// Commits a file with plain git (a teammate's commit): records (under
    /// `postmortems/`) onto the records branch, anything else onto HEAD.
    pub fn commit_file(&self, rel: &str, text: &str, message: &str) {
        if rel.starts_with("postmortems/") {
            return self.commit_on_records_branch(rel, text, message);
        }
        self.commit_on_head(rel, text, message);
    }

    /// Writes a file and commits it onto HEAD with `git add` and `git commit`.
    pub fn commit_on_head(&self, rel: &str, text: &str, message: &str) {
        self.write(rel, text);
        self.git(&["add", rel]);
        self.git(&["commit", "-qm", message]);
    }

    /// A file's text: from the work tree when it is there, else from the
    /// records branch.
    pub fn read(&self, rel: &str) -> String {
        match std::fs::read_to_string(self.path().join(rel)) {
            Ok(t) => t,
            Err(_) => self.show(rel),
        }
    }

    /// The committed path of a record, found with `git ls-tree`.
    pub fn record_path(&self, id: &str) -> String {
        let files = self.git(&[
            "ls-tree",
            "-r",
            "--name-only",
            &self.records_ref(),
            "--",
            "postmortems",
        ]);
        files
            .lines()
            .find(|l| l.ends_with(&format!("{id}.toml")))
            .unwrap_or_else(|| panic!("{id} not committed; files: {files}"))
            .to_string()
    }

    /// The record as committed, parsed as plain TOML, independent of the
    /// tool's model.
    pub fn record(&self, id: &str) -> toml::Table {
        let text = self.show(&self.record_path(id));
        toml::from_str(&text).unwrap_or_else(|e| panic!("{id} does not parse: {e}\n{text}"))
    }

    /// Commits on the records branch (0 before it exists).
    pub fn commit_count(&self) -> usize {
        let out = self.git_output_in(
            self.path(),
            &["rev-list", "--count", "refs/heads/postmortems", "--"],
        );
        if !out.status.success() {
            return 0;
        }
        String::from_utf8(out.stdout)
            .unwrap()
            .trim()
            .parse()
            .unwrap()
    }

    pub fn status_porcelain(&self) -> String {
        self.git(&["status", "--porcelain"])
    }

    /// Files touched by the records branch's last commit.
    pub fn head_files(&self) -> Vec<String> {
        self.git(&["show", "--name-only", "--format=", &self.records_ref()])
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// The message of the records branch's last commit.
    pub fn head_message(&self) -> String {
        self.git(&["log", "-1", "--format=%B", &self.records_ref()])
    }

    pub fn subdir(&self, rel: &str) -> PathBuf {
        let p = self.path().join(rel);
        std::fs::create_dir_all(&p).unwrap();
        p
    }
}

impl TestRepo {
    /// `devops postmortem ARGS` on a real pseudo-terminal, for the guided flows.
    pub fn pty(&self, args: &[&str]) -> rexpect::session::PtySession {
        let mut cmd = std::process::Command::new(devops_bin());
        cmd.current_dir(self.path())
            .env_clear()
            .env("PATH", path_with_devops())
            .env("HOME", self.home.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("TERM", "xterm")
            .env("NO_COLOR", "1")
            .env("DEVOPS_PM_NOW", &self.now)
            .arg("postmortem")
            .args(args);
        rexpect::session::spawn_command(cmd, Some(20_000)).unwrap()
    }
}

/// One key press on a pty, once the prompt is drawn and the terminal is in
/// raw mode (keys sent earlier can be flushed away by the mode switch).
/// The guided `analyze`'s retrospective questions (five whys, went well,
/// went wrong, lucky, lessons), each answered with nothing.
pub fn skip_retrospective(p: &mut rexpect::session::PtySession) {
    for prompt in [
        "Why?",
        "What went well",
        "What went wrong",
        "Where we got lucky",
        "Lesson learned",
    ] {
        p.exp_string(prompt).unwrap();
        p.send_line("").unwrap();
    }
}

pub fn key(p: &mut rexpect::session::PtySession, keys: &str) {
    std::thread::sleep(std::time::Duration::from_millis(100));
    p.send(keys).unwrap();
    p.flush().unwrap();
}

/// The binary under test: the one cargo built, or `DEVOPS_TEST_BIN` (to
/// show that a test fails on an earlier build).
pub fn devops_bin() -> std::path::PathBuf {
    match std::env::var_os("DEVOPS_TEST_BIN") {
        Some(p) => std::path::PathBuf::from(p),
        None => std::path::PathBuf::from(assert_cmd::cargo::cargo_bin!("devops")),
    }
}

/// PATH with the built `devops` first, as after `cargo install`: git runs
/// the merge driver as `devops postmortem merge-driver …` from PATH.
pub fn path_with_devops() -> std::ffi::OsString {
    let bin = devops_bin();
    let mut dirs = vec![bin.parent().unwrap().to_path_buf()];
    dirs.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(dirs).unwrap()
}

pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).to_string()
}

pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).to_string()
}

/// A string field of a parsed record, or "" when absent.
pub fn s<'a>(t: &'a toml::Table, key: &str) -> &'a str {
    t.get(key).and_then(|v| v.as_str()).unwrap_or("")
}

pub fn sub<'a>(t: &'a toml::Table, key: &str) -> &'a toml::Table {
    t.get(key)
        .and_then(|v| v.as_table())
        .unwrap_or_else(|| panic!("no [{key}] in {t:?}"))
}

/// A repository built once per test run by `build` (with the record IDs
/// it made), then copied (`cp -a`) for each test that asks for it by
/// `name`: read tests share their set-up instead of replaying the same
/// commands.
pub fn fixture(
    name: &'static str,
    build: fn() -> (TestRepo, Vec<String>),
) -> (TestRepo, Vec<String>) {
    use std::collections::HashMap;
    use std::sync::{Arc, Mutex, OnceLock};
    /// Each fixture by name, built at most once.
    type Built = HashMap<&'static str, Arc<OnceLock<(TestRepo, Vec<String>)>>>;
    static BUILT: OnceLock<Mutex<Built>> = OnceLock::new();
    let slot = BUILT
        .get_or_init(Default::default)
        .lock()
        .unwrap()
        .entry(name)
        .or_default()
        .clone();
    let (repo, ids) = slot.get_or_init(|| {
        // Kept for the whole run under cargo's `target/tmp`, so what a
        // run leaves is cleaned with the rest of the build.
        let root = Path::new(env!("CARGO_TARGET_TMPDIR"));
        forget_old_fixtures(root);
        let tmp = || {
            tempfile::Builder::new()
                .prefix("fixture-")
                .tempdir_in(root)
                .unwrap()
        };
        let (repo, ids) = build();
        (repo.duplicate_in(tmp(), tmp()), ids)
    });
    (repo.duplicate(), ids.clone())
}

/// Fixtures of earlier runs (over an hour old: no run takes that long).
fn forget_old_fixtures(root: &Path) {
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for entry in std::fs::read_dir(root).into_iter().flatten().flatten() {
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .is_ok_and(|t| t < hour_ago);
        if old && entry.file_name().to_string_lossy().starts_with("fixture-") {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

/// The first `sh` block of the README after `heading`, its continued
/// lines joined: what a person copies.
pub fn readme_sh_block(heading: &str) -> String {
    let readme =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
            .unwrap();
    let section = readme.split(heading).nth(1).unwrap();
    let block = section
        .split("```sh\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    block.replace("\\\n", " ")
}
