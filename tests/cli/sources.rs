//! Incidents come from somewhere: `import` and `new --from` against
//! documents written from each format's public documentation
//! (tests/fixtures/import), checked entry by entry against the fixture
//! itself, parsed here independently.

use crate::support::*;
use chrono::{DateTime, FixedOffset};
use serde_json::Value;

fn fixture(name: &str) -> String {
    format!(
        "{}/tests/fixtures/import/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn fixture_json(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixture(name)).unwrap()).unwrap()
}

fn instant(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// The record's timeline as (source, source_id) → (time, text).
fn timeline(repo: &TestRepo, id: &str) -> Vec<(String, String, DateTime<FixedOffset>, String)> {
    let r = repo.record(id);
    r.get("timeline")
        .and_then(|t| t.as_array())
        .map(|entries| {
            entries
                .iter()
                .map(|e| {
                    let t = e.as_table().unwrap();
                    (
                        t.get("source")
                            .map(|v| v.as_str().unwrap().to_string())
                            .unwrap_or_default(),
                        t.get("source_id")
                            .map(|v| v.as_str().unwrap().to_string())
                            .unwrap_or_default(),
                        instant(&t["at"].to_string()),
                        s(t, "text").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `ours` is the source's instant `theirs`, to the nanosecond, written in
/// the team's zone (+09:00: the tests' pinned clock), whatever offset the
/// source used (issue 23: a KST team's record does not mix in UTC).
fn same_time(ours: &DateTime<FixedOffset>, theirs: &DateTime<FixedOffset>) -> bool {
    ours == theirs
        && ours.offset().local_minus_utc() == 9 * 3600
        && ours.timestamp_subsec_nanos() == theirs.timestamp_subsec_nanos()
}

#[test]
fn pagerduty_log_entries_import_once_with_exact_times() {
    let repo = TestRepo::new();
    let id = repo.new_record("결제 5xx", &["--started", "2026-11-23T09:20:00+09:00"]);
    let before = repo.commit_count();
    let file = fixture("pagerduty_log_entries.json");

    // A dry run says what it would do and writes nothing.
    let dry = repo.pm(&["import", &id, "--from", "pagerduty", &file, "--dry-run"]);
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert!(
        stdout(&dry).contains("would add 5 timeline entries"),
        "{}",
        stdout(&dry)
    );
    assert!(stdout(&dry).contains("would set detected_at = 2026-11-23T09:20:31.123+09:00"));
    assert_eq!(repo.commit_count(), before);
    assert_eq!(repo.status_porcelain(), "");

    repo.ok(&["import", &id, "--from", "pagerduty", &file]);
    assert_eq!(
        repo.commit_count(),
        before + 1,
        "one commit for the whole import"
    );
    assert_eq!(repo.head_files(), [repo.record_path(&id)]);
    assert!(
        repo.head_message()
            .starts_with(&format!("postmortem: import {id}"))
    );
    assert_eq!(repo.status_porcelain(), "");

    // Every entry, against the fixture: its id, its exact time and offset.
    let doc = fixture_json("pagerduty_log_entries.json");
    let entries = doc["log_entries"].as_array().unwrap();
    let got = timeline(&repo, &id);
    assert_eq!(got.len(), entries.len());
    for e in entries {
        let want = instant(e["created_at"].as_str().unwrap());
        let source_id = e["id"].as_str().unwrap();
        let (_, _, at, text) = got
            .iter()
            .find(|(src, sid, _, _)| src == "pagerduty" && sid == source_id)
            .unwrap_or_else(|| panic!("{source_id} not imported: {got:?}"));
        assert!(same_time(at, &want), "{source_id}: {at} != {want}");
        assert!(text.starts_with("PagerDuty "), "{text}");
    }
    // The note's own words, not "Note added".
    assert!(
        got.iter()
            .any(|(_, _, _, t)| t.contains("롤백 시작: payments v2.14 → v2.13"))
    );

    // The incident times it marks: first trigger, first acknowledgement,
    // last resolution; each in the team's +09:00.
    let r = repo.record(&id);
    assert!(same_time(
        &instant(&r["detected_at"].to_string()),
        &instant("2026-11-23T00:20:31.123Z")
    ));
    assert!(same_time(
        &instant(&r["acknowledged_at"].to_string()),
        &instant("2026-11-23T00:24:03.250Z")
    ));
    let resolved = instant(&r["resolved_at"].to_string());
    assert!(same_time(
        &resolved,
        &instant("2026-11-23T11:04:59.875+09:00")
    ));
    assert_eq!(resolved.offset().local_minus_utc(), 9 * 3600);
    // JSON prints the milliseconds.
    let shown: Value = serde_json::from_str(&repo.ok(&["show", &id, "--json"])).unwrap();
    assert_eq!(shown["acknowledged_at"], "2026-11-23T09:24:03.250+09:00");

    // Again: nothing added, no commit.
    let again = repo.pm(&["import", &id, "--from", "pagerduty", &file]);
    assert!(again.status.success());
    assert!(
        stderr(&again).contains("nothing to import: 5 of 5 entries are already in"),
        "{}",
        stderr(&again)
    );
    assert_eq!(repo.commit_count(), before + 1);
    assert_eq!(timeline(&repo, &id).len(), 5);
}

#[test]
fn alertmanager_webhook_keeps_nanoseconds_and_fills_detection_and_resolution() {
    let repo = TestRepo::new();
    let id = repo.new_record("payments 5xx", &["--started", "2026-11-23T09:15:00+09:00"]);
    let file = fixture("alertmanager_webhook.json");
    // From standard input, as a pipe from curl would give it.
    let out = repo
        .cmd_in(repo.path())
        .args(["postmortem", "import", &id, "--from", "alertmanager", "-"])
        .write_stdin(std::fs::read(&file).unwrap())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let doc = fixture_json("alertmanager_webhook.json");
    let got = timeline(&repo, &id);
    let alerts = doc["alerts"].as_array().unwrap();
    assert_eq!(
        got.len(),
        alerts.len() * 2,
        "firing and resolved for each: {got:?}"
    );
    for a in alerts {
        let fp = a["fingerprint"].as_str().unwrap();
        for (state, key) in [("firing", "startsAt"), ("resolved", "endsAt")] {
            let want = instant(a[key].as_str().unwrap());
            let hit = got
                .iter()
                .find(|(src, sid, _, _)| {
                    src == "alertmanager" && sid.starts_with(&format!("{fp}:{state}:"))
                })
                .unwrap_or_else(|| panic!("{fp} {state} missing: {got:?}"));
            assert!(
                same_time(&hit.2, &want),
                "{fp} {state}: {} != {want}",
                hit.2
            );
        }
    }
    assert!(
        repo.read(&repo.record_path(&id))
            .contains("09:18:04.512345678+09:00")
    );
    let r = repo.record(&id);
    assert!(same_time(
        &instant(&r["detected_at"].to_string()),
        &instant("2026-11-23T09:18:04.512345678+09:00")
    ));
    assert!(same_time(
        &instant(&r["resolved_at"].to_string()),
        &instant("2026-11-23T10:02:31.087Z")
    ));
    assert!(
        got.iter()
            .any(|(_, _, _, t)| t == "Alert HighErrorRate firing: payments 5xx ratio 4.2% (> 2%)")
    );
}

#[test]
fn slack_export_cut_to_the_window_and_matching_messages() {
    let repo = TestRepo::new();
    let id = repo.new_record("checkout 5xx", &["--started", "2026-11-23T09:15:00+09:00"]);
    let file = fixture("slack_channel.json");
    repo.ok(&[
        "import", &id, "--from", "slack", &file, "--since", "09:20", "--until", "11:00", "--match",
        "ROLLBACK",
    ]);
    let got = timeline(&repo, &id);
    // The join is not the incident, "lunch?" neither matches nor was
    // reacted to, and 11:05 is after the window.
    let ids: Vec<&str> = got.iter().map(|(_, sid, _, _)| sid.as_str()).collect();
    assert_eq!(ids, ["1795393231.000200", "1795395060.000300"], "{got:?}");
    assert!(same_time(
        &got[0].2,
        &instant("2026-11-23T00:20:31.000200Z")
    ));
    assert_eq!(got[0].3, "Slack, minsu: checkout 5xx 올라갑니다, 확인 중");
    assert_eq!(got[1].3, "Slack, Lee Jiwoo: rollback to v2.13 started");
    // Slack marks no incident time.
    assert!(repo.record(&id).get("detected_at").is_none());
}

#[test]
fn jsonl_and_csv_for_everything_else() {
    let repo = TestRepo::new();
    let id = repo.new_record("checkout 5xx", &["--started", "2026-11-23T09:00:00+09:00"]);
    repo.ok(&["import", &id, "--from", "jsonl", &fixture("events.jsonl")]);
    repo.ok(&["import", &id, "--from", "csv", &fixture("events.csv")]);
    let got = timeline(&repo, &id);
    // jsonl sp-1 and csv sp-1 come from different sources: both stay.
    assert_eq!(got.len(), 4, "{got:?}");
    let csv: Vec<_> = got.iter().filter(|g| g.0 == "csv").collect();
    assert_eq!(csv[0].1, "sp-1");
    assert_eq!(csv[0].3, "Status page updated, investigating");
    assert!(same_time(
        &csv[0].2,
        &instant("2026-11-23T09:20:00.250+09:00")
    ));
    let before = repo.commit_count();
    // Entries without an id of their own are known by time and text.
    repo.ok(&["import", &id, "--from", "csv", &fixture("events.csv")]);
    repo.ok(&["import", &id, "--from", "jsonl", &fixture("events.jsonl")]);
    assert_eq!(repo.commit_count(), before);
}

#[test]
fn bad_documents_name_the_file_and_entry_and_write_nothing() {
    let repo = TestRepo::new();
    let id = repo.new_record("checkout 5xx", &["--started", "2026-11-23T09:00:00+09:00"]);
    let path = repo.record_path(&id);
    let text = repo.read(&path);
    let before = repo.commit_count();
    let dir = tempfile::tempdir().unwrap();
    let missing_time = r#"{"log_entries": [
        {"id": "A", "type": "trigger_log_entry", "created_at": "2026-11-23T00:20:31Z"},
        {"id": "B", "type": "acknowledge_log_entry", "summary": "Acknowledged"}]}"#;
    let cases: [(&str, &str, &str, &str); 7] = [
        (
            "pagerduty",
            "pd.json",
            missing_time,
            "pd.json: entry 2: no created_at",
        ),
        (
            "alertmanager",
            "am.json",
            "{\"alerts\": [",
            "am.json: not JSON at line 1",
        ),
        (
            "pagerduty",
            "slack.json",
            "[{\"ts\": \"1.0\", \"text\": \"hi\"}]",
            "slack.json: no \"log_entries\" list",
        ),
        (
            "alertmanager",
            "v3.json",
            "{\"version\": \"3\", \"alerts\": []}",
            "v3.json: webhook version 3",
        ),
        (
            "csv",
            "bad.csv",
            "at,text\n2026-11-23T09:00:00+09:00,ok\nyesterday,bad\n",
            "bad.csv: entry 3: at = 'yesterday' is not an RFC 3339 time",
        ),
        (
            "jsonl",
            "bad.jsonl",
            "{\"at\": \"2026-11-23T09:00:00+09:00\", \"text\": \"ok\"}\n{\"text\": \"no time\"}\n",
            "bad.jsonl: entry 2: no at",
        ),
        (
            "slack",
            "slack-bad.json",
            "[{\"type\": \"message\", \"ts\": \"soon\", \"text\": \"x\"}]",
            "slack-bad.json: entry 1: ts = 'soon'",
        ),
    ];
    for (kind, name, body, want) in cases {
        let file = dir.path().join(name);
        std::fs::write(&file, body).unwrap();
        let err = repo.fails(2, &["import", &id, "--from", kind, file.to_str().unwrap()]);
        assert!(err.contains(want), "{kind} {name}: {err}");
        assert!(err.contains("nothing was written"), "{err}");
        assert_eq!(err.lines().next().unwrap().matches("error:").count(), 1);
    }
    let err = repo.fails(
        2,
        &["import", &id, "--from", "pagerduty", "no-such-file.json"],
    );
    assert!(err.contains("no-such-file.json"), "{err}");
    let err = repo.fails(2, &["import", &id, "--from", "opsgenie", "x.json"]);
    assert!(err.contains("opsgenie"), "{err}");
    repo.fails(
        1,
        &["import", "PM-nope", "--from", "csv", &fixture("events.csv")],
    );
    assert_eq!(repo.commit_count(), before);
    assert_eq!(repo.read(&path), text);
    assert_eq!(repo.status_porcelain(), "");
}

#[test]
fn times_already_in_the_record_stand_and_out_of_order_ones_are_left_alone() {
    let repo = TestRepo::new();
    // Detected by a customer call before PagerDuty fired; mitigated before
    // the PagerDuty resolution is fine, but resolved is already known.
    let id = repo.new_record(
        "checkout 5xx",
        &[
            "--started",
            "2026-11-23T09:10:00+09:00",
            "--detected",
            "09:15",
            "--mitigated",
            "09:50",
        ],
    );
    let out = repo.pm(&[
        "import",
        &id,
        "--from",
        "pagerduty",
        &fixture("pagerduty_log_entries.json"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let r = repo.record(&id);
    assert_eq!(
        r["detected_at"].to_string(),
        "2026-11-23T09:15:00+09:00",
        "the record's own value stands"
    );
    assert!(same_time(
        &instant(&r["acknowledged_at"].to_string()),
        &instant("2026-11-23T00:24:03.250Z")
    ));
    assert!(same_time(
        &instant(&r["resolved_at"].to_string()),
        &instant("2026-11-23T11:04:59.875+09:00")
    ));

    // A record that began after the source's acknowledgement: that one
    // would be out of order, so it is left alone and said.
    let late = repo.new_record("late", &["--started", "2026-11-23T09:30:00+09:00"]);
    let out = repo.pm(&[
        "import",
        &late,
        "--from",
        "pagerduty",
        &fixture("pagerduty_log_entries.json"),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("left alone: detected_at 2026-11-23T09:20:31.123+09:00 would put the incident times out of order"), "{}", stderr(&out));
    let r = repo.record(&late);
    assert!(r.get("detected_at").is_none());
    repo.ok(&["check"]);
}

#[test]
fn new_from_a_pagerduty_incident_with_its_log_in_one_commit() {
    let repo = TestRepo::new();
    repo.commit_file(
        "postmortems/config.toml",
        "services = [\"payments\"]\n[import.pagerduty.severity]\nP2 = \"SEV1\"\n",
        "config",
    );
    let incident = fixture("pagerduty_incident.json");
    let log = fixture("pagerduty_log_entries.json");
    // Their service name is not ours and resembles none of ours: the error
    // says how to map it, and suggests no service (the config's first one,
    // pasted at 3 a.m., would file the incident wrong).
    let err = repo.fails(2, &["new", "--from", "pagerduty", &incident, "--log", &log]);
    assert!(
        err.contains("PagerDuty service 'checkout' is not one of the services"),
        "{err}"
    );
    assert!(
        err.contains("[import.pagerduty.services] \"checkout\" = \"SERVICE\"")
            && err.contains("devops postmortem edit --config")
            && !err.contains("--service payments"),
        "{err}"
    );
    // Pasted (with an editor that keeps the file), the hint opens the config.
    let hint = err.lines().find_map(|l| l.strip_prefix("hint: ")).unwrap();
    let command = hint.rsplit(": ").next().unwrap();
    let pasted = repo.sh(&format!("EDITOR=true {command}"));
    assert!(pasted.status.success(), "{command}: {}", stderr(&pasted));
    repo.commit_file(
        "postmortems/config.toml",
        "services = [\"payments\"]\n[import.pagerduty.severity]\nP2 = \"SEV1\"\n[import.pagerduty.services]\ncheckout = \"payments\"\n",
        "map checkout",
    );
    let before = repo.commit_count();
    let id = repo
        .ok(&["new", "--from", "pagerduty", &incident, "--log", &log])
        .trim()
        .to_string();
    assert_eq!(repo.commit_count(), before + 1);
    assert_eq!(repo.head_files(), [repo.record_path(&id)]);
    let r = repo.record(&id);
    assert_eq!(s(&r, "title"), "결제 5xx 2% 초과 (checkout)");
    assert_eq!(s(&r, "severity"), "SEV1", "P2 mapped by the config");
    assert_eq!(
        r["services"].as_array().unwrap()[0].as_str(),
        Some("payments")
    );
    assert_eq!(
        r["tags"].as_array().unwrap()[0].as_str(),
        Some("pagerduty:PT4KHLK")
    );
    assert!(same_time(
        &instant(&r["started_at"].to_string()),
        &instant("2026-11-23T00:20:31.123Z")
    ));
    assert_eq!(timeline(&repo, &id).len(), 5);

    // Paged twice at 3 a.m.: the second `new` is refused, and its hint works.
    let out = repo.pm(&["new", "--from", "pagerduty", &incident, "--log", &log]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "PagerDuty incident PT4KHLK already has a post-mortem: {id}"
        )),
        "{err}"
    );
    let hint = err.lines().find_map(|l| l.strip_prefix("hint: ")).unwrap();
    let pasted = repo.sh(hint);
    assert!(pasted.status.success(), "{hint}: {}", stderr(&pasted));
    assert!(
        stderr(&pasted).contains("nothing to import"),
        "{}",
        stderr(&pasted)
    );
    assert_eq!(repo.commit_count(), before + 1);
    // One that resembles theirs is suggested, and the hint works pasted.
    let other = TestRepo::new();
    other.commit_file(
        "postmortems/config.toml",
        "services = [\"payments\", \"checkout-api\"]\n",
        "config",
    );
    let err = other.fails(2, &["new", "--from", "pagerduty", &incident, "--log", &log]);
    let hint = err.lines().find_map(|l| l.strip_prefix("hint: ")).unwrap();
    let hint = hint.rsplit(": ").next().unwrap();
    assert!(hint.ends_with("--service checkout-api"), "{err}");
    let pasted = other.sh(hint);
    assert!(pasted.status.success(), "{hint}: {}", stderr(&pasted));
    let made = stdout(&pasted).trim().to_string();
    assert_eq!(
        other.record(&made)["services"].as_array().unwrap()[0].as_str(),
        Some("checkout-api")
    );
    // The trigger entry keeps the alert's own words, not "Triggered
    // through the API".
    assert!(
        timeline(&other, &made)
            .iter()
            .any(|(_, _, _, text)| text.starts_with("PagerDuty trigger: checkout 5xx rate > 2%")),
        "{:?}",
        timeline(&other, &made)
    );
}

#[test]
fn pagerduty_severity_from_priority_or_urgency_without_a_map() {
    let repo = TestRepo::new();
    let dir = tempfile::tempdir().unwrap();
    for (n, (priority, urgency, want)) in [
        (Some("P1"), "high", "SEV1"),
        (Some("P3"), "high", "SEV3"),
        (Some("P9"), "low", "SEV4"),
        (None, "high", "SEV2"),
        (None, "low", "SEV3"),
    ]
    .into_iter()
    .enumerate()
    {
        let priority = priority
            .map(|p| format!(", \"priority\": {{\"summary\": \"{p}\"}}"))
            .unwrap_or_default();
        let doc = format!(
            "{{\"incident\": {{\"id\": \"PX{n}\", \"title\": \"t{n}\", \"created_at\": \"2026-11-24T00:00:00Z\", \"urgency\": \"{urgency}\"{priority}}}}}"
        );
        let file = dir.path().join(format!("i{n}.json"));
        std::fs::write(&file, doc).unwrap();
        let id = repo
            .ok(&["new", "--from", "pagerduty", file.to_str().unwrap()])
            .trim()
            .to_string();
        assert_eq!(
            s(&repo.record(&id), "severity"),
            want,
            "{priority} {urgency}"
        );
    }
}

/// A commit lands on the records branch while the import is being written
/// (here a teammate's, made with plain git at the tool's `planned` test
/// point: after our commit is made, before the branch moves): the import
/// is planned again on top of it and lands whole.
#[test]
fn an_import_that_loses_the_race_for_the_branch_lands_whole() {
    let repo = TestRepo::new();
    let id = repo.new_record("checkout 5xx", &["--started", "2026-11-23T09:00:00+09:00"]);
    let theirs = "postmortems/templates/theirs.md";
    let index = repo.home.path().join("their-index");
    let someone_else = format!(
        "touch \"$(git rev-parse --git-dir)/moved\" && \
         export GIT_INDEX_FILE='{}' && git read-tree postmortems && \
         b=$(printf 'their template\\n' | git hash-object -w --stdin) && \
         git update-index --add --cacheinfo \"100644,$b,{theirs}\" && \
         c=$(git commit-tree \"$(git write-tree)\" -p postmortems -m 'Someone else') && \
         git update-ref refs/heads/postmortems \"$c\"",
        index.display()
    );
    let before = repo.commit_count();
    let out = repo
        .cmd_in(repo.path())
        .env("DEVOPS_PM_TEST_POINT", "planned")
        .env("DEVOPS_PM_TEST_ACTION", &someone_else)
        .args([
            "postmortem",
            "import",
            &id,
            "--from",
            "pagerduty",
            &fixture("pagerduty_log_entries.json"),
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        repo.path().join(".git/moved").exists(),
        "the teammate's commit ran"
    );
    assert_eq!(repo.commit_count(), before + 2, "theirs and ours");
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s", "postmortems~1"])
            .trim(),
        "Someone else"
    );
    assert_eq!(repo.show(theirs), "their template\n", "theirs is kept");
    assert!(
        repo.head_message()
            .starts_with(&format!("postmortem: import {id}"))
    );
    assert_eq!(
        timeline(&repo, &id).len(),
        5,
        "every entry, after the retry"
    );
    assert_eq!(repo.status_porcelain(), "");
}

#[test]
fn a_second_look_at_what_comes_in() {
    let repo = TestRepo::new();
    let id = repo.new_record("checkout 5xx", &["--started", "2026-11-23T09:00:00+09:00"]);
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, body: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, body).unwrap();
        p.to_str().unwrap().to_string()
    };
    // A quote never closed would swallow the rows after it.
    let open_quote = write(
        "q.csv",
        b"at,text\n2026-11-23T00:30:00Z,first\n2026-11-23T00:31:00Z,\"oops\n2026-11-23T00:32:00Z,third\n",
    );
    let err = repo.fails(2, &["import", &id, "--from", "csv", &open_quote]);
    assert!(
        err.contains("q.csv: entry 3: a quote is not closed"),
        "{err}"
    );
    // One id, two different events: refused, naming both.
    let dup = write(
        "dup.jsonl",
        "{\"at\": \"2026-11-23T00:30:00Z\", \"text\": \"A\", \"source_id\": \"x\"}\n{\"at\": \"2026-11-23T00:31:00Z\", \"text\": \"B\", \"source_id\": \"x\"}\n".as_bytes(),
    );
    let err = repo.fails(2, &["import", &id, "--from", "jsonl", &dup]);
    assert!(
        err.contains("dup.jsonl: entry 2: id 'x' is also entry 1's"),
        "{err}"
    );
    // Slack times before 1970 or after 9999 are not times a record holds.
    for ts in ["-1.5", "253402300800.0"] {
        let f = write(
            "s.json",
            format!("[{{\"type\": \"message\", \"ts\": \"{ts}\", \"text\": \"x\"}}]").as_bytes(),
        );
        let err = repo.fails(2, &["import", &id, "--from", "slack", &f, "--dry-run"]);
        assert!(err.contains("s.json: entry 1:"), "{ts}: {err}");
    }
    // A byte-order mark is not content; a numeric PagerDuty id is an id.
    let bom = write(
        "bom.jsonl",
        "\u{feff}{\"at\": \"2026-11-23T00:30:00Z\", \"text\": \"with a BOM\"}\n".as_bytes(),
    );
    repo.ok(&["import", &id, "--from", "jsonl", &bom]);
    let num = write(
        "num.json",
        b"{\"log_entries\": [{\"id\": 5, \"type\": \"annotate_log_entry\", \"created_at\": \"2026-11-23T00:40:00Z\", \"summary\": \"n\"}]}",
    );
    repo.ok(&["import", &id, "--from", "pagerduty", &num]);
    // The API's `…_log_entry_reference` types are the same entries.
    let later = repo.new_record("refs", &["--started", "2026-11-23T09:00:00+09:00"]);
    let refs = write(
        "refs.json",
        b"{\"log_entries\": [{\"id\": \"T1\", \"type\": \"trigger_log_entry_reference\", \"created_at\": \"2026-11-23T00:05:00Z\"}]}",
    );
    let out = repo.pm(&["import", &later, "--from", "pagerduty", &refs, "--dry-run"]);
    assert!(
        stdout(&out).contains("PagerDuty trigger: trigger"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("would set detected_at"),
        "{}",
        stdout(&out)
    );
    // The same instant with another offset is the same entry; an id is
    // short whatever the text.
    let utc = write("a.csv", b"2026-11-23T00:50:00Z,plain\n");
    let kst = write("b.csv", b"2026-11-23T09:50:00+09:00,plain\n");
    repo.ok(&["import", &id, "--from", "csv", &utc]);
    let again = repo.pm(&["import", &id, "--from", "csv", &kst]);
    assert!(
        stderr(&again).contains("nothing to import: 1 of 1 entry is already in"),
        "{}",
        stderr(&again)
    );
    let got = timeline(&repo, &id);
    assert!(got.iter().all(|(_, sid, _, _)| sid.len() < 64), "{got:?}");
    // Empty input and a window that leaves nothing say so.
    let empty = repo.pm(&["import", &id, "--from", "csv", "-"]);
    assert!(
        stderr(&empty).contains("nothing to import: standard input has no entries"),
        "{}",
        stderr(&empty)
    );
    let out = repo.pm(&[
        "import",
        &id,
        "--from",
        "slack",
        &fixture("slack_channel.json"),
        "--since",
        "2030-01-01",
    ]);
    assert!(
        stderr(&out).contains("nothing to import: all 4 entries of"),
        "{}",
        stderr(&out)
    );
    // --since 09:00 for an incident at 09:10 is that morning.
    let later = repo.new_record("later", &["--started", "2026-11-23T09:22:00+09:00"]);
    let out = repo.pm(&[
        "import",
        &later,
        "--from",
        "slack",
        &fixture("slack_channel.json"),
        "--since",
        "09:20",
        "--until",
        "11:00",
        "--dry-run",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("would add 3 timeline entries"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn log_entries_of_another_incident_are_refused() {
    let repo = TestRepo::new();
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.json");
    std::fs::write(
        &other,
        std::fs::read_to_string(fixture("pagerduty_incident.json"))
            .unwrap()
            .replace("\"id\": \"PT4KHLK\"", "\"id\": \"OTHER1\""),
    )
    .unwrap();
    let before = repo.commit_count();
    let err = repo.fails(
        2,
        &[
            "new",
            "--from",
            "pagerduty",
            other.to_str().unwrap(),
            "--log",
            &fixture("pagerduty_log_entries.json"),
        ],
    );
    assert!(err.contains("is from PagerDuty incident PT4KHLK"), "{err}");
    assert_eq!(repo.commit_count(), before);
    let id = repo
        .ok(&["new", "--from", "pagerduty", other.to_str().unwrap()])
        .trim()
        .to_string();
    let err = repo.fails(
        2,
        &[
            "import",
            &id,
            "--from",
            "pagerduty",
            &fixture("pagerduty_log_entries.json"),
        ],
    );
    assert!(
        err.contains(&format!("and {id} is incident OTHER1's")),
        "{err}"
    );
}

#[test]
fn four_people_paged_at_once_make_one_post_mortem() {
    let repo = TestRepo::new();
    let incident = fixture("pagerduty_incident.json");
    let runs: Vec<_> = (0..4)
        .map(|_| {
            repo.std_cmd_in(repo.path())
                .args(["postmortem", "new", "--from", "pagerduty", &incident])
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outs: Vec<_> = runs
        .into_iter()
        .map(|c| c.wait_with_output().unwrap())
        .collect();
    assert_eq!(
        outs.iter().filter(|o| o.status.success()).count(),
        1,
        "one made it"
    );
    for o in outs.iter().filter(|o| !o.status.success()) {
        assert!(
            stderr(o).contains("already has a post-mortem"),
            "{}",
            stderr(o)
        );
    }
    let files: Vec<String> = repo.records_files().lines().map(str::to_string).collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(
        repo.status_porcelain(),
        "",
        "the refused runs left nothing behind"
    );
}
