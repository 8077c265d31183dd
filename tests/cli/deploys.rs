//! Deploys and the incidents they cause (issue 25): DORA's stability
//! figures on a fixture with known answers, in text, JSON and on the wall
//! page; the links `analyze` writes and `changes` suggests; the import,
//! `--at`, and `check`'s deploy-cause.
//!
//! The fixture: two services over the four ISO weeks 2026-W45 … W48
//! (2 to 29 November, +09:00), seen from 30 November 00:00.
//!
//! api, annotated tags `deploy/prod/api/*` (8 deploys):
//!   1  11-02 10:00
//!   2  11-04 10:00  caused A (SEV1), and its duplicate A' (withdrawn)
//!   hotfix-1 11-04 12:00  remedied A (unplanned by its name)
//!   3  11-10 10:00
//!   4  11-12 10:00  caused B (SEV2) and C (SEV3)
//!   5  11-12 11:00  a revert of 4, `Fixes-Postmortem: B#1`: remedied B
//!                   (found through the trailer) and C (`--remedied-by`)
//!   6  11-18 10:00
//!   7  11-25 10:00
//!   failed {2, 4}: 2/8 = 25%; unplanned {hotfix-1, 5}: 2/8 = 25%;
//!   recovery: 2 → hotfix-1 = 2 h (7200 s), 4 → 5 = 1 h (3600 s):
//!   median 5400 s, p90 (nearest rank of 2) 7200 s; 8 deploys / 4 weeks
//!   = 2 a week; one resolved SEV2 (F) says nothing: 1 unlinked.
//!
//! web, lightweight tags `deploy/prod/web/*` and CI's lines (5 deploys):
//!   1  11-03 15:00 (tag)
//!   2  11-09 15:00 (tag)
//!   ci-w3  11-17 15:00 (CI only)  caused D (SEV2)
//!   rollback-1  11-17 16:00 (annotated, web 2's commit again): remedied D
//!   4  11-24 15:00 (tag, and CI's line for it at 15:02: one deploy)
//!   failed {ci-w3}: 1/5 = 20%; unplanned {rollback-1}: 1/5 = 20%;
//!   recovery 1 h (3600 s); 5 / 4 weeks = 1.25 a week; E (SEV1) says
//!   "no deploy": 0 unlinked.

use crate::support::*;
use serde_json::Value;

const NOW: &str = "2026-11-30T00:00:00+09:00";
const CONFIG: &str = "timezone = \"+09:00\"\nservices = [\"api\", \"web\"]\n\n[deploys]\ntags = \"deploy/prod/{service}/*\"\n";

/// A commit on main at `date` (author and committer); its full id.
fn commit_at(repo: &TestRepo, subject: &str, body: &str, date: &str) -> String {
    let vars = [("GIT_AUTHOR_DATE", date), ("GIT_COMMITTER_DATE", date)];
    let mut args = vec!["commit", "-q", "--allow-empty", "-m", subject];
    if !body.is_empty() {
        args.extend(["-m", body]);
    }
    repo.git_env(&vars, &args);
    repo.git(&["rev-parse", "HEAD"]).trim().to_string()
}

/// An annotated tag, its tagger time `date`.
fn annotated(repo: &TestRepo, name: &str, commit: &str, date: &str) {
    repo.git_env(
        &[("GIT_COMMITTER_DATE", date)],
        &["tag", "-a", "-m", "deploy", name, commit],
    );
}

/// A new record at the fixture's clock; its ID.
fn incident(repo: &TestRepo, title: &str, flags: &[&str]) -> String {
    let mut args = vec!["new", "--title", title];
    args.extend_from_slice(flags);
    let id = repo.ok(&args).trim().to_string();
    assert!(id.starts_with("PM-"), "{id}");
    id
}

/// stderr of a run that succeeds.
fn said(repo: &TestRepo, args: &[&str]) -> String {
    let out = repo.pm(args);
    assert!(out.status.success(), "{args:?}: {}", stderr(&out));
    stderr(&out)
}

/// The line of `text` that starts (after spaces) with `devops postmortem
/// analyze`, following the line that contains `after`.
fn suggested(text: &str, after: &str) -> String {
    let mut lines = text.lines().skip_while(|l| !l.contains(after));
    lines
        .next()
        .unwrap_or_else(|| panic!("no '{after}' in:\n{text}"));
    lines
        .next()
        .map(|l| l.trim().to_string())
        .filter(|l| l.starts_with("devops postmortem analyze"))
        .unwrap_or_else(|| panic!("no command after '{after}' in:\n{text}"))
}

/// Runs a pasted command line as a person would; panics on failure.
fn paste(repo: &TestRepo, line: &str) {
    let out = repo.sh(line);
    assert!(out.status.success(), "{line}: {}", stderr(&out));
}

/// Ids: A, A', B, C, D, E, F.
fn build() -> (TestRepo, Vec<String>) {
    let mut repo = TestRepo::new();
    repo.now = NOW.to_string();
    repo.commit_file("postmortems/config.toml", CONFIG, "config");
    let api = |n: &str, day: &str| {
        let date = format!("2026-11-{day}+09:00");
        let c = commit_at(&repo, &format!("api {n}"), "", &date);
        annotated(&repo, &format!("deploy/prod/api/{n}"), &c, &date);
        c
    };
    let web = |n: &str, day: &str| {
        let c = commit_at(
            &repo,
            &format!("web {n}"),
            "",
            &format!("2026-11-{day}+09:00"),
        );
        repo.git(&["tag", &format!("deploy/prod/web/{n}"), &c]);
        c
    };
    api("1", "02T10:00:00");
    web("1", "03T15:00:00");
    api("2", "04T10:00:00");
    api("hotfix-1", "04T12:00:00");
    let w2 = web("2", "09T15:00:00");
    api("3", "10T10:00:00");
    let a4 = api("4", "12T10:00:00");

    // The incidents: title, severity, service, started, detected, resolved
    // (all on 2026-11-DD, +09:00).
    let ids: Vec<String> = [
        (
            "API errors after deploy 2",
            "SEV1",
            "api",
            "04 11:00",
            "04 11:10",
            "04 13:00",
        ),
        (
            "API 5xx (paged twice)",
            "SEV1",
            "api",
            "04 11:00",
            "04 11:12",
            "04 13:00",
        ),
        (
            "Checkout timeouts",
            "SEV2",
            "api",
            "12 10:30",
            "12 10:35",
            "12 14:00",
        ),
        (
            "Slow search",
            "SEV3",
            "api",
            "12 10:40",
            "12 10:45",
            "12 15:00",
        ),
        (
            "Web pages blank",
            "SEV2",
            "web",
            "17 15:20",
            "17 15:30",
            "17 16:30",
        ),
        (
            "Certificate expired",
            "SEV1",
            "web",
            "20 09:00",
            "20 09:05",
            "20 10:00",
        ),
        (
            "API latency",
            "SEV2",
            "api",
            "21 09:00",
            "21 09:05",
            "21 10:00",
        ),
    ]
    .iter()
    .map(|(title, sev, service, started, detected, resolved)| {
        let day = |t: &str| format!("2026-11-{t}");
        incident(
            &repo,
            title,
            &[
                "--severity",
                sev,
                "--service",
                service,
                "--started",
                &day(started),
                "--detected",
                &day(detected),
                "--resolved",
                &day(resolved),
            ],
        )
    })
    .collect();
    let [a, a_dup, b, c, d, e, f]: [String; 7] = ids.try_into().expect("seven incidents");
    repo.ok(&[
        "analyze",
        &b,
        "--action",
        "Add a canary stage to api deploys",
    ]);
    // The revert, deployed as api 5, says which record it fixes.
    let body = format!("This reverts commit {a4}.\n\nFixes-Postmortem: {b}#1");
    let revert = commit_at(
        &repo,
        "Revert \"api 4\"",
        &body,
        "2026-11-12T10:50:00+09:00",
    );
    annotated(
        &repo,
        "deploy/prod/api/5",
        &revert,
        "2026-11-12T11:00:00+09:00",
    );

    // CI deployed web 3 without a tag; then a rollback to web 2.
    let w3 = commit_at(&repo, "web 3", "", "2026-11-17T14:50:00+09:00");
    annotated(
        &repo,
        "deploy/prod/web/rollback-1",
        &w2,
        "2026-11-17T16:00:00+09:00",
    );
    api("6", "18T10:00:00");
    let w4 = web("4", "24T15:00:00");
    api("7", "25T10:00:00");
    let lines = format!(
        "{{\"service\":\"web\",\"commit\":\"{w3}\",\"at\":\"2026-11-17T15:00:00+09:00\",\"id\":\"ci-w3\"}}\n\
         {{\"service\":\"web\",\"commit\":\"{w4}\",\"at\":\"2026-11-24T15:02:00+09:00\",\"id\":\"ci-w4\"}}\n"
    );
    repo.write("ci-deploys.jsonl", &lines);
    repo.ok(&["deploys", "import", "ci-deploys.jsonl"]);

    // The links, as a person makes them.
    repo.ok(&[
        "analyze",
        &a,
        "--caused-by",
        "deploy/prod/api/2",
        "--remedied-by",
        "deploy/prod/api/hotfix-1",
    ]);
    repo.ok(&["analyze", &a_dup, "--caused-by", "deploy/prod/api/2"]);
    repo.ok(&["withdraw", &a_dup, "--duplicate-of", &a]);
    // B's cause as `changes` suggests it, pasted; its remedy comes from
    // the trailer in the revert.
    let changes = said(&repo, &["changes", &b, "--window", "48h"]);
    let line = suggested(
        &changes,
        "the last deploy of api before it began: deploy/prod/api/4",
    );
    assert!(changes.contains("a revert after it began"), "{changes}");
    paste(&repo, &line);
    repo.ok(&[
        "analyze",
        &c,
        "--caused-by",
        &a4,
        "--remedied-by",
        "deploy/prod/api/5",
    ]);
    // D: both links as `analyze` suggests them, pasted.
    let first = said(&repo, &["analyze", &d, "--lesson", "Canary web too"]);
    paste(&repo, &suggested(&first, "before it began: ci-w3"));
    let then = said(&repo, &["analyze", &d, "--lesson", "Roll back sooner"]);
    paste(
        &repo,
        &suggested(
            &then,
            "a redeploy of an older version after it began: deploy/prod/web/rollback-1",
        ),
    );
    repo.ok(&["analyze", &e, "--no-deploy"]);
    (repo, vec![a, a_dup, b, c, d, e, f])
}

fn fixture() -> (TestRepo, Vec<String>) {
    crate::support::fixture("deploys", build)
}

const WINDOW: [&str; 4] = ["--since", "2026-11-02", "--by", "week"];

fn stats_json(repo: &TestRepo, extra: &[&str]) -> Value {
    let mut args = vec!["stats", "--json"];
    args.extend_from_slice(&WINDOW);
    args.extend_from_slice(extra);
    serde_json::from_str(&repo.ok(&args)).unwrap()
}

#[test]
fn links_are_written_as_full_commits_in_the_records_deploy_table() {
    let (repo, ids) = fixture();
    let sha = |r: &str| {
        repo.git(&["rev-parse", &format!("{r}^{{commit}}")])
            .trim()
            .to_string()
    };
    let a = repo.record(&ids[0]);
    let deploy = sub(&a, "deploy");
    assert_eq!(s(deploy, "caused_by"), sha("deploy/prod/api/2"));
    assert_eq!(s(deploy, "remedied_by"), sha("deploy/prod/api/hotfix-1"));
    // B's cause came from the pasted suggestion.
    assert_eq!(
        s(sub(&repo.record(&ids[2]), "deploy"), "caused_by"),
        sha("deploy/prod/api/4")
    );
    let d = repo.record(&ids[4]);
    assert_eq!(
        s(sub(&d, "deploy"), "remedied_by"),
        sha("deploy/prod/web/2")
    );
    assert_eq!(
        sub(&repo.record(&ids[5]), "deploy")["no_deploy"].as_bool(),
        Some(true)
    );
    let shown = repo.ok(&["show", &ids[0]]);
    let cause = &sha("deploy/prod/api/2")[..12];
    assert!(
        shown.contains(&format!("Caused by deploy:\n    commit {cause}")),
        "{shown}"
    );
}

#[test]
fn each_figure_is_the_hand_computed_one_in_json() {
    let (repo, _) = fixture();
    let v = stats_json(&repo, &[]);
    let api = &v["deploys"]["by_service"]["api"];
    assert_eq!(api["deploys"], 8);
    assert_eq!(
        api["failed"], 2,
        "the duplicate does not count deploy 2 twice"
    );
    assert_eq!(api["unplanned"], 2);
    assert_eq!(api["change_fail_rate"], 0.25);
    assert_eq!(api["rework_rate"], 0.25);
    assert_eq!(api["recovery_time_median_s"], 5400.0);
    assert_eq!(api["recovery_time_p90_s"], 7200.0);
    assert_eq!(api["recovered"], 2);
    assert_eq!(api["deploys_per_week"], 2.0);
    assert_eq!(api["unlinked_incidents"], 1);
    let web = &v["deploys"]["by_service"]["web"];
    assert_eq!(
        web["deploys"], 5,
        "a tag and CI's line for it are one deploy"
    );
    assert_eq!(web["failed"], 1);
    assert_eq!(web["change_fail_rate"], 0.2);
    assert_eq!(web["rework_rate"], 0.2);
    assert_eq!(web["recovery_time_median_s"], 3600.0);
    assert_eq!(web["recovery_time_p90_s"], 3600.0);
    assert_eq!(web["deploys_per_week"], 1.25);
    assert_eq!(web["unlinked_incidents"], 0);
    // The trend, week by week.
    let weeks = |svc: &Value| -> Vec<(String, u64, u64, u64)> {
        svc["by_period"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|p| p["deploys"].as_u64().unwrap() > 0)
            .map(|p| {
                (
                    p["period"].as_str().unwrap().to_string(),
                    p["deploys"].as_u64().unwrap(),
                    p["failed"].as_u64().unwrap(),
                    p["unplanned"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let w = |p: &str, n, f, u| (p.to_string(), n, f, u);
    assert_eq!(
        weeks(api),
        [
            w("2026-W45", 3, 1, 1),
            w("2026-W46", 3, 1, 1),
            w("2026-W47", 1, 0, 0),
            w("2026-W48", 1, 0, 0)
        ]
    );
    assert_eq!(
        weeks(web),
        [
            w("2026-W45", 1, 0, 0),
            w("2026-W46", 1, 0, 0),
            w("2026-W47", 2, 1, 1),
            w("2026-W48", 1, 0, 0)
        ]
    );
    // A week without deploys: its ratios are unknown, never 0.
    let empty = api["by_period"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["period"] == "2026-W49")
        .unwrap();
    assert_eq!(
        (
            empty["deploys"].as_u64(),
            empty["change_fail_rate"].is_null()
        ),
        (Some(0), true)
    );
}

#[test]
fn each_figure_is_the_hand_computed_one_in_text() {
    let (repo, _) = fixture();
    let mut args = vec!["stats"];
    args.extend_from_slice(&WINDOW);
    let out = repo.ok(&args);
    let section = out
        .split("\nDeploys (DORA")
        .nth(1)
        .unwrap_or_else(|| panic!("no deploys section:\n{out}"));
    let row = |name: &str| {
        section
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no {name} row:\n{out}"))
            .to_string()
    };
    let api = row("api");
    for want in ["8", "2", "25% (2/8)", "1h 30m (n=2)", "2h 00m"] {
        assert!(api.contains(want), "{want} in {api}");
    }
    assert_eq!(
        api.matches("25% (2/8)").count(),
        2,
        "change fail and rework: {api}"
    );
    let web = row("web");
    for want in ["5", "1.25", "20% (1/5)", "1h 00m (n=1)"] {
        assert!(web.contains(want), "{want} in {web}");
    }
    assert!(
        out.contains("api per week: 2026-W46 3 deploys, 1 failed, 1 unplanned · 2026-W47 1 deploy"),
        "{out}"
    );
}

#[test]
fn each_figure_is_the_hand_computed_one_on_the_wall_page() {
    let (repo, _) = fixture();
    let mut args = vec!["report", "-o", "wall.html"];
    args.extend_from_slice(&WINDOW);
    repo.ok(&args);
    let html = std::fs::read_to_string(repo.path().join("wall.html")).unwrap();
    let value = |stat: &str| {
        let at = html
            .find(&format!("data-stat=\"{stat}\""))
            .unwrap_or_else(|| panic!("no {stat} on the page"));
        let rest = &html[at..];
        let v = rest.find("data-value=\"").map(|i| &rest[i + 12..]);
        let tag_end = rest.find('>').unwrap();
        match v.filter(|v| v.len() > rest.len() - tag_end) {
            Some(v) => v[..v.find('"').unwrap()].to_string(),
            None => rest[tag_end + 1..][..rest[tag_end + 1..].find('<').unwrap()].to_string(),
        }
    };
    assert_eq!(value("deploys.by_service.api.deploys"), "8");
    assert_eq!(value("deploys.by_service.api.change_fail_rate"), "0.25");
    assert_eq!(value("deploys.by_service.api.rework_rate"), "0.25");
    assert_eq!(
        value("deploys.by_service.api.recovery_time_median_s"),
        "5400.0"
    );
    assert_eq!(value("deploys.by_service.web.deploys"), "5");
    assert_eq!(value("deploys.by_service.web.change_fail_rate"), "0.2");
    assert_eq!(
        value("deploys.by_service.web.recovery_time_median_s"),
        "3600.0"
    );
    assert!(html.contains("25.0%</span> (2/8)"), "shown with its n");
}

#[test]
fn each_figure_is_the_hand_computed_one_in_the_export() {
    let (repo, _) = fixture();
    let out = repo.ok(&["export", "--since", "2026-11-02"]);
    assert!(
        out.contains("## Deploys (DORA's stability figures)"),
        "{out}"
    );
    assert!(
        out.contains("| api | 8 | 2.0 | 25.0% (2/8) | 25.0% (2/8) | 1h 30m (n=2) | 2h 00m |"),
        "{out}"
    );
    assert!(
        out.contains("| web | 5 | 1.25 | 20.0% (1/5) | 20.0% (1/5) | 1h 00m (n=1) | 1h 00m |"),
        "{out}"
    );
}

#[test]
fn at_a_commit_the_figures_stay_as_they_were() {
    let (mut repo, _) = fixture();
    let tip = repo
        .git(&["rev-parse", "refs/heads/postmortems"])
        .trim()
        .to_string();
    let before = stats_json(&repo, &["--at", &tip]);
    // Later: another deploy tagged, another imported.
    repo.now = "2026-12-02T12:00:00+09:00".into();
    let c = commit_at(&repo, "api 8", "", "2026-12-01T10:00:00+09:00");
    annotated(&repo, "deploy/prod/api/8", &c, "2026-12-01T10:00:00+09:00");
    repo.write(
        "more.jsonl",
        &format!(
            "{{\"service\":\"web\",\"commit\":\"{c}\",\"at\":\"2026-12-01T11:00:00+09:00\"}}\n"
        ),
    );
    repo.ok(&["deploys", "import", "more.jsonl"]);
    let after = stats_json(&repo, &["--at", &tip]);
    let figures = |v: &Value| {
        let mut d = v["deploys"]["by_service"].clone();
        for svc in d.as_object_mut().unwrap().values_mut() {
            // The trend's periods end with now's.
            svc.as_object_mut().unwrap().remove("by_period");
        }
        d
    };
    assert_eq!(figures(&before), figures(&after));
    let now = stats_json(&repo, &[]);
    assert_eq!(now["deploys"]["by_service"]["api"]["deploys"], 9);
    assert_eq!(now["deploys"]["by_service"]["web"]["deploys"], 6);
}

#[test]
fn import_is_one_commit_on_the_records_branch_and_again_adds_nothing() {
    let (repo, _) = fixture();
    let stored = repo.show("postmortems/deploys.jsonl");
    assert_eq!(stored.lines().count(), 2, "{stored}");
    let line: Value = serde_json::from_str(stored.lines().next().unwrap()).unwrap();
    assert_eq!(
        (line["service"].as_str(), line["id"].as_str()),
        (Some("web"), Some("ci-w3"))
    );
    let subject = repo.git(&[
        "log",
        "--format=%s",
        "refs/heads/postmortems",
        "--",
        "postmortems/deploys.jsonl",
    ]);
    assert_eq!(subject.lines().count(), 1, "{subject}");
    let before = repo.commit_count();
    let head = repo.git(&["rev-parse", "HEAD"]);
    let err = said(&repo, &["deploys", "import", "ci-deploys.jsonl"]);
    assert!(err.contains("nothing new"), "{err}");
    assert_eq!(repo.commit_count(), before);
    assert_eq!(
        repo.git(&["rev-parse", "HEAD"]),
        head,
        "the code branch is untouched"
    );
    // `check` takes the file for what it is.
    let out = repo.pm(&["check"]);
    assert!(!stdout(&out).contains("stray"), "{}", stdout(&out));
}

#[test]
fn a_bad_import_line_names_file_line_and_field_and_writes_nothing() {
    let (repo, _) = fixture();
    let good = repo.git(&["rev-parse", "HEAD"]).trim().to_string();
    repo.write(
        "bad.jsonl",
        &format!(
            "{{\"service\":\"api\",\"commit\":\"{good}\",\"at\":\"2026-11-29T10:00:00+09:00\"}}\n\
             {{\"service\":\"api\",\"commit\":\"{good}\",\"at\":\"last tuesday\"}}\n"
        ),
    );
    let before = repo.commit_count();
    let err = repo.fails(2, &["deploys", "import", "bad.jsonl"]);
    assert!(
        err.starts_with("error: bad.jsonl:2: field 'at': 'last tuesday'"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert_eq!(repo.commit_count(), before, "nothing written");
    repo.write(
        "unknown.jsonl",
        "{\"service\":\"api\",\"commit\":\"abcdef1\",\"at\":\"2026-11-29T10:00:00Z\"}\n",
    );
    let err = repo.fails(2, &["deploys", "import", "unknown.jsonl"]);
    assert!(
        err.contains("unknown.jsonl:1: field 'commit': 'abcdef1'"),
        "{err}"
    );
}

#[test]
fn deploys_lists_tags_and_imports_once_each() {
    let (repo, _) = fixture();
    let v: Value = serde_json::from_str(&repo.ok(&["deploys", "--json"])).unwrap();
    let all = v.as_array().unwrap();
    assert_eq!(all.len(), 13);
    let names: Vec<&str> = all
        .iter()
        .filter(|d| d["service"] == "web")
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "deploy/prod/web/1",
            "deploy/prod/web/2",
            "ci-w3",
            "deploy/prod/web/rollback-1",
            "deploy/prod/web/4"
        ]
    );
    let unplanned: Vec<&str> = all
        .iter()
        .filter(|d| d["unplanned"] == true)
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        unplanned,
        ["deploy/prod/api/hotfix-1", "deploy/prod/web/rollback-1"]
    );
    let text = repo.ok(&["deploys", "list", "--service", "api"]);
    assert_eq!(
        text.lines()
            .filter(|l| l.contains("deploy/prod/api/"))
            .count(),
        8,
        "{text}"
    );
}

#[test]
fn check_warns_on_a_resolved_serious_incident_that_names_no_cause() {
    let (repo, ids) = fixture();
    let out = repo.pm(&["check", "--json"]);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let flagged: Vec<String> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "deploy-cause")
        .map(|f| f["file"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(flagged.len(), 1, "only F: {flagged:?}");
    assert!(flagged[0].contains(&ids[6]), "{flagged:?}");
    // Saying none was involved settles it.
    repo.ok(&["analyze", &ids[6], "--no-deploy"]);
    let out = repo.pm(&["check", "--json"]);
    assert!(!stdout(&out).contains("deploy-cause"), "{}", stdout(&out));
}

#[test]
fn a_reference_that_names_nothing_is_refused_with_nothing_written() {
    let (repo, ids) = fixture();
    let before = repo.commit_count();
    let err = repo.fails(
        2,
        &["analyze", &ids[6], "--caused-by", "deploy/prod/api/99"],
    );
    assert!(
        err.contains("--caused-by 'deploy/prod/api/99': no deploy, tag or commit"),
        "{err}"
    );
    assert_eq!(repo.commit_count(), before);
    // The hint it gives works.
    assert!(err.contains("devops postmortem deploys list"), "{err}");
    repo.ok(&["deploys", "list"]);
    let err = repo.fails(
        2,
        &[
            "analyze",
            &ids[6],
            "--caused-by",
            "deploy/prod/api/7",
            "--no-deploy",
        ],
    );
    assert!(err.contains("--no-deploy"), "{err}");
}

#[test]
fn without_deploys_there_are_no_deploy_figures_and_no_warning() {
    let repo = TestRepo::new();
    let id = repo.new_record(
        "Outage",
        &[
            "--severity",
            "SEV1",
            "--started",
            "2026-11-24 08:00",
            "--resolved",
            "2026-11-24 09:00",
        ],
    );
    let v: Value = serde_json::from_str(&repo.ok(&["stats", "--json"])).unwrap();
    assert_eq!(v["deploys"]["by_service"], serde_json::json!({}));
    let out = repo.pm(&["check"]);
    assert!(!stdout(&out).contains("deploy-cause"), "{}", stdout(&out));
    // An old record without [deploy] reads as before.
    assert!(repo.record(&id).get("deploy").is_none());
    repo.ok(&["show", &id]);
}

#[test]
fn two_clones_imports_join_on_sync() {
    let t = crate::team::team();
    let head = t.alice.git(&["rev-parse", "HEAD"]).trim().to_string();
    let line = |id: &str, day: &str| {
        format!(
            "{{\"service\":\"api\",\"commit\":\"{head}\",\"at\":\"2026-11-{day}T10:00:00+09:00\",\"id\":\"{id}\"}}\n"
        )
    };
    t.alice.write("a.jsonl", &line("ci-1", "20"));
    t.alice.ok(&["deploys", "import", "a.jsonl"]);
    t.alice.ok(&["sync"]);
    t.bob.ok(&["sync"]);
    t.alice.write("a2.jsonl", &line("ci-2", "21"));
    t.alice.ok(&["deploys", "import", "a2.jsonl"]);
    t.bob.write("b.jsonl", &line("ci-3", "22"));
    t.bob.ok(&["deploys", "import", "b.jsonl"]);
    t.alice.ok(&["sync"]);
    let out = t.bob.pm(&["sync"]);
    assert!(out.status.success(), "{}", stderr(&out));
    t.alice.ok(&["sync"]);
    for clone in [&t.alice, &t.bob] {
        let ids: Vec<String> = clone
            .show("postmortems/deploys.jsonl")
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(ids, ["ci-1", "ci-2", "ci-3"]);
    }
}

#[test]
fn the_deploys_file_is_no_stray_where_the_records_branch_is_checked_out() {
    let (repo, _) = fixture();
    let wt = tempfile::tempdir().unwrap();
    let at = wt.path().join("records");
    repo.git(&["worktree", "add", "-q", at.to_str().unwrap(), "postmortems"]);
    assert!(at.join("postmortems/deploys.jsonl").exists());
    let out = repo.pm_in(&at, &["check"]);
    assert!(!stdout(&out).contains("deploys.jsonl"), "{}", stdout(&out));
    assert!(!stderr(&out).contains("deploys.jsonl"), "{}", stderr(&out));
}

#[test]
fn a_single_service_repository_names_its_service_once() {
    let mut repo = TestRepo::new();
    repo.now = NOW.to_string();
    repo.commit_file(
        "postmortems/config.toml",
        "[deploys]\ntags = \"v*\"\nservice = \"api\"\n",
        "config",
    );
    let c = commit_at(&repo, "release", "", "2026-11-20T10:00:00+09:00");
    annotated(&repo, "v1.0.0", &c, "2026-11-20T11:00:00+09:00");
    repo.git(&["tag", "other-1", &c]);
    // A line without a service is the config's; --unplanned marks it.
    repo.write(
        "hotfix.jsonl",
        &format!("{{\"commit\":\"{c}\",\"at\":\"2026-11-21T10:00:00+09:00\"}}\n"),
    );
    repo.ok(&["deploys", "import", "hotfix.jsonl", "--unplanned"]);
    let v: Value = serde_json::from_str(&repo.ok(&["deploys", "--json"])).unwrap();
    let got: Vec<(String, String, bool)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["service"].as_str().unwrap().to_string(),
                d["at"].as_str().unwrap().to_string(),
                d["unplanned"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (
                "api".to_string(),
                "2026-11-20T11:00:00+09:00".to_string(),
                false
            ),
            (
                "api".to_string(),
                "2026-11-21T10:00:00+09:00".to_string(),
                true
            )
        ],
        "the tagger's time, not the commit's; other tags are no deploys"
    );
    // Without `service`, a pattern that names none is refused.
    repo.commit_file(
        "postmortems/config.toml",
        "[deploys]\ntags = \"v*\"\n",
        "config",
    );
    let err = repo.fails(1, &["deploys"]);
    assert!(
        err.contains("deploys.tags = \"v*\" names no {service}: add `service = \"NAME\"`"),
        "{err}"
    );
}

#[test]
fn the_revert_that_changes_suggests_links_when_pasted() {
    let (repo, ids) = fixture();
    let b = &ids[2];
    let said = said(&repo, &["changes", b, "--window", "48h"]);
    let line = suggested(&said, "a revert after it began");
    paste(&repo, &line);
    let revert = repo
        .git(&["rev-parse", "deploy/prod/api/5^{commit}"])
        .trim()
        .to_string();
    assert_eq!(s(sub(&repo.record(b), "deploy"), "remedied_by"), revert);
    // The same deploy as the trailer found: the figures stand.
    let api = &stats_json(&repo, &[])["deploys"]["by_service"]["api"];
    assert_eq!(
        (
            api["unplanned"].as_u64(),
            api["recovery_time_median_s"].as_f64()
        ),
        (Some(2), Some(5400.0))
    );
}
