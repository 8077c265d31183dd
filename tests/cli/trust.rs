//! The write path as an adversary sees it: crashes at every instant of a
//! write, the user's own git at every instant of a write, full streams,
//! repositories laid out in every way git allows, hostile paths, damaged
//! journals. Each test checks the outcome with the git CLI.

use crate::support::*;
use std::os::unix::fs::PermissionsExt;

/// The named points of a write, in order (`DEVOPS_PM_TEST_POINT`): the
/// commit object made; the staged index ready; the journal written;
/// git's `index.lock` taken; the work-tree files written; the branch moved.
const POINTS: [&str; 6] = [
    "planned",
    "staged",
    "journaled",
    "locked",
    "written",
    "moved",
];

/// Where the records branch is checked out for a test.
#[derive(Debug, Clone, Copy)]
enum Layout {
    /// Nowhere: writes move only the branch.
    Nowhere,
    /// On `main`, beside the code (`git config postmortem.branch main`).
    Main,
    /// `postmortems` in a linked work tree of its own.
    Linked,
}

/// A repository in `layout` with one record and the user's work in
/// progress (staged, unstaged, untracked) in the work tree that holds the
/// records branch (or the main one). Returns the repository, the record,
/// and that work tree's path.
fn team_repo(layout: Layout) -> (TestRepo, String, std::path::PathBuf) {
    let repo = TestRepo::new();
    if let Layout::Main = layout {
        repo.git(&["config", "postmortem.branch", "main"]);
    }
    let id = repo.new_record("DB 장애", &["--severity", "SEV2"]);
    let wt = match layout {
        Layout::Linked => {
            let wt = repo.home.path().join("pm");
            repo.git(&["worktree", "add", "-q", wt.to_str().unwrap(), "postmortems"]);
            wt
        }
        _ => repo.path().to_path_buf(),
    };
    std::fs::write(wt.join("staged.txt"), "staged\n").unwrap();
    repo.git_in(&wt, &["add", "staged.txt"]);
    std::fs::write(wt.join("staged.txt"), "staged, then edited\n").unwrap();
    std::fs::write(wt.join("untracked.txt"), "untracked\n").unwrap();
    (repo, id, wt)
}

/// The branch holding the records in a layout.
fn records_branch(layout: Layout) -> &'static str {
    match layout {
        Layout::Main => "main",
        _ => "postmortems",
    }
}

/// `devops postmortem ARGS` stopped or acted upon at a test point.
fn pm_at(repo: &TestRepo, point: &str, action: &str, args: &[&str]) -> std::process::Output {
    repo.cmd_in(repo.path())
        .env("DEVOPS_PM_TEST_POINT", point)
        .env("DEVOPS_PM_TEST_ACTION", action)
        .arg("postmortem")
        .args(args)
        .output()
        .unwrap()
}

/// What must hold after any write, finished or not: nothing of ours left
/// (lock, journal, staged index), the work tree holding the records
/// branch agrees with its commit (file and index entry), the user's work
/// exactly as it was, `git fsck` clean.
fn consistent(repo: &TestRepo, layout: Layout, wt: &std::path::Path, path: &str, what: &str) {
    let branch = records_branch(layout);
    let git_dir =
        std::path::PathBuf::from(repo.git_in(wt, &["rev-parse", "--absolute-git-dir"]).trim());
    for leftover in [
        "index.lock",
        "devops-postmortem-index",
        "devops-postmortem-index.lock",
    ] {
        assert!(!git_dir.join(leftover).exists(), "{what}: {leftover} left");
    }
    let common = repo.path().join(".git");
    assert!(
        !common.join("devops-postmortem-journal").exists(),
        "{what}: journal left"
    );
    let committed = repo.git(&["show", &format!("{branch}:{path}")]);
    if !matches!(layout, Layout::Nowhere) {
        assert_eq!(
            std::fs::read_to_string(wt.join(path)).unwrap(),
            committed,
            "{what}: the work tree's record is the committed one"
        );
        assert_eq!(
            repo.git_in(wt, &["diff", "--cached", "--name-only", "HEAD", "--", path]),
            "",
            "{what}: no staged change to the record (a staged revert)"
        );
    }
    let status = repo.git_in(wt, &["status", "--porcelain", "--untracked-files=all"]);
    assert_eq!(
        status, "AM staged.txt\n?? untracked.txt\n",
        "{what}: the user's work, and nothing else"
    );
    let fsck = repo.git_output_in(repo.path(), &["fsck", "--no-dangling", "--strict"]);
    assert!(fsck.status.success(), "{what}: {}", stderr(&fsck));
}

/// A write killed at each instant (SIGKILL: nothing cleaned up), then any
/// next command: the change is wholly in or wholly absent, and nothing of
/// it is left half done, in every layout.
#[test]
fn a_write_killed_at_any_instant_is_whole_or_absent_after_the_next_run() {
    for layout in [Layout::Nowhere, Layout::Main, Layout::Linked] {
        let (repo, id, wt) = team_repo(layout);
        let branch = records_branch(layout);
        let path = repo.record_path(&id);
        for (i, point) in POINTS.iter().enumerate() {
            if matches!(layout, Layout::Nowhere) && !["planned", "moved"].contains(point) {
                continue; // no work tree to bring along: those points are not passed
            }
            let who = format!("Person {i}");
            let what = format!("{layout:?} killed at {point}");
            let before = repo.git(&["rev-parse", branch]);
            let out = pm_at(&repo, point, "kill", &["assign", &id, &who]);
            assert!(!out.status.success(), "{what}: it was killed");
            let next = repo.pm(&["list"]);
            assert!(next.status.success(), "{what}: {}", stderr(&next));
            let after = repo.git(&["rev-parse", branch]);
            let assignee = s(&repo.record(&id), "assignee").to_string();
            let reached_the_branch = *point == "moved";
            if reached_the_branch {
                assert_ne!(after, before, "{what}: the branch moved before the kill");
                assert!(assignee.starts_with(&who), "{what}: {assignee}");
            } else {
                assert_eq!(after, before, "{what}: nothing committed");
                assert!(!assignee.starts_with(&who), "{what}: {assignee}");
            }
            consistent(&repo, layout, &wt, &path, &what);
            if reached_the_branch && !matches!(layout, Layout::Nowhere) {
                assert!(
                    stderr(&next).contains("finished an interrupted `assign"),
                    "{what}: said: {}",
                    stderr(&next)
                );
            }
        }
        // The user's own next commit takes exactly their file.
        repo.git_in(&wt, &["commit", "-qam", "the user's commit"]);
        assert_eq!(
            repo.git_in(&wt, &["show", "--name-only", "--format=", "HEAD"])
                .trim(),
            "staged.txt"
        );
    }
}

/// The user's own git at each instant of a write, in the work tree where
/// the records branch is checked out: whichever wins the race, no staged
/// revert, no commit dropped after "updated", no record left staged on
/// another branch, and the tool's change is in the records branch exactly
/// once when it said so.
#[test]
fn the_users_git_at_any_instant_of_a_write_never_reverts_or_drops() {
    let actions = [
        "git reset -q --hard",
        "git stash -q",
        "git checkout -q -B other",
        "git checkout -q -- .",
        "git commit -qam user",
    ];
    for layout in [Layout::Main, Layout::Linked] {
        for action in actions {
            for point in &POINTS[1..] {
                let (repo, id, wt) = team_repo(layout);
                let branch = records_branch(layout);
                let path = repo.record_path(&id);
                let what = format!("{layout:?}: `{action}` at {point}");
                let run = format!("cd '{}' && {action} 2>/dev/null; true", wt.display());
                let out = pm_at(
                    &repo,
                    point,
                    &run,
                    &["timeline", "add", &id, "--at", "09:20", "raced"],
                );
                let said_done = out.status.success();
                let text = repo.git(&["show", &format!("{branch}:{path}")]);
                let count = text.matches("\"raced\"").count();
                if said_done {
                    assert_eq!(count, 1, "{what}: in once after success: {}", stderr(&out));
                } else {
                    assert!(count <= 1, "{what}: {}", stderr(&out));
                    assert!(!stderr(&out).contains("panicked"), "{what}");
                }
                // Wherever the user is now, nothing of ours is staged there.
                let staged = repo.git_in(&wt, &["diff", "--cached", "--name-only"]);
                assert!(!staged.contains("postmortems/"), "{what}: staged: {staged}");
                let head_branch = repo.git_in(&wt, &["symbolic-ref", "-q", "--short", "HEAD"]);
                if head_branch.trim() == branch {
                    let file = std::fs::read_to_string(wt.join(&path)).unwrap();
                    assert_eq!(file, text, "{what}: the work tree follows the branch");
                }
                let git_dir = std::path::PathBuf::from(
                    repo.git_in(&wt, &["rev-parse", "--absolute-git-dir"])
                        .trim(),
                );
                assert!(!git_dir.join("index.lock").exists(), "{what}: lock left");
                let fsck = repo.git_output_in(repo.path(), &["fsck", "--no-dangling"]);
                assert!(fsck.status.success(), "{what}: {}", stderr(&fsck));
            }
        }
    }
}

/// Where the records branch is checked out nowhere, the user's git does
/// whatever it likes meanwhile and never meets the write; with nothing
/// racing, HEAD, index and work tree stay byte for byte theirs.
#[test]
fn a_write_that_moves_only_the_branch_never_meets_the_users_git() {
    let (repo, id, _) = team_repo(Layout::Nowhere);
    for action in [
        "git reset -q --hard",
        "git stash -q",
        "git checkout -q -B other",
    ] {
        let out = pm_at(
            &repo,
            "planned",
            action,
            &["update", &id, "--summary", action],
        );
        assert!(out.status.success(), "{action}: {}", stderr(&out));
        assert_eq!(s(&repo.record(&id), "summary"), action);
        assert!(!repo.path().join("postmortems").exists(), "{action}");
        assert_eq!(
            repo.git(&["diff", "--cached", "--name-only"]),
            "",
            "{action}: nothing of ours staged"
        );
    }
    let (repo, id, _) = team_repo(Layout::Nowhere);
    let index = || std::fs::read(repo.path().join(".git/index")).unwrap();
    let before = (
        index(),
        repo.status_porcelain(),
        repo.git(&["rev-parse", "HEAD"]),
    );
    repo.ok(&["assign", &id, "me"]);
    repo.ok(&["analyze", &id, "--root-cause", "x", "--action", "y"]);
    assert_eq!(index(), before.0, "the index, byte for byte");
    assert_eq!(repo.status_porcelain(), before.1);
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), before.2);
    assert_eq!(
        repo.git(&["log", "--format=%s", "main"])
            .matches("postmortem")
            .count(),
        0
    );
}

/// A commit that loses the race for the branch while it is being signed
/// (a teammate's run lands first) is made again on the new tip: both
/// changes are in, each once.
#[test]
fn a_write_that_loses_the_race_while_signing_lands_once_on_the_new_tip() {
    let repo = TestRepo::new();
    let id = repo.new_record("Signed", &[]);
    fake_signer(
        &repo,
        &format!("devops postmortem timeline add {id} --at 09:10 theirs >/dev/null 2>&1"),
    );
    let out = repo.pm(&["timeline", "add", &id, "--at", "09:20", "ours"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = repo.show(&repo.record_path(&id));
    assert_eq!(text.matches("\"ours\"").count(), 1, "{text}");
    assert_eq!(text.matches("\"theirs\"").count(), 1, "{text}");
    let log = repo.git(&["log", "--format=%s", "postmortems"]);
    assert_eq!(log.lines().count(), 3, "{log}");
    assert!(
        repo.git(&["cat-file", "commit", "postmortems"])
            .contains("gpgsig")
    );
    assert_eq!(repo.status_porcelain(), "");
}

/// `commit.gpgsign` with a stand-in for gpg that signs anything, running
/// `on_first` (a shell line, in the repository) during its first call.
fn fake_signer(repo: &TestRepo, on_first: &str) {
    let signer = repo.path().join(".git/fake-gpg");
    std::fs::write(
        &signer,
        format!(
            r#"#!/bin/sh
cat > /dev/null
n=$(( $(cat .git/signs 2>/dev/null || echo 0) + 1 )); echo $n > .git/signs
if [ $n = 1 ]; then {on_first}; fi
echo "[GNUPG:] SIG_CREATED D 1 8 00 1 X" >&2
printf -- '-----BEGIN PGP SIGNATURE-----\n\nfake\n-----END PGP SIGNATURE-----\n'
"#
        ),
    )
    .unwrap();
    std::fs::set_permissions(&signer, std::fs::Permissions::from_mode(0o755)).unwrap();
    repo.git(&["config", "gpg.program", signer.to_str().unwrap()]);
    repo.git(&["config", "user.signingkey", "X"]);
    repo.git(&["config", "commit.gpgsign", "true"]);
}

/// A journal damaged on disk is never acted on as a plan; the lock of ours
/// it leaves is committed (never removed, which could leave a staged
/// revert), and `git status` shows anything it left.
#[test]
fn a_damaged_journal_is_never_acted_on() {
    let (repo, id, wt) = team_repo(Layout::Linked);
    let out = pm_at(&repo, "moved", "kill", &["assign", &id, "carol"]);
    assert!(!out.status.success());
    let journal = repo.path().join(".git/devops-postmortem-journal");
    let mut bytes = std::fs::read(&journal).unwrap();
    bytes[40] ^= 0x04;
    std::fs::write(&journal, bytes).unwrap();
    let out = repo.pm(&["list"]);
    assert!(out.status.success());
    assert!(stderr(&out).contains("damaged journal"), "{}", stderr(&out));
    assert!(!journal.exists());
    let path = repo.record_path(&id);
    assert_eq!(
        repo.git_in(
            &wt,
            &["diff", "--cached", "--name-only", "HEAD", "--", &path]
        ),
        "",
        "no staged revert"
    );
}

#[test]
fn full_or_closed_output_after_a_commit_never_panics() {
    let repo = TestRepo::new();
    let id = repo.new_record("Streams", &[]);
    let before = repo.commit_count();
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = repo
        .std_cmd_in(repo.path())
        .args(["postmortem", "assign", &id, "bob"])
        .stderr(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "stderr full: the commit stands");
    assert_eq!(repo.commit_count(), before + 1);

    // stdout full while printing the new ID: a failure that says the
    // record was committed, so a script does not blindly retry.
    let full = std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .unwrap();
    let out = repo
        .std_cmd_in(repo.path())
        .args(["postmortem", "new", "--title", "Printed nowhere"])
        .stdout(full)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains("was committed"), "{err}");
    assert_eq!(repo.commit_count(), before + 2);
}

#[test]
fn separate_git_dir_and_git_dir_and_work_tree_variables() {
    let repo = TestRepo::bare_init();
    let top = tempfile::tempdir().unwrap();
    let gitdir = top.path().join("meta.git");
    let work = top.path().join("work");
    let out = repo.git_output_in(
        top.path(),
        &[
            "init",
            "-q",
            "-b",
            "main",
            "--separate-git-dir",
            gitdir.to_str().unwrap(),
            work.to_str().unwrap(),
        ],
    );
    assert!(out.status.success());
    for args in [
        ["config", "user.name", "Alice"],
        ["config", "user.email", "a@example.com"],
    ] {
        repo.git_in(&work, &args);
    }
    let id = String::from_utf8(
        repo.cmd_in(&work)
            .args(["postmortem", "new", "--title", "Separate"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let files = repo.git_in(&work, &["ls-tree", "-r", "--name-only", "postmortems"]);
    assert!(files.starts_with("postmortems/"), "{files}");
    assert!(!work.join("postmortems").exists(), "not in the work tree");
    assert!(
        !gitdir.join("postmortems").exists(),
        "not beside the git dir"
    );
    assert_eq!(repo.git_in(&work, &["status", "--porcelain"]), "");

    // GIT_DIR + GIT_WORK_TREE from somewhere else entirely.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = repo
        .cmd_in(elsewhere.path())
        .env("GIT_DIR", &gitdir)
        .env("GIT_WORK_TREE", &work)
        .args(["postmortem", "assign", id.trim(), "bob"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        repo.git_in(&work, &["log", "-1", "--format=%s", "postmortems"])
            .split(' ')
            .nth(1),
        Some("assign")
    );
    assert_eq!(repo.git_in(&work, &["status", "--porcelain"]), "");
    assert_eq!(
        std::fs::read_dir(elsewhere.path()).unwrap().count(),
        0,
        "nothing written here"
    );
}

#[test]
fn a_records_directory_that_links_out_is_refused() {
    // Where the records branch is checked out, its files are written there.
    let repo = TestRepo::new();
    repo.git(&["config", "postmortem.branch", "main"]);
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), repo.path().join("postmortems")).unwrap();
    let head = repo.git(&["rev-parse", "HEAD"]);
    let err = repo.fails(1, &["new", "--title", "Elsewhere"]);
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
    assert!(!repo.path().join(".git/index.lock").exists());
}

#[test]
fn records_directories_git_would_reject_are_refused() {
    let repo = TestRepo::new();
    let head = repo.git(&["rev-parse", "HEAD"]);
    for dir in [
        ".gitmodules",
        ".git",
        "a/.GITattributes",
        "a\nb",
        "../up",
        "/tmp/x",
        ".git~",
    ] {
        let err = repo.fails(2, &["--dir", dir, "new", "--title", "Bad dir"]);
        assert!(err.contains("records directory"), "{dir:?}: {err}");
    }
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
    let fsck = repo.git_output_in(repo.path(), &["fsck", "--strict"]);
    assert!(fsck.status.success());
}

#[test]
fn sha256_and_dubious_ownership_are_said_plainly() {
    let repo = TestRepo::bare_init();
    let s256 = tempfile::tempdir().unwrap();
    repo.git_in(s256.path(), &["init", "-q", "--object-format=sha256"]);
    let out = repo
        .cmd_in(s256.path())
        .args(["postmortem", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("sha256"), "{}", stderr(&out));
    assert!(!stderr(&out).contains("not inside a git repository"));

    // Another user's repository: git's own refusal and fix, not "not a repository".
    if unsafe { libc::geteuid() } == 0 {
        let theirs = tempfile::tempdir().unwrap();
        repo.git_in(theirs.path(), &["init", "-q"]);
        std::os::unix::fs::chown(theirs.path(), Some(65534), Some(65534)).unwrap();
        let out = repo
            .cmd_in(theirs.path())
            .args(["postmortem", "list"])
            .output()
            .unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("dubious ownership"), "{err}");
        assert!(err.contains("safe.directory"), "{err}");
    }
}

#[test]
fn files_get_the_modes_git_would_give_them() {
    // Where the records branch is checked out, its files are written there.
    let repo = TestRepo::new();
    repo.git(&["config", "postmortem.branch", "main"]);
    let id = repo.new_record("Modes", &[]);
    let path = repo.record_path(&id);
    // umask 0002 (a shared checkout): group-writable new files, as git makes them.
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "umask 0002 && exec '{}' postmortem new --title Grouped && umask 0002 && exec true",
            env!("CARGO_BIN_EXE_devops")
        ))
        .current_dir(repo.path())
        .env("HOME", repo.home.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("DEVOPS_PM_NOW", NOW)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let grouped = repo.record_path(String::from_utf8_lossy(&out.stdout).trim());
    let mode = std::fs::metadata(repo.path().join(&grouped))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o664, "{grouped}");

    // A committed exec bit stays, in the commit and on disk.
    std::fs::set_permissions(
        repo.path().join(&path),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    repo.git(&["commit", "-qam", "exec"]);
    repo.ok(&["assign", &id, "bob"]);
    assert!(repo.git(&["ls-tree", "HEAD", &path]).starts_with("100755"));
    let mode = std::fs::metadata(repo.path().join(&path))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o755);
    assert_eq!(repo.status_porcelain(), "");

    // Reports too.
    repo.ok(&["report", "-o", "wall.html"]);
    let mode = std::fs::metadata(repo.path().join("wall.html"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!(mode, 0o644, "0666 & ~umask 022");
}

#[test]
fn absurd_day_counts_in_the_config_are_an_error_not_a_panic() {
    let repo = TestRepo::new();
    let id = repo.new_record("Config", &[]);
    for field in [
        "stale_days = 4294967295",
        "[review_days]\nSEV1 = 4294967295",
    ] {
        repo.commit_file("postmortems/config.toml", &format!("{field}\n"), "config");
        for args in [
            &["triage"][..],
            &["show", &id],
            &["check"],
            &["report", "-o", "-"],
        ] {
            let err = repo.fails(1, args);
            assert!(err.contains("postmortems/config.toml"), "{args:?}: {err}");
            assert!(err.contains("4294967295"), "{args:?}: {err}");
        }
    }
    // A far-future record with the largest allowed count: no overflow.
    repo.commit_file(
        "postmortems/config.toml",
        "stale_days = 36500\n[review_days]\ndefault = 36500\n",
        "config",
    );
    let path = repo.record_path(&id);
    let text = repo
        .read(&path)
        .replace("created_at = 2026", "created_at = 9999");
    repo.commit_file(&path, &text, "far future");
    for args in [&["triage"][..], &["show", &id], &["list"], &["stats"]] {
        let out = repo.pm(args);
        assert!(
            !stderr(&out).contains("panicked"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn markdown_neutralises_terminal_escapes_and_html() {
    let repo = TestRepo::new();
    let hostile = "Pay\u{1b}]52;c;cm0gLXJm\u{7} \u{1b}[2J<script>alert(1)</script><img src=x onerror=alert(2)>\u{202e}cod.exe\u{2028}\u{200b}";
    let id = repo.new_record(hostile, &["--summary", hostile]);
    for args in [
        &["show", &id, "--format", "markdown"][..],
        &["export", "--format", "markdown"],
        &["show", &id],
    ] {
        let out = repo.ok(args);
        for bad in ['\u{1b}', '\u{7}', '\u{202e}', '\u{2028}', '\u{200b}'] {
            assert!(!out.contains(bad), "{args:?} passes {bad:?}: {out}");
        }
        if args.contains(&"markdown") {
            assert!(
                !out.contains("<script>") && !out.contains("<img"),
                "{args:?}: {out}"
            );
            assert!(out.contains("&lt;script&gt;"), "{args:?}: shown as text");
        }
    }
    let html = repo.ok(&["report", "-o", "-"]);
    assert!(!html.contains("<script>alert") && !html.contains('\u{202e}'));
}

/// Temporary files a killed run left in the git dirs (an index copy, a
/// file on its way to the work tree, a signer's message, a journal being
/// written) are removed by the next command once they are a minute old;
/// a fresh one may be a run at work and stays.
#[test]
fn temporary_files_of_killed_runs_are_swept() {
    let repo = TestRepo::new();
    repo.new_record("Sweep", &[]);
    let git = repo.path().join(".git");
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(600);
    let names = [
        ".devops-pm-a1b2c3.tmp",
        "devops-postmortem-tmp",
        "devops-postmortem-message9x",
        ".devops-postmortem-journal.devops-pm.tmp",
    ];
    for name in names.iter().chain(&["user-note.tmp"]) {
        let file = std::fs::File::create(git.join(name)).unwrap();
        file.set_times(std::fs::FileTimes::new().set_modified(old))
            .unwrap();
    }
    std::fs::write(git.join(".devops-pm-fresh.tmp"), "at work").unwrap();
    repo.ok(&["list"]);
    for name in names {
        assert!(!git.join(name).exists(), "{name} left");
    }
    assert!(git.join(".devops-pm-fresh.tmp").exists());
    assert!(git.join("user-note.tmp").exists());
}
