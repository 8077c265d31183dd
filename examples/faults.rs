//! Fault injection for both write paths and for `sync`: kills them at
//! random instants, makes their system calls fail with ENOSPC or EIO
//! (strace), and races writes against the user's own git, then checks that
//! nothing of the user's was lost, hidden or reverted and that every change
//! is wholly in or wholly absent.
//!
//!     cargo build --release && cargo run --release --example faults -- \
//!         [--kills 300] [--group-kills 100] [--beside-git 300] [--strace] [--strace-calls 40]
//!         [--sync-kills 100] [--bin target/release/devops] [--seed N]
//!
//! Every write mode runs, in turn, in three layouts, each holding the
//! user's work in progress (a staged file, an unstaged edit, an untracked
//! file; where records are checked out, an unstaged edit of a record too):
//! - ref-only: the records branch `postmortems` is checked out nowhere, so a
//!   write moves only that ref; the user's HEAD, index (byte for byte),
//!   `git status --porcelain=v2` and work-tree files must never change;
//! - `git config postmortem.branch main`: records beside the code on the
//!   checked-out branch, whose index and files follow each write;
//! - `git worktree add ../pm postmortems`, the user's work in progress there
//!   (and in the main work tree, which must never change).
//!
//! Modes:
//! - `--kills N`: SIGKILL of devops alone (its git children finish, as after
//!   an OOM kill); `--group-kills N`: SIGKILL of devops and every process it
//!   started, git included (even those in process groups of their own),
//!   which can leave git's own lock files: the next write must name each and
//!   the `rm` its hint prints must work. Half the kills land at a random
//!   instant after the start, half at a random instant after a named point
//!   of the write (`DEVOPS_PM_TEST_POINT`, the process stopped there and
//!   let go);
//! - `--strace`: ENOSPC and EIO injected into the Nth write, rename, fsync,
//!   openat and link of every process, for each N up to `--strace-calls`
//!   that a normal run of that command reaches in some process;
//! - `--beside-git N`: N writes per checked-out layout while the user's own
//!   git runs `reset --hard`, `stash` (and `pop`), `checkout other` (and
//!   back), `checkout -- .` and `commit -a` in a tight loop in that work
//!   tree; the user's loop is paused after every write to check it;
//! - `--sync-kills N`: `sync` killed (alone or with its git, in turn) in a
//!   clone whose records branch is checked out nowhere or in a linked work
//!   tree (in turn), both clones of a bare remote having changed the same
//!   records.
//!
//! After a killed or failed write: right away, the branch is at its old tip
//! or at exactly the commit an undisturbed run makes (same parent, message,
//! files and bytes), `git fsck --strict` is clean, the records parse, and
//! every work tree not holding the records branch is byte-identical. After
//! one more devops command (a read): the branch did not move, no journal,
//! staged index, index.lock or other lock of ours is left, where the branch
//! is checked out each record file and index entry is the branch's (no
//! staged revert, nothing stray), every `git status` is exactly the user's.
//! Then a further write lands whole, and the user's own `git commit -a` in
//! each work tree takes exactly their files, byte for byte, leaving only
//! their untracked files. A write that said "nothing was written" must be
//! absent; one that succeeded must be in.
//!
//! Beside git, after every write (the user's loop paused): the change is in
//! the branch once if the write said so, not at all if it said nothing was
//! written; wherever the user's HEAD is (`other` too), `git status` shows no
//! record staged, modified or untracked; where HEAD is the records branch,
//! each record's index entry and file are the branch's; nothing of ours is
//! left. At the end: every change is still in as often as right after its
//! write, the commits of ours are exactly the writes that landed, each of the
//! user's commits is on its branch once and took only their file, no stash
//! holds a record, and `git fsck` is clean.
//!
//! Races git has between two of its own commands are counted apart, not
//! as problems (`git_race`): `checkout BRANCH`, `reset --hard`, `stash`
//! and `stash pop` read HEAD before they lock the index, so a branch that
//! moves in between (by the tool, or by git's own `update-ref`, `fetch`,
//! `branch -f`) leaves the earlier tip's files under the moved HEAD (README,
//! "How it uses git"). Only the outcomes such a race makes count so, and
//! only when one of those commands ran during that very write: the work
//! tree behind the branch, the change then reverted by the user's next
//! command, a stash holding the write's change, a checkout carrying it to
//! another branch. In a write's window where none of them ran, every
//! check holds with no exception.
//!
//! After a killed sync: Bob's records branch is at its old tip or exactly at
//! the merge an undisturbed sync makes, the remote at its old tip or that
//! merge (never pushed ahead of the local branch), both `git fsck` clean,
//! Bob's code work tree byte-identical; then Bob's next sync and Alice's
//! succeed, all three agree on the records tree an undisturbed run makes,
//! each change is in once, and a linked work tree follows the branch.
//!
//! Debugging aids: `FAULTS_DEBUG=1` prints each kill trial;
//! `FAULTS_USER_ACTIONS=0,1,2,4,5,6` restricts the user's loop beside git to
//! those actions (0 edit, 1 reset --hard, 2 stash + pop, 3 checkout other
//! and back, 4 checkout -- ., 5 and 6 commit -a).

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

#[path = "shared/rng.rs"]
mod rng;
use rng::Rng;

struct Opts {
    bin: PathBuf,
    kills: usize,
    group_kills: usize,
    strace: bool,
    /// For each system call, inject at its 1st … Nth use.
    strace_calls: usize,
    beside_git: usize,
    sync_kills: usize,
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
        sync_kills: 50,
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
            "--sync-kills" => o.sync_kills = val().parse().unwrap(),
            other => panic!("unknown argument {other}"),
        }
    }
    o.bin = std::fs::canonicalize(&o.bin).expect("the devops binary (build it first)");
    o
}

const NOW: &str = "2026-11-24T10:00:00+09:00";

/// The named points of a write (`DEVOPS_PM_TEST_POINT`), in order.
const POINTS: [&str; 6] = [
    "planned",
    "staged",
    "journaled",
    "locked",
    "written",
    "moved",
];

type Check<T = ()> = Result<T, String>;

fn stderr_of(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

// ---------------------------------------------------------------------------
// Running git and devops in an isolated environment.

#[derive(Clone)]
struct Env {
    home: PathBuf,
    bin: PathBuf,
}

impl Env {
    fn cmd(&self, program: impl AsRef<OsStr>, dir: &Path) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("TZ", "UTC")
            .env("LC_ALL", "C.UTF-8")
            .env("DEVOPS_PM_NOW", NOW)
            .stdin(Stdio::null());
        cmd
    }

    /// The user's own git (it may refresh the index, as theirs would).
    fn git(&self, dir: &Path, args: &[&str]) -> Output {
        self.cmd("git", dir).args(args).output().expect("git runs")
    }

    /// The user's own git, in the set-up: it must work.
    fn run(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.git(dir, args);
        assert!(
            out.status.success(),
            "git {args:?} in {}: {}",
            dir.display(),
            stderr_of(&out)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The harness looking: never takes git's optional locks, so never
    /// rewrites an index.
    fn look_bytes(&self, dir: &Path, args: &[&str]) -> Check<Vec<u8>> {
        let out = self
            .cmd("git", dir)
            .env("GIT_OPTIONAL_LOCKS", "0")
            .args(args)
            .output()
            .expect("git runs");
        if out.status.success() {
            Ok(out.stdout)
        } else {
            Err(format!(
                "git {} (in {}): {}",
                args.join(" "),
                dir.display(),
                stderr_of(&out).trim()
            ))
        }
    }

    fn look(&self, dir: &Path, args: &[&str]) -> Check<String> {
        self.look_bytes(dir, args)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
    }

    fn pm_cmd<S: AsRef<OsStr>>(&self, dir: &Path, args: &[S]) -> Command {
        let mut cmd = self.cmd(&self.bin, dir);
        cmd.arg("postmortem").args(args);
        cmd
    }

    fn pm(&self, dir: &Path, args: &[&str]) -> Output {
        self.pm_cmd(dir, args).output().expect("devops runs")
    }

    /// devops in the set-up: it must work.
    fn pm_ok(&self, dir: &Path, args: &[&str]) -> String {
        let out = self.pm(dir, args);
        assert!(
            out.status.success(),
            "devops postmortem {args:?}: {}",
            stderr_of(&out)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// What `git status` shows under the records folder (ours, if anything).
    fn records_status(&self, dir: &Path) -> Check<String> {
        self.look(
            dir,
            &[
                "status",
                "--porcelain",
                "--untracked-files=all",
                "--",
                "postmortems",
            ],
        )
    }

    fn fsck(&self, dir: &Path) -> Check {
        self.look(dir, &["fsck", "--strict", "--no-dangling", "--no-progress"])
            .map(|_| ())
    }

    /// The commit a branch points at.
    fn tip(&self, dir: &Path, branch: &str) -> Check<String> {
        self.look(
            dir,
            &[
                "rev-parse",
                "--verify",
                "-q",
                &format!("refs/heads/{branch}"),
            ],
        )
        .map(|s| s.trim().to_string())
    }

    /// Every record file at a commit: (path, text).
    fn records_at(&self, dir: &Path, commit: &str) -> Check<Vec<(String, String)>> {
        let list = self.look(dir, &["ls-tree", "-r", "-z", commit, "--", "postmortems"])?;
        let mut out = Vec::new();
        for entry in list.split('\0').filter(|e| !e.is_empty()) {
            let (meta, path) = entry.split_once('\t').ok_or("ls-tree output")?;
            if !path.ends_with(".toml") {
                continue;
            }
            let oid = meta.split(' ').nth(2).ok_or("ls-tree output")?;
            out.push((
                path.to_string(),
                self.look(dir, &["cat-file", "blob", oid])?,
            ));
        }
        Ok(out)
    }

    /// Every record at `commit` parses; their number.
    fn records_parse(&self, dir: &Path, commit: &str) -> Check<usize> {
        let records = self.records_at(dir, commit)?;
        for (path, text) in &records {
            text.parse::<toml::Table>()
                .map_err(|e| format!("{path} does not parse at {commit}: {e}"))?;
        }
        Ok(records.len())
    }

    /// How many times `needle` occurs in the records at `commit`.
    fn count_at(&self, dir: &Path, commit: &str, needle: &str) -> Check<usize> {
        let out = self
            .cmd("git", dir)
            .env("GIT_OPTIONAL_LOCKS", "0")
            .args([
                "grep",
                "-c",
                "-F",
                "-e",
                needle,
                commit,
                "--",
                "postmortems",
            ])
            .output()
            .expect("git runs");
        match out.status.code() {
            Some(1) => Ok(0),
            Some(0) => Ok(String::from_utf8_lossy(&out.stdout)
                .lines()
                .filter_map(|l| l.rsplit(':').next()?.parse::<usize>().ok())
                .sum()),
            _ => Err(format!("git grep: {}", stderr_of(&out))),
        }
    }
}

/// The commit, its changed files and their bytes, as text: what an
/// interrupted write must match whole. The ID of a record the commit adds
/// (random for `new`) reads as `PM-NEW`.
fn canonical(env: &Env, dir: &Path, parent: &str, commit: &str) -> Check<String> {
    let raw = env.look(dir, &["cat-file", "commit", commit])?;
    let mut out: String = raw.lines().skip(1).map(|l| format!("{l}\n")).collect();
    let names = env.look(
        dir,
        &[
            "diff-tree",
            "-r",
            "--no-commit-id",
            "--name-status",
            parent,
            commit,
        ],
    )?;
    let mut added = None;
    for line in names.lines() {
        let (status, path) = line.split_once('\t').ok_or("diff-tree output")?;
        out.push_str(&format!("== {line}\n"));
        if status != "D" {
            out.push_str(&env.look(dir, &["cat-file", "blob", &format!("{commit}:{path}")])?);
        }
        if status == "A" && path.starts_with("postmortems/") {
            added = Path::new(path)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned());
        }
    }
    if let Some(id) = added {
        out = out.replace(&id, "PM-NEW");
    }
    Ok(out)
}

// ---------------------------------------------------------------------------
// Repositories: built once per layout, copied for every trial.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Layout {
    RefOnly,
    Main,
    Linked,
}

impl Layout {
    const ALL: [Layout; 3] = [Layout::RefOnly, Layout::Main, Layout::Linked];

    fn name(self) -> &'static str {
        match self {
            Layout::RefOnly => "ref-only",
            Layout::Main => "postmortem.branch main",
            Layout::Linked => "linked work tree",
        }
    }

    fn branch(self) -> &'static str {
        match self {
            Layout::Main => "main",
            _ => "postmortems",
        }
    }
}

/// One work tree and the user's work in progress in it.
#[derive(Clone)]
struct Wt {
    /// Relative to the trial's root.
    dir: &'static str,
    /// Its git dir, relative to the root.
    git_dir: &'static str,
    /// It holds the records branch: its index and files follow writes.
    records: bool,
    staged: Vec<(String, Vec<u8>)>,
    unstaged: Vec<(String, Vec<u8>)>,
    untracked: Vec<(String, Vec<u8>)>,
    /// `git status --porcelain --untracked-files=all`, as the user left it.
    status: String,
}

/// The user's work in progress, as bytes: what must come out unchanged.
const STAGED: &[u8] = b"fn main() { staged() }\n";
const UNSTAGED: &[u8] = b"# notes\nunstaged edit\n";
const UNTRACKED: &[u8] = b"scratch\n";
const NOTE: &str = "# the user's own note, not committed\n";

/// A PagerDuty log for `import` (five entries, one commit).
const PAGERDUTY_LOG: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/import/pagerduty_log_entries.json"
);

/// CI's deploys as JSON lines for `deploys import` (two, one commit).
const DEPLOYS: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/import/deploys.jsonl"
);

/// The write commands a trial interrupts, in turn.
const COMMANDS: usize = 9;

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
        // A review (Bob's record, asked by someone else): its own commit
        // path with a message body.
        vec![
            "review",
            &b,
            "--request-changes",
            "타임라인이 09:20에서 멈춤",
        ],
        // A file beside the records (`deploys.jsonl`), not a record.
        vec!["deploys", "import", DEPLOYS],
    ];
    list[n % list.len()].iter().map(|s| s.to_string()).collect()
}

struct Template {
    _dir: tempfile::TempDir,
    root: PathBuf,
    bin: PathBuf,
    layout: Layout,
    ids: Vec<String>,
    wts: Vec<Wt>,
    /// Per command: what an undisturbed run commits (`canonical`).
    refs: Vec<String>,
    /// How long a write takes here.
    span: Duration,
    /// The points a write passes here, and how long it goes on after each.
    points: Vec<(&'static str, Duration)>,
}

fn write_file(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn template(bin: &Path, layout: Layout) -> Template {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let env = Env {
        home: root.join("home"),
        bin: bin.to_path_buf(),
    };
    let repo = root.join("repo");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::create_dir_all(&env.home).unwrap();
    env.run(&repo, &["init", "-q", "-b", "main"]);
    env.run(&repo, &["config", "user.name", "Alice Kim"]);
    env.run(&repo, &["config", "user.email", "alice@example.com"]);
    write_file(&repo.join("main.rs"), b"fn main() {}\n");
    write_file(&repo.join("README.md"), b"# notes\n");
    env.run(&repo, &["add", "."]);
    env.run(&repo, &["commit", "-qm", "code"]);
    if layout == Layout::Main {
        env.run(&repo, &["config", "postmortem.branch", "main"]);
    }
    let mut ids = Vec::new();
    for title in ["결제 서버 장애", "Login timeouts", "Disk full"] {
        ids.push(env.pm_ok(&repo, &["new", "--title", title, "--severity", "SEV2"]));
    }
    env.pm_ok(&repo, &["assign", &ids[1], "bob"]);
    let record_c = env
        .run(
            &repo,
            &[
                "ls-tree",
                "-r",
                "--name-only",
                layout.branch(),
                "--",
                "postmortems",
            ],
        )
        .lines()
        .find(|l| l.contains(&ids[2]))
        .expect("record C")
        .to_string();
    let c_bytes = |wt: &Path| {
        let mut b = std::fs::read(wt.join(&record_c)).unwrap();
        b.extend_from_slice(NOTE.as_bytes());
        b
    };
    // The user's work in progress in the main work tree.
    write_file(&repo.join("main.rs"), STAGED);
    env.run(&repo, &["add", "main.rs"]);
    write_file(&repo.join("README.md"), UNSTAGED);
    write_file(&repo.join("scratch.txt"), UNTRACKED);
    let mut main = Wt {
        dir: "repo",
        git_dir: "repo/.git",
        records: layout == Layout::Main,
        staged: vec![("main.rs".into(), STAGED.to_vec())],
        unstaged: vec![("README.md".into(), UNSTAGED.to_vec())],
        untracked: vec![("scratch.txt".into(), UNTRACKED.to_vec())],
        status: String::new(),
    };
    if layout == Layout::Main {
        let bytes = c_bytes(&repo);
        write_file(&repo.join(&record_c), &bytes);
        main.unstaged.push((record_c.clone(), bytes));
    }
    let mut wts = vec![main];
    if layout == Layout::Linked {
        env.run(&repo, &["worktree", "add", "-q", "../pm", "postmortems"]);
        let pm = root.join("pm");
        write_file(&pm.join("notes.md"), b"# on-call notes\n");
        env.run(&pm, &["add", "notes.md"]);
        env.run(&pm, &["commit", "-qm", "on-call notes"]);
        let draft = b"draft of the review\n";
        write_file(&pm.join("draft.md"), draft);
        env.run(&pm, &["add", "draft.md"]);
        let notes = b"# on-call notes\nmine, not committed\n";
        write_file(&pm.join("notes.md"), notes);
        write_file(&pm.join("scratch.txt"), UNTRACKED);
        let bytes = c_bytes(&pm);
        write_file(&pm.join(&record_c), &bytes);
        wts.push(Wt {
            dir: "pm",
            git_dir: "repo/.git/worktrees/pm",
            records: true,
            staged: vec![("draft.md".into(), draft.to_vec())],
            unstaged: vec![("notes.md".into(), notes.to_vec()), (record_c, bytes)],
            untracked: vec![("scratch.txt".into(), UNTRACKED.to_vec())],
            status: String::new(),
        });
    }
    for wt in &mut wts {
        let d = root.join(wt.dir);
        let _ = env.git(&d, &["update-index", "-q", "--refresh"]);
        wt.status = env
            .look(&d, &["status", "--porcelain", "--untracked-files=all"])
            .unwrap();
    }
    let mut t = Template {
        _dir: dir,
        root,
        bin: bin.to_path_buf(),
        layout,
        ids,
        wts,
        refs: Vec::new(),
        span: Duration::ZERO,
        points: Vec::new(),
    };
    // What each command commits when nothing disturbs it.
    let mut total = Duration::ZERO;
    for n in 0..COMMANDS {
        let r = instance(&t);
        let before = r.tip().unwrap();
        let start = Instant::now();
        let out = r.pm_cmd(&command(n, &r.ids)).output().unwrap();
        total += start.elapsed();
        assert!(out.status.success(), "{}", stderr_of(&out));
        let after = r.tip().unwrap();
        t.refs
            .push(canonical(&r.env, &r.main_dir(), &before, &after).unwrap());
        r.settled(&after)
            .expect("an undisturbed write leaves all settled");
    }
    t.span = total / COMMANDS as u32;
    t.points = time_after_points(&POINTS, || {
        let r = instance(&t);
        let c = r.pm_cmd(&command(1, &r.ids));
        (r, c)
    });
    println!(
        "  {}: a write takes {:.1?}; after each point {:.1?}",
        layout.name(),
        t.span,
        t.points
    );
    t
}

/// A copy of a template, for one trial.
struct Repo {
    _dir: tempfile::TempDir,
    root: PathBuf,
    env: Env,
    layout: Layout,
    ids: Vec<String>,
    wts: Vec<Wt>,
}

/// Points a copied linked work tree and its repository at each other.
fn relink(root: &Path, main: &str, wt: &str) {
    let admin = root.join(main).join(".git/worktrees").join(wt);
    std::fs::write(
        root.join(wt).join(".git"),
        format!("gitdir: {}\n", admin.display()),
    )
    .unwrap();
    std::fs::write(
        admin.join("gitdir"),
        format!("{}\n", root.join(wt).join(".git").display()),
    )
    .unwrap();
}

fn copy_tree(from: &Path, to: &Path) {
    let ok = Command::new("cp")
        .arg("-a")
        .arg(from.join("."))
        .arg(to)
        .status()
        .unwrap();
    assert!(ok.success(), "cp -a {}", from.display());
}

fn instance(t: &Template) -> Repo {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    copy_tree(&t.root, &root);
    if t.layout == Layout::Linked {
        relink(&root, "repo", "pm");
    }
    let env = Env {
        home: root.join("home"),
        bin: t.bin.clone(),
    };
    // The copy changed every file's inode and ctime: the user's git
    // refreshes the index once, as it would after a restore from backup.
    for wt in &t.wts {
        let _ = env.git(&root.join(wt.dir), &["update-index", "-q", "--refresh"]);
    }
    Repo {
        _dir: dir,
        root,
        env,
        layout: t.layout,
        ids: t.ids.clone(),
        wts: t.wts.clone(),
    }
}

/// A work tree that does not hold the records branch, as it was: HEAD,
/// index bytes, `git status --porcelain=v2` and every file.
#[derive(PartialEq)]
struct Ident {
    head: String,
    index: Vec<u8>,
    status: String,
    files: BTreeMap<PathBuf, Vec<u8>>,
}

fn files_under(dir: &Path, rel: &Path, out: &mut BTreeMap<PathBuf, Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir.join(rel)) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        if rel.as_os_str().is_empty() && name == ".git" {
            continue;
        }
        let r = rel.join(&name);
        if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            files_under(dir, &r, out);
        } else {
            let bytes = std::fs::read(dir.join(&r)).unwrap_or_default();
            out.insert(r, bytes);
        }
    }
}

impl Ident {
    fn take(env: &Env, dir: &Path, git_dir: &Path) -> Check<Ident> {
        let mut files = BTreeMap::new();
        files_under(dir, Path::new(""), &mut files);
        Ok(Ident {
            head: env.look(dir, &["symbolic-ref", "HEAD"])?
                + &env.look(dir, &["rev-parse", "HEAD"])?,
            index: std::fs::read(git_dir.join("index")).map_err(|e| e.to_string())?,
            status: env.look(dir, &["status", "--porcelain=v2", "--untracked-files=all"])?,
            files,
        })
    }

    /// What differs, in words.
    fn differs(&self, now: &Ident) -> Option<String> {
        if self.head != now.head {
            return Some(format!("HEAD moved: {} → {}", self.head, now.head));
        }
        if self.index != now.index {
            return Some("the index changed (its bytes)".into());
        }
        if self.status != now.status {
            return Some(format!(
                "git status --porcelain=v2 changed:\n{}\nnow:\n{}",
                self.status, now.status
            ));
        }
        if self.files != now.files {
            let names: Vec<String> = self
                .files
                .keys()
                .chain(now.files.keys())
                .filter(|k| self.files.get(*k) != now.files.get(*k))
                .map(|k| k.display().to_string())
                .collect();
            return Some(format!("work-tree files changed: {names:?}"));
        }
        None
    }
}

/// What a fault may leave of ours or git's in a git dir.
#[derive(Default)]
struct Leftovers {
    /// git's lock files (`*.lock`) other than our own flock file.
    git_locks: Vec<PathBuf>,
    /// Our journal, staged index, or its lock.
    ours: Vec<PathBuf>,
    /// Temporary files of ours in a git dir (no git command sees them).
    temps: Vec<PathBuf>,
}

fn scan(dir: &Path, skip: &[&str], found: &mut Leftovers) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = e.path();
        if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            if !skip.contains(&name.as_str()) {
                scan(&path, &[], found);
            }
            continue;
        }
        if name == "devops-postmortem.lock" {
            continue; // our flock file: the kernel lets go of it
        }
        if name == "devops-postmortem-journal" || name.starts_with("devops-postmortem-index") {
            found.ours.push(path);
        } else if name.ends_with(".lock") {
            found.git_locks.push(path);
        } else if name.ends_with(".devops-pm.tmp")
            || (name.starts_with(".devops-pm-") && name.ends_with(".tmp"))
            || name == "devops-postmortem-tmp"
        {
            found.temps.push(path);
        }
    }
}

/// Leftovers in the git dirs under `common` (the main one and the
/// linked work trees' own).
fn leftovers_in(common: &Path) -> Leftovers {
    let mut found = Leftovers::default();
    scan(
        common,
        &["objects", "worktrees", "hooks", "info"],
        &mut found,
    );
    if let Ok(entries) = std::fs::read_dir(common.join("worktrees")) {
        for e in entries.flatten() {
            scan(&e.path(), &[], &mut found);
        }
    }
    found
}

impl Repo {
    fn main_dir(&self) -> PathBuf {
        self.root.join("repo")
    }

    fn common(&self) -> PathBuf {
        self.root.join("repo/.git")
    }

    fn tip(&self) -> Check<String> {
        self.env.tip(&self.main_dir(), self.layout.branch())
    }

    fn pm_cmd(&self, args: &[String]) -> Command {
        self.env.pm_cmd(&self.main_dir(), args)
    }

    fn pm(&self, args: &[&str]) -> Output {
        self.env.pm(&self.main_dir(), args)
    }

    /// The work trees that do not hold the records branch, as they are.
    fn idents(&self) -> Check<Vec<Ident>> {
        self.wts
            .iter()
            .filter(|w| !w.records)
            .map(|w| {
                Ident::take(
                    &self.env,
                    &self.root.join(w.dir),
                    &self.root.join(w.git_dir),
                )
            })
            .collect()
    }

    fn same_idents(&self, before: &[Ident]) -> Check {
        let now = self.idents()?;
        for ((b, n), wt) in before
            .iter()
            .zip(&now)
            .zip(self.wts.iter().filter(|w| !w.records))
        {
            if let Some(d) = b.differs(n) {
                return Err(format!("{} (not holding the records): {d}", wt.dir));
            }
        }
        Ok(())
    }

    /// Where the records branch is checked out, its index entries and
    /// files are the branch's (the user's own edits aside), and every
    /// work tree's `git status` is exactly the user's.
    fn settled(&self, tip: &str) -> Check {
        for wt in &self.wts {
            let dir = self.root.join(wt.dir);
            if wt.records {
                agrees(&self.env, &dir, tip, &wt.unstaged, &wt.untracked)?;
            }
            let status = self
                .env
                .look(&dir, &["status", "--porcelain", "--untracked-files=all"])?;
            if status != wt.status {
                return Err(format!(
                    "git status in {}:\n{status}the user's was:\n{}",
                    wt.dir, wt.status
                ));
            }
        }
        Ok(())
    }

    /// The user's own `git commit -a` in each work tree takes exactly
    /// their files, byte for byte; their untracked files stay as they were
    /// and nothing else is left.
    fn users_commit(&self) -> Check {
        for wt in &self.wts {
            let dir = self.root.join(wt.dir);
            let out = self.env.git(&dir, &["commit", "-qam", "the user's work"]);
            if !out.status.success() {
                return Err(format!(
                    "the user's git commit -a in {} failed: {}",
                    wt.dir,
                    stderr_of(&out)
                ));
            }
            let mut took: Vec<String> = self
                .env
                .look(&dir, &["show", "--name-only", "--format=", "HEAD"])?
                .lines()
                .map(String::from)
                .collect();
            let mut theirs: Vec<String> = wt
                .staged
                .iter()
                .chain(&wt.unstaged)
                .map(|(p, _)| p.clone())
                .collect();
            took.sort();
            theirs.sort();
            if took != theirs {
                return Err(format!(
                    "the user's git commit -a in {} took {took:?}, not their {theirs:?}",
                    wt.dir
                ));
            }
            for (path, bytes) in wt.staged.iter().chain(&wt.unstaged) {
                let got = self
                    .env
                    .look_bytes(&dir, &["cat-file", "blob", &format!("HEAD:{path}")])?;
                if got != *bytes {
                    return Err(format!("{}/{path} is not the user's bytes", wt.dir));
                }
            }
            for (path, bytes) in &wt.untracked {
                if std::fs::read(dir.join(path)).ok().as_ref() != Some(bytes) {
                    return Err(format!("the untracked {}/{path} changed", wt.dir));
                }
            }
            let rest = self.env.look(
                &dir,
                &[
                    "status",
                    "--porcelain",
                    "--untracked-files=all",
                    "--ignored",
                ],
            )?;
            let expected: String = wt
                .untracked
                .iter()
                .map(|(p, _)| format!("?? {p}\n"))
                .collect();
            if rest != expected {
                return Err(format!("left in {}:\n{rest}", wt.dir));
            }
        }
        Ok(())
    }
}

/// In a work tree holding the records branch at `tip`: every record's
/// index entry is the branch's (else a staged revert, or a change staged
/// and never committed), every file holds the branch's bytes (or the
/// user's own edit), and no record file is there that the branch lacks.
fn agrees(
    env: &Env,
    dir: &Path,
    tip: &str,
    users: &[(String, Vec<u8>)],
    untracked: &[(String, Vec<u8>)],
) -> Check {
    let entries = |text: String, oid_field: usize| -> BTreeMap<String, String> {
        text.lines()
            .filter_map(|l| {
                let (meta, path) = l.split_once('\t')?;
                let f: Vec<&str> = meta.split(' ').collect();
                Some((path.to_string(), format!("{} {}", f[0], f[oid_field])))
            })
            .collect()
    };
    let staged = env.look(dir, &["ls-files", "-s", "--", "postmortems"])?;
    if staged.lines().any(|l| !l.contains(" 0\t")) {
        return Err(format!("unmerged record entries in the index:\n{staged}"));
    }
    let staged = entries(staged, 1);
    let committed = entries(
        env.look(dir, &["ls-tree", "-r", tip, "--", "postmortems"])?,
        2,
    );
    if staged != committed {
        let diff: Vec<&String> = staged
            .keys()
            .chain(committed.keys())
            .filter(|k| staged.get(*k) != committed.get(*k))
            .collect();
        return Err(format!(
            "the index and the branch differ for {diff:?} (a staged revert, or a change staged and not committed)"
        ));
    }
    for (path, entry) in &committed {
        let oid = entry.split(' ').nth(1).unwrap();
        let want = match users.iter().find(|(p, _)| p == path) {
            Some((_, b)) => b.clone(),
            None => env.look_bytes(dir, &["cat-file", "blob", oid])?,
        };
        match std::fs::read(dir.join(path)) {
            Ok(b) if b == want => {}
            Ok(_) => return Err(format!("{path} in the work tree is not the branch's bytes")),
            Err(e) => return Err(format!("{path} in the work tree: {e}")),
        }
    }
    let mut on_disk = BTreeMap::new();
    files_under(dir, Path::new("postmortems"), &mut on_disk);
    for path in on_disk.keys() {
        let p = path.to_string_lossy();
        if !committed.contains_key(p.as_ref()) && !untracked.iter().any(|(u, _)| *u == p) {
            return Err(format!("{p} is in the work tree, not on the branch"));
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Processes: spawning, stopping at a named point, killing a whole tree.

/// When a kill lands.
#[derive(Clone, Copy)]
enum When {
    /// This long after the start.
    After(Duration),
    /// This long after the write passed a named point.
    AtPoint(&'static str, Duration),
}

impl std::fmt::Display for When {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            When::After(d) => write!(f, "{}µs after the start", d.as_micros()),
            When::AtPoint(p, d) => write!(f, "{}µs after point `{p}`", d.as_micros()),
        }
    }
}

/// Half the kills land at a random instant of the whole run, half at a
/// random instant of what is left after a named point.
fn pick_when(rng: &mut Rng, points: &[(&'static str, Duration)], span: Duration) -> When {
    let us = |d: Duration| d.as_micros() as u64 + 1;
    if points.is_empty() || rng.below(2) == 0 {
        When::After(Duration::from_micros(rng.below(us(span))))
    } else {
        let (point, left) = points[rng.below(points.len() as u64) as usize];
        When::AtPoint(point, Duration::from_micros(rng.below(us(left))))
    }
}

/// Of `points`, those a run of `cmd()` passes, each with how long the run
/// goes on after it (each run in a fresh copy, which `cmd` returns too).
fn time_after_points<G>(
    points: &[&'static str],
    cmd: impl Fn() -> (G, Command),
) -> Vec<(&'static str, Duration)> {
    let mut out = Vec::new();
    for point in points {
        let (_copy, mut c) = cmd();
        c.stdout(Stdio::null())
            .stderr(Stdio::null())
            .env("DEVOPS_PM_TEST_POINT", point)
            .env("DEVOPS_PM_TEST_ACTION", "kill -STOP $PPID");
        let pid = c.spawn().expect("devops starts").id() as i32;
        if !libc::WIFSTOPPED(wait_child(pid, true)) {
            continue;
        }
        let start = Instant::now();
        signal(pid, libc::SIGCONT);
        wait_child(pid, false);
        out.push((*point, start.elapsed()));
    }
    out
}

/// (pid, parent, state) of every process.
fn processes() -> Vec<(i32, i32, char)> {
    let mut out = Vec::new();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return out;
    };
    for e in dir.flatten() {
        let Ok(pid) = e.file_name().to_string_lossy().parse::<i32>() else {
            continue;
        };
        if let Some((ppid, state)) = stat(pid) {
            out.push((pid, ppid, state));
        }
    }
    out
}

/// The parent and state of a process, if it exists.
fn stat(pid: i32) -> Option<(i32, char)> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 2..];
    let mut f = rest.split(' ');
    let state = f.next()?.chars().next()?;
    Some((f.next()?.parse().ok()?, state))
}

fn descendants(root: i32) -> Vec<i32> {
    let all = processes();
    let mut found = vec![root];
    let mut i = 0;
    while i < found.len() {
        let p = found[i];
        found.extend(all.iter().filter(|(_, pp, _)| *pp == p).map(|(c, _, _)| *c));
        i += 1;
    }
    found.remove(0);
    found
}

fn signal(pid: i32, sig: i32) {
    // SAFETY: sending a signal to a process (or group) this harness started.
    unsafe {
        libc::kill(pid, sig);
    }
}

/// Waits for a child; with `stopped`, also returns when it stops. The raw
/// wait status.
fn wait_child(pid: i32, stopped: bool) -> i32 {
    let mut status = 0;
    loop {
        // SAFETY: waiting for our own child.
        let r =
            unsafe { libc::waitpid(pid, &mut status, if stopped { libc::WUNTRACED } else { 0 }) };
        if r == pid {
            return status;
        }
        if r < 0 && std::io::Error::last_os_error().raw_os_error() != Some(libc::EINTR) {
            return status;
        }
    }
}

fn exited(pid: i32) -> bool {
    let mut status = 0;
    // SAFETY: polling our own child; a reaped child is not waited for again.
    unsafe { libc::waitpid(pid, &mut status, libc::WNOHANG) == pid }
}

/// Waits (up to a second) until a process is stopped or gone.
fn wait_stopped(pid: i32) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(1) {
        match stat(pid) {
            Some((_, 'T' | 't' | 'Z' | 'X')) | None => return,
            _ => std::thread::sleep(Duration::from_micros(100)),
        }
    }
}

/// Waits (up to ten seconds) until the processes are gone or zombies.
fn wait_gone(pids: &[i32]) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(10) {
        if pids
            .iter()
            .all(|p| stat(*p).is_none_or(|(_, s)| s == 'Z' || s == 'X'))
        {
            return;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// Runs `cmd` and SIGKILLs it `when` says: devops alone (its children
/// finish, and are waited for), or with every process it started (stopped
/// first, so that none escapes). True when the kill landed.
fn killed_run(mut cmd: Command, group: bool, when: When) -> bool {
    cmd.stdout(Stdio::null()).stderr(Stdio::null());
    if group {
        cmd.process_group(0);
    }
    if let When::AtPoint(point, _) = when {
        cmd.env("DEVOPS_PM_TEST_POINT", point)
            .env("DEVOPS_PM_TEST_ACTION", "kill -STOP $PPID");
    }
    let pid = cmd.spawn().expect("devops starts").id() as i32;
    match when {
        When::After(d) => std::thread::sleep(d),
        When::AtPoint(_, d) => {
            let status = wait_child(pid, true);
            if !libc::WIFSTOPPED(status) {
                return false; // never reached the point: ran whole
            }
            signal(pid, libc::SIGCONT);
            std::thread::sleep(d);
        }
    }
    if exited(pid) {
        return false;
    }
    // Stopped first, devops starts nothing more while its children are
    // listed: a `git update-ref` it spawns in that instant would otherwise
    // go unseen and land after the checks began.
    signal(if group { -pid } else { pid }, libc::SIGSTOP);
    wait_stopped(pid);
    let victims = descendants(pid);
    if group {
        for v in &victims {
            signal(*v, libc::SIGKILL);
        }
        signal(-pid, libc::SIGKILL);
    } else {
        signal(pid, libc::SIGKILL);
    }
    let status = wait_child(pid, false);
    // Orphaned git children (devops alone) finish on their own.
    wait_gone(&victims);
    libc::WIFSIGNALED(status) && libc::WTERMSIG(status) == libc::SIGKILL
}

// ---------------------------------------------------------------------------
// Tallies and the table.

#[derive(Default)]
struct Tally {
    trials: usize,
    /// The change is in (after the next command).
    applied: usize,
    not_applied: usize,
    /// The command itself exited with an error (strace, beside git).
    failed: usize,
    /// Kills that landed before the command ended.
    kills_landed: usize,
    stale_git_locks: usize,
    temps_left: usize,
    /// Failures that said neither "nothing was written" nor "committed".
    unclear: usize,
    /// Errors after which the change was in anyway: what they said.
    failed_but_applied: Vec<String>,
    /// What failures said (a sample).
    messages: Vec<String>,
    notes: Vec<String>,
    problems: Vec<String>,
    /// Outcomes of races that git has between two of its own commands
    /// (see `git_race`): counted and shown, not problems.
    git_races: Vec<String>,
}

impl Tally {
    fn add(&mut self, other: Tally) {
        self.trials += other.trials;
        self.applied += other.applied;
        self.not_applied += other.not_applied;
        self.failed += other.failed;
        self.kills_landed += other.kills_landed;
        self.stale_git_locks += other.stale_git_locks;
        self.temps_left += other.temps_left;
        self.unclear += other.unclear;
        self.failed_but_applied.extend(other.failed_but_applied);
        self.messages.extend(other.messages);
        self.notes.extend(other.notes);
        self.problems.extend(other.problems);
        self.git_races.extend(other.git_races);
    }
}

struct Row {
    fault: String,
    layout: String,
    tally: Tally,
}

/// What a problem is, in a few words, to count them by.
fn kind(problem: &str) -> &'static str {
    const KINDS: [(&str, &str); 13] = [
        (
            "the index and the branch differ",
            "index ≠ branch (a staged revert, or a change staged)",
        ),
        ("is not the branch's bytes", "a record file ≠ branch"),
        ("were not named", "a stale git lock not named"),
        (
            "failed without saying",
            "failed without saying whether the change is in",
        ),
        (
            "the work tree was left behind",
            "committed, the work tree left behind (hint printed)",
        ),
        (
            "times on the branch, and the write said",
            "in the wrong number of times right after",
        ),
        (
            "left in the work tree",
            "a record staged, modified or untracked in the work tree",
        ),
        ("`git stash` took records", "the user's stash took records"),
        ("the user's user-", "the user's commit -a took records"),
        ("not so at the end", "a change gone (or back) by the end"),
        (
            "commits of ours are on the branch",
            "commits of ours ≠ writes that landed",
        ),
        (
            "neither the old tip nor the whole change",
            "the branch at a partial change",
        ),
        ("left behind", "a lock, journal or staged index left"),
    ];
    KINDS
        .iter()
        .find(|(needle, _)| problem.contains(needle))
        .map_or("other", |(_, k)| k)
}

fn print_table(rows: &[Row]) {
    println!();
    println!(
        "| fault | layout | trials | finished | not applied | failed with an error | problems |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|");
    for r in rows {
        let t = &r.tally;
        println!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.fault,
            r.layout,
            t.trials,
            t.applied,
            t.not_applied,
            t.failed,
            t.problems.len()
        );
    }
    println!();
    for r in rows {
        let t = &r.tally;
        let mut said = Vec::new();
        if t.kills_landed > 0 {
            said.push(format!("{} kills landed mid-run", t.kills_landed));
        }
        if t.stale_git_locks > 0 {
            said.push(format!(
                "{} stale git locks named, removed by the printed rm",
                t.stale_git_locks
            ));
        }
        if t.temps_left > 0 {
            said.push(format!(
                "{} temporary files of ours left in .git",
                t.temps_left
            ));
        }
        if t.unclear > 0 {
            said.push(format!(
                "{} failures said neither \"nothing was written\" nor \"committed\"",
                t.unclear
            ));
        }
        said.extend(t.notes.iter().cloned());
        if !t.git_races.is_empty() {
            let mut by: BTreeMap<&str, usize> = BTreeMap::new();
            for r in &t.git_races {
                *by.entry(r.split(':').next().unwrap_or_default())
                    .or_default() += 1;
            }
            said.push(format!(
                "{} outcomes of races git has between its own commands (not problems; see git_race): {by:?}",
                t.git_races.len()
            ));
        }
        if !said.is_empty() {
            println!("{} / {}: {}", r.fault, r.layout, said.join("; "));
        }
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for p in &t.problems {
            *kinds.entry(kind(p)).or_default() += 1;
        }
        if !kinds.is_empty() {
            println!("  problems by kind: {kinds:?}");
        }
        for p in t.problems.iter().take(10) {
            println!("  PROBLEM {p}");
        }
        for r in t.git_races.iter().take(3) {
            println!("  git's race: {r}");
        }
        for m in t.failed_but_applied.iter().take(5) {
            println!("  failed, then finished: {m}");
        }
        let mut seen = Vec::new();
        for m in &t.messages {
            let first = m.lines().next().unwrap_or_default().to_string();
            if !seen.contains(&first) && seen.len() < 4 {
                seen.push(first);
            }
        }
        for m in seen {
            println!("  failed cleanly: {m}");
        }
    }
}

// ---------------------------------------------------------------------------
// After a fault: the checks every write mode shares.

/// One more devops command after the fault (a read: any command finishes
/// or undoes what a killed run left). Where a killed git left its own lock
/// file, a write must fail naming it, and work after the `rm` its hint
/// prints.
fn next_command(repo: &Repo, tally: &mut Tally) -> Check {
    let out = repo.pm(&["list", "--all"]);
    let first = stderr_of(&out);
    if first.contains("panicked") {
        return Err(format!("panic: {first}"));
    }
    let said = |e: String| format!("{e}\n  the first command after the fault said: {first}");
    // A killed `git update-ref` can leave two (the branch's and HEAD's):
    // each write names one, whichever git met first.
    for _ in 0..6 {
        let found = leftovers_in(&repo.common());
        if found.git_locks.is_empty() {
            break;
        }
        let rel = |l: &PathBuf| {
            l.strip_prefix(repo.common())
                .unwrap_or(l)
                .display()
                .to_string()
        };
        let tip = repo.tip()?;
        let out = repo.pm(&["assign", &repo.ids[0], "dave"]);
        let err = stderr_of(&out);
        let named = found.git_locks.iter().find(|l| err.contains(&rel(l)));
        let Some(lock) = named.filter(|_| !out.status.success()) else {
            let all: Vec<String> = found.git_locks.iter().map(rel).collect();
            return Err(said(format!("the stale {all:?} were not named: {err}")));
        };
        tally.stale_git_locks += 1;
        if repo.tip()? != tip {
            return Err(said(format!(
                "the write that named the stale {} moved the branch",
                rel(lock)
            )));
        }
        run_rm_hint(&repo.main_dir(), &err, lock).map_err(said)?;
    }
    let out = repo.pm(&["list", "--all"]);
    if !out.status.success() {
        return Err(said(format!(
            "the next command failed: {}",
            stderr_of(&out)
        )));
    }
    Ok(())
}

/// Runs the `rm` of "hint: if none is, the lock is stale: rm '…'".
fn run_rm_hint(dir: &Path, err: &str, lock: &Path) -> Check {
    let hint = err
        .lines()
        .find_map(|l| l.strip_prefix("hint: if none is, the lock is stale: "))
        .ok_or_else(|| format!("no rm hint for {}: {err}", lock.display()))?;
    let ok = Command::new("sh")
        .arg("-c")
        .arg(hint)
        .current_dir(dir)
        .status()
        .unwrap();
    if !ok.success() || lock.exists() {
        return Err(format!("the hint did not remove the lock: {hint}"));
    }
    Ok(())
}

/// Nothing of ours is left; git's locks were handled before. Temporary
/// files of ours in a git dir are counted (once a trial: `count`).
fn no_leftovers(common: &Path, tally: &mut Tally, count: bool) -> Check {
    let found = leftovers_in(common);
    if let Some(p) = found.ours.first().or(found.git_locks.first()) {
        return Err(format!("{} left behind", p.display()));
    }
    if !count {
        return Ok(());
    }
    tally.temps_left += found.temps.len();
    for t in &found.temps {
        let name = t.strip_prefix(common).unwrap_or(t).display().to_string();
        let name = match name.find(".devops-pm-") {
            Some(i) => format!("{}.devops-pm-*.tmp", &name[..i]),
            None => name,
        };
        let note = format!("left: {name}");
        if !tally.notes.contains(&note) {
            tally.notes.push(note);
        }
    }
    Ok(())
}

/// Everything a trial must leave true after a fault in `cmd_index`'s
/// command; the identities of the work trees not holding the records, as
/// they were before. Returns whether the change is in.
fn after_fault(
    repo: &Repo,
    t: &Template,
    cmd_index: usize,
    before_tip: &str,
    before: &[Ident],
    tally: &mut Tally,
) -> Check<bool> {
    let main = repo.main_dir();
    // Right after the fault, before any run of ours: the branch at its old
    // tip or at the whole change; nothing else of the user's touched.
    let tip = repo.tip()?;
    let applied = if tip == before_tip {
        false
    } else {
        let got = canonical(&repo.env, &main, before_tip, &tip)?;
        if got != t.refs[cmd_index] {
            return Err(format!(
                "the branch is at {tip}, neither the old tip nor the whole change:\n{got}\n-- an undisturbed run commits:\n{}",
                t.refs[cmd_index]
            ));
        }
        true
    };
    repo.env.fsck(&main)?;
    repo.same_idents(before)?;
    repo.env.records_parse(&main, &tip)?;
    // One more command settles what was left.
    next_command(repo, tally)?;
    let now = repo.tip()?;
    if now != tip {
        return Err(format!(
            "the next command moved the branch from {tip} to {now}"
        ));
    }
    no_leftovers(&repo.common(), tally, true)?;
    repo.settled(&tip)?;
    repo.same_idents(before)?;
    // The repository takes the next write, whole.
    let out = repo.pm(&["update", &repo.ids[0], "--summary", "after the fault"]);
    if !out.status.success() {
        return Err(format!(
            "the write after the fault failed: {}",
            stderr_of(&out)
        ));
    }
    let later = repo.tip()?;
    if later == tip {
        return Err("the write after the fault committed nothing".into());
    }
    no_leftovers(&repo.common(), tally, false)?;
    repo.settled(&later)?;
    repo.same_idents(before)?;
    repo.env.fsck(&main)?;
    repo.users_commit()?;
    Ok(applied)
}

// ---------------------------------------------------------------------------
// Modes.

fn kill_trials(templates: &[Template], rng: &mut Rng, group: bool, n: usize) -> Vec<Tally> {
    let mut tallies: Vec<Tally> = templates.iter().map(|_| Tally::default()).collect();
    for i in 0..n {
        let t = &templates[i % templates.len()];
        let tally = &mut tallies[i % templates.len()];
        let cmd_index = (i / templates.len()) % COMMANDS;
        let when = pick_when(rng, &t.points, t.span);
        let repo = instance(t);
        let before_tip = repo.tip().unwrap();
        let before = repo.idents().unwrap();
        let args = command(cmd_index, &repo.ids);
        tally.trials += 1;
        let landed = killed_run(repo.pm_cmd(&args), group, when);
        if std::env::var_os("FAULTS_DEBUG").is_some() {
            println!(
                "  trial {i} {}: kill {when}: landed {landed}",
                t.layout.name()
            );
        }
        if landed {
            tally.kills_landed += 1;
        }
        match after_fault(&repo, t, cmd_index, &before_tip, &before, tally) {
            Ok(true) => tally.applied += 1,
            Ok(false) => tally.not_applied += 1,
            Err(e) => tally.problems.push(format!(
                "trial {i} ({}, kill {when}) {args:?}: {e}",
                t.layout.name()
            )),
        }
    }
    tallies
}

/// Each class of system calls, and the calls in it.
const SYSCALLS: [(&str, &[&str]); 5] = [
    ("write", &["write", "pwrite64", "writev"]),
    ("rename", &["rename", "renameat", "renameat2"]),
    ("fsync", &["fsync", "fdatasync"]),
    ("openat", &["openat"]),
    ("link", &["link", "linkat"]),
];

/// For each class of `SYSCALLS`, the most calls of one system call any
/// single process makes in an undisturbed run of the command.
fn syscall_counts(t: &Template, cmd_index: usize) -> Vec<usize> {
    let repo = instance(t);
    let trace = repo.root.join("trace");
    let all: Vec<&str> = SYSCALLS
        .iter()
        .flat_map(|(_, c)| c.iter().copied())
        .collect();
    let out = repo
        .env
        .cmd("strace", &repo.main_dir())
        .args(["-f", "-qq", "-o"])
        .arg(&trace)
        .arg(format!("-etrace={}", all.join(",")))
        .arg(&repo.env.bin)
        .arg("postmortem")
        .args(command(cmd_index, &repo.ids))
        .output()
        .expect("strace runs");
    assert!(out.status.success(), "{}", stderr_of(&out));
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    for line in std::fs::read_to_string(&trace).unwrap().lines() {
        let Some((pid, rest)) = line.split_once(' ') else {
            continue;
        };
        let rest = rest.trim_start();
        let Some(name) = rest.split_once('(').map(|(n, _)| n) else {
            continue;
        };
        if rest.starts_with('<') || rest.starts_with('-') || rest.starts_with('+') {
            continue;
        }
        *counts
            .entry((pid.to_string(), name.to_string()))
            .or_default() += 1;
    }
    SYSCALLS
        .iter()
        .map(|(_, calls)| {
            counts
                .iter()
                .filter(|((_, n), _)| calls.contains(&n.as_str()))
                .map(|(_, c)| *c)
                .max()
                .unwrap_or(0)
        })
        .collect()
}

/// Runs `jobs` on the machine's cores, results in order.
fn parallel<J: Sync, R: Send>(jobs: &[J], f: impl Fn(&J) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(jobs.len().max(1));
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..jobs.len()).map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    if i >= jobs.len() {
                        break;
                    }
                    let r = f(&jobs[i]);
                    results.lock().unwrap()[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|r| r.unwrap())
        .collect()
}

struct StraceJob {
    layout: usize,
    class: usize,
    errno: &'static str,
    when: usize,
    cmd_index: usize,
}

fn strace_trials(o: &Opts, templates: &[Template]) -> Vec<Tally> {
    let probes: Vec<(usize, usize)> = (0..templates.len())
        .flat_map(|l| (0..COMMANDS).map(move |c| (l, c)))
        .collect();
    let counts = parallel(&probes, |(l, c)| syscall_counts(&templates[*l], *c));
    let count = |l: usize, c: usize| &counts[l * COMMANDS + c];
    let mut jobs = Vec::new();
    for layout in 0..templates.len() {
        for (class, _) in SYSCALLS.iter().enumerate() {
            for errno in ["ENOSPC", "EIO"] {
                for when in 1..=o.strace_calls {
                    let cmd_index = (class + when) % COMMANDS;
                    if count(layout, cmd_index)[class] >= when {
                        jobs.push(StraceJob {
                            layout,
                            class,
                            errno,
                            when,
                            cmd_index,
                        });
                    }
                }
            }
        }
    }
    let results = parallel(&jobs, |j| strace_trial(&templates[j.layout], j));
    let mut tallies: Vec<Tally> = templates.iter().map(|_| Tally::default()).collect();
    for (j, r) in jobs.iter().zip(results) {
        tallies[j.layout].add(r);
    }
    tallies
}

fn strace_trial(t: &Template, j: &StraceJob) -> Tally {
    let mut tally = Tally {
        trials: 1,
        ..Tally::default()
    };
    let (class, calls) = SYSCALLS[j.class];
    let repo = instance(t);
    let before_tip = repo.tip().unwrap();
    let before = repo.idents().unwrap();
    let args = command(j.cmd_index, &repo.ids);
    let out = repo
        .env
        .cmd("strace", &repo.main_dir())
        .args(["-f", "-qq", "-o", "/dev/null"])
        .arg(format!(
            "-einject={}:error={}:when={}",
            calls.join(","),
            j.errno,
            j.when
        ))
        .arg(&repo.env.bin)
        .arg("postmortem")
        .args(&args)
        .output()
        .expect("strace runs");
    let err = stderr_of(&out);
    let what = format!(
        "{class}={} at call {} ({}) {args:?}",
        j.errno,
        j.when,
        t.layout.name()
    );
    if err.contains("panicked") {
        tally.problems.push(format!("{what}: panic: {err}"));
        return tally;
    }
    if !out.status.success() {
        tally.failed += 1;
    }
    match after_fault(&repo, t, j.cmd_index, &before_tip, &before, &mut tally) {
        Ok(true) if out.status.success() => tally.applied += 1,
        Ok(true) if err.contains("nothing was written") => tally.problems.push(format!(
            "{what}: it said nothing was written, and the change is in: {err}"
        )),
        Ok(true) => {
            tally.applied += 1;
            tally
                .failed_but_applied
                .push(format!("{what}: {}", err.trim()));
        }
        Ok(false) if out.status.success() => tally.problems.push(format!(
            "{what}: it succeeded, and the change is not in: {err}"
        )),
        Ok(false) => {
            tally.not_applied += 1;
            tally.messages.push(err.trim().to_string());
        }
        Err(e) => tally
            .problems
            .push(format!("{what}: {e}\n  its stderr: {err}")),
    }
    let said = err.trim();
    if !out.status.success()
        && !said.is_empty()
        && !said.contains("nothing was written")
        && !said.contains("committed")
    {
        tally.unclear += 1;
    }
    tally
}

/// Lets the main thread stop the user's loop between two of its git
/// commands, to look.
#[derive(Default)]
struct Gate {
    /// (a pause is wanted, the user is running git)
    state: Mutex<(bool, bool)>,
    cv: Condvar,
}

impl Gate {
    fn pause(&self) {
        let mut s = self.state.lock().unwrap();
        s.0 = true;
        while s.1 {
            s = self.cv.wait(s).unwrap();
        }
    }

    fn resume(&self) {
        self.state.lock().unwrap().0 = false;
        self.cv.notify_all();
    }

    /// Waits while paused; false once stopped.
    fn enter(&self, stop: &AtomicBool) -> bool {
        let mut s = self.state.lock().unwrap();
        while s.0 && !stop.load(Ordering::SeqCst) {
            s = self.cv.wait(s).unwrap();
        }
        if stop.load(Ordering::SeqCst) {
            return false;
        }
        s.1 = true;
        true
    }

    fn leave(&self) {
        self.state.lock().unwrap().1 = false;
        self.cv.notify_all();
    }
}

/// The user's recent git commands: when each started and ended, and how.
#[derive(Default)]
struct Recent {
    list: Mutex<std::collections::VecDeque<(Instant, Instant, String)>>,
}

fn ms_from(t: Instant, origin: Instant) -> f64 {
    if t >= origin {
        (t - origin).as_secs_f64() * 1000.0
    } else {
        -((origin - t).as_secs_f64() * 1000.0)
    }
}

impl Recent {
    fn push(&self, start: Instant, what: String) {
        let mut l = self.list.lock().unwrap();
        l.push_back((start, Instant::now(), what));
        if l.len() > 64 {
            l.pop_front();
        }
    }

    /// The first of `commands` (prefixes of what was run) that ran at some
    /// instant of `from..to`.
    fn overlapping(&self, from: Instant, to: Instant, commands: &[String]) -> Option<String> {
        self.list
            .lock()
            .unwrap()
            .iter()
            .find(|(start, end, what)| {
                *start <= to
                    && *end >= from
                    && commands.iter().any(|c| what.starts_with(c.as_str()))
            })
            .map(|(_, _, what)| what.clone())
    }

    /// The subjects of the user's commits that ended after `origin`.
    fn commits_since(&self, origin: Instant) -> Vec<String> {
        self.list
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, end, what)| *end >= origin && what.ends_with("→ ok"))
            .filter_map(|(_, _, what)| what.strip_prefix("git commit -qam "))
            .filter_map(|w| w.split_whitespace().next().map(String::from))
            .collect()
    }

    /// Those that ended after `origin`, timed from it.
    fn since(&self, origin: Instant) -> String {
        self.list
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, end, _)| *end >= origin)
            .map(|(start, end, what)| {
                format!(
                    "\n    the user's git at {:+.1}..{:+.1} ms: {what}",
                    ms_from(*start, origin),
                    ms_from(*end, origin)
                )
            })
            .collect()
    }
}

/// What the main thread and the user's loop share.
#[derive(Default)]
struct Shared {
    gate: Gate,
    stop: AtomicBool,
    recent: Recent,
}

/// What the user's loop did.
#[derive(Default)]
struct UserLog {
    /// Commit subjects, and whether each was made on the records branch.
    commits: Vec<(String, bool)>,
    actions: usize,
    problems: Vec<String>,
    /// Races git has between its own commands (see `git_race`).
    races: Vec<String>,
}

/// The user's own git, as fast as it goes, in the work tree holding the
/// records branch: `reset --hard`, `stash` and `stash pop`, `checkout
/// other` and back, `checkout -- .`, edits and `commit -a` of their file.
fn user_loop(env: Env, dir: PathBuf, branch: &str, seed: u64, shared: &Shared) -> UserLog {
    let mut rng = Rng(seed | 1);
    let mut log = UserLog::default();
    let mut on_other = false;
    let mut other_exists = false;
    let run = |args: &[&str]| -> Output {
        let start = Instant::now();
        let out = env.git(&dir, args);
        let how = if out.status.success() {
            "ok".to_string()
        } else {
            stderr_of(&out)
                .lines()
                .next()
                .unwrap_or("failed")
                .to_string()
        };
        shared
            .recent
            .push(start, format!("git {} → {how}", args.join(" ")));
        out
    };
    let edit = |text: String| {
        let start = Instant::now();
        std::fs::write(dir.join("user.txt"), &text).unwrap();
        shared
            .recent
            .push(start, format!("edit user.txt: {}", text.trim()));
    };
    // FAULTS_USER_ACTIONS=0,1,2,4,5,6 (a debugging aid): only these.
    let allowed: Vec<u64> = std::env::var("FAULTS_USER_ACTIONS")
        .map(|v| v.split(',').filter_map(|a| a.trim().parse().ok()).collect())
        .unwrap_or_else(|_| (0..7).collect());
    while shared.gate.enter(&shared.stop) {
        log.actions += 1;
        let k = log.actions;
        let action = loop {
            let a = rng.below(7);
            if allowed.contains(&a) {
                break a;
            }
        };
        match action {
            0 => edit(format!("edit {k}\n")),
            1 => {
                run(&["reset", "-q", "--hard"]);
            }
            2 => {
                let count = || env.git(&dir, &["stash", "list"]).stdout.len();
                let before = count();
                run(&["stash", "-q"]);
                if count() > before {
                    let took = env.git(&dir, &["stash", "show", "--name-only", "stash@{0}"]);
                    let took = String::from_utf8_lossy(&took.stdout);
                    if took.contains("postmortems/") {
                        // git stash reads HEAD, then the index: a write
                        // landing in between is in the stash as a change
                        // of the user's, already on the branch, which the
                        // pop below leaves as it is (the checks after the
                        // write see to that).
                        log.races.push(format!(
                            "the user's `git stash` read HEAD before a write moved it and took its change:\n{took}{}",
                            shared
                                .recent
                                .since(Instant::now() - Duration::from_millis(200))
                        ));
                    }
                    run(&["stash", "pop", "-q"]);
                }
            }
            3 => {
                let ok = if on_other {
                    run(&["checkout", "-q", branch]).status.success()
                } else if other_exists {
                    run(&["checkout", "-q", "other"]).status.success()
                } else {
                    let ok = run(&["checkout", "-q", "-b", "other"]).status.success();
                    other_exists = ok;
                    ok
                };
                if ok {
                    on_other = !on_other;
                }
            }
            4 => {
                run(&["checkout", "-q", "--", "."]);
            }
            _ => {
                edit(format!("commit {k}\n"));
                let subject = format!("user-{k}");
                if run(&["commit", "-qam", &subject]).status.success() {
                    log.commits.push((subject, !on_other));
                }
            }
        }
        shared.gate.leave();
    }
    log
}

/// A write beside the user's git: its arguments, its marker (unique), and
/// whether later writes keep the marker (appended) or replace it.
fn race_command(i: usize, ids: &[String]) -> (Vec<String>, String, bool) {
    let m = format!("race-{i}-end");
    let (args, kept): (Vec<String>, bool) = match i % 5 {
        0 => (
            vec![
                "timeline".into(),
                "add".into(),
                ids[0].clone(),
                "--at".into(),
                format!("09:{:02}", i % 60),
                m.clone(),
            ],
            true,
        ),
        1 => (
            vec!["action".into(), "add".into(), ids[1].clone(), m.clone()],
            true,
        ),
        2 => (
            vec![
                "update".into(),
                ids[0].clone(),
                "--summary".into(),
                m.clone(),
            ],
            false,
        ),
        3 => (vec!["new".into(), "--title".into(), m.clone()], true),
        _ => (vec!["assign".into(), ids[2].clone(), m.clone()], false),
    };
    (args, m, kept)
}

/// What a write's outcome promises about its change.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Promise {
    /// It said it was done: in once.
    Once,
    /// It said nothing was written: absent.
    Absent,
    /// It said neither: at most once.
    Unknown,
}

/// `trace:` lines of a run, in one line: the path it took.
fn path_taken(stderr: &str) -> String {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("trace:"))
        .map(|l| {
            let mut w = l.split_whitespace();
            let ms = w.next().unwrap_or_default();
            let _unit = w.next();
            format!("{ms} {}", w.collect::<Vec<_>>().join(" "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Whether a problem after a write is the outcome of a race git has
/// between two of its own commands, with the user's command that made it:
/// `checkout BRANCH`, `reset --hard`, `stash` and `stash pop` read HEAD
/// before they take `index.lock`, so a branch that moves in between (by
/// the tool, or by git's own `update-ref`, `fetch`, `branch -f`) leaves
/// the earlier tip's files under the moved HEAD. Only the problems such a
/// race makes (the index or work tree behind the branch, the change then
/// reverted by the user's next command) are counted so, and only when
/// one of those commands ran while the write did; README says so.
fn git_race(
    recent: &Recent,
    from: Instant,
    to: Instant,
    branch: &str,
    problem: &str,
) -> Option<String> {
    const RACY: [&str; 4] = [
        "times on the branch, and the write said it was done",
        "left in the work tree",
        "the index and the branch differ",
        "the work tree was left behind",
    ];
    if !RACY.iter().any(|k| problem.contains(k)) {
        return None;
    }
    let commands = [
        format!("git checkout -q {branch} "),
        "git reset -q --hard".to_string(),
        "git stash".to_string(),
    ];
    recent.overlapping(from, to, &commands).map(|c| {
        format!(
            "crossed by the user's {}",
            c.split(" →").next().unwrap_or(&c)
        )
    })
}

/// Whether `commit` changed `file` from one version on the records
/// `branch` to a later one: a write's change that the user's checkout,
/// racing it, carried along as a local change (git reads HEAD before it
/// locks the index) and their `commit -a` then took. Nothing of theirs
/// or ours is lost or reverted by it.
fn carried_forward(env: &Env, dir: &Path, commit: &str, file: &str, branch: &str) -> bool {
    let blob = |rev: String| env.look(dir, &["rev-parse", "-q", "--verify", &rev]).ok();
    let Some(new) = blob(format!("{commit}:{file}")) else {
        return false;
    };
    let old = blob(format!("{commit}^:{file}"));
    let Ok(history) = env.look(dir, &["rev-list", branch, "--", file]) else {
        return false;
    };
    // Newest first: the position of each version on the branch.
    let versions: Vec<String> = history
        .lines()
        .filter_map(|c| blob(format!("{c}:{file}")))
        .collect();
    let at = |b: &String| versions.iter().position(|v| v == b);
    match (at(&new), old.as_ref().map(at)) {
        (Some(_), None) => true,
        (Some(n), Some(Some(o))) => n < o,
        _ => false,
    }
}

fn beside_git(t: &Template, n: usize, seed: u64) -> Tally {
    let mut tally = Tally::default();
    let repo = instance(t);
    let main = repo.main_dir();
    let branch = t.layout.branch();
    let wt = repo
        .wts
        .iter()
        .find(|w| w.records)
        .expect("records checked out");
    let dir = repo.root.join(wt.dir);
    let before = repo.idents().unwrap();
    // The user starts clean here, with a file of their own.
    repo.env.run(&dir, &["reset", "-q", "--hard"]);
    repo.env.run(&dir, &["clean", "-fdq"]);
    std::fs::write(dir.join("user.txt"), "start\n").unwrap();
    repo.env.run(&dir, &["add", "user.txt"]);
    repo.env.run(&dir, &["commit", "-qm", "user-start"]);
    let start = repo.tip().unwrap();
    let shared = Arc::new(Shared::default());
    let user = {
        let (env, dir, shared) = (repo.env.clone(), dir.clone(), shared.clone());
        std::thread::spawn(move || user_loop(env, dir, branch, seed, &shared))
    };
    let mut landed = 0;
    // The user's commits made while a git race left their work tree
    // behind (see `git_race`): they may hold an earlier record.
    let mut excused: Vec<String> = Vec::new();
    // Appended changes: (write, marker, times in when checked).
    let mut kept: Vec<(usize, String, usize)> = Vec::new();
    for i in 0..n {
        let (args, marker, appended) = race_command(i, &repo.ids);
        let began = Instant::now();
        let out = repo
            .env
            .pm_cmd(&main, &args)
            .env("DEVOPS_PM_TRACE", "1")
            .output()
            .unwrap();
        let ended = Instant::now();
        let err = stderr_of(&out);
        let said = err
            .lines()
            .filter(|l| !l.starts_with("trace:"))
            .collect::<Vec<_>>()
            .join("\n  ");
        tally.trials += 1;
        shared.gate.pause();
        let promise = if said.contains("panicked") {
            tally.problems.push(format!("write {i}: panic: {said}"));
            Promise::Unknown
        } else if out.status.success() {
            tally.applied += 1;
            Promise::Once
        } else if said.contains(" is committed, but ") {
            // In, and says so; the work tree is left behind until the
            // person runs the printed hint (checked below).
            tally.failed += 1;
            tally.applied += 1;
            Promise::Once
        } else if said.contains("nothing was written") {
            tally.failed += 1;
            tally.not_applied += 1;
            tally.messages.push(said.clone());
            Promise::Absent
        } else {
            tally.failed += 1;
            Promise::Unknown
        };
        let checked = (|| -> Check<usize> {
            let tip = repo.tip()?;
            let found = repo.env.count_at(&main, &tip, &marker)?;
            let broken = match promise {
                Promise::Once => found != 1,
                Promise::Absent => found != 0,
                Promise::Unknown => found > 1,
            };
            if broken {
                return Err(format!(
                    "the change is in {found} times on the branch, and the write said {}",
                    match promise {
                        Promise::Once => "it was done",
                        Promise::Absent => "nothing was written",
                        Promise::Unknown => "neither",
                    }
                ));
            }
            if promise == Promise::Unknown {
                return Err(format!(
                    "the write failed without saying whether its change is in (it is in {found} times)"
                ));
            }
            let behind = said
                .lines()
                .find_map(|l| {
                    l.trim()
                        .strip_prefix("hint: bring its index and files to the branch: ")
                })
                .filter(|_| said.contains(" is committed, but "));
            if let Some(hint) = behind {
                let ok = Command::new("sh")
                    .arg("-c")
                    .arg(hint)
                    .current_dir(&main)
                    .env("HOME", &repo.env.home)
                    .env("GIT_CONFIG_NOSYSTEM", "1")
                    .output()
                    .expect("sh runs");
                let left = repo.env.records_status(&dir)?;
                return Err(format!(
                    "committed, but the work tree was left behind until the printed hint ran ({}; after it: {})",
                    if ok.status.success() {
                        "it worked"
                    } else {
                        "it failed"
                    },
                    if left.is_empty() {
                        "clean".to_string()
                    } else {
                        left.trim_end().to_string()
                    }
                ));
            }
            // Wherever the user is, nothing of ours is staged, modified or
            // untracked there.
            let head = repo.env.look(&dir, &["symbolic-ref", "-q", "HEAD"])?;
            let left = repo.env.records_status(&dir)?;
            if !left.is_empty() {
                return Err(format!(
                    "left in the work tree (HEAD {}): {}",
                    head.trim(),
                    left.trim_end()
                ));
            }
            if head.trim() == format!("refs/heads/{branch}") {
                agrees(&repo.env, &dir, &tip, &[], &[])?;
            }
            no_leftovers(&repo.common(), &mut tally, true)?;
            Ok(found)
        })();
        // A commit of the user's made while one of git's racy commands
        // crossed this write may hold the earlier tip's records (see
        // `git_race`); the end check excuses exactly those.
        if git_race(
            &shared.recent,
            began,
            ended,
            branch,
            "left in the work tree",
        )
        .is_some()
        {
            excused.extend(shared.recent.commits_since(began));
        }
        match checked {
            Ok(found) => {
                landed += found.min(1);
                if appended {
                    kept.push((i, marker, found));
                }
            }
            Err(e) => {
                if let Ok(tip) = repo.tip()
                    && repo.env.count_at(&main, &tip, &marker).unwrap_or(0) > 0
                {
                    landed += 1;
                }
                let report = format!(
                    "write {i} {args:?}: {e}\n  it said: {said}\n  its path (ms): {}{}",
                    path_taken(&err),
                    shared.recent.since(began)
                );
                match git_race(&shared.recent, began, ended, branch, &e) {
                    Some(race) => {
                        tally.git_races.push(format!("{race}: {report}"));
                    }
                    None => tally.problems.push(report),
                }
                // As the user would: back to the branch's state, so that
                // the next writes are judged on their own.
                let _ = repo.env.git(&dir, &["reset", "-q", "--hard"]);
                let _ = repo.env.git(&dir, &["clean", "-fdq", "--", "postmortems"]);
                let _ = repo.env.git(&dir, &["stash", "clear"]);
            }
        }
        shared.gate.resume();
    }
    shared.stop.store(true, Ordering::SeqCst);
    shared.gate.resume();
    let log = user.join().unwrap();
    tally.problems.extend(log.problems);
    tally.git_races.extend(log.races);
    let end = (|| -> Check {
        let tip = repo.tip()?;
        // Appended changes: still in as often as when checked.
        let texts: String = repo
            .env
            .records_at(&main, &tip)?
            .into_iter()
            .map(|(_, t)| t)
            .collect();
        let lost: Vec<String> = kept
            .iter()
            .filter_map(|(i, marker, then)| {
                let now = texts.matches(marker.as_str()).count();
                (now != *then).then(|| format!("write {i}: {then} → {now}"))
            })
            .collect();
        if !lost.is_empty() {
            return Err(format!(
                "changes that were in (or not) after their write are not so at the end: {lost:?}"
            ));
        }
        let subjects = |range: &str| -> Check<Vec<String>> {
            Ok(repo
                .env
                .look(&main, &["log", "--format=%s", range])?
                .lines()
                .map(String::from)
                .collect())
        };
        let ours = subjects(&format!("{start}..{tip}"))?
            .iter()
            .filter(|s| s.starts_with("postmortem: "))
            .count();
        if ours != landed {
            let e = format!("{landed} writes landed but {ours} commits of ours are on the branch");
            if !tally.problems.is_empty() || !tally.git_races.is_empty() {
                // Follows from a problem or race above (a change reverted).
                tally.notes.push(e);
            } else {
                return Err(e);
            }
        }
        let on_branch = subjects(&tip)?;
        let on_other = if repo
            .env
            .look(&main, &["rev-parse", "--verify", "-q", "refs/heads/other"])
            .is_ok()
        {
            subjects("other")?
        } else {
            Vec::new()
        };
        for (subject, on_records) in &log.commits {
            let list = if *on_records { &on_branch } else { &on_other };
            let n = list.iter().filter(|s| *s == subject).count();
            if n != 1 {
                return Err(format!(
                    "the user's commit {subject} is {n} times on {}",
                    if *on_records { branch } else { "other" }
                ));
            }
        }
        // The user's commits on a branch took their file only (one left
        // only in a stash's history never landed).
        let log_files = repo
            .env
            .look(&main, &["log", "--branches", "--format=@%s", "--name-only"])?;
        let mut subject = "";
        for line in log_files.lines() {
            if let Some(s) = line.strip_prefix('@') {
                subject = s;
            } else if subject.starts_with("user-") && !line.is_empty() && line != "user.txt" {
                if excused.iter().any(|x| x == subject) {
                    tally.git_races.push(format!(
                        "made while git's racy command crossed a write: {subject} took {line}"
                    ));
                    continue;
                }
                let commit = repo.env.look(
                    &main,
                    &[
                        "log",
                        "--branches",
                        "-1",
                        "--format=%H",
                        &format!("--grep=^{subject}$"),
                    ],
                )?;
                let on_records = repo
                    .env
                    .look(
                        &main,
                        &["merge-base", "--is-ancestor", commit.trim(), branch],
                    )
                    .is_ok();
                if !on_records {
                    // On `other`: records there are whatever the user's
                    // checkouts carried over; the records branch is untouched.
                    tally.git_races.push(format!(
                        "the user's checkout carried records to another branch: {subject} took {line} there"
                    ));
                    continue;
                }
                if carried_forward(&repo.env, &main, commit.trim(), line, branch) {
                    tally.git_races.push(format!(
                        "the user's checkout carried a write's change along as theirs: {subject} took {line} forward"
                    ));
                    continue;
                }
                let shown = repo
                    .env
                    .look(
                        &main,
                        &[
                            "log",
                            "--branches",
                            "-1",
                            "-p",
                            "--format=%h %s (parents %p; branches %D)",
                            &format!("--grep=^{subject}$"),
                            "--",
                            line,
                        ],
                    )
                    .unwrap_or_default();
                let shown: String = shown
                    .lines()
                    .take(14)
                    .map(|l| format!("\n    {l}"))
                    .collect();
                return Err(format!("the user's {subject} took {line}:{shown}"));
            }
        }
        let stashes = repo.env.look(&dir, &["stash", "list", "--name-only"])?;
        if stashes.contains("postmortems/") {
            let e = format!("a stash holds records:\n{stashes}");
            if tally.git_races.is_empty() {
                return Err(e);
            }
            tally.notes.push(e);
        }
        repo.env.fsck(&main)?;
        repo.same_idents(&before)?;
        tally.notes.push(format!(
            "the user's git ran {} commands meanwhile; {} of their commits landed",
            log.actions,
            log.commits.len()
        ));
        Ok(())
    })();
    if let Err(e) = end {
        tally.problems.push(e);
    }
    tally
}

// ---------------------------------------------------------------------------
// sync: two clones of a bare remote, both with changes to the same records.

struct SyncTemplate {
    _dir: tempfile::TempDir,
    root: PathBuf,
    bin: PathBuf,
    /// Bob's records branch is checked out in `bobpm`.
    linked: bool,
    r1: String,
    /// Bob's records branch and the remote's before Bob's sync.
    bob_before: String,
    remote_before: String,
    /// Bob's branch after an undisturbed sync.
    merged: String,
    /// The records tree once both synced.
    final_tree: String,
    span: Duration,
    points: Vec<(&'static str, Duration)>,
}

/// A copy of a sync template.
struct SyncRepo {
    _dir: tempfile::TempDir,
    root: PathBuf,
    env: Env,
    linked: bool,
}

impl SyncRepo {
    fn dir(&self, who: &str) -> PathBuf {
        self.root.join(who)
    }

    fn remote_tip(&self) -> Check<String> {
        self.env.tip(&self.dir("remote.git"), "postmortems")
    }

    fn bob_tip(&self) -> Check<String> {
        self.env.tip(&self.dir("bob"), "postmortems")
    }

    /// Bob's main work tree (code, work in progress).
    fn bob_ident(&self) -> Check<Ident> {
        Ident::take(&self.env, &self.dir("bob"), &self.dir("bob/.git"))
    }
}

fn sync_template(bin: &Path, linked: bool) -> SyncTemplate {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let env = Env {
        home: root.join("home"),
        bin: bin.to_path_buf(),
    };
    std::fs::create_dir_all(&env.home).unwrap();
    let seed = root.join("seed");
    std::fs::create_dir_all(&seed).unwrap();
    env.run(&root, &["init", "-q", "--bare", "-b", "main", "remote.git"]);
    env.run(&seed, &["init", "-q", "-b", "main"]);
    env.run(&seed, &["config", "user.name", "Seed"]);
    env.run(&seed, &["config", "user.email", "seed@example.com"]);
    write_file(&seed.join("main.rs"), b"fn main() {}\n");
    write_file(&seed.join("README.md"), b"# notes\n");
    env.run(&seed, &["add", "."]);
    env.run(&seed, &["commit", "-qm", "code"]);
    env.run(&seed, &["push", "-q", "../remote.git", "main"]);
    let alice = root.join("alice");
    let bob = root.join("bob");
    for (who, name, email) in [
        ("alice", "Alice Kim", "alice@example.com"),
        ("bob", "Bob Lee", "bob@example.com"),
    ] {
        env.run(&root, &["clone", "-q", "remote.git", who]);
        env.run(&root.join(who), &["config", "user.name", name]);
        env.run(&root.join(who), &["config", "user.email", email]);
    }
    let r1 = env.pm_ok(
        &alice,
        &["new", "--title", "Checkout down", "--severity", "SEV2"],
    );
    let r2 = env.pm_ok(
        &alice,
        &["new", "--title", "Search slow", "--severity", "SEV3"],
    );
    env.pm_ok(&alice, &["sync"]);
    env.pm_ok(&bob, &["sync"]);
    if linked {
        env.run(&bob, &["worktree", "add", "-q", "../bobpm", "postmortems"]);
        write_file(&root.join("bobpm/scratch.txt"), UNTRACKED);
    }
    env.pm_ok(&alice, &["update", &r1, "--severity", "SEV1"]);
    env.pm_ok(
        &alice,
        &["timeline", "add", &r2, "--at", "09:10", "alice-entry"],
    );
    env.pm_ok(&alice, &["sync"]);
    env.pm_ok(&bob, &["update", &r1, "--summary", "bob-summary"]);
    env.pm_ok(
        &bob,
        &["timeline", "add", &r2, "--at", "09:20", "bob-entry"],
    );
    env.pm_ok(&bob, &["action", "add", &r1, "bob-action"]);
    env.pm_ok(&bob, &["new", "--title", "bob-own"]);
    // Bob's work in progress on the code.
    write_file(&bob.join("main.rs"), STAGED);
    env.run(&bob, &["add", "main.rs"]);
    write_file(&bob.join("README.md"), UNSTAGED);
    write_file(&bob.join("scratch.txt"), UNTRACKED);
    let _ = env.git(&bob, &["update-index", "-q", "--refresh"]);
    let mut t = SyncTemplate {
        _dir: dir,
        root,
        bin: bin.to_path_buf(),
        linked,
        r1,
        bob_before: String::new(),
        remote_before: String::new(),
        merged: String::new(),
        final_tree: String::new(),
        span: Duration::ZERO,
        points: Vec::new(),
    };
    let r = sync_instance(&t);
    t.bob_before = r.bob_tip().unwrap();
    t.remote_before = r.remote_tip().unwrap();
    let start = Instant::now();
    env.pm_ok(&r.dir("bob"), &["sync"]);
    t.span = start.elapsed();
    t.merged = r.bob_tip().unwrap();
    assert_eq!(r.remote_tip().unwrap(), t.merged);
    r.env.pm_ok(&r.dir("alice"), &["sync"]);
    t.final_tree = r
        .env
        .look(&r.dir("alice"), &["rev-parse", "postmortems^{tree}"])
        .unwrap()
        .trim()
        .to_string();
    sync_settled(&r, &t).expect("an undisturbed sync");
    let all = [
        "merged",
        "staged",
        "journaled",
        "locked",
        "written",
        "moved",
    ];
    t.points = time_after_points(&all, || {
        let r = sync_instance(&t);
        let c = r.env.pm_cmd(&r.dir("bob"), &["sync"]);
        (r, c)
    });
    println!(
        "  sync ({}): takes {:.1?}; after each point {:.1?}",
        if linked {
            "linked work tree"
        } else {
            "ref-only"
        },
        t.span,
        t.points
    );
    t
}

fn sync_instance(t: &SyncTemplate) -> SyncRepo {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    copy_tree(&t.root, &root);
    let env = Env {
        home: root.join("home"),
        bin: t.bin.clone(),
    };
    let remote = root.join("remote.git");
    for who in ["alice", "bob"] {
        env.run(
            &root.join(who),
            &["config", "remote.origin.url", remote.to_str().unwrap()],
        );
    }
    if t.linked {
        relink(&root, "bob", "bobpm");
    }
    for wt in ["alice", "bob", "bobpm"]
        .iter()
        .take(if t.linked { 3 } else { 2 })
    {
        let _ = env.git(&root.join(wt), &["update-index", "-q", "--refresh"]);
    }
    SyncRepo {
        _dir: dir,
        root,
        env,
        linked: t.linked,
    }
}

/// Once both synced: the clones and the remote agree on the records, which
/// hold each change once, and the code is untouched.
fn sync_settled(r: &SyncRepo, t: &SyncTemplate) -> Check {
    let alice = r.dir("alice");
    let remote = r.remote_tip()?;
    let (a, b) = (r.env.tip(&alice, "postmortems")?, r.bob_tip()?);
    if a != remote || b != remote {
        return Err(format!(
            "they disagree: alice {a}, bob {b}, remote {remote}"
        ));
    }
    let tree = r.env.look(&alice, &["rev-parse", "postmortems^{tree}"])?;
    if tree.trim() != t.final_tree {
        let texts: Vec<(String, String)> = r.env.records_at(&alice, &a)?;
        return Err(format!(
            "the records differ from an undisturbed sync's: {texts:?}"
        ));
    }
    for marker in [
        "alice-entry",
        "bob-entry",
        "bob-action",
        "bob-own",
        "bob-summary",
    ] {
        let n = r.env.count_at(&alice, &a, marker)?;
        if n != 1 {
            return Err(format!("{marker} is in {n} times"));
        }
    }
    let r1 = r
        .env
        .records_at(&alice, &a)?
        .into_iter()
        .find(|(p, _)| p.contains(&t.r1))
        .ok_or("R1 is gone")?
        .1;
    if !r1.contains("severity = \"SEV1\"") {
        return Err(format!("Alice's severity is lost:\n{r1}"));
    }
    r.env.fsck(&alice)?;
    r.env.fsck(&r.dir("bob"))?;
    r.env.fsck(&r.dir("remote.git"))?;
    if r.linked {
        let pm = r.dir("bobpm");
        agrees(&r.env, &pm, &b, &[], &[("scratch.txt".into(), Vec::new())])?;
        let status = r
            .env
            .look(&pm, &["status", "--porcelain", "--untracked-files=all"])?;
        if status != "?? scratch.txt\n" {
            return Err(format!("git status in Bob's records work tree:\n{status}"));
        }
    }
    let status = r.env.look(&alice, &["status", "--porcelain"])?;
    if !status.is_empty() {
        return Err(format!("git status in Alice's clone:\n{status}"));
    }
    Ok(())
}

/// `sync` in Bob's clone after the fault: where a killed git left a lock
/// file, sync must name it and the `rm` its hint prints must work.
fn next_sync(r: &SyncRepo, tally: &mut Tally) -> Check {
    let bob = r.dir("bob");
    for _ in 0..4 {
        let out = r.env.pm(&bob, &["sync"]);
        if out.status.success() {
            return Ok(());
        }
        let err = stderr_of(&out);
        let mut found = leftovers_in(&r.dir("bob/.git"));
        found
            .git_locks
            .extend(leftovers_in(&r.dir("remote.git")).git_locks);
        let Some(lock) = found
            .git_locks
            .iter()
            .find(|l| err.contains(&l.display().to_string()))
        else {
            return Err(format!(
                "the next sync failed: {err}\n  locks left: {:?}",
                found.git_locks
            ));
        };
        tally.stale_git_locks += 1;
        run_rm_hint(&bob, &err, lock)?;
    }
    Err("the next sync kept failing".into())
}

fn sync_kills(templates: &[SyncTemplate], rng: &mut Rng, n: usize) -> Vec<Tally> {
    // (devops alone, ref-only), (with its git, ref-only), (alone, linked), (with git, linked)
    let mut tallies: Vec<Tally> = (0..4).map(|_| Tally::default()).collect();
    for i in 0..n {
        let group = i % 2 == 1;
        let t = &templates[(i / 2) % templates.len()];
        let slot = (i % 2) + 2 * usize::from(t.linked);
        let tally = &mut tallies[slot];
        let when = pick_when(rng, &t.points, t.span);
        let r = sync_instance(t);
        let bob = r.dir("bob");
        let before = r.bob_ident().unwrap();
        tally.trials += 1;
        if killed_run(r.env.pm_cmd(&bob, &["sync"]), group, when) {
            tally.kills_landed += 1;
        }
        let checked = (|| -> Check<bool> {
            let tip = r.bob_tip()?;
            let applied = if tip == t.bob_before {
                false
            } else if tip == t.merged {
                true
            } else {
                return Err(format!(
                    "Bob's branch is at {tip}, neither {} (before) nor {} (merged)",
                    t.bob_before, t.merged
                ));
            };
            let remote = r.remote_tip()?;
            if remote != t.remote_before && remote != t.merged {
                return Err(format!("the remote's branch is at {remote}"));
            }
            if remote == t.merged && !applied {
                return Err("pushed, and Bob's branch did not move".into());
            }
            r.env.fsck(&bob)?;
            r.env.fsck(&r.dir("remote.git"))?;
            r.env.records_parse(&bob, &tip)?;
            if let Some(d) = before.differs(&r.bob_ident()?) {
                return Err(format!("Bob's main work tree: {d}"));
            }
            next_sync(&r, tally)?;
            no_leftovers(&r.dir("bob/.git"), tally, true)?;
            let out = r.env.pm(&r.dir("alice"), &["sync"]);
            if !out.status.success() {
                return Err(format!("Alice's sync failed: {}", stderr_of(&out)));
            }
            sync_settled(&r, t)?;
            if let Some(d) = before.differs(&r.bob_ident()?) {
                return Err(format!("Bob's main work tree: {d}"));
            }
            Ok(applied)
        })();
        match checked {
            Ok(true) => tally.applied += 1,
            Ok(false) => tally.not_applied += 1,
            Err(e) => tally.problems.push(format!(
                "sync trial {i} ({}, {}, kill {when}): {e}",
                if group {
                    "with its git"
                } else {
                    "devops alone"
                },
                if t.linked {
                    "linked work tree"
                } else {
                    "ref-only"
                }
            )),
        }
    }
    tallies
}

fn main() {
    let o = opts();
    println!("seed {}", o.seed);
    let mut rng = Rng(o.seed | 1);
    let started = Instant::now();
    let writes = o.kills + o.group_kills + o.beside_git > 0 || o.strace;
    let templates: Vec<Template> = if writes {
        Layout::ALL.iter().map(|l| template(&o.bin, *l)).collect()
    } else {
        Vec::new()
    };
    println!("templates built ({:.1?})", started.elapsed());
    let mut rows = Vec::new();
    let mut phase = Instant::now();
    let mut push = |fault: &str, layouts: Vec<String>, tallies: Vec<Tally>| {
        println!("{fault}: {:.1?}", phase.elapsed());
        phase = Instant::now();
        for (layout, tally) in layouts.into_iter().zip(tallies) {
            rows.push(Row {
                fault: fault.to_string(),
                layout,
                tally,
            });
        }
    };
    let names = |ts: &[Template]| ts.iter().map(|t| t.layout.name().to_string()).collect();
    if o.kills > 0 {
        let t = kill_trials(&templates, &mut rng, false, o.kills);
        push(
            "SIGKILL of devops (its git children finish)",
            names(&templates),
            t,
        );
    }
    if o.group_kills > 0 {
        let t = kill_trials(&templates, &mut rng, true, o.group_kills);
        push("SIGKILL of devops and all its git", names(&templates), t);
    }
    if o.strace {
        let t = strace_trials(&o, &templates);
        push(
            "ENOSPC/EIO by strace into the Nth write/rename/fsync/openat/link",
            names(&templates),
            t,
        );
    }
    if o.beside_git > 0 {
        let racing: Vec<&Template> = templates
            .iter()
            .filter(|t| t.layout != Layout::RefOnly)
            .collect();
        let mut layouts = Vec::new();
        let mut tallies = Vec::new();
        for t in racing {
            layouts.push(t.layout.name().to_string());
            tallies.push(beside_git(t, o.beside_git, rng.next()));
        }
        push(
            "writes beside the user's reset --hard/stash/checkout/commit -a",
            layouts,
            tallies,
        );
    }
    if o.sync_kills > 0 {
        let sync_templates = vec![sync_template(&o.bin, false), sync_template(&o.bin, true)];
        let t = sync_kills(&sync_templates, &mut rng, o.sync_kills);
        push(
            "SIGKILL of sync",
            vec![
                "ref-only, devops alone".into(),
                "ref-only, with its git".into(),
                "linked work tree, devops alone".into(),
                "linked work tree, with its git".into(),
            ],
            t,
        );
    }
    print_table(&rows);
    println!("({:.0?})", started.elapsed());
    if rows.iter().any(|r| !r.tally.problems.is_empty()) {
        std::process::exit(1);
    }
}
