//! Records on a branch of their own: what used to break when they rode on
//! the code's branch (each test fails on a build that commits records
//! onto the checked-out branch), and the move from that layout.

use crate::support::*;
use crate::team::*;

/// Commits on `main` that only this clone has: work in progress, a local
/// merge, an unreviewed hotfix.
fn unpushed_work(repo: &TestRepo) {
    repo.commit_file(
        "wip.rs",
        "// half done\n",
        "WIP: half-done feature, do not push",
    );
    repo.git(&["switch", "-q", "-c", "topic"]);
    repo.commit_file("topic.rs", "// topic\n", "topic work");
    repo.git(&["switch", "-q", "main"]);
    repo.git(&["merge", "-q", "--no-ff", "--no-edit", "topic"]);
    repo.commit_file("hotfix.rs", "// hotfix\n", "local hotfix");
}

#[test]
fn sync_never_pushes_the_users_code() {
    let t = team();
    unpushed_work(&t.alice);
    let remote_main = t.remote_git(&["rev-parse", "main"]);
    let alice_main = t.alice.git(&["rev-parse", "main"]);
    let id = t.alice.new_record("Checkout down", &[]);
    t.alice.ok(&["sync"]);
    assert_eq!(
        t.remote_git(&["rev-parse", "main"]),
        remote_main,
        "main on the remote"
    );
    assert_eq!(
        t.alice.git(&["rev-parse", "main"]),
        alice_main,
        "Alice's main"
    );
    assert_eq!(
        t.alice.git(&["rev-parse", "origin/main"]),
        remote_main,
        "nothing of main went out"
    );
    let pushed = t.remote_git(&["log", "--format=%s", "postmortems"]);
    assert!(pushed.contains(&id), "{pushed}");
    for wip in ["WIP", "topic", "hotfix", "Merge"] {
        assert!(!pushed.contains(wip), "{wip} reached the remote: {pushed}");
    }
    let shared = t.remote_git(&["ls-tree", "-r", "--name-only", "postmortems"]);
    assert!(
        shared.lines().all(|f| f.starts_with("postmortems/")),
        "{shared}"
    );
    t.bob.ok(&["sync"]);
    assert!(t.bob.ok(&["list", "--json"]).contains(&id));
    assert_eq!(t.bob.git(&["rev-parse", "main"]), remote_main);
}

#[test]
fn a_record_made_on_a_feature_branch_is_the_teams_and_stays_visible() {
    let t = team();
    t.alice.git(&["switch", "-q", "-c", "feature/x"]);
    let id = t.alice.new_record("Found while on a branch", &[]);
    assert_eq!(
        t.alice
            .git(&["log", "--format=%s", "feature/x"])
            .matches("postmortem")
            .count(),
        0,
        "not on the feature branch"
    );
    t.alice.git(&["switch", "-q", "main"]);
    assert!(
        t.alice.ok(&["list", "--json"]).contains(&id),
        "its author still sees it"
    );
    t.alice.git(&["switch", "-q", "feature/x"]);
    t.alice.ok(&["sync"]);
    t.bob.ok(&["sync"]);
    assert!(
        t.bob.ok(&["list", "--json"]).contains(&id),
        "the team sees it"
    );
    t.alice.git(&["switch", "-q", "main"]);
    t.all_agree();
}

#[test]
fn counters_changed_in_two_clones_add_up() {
    let t = team();
    let id = t.alice.new_record("Reports keep coming", &[]);
    t.alice.ok(&["update", &id, "--field-reports", "7"]);
    t.alice.ok(&["sync"]);
    t.bob.ok(&["sync"]);
    t.alice.ok(&["update", &id, "--field-reports", "+2"]);
    assert_eq!(
        t.alice.head_message().lines().next().unwrap(),
        format!("postmortem: {id} field reports 7 → 9")
    );
    t.bob.ok(&[
        "update",
        &id,
        "--field-reports",
        "+3",
        "--users-affected",
        "40",
    ]);
    t.alice.ok(&["sync"]);
    t.bob.ok(&["sync"]);
    t.alice.ok(&["sync"]);
    t.all_agree();
    for clone in [&t.alice, &t.bob] {
        let impact = sub(&clone.record(&id), "impact").clone();
        assert_eq!(impact["field_reports"].as_integer(), Some(12), "7 + 2 + 3");
        assert_eq!(impact["users_affected"].as_integer(), Some(40));
    }
}

#[test]
fn a_force_push_on_the_remote_is_followed_not_undone() {
    let t = team();
    let kept = t.alice.new_record("Real incident", &[]);
    t.alice.ok(&["sync"]);
    let mistake = t.alice.new_record("Filed by mistake", &[]);
    t.alice.ok(&["sync"]);
    t.bob.ok(&["sync"]);
    // Bob records his own meanwhile, unshared.
    let bobs = t.bob.new_record("Bob's incident", &[]);
    // The team takes the mistake back out with a force-push.
    t.alice
        .git(&["branch", "-f", "postmortems", "postmortems~1"]);
    t.alice.git(&["push", "-q", "-f", "origin", "postmortems"]);
    let out = t.bob.pm(&["sync"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let remote = t.remote_git(&["ls-tree", "-r", "--name-only", "postmortems"]);
    assert!(remote.contains(&kept) && remote.contains(&bobs), "{remote}");
    assert!(
        !remote.contains(&mistake),
        "the dropped record came back: {remote}"
    );
    let log = t.remote_git(&["log", "--format=%s", "postmortems"]);
    assert!(!log.contains("Filed by mistake"), "{log}");
    let listed = t.bob.ok(&["list", "--json"]);
    assert!(!listed.contains(&mistake), "{listed}");
    t.alice.ok(&["sync"]);
    t.all_agree();
}

/// Run as `./target/debug/devops` or by an IDE whose PATH lacks cargo's
/// bin folder: sync merges in-process and needs nothing on PATH.
#[test]
fn sync_needs_nothing_on_path() {
    let t = team();
    let devops = devops_bin();
    let run = |repo: &TestRepo, args: &[&str]| {
        let out = std::process::Command::new(&devops)
            .current_dir(repo.path())
            .env_clear()
            .env("PATH", "/usr/local/bin:/usr/bin:/bin")
            .env("HOME", repo.home.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("DEVOPS_PM_NOW", NOW)
            .arg("postmortem")
            .args(args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    let id = run(&t.alice, &["new", "--title", "No PATH"])
        .trim()
        .to_string();
    run(&t.alice, &["sync"]);
    run(&t.bob, &["sync"]);
    run(&t.alice, &["update", &id, "--severity", "SEV1"]);
    run(&t.bob, &["assign", &id, "me"]);
    run(&t.alice, &["sync"]);
    run(&t.bob, &["sync"]);
    run(&t.alice, &["sync"]);
    t.all_agree();
    let r = t.bob.record(&id);
    assert_eq!(s(&r, "severity"), "SEV1");
    assert_eq!(s(&r, "assignee"), "Bob Lee <bob@example.com>");
}

#[test]
fn a_sync_killed_at_any_instant_leaves_the_branch_as_it_was_or_merged() {
    for point in ["merged", "moved"] {
        let t = team();
        let id = t.alice.new_record("Shared", &[]);
        t.alice.ok(&["sync"]);
        t.bob.ok(&["sync"]);
        t.alice.ok(&["update", &id, "--severity", "SEV1"]);
        t.alice.ok(&["sync"]);
        t.bob.ok(&["update", &id, "--summary", "Bob's summary"]);
        let before = t.bob.git(&["rev-parse", "postmortems"]);
        let out = t
            .bob
            .cmd_in(t.bob.path())
            .env("DEVOPS_PM_TEST_POINT", point)
            .args(["postmortem", "sync"])
            .output()
            .unwrap();
        assert!(!out.status.success(), "{point}: killed");
        let after = t.bob.git(&["rev-parse", "postmortems"]);
        let r = t.bob.record(&id);
        if after == before {
            assert_eq!(s(&r, "severity"), "SEV3", "{point}: as it was");
        } else {
            assert_eq!(s(&r, "severity"), "SEV1", "{point}: merged whole");
            assert_eq!(s(&r, "summary"), "Bob's summary", "{point}");
        }
        assert_eq!(t.bob.status_porcelain(), "", "{point}");
        let fsck = t
            .bob
            .git_output_in(t.bob.path(), &["fsck", "--no-dangling"]);
        assert!(fsck.status.success(), "{point}: {}", stderr(&fsck));
        t.bob.ok(&["sync"]);
        t.alice.ok(&["sync"]);
        t.all_agree();
        let r = t.alice.record(&id);
        assert_eq!(
            (s(&r, "severity"), s(&r, "summary")),
            ("SEV1", "Bob's summary")
        );
    }
}

#[test]
fn a_teammates_first_run_takes_the_remotes_branch_and_reads_say_when_it_is_behind() {
    let t = team();
    let first = t.alice.new_record("First", &[]);
    t.alice.ok(&["sync"]);
    t.bob.git(&["fetch", "-q"]);
    let out = t.bob.pm(&["list", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&first));
    assert!(
        stderr(&out).contains("made the local postmortems branch from origin/postmortems"),
        "{}",
        stderr(&out)
    );
    assert_eq!(
        t.bob
            .git(&["rev-parse", "--abbrev-ref", "postmortems@{upstream}"])
            .trim(),
        "origin/postmortems"
    );
    t.alice.new_record("Second", &[]);
    t.alice.ok(&["sync"]);
    t.bob.git(&["fetch", "-q"]);
    let out = t.bob.pm(&["list"]);
    assert!(
        stderr(&out).contains("origin/postmortems has 1 newer commit(s): devops postmortem sync"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_single_branch_clone_names_the_fetch_that_brings_the_records() {
    let t = team();
    let id = t.alice.new_record("Seen by CI", &[]);
    t.alice.ok(&["sync"]);
    let carol = TestRepo::bare_init();
    std::fs::remove_dir_all(carol.path().join(".git")).unwrap();
    let remote = t.remote.path().to_str().unwrap();
    carol.git(&[
        "clone",
        "-q",
        "--single-branch",
        "--branch",
        "main",
        remote,
        ".",
    ]);
    let out = carol.pm(&["list"]);
    let err = stderr(&out);
    let fetch = err
        .split("fetch it (")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap_or_else(|| panic!("no fetch named: {err}"));
    assert_eq!(fetch, "git fetch origin postmortems:postmortems");
    let pasted = carol.sh(fetch);
    assert!(pasted.status.success(), "{}", stderr(&pasted));
    assert!(carol.ok(&["list", "--json"]).contains(&id));
}

/// A repository in the layout of earlier versions: config and records
/// committed on `main` by the tool itself, between code commits.
fn earlier_layout() -> (TestRepo, String) {
    let repo = TestRepo::new();
    repo.commit_on_head(
        "postmortems/config.toml",
        "services = [\"api\"]\n",
        "postmortem: init postmortems/config.toml\n\nPostmortem-Action: init",
    );
    let id = repo.new_record("Old layout", &["--service", "api"]);
    repo.commit_on_head("api.rs", "// code\n", "code between");
    repo.ok(&["assign", &id, "Bob Lee <bob@example.com>"]);
    repo.ok(&["update", &id, "--severity", "SEV1"]);
    assert!(
        repo.git(&["log", "--format=%s", "main"])
            .contains("postmortem: assign"),
        "made on main, as earlier versions did"
    );
    (repo, id)
}

#[test]
fn migrate_moves_the_records_with_their_history_and_touches_no_branch_of_yours() {
    let (repo, id) = earlier_layout();
    let main = repo.git(&["rev-parse", "main"]);
    let status = repo.status_porcelain();
    let out = repo.pm(&["list"]);
    assert!(
        stderr(&out).contains("devops postmortem migrate"),
        "reads name the command: {}",
        stderr(&out)
    );

    let out = repo.pm(&["migrate", "--dry-run"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("would make the postmortems branch from main: 4 commit(s)"),
        "{}",
        stderr(&out)
    );
    assert!(
        !repo
            .git_output_in(repo.path(), &["rev-parse", "-q", "--verify", "postmortems"])
            .status
            .success(),
        "a dry run makes nothing"
    );

    let out = repo.pm(&["migrate"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(repo.git(&["rev-parse", "main"]), main, "main untouched");
    assert_eq!(repo.status_porcelain(), status);
    let log = repo.git(&["log", "--format=%an|%s", "postmortems", "--"]);
    assert_eq!(log.lines().count(), 4, "{log}");
    assert!(!log.contains("code"), "no code commit came along: {log}");
    let files = repo.git(&["ls-tree", "-r", "--name-only", "refs/heads/postmortems"]);
    assert!(
        files.lines().all(|f| f.starts_with("postmortems/")),
        "{files}"
    );
    // Each record's history is still there for `log`.
    let history = repo.ok(&["log", &id]);
    for step in ["assign", "update", "new"] {
        assert!(history.contains(step), "{step}: {history}");
    }
    // The records leave main only by the person's own commit: the command
    // printed, pasted.
    let said = stderr(&out);
    let rm = said
        .lines()
        .find_map(|l| l.trim().strip_prefix("git rm "))
        .map(|rest| format!("git rm {}", rest.split("    #").next().unwrap().trim()))
        .unwrap_or_else(|| panic!("no git rm in: {said}"));
    let pasted = repo.sh(&rm);
    assert!(pasted.status.success(), "{rm}: {}", stderr(&pasted));
    assert!(!repo.path().join("postmortems").exists());
    let out = repo.pm(&["list", "--json"]);
    assert!(stdout(&out).contains(&id));
    assert!(!stderr(&out).contains("note:"), "{}", stderr(&out));
    // Writes now go to the records branch.
    repo.ok(&["update", &id, "--summary", "after the move"]);
    assert_eq!(s(&repo.record(&id), "summary"), "after the move");
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s", "main"]).trim(),
        rm_subject(&rm)
    );
}

/// The subject of the commit the printed `git rm` line makes.
fn rm_subject(rm: &str) -> String {
    rm.split("-m '")
        .nth(1)
        .unwrap()
        .trim_end_matches('\'')
        .to_string()
}

/// Two teammates who both migrate make the very same commits: the first
/// to sync shares the branch, the second's sync finds nothing to add.
#[test]
fn two_clones_that_migrate_make_the_same_branch() {
    let t = team();
    t.alice.commit_on_head(
        "postmortems/config.toml",
        "services = []\n",
        "postmortem: init postmortems/config.toml\n\nPostmortem-Action: init",
    );
    let id = t.alice.new_record("Old layout", &[]);
    t.alice.git(&["push", "-q", "origin", "main"]);
    t.bob.git(&["pull", "-q", "--ff-only"]);
    t.alice.ok(&["migrate"]);
    t.bob.ok(&["migrate"]);
    assert_eq!(
        t.alice.git(&["rev-parse", "postmortems"]),
        t.bob.git(&["rev-parse", "postmortems"])
    );
    t.alice.ok(&["sync"]);
    let out = t.bob.pm(&["sync"]);
    assert!(
        stderr(&out).contains("0 commit(s) in, 0 out"),
        "{}",
        stderr(&out)
    );
    assert!(t.bob.ok(&["list", "--json"]).contains(&id));
}

/// A `git checkout` of the records branch that lands while a write moves
/// the branch by its ref alone ends with HEAD on the moved branch and the
/// old tip's files: the write brings that work tree along. When a git
/// command of the user's holds its `index.lock` all the while, the write
/// says the change is committed and prints the command that brings the
/// work tree along, which works when pasted.
#[test]
fn a_checkout_landing_during_a_write_is_brought_along_or_told_how() {
    let repo = TestRepo::new();
    let id = repo.new_record("Race", &[]);
    let path = repo.record_path(&id);
    let wt = repo.home.path().join("pm");
    let wt_arg = wt.to_str().unwrap();
    let lock = repo.path().join(".git/worktrees/pm/index.lock");
    let assign = |who: &str, action: String| {
        repo.cmd_in(repo.path())
            .env("DEVOPS_PM_TEST_POINT", "moved")
            .env("DEVOPS_PM_TEST_ACTION", action)
            .args(["postmortem", "assign", &id, who])
            .output()
            .unwrap()
    };
    let in_step = |wt: &std::path::Path| {
        assert_eq!(repo.git_in(wt, &["status", "--porcelain"]), "");
        assert_eq!(
            std::fs::read_to_string(wt.join(&path)).unwrap(),
            repo.git(&["show", &format!("postmortems:{path}")])
        );
    };

    repo.git(&["worktree", "add", "-q", "--detach", wt_arg, "postmortems"]);
    let landed = format!("git -C {wt_arg} symbolic-ref HEAD refs/heads/postmortems");
    let out = assign("bob", landed.clone());
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(s(&repo.record(&id), "assignee"), "bob");
    in_step(&wt);

    repo.git_in(&wt, &["checkout", "-q", "--detach"]);
    let out = assign("carol", format!("{landed} && touch {}", lock.display()));
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("is committed, but"), "{err}");
    assert_eq!(
        s(&repo.record(&id), "assignee"),
        "carol",
        "the change is in"
    );
    std::fs::remove_file(&lock).unwrap();
    let hint = err
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("hint: bring its index and files to the branch: ")
        })
        .unwrap_or_else(|| panic!("no hint in {err}"));
    let pasted = repo.sh(hint);
    assert!(pasted.status.success(), "{}", stderr(&pasted));
    in_step(&wt);

    // Or the next command of the tool, of any kind, brings it along.
    repo.git_in(&wt, &["checkout", "-q", "--detach"]);
    let out = assign("dave", format!("{landed} && touch {}", lock.display()));
    let err = stderr(&out);
    assert!(
        err.contains("the next devops command brings it along"),
        "{err}"
    );
    std::fs::remove_file(&lock).unwrap();
    repo.ok(&["list"]);
    assert_eq!(s(&repo.record(&id), "assignee"), "dave");
    in_step(&wt);
    assert!(!repo.path().join(".git/devops-postmortem-journal").exists());
}

/// A linked work tree of the records branch deleted without
/// `git worktree prune` has no files to follow the branch: writes go on
/// by the ref alone.
#[test]
fn a_deleted_work_tree_of_the_branch_does_not_stop_writes() {
    let repo = TestRepo::new();
    let id = repo.new_record("Gone", &[]);
    let wt = repo.records_worktree();
    std::fs::remove_dir_all(&wt).unwrap();
    repo.ok(&["assign", &id, "bob"]);
    assert_eq!(s(&repo.record(&id), "assignee"), "bob");
    assert_eq!(repo.status_porcelain(), "");
}

/// The branch checked out between a write's plan and its move (here by
/// `git worktree add`), and the user committing there the moment the
/// branch moves (git's reference-transaction hook): the write goes
/// through that work tree, under its `index.lock`, so the user's commit
/// cannot take the earlier record back.
#[test]
fn a_checkout_between_plan_and_move_writes_through_that_work_tree() {
    let repo = TestRepo::new();
    let id = repo.new_record("Checked out meanwhile", &[]);
    let wt = repo.home.path().join("pm");
    let hooks = repo.path().join(".git/hooks");
    std::fs::create_dir_all(&hooks).unwrap();
    let hook = hooks.join("reference-transaction");
    std::fs::write(
        &hook,
        format!(
            "#!/bin/sh\n[ \"$1\" = committed ] && [ -e .git/armed ] || exit 0\n\
             grep -q ' refs/heads/postmortems$' || exit 0\nrm -f .git/armed\n\
             unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE\n\
             git -C {} commit -q --allow-empty -m \"the user's commit\" || true\n",
            wt.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&hook, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let out = repo
        .cmd_in(repo.path())
        .env("DEVOPS_PM_TEST_POINT", "planned")
        .env(
            "DEVOPS_PM_TEST_ACTION",
            format!(
                "git worktree add -q {} postmortems && touch .git/armed",
                wt.display()
            ),
        )
        .args(["postmortem", "assign", &id, "bob"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::remove_file(&hook).unwrap();
    assert_eq!(s(&repo.record(&id), "assignee"), "bob", "the change is in");
    assert_eq!(repo.git_in(&wt, &["status", "--porcelain"]), "");
}
