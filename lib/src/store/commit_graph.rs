//! git's commit-graph file (`objects/info/commit-graph`, or the layered
//! `objects/info/commit-graphs/`), which `git gc`, `git maintenance` and
//! `git commit-graph write` keep: each commit's root tree, parents and
//! time, without inflating the commit. Read with gitoxide's maintained
//! reader (`gix-commitgraph`), not by hand.
//!
//! Only an optimisation: a commit missing from the file (newer than it) is
//! read from the object store, and a file that cannot be opened is not used.

use git2::Oid;
use std::path::Path;

/// One commit as the graph records it.
pub struct GraphCommit {
    pub tree: Oid,
    pub parents: Vec<Oid>,
    pub time: i64,
}

pub struct CommitGraph {
    graph: gix_commitgraph::Graph,
}

impl CommitGraph {
    /// The repository's commit-graph, if it has one that can be read.
    pub fn open(objects: &Path) -> Option<CommitGraph> {
        let info = objects.join("info");
        let graph = gix_commitgraph::at(&info, gix_hash::Kind::Sha1, Some(256 << 20)).ok()?;
        Some(CommitGraph { graph })
    }

    /// The commit, if the graph has it and its entry reads cleanly.
    pub fn get(&self, oid: Oid) -> Option<GraphCommit> {
        let id = gix_hash::ObjectId::try_from(oid.as_bytes()).ok()?;
        let commit = self.graph.commit_by_id(id)?;
        let tree = Oid::from_bytes(commit.root_tree_id().as_bytes()).ok()?;
        let time = i64::try_from(commit.committer_timestamp()).ok()?;
        let mut parents = Vec::new();
        for p in commit.iter_parents() {
            let pos = p.ok()?;
            let id = self.graph.id_at(pos);
            parents.push(Oid::from_bytes(id.as_bytes()).ok()?);
        }
        Some(GraphCommit {
            tree,
            parents,
            time,
        })
    }
}
