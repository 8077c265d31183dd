//! Deploys: what went to production, when, for which service, and whether
//! it was planned. They come from tags that match the team's patterns
//! (`[deploys] tags` in the config) and from CI's JSON lines, imported
//! with `deploys import` and kept on the records branch beside the
//! records (`<dir>/deploys.jsonl`). Pure: the store reads tags and the
//! file, this module says what they mean.

use crate::record::Timestamp;
use serde::{Deserialize, Serialize};

/// The file, relative to the records folder, that imported deploys live in.
pub const FILE: &str = "deploys.jsonl";

/// Where a deploy was learnt from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Tag,
    Import,
}

/// An incident and the deploys it is tied to (indexes into a list of
/// deploys): what the figures count.
#[derive(Debug, Clone, Copy, Default)]
pub struct Links {
    pub cause: Option<usize>,
    pub remedy: Option<usize>,
}

/// One deploy of one service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deploy {
    pub service: String,
    /// The deployed commit's full id.
    pub commit: String,
    pub at: Timestamp,
    /// A hotfix or rollback (a tag matching `[deploys] unplanned`, or an
    /// imported line marked so). A deploy linked to an incident as its
    /// remedy is unplanned too; figures add that.
    pub unplanned: bool,
    /// The tag's name, or the id CI gave the deploy (empty when none).
    pub name: String,
    pub source: Source,
}

impl Deploy {
    /// How commands name it: the tag or CI id, else the short commit.
    pub fn shown(&self) -> String {
        if self.name.is_empty() {
            self.commit.get(..12).unwrap_or(&self.commit).to_string()
        } else {
            self.name.clone()
        }
    }

    /// Whether `reference` (as a person typed it) names this deploy by its
    /// tag or CI id.
    pub fn is_named(&self, reference: &str) -> bool {
        !self.name.is_empty()
            && (self.name == reference || format!("refs/tags/{}", self.name) == reference)
    }
}

/// A tag pattern: `*` is any run of characters but `/`; `{service}` is
/// one too, and names the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagPattern(String);

impl TagPattern {
    pub fn new(pattern: &str) -> TagPattern {
        TagPattern(pattern.trim().trim_start_matches("refs/tags/").to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether it captures the service (`{service}`) or needs one given.
    pub fn names_service(&self) -> bool {
        self.0.contains("{service}")
    }

    /// The literal part before the first wildcard: `git for-each-ref`
    /// lists only the tags under it.
    pub fn prefix(&self) -> &str {
        let end = self.0.find(['*', '{', '?', '[']).unwrap_or(self.0.len());
        let literal = &self.0[..end];
        // Up to the last `/`: for-each-ref matches whole path components.
        literal.rfind('/').map_or("", |i| &literal[..=i])
    }

    /// Whether `tag` matches; a pattern without `/` (`*hotfix*`) is
    /// matched against the tag's last component.
    pub fn matches(&self, tag: &str) -> bool {
        if self.0.contains('/') {
            return self.capture(tag).is_some();
        }
        self.capture(tag.rsplit('/').next().unwrap_or(tag))
            .is_some()
    }

    /// `Some(service)` when `tag` matches (`""` when the pattern has no
    /// `{service}`).
    pub fn capture<'t>(&self, tag: &'t str) -> Option<&'t str> {
        let (before, after) = match self.0.split_once("{service}") {
            Some((b, a)) => (b, Some(a)),
            None => (self.0.as_str(), None),
        };
        let Some(after) = after else {
            return glob(before, tag).then_some("");
        };
        // The service is one path component: try each split of the tag.
        (0..=tag.len())
            .filter(|&i| tag.is_char_boundary(i) && glob(before, &tag[..i]))
            .find_map(|i| {
                let rest = &tag[i..];
                let end = rest.find('/').unwrap_or(rest.len());
                (1..=end)
                    .filter(|&j| rest.is_char_boundary(j))
                    .find(|&j| glob(after, &rest[j..]))
                    .map(|j| &rest[..j])
            })
    }
}

/// `*` matches any run of characters but `/`; everything else itself.
fn glob(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, tail)) => {
            let Some(rest) = text.strip_prefix(head) else {
                return false;
            };
            let limit = rest.find('/').unwrap_or(rest.len());
            (0..=limit)
                .filter(|&i| rest.is_char_boundary(i))
                .any(|i| glob(tail, &rest[i..]))
        }
    }
}

/// One line of `deploys import`, as CI writes it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    #[serde(default)]
    service: Option<String>,
    commit: String,
    #[serde(alias = "time")]
    at: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    unplanned: bool,
}

/// A line read, its commit still as CI wrote it (the store checks it).
#[derive(Debug, Clone)]
pub struct Imported {
    pub line: usize,
    pub deploy: Deploy,
}

/// Reads CI's JSON lines (blank lines skipped); the first bad line is the
/// error, as `FILE:LINE: field: what to do`. `service` fills lines that
/// name none (the config's single service); `unplanned` marks them all.
pub fn parse_lines(
    file: &str,
    text: &str,
    service: Option<&str>,
    unplanned: bool,
) -> Result<Vec<Imported>, String> {
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let bad = |what: String| format!("{file}:{n}: {what}");
        let line: Line = serde_json::from_str(raw).map_err(|e| {
            bad(format!(
                "{}; each line is {{\"service\": …, \"commit\": …, \"at\": RFC 3339, \"id\": …, \"unplanned\": true|false}}",
                crate::error::one_line(&e.to_string())
            ))
        })?;
        let service = match line.service.as_deref().map(str::trim) {
            Some(s) if !s.is_empty() => s.to_string(),
            _ => service.map(str::to_string).ok_or_else(|| {
                bad("field 'service' is missing: give it, or set `service` under [deploys] in the config".into())
            })?,
        };
        let commit = line.commit.trim().to_ascii_lowercase();
        if commit.len() < 7 || commit.len() > 64 || !commit.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(bad(format!(
                "field 'commit': '{}' is not a commit id (7 to 40 hex digits)",
                crate::text::inline(&line.commit)
            )));
        }
        let at = chrono::DateTime::parse_from_rfc3339(line.at.trim()).map_err(|_| {
            bad(format!(
                "field 'at': '{}' is not an RFC 3339 time with an offset, e.g. 2026-11-23T09:12:00+09:00",
                crate::text::inline(&line.at)
            ))
        })?;
        out.push(Imported {
            line: n,
            deploy: Deploy {
                service,
                commit,
                at: Timestamp(at),
                unplanned: line.unplanned || unplanned,
                name: line.id.unwrap_or_default().trim().to_string(),
                source: Source::Import,
            },
        });
    }
    Ok(out)
}

/// The stored file's deploys (written by [`render`]); a line that does not
/// read is skipped and its number returned, to be said.
pub fn read_stored(text: &str) -> (Vec<Deploy>, Vec<usize>) {
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        match parse_lines("", raw, None, false) {
            Ok(mut one) if one.len() == 1 => out.push(one.remove(0).deploy),
            _ => bad.push(i + 1),
        }
    }
    (out, bad)
}

/// The stored file: one line per deploy, in time order.
pub fn render(deploys: &[Deploy]) -> String {
    let mut sorted: Vec<&Deploy> = deploys.iter().collect();
    sorted.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.service.cmp(&b.service)));
    let mut out = String::new();
    for d in sorted {
        let line = serde_json::json!({
            "service": d.service,
            "commit": d.commit,
            "at": crate::time::format_rfc3339(&d.at.0),
            "id": d.name,
            "unplanned": d.unplanned,
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    out
}

/// Two reports of one deploy (a tag and CI's line for it; an import run
/// twice): the same service and commit within this many seconds.
const SAME_DEPLOY_SECONDS: i64 = 600;

/// Whether `a` and `b` are one deploy told twice.
pub fn same(a: &Deploy, b: &Deploy) -> bool {
    a.service == b.service
        && a.commit == b.commit
        && (a.at.0 - b.at.0).num_seconds().abs() <= SAME_DEPLOY_SECONDS
}

/// Every deploy once, in time order: a deploy both tagged and imported
/// is kept once (the tag's name, unplanned if either says so).
pub fn merged(mut all: Vec<Deploy>) -> Vec<Deploy> {
    all.sort_by(|a, b| {
        (a.service.as_str(), a.at, a.source as u8).cmp(&(b.service.as_str(), b.at, b.source as u8))
    });
    let mut out: Vec<Deploy> = Vec::with_capacity(all.len());
    for d in all {
        // Same service, sorted by time: a repeat is among the last few.
        let twin = out
            .iter_mut()
            .rev()
            .take_while(|o| o.service == d.service)
            .take_while(|o| (d.at.0 - o.at.0).num_seconds() <= SAME_DEPLOY_SECONDS)
            .find(|o| same(o, &d));
        match twin {
            Some(o) => o.unplanned |= d.unplanned,
            None => out.push(d),
        }
    }
    out.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.service.cmp(&b.service)));
    out
}

/// Two clones' imports since `base`, joined: every deploy either side
/// has, but one that a side removed since `base` (a hand correction) stays
/// out. `None` when a side does not read (the person settles it).
pub fn joined(base: Option<&str>, mine: &str, theirs: &str) -> Option<String> {
    let read = |t: &str| {
        let (d, bad) = read_stored(t);
        bad.is_empty().then_some(d)
    };
    let base = read(base.unwrap_or(""))?;
    let (mine, theirs) = (read(mine)?, read(theirs)?);
    let removed =
        |d: &Deploy| base.iter().any(|b| b == d) && !(mine.contains(d) && theirs.contains(d));
    let mut all: Vec<Deploy> = theirs.iter().filter(|d| !removed(d)).cloned().collect();
    for d in mine.iter().filter(|d| !removed(d)) {
        if !all.iter().any(|a| same(a, d)) {
            all.push(d.clone());
        }
    }
    Some(render(&all))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_service_pattern_captures_one_path_component() {
        let p = TagPattern::new("deploy/prod/{service}/*");
        assert_eq!(p.capture("deploy/prod/api/2026-11-02"), Some("api"));
        assert_eq!(p.capture("deploy/prod/api/x/y"), None);
        assert_eq!(p.capture("deploy/staging/api/1"), None);
        assert_eq!(p.prefix(), "deploy/prod/");
        let single = TagPattern::new("v*");
        assert_eq!(single.capture("v1.2.0"), Some(""));
        assert_eq!(single.capture("release-1"), None);
        assert_eq!(single.prefix(), "");
        assert!(!single.names_service());
        let hotfix = TagPattern::new("deploy/prod/*/hotfix-*");
        assert_eq!(hotfix.capture("deploy/prod/api/hotfix-3"), Some(""));
        assert_eq!(hotfix.capture("deploy/prod/api/42"), None);
    }

    #[test]
    fn a_bad_line_is_named_by_file_line_and_field() {
        let text = "{\"service\":\"api\",\"commit\":\"abcdef1\",\"at\":\"2026-11-02T10:00:00+09:00\"}\n\n{\"service\":\"api\",\"commit\":\"abcdef1\",\"at\":\"yesterday\"}\n";
        let err = parse_lines("ci.jsonl", text, None, false).unwrap_err();
        assert!(
            err.starts_with("ci.jsonl:3: field 'at': 'yesterday'"),
            "{err}"
        );
        let err = parse_lines(
            "ci.jsonl",
            "{\"commit\":\"zz\",\"at\":\"x\"}",
            Some("api"),
            false,
        )
        .unwrap_err();
        assert!(err.starts_with("ci.jsonl:1: field 'commit'"), "{err}");
        let err = parse_lines(
            "ci.jsonl",
            "{\"commit\":\"abcdef1\",\"at\":\"2026-11-02T10:00:00Z\"}",
            None,
            false,
        )
        .unwrap_err();
        assert!(err.contains("field 'service' is missing"), "{err}");
    }

    #[test]
    fn stored_lines_read_back_as_written() {
        let text = "{\"service\":\"api\",\"commit\":\"abcdef1\",\"at\":\"2026-11-02T10:00:00+09:00\",\"id\":\"ci-1\",\"unplanned\":true}\n";
        let read = parse_lines("f", text, None, false).unwrap();
        let deploys: Vec<Deploy> = read.into_iter().map(|i| i.deploy).collect();
        assert_eq!(read_stored(&render(&deploys)).0, deploys);
    }

    #[test]
    fn two_clones_imports_join_and_a_removal_stays_removed() {
        let line = |id: &str, day: u32| {
            format!(
                "{{\"service\":\"api\",\"commit\":\"abcdef{day}\",\"at\":\"2026-11-{day:02}T10:00:00+09:00\",\"id\":\"{id}\",\"unplanned\":false}}\n"
            )
        };
        let base = format!("{}{}", line("a", 1), line("b", 2));
        let mine = format!("{}{}{}", line("a", 1), line("b", 2), line("c", 3));
        // Theirs removed b and added d.
        let theirs = format!("{}{}", line("a", 1), line("d", 4));
        let joined = joined(Some(&base), &mine, &theirs).unwrap();
        let ids: Vec<String> = read_stored(&joined).0.into_iter().map(|d| d.name).collect();
        assert_eq!(ids, ["a", "c", "d"]);
    }

    #[test]
    fn a_tag_and_cis_line_for_one_deploy_count_once() {
        let at = |s: &str| Timestamp(chrono::DateTime::parse_from_rfc3339(s).unwrap());
        let d = |name: &str, t: &str, source, unplanned| Deploy {
            service: "api".into(),
            commit: "abc".into(),
            at: at(t),
            unplanned,
            name: name.into(),
            source,
        };
        let all = merged(vec![
            d("ci-9", "2026-11-02T10:03:00+09:00", Source::Import, true),
            d(
                "deploy/prod/api/1",
                "2026-11-02T10:00:00+09:00",
                Source::Tag,
                false,
            ),
            // The same commit again a day later: a redeploy, counted.
            d("ci-10", "2026-11-03T10:00:00+09:00", Source::Import, false),
        ]);
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].name, "deploy/prod/api/1");
        assert!(all[0].unplanned);
    }
}
