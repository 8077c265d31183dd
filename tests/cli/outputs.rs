//! Every human output beyond the tables of `snapshots.rs`, pinned before
//! the code behind it is moved: `--help` of every command, errors with
//! their hints, the lines write commands print, tables on a terminal 80
//! columns wide. IDs, commit hashes and temporary paths are replaced by
//! placeholders; the clock, the terminal width and the identity are fixed.

use crate::support::*;

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"PM-\d{8}-[a-z0-9]{8}", "[ID]");
    s.add_filter(r"\b[0-9a-f]{40}\b", "[OID]");
    s.add_filter(r"\b[0-9a-f]{7}\b", "[COMMIT]");
    s.add_filter(r"/tmp/\.tmp[A-Za-z0-9]+", "[TMP]");
    s.set_prepend_module_to_snapshot(false);
    s
}

/// Exit code, stdout and stderr of one run, as one text.
fn shown(out: &std::process::Output) -> String {
    format!(
        "[exit {}]\n{}{}",
        out.status.code().unwrap_or(-1),
        stdout(out),
        stderr(out)
    )
}

/// A repository with a roster, two services and one record (built once).
fn small_team() -> (TestRepo, String) {
    let (repo, ids) = fixture("small team", build_small_team);
    (repo, ids[0].clone())
}

fn build_small_team() -> (TestRepo, Vec<String>) {
    let repo = TestRepo::new();
    repo.commit_file(
        "postmortems/config.toml",
        "services = [\"payments\", \"search\"]\ntimezone = \"+09:00\"\n[[people]]\nname = \"Bob Lee\"\nemail = \"bob@example.com\"\nhandle = \"bob\"\n[[people]]\nname = \"Bora Han\"\nemail = \"bora@example.com\"\nhandle = \"bora\"\n",
        "config",
    );
    let id = repo.new_record(
        "결제 서버 장애",
        &[
            "--severity",
            "SEV2",
            "--service",
            "payments",
            "--started",
            "2026-11-24 09:12",
        ],
    );
    (repo, vec![id])
}

const COMMANDS: &[&str] = &[
    "new", "assign", "analyze", "close", "reopen", "withdraw", "update", "action", "timeline",
    "import", "list", "show", "search", "related", "edit", "triage", "stats", "export", "report",
    "serve", "log", "changes", "deploys", "check", "sync", "fetch", "repos", "migrate", "init",
    "demo",
];

#[test]
fn help_of_every_command_is_pinned() {
    let repo = TestRepo::new();
    let help = |args: &[&str]| {
        let out = repo
            .cmd_in(repo.path())
            .env("COLUMNS", "100")
            .args(args)
            .output()
            .unwrap();
        shown(&out)
    };
    settings().bind(|| {
        insta::assert_snapshot!("help-devops", help(&["--help"]));
        insta::assert_snapshot!("help-postmortem", help(&["postmortem", "--help"]));
        for command in COMMANDS {
            insta::assert_snapshot!(
                format!("help-{command}"),
                help(&["postmortem", command, "--help"])
            );
        }
    });
}

#[test]
fn errors_and_their_hints_are_pinned() {
    let (repo, id) = small_team();
    let cases: &[(&str, &[&str])] = &[
        ("unknown-id", &["show", "PM-20301231-zzzzzzzz"]),
        ("bad-severity", &["update", "ID", "--severity", "P0"]),
        ("ambiguous-person", &["assign", "ID", "b"]),
        ("close-too-early", &["close", "ID"]),
        (
            "bad-due",
            &["action", "add", "ID", "Do it", "--due", "someday"],
        ),
        ("bad-time", &["update", "ID", "--started", "25:99"]),
        ("nothing-to-update", &["update", "ID"]),
        ("no-title-without-terminal", &["new"]),
        (
            "unknown-service",
            &["new", "--title", "x", "--service", "paymnts"],
        ),
        ("no-such-action", &["action", "done", "ID#9"]),
        ("sync-without-remote", &["sync"]),
        ("migrate-nothing", &["migrate"]),
        (
            "import-missing-file",
            &["import", "ID", "--from", "pagerduty", "nowhere.json"],
        ),
        ("unknown-rule", &["check", "--rule", "blame-langauge"]),
    ];
    settings().bind(|| {
        for (name, args) in cases {
            let args: Vec<String> = args.iter().map(|a| a.replace("ID", &id)).collect();
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            insta::assert_snapshot!(format!("error-{name}"), shown(&repo.pm(&args)));
        }
    });
}

#[test]
fn what_write_commands_say_is_pinned() {
    let (repo, id) = small_team();
    let item = format!("{id}#1");
    let steps: &[(&str, Vec<&str>)] = &[
        ("assign", vec!["assign", &id, "bob"]),
        (
            "update",
            vec!["update", &id, "--severity", "SEV1", "--detected", "09:20"],
        ),
        (
            "timeline-add",
            vec!["timeline", "add", &id, "--at", "09:30", "paged"],
        ),
        (
            "analyze",
            vec![
                "analyze",
                &id,
                "--root-cause",
                "pool",
                "--action",
                "Split pools",
                "--due",
                "2026-12-10",
            ],
        ),
        ("action-done", vec!["action", "done", &item]),
        ("close", vec!["close", &id]),
        ("reopen", vec!["reopen", &id, "--reason", "more to learn"]),
        ("withdraw", vec!["withdraw", &id, "--reason", "filed twice"]),
        (
            "unchanged",
            vec!["withdraw", &id, "--reason", "filed twice"],
        ),
    ];
    settings().bind(|| {
        for (name, args) in steps {
            insta::assert_snapshot!(format!("write-{name}"), shown(&repo.pm(args)));
        }
        let out = repo.pm(&["init"]);
        insta::assert_snapshot!("write-init", shown(&out));
    });
}

#[test]
fn reads_beyond_the_tables_are_pinned() {
    let (repo, id) = small_team();
    repo.ok(&[
        "analyze",
        &id,
        "--root-cause",
        "connection pool exhausted",
        "--action",
        "Split pools",
    ]);
    let other = repo.new_record(
        "결제 지연",
        &[
            "--severity",
            "SEV3",
            "--service",
            "payments",
            "--started",
            "2026-11-24 11:00",
        ],
    );
    repo.ok(&[
        "analyze",
        &other,
        "--root-cause",
        "connection pool exhausted again",
    ]);
    repo.commit_on_head("app.rs", "// code\n", "Raise the timeout");
    settings().bind(|| {
        insta::assert_snapshot!("read-export", shown(&repo.pm(&["export", "--all"])));
        insta::assert_snapshot!(
            "read-related",
            shown(&repo.pm(&["related", &other, "--long"]))
        );
        insta::assert_snapshot!(
            "read-changes",
            shown(&repo.pm(&["changes", &id, "--window", "30d"]))
        );
        insta::assert_snapshot!("read-log-team", shown(&repo.pm(&["log"])));
        insta::assert_snapshot!("read-rules", shown(&repo.pm(&["check", "--rules"])));
    });
}
