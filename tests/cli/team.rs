//! A team on its first day: a bare remote holding the code's `main`, and
//! two clones (Alice's and Bob's) that never ran `init`.

use crate::support::*;

/// A bare remote and two clones (Alice's and Bob's), nobody ran `init`.
pub struct Team {
    pub remote: tempfile::TempDir,
    pub alice: TestRepo,
    pub bob: TestRepo,
}

pub fn clone_of(remote: &std::path::Path, name: &str, email: &str) -> TestRepo {
    let repo = TestRepo::bare_init();
    std::fs::remove_dir_all(repo.path().join(".git")).unwrap();
    repo.git(&["clone", "-q", remote.to_str().unwrap(), "."]);
    repo.git(&["config", "user.name", name]);
    repo.git(&["config", "user.email", email]);
    repo
}

pub fn team() -> Team {
    let seed = TestRepo::new();
    let remote = tempfile::tempdir().unwrap();
    seed.git(&[
        "init",
        "-q",
        "--bare",
        "-b",
        "main",
        remote.path().to_str().unwrap(),
    ]);
    seed.git(&["remote", "add", "origin", remote.path().to_str().unwrap()]);
    seed.git(&["push", "-q", "-u", "origin", "main"]);
    let alice = clone_of(remote.path(), "Alice Kim", "alice@example.com");
    let bob = clone_of(remote.path(), "Bob Lee", "bob@example.com");
    Team { remote, alice, bob }
}

impl Team {
    pub fn remote_git(&self, args: &[&str]) -> String {
        let mut all = vec!["--git-dir", self.remote.path().to_str().unwrap()];
        all.extend_from_slice(args);
        self.alice.git(&all)
    }

    /// Both clones and the remote agree on the records branch; the code's
    /// `main` is where it was everywhere; the clones are clean.
    pub fn all_agree(&self) {
        let remote = self.remote_git(&["rev-parse", "postmortems"]);
        assert_eq!(
            self.alice.git(&["rev-parse", "postmortems"]),
            remote,
            "Alice = remote"
        );
        assert_eq!(
            self.bob.git(&["rev-parse", "postmortems"]),
            remote,
            "Bob = remote"
        );
        let main = self.remote_git(&["rev-parse", "main"]);
        for clone in [&self.alice, &self.bob] {
            assert_eq!(clone.git(&["rev-parse", "main"]), main, "main untouched");
            assert_eq!(clone.status_porcelain(), "");
            assert_eq!(
                clone
                    .git(&["log", "--format=%s", "main"])
                    .matches("postmortem")
                    .count(),
                0,
                "no record commit on the code branch"
            );
        }
    }
}
