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

#[test]
fn a_split_index_is_refused_with_the_way_out() {
    let repo = repo_with(&[&["update-index", "--split-index"]]);
    let err = repo.fails(1, &["new", "--title", "Split"]);
    assert!(err.contains("git update-index --no-split-index"), "{err}");
    assert_eq!(
        repo.git(&["log", "-1", "--format=%s"]).trim(),
        "more",
        "nothing committed"
    );
    assert_eq!(repo.status_porcelain(), "", "nothing written");
    // The way out works.
    repo.git(&["update-index", "--no-split-index"]);
    repo.new_record("Split no more", &[]);
    assert_index_matches_head(&repo, "after --no-split-index");
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
