//! The guided flows, driven through a real pseudo-terminal.

use crate::support::*;

#[test]
fn new_on_a_terminal_asks_for_what_is_missing() {
    let repo = TestRepo::new();
    repo.commit_file(
        "postmortems/config.toml",
        "services = [\"payments\", \"search\"]\n",
        "config",
    );

    let mut p = repo.pty(&["new"]);
    p.exp_string("Title").unwrap();
    p.send_line("검색 지연").unwrap();
    // Keys are sent once the list is drawn: the terminal is in raw mode then.
    p.exp_string("> SEV3").unwrap();
    key(&mut p, "\x1b[B"); // one down from the default SEV3: SEV4
    key(&mut p, "\r");
    p.exp_string("Affected services").unwrap();
    p.exp_string("search").unwrap();
    key(&mut p, "\x1b[B"); // to "search"
    key(&mut p, " ");
    key(&mut p, "\r");

    p.exp_string("Other services").unwrap();
    p.send_line("cache").unwrap();
    p.exp_string("Summary").unwrap();
    p.send_line("Search took 10 s").unwrap();
    p.exp_string("When did it start").unwrap();
    p.send_line("not a time").unwrap();
    p.exp_string("cannot read").unwrap();
    p.exp_string("When did it start").unwrap();
    p.send_line("45m ago").unwrap();
    p.exp_string("When was it detected").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Created PM-").unwrap();
    p.exp_eof().unwrap();

    let files = repo.git(&["ls-files", "postmortems"]);
    let path = files
        .lines()
        .find(|l| l.contains("PM-"))
        .expect("a record was committed");
    let r: toml::Table = toml::from_str(&repo.read(path)).unwrap();
    assert_eq!(s(&r, "title"), "검색 지연");
    assert_eq!(s(&r, "severity"), "SEV4");
    let services: Vec<&str> = r["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(services, ["search", "cache"]);
    assert_eq!(s(&r, "summary"), "Search took 10 s");
    assert_eq!(r["started_at"].to_string(), "2026-11-24T09:15:00+09:00");
    assert!(r.get("detected_at").is_none());
    assert_eq!(repo.status_porcelain(), "");
}

#[test]
fn analyze_on_a_terminal_guides_through_the_analysis() {
    let repo = TestRepo::new();
    let id = repo.new_record("Guided", &["--assignee", "Bob Lee <bob@example.com>"]);
    let mut p = repo.pty(&["analyze", &id]);
    p.exp_string("Trigger").unwrap();
    p.send_line("배포 후 설정 누락").unwrap();
    p.exp_string("Root cause").unwrap();
    p.send_line("Config drift between regions").unwrap();
    p.exp_string("Contributing factor").unwrap();
    p.send_line("No config diff in review").unwrap();
    p.exp_string("Contributing factor").unwrap();
    p.send_line("").unwrap();
    for prompt in [
        "Why?",
        "What went well",
        "What went wrong",
        "Where we got lucky",
        "Lesson learned",
    ] {
        p.exp_string(prompt).unwrap();
        p.send_line("").unwrap();
    }
    p.exp_string("Action item").unwrap();
    p.send_line("Diff configs in CI").unwrap();
    p.exp_string("Action item").unwrap();
    p.send_line("").unwrap();
    p.exp_string("> prevent").unwrap();
    key(&mut p, "\r");
    p.exp_string("Owner").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Due").unwrap();
    p.send_line("+7d").unwrap();
    p.exp_string("is now analyzed").unwrap();
    p.exp_eof().unwrap();

    let r = repo.record(&id);
    let a = sub(&r, "analysis");
    assert_eq!(s(a, "trigger"), "배포 후 설정 누락");
    assert_eq!(s(a, "root_cause"), "Config drift between regions");
    assert_eq!(a["contributing_factors"].as_array().unwrap().len(), 1);
    let item = r["action_items"].as_array().unwrap()[0].as_table().unwrap();
    assert_eq!(s(item, "text"), "Diff configs in CI");
    assert_eq!(s(item, "kind"), "prevent");
    assert_eq!(s(item, "owner"), "Bob Lee <bob@example.com>");
    assert_eq!(item["due"].to_string(), "2026-12-01");
    assert_eq!(s(&r, "status"), "analyzed");
    assert_eq!(repo.head_files(), [repo.record_path(&id)]);
    assert_eq!(repo.status_porcelain(), "");
}
