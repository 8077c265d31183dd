//! Finding `Fixes-Postmortem: PM-…#N` trailers in commit messages.
//!
//! Reading every commit message back to the oldest open action item costs
//! a second on a history of 100k commits, every `triage`. The facts found
//! are about immutable commits, so they are kept in `.git/`: the tip that
//! was scanned, how far back (a time), and the trailers found with their
//! commits' times, in the order found. When the team's branch is still that tip (most
//! runs), the answer comes from the file alone, without loading the
//! history; otherwise the next scan skips every commit that tip reaches
//! and reads only the new ones. Delete the file at any time.

use super::Store;
use super::cache_file;
use super::graph::{self, SKEW_SECONDS};
use crate::error::Result;
use git2::Oid;
use std::collections::HashMap;
use std::path::PathBuf;

const KIND: &[u8; 4] = b"FIXS";
const FORMAT: u32 = 3;

/// (record id, action number, fixing commit), newest commit first.
pub type Fix = (String, u32, Oid);

/// An open action item that a commit says it fixes.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Pending {
    pub id: String,
    pub n: u32,
    pub text: String,
    /// The fixing commit's full id.
    pub commit: String,
}

/// [`pending`] without every record in memory: the trailers are read
/// first (from the oldest month folder on), then only the records they
/// name. `sync` runs this after every merge, when the record cache is
/// stale: refreshing it for 100k records cost more than the merge.
pub fn pending_named(store: &Store) -> Result<Vec<Pending>> {
    let Some(dir) = store.snapshot()?.dir else {
        return Ok(Vec::new());
    };
    let (months, _) = super::tree::months(&store.repo, dir)?;
    let Some(bound) = months.iter().filter_map(|m| month_start(&m.dir)).min() else {
        return Ok(Vec::new());
    };
    let named: std::collections::BTreeSet<String> = since(store, bound)?
        .into_iter()
        .map(|(id, _, _)| id)
        .collect();
    // By month folder: each folder's tree is read once.
    let mut by_month: std::collections::BTreeMap<String, Vec<crate::record::RecordId>> =
        Default::default();
    for id in named
        .iter()
        .filter_map(|id| crate::record::RecordId::parse(id))
    {
        by_month.entry(id.month_dir()).or_default().push(id);
    }
    let tree = store.repo.find_tree(dir)?;
    let mut files: Vec<(String, Oid)> = Vec::new();
    for (month, ids) in by_month {
        let Ok(entry) = tree.get_path(std::path::Path::new(&month)) else {
            continue;
        };
        let Ok(folder) = store.repo.find_tree(entry.id()) else {
            continue;
        };
        files.extend(ids.iter().filter_map(|id| {
            let file = folder.get_name(&format!("{id}.toml"))?;
            Some((id.path_in(&store.records_dir), file.id()))
        }));
    }
    crate::trace::mark("named records found");
    let records = super::read::some_records(store, &files)?;
    crate::trace::mark("named records read");
    pending(store, &records)
}

/// The first instant (UTC) of a month folder `YYYY/MM`: no record in it
/// was created earlier (an ID's day is its UTC creation day).
fn month_start(dir: &str) -> Option<i64> {
    let (year, month) = dir.split_once('/')?;
    let day = chrono::NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, 1)?;
    Some(day.and_hms_opt(0, 0, 0)?.and_utc().timestamp())
}

/// The open action items of `records` that a commit on the team's default
/// branch names in a
/// `Fixes-Postmortem:` trailer, oldest fix first. Reads only.
pub fn pending(store: &Store, records: &[crate::record::Record]) -> Result<Vec<Pending>> {
    // Keyed by (ID, item number): thousands of trailers against tens of
    // thousands of open items at team scale.
    let open: std::collections::HashMap<(&str, u32), &crate::record::ActionItem> = records
        .iter()
        .flat_map(|r| r.open_actions().map(move |a| ((r.id.as_str(), a.n), a)))
        .collect();
    // The fix cannot be older than the record it names.
    let Some(since) = records
        .iter()
        .filter(|r| r.open_actions().next().is_some())
        .map(|r| r.created_at.0.timestamp())
        .min()
    else {
        return Ok(Vec::new());
    };
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<Pending> = Vec::new();
    for (id, n, commit) in self::since(store, since)?.into_iter().rev() {
        let Some(action) = open.get(&(id.as_str(), n)) else {
            continue;
        };
        if !seen.insert((id.clone(), n)) {
            continue;
        }
        out.push(Pending {
            text: action.text.clone(),
            id,
            n,
            commit: commit.to_string(),
        });
    }
    Ok(out)
}

struct Scanned {
    tip: Oid,
    /// Every commit `tip` reaches with a time from here on was read.
    since: i64,
    /// Every trailer found, newest commit first, with its commit's time.
    found: Vec<Found>,
}

struct Found {
    fix: Fix,
    time: i64,
}

/// The trailers of `found` in commits from `since` on (with the clock
/// skew every history walk allows).
fn within(found: &[Found], since: i64) -> Vec<Fix> {
    found
        .iter()
        .filter(|f| f.time >= since - SKEW_SECONDS)
        .map(|f| f.fix.clone())
        .collect()
}

/// The trailers in the commits the team's default branch reaches
/// (`origin/HEAD`), from `since` on.
pub fn since(store: &Store, since: i64) -> Result<Vec<Fix>> {
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
            let mut by_commit: HashMap<Oid, Vec<(String, u32)>> = HashMap::new();
            for f in c.found {
                let (id, n, oid) = f.fix;
                by_commit.entry(oid).or_default().push((id, n));
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
    Ok(scanned.found.into_iter().map(|f| f.fix).collect())
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
    found: &mut HashMap<Oid, Vec<(String, u32)>>,
    since: i64,
) -> Result<Vec<Found>> {
    let mut out = Vec::new();
    for &c in order {
        if graph.time(c) < since - SKEW_SECONDS {
            continue;
        }
        let oid = graph.oid(c);
        if !known[c as usize] {
            let trailers = parse_raw(odb.read(oid)?.data());
            if !trailers.is_empty() {
                found.insert(oid, trailers);
            }
        }
        if let Some(trailers) = found.get(&oid) {
            out.extend(trailers.iter().map(|(id, n)| Found {
                fix: (id.clone(), *n, oid),
                time: graph.time(c),
            }));
        }
    }
    Ok(out)
}

/// A raw commit object: most carry no trailer, so look for the key in the
/// bytes before decoding anything.
fn parse_raw(raw: &[u8]) -> Vec<(String, u32)> {
    const KEY: &[u8] = b"Fixes-Postmortem:";
    if !raw.windows(KEY.len()).any(|w| w == KEY) {
        return Vec::new();
    }
    // The message follows the headers' blank line.
    let body = raw
        .windows(2)
        .position(|w| w == b"\n\n")
        .map_or(raw, |i| &raw[i + 2..]);
    parse(&String::from_utf8_lossy(body))
}

fn parse(message: &str) -> Vec<(String, u32)> {
    super::trailers::values(message, "Fixes-Postmortem")
        .iter()
        .flat_map(|v| v.split([',', ' ']).filter_map(item).collect::<Vec<_>>())
        .collect()
}

/// `PM-…#N` → (record id, action number).
fn item(text: &str) -> Option<(String, u32)> {
    let (id, n) = text.rsplit_once('#')?;
    Some((id.to_string(), n.parse().ok()?))
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

/// Text: `tip since`, then one `commit time id#n` per trailer, in order.
fn read_cache(path: &std::path::Path, key: &[u8]) -> Option<Scanned> {
    decode(&cache_file::read(path, &fingerprint(key))?)
}

fn decode(bytes: &[u8]) -> Option<Scanned> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut lines = text.lines();
    let (tip, since) = lines.next()?.split_once(' ')?;
    let mut found = Vec::new();
    for line in lines {
        let mut fields = line.split(' ');
        let commit = Oid::from_str(fields.next()?).ok()?;
        let time = fields.next()?.parse().ok()?;
        let (id, n) = item(fields.next()?)?;
        if fields.next().is_some() {
            return None;
        }
        found.push(Found {
            fix: (id, n, commit),
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
    for Found {
        fix: (id, n, commit),
        time,
    } in &s.found
    {
        text.push_str(&format!("{commit} {time} {id}#{n}\n"));
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
    use super::parse;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_cache_decoder_never_panics(text in "([0-9a-f]{40} [0-9]{1,10}\n)?([0-9a-f]{40} -?[0-9]{1,10} PM-[0-9]{8}-[a-z0-9]{8}#[0-9]{1,3}\n){0,4}.{0,20}") {
            let _ = super::decode(text.as_bytes());
        }

        #[test]
        fn the_trailer_parser_never_panics(message in ".{0,200}") {
            let _ = parse(&format!("x\n\nFixes-Postmortem: {message}"));
        }
    }

    #[test]
    fn trailers_name_records_and_items() {
        let message = "fix pool\n\nFixes-Postmortem: PM-20261124-abcd1234#2, PM-20261124-efgh5678#1\nFixes-Postmortem: bogus\n";
        assert_eq!(
            parse(message),
            [
                ("PM-20261124-abcd1234".to_string(), 2),
                ("PM-20261124-efgh5678".to_string(), 1)
            ]
        );
    }
}
