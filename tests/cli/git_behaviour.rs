//! How writes meet git: one commit of one file on the records branch, the
//! user's HEAD, index and work tree untouched whatever state they are in.

use crate::support::*;

/// Every write command: exactly one commit, touching exactly one file,
/// with both trailers, authored by the user; `git status` unchanged.
#[test]
fn every_write_is_one_commit_of_one_file_with_trailers() {
    let repo = TestRepo::new();
    let id = repo.new_record("Every verb", &[]);
    let path = repo.record_path(&id);
    let item = format!("{id}#1");
    let item2 = format!("{id}#2");
    let steps: Vec<(&str, Vec<&str>)> = vec![
        ("assign", vec!["assign", &id, "Bob"]),
        ("update", vec!["update", &id, "--severity", "SEV1"]),
        (
            "timeline",
            vec!["timeline", "add", &id, "--at", "09:00", "paged"],
        ),
        (
            "analyze",
            vec!["analyze", &id, "--root-cause", "x", "--action", "a1"],
        ),
        ("action-add", vec!["action", "add", &id, "a2"]),
        ("action-done", vec!["action", "done", &item]),
        (
            "action-wontfix",
            vec!["action", "wontfix", &item2, "--reason", "no"],
        ),
        (
            "close",
            vec!["close", &id, "-m", "Reviewed in the daily meeting"],
        ),
        ("reopen", vec!["reopen", &id, "--reason", "more to learn"]),
    ];
    let subjects = [
        ("assign", format!("postmortem: assign {id} to Bob")),
        ("update", format!("postmortem: {id} severity SEV3 → SEV1")),
        ("close", format!("postmortem: close {id} Every verb")),
    ];
    for (verb, args) in steps {
        let before = repo.commit_count();
        repo.ok(&args);
        assert_eq!(repo.commit_count(), before + 1, "{verb}");
        assert_eq!(repo.head_files(), vec![path.clone()], "{verb}");
        let msg = repo.head_message();
        let subject = msg.lines().next().unwrap();
        match subjects.iter().find(|(v, _)| *v == verb) {
            Some((_, expected)) => assert_eq!(subject, expected, "{verb}"),
            None => assert!(
                subject.starts_with("postmortem: ") && subject.contains(&id),
                "{verb}: {msg}"
            ),
        }
        assert!(
            msg.contains(&format!("\nPostmortem-Id: {id}\n")),
            "{verb}: {msg}"
        );
        assert!(
            msg.contains(&format!("\nPostmortem-Action: {verb}\n")),
            "{verb}: {msg}"
        );
        assert_eq!(
            repo.git(&["log", "-1", "--format=%an <%ae>|%cn", "postmortems"])
                .trim(),
            "Alice Kim <alice@example.com>|Alice Kim"
        );
        assert_eq!(repo.status_porcelain(), "", "{verb}");
    }
    // The trailers are real git trailers.
    let trailers = repo.git(&[
        "log",
        "-1",
        "--format=%(trailers:key=Postmortem-Action,valueonly)",
        "postmortems",
    ]);
    assert_eq!(trailers.trim(), "reopen");
    assert!(
        repo.git(&["log", "--format=%B", "-2", "postmortems"])
            .contains("Reviewed in the daily meeting")
    );
    // The code's branch saw none of it.
    assert_eq!(repo.git(&["rev-list", "--count", "main"]).trim(), "1");
}

#[test]
fn the_users_staged_and_unstaged_work_stays_as_it_was() {
    let repo = TestRepo::new();
    repo.write("main.rs", "fn main() { staged() }\n");
    repo.git(&["add", "main.rs"]);
    repo.write("main.rs", "fn main() { staged(); unstaged() }\n");
    repo.write("notes.txt", "untracked\n");
    let status_before = repo.status_porcelain();
    let staged_before = repo.git(&["diff", "--cached"]);

    let index_before = std::fs::read(repo.path().join(".git/index")).unwrap();
    let head_before = repo.git(&["rev-parse", "HEAD"]);

    let id = repo.new_record("While you were coding", &[]);
    repo.ok(&["assign", &id, "me"]);
    assert_eq!(repo.head_files(), [repo.record_path(&id)]);
    assert!(
        !repo
            .git(&["log", "--name-only", "--format=", "postmortems"])
            .contains("main.rs")
    );
    assert_eq!(repo.status_porcelain(), status_before);
    assert_eq!(repo.git(&["diff", "--cached"]), staged_before);
    assert_eq!(repo.read("main.rs"), "fn main() { staged(); unstaged() }\n");
    assert_eq!(
        std::fs::read(repo.path().join(".git/index")).unwrap(),
        index_before,
        "the index is byte for byte as it was"
    );
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head_before);
    assert!(
        !repo.path().join("postmortems").exists(),
        "nothing in the work tree"
    );
}

#[test]
fn works_from_a_subdirectory() {
    let repo = TestRepo::new();
    let deep = repo.subdir("src/deep/er");
    let out = repo.pm_in(&deep, &["new", "--title", "From below"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let id = stdout(&out).trim().to_string();
    assert!(repo.record_path(&id).starts_with("postmortems/"));
    let out = repo.pm_in(&deep, &["assign", &id, "me"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(repo.status_porcelain(), "");
}

#[test]
fn works_in_a_linked_worktree() {
    let repo = TestRepo::new();
    let wt = repo.home.path().join("wt");
    repo.git(&["worktree", "add", "-q", "-b", "side", wt.to_str().unwrap()]);
    let out = repo.pm_in(&wt, &["new", "--title", "From a worktree"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let id = stdout(&out).trim().to_string();
    let files = repo.git(&["show", "--name-only", "--format=", "postmortems"]);
    assert!(files.contains(&id), "{files}");
    for branch in ["main", "side"] {
        assert!(
            !repo
                .git(&["log", "--format=%s", branch])
                .contains("postmortem"),
            "{branch}"
        );
    }
    // Seen from the main work tree too.
    assert!(repo.ok(&["list", "--json"]).contains(&id));
    assert_eq!(repo.git_in(&wt, &["status", "--porcelain"]), "");
    assert_eq!(repo.status_porcelain(), "");
}

#[test]
fn works_in_an_empty_repository() {
    let repo = TestRepo::bare_init();
    repo.git(&["config", "user.name", "First Person"]);
    repo.git(&["config", "user.email", "first@example.com"]);
    let id = repo.new_record("The very first commit", &[]);
    assert_eq!(repo.commit_count(), 1);
    assert_eq!(
        repo.git(&["log", "--format=%P", "postmortems"]).trim(),
        "",
        "a root commit"
    );
    assert!(
        repo.git_output_in(repo.path(), &["rev-parse", "-q", "--verify", "HEAD"])
            .stdout
            .is_empty(),
        "the user's own first commit is still to come"
    );
    assert_eq!(repo.head_files(), [repo.record_path(&id)]);
    assert_eq!(repo.status_porcelain(), "");
}

/// Writes move only the records branch, so the state the user's own work
/// tree is in does not matter: a detached HEAD, a merge or a rebase in
/// progress, a bare repository. Each is left exactly as it was.
#[test]
fn writes_work_detached_merging_rebasing_and_bare_and_leave_that_state_alone() {
    // Outside any repository.
    let outside = TestRepo::new();
    let nowhere = tempfile::tempdir().unwrap();
    let out = outside.pm_in(nowhere.path(), &["new", "--title", "x"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("not inside a git repository"),
        "{}",
        stderr(&out)
    );

    // Bare: the records branch needs no work tree.
    let bare = tempfile::tempdir().unwrap();
    outside.git_in(bare.path(), &["init", "-q", "--bare"]);
    outside.git_in(bare.path(), &["config", "user.name", "Server"]);
    outside.git_in(bare.path(), &["config", "user.email", "server@example.com"]);
    let out = outside.pm_in(bare.path(), &["new", "--title", "On a server"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let files = outside.git_in(
        bare.path(),
        &["ls-tree", "-r", "--name-only", "postmortems"],
    );
    assert!(files.contains(stdout(&out).trim()), "{files}");

    // Detached HEAD.
    let repo = TestRepo::new();
    let id = repo.new_record("Detach me", &[]);
    repo.git(&["checkout", "-q", "--detach"]);
    let before = repo.commit_count();
    repo.ok(&["assign", &id, "me"]);
    assert_eq!(repo.commit_count(), before + 1);
    assert_eq!(
        repo.git(&["rev-parse", "--abbrev-ref", "HEAD"]).trim(),
        "HEAD"
    );
    repo.git(&["checkout", "-q", "main"]);

    // A merge in progress, with its conflict: untouched.
    repo.git(&["checkout", "-q", "-b", "other"]);
    repo.write("main.rs", "other\n");
    repo.git(&["commit", "-qam", "other"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.write("main.rs", "mine\n");
    repo.git(&["commit", "-qam", "mine"]);
    let _ = repo.git_output_in(repo.path(), &["merge", "-q", "other"]);
    let status = repo.status_porcelain();
    assert!(status.contains("UU main.rs"), "{status}");
    let conflicted = repo.read("main.rs");
    let before = repo.commit_count();
    repo.ok(&["update", &id, "--severity", "SEV1"]);
    assert_eq!(repo.commit_count(), before + 1);
    assert_eq!(repo.status_porcelain(), status);
    assert_eq!(repo.read("main.rs"), conflicted);
    assert!(repo.path().join(".git/MERGE_HEAD").exists());
    repo.git(&["merge", "--abort"]);

    // A rebase in progress, stopped at its conflict: untouched.
    let _ = repo.git_output_in(repo.path(), &["rebase", "-q", "other"]);
    assert!(repo.path().join(".git/rebase-merge").exists());
    let status = repo.status_porcelain();
    repo.new_record("Mid-rebase", &[]);
    assert_eq!(repo.status_porcelain(), status);
    assert!(repo.path().join(".git/rebase-merge").exists());
    repo.git(&["rebase", "--abort"]);
}

#[test]
fn a_missing_identity_is_an_error_showing_the_two_commands() {
    let repo = TestRepo::bare_init();
    let err = repo.fails(1, &["new", "--title", "Who am I"]);
    assert!(err.contains("no git identity"), "{err}");
    assert!(err.contains("git config --global user.name"), "{err}");
    assert!(err.contains("git config --global user.email"), "{err}");
    assert_eq!(
        repo.git(&["status", "--porcelain", "--untracked-files=all"]),
        ""
    );
    // GIT_AUTHOR_* and GIT_COMMITTER_* are enough, as for git.
    let out = repo
        .cmd_in(repo.path())
        .env("GIT_AUTHOR_NAME", "Env Person")
        .env("GIT_AUTHOR_EMAIL", "env@example.com")
        .env("GIT_COMMITTER_NAME", "Env Person")
        .env("GIT_COMMITTER_EMAIL", "env@example.com")
        .args(["postmortem", "new", "--title", "From env"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        repo.git(&["log", "-1", "--format=%an", "postmortems"])
            .trim(),
        "Env Person"
    );
}

/// Where the records branch is checked out (here in a linked work tree),
/// a record the user edited there is theirs: never overwritten, never
/// committed by the tool, staged or not.
#[test]
fn the_users_uncommitted_edit_of_a_record_is_never_overwritten() {
    let repo = TestRepo::new();
    let id = repo.new_record("Hand edited", &[]);
    let path = repo.record_path(&id);
    let wt = repo.home.path().join("pm");
    repo.git(&["worktree", "add", "-q", wt.to_str().unwrap(), "postmortems"]);
    let file = wt.join(&path);
    let mine = std::fs::read_to_string(&file)
        .unwrap()
        .replace("summary = \"\"", "summary = \"my draft\"");
    std::fs::write(&file, &mine).unwrap();
    let before = repo.commit_count();
    let err = repo.fails(1, &["assign", &id, "me"]);
    assert!(
        err.contains(&path) && err.contains("not committed") && err.contains("unstaged"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), mine);
    assert_eq!(repo.commit_count(), before);
    // Staged but not committed: the same.
    repo.git_in(&wt, &["add", &path]);
    let err = repo.fails(1, &["assign", &id, "me"]);
    assert!(err.contains("staged"), "{err}");
    assert_eq!(
        repo.git_in(&wt, &["diff", "--cached", "--name-only"])
            .trim(),
        path
    );
    // Once committed by hand, the tool builds on it, and the work tree follows.
    repo.git_in(&wt, &["commit", "-qm", "draft"]);
    repo.ok(&["assign", &id, "me"]);
    let now = std::fs::read_to_string(&file).unwrap();
    assert!(
        now.contains("my draft") && now.contains("Alice Kim"),
        "{now}"
    );
    assert_eq!(repo.git_in(&wt, &["status", "--porcelain"]), "");
    assert_eq!(repo.show(&path), now);
}

#[test]
fn two_clones_make_different_ids_and_prefixes_find_records() {
    let repo = TestRepo::new();
    let a = repo.new_record("First", &[]);
    let b = repo.new_record("Second", &[]);
    assert_ne!(a, b);
    // The random part alone, and any unique prefix, find a record.
    let show = repo.ok(&["show", &a[12..17], "--json"]);
    assert!(show.contains(&a));
    let show = repo.ok(&["show", &a.to_lowercase(), "--json"]);
    assert!(show.contains(&a));
    // An ambiguous prefix lists the candidates.
    let err = repo.fails(1, &["show", "PM-2026"]);
    assert!(
        err.contains("matches 2 post-mortems") && err.contains(&a) && err.contains(&b),
        "{err}"
    );
    let err = repo.fails(1, &["show", "PM-2030"]);
    assert!(err.contains("no post-mortem matches"), "{err}");
}

/// The person's `GIT_INDEX_FILE` names the index of the work tree they
/// stand in; a write to the records branch checked out in a linked work
/// tree stages in that work tree's own index, and the person's index is
/// byte-identical afterwards.
#[test]
fn the_persons_index_file_is_not_the_linked_records_work_trees() {
    let repo = TestRepo::new();
    let id = repo.new_record("Index of my own", &[]);
    let wt = repo.records_worktree();
    std::fs::write(repo.path().join("mine.rs"), "fn mine() {}\n").unwrap();
    repo.git(&["add", "mine.rs"]);
    let index = repo.path().join(".git/index");
    let before = std::fs::read(&index).unwrap();
    let out = repo
        .cmd_in(repo.path())
        .env("GIT_INDEX_FILE", ".git/index")
        .args(["postmortem", "assign", &id, "bob"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        std::fs::read(&index).unwrap(),
        before,
        "the person's index changed"
    );
    assert_eq!(repo.git(&["status", "--porcelain"]), "A  mine.rs\n");
    assert_eq!(repo.git_in(&wt, &["status", "--porcelain"]), "");
    let file = std::fs::read_to_string(wt.join(repo.record_path(&id))).unwrap();
    assert!(file.contains("bob"), "{file}");
}
