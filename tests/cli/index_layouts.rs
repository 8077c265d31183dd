//! The index after our commits, across the layouts git can write: the
//! index must match HEAD exactly (`git write-tree`), status must be clean.

use crate::support::*;

fn assert_index_matches_head(repo: &TestRepo, what: &str) {
    assert_eq!(repo.status_porcelain(), "", "{what}: status");
    let written = repo.git(&["write-tree"]);
    let head = repo.git(&["rev-parse", "HEAD^{tree}"]);
    assert_eq!(written, head, "{what}: the index does not match HEAD");
    let fsck = repo.git_output_in(repo.path(), &["fsck", "--no-progress", "--no-dangling"]);
    assert!(
        fsck.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&fsck.stderr)
    );
}

/// A repository with a few directories, so the cache-tree has depth.
fn repo_with(setup: &[&[&str]]) -> TestRepo {
    let repo = TestRepo::new();
    for dir in ["src/a", "src/b", "docs"] {
        repo.write(&format!("{dir}/x.txt"), dir);
    }
    repo.git(&["add", "."]);
    repo.git(&["commit", "-qm", "tree"]);
    for args in setup {
        repo.git(args);
    }
    // A commit by git itself leaves a full cache-tree in the index.
    repo.write("docs/y.txt", "y");
    repo.git(&["add", "docs/y.txt"]);
    repo.git(&["commit", "-qm", "more"]);
    repo
}

fn exercise(repo: &TestRepo, what: &str) {
    let first = repo.new_record("First", &[]);
    assert_index_matches_head(repo, &format!("{what}: new"));
    repo.new_record("Second", &[]);
    repo.ok(&["assign", &first, "bob"]);
    assert_index_matches_head(repo, &format!("{what}: assign"));
    // git's own next commit builds on our index.
    repo.write("src/a/z.txt", "z");
    repo.git(&["add", "src/a/z.txt"]);
    repo.git(&["commit", "-qm", "after"]);
    assert_index_matches_head(repo, &format!("{what}: git commit after"));
    let files = repo.git(&["ls-tree", "-r", "--name-only", "HEAD"]);
    assert_eq!(
        files
            .lines()
            .filter(|l| l.starts_with("postmortems/"))
            .count(),
        2,
        "{what}: {files}"
    );
}

#[test]
fn index_version_2_with_a_cache_tree() {
    exercise(
        &repo_with(&[&["update-index", "--index-version", "2"]]),
        "v2",
    );
}

#[test]
fn index_version_3_with_extended_flags() {
    let repo = repo_with(&[&["update-index", "--index-version", "3"]]);
    repo.git(&["update-index", "--skip-worktree", "docs/x.txt"]);
    exercise(&repo, "v3");
    assert!(
        repo.git(&["ls-files", "-v", "docs/x.txt"])
            .starts_with("S "),
        "skip-worktree kept"
    );
}

#[test]
fn index_version_4_path_compression() {
    exercise(
        &repo_with(&[&["update-index", "--index-version", "4"]]),
        "v4",
    );
}

#[test]
fn untracked_cache_and_skip_hash() {
    let repo = repo_with(&[
        &["config", "index.skipHash", "true"],
        &["update-index", "--untracked-cache"],
    ]);
    exercise(&repo, "untracked cache + skipHash");
    // The untracked cache still sees new untracked files.
    repo.write("docs/untracked.txt", "u");
    assert_eq!(repo.status_porcelain(), "?? docs/untracked.txt\n");
}

fn shared_index_files(repo: &TestRepo) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo.path().join(".git"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("sharedindex."))
        .collect();
    names.sort();
    names
}

/// Moves every entry into a fresh shared index. Files changed within the
/// index's own second are "racily clean", and git keeps those in the small
/// half, so they are dated back first.
fn rebase_split_index(repo: &TestRepo) {
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    for path in repo.git(&["ls-files"]).lines() {
        let file = std::fs::File::options()
            .write(true)
            .open(repo.path().join(path))
            .unwrap();
        file.set_modified(hour_ago).unwrap();
    }
    repo.git(&["update-index", "-q", "--refresh"]);
    repo.git(&["update-index", "--split-index"]);
    let index = std::fs::read(repo.path().join(".git/index")).unwrap();
    let entries = u32::from_be_bytes(index[8..12].try_into().unwrap());
    assert_eq!(entries, 0, "all entries are in the shared index");
}

/// Stages a hand edit of `id`'s file, moves it into the shared index, and
/// checks that `assign` refuses to commit over it.
fn refuses_a_change_staged_in_the_shared_half(repo: &TestRepo, id: &str) {
    let path = repo
        .git(&["ls-files", "postmortems"])
        .lines()
        .find(|p| p.contains(id))
        .unwrap()
        .to_string();
    repo.write(&path, &format!("{}# staged by hand\n", repo.read(&path)));
    repo.git(&["add", &path]);
    rebase_split_index(repo);
    let head = repo.git(&["rev-parse", "HEAD"]);
    let err = repo.fails(1, &["assign", id, "dave"]);
    assert!(err.contains("staged changes"), "{err}");
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head, "nothing committed");
    assert_eq!(
        repo.git(&["diff", "--cached", "--name-only"]).trim(),
        path,
        "the hand edit is still staged"
    );
    assert!(repo.read(&path).ends_with("# staged by hand\n"));
}

fn is_split(repo: &TestRepo) -> bool {
    let index = std::fs::read(repo.path().join(".git/index")).unwrap();
    index.windows(4).any(|w| w == b"link")
}

#[test]
fn a_split_index_gets_only_its_small_half_rewritten() {
    for version in ["2", "3"] {
        let repo = repo_with(&[
            &["update-index", "--index-version", version],
            &["update-index", "--split-index"],
        ]);
        // Entries added to the small half, then changed there.
        exercise(&repo, &format!("split v{version}"));
        // Everything into a fresh shared index; then a deletion (delete
        // bitmap) and our changes to shared entries (replace bitmap).
        repo.git(&["rm", "-q", "docs/x.txt"]);
        repo.git(&["commit", "-qm", "rm"]);
        rebase_split_index(&repo);
        repo.git(&["rm", "-q", "src/b/x.txt"]);
        repo.git(&["commit", "-qm", "rm"]);
        let shared = shared_index_files(&repo);
        let ids: Vec<String> = repo
            .git(&["ls-files", "postmortems"])
            .lines()
            .map(|p| {
                p.rsplit('/')
                    .next()
                    .unwrap()
                    .trim_end_matches(".toml")
                    .to_string()
            })
            .collect();
        assert_eq!(ids.len(), 2, "{ids:?}");
        repo.ok(&["assign", &ids[1], "carol"]);
        assert_index_matches_head(&repo, "replaced a shared entry");
        repo.ok(&["assign", &ids[1], "bob"]);
        repo.ok(&["assign", &ids[0], "carol"]);
        assert_index_matches_head(&repo, "replaced again, and a second one");
        repo.new_record("Third", &[]);
        assert_index_matches_head(&repo, "added beside replacements");
        assert!(is_split(&repo), "v{version}: still a split index");
        assert_eq!(
            shared_index_files(&repo),
            shared,
            "v{version}: shared index untouched"
        );
        assert_eq!(
            repo.git(&["ls-files", "src/b"]).trim(),
            "",
            "v{version}: the deletion holds"
        );
        // A change staged by the user in the shared half is still refused.
        refuses_a_change_staged_in_the_shared_half(&repo, &ids[0]);
        // git itself carries on from our index.
        repo.git(&["reset", "-q", "--hard"]);
        repo.git(&["update-index", "--no-split-index"]);
        assert_index_matches_head(&repo, "after --no-split-index");
    }
}

/// A shared index of 400 entries is searched through checkpoints kept in
/// `.git/` (one per 64 entries): records sit between `a/` and `z/`, so each
/// lookup starts from a checkpoint in the middle.
#[test]
fn a_large_shared_index_is_searched_through_its_checkpoints() {
    let repo = TestRepo::new();
    for dir in ["a", "z"] {
        for n in 0..200 {
            repo.write(&format!("{dir}/f{n:03}.txt"), &n.to_string());
        }
    }
    repo.git(&["add", "."]);
    repo.git(&["commit", "-qm", "code"]);
    let ids: Vec<String> = (0..3)
        .map(|n| repo.new_record(&format!("Record {n}"), &[]))
        .collect();
    repo.git(&["config", "core.splitIndex", "true"]);
    rebase_split_index(&repo);
    let cache = repo.path().join(".git/devops-postmortem-split.cache");
    let checkpoints_file = || std::fs::read(&cache).unwrap_or_default();

    for (n, id) in ids.iter().enumerate() {
        repo.ok(&["assign", id, "bob"]);
        assert_index_matches_head(&repo, &format!("assign {n}"));
    }
    let kept = checkpoints_file();
    assert!(kept.starts_with(b"DPMS"), "checkpoints kept");
    // 403 entries: 7 checkpoints of 4 bytes at the end of the file.
    let count = u32::from_le_bytes(kept[kept.len() - 32..kept.len() - 28].try_into().unwrap());
    assert_eq!(count, 7, "{kept:?}");

    // Damaged checkpoints are walked again, and rewritten.
    std::fs::write(&cache, b"DPMS garbage").unwrap();
    repo.ok(&["assign", &ids[1], "carol"]);
    assert_index_matches_head(&repo, "after damaged checkpoints");
    assert_eq!(checkpoints_file(), kept, "rewritten alike");
    // Well-formed but pointing between entries: refused by shape.
    let mut shifted = kept.clone();
    let offsets = shifted.len() - 28;
    for at in (offsets..shifted.len()).step_by(4) {
        let o = u32::from_le_bytes(shifted[at..at + 4].try_into().unwrap()) + 8;
        shifted[at..at + 4].copy_from_slice(&o.to_le_bytes());
    }
    std::fs::write(&cache, &shifted).unwrap();
    repo.ok(&["assign", &ids[0], "carol"]);
    assert_index_matches_head(&repo, "after shifted checkpoints");
    std::fs::remove_file(&cache).unwrap();

    repo.ok(&["assign", &ids[2], "carol"]);
    assert_index_matches_head(&repo, "after deleted checkpoints");

    // Found through a checkpoint, a change staged by hand still stops us.
    refuses_a_change_staged_in_the_shared_half(&repo, &ids[0]);
    assert_ne!(
        checkpoints_file(),
        kept,
        "a new shared file, new checkpoints"
    );
}

#[test]
fn a_split_index_in_version_4_is_refused_with_the_way_out() {
    let repo = repo_with(&[
        &["update-index", "--index-version", "4"],
        &["update-index", "--split-index"],
    ]);
    let err = repo.fails(1, &["new", "--title", "Split"]);
    assert!(err.contains("git update-index --index-version 3"), "{err}");

    assert_eq!(
        repo.git(&["log", "-1", "--format=%s"]).trim(),
        "more",
        "nothing committed"
    );
    assert_eq!(repo.status_porcelain(), "", "nothing written");
    // The way out works.
    repo.git(&["update-index", "--index-version", "3"]);
    repo.new_record("Version 3", &[]);
    assert_index_matches_head(&repo, "after --index-version 3");
}

#[test]
fn a_held_index_lock_is_waited_for_then_reported() {
    let repo = repo_with(&[]);
    std::fs::write(repo.path().join(".git/index.lock"), "").unwrap();
    let err = repo.fails(1, &["new", "--title", "Locked out"]);
    assert!(err.contains("index.lock"), "{err}");
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s"]).trim(),
        "more",
        "nothing committed"
    );
    std::fs::remove_file(repo.path().join(".git/index.lock")).unwrap();
    repo.new_record("After the lock", &[]);
    assert_index_matches_head(&repo, "after lock");
}
