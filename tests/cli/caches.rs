//! The caches in `.git/` are optimisations, never the truth: edits by hand
//! show up, deleting or damaging a cache changes nothing.

use crate::support::*;
use serde_json::Value;

fn titles(repo: &TestRepo) -> Vec<String> {
    let v: Value = serde_json::from_str(&repo.ok(&["list", "--all", "--json"])).unwrap();
    let mut t: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap().to_string())
        .collect();
    t.sort();
    t
}

/// A file's blob id on the records branch, as the 20 bytes git stores.
fn blob_id(repo: &TestRepo, rel: &str) -> Vec<u8> {
    let hex = repo.git(&["rev-parse", &format!("refs/heads/postmortems:{rel}")]);
    let hex = hex.trim();
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn the_record_cache_never_hides_an_edit() {
    let repo = TestRepo::new();
    let a = repo.new_record("Alpha", &[]);
    let b = repo.new_record("Bravo", &[]);
    let (pa, pb) = (repo.record_path(&a), repo.record_path(&b));
    assert_eq!(titles(&repo), ["Alpha", "Bravo"]);
    let cache = repo.path().join(".git/devops-postmortem-records.cache");
    let bytes = std::fs::read(&cache).expect("the first read writes the cache");
    let holds = |id: &[u8]| bytes.windows(id.len()).any(|w| w == id);
    assert!(
        holds(&blob_id(&repo, &pa)) && holds(&blob_id(&repo, &pb)),
        "both records are cached, by blob id"
    );

    // A teammate's edit of the same size, committed with plain git. Seen.
    let both = repo.records_tip();
    repo.commit_file(&pa, &repo.show(&pa).replace("Alpha", "Alphb"), "by hand");
    assert_eq!(titles(&repo), ["Alphb", "Bravo"]);
    // A removed file, a new one.
    repo.commit_many_on_records_branch(&[(&pb, None)], "remove Bravo");
    repo.new_record("Charlie", &[]);
    assert_eq!(titles(&repo), ["Alphb", "Charlie"]);
    // Damaged or deleted: the same answer.
    std::fs::write(&cache, b"DPMR garbage").unwrap();
    assert_eq!(titles(&repo), ["Alphb", "Charlie"]);
    std::fs::remove_file(&cache).unwrap();
    assert_eq!(titles(&repo), ["Alphb", "Charlie"]);
    // The branch moved back (a reset, a force-push taken by sync), with
    // the newer records cached: the answer follows the branch.
    let tip = repo.records_tip();
    repo.git(&["update-ref", "refs/heads/postmortems", &both]);
    assert_eq!(titles(&repo), ["Alpha", "Bravo"]);
    repo.git(&["update-ref", "refs/heads/postmortems", &tip]);
    assert_eq!(titles(&repo), ["Alphb", "Charlie"]);
    // Figures agree with and without the cache.
    let with: Value = serde_json::from_str(&repo.ok(&["stats", "--json"])).unwrap();
    std::fs::remove_file(&cache).unwrap();
    let _ = std::fs::remove_file(
        repo.path()
            .join(".git/devops-postmortem-records-slim.cache"),
    );
    let without: Value = serde_json::from_str(&repo.ok(&["stats", "--json"])).unwrap();
    assert_eq!(with, without);
}

#[test]
fn the_history_cache_grows_with_new_commits_and_can_be_deleted() {
    let repo = TestRepo::new();
    let id = repo.new_record("History", &["--severity", "SEV3"]);
    let log = |repo: &TestRepo| -> Vec<String> {
        let v: Value = serde_json::from_str(&repo.ok(&["log", &id, "--json"])).unwrap();
        v.as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(log(&repo), ["new"]);
    let cache = repo.path().join(".git/devops-postmortem-history.cache");
    assert!(cache.exists());
    repo.ok(&["update", &id, "--severity", "SEV2"]);
    // Commits that do not touch the record: another record's, and code.
    repo.new_record("Another", &[]);
    repo.git(&["commit", "-q", "--allow-empty", "-m", "code"]);
    repo.ok(&["assign", &id, "bob"]);
    assert_eq!(log(&repo), ["assign", "update", "new"]);
    std::fs::write(&cache, b"junk").unwrap();
    assert_eq!(log(&repo), ["assign", "update", "new"]);
    std::fs::remove_file(&cache).unwrap();
    assert_eq!(log(&repo), ["assign", "update", "new"]);
    // Rewritten history (a reset of the records branch) is read from the
    // branch, not from the cache.
    repo.git(&["update-ref", "refs/heads/postmortems", "postmortems~2"]);
    assert_eq!(log(&repo), ["update", "new"]);
}

/// The record's log and the team's since 2000 (commit times matter), as
/// JSON, read with git's commit-graph files moved aside.
fn log_without_commit_graph(repo: &TestRepo, id: &str) -> String {
    let info = repo.path().join(".git/objects/info");
    let aside = repo.path().join(".git/objects/info-aside");
    std::fs::rename(&info, &aside).unwrap();
    let log = log_from_scratch(repo, id);
    std::fs::rename(&aside, &info).unwrap();
    log
}

fn log_from_scratch(repo: &TestRepo, id: &str) -> String {
    let _ = std::fs::remove_file(repo.path().join(".git/devops-postmortem-history.cache"));
    let team = repo.ok(&["log", "--changed-since", "2000-01-01", "--json"]);
    assert!(team.contains(id), "{team}");
    repo.ok(&["log", id, "--json"]) + &team
}

/// `devops postmortem ARGS` with the records on another branch
/// (`DEVOPS_PM_BRANCH`), as a side branch of the records.
fn on_branch(repo: &TestRepo, branch: &str, args: &[&str]) {
    let out = repo
        .cmd_in(repo.path())
        .env("DEVOPS_PM_BRANCH", branch)
        .arg("postmortem")
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?} on {branch}: {}",
        stderr(&out)
    );
}

#[test]
fn the_history_walk_reads_gits_commit_graph_alike() {
    let repo = TestRepo::new();
    let id = repo.new_record("Graph", &["--severity", "SEV3"]);
    let path = repo.record_path(&id);
    // The records branch's history with a merge and an octopus merge, the
    // record changed on side branches too (merged with plain git, where
    // the records branch is checked out).
    repo.git(&["branch", "side", "postmortems"]);
    on_branch(&repo, "side", &["assign", &id, "bob"]);
    repo.new_record("Meanwhile", &[]);
    let wt = repo.records_worktree();
    repo.git_in(&wt, &["merge", "-q", "--no-ff", "--no-edit", "side"]);
    for branch in ["b1", "b2"] {
        repo.git(&["branch", branch, "postmortems"]);
    }
    on_branch(&repo, "b1", &["new", "--title", "On b1"]);
    on_branch(&repo, "b2", &["update", &id, "--severity", "SEV2"]);
    repo.git_in(&wt, &["merge", "-q", "--no-ff", "--no-edit", "b1", "b2"]);
    repo.git(&["worktree", "remove", wt.to_str().unwrap()]);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%P", "postmortems"])
            .split_whitespace()
            .count(),
        3,
        "an octopus merge"
    );
    let plain = log_without_commit_graph(&repo, &id);
    // The record's commits, as git itself lists them for the path.
    let commits = |log: &str| -> Vec<String> {
        let record_log = serde_json::Deserializer::from_str(log)
            .into_iter::<Value>()
            .next();
        let mut ids: Vec<String> = record_log
            .unwrap()
            .unwrap()
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["commit"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    let git_commits = || -> Vec<String> {
        let mut ids: Vec<String> = repo
            .git(&["log", "--format=%H", "postmortems", "--", &path])
            .lines()
            .map(str::to_string)
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(commits(&plain), git_commits());

    repo.git(&["commit-graph", "write", "--reachable"]);
    assert!(repo.path().join(".git/objects/info/commit-graph").exists());
    assert_eq!(
        log_from_scratch(&repo, &id),
        plain,
        "single commit-graph file"
    );

    // Commits newer than the graph come from the object store.
    repo.ok(&["assign", &id, "carol"]);
    repo.commit_file(
        "postmortems/templates/record.md",
        "{{ r.id }}\n",
        "a template",
    );
    let plain = log_without_commit_graph(&repo, &id);
    assert_eq!(log_from_scratch(&repo, &id), plain, "a stale commit-graph");

    // A layered graph (`git maintenance`, `fetch.writeCommitGraph`).
    std::fs::remove_file(repo.path().join(".git/objects/info/commit-graph")).unwrap();
    repo.git(&["commit-graph", "write", "--reachable", "--split"]);
    repo.ok(&["assign", &id, "dave"]);
    repo.git(&["commit-graph", "write", "--reachable", "--split=no-merge"]);
    let chain = repo.read(".git/objects/info/commit-graphs/commit-graph-chain");
    assert_eq!(chain.lines().count(), 2, "two layers: {chain}");
    let plain = log_without_commit_graph(&repo, &id);
    assert_eq!(log_from_scratch(&repo, &id), plain, "a commit-graph chain");
    assert_eq!(commits(&plain), git_commits());
    // A damaged or truncated file is not used.
    let graph = repo.path().join(".git/objects/info/commit-graph");
    for damaged in [&b"CGPH\x01\x01\x09\x00junk"[..], b"CGPH\x01\x01\x09"] {
        std::fs::write(&graph, damaged).unwrap();
        assert_eq!(
            log_from_scratch(&repo, &id),
            plain,
            "a damaged commit-graph: {damaged:?}"
        );
    }
}

/// Flips one bit at many places of each cache in turn: every read gives
/// exactly the answer it gives with no cache at all.
#[test]
fn no_flipped_bit_in_any_cache_changes_an_answer() {
    let repo = TestRepo::new();
    let mut ids = Vec::new();
    for (n, who) in ["alice", "bob", "carol"].iter().enumerate() {
        let id = repo.new_record(&format!("Record {n}"), &["--severity", "SEV2"]);
        repo.ok(&["assign", &id, who]);
        repo.ok(&[
            "analyze",
            &id,
            "--root-cause",
            "rc",
            "--action",
            "Fix it",
            "--owner",
            who,
        ]);
        ids.push(id);
    }
    repo.commit_file(
        "main.rs",
        "fn main() { fixed() }\n",
        &format!("Fix\n\nFixes-Postmortem: {}#1", ids[0]),
    );
    let reads: Vec<Vec<&str>> = vec![
        vec!["list", "--all", "--json"],
        vec!["stats", "--json"],
        vec!["triage", "--json"],
        vec!["log", &ids[0], "--json"],
        vec!["log", "--json"],
        vec!["check", "--json"],
    ];
    let answers = |repo: &TestRepo| -> Vec<String> { reads.iter().map(|a| repo.ok(a)).collect() };
    let truth = answers(&repo);
    let commits = repo.commit_count();
    let git = repo.path().join(".git");
    for cache in ["records", "records-slim", "history", "fixes", "lint"] {
        let path = git.join(format!("devops-postmortem-{cache}.cache"));
        answers(&repo);
        let good = std::fs::read(&path).unwrap_or_else(|_| panic!("{cache} cache written"));
        let step = (good.len() / 40).max(1);
        for at in (0..good.len()).step_by(step) {
            let mut bad = good.clone();
            bad[at] ^= 1 << (at % 8);
            std::fs::write(&path, &bad).unwrap();
            assert_eq!(
                answers(&repo),
                truth,
                "{cache} cache, bit flipped at byte {at}"
            );
            assert_eq!(repo.commit_count(), commits, "a read committed");
        }
        std::fs::write(&path, &good[..good.len() / 2]).unwrap();
        assert_eq!(answers(&repo), truth, "{cache} cache cut in half");
    }
}

/// CRC-32 (IEEE), as the cache frame's last four bytes hold it.
fn crc32(bytes: &[u8]) -> u32 {
    let mut c = !0u32;
    for &b in bytes {
        c ^= u32::from(b);
        for _ in 0..8 {
            c = if c & 1 == 1 {
                (c >> 1) ^ 0xEDB8_8320
            } else {
                c >> 1
            };
        }
    }
    !c
}

/// A cache file made to say `from` where it said `to` (same length) and
/// to carry format `format`, its checksum made right again.
fn forged(cache: &[u8], from: &str, to: &str, format: u32) -> Vec<u8> {
    let mut bytes = cache[..cache.len() - 4].to_vec();
    let at = bytes
        .windows(from.len())
        .position(|w| w == from.as_bytes())
        .expect("the cache holds the text");
    bytes[at..at + to.len()].copy_from_slice(to.as_bytes());
    // Frame: magic (4), kind (4), format (u32).
    bytes[8..12].copy_from_slice(&format.to_le_bytes());
    let crc = crc32(&bytes);
    bytes.extend_from_slice(&crc.to_le_bytes());
    bytes
}

/// The record cache's encoding changes with the record's shape (postcard
/// is not self-describing): a whole, checksummed cache of the format
/// before is rebuilt from the branch, never decoded as this one.
#[test]
fn a_record_cache_of_the_previous_format_is_rebuilt_not_misread() {
    let repo = TestRepo::new();
    let id = repo.new_record("Alpha", &["--severity", "SEV2"]);
    repo.ok(&["assign", &id, "alice"]);
    repo.ok(&["analyze", &id, "--root-cause", "rc", "--action", "Fix it"]);
    let table = |repo: &TestRepo| repo.ok(&["list", "--all", "--long"]);
    assert_eq!(titles(&repo), ["Alpha"]);
    assert!(table(&repo).contains("Alpha"));
    let git = repo.path().join(".git");
    let format_of = |bytes: &[u8]| u32::from_le_bytes(bytes[8..12].try_into().unwrap());
    for name in ["records", "records-slim"] {
        let path = git.join(format!("devops-postmortem-{name}.cache"));
        let good = std::fs::read(&path).unwrap_or_else(|_| panic!("{name} cache written"));
        let current = format_of(&good);
        // The control: the same lie under this format is believed, so a
        // misread would show.
        std::fs::write(&path, forged(&good, "Alpha", "Omega", current)).unwrap();
        assert!(titles(&repo) == ["Omega"] || table(&repo).contains("Omega"));
        // Under the format before: ignored and rebuilt.
        std::fs::write(&path, forged(&good, "Alpha", "Omega", current - 1)).unwrap();
        assert_eq!(titles(&repo), ["Alpha"], "{name} cache");
        assert!(!table(&repo).contains("Omega"), "{name} cache");
        let rebuilt = std::fs::read(&path).unwrap();
        assert_eq!(format_of(&rebuilt), current, "{name} cache rewritten");
        assert_eq!(rebuilt, good, "{name} cache rebuilt as it was");
    }
}

#[test]
fn unshallowing_a_clone_shows_the_whole_history() {
    let origin = TestRepo::new();
    let id = origin.new_record("Deep", &[]);
    for who in ["alice", "bob", "carol", "dave"] {
        origin.ok(&["assign", &id, who]);
    }
    let clone = TestRepo::bare_init();
    let url = format!("file://{}", origin.path().display());
    std::fs::remove_dir_all(clone.path().join(".git")).unwrap();
    clone.git(&[
        "clone",
        "-q",
        "--depth",
        "2",
        "--no-single-branch",
        &url,
        ".",
    ]);
    let entries = |r: &TestRepo| -> usize {
        let v: Value = serde_json::from_str(&r.ok(&["log", &id, "--json"])).unwrap();
        v.as_array().unwrap().len()
    };
    assert_eq!(entries(&clone), 2, "shallow: two commits of it");
    clone.git(&["fetch", "-q", "--unshallow"]);
    let full = origin.git(&[
        "log",
        "--format=%H",
        "postmortems",
        "--",
        &origin.record_path(&id),
    ]);
    assert_eq!(
        entries(&clone),
        full.lines().count(),
        "after --unshallow: all of it"
    );
}

/// `check` keeps each file's findings by blob id, apart from the clock and
/// keyed by the config: an edit by hand, a config change and the passing
/// of time all show at once, and the answers equal those of no cache.
#[test]
fn the_check_cache_follows_edits_config_and_the_clock() {
    let repo = TestRepo::new();
    let made = "2026-11-27T10:00:00+09:00";
    let out = repo.ok_at(
        made,
        &["new", "--title", "Cached lint", "--severity", "SEV2"],
    );
    let id = out.trim().to_string();
    let cache = repo.path().join(".git/devops-postmortem-lint.cache");
    let check = |repo: &TestRepo, now: &str| -> String {
        let out = repo
            .cmd_in(repo.path())
            .env("DEVOPS_PM_NOW", now)
            .args(["postmortem", "check", "--json"])
            .output()
            .unwrap();
        stdout(&out)
    };
    let uncached = |repo: &TestRepo, now: &str| -> String {
        let _ = std::fs::remove_file(&cache);
        check(repo, now)
    };
    let soon = "2026-11-28T10:00:00+09:00";
    let first = check(&repo, soon);
    assert!(cache.exists(), "check writes its cache");
    assert_eq!(check(&repo, soon), first, "warm = cold");
    assert!(!first.contains("review-overdue"), "{first}");

    // The clock moves on: the review deadline passes with the cache warm.
    let later = "2027-03-01T10:00:00+09:00";
    let overdue = check(&repo, later);
    assert!(overdue.contains("review-overdue"), "{overdue}");
    assert_eq!(overdue, uncached(&repo, later));

    // An edit by hand, committed with plain git.
    let path = repo.record_path(&id);
    let edited = repo
        .show(&path)
        .replace("severity = \"SEV2\"", "severity = \"SEV9\"");
    repo.commit_on_records_branch(&path, &edited, "By hand");
    let hand = check(&repo, soon);
    assert!(hand.contains("unknown-severity"), "{hand}");
    assert_eq!(hand, uncached(&repo, soon));

    // The config learns the severity: the finding goes, cache or not.
    let config = "severities = [\"SEV1\", \"SEV2\", \"SEV3\", \"SEV4\", \"SEV9\"]\n";
    repo.commit_on_records_branch("postmortems/config.toml", config, "SEV9");
    let known = check(&repo, soon);
    assert!(!known.contains("unknown-severity"), "{known}");
    assert_eq!(known, uncached(&repo, soon));
}
