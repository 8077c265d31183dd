//! What an on-call engineer types right after an outage means what they
//! meant: times, validation, pasted hints, reopen, the why in the log,
//! undoing mistakes, search.

use crate::support::*;
use serde_json::Value;

fn json(repo: &TestRepo, args: &[&str]) -> Value {
    serde_json::from_str(&repo.ok(args)).unwrap()
}

#[test]
fn bare_times_are_read_after_the_incident_began() {
    let mut repo = TestRepo::new();
    repo.now = "2026-11-25T10:00:00+09:00".into();
    // The README's tour, run two days later.
    let out = repo
        .cmd_in(repo.path())
        .args([
            "postmortem",
            "new",
            "--title",
            "결제 서버 장애",
            "--started",
            "2026-11-23 09:12",
            "--detected",
            "09:20",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("--detected 09:20 read as 2026-11-23 09:20 +09:00"),
        "the resolved day is echoed: {}",
        stderr(&out)
    );
    let id = stdout(&out).trim().to_string();
    let r = repo.record(&id);
    assert_eq!(r["detected_at"].to_string(), "2026-11-23T09:20:00+09:00");
    let show = repo.ok(&["show", &id, "--json"]);
    assert!(show.contains("2026-11-23T09:20:00+09:00"));

    // Timeline entries and events are anchored the same way.
    repo.ok(&["timeline", "add", &id, "--at", "09:30", "Rollback started"]);
    repo.ok(&[
        "analyze",
        &id,
        "--event",
        "09:25 pool exhausted",
        "--root-cause",
        "pool",
    ]);
    let r = repo.record(&id);
    let mut times: Vec<String> = r["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["at"].to_string())
        .collect();
    times.sort();
    assert_eq!(
        times,
        ["2026-11-23T09:25:00+09:00", "2026-11-23T09:30:00+09:00"]
    );

    // Across midnight: 00:10 after 23:50 is the next day.
    let late = repo.new_record(
        "Late",
        &["--started", "2026-11-23 23:50", "--detected", "00:10"],
    );
    assert_eq!(
        repo.record(&late)["detected_at"].to_string(),
        "2026-11-24T00:10:00+09:00"
    );
    // update anchors on the record's own earlier times.
    repo.ok(&["update", &late, "--mitigated", "00:40"]);
    assert_eq!(
        repo.record(&late)["mitigated_at"].to_string(),
        "2026-11-24T00:40:00+09:00"
    );
    let stats = json(&repo, &["stats", "--json"]);
    assert_eq!(stats["ttd"]["count"], 2);
    assert!(stats["ttd"]["mean_minutes"].as_f64().unwrap() > 0.0);
}

#[test]
fn impossible_dates_and_daylight_saving_gaps_are_refused_with_the_reason() {
    let repo = TestRepo::new();
    let err = repo.fails(2, &["new", "--title", "x", "--started", "2026-11-31 09:00"]);
    assert!(err.contains("November 2026 has 30 days"), "{err}");
    // A zone with daylight saving: 02:30 on 2026-03-08 does not exist in New York.
    repo.commit_file(
        "postmortems/config.toml",
        "timezone = \"local\"\n",
        "config",
    );
    let before = repo.everything();
    let out = repo
        .cmd_in(repo.path())
        .env("TZ", "America/New_York")
        .args([
            "postmortem",
            "new",
            "--title",
            "x",
            "--started",
            "2026-03-08 02:30",
        ])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("does not exist") && err.contains("daylight saving"),
        "{err}"
    );
    assert_eq!(repo.everything(), before, "nothing written");
}

/// A small grammar of commands with good and bad values; whatever the
/// tool accepts must pass `check`, and what it refuses must leave nothing.
#[test]
fn every_record_any_command_writes_passes_check() {
    let repo = TestRepo::new();
    repo.commit_file(
        "postmortems/config.toml",
        "services = [\"payments\", \"search\"]\nstrict_roster = true\n[[people]]\nname = \"Bob Lee\"\nemail = \"bob@example.com\"\nhandle = \"bob\"\n",
        "config",
    );
    let mut ids = vec![repo.new_record(
        "Seed",
        &["--service", "payments", "--started", "2026-11-23 09:00"],
    )];
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let times = [
        "09:30",
        "08:00",
        "2026-11-22 10:00",
        "2026-11-31 10:00",
        "30m ago",
        "nonsense",
    ];
    let services = ["payments", "paymnets", "search", "billing"];
    let people = ["bob", "Bob Lee <bob@example.com>", "mallory"];
    let mut accepted = 0;
    for step in 0..60 {
        let id = ids[next(ids.len())].clone();
        let args: Vec<String> = match next(8) {
            0 => vec![
                "new".into(),
                "--title".into(),
                format!("Incident {step}"),
                "--started".into(),
                times[next(6)].into(),
                "--service".into(),
                services[next(4)].into(),
            ],
            1 => vec![
                "update".into(),
                id,
                "--detected".into(),
                times[next(6)].into(),
            ],
            2 => vec![
                "update".into(),
                id,
                "--severity".into(),
                ["SEV1", "SEV9", "sev2"][next(3)].into(),
            ],
            3 => vec!["assign".into(), id, people[next(3)].into()],
            4 => vec![
                "analyze".into(),
                id,
                "--root-cause".into(),
                "pool".into(),
                "--action".into(),
                "Fix".into(),
                "--owner".into(),
                people[next(3)].into(),
            ],
            5 => vec![
                "timeline".into(),
                "add".into(),
                id,
                "--at".into(),
                times[next(6)].into(),
                "event".into(),
            ],
            6 => vec![
                "update".into(),
                id,
                "--service".into(),
                services[next(4)].into(),
                "--resolved".into(),
                times[next(6)].into(),
            ],
            _ => vec!["close".into(), id],
        };
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let before = repo.everything();
        let out = repo.pm(&argv);
        assert!(
            !stderr(&out).contains("panicked"),
            "{argv:?}: {}",
            stderr(&out)
        );
        if out.status.success() {
            accepted += 1;
            if argv[0] == "new" {
                ids.push(stdout(&out).trim().to_string());
            }
            let check = repo.pm(&["check"]);
            assert!(
                !stdout(&check).contains("error:") && !stderr(&check).contains("error:"),
                "after {argv:?}, check fails:\n{}{}",
                stdout(&check),
                stderr(&check)
            );
        } else {
            assert_eq!(
                repo.everything(),
                before,
                "{argv:?} failed but committed or left changes"
            );
        }
    }
    assert!(
        accepted > 10,
        "the grammar should mostly produce valid commands ({accepted})"
    );
}

#[test]
fn each_action_flag_belongs_to_the_action_before_it() {
    let repo = TestRepo::new();
    let id = repo.new_record("Pairs", &["--assignee", "Alice Kim <alice@example.com>"]);
    repo.ok(&[
        "analyze",
        &id,
        "--root-cause",
        "rc",
        "--kind",
        "process",
        "--action",
        "First",
        "--owner",
        "bob",
        "--due",
        "+7d",
        "--action",
        "Second",
        "--owner",
        "carol",
        "--kind",
        "mitigate",
        "--action",
        "Third",
    ]);
    let r = repo.record(&id);
    let items = r["action_items"].as_array().unwrap();
    let field = |i: usize, k: &str| {
        items[i]
            .get(k)
            .map(|v| v.to_string().trim_matches('"').to_string())
            .unwrap_or_default()
    };
    assert_eq!(
        (field(0, "owner"), field(0, "due"), field(0, "kind")),
        ("bob".into(), "2026-12-01".into(), "process".into())
    );
    assert_eq!(
        (field(1, "owner"), field(1, "due"), field(1, "kind")),
        // No --due of its own: due after its priority's 8 weeks.
        ("carol".into(), "2027-01-19".into(), "mitigate".into())
    );
    assert_eq!(
        (field(2, "owner"), field(2, "kind")),
        ("Alice Kim <alice@example.com>".into(), "process".into()),
        "the third takes the defaults: the assignee, and the --kind given before any --action"
    );
}

/// Runs a hint exactly as printed.
fn run_hint(repo: &TestRepo, line: &str) -> std::process::Output {
    repo.sh(line)
}

/// Commands inside an error's text and hints: `devops postmortem …` up
/// to a closing parenthesis, comma or the end of the line.
fn commands_in(err: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in err.lines() {
        let mut rest = line;
        while let Some(at) = rest.find("devops postmortem ") {
            let tail = &rest[at..];
            let end = tail.find([',', ')', ';', '`']).unwrap_or(tail.len());
            out.push(tail[..end].trim().trim_end_matches('.').to_string());
            rest = &tail[end..];
        }
    }
    out
}

#[test]
fn commands_printed_in_errors_work_when_pasted() {
    let repo = TestRepo::new();
    let id = repo.new_record("Hints", &["--assignee", "bob"]);
    repo.ok(&[
        "analyze",
        &id,
        "--root-cause",
        "rc",
        "--action",
        "Automate renewal of internal certificates",
    ]);
    let err = repo.fails(1, &["close", &id]);
    let commands = commands_in(&err);
    assert!(
        commands
            .iter()
            .any(|c| c == &format!("devops postmortem action done {id}#1")),
        "{commands:?} in {err}"
    );
    let done = commands.iter().find(|c| c.contains("action done")).unwrap();
    let out = run_hint(&repo, done);
    assert!(out.status.success(), "{done}: {}", stderr(&out));
    repo.ok(&["close", &id]);
    // A closed record refuses changes, and says how to reopen it.
    let err = repo.fails(1, &["assign", &id, "carol"]);
    let reopen = commands_in(&err)
        .into_iter()
        .find(|c| c.contains("reopen"))
        .expect("a reopen hint");
    let out = run_hint(&repo, &reopen.replace("TEXT", "'it came back'"));
    assert!(out.status.success(), "{reopen}: {}", stderr(&out));
    // A reopened record needs a fresh analysis decision: the hint says how.
    let err = repo.fails(1, &["close", &id]);
    let confirm = commands_in(&err)
        .into_iter()
        .find(|c| c.contains("--confirm"))
        .expect("a confirm hint");
    let out = run_hint(&repo, &confirm);
    assert!(out.status.success(), "{confirm}: {}", stderr(&out));
    repo.ok(&["close", &id]);
    // No record with that ID: the hint lists them.
    let err = repo.fails(1, &["show", "zzzz"]);
    for c in commands_in(&err) {
        let out = run_hint(&repo, &c);
        assert!(out.status.success(), "{c}: {}", stderr(&out));
    }
}

#[test]
fn a_reopened_record_needs_a_fresh_analysis_before_it_is_ready_to_close() {
    let repo = TestRepo::new();
    let id = repo.new_record("Again", &["--assignee", "bob"]);
    repo.ok(&[
        "analyze",
        &id,
        "--root-cause",
        "rc",
        "--no-action-reason",
        "none needed",
    ]);
    repo.ok(&["close", &id]);
    repo.ok(&["reopen", &id, "--reason", "It happened again"]);
    let t = json(&repo, &["triage", "--json"]);
    assert_eq!(t["ready_to_close"].as_array().unwrap().len(), 0, "{t}");
    assert_eq!(repo.record(&id)["status"].as_str(), Some("assigned"));
    repo.ok(&["analyze", &id, "--confirm"]);
    assert_eq!(repo.record(&id)["status"].as_str(), Some("analyzed"));
    let t = json(&repo, &["triage", "--json"]);
    assert_eq!(t["ready_to_close"][0]["id"], id.as_str());
}

#[test]
fn log_shows_the_why() {
    let repo = TestRepo::new();
    let id = repo.new_record("Why", &["--assignee", "bob"]);
    repo.ok(&[
        "update",
        &id,
        "--severity",
        "SEV1",
        "-m",
        "Customer calls doubled",
    ]);
    repo.ok(&[
        "analyze",
        &id,
        "--root-cause",
        "rc",
        "--no-action-reason",
        "n/a",
    ]);
    repo.ok(&["close", &id]);
    repo.ok(&["reopen", &id, "--reason", "It happened again on Friday"]);
    let log = repo.ok(&["log", &id]);
    assert!(log.contains("» Customer calls doubled"), "{log}");
    assert!(
        log.contains("» Reopened: It happened again on Friday"),
        "{log}"
    );
    assert!(
        !log.contains("Postmortem-Id:"),
        "trailers are not the why: {log}"
    );
    let v = json(&repo, &["log", &id, "--json"]);
    assert_eq!(v[0]["message"], "Reopened: It happened again on Friday");
}

#[test]
fn mistakes_can_be_withdrawn_and_entries_corrected_one_commit_each() {
    let repo = TestRepo::new();
    let keep = repo.new_record("Real outage", &["--severity", "SEV2"]);
    let dup = repo.new_record("Same outage, opened twice", &["--severity", "SEV1"]);
    let before = repo.commit_count();
    repo.ok(&[
        "withdraw",
        &dup,
        "--duplicate-of",
        &keep,
        "--reason",
        "Opened twice",
    ]);
    assert_eq!(repo.commit_count(), before + 1);
    assert_eq!(repo.head_files(), [repo.record_path(&dup)]);
    let r = repo.record(&dup);
    assert_eq!(s(&r, "status"), "withdrawn");
    assert_eq!(s(&r, "duplicate_of"), keep);
    assert!(
        !repo.ok(&["list", "--all", "--long"]).contains(&dup),
        "out of lists"
    );
    assert!(
        repo.ok(&["list", "--status", "withdrawn", "--long"])
            .contains(&dup)
    );
    let stats = json(&repo, &["stats", "--json"]);
    assert_eq!(stats["records"], 1, "out of figures");
    assert!(
        stats["by_severity"].get("SEV1").is_none_or(|n| n == 0),
        "{stats}"
    );
    assert!(
        !repo.ok(&["triage", "--json"]).contains(&dup),
        "out of triage"
    );
    assert!(
        repo.ok(&["show", &dup]).contains("withdrawn"),
        "its file stays readable"
    );
    repo.ok(&["check"]);

    // Timeline and action corrections, each one commit of one file.
    repo.ok(&[
        "timeline",
        "add",
        &keep,
        "--at",
        "2026-11-24 09:20",
        "alert",
    ]);
    repo.ok(&[
        "timeline",
        "add",
        &keep,
        "--at",
        "2026-11-24 09:10",
        "deploy",
    ]);
    assert!(
        repo.ok(&["show", &keep]).contains("#1  2026-11-24 09:10"),
        "numbered in time order"
    );
    let n = repo.commit_count();
    repo.ok(&[
        "timeline",
        "edit",
        &format!("{keep}#2"),
        "--text",
        "error-rate alert",
        "--at",
        "09:21",
    ]);
    repo.ok(&["timeline", "rm", &format!("{keep}#1")]);
    repo.ok(&["analyze", &keep, "--root-cause", "rc", "--action", "Fix it"]);
    repo.ok(&[
        "action",
        "edit",
        &format!("{keep}#1"),
        "--text",
        "Fix the pool",
        "--due",
        "2026-12-24",
        "--kind",
        "mitigate",
    ]);
    assert_eq!(repo.commit_count(), n + 4);
    let r = repo.record(&keep);
    let timeline = r["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), 1);
    assert_eq!(timeline[0]["text"].as_str(), Some("error-rate alert"));
    assert_eq!(timeline[0]["at"].to_string(), "2026-11-24T09:21:00+09:00");
    let a = r["action_items"][0].as_table().unwrap();
    assert_eq!(
        (s(a, "text"), a["due"].to_string().as_str(), s(a, "kind")),
        ("Fix the pool", "2026-12-24", "mitigate")
    );
    let err = repo.fails(2, &["timeline", "rm", &format!("{keep}#9")]);
    assert!(err.contains("no timeline entry #9"), "{err}");
    // Reopen brings a withdrawn record back.
    repo.ok(&["reopen", &dup, "--reason", "Not a duplicate after all"]);
    assert!(repo.ok(&["list", "--long"]).contains(&dup));
}

#[test]
fn search_finds_words_in_any_field_hangul_included() {
    let repo = TestRepo::new();
    let pool = repo.new_record(
        "결제 서버 장애",
        &[
            "--service",
            "payments",
            "--summary",
            "DB 연결 풀 고갈로 결제 실패",
        ],
    );
    repo.ok(&[
        "analyze",
        &pool,
        "--root-cause",
        "The connection pool was shared with the batch job",
        "--action",
        "Give the batch its own Pool",
    ]);
    repo.ok(&["close", &pool, "--keep-open-actions"]);
    let dns = repo.new_record("Login timeouts", &["--summary", "DNS resolver flapped"]);
    repo.ok(&[
        "timeline",
        "add",
        &dns,
        "--at",
        "2026-11-24 09:00",
        "Resolver restarted; pool of workers drained",
    ]);

    let v = json(&repo, &["search", "pool", "--json"]);
    let ids: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "closed records too: {v}");
    let hit = v
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == pool.as_str())
        .unwrap();
    let fields: Vec<&str> = hit["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"root_cause") && fields.contains(&"action#1"),
        "{fields:?}"
    );

    let text = repo.ok(&["search", "연결", "풀", "--long"]);
    assert!(
        text.contains(&pool) && text.contains("summary: DB 연결 풀 고갈"),
        "{text}"
    );
    assert!(!text.contains(&dns));
    assert!(
        repo.ok(&["search", "RESOLVER", "--long"]).contains(&dns),
        "case-insensitive"
    );
    assert!(
        !repo
            .ok(&["search", "poo", "--word", "--long"])
            .contains(&pool),
        "--word: whole words only"
    );
    let open_only = repo.ok(&["search", "pool", "--status", "open", "--long"]);
    assert!(
        open_only.contains(&dns) && !open_only.contains(&pool),
        "{open_only}"
    );
    let by_service = repo.ok(&["search", "pool", "--service", "payments", "--long"]);
    assert!(by_service.contains(&pool) && !by_service.contains(&dns));
    let none = repo.pm(&["search", "kubernetes"]);
    assert!(none.status.success() && stderr(&none).contains("no post-mortem mentions that"));
    // A change after a search is found by the next one (the cache the
    // search reads follows the branch), and the old words are gone.
    repo.ok(&["update", &dns, "--title", "Kubernetes DNS said \"no\""]);
    assert!(repo.ok(&["search", "kubernetes", "--long"]).contains(&dns));
    assert!(!repo.ok(&["search", "login", "--long"]).contains(&dns));
    // Text as the person wrote it, not as TOML escapes it; key names and
    // other files' words are not hits.
    assert!(repo.ok(&["search", "\"no\"", "--long"]).contains(&dns));
    // Without --long, the shortest unique form, which `show` takes.
    let short = repo.ok(&["search", "\"no\""]);
    let shown = short.split_whitespace().next().unwrap();
    assert!(
        shown.len() < dns.len() && dns.ends_with(&dns[dns.len() - 8..]),
        "{short}"
    );
    assert!(
        repo.ok(&["show", shown]).contains("Kubernetes DNS"),
        "{shown}"
    );
    assert!(!repo.ok(&["search", "root_cause", "--long"]).contains(&pool));
}

/// From a hostile tester: times that cannot be, hints that must carry
/// `--dir`, sparse checkouts (of the code, and of the records branch).
#[test]
fn impossible_starts_pasteable_dir_hints_and_sparse_checkouts() {
    let repo = TestRepo::new();
    let before = repo.everything();
    let err = repo.fails(1, &["new", "--title", "x", "--started", "9999-12-31 23:59"]);
    assert!(err.contains("after the record was created"), "{err}");
    let err = repo.fails(2, &["new", "--title", "x", "--started", "99999999999m ago"]);
    assert!(
        err.contains("--started") && err.contains("out of range"),
        "{err}"
    );
    let err = repo.fails(2, &["new", "--title", "x", "--started", "0000-01-01 00:00"]);
    assert!(err.contains("out of range"), "{err}");
    assert_eq!(repo.everything(), before);

    // --dir is carried into the commands that hints print.
    let id = repo.new_record("Elsewhere", &[]);
    let moved = repo.pm(&["--dir", "a b", "new", "--title", "In a b"]);
    assert!(moved.status.success(), "{}", stderr(&moved));
    let err = repo.fails(1, &["--dir", "a b", "show", "zzzz"]);
    assert!(
        err.contains("devops postmortem --dir 'a b' list --all"),
        "{err}"
    );
    let hint = err
        .lines()
        .find_map(|l| l.strip_prefix("hint: the IDs: "))
        .unwrap()
        .to_string();
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(&hint)
        .current_dir(repo.path())
        .env("PATH", path_with_devops())
        .env("HOME", repo.home.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success() && stdout(&out).contains("In a b"),
        "{hint}: {}",
        stderr(&out)
    );

    // A sparse checkout of the code that leaves `postmortems/` out hides
    // nothing: the records are read from and written to their branch.
    repo.git(&["sparse-checkout", "set", "--no-cone", "/main.rs"]);
    assert!(!repo.path().join("postmortems").exists());
    let status = repo.status_porcelain();
    assert!(repo.ok(&["list", "--long"]).contains(&id));
    repo.ok(&["check"]);
    assert!(repo.ok(&["show", &id]).contains("Elsewhere"));
    let hidden = repo.new_record("hidden", &[]);
    assert!(repo.ok(&["list", "--long"]).contains(&hidden));
    assert!(!repo.path().join("postmortems").exists());
    assert_eq!(repo.status_porcelain(), status);
    repo.git(&["sparse-checkout", "disable"]);

    // Where the records branch is checked out sparsely, without the
    // records: a write is refused with the command that brings them
    // back, and nothing is written; reads still see the branch.
    let wt = repo.records_worktree();
    repo.git_in(&wt, &["sparse-checkout", "set", "--no-cone", "/nothing"]);
    assert!(!wt.join("postmortems").exists());
    let before = repo.everything();
    let err = repo.fails(1, &["new", "--title", "hidden too"]);
    assert!(
        err.contains("outside the sparse checkout") && err.contains("nothing was written"),
        "{err}"
    );
    assert!(err.contains("sparse-checkout add postmortems"), "{err}");
    assert_eq!(repo.everything(), before);
    assert!(repo.ok(&["list", "--long"]).contains(&hidden));
    repo.ok(&["check"]);
    // The hint, pasted, brings the records back, and the write goes through.
    let hint = err
        .lines()
        .find(|l| l.contains("sparse-checkout add"))
        .unwrap()
        .trim_start_matches("hint:")
        .trim()
        .trim_matches('`')
        .to_string();
    let out = run_hint(&repo, &hint);
    assert!(out.status.success(), "{hint}: {}", stderr(&out));
    let back = repo.new_record("hidden too", &[]);
    assert!(wt.join(repo.record_path(&back)).exists());
    assert_eq!(repo.git_in(&wt, &["status", "--porcelain"]), "");
}
