//! Follow-through (issue 24): a review before closing where the team asks
//! for one, and action items due by their priority.

use crate::support::*;
use serde_json::Value;

const BOB: (&str, &str) = ("Bob Lee", "bob@example.com");
const ALICE: &str = "Alice Kim <alice@example.com>";

/// A SEV2 record assigned to Alice (the test's own identity) with a
/// finished analysis and nothing open, in a team that reviews SEV1/SEV2.
fn analysed_sev2(repo: &TestRepo) -> String {
    repo.commit_file(
        "postmortems/config.toml",
        "[review]\nrequired = [\"SEV1\", \"SEV2\"]\n",
        "config",
    );
    let id = repo.new_record("Checkout down", &["--severity", "SEV2", "--assignee", "me"]);
    repo.ok(&[
        "analyze",
        &id,
        "--root-cause",
        "The pool was shared with the batch job",
        "--no-action-reason",
        "The batch job is retired",
    ]);
    id
}

/// The line of `text` holding `devops postmortem review …`, from there on,
/// as a person would paste it.
fn pasted_review_command(text: &str) -> String {
    let at = text
        .find("devops postmortem review")
        .unwrap_or_else(|| panic!("no review command in: {text}"));
    text[at..]
        .lines()
        .next()
        .unwrap()
        .trim_end_matches('`')
        .to_string()
}

fn triage_ids(repo: &TestRepo, section: &str) -> Vec<String> {
    let t: Value = serde_json::from_str(&repo.ok(&["triage", "--json"])).unwrap();
    t[section]
        .as_array()
        .unwrap_or_else(|| panic!("no {section} in {t}"))
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn close_waits_for_an_approval_by_someone_other_than_the_assignee() {
    let repo = TestRepo::new();
    let id = analysed_sev2(&repo);
    let before = repo.commit_count();

    // The assignee cannot approve their own analysis.
    let err = repo.fails(1, &["review", &id, "--approve"]);
    assert!(err.contains("is assigned to you"), "{err}");
    assert!(!err.contains('\n') || err.lines().count() <= 3, "{err}");
    // Nor close it without an approval; the refusal names the command.
    let err = repo.fails(1, &["close", &id]);
    assert!(err.contains("an approval"), "{err}");
    assert_eq!(repo.commit_count(), before, "nothing written");

    // Triage lists it as awaiting review, with whose it is.
    let t: Value = serde_json::from_str(&repo.ok(&["triage", "--json"])).unwrap();
    assert_eq!(t["awaiting_review"][0]["id"], id.as_str());
    assert_eq!(t["awaiting_review"][0]["assignee"], ALICE);
    assert!(t["ready_to_close"].as_array().unwrap().is_empty());
    let text = repo.ok(&["triage"]);
    assert!(text.contains("Awaiting review"), "{text}");

    // The command in the refusal, pasted by a teammate, approves it.
    let pasted = pasted_review_command(&err);
    assert_eq!(pasted, format!("devops postmortem review {id} --approve"));
    let out = repo.sh(&format!(
        "GIT_AUTHOR_NAME='Bob Lee' GIT_AUTHOR_EMAIL=bob@example.com {pasted}"
    ));
    assert!(out.status.success(), "{}", stderr(&out));
    let r = repo.record(&id);
    assert_eq!(s(&r, "review"), "approved");
    assert_eq!(s(&r, "reviewed_by"), "Bob Lee <bob@example.com>");
    assert_eq!(r["reviewed_at"].to_string(), "2026-11-24T10:00:00+09:00");
    let trailer = repo.git(&[
        "log",
        "-1",
        "--format=%(trailers:key=Reviewed-by,valueonly)",
        "refs/heads/postmortems",
    ]);
    assert_eq!(trailer.trim(), "Bob Lee <bob@example.com>");
    assert!(triage_ids(&repo, "awaiting_review").is_empty());
    assert_eq!(triage_ids(&repo, "ready_to_close"), [id.as_str()]);

    let shown = repo.ok(&["show", &id]);
    assert!(
        shown.contains("reviewed  approved by Bob Lee, 2026-11-24 10:00"),
        "{shown}"
    );
    repo.ok(&["close", &id]);
    assert_eq!(s(&repo.record(&id), "status"), "closed");

    // Reopened, it needs a fresh approval.
    repo.ok(&["reopen", &id, "--reason", "It happened again"]);
    let r = repo.record(&id);
    for key in ["review", "reviewed_by", "reviewed_at"] {
        assert!(!r.contains_key(key), "{key} kept after reopen: {r:?}");
    }
    repo.ok(&["analyze", &id, "--confirm"]);
    let err = repo.fails(1, &["close", &id]);
    assert!(err.contains("an approval"), "{err}");
    assert_eq!(triage_ids(&repo, "awaiting_review"), [id.as_str()]);
}

#[test]
fn changes_requested_go_back_to_the_assignee_until_they_change_it() {
    let repo = TestRepo::new();
    let id = analysed_sev2(&repo);
    let out = repo.pm_as(
        BOB,
        &[
            "review",
            &id,
            "--request-changes",
            "The timeline stops at 09:20",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let r = repo.record(&id);
    assert_eq!(s(&r, "review"), "changes_requested");
    assert_eq!(s(&r, "review_note"), "The timeline stops at 09:20");
    assert_eq!(s(&r, "reviewed_by"), "Bob Lee <bob@example.com>");
    let trailers = repo.git(&["log", "-1", "--format=%B", "refs/heads/postmortems"]);
    assert!(
        !trailers.contains("Reviewed-by:"),
        "not an approval: {trailers}"
    );
    assert_eq!(triage_ids(&repo, "changes_requested"), [id.as_str()]);
    assert!(triage_ids(&repo, "awaiting_review").is_empty());
    let err = repo.fails(1, &["close", &id]);
    assert!(err.contains("The timeline stops at 09:20"), "{err}");

    // The assignee's next change puts it up for review again (a minute on).
    repo.ok_at(
        "2026-11-24T10:01:00+09:00",
        &["timeline", "add", &id, "--at", "09:25", "Paged the on-call"],
    );
    assert_eq!(triage_ids(&repo, "awaiting_review"), [id.as_str()]);
    assert!(triage_ids(&repo, "changes_requested").is_empty());

    // Asking for changes needs a reason; that is a usage error.
    let out = repo.pm_as(BOB, &["review", &id, "--request-changes", " "]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    // One of the two is needed.
    let out = repo.pm_as(BOB, &["review", &id]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}

#[test]
fn an_unfinished_analysis_is_not_approved_and_nothing_is_written() {
    let repo = TestRepo::new();
    let id = repo.new_record("Search slow", &["--severity", "SEV1"]);
    let before = repo.commit_count();
    let out = repo.pm_as(BOB, &["review", &id, "--approve"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("cannot be approved yet") && err.contains("root cause"),
        "{err}"
    );
    assert_eq!(repo.commit_count(), before);
    // Without [review] in the config nothing waits for one.
    repo.ok(&[
        "analyze",
        &id,
        "--root-cause",
        "Index rebuilt at peak",
        "--no-action-reason",
        "Rebuilds moved to the night",
    ]);
    assert!(triage_ids(&repo, "awaiting_review").is_empty());
    repo.ok(&["close", &id]);
}

#[test]
fn a_record_without_review_fields_reads_and_closes_as_before() {
    // Written by an earlier version: no review, no priority.
    let repo = TestRepo::new();
    let id = repo.new_record("Old one", &[]);
    let path = repo.record_path(&id);
    let text = format!(
        "{}\n[[action_items]]\nn = 1\ntext = \"Fix\"\nstatus = \"done\"\n",
        repo.show(&path)
    );
    repo.commit_file(&path, &text, "by hand, as before");
    repo.ok(&["analyze", &id, "--root-cause", "x"]);
    let shown: Value = serde_json::from_str(&repo.ok(&["show", &id, "--json"])).unwrap();
    assert_eq!(shown["review"], Value::Null);
    assert_eq!(shown["action_items"][0]["priority"], Value::Null);
    repo.ok(&["close", &id]);
}

#[test]
fn a_missing_due_day_comes_from_the_priority_and_is_said_back() {
    let repo = TestRepo::new();
    let id = repo.new_record("Checkout down", &[]);
    // NOW is 2026-11-24. Built in: normal (the default) 8 weeks, high 4.
    let out = repo.pm(&["action", "add", &id, "Give the batch its own pool"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("action #1 is due 2027-01-19: normal priority gives 8 weeks"),
        "{}",
        stderr(&out)
    );
    let out = repo.pm(&["action", "add", &id, "Alert at 80%", "--priority", "HIGH"]);
    assert!(stderr(&out).contains("due 2026-12-22"), "{}", stderr(&out));
    repo.ok(&["action", "add", &id, "Runbook", "--due", "2026-12-01"]);
    repo.ok(&[
        "analyze",
        &id,
        "--root-cause",
        "Shared pool",
        "--action",
        "Size it",
        "--priority",
        "low",
    ]);
    let r = repo.record(&id);
    let items: Vec<(String, String)> = r["action_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["priority"].as_str().unwrap().into(), a["due"].to_string()))
        .collect();
    assert_eq!(
        items,
        [
            ("normal".into(), "2027-01-19".into()),
            ("high".into(), "2026-12-22".into()),
            ("normal".into(), "2026-12-01".into()),
            ("low".into(), "2027-02-16".into()),
        ]
    );
    // A priority can be corrected; a level the team lacks is refused, listed.
    repo.ok(&["action", "edit", &format!("{id}#3"), "--priority", "high"]);
    assert_eq!(
        repo.record(&id)["action_items"][2]["priority"].as_str(),
        Some("high")
    );
    let err = repo.fails(2, &["action", "add", &id, "X", "--priority", "urgent"]);
    assert!(
        err.contains("--priority: unknown priority 'urgent': use one of high, normal, low"),
        "{err}"
    );
}

#[test]
fn the_teams_priorities_replace_the_built_in_ones() {
    let repo = TestRepo::new();
    repo.commit_file(
        "postmortems/config.toml",
        "[actions]\ndefault_priority = \"p2\"\n\n[actions.priorities]\np1 = \"1w\"\np2 = \"10d\"\n",
        "config",
    );
    let id = repo.new_record("Checkout down", &[]);
    repo.ok(&["action", "add", &id, "One", "--priority", "p1"]);
    repo.ok(&["action", "add", &id, "Two"]);
    let r = repo.record(&id);
    let dues: Vec<String> = r["action_items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["due"].to_string())
        .collect();
    assert_eq!(dues, ["2026-12-01", "2026-12-04"]);
    let err = repo.fails(2, &["action", "add", &id, "X", "--priority", "high"]);
    assert!(err.contains("use one of p1, p2"), "{err}");
}

#[test]
fn triage_shows_items_due_within_three_days_beside_the_overdue() {
    let repo = TestRepo::new();
    let id = repo.new_record("Checkout down", &[]);
    for (text, due) in [("Late", "yesterday"), ("Soon", "+3d"), ("Later", "+4d")] {
        repo.ok(&["action", "add", &id, text, "--due", due]);
    }
    let t: Value = serde_json::from_str(&repo.ok(&["triage", "--json"])).unwrap();
    let ns = |key: &str| -> Vec<u64> {
        t[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["n"].as_u64().unwrap())
            .collect()
    };
    assert_eq!(ns("actions_overdue"), [1]);
    assert_eq!(ns("actions_due_soon"), [2]);
    let text = repo.ok(&["triage"]);
    assert!(
        text.contains("Action items due within 3 days (1)"),
        "{text}"
    );
}

/// Two records made at NOW (2026-11-24 10:00 +09:00), their items done
/// on given days; the figures read on 2026-12-10.
///
/// | item | service | due        | done           | came due | on time | days to done |
/// | A#1  | pay     | 2026-12-01 | 11-28          | yes      | yes     | 4            |
/// | A#2  | pay     | 2026-12-02 | 12-05          | yes      | no      | 11           |
/// | A#3  | pay     | 2026-12-03 | open           | yes      | no      | —            |
/// | B#1  | search  | 2026-12-08 | 12-08          | yes      | yes     | 14           |
/// | B#2  | search  | 2026-12-20 | open           | not yet  |         |              |
/// | B#3  | search  | 2026-12-02 | wontfix        | left out |         |              |
#[test]
fn stats_give_the_follow_up_completion_rate_and_time_to_done_per_week_and_service() {
    let repo = TestRepo::new();
    let a = repo.new_record("Card payments failing", &["--service", "pay"]);
    let b = repo.new_record("Search slow", &["--service", "search"]);
    for (id, due) in [
        (&a, "2026-12-01"),
        (&a, "2026-12-02"),
        (&a, "2026-12-03"),
        (&b, "2026-12-08"),
        (&b, "2026-12-20"),
        (&b, "2026-12-02"),
    ] {
        repo.ok(&["action", "add", id, "Do it", "--due", due]);
    }
    for (item, at) in [
        (format!("{a}#1"), "2026-11-28T10:00:00+09:00"),
        (format!("{a}#2"), "2026-12-05T10:00:00+09:00"),
        (format!("{b}#1"), "2026-12-08T10:00:00+09:00"),
    ] {
        repo.ok_at(at, &["action", "done", &item]);
    }
    repo.ok(&[
        "action",
        "wontfix",
        &format!("{b}#3"),
        "--reason",
        "Retired",
    ]);

    let read_at = "2026-12-10T10:00:00+09:00";
    let v: Value =
        serde_json::from_str(&repo.ok_at(read_at, &["stats", "--json", "--by", "week"])).unwrap();
    let f = &v["follow_up"];
    let rate = |r: &Value| {
        (
            r["came_due"].as_u64().unwrap(),
            r["done_on_time"].as_u64().unwrap(),
            r["completion_rate"].as_f64(),
            r["done"].as_u64().unwrap(),
            r["median_days_to_done"].as_f64(),
        )
    };
    assert_eq!(rate(f), (4, 2, Some(0.5), 3, Some(11.0)));
    type Figures = (u64, u64, Option<f64>, u64, Option<f64>);
    let keyed = |list: &str, key: &str| -> Vec<(String, Figures)> {
        f[list]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| (p[key].as_str().unwrap().to_string(), rate(p)))
            .collect()
    };
    assert_eq!(
        keyed("by_period", "period"),
        [
            ("2026-W49".into(), (3, 1, Some(0.333), 2, Some(7.5))),
            ("2026-W50".into(), (1, 1, Some(1.0), 1, Some(14.0))),
        ]
    );
    assert_eq!(
        keyed("by_service", "service"),
        [
            ("pay".into(), (3, 1, Some(0.333), 2, Some(7.5))),
            ("search".into(), (1, 1, Some(1.0), 1, Some(14.0))),
        ]
    );
    let text = repo.ok_at(read_at, &["stats", "--by", "week"]);
    assert!(
        text.contains("Follow-up: 2 of 4 items that came due were done by their due day (50%); median 11d to done (3 done)"),
        "{text}"
    );
    assert!(text.contains("2026-W49") && text.contains("33%"), "{text}");

    // The wall page shows the rate, from the same figures.
    let file = repo.home.path().join("wall.html");
    repo.ok_at(
        read_at,
        &["report", "--by", "week", "-o", file.to_str().unwrap()],
    );
    let page = std::fs::read_to_string(&file).unwrap();
    assert!(
        page.contains("data-stat=\"follow_up.completion_rate\"") && page.contains(">50%<"),
        "{page}"
    );
}

#[test]
fn an_approval_and_a_later_request_for_changes_on_two_clones_sync_to_the_later() {
    let t = crate::team::team();
    let id = t.alice.new_record(
        "Shared incident",
        &[
            "--severity",
            "SEV2",
            "--assignee",
            "Carol Park <carol@example.com>",
        ],
    );
    t.alice.ok(&[
        "analyze",
        &id,
        "--root-cause",
        "Pool shared with the batch job",
        "--no-action-reason",
        "The batch job is retired",
    ]);
    t.alice.ok(&["sync"]);
    t.bob.ok(&["sync"]);
    // Alice approves at 10:00; Bob, not having seen it, asks for changes at 10:30.
    t.alice.ok(&["review", &id, "--approve"]);
    t.bob.ok_at(
        "2026-11-24T10:30:00+09:00",
        &["review", &id, "--request-changes", "Say what paged us"],
    );
    t.alice.ok(&["sync"]);
    t.bob.ok(&["sync"]);
    t.alice.ok(&["sync"]);
    t.all_agree();
    let r = t.alice.record(&id);
    assert_eq!(s(&r, "review"), "changes_requested");
    assert_eq!(s(&r, "reviewed_by"), "Bob Lee <bob@example.com>");
    assert_eq!(s(&r, "review_note"), "Say what paged us");
}
