//! Sharing with the team through the `git` CLI (fetch, rebase, push), as
//! cargo and jj do: credentials, proxies, SSH config and hooks then behave
//! exactly as the user expects.

use super::Store;
use crate::error::{Error, Result};
use std::process::{Command, Output, Stdio};

pub const DRIVER: &str = "devops-postmortem";

pub fn git(store: &Store, args: &[&str]) -> Result<Output> {
    Command::new("git")
        .current_dir(&store.workdir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            Error::new(format!("cannot run git {}: {e}", args.join(" ")))
                .hint("sync needs the git command on PATH")
        })
}

/// Runs git and returns its stdout, or an error carrying its stderr.
pub fn git_ok(store: &Store, args: &[&str]) -> Result<String> {
    let out = git(store, args)?;
    if !out.status.success() {
        return Err(Error::new(format!(
            "git {} failed: {}",
            args.join(" "),
            crate::error::one_line(&String::from_utf8_lossy(&out.stderr))
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Makes git use our field-aware merge for records in this clone. The
/// attribute is shared (`.gitattributes`); the driver is local config.
pub fn register_merge_driver(store: &Store) -> Result<bool> {
    let mut config = store.repo.config()?.open_level(git2::ConfigLevel::Local)?;
    let key = format!("merge.{DRIVER}.driver");
    let exe = std::env::current_exe()
        .map_err(|e| Error::new(format!("cannot locate the devops binary: {e}")))?;
    let exe = exe.to_string_lossy().replace('\'', "'\\''");
    let driver = format!("'{exe}' postmortem merge-driver %O %A %B %P");
    if config.get_string(&key).ok().as_deref() == Some(driver.as_str()) {
        return Ok(false);
    }
    config.set_str(
        &format!("merge.{DRIVER}.name"),
        "devops postmortem field-aware merge",
    )?;
    config.set_str(&key, &driver)?;
    Ok(true)
}

pub fn attributes_line(records_dir: &str) -> String {
    format!("{records_dir}/**/*.toml merge={DRIVER}")
}
