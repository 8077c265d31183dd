//! Stand-ins for the trackers' CLIs (`gh`, `glab`, `jira`): POSIX `sh`
//! scripts (tests/cli/standins/) that keep their issues in a folder and
//! answer with the real CLIs' documented output, put first on PATH. The
//! trackers cannot be reached from test machines; their CLIs' contract can.

use crate::support::*;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Output;

/// What the three share, sourced from `$STANDIN_LIB`.
const COMMON: &str = include_str!("standins/common.sh");

const SCRIPTS: [(&str, &str); 3] = [
    ("gh", include_str!("standins/gh.sh")),
    ("glab", include_str!("standins/glab.sh")),
    ("jira", include_str!("standins/jira.sh")),
];

/// The stand-ins' folder, their state, and a PATH that holds them, `git`
/// and `devops`, and nothing else: a real `gh` on the machine never
/// answers for them, and a removed stand-in is a missing CLI.
pub struct Trackers {
    dir: tempfile::TempDir,
}

impl Trackers {
    pub fn new() -> Trackers {
        let t = Trackers {
            dir: tempfile::tempdir().unwrap(),
        };
        for d in ["bin", "tools", "state", "lib"] {
            std::fs::create_dir(t.dir.path().join(d)).unwrap();
        }
        for (name, script) in SCRIPTS {
            let path = t.bin().join(name);
            std::fs::write(&path, script).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        std::fs::write(t.dir.path().join("lib/common.sh"), COMMON).unwrap();
        let git = which("git").expect("git on PATH");
        std::os::unix::fs::symlink(git, t.dir.path().join("tools/git")).unwrap();
        t
    }

    fn bin(&self) -> PathBuf {
        self.dir.path().join("bin")
    }

    pub fn state(&self, tool: &str) -> PathBuf {
        self.dir.path().join("state").join(tool)
    }

    fn path(&self) -> OsString {
        let devops = devops_bin().parent().unwrap().to_path_buf();
        std::env::join_paths([devops, self.bin(), self.dir.path().join("tools")]).unwrap()
    }

    pub fn env(&self) -> Vec<(&'static str, OsString)> {
        vec![
            ("PATH", self.path()),
            ("STANDIN_STATE", self.dir.path().join("state").into()),
            ("STANDIN_LIB", self.dir.path().join("lib").into()),
            ("STANDIN_SYSTEM_PATH", std::env::var_os("PATH").unwrap()),
        ]
    }

    /// `devops postmortem ARGS` in `repo` with the stand-ins on PATH.
    pub fn pm(&self, repo: &TestRepo, args: &[&str]) -> Output {
        repo.cmd_in(repo.path())
            .envs(self.env())
            .arg("postmortem")
            .args(args)
            .output()
            .unwrap()
    }

    /// As [`Trackers::pm`], expecting success; returns stdout and stderr.
    pub fn ok(&self, repo: &TestRepo, args: &[&str]) -> (String, String) {
        let out = self.pm(repo, args);
        assert!(out.status.success(), "{args:?} failed: {}", stderr(&out));
        (stdout(&out), stderr(&out))
    }

    /// As [`Trackers::pm`], expecting exit code 1; returns stderr.
    pub fn fails(&self, repo: &TestRepo, args: &[&str]) -> String {
        let out = self.pm(repo, args);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.starts_with("error: "), "not an error line: {err}");
        assert!(!err.contains("panicked"), "{err}");
        err
    }

    /// What someone does on the tracker's website, through the stand-in.
    pub fn on_tracker(&self, tool: &str, args: &[&str]) {
        let out = std::process::Command::new(self.bin().join(tool))
            .args(args)
            .env_clear()
            .envs(self.env())
            .output()
            .unwrap();
        assert!(out.status.success(), "{tool} {args:?}: {}", stderr(&out));
    }

    /// A command line as a person pastes it, with the stand-ins on PATH.
    pub fn paste(&self, line: &str) -> Output {
        // sh by its path: the PATH given holds only the stand-ins and git.
        std::process::Command::new("/bin/sh")
            .args(["-c", line])
            .env_clear()
            .envs(self.env())
            .output()
            .unwrap()
    }

    /// A command line pasted in `repo`, as its person: their HOME and
    /// clock, the stand-ins and `devops` on PATH.
    pub fn paste_in(&self, repo: &TestRepo, line: &str) -> Output {
        std::process::Command::new("/bin/sh")
            .args(["-c", line])
            .current_dir(repo.path())
            .env_clear()
            .envs(self.env())
            .env("HOME", repo.home.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("DEVOPS_PM_NOW", &repo.now)
            .output()
            .unwrap()
    }

    /// A file the stand-in keeps for an issue (`title`, `state`, …).
    pub fn issue(&self, tool: &str, key: &str, file: &str) -> String {
        std::fs::read_to_string(self.state(tool).join(key).join(file))
            .unwrap_or_default()
            .trim_end_matches('\n')
            .to_string()
    }

    /// How many issues the stand-in holds.
    pub fn issues(&self, tool: &str) -> usize {
        std::fs::read_to_string(self.state(tool).join("last"))
            .map(|s| s.trim().parse().unwrap())
            .unwrap_or(0)
    }

    pub fn log_out(&self, tool: &str) {
        std::fs::create_dir_all(self.state(tool)).unwrap();
        std::fs::write(self.state(tool).join("logged-out"), "").unwrap();
    }

    /// The CLI is not installed.
    pub fn uninstall(&self, tool: &str) {
        std::fs::remove_file(self.bin().join(tool)).unwrap();
    }

    /// The CLI never answers (a network that hangs).
    pub fn hang(&self, tool: &str) {
        std::fs::create_dir_all(self.state(tool)).unwrap();
        std::fs::write(self.state(tool).join("hang"), "").unwrap();
    }
}

fn which(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(program))
        .find(|p| Path::new(p).is_file())
}
