//! Differential tests of writes where the records branch is checked out
//! (here `main`, by `git config postmortem.branch main`, with code beside
//! the records): for each index layout and repository shape git supports,
//! a write by the tool leaves the index, the work tree and `git status`
//! exactly as git itself leaves them after the same change (`git commit --
//! <record>` in an identical twin repository), with the user's staged,
//! unstaged and untracked work in place on both sides.

use crate::support::*;

/// Everything git can tell about the index and the work tree, without
/// stat data (ours and git's differ only in when files were written).
fn observe(repo: &TestRepo) -> Vec<(String, String)> {
    let mut seen = Vec::new();
    let mut look = |what: &str, args: &[&str]| {
        seen.push((what.to_string(), repo.git(args)));
    };
    look("ls-files --stage", &["ls-files", "--stage"]);
    look(
        "status",
        &["status", "--porcelain=v2", "--untracked-files=all"],
    );
    look("diff", &["diff"]);
    look("diff --cached", &["diff", "--cached"]);
    look("write-tree", &["write-tree"]);
    look("HEAD tree", &["rev-parse", "HEAD^{tree}"]);
    look("sparse entries", &["ls-files", "--sparse", "--stage"]);
    let flags: String = repo
        .git(&["ls-files", "--debug"])
        .lines()
        .filter(|l| !l.starts_with("  ") || l.trim_start().starts_with("flags:"))
        .map(|l| format!("{l}\n"))
        .collect();
    seen.push(("ls-files --debug flags".into(), flags));
    let index = std::fs::read(repo.path().join(".git/index")).unwrap();
    // The header's version field (`git update-index --show-index-version`
    // says the same, from git 2.42 on; older gits are in use too).
    seen.push((
        "index version".into(),
        u32::from_be_bytes(index[4..8].try_into().unwrap()).to_string(),
    ));
    seen.push((
        "split index".into(),
        index.windows(4).any(|w| w == b"link").to_string(),
    ));
    seen
}

fn fsck_clean(repo: &TestRepo, what: &str) {
    let out = repo.git_output_in(
        repo.path(),
        &["fsck", "--no-progress", "--no-dangling", "--strict"],
    );
    assert!(
        out.status.success(),
        "{what}: git fsck: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn assert_same(a: &TestRepo, b: &TestRepo, what: &str) {
    for ((name, ours), (_, gits)) in observe(a).into_iter().zip(observe(b)) {
        assert_eq!(
            ours, gits,
            "{what}: `{name}` differs between the tool and git"
        );
    }
    fsck_clean(a, what);
}

/// The user's work in progress: a staged change, an unstaged one, an
/// untracked file.
fn work_in_progress(repo: &TestRepo) {
    repo.write("src/a/x.txt", "staged edit\n");
    repo.git(&["add", "src/a/x.txt"]);
    repo.write("docs/x.txt", "unstaged edit\n");
    repo.write("notes.txt", "untracked\n");
}

/// Runs `args` with the tool in `repo`, then makes the same change with
/// git in `twin` (same bytes, `git commit -- <file>`), and compares.
fn tool_and_git(repo: &TestRepo, twin: &TestRepo, args: &[&str], what: &str) {
    let before: std::collections::BTreeSet<String> = repo
        .git(&["ls-files", "postmortems"])
        .lines()
        .map(String::from)
        .collect();
    let head = repo.git(&["rev-parse", "HEAD"]);
    let out = repo.pm(args);
    assert!(out.status.success(), "{what}: {}", stderr(&out));
    let changed = repo.git(&["diff", "--name-only", head.trim(), "HEAD"]);
    let path = changed.trim();
    assert!(
        !path.is_empty() && !path.contains('\n'),
        "{what}: one file: {changed}"
    );
    assert_eq!(
        repo.git(&["rev-list", "--count", &format!("{}..HEAD", head.trim())])
            .trim(),
        "1",
        "{what}: one commit"
    );
    let bytes = std::fs::read(repo.path().join(path)).unwrap();
    let target = twin.path().join(path);
    std::fs::create_dir_all(target.parent().unwrap()).unwrap();
    std::fs::write(&target, bytes).unwrap();
    if !before.contains(path) {
        twin.git(&["add", "--", path]);
    }
    twin.git(&["commit", "-q", "-m", "the same change by git", "--", path]);
    assert_same(repo, twin, what);
}

/// A repository with directories (a cache-tree with depth), code and a
/// record, then `setup`, then one commit by git so the index is in
/// git's own shape for that layout.
fn shaped(setup: &[&[&str]]) -> (TestRepo, String) {
    let repo = TestRepo::new();
    repo.git(&["config", "postmortem.branch", "main"]);
    for dir in ["src/a", "src/b", "docs"] {
        repo.write(&format!("{dir}/x.txt"), &format!("{dir}\n"));
    }
    repo.git(&["add", "."]);
    repo.git(&["commit", "-qm", "tree"]);
    let id = repo.new_record("First", &[]);
    for args in setup {
        repo.git(args);
    }
    repo.write("docs/y.txt", "y\n");
    repo.git(&["add", "docs/y.txt"]);
    repo.git(&["commit", "-qm", "more"]);
    (repo, id)
}

/// new, assign and analyze in `repo` and its twin, with work in progress,
/// then git's own next commit on both sides.
fn exercise(setup: &[&[&str]], what: &str) -> (TestRepo, TestRepo) {
    let (repo, id) = shaped(setup);
    work_in_progress(&repo);
    let twin = repo.duplicate();
    tool_and_git(
        &repo,
        &twin,
        &["new", "--title", "Second"],
        &format!("{what}: new"),
    );
    tool_and_git(
        &repo,
        &twin,
        &["assign", &id, "bob"],
        &format!("{what}: assign"),
    );
    tool_and_git(
        &repo,
        &twin,
        &[
            "analyze",
            &id,
            "--root-cause",
            "pool",
            "--action",
            "Split it",
        ],
        &format!("{what}: analyze"),
    );
    for r in [&repo, &twin] {
        r.git(&["commit", "-qam", "the user's own next commit"]);
    }
    assert_same(&repo, &twin, &format!("{what}: git commit -a after"));
    assert_eq!(repo.read("notes.txt"), "untracked\n");
    (repo, twin)
}

#[test]
fn index_versions_2_3_and_4() {
    for v in ["2", "3", "4"] {
        exercise(&[&["update-index", "--index-version", v]], &format!("v{v}"));
    }
}

#[test]
fn skip_worktree_and_assume_unchanged_bits() {
    let (repo, _) = exercise(
        &[
            &["update-index", "--skip-worktree", "src/b/x.txt"],
            &["update-index", "--assume-unchanged", "docs/x.txt"],
        ],
        "skip-worktree",
    );
    assert!(
        repo.git(&["ls-files", "-v", "src/b/x.txt"])
            .starts_with("S ")
    );
}

#[test]
fn split_index_in_versions_2_and_4() {
    for v in ["2", "4"] {
        let (repo, _) = exercise(
            &[
                &["config", "core.splitIndex", "true"],
                &["update-index", "--index-version", v],
                &["update-index", "--split-index"],
            ],
            &format!("split v{v}"),
        );
        let index = std::fs::read(repo.path().join(".git/index")).unwrap();
        assert!(index.windows(4).any(|w| w == b"link"), "v{v}: still split");
    }
}

#[test]
fn sparse_checkout_with_a_sparse_index() {
    let (repo, _) = exercise(
        &[
            &["sparse-checkout", "init", "--cone", "--sparse-index"],
            &["sparse-checkout", "set", "postmortems", "docs", "src/a"],
        ],
        "sparse index",
    );
    assert!(
        repo.git(&["ls-files", "--sparse"]).contains("src/b/"),
        "still a sparse index"
    );
}

#[test]
fn untracked_cache_skip_hash_and_fsmonitor_settings() {
    let (repo, _) = exercise(
        &[
            &["config", "index.skipHash", "true"],
            &["config", "core.untrackedCache", "true"],
            &["update-index", "--untracked-cache"],
        ],
        "untracked cache + skipHash",
    );
    repo.write("docs/new.txt", "u");
    assert!(repo.status_porcelain().contains("?? docs/new.txt"));
}

#[test]
fn line_endings_converted_by_git() {
    for (what, setup) in [
        (
            "core.autocrlf",
            vec![vec!["config", "core.autocrlf", "true"]],
        ),
        ("eol=crlf", vec![vec!["config", "core.eol", "lf"]]),
    ] {
        let (repo, id) = shaped(&[]);
        for args in &setup {
            repo.git(&args.iter().map(|s| &**s).collect::<Vec<_>>());
        }
        if what == "eol=crlf" {
            repo.commit_file(".gitattributes", "*.toml text eol=crlf\n", "attributes");
        }
        // Check the record out again the way git would now.
        let path = repo.record_path(&id);
        std::fs::remove_file(repo.path().join(&path)).unwrap();
        repo.git(&["checkout", "--", &path]);
        assert!(
            repo.read(&path).contains("\r\n"),
            "{what}: checked out with CRLF"
        );
        assert_eq!(repo.status_porcelain(), "", "{what}: clean to start with");
        work_in_progress(&repo);
        let twin = repo.duplicate();
        tool_and_git(&repo, &twin, &["assign", &id, "bob"], what);
        assert!(
            repo.read(&path).contains("\r\n"),
            "{what}: written with CRLF"
        );
        tool_and_git(
            &repo,
            &twin,
            &["new", "--title", "Third"],
            &format!("{what}: new"),
        );
    }
}

#[test]
fn records_committed_with_crlf_or_a_bom_keep_them() {
    let (repo, id) = shaped(&[]);
    let path = repo.record_path(&id);
    let lf = repo.read(&path);
    for (what, bytes) in [
        ("crlf", lf.replace('\n', "\r\n").into_bytes()),
        ("bom", [b"\xef\xbb\xbf".as_slice(), lf.as_bytes()].concat()),
        (
            "bom+crlf",
            [
                b"\xef\xbb\xbf".as_slice(),
                lf.replace('\n', "\r\n").as_bytes(),
            ]
            .concat(),
        ),
    ] {
        std::fs::write(repo.path().join(&path), &bytes).unwrap();
        repo.git(&["commit", "-qam", what]);
        repo.ok(&["update", &id, "--summary", what]);
        let diff = repo.git(&["diff", "--numstat", "HEAD~1", "HEAD"]);
        assert!(
            diff.starts_with("2\t") || diff.starts_with("1\t"),
            "{what}: small diff: {diff}"
        );
        let blob = repo.git_output_in(repo.path(), &["cat-file", "blob", &format!("HEAD:{path}")]);
        let text = blob.stdout;
        assert_eq!(
            text.starts_with(b"\xef\xbb\xbf"),
            what.contains("bom"),
            "{what}"
        );
        let crlf = text.windows(2).filter(|w| w == b"\r\n").count();
        let lf_only = text.iter().filter(|b| **b == b'\n').count() - crlf;
        if what.contains("crlf") {
            assert_eq!(lf_only, 0, "{what}: every line keeps CRLF");
        } else {
            assert_eq!(crlf, 0, "{what}");
        }
        assert_eq!(repo.status_porcelain(), "", "{what}");
        // Every reader still reads it.
        assert!(repo.ok(&["show", &id]).contains(what), "{what}");
        repo.ok(&["check"]);
    }
}

#[test]
fn a_racily_clean_staged_file_stays_visibly_changed() {
    let (repo, _) = shaped(&[]);
    // Staged, then changed again in the same second as the index was
    // written, keeping the size: the file's stat data match the entry, so
    // only the entry's being "racily clean" (its time not before the
    // index's) makes git look at the bytes. The times are set in the
    // past rather than waited for; ctime, which cannot be set, is left
    // out of git's comparison.
    repo.git(&["config", "core.trustctime", "false"]);
    let past = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
    let date = |rel: &str| {
        let file = std::fs::File::options()
            .write(true)
            .open(repo.path().join(rel))
            .unwrap();
        file.set_times(std::fs::FileTimes::new().set_modified(past))
            .unwrap();
    };
    repo.write("src/a/x.txt", "AAAA\n");
    date("src/a/x.txt");
    repo.git(&["add", "src/a/x.txt"]);
    repo.write("src/a/x.txt", "BBBB\n");
    date("src/a/x.txt");
    date(".git/index");
    let status = repo.git(&["--no-optional-locks", "status", "--porcelain"]);
    assert!(status.contains("MM src/a/x.txt"), "{status}");
    let twin = repo.duplicate();
    tool_and_git(&repo, &twin, &["new", "--title", "Racy"], "racy");
    assert!(
        repo.status_porcelain().contains("MM src/a/x.txt"),
        "{}",
        repo.status_porcelain()
    );
    assert!(repo.git(&["diff"]).contains("+BBBB"));
}

#[test]
fn directory_names_that_are_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let (repo, id) = shaped(&[]);
    for name in [&b"caf\xe9"[..], b"caf\xe8"] {
        let dir = repo.path().join(std::ffi::OsStr::from_bytes(name));
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("a.txt"), "x").unwrap();
    }
    repo.git(&["add", "."]);
    repo.git(&["commit", "-qm", "latin-1 names"]);
    let twin = repo.duplicate();
    tool_and_git(&repo, &twin, &["assign", &id, "bob"], "non-UTF-8 dirs");
    tool_and_git(
        &repo,
        &twin,
        &["new", "--title", "Café"],
        "non-UTF-8 dirs: new",
    );
    repo.git(&["commit", "-q", "--allow-empty", "-m", "git still commits"]);
}

#[test]
fn a_held_index_lock_is_waited_for_then_named() {
    let (repo, _) = shaped(&[]);
    let lock = repo.path().join(".git/index.lock");
    std::fs::write(&lock, "").unwrap();
    let head = repo.git(&["rev-parse", "HEAD"]);
    let err = repo.fails(1, &["new", "--title", "Locked out"]);
    assert!(
        err.contains(&lock.display().to_string()),
        "names the file: {err}"
    );
    assert!(err.contains("created"), "says since when: {err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head, "nothing committed");
    assert_eq!(repo.status_porcelain(), "", "nothing half-written");
    // The hint is a command that works when pasted.
    let hint = err
        .lines()
        .find_map(|l| l.strip_prefix("hint: if none is, the lock is stale: "))
        .expect("an rm hint");
    let out = repo.sh(hint);
    assert!(out.status.success());
    repo.new_record("After the lock", &[]);
    assert_eq!(repo.status_porcelain(), "");
}

#[test]
fn a_stale_branch_lock_is_named_and_nothing_is_left_staged() {
    let (repo, id) = shaped(&[]);
    let lock = repo.path().join(".git/refs/heads/main.lock");
    std::fs::write(&lock, "").unwrap();
    let head = repo.git(&["rev-parse", "HEAD"]);
    let err = repo.fails(1, &["assign", &id, "bob"]);
    assert!(err.contains("main.lock"), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert!(!err.contains("moved"), "{err}");
    assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
    assert_eq!(
        repo.status_porcelain(),
        "",
        "no staged revert, no change left"
    );
    std::fs::remove_file(&lock).unwrap();
    repo.ok(&["assign", &id, "bob"]);
}
