//! Reading git's commit-graph file (`objects/info/commit-graph`, or the
//! layered `objects/info/commit-graphs/`), which `git gc`, `git maintenance`
//! and `git commit-graph write` keep: each commit's root tree, parents and
//! time, without inflating the commit. A history walk over 100k commits
//! then reads one mapped file instead of 100k objects.
//!
//! Only an optimisation: a commit missing from the file (newer than it) is
//! read from the object store, and a file that does not look right is not
//! used at all. Format: Documentation/gitformat-commit-graph.txt in git.git.

use git2::Oid;
use std::fs::File;
use std::path::Path;

const OID: usize = 20;
const NO_PARENT: u32 = 0x7000_0000;
const OCTOPUS: u32 = 0x8000_0000;
const LAST_EDGE: u32 = 0x8000_0000;

/// One commit as the graph records it.
pub struct GraphCommit {
    pub tree: Oid,
    pub parents: Vec<Oid>,
    pub time: i64,
}

/// One file of the graph; a layered graph has several, oldest first, and
/// numbers its commits across all of them in that order.
struct Layer {
    map: memmap2::Mmap,
    fanout: usize,
    oids: usize,
    data: usize,
    edges: Option<usize>,
    count: usize,
    /// Commits in the layers before this one.
    base: usize,
}

pub struct CommitGraph {
    layers: Vec<Layer>,
}

impl CommitGraph {
    /// The repository's commit-graph, if it has one that can be read.
    pub fn open(objects: &Path) -> Option<CommitGraph> {
        let info = objects.join("info");
        let files: Vec<std::path::PathBuf> = if info.join("commit-graph").is_file() {
            vec![info.join("commit-graph")]
        } else {
            let dir = info.join("commit-graphs");
            let chain = std::fs::read_to_string(dir.join("commit-graph-chain")).ok()?;
            chain
                .lines()
                .map(|hash| dir.join(format!("graph-{}.graph", hash.trim())))
                .collect()
        };
        let mut layers = Vec::with_capacity(files.len());
        let mut base = 0;
        for (n, path) in files.iter().enumerate() {
            let layer = Layer::open(path, base, n)?;
            base += layer.count;
            layers.push(layer);
        }
        (!layers.is_empty()).then_some(CommitGraph { layers })
    }

    pub fn get(&self, oid: Oid) -> Option<GraphCommit> {
        let position = self
            .layers
            .iter()
            .rev()
            .find_map(|l| l.find(oid).map(|local| l.base + local))?;
        self.commit_at(position)
    }

    fn layer_of(&self, position: usize) -> Option<&Layer> {
        self.layers
            .iter()
            .find(|l| (l.base..l.base + l.count).contains(&position))
    }

    fn oid_at(&self, position: usize) -> Option<Oid> {
        let layer = self.layer_of(position)?;
        let at = layer.oids + (position - layer.base) * OID;
        Oid::from_bytes(layer.map.get(at..at + OID)?).ok()
    }

    fn commit_at(&self, position: usize) -> Option<GraphCommit> {
        let layer = self.layer_of(position)?;
        let at = layer.data + (position - layer.base) * (OID + 16);
        let row = layer.map.get(at..at + OID + 16)?;
        let tree = Oid::from_bytes(&row[..OID]).ok()?;
        let word =
            |i: usize| u32::from_be_bytes(row[OID + i * 4..OID + i * 4 + 4].try_into().unwrap());
        let (first, second) = (word(0), word(1));
        // The low two bits of the generation word are the time's top bits.
        let time = (((word(2) & 0x3) as i64) << 32) | word(3) as i64;
        let mut parents = Vec::with_capacity(2);
        if first != NO_PARENT {
            parents.push(self.oid_at(first as usize)?);
        }
        if second & OCTOPUS != 0 {
            // Parents two and on are listed in the extra-edges chunk.
            let mut edge = layer.edges? + ((second & !OCTOPUS) as usize) * 4;
            loop {
                let e = u32::from_be_bytes(layer.map.get(edge..edge + 4)?.try_into().ok()?);
                parents.push(self.oid_at((e & !LAST_EDGE) as usize)?);
                if e & LAST_EDGE != 0 || parents.len() > 4096 {
                    break;
                }
                edge += 4;
            }
        } else if second != NO_PARENT {
            parents.push(self.oid_at(second as usize)?);
        }
        Some(GraphCommit {
            tree,
            parents,
            time,
        })
    }
}

impl Layer {
    /// `layer`: how many files come before this one in the chain, which its
    /// header must say too.
    fn open(path: &Path, base: usize, layer: usize) -> Option<Layer> {
        let file = File::open(path).ok()?;
        // SAFETY: git writes a commit-graph to a temporary file and renames
        // it into place; an existing file is never changed.
        let map = unsafe { memmap2::Mmap::map(&file).ok()? };
        // Signature, version 1, SHA-1, chunk count, base graph count.
        let header = map.get(..8)?;
        if header[..6] != *b"CGPH\x01\x01" || header[7] as usize != layer {
            return None;
        }
        let chunks = map[6] as usize;
        let (mut fanout, mut oids, mut data, mut edges) = (None, None, None, None);
        for i in 0..chunks {
            let at = 8 + i * 12;
            let id = map.get(at..at + 4)?;
            let offset = u64::from_be_bytes(map.get(at + 4..at + 12)?.try_into().ok()?) as usize;
            match id {
                b"OIDF" => fanout = Some(offset),
                b"OIDL" => oids = Some(offset),
                b"CDAT" => data = Some(offset),
                b"EDGE" => edges = Some(offset),
                _ => {}
            }
        }
        let fanout = fanout?;
        let count = u32::from_be_bytes(
            map.get(fanout + 255 * 4..fanout + 256 * 4)?
                .try_into()
                .ok()?,
        ) as usize;
        let (oids, data) = (oids?, data?);
        // Every row must be inside the file before any is read.
        map.get(oids..oids + count * OID)?;
        map.get(data..data + count * (OID + 16))?;
        Some(Layer {
            map,
            fanout,
            oids,
            data,
            edges,
            count,
            base,
        })
    }

    /// The position of `oid` in this file (fan-out, then binary search).
    fn find(&self, oid: Oid) -> Option<usize> {
        let first = oid.as_bytes()[0] as usize;
        let fan = |i: usize| -> usize {
            let at = self.fanout + i * 4;
            u32::from_be_bytes(self.map[at..at + 4].try_into().unwrap()) as usize
        };
        let (mut lo, mut hi) = (if first == 0 { 0 } else { fan(first - 1) }, fan(first));
        hi = hi.min(self.count);
        while lo < hi {
            let mid = (lo + hi) / 2;
            let at = self.oids + mid * OID;
            match self.map[at..at + OID].cmp(oid.as_bytes()) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }
}
