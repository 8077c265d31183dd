//! Git as the audit trail: history, revisions, sync, concurrency, signing,
//! check, and the code around an incident.

use crate::support::*;
use serde_json::Value;

#[test]
fn log_shows_who_changed_which_field_including_plain_git_commits() {
    let repo = TestRepo::new();
    let id = repo.new_record("Checkout errors", &["--severity", "SEV2"]);
    repo.ok(&["assign", &id, "Bob Lee <bob@example.com>"]);
    repo.ok(&["update", &id, "--severity", "SEV1"]);
    repo.ok(&[
        "analyze",
        &id,
        "--root-cause",
        "bad config",
        "--action",
        "Validate config",
    ]);
    repo.ok(&["action", "done", &format!("{id}#1")]);
    // A change by hand, committed with plain git by someone else.
    let path = repo.record_path(&id);
    let edited = repo
        .show(&path)
        .replace("summary = \"\"", "summary = \"by hand\"");
    repo.commit_on_records_branch_as(
        Some(("Carol", "carol@example.com")),
        &[(&path, Some(&edited))],
        "Fix the summary",
    );

    let log: Value = serde_json::from_str(&repo.ok(&["log", &id, "--json"])).unwrap();
    let entries = log.as_array().unwrap();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        [
            "commit",
            "action-done",
            "analyze",
            "update",
            "assign",
            "new"
        ],
        "newest first"
    );
    let changes = |i: usize| -> Vec<String> {
        entries[i]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                format!(
                    "{}: {} → {}",
                    c["field"].as_str().unwrap(),
                    c["from"].as_str().unwrap_or("(none)"),
                    c["to"].as_str().unwrap_or("(none)")
                )
            })
            .collect()
    };
    assert_eq!(
        entries[0]["author"], "Carol <carol@example.com>",
        "people as records write them"
    );
    assert_eq!(changes(0), ["summary: (none) → by hand"]);
    assert_eq!(
        changes(1),
        [
            "action #1: open → done",
            "action #1 done_at: (none) → 2026-11-24T10:00:00+09:00"
        ]
    );
    assert_eq!(changes(3), ["severity: SEV2 → SEV1"]);
    assert!(
        changes(4).contains(&"assignee: (none) → Bob Lee <bob@example.com>".to_string()),
        "{:?}",
        changes(4)
    );
    assert!(changes(4).contains(&"status: open → assigned".to_string()));
    assert_eq!(entries[3]["author"], "Alice Kim <alice@example.com>");

    // The same number of entries as git itself finds for that path.
    let git_count = repo
        .git(&["log", "--format=%H", "postmortems", "--", &path])
        .lines()
        .count();
    assert_eq!(entries.len(), git_count);

    // The walk stops at `-n`, after the filters, not before them.
    let newest: Value = serde_json::from_str(&repo.ok(&["log", &id, "-n", "2", "--json"])).unwrap();
    assert_eq!(newest.as_array().unwrap()[..], entries[..2]);
    let alice: Value =
        serde_json::from_str(&repo.ok(&["log", &id, "-n", "1", "--author", "ALICE", "--json"]))
            .unwrap();
    let first_by_alice = entries
        .iter()
        .find(|e| e["author"].as_str().unwrap().contains("alice"))
        .unwrap();
    assert_eq!(
        alice.as_array().unwrap()[..],
        *std::slice::from_ref(first_by_alice)
    );

    let text = repo.ok(&["log", &id]);
    assert!(text.contains("severity: SEV2 → SEV1"), "{text}");
    let team = repo.ok(&["log", "--author", "carol"]);
    assert!(
        team.contains(&id) && team.contains("by hand") && !team.contains("severity"),
        "{team}"
    );
    let team: Value = serde_json::from_str(&repo.ok(&["log", "--json", "-n", "2"])).unwrap();
    assert_eq!(team.as_array().unwrap().len(), 2);
}

#[test]
fn at_reads_records_as_they_were() {
    let repo = TestRepo::new();
    let id = repo.new_record("Time travel", &["--severity", "SEV3"]);
    let first = repo.records_tip();
    repo.ok_at(
        "2026-11-26T10:00:00+09:00",
        &[
            "update",
            &id,
            "--severity",
            "SEV1",
            "--title",
            "Time travel, worse",
        ],
    );
    let other = repo.ok_at(
        "2026-11-27T10:00:00+09:00",
        &["new", "--title", "Later one"],
    );

    let then: Value =
        serde_json::from_str(&repo.ok(&["show", &id, "--json", "--at", &first])).unwrap();
    assert_eq!(then["severity"], "SEV3");
    let now: Value = serde_json::from_str(&repo.ok(&["show", &id, "--json"])).unwrap();
    assert_eq!(now["severity"], "SEV1");
    assert_eq!(
        repo.ok(&["show", &id, "--format", "toml", "--at", "postmortems~2"]),
        repo.git(&["show", &format!("postmortems~2:{}", repo.record_path(&id))])
    );

    // By date: on the 25th only the first version existed.
    let other = other.trim();
    let listed: Value =
        serde_json::from_str(&repo.ok(&["list", "--json", "--at", "2026-11-25 12:00 +09:00"]))
            .unwrap();
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id.as_str()], "{other} did not exist yet");
    assert_eq!(listed[0]["title"], "Time travel");
    let stats: Value =
        serde_json::from_str(&repo.ok(&["stats", "--json", "--at", "postmortems~1"])).unwrap();
    assert_eq!(stats["by_severity"]["SEV1"], 1);
    let err = repo.fails(2, &["list", "--at", "no-such-rev"]);
    assert!(err.contains("--at 'no-such-rev'"), "{err}");
}

#[test]
fn eight_processes_times_twenty_five_writes_lose_nothing() {
    let repo = TestRepo::new();
    let ids: Vec<String> = (0..4)
        .map(|i| repo.new_record(&format!("Busy {i}"), &[]))
        .collect();
    let before = repo.commit_count();
    std::thread::scope(|scope| {
        for p in 0..8 {
            let (repo, id) = (&repo, &ids[p % 4]);
            scope.spawn(move || {
                for w in 0..25 {
                    repo.ok(&["timeline", "add", id, &format!("process {p} write {w}")]);
                }
            });
        }
    });
    assert_eq!(repo.commit_count(), before + 200);
    let messages = repo.git(&["log", "--format=%s", "-200", "postmortems"]);
    assert_eq!(
        messages
            .lines()
            .filter(|l| l.starts_with("postmortem: timeline "))
            .count(),
        200
    );
    for (i, id) in ids.iter().enumerate() {
        let texts: Vec<String> = repo.record(id)["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["text"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(texts.len(), 50, "{id}");
        for p in [i, i + 4] {
            for w in 0..25 {
                assert!(
                    texts.contains(&format!("process {p} write {w}")),
                    "{id} lost process {p} write {w}"
                );
            }
        }
    }
    assert_eq!(repo.status_porcelain(), "");
    let fsck = repo.git_output_in(repo.path(), &["fsck", "--no-progress"]);
    assert!(fsck.status.success());
}

#[test]
fn commits_are_signed_with_ssh_when_git_is_told_to() {
    if std::process::Command::new("ssh-keygen")
        .arg("-?")
        .output()
        .is_err()
    {
        eprintln!("SKIPPED: ssh-keygen is not installed");
        return;
    }
    let repo = TestRepo::new();
    let key = repo.home.path().join("id_ed25519");
    let out = std::process::Command::new("ssh-keygen")
        .args([
            "-q",
            "-t",
            "ed25519",
            "-N",
            "",
            "-C",
            "alice@example.com",
            "-f",
        ])
        .arg(&key)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let allowed = repo.home.path().join("allowed_signers");
    std::fs::write(&allowed, format!("alice@example.com {public}")).unwrap();
    repo.git(&["config", "gpg.format", "ssh"]);
    repo.git(&["config", "user.signingkey", key.to_str().unwrap()]);
    repo.git(&["config", "commit.gpgsign", "true"]);
    repo.git(&[
        "config",
        "gpg.ssh.allowedSignersFile",
        allowed.to_str().unwrap(),
    ]);

    let id = repo.new_record("Signed", &[]);
    repo.ok(&["assign", &id, "me"]);
    let shown = repo.git(&[
        "log",
        "-2",
        "--show-signature",
        "--format=%H %G?",
        "postmortems",
    ]);
    assert!(
        shown.contains("Good \"git\" signature for alice@example.com"),
        "{shown}"
    );
    assert_eq!(
        repo.git(&["log", "-2", "--format=%G?", "postmortems"])
            .trim(),
        "G\nG"
    );

    // A broken signing setup is an error, and nothing is committed.
    repo.git(&["config", "user.signingkey", "/nonexistent/key"]);
    let before = repo.everything();
    let err = repo.fails(1, &["assign", &id, "bob"]);
    assert!(err.contains("commit.gpgsign is on"), "{err}");
    assert!(
        err.contains("/nonexistent/key"),
        "git's reason is shown: {err}"
    );
    assert_eq!(repo.everything(), before, "nothing half-written");
}

#[test]
fn check_reports_each_problem_with_file_and_line() {
    let repo = TestRepo::new();
    repo.commit_file(
        "postmortems/config.toml",
        "services = [\"payments\", \"search\"]\n",
        "config",
    );
    let good = repo.new_record("Fine", &["--service", "payments"]);
    repo.ok(&["check"]);
    // The tool refuses to write either mistake (the same rules as check)…
    let before = repo.everything();
    let err = repo.fails(
        1,
        &[
            "new",
            "--title",
            "Times backwards",
            "--started",
            "2026-11-23 10:00",
            "--detected",
            "2026-11-23 09:00",
        ],
    );
    assert!(
        err.contains("detected_at is before started_at") && err.contains("nothing was written"),
        "{err}"
    );
    let err = repo.fails(
        1,
        &["new", "--title", "Unknown service", "--service", "paymnts"],
    );
    assert!(
        err.contains("unknown service 'paymnts' (did you mean 'payments'?)"),
        "{err}"
    );
    assert_eq!(repo.everything(), before, "nothing committed");
    // …so they come in by hand, as a teammate's plain commits would: in a
    // checkout of the records branch, with git add and git commit.
    let order = repo.new_record("Times backwards", &["--started", "2026-11-23 10:00"]);
    let unknown = repo.new_record("Unknown service", &["--service", "payments"]);
    let rough = repo.new_record("Rough edit", &[]);
    let wt = repo.records_worktree();
    let read = |path: &str| std::fs::read_to_string(wt.join(path)).unwrap();
    let write = |path: &str, text: &str| {
        let p = wt.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    let order_path = repo.record_path(&order);
    let text = read(&order_path).replace(
        "started_at = 2026-11-23T10:00:00+09:00",
        "started_at = 2026-11-23T10:00:00+09:00\ndetected_at = 2026-11-23T09:00:00+09:00",
    );
    write(&order_path, &text);
    let unknown_path = repo.record_path(&unknown);
    let text = read(&unknown_path).replace("\"payments\"", "\"paymnts\"");
    write(&unknown_path, &text);
    let rough_path = repo.record_path(&rough);
    let text = read(&rough_path)
        .replace("status = \"open\"", "status = \"closed\"")
        .replace("severity = \"SEV3\"", "severity = \"P0\"");
    write(&rough_path, &text);
    let copy = format!("postmortems/2026/10/{good}.toml");
    write(&copy, &read(&repo.record_path(&good)));
    write("postmortems/stray.toml", "x = 1\n");
    repo.git_in(&wt, &["add", "."]);
    repo.git_in(&wt, &["commit", "-qm", "rough edits"]);
    write("postmortems/2026/11/broken.toml", "title = \n");

    let line_of =
        |path: &str, key: &str| read(path).lines().position(|l| l.starts_with(key)).unwrap() + 1;
    let want = [
        format!(
            "{}:{}: error[time-order]: detected_at is before started_at",
            repo.record_path(&order),
            line_of(&repo.record_path(&order), "detected_at")
        ),
        format!(
            "{}:{}: error[unknown-service]: unknown service 'paymnts'",
            repo.record_path(&unknown),
            line_of(&repo.record_path(&unknown), "services")
        ),
        format!(
            "{rough_path}:{}: error[unknown-severity]: unknown severity 'P0'",
            line_of(&rough_path, "severity")
        ),
        format!(
            "{rough_path}:{}: error[status-fields]: status = \"closed\" needs a root cause",
            line_of(&rough_path, "status")
        ),
        format!(
            "{rough_path}:{}: error[status-fields]: status = \"closed\" needs closed_at",
            line_of(&rough_path, "status")
        ),
        format!("{copy}:1: error[file-path]: should be at postmortems/2026/11/{good}.toml"),
        format!("{copy}:1: error[duplicate-id]: duplicate id {good}"),
        "postmortems/stray.toml:1: error[file-path]: 'stray.toml' is not a record name".to_string(),
    ];
    let uncommitted = [
        "postmortems/2026/11/broken.toml:1: error[syntax]:".to_string(),
        "postmortems/2026/11/broken.toml:1: warning[uncommitted]: not committed yet".to_string(),
    ];
    // Where the records branch is checked out (CI on a pull request to
    // it), check lints the files there, the uncommitted one too.
    let out = repo.pm_in(&wt, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    for w in want.iter().chain(&uncommitted) {
        assert!(text.contains(w.as_str()), "missing {w:?} in:\n{text}");
    }
    assert!(stderr(&out).contains("error: check:"), "{}", stderr(&out));
    // Beside the code, it lints the branch: the commits, not the file
    // written in another checkout.
    let out = repo.pm(&["check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    for w in &want {
        assert!(text.contains(w.as_str()), "missing {w:?} in:\n{text}");
    }
    assert!(!text.contains("broken.toml"), "{text}");
    assert!(stderr(&out).contains("error: check:"), "{}", stderr(&out));

    let json: Value =
        serde_json::from_str(&stdout(&repo.pm_in(&wt, &["check", "--json"]))).unwrap();
    assert!(json["errors"].as_u64().unwrap() >= 9);
    assert!(json["findings"][0]["level"].as_str().is_some());

    // A review deadline passed is a warning, not an error.
    let later = TestRepo::new();
    later.new_record("Old", &["--severity", "SEV1"]);
    let out = later
        .cmd_in(later.path())
        .env("DEVOPS_PM_NOW", "2026-12-24T10:00:00+09:00")
        .args(["postmortem", "check"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        stdout(&out).contains(
            "warning[review-overdue]: review deadline passed on 2026-11-27 (3 days for SEV1)"
        ),
        "{}",
        stdout(&out)
    );
}

#[test]
fn changes_lists_the_commits_and_tags_before_an_incident() {
    let repo = TestRepo::new();
    let commit_at = |date: &str, msg: &str| {
        repo.write("main.rs", &format!("// {msg}\n"));
        let out = std::process::Command::new("git")
            .current_dir(repo.path())
            .env("HOME", repo.home.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .args(["commit", "-qam", msg])
            .output()
            .unwrap();
        assert!(out.status.success());
    };
    commit_at("2026-11-21T12:00:00+09:00", "too early");
    commit_at("2026-11-22T10:00:00+09:00", "Refactor the pool");
    repo.git(&["tag", "-a", "v1.4.0", "-m", "deploy"]);
    commit_at("2026-11-23T08:30:00+09:00", "Raise the timeout");
    commit_at("2026-11-23T09:30:00+09:00", "after it began");
    let id = repo.new_record(
        "Broke after deploy",
        &["--started", "2026-11-23 09:00 +09:00"],
    );

    let list: Value = serde_json::from_str(&repo.ok(&["changes", &id, "--json"])).unwrap();
    let subjects: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["subject"].as_str().unwrap())
        .collect();
    assert_eq!(subjects, ["Raise the timeout", "Refactor the pool"]);
    assert_eq!(list[1]["tags"][0], "v1.4.0");
    let wide: Value =
        serde_json::from_str(&repo.ok(&["changes", &id, "--json", "--window", "3d"])).unwrap();
    assert_eq!(
        wide.as_array().unwrap().len(),
        3,
        "too early, refactor, timeout (the first commit is after the start)"
    );
    let text = repo.ok(&["changes", &id]);
    assert!(
        text.contains("v1.4.0") && text.contains("Raise the timeout"),
        "{text}"
    );
    repo.fails(2, &["changes", &id, "--window", "forever"]);
    let no_start = repo.new_record("No start", &[]);
    let err = repo.fails(1, &["changes", &no_start]);
    assert!(err.contains("no started_at"), "{err}");
}

/// A record with two open action items, and a code commit whose message
/// says it fixes the first. Returns the repository, the ID and the fix.
fn fixed_by_a_commit() -> (TestRepo, String, String) {
    let repo = TestRepo::new();
    let id = repo.new_record("Needs a fix", &[]);
    repo.ok(&[
        "analyze",
        &id,
        "--root-cause",
        "rc",
        "--action",
        "Add retries",
        "--action",
        "Add alerts",
    ]);
    repo.commit_file(
        "main.rs",
        "fn main() { retry() }\n",
        &format!("Add retries\n\nFixes-Postmortem: {id}#1"),
    );
    let fix = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    (repo, id, fix)
}

#[test]
fn a_fixes_postmortem_trailer_closes_the_action_item() {
    let (repo, id, fix) = fixed_by_a_commit();
    let before = repo.commit_count();

    // triage is a read: it shows what the trailer fixes, and commits nothing.
    let shown = repo.ok(&["triage", "--long"]);
    assert_eq!(repo.commit_count(), before, "triage committed");
    assert!(
        shown.contains("Fixed by commits, not yet marked done (1)"),
        "{shown}"
    );
    assert!(shown.contains(&format!("{id}#1  {}", &fix[..7])), "{shown}");
    let json: serde_json::Value = serde_json::from_str(&repo.ok(&["triage", "--json"])).unwrap();
    assert_eq!(json["fixed_by_commits"][0]["commit"], fix.as_str());
    assert_eq!(json["fixed_by_commits"][0]["n"], 1);

    repo.ok(&["action", "from-commits"]);
    assert_eq!(repo.commit_count(), before + 1, "one commit marks it done");
    assert_eq!(repo.head_files(), [repo.record_path(&id)]);
    let r = repo.record(&id);
    let items = r["action_items"].as_array().unwrap();
    assert_eq!(s(items[0].as_table().unwrap(), "status"), "done");
    assert_eq!(s(items[0].as_table().unwrap(), "commit"), fix);
    assert_eq!(s(items[1].as_table().unwrap(), "status"), "open");
    assert!(
        repo.head_message()
            .contains(&format!("Fixed by {}", &fix[..7]))
    );
    // Running again changes nothing.
    repo.ok(&["action", "from-commits"]);
    assert_eq!(repo.commit_count(), before + 1);
    assert!(!repo.ok(&["triage"]).contains("Fixed by commits"));

    // What was scanned is remembered in .git/, and left alone while no
    // commit comes; newer commits are still read, and so are trailers
    // naming an item that did not exist yet.
    let cache = repo.path().join(".git/devops-postmortem-fixes.cache");
    let kept = std::fs::metadata(&cache).unwrap().modified().unwrap();
    repo.ok(&["triage"]);
    assert_eq!(
        std::fs::metadata(&cache).unwrap().modified().unwrap(),
        kept,
        "not rewritten without a new commit"
    );

    let status = |n: usize| -> String {
        let r = repo.record(&id);
        let items = r["action_items"].as_array().unwrap();
        s(items[n].as_table().unwrap(), "status").to_string()
    };
    repo.commit_file(
        "main.rs",
        "fn main() { retry(); alert() }\n",
        &format!("Add alerts\n\nFixes-Postmortem: {id}#2, {id}#3"),
    );
    let second_fix = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    repo.ok(&["action", "from-commits"]);
    assert_eq!(status(1), "done");
    let r = repo.record(&id);
    assert_eq!(
        s(r["action_items"][1].as_table().unwrap(), "commit"),
        second_fix
    );
    repo.ok(&["action", "add", &id, "Page the owner"]);
    std::fs::write(
        repo.path().join(".git/devops-postmortem-fixes.cache"),
        "junk",
    )
    .unwrap();
    repo.ok(&["action", "from-commits"]);
    assert_eq!(status(2), "done", "#3 was named before it existed");
}

#[test]
fn an_item_its_tracker_reopened_after_the_fix_is_not_offered_again() {
    let (repo, id, fix) = fixed_by_a_commit();
    repo.ok(&["action", "from-commits"]);
    // The tracker reopened #1 after this very commit closed it (as
    // `action pull` writes it): the item stays open, naming the commit.
    let path = repo.record_path(&id);
    let text = repo.show(&path);
    let done = "status = \"done\"";
    assert_eq!(text.matches(done).count(), 1, "{text}");
    repo.commit_on_records_branch(
        &path,
        &text.replace(done, "status = \"open\""),
        "reopened by the tracker",
    );
    let r = repo.record(&id);
    let first = r["action_items"][0].as_table().unwrap();
    assert_eq!(
        (s(first, "status"), s(first, "commit")),
        ("open", fix.as_str())
    );

    // Triage reads slim records from its cache: they keep the commit, so
    // the person's decision there stands, as `action from-commits` sees it.
    for _ in 0..2 {
        let json: serde_json::Value =
            serde_json::from_str(&repo.ok(&["triage", "--json"])).unwrap();
        assert_eq!(json["fixed_by_commits"], serde_json::json!([]), "{json}");
    }
    repo.ok(&["action", "from-commits"]);
    let r = repo.record(&id);
    assert_eq!(
        s(r["action_items"][0].as_table().unwrap(), "status"),
        "open"
    );
}

#[test]
fn triage_never_commits_even_where_it_could() {
    let (repo, id, _) = fixed_by_a_commit();
    let before = repo.everything();
    for args in [
        &["triage"][..],
        &["triage", "--json"],
        &["triage", "--mine"],
    ] {
        let out = repo.pm(args);
        assert!(out.status.success(), "{}", stderr(&out));
        assert_eq!(repo.everything(), before, "{args:?} committed");
    }
    assert_eq!(repo.status_porcelain(), "");
    // On a detached HEAD too.
    repo.git(&["checkout", "-q", "--detach"]);
    let out = repo.pm(&["triage", "--long"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(&format!("{id}#1")),
        "{}",
        stdout(&out)
    );
    assert_eq!(repo.records_tip(), before.1, "nothing committed");
    assert_eq!(repo.git(&["rev-parse", "HEAD"]).trim(), before.0);
}
