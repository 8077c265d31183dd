//! Fault injection for the write path: kills writes at random instants and
//! (with strace) makes their system calls fail with ENOSPC or EIO, then
//! checks that nothing of the user's was lost, hidden or reverted.
//!
//!     cargo build --release && cargo run --release --example faults -- \
//!         [--kills 200] [--group-kills 50] [--beside-git 100] [--strace] [--strace-calls 40]
//!         [--bin target/release/devops] [--seed N]
//!
//! Each trial builds a repository holding the user's work in progress (a
//! staged change, an unstaged one, an untracked file), runs one write
//! command and interrupts it, then runs one more devops command and the
//! user's own `git commit -a`. It then checks:
//! - `git fsck --strict` is clean;
//! - every record agrees in HEAD, the index and the work tree, and parses;
//! - the user's commit holds exactly their two files, byte for byte, and
//!   their untracked file is untouched;
//! - no lock, journal or temporary file is left, and nothing else is
//!   untracked;
//! - the interrupted change is either wholly in HEAD or wholly absent.
//!
//! Modes: `--kills` SIGKILLs the devops process alone (its git children
//! finish, as after an OOM kill); `--group-kills` SIGKILLs the whole
//! process group, git included, which can leave git's own `index.lock`
//! behind exactly as it would for a killed `git commit`: then the next
//! command must name the file, and after the `rm` it prints, all holds;
//! `--strace` injects ENOSPC and EIO into the N-th write, rename, fsync
//! and openat of every process, for each N a normal run reaches.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

struct Opts {
    bin: PathBuf,
    kills: usize,
    group_kills: usize,
    strace: bool,
    /// For each system call, inject at its 1st … Nth use.
    strace_calls: usize,
    beside_git: usize,
    seed: u64,
}

fn opts() -> Opts {
    let mut o = Opts {
        bin: PathBuf::from("target/release/devops"),
        kills: 200,
        group_kills: 50,
        strace: false,
        strace_calls: 40,
        beside_git: 100,
        seed: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut val = || args.next().unwrap_or_else(|| panic!("{a} needs a value"));
        match a.as_str() {
            "--bin" => o.bin = PathBuf::from(val()),
            "--kills" => o.kills = val().parse().unwrap(),
            "--group-kills" => o.group_kills = val().parse().unwrap(),
            "--seed" => o.seed = val().parse().unwrap(),
            "--strace" => o.strace = true,
            "--strace-calls" => o.strace_calls = val().parse().unwrap(),
            "--beside-git" => o.beside_git = val().parse().unwrap(),
            other => panic!("unknown argument {other}"),
        }
    }
    o.bin = std::fs::canonicalize(&o.bin).expect("the devops binary (build it first)");
    o
}

#[path = "shared/rng.rs"]
mod rng;
use rng::Rng;

const NOW: &str = "2026-11-24T10:00:00+09:00";

struct Repo {
    _dir: tempfile::TempDir,
    path: PathBuf,
    home: PathBuf,
    bin: PathBuf,
    ids: Vec<String>,
}

impl Repo {
    fn env(&self, cmd: &mut Command) {
        cmd.current_dir(&self.path)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("TZ", "UTC")
            .env("LC_ALL", "C.UTF-8")
            .env("DEVOPS_PM_NOW", NOW)
            .stdin(Stdio::null());
    }

    fn git_output(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new("git");
        self.env(&mut cmd);
        cmd.args(args).output().unwrap()
    }

    fn git(&self, args: &[&str]) -> String {
        let out = self.git_output(args);
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn pm_cmd(&self, args: &[String]) -> Command {
        let mut cmd = Command::new(&self.bin);
        self.env(&mut cmd);
        cmd.arg("postmortem").args(args);
        cmd
    }

    fn pm(&self, args: &[&str]) -> Output {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        self.pm_cmd(&args).output().unwrap()
    }

    fn write(&self, rel: &str, text: &[u8]) {
        let p = self.path.join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
}

/// The user's work in progress, as bytes: what must come out unchanged.
const STAGED: &[u8] = b"fn main() { staged() }\n";
const UNSTAGED: &[u8] = b"# notes\nunstaged edit\n";
const UNTRACKED: &[u8] = b"scratch\n";

fn setup(bin: &Path) -> Repo {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("repo");
    let home = dir.path().join("home");
    std::fs::create_dir_all(&path).unwrap();
    std::fs::create_dir_all(&home).unwrap();
    let mut repo = Repo {
        path,
        home,
        bin: bin.to_path_buf(),
        _dir: dir,
        ids: Vec::new(),
    };
    repo.git(&["init", "-q", "-b", "main"]);
    repo.git(&["config", "user.name", "Alice Kim"]);
    repo.git(&["config", "user.email", "alice@example.com"]);
    repo.write("main.rs", b"fn main() {}\n");
    repo.write("README.md", b"# notes\n");
    repo.git(&["add", "."]);
    repo.git(&["commit", "-qm", "code"]);
    for title in ["결제 서버 장애", "Login timeouts"] {
        let out = repo.pm(&["new", "--title", title, "--severity", "SEV2"]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        repo.ids
            .push(String::from_utf8_lossy(&out.stdout).trim().to_string());
    }
    let out = repo.pm(&["assign", &repo.ids[1], "bob"]);
    assert!(out.status.success());
    repo.write("main.rs", STAGED);
    repo.git(&["add", "main.rs"]);
    repo.write("README.md", UNSTAGED);
    repo.write("scratch.txt", UNTRACKED);
    repo
}

/// A PagerDuty log for `import` (five entries, one commit).
const PAGERDUTY_LOG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/import/pagerduty_log_entries.json"
);

/// The write commands a trial interrupts, in turn.
fn command(n: usize, ids: &[String]) -> Vec<String> {
    let a = ids[0].clone();
    let b = ids[1].clone();
    let list: Vec<Vec<&str>> = vec![
        vec!["new", "--title", "새 장애", "--severity", "SEV1"],
        vec!["assign", &a, "carol"],
        vec!["update", &b, "--severity", "SEV1", "--summary", "요약"],
        vec![
            "analyze",
            &b,
            "--root-cause",
            "pool",
            "--action",
            "Split the pool",
        ],
        vec!["timeline", "add", &a, "--at", "09:20", "alert fired"],
        vec!["action", "add", &b, "Alert at 80%"],
        vec!["import", &a, "--from", "pagerduty", PAGERDUTY_LOG],
    ];
    list[n % list.len()].iter().map(|s| s.to_string()).collect()
}

#[derive(Default)]
struct Tally {
    trials: usize,
    applied: usize,
    not_applied: usize,
    stale_git_locks: usize,
    failed_cleanly: usize,
    /// Errors after which the change was in anyway: what they said.
    failed_but_applied: Vec<String>,
    /// What the writes that failed cleanly said (beside git).
    messages: Vec<String>,
    problems: Vec<String>,
}

/// Everything the trial must leave true. `Err` says what broke.
fn check(repo: &Repo, head_before: &str) -> Result<bool, String> {
    let fsck = repo.git_output(&["fsck", "--strict", "--no-dangling", "--no-progress"]);
    if !fsck.status.success() {
        return Err(format!(
            "git fsck: {}",
            String::from_utf8_lossy(&fsck.stderr)
        ));
    }
    for leftover in [
        ".git/index.lock",
        ".git/refs/heads/main.lock",
        ".git/HEAD.lock",
        ".git/devops-postmortem-journal",
        ".git/devops-postmortem-tmp",
    ] {
        if repo.path.join(leftover).exists() {
            return Err(format!("{leftover} left behind"));
        }
    }
    // Records: HEAD, index and work tree agree.
    let status = repo.git(&["status", "--porcelain", "--untracked-files=all"]);
    let expected_status = " M README.md\nM  main.rs\n?? scratch.txt\n";
    if status != expected_status {
        return Err(format!("git status before the user's commit:\n{status}"));
    }
    let staged = repo.git(&["ls-files", "-s", "postmortems"]);
    let committed = repo.git(&["ls-tree", "-r", "HEAD", "postmortems"]);
    let staged: Vec<String> = staged
        .lines()
        .map(|l| {
            let (meta, path) = l.split_once('\t').unwrap();
            let mut f = meta.split(' ');
            format!("{} {}\t{path}", f.next().unwrap(), f.next().unwrap())
        })
        .collect();
    let committed: Vec<String> = committed
        .lines()
        .map(|l| {
            let (meta, path) = l.split_once('\t').unwrap();
            let f: Vec<&str> = meta.split(' ').collect();
            format!("{} {}\t{path}", f[0], f[2])
        })
        .collect();
    if staged != committed {
        return Err(format!(
            "index and HEAD differ for records:\n{staged:?}\n{committed:?}"
        ));
    }
    for line in &committed {
        let path = line.split('\t').nth(1).unwrap();
        let text =
            std::fs::read_to_string(repo.path.join(path)).map_err(|e| format!("{path}: {e}"))?;
        text.parse::<toml::Table>()
            .map_err(|e| format!("{path} does not parse: {e}"))?;
    }
    // At most one commit of ours since, touching one file.
    let ours: Vec<String> = repo
        .git(&["rev-list", &format!("{}..HEAD", head_before.trim())])
        .lines()
        .map(String::from)
        .collect();
    if ours.len() > 1 {
        return Err(format!("{} commits from one command", ours.len()));
    }
    if let Some(c) = ours.first() {
        let files = repo.git(&["show", "--name-only", "--format=", c]);
        if files.lines().count() != 1 || !files.starts_with("postmortems/") {
            return Err(format!("the tool's commit touched: {files}"));
        }
    }
    // The user's own commit: exactly their two files, byte for byte.
    repo.git(&["commit", "-qam", "the user's work"]);
    let files = repo.git(&["show", "--name-only", "--format=", "HEAD"]);
    if files != "README.md\nmain.rs\n" {
        return Err(format!("the user's commit -a took: {files}"));
    }
    for (path, bytes) in [("main.rs", STAGED), ("README.md", UNSTAGED)] {
        let out = repo.git_output(&["cat-file", "blob", &format!("HEAD:{path}")]);
        if out.stdout != bytes {
            return Err(format!("{path} is not the user's bytes"));
        }
    }
    if std::fs::read(repo.path.join("scratch.txt")).ok().as_deref() != Some(UNTRACKED) {
        return Err("the untracked file changed".into());
    }
    let rest = repo.git(&[
        "status",
        "--porcelain",
        "--untracked-files=all",
        "--ignored",
    ]);
    if rest != "?? scratch.txt\n" {
        return Err(format!("left in the work tree:\n{rest}"));
    }
    Ok(!ours.is_empty())
}

/// git's own lock files, which a killed git leaves behind.
const GIT_LOCKS: &[&str] = &[
    ".git/index.lock",
    ".git/refs/heads/main.lock",
    ".git/HEAD.lock",
];

/// One more devops command after the fault. Where a killed git left its
/// own lock file, a write must fail naming it, and work after the `rm`
/// its hint prints.
fn next_command(repo: &Repo, tally: &mut Tally) -> Result<(), String> {
    let out = repo.pm(&["list", "--all"]);
    let first = String::from_utf8_lossy(&out.stderr).into_owned();
    if first.contains("panicked") {
        return Err(format!("panic: {first}"));
    }
    let said = |e: String| format!("{e}\n  the first command after the fault said: {first}");
    for _ in 0..GIT_LOCKS.len() {
        let Some(lock) = GIT_LOCKS.iter().find(|l| repo.path.join(l).exists()) else {
            break;
        };
        tally.stale_git_locks += 1;
        let out = repo.pm(&["assign", &repo.ids[0], "dave"]);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        if out.status.success() || !err.contains(lock.trim_start_matches(".git/")) {
            return Err(said(format!("a stale {lock} was not named: {err}")));
        }
        let hint = err
            .lines()
            .find_map(|l| l.strip_prefix("hint: if none is, the lock is stale: "))
            .ok_or_else(|| said(format!("no rm hint for {lock}: {err}")))?;
        let ok = Command::new("sh")
            .arg("-c")
            .arg(hint)
            .current_dir(&repo.path)
            .status()
            .unwrap();
        if !ok.success() || repo.path.join(lock).exists() {
            return Err(format!("the hint did not remove the lock: {hint}"));
        }
    }
    let out = repo.pm(&["list", "--all"]);
    if !out.status.success() {
        return Err(format!(
            "the next command failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(())
}

fn kill_trials(o: &Opts, rng: &mut Rng, group: bool, n: usize) -> Tally {
    let mut tally = Tally::default();
    // How long a write takes here, to spread the kills over it.
    let probe = setup(&o.bin);
    let start = Instant::now();
    for i in 0..6 {
        let out = probe.pm_cmd(&command(i, &probe.ids)).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let span = (start.elapsed() / 6).as_micros() as u64 + 2000;
    for i in 0..n {
        let repo = setup(&o.bin);
        let head = repo.git(&["rev-parse", "HEAD"]);
        let mut cmd = repo.pm_cmd(&command(i, &repo.ids));
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
        if group {
            cmd.process_group(0);
        }
        let mut child = cmd.spawn().unwrap();
        std::thread::sleep(Duration::from_micros(rng.below(span)));
        if group {
            // SAFETY: signalling the process group we just created.
            unsafe {
                libc::kill(-(child.id() as i32), libc::SIGKILL);
            }
        } else {
            let _ = child.kill();
        }
        let _ = child.wait();
        // Orphaned git children (alone-kill mode) finish on their own.
        std::thread::sleep(Duration::from_millis(30));
        tally.trials += 1;
        let outcome = next_command(&repo, &mut tally).and_then(|()| check(&repo, &head));
        match outcome {
            Ok(true) => tally.applied += 1,
            Ok(false) => tally.not_applied += 1,
            Err(e) => {
                let after = String::from_utf8_lossy(&repo.pm(&["list"]).stderr).into_owned();
                tally.problems.push(format!(
                    "trial {i} ({:?}): {e}\n  a later list said: {after}",
                    command(i, &repo.ids)
                ))
            }
        }
    }
    tally
}

fn strace_trials(o: &Opts) -> Tally {
    let mut tally = Tally::default();
    for (n_cmd, syscall) in ["write", "rename", "fsync", "openat"].iter().enumerate() {
        for errno in ["ENOSPC", "EIO"] {
            for when in 1..=o.strace_calls {
                let repo = setup(&o.bin);
                let head = repo.git(&["rev-parse", "HEAD"]);
                let args = command(n_cmd + when, &repo.ids);
                let mut cmd = Command::new("strace");
                repo.env(&mut cmd);
                cmd.args(["-f", "-qq", "-o", "/dev/null", "-e"])
                    .arg(format!("inject={syscall}:error={errno}:when={when}"))
                    .arg(&repo.bin)
                    .arg("postmortem")
                    .args(&args);
                let out = cmd.output().unwrap();
                let err = String::from_utf8_lossy(&out.stderr).into_owned();
                tally.trials += 1;
                if err.contains("panicked") {
                    tally
                        .problems
                        .push(format!("{syscall}/{errno}/{when} {args:?}: panic: {err}"));
                    continue;
                }
                if !out.status.success() {
                    tally.failed_cleanly += 1;
                }
                let outcome = next_command(&repo, &mut tally).and_then(|()| check(&repo, &head));
                match outcome {
                    Ok(true) if !out.status.success() => {
                        tally.applied += 1;
                        tally
                            .failed_but_applied
                            .push(format!("{syscall}={errno} at call {when}: {}", err.trim()));
                    }
                    Ok(true) => tally.applied += 1,
                    Ok(false) => tally.not_applied += 1,
                    Err(e) => tally.problems.push(format!(
                        "{syscall}={errno} at call {when}, {args:?}: {e}\n  its stderr: {err}"
                    )),
                }
            }
        }
    }
    tally
}

/// Tool writes while the user's own git runs beside them: `git status`
/// (which refreshes the index under `index.lock`), `git add` and
/// `git commit` of other files. Every write must either land whole or
/// fail saying why; every commit of the user's must land; all must agree.
fn beside_git(o: &Opts, n: usize) -> Tally {
    let mut tally = Tally::default();
    let repo = setup(&o.bin);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let user = {
        let stop = stop.clone();
        let path = repo.path.clone();
        let home = repo.home.clone();
        std::thread::spawn(move || {
            let mut commits = 0;
            let git = |args: &[&str]| {
                Command::new("git")
                    .current_dir(&path)
                    .env("HOME", &home)
                    .env("GIT_CONFIG_NOSYSTEM", "1")
                    .args(args)
                    .output()
                    .unwrap()
            };
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let _ = git(&["status", "--porcelain"]);
                std::fs::write(path.join(format!("user-{commits}.txt")), "mine\n").unwrap();
                let add = git(&["add", &format!("user-{commits}.txt")]);
                if add.status.success() {
                    // Two commits racing for the branch: git refuses one;
                    // the user tries again.
                    for _ in 0..50 {
                        let c = git(&[
                            "commit",
                            "-q",
                            "-m",
                            "user",
                            "--",
                            &format!("user-{commits}.txt"),
                        ]);
                        if c.status.success() {
                            commits += 1;
                            break;
                        }
                    }
                }
            }
            commits
        })
    };
    let mut landed = 0;
    for i in 0..n {
        let out = repo.pm_cmd(&command(i, &repo.ids)).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        tally.trials += 1;
        if err.contains("panicked") {
            tally.problems.push(format!("write {i}: panic: {err}"));
        } else if out.status.success() {
            // `assign` to the same person again, or an `import` of a log
            // already in, commits nothing, and says so.
            if !err.contains("nothing to change") && !err.contains("nothing to import") {
                landed += 1;
            }
        } else if err.contains("nothing was written") {
            tally.failed_cleanly += 1;
            tally.messages.push(err.trim().to_string());
        } else {
            tally.problems.push(format!(
                "write {i} failed without saying what was left: {err}"
            ));
        }
        // Whatever the outcome, no record may be left modified or
        // untracked: name the write that did it, not only the end state.
        let left = repo.git(&[
            "--no-optional-locks",
            "status",
            "--porcelain",
            "--untracked-files=all",
            "--",
            "postmortems",
        ]);
        if !left.is_empty() && !tally.problems.iter().any(|p| p.contains("left")) {
            tally.problems.push(format!(
                "write {i} ({:?}) left {left}: {err}",
                command(i, &repo.ids)
            ));
        }
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let user_commits = user.join().unwrap();
    tally.applied = landed;
    tally.not_applied = n - landed - tally.failed_cleanly;
    let ours = repo
        .git(&["log", "--format=%s"])
        .lines()
        .filter(|l| l.starts_with("postmortem: "))
        .count();
    // Three made by setup, plus every write that said it landed.
    if ours != landed + 3 {
        tally.problems.push(format!(
            "{landed} writes succeeded but {} are in the history",
            ours - 3
        ));
    }
    let theirs = repo
        .git(&["log", "--format=%s"])
        .lines()
        .filter(|l| *l == "user")
        .count();
    if theirs != user_commits {
        tally.problems.push(format!(
            "the user made {user_commits} commits, {theirs} are in the history"
        ));
    }
    let fsck = repo.git_output(&["fsck", "--strict", "--no-dangling", "--no-progress"]);
    if !fsck.status.success() {
        tally.problems.push(format!(
            "git fsck: {}",
            String::from_utf8_lossy(&fsck.stderr)
        ));
    }
    let status = repo.git(&["status", "--porcelain"]);
    if status != " M README.md\nM  main.rs\n?? scratch.txt\n" {
        tally
            .problems
            .push(format!("git status afterwards:\n{status}"));
    }
    println!("  beside git: the user made {user_commits} commits meanwhile");
    tally
}

fn report(what: &str, t: &Tally) {
    println!(
        "{what}: {} trials, {} applied, {} not applied, {} failed with an error, {} stale git locks named and removed, {} problems",
        t.trials,
        t.applied,
        t.not_applied,
        t.failed_cleanly,
        t.stale_git_locks,
        t.problems.len()
    );
    for p in t.problems.iter().take(10) {
        println!("  PROBLEM {p}");
    }
    for m in t.messages.iter().take(10) {
        println!("  failed cleanly: {m}");
    }
    for m in t.failed_but_applied.iter().take(8) {
        println!("  failed, then finished: {m}");
    }
}

fn main() {
    let o = opts();
    println!("seed {}", o.seed);
    let mut rng = Rng(o.seed | 1);
    let mut bad = 0;
    if o.kills > 0 {
        let t = kill_trials(&o, &mut rng, false, o.kills);
        report("SIGKILL of devops", &t);
        bad += t.problems.len();
    }
    if o.group_kills > 0 {
        let t = kill_trials(&o, &mut rng, true, o.group_kills);
        report("SIGKILL of devops and its git children", &t);
        bad += t.problems.len();
    }
    if o.beside_git > 0 {
        let t = beside_git(&o, o.beside_git);
        report("writes beside the user's git add/commit/status", &t);
        bad += t.problems.len();
    }
    if o.strace {
        let t = strace_trials(&o);
        report("strace-injected ENOSPC/EIO", &t);
        bad += t.problems.len();
    }
    if bad > 0 {
        std::process::exit(1);
    }
}
