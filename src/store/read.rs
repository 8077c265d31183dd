//! Finding and reading records in the work tree.

use super::Store;
use super::record_cache::{self, RecordCache, Stamp};
use crate::error::{Error, Result};
use crate::record::id::check_query;
use crate::record::parse::{Located, parse_record};
use crate::record::{Record, RecordId};
use rayon::prelude::*;

/// A record file's place: its ID and path relative to the work tree.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: RecordId,
    pub path: String,
}

/// A file that is not a readable record, reported and skipped.
#[derive(Debug)]
pub struct Unreadable {
    pub path: String,
    pub problem: Located,
}

/// Every `<dir>/YYYY/MM/<id>.toml`, newest month first. Only directory
/// listings: no file is opened.
pub fn entries(store: &Store) -> Result<Vec<Entry>> {
    let dir = &store.records_dir;
    let out: Vec<Entry> = toml_files(store)?
        .into_iter()
        .filter_map(|path| {
            let rest = path.strip_prefix(dir.as_str())?.strip_prefix('/')?;
            let mut parts = rest.split('/');
            let (Some(year), Some(month), Some(file), None) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return None;
            };
            let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
            if !digits(year) || !digits(month) {
                return None;
            }
            let id = RecordId::parse(file.strip_suffix(".toml")?)?;
            Some(Entry { id, path })
        })
        .collect();
    // Newest month first; within a month, by ID. The files come sorted
    // by path, so each month is already a run in ID order: the runs are
    // put in reverse (no comparison sort over 100k paths).
    fn month(p: &str) -> &str {
        p.rsplit_once('/').map_or("", |(d, _)| d)
    }
    let mut runs: Vec<Vec<Entry>> = Vec::new();
    for e in out {
        match runs.last_mut() {
            Some(run) if month(&run[0].path) == month(&e.path) => run.push(e),
            _ => runs.push(vec![e]),
        }
    }
    let out: Vec<Entry> = runs.into_iter().rev().flatten().collect();
    Ok(out)
}

/// Every `.toml` file under the records directory (the one walk of it),
/// except the config and the templates: records, and files `check` must
/// tell about (misplaced, misnamed). Symbolic links are not followed.
pub fn toml_files(store: &Store) -> Result<Vec<String>> {
    super::paths::check_inside(&store.workdir, &format!("{}/-", store.records_dir))?;
    store.ensure_records_checked_out()?;
    let mut out = walk(&store.abs(&store.records_dir), &store.records_dir)?;
    let config = format!("{}/config.toml", store.records_dir);
    let templates = format!("{}/templates/", store.records_dir);
    out.retain(|p| *p != config && !p.starts_with(&templates));
    Ok(out)
}

/// The `.toml` files under `dir`, sorted by path; its folders (years,
/// months) are read and sorted in parallel, each on its own.
fn walk(dir: &std::path::Path, rel: &str) -> Result<Vec<String>> {
    let listing = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::new(format!("cannot read {}: {e}", dir.display()))),
    };
    let mut files = Vec::new();
    let mut folders = Vec::new();
    for e in listing.flatten() {
        let Some(name) = e.file_name().to_str().map(str::to_string) else {
            continue;
        };
        match e.file_type() {
            Ok(t) if t.is_dir() => folders.push((e.path(), format!("{rel}/{name}"))),
            Ok(t) if t.is_file() && name.ends_with(".toml") => files.push(format!("{rel}/{name}")),
            _ => {}
        }
    }
    // Sorted as one list of paths would be: a file goes before a
    // subfolder's files when its path is smaller than `subfolder/`
    // (`2024.toml` < `2024/…`, as `.` < `/`).
    files.sort_unstable();
    folders.sort_unstable_by(|a, b| a.1.cmp(&b.1));
    let nested: Vec<Vec<String>> = folders
        .par_iter()
        .map(|(path, rel)| walk(path, rel))
        .collect::<Result<_>>()?;
    let mut all = Vec::with_capacity(files.len() + nested.iter().map(Vec::len).sum::<usize>());
    let mut files = files.into_iter().peekable();
    for ((_, folder), inside) in folders.iter().zip(nested) {
        // Files of this folder that sort before the subfolder's files.
        let inside_prefix = format!("{folder}/");
        while let Some(f) = files.next_if(|f| f.as_str() < inside_prefix.as_str()) {
            all.push(f);
        }
        all.extend(inside);
    }
    all.extend(files);
    Ok(all)
}

/// The one record a typed ID or prefix names.
pub fn find(store: &Store, query: &str) -> Result<Entry> {
    let q = check_query(query)?;
    // A full ID needs no listing.
    if let Some(id) = RecordId::parse(q) {
        let path = store.record_path(&id);
        if store.abs(&path).exists() {
            return Ok(Entry { id, path });
        }
    }
    let matches: Vec<Entry> = entries(store)?
        .into_iter()
        .filter(|e| e.id.matches(q))
        .collect();
    if matches.len() == 1 {
        return Ok(matches.into_iter().next().expect("one"));
    }
    let ids: Vec<&str> = matches.iter().map(|e| e.id.as_str()).collect();
    Err(crate::record::id::unmatched(q, &ids, None))
}

pub fn read_text(store: &Store, path: &str) -> Result<String> {
    std::fs::read_to_string(store.abs(path))
        .map_err(|e| Error::new(format!("cannot read {path}: {e}")))
}

pub fn load(store: &Store, entry: &Entry) -> Result<Record> {
    let text = read_text(store, &entry.path)?;
    parse_record(&text).map_err(|e| {
        Error::new(e.in_file(&entry.path)).hint(format!(
            "fix the file, e.g. with `devops postmortem edit {}`",
            entry.id
        ))
    })
}

/// Lets go of records at the end of a read command without freeing them
/// one by one: the process exits next, and freeing 100k records (a
/// million small allocations) costs 40 ms that nobody waits for.
pub fn leave(records: Vec<Record>) {
    std::mem::forget(records);
}

/// The same, for a command whose output borrows from the records to the
/// end: they live until the process exits.
pub fn kept_to_exit(records: Vec<Record>) -> &'static [Record] {
    records.leak()
}

/// How much of each record a command needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Detail {
    Full,
    /// Without the analysis prose, summary and timeline: enough for tables
    /// and figures, at a fraction of the memory over 100k records.
    Slim,
}

/// Reads every record in parallel, through the record cache (see
/// `store::record_cache`). Files that do not parse are returned separately
/// so one bad file never hides the others.
pub fn load_all(store: &Store, detail: Detail) -> Result<(Vec<Record>, Vec<Unreadable>)> {
    let entries = entries(store)?;
    crate::trace::mark("listed record files");
    let slim = detail == Detail::Slim;
    let cache_path = record_cache::path(&store.repo, slim);
    let cache = RecordCache::open(&cache_path, &store.records_dir, slim);
    crate::trace::mark("record cache opened");
    // The repository handle is not Sync; the threads need only the path.
    let workdir = &store.workdir;
    let folders = Folders::open(workdir, &entries);
    // Each record is a few hundred bytes and there may be 100k: they are
    // made once, in `found`, and never copied into another buffer; what is
    // known about each file travels beside them in `meta`.
    let (meta, found): (Vec<Meta>, Vec<Option<Record>>) = entries
        .par_iter()
        .enumerate()
        .map(|(i, e)| {
            let unreadable = |message: String| Unreadable {
                path: e.path.clone(),
                problem: Located {
                    line: 1,
                    col: 1,
                    message,
                },
            };
            let abs = workdir.join(&e.path);
            // Stat before reading: a change after this stamp makes the entry
            // stale next time rather than wrong.
            let stat = folders
                .stat(i, &e.path)
                .unwrap_or_else(|| std::fs::symlink_metadata(&abs).map(|m| Stamp::of(&m)));
            let stamp = match stat {
                Ok(stamp) => stamp,
                Err(err) => return ((None, Loaded::Bad(unreadable(err.to_string()))), None),
            };
            // A copy under another record's name would count twice.
            let misnamed = |r: &Record| {
                (r.id != e.id.as_str()).then(|| {
                    unreadable(format!(
                        "id = \"{}\" does not match the file name (`devops postmortem check` says more)",
                        crate::text::inline(&r.id)
                    ))
                })
            };
            if let Some(r) = cache.get(&e.path, stamp) {
                if let Some(bad) = misnamed(&r) {
                    return ((Some(stamp), Loaded::Bad(bad)), None);
                }
                return ((Some(stamp), Loaded::Cached), Some(r));
            }
            match std::fs::read_to_string(&abs) {
                Ok(text) => match parse_record(&text) {
                    Ok(mut r) => {
                        if let Some(bad) = misnamed(&r) {
                            return ((Some(stamp), Loaded::Bad(bad)), None);
                        }
                        if slim {
                            r.slim();
                        }
                        ((Some(stamp), Loaded::Parsed), Some(r))
                    }
                    Err(problem) => (
                        (
                            Some(stamp),
                            Loaded::Bad(Unreadable {
                                path: e.path.clone(),
                                problem,
                            }),
                        ),
                        None,
                    ),
                },
                Err(err) => (
                    (Some(stamp), Loaded::Bad(unreadable(err.to_string()))),
                    None,
                ),
            }
        })
        .unzip();
    crate::trace::mark("records loaded");

    // Rewrite the cache only when that changes it: a newly parsed file old
    // enough to cache, or entries that are gone or stale. Files changed a
    // moment ago are never cached, so they alone never cause a rewrite.
    let hits = meta
        .iter()
        .filter(|(_, l)| matches!(l, Loaded::Cached))
        .count();
    let newly_cacheable = meta
        .iter()
        .any(|(stamp, l)| matches!(l, Loaded::Parsed) && stamp.is_some_and(|s| s.settled()));
    if newly_cacheable || cache.len() > hits {
        let fresh: Vec<record_cache::Fresh<'_>> = entries
            .iter()
            .zip(&meta)
            .zip(&found)
            .filter_map(|((e, (stamp, loaded)), record)| {
                let parsed = match loaded {
                    Loaded::Parsed => record.as_ref(),
                    Loaded::Cached => None,
                    Loaded::Bad(_) => return None,
                };
                Some(record_cache::Fresh {
                    path: &e.path,
                    stamp: (*stamp)?,
                    parsed,
                })
            })
            .collect();
        // A cache that cannot be written only costs speed next time.
        let _ = record_cache::write(&cache_path, &store.records_dir, slim, &cache, &fresh);
        crate::trace::mark("record cache written");
    }
    drop(cache);
    crate::trace::mark("cache dropped");

    let bad = meta
        .into_iter()
        .filter_map(|(_, l)| match l {
            Loaded::Bad(u) => Some(u),
            _ => None,
        })
        .collect();
    // In place: `Option<Record>` is the size of a `Record`, and std
    // collects a `filter_map` into the same buffer (`flatten` it does not).
    #[allow(clippy::filter_map_identity)]
    let records: Vec<Record> = found.into_iter().filter_map(|r| r).collect();
    crate::trace::mark("records collected");
    Ok((records, bad))
}

/// The record folders, open: a file is then looked up by name in its
/// folder (`fstatat`), not by walking its whole path again, which over
/// 100k files is most of a warm read.
struct Folders {
    open: Vec<Option<std::fs::File>>,
    /// For each entry, its folder's place in `open`.
    of_entry: Vec<usize>,
}

impl Folders {
    fn open(workdir: &std::path::Path, entries: &[Entry]) -> Folders {
        let mut open = Vec::new();
        let mut of_entry = Vec::with_capacity(entries.len());
        let mut last: Option<&str> = None;
        for e in entries {
            let folder = e.path.rsplit_once('/').map_or("", |(d, _)| d);
            if last != Some(folder) {
                open.push(std::fs::File::open(workdir.join(folder)).ok());
                last = Some(folder);
            }
            of_entry.push(open.len() - 1);
        }
        Folders { open, of_entry }
    }

    /// The stamp of entry `i`; `None` when its folder could not be opened
    /// (the caller then stats the whole path).
    fn stat(&self, i: usize, path: &str) -> Option<std::io::Result<Stamp>> {
        use std::os::fd::AsRawFd;
        let folder = self.open.get(*self.of_entry.get(i)?)?.as_ref()?;
        let name = path.rsplit_once('/').map_or(path, |(_, n)| n);
        let Ok(name) = std::ffi::CString::new(name) else {
            return Some(Err(std::io::Error::from(std::io::ErrorKind::InvalidInput)));
        };
        let mut st = std::mem::MaybeUninit::<libc::stat>::uninit();
        // SAFETY: a valid directory descriptor, a NUL-terminated name, and
        // an out-pointer to a stat buffer; the result is read only on success.
        let r = unsafe {
            libc::fstatat(
                folder.as_raw_fd(),
                name.as_ptr(),
                st.as_mut_ptr(),
                libc::AT_SYMLINK_NOFOLLOW,
            )
        };
        if r != 0 {
            return Some(Err(std::io::Error::last_os_error()));
        }
        // SAFETY: fstatat succeeded, so it filled the buffer.
        let st = unsafe { st.assume_init() };
        Some(Ok(Stamp::of_stat(&st)))
    }
}

/// A file's stamp (when it could be read) and where its record came from.
type Meta = (Option<Stamp>, Loaded);

/// Where a record came from, or why there is none.
enum Loaded {
    Cached,
    Parsed,
    Bad(Unreadable),
}

/// The file as committed in HEAD.
pub fn head_text(store: &Store, path: &str) -> Result<String> {
    let tree = store.repo.head()?.peel_to_tree()?;
    let entry = tree
        .get_path(std::path::Path::new(path))
        .map_err(|_| Error::new(format!("{path} is not committed yet: commit it first")))?;
    let blob = store.repo.find_blob(entry.id())?;
    String::from_utf8(blob.content().to_vec())
        .map_err(|_| Error::new(format!("{path} is not UTF-8 text")))
}
