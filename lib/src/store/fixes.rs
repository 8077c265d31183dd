//! Finding fix trailers in commit messages (`Fixes-Postmortem: ID#N`, with
//! the ID in any form the commands take, and `Fixes: PM-…#N`), and what
//! they name: open items to close, or nothing (an unknown or ambiguous
//! ID, an item the record lacks), which is said rather than skipped.
//!
//! Reading every commit message back to the oldest open action item costs
//! a second on a history of 100k commits, every `triage`. The facts found
//! are about immutable commits, so they are kept in `.git/`: the tip that
//! was scanned, how far back (a time), and the trailers found as written
//! with their commits' times, in the order found; what they name is
//! resolved after, against the records of the moment. When the team's branch is still that tip (most
//! runs), the answer comes from the file alone, without loading the
//! history; otherwise the next scan skips every commit that tip reaches
//! and reads only the new ones. Delete the file at any time.

use super::Store;
use super::cache_file;
use super::graph::{self, SKEW_SECONDS};
use super::trailers::FixTrailer;
use crate::error::Result;
use crate::record::id::WHOLE_LEN;
use git2::Oid;
use std::collections::HashMap;
use std::path::PathBuf;

const KIND: &[u8; 4] = b"FIXS";
/// 4: the trailers as written (any ID form, and `Fixes: PM-…`), resolved
/// after reading, so a short ID or a typo is seen.
const FORMAT: u32 = 4;

/// (record id, action number, fixing commit).
pub type Fix = (String, u32, Oid);

/// A fix trailer and the commit it is in.
#[derive(Debug, Clone)]
pub struct Trailer {
    pub commit: Oid,
    pub trailer: FixTrailer,
}

/// An open action item that a commit says it fixes.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Pending {
    pub id: String,
    pub n: u32,
    pub text: String,
    /// The fixing commit's full id.
    pub commit: String,
}

/// A fix trailer, or a part of one, that names no action item.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Unresolved {
    /// The commit's full id.
    pub commit: String,
    /// The trailer's line in the commit message.
    pub line: usize,
    /// `Fixes-Postmortem: k7x3#2`, as written.
    pub trailer: String,
    pub why: String,
    /// Where its part comes in the history read oldest first, trailer by
    /// trailer: the order to say them in.
    #[serde(skip)]
    order: usize,
}

impl Unresolved {
    pub fn short(&self) -> &str {
        self.commit.get(..7).unwrap_or(&self.commit)
    }

    /// One line: which commit, which trailer, why, and what to do.
    pub fn describe(&self) -> String {
        format!("commit {}: {}", self.short(), self.what())
    }

    /// [`Unresolved::describe`] without the commit, for where it is said
    /// already (`check`'s `commit 1a2b3c4:LINE:`).
    pub fn what(&self) -> String {
        format!(
            "'{}' closes nothing: {}; a commit cannot change, so mark the item it meant done by hand (action done)",
            crate::text::inline(&self.trailer),
            self.why
        )
    }
}

/// What the trailers fix, and what they name that is not there.
#[derive(Debug, Default)]
pub struct Settled {
    pub pending: Vec<Pending>,
    pub unresolved: Vec<Unresolved>,
}

/// [`pending`] without every record in memory: the trailers are read
/// first (from the oldest month folder on), then only the records they
/// name. `sync` runs this after every merge, when the record cache is
/// stale: refreshing it for 100k records cost more than the merge. Only
/// a short ID lists the record files, to find what it names.
pub fn pending_named(store: &Store) -> Result<Settled> {
    let Some(dir) = store.snapshot()?.dir else {
        return Ok(Settled::default());
    };
    let (months, _) = super::tree::months(&store.repo, dir)?;
    let Some(bound) = months.iter().filter_map(|m| month_start(&m.dir)).min() else {
        return Ok(Settled::default());
    };
    let trailers = since(store, bound)?;
    let tree = store.repo.find_tree(dir)?;
    // Short IDs need every file's ID: listed and indexed once, on the
    // first short trailer, then each is a binary search.
    let all: std::cell::OnceCell<Vec<super::read::PathFile>> = Default::default();
    let short: std::cell::OnceCell<ShortLookup<'_>> = Default::default();
    let mut files: std::collections::BTreeMap<String, Oid> = Default::default();
    let mut months: HashMap<String, Option<git2::Tree<'_>>> = HashMap::new();
    let mut lookup = |q: &str| -> Result<Vec<String>> {
        // A whole ID is looked up in its month folder alone, each folder's
        // tree read once (thousands of trailers, a few hundred months).
        if let Some(id) = crate::record::RecordId::parse(q) {
            let month = id.month_dir();
            let folder = match months.get(&month) {
                Some(folder) => folder,
                None => {
                    let folder = tree
                        .get_path(std::path::Path::new(&month))
                        .ok()
                        .and_then(|e| store.repo.find_tree(e.id()).ok());
                    months.entry(month).or_insert(folder)
                }
            };
            let entry = folder
                .as_ref()
                .and_then(|f| f.get_name(&format!("{id}.toml")));
            return Ok(match entry {
                Some(e) if super::tree::kind_of(&e) == super::tree::Kind::File => {
                    files.insert(id.path_in(&store.records_dir), e.id());
                    vec![id.to_string()]
                }
                _ => Vec::new(),
            });
        }
        if all.get().is_none() {
            let _ = all.set(super::read::files(store)?);
        }
        let short = short.get_or_init(|| ShortLookup::of(all.get().expect("set above")));
        let matched = short.index.matching(q);
        if let [one] = &matched[..]
            && let Some(file) = short.by_id.get(one.as_str())
        {
            files.insert(file.0.clone(), file.1.blob);
        }
        Ok(matched)
    };
    let (named, mut unresolved) = resolve(&trailers, &mut lookup)?;
    crate::trace::mark("named records found");
    let files: Vec<(String, Oid)> = files.into_iter().collect();
    let records = super::read::some_records(store, &files)?;
    crate::trace::mark("named records read");
    let mut settled = settle(&trailers, &named, &records);
    unresolved.append(&mut settled.unresolved);
    unresolved.sort_by_key(|u| u.order);
    settled.unresolved = unresolved;
    Ok(settled)
}

/// The first instant (UTC) of a month folder `YYYY/MM`: no record in it
/// was created earlier (an ID's day is its UTC creation day).
fn month_start(dir: &str) -> Option<i64> {
    let (year, month) = dir.split_once('/')?;
    let day = chrono::NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, 1)?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc().timestamp())
}

/// The open action items of `records` that a commit on the team's default
/// branch names in a fix trailer, oldest fix first. Reads only.
///
/// `ids`: every record's ID on the branch (`records` may be only those
/// that can have open items), so a short ID in a trailer is matched
/// against them all, as a command would match it.
pub fn pending(
    store: &Store,
    records: &[crate::record::Record],
    ids: &crate::record::id::ShortIds,
) -> Result<Vec<Pending>> {
    // The fix cannot be older than the record it names.
    let Some(since) = records
        .iter()
        .filter(|r| r.open_actions().next().is_some())
        .map(|r| r.created_at.0.timestamp())
        .min()
    else {
        return Ok(Vec::new());
    };
    let trailers = self::since(store, since)?;
    let index = IdIndex::of(ids.whole_ids());
    let (named, _) = resolve(&trailers, &mut |q| Ok(index.matching(q)))?;
    Ok(settle(&trailers, &named, records).pending)
}

/// The fix trailers that name no action item of `records` (each ID with
/// its items' numbers), in commits on the team's default branch since the
/// oldest of their month folders: what `check` warns about.
pub fn unresolved(store: &Store, records: &[(String, Vec<u32>)]) -> Result<Vec<Unresolved>> {
    let Some(bound) = records
        .iter()
        .filter_map(|(id, _)| crate::record::RecordId::parse(id))
        .filter_map(|id| month_start(&id.month_dir()))
        .min()
    else {
        return Ok(Vec::new());
    };
    let trailers = since(store, bound)?;
    let index = IdIndex::of(records.iter().map(|(id, _)| id.as_str()));
    let (named, mut out) = resolve(&trailers, &mut |q| Ok(index.matching(q)))?;
    let items: HashMap<&str, &[u32]> = records
        .iter()
        .map(|(id, items)| (id.as_str(), items.as_slice()))
        .collect();
    for Named {
        fix,
        trailer,
        order,
    } in &named
    {
        let (id, n, _) = fix;
        if items.get(id.as_str()).is_some_and(|have| !have.contains(n)) {
            out.push(unresolved_of(&trailers[*trailer], no_item(id, *n), *order));
        }
    }
    out.sort_by_key(|u| u.order);
    Ok(out)
}

fn no_item(id: &str, n: u32) -> String {
    format!("{id} has no action item #{n}")
}

/// Every record file by ID, for short IDs in trailers.
struct ShortLookup<'a> {
    index: IdIndex<'a>,
    by_id: HashMap<&'a str, &'a super::read::PathFile>,
}

impl<'a> ShortLookup<'a> {
    fn of(files: &'a [super::read::PathFile]) -> ShortLookup<'a> {
        ShortLookup {
            index: IdIndex::of(files.iter().map(|(_, f)| f.id.as_str())),
            by_id: files.iter().map(|f| (f.1.id.as_str(), f)).collect(),
        }
    }
}

/// The IDs among `ids` that `q` names: itself when it is a whole ID,
/// else every ID it is a prefix of (or of whose random part), as
/// `RecordId::matches` says. Built once and searched by binary search:
/// thousands of trailers against 100k records.
struct IdIndex<'a> {
    /// Whole IDs, sorted.
    whole: Vec<&'a str>,
    /// (random part, whole ID), sorted; made on the first short query
    /// (most trailers name whole IDs, and sorting 100k costs).
    suffixes: std::cell::OnceCell<Vec<(&'a str, &'a str)>>,
}

impl<'a> IdIndex<'a> {
    fn of(ids: impl Iterator<Item = &'a str>) -> IdIndex<'a> {
        let mut whole: Vec<&str> = ids
            .filter(|id| id.len() == WHOLE_LEN && id.starts_with("PM-"))
            .collect();
        whole.sort_unstable();
        whole.dedup();
        IdIndex {
            whole,
            suffixes: Default::default(),
        }
    }

    fn suffixes(&self) -> &[(&'a str, &'a str)] {
        self.suffixes.get_or_init(|| {
            let mut suffixes: Vec<(&str, &str)> = self
                .whole
                .iter()
                .map(|id| (&id[WHOLE_LEN - crate::record::id::SUFFIX_LEN..], *id))
                .collect();
            suffixes.sort_unstable();
            suffixes
        })
    }

    fn matching(&self, q: &str) -> Vec<String> {
        if crate::record::RecordId::parse(q).is_some() {
            return self
                .whole
                .binary_search(&q)
                .map(|_| vec![q.to_string()])
                .unwrap_or_default();
        }
        let q = q.to_ascii_lowercase();
        // Only `PM` is upper case in an ID: a prefix of the whole ID is
        // that prefix with `pm` written as it is stored.
        let as_stored = match q.get(..2.min(q.len())) {
            Some(head) if "pm".starts_with(head) => {
                Some(format!("{}{}", head.to_uppercase(), &q[head.len()..]))
            }
            _ => None,
        };
        let mut out: Vec<&str> = Vec::new();
        if let Some(p) = &as_stored {
            let from = self.whole.partition_point(|id| *id < p.as_str());
            out.extend(
                self.whole[from..]
                    .iter()
                    .take_while(|id| id.starts_with(p.as_str())),
            );
        }
        let suffixes = self.suffixes();
        let from = suffixes.partition_point(|(s, _)| *s < q.as_str());
        out.extend(
            suffixes[from..]
                .iter()
                .take_while(|(s, _)| s.starts_with(q.as_str()))
                .map(|(_, id)| *id),
        );
        out.sort_unstable();
        out.dedup();
        out.into_iter().map(str::to_string).collect()
    }
}

/// One item a trailer names, with the record's whole ID.
struct Named {
    fix: Fix,
    trailer: usize,
    order: usize,
}

/// Each part of each trailer (oldest commit first) as the item it names,
/// or why it names none: not `ID#N`, or an ID that `lookup` finds no
/// record or several for.
fn resolve(
    trailers: &[Trailer],
    lookup: &mut dyn FnMut(&str) -> Result<Vec<String>>,
) -> Result<(Vec<Named>, Vec<Unresolved>)> {
    let mut named = Vec::new();
    let mut unresolved = Vec::new();
    // `trailers` has the newest commit first, each commit's in order.
    let commits = trailers
        .iter()
        .enumerate()
        .collect::<Vec<_>>()
        .chunk_by(|(_, a), (_, b)| a.commit == b.commit)
        .rev()
        .flatten()
        .copied()
        .collect::<Vec<_>>();
    let parts = commits
        .into_iter()
        .flat_map(|(i, t)| t.trailer.items().into_iter().map(move |p| (i, t, p)));
    for (order, (i, t, part)) in parts.enumerate() {
        let why = match part {
            super::trailers::Named::Nothing(why) => why,
            super::trailers::Named::Item { query, n } => {
                let ids = lookup(&query)?;
                if let [id] = &ids[..] {
                    named.push(Named {
                        fix: (id.clone(), n, t.commit),
                        trailer: i,
                        order,
                    });
                    continue;
                }
                let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
                crate::record::id::unmatched(&query, &ids, None).message
            }
        };
        unresolved.push(unresolved_of(t, why, order));
    }
    Ok((named, unresolved))
}

fn unresolved_of(t: &Trailer, why: String, order: usize) -> Unresolved {
    Unresolved {
        commit: t.commit.to_string(),
        line: t.trailer.line,
        trailer: t.trailer.text(),
        why,
        order,
    }
}

/// The named items that are open (the first fix of each), and the
/// trailers naming an item the record does not have. Records not in
/// `records` (a file that does not parse, reported where it is read)
/// are left alone.
fn settle(trailers: &[Trailer], named: &[Named], records: &[crate::record::Record]) -> Settled {
    // Keyed by ID: thousands of trailers against tens of thousands of
    // records at team scale.
    let by_id: HashMap<&str, &crate::record::Record> =
        records.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut seen = std::collections::HashSet::new();
    let mut settled = Settled::default();
    for Named {
        fix,
        trailer,
        order,
    } in named
    {
        let (id, n, commit) = fix;
        let Some(record) = by_id.get(id.as_str()) else {
            continue;
        };
        let Some(action) = record.action(*n) else {
            settled
                .unresolved
                .push(unresolved_of(&trailers[*trailer], no_item(id, *n), *order));
            continue;
        };
        // An item its tracker reopened after this very commit closed it
        // stays open: the person there decided so.
        let reopened = action.commit.as_deref() == Some(commit.to_string().as_str());
        if action.status != crate::record::ActionStatus::Open
            || reopened
            || !seen.insert((id.clone(), *n))
        {
            continue;
        }
        settled.pending.push(Pending {
            text: action.text.clone(),
            id: id.clone(),
            n: *n,
            commit: commit.to_string(),
        });
    }
    settled
}

struct Scanned {
    tip: Oid,
    /// Every commit `tip` reaches with a time from here on was read.
    since: i64,
    /// Every fix trailer found, newest commit first, with its commit's time.
    found: Vec<Found>,
}

struct Found {
    trailer: Trailer,
    time: i64,
}

/// The trailers of `found` in commits from `since` on (with the clock
/// skew every history walk allows).
fn within(found: &[Found], since: i64) -> Vec<Trailer> {
    found
        .iter()
        .filter(|f| f.time >= since - SKEW_SECONDS)
        .map(|f| f.trailer.clone())
        .collect()
}

/// The fix trailers in the commits the team's default branch reaches
/// (`origin/HEAD`), from `since` on, newest commit first.
pub fn since(store: &Store, since: i64) -> Result<Vec<Trailer>> {
    let Some(head) = super::branch::team_tip(&store.repo) else {
        return Ok(Vec::new()); // unborn branch: no history
    };
    let path = cache_path(store);
    let key = graph::cache_key(store);
    let cached = read_cache(&path, &key).filter(|c| c.since <= since);
    // Nothing new since the cached scan: the file has the answer.
    if let Some(c) = cached.as_ref().filter(|c| c.tip == head) {
        crate::trace::mark("fixes cache: tip unchanged");
        return Ok(within(&c.found, since));
    }

    let graph = graph::load(store, Some(head))?;
    let order = graph.date_order();
    let Some(&tip) = order.first() else {
        return Ok(Vec::new());
    };
    let cached = cached.and_then(|c| Some((graph.position(c.tip)?, c)));
    let (known, mut found) = match cached {
        Some((tip, c)) => {
            let mut by_commit: HashMap<Oid, Vec<FixTrailer>> = HashMap::new();
            for f in c.found {
                by_commit
                    .entry(f.trailer.commit)
                    .or_default()
                    .push(f.trailer.trailer);
            }
            (reachable(&graph, tip), by_commit)
        }
        None => (vec![false; graph.count()], HashMap::new()),
    };
    let out = scan(
        &graph,
        &order,
        &known,
        &store.repo.odb()?,
        &mut found,
        since,
    )?;
    // Only what this tip reaches within the bound: the file stays small.
    let scanned = Scanned {
        tip: graph.oid(tip),
        since,
        found: out,
    };
    // A cache that cannot be written only makes the next scan slower.
    let _ = write_cache(&path, &key, &scanned);
    Ok(scanned.found.into_iter().map(|f| f.trailer).collect())
}

/// Which commits `tip` reaches, by position in the graph.
fn reachable(graph: &graph::Graph, tip: u32) -> Vec<bool> {
    let mut seen = vec![false; graph.count()];
    let mut stack = vec![tip];
    seen[tip as usize] = true;
    while let Some(c) = stack.pop() {
        for &p in graph.parents(c) {
            if !seen[p as usize] {
                seen[p as usize] = true;
                stack.push(p);
            }
        }
    }
    seen
}

/// Reads the commits in `order` from `since` on that are not `known`,
/// adding their trailers to `found`; returns every trailer in that range.
fn scan(
    graph: &graph::Graph,
    order: &[u32],
    known: &[bool],
    odb: &git2::Odb<'_>,
    found: &mut HashMap<Oid, Vec<FixTrailer>>,
    since: i64,
) -> Result<Vec<Found>> {
    let mut out = Vec::new();
    let key = key_finder();
    for &c in order {
        if graph.time(c) < since - SKEW_SECONDS {
            continue;
        }
        let oid = graph.oid(c);
        if !known[c as usize] {
            let trailers = parse_raw(odb.read(oid)?.data(), key.as_ref());
            if !trailers.is_empty() {
                found.insert(oid, trailers);
            }
        }
        if let Some(trailers) = found.get(&oid) {
            out.extend(trailers.iter().map(|t| Found {
                trailer: Trailer {
                    commit: oid,
                    trailer: t.clone(),
                },
                time: graph.time(c),
            }));
        }
    }
    Ok(out)
}

/// Finds `fixes` in any case: both keys start with it.
fn key_finder() -> Option<aho_corasick::AhoCorasick> {
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(["fixes"])
        .ok()
}

/// A raw commit object: most carry no fix trailer, so look for one in the
/// bytes before decoding anything (without a finder, decode them all).
fn parse_raw(raw: &[u8], key: Option<&aho_corasick::AhoCorasick>) -> Vec<FixTrailer> {
    if key.is_some_and(|k| !k.is_match(raw)) {
        return Vec::new();
    }
    // The message follows the headers' blank line.
    let body = raw
        .windows(2)
        .position(|w| w == b"\n\n")
        .map_or(raw, |i| &raw[i + 2..]);
    super::trailers::fix_trailers(&String::from_utf8_lossy(body))
}

fn cache_path(store: &Store) -> PathBuf {
    store.repo.commondir().join("devops-postmortem-fixes.cache")
}

fn fingerprint(key: &[u8]) -> cache_file::Fingerprint<'_> {
    cache_file::Fingerprint {
        kind: KIND,
        format: FORMAT,
        key,
    }
}

/// Text: `tip since`, then one `commit time line key value` per trailer,
/// in order (the value, on one line, is the rest of the line).
fn read_cache(path: &std::path::Path, key: &[u8]) -> Option<Scanned> {
    decode(&cache_file::read(path, &fingerprint(key))?)
}

fn decode(bytes: &[u8]) -> Option<Scanned> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut lines = text.lines();
    let (tip, since) = lines.next()?.split_once(' ')?;
    let mut found = Vec::new();
    for line in lines {
        let mut fields = line.splitn(5, ' ');
        let commit = Oid::from_str(fields.next()?).ok()?;
        let time = fields.next()?.parse().ok()?;
        let at = fields.next()?.parse().ok()?;
        let key = fields.next()?.to_string();
        let value = fields.next()?.to_string();
        found.push(Found {
            trailer: Trailer {
                commit,
                trailer: FixTrailer {
                    key,
                    value,
                    line: at,
                },
            },
            time,
        });
    }
    Some(Scanned {
        tip: Oid::from_str(tip).ok()?,
        since: since.parse().ok()?,
        found,
    })
}

fn write_cache(path: &std::path::Path, key: &[u8], s: &Scanned) -> std::io::Result<()> {
    let mut text = format!("{} {}\n", s.tip, s.since);
    for Found { trailer: t, time } in &s.found {
        let f = &t.trailer;
        text.push_str(&format!(
            "{} {time} {} {} {}\n",
            t.commit, f.line, f.key, f.value
        ));
    }
    cache_file::write(path, &fingerprint(key), &[text.as_bytes()])
}

/// The files a fixing commit changed, outside the records: what `related`
/// compares. Empty when the commit is not here (a shallow clone).
pub fn files_touched(store: &Store, commit: &str) -> Vec<String> {
    let touched = || -> std::result::Result<Vec<String>, git2::Error> {
        let c = store.repo.find_commit(Oid::from_str(commit)?)?;
        let parent = c.parents().next().map(|p| p.tree()).transpose()?;
        let diff = store
            .repo
            .diff_tree_to_tree(parent.as_ref(), Some(&c.tree()?), None)?;
        let records = format!("{}/", store.records_dir);
        Ok(diff
            .deltas()
            .filter_map(|d| d.new_file().path().or(d.old_file().path()))
            .map(|p| p.to_string_lossy().into_owned())
            .filter(|p| !p.starts_with(&records))
            .collect())
    };
    touched().unwrap_or_default()
}

#[cfg(test)]
mod tests {

    #[test]
    fn the_id_index_names_what_record_id_matches_names() {
        let ids = [
            "PM-20261101-k7x3q4mz",
            "PM-20261102-k7x3abcd",
            "PM-20261201-abcdefgh",
            "PM-20261201-zzzzzzzz",
        ];
        let index = super::IdIndex::of(ids.iter().copied());
        for q in [
            "k7x3",
            "k7x3q",
            "K7X3A",
            "abcd",
            "p",
            "pm",
            "PM-",
            "pm-202611",
            "PM-20261201-",
            "PM-20261101-k7x3q4mz",
            "PM-20261101-k7x3q4mq",
            "zz",
            "nothing",
            "20261101",
        ] {
            let brute: Vec<String> = ids
                .iter()
                .filter(|id| crate::record::RecordId::parse(id).unwrap().matches(q))
                .map(|id| id.to_string())
                .collect();
            let whole = crate::record::RecordId::parse(q).is_some();
            let brute = if whole {
                brute.into_iter().filter(|id| id == q).collect()
            } else {
                brute
            };
            assert_eq!(index.matching(q), brute, "{q}");
        }
    }
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_cache_decoder_never_panics(text in "([0-9a-f]{40} [0-9]{1,10}\n)?([0-9a-f]{40} -?[0-9]{1,10} [0-9]{1,3} Fixes(-Postmortem)? .{0,20}\n){0,4}.{0,20}") {
            let _ = super::decode(text.as_bytes());
        }

        #[test]
        fn the_trailer_parser_never_panics(message in ".{0,200}") {
            let raw = format!("tree x\n\nx\n\nFixes-Postmortem: {message}");
            let _ = super::parse_raw(raw.as_bytes(), super::key_finder().as_ref());
        }
    }
}
