//! Sharing through git on a team's first day: a bare remote and clones
//! that never ran `init`. Each test checks both clones and the remote with
//! the git CLI.

use crate::support::*;

/// A bare remote and two clones (Alice's and Bob's), nobody ran `init`.
struct Team {
    remote: tempfile::TempDir,
    alice: TestRepo,
    bob: TestRepo,
}

fn clone_of(remote: &std::path::Path, name: &str, email: &str) -> TestRepo {
    let repo = TestRepo::bare_init();
    std::fs::remove_dir_all(repo.path().join(".git")).unwrap();
    repo.git(&["clone", "-q", remote.to_str().unwrap(), "."]);
    repo.git(&["config", "user.name", name]);
    repo.git(&["config", "user.email", email]);
    repo
}

fn team() -> Team {
    let seed = TestRepo::new();
    let remote = tempfile::tempdir().unwrap();
    seed.git(&[
        "init",
        "-q",
        "--bare",
        "-b",
        "main",
        remote.path().to_str().unwrap(),
    ]);
    seed.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    seed.git(&["push", "-q", "-u", "origin", "main"]);
    let alice = clone_of(remote.path(), "Alice Kim", "alice@example.com");
    let bob = clone_of(remote.path(), "Bob Lee", "bob@example.com");
    Team { remote, alice, bob }
}

impl Team {
    fn remote_git(&self, args: &[&str]) -> String {
        let mut all = vec!["--git-dir", self.remote.path().to_str().unwrap()];
        all.extend_from_slice(args);
        self.alice.git(&all)
    }

    /// Both clones and the remote agree on the branch, and are clean.
    fn all_agree(&self) {
        let remote = self.remote_git(&["rev-parse", "main"]);
        assert_eq!(
            self.alice.git(&["rev-parse", "HEAD"]),
            remote,
            "Alice = remote"
        );
        assert_eq!(self.bob.git(&["rev-parse", "HEAD"]), remote, "Bob = remote");
        for clone in [&self.alice, &self.bob] {
            assert_eq!(clone.status_porcelain(), "");
            assert_eq!(
                clone.git(&["ls-files", ".gitattributes"]),
                "",
                "nothing committed for set-up"
            );
        }
    }

    /// A record both have, synced.
    fn shared_record(&self) -> String {
        let id = self
            .alice
            .new_record("Shared incident", &["--severity", "SEV3"]);
        self.alice.ok(&["sync"]);
        self.bob.ok(&["sync"]);
        id
    }
}

fn list(r: &toml::Table, key: &[&str]) -> Vec<String> {
    let mut v = &toml::Value::Table(r.clone());
    for k in key {
        v = &v[k];
    }
    v.as_array()
        .map(|a| a.iter().map(|x| x.to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn different_fields_merge_in_clones_that_never_ran_init() {
    let t = team();
    let id = t.shared_record();
    t.alice.ok(&["update", &id, "--severity", "SEV1"]);
    t.alice.ok(&[
        "timeline",
        "add",
        &id,
        "--at",
        "2026-11-24 09:00",
        "alert from alice",
    ]);
    t.alice.ok(&[
        "action",
        "add",
        &id,
        "Alice's action",
        "--owner",
        "alice@example.com",
    ]);
    t.bob.ok(&["assign", &id, "me"]);
    t.bob.ok(&[
        "timeline",
        "add",
        &id,
        "--at",
        "2026-11-24 09:05",
        "page from bob",
    ]);
    t.bob.ok(&[
        "action",
        "add",
        &id,
        "Bob's action",
        "--owner",
        "bob@example.com",
    ]);
    t.bob.ok(&["update", &id, "--users-affected", "120"]);
    // Both stamped updated_at at the same and at different times; never a conflict.
    t.alice.ok(&["sync"]);
    let out = t.bob.pm(&["sync"]);
    assert!(out.status.success(), "{}", stderr(&out));
    t.alice.ok(&["sync"]);
    t.all_agree();
    for clone in [&t.alice, &t.bob] {
        let r = clone.record(&id);
        assert_eq!(s(&r, "severity"), "SEV1");
        assert_eq!(s(&r, "assignee"), "Bob Lee <bob@example.com>");
        assert_eq!(sub(&r, "impact")["users_affected"].as_integer(), Some(120));
        let timeline = list(&r, &["timeline"]);
        assert_eq!(timeline.len(), 2, "{timeline:?}");
        let actions = r["action_items"].as_array().unwrap();
        let mut numbers: Vec<i64> = actions
            .iter()
            .map(|a| a["n"].as_integer().unwrap())
            .collect();
        numbers.sort();
        assert_eq!(numbers, [1, 2], "both actions, renumbered apart");
    }
    // The set-up is local to each clone: attributes and config, nothing committed.
    for clone in [&t.alice, &t.bob] {
        let attrs = std::fs::read_to_string(clone.path().join(".git/info/attributes")).unwrap();
        assert!(
            attrs.contains("postmortems/**/*.toml merge=devops-postmortem"),
            "{attrs}"
        );
        let driver = clone.git(&["config", "merge.devops-postmortem.driver"]);
        assert_eq!(driver.trim(), "devops postmortem merge-driver %O %A %B %P");
    }
    // Every non-merge commit still touches one file.
    for c in t.alice.git(&["rev-list", "--no-merges", "HEAD"]).lines() {
        let files = t.alice.git(&["show", "--name-only", "--format=", c]);
        assert_eq!(files.lines().count(), 1, "{c}: {files}");
    }
}

/// Alice and Bob set the same field two ways; Alice syncs first.
fn contested(t: &Team) -> (String, String) {
    let id = t.shared_record();
    t.alice.ok(&["update", &id, "--severity", "SEV1"]);
    t.alice.ok(&["sync"]);
    t.bob.ok(&["update", &id, "--severity", "SEV4"]);
    t.bob.ok(&["update", &id, "--summary", "Bob's words"]);
    let head = t.bob.git(&["rev-parse", "HEAD"]);
    (id, head)
}

fn hint_command(err: &str, start: &str) -> String {
    err.lines()
        .find_map(|l| l.strip_prefix(start))
        .unwrap_or_else(|| panic!("no hint '{start}' in: {err}"))
        .trim()
        .to_string()
}

fn run_pasted(repo: &TestRepo, command: &str) -> std::process::Output {
    repo.sh(command)
}

#[test]
fn a_real_conflict_stops_untouched_and_the_printed_command_settles_it() {
    for (hint, expected) in [
        ("hint: keep theirs everywhere: ", "SEV1"),
        ("hint: keep yours everywhere: ", "SEV4"),
        ("hint: or field by field: ", "SEV4"),
    ] {
        let t = team();
        let (id, bob_head) = contested(&t);
        let err = t.bob.fails(1, &["sync"]);
        assert!(
            err.contains(&format!(
                "{id} Shared incident: severity: yours SEV4, theirs SEV1"
            )),
            "{err}"
        );
        assert!(err.contains("nothing was changed"), "{err}");
        assert_eq!(
            t.bob.git(&["rev-parse", "HEAD"]),
            bob_head,
            "Bob's branch is as it was"
        );
        assert_eq!(t.bob.status_porcelain(), "");
        assert!(!t.bob.path().join(".git/rebase-merge").exists());

        let command = hint_command(&err, hint);
        let out = run_pasted(&t.bob, &command);
        assert!(out.status.success(), "{command}: {}", stderr(&out));
        t.alice.ok(&["sync"]);
        t.all_agree();
        for clone in [&t.alice, &t.bob] {
            let r = clone.record(&id);
            assert_eq!(s(&r, "severity"), expected, "{command}");
            assert_eq!(
                s(&r, "summary"),
                "Bob's words",
                "the rest of Bob's work survives"
            );
        }
    }
}

#[test]
fn a_real_conflict_is_asked_on_a_terminal() {
    let t = team();
    let (id, _) = contested(&t);
    let mut p = t.bob.pty(&["sync"]);
    p.exp_string("severity was changed here and by a teammate")
        .unwrap();
    p.exp_string("keep yours:  SEV4").unwrap();
    p.exp_string("take theirs: SEV1").unwrap();
    key(&mut p, "\x1b[B"); // down
    key(&mut p, "\x1b[B"); // down: type a new value
    key(&mut p, "\r");
    p.exp_string("New value for severity").unwrap();
    key(&mut p, "SEV2\r");
    p.exp_string("synced with origin/main").unwrap();
    p.exp_eof().unwrap();
    t.alice.ok(&["sync"]);
    t.all_agree();
    for clone in [&t.alice, &t.bob] {
        assert_eq!(s(&clone.record(&id), "severity"), "SEV2");
    }
}

#[test]
fn a_plain_git_pull_reports_the_conflict_to_git() {
    for rebase in ["--no-rebase", "--rebase"] {
        let t = team();
        let (id, _) = contested(&t);
        let path = t.bob.record_path(&id);
        let out = t.bob.git_output_in(t.bob.path(), &["pull", "-q", rebase]);
        assert!(!out.status.success(), "{rebase}: git pull must fail");
        let text = t.bob.read(&path);
        assert!(text.contains("<<<<<<< ours\n"), "{rebase}: {text}");
        assert!(text.contains("severity = \"SEV"), "{rebase}: {text}");
        assert!(text.contains(">>>>>>> theirs\n"), "{rebase}: {text}");
        let marked = text
            .lines()
            .filter(|l| l.starts_with("severity = "))
            .count();
        assert_eq!(marked, 2, "{rebase}: only the field is marked: {text}");
        let status = t.bob.git(&["status", "--porcelain"]);
        assert!(status.contains(&format!("UU {path}")), "{rebase}: {status}");
        // Read commands and check say which record.
        let out = t.bob.pm(&["list"]);
        assert!(
            stderr(&out).contains(&path) && stderr(&out).contains("merge conflict"),
            "{}",
            stderr(&out)
        );
        let err = t.bob.fails(1, &["check"]);
        assert!(
            err.contains(&path) || stdout(&t.bob.pm(&["check"])).contains(&path),
            "{err}"
        );
    }
}

#[test]
fn a_protected_branch_is_said_and_the_review_branch_route_works() {
    let t = team();
    let hook = t.remote.path().join("hooks/pre-receive");
    std::fs::write(
        &hook,
        "#!/bin/sh\nwhile read old new ref; do\n  if [ \"$ref\" = refs/heads/main ]; then\n    echo \"main is protected: open a pull request\" >&2\n    exit 1\n  fi\ndone\n",
    )
    .unwrap();
    std::os::unix::fs::PermissionsExt::set_mode(
        &mut std::fs::metadata(&hook).unwrap().permissions(),
        0o755,
    );
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let id = t.alice.new_record("Needs review", &[]);
    let head = t.alice.git(&["rev-parse", "HEAD"]);
    let err = t.alice.fails(1, &["sync"]);
    assert!(err.contains("refused the push to main"), "{err}");
    assert!(err.contains("pre-receive hook declined"), "{err}");
    assert!(
        err.contains("main is protected: open a pull request"),
        "git's words, whole: {err}"
    );
    assert_eq!(t.alice.git(&["rev-parse", "HEAD"]), head, "nothing lost");

    let command = hint_command(&err, "hint: send them for review on a branch instead: ");
    assert_eq!(
        command,
        "devops postmortem sync --branch postmortems/alice-2026-11-24"
    );
    let out = run_pasted(&t.alice, &command);
    assert!(out.status.success(), "{}", stderr(&out));
    let pushed = t.remote_git(&["rev-parse", "postmortems/alice-2026-11-24"]);
    assert_eq!(pushed, head, "the commits are on the review branch");
    assert_ne!(t.remote_git(&["rev-parse", "main"]), head, "main untouched");

    // The team merges the pull request on the server.
    t.remote_git(&["update-ref", "refs/heads/main", pushed.trim()]);
    t.remote_git(&[
        "update-ref",
        "-d",
        "refs/heads/postmortems/alice-2026-11-24",
    ]);
    let out = t.alice.pm(&["sync"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("review branch postmortems/alice-2026-11-24 has been merged"),
        "{}",
        stderr(&out)
    );
    t.bob.ok(&["sync"]);
    t.all_agree();
    assert!(t.bob.path().join(t.alice.record_path(&id)).exists());
}

#[test]
fn a_fixes_trailer_on_an_unshared_branch_closes_nothing() {
    let t = team();
    let id = t.alice.new_record("Fix me", &[]);
    t.alice.ok(&[
        "analyze",
        &id,
        "--root-cause",
        "rc",
        "--action",
        "Add retries",
    ]);
    t.alice.ok(&["sync"]);
    t.alice.git(&["switch", "-q", "-c", "feature"]);
    t.alice.commit_file(
        "main.rs",
        "fn main() { retry() }\n",
        &format!("Retry\n\nFixes-Postmortem: {id}#1"),
    );
    t.alice.git(&["switch", "-q", "main"]);
    t.alice.ok(&["sync"]);
    let status = |r: &TestRepo| {
        s(
            r.record(&id)["action_items"][0].as_table().unwrap(),
            "status",
        )
        .to_string()
    };
    assert_eq!(
        status(&t.alice),
        "open",
        "the fix is only on a local branch"
    );
    // Merged into the shared branch: the next sync closes it and shares that.
    t.alice.git(&["merge", "-q", "--no-edit", "feature"]);
    t.alice.ok(&["sync"]);
    assert_eq!(status(&t.alice), "done");
    t.bob.ok(&["sync"]);
    assert_eq!(status(&t.bob), "done");
    t.all_agree();
}

#[test]
fn sync_without_an_upstream_says_how_to_set_one() {
    let repo = TestRepo::new();
    let err = repo.fails(1, &["sync"]);
    assert!(
        err.contains("no upstream") && err.contains("git push -u origin HEAD"),
        "{err}"
    );
}

/// Found by a hostile tester: a removal, a correction and an edit after a
/// renumbering each survive `sync` when the teammate touched the same
/// record in other ways.
#[test]
fn removals_corrections_and_renumbered_edits_survive_sync() {
    let t = team();
    let id = t
        .alice
        .new_record("Busy record", &["--started", "2026-11-23 09:12"]);
    t.alice.ok(&["timeline", "add", &id, "--at", "09:30", "e1"]);
    t.alice
        .ok(&["timeline", "add", &id, "--at", "09:50", "e2 typo"]);
    t.alice.ok(&["sync"]);
    t.bob.ok(&["sync"]);
    // Alice: another field, a new entry, a new action.
    t.alice.ok(&["update", &id, "--title", "A title"]);
    t.alice.ok(&["timeline", "add", &id, "--at", "09:20", "e0"]);
    t.alice
        .ok(&["action", "add", &id, "A act", "--owner", "alice"]);
    t.alice.ok(&["sync"]);
    // Bob: removes e1, corrects e2, adds his own action #1 and edits it.
    t.bob.ok(&["timeline", "rm", &format!("{id}#1")]);
    t.bob
        .ok(&["timeline", "edit", &format!("{id}#1"), "--text", "e2 fixed"]);
    t.bob.ok(&["action", "add", &id, "B act", "--owner", "bo"]);
    t.bob
        .ok(&["action", "edit", &format!("{id}#1"), "--owner", "carol"]);
    let out = t.bob.pm(&["sync"]);
    assert!(out.status.success(), "{}", stderr(&out));
    t.alice.ok(&["sync"]);
    t.all_agree();
    for clone in [&t.alice, &t.bob] {
        let r = clone.record(&id);
        assert_eq!(s(&r, "title"), "A title");
        let mut texts: Vec<String> = r["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["text"].as_str().unwrap().to_string())
            .collect();
        texts.sort();
        assert_eq!(
            texts,
            ["e0", "e2 fixed"],
            "the removal and the correction survive"
        );
        let actions = r["action_items"].as_array().unwrap();
        let owner_of = |text: &str| {
            actions
                .iter()
                .find(|a| a["text"].as_str() == Some(text))
                .map(|a| {
                    (
                        a["n"].as_integer().unwrap(),
                        a["owner"].as_str().unwrap().to_string(),
                    )
                })
                .unwrap()
        };
        assert_eq!(
            owner_of("A act"),
            (1, "alice".into()),
            "the team's #1 keeps its number and owner"
        );
        assert_eq!(
            owner_of("B act"),
            (2, "carol".into()),
            "Bob's edit follows his renumbered item"
        );
    }
}
