//! Post-mortem IDs: `PM-YYYYMMDD-xxxxxxxx`, the incident's day (its start,
//! else the day it was written up, in the team's zone) plus 40 bits of
//! lowercase base32 randomness. Random rather than sequential so two
//! people creating records on two clones never collide (adr-tools' bug).

use crate::error::{Command, Error, Result};
use chrono::NaiveDate;
use std::fmt;

const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
pub const SUFFIX_LEN: usize = 8;
/// The length of a whole ID, `PM-YYYYMMDD-xxxxxxxx`.
pub const WHOLE_LEN: usize = "PM-YYYYMMDD-".len() + SUFFIX_LEN;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordId(String);

impl RecordId {
    /// A fresh ID for an incident of `day`.
    pub fn generate(day: NaiveDate) -> Result<RecordId> {
        let mut bytes = [0u8; 5];
        getrandom::fill(&mut bytes)
            .map_err(|e| Error::new(format!("cannot get random bytes for a new ID: {e}")))?;
        let mut bits = bytes.iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let mut suffix = [0u8; SUFFIX_LEN];
        for slot in suffix.iter_mut().rev() {
            *slot = ALPHABET[(bits & 31) as usize];
            bits >>= 5;
        }
        let suffix = String::from_utf8_lossy(&suffix);
        Ok(RecordId(format!("PM-{}-{suffix}", day.format("%Y%m%d"))))
    }

    /// Accepts only the exact shape, so an ID can never smuggle a path.
    pub fn parse(s: &str) -> Option<RecordId> {
        let rest = s.strip_prefix("PM-")?;
        let (day, suffix) = rest.split_once('-')?;
        let ok = day.len() == 8
            && day.bytes().all(|b| b.is_ascii_digit())
            && NaiveDate::parse_from_str(day, "%Y%m%d").is_ok()
            && suffix.len() == SUFFIX_LEN
            && suffix.bytes().all(|b| ALPHABET.contains(&b));
        ok.then(|| RecordId(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `2026/11`: where the record lives under the records directory.
    pub fn month_dir(&self) -> String {
        format!("{}/{}", &self.0[3..7], &self.0[7..9])
    }

    /// `<dir>/2026/11/<id>.toml`: the one place this record lives.
    pub fn path_in(&self, records_dir: &str) -> String {
        format!("{records_dir}/{}/{self}.toml", self.month_dir())
    }

    pub fn suffix(&self) -> &str {
        &self.0[self.0.len() - SUFFIX_LEN..]
    }

    /// Does what a person typed name this record? Any prefix of the full ID
    /// (case-insensitive), or any prefix of the random part alone.
    pub fn matches(&self, query: &str) -> bool {
        let q = query.to_ascii_lowercase();
        let full = self.0.to_ascii_lowercase();
        full.starts_with(&q) || self.suffix().starts_with(&q)
    }
}

/// The shortest unique forms of record IDs, as git abbreviates hashes:
/// the fewest leading characters of the random part (at least
/// [`SHORT_MIN`]) that start no other record's, so every command that
/// takes an ID accepts what a table shows. Made from every ID on the
/// branch, not only those shown: a form unique among ten shown rows may
/// name two records.
#[derive(Debug, Default)]
pub struct ShortIds {
    /// Every random part, as read: copying them is cheap, so every read
    /// may make this; the order below is found only when a table shows
    /// an ID (JSON, figures and one-record commands never pay for it).
    suffixes: Vec<[u8; SUFFIX_LEN]>,
    /// Every whole ID among them (`PM-YYYYMMDD-xxxxxxxx`), as read: what
    /// a short ID in a commit trailer is resolved against, even when a
    /// read decoded only some of the records.
    whole: Vec<[u8; WHOLE_LEN]>,
    /// Each random part with its shortest unique length, sorted; 0 when
    /// another record has the same random part (then the whole ID).
    sorted: std::sync::OnceLock<Vec<([u8; SUFFIX_LEN], u8)>>,
    long: bool,
}

/// Four characters: 20 bits, so a team's thousands of records mostly
/// show as `k7x3`, and one more character where two share a start.
pub const SHORT_MIN: usize = 4;

impl ShortIds {
    pub fn of<'a>(ids: impl IntoIterator<Item = &'a str>) -> ShortIds {
        let mut suffixes = Vec::new();
        let mut whole = Vec::new();
        for id in ids {
            let Some(at) = id.len().checked_sub(SUFFIX_LEN) else {
                continue;
            };
            if let Ok(s) = id.as_bytes()[at..].try_into() {
                suffixes.push(s);
            }
            if id.starts_with("PM-")
                && let Ok(w) = id.as_bytes().try_into()
            {
                whole.push(w);
            }
        }
        ShortIds {
            suffixes,
            whole,
            sorted: Default::default(),
            long: false,
        }
    }

    /// Every whole ID this was made from, in the order read.
    pub fn whole_ids(&self) -> impl Iterator<Item = &str> {
        self.whole
            .iter()
            .filter_map(|w| std::str::from_utf8(w).ok())
    }

    fn sorted(&self) -> &[([u8; SUFFIX_LEN], u8)] {
        self.sorted.get_or_init(|| {
            let mut suffixes = self.suffixes.clone();
            suffixes.sort_unstable();
            let common = |a: &[u8; SUFFIX_LEN], b: &[u8; SUFFIX_LEN]| {
                a.iter().zip(b).take_while(|(x, y)| x == y).count()
            };
            (0..suffixes.len())
                .map(|i| {
                    let s = &suffixes[i];
                    let before = i.checked_sub(1).map_or(0, |j| common(s, &suffixes[j]));
                    let after = suffixes.get(i + 1).map_or(0, |n| common(s, n));
                    let len = before.max(after) + 1;
                    let len = if len > SUFFIX_LEN {
                        0
                    } else {
                        len.max(SHORT_MIN)
                    };
                    (*s, len as u8)
                })
                .collect()
        })
    }

    /// Whole IDs, as `--long` asks.
    pub fn long() -> ShortIds {
        ShortIds {
            long: true,
            ..ShortIds::default()
        }
    }

    /// `id`'s shortest unique form (`k7x3`), or the whole ID when asked for
    /// it, when another record has the same random part, or when `id` was
    /// not among those this was made from.
    pub fn show<'a>(&self, id: &'a str) -> &'a str {
        if self.long || id.len() < SUFFIX_LEN {
            return id;
        }
        let at = id.len() - SUFFIX_LEN;
        let Ok(suffix) = <[u8; SUFFIX_LEN]>::try_from(&id.as_bytes()[at..]) else {
            return id;
        };
        let sorted = self.sorted();
        match sorted.binary_search_by(|(s, _)| s.cmp(&suffix)) {
            Ok(i) if sorted[i].1 > 0 && id.is_char_boundary(at) => {
                &id[at..at + usize::from(sorted[i].1)]
            }
            _ => id,
        }
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks that a typed ID or prefix holds only ID characters before it is
/// used to look anything up.
pub fn check_query(query: &str) -> Result<&str> {
    let q = query.trim();
    if q.is_empty() || !q.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return Err(Error::new(format!(
            "'{}' is not a post-mortem ID: IDs look like PM-20261123-k7x3q4mz (any unique prefix, or the last part alone, works)",
            crate::text::inline(q)
        )));
    }
    Ok(q)
}

/// `PM-20261123-k7x3q4mz#2` (or `k7x3#2`): one action item of one record.
/// The one error for a query that names no record or several. `place` is
/// where it was looked for (`None`: the work tree; `Some("at 1a2b3c4")`).
pub fn unmatched(q: &str, ids: &[&str], place: Option<&str>) -> Error {
    let at = place.map(|p| format!(" {p}")).unwrap_or_default();
    if ids.is_empty() {
        return Error::new(format!("no post-mortem matches '{q}'{at}"))
            .hint_run("the IDs", Command::postmortem(["list", "--all"]));
    }
    let more = if ids.len() > 8 {
        format!(" and {} more", ids.len() - 8)
    } else {
        String::new()
    };
    Error::new(format!(
        "'{q}' matches {} post-mortems{at}: {}{more}; type more of the ID",
        ids.len(),
        ids.iter().take(8).copied().collect::<Vec<_>>().join(", ")
    ))
}

pub fn split_action_ref(s: &str) -> Result<(&str, u32)> {
    let bad = || {
        Error::usage(format!(
            "'{}' is not ID#N: write the record and the item's number, e.g. PM-20261123-k7x3q4mz#1 or k7x3#1",
            crate::text::inline(s)
        ))
    };
    let (id, n) = s.rsplit_once('#').ok_or_else(bad)?;
    let n: u32 = n.parse().map_err(|_| bad())?;
    Ok((check_query(id)?, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_are_unique_among_every_id_and_accepted_by_matches() {
        let ids = [
            "PM-20261101-k7x3q4mz",
            "PM-20261102-k7x3abcd",
            "PM-20261103-abcdefgh",
            "PM-20261104-zzzzzzzz",
            "PM-20261105-zzzzzzzz",
        ];
        let short = ShortIds::of(ids);
        let shown: Vec<&str> = ids.iter().map(|id| short.show(id)).collect();
        assert_eq!(
            shown,
            [
                "k7x3q",
                "k7x3a",
                "abcd",
                "PM-20261104-zzzzzzzz",
                "PM-20261105-zzzzzzzz"
            ]
        );
        for (id, s) in ids.iter().zip(&shown) {
            let named: Vec<&&str> = ids
                .iter()
                .filter(|other| RecordId::parse(other).unwrap().matches(s))
                .collect();
            assert_eq!(named, [id], "{s}");
        }
        assert_eq!(ShortIds::long().show(ids[0]), ids[0]);
        assert_eq!(short.show("PM-20261106-unknownx"), "PM-20261106-unknownx");
    }

    #[test]
    fn generated_ids_parse_and_differ() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let a = RecordId::generate(day).unwrap();
        let b = RecordId::generate(day).unwrap();
        assert_ne!(a, b);
        assert!(a.as_str().starts_with("PM-20261123-"));
        assert_eq!(RecordId::parse(a.as_str()), Some(a.clone()));
        assert_eq!(a.month_dir(), "2026/11");
    }

    #[test]
    fn only_the_exact_shape_parses() {
        for bad in [
            "PM-20261123-../../x",
            "PM-2026112-abcdefgh",
            "PM-20261123-ABCDEFGH",
            "PM-20261323-abcdefgh",
            "x",
        ] {
            assert_eq!(RecordId::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn prefixes_and_suffix_match() {
        let id = RecordId::parse("PM-20261123-k7x3q4mz").unwrap();
        assert!(id.matches("PM-2026"));
        assert!(id.matches("pm-20261123-k7"));
        assert!(id.matches("k7x3"));
        assert!(!id.matches("q4mz"));
        assert!(check_query("../etc").is_err());
        assert_eq!(split_action_ref("k7x3#2").unwrap(), ("k7x3", 2));
        assert!(split_action_ref("k7x3#two").is_err());
    }
}
