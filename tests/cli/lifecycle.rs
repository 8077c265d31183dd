//! The life of a post-mortem: new → assign → analyze → action done → close.

use crate::support::*;

#[test]
fn full_walk_sets_each_status_with_one_commit_per_step() {
    let repo = TestRepo::new();
    let base = repo.commit_count();
    let id = repo.new_record(
        "결제 서버 장애",
        &[
            "--severity",
            "sev1",
            "--service",
            "payments,gateway",
            "--started",
            "2026-11-23 09:12 +09:00",
            "--detected",
            "2026-11-23T09:20:00+09:00",
        ],
    );
    let r = repo.record(&id);
    assert_eq!(s(&r, "status"), "open");
    assert_eq!(
        s(&r, "severity"),
        "SEV1",
        "severity is stored in the configured spelling"
    );
    assert_eq!(s(&r, "title"), "결제 서버 장애");
    assert_eq!(s(&r, "reporter"), "Alice Kim <alice@example.com>");
    assert_eq!(r["services"].as_array().unwrap().len(), 2);
    assert_eq!(r["started_at"].to_string(), "2026-11-23T09:12:00+09:00");
    assert_eq!(r["created_at"].to_string(), NOW);
    assert_eq!(
        repo.record_path(&id),
        format!("postmortems/2026/11/{id}.toml")
    );

    repo.ok(&["assign", &id[12..16], "Bob Lee <bob@example.com>"]);
    assert_eq!(s(&repo.record(&id), "status"), "assigned");
    assert_eq!(
        s(&repo.record(&id), "assignee"),
        "Bob Lee <bob@example.com>"
    );

    repo.ok(&[
        "analyze",
        &id,
        "--root-cause",
        "커넥션 풀 고갈",
        "--action",
        "Add a circuit breaker",
        "--due",
        "2026-12-07",
        "--kind",
        "prevent",
    ]);
    let r = repo.record(&id);
    assert_eq!(s(&r, "status"), "analyzed");
    let action = r["action_items"].as_array().unwrap()[0].as_table().unwrap();
    assert_eq!(action["n"].as_integer(), Some(1));
    assert_eq!(
        s(action, "owner"),
        "Bob Lee <bob@example.com>",
        "owner defaults to the assignee"
    );
    assert_eq!(action["due"].to_string(), "2026-12-07");
    assert_eq!(s(action, "kind"), "prevent");

    repo.ok(&["action", "done", &format!("{id}#1")]);
    let r = repo.record(&id);
    let action = r["action_items"].as_array().unwrap()[0].as_table().unwrap();
    assert_eq!(s(action, "status"), "done");
    assert_eq!(action["done_at"].to_string(), NOW);

    repo.ok(&["close", &id]);
    let r = repo.record(&id);
    assert_eq!(s(&r, "status"), "closed");
    assert_eq!(r["closed_at"].to_string(), NOW);
    assert_eq!(repo.commit_count(), base + 5);
    assert_eq!(repo.status_porcelain(), "");
}

#[test]
fn close_refuses_listing_what_is_missing_and_writes_nothing() {
    let repo = TestRepo::new();
    let id = repo.new_record("Login timeouts", &[]);
    let before = repo.commit_count();
    let err = repo.fails(1, &["close", &id]);
    assert!(err.contains("cannot close"), "{err}");
    assert!(err.contains("root cause"), "{err}");
    assert!(err.contains("action item"), "{err}");
    assert_eq!(repo.commit_count(), before);

    repo.ok(&[
        "analyze",
        &id,
        "--root-cause",
        "cache stampede",
        "--action",
        "Add jitter",
        "--action",
        "Add a lock",
    ]);
    let err = repo.fails(1, &["close", &id]);
    assert!(
        err.contains("action #1 is open") && err.contains("action #2 is open"),
        "{err}"
    );
    repo.ok(&[
        "action",
        "wontfix",
        &format!("{id}#2"),
        "--reason",
        "jitter is enough",
    ]);
    let err = repo.fails(1, &["close", &id]);
    assert!(
        err.contains("action #1 is open") && !err.contains("action #2"),
        "{err}"
    );

    repo.ok(&["close", &id, "--keep-open-actions"]);
    let r = repo.record(&id);
    assert_eq!(s(&r, "status"), "closed");
    let items = r["action_items"].as_array().unwrap();
    assert_eq!(s(items[0].as_table().unwrap(), "status"), "open");
    assert_eq!(
        s(items[1].as_table().unwrap(), "wontfix_reason"),
        "jitter is enough"
    );

    // Carried actions can still be finished on a closed record.
    repo.ok(&["action", "done", &format!("{id}#1")]);
    assert_eq!(
        s(
            repo.record(&id)["action_items"].as_array().unwrap()[0]
                .as_table()
                .unwrap(),
            "status"
        ),
        "done"
    );
    // But a closed record takes no new work until reopened.
    let err = repo.fails(1, &["assign", &id, "bob"]);
    assert!(err.contains("closed") && err.contains("reopen"), "{err}");
    let err = repo.fails(1, &["close", &id]);
    assert!(err.contains("already closed"), "{err}");
}

#[test]
fn no_action_reason_completes_an_analysis_and_reopen_brings_it_back() {
    let repo = TestRepo::new();
    let id = repo.new_record("Disk full on a batch host", &[]);
    repo.ok(&[
        "analyze",
        &id,
        "--root-cause",
        "a one-off import",
        "--no-action-reason",
        "the import will not run again",
    ]);
    assert_eq!(s(&repo.record(&id), "status"), "analyzed");
    repo.ok(&["close", &id]);
    repo.fails(2, &["reopen", &id]);
    repo.ok(&["reopen", &id, "--reason", "it ran again"]);
    let r = repo.record(&id);
    // The analysis must be decided again before it counts (issue 13).
    assert_eq!(s(&r, "status"), "open");
    assert!(r.get("closed_at").is_none());
    assert!(repo.head_message().contains("Reopened: it ran again"));
    let err = repo.fails(1, &["reopen", &id, "--reason", "again"]);
    assert!(err.contains("not closed"), "{err}");
}

#[test]
fn analyze_adds_and_never_silently_erases() {
    let repo = TestRepo::new();
    let id = repo.new_record("Queue backlog", &[]);
    repo.ok(&[
        "analyze",
        &id,
        "--root-cause",
        "consumer crash loop",
        "--lesson",
        "watch lag",
        "--why",
        "consumers crashed",
        "--event",
        "2026-11-23 09:20 lag alert fired",
    ]);
    repo.ok(&[
        "analyze",
        &id,
        "--lesson",
        "test the deploy",
        "--why",
        "bad config",
        "--went-well",
        "fast rollback",
    ]);
    let a = sub(&repo.record(&id), "analysis").clone();
    let list = |k: &str| {
        a[k].as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(list("lessons"), ["watch lag", "test the deploy"]);
    assert_eq!(list("five_whys"), ["consumers crashed", "bad config"]);
    assert_eq!(list("went_well"), ["fast rollback"]);
    let timeline = repo.record(&id)["timeline"].as_array().unwrap().clone();
    assert_eq!(timeline[0]["at"].to_string(), "2026-11-23T09:20:00+09:00");
    assert_eq!(timeline[0]["text"].as_str(), Some("lag alert fired"));

    let before = repo.commit_count();
    let err = repo.fails(1, &["analyze", &id, "--root-cause", "something else"]);
    assert!(
        err.contains("already set") && err.contains("--replace"),
        "{err}"
    );
    assert_eq!(repo.commit_count(), before);
    repo.ok(&[
        "analyze",
        &id,
        "--root-cause",
        "something else",
        "--replace",
    ]);
    assert_eq!(
        s(sub(&repo.record(&id), "analysis"), "root_cause"),
        "something else"
    );
}

#[test]
fn update_changes_scalars_and_keeps_the_given_offset() {
    let repo = TestRepo::new();
    let id = repo.new_record("Old title", &["--severity", "SEV3"]);
    repo.ok(&[
        "update",
        &id,
        "--title",
        "새 제목",
        "--severity",
        "SEV2",
        "--mitigated",
        "2026-11-20 08:00 -05:00",
        "--users-affected",
        "12000",
        "--field-reports",
        "37",
        "--tag",
        "db,network",
    ]);
    let r = repo.record(&id);
    assert_eq!(s(&r, "title"), "새 제목");
    assert_eq!(s(&r, "severity"), "SEV2");
    assert_eq!(r["mitigated_at"].to_string(), "2026-11-20T08:00:00-05:00");
    assert_eq!(
        sub(&r, "impact")["users_affected"].as_integer(),
        Some(12000)
    );
    assert_eq!(sub(&r, "impact")["field_reports"].as_integer(), Some(37));
    assert_eq!(r["tags"].as_array().unwrap().len(), 2);
    assert!(
        repo.head_message()
            .starts_with(&format!("postmortem: update {id} 새 제목"))
    );

    repo.ok(&["update", &id, "--clear", "mitigated_at"]);
    assert!(repo.record(&id).get("mitigated_at").is_none());
    repo.fails(2, &["update", &id]);
    repo.fails(2, &["update", &id, "--clear", "id"]);
}

#[test]
fn timeline_and_action_add_take_times_and_owners() {
    let repo = TestRepo::new();
    repo.init_roster();
    let id = repo.new_record("Cert expired", &[]);
    repo.ok(&[
        "timeline",
        "add",
        &id,
        "--at",
        "45m ago",
        "certificate expired",
    ]);
    repo.ok(&[
        "action",
        "add",
        &id,
        "Automate renewal",
        "--owner",
        "bob",
        "--due",
        "+7d",
        "--kind",
        "prevent",
        "--ticket",
        "https://tracker/1",
    ]);
    let r = repo.record(&id);
    assert_eq!(
        r["timeline"].as_array().unwrap()[0]["at"].to_string(),
        "2026-11-24T09:15:00+09:00"
    );
    let a = r["action_items"].as_array().unwrap()[0].as_table().unwrap();
    assert_eq!(s(a, "owner"), "Bob Lee <bob@example.com>");
    assert_eq!(a["due"].to_string(), "2026-12-01");
    assert_eq!(s(a, "ticket"), "https://tracker/1");
    let err = repo.fails(1, &["action", "done", &format!("{id}#9")]);
    assert!(err.contains("no action item #9"), "{err}");
    repo.fails(2, &["action", "done", &id]);
}

#[test]
fn assign_resolves_the_roster_by_prefix() {
    let repo = TestRepo::new();
    repo.init_roster();
    let id = repo.new_record("Slow search", &[]);
    repo.ok(&["assign", &id, "chul"]);
    assert_eq!(
        s(&repo.record(&id), "assignee"),
        "김철수 <chulsoo@example.com>"
    );
    repo.ok(&["assign", &id, "bob@"]);
    assert_eq!(
        s(&repo.record(&id), "assignee"),
        "Bob Lee <bob@example.com>"
    );
    let err = repo.fails(1, &["assign", &id, "b"]);
    assert!(err.contains("matches 2 people"), "{err}");
    let err = repo.fails(1, &["assign", &id, "zed"]);
    assert!(err.contains("no one in the roster matches 'zed'"), "{err}");
    repo.ok(&["assign", &id, "me"]);
    assert_eq!(
        s(&repo.record(&id), "assignee"),
        "Alice Kim <alice@example.com>"
    );
    // Assigning to the same person again changes nothing and commits nothing.
    let before = repo.commit_count();
    repo.ok(&["assign", &id, "me"]);
    assert_eq!(repo.commit_count(), before);
}

impl TestRepo {
    /// Commits a config with a roster of three onto the records branch.
    pub fn init_roster(&self) {
        self.commit_file(
            "postmortems/config.toml",
            "[[people]]\nname = \"Bob Lee\"\nemail = \"bob@example.com\"\nhandle = \"bob\"\n\n[[people]]\nname = \"김철수\"\nemail = \"chulsoo@example.com\"\nhandle = \"chulsoo\"\n\n[[people]]\nname = \"Bora Han\"\nemail = \"bora@example.com\"\n",
            "roster",
        );
    }
}

#[test]
fn templates_fill_the_record_and_repositories_can_add_their_own() {
    let repo = TestRepo::new();
    let id = repo.new_record("SRE style", &["--template", "sre"]);
    let text = repo.show(&repo.record_path(&id));
    assert!(text.contains("# Root causes:"), "{text}");
    assert!(text.contains("tags = [\"sre\"]"), "{text}");

    repo.commit_file(
        "postmortems/templates/db.toml",
        "schema = 1\ntags = [\"database\"]\nseverity = \"\"\n# Which queries were slow?\n[analysis]\nroot_cause = \"\"\n",
        "template",
    );
    let id = repo.new_record("DB style", &["--template", "db"]);
    let text = repo.show(&repo.record_path(&id));
    assert!(text.contains("# Which queries were slow?"), "{text}");
    assert_eq!(
        repo.record(&id)["tags"].as_array().unwrap()[0].as_str(),
        Some("database")
    );

    let err = repo.fails(
        2,
        &["new", "--title", "x", "--template", "../../etc/passwd"],
    );
    assert!(err.contains("--template"), "{err}");
    let err = repo.fails(2, &["new", "--title", "x", "--template", "nope"]);
    assert!(err.contains("does not exist"), "{err}");
}

#[test]
fn init_commits_a_config_that_the_tool_then_uses() {
    let repo = TestRepo::new();
    let (head, _, status) = repo.everything();
    let before = repo.commit_count();
    repo.ok(&["init"]);
    // One commit of one file on the records branch: the config. The merge
    // driver is registered in this clone only, nothing committed for it.
    assert_eq!(repo.commit_count(), before + 1);
    assert_eq!(repo.head_files(), ["postmortems/config.toml"]);
    assert!(repo.head_message().contains("Postmortem-Action: init"));
    let attributes = std::fs::read_to_string(repo.path().join(".git/info/attributes")).unwrap();
    assert!(
        attributes.contains("postmortems/**/*.toml merge=devops-postmortem"),
        "{attributes}"
    );
    let driver = repo.git(&["config", "--get", "merge.devops-postmortem.driver"]);
    assert!(
        driver.contains("postmortem merge-driver %O %A %B %P"),
        "{driver}"
    );
    let after = repo.everything();
    assert_eq!(
        (after.0, after.2),
        (head, status),
        "HEAD and work tree untouched"
    );
    assert!(!repo.path().join(".gitattributes").exists());
    assert_eq!(repo.status_porcelain(), "");

    let cfg: toml::Table = toml::from_str(&repo.show("postmortems/config.toml")).unwrap();
    assert_eq!(cfg["severities"].as_array().unwrap().len(), 4);
    let before = repo.commit_count();
    repo.ok(&["init"]);
    assert_eq!(repo.commit_count(), before, "a second init changes nothing");
}

#[test]
fn edit_validates_before_committing() {
    let repo = TestRepo::new();
    let id = repo.new_record("Edit me", &[]);
    let path = repo.record_path(&id);
    let script = repo.home.path().join("ed.sh");
    let run_with = |body: &str| {
        std::fs::write(&script, format!("#!/bin/sh\n{body}\n")).unwrap();
        std::process::Command::new("chmod")
            .arg("+x")
            .arg(&script)
            .status()
            .unwrap();
        repo.cmd_in(repo.path())
            .env("EDITOR", &script)
            .args(["postmortem", "edit", &id])
            .output()
            .unwrap()
    };
    // A valid change: one commit, comment and change kept.
    let before = repo.commit_count();
    let out = run_with(r#"sed -i 's/^title = .*/title = "Edited title" # by hand/' "$1""#);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(repo.commit_count(), before + 1);
    assert!(
        repo.show(&path)
            .contains("title = \"Edited title\" # by hand")
    );
    assert!(repo.head_message().contains("Postmortem-Action: edit"));

    // Invalid TOML: error with line:column, nothing committed, file as it was.
    let good = repo.show(&path);
    let out = run_with(r#"printf 'title = \n' >> "$1""#);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("nothing was written") && err.contains(':'),
        "{err}"
    );
    assert_eq!(repo.commit_count(), before + 1);
    assert_eq!(repo.show(&path), good);

    // Changing the ID is refused; no change at all commits nothing.
    let out = run_with(r#"sed -i 's/^id = .*/id = "PM-20260101-aaaaaaaa"/' "$1""#);
    assert!(stderr(&out).contains("id must stay"), "{}", stderr(&out));
    let out = run_with("true");
    assert!(out.status.success());
    assert_eq!(repo.commit_count(), before + 1);
    assert_eq!(repo.status_porcelain(), "");
}
