//! Bad input: a clear one-line error, the right exit code, nothing written.

use crate::support::*;

/// Runs a command expected to fail and checks nothing in the repo changed.
fn refused(repo: &TestRepo, code: i32, args: &[&str]) -> String {
    let before = repo.everything();
    let err = repo.fails(code, args);
    assert_eq!(
        repo.everything(),
        before,
        "{args:?} committed or wrote files"
    );
    assert_eq!(
        err.lines().filter(|l| l.starts_with("error:")).count(),
        1,
        "{err}"
    );
    err
}

#[test]
fn bad_values_name_the_flag_and_write_nothing() {
    let repo = TestRepo::new();
    let id = repo.new_record("Target", &[]);
    let err = refused(&repo, 2, &["new", "--title", "x", "--severity", "SEV9"]);
    assert!(
        err.contains("unknown severity 'SEV9'") && err.contains("SEV1, SEV2, SEV3, SEV4"),
        "{err}"
    );
    let err = refused(
        &repo,
        2,
        &["new", "--title", "x", "--started", "half past nine"],
    );
    assert!(
        err.contains("--started") && err.contains("half past nine"),
        "{err}"
    );
    let err = refused(&repo, 2, &["update", &id, "--detected", "2026-02-30 10:00"]);
    assert!(err.contains("--detected"), "{err}");
    let err = refused(&repo, 2, &["action", "add", &id, "x", "--due", "someday"]);
    assert!(err.contains("--due") && err.contains("someday"), "{err}");
    let err = refused(&repo, 2, &["action", "add", &id, "x", "--kind", "blame"]);
    assert!(err.contains("--kind 'blame'"), "{err}");
    refused(&repo, 2, &["list", "--status", "finished"]);
    refused(&repo, 2, &["new", "--title", "x", "--users-affected", "-5"]);
    refused(&repo, 2, &["frobnicate"]);
}

#[test]
fn unknown_and_hostile_ids_are_refused() {
    let repo = TestRepo::new();
    repo.new_record("Target", &[]);
    let err = refused(&repo, 1, &["show", "PM-20991231-zzzzzzzz"]);
    assert!(err.contains("no post-mortem matches"), "{err}");
    for hostile in [
        "../../etc/passwd",
        "PM-2026/../../x",
        "a b",
        "PM-20261124-\u{1b}[31m",
    ] {
        let err = refused(&repo, 1, &["assign", hostile, "bob"]);
        assert!(err.contains("is not a post-mortem ID"), "{err}");
        assert!(
            !err.contains('\u{1b}'),
            "escape reached the terminal: {err:?}"
        );
    }
    refused(&repo, 2, &["--dir", "../outside", "list"]);
    refused(&repo, 2, &["--dir", "/etc", "list"]);
}

#[test]
fn without_a_terminal_a_missing_title_names_the_flag() {
    let repo = TestRepo::new();
    let err = refused(&repo, 2, &["new"]);
    assert!(err.contains("--title"), "{err}");
    let err = refused(&repo, 2, &["new", "--title", "   "]);
    assert!(err.contains("--title"), "{err}");
    let id = repo.new_record("x", &[]);
    let err = refused(&repo, 2, &["analyze", &id]);
    assert!(err.contains("--root-cause"), "{err}");
}

#[test]
fn a_malformed_record_is_reported_with_its_place_and_the_rest_still_works() {
    let repo = TestRepo::new();
    let good = repo.new_record("Good one", &[]);
    let bad = repo.new_record("Bad one", &[]);
    let bad_path = repo.record_path(&bad);
    let broken = repo
        .show(&bad_path)
        .replace("title = \"Bad one\"", "title = \"Bad one");
    repo.commit_file(&bad_path, &broken, "oops");

    let out = repo.pm(&["list", "--long"]);
    assert!(out.status.success());
    assert!(stdout(&out).contains(&good) && !stdout(&out).contains(&bad));
    let err = stderr(&out);
    let line = broken.lines().position(|l| l.starts_with("title")).unwrap() + 1;
    assert!(err.contains(&format!("{bad_path}:{line}:")), "{err}");

    let err = refused(&repo, 1, &["assign", &bad, "bob"]);
    assert!(err.contains(&format!("{bad_path}:{line}:")), "{err}");
    repo.ok(&["assign", &good, "bob"]);

    // A wrong type is reported with its place too.
    let wrong = repo
        .show(&repo.record_path(&good))
        .replace("severity = \"SEV3\"", "severity = 3");
    repo.commit_file(&repo.record_path(&good), &wrong, "by hand");
    let err = repo.fails(1, &["show", &good]);
    let line = wrong
        .lines()
        .position(|l| l.starts_with("severity"))
        .unwrap()
        + 1;
    let place = format!("{}:{line}:", repo.record_path(&good));
    assert!(
        err.contains(&place) && err.contains("expected a string"),
        "{err}"
    );
}

#[test]
fn hostile_text_is_stored_exactly_and_shown_neutralised() {
    let repo = TestRepo::new();
    let title = "장애 \u{1b}[2J\u{1b}]0;pwned\u{7} \u{202e}txt.exe";
    let id = repo.new_record(title, &["--summary", "line one\nline two\twith tab"]);
    assert_eq!(s(&repo.record(&id), "title"), title, "stored exactly");
    for args in [vec!["list"], vec!["show", id.as_str()]] {
        let out = repo.ok(&args);
        assert!(
            !out.contains('\u{1b}') && !out.contains('\u{7}') && !out.contains('\u{202e}'),
            "{args:?}: {out:?}"
        );
        assert!(out.contains("장애"));
    }
    let msg = repo.head_message();
    assert!(
        !msg.contains('\u{1b}'),
        "commit subject carries escapes: {msg:?}"
    );
}

#[test]
fn huge_text_and_many_items_work() {
    let repo = TestRepo::new();
    // 40,000 Hangul syllables: 120 kB, just under Linux's limit for one argument.
    let big = "가".repeat(40_000);
    let id = repo.new_record("Big", &["--summary", &big]);
    assert_eq!(s(&repo.record(&id), "summary").chars().count(), 40_000);
    let mut args: Vec<String> = vec![
        "analyze".into(),
        id.clone(),
        "--root-cause".into(),
        "x".into(),
    ];
    for i in 0..200 {
        args.push("--lesson".into());
        args.push(format!("lesson {i} \"quoted\" 'single' \\ back"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    repo.ok(&args);
    let lessons = sub(&repo.record(&id), "analysis")["lessons"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(lessons.len(), 200);
    assert_eq!(
        lessons[7].as_str(),
        Some("lesson 7 \"quoted\" 'single' \\ back")
    );
}

#[test]
fn comments_and_layout_written_by_hand_survive_every_command() {
    let repo = TestRepo::new();
    let id = repo.new_record("Keep my notes", &[]);
    let path = repo.record_path(&id);
    let text = repo.show(&path);
    let text = text.replace(
        "summary = \"\"",
        "# Written at 3am, sorry\nsummary = \"draft\" # to be improved\ncustom_field = \"ours\"",
    );
    repo.commit_file(
        &path,
        &format!("{text}\n# trailing thoughts\n"),
        "hand edit",
    );
    repo.ok(&["assign", &id, "me"]);
    repo.ok(&[
        "update",
        &id,
        "--summary",
        "better",
        "--started",
        "2026-11-23 09:00",
    ]);
    repo.ok(&["analyze", &id, "--root-cause", "rc", "--action", "fix"]);
    let after = repo.show(&path);
    for kept in [
        "# Written at 3am, sorry\nsummary = \"better\" # to be improved",
        "custom_field = \"ours\"",
        "# trailing thoughts",
    ] {
        assert!(after.contains(kept), "lost {kept:?}:\n{after}");
    }
}

#[test]
fn a_malformed_config_is_an_error_with_its_place() {
    let repo = TestRepo::new();
    repo.commit_file(
        "postmortems/config.toml",
        "severities = [\"P1\", \"P2\"]\nreview_dayz = 3\n",
        "config",
    );
    let err = repo.fails(1, &["list"]);
    assert!(
        err.contains("postmortems/config.toml:2:1") && err.contains("review_dayz"),
        "{err}"
    );
    repo.commit_file(
        "postmortems/config.toml",
        "severities = [\"P1\", \"P2\"]\n",
        "config fixed",
    );
    let id = repo.new_record("custom levels", &["--severity", "p1"]);
    assert_eq!(s(&repo.record(&id), "severity"), "P1");
}

/// Without git the error says to install it; with a `git` that cannot be
/// started for another reason (here: not executable) it says that reason
/// and does not send the person looking for git on PATH.
#[test]
fn a_git_that_cannot_start_is_named_and_only_a_missing_one_is_a_path_problem() {
    use std::os::unix::fs::PermissionsExt;
    let repo = TestRepo::new();
    let empty = tempfile::tempdir().unwrap();
    let run = |path: &std::path::Path| {
        repo.cmd_in(repo.path())
            .env("PATH", path)
            .args(["postmortem", "list"])
            .output()
            .unwrap()
    };
    let missing = run(empty.path());
    let err = String::from_utf8_lossy(&missing.stderr);
    assert_eq!(missing.status.code(), Some(1), "{err}");
    assert!(err.starts_with("error: cannot run git"), "{err}");
    assert!(err.contains("needs the git command on PATH"), "{err}");

    let git = empty.path().join("git");
    std::fs::write(&git, "#!/bin/sh\n").unwrap();
    std::fs::set_permissions(&git, std::fs::Permissions::from_mode(0o644)).unwrap();
    let unusable = run(empty.path());
    let err = String::from_utf8_lossy(&unusable.stderr);
    assert_eq!(unusable.status.code(), Some(1), "{err}");
    assert!(err.starts_with("error: cannot run git"), "{err}");
    assert!(!err.contains("on PATH"), "{err}");
}
