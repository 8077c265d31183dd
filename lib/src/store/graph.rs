//! The commit graph as history walks need it: per commit its time, its
//! parents, and the id of the records directory's tree. Kept in a cache in
//! `.git/` so a walk over 100k commits reads one small file instead of
//! inflating 100k commits and trees.
//!
//! Every cached fact is a property of an immutable commit id, except that
//! git can be told to see other parents (a shallow clone's boundary,
//! grafts, replace refs): the cache is keyed by all three and rebuilt when
//! any changes (`git fetch --unshallow`, `git replace`). Each use extends
//! it from the tip it walks (the records branch, or the team's default
//! branch) with the commits it does not know yet. Delete it at any time.

use super::Store;
use super::cache_file::{self, Fingerprint, Reader};
use super::commit_graph::{CommitGraph, GraphCommit};
use crate::error::Result;
use git2::{ObjectType, Oid};
use std::collections::{BinaryHeap, HashMap, HashSet};
use std::path::{Path, PathBuf};

const KIND: &[u8; 4] = b"HIST";
/// Commits may carry clock skew; walks in time order look this far past
/// the point where they could stop.
pub const SKEW_SECONDS: i64 = 24 * 3600;
const FORMAT: u32 = 2;

pub struct Graph {
    oids: Vec<Oid>,
    times: Vec<i64>,
    dirs: Vec<Option<Oid>>,
    /// Parents of commit `i` are `parent_list[parent_start[i]..parent_start[i + 1]]`.
    parent_start: Vec<u32>,
    parent_list: Vec<u32>,
    index: HashMap<Oid, u32>,
    head: Option<u32>,
}

impl Graph {
    pub fn count(&self) -> usize {
        self.oids.len()
    }
    pub fn position(&self, oid: Oid) -> Option<u32> {
        self.index.get(&oid).copied()
    }
    pub fn oid(&self, c: u32) -> Oid {
        self.oids[c as usize]
    }
    pub fn time(&self, c: u32) -> i64 {
        self.times[c as usize]
    }
    pub fn dir(&self, c: u32) -> Option<Oid> {
        self.dirs[c as usize]
    }
    pub fn parents(&self, c: u32) -> &[u32] {
        let (a, b) = (
            self.parent_start[c as usize] as usize,
            self.parent_start[c as usize + 1] as usize,
        );
        &self.parent_list[a..b]
    }

    /// The commits reachable from the tip, newest first, children always
    /// before their parents (git's `--date-order`).
    pub fn date_order(&self) -> Vec<u32> {
        let Some(head) = self.head else {
            return Vec::new();
        };
        // Children per commit, counted over what the tip reaches.
        let mut pending = vec![0u32; self.oids.len()];
        let mut seen = vec![false; self.oids.len()];
        let mut stack = vec![head];
        seen[head as usize] = true;
        while let Some(c) = stack.pop() {
            for &p in self.parents(c) {
                pending[p as usize] += 1;
                if !seen[p as usize] {
                    seen[p as usize] = true;
                    stack.push(p);
                }
            }
        }
        let mut out = Vec::new();
        let mut ready = BinaryHeap::from([(self.time(head), head)]);
        while let Some((_, c)) = ready.pop() {
            out.push(c);
            for &p in self.parents(c) {
                pending[p as usize] -= 1;
                if pending[p as usize] == 0 {
                    ready.push((self.time(p), p));
                }
            }
        }
        out
    }
}

/// The graph from `tip` (the records branch's, or the team's default
/// branch's), from the cache plus whatever it lacked.
pub fn load(store: &Store, tip: Option<Oid>) -> Result<Graph> {
    let path = cache_path(store);
    let key = cache_key(store);
    let mut graph = read_cache(&path, &key).unwrap_or_else(empty);
    let Some(head) = tip else {
        return Ok(graph); // unborn branch: no history
    };
    let added = extend(store, &mut graph, head)?;
    graph.head = graph.index.get(&head).copied();
    if added > 0 {
        // A cache that cannot be written is only a slower next run.
        let _ = write_cache(&path, &key, &graph);
    }
    crate::trace::mark("history graph loaded");
    Ok(graph)
}

fn empty() -> Graph {
    Graph {
        oids: Vec::new(),
        times: Vec::new(),
        dirs: Vec::new(),
        parent_start: vec![0],
        parent_list: Vec::new(),
        index: HashMap::new(),
        head: None,
    }
}

/// What the cached parents depend on besides the commit ids: the records
/// directory, and whatever makes git see other parents.
pub(super) fn cache_key(store: &Store) -> Vec<u8> {
    let common = store.repo.commondir();
    let mut key = store.records_dir.as_bytes().to_vec();
    for file in ["shallow", "info/grafts"] {
        key.push(0);
        key.extend_from_slice(&std::fs::read(common.join(file)).unwrap_or_default());
    }
    key.push(0);
    if let Ok(refs) = store.repo.references_glob("refs/replace/*") {
        for r in refs.flatten() {
            key.extend_from_slice(r.name_bytes());
            key.extend_from_slice(
                r.target()
                    .map(|t| t.as_bytes().to_vec())
                    .unwrap_or_default()
                    .as_slice(),
            );
        }
    }
    key
}

/// Whether git itself would trust its commit-graph file here: not when
/// anything rewrites parents.
fn parents_rewritten(store: &Store) -> bool {
    let common = store.repo.commondir();
    store.repo.is_shallow()
        || common.join("info/grafts").exists()
        || store
            .repo
            .references_glob("refs/replace/*")
            .is_ok_and(|mut r| r.next().is_some())
}

fn cache_path(store: &Store) -> PathBuf {
    store
        .repo
        .commondir()
        .join("devops-postmortem-history.cache")
}

/// Loads the commits reachable from `tip` that the graph lacks. Returns how
/// many were added.
fn extend(store: &Store, graph: &mut Graph, tip: Oid) -> Result<usize> {
    if graph.index.contains_key(&tip) {
        return Ok(0);
    }
    // git's own commit-graph file, when it has one, saves inflating each
    // commit. Not when parents are rewritten: git ignores it then too.
    let commit_graph = if parents_rewritten(store) {
        None
    } else {
        CommitGraph::open(&store.repo.commondir().join("objects"))
    };
    let mut new: Vec<(Oid, GraphCommit)> = Vec::new();
    let mut queued: HashSet<Oid> = HashSet::new();
    let mut stack = vec![tip];
    while let Some(oid) = stack.pop() {
        if graph.index.contains_key(&oid) || !queued.insert(oid) {
            continue;
        }
        let commit = match commit_graph.as_ref().and_then(|g| g.get(oid)) {
            Some(c) => c,
            // A missing object (a shallow clone's boundary) ends that line.
            None => match store.repo.find_commit(oid) {
                Ok(c) => GraphCommit {
                    tree: c.tree_id(),
                    parents: c.parent_ids().collect(),
                    time: c.time().seconds(),
                },
                Err(_) => continue,
            },
        };
        stack.extend(commit.parents.iter().copied());
        new.push((oid, commit));
    }
    crate::trace::mark("history: commits walked");
    let trees: Vec<Oid> = new.iter().map(|(_, c)| c.tree).collect();
    let dirs = records_dirs(store, &trees)?;
    for ((oid, commit), dir) in new.iter().zip(dirs) {
        graph.index.insert(*oid, graph.oids.len() as u32);
        graph.oids.push(*oid);
        graph.times.push(commit.time);
        graph.dirs.push(dir);
    }
    for (_, commit) in &new {
        graph.parent_list.extend(
            commit
                .parents
                .iter()
                .filter_map(|p| graph.index.get(p).copied()),
        );
        graph.parent_start.push(graph.parent_list.len() as u32);
    }
    Ok(new.len())
}

/// The records directory's tree id in each root tree: with a commit-graph
/// file, most of a first walk. In walk order, so each root tree's delta
/// base is usually the one just read. (Two threads with a repository
/// handle each were slower: libgit2 serialises pack access.)
fn records_dirs(store: &Store, trees: &[Oid]) -> Result<Vec<Option<Oid>>> {
    let dir = Path::new(&store.records_dir);
    trees
        .iter()
        .map(|t| {
            Ok(match store.repo.find_tree(*t)?.get_path(dir) {
                Ok(e) if e.kind() == Some(ObjectType::Tree) => Some(e.id()),
                _ => None,
            })
        })
        .collect()
}

fn fingerprint(key: &[u8]) -> Fingerprint<'_> {
    Fingerprint {
        kind: KIND,
        format: FORMAT,
        key,
    }
}

fn read_cache(path: &Path, key: &[u8]) -> Option<Graph> {
    decode(&cache_file::read(path, &fingerprint(key))?)
}

fn decode(bytes: &[u8]) -> Option<Graph> {
    let mut r = Reader::new(bytes);
    let count = r.u32()? as usize;
    // Each commit takes at least 49 bytes: a count beyond that is damage.
    if count > bytes.len() / 49 {
        return None;
    }
    let mut g = empty();
    for i in 0..count {
        let oid = Oid::from_bytes(r.take(20)?).ok()?;
        let time = r.i64()?;
        let dir = Oid::from_bytes(r.take(20)?).ok()?;
        let n = r.take(1)?[0] as usize;
        for _ in 0..n {
            let p = r.u32()?;
            if p as usize >= count {
                return None;
            }
            g.parent_list.push(p);
        }
        g.parent_start.push(g.parent_list.len() as u32);
        g.index.insert(oid, i as u32);
        g.oids.push(oid);
        g.times.push(time);
        g.dirs.push((!dir.is_zero()).then_some(dir));
    }
    r.is_done().then_some(g)
}

fn write_cache(path: &Path, key: &[u8], g: &Graph) -> std::io::Result<()> {
    let mut out = Vec::with_capacity(g.oids.len() * 56 + 64);
    out.extend_from_slice(&(g.oids.len() as u32).to_le_bytes());
    for i in 0..g.oids.len() {
        out.extend_from_slice(g.oids[i].as_bytes());
        out.extend_from_slice(&g.times[i].to_le_bytes());
        out.extend_from_slice(g.dirs[i].unwrap_or(Oid::ZERO_SHA1).as_bytes());
        let parents = g.parents(i as u32);
        out.push(parents.len().min(255) as u8);
        for p in parents.iter().take(255) {
            out.extend_from_slice(&p.to_le_bytes());
        }
    }
    cache_file::write(path, &fingerprint(key), &[&out])
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_cache_decoder_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
            if let Some(g) = super::decode(&bytes) {
                // Whatever it accepts is a well-formed graph.
                for c in 0..g.count() as u32 {
                    prop_assert!(g.parents(c).iter().all(|p| (*p as usize) < g.count()));
                }
                let _ = g.date_order();
            }
        }
    }
}
