//! The caches in `.git/` are optimisations, never the truth: edits by hand
//! show up, deleting or damaging a cache changes nothing.

use crate::support::*;
use serde_json::Value;

/// Puts a file's mtime back an hour (its ctime still moves to now).
fn backdate(repo: &TestRepo, rel: &str) {
    let ok = std::process::Command::new("touch")
        .args(["-d", "1 hour ago"])
        .arg(repo.path().join(rel))
        .status()
        .unwrap();
    assert!(ok.success());
}

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

#[test]
fn the_record_cache_never_hides_an_edit() {
    let repo = TestRepo::new();
    let a = repo.new_record("Alpha", &[]);
    let b = repo.new_record("Bravo", &[]);
    let (pa, pb) = (repo.record_path(&a), repo.record_path(&b));
    // Files changed in the last two seconds are never cached (racy-git).
    std::thread::sleep(std::time::Duration::from_millis(2100));
    assert_eq!(titles(&repo), ["Alpha", "Bravo"]);
    let cache = repo.path().join(".git/devops-postmortem-records.cache");
    let bytes = std::fs::read(&cache).expect("the first read writes the cache");
    let holds = |p: &str| bytes.windows(p.len()).any(|w| w == p.as_bytes());
    assert!(holds(&pa) && holds(&pb), "both records are cached");

    // Same size, mtime put back: only ctime tells. Still seen.
    repo.write(&pa, &repo.read(&pa).replace("Alpha", "Alphb"));
    backdate(&repo, &pa);
    assert_eq!(titles(&repo), ["Alphb", "Bravo"]);
    // A new file, a removed file.
    std::fs::remove_file(repo.path().join(&pb)).unwrap();
    repo.new_record("Charlie", &[]);
    assert_eq!(titles(&repo), ["Alphb", "Charlie"]);
    // Damaged or deleted: the same answer.
    std::fs::write(&cache, b"DPMR garbage").unwrap();
    assert_eq!(titles(&repo), ["Alphb", "Charlie"]);
    std::fs::remove_file(&cache).unwrap();
    assert_eq!(titles(&repo), ["Alphb", "Charlie"]);
    // Figures agree with and without the cache.
    let with: Value = serde_json::from_str(&repo.ok(&["stats", "--json"])).unwrap();
    // (Every file was just changed, so there may be nothing cached now.)
    let _ = std::fs::remove_file(&cache);
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
    repo.git(&["commit", "-q", "--allow-empty", "-m", "code"]);
    repo.ok(&["assign", &id, "bob"]);
    assert_eq!(log(&repo), ["assign", "update", "new"]);
    std::fs::write(&cache, b"junk").unwrap();
    assert_eq!(log(&repo), ["assign", "update", "new"]);
    std::fs::remove_file(&cache).unwrap();
    assert_eq!(log(&repo), ["assign", "update", "new"]);
    // Rewritten history (a reset) is read from HEAD, not from the cache.
    repo.git(&["reset", "-q", "--hard", "HEAD~2"]);
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

#[test]
fn the_history_walk_reads_gits_commit_graph_alike() {
    let repo = TestRepo::new();
    let id = repo.new_record("Graph", &["--severity", "SEV3"]);
    let path = repo.record_path(&id);
    // History with a merge and an octopus merge, the record changed on
    // side branches too.
    repo.git(&["checkout", "-q", "-b", "side"]);
    repo.ok(&["assign", &id, "bob"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.commit_file("src/a.txt", "a", "code");
    repo.git(&["merge", "-q", "--no-ff", "--no-edit", "side"]);
    for (branch, file) in [("b1", "src/b1.txt"), ("b2", "src/b2.txt")] {
        repo.git(&["checkout", "-q", "-b", branch, "main"]);
        repo.commit_file(file, branch, "code");
    }
    repo.git(&["checkout", "-q", "b2"]);
    repo.ok(&["update", &id, "--severity", "SEV2"]);
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["merge", "-q", "--no-ff", "--no-edit", "b1", "b2"]);
    assert_eq!(
        repo.git(&["log", "-1", "--format=%P"])
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
            .git(&["log", "--format=%H", "--", &path])
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
    repo.commit_file("src/c.txt", "c", "code");
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
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let reads: Vec<Vec<&str>> = vec![
        vec!["list", "--all", "--json"],
        vec!["stats", "--json"],
        vec!["triage", "--json"],
        vec!["log", &ids[0], "--json"],
        vec!["log", "--json"],
    ];
    let answers = |repo: &TestRepo| -> Vec<String> { reads.iter().map(|a| repo.ok(a)).collect() };
    let truth = answers(&repo);
    let commits = repo.commit_count();
    let git = repo.path().join(".git");
    for cache in ["records", "records-slim", "history", "fixes"] {
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
    clone.git(&["clone", "-q", "--depth", "2", &url, "."]);
    let entries = |r: &TestRepo| -> usize {
        let v: Value = serde_json::from_str(&r.ok(&["log", &id, "--json"])).unwrap();
        v.as_array().unwrap().len()
    };
    assert_eq!(entries(&clone), 2, "shallow: two commits of it");
    clone.git(&["fetch", "-q", "--unshallow"]);
    let full = origin.git(&["log", "--format=%H", "--", &origin.record_path(&id)]);
    assert_eq!(
        entries(&clone),
        full.lines().count(),
        "after --unshallow: all of it"
    );
}
