//! The example records and the demo script stay valid.

use crate::support::*;

#[test]
fn the_demo_script_builds_a_repository_the_tool_reads() {
    let repo = TestRepo::new();
    let demo = repo.home.path().join("demo");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo.sh");
    let out = std::process::Command::new("bash")
        .arg(&script)
        .arg(&demo)
        .env("DEVOPS", assert_cmd::cargo::cargo_bin!("devops"))
        .env("HOME", repo.home.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("DEVOPS_PM_NOW", NOW)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let listed = repo.pm_in(&demo, &["list", "--all", "--json"]);
    assert!(listed.status.success(), "{}", stderr(&listed));
    assert_eq!(stderr(&listed), "", "every example record parses");
    let v: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 4, "three examples and one new");
    let status = repo.git_in(&demo, &["status", "--porcelain"]);
    assert_eq!(status, "");
    let log = repo.git_in(&demo, &["log", "--format=%s", "postmortems"]);
    assert!(
        log.contains("postmortem: assign PM-20261123-d7kq3wne"),
        "{log}"
    );
    assert!(
        stdout(&out).contains("Unassigned, oldest first"),
        "it shows the triage"
    );
    assert!(
        stdout(&out).contains("In your own repository"),
        "and how to start"
    );
}

#[test]
fn the_demo_touches_nothing_outside_its_folder() {
    let repo = TestRepo::new();
    let before = repo.everything();
    let demo = repo.home.path().join("demo");
    let out = repo.pm(&["demo", demo.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        repo.everything(),
        before,
        "the repository it ran in is untouched"
    );
    assert_eq!(repo.status_porcelain(), "");
    assert!(demo.join(".git").is_dir());
    // A folder that is not empty is refused.
    let err = repo.fails(2, &["demo", demo.to_str().unwrap()]);
    assert!(err.contains("is not empty"), "{err}");
}

/// The README's tour, run as written (with the ID it creates in place of
/// `k7x3`), two days after the incident it describes: every line works and
/// the record holds the times and figures the tour implies.
#[test]
fn the_readme_tour_runs_as_written() {
    let mut repo = TestRepo::new();
    repo.now = "2026-11-25T10:00:00+09:00".into();
    let joined = readme_sh_block("## A tour");
    // The PagerDuty log the tour imports: this incident's (09:20 +09:00).
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/import/pagerduty_log_entries.json"),
        repo.path().join("log_entries.json"),
    )
    .unwrap();
    let mut id = String::new();
    let mut ran = 0;
    for line in joined.lines() {
        // Drop the aligned comment (two or more spaces, then #).
        let cmd = match line.find("  #") {
            Some(i) => &line[..i],
            None => line,
        }
        .trim()
        .to_string();
        let skip = cmd.is_empty()
            || cmd == "devops pm new" // the guided flow needs a terminal
            || cmd.starts_with("devops pm edit") // an editor
            || cmd.starts_with("devops pm sync"); // a remote
        if skip {
            continue;
        }
        let cmd = if id.is_empty() {
            cmd
        } else {
            cmd.replace("k7x3", &id)
        };
        let out = std::process::Command::new("sh")
            .arg("-c")
            .arg(if cmd.starts_with("id=") {
                format!("{cmd} && echo \"$id\"")
            } else {
                cmd.clone()
            })
            .current_dir(repo.path())
            .env_clear()
            .env("PATH", path_with_devops())
            .env("HOME", repo.home.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("DEVOPS_PM_NOW", &repo.now)
            .env("TZ", "UTC")
            .output()
            .unwrap();
        let refused = cmd == format!("devops pm close {id}");
        assert_eq!(out.status.success(), !refused, "{cmd}: {}", stderr(&out));
        if cmd.starts_with("id=") {
            id = stdout(&out).trim().to_string();
            // Filed under the day it began (--started 2026-11-23), not the day written up.
            assert!(id.starts_with("PM-20261123-"), "{id}");
        }
        ran += 1;
    }
    assert!(ran >= 25, "{ran} lines ran");
    let r = repo.record(&id);
    assert_eq!(r["started_at"].to_string(), "2026-11-23T09:12:00+09:00");
    assert_eq!(
        r["detected_at"].to_string(),
        "2026-11-23T09:20:00+09:00",
        "TTD 8m"
    );
    assert_eq!(
        r["mitigated_at"].to_string(),
        "2026-11-23T09:45:00+09:00",
        "TTM 33m"
    );
    let timeline: Vec<String> = r["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["at"].to_string())
        .collect();
    assert!(
        timeline.contains(&"2026-11-23T09:20:00+09:00".to_string()),
        "{timeline:?}"
    );
    assert!(
        timeline.contains(&"2026-11-23T09:44:00+09:00".to_string()),
        "{timeline:?}"
    );
    let actions = r["action_items"].as_array().unwrap();
    assert_eq!(actions.len(), 3);
    assert_eq!(s(actions[1].as_table().unwrap(), "owner"), "minsu");
    assert_eq!(s(actions[1].as_table().unwrap(), "kind"), "educate");
    assert_eq!(actions[2]["due"].to_string(), "2026-12-14");
    // The tour withdraws it, then `undo` takes the withdrawal back.
    assert_ne!(s(&r, "status"), "withdrawn");
    assert!(r.get("withdrawn_reason").is_none(), "{r:?}");
    let last = repo.git(&["log", "-1", "--format=%B", &repo.records_ref()]);
    assert!(last.contains("Postmortem-Action: undo"), "{last}");
    let show = repo.ok(&["show", &id]);
    assert!(
        show.contains("TTD 8m") && show.contains("TTM 33m"),
        "{show}"
    );
}
