//! Sharing through git on a team's first day: a bare remote and clones
//! that never ran `init`. Each test checks both clones and the remote with
//! the git CLI.

use crate::support::*;
use crate::team::*;

impl Team {
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
    // Sync merges in-process: no merge driver, nothing set up or committed.
    for clone in [&t.alice, &t.bob] {
        assert!(!clone.path().join(".git/info/attributes").exists());
        let driver =
            clone.git_output_in(clone.path(), &["config", "merge.devops-postmortem.driver"]);
        assert!(!driver.status.success(), "no driver registered");
    }
    // Every commit on the records branch touches one file.
    for c in t
        .alice
        .git(&["rev-list", "--no-merges", "postmortems"])
        .lines()
    {
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
    let head = t.bob.git(&["rev-parse", "postmortems"]);
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
        assert!(err.contains("nothing was written"), "{err}");
        assert_eq!(
            t.bob.git(&["rev-parse", "postmortems"]),
            bob_head,
            "Bob's records branch is as it was"
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
    p.exp_string("synced postmortems with origin/postmortems")
        .unwrap();
    p.exp_eof().unwrap();
    t.alice.ok(&["sync"]);
    t.all_agree();
    for clone in [&t.alice, &t.bob] {
        assert_eq!(s(&clone.record(&id), "severity"), "SEV2");
    }
}

/// Bob keeps the records branch checked out in a work tree of its own
/// and merges with a plain `git pull` there.
fn bob_pulls_in_a_work_tree(
    t: &Team,
    rebase: &str,
    path_var: &std::ffi::OsStr,
) -> (String, std::path::PathBuf, std::process::Output) {
    let (id, _) = contested(t);
    let wt = t.bob.home.path().join("pm");
    t.bob
        .git(&["worktree", "add", "-q", wt.to_str().unwrap(), "postmortems"]);
    t.bob
        .git_in(&wt, &["branch", "--set-upstream-to", "origin/postmortems"]);
    t.bob.ok(&["init"]);
    let out = std::process::Command::new("git")
        .current_dir(&wt)
        .env_clear()
        .env("PATH", path_var)
        .env("HOME", t.bob.home.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("LC_ALL", "C")
        .args(["pull", "-q", rebase])
        .output()
        .unwrap();
    (id, wt, out)
}

#[test]
fn a_plain_git_pull_reports_the_conflict_to_git() {
    for rebase in ["--no-rebase", "--rebase"] {
        let t = team();
        let (id, wt, out) = bob_pulls_in_a_work_tree(&t, rebase, &path_with_devops());
        assert!(!out.status.success(), "{rebase}: git pull must fail");
        let path = t.bob.record_path(&id);
        let text = std::fs::read_to_string(wt.join(&path)).unwrap();
        assert!(text.contains("<<<<<<< ours\n"), "{rebase}: {text}");
        assert!(text.contains("severity = \"SEV"), "{rebase}: {text}");
        assert!(text.contains(">>>>>>> theirs\n"), "{rebase}: {text}");
        let marked = text
            .lines()
            .filter(|l| l.starts_with("severity = "))
            .count();
        assert_eq!(marked, 2, "{rebase}: only the field is marked: {text}");
        let status = t.bob.git_in(&wt, &["status", "--porcelain"]);
        assert!(status.contains(&format!("UU {path}")), "{rebase}: {status}");
        // `check` in that work tree names the record and the conflict.
        let out = t.bob.pm_in(&wt, &["check"]);
        assert_eq!(out.status.code(), Some(1));
        let said = format!("{}{}", stdout(&out), stderr(&out));
        assert!(
            said.contains(&path) && said.contains("merge conflict"),
            "{said}"
        );
        // Bob's code work tree saw none of it.
        assert_eq!(t.bob.status_porcelain(), "");
    }
}

/// A driver registered by `init`, then run by git from an IDE whose PATH
/// lacks `devops`: git's own line merge leaves markers, so no side is lost
/// silently once the person runs `git add`.
#[test]
fn a_plain_git_pull_without_devops_on_path_leaves_markers() {
    let t = team();
    let bare_path = std::ffi::OsString::from("/usr/local/bin:/usr/bin:/bin");
    assert!(
        !std::process::Command::new("sh")
            .args(["-c", "command -v devops"])
            .env("PATH", &bare_path)
            .status()
            .unwrap()
            .success(),
        "devops must not be on that PATH"
    );
    let (id, wt, out) = bob_pulls_in_a_work_tree(&t, "--no-rebase", &bare_path);
    assert!(!out.status.success(), "the merge must stop");
    let path = t.bob.record_path(&id);
    let text = std::fs::read_to_string(wt.join(&path)).unwrap();
    assert!(text.contains("<<<<<<< ours"), "{text}");
    assert!(text.contains(">>>>>>> theirs"), "{text}");
    assert!(
        text.contains("severity = \"SEV1\"") && text.contains("severity = \"SEV4\""),
        "both sides are there: {text}"
    );
    assert!(text.contains("Bob's words"), "{text}");
    let driver = t.bob.git(&["config", "merge.devops-postmortem.driver"]);
    assert!(driver.contains("git merge-file"), "{driver}");
}

#[test]
fn a_protected_branch_is_said_and_the_review_branch_route_works() {
    let t = team();
    let hook = t.remote.path().join("hooks/pre-receive");
    std::fs::write(
        &hook,
        "#!/bin/sh\nwhile read old new ref; do\n  if [ \"$ref\" = refs/heads/postmortems ]; then\n    echo \"postmortems is protected: open a pull request\" >&2\n    exit 1\n  fi\ndone\n",
    )
    .unwrap();
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let id = t.alice.new_record("Needs review", &[]);
    let head = t.alice.git(&["rev-parse", "postmortems"]);
    let err = t.alice.fails(1, &["sync"]);
    assert!(err.contains("refused the push to postmortems"), "{err}");
    assert!(err.contains("pre-receive hook declined"), "{err}");
    assert!(
        err.contains("postmortems is protected: open a pull request"),
        "git's words, whole: {err}"
    );
    assert_eq!(
        t.alice.git(&["rev-parse", "postmortems"]),
        head,
        "nothing lost"
    );

    let command = hint_command(&err, "hint: send them for review on a branch instead: ");
    assert_eq!(
        command,
        "devops postmortem sync --branch pm-review/alice-2026-11-24"
    );
    let out = run_pasted(&t.alice, &command);
    assert!(out.status.success(), "{}", stderr(&out));
    let pushed = t.remote_git(&["rev-parse", "pm-review/alice-2026-11-24"]);
    assert_eq!(pushed, head, "the commits are on the review branch");
    assert!(
        !t.remote_git(&["branch", "--list", "postmortems"])
            .contains("postmortems"),
        "the records branch is not there yet"
    );

    // The team merges the pull request on the server.
    t.remote_git(&["update-ref", "refs/heads/postmortems", pushed.trim()]);
    t.remote_git(&["update-ref", "-d", "refs/heads/pm-review/alice-2026-11-24"]);
    let out = t.alice.pm(&["sync"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("review branch pm-review/alice-2026-11-24 has been merged"),
        "{}",
        stderr(&out)
    );
    t.bob.ok(&["sync"]);
    t.all_agree();
    assert_eq!(s(&t.bob.record(&id), "title"), "Needs review");
}

#[test]
fn a_fixes_trailer_closes_items_once_on_the_teams_branch() {
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
    // Merged into main here but not pushed: not the team's yet.
    t.alice.git(&["switch", "-q", "main"]);
    t.alice.git(&["merge", "-q", "--no-edit", "feature"]);
    t.alice.ok(&["sync"]);
    assert_eq!(status(&t.alice), "open", "main is not pushed yet");
    // Pushed: origin/main has it, the next sync closes the item and shares that.
    t.alice.git(&["push", "-q", "origin", "main"]);
    t.alice.ok(&["sync"]);
    assert_eq!(status(&t.alice), "done");
    t.bob.git(&["pull", "-q", "--ff-only"]);
    t.bob.ok(&["sync"]);
    assert_eq!(status(&t.bob), "done");
    t.all_agree();
}

#[test]
fn sync_without_a_remote_says_how_to_add_one() {
    let repo = TestRepo::new();
    repo.new_record("Alone", &[]);
    let err = repo.fails(1, &["sync"]);
    assert!(
        err.contains("no remote") && err.contains("git remote add origin URL"),
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

/// A `git fetch` killed during sync leaves git's lock on the tracking ref:
/// the next sync names it, and the `rm` it prints (once no git runs)
/// lets sync go on.
#[test]
fn a_stale_lock_left_by_a_killed_fetch_is_named_with_its_rm() {
    let t = team();
    t.alice.new_record("Alice's", &[]);
    t.alice.ok(&["sync"]);
    t.bob.new_record("Bob's", &[]);
    t.bob.ok(&["sync"]);
    let lock = t
        .alice
        .path()
        .join(".git/refs/remotes/origin/postmortems.lock");
    std::fs::write(&lock, "").unwrap();
    let err = t.alice.fails(1, &["sync"]);
    assert!(err.contains("nothing was written"), "{err}");
    let command = hint_command(&err, "hint: if none is, the lock is stale: ");
    let out = run_pasted(&t.alice, &command);
    assert!(out.status.success(), "{command}: {}", stderr(&out));
    assert!(!lock.exists());
    t.alice.ok(&["sync"]);
    t.all_agree();
}
