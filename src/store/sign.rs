//! `commit.gpgsign`: sign our commits the way git would, with gpg or ssh.
//! libgit2 does not sign by itself; we hand it the signature.

use crate::error::{Context, Error, Result};
use git2::Repository;
use std::io::Write;
use std::process::{Command, Stdio};

/// The signature for a commit buffer, or `None` when signing is off.
pub fn sign_if_configured(repo: &Repository, buffer: &str, email: &str) -> Result<Option<String>> {
    let config = repo.config()?.snapshot()?;
    if !config.get_bool("commit.gpgsign").unwrap_or(false) {
        return Ok(None);
    }
    let format = config
        .get_string("gpg.format")
        .unwrap_or_else(|_| "openpgp".into());
    let key = config.get_string("user.signingkey").ok();
    let signature = match format.as_str() {
        "ssh" => {
            let program = config
                .get_string("gpg.ssh.program")
                .unwrap_or_else(|_| "ssh-keygen".into());
            let key = key.ok_or_else(|| {
                Error::new(
                    "commit.gpgsign is on with gpg.format = ssh, but user.signingkey is not set",
                )
                .hint("git config user.signingkey ~/.ssh/id_ed25519.pub")
            })?;
            sign_ssh(&program, &key, buffer)?
        }
        "openpgp" => {
            let program = config
                .get_string("gpg.openpgp.program")
                .or_else(|_| config.get_string("gpg.program"))
                .unwrap_or_else(|_| "gpg".into());
            sign_gpg(&program, key.as_deref().unwrap_or(email), buffer)?
        }
        other => {
            return Err(Error::new(format!(
                "gpg.format = {other} is not supported: use openpgp or ssh, or turn off commit.gpgsign"
            )));
        }
    };
    Ok(Some(signature))
}

fn sign_gpg(program: &str, key: &str, buffer: &str) -> Result<String> {
    let mut child = Command::new(program)
        .args(["--status-fd=2", "-bsau", key])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .context(|| format!("cannot run {program} to sign the commit (commit.gpgsign is on)"))?;
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(buffer.as_bytes())
        .context(|| format!("cannot write to {program}"))?;
    let out = child
        .wait_with_output()
        .context(|| format!("{program} failed"))?;
    if !out.status.success() {
        return Err(Error::new(format!(
            "{program} could not sign the commit: {}",
            crate::error::one_line(&String::from_utf8_lossy(&out.stderr))
        )));
    }
    String::from_utf8(out.stdout)
        .context(|| format!("{program} printed a signature that is not text"))
}

fn sign_ssh(program: &str, key: &str, buffer: &str) -> Result<String> {
    let dir = tempfile::tempdir().context(|| "cannot make a temporary directory".to_string())?;
    let payload = dir.path().join("commit");
    std::fs::write(&payload, buffer).context(|| format!("cannot write {}", payload.display()))?;
    let mut cmd = Command::new(program);
    cmd.args(["-Y", "sign", "-n", "git", "-f"]);
    // A literal public key means "the matching private key is in the agent".
    let literal = key
        .strip_prefix("key::")
        .or_else(|| key.starts_with("ssh-").then_some(key));
    if let Some(public) = literal {
        let key_file = dir.path().join("key.pub");
        std::fs::write(&key_file, public)
            .context(|| format!("cannot write {}", key_file.display()))?;
        cmd.arg(&key_file).arg("-U");
    } else {
        cmd.arg(expand_home(key));
    }
    let out = cmd
        .arg(&payload)
        .stdin(Stdio::null())
        .output()
        .context(|| format!("cannot run {program} to sign the commit (gpg.format = ssh)"))?;
    if !out.status.success() {
        return Err(Error::new(format!(
            "{program} could not sign the commit: {}",
            crate::error::one_line(&String::from_utf8_lossy(&out.stderr))
        )));
    }
    let sig = dir.path().join("commit.sig");
    std::fs::read_to_string(&sig).context(|| format!("cannot read {}", sig.display()))
}

fn expand_home(path: &str) -> std::path::PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => std::path::Path::new(&home).join(rest),
        _ => path.into(),
    }
}
