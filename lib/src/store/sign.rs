//! `commit.gpgsign`: the commit is made by `git commit-tree -S`, so every
//! signing set-up git supports (gpg, ssh, x509, agents, `user.signingKey`,
//! `gpg.*.program`) signs our commits exactly as it signs the user's.
//! No lock of ours or git's is held while a signer waits for a passphrase.

use super::Store;
use crate::error::{Context, Result};
use git2::{Oid, Signature};

/// True when the repository's config asks for signed commits.
pub fn wanted(repo: &git2::Repository) -> Result<bool> {
    let config = repo.config()?.snapshot()?;
    Ok(config.get_bool("commit.gpgsign").unwrap_or(false))
}

/// Makes a signed commit object with git and returns its id.
pub fn commit_tree(
    store: &Store,
    tree: Oid,
    parent: Option<Oid>,
    message: &str,
    author: &Signature<'_>,
    committer: &Signature<'_>,
) -> Result<Oid> {
    // The message goes through a file so that stdin stays the user's, for
    // signers that ask on the terminal.
    let mut file = tempfile::Builder::new()
        .prefix("devops-postmortem-message")
        .tempfile_in(store.repo.path())
        .context(|| format!("cannot write in {}", store.repo.path().display()))?;
    std::io::Write::write_all(&mut file, message.as_bytes())
        .context(|| "cannot write the commit message".to_string())?;
    let tree_hex = tree.to_string();
    let parent_hex = parent.map(|p| p.to_string());
    let message_path = file.path().to_string_lossy().into_owned();
    let mut args = vec!["commit-tree", tree_hex.as_str()];
    if let Some(p) = &parent_hex {
        args.extend(["-p", p.as_str()]);
    }
    args.extend(["-S", "-F", message_path.as_str()]);
    let mut cmd = store.git.plumbing(&args);
    cmd.stdin(std::process::Stdio::inherit());
    for (role, sig) in [("AUTHOR", author), ("COMMITTER", committer)] {
        cmd.env(format!("GIT_{role}_NAME"), sig.name().unwrap_or_default())
            .env(format!("GIT_{role}_EMAIL"), sig.email().unwrap_or_default())
            .env(format!("GIT_{role}_DATE"), git_date(sig));
    }
    let out = cmd
        .output()
        .context(|| "cannot run git commit-tree".to_string())?;
    if !out.status.success() {
        let failure = super::git::GitFailure::from_output(&out, &args);
        return Err(failure
            .into_error()
            .hint("commit.gpgsign is on: check that `git commit -S` works here, or turn it off for this repository"));
    }
    let hex = String::from_utf8_lossy(&out.stdout).trim().to_string();
    Ok(Oid::from_str(&hex)?)
}

/// git's internal date format: `@<seconds> <+hhmm>`.
fn git_date(sig: &Signature<'_>) -> String {
    let t = sig.when();
    let off = t.offset_minutes();
    let sign = if off < 0 { '-' } else { '+' };
    format!(
        "@{} {sign}{:02}{:02}",
        t.seconds(),
        off.abs() / 60,
        off.abs() % 60
    )
}
