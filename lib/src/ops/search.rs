//! `search`: which post-mortems mention a word? Full text over titles,
//! summaries, impact, analysis, timeline and action items, Hangul
//! included; case-insensitive for scripts with case.
//!
//! Fast at 100k records the way grep is: every record's bytes in the
//! whole-record cache are scanned for the words (in parallel, folded to
//! lower case), and only the records that hold all of them are decoded
//! to say which fields matched.

use crate::record::Record;
use crate::text::fold;
use serde::Serialize;

/// How words must appear.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Anywhere, as part of a longer word too ("pool" finds "connection-pool").
    Substring,
    /// As a whole word: not inside a longer run of letters or digits.
    Word,
}

/// One field of a record that matched, with the text around the match.
#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub field: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Found {
    pub id: String,
    pub title: String,
    pub status: crate::record::Status,
    pub severity: String,
    pub path: String,
    pub matches: Vec<Hit>,
    /// When the incident began: results are newest first.
    #[serde(skip)]
    pub began: chrono::DateTime<chrono::FixedOffset>,
}

/// The query, folded once.
pub struct Query {
    words: Vec<String>,
    mode: Mode,
    /// Every word is ASCII or caseless (Hangul): folding the text's ASCII
    /// letters is enough, and much cheaper than Unicode lower-casing.
    ascii_fold: bool,
    /// Then each word as an ASCII-case-insensitive searcher over raw file
    /// bytes: no lower-cased copy of every file.
    raw: Vec<aho_corasick::AhoCorasick>,
    /// Each word's searcher over folded text, made once, not per field.
    finders: Vec<memchr::memmem::Finder<'static>>,
}

impl Query {
    pub fn new(words: &[String], mode: Mode) -> Query {
        let words: Vec<String> = words
            .iter()
            .flat_map(|w| w.split_whitespace())
            .map(fold)
            .filter(|w| !w.is_empty())
            .collect();
        let caseless =
            |c: char| c.is_ascii() || (c.to_lowercase().eq([c]) && c.to_uppercase().eq([c]));
        let ascii_fold = words.iter().all(|w| w.chars().all(caseless));
        let raw = if ascii_fold {
            words
                .iter()
                .filter_map(|w| {
                    aho_corasick::AhoCorasick::builder()
                        .ascii_case_insensitive(true)
                        .build([w.as_bytes()])
                        .ok()
                })
                .collect()
        } else {
            Vec::new()
        };
        let finders = words
            .iter()
            .map(|w| memchr::memmem::Finder::new(w.as_bytes()).into_owned())
            .collect();
        Query {
            ascii_fold,
            raw,
            finders,
            words,
            mode,
        }
    }

    /// Could a record whose cached encoding is `bytes` hold every word?
    /// (A fast first look; the fields decide.) The encoding stores every
    /// string verbatim between length prefixes, so a word in a field is a
    /// run of these bytes; a prefix that is not UTF-8 only ever becomes a
    /// replacement character between strings.
    fn may_match(&self, bytes: &[u8]) -> bool {
        if self.ascii_fold && self.raw.len() == self.words.len() {
            // Words that are ASCII or caseless differ between NFC and
            // other forms only in decomposed Hangul (conjoining jamo,
            // U+1100–U+11FF, as macOS types it): only such a record is
            // composed first. A byte scan, not a per-character check.
            if has_conjoining_jamo(bytes) {
                let text = String::from_utf8_lossy(bytes);
                let text = crate::text::composed(&text);
                return self.raw.iter().all(|m| m.is_match(text.as_bytes()));
            }
            self.raw.iter().all(|m| m.is_match(bytes))
        } else {
            self.all_in(&self.fold_text(&String::from_utf8_lossy(bytes)))
        }
    }

    /// `text` folded as this query needs.
    fn fold_text<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        if let std::borrow::Cow::Owned(nfc) = crate::text::composed(text) {
            return std::borrow::Cow::Owned(self.fold_text(&nfc).into_owned());
        }
        if self.ascii_fold {
            if text.bytes().any(|b| b.is_ascii_uppercase()) {
                std::borrow::Cow::Owned(text.to_ascii_lowercase())
            } else {
                std::borrow::Cow::Borrowed(text)
            }
        } else {
            std::borrow::Cow::Owned(text.to_lowercase())
        }
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Where word `i` first occurs in already folded text, honouring the mode.
    fn find_in(&self, folded: &str, i: usize) -> Option<usize> {
        let (finder, len) = (&self.finders[i], self.words[i].len());
        let mut from = 0;
        while let Some(found) = finder.find(&folded.as_bytes()[from..]) {
            let at = from + found;
            if self.mode == Mode::Substring || is_word_at(folded, at, len) {
                return Some(at);
            }
            from = at + len.max(1);
        }
        None
    }

    fn all_in(&self, folded: &str) -> bool {
        (0..self.words.len()).all(|i| self.find_in(folded, i).is_some())
    }
}

/// Conjoining Hangul jamo are U+1100–U+11FF: in UTF-8, 0xE1 then 0x84–0x87.
fn has_conjoining_jamo(bytes: &[u8]) -> bool {
    memchr::memchr_iter(0xE1, bytes).any(|i| matches!(bytes.get(i + 1), Some(0x84..=0x87)))
}

fn is_word_at(text: &str, at: usize, len: usize) -> bool {
    let before = text[..at].chars().next_back();
    let after = text[at + len..].chars().next();
    !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric)
}

/// Searches the records on the records branch, keeping those that `keep`
/// accepts, newest first. Through the whole-record cache: only records
/// whose cached bytes can hold every word are decoded (see
/// `store::read::load_matching`), and each is searched on the thread that
/// decoded it and let go, so a word in every record never holds 100k
/// whole records. With the short form of every ID on the branch, for
/// showing them. Unreadable files are skipped (reads report them).
pub fn search_store(
    store: &crate::store::Store,
    query: &Query,
    keep: &(dyn Fn(&Record) -> bool + Sync),
) -> crate::error::Result<(Vec<Found>, crate::record::id::ShortIds)> {
    use crate::store::read::{Detail, load_mapped};
    let records_dir = store.records_dir.as_str();
    let search = |r: Record| {
        if !keep(&r) {
            return None;
        }
        let path = crate::record::id::RecordId::parse(&r.id)
            .map_or_else(|| r.id.clone(), |id| id.path_in(records_dir));
        found_in(&r, &path, query)
    };
    let matched = load_mapped(
        store,
        Detail::Full,
        &|bytes| query.may_match(bytes),
        &search,
    )?;
    let mut found = matched.records;
    found.sort_by(|a, b| b.began.cmp(&a.began).then_with(|| a.id.cmp(&b.id)));
    Ok((found, matched.ids))
}

/// Searches records already in memory (`--at`: read from git objects).
pub fn search_records(records: Vec<Record>, query: &Query) -> Vec<Found> {
    records
        .into_iter()
        .filter_map(|r| found_in(&r, &r.id, query))
        .collect()
}

/// A searched field, named in words only when it matched.
#[derive(Clone, Copy)]
enum Field {
    Named(&'static str),
    Timeline(u32),
    Action(u32),
}

impl Field {
    fn name(self) -> String {
        match self {
            Field::Named(name) => name.to_string(),
            Field::Timeline(n) => format!("timeline#{n}"),
            Field::Action(n) => format!("action#{n}"),
        }
    }
}

/// The fields of `r` where the words occur; `None` unless every word
/// occurs in some field (the file may have matched in a comment or key).
fn found_in(r: &Record, path: &str, query: &Query) -> Option<Found> {
    let mut fields: Vec<(Field, &str)> = vec![
        (Field::Named("title"), r.title.as_str()),
        (Field::Named("summary"), r.summary.as_str()),
        (Field::Named("impact"), r.impact.description.as_str()),
        (Field::Named("trigger"), r.analysis.trigger.as_str()),
        (Field::Named("root_cause"), r.analysis.root_cause.as_str()),
        (
            Field::Named("no_action_reason"),
            r.analysis.no_action_reason.as_str(),
        ),
    ];
    let lists = [
        ("contributing_factors", &r.analysis.contributing_factors),
        ("five_whys", &r.analysis.five_whys),
        ("went_well", &r.analysis.went_well),
        ("went_wrong", &r.analysis.went_wrong),
        ("lucky", &r.analysis.lucky),
        ("lessons", &r.analysis.lessons),
        ("services", &r.services),
        ("tags", &r.tags),
    ];
    for (name, items) in lists {
        fields.extend(items.iter().map(|t| (Field::Named(name), t.as_str())));
    }
    for (n, _, e) in r.timeline_in_order() {
        fields.push((Field::Timeline(n), e.text.as_str()));
    }
    for a in &r.action_items {
        fields.push((Field::Action(a.n), a.text.as_str()));
    }
    let mut hits = Vec::new();
    let mut seen = vec![false; query.words.len()];
    for (field, text) in fields {
        let folded = query.fold_text(text);
        let mut hit_at = None;
        for (i, seen) in seen.iter_mut().enumerate() {
            if let Some(at) = query.find_in(&folded, i) {
                *seen = true;
                hit_at.get_or_insert(at);
            }
        }
        if let Some(at) = hit_at {
            hits.push(Hit {
                field: field.name(),
                text: snippet(text, &folded, at),
            });
        }
    }
    if !seen.iter().all(|s| *s) {
        return None;
    }
    Some(Found {
        id: r.id.clone(),
        title: r.title.clone(),
        status: r.status,
        severity: r.severity.clone(),
        path: path.to_string(),
        matches: hits,
        began: r.began(),
    })
}

/// About 80 characters of `text` around the match at byte `at` of its
/// folded form (folding keeps character counts, so count characters).
fn snippet(text: &str, folded: &str, at: usize) -> String {
    let char_at = folded[..at.min(folded.len())].chars().count();
    let chars: Vec<char> = text.chars().collect();
    let start = char_at.saturating_sub(30);
    let end = (start + 80).min(chars.len());
    let mut s: String = chars[start..end].iter().collect();
    s = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if start > 0 {
        s.insert(0, '…');
    }
    if end < chars.len() {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn substring_word_and_case() {
        let q = Query::new(&["Pool".into()], Mode::Substring);
        assert!(q.all_in(&q.fold_text("the connection-pool was full")));
        assert!(q.all_in(&q.fold_text("CONNECTIONPOOL")));
        let w = Query::new(&["pool".into()], Mode::Word);
        assert!(w.all_in(&w.fold_text("the connection-pool was full")));
        assert!(!w.all_in(&w.fold_text("connectionpool")));
        let h = Query::new(&["연결".into(), "풀".into()], Mode::Substring);
        assert!(h.ascii_fold);
        assert!(h.all_in(&h.fold_text("DB 연결 풀 고갈")));
        assert!(!h.all_in(&h.fold_text("DB 연결 고갈")));
        // Decomposed Hangul (as macOS types it) finds composed text, and back.
        let nfd: String = unicode_normalization::UnicodeNormalization::nfd("결제").collect();
        assert_ne!(nfd, "결제");
        let q = Query::new(std::slice::from_ref(&nfd), Mode::Substring);
        assert!(q.may_match("결제 서버 장애".as_bytes()));
        let q = Query::new(&["결제".into()], Mode::Substring);
        assert!(q.may_match(format!("{nfd} 서버").as_bytes()));
        let e = Query::new(&["ÉTÉ".into()], Mode::Substring);
        assert!(!e.ascii_fold);
        assert!(e.all_in(&e.fold_text("un ÉTÉ chaud")));
        assert!(e.all_in(&e.fold_text("un été chaud")));
    }
}
