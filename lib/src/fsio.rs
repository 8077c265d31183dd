//! The one way this tool writes a file: records, reports, exports and the
//! caches in `.git/` all go through [`atomic_write`].
//!
//! A reader (or a crash) sees the old file or the new one, never half of
//! one: the bytes go to a temporary file beside the target, then a rename
//! puts it in place. Permissions are what git would give: an existing file
//! keeps its mode, a new one gets `0666 & ~umask`.

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// How careful to be about power loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// fsync the file before the rename: records and the journal, whose
    /// loss would be noticed.
    Synced,
    /// No fsync: caches (rebuilt when lost) and reports (regenerated).
    Cached,
}

/// Where the temporary file goes.
#[derive(Debug, Clone)]
pub enum Temp {
    /// A fresh random name beside the target.
    Random,
    /// This exact path (beside the target), truncated if present: for
    /// writes under the repository lock, so that a crash leaves a file
    /// whose name the next run knows and removes.
    Named(PathBuf),
}

/// Replaces `path` with `bytes`.
pub fn atomic_write(
    path: &Path,
    bytes: &[u8],
    durability: Durability,
    temp: Temp,
) -> std::io::Result<()> {
    atomic_write_parts(path, &[bytes], durability, temp)
}

/// Replaces `path` with the concatenation of `parts`, without making it
/// in memory first (a record cache is tens of MB in 100k parts).
pub fn atomic_write_parts(
    path: &Path,
    parts: &[&[u8]],
    durability: Durability,
    temp: Temp,
) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // An existing file keeps its permission bits (a committed exec bit,
    // a team's group-writable files); a new one gets 0666 & ~umask, the
    // mode git gives the files it checks out.
    let existing_mode = match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_file() => Some(m.permissions().mode() & 0o7777),
        _ => None,
    };
    let (file, tmp_path) = match temp {
        Temp::Random => {
            let tmp = tempfile::Builder::new()
                .prefix(".devops-pm-")
                .suffix(".tmp")
                .permissions(std::fs::Permissions::from_mode(0o666))
                .tempfile_in(dir)?;
            let (file, tmp_path) = tmp.keep().map_err(|e| e.error)?;
            (file, tmp_path)
        }
        Temp::Named(tmp_path) => {
            let _ = std::fs::remove_file(&tmp_path);
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp_path)?;
            (file, tmp_path)
        }
    };
    let result = (|| {
        if let Some(mode) = existing_mode {
            file.set_permissions(std::fs::Permissions::from_mode(mode))?;
        }
        let mut out = std::io::BufWriter::with_capacity(1 << 20, &file);
        for part in parts {
            out.write_all(part)?;
        }
        out.flush()?;
        drop(out);
        if durability == Durability::Synced {
            file.sync_all()?;
        }
        drop(file);
        std::fs::rename(&tmp_path, path)?;
        if durability == Durability::Synced {
            // The rename itself is durable once the directory is synced.
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp_path);
    }
    result
}

/// The temporary name used for `path` by writes under the repository lock.
pub fn named_temp(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.devops-pm.tmp"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::OpenOptionsExt;

    #[test]
    fn new_files_follow_the_umask_and_existing_ones_keep_their_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.toml");
        atomic_write(&path, b"one", Durability::Cached, Temp::Random).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        // What the process's umask makes of 0666, seen on a file made the
        // plain way.
        let probe = dir.path().join("probe");
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o666)
            .open(&probe)
            .unwrap();
        let expected = std::fs::metadata(&probe).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, expected);

        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o751)).unwrap();
        atomic_write(
            &path,
            b"two",
            Durability::Synced,
            Temp::Named(named_temp(&path)),
        )
        .unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o751);
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert!(!named_temp(&path).exists());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
    }
}
