//! What each deploy tag points at and when it was made: an annotated
//! tag's tagger time, else its commit's committer time.
//!
//! Listing 10k tags (`git for-each-ref`, names and object ids) takes
//! milliseconds; reading the 10k objects behind them for their times is
//! most of `stats`' cost beside the records. An object's commit and time
//! never change, so they are kept in `.git/`, keyed by the object id: a run
//! reads only the objects of tags made since the last one. Delete the file
//! at any time.

use super::{Store, cache_file, graph};
use git2::{ObjectType, Oid};
use std::collections::HashMap;

const KIND: &[u8; 4] = b"TAGT";
const FORMAT: u32 = 1;

/// The commit a tag names (peeled) and its time: seconds and offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub commit: Oid,
    pub seconds: i64,
    pub offset_minutes: i32,
}

impl Stamp {
    pub fn time(&self) -> Option<chrono::DateTime<chrono::FixedOffset>> {
        let offset = chrono::FixedOffset::east_opt(self.offset_minutes * 60)?;
        Some(chrono::DateTime::from_timestamp(self.seconds, 0)?.with_timezone(&offset))
    }
}

/// Each object's stamp (`None`: not a commit or a tag of one); read from
/// the cache, the rest from git, and the cache renewed when any was new.
pub fn stamps(store: &Store, objects: &[Oid]) -> HashMap<Oid, Option<Stamp>> {
    let path = store.repo.commondir().join("devops-postmortem-tags.cache");
    let key = graph::cache_key(store);
    let fingerprint = cache_file::Fingerprint {
        kind: KIND,
        format: FORMAT,
        key: &key,
    };
    let mut known = cache_file::read(&path, &fingerprint)
        .and_then(|p| decode(&p))
        .unwrap_or_default();
    let mut new = false;
    for &o in objects {
        if let std::collections::hash_map::Entry::Vacant(e) = known.entry(o) {
            e.insert(stamp(&store.repo, o));
            new = true;
        }
    }
    if new {
        // An optimisation only: a cache that cannot be written is rebuilt
        // next time.
        let _ = cache_file::write(&path, &fingerprint, &[encode(&known).as_bytes()]);
    }
    known
}

/// What git says of one object.
fn stamp(repo: &git2::Repository, oid: Oid) -> Option<Stamp> {
    let object = repo.find_object(oid, None).ok()?;
    let commit = object.peel_to_commit().ok()?;
    let when = match object.kind() {
        Some(ObjectType::Tag) => object
            .as_tag()
            .and_then(|t| t.tagger())
            .map(|s| s.when())
            .unwrap_or_else(|| commit.committer().when()),
        _ => commit.committer().when(),
    };
    Some(Stamp {
        commit: commit.id(),
        seconds: when.seconds(),
        offset_minutes: when.offset_minutes(),
    })
}

/// Text: one `object commit seconds offset` per line (`-` for no commit).
fn encode(known: &HashMap<Oid, Option<Stamp>>) -> String {
    let mut text = String::with_capacity(known.len() * 96);
    for (o, s) in known {
        match s {
            Some(s) => text.push_str(&format!(
                "{o} {} {} {}\n",
                s.commit, s.seconds, s.offset_minutes
            )),
            None => text.push_str(&format!("{o} -\n")),
        }
    }
    text
}

fn decode(bytes: &[u8]) -> Option<HashMap<Oid, Option<Stamp>>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut out = HashMap::new();
    for line in text.lines() {
        let mut f = line.split(' ');
        let object = Oid::from_str(f.next()?).ok()?;
        let stamp = match f.next()? {
            "-" => None,
            commit => Some(Stamp {
                commit: Oid::from_str(commit).ok()?,
                seconds: f.next()?.parse().ok()?,
                offset_minutes: f.next()?.parse().ok()?,
            }),
        };
        out.insert(object, stamp);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stamps_read_back_as_written() {
        let o = |n: u8| Oid::from_bytes(&[n; 20]).unwrap();
        let mut known = HashMap::new();
        known.insert(
            o(1),
            Some(Stamp {
                commit: o(2),
                seconds: 1_790_000_000,
                offset_minutes: 540,
            }),
        );
        known.insert(o(3), None);
        assert_eq!(decode(encode(&known).as_bytes()), Some(known));
    }
}
