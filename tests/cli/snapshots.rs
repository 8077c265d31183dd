//! The human output, pinned: what people read at 3 a.m. changes only on
//! purpose. Record IDs and commit hashes (random or time-dependent) are
//! replaced by placeholders; the clock is fixed. `cargo insta review`
//! shows a change; `INSTA_UPDATE=always cargo test` accepts it.

use crate::support::*;

fn team_repo() -> TestRepo {
    let repo = TestRepo::new();
    repo.commit_file(
        "postmortems/config.toml",
        "services = [\"payments\", \"search\"]\ntimezone = \"+09:00\"\n[[people]]\nname = \"Bob Lee\"\nemail = \"bob@example.com\"\nhandle = \"bob\"\n",
        "config",
    );
    let a = repo.new_record(
        "결제 서버 장애: 카드 결제 40분간 실패",
        &[
            "--severity",
            "SEV1",
            "--service",
            "payments",
            "--started",
            "2026-11-23 09:12",
            "--detected",
            "09:20",
            "--mitigated",
            "09:45",
            "--users-affected",
            "12000",
            "--summary",
            "Card payments failed for forty minutes.",
        ],
    );
    repo.ok(&["assign", &a, "bob"]);
    repo.ok(&[
        "analyze",
        &a,
        "--root-cause",
        "DB connection pool shared with the batch job",
        "--event",
        "09:20 error-rate alert fired",
        "--lesson",
        "Separate batch and online pools",
        "--action",
        "Give the batch its own pool",
        "--owner",
        "bob",
        "--due",
        "2026-11-20",
        "--action",
        "Alert at 80% pool usage",
        "--due",
        "2026-11-27",
    ]);
    let b = repo.new_record(
        "Search latency after deploy",
        &[
            "--severity",
            "SEV3",
            "--service",
            "search",
            "--started",
            "2026-11-24 08:00",
        ],
    );
    repo.ok(&[
        "update",
        &b,
        "--summary",
        "p99 went from 200 ms to 2 s",
        "-m",
        "Numbers from the dashboard",
    ]);
    repo
}

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"PM-\d{8}-[a-z0-9]{8}", "[ID]");
    s.add_filter(r"\b[0-9a-f]{7}\b", "[COMMIT]");
    s.set_prepend_module_to_snapshot(false);
    s
}

#[test]
fn human_output_is_pinned() {
    let (repo, _) = fixture("team", || (team_repo(), Vec::new()));
    let id = repo
        .records_files()
        .lines()
        .filter(|l| l.contains("PM-"))
        .map(|l| {
            l.rsplit('/')
                .next()
                .unwrap()
                .trim_end_matches(".toml")
                .to_string()
        })
        .find(|i| repo.record(i)["severity"].as_str() == Some("SEV1"))
        .unwrap();
    settings().bind(|| {
        insta::assert_snapshot!("show", repo.ok(&["show", &id]));
        insta::assert_snapshot!("list", repo.ok(&["list", "--all", "--long"]));
        insta::assert_snapshot!("triage", repo.ok(&["triage", "--long"]));
        insta::assert_snapshot!("stats", repo.ok(&["stats"]));
        insta::assert_snapshot!("log", repo.ok(&["log", &id]));
        insta::assert_snapshot!("search", repo.ok(&["search", "pool", "--long"]));
        insta::assert_snapshot!("markdown", repo.ok(&["show", &id, "--format", "markdown"]));
        let check = repo.pm(&["check"]);
        insta::assert_snapshot!("check", format!("{}{}", stdout(&check), stderr(&check)));
    });
}
