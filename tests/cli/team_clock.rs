//! Issue 23, a KST team's week: one clock in every human output (the
//! config's zone), imports written in it, timelines in time order in every
//! format, bare clocks read as a person means them (or refused with both
//! readings to paste), IDs filed under the incident's day, past due dates.
//! The team runs with `TZ=Asia/Seoul`, `timezone = "+09:00"`, and a clock
//! pinned three days after the incident.

use crate::support::*;
use chrono::{DateTime, FixedOffset};
use serde_json::Value;
use std::process::Output;

const DAYS_LATER: &str = "2026-12-03T10:00:00+09:00";

/// A repository of a team in Seoul: its config says +09:00, and the clock
/// reads Dec 3, three days after the incident of Nov 30.
fn seoul() -> TestRepo {
    let mut repo = TestRepo::new();
    repo.now = DAYS_LATER.to_string();
    repo.commit_on_records_branch(
        "postmortems/config.toml",
        "timezone = \"+09:00\"\n",
        "config",
    );
    repo
}

/// `devops postmortem ARGS` on a machine set to Seoul time.
fn run(repo: &TestRepo, args: &[&str]) -> Output {
    repo.cmd_in(repo.path())
        .env("TZ", "Asia/Seoul")
        .arg("postmortem")
        .args(args)
        .output()
        .unwrap()
}

fn ok(repo: &TestRepo, args: &[&str]) -> String {
    let out = run(repo, args);
    assert!(out.status.success(), "{args:?} failed: {}", stderr(&out));
    stdout(&out)
}

fn instant(s: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("{s}: {e}"))
}

/// The times of the record's timeline as committed, in the file's order.
fn timeline_at(repo: &TestRepo, id: &str) -> Vec<String> {
    repo.record(id)["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["at"].to_string())
        .collect()
}

/// A record committed by hand, as a teammate's earlier version left it:
/// times in two offsets, and a timeline whose earliest event is last.
const MIXED: &str = r#"schema = 1
id = "PM-20261130-abcdefgh"
title = "Batch overload"
status = "open"
severity = "SEV2"
started_at = 2026-11-30T03:10:00+09:00
acknowledged_at = 2026-11-29T18:19:00+00:00
resolved_at = 2026-11-29T19:02:00Z
created_at = 2026-11-29T16:00:00+00:00

[[timeline]]
at = 2026-11-29T18:12:30.250+00:00
text = "PagerDuty trigger"

[[timeline]]
at = 2026-11-30T03:25:00+09:00
text = "rollback started"

[[timeline]]
at = 2026-11-30T03:00:00+09:00
text = "batch started"
"#;

const MIXED_PATH: &str = "postmortems/2026/11/PM-20261130-abcdefgh.toml";

/// The texts of the mixed record's entries, earliest first.
const IN_ORDER: [&str; 3] = ["batch started", "PagerDuty trigger", "rollback started"];

fn mixed() -> TestRepo {
    let repo = seoul();
    repo.commit_on_records_branch(MIXED_PATH, MIXED, "by hand");
    repo
}

/// Where each text first appears in `out`, which must hold them all.
fn positions(out: &str, texts: &[&str]) -> Vec<usize> {
    texts
        .iter()
        .map(|t| out.find(t).unwrap_or_else(|| panic!("no {t:?} in {out}")))
        .collect()
}

fn assert_in_order(out: &str, what: &str) {
    let at = positions(out, &IN_ORDER);
    assert!(
        at.windows(2).all(|w| w[0] < w[1]),
        "{what}: timeline not in time order: {out}"
    );
}

#[test]
fn pagerduty_import_writes_the_teams_zone_keeping_instants_and_milliseconds() {
    let repo = seoul();
    let id = repo.new_record("결제 5xx", &["--started", "2026-11-23 09:20"]);
    let file = format!(
        "{}/tests/fixtures/import/pagerduty_log_entries.json",
        env!("CARGO_MANIFEST_DIR")
    );
    ok(&repo, &["import", &id, "--from", "pagerduty", &file]);

    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let theirs: Vec<DateTime<FixedOffset>> = doc["log_entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| instant(e["created_at"].as_str().unwrap()))
        .collect();
    let ours: Vec<DateTime<FixedOffset>> =
        timeline_at(&repo, &id).iter().map(|t| instant(t)).collect();
    assert_eq!(ours.len(), theirs.len());
    for t in &ours {
        assert_eq!(t.offset().local_minus_utc(), 9 * 3600, "{t} not in +09:00");
        assert!(
            theirs.contains(t),
            "{t}: an instant the source does not have"
        );
    }
    // The times the import filled: the same instants, in +09:00, to the ms.
    let r = repo.record(&id);
    for (field, theirs) in [
        ("detected_at", "2026-11-23T00:20:31.123Z"),
        ("acknowledged_at", "2026-11-23T00:24:03.250Z"),
        ("resolved_at", "2026-11-23T11:04:59.875+09:00"),
    ] {
        let ours = instant(&r[field].to_string());
        let theirs = instant(theirs);
        assert_eq!(ours, theirs, "{field}");
        assert_eq!(ours.offset().local_minus_utc(), 9 * 3600, "{field}: {ours}");
        assert_eq!(
            ours.timestamp_subsec_millis(),
            theirs.timestamp_subsec_millis(),
            "{field}"
        );
    }

    // `show` names the zone once, and no time reads in another.
    let shown = ok(&repo, &["show", &id]);
    assert_eq!(shown.matches("+09:00").count(), 1, "{shown}");
    assert!(!shown.contains("+00:00"), "{shown}");
    assert!(shown.contains("acknowledged  2026-11-23 09:24"), "{shown}");
}

#[test]
fn show_reads_every_time_in_the_configs_zone_and_names_it_once() {
    let repo = mixed();
    let shown = ok(&repo, &["show", "abcdefgh"]);
    assert!(shown.contains("Times (+09:00)"), "{shown}");
    assert_eq!(shown.matches("+09:00").count(), 1, "{shown}");
    assert!(!shown.contains("+00:00"), "{shown}");
    // 18:19 UTC is 03:19 the next morning in Seoul, between 03:10 and 04:02.
    for line in [
        "started       2026-11-30 03:10",
        "acknowledged  2026-11-30 03:19",
        "resolved      2026-11-30 04:02",
        "created       2026-11-30 01:00",
        "#1  2026-11-30 03:00  batch started",
        "#2  2026-11-30 03:12  PagerDuty trigger",
        "#3  2026-11-30 03:25  rollback started",
    ] {
        assert!(shown.contains(line), "no {line:?} in {shown}");
    }
    // Created 11-30 01:00 in Seoul (11-29 16:00 UTC), SEV2: 5 days.
    assert!(shown.contains("review    due 2026-12-05"), "{shown}");
}

#[test]
fn timelines_are_in_time_order_in_markdown_and_json() {
    let repo = mixed();
    let md = ok(&repo, &["show", "abcdefgh", "--format", "markdown"]);
    assert_in_order(&md, "show --format markdown");
    assert!(md.contains("| Times in | +09:00 |"), "{md}");
    assert!(md.contains("| 2026-11-30 03:00 | batch started |"), "{md}");
    assert!(md.contains("| Acknowledged | 2026-11-30 03:19"), "{md}");
    assert!(!md.contains("+00:00"), "{md}");

    let export = ok(&repo, &["export"]);
    assert_in_order(&export, "export");
    assert_eq!(export.matches("+09:00").count(), 1, "{export}");
    assert!(export.contains("Times are in +09:00"), "{export}");

    // JSON: the file's values as they are, the timeline by instant.
    let texts = |v: &Value| -> Vec<String> {
        v["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["text"].as_str().unwrap().to_string())
            .collect()
    };
    let one: Value = serde_json::from_str(&ok(&repo, &["show", "abcdefgh", "--json"])).unwrap();
    assert_eq!(texts(&one), IN_ORDER);
    assert_eq!(one["acknowledged_at"], "2026-11-29T18:19:00+00:00");
    let all: Value = serde_json::from_str(&ok(&repo, &["export", "--json"])).unwrap();
    assert_eq!(texts(&all[0]), IN_ORDER);
    let listed: Value = serde_json::from_str(&ok(&repo, &["list", "--json"])).unwrap();
    assert_eq!(texts(&listed[0]), IN_ORDER);
    // The file itself is left as it was written.
    assert_eq!(repo.show(MIXED_PATH), MIXED);
}

#[test]
fn the_wall_page_and_triage_read_the_teams_clock_when_now_is_given_in_utc() {
    let mut repo = mixed();
    repo.now = "2026-12-03T01:00:00Z".into();
    let page = repo.home.path().join("wall.html");
    ok(&repo, &["report", "-o", page.to_str().unwrap()]);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.contains("2026-12-03 10:00 +09:00"), "{html}");
    assert!(!html.contains("+00:00"), "{html}");

    // Review by: created 11-30 01:00 in Seoul + 5 days, the team's day.
    let triage = ok(&repo, &["triage"]);
    assert!(triage.contains("2026-12-05"), "{triage}");
}

#[test]
fn a_bare_clock_in_a_timeline_entry_is_the_one_nearest_the_start() {
    let repo = seoul();
    let id = repo.new_record("Batch overload", &["--started", "2026-11-30 03:10"]);
    // The trigger, ten minutes before the start: that morning, not Dec 1.
    ok(&repo, &["analyze", &id, "--event", "03:00 batch started"]);
    ok(&repo, &["timeline", "add", &id, "--at", "02:40", "deploy"]);
    ok(
        &repo,
        &["timeline", "add", &id, "--at", "14:00", "all clear"],
    );
    assert_eq!(
        timeline_at(&repo, &id),
        [
            "2026-11-30T03:00:00+09:00",
            "2026-11-30T02:40:00+09:00",
            "2026-11-30T14:00:00+09:00",
        ]
    );
    // #2 (03:00) corrected to 03:05: moved, not "nothing to change".
    let before = repo.commit_count();
    let out = run(
        &repo,
        &["timeline", "edit", &format!("{id}#2"), "--at", "03:05"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("nothing to change"),
        "{}",
        stderr(&out)
    );
    assert_eq!(repo.commit_count(), before + 1);
    assert_eq!(timeline_at(&repo, &id)[0], "2026-11-30T03:05:00+09:00");
}

/// The command a hint gives to paste, from the hint line that `says`.
fn pasted(err: &str, says: &str) -> String {
    let line = err
        .lines()
        .find(|l| l.starts_with("hint: ") && l.contains(says))
        .unwrap_or_else(|| panic!("no hint with {says:?}: {err}"));
    let at = line.find("devops ").expect("a command");
    line[at..].to_string()
}

#[test]
fn an_incident_time_half_a_day_past_its_anchor_is_refused_with_both_readings_to_paste() {
    let repo = seoul();
    let id = repo.new_record("Batch overload", &["--started", "2026-11-30 03:20"]);
    let before = repo.commit_count();
    let out = run(&repo, &["update", &id, "--mitigated", "02:10"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.starts_with("error: --mitigated 02:10"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(repo.commit_count(), before);
    assert!(repo.record(&id).get("mitigated_at").is_none());

    // Both readings, as the whole command with the day written out.
    let next_day = pasted(&err, "2026-12-01 02:10");
    let same_day = pasted(&err, "2026-11-30 02:10");
    assert_eq!(
        next_day,
        format!("devops postmortem update {id} --mitigated '2026-12-01 02:10'")
    );
    assert!(
        same_day.ends_with("--mitigated '2026-11-30 02:10'"),
        "{same_day}"
    );

    // Pasted as it is, the first one does what it says.
    let pasted = repo.sh(&format!("TZ=Asia/Seoul {next_day}"));
    assert!(pasted.status.success(), "{}", stderr(&pasted));
    assert_eq!(
        repo.record(&id)["mitigated_at"].to_string(),
        "2026-12-01T02:10:00+09:00"
    );
    assert_eq!(repo.commit_count(), before + 1);
}

#[test]
fn new_refuses_a_far_bare_clock_and_its_pasted_correction_creates_the_record() {
    let repo = seoul();
    let args = [
        "new",
        "--title",
        "Batch overload",
        "--started",
        "2026-11-30 03:20",
        "--resolved",
        "03:10",
    ];
    let before = repo.commit_count();
    let out = run(&repo, &args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(repo.commit_count(), before, "nothing written: {err}");
    let line = pasted(&err, "2026-12-01 03:10");
    assert!(line.contains("--title 'Batch overload'"), "{line}");
    let made = repo.sh(&format!("TZ=Asia/Seoul {line}"));
    assert!(made.status.success(), "{}", stderr(&made));
    let id = stdout(&made).trim().to_string();
    assert_eq!(
        repo.record(&id)["resolved_at"].to_string(),
        "2026-12-01T03:10:00+09:00"
    );
    // A bare clock close after its anchor is read as before.
    let id = ok(
        &repo,
        &[
            "new",
            "--title",
            "t",
            "--started",
            "2026-11-30 23:50",
            "--detected",
            "00:10",
        ],
    );
    assert_eq!(
        repo.record(id.trim())["detected_at"].to_string(),
        "2026-12-01T00:10:00+09:00"
    );
}

#[test]
fn an_incident_filed_days_later_is_filed_under_the_day_it_began() {
    let repo = seoul();
    let id = repo.new_record("Batch overload", &["--started", "2026-11-30 03:10"]);
    assert!(id.starts_with("PM-20261130-"), "{id}");
    assert_eq!(
        repo.record_path(&id),
        format!("postmortems/2026/11/{id}.toml")
    );
    // 03:10 in Seoul on Dec 1 is still Nov 30 in UTC: the team's day counts.
    let early = repo.new_record("Early", &["--started", "2026-12-01 03:10"]);
    assert!(early.starts_with("PM-20261201-"), "{early}");
    assert_eq!(
        repo.record_path(&early),
        format!("postmortems/2026/12/{early}.toml")
    );
    // Without a start: the day it is written up.
    let today = repo.new_record("No start", &[]);
    assert!(today.starts_with("PM-20261203-"), "{today}");
}

#[test]
fn a_past_due_date_is_taken_with_a_note_that_the_item_is_already_overdue() {
    let repo = seoul();
    let id = repo.new_record("Batch overload", &["--started", "2026-11-30 03:10"]);
    let out = run(
        &repo,
        &[
            "action",
            "add",
            &id,
            "Split the batch pool",
            "--due",
            "yesterday",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("already overdue"), "{}", stderr(&out));
    let r = repo.record(&id);
    assert_eq!(r["action_items"][0]["due"].to_string(), "2026-12-02");
    let shown = ok(&repo, &["show", &id]);
    assert!(shown.contains("due 2026-12-02 (overdue)"), "{shown}");
}

#[test]
fn log_shows_a_changed_time_in_the_teams_zone() {
    let repo = mixed();
    let fixed = MIXED.replace(
        "acknowledged_at = 2026-11-29T18:19:00+00:00",
        "acknowledged_at = 2026-11-29T18:21:00+00:00",
    );
    repo.commit_on_records_branch(MIXED_PATH, &fixed, "ack by hand");
    let log = ok(&repo, &["log", "abcdefgh"]);
    assert!(
        log.contains("acknowledged_at: 2026-11-30T03:19:00+09:00 → 2026-11-30T03:21:00+09:00"),
        "{log}"
    );
    assert!(!log.contains("+00:00"), "{log}");
}

#[test]
fn the_guided_new_asks_again_for_a_bare_clock_half_a_day_past_the_time_before() {
    let repo = seoul();
    repo.commit_on_records_branch(
        "postmortems/config.toml",
        "timezone = \"+09:00\"\nservices = [\"payments\", \"search\"]\n",
        "config",
    );
    let mut p = repo.pty(&["new"]);
    p.exp_string("Title").unwrap();
    p.send_line("Batch overload").unwrap();
    p.exp_string("> SEV3").unwrap();
    key(&mut p, "\r");
    p.exp_string("Affected services").unwrap();
    p.exp_string("search").unwrap();
    key(&mut p, " ");
    key(&mut p, "\r");
    p.exp_string("Summary").unwrap();
    p.send_line("").unwrap();
    p.exp_string("When did it start").unwrap();
    p.send_line("2026-11-30 03:20").unwrap();
    p.exp_string("When was it detected").unwrap();
    p.send_line("03:25").unwrap();
    p.exp_string("mitigated").unwrap();
    p.send_line("02:10").unwrap(); // 22h 45m later, or before the start
    p.exp_string("2026-12-01 02:10 or 2026-11-30 02:10: give the day too")
        .unwrap();
    p.exp_string("mitigated").unwrap();
    p.send_line("2026-11-30 04:10").unwrap();
    p.exp_string("resolved").unwrap();
    p.send_line("").unwrap();
    for question in ["Users affected", "Field reports", "Impact in words"] {
        p.exp_string(question).unwrap();
        p.send_line("").unwrap();
    }
    p.exp_string("Create this post-mortem?").unwrap();
    key(&mut p, "\r");
    p.exp_string("Created PM-").unwrap();
    p.exp_eof().unwrap();
    let files = repo.git(&["ls-tree", "-r", "--name-only", "postmortems"]);
    let path = files
        .lines()
        .find(|l| l.contains("/PM-"))
        .expect("a record");
    let r: toml::Table = toml::from_str(&repo.show(path)).unwrap();
    assert_eq!(r["mitigated_at"].to_string(), "2026-11-30T04:10:00+09:00");
}
