//! The guided flows, driven through a real pseudo-terminal.

use crate::support::*;

#[test]
fn new_on_a_terminal_asks_reviews_and_keeps_every_answer() {
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
    key(&mut p, " "); // payments, ticked by mistake
    key(&mut p, "\r");
    p.exp_string("Summary").unwrap();
    p.send_line("Search took 10 s").unwrap();
    p.exp_string("When did it start").unwrap();
    p.send_line("not a time").unwrap();
    p.exp_string("cannot read").unwrap();
    p.exp_string("When did it start").unwrap();
    p.send_line("2026-11-23 23:50").unwrap();
    p.exp_string("When was it detected").unwrap();
    p.send_line("00:10").unwrap(); // after 23:50: the next day
    p.exp_string("mitigated").unwrap();
    p.send_line("").unwrap();
    p.exp_string("resolved").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Users affected").unwrap();
    p.send_line("many").unwrap();
    p.exp_string("not a whole number").unwrap();
    p.exp_string("Users affected").unwrap();
    p.send_line("1,200").unwrap();
    p.exp_string("Field reports").unwrap();
    p.send_line("37").unwrap();
    p.exp_string("Impact in words").unwrap();
    p.send_line("").unwrap();
    // The summary, then back to the services to fix the mis-tick.
    p.exp_string("About to create").unwrap();
    p.exp_string("payments").unwrap();
    p.exp_string("Create this post-mortem?").unwrap();
    for _ in 0..3 {
        key(&mut p, "\x1b[B"); // Change the title, severity, services
    }
    key(&mut p, "\r");
    p.exp_string("Affected services").unwrap();
    p.exp_string("search").unwrap();
    key(&mut p, "\x1b[B");
    key(&mut p, " "); // search
    key(&mut p, "\r");
    p.exp_string("Create this post-mortem?").unwrap();
    key(&mut p, "\r");
    p.exp_string("Created PM-").unwrap();
    p.exp_eof().unwrap();

    let files = repo.records_files();
    let path = files
        .lines()
        .find(|l| l.contains("PM-"))
        .expect("a record was committed");
    let r: toml::Table = toml::from_str(&repo.show(path)).unwrap();
    assert_eq!(s(&r, "title"), "검색 지연");
    assert_eq!(s(&r, "severity"), "SEV4");
    let services: Vec<&str> = r["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(services, ["search"], "the mis-ticked service is gone");
    assert_eq!(s(&r, "summary"), "Search took 10 s");
    assert_eq!(r["started_at"].to_string(), "2026-11-23T23:50:00+09:00");
    assert_eq!(r["detected_at"].to_string(), "2026-11-24T00:10:00+09:00");
    assert!(r.get("mitigated_at").is_none());
    assert_eq!(sub(&r, "impact")["users_affected"].as_integer(), Some(1200));
    assert_eq!(sub(&r, "impact")["field_reports"].as_integer(), Some(37));
    assert_eq!(repo.status_porcelain(), "");
}

#[test]
fn ctrl_c_in_a_pick_list_restores_the_terminal_and_writes_nothing() {
    let repo = TestRepo::new();
    let before = repo.everything();
    let mut p = repo.pty(&["new"]);
    p.exp_string("Title").unwrap();
    p.send_line("Interrupted").unwrap();
    p.exp_string("> SEV3").unwrap();
    key(&mut p, "\x03");
    p.exp_string("\x1b[?25h").unwrap(); // the cursor is shown again
    p.exp_string("nothing was written").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(repo.everything(), before);
    assert_eq!(repo.status_porcelain(), "");
}

#[test]
fn cancel_from_the_summary_writes_nothing() {
    let repo = TestRepo::new();
    let before = repo.everything();
    let mut p = repo.pty(&[
        "new",
        "--severity",
        "SEV2",
        "--started",
        "1h ago",
        "--summary",
        "s",
        "--users-affected",
        "3",
    ]);
    p.exp_string("Title").unwrap();
    p.send_line("Never mind").unwrap();
    p.exp_string("Other services").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Create this post-mortem?").unwrap();
    key(&mut p, "\x1b[A"); // up from "Create it" wraps to "Cancel"
    key(&mut p, "\r");
    p.exp_string("cancelled: nothing was written").unwrap();
    p.exp_eof().unwrap();
    assert_eq!(repo.everything(), before);
    assert_eq!(repo.status_porcelain(), "");
}

#[test]
fn analyze_on_a_terminal_asks_each_action_and_keeps_answers_after_a_bad_one() {
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
    skip_retrospective(&mut p);
    // First action: its own kind, owner, due; a bad due is asked again.
    p.exp_string("Action item").unwrap();
    p.send_line("Diff configs in CI").unwrap();
    p.exp_string("> prevent").unwrap();
    key(&mut p, "\r");
    p.exp_string("Owner").unwrap();
    p.send_line("").unwrap();
    p.exp_string("Due").unwrap();
    p.send_line("next blue moon").unwrap();
    p.exp_string("Due").unwrap();
    p.send_line("+7d").unwrap();
    // Second action: another kind, owner and due.
    p.exp_string("Action item").unwrap();
    p.send_line("Tell the field about the rollback page")
        .unwrap();
    p.exp_string("> prevent").unwrap();
    key(&mut p, "\x1b[B"); // process
    key(&mut p, "\r");
    p.exp_string("Owner").unwrap();
    p.send_line("Carol Park <carol@example.com>").unwrap();
    p.exp_string("Due").unwrap();
    p.send_line("2026-12-15").unwrap();
    p.exp_string("Action item").unwrap();
    p.send_line("").unwrap();
    p.exp_string("About to record").unwrap();
    // The summary shows the day "+7d" means, as it will be recorded.
    p.exp_string("owner the assignee; due 2026-12-01]").unwrap();
    p.exp_string("Record this analysis?").unwrap();
    key(&mut p, "\r");
    p.exp_string("is now analyzed").unwrap();
    p.exp_eof().unwrap();

    let r = repo.record(&id);
    let a = sub(&r, "analysis");
    assert_eq!(s(a, "trigger"), "배포 후 설정 누락");
    assert_eq!(s(a, "root_cause"), "Config drift between regions");
    assert_eq!(a["contributing_factors"].as_array().unwrap().len(), 1);
    let items = r["action_items"].as_array().unwrap();
    let (one, two) = (items[0].as_table().unwrap(), items[1].as_table().unwrap());
    assert_eq!(s(one, "text"), "Diff configs in CI");
    assert_eq!(s(one, "kind"), "prevent");
    assert_eq!(s(one, "owner"), "Bob Lee <bob@example.com>");
    assert_eq!(one["due"].to_string(), "2026-12-01");
    assert_eq!(s(two, "kind"), "process");
    assert_eq!(s(two, "owner"), "Carol Park <carol@example.com>");
    assert_eq!(two["due"].to_string(), "2026-12-15");
    assert_eq!(s(&r, "status"), "analyzed");
    assert_eq!(repo.head_files(), [repo.record_path(&id)]);
    assert_eq!(repo.status_porcelain(), "");
}
