//! Paths the tool writes to: always inside the work tree, never through a
//! symbolic link, never a name git itself refuses.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// The records directory is configurable (`--dir`, `DEVOPS_PM_DIR`), so it
/// could name anything: keep it a plain relative path of names git accepts.
pub fn check_records_dir(dir: &str) -> Result<String> {
    let trimmed = dir.trim_end_matches('/');
    let problem = if trimmed.is_empty() {
        Some("it is empty".to_string())
    } else if trimmed.starts_with('/') {
        Some("it must be relative to the repository's top".to_string())
    } else {
        trimmed.split('/').find_map(component_problem)
    };
    if let Some(why) = problem {
        return Err(Error::usage(format!(
            "records directory '{}' cannot be used: {why}",
            crate::text::inline(dir)
        ))
        .hint("use a plain relative path such as `--dir postmortems` or `--dir docs/incidents`"));
    }
    Ok(trimmed.to_string())
}

/// Why git (or a sane tree) would refuse this path component, if it would.
fn component_problem(part: &str) -> Option<String> {
    if part.is_empty() || part == "." || part == ".." {
        return Some("it may not contain empty, '.' or '..' parts".into());
    }
    if part.chars().any(|c| c.is_control()) {
        return Some("it contains a control character (a newline, a tab, …)".into());
    }
    if part.contains('\\') {
        return Some("it contains a backslash".into());
    }
    // `.git`, `.gitmodules`, `.gitattributes`, … in any case, and the
    // spellings that filesystems fold into them (git's verify_path):
    // HFS+ ignores some zero-width characters, NTFS drops trailing dots and
    // spaces and knows `git~1` as a short name for `.git`.
    let folded: String = part
        .chars()
        .filter(|c| !is_hfs_ignorable(*c))
        .collect::<String>()
        .trim_end_matches(['.', ' '])
        .to_lowercase();
    if folded.starts_with(".git") || folded.starts_with("git~") {
        return Some(format!(
            "'{part}' is a name git reserves for itself (.git, .gitmodules, .gitattributes, …)"
        ));
    }
    None
}

fn is_hfs_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{200c}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{206a}'..='\u{206f}' | '\u{feff}'
    )
}

/// Makes sure every directory on the way to `rel` (a file path relative
/// to `workdir`) is a real directory inside the work tree, creating the
/// missing ones, and that the file itself is not a symbolic link. A link
/// anywhere on the way could send the write outside the repository.
pub fn prepare_parent(workdir: &Path, rel: &str) -> Result<PathBuf> {
    walk(workdir, rel, true)
}

/// The same checks as [`prepare_parent`], creating nothing.
pub fn check_inside(workdir: &Path, rel: &str) -> Result<()> {
    walk(workdir, rel, false).map(|_| ())
}

fn walk(workdir: &Path, rel: &str, create: bool) -> Result<PathBuf> {
    let mut at = workdir.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    let (file, dirs) = parts.split_last().expect("a path has a file name");
    for part in dirs {
        at.push(part);
        match std::fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_symlink() => return Err(symlink_error(workdir, &at)),
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(Error::new(format!(
                    "{} is a file where a directory is needed",
                    shown(workdir, &at)
                ))
                .nothing_written());
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if !create {
                    // Nothing further down can exist, let alone be a link.
                    return Ok(workdir.join(rel));
                }
                match std::fs::create_dir(&at) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
                    Err(e) => {
                        return Err(Error::new(format!(
                            "cannot create {}: {e}",
                            shown(workdir, &at)
                        )));
                    }
                }
                // Someone may have raced a link into place.
                if std::fs::symlink_metadata(&at).is_ok_and(|m| !m.is_dir()) {
                    return Err(symlink_error(workdir, &at));
                }
            }
            Err(e) => {
                return Err(Error::new(format!(
                    "cannot read {}: {e}",
                    shown(workdir, &at)
                )));
            }
        }
    }
    let target = at.join(file);
    if std::fs::symlink_metadata(&target).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(symlink_error(workdir, &target));
    }
    Ok(target)
}

fn shown(workdir: &Path, p: &Path) -> String {
    p.strip_prefix(workdir).unwrap_or(p).display().to_string()
}

fn symlink_error(workdir: &Path, at: &Path) -> Error {
    let target = std::fs::read_link(at)
        .map(|t| format!(" (-> {})", t.display()))
        .unwrap_or_default();
    Error::new(format!(
        "{} is a symbolic link{target}: records are written only inside the repository",
        shown(workdir, at)
    ))
    .nothing_written()
    .hint("replace the link with a real directory, or pick another records directory with --dir")
}

#[cfg(test)]
mod tests {
    use super::check_records_dir;

    #[test]
    fn records_dir_refuses_what_git_refuses() {
        for ok in ["postmortems", "docs/incidents/", "사후분석", "a b"] {
            assert!(check_records_dir(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "/abs",
            "../up",
            "a/./b",
            ".git",
            ".gitmodules",
            "x/.GITATTRIBUTES",
            ".git.",
            "GIT~1",
            ".g\u{200c}it",
            "a\nb",
            "a\tb",
            "a\\b",
            "a//b",
        ] {
            assert!(check_records_dir(bad).is_err(), "{bad:?} accepted");
        }
    }
}
