//! `list` and `show`: tables, filters, JSON.

use crate::support::*;
use unicode_width::UnicodeWidthStr;

#[test]
fn list_filters_and_hides_closed_unless_asked() {
    let repo = TestRepo::new();
    let a = repo.new_record(
        "Payments down",
        &[
            "--severity",
            "SEV1",
            "--service",
            "payments",
            "--started",
            "2026-11-20 10:00",
        ],
    );
    let b = repo.new_record(
        "Search slow",
        &[
            "--severity",
            "SEV3",
            "--service",
            "search",
            "--started",
            "2026-11-23 10:00",
        ],
    );
    let c = repo.new_record(
        "Old one",
        &["--severity", "SEV2", "--started", "2026-10-01 10:00"],
    );
    repo.ok(&["assign", &b, "Bob Lee <bob@example.com>"]);
    repo.ok(&[
        "analyze",
        &c,
        "--root-cause",
        "x",
        "--no-action-reason",
        "none needed",
    ]);
    repo.ok(&["close", &c]);

    let ids = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["list", "--json"];
        all.extend_from_slice(args);
        let v: serde_json::Value = serde_json::from_str(&repo.ok(&all)).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        ids(&[]),
        [b.clone(), a.clone()],
        "newest incident first, closed hidden"
    );
    assert_eq!(ids(&["--all"]), [b.clone(), a.clone(), c.clone()]);
    assert_eq!(ids(&["--status", "closed"]), vec![c.clone()]);
    assert_eq!(ids(&["--severity", "sev1"]), vec![a.clone()]);
    assert_eq!(ids(&["--service", "search"]), vec![b.clone()]);
    assert_eq!(ids(&["--assignee", "bob"]), vec![b.clone()]);
    assert_eq!(ids(&["--assignee", "none"]), vec![a.clone()]);
    assert_eq!(ids(&["--since", "2026-11-22"]), vec![b.clone()]);
}

#[test]
fn json_uses_the_record_field_names() {
    let repo = TestRepo::new();
    let id = repo.new_record(
        "JSON",
        &[
            "--severity",
            "SEV2",
            "--started",
            "2026-11-23T09:12:00+09:00",
            "--users-affected",
            "5",
        ],
    );
    repo.ok(&[
        "analyze",
        &id,
        "--root-cause",
        "rc",
        "--action",
        "act",
        "--due",
        "2026-12-07",
    ]);
    let v: serde_json::Value = serde_json::from_str(&repo.ok(&["show", &id, "--json"])).unwrap();
    assert_eq!(v["id"], id.as_str());
    assert_eq!(v["status"], "analyzed");
    assert_eq!(v["severity"], "SEV2");
    assert_eq!(v["started_at"], "2026-11-23T09:12:00+09:00");
    assert_eq!(v["assignee"], serde_json::Value::Null);
    assert_eq!(v["impact"]["users_affected"], 5);
    assert_eq!(v["analysis"]["root_cause"], "rc");
    assert_eq!(v["action_items"][0]["n"], 1);
    assert_eq!(v["action_items"][0]["due"], "2026-12-07");
    assert_eq!(v["action_items"][0]["status"], "open");
    // --format toml prints the file as committed.
    assert_eq!(
        repo.ok(&["show", &id, "--format", "toml"]),
        repo.show(&repo.record_path(&id))
    );
}

#[test]
fn hangul_titles_line_up_in_the_table() {
    let repo = TestRepo::new();
    repo.new_record("결제 서버 장애", &["--started", "2026-11-24 09:00"]);
    repo.new_record("Login timeouts", &["--started", "2026-11-24 08:00"]);
    repo.new_record("배포 후 검색 지연", &["--started", "2026-11-24 07:00"]);
    let out = repo.ok(&["list"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 4, "{out}");
    // The TITLE column starts at the same display column on every line.
    let title_col = |line: &str, title: &str| line[..line.find(title).unwrap()].width();
    let header = title_col(lines[0], "TITLE");
    assert_eq!(title_col(lines[1], "결제"), header, "{out}");
    assert_eq!(title_col(lines[2], "Login"), header, "{out}");
    assert_eq!(title_col(lines[3], "배포"), header, "{out}");
}

#[test]
fn show_reads_well() {
    let repo = TestRepo::new();
    let id = repo.new_record(
        "Readable",
        &[
            "--started",
            "2026-11-24 09:00",
            "--detected",
            "2026-11-24 09:08",
            "--summary",
            "It broke.",
        ],
    );
    repo.ok(&[
        "analyze",
        &id,
        "--root-cause",
        "the cause",
        "--action",
        "fix it",
        "--due",
        "2026-11-01",
        "--why",
        "first why",
    ]);
    let out = repo.ok(&["show", &id]);
    for want in [
        "Readable",
        "It broke.",
        "TTD 8m",
        "the cause",
        "1. first why",
        "#1 [open]",
        "(overdue)",
    ] {
        assert!(out.contains(want), "missing {want:?} in:\n{out}");
    }
}

#[test]
fn an_empty_repository_lists_nothing_helpfully() {
    let repo = TestRepo::new();
    let out = repo.pm(&["list"]);
    assert!(out.status.success());
    assert_eq!(stdout(&out), "");
    assert!(stderr(&out).contains("no post-mortems yet"));
    assert_eq!(repo.ok(&["list", "--json"]).trim(), "[]");
}
