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
