//! The write path as an adversary sees it: crashes between steps, full
//! streams, repositories laid out in every way git allows, hostile paths,
//! damaged caches. Each test checks the outcome with the git CLI.

use crate::support::*;
use std::os::unix::fs::PermissionsExt;

/// A hand-made journal, as a run killed after writing it would leave:
/// the plan for `assign ID carol`, built with git plumbing.
fn interrupted_assign(repo: &TestRepo, id: &str) -> (String, String) {
    let path = repo.record_path(id);
    let head = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    let old_blob = repo
        .git(&["rev-parse", &format!("HEAD:{path}")])
        .trim()
        .to_string();
    let text = repo
        .read(&path)
        .replace("status = \"open\"", "status = \"assigned\"")
        .replace(
            "assignee = \"\"",
            "assignee = \"Carol <carol@example.com>\"",
        );
    let blob = hash_object(repo, &text);
    // The new tree and commit, exactly as the tool would build them.
    repo.git(&["read-tree", "--index-output=.git/tmp-index", "HEAD"]);
    let tmp_env = [("GIT_INDEX_FILE", ".git/tmp-index")];
    git_env(
        repo,
        &tmp_env,
        &[
            "update-index",
            "--cacheinfo",
            &format!("100644,{blob},{path}"),
        ],
    );
    let tree = git_env(repo, &tmp_env, &["write-tree"]).trim().to_string();
    let commit = repo
        .git(&[
            "commit-tree",
            &tree,
            "-p",
            &head,
            "-m",
            &format!("postmortem: assign {id}\n\nPostmortem-Id: {id}\nPostmortem-Action: assign"),
        ])
        .trim()
        .to_string();
    std::fs::remove_file(repo.path().join(".git/tmp-index")).unwrap();
    let old_file = hash_object(repo, &repo.read(&path));
    let body = format!(
        "devops-postmortem journal 1\nbranch refs/heads/main\nparent {head}\ncommit {commit}\nmode 100644\nold-blob {old_blob}\nnew-blob {blob}\nold-file {old_file}\nnew-file {blob}\nwhat assign {id}\npath {path}\n"
    );
    let crc = crc32(body.as_bytes());
    std::fs::write(
        repo.path().join(".git/devops-postmortem-journal"),
        format!("{body}crc {crc:08x}\n"),
    )
    .unwrap();
    (commit, text)
}

fn hash_object(repo: &TestRepo, text: &str) -> String {
    let tmp = repo.path().join(".git/tmp-object");
    std::fs::write(&tmp, text).unwrap();
    let oid = repo.git(&["hash-object", "-w", tmp.to_str().unwrap()]);
    std::fs::remove_file(tmp).unwrap();
    oid.trim().to_string()
}

fn git_env(repo: &TestRepo, env: &[(&str, &str)], args: &[&str]) -> String {
    let mut cmd = std::process::Command::new("git");
    cmd.current_dir(repo.path())
        .args(args)
        .env("HOME", repo.home.path());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// CRC-32 (IEEE), as the journal uses; written out here so the test does
/// not borrow the tool's code.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for b in bytes {
        crc ^= u32::from(*b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// Each instant a crash can hit between the steps (journal written; work
/// tree written; index written), then the next command of any kind: the
/// change is finished, said in one line, and the user's work is intact.
#[test]
fn a_change_interrupted_at_any_step_is_finished_by_the_next_run() {
    for step in ["journal", "worktree", "index"] {
        for next in [
            &["list"][..],
            &["show", "PLACEHOLDER"],
            &["new", "--title", "Next"],
        ] {
            let repo = TestRepo::new();
            let id = repo.new_record("Interrupted", &[]);
            repo.write("main.rs", "fn main() { staged() }\n");
            repo.git(&["add", "main.rs"]);
            repo.write("notes.txt", "mine\n");
            let path = repo.record_path(&id);
            let (commit, text) = interrupted_assign(&repo, &id);
            if step != "journal" {
                repo.write(&path, &text);
            }
            if step == "index" {
                let blob = repo.git(&["rev-parse", &format!("{commit}:{path}")]);
                repo.git(&[
                    "update-index",
                    "--cacheinfo",
                    &format!("100644,{},{path}", blob.trim()),
                ]);
                // Visible to the user, never a revert: the tool's change staged.
                assert!(
                    repo.git(&["diff", "--cached", "--", &path])
                        .contains("+assignee")
                );
            }
            let next: Vec<String> = next
                .iter()
                .map(|a| {
                    if *a == "PLACEHOLDER" {
                        id.clone()
                    } else {
                        a.to_string()
                    }
                })
                .collect();
            let args: Vec<&str> = next.iter().map(String::as_str).collect();
            let out = repo.pm(&args);
            assert!(out.status.success(), "{step}/{args:?}: {}", stderr(&out));
            assert!(
                stderr(&out).contains(&format!("finished an interrupted `assign {id}`")),
                "{step}/{args:?}: says so: {}",
                stderr(&out)
            );
            let log = repo.git(&["log", "--format=%H", "-3"]);
            assert!(
                log.contains(&commit),
                "{step}/{args:?}: the planned commit is on the branch"
            );
            assert_eq!(repo.read(&path), text);
            assert_eq!(
                repo.git(&["diff", "--cached", "--name-only"]).trim(),
                "main.rs",
                "{step}/{args:?}: only the user's staged file is staged"
            );
            assert_eq!(repo.read("notes.txt"), "mine\n");
            assert!(!repo.path().join(".git/devops-postmortem-journal").exists());
            // The user's next plain commit carries only their own work.
            repo.git(&["commit", "-qm", "mine"]);
            assert_eq!(repo.head_files(), ["main.rs"]);
            assert_eq!(
                repo.record(&id)["assignee"].as_str(),
                Some("Carol <carol@example.com>")
            );
        }
    }
}

#[test]
fn an_interrupted_change_is_replayed_after_the_users_own_commit() {
    let repo = TestRepo::new();
    let id = repo.new_record("Interrupted", &[]);
    let path = repo.record_path(&id);
    let (commit, text) = interrupted_assign(&repo, &id);
    repo.write(&path, &text);
    // Before any devops command runs again, the user commits other work.
    repo.commit_file("main.rs", "fn main() { later() }\n", "later");
    let out = repo.pm(&["list"]);
    assert!(
        stderr(&out).contains("finished an interrupted"),
        "{}",
        stderr(&out)
    );
    assert_ne!(
        repo.git(&["rev-parse", "HEAD"]).trim(),
        commit,
        "replayed on top"
    );
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s"]).trim(),
        format!("postmortem: assign {id}")
    );
    assert_eq!(
        repo.git(&["log", "-2", "--format=%s"]).lines().nth(1),
        Some("later")
    );
    assert_eq!(repo.status_porcelain(), "");
    assert_eq!(repo.read(&path), text);
}

#[test]
fn an_interrupted_change_never_overrides_an_edit_made_since() {
    let repo = TestRepo::new();
    let id = repo.new_record("Interrupted", &[]);
    let path = repo.record_path(&id);
    let head = repo.git(&["rev-parse", "HEAD"]);
    interrupted_assign(&repo, &id);
    let mine = format!("{}# my own note\n", repo.read(&path));
    repo.write(&path, &mine);
    let out = repo.pm(&["list"]);
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("was not finished")
            && stderr(&out).contains("changed in the work tree"),
        "{}",
        stderr(&out)
    );
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
    assert_eq!(repo.read(&path), mine, "the user's edit stays");
    assert!(!repo.path().join(".git/devops-postmortem-journal").exists());
}

/// Killed in a second attempt, after its journal and before its work-tree
/// write: the file still holds the first attempt's bytes, which the
/// journal names as ours (`ours-file`), so the next run finishes the
/// change instead of taking them for the user's edit.
#[test]
fn an_interrupted_second_attempt_knows_the_first_attempts_bytes() {
    let repo = TestRepo::new();
    let id = repo.new_record("Interrupted", &[]);
    let path = repo.record_path(&id);
    let (commit, text) = interrupted_assign(&repo, &id);
    let first_attempt = text.replace("carol", "carol ");
    repo.write(&path, &first_attempt);
    let first_blob = hash_object(&repo, &first_attempt);
    let journal = repo.path().join(".git/devops-postmortem-journal");
    let old = std::fs::read_to_string(&journal).unwrap();
    let body: String = old
        .lines()
        .filter(|l| !l.starts_with("crc "))
        .map(|l| match l {
            "devops-postmortem journal 1" => "devops-postmortem journal 2\n".to_string(),
            l if l.starts_with("what ") => {
                format!("ours-blob {first_blob}\nours-file {first_blob}\n{l}\n")
            }
            l => format!("{l}\n"),
        })
        .collect();
    let crc = crc32(body.as_bytes());
    std::fs::write(&journal, format!("{body}crc {crc:08x}\n")).unwrap();

    let out = repo.pm(&["list"]);
    assert!(
        stderr(&out).contains("finished an interrupted"),
        "{}",
        stderr(&out)
    );
    assert_eq!(repo.git(&["rev-parse", "HEAD"]).trim(), commit);
    assert_eq!(repo.read(&path), text);
    assert_eq!(repo.status_porcelain(), "");
    assert!(!journal.exists());
}

#[test]
fn a_damaged_journal_is_never_acted_on() {
    let repo = TestRepo::new();
    let id = repo.new_record("Interrupted", &[]);
    let head = repo.git(&["rev-parse", "HEAD"]);
    interrupted_assign(&repo, &id);
    let journal = repo.path().join(".git/devops-postmortem-journal");
    let mut bytes = std::fs::read(&journal).unwrap();
    bytes[40] ^= 0x04;
    std::fs::write(&journal, bytes).unwrap();
    let out = repo.pm(&["list"]);
    assert!(out.status.success());
    assert!(stderr(&out).contains("damaged journal"), "{}", stderr(&out));
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
    assert_eq!(repo.status_porcelain(), "");
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
    let files = repo.git_in(&work, &["ls-files"]);
    assert!(files.starts_with("postmortems/"), "{files}");
    assert!(
        work.join(files.trim()).is_file(),
        "written in the work tree"
    );
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
        repo.git_in(&work, &["log", "-1", "--format=%s"])
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
    let repo = TestRepo::new();
    let outside = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(outside.path(), repo.path().join("postmortems")).unwrap();
    let head = repo.git(&["rev-parse", "HEAD"]);
    let err = repo.fails(1, &["new", "--title", "Elsewhere"]);
    assert!(err.contains("symbolic link"), "{err}");
    assert_eq!(std::fs::read_dir(outside.path()).unwrap().count(), 0);
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
    let err = repo.fails(1, &["list"]);
    assert!(err.contains("symbolic link"), "{err}");
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
    let repo = TestRepo::new();
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

/// A `post-index-change` hook playing the user's other git: the moment our
/// first attempt has staged the record, the user's own commit lands (the
/// branch moves, so the attempt loses the race), and `then` runs; on the
/// next attempt's staging, `second` runs. Returns nothing; markers in .git
/// keep each step to once.
fn race_hook(repo: &TestRepo, then: &str, second: &str) {
    let hook = repo.path().join(".git/hooks/post-index-change");
    std::fs::create_dir_all(hook.parent().unwrap()).unwrap();
    std::fs::write(
        &hook,
        format!(
            r#"#!/bin/sh
git diff --cached --quiet -- postmortems && exit 0
p=$(git diff --cached --name-only -- postmortems)
if [ ! -e .git/raced ]; then
  touch .git/raced
  c=$(git commit-tree -p HEAD -m user 'HEAD^{{tree}}')
  git update-ref HEAD "$c"
  {then}
elif [ ! -e .git/second ]; then
  touch .git/second
  {second}
fi
exit 0
"#
        ),
    )
    .unwrap();
    std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn remove_race_hook(repo: &TestRepo) {
    for f in [".git/hooks/post-index-change", ".git/raced", ".git/second"] {
        let _ = std::fs::remove_file(repo.path().join(f));
    }
}

/// An attempt that lost the race for the branch, whose staged entry the
/// user's git then dropped, leaves our bytes in the work tree: the next
/// attempt knows them for ours and lands, for a new record and an edit.
#[test]
fn an_attempt_that_lost_the_race_is_finished_by_the_next_one() {
    let repo = TestRepo::new();
    repo.ok(&["init"]);
    let id = repo.new_record("DB 장애", &[]);
    repo.write("main.rs", "fn main() { staged() }\n");
    repo.git(&["add", "main.rs"]);
    for args in [
        vec!["assign", id.as_str(), "carol"],
        vec!["new", "--title", "두 번째 장애"],
    ] {
        race_hook(&repo, r#"git reset -q -- "$p""#, "");
        let before = repo.commit_count();
        let out = repo.pm(&args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        remove_race_hook(&repo);
        assert_eq!(
            repo.commit_count(),
            before + 2,
            "{args:?}: the user's and ours"
        );
        assert_eq!(
            repo.git(&["log", "-1", "--skip=1", "--format=%s"]).trim(),
            "user"
        );
        assert_eq!(repo.status_porcelain(), "M  main.rs\n", "{args:?}");
    }
    assert_eq!(s(&repo.record(&id), "assignee"), "carol");
}

/// The same race, then the next attempt fails (the branch is locked by
/// someone else): "nothing was written" holds, the user's file and index
/// are as they were, not the first attempt's.
#[test]
fn a_later_attempt_that_fails_puts_back_what_the_earlier_one_wrote() {
    let repo = TestRepo::new();
    repo.ok(&["init"]);
    let id = repo.new_record("DB 장애", &[]);
    let path = repo.record_path(&id);
    let original = repo.read(&path);
    repo.write("main.rs", "fn main() { staged() }\n");
    repo.git(&["add", "main.rs"]);

    // The second attempt meets a branch locked by someone else.
    race_hook(
        &repo,
        r#"git reset -q -- "$p""#,
        "touch .git/refs/heads/main.lock",
    );
    let err = repo.fails(1, &["assign", &id, "carol"]);
    assert!(err.contains("nothing was written"), "{err}");
    remove_race_hook(&repo);
    std::fs::remove_file(repo.path().join(".git/refs/heads/main.lock")).unwrap();
    assert_eq!(repo.read(&path), original);
    assert_eq!(repo.status_porcelain(), "M  main.rs\n");
    assert_eq!(repo.git(&["log", "-1", "--format=%s"]).trim(), "user");

    // Or the user staged their own text for the record meanwhile: theirs
    // stays staged, and the work tree no longer holds our bytes.
    race_hook(
        &repo,
        r#"x=$(printf 'theirs\n' | git hash-object -w --stdin); git update-index --cacheinfo 100644,"$x","$p""#,
        "",
    );
    let err = repo.fails(1, &["assign", &id, "carol"]);
    assert!(err.contains("staged changes"), "{err}");
    remove_race_hook(&repo);
    assert_eq!(repo.read(&path), original);
    assert_eq!(
        repo.git(&["show", &format!(":{path}")]),
        "theirs\n",
        "the user's staged text is kept"
    );
    assert_eq!(repo.git(&["log", "-1", "--format=%s"]).trim(), "user");
    repo.git(&["reset", "-q", "--", &path]);

    // Or the user edited the file meanwhile: their edit stays, beside our
    // change, nothing of ours is staged, and the message says so.
    race_hook(&repo, r#"printf '# my note\n' >> "$p""#, "");
    let err = repo.fails(1, &["assign", &id, "carol"]);
    assert!(
        err.contains("was edited while this change was being committed"),
        "{err}"
    );
    assert!(
        !err.contains("nothing was written"),
        "the file holds our change: {err}"
    );
    remove_race_hook(&repo);
    let text = repo.read(&path);
    assert!(
        text.ends_with("# my note\n") && text.contains("carol"),
        "{text}"
    );
    assert_eq!(repo.git(&["diff", "--cached", "--", &path]), "");
    // The hint's command, pasted, shows both.
    let shown = paste_hint(&repo, &err, '`', '`');
    assert!(
        shown.contains("+# my note") && shown.contains("+assignee = \"carol\""),
        "{shown}"
    );
}

/// Runs the command a `hint:` line of `err` gives between `open` and
/// `close`, as a person would paste it; returns its output.
fn paste_hint(repo: &TestRepo, err: &str, open: char, close: char) -> String {
    let hint = err
        .lines()
        .find_map(|l| l.strip_prefix("hint: "))
        .unwrap_or_else(|| panic!("no hint in: {err}"));
    let command = hint
        .split_once(open)
        .and_then(|(_, rest)| rest.split_once(close))
        .map(|(c, _)| c)
        .unwrap_or_else(|| panic!("no command in: {hint}"));
    let out = repo.sh(command);
    assert!(out.status.success(), "{command}: {}", stderr(&out));
    String::from_utf8(out.stdout).unwrap()
}

/// `commit.gpgsign` with a stand-in for gpg that signs anything, running
/// `on_second` (a shell line, in the repository) during its second call.
fn fake_signer(repo: &TestRepo, on_second: &str) {
    let signer = repo.path().join(".git/fake-gpg");
    std::fs::write(
        &signer,
        format!(
            r#"#!/bin/sh
cat > /dev/null
n=$(( $(cat .git/signs 2>/dev/null || echo 0) + 1 )); echo $n > .git/signs
if [ $n = 2 ]; then {on_second}; fi
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

/// The user's own `git commit` takes an earlier attempt's staged change
/// along while the next attempt is being signed: the change is in once
/// (not applied twice, not undone), and said.
#[test]
fn a_change_the_users_commit_took_along_is_not_applied_twice() {
    let repo = TestRepo::new();
    repo.ok(&["init"]);
    let id = repo.new_record("DB 장애", &[]);
    let path = repo.record_path(&id);
    repo.write("main.rs", "fn main() { staged() }\n");
    repo.git(&["add", "main.rs"]);
    race_hook(&repo, "", "");
    fake_signer(&repo, "git -c commit.gpgsign=false commit -qm 'user wip'");
    let out = repo.pm(&["timeline", "add", &id, "--at", "09:20", "alert fired"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("took this change along"),
        "{}",
        stderr(&out)
    );
    assert_eq!(repo.git(&["log", "-1", "--format=%s"]).trim(), "user wip");
    let in_head = repo.git(&["show", &format!("HEAD:{path}")]);
    assert_eq!(in_head.matches("alert fired").count(), 1, "{in_head}");
    assert_eq!(repo.read(&path), in_head);
    assert_eq!(repo.status_porcelain(), "");
}

/// Killed while the second attempt is being signed (a person pressing
/// Ctrl-C at the passphrase prompt): the first attempt's change is staged
/// and its journal kept, so the next run finishes it on the new tip.
#[test]
fn a_run_killed_between_attempts_is_finished_by_the_next_one() {
    let repo = TestRepo::new();
    repo.ok(&["init"]);
    let id = repo.new_record("DB 장애", &[]);
    repo.write("main.rs", "fn main() { staged() }\n");
    repo.git(&["add", "main.rs"]);
    race_hook(&repo, "", "");
    // The signer's parent is `git commit-tree`, whose parent is devops.
    fake_signer(
        &repo,
        r#"kill -KILL $(awk '{print $4}' /proc/$PPID/stat); exit 1"#,
    );
    let out = repo.pm(&["assign", &id, "carol"]);
    assert!(!out.status.success());
    remove_race_hook(&repo);
    repo.git(&["config", "commit.gpgsign", "false"]);
    let out = repo.pm(&["list"]);
    assert!(
        stderr(&out).contains("finished an interrupted `assign"),
        "{}",
        stderr(&out)
    );
    let subjects = repo.git(&["log", "-2", "--format=%s"]);
    assert!(
        subjects.starts_with(&format!("postmortem: assign {id}")) && subjects.ends_with("\nuser\n"),
        "{subjects}"
    );
    assert_eq!(s(&repo.record(&id), "assignee"), "carol");
    assert_eq!(repo.status_porcelain(), "M  main.rs\n");
}

/// The user's own `git commit` takes our earlier attempt's bytes along
/// with an edit of their own: whether the change is in cannot be told, so
/// the tool stops and says so, rather than applying it a second time.
#[test]
fn a_record_a_commit_changed_during_the_race_is_not_edited_again() {
    let repo = TestRepo::new();
    repo.ok(&["init"]);
    let id = repo.new_record("DB 장애", &[]);
    let path = repo.record_path(&id);
    race_hook(
        &repo,
        r#"printf '# mine\n' >> "$p"; git add "$p"; git commit -qm 'user edits record'"#,
        "",
    );
    let err = repo.fails(1, &["timeline", "add", &id, "--at", "09:20", "alert fired"]);
    remove_race_hook(&repo);
    assert!(
        err.contains("was changed by a commit made meanwhile"),
        "{err}"
    );
    // That commit holds our bytes: "nothing was written" would be false.
    assert!(err.contains("may hold this change already"), "{err}");
    assert!(!err.contains("nothing was written"), "{err}");
    let in_head = repo.git(&["show", &format!("HEAD:{path}")]);
    assert_eq!(in_head.matches("alert fired").count(), 1, "{in_head}");
    assert!(in_head.ends_with("# mine\n"), "{in_head}");
    assert_eq!(
        paste_hint(&repo, &err, '(', ')'),
        in_head,
        "the hint's command"
    );
    assert_eq!(repo.status_porcelain(), "");
    assert!(!repo.path().join(".git/devops-postmortem-journal").exists());
}

/// While a write that lost the race signs its next attempt (a person may
/// be typing a passphrase), another command of ours neither waits for it
/// nor replays its journal; the change lands once.
#[test]
fn another_run_during_a_signed_retry_neither_waits_nor_replays() {
    let repo = TestRepo::new();
    repo.ok(&["init"]);
    let id = repo.new_record("DB 장애", &[]);
    let path = repo.record_path(&id);
    race_hook(&repo, "", "");
    fake_signer(
        &repo,
        "timeout 20 devops postmortem list > /dev/null 2>.git/other-run; echo $? >> .git/other-run",
    );
    let out = repo.pm(&["timeline", "add", &id, "--at", "09:20", "alert fired"]);
    remove_race_hook(&repo);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        repo.read(".git/other-run"),
        "0\n",
        "the other run's stderr and exit code"
    );
    let in_head = repo.git(&["show", &format!("HEAD:{path}")]);
    assert_eq!(in_head.matches("alert fired").count(), 1, "{in_head}");
    assert_eq!(
        repo.git(&["log", "-2", "--format=%s"]).lines().nth(1),
        Some("user")
    );
    assert_eq!(repo.status_porcelain(), "");
}

/// The user's `git reset --soft` lands during the race: the write stops
/// and puts back what it overwrote (the user's staged record), as git
/// itself would have left it, not HEAD's older version.
#[test]
fn a_reset_during_the_race_keeps_the_users_staged_record() {
    let repo = TestRepo::new();
    repo.ok(&["init"]);
    let id = repo.new_record("DB 장애", &[]);
    let path = repo.record_path(&id);
    let edited = repo.read(&path).replace("DB 장애", "USER EDIT");
    repo.commit_file(&path, &edited, "user edits the title");
    race_hook(&repo, "git reset -q --soft HEAD~2", "");
    let err = repo.fails(1, &["timeline", "add", &id, "--at", "09:20", "alert fired"]);
    remove_race_hook(&repo);
    assert!(
        err.contains("was changed by a commit made meanwhile"),
        "{err}"
    );
    assert_eq!(repo.git(&["show", &format!(":{path}")]), edited, "staged");
    assert_eq!(repo.read(&path), edited, "work tree");
    assert_eq!(repo.status_porcelain(), format!("M  {path}\n"));
    assert!(!repo.path().join(".git/devops-postmortem-journal").exists());
}
