//! Finding and reading records on the records branch: its tree, never the
//! work tree.

use super::Store;
use super::record_cache::{self, Cached, MonthOut, RecordCache};
use super::tree::{self, Month, Stray};
use crate::error::{Command, Error, Result};
use crate::record::id::check_query;
use crate::record::parse::{Located, parse_record};
use crate::record::{Record, RecordId};
use git2::Oid;
use rayon::prelude::*;

/// A record file's place: its ID and path in the records branch's tree.
#[derive(Debug, Clone)]
pub struct Entry {
    pub id: RecordId,
    pub path: String,
}

/// A file that is not a readable record, reported and skipped.
#[derive(Debug, Clone)]
pub struct Unreadable {
    pub path: String,
    pub problem: Located,
}

impl Unreadable {
    fn new(path: String, message: impl Into<String>) -> Unreadable {
        Unreadable {
            path,
            problem: Located {
                line: 1,
                col: 1,
                message: message.into(),
            },
        }
    }

    pub(crate) fn stray(records_dir: &str, s: Stray) -> Unreadable {
        Unreadable::new(format!("{records_dir}/{}", s.path), s.why)
    }
}

/// Every `<dir>/YYYY/MM/<id>.toml` on the records branch, newest month
/// first, by ID within a month. Only trees are read.
pub fn entries(store: &Store) -> Result<Vec<Entry>> {
    Ok(files(store)?
        .into_iter()
        .map(|(path, f)| Entry { path, id: f.id })
        .collect())
}

/// Every record file on the records branch with its blob, in the order of
/// [`entries`].
pub fn record_blobs(store: &Store) -> Result<Vec<(String, Oid)>> {
    Ok(files(store)?
        .into_iter()
        .map(|(path, f)| (path, f.blob))
        .collect())
}

/// A record file's path with its tree entry.
pub(crate) type PathFile = (String, tree::File);

/// Each record file's path with its tree entry, newest month first.
pub(crate) fn files(store: &Store) -> Result<Vec<PathFile>> {
    Ok(listing(store)?.0)
}

/// [`files`], and what else the records directory holds (relative to it).
fn listing(store: &Store) -> Result<(Vec<PathFile>, Vec<Stray>)> {
    let Some(dir) = store.snapshot()?.dir else {
        return Ok(Default::default());
    };
    let (months, mut strays) = tree::months(&store.repo, dir)?;
    let mut out = Vec::new();
    for m in &months {
        let (files, more) = tree::files(&store.repo, m)?;
        strays.extend(more);
        out.extend(files.into_iter().map(|f| {
            let path = format!("{}/{}/{}.toml", store.records_dir, m.dir, f.id);
            (path, f)
        }));
    }
    Ok((out, strays))
}

/// Calls `f` with each file's path and bytes, in parallel (a repository
/// handle per thread: libgit2's are not shared), keeping what it returns,
/// in order. A blob that cannot be read is an error.
pub fn blobs<T: Send>(
    store: &Store,
    files: &[(String, Oid)],
    f: impl Fn(&str, &[u8]) -> Option<T> + Sync,
) -> Result<Vec<(String, T)>> {
    let git_dir = store.repo.path().to_path_buf();
    let read: Vec<Result<Option<(String, T)>>> = files
        .par_iter()
        .map_init(
            || git2::Repository::open(&git_dir),
            |repo, (path, blob)| {
                let repo = repo.as_ref().map_err(|e| {
                    Error::new(format!("cannot open the repository: {}", e.message()))
                })?;
                let b = repo
                    .find_blob(*blob)
                    .map_err(|e| Error::new(format!("cannot read {path}: {}", e.message())))?;
                Ok(f(path, b.content()).map(|t| (path.clone(), t)))
            },
        )
        .collect();
    read.into_iter().filter_map(Result::transpose).collect()
}

/// The records in these files (path, blob), decoded from the slim record
/// cache where it has the blob (cheap), else read and parsed; a file that
/// is not a readable record is left out. For a few thousand records out
/// of many, without loading them all.
pub fn some_records(store: &Store, files: &[(String, Oid)]) -> Result<Vec<Record>> {
    let cache = RecordCache::open(
        &record_cache::path(&store.repo, true),
        &store.records_dir,
        true,
    );
    let mut records = Vec::with_capacity(files.len());
    let mut missed = Vec::new();
    for (path, blob) in files {
        let decoded = cache.by_blob(*blob).and_then(record_cache::decode_record);
        match decoded {
            Some(r) => records.push(r),
            None => missed.push((path.clone(), *blob)),
        }
    }
    let parsed = blobs(store, &missed, |_, bytes| {
        parse_record(std::str::from_utf8(bytes).ok()?).ok()
    })?;
    records.extend(parsed.into_iter().map(|(_, r)| r));
    Ok(records)
}

/// The record files (path, blob) whose bytes pass `test`: the slim
/// cache's encoding where it has the blob, else the file's text (`test`
/// must hold for both). It reads the cache and never rewrites it: `sync`
/// asks this after a merge, when refreshing the cache for 100k records
/// would cost more than the question.
pub fn files_passing(store: &Store, test: &BytesTest<'_>) -> Result<Vec<(String, Oid)>> {
    let Some(dir) = store.snapshot()?.dir else {
        return Ok(Vec::new());
    };
    let cache = RecordCache::open(
        &record_cache::path(&store.repo, true),
        &store.records_dir,
        true,
    );
    let (months, _) = tree::months(&store.repo, dir)?;
    let mut found = Vec::new();
    let mut unseen = Vec::new();
    for m in &months {
        let files: Vec<(String, Oid, Option<&[u8]>)> = match cache.month(m) {
            Some(cached) => cached
                .iter()
                .map(|c| (c.name.to_string(), c.blob, Some(c.data)))
                .collect(),
            None => tree::files(&store.repo, m)?
                .0
                .into_iter()
                .map(|f| (format!("{}.toml", f.id), f.blob, cache.by_blob(f.blob)))
                .collect(),
        };
        for (name, blob, bytes) in files {
            let path = format!("{}/{}/{name}", store.records_dir, m.dir);
            match bytes {
                Some(b) if test(b) => found.push((path, blob)),
                Some(_) => {}
                None => unseen.push((path, blob)),
            }
        }
    }
    let read = blobs(store, &unseen, |_, bytes| test(bytes).then_some(()))?;
    let passed: std::collections::HashSet<String> = read.into_iter().map(|(p, ())| p).collect();
    found.extend(unseen.into_iter().filter(|(p, _)| passed.contains(p)));
    Ok(found)
}

/// The one record a typed ID or prefix names.
pub fn find(store: &Store, query: &str) -> Result<Entry> {
    let q = check_query(query)?;
    // A full ID needs no listing.
    if let Some(id) = RecordId::parse(q) {
        let path = store.record_path(&id);
        if blob_at(store, &path)?.is_some() {
            return Ok(Entry { id, path });
        }
    }
    let (files, strays) = listing(store)?;
    let matches: Vec<Entry> = files
        .into_iter()
        .filter(|(_, f)| f.id.matches(q))
        .map(|(path, f)| Entry { path, id: f.id })
        .collect();
    if matches.len() == 1 {
        return Ok(matches.into_iter().next().expect("one"));
    }
    let ids: Vec<&str> = matches.iter().map(|e| e.id.as_str()).collect();
    let e = crate::record::id::unmatched(q, &ids, None);
    // A file named as the record but not one (a link, a folder) is why
    // nothing matched: say so rather than "no post-mortem".
    match strays.iter().find(|s| ids.is_empty() && named_as(s, q)) {
        Some(s) => Err(Error::new(format!(
            "{}: {}/{} {}",
            e.message,
            store.records_dir,
            crate::text::inline(&s.path),
            s.why
        ))),
        None => Err(e),
    }
}

/// Whether a stray's file name is an ID that `q` would match.
fn named_as(s: &Stray, q: &str) -> bool {
    let name = s.path.rsplit('/').next().unwrap_or(&s.path);
    let stem = name
        .strip_suffix(".toml")
        .unwrap_or(name)
        .to_ascii_lowercase();
    let q = q.to_ascii_lowercase();
    stem.starts_with("pm-")
        && (stem.starts_with(&q) || stem.rsplit('-').next().is_some_and(|r| r.starts_with(&q)))
}

/// The blob at `path` on the records branch, if there is a file there.
fn blob_at(store: &Store, path: &str) -> Result<Option<Oid>> {
    let Some(root) = store.snapshot()?.root else {
        return Ok(None);
    };
    match store
        .repo
        .find_tree(root)?
        .get_path(std::path::Path::new(path))
    {
        // A link or submodule under a record's name is not the record.
        Ok(e) if tree::kind_of(&e) == tree::Kind::File => Ok(Some(e.id())),
        Ok(_) => Ok(None),
        Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// A file's text on the records branch.
pub fn read_text(store: &Store, path: &str) -> Result<String> {
    store
        .text(path)?
        .ok_or_else(|| Error::new(format!("{path} is not on {}", store.location.describe())))
}

pub fn load(store: &Store, entry: &Entry) -> Result<Record> {
    let text = read_text(store, &entry.path)?;
    parse_record(&text).map_err(|e| {
        Error::new(e.in_file(&entry.path)).hint_run(
            "fix the file",
            Command::postmortem(["edit", entry.id.as_str()]),
        )
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

/// One record file to load: where it is and where its record comes from.
struct Item<'a> {
    month: usize,
    name: String,
    blob: Oid,
    /// Its encoding, when the cache has this blob.
    cached: Option<&'a [u8]>,
}

/// What loading one item gave.
struct Loaded {
    /// `None` exactly when `bad` says why.
    record: Option<Record>,
    /// A fresh encoding for the cache (parsed this time).
    encoded: Option<Vec<u8>>,
    bad: Option<Unreadable>,
}

/// Reads every record on the records branch, through the record cache
/// (see `store::record_cache`): unchanged month folders and blobs come
/// from it, the rest is read from git and parsed in parallel. Files that
/// are not readable records are returned separately so one bad file never
/// hides the others.
pub fn load_all(store: &Store, detail: Detail) -> Result<(Vec<Record>, Vec<Unreadable>)> {
    let m = load_matching(store, detail, &|_| true)?;
    Ok((m.records, m.unreadable))
}

/// What [`load_matching`] gives: the records wanted, the files that are
/// not readable records, and the short form of every record's ID (all of
/// them, wanted or not: a search shows a few, unique among all).
pub type Matched = Mapped<Record>;

/// What [`load_mapped`] gives: what the wanted records became, the files
/// that are not readable records, and the short form of every ID.
pub struct Mapped<T> {
    pub records: Vec<T>,
    pub unreadable: Vec<Unreadable>,
    pub ids: crate::record::id::ShortIds,
}

/// A test of a record's cached encoding (postcard: every string stored
/// verbatim, so a word in any field is found in those bytes).
pub type BytesTest<'a> = dyn Fn(&[u8]) -> bool + Sync + 'a;

/// What a read makes of each wanted record, on the thread that decoded
/// it; `None` drops it.
pub type RecordMap<'a, T> = dyn Fn(Record) -> Option<T> + Sync + 'a;

/// [`load_all`], keeping only the records whose encoding passes `wanted`:
/// the others are never decoded, so a search over 100k records decodes
/// only the few that can hold its words.
pub fn load_matching(store: &Store, detail: Detail, wanted: &BytesTest<'_>) -> Result<Matched> {
    load_mapped(store, detail, wanted, &Some)
}

/// [`load_matching`], handing each record to `map` as soon as it is
/// decoded: a read that needs a little of each record (a search's hits)
/// never holds 100k whole records at once.
pub fn load_mapped<T: Send>(
    store: &Store,
    detail: Detail,
    wanted: &BytesTest<'_>,
    map: &RecordMap<'_, T>,
) -> Result<Mapped<T>> {
    let Some(dir) = store.snapshot()?.dir else {
        return Ok(Mapped {
            records: Vec::new(),
            unreadable: Vec::new(),
            ids: Default::default(),
        });
    };
    let slim = detail == Detail::Slim;
    let cache_path = record_cache::path(&store.repo, slim);
    let cache = RecordCache::open(&cache_path, &store.records_dir, slim);
    crate::trace::mark("record cache opened");
    if cache.is_of(dir) {
        let ids = short_ids(cache.all().map(|c| c.name));
        let (records, unreadable) = from_cache(store, &cache, wanted, map);
        return Ok(Mapped {
            records,
            unreadable,
            ids,
        });
    }
    let (months, strays) = tree::months(&store.repo, dir)?;
    let mut bad: Vec<Unreadable> = strays
        .into_iter()
        .map(|s| Unreadable::stray(&store.records_dir, s))
        .collect();
    let items = items(store, &cache, &months, &mut bad)?;
    crate::trace::mark("listed record files");
    let loaded = load_items(store, &months, &items, slim, wanted);
    crate::trace::mark("records loaded");

    let mut out = MonthOuts::new(&months);
    for (item, l) in items.iter().zip(&loaded) {
        let bytes = l.encoded.as_deref().or(item.cached);
        if let (Some(bytes), None) = (bytes, &l.bad) {
            out.push(item.month, &item.name, item.blob, bytes);
        }
    }
    let mut all_bad = bad.clone();
    all_bad.extend(loaded.iter().filter_map(|l| l.bad.clone()));
    // Problems are remembered with the rest: the same tree has the same ones.
    let _ = record_cache::write(
        &cache_path,
        &store.records_dir,
        slim,
        dir,
        &out.months,
        &as_strays(&all_bad),
    );
    drop(out);
    crate::trace::mark("record cache written");
    let records = items
        .par_iter()
        .zip(loaded)
        .filter(|(item, l)| l.encoded.as_deref().or(item.cached).is_some_and(wanted))
        .filter_map(|(_, l)| l.record.and_then(map))
        .collect();
    Ok(Mapped {
        records,
        unreadable: all_bad,
        ids: short_ids(items.iter().map(|i| i.name.as_str())),
    })
}

/// The short IDs of record files named `<id>.toml`.
fn short_ids<'a>(names: impl Iterator<Item = &'a str>) -> crate::record::id::ShortIds {
    crate::record::id::ShortIds::of(names.filter_map(|n| n.strip_suffix(".toml")))
}

/// The problems found, as the cache keeps them (`line:col:message`).
fn as_strays(bad: &[Unreadable]) -> Vec<Stray> {
    bad.iter()
        .map(|u| Stray {
            path: u.path.clone(),
            why: format!("{}:{}:{}", u.problem.line, u.problem.col, u.problem.message),
        })
        .collect()
}

/// How many cached records are decoded before their cache pages are let
/// go of: a few MB of the cache at a time.
const DECODE_RUN: usize = 8192;

/// The answer when the records tree is exactly the one cached. Records
/// are decoded straight into the vector returned (`Option<Record>` has
/// `Record`'s size, so dropping the damaged ones reuses the allocation):
/// at 100k records every extra copy is tens of MB of fresh pages.
fn from_cache<T: Send>(
    store: &Store,
    cache: &RecordCache,
    wanted: &BytesTest<'_>,
    map: &RecordMap<'_, T>,
) -> (Vec<T>, Vec<Unreadable>) {
    let cached: Vec<Cached<'_>> = cache.all().collect();
    let records_dir = store.records_dir.as_str();
    let damaged = std::sync::Mutex::new(Vec::new());
    let mut decoded: Vec<Option<T>> = Vec::with_capacity(cached.len());
    // In runs, each let go of once decoded: the cache's pages and the
    // records made from them are not all in memory at once.
    for run in cached.chunks(DECODE_RUN) {
        decoded.par_extend(run.par_iter().map(|c| {
            if !wanted(c.data) {
                return None;
            }
            decode_cached(records_dir, c)
                .map_err(|u| damaged.lock().unwrap_or_else(|e| e.into_inner()).push(u))
                .ok()
                .and_then(map)
        }));
        cache.let_go(run);
    }
    crate::trace::mark("records decoded");
    #[allow(clippy::filter_map_identity)] // FilterMap collects in place; Flatten copies
    let records: Vec<T> = decoded.into_iter().filter_map(|r| r).collect();
    let mut bad: Vec<Unreadable> = cache.strays().iter().map(from_stray).collect();
    let mut damaged = damaged.into_inner().unwrap_or_else(|e| e.into_inner());
    damaged.sort_by(|a, b| a.path.cmp(&b.path));
    bad.extend(damaged);
    (records, bad)
}

fn decode_cached(records_dir: &str, c: &Cached<'_>) -> std::result::Result<Record, Unreadable> {
    let path = || format!("{records_dir}/{}/{}", c.month, c.name);
    let record = record_cache::decode_record(c.data)
        .ok_or_else(|| Unreadable::new(path(), "cache entry damaged"))?;
    match misnamed(&record, c.name) {
        Some(why) => Err(Unreadable::new(path(), why)),
        None => Ok(record),
    }
}

/// A problem as the cache keeps it (`line:col:message`), back as it was.
fn from_stray(s: &Stray) -> Unreadable {
    let mut parts = s.why.splitn(3, ':');
    let (line, col, message) = (parts.next(), parts.next(), parts.next());
    match (
        line.and_then(|l| l.parse().ok()),
        col.and_then(|c| c.parse().ok()),
        message,
    ) {
        (Some(line), Some(col), Some(message)) => Unreadable {
            path: s.path.clone(),
            problem: Located {
                line,
                col,
                message: message.to_string(),
            },
        },
        _ => Unreadable::new(s.path.clone(), s.why.clone()),
    }
}

/// A copy under another record's name would count twice.
fn misnamed(r: &Record, file_name: &str) -> Option<String> {
    let stem = file_name.strip_suffix(".toml").unwrap_or(file_name);
    (r.id != stem).then(|| {
        format!(
            "id = \"{}\" does not match the file name (`devops postmortem check` says more)",
            crate::text::inline(&r.id)
        )
    })
}

/// The files to load, each with its cached encoding where there is one:
/// a month folder whose tree the cache saw is not even listed.
fn items<'c>(
    store: &Store,
    cache: &'c RecordCache,
    months: &[Month],
    bad: &mut Vec<Unreadable>,
) -> Result<Vec<Item<'c>>> {
    let mut items = Vec::new();
    for (i, m) in months.iter().enumerate() {
        if let Some(cached) = cache.month(m) {
            let inside = format!("{}/{}/", store.records_dir, m.dir);
            bad.extend(
                cache
                    .strays()
                    .iter()
                    .filter(|s| s.path.starts_with(&inside))
                    .map(from_stray),
            );
            items.extend(cached.into_iter().map(|c| Item {
                month: i,
                name: c.name.to_string(),
                blob: c.blob,
                cached: Some(c.data),
            }));
            continue;
        }
        let (files, strays) = tree::files(&store.repo, m)?;
        bad.extend(
            strays
                .into_iter()
                .map(|s| Unreadable::stray(&store.records_dir, s)),
        );
        items.extend(files.into_iter().map(|f| Item {
            month: i,
            name: format!("{}.toml", f.id),
            blob: f.blob,
            cached: cache.by_blob(f.blob),
        }));
    }
    Ok(items)
}

/// Decodes the cached items and reads and parses the others, in parallel
/// (one repository handle per thread: libgit2's are not shared).
fn load_items(
    store: &Store,
    months: &[Month],
    items: &[Item<'_>],
    slim: bool,
    wanted: &BytesTest<'_>,
) -> Vec<Loaded> {
    let git_dir = store.repo.path().to_path_buf();
    let records_dir = store.records_dir.as_str();
    items
        .par_iter()
        .map_init(
            || git2::Repository::open(&git_dir).ok(),
            |repo, item| {
                if item.cached.is_some_and(|bytes| !wanted(bytes)) {
                    // Kept in the cache as it is; not decoded.
                    return Loaded {
                        record: None,
                        encoded: None,
                        bad: None,
                    };
                }
                let path = format!("{records_dir}/{}/{}", months[item.month].dir, item.name);
                load_item(repo.as_ref(), item, path, slim)
            },
        )
        .collect()
}

fn load_item(repo: Option<&git2::Repository>, item: &Item<'_>, path: String, slim: bool) -> Loaded {
    let fail = |why: Unreadable| Loaded {
        record: None,
        encoded: None,
        bad: Some(why),
    };
    let (record, encoded) = match item.cached.and_then(record_cache::decode_record) {
        Some(r) => (r, None),
        _ => {
            let Some(repo) = repo else {
                return fail(Unreadable::new(path, "cannot open the repository"));
            };
            let text = match repo.find_blob(item.blob) {
                Ok(b) => String::from_utf8_lossy(b.content()).into_owned(),
                Err(e) => return fail(Unreadable::new(path, e.message().to_string())),
            };
            match parse_record(&text) {
                Ok(mut r) => {
                    if slim {
                        r.slim();
                    }
                    let encoded = record_cache::encode_record(&r);
                    (r, encoded)
                }
                Err(problem) => return fail(Unreadable { path, problem }),
            }
        }
    };
    match misnamed(&record, &item.name) {
        Some(why) => Loaded {
            record: None,
            encoded,
            bad: Some(Unreadable::new(path, why)),
        },
        None => Loaded {
            record: Some(record),
            encoded,
            bad: None,
        },
    }
}

/// The cache's months as they will be written.
struct MonthOuts<'a> {
    months: Vec<MonthOut<'a>>,
}

impl<'a> MonthOuts<'a> {
    fn new(months: &'a [Month]) -> MonthOuts<'a> {
        MonthOuts {
            months: months
                .iter()
                .map(|m| MonthOut {
                    dir: &m.dir,
                    tree: m.tree,
                    entries: Vec::new(),
                })
                .collect(),
        }
    }

    fn push(&mut self, month: usize, name: &'a str, blob: Oid, bytes: &'a [u8]) {
        self.months[month].entries.push((name, blob, bytes));
    }
}
