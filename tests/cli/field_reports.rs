//! The team's own number: field reports and users affected, summed on
//! every screen. Every figure below is worked out by hand from the records
//! the test makes.

use crate::support::*;
use serde_json::Value;

/// The records `triage --json` flags for having no user education.
fn flagged_for_education(repo: &TestRepo) -> Vec<Value> {
    json(repo, &["triage", "--json"])["no_user_education"]
        .as_array()
        .unwrap()
        .clone()
}

fn json(repo: &TestRepo, args: &[&str]) -> Value {
    serde_json::from_str(&repo.ok(args)).unwrap()
}

/// Five incidents over weeks 2026-W46…W48 (now is Tuesday of W48, +09:00),
/// built once.
fn team() -> (TestRepo, [String; 5]) {
    let (repo, ids) = fixture("five incidents", build_team);
    (repo, ids.try_into().unwrap())
}

fn build_team() -> (TestRepo, Vec<String>) {
    let repo = TestRepo::new();
    repo.commit_file(
        "postmortems/config.toml",
        "timezone = \"+09:00\"\nservices = [\"payments\", \"search\"]\n",
        "config",
    );
    let new = |title: &str, sev: &str, service: &str, started: &str, figures: &[&str]| {
        let mut args = vec![
            "--severity",
            sev,
            "--service",
            service,
            "--started",
            started,
        ];
        args.extend_from_slice(figures);
        repo.new_record(title, &args)
    };
    let a = new(
        "결제 실패",
        "SEV1",
        "payments",
        "2026-11-23 09:00",
        &["--field-reports", "20", "--users-affected", "1000"],
    );
    let b = new(
        "검색 지연",
        "SEV2",
        "search",
        "2026-11-24 08:00",
        &["--field-reports", "3"],
    );
    let c = new(
        "결제 지연",
        "SEV2",
        "payments",
        "2026-11-18 10:00",
        &["--field-reports", "41", "--users-affected", "500"],
    );
    let d = new(
        "결제 알림 누락",
        "SEV3",
        "payments",
        "2026-11-17 10:00",
        &[],
    );
    let e = new(
        "검색 색인",
        "SEV3",
        "search",
        "2026-11-10 10:00",
        &["--field-reports", "7"],
    );
    (repo, vec![a, b, c, d, e])
}

#[test]
fn field_reports_are_summed_per_severity_service_and_period_with_the_change() {
    let (repo, [_, b, ..]) = team();
    // Reports keep arriving: +2 adds, one commit, and the log says so.
    let before = repo.commit_count();
    repo.ok(&["update", &b, "--field-reports", "+2"]);
    assert_eq!(repo.commit_count(), before + 1);
    assert_eq!(
        repo.record(&b)["impact"]["field_reports"].as_integer(),
        Some(5)
    );
    let log = repo.ok(&["log", &b]);
    assert!(log.contains("field_reports: 3 → 5"), "{log}");
    // A plain number still sets it.
    repo.ok(&["update", &b, "--field-reports", "5"]);
    let err = repo.fails(2, &["update", &b, "--field-reports", "+-3"]);
    assert!(err.contains("'+-3' is not a count"), "{err}");

    let s = json(&repo, &["stats", "--json"]);
    let f = &s["field_reports"];
    // 20 + 5 + 41 + 7; the SEV3 of W47 has no figure: left out, not zero.
    assert_eq!(f["total"], 73);
    assert_eq!(f["records"], 4);
    assert_eq!(f["left_out"], 1);
    assert_eq!(f["by_severity"]["SEV1"], 20);
    assert_eq!(f["by_severity"]["SEV2"], 46);
    assert_eq!(f["by_severity"]["SEV3"], 7);
    assert_eq!(f["by_severity"]["SEV4"], 0);
    assert_eq!(f["by_service"]["payments"], 61);
    assert_eq!(f["by_service"]["search"], 12);
    assert_eq!(f["by_period"]["2026-W46"], 7);
    assert_eq!(f["by_period"]["2026-W47"], 41);
    assert_eq!(f["by_period"]["2026-W48"], 25);
    assert_eq!(f["this_period"]["period"], "2026-W48");
    assert_eq!(f["this_period"]["value"], 25);
    assert_eq!(f["this_period"]["left_out"], 0);
    assert_eq!(f["previous_period"]["value"], 41);
    assert_eq!(f["previous_period"]["left_out"], 1);
    // (25 − 41) / 41 = −39.02…%
    assert_eq!(f["change_percent"], -39.0);
    let u = &s["users_affected"];
    assert_eq!(u["total"], 1500);
    assert_eq!(u["records"], 2);
    assert_eq!(u["left_out"], 3);
    assert_eq!(u["change_percent"], 100.0);
    let last = s["recent_periods"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(
        (last["period"].clone(), last["field_reports"].clone()),
        ("2026-W48".into(), 25.into())
    );

    // Per month there is no October to compare with.
    let m = json(&repo, &["stats", "--json", "--by", "month"]);
    assert_eq!(m["field_reports"]["this_period"]["value"], 73);
    assert!(m["field_reports"]["change_percent"].is_null());

    // The terminal says the same in one line each.
    let text = repo.ok(&["stats"]);
    assert!(
        text.contains("Field reports: this week so far 25, last week 41 (−39%); 73 in all from 4 records, 1 without a figure"),
        "{text}"
    );
    assert!(
        text.contains("Users affected: this week so far 1000, last week 500 (+100%)"),
        "{text}"
    );

    // Recurring services: search's reports rose (0 → 5), payments' fell
    // (41 → 20): search comes first though it has fewer records.
    let names: Vec<&str> = s["recurring_services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["search", "payments"]);
    assert_eq!(s["recurring_services"][0]["field_reports_previous"], 0);
    assert_eq!(s["recurring_services"][0]["field_reports_this"], 5);
    assert_eq!(s["recurring_services"][1]["field_reports_previous"], 41);
    assert_eq!(s["recurring_services"][1]["field_reports_this"], 20);
}

#[test]
fn user_education_is_an_action_kind_and_triage_asks_for_it() {
    let (repo, [a, _, c, ..]) = team();
    repo.ok(&[
        "analyze",
        &a,
        "--root-cause",
        "Pool shared with the batch",
        "--action",
        "Give the batch its own pool of 20",
        "--kind",
        "prevent",
        "--owner",
        "alice",
        "--due",
        "+7d",
    ]);
    repo.ok(&[
        "analyze",
        &c,
        "--root-cause",
        "Slow query on the ledger",
        "--action",
        "Index ledger.created_at",
        "--owner",
        "alice",
        "--due",
        "+7d",
        "--no-educate-reason",
        "Nobody outside the team saw it",
    ]);
    let t = json(&repo, &["triage", "--json"]);
    let ids: Vec<&str> = t["no_user_education"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [a.as_str()],
        "the SEV1 without education; the SEV2 said why"
    );
    let text = repo.ok(&["triage"]);
    assert!(text.contains("No user education planned"), "{text}");
    let check = json(&repo, &["check", "--json", "--rule", "no-educate"]);
    assert_eq!(check["findings"].as_array().unwrap().len(), 1, "{check}");
    // The hint in check's message works (with TEXT filled in).
    let msg = check["findings"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains(&format!(
            "devops postmortem action add {a} TEXT --kind educate"
        )),
        "{msg}"
    );

    repo.ok(&[
        "action",
        "add",
        &a,
        "Notice to stores: retry card payments after 1 minute",
        "--kind",
        "educate",
        "--owner",
        "alice",
        "--due",
        "+3d",
    ]);
    let t = json(&repo, &["triage", "--json"]);
    assert!(t["no_user_education"].as_array().unwrap().is_empty());
    let s = json(&repo, &["stats", "--json"]);
    assert_eq!(s["action_items"]["by_kind"]["educate"], 1);
    assert_eq!(s["action_items"]["by_kind"]["prevent"], 1);
    assert_eq!(s["action_items"]["by_kind"]["mitigate"], 0);

    // A team that does not want the rule turns it off.
    let b = repo.new_record(
        "또 결제 실패",
        &["--severity", "SEV1", "--service", "payments"],
    );
    repo.ok(&[
        "analyze",
        &b,
        "--root-cause",
        "Same pool",
        "--action",
        "Size the pool to 40",
        "--owner",
        "alice",
        "--due",
        "+7d",
    ]);
    assert_eq!(flagged_for_education(&repo).len(), 1);
    repo.commit_file(
        "postmortems/config.toml",
        "timezone = \"+09:00\"\nservices = [\"payments\", \"search\"]\n[lint]\noff = [\"no-educate\"]\n",
        "no education rule",
    );
    assert!(flagged_for_education(&repo).is_empty());
}

#[test]
fn unknown_is_not_zero_and_the_window_decides_the_periods() {
    let (repo, [a, b, ..]) = team();
    // This week's incidents without users-affected figures... A has one.
    // Clear it: this week's users affected become unknown, not 0, and no
    // change is claimed.
    repo.ok(&["update", &a, "--clear", "users_affected"]);
    let s = json(&repo, &["stats", "--json"]);
    assert!(
        s["users_affected"]["this_period"]["value"].is_null(),
        "{}",
        s["users_affected"]
    );
    assert_eq!(s["users_affected"]["this_period"]["left_out"], 2);
    assert!(s["users_affected"]["change_percent"].is_null());
    let text = repo.ok(&["stats"]);
    assert!(
        text.contains("Users affected: this week so far unknown, last week 500;"),
        "{text}"
    );
    // A week without incidents is a true zero.
    let m = json(&repo, &["stats", "--json", "--until", "2026-11-17 00:00"]);
    // --until in W47 (Monday 00:00): W47 is "this" period and W46 the one before.
    assert_eq!(m["field_reports"]["this_period"]["period"], "2026-W47");
    assert_eq!(m["field_reports"]["previous_period"]["period"], "2026-W46");
    assert_eq!(m["field_reports"]["previous_period"]["value"], 7);
    // --since inside last week: its figure would be partial, so none.
    let cut = json(&repo, &["stats", "--json", "--since", "2026-11-18 00:00"]);
    assert!(cut["field_reports"]["previous_period"]["value"].is_null());
    assert!(cut["field_reports"]["change_percent"].is_null());
    // The wall page shows unknown as a dash, with the figure's data-stat.
    let page = repo.home.path().join("wall.html");
    repo.ok(&["report", "-o", page.to_str().unwrap()]);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("data-stat=\"users_affected.this_period.value\" data-value=\"null\">—<"),
        "{html}"
    );

    // Counts: 1,200 and +3 are counts; ++3, 1,2,3, -3 and too large are not;
    // a sum that no longer fits is refused; set and clear together too.
    repo.ok(&["update", &b, "--users-affected", "1,200"]);
    assert_eq!(
        repo.record(&b)["impact"]["users_affected"].as_integer(),
        Some(1200)
    );
    let before = repo.commit_count();
    for bad in ["++3", "1,2,3", "-3", "3.5", "18446744073709551615"] {
        let err = repo.fails(2, &["update", &b, "--field-reports", bad]);
        assert!(err.contains(bad), "{bad}: {err}");
    }
    repo.ok(&["update", &b, "--field-reports", "9223372036854775807"]);
    let err = repo.fails(2, &["update", &b, "--field-reports", "+1"]);
    assert!(err.contains("more than a count holds"), "{err}");
    let err = repo.fails(
        2,
        &[
            "update",
            &b,
            "--field-reports",
            "5",
            "--clear",
            "field_reports",
        ],
    );
    assert!(err.contains("set it or clear it"), "{err}");
    assert_eq!(repo.commit_count(), before + 1);
}

#[test]
fn education_follows_the_configured_severities_and_needs_a_real_reason() {
    let repo = TestRepo::new();
    repo.commit_file(
        "postmortems/config.toml",
        "severities = [\"P0\", \"P1\", \"P2\"]\n",
        "levels",
    );
    let id = repo.new_record("Checkout down", &["--severity", "P1"]);
    repo.ok(&[
        "analyze",
        &id,
        "--root-cause",
        "Pool",
        "--action",
        "Size the pool to 40",
        "--owner",
        "alice",
        "--due",
        "+7d",
    ]);
    let text = repo.ok(&["triage"]);
    assert!(text.contains("No user education planned (P0/P1:"), "{text}");
    let err = repo.fails(2, &["analyze", &id, "--no-educate-reason", "   "]);
    assert!(err.contains("--no-educate-reason needs text"), "{err}");
    repo.ok(&["analyze", &id, "--no-educate-reason", "Internal only"]);
    let err = repo.fails(
        1,
        &["analyze", &id, "--no-educate-reason", "Changed my mind"],
    );
    assert!(err.contains("already set"), "{err}");
    repo.ok(&[
        "analyze",
        &id,
        "--no-educate-reason",
        "Changed my mind",
        "--replace",
    ]);
    assert!(flagged_for_education(&repo).is_empty());
}

#[test]
fn a_copy_under_another_records_name_is_skipped_not_counted_twice() {
    let (repo, [a, ..]) = team();
    let path = repo.record_path(&a);
    let twin = path.replace(&a[12..], "zzzzzzzz");
    repo.commit_file(&twin, &repo.show(&path), "a copy");
    let out = repo.pm(&["stats", "--json"]);
    assert!(out.status.success());
    let s: Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(s["records"], 5, "the copy is not an incident");
    assert!(
        stderr(&out).contains("does not match the file name"),
        "{}",
        stderr(&out)
    );
    let list = repo.ok(&["list", "--all", "--long"]);
    assert_eq!(list.matches(&a).count(), 1, "{list}");
}
