//! Reading record text, with errors that point at `line:column`.

use super::model::{Record, SCHEMA};
use std::fmt;
use toml_edit::DocumentMut;

/// A problem at a place in a file. Shown as `path:line:col: message`.
#[derive(Debug, Clone)]
pub struct Located {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl Located {
    pub fn at(text: &str, span: Option<std::ops::Range<usize>>, message: &str) -> Located {
        let (line, col) = span.map_or((1, 1), |s| line_col(text, s.start));
        Located {
            line,
            col,
            message: crate::error::one_line(message),
        }
    }

    pub fn in_file(&self, path: &str) -> String {
        format!("{path}:{self}")
    }
}

impl fmt::Display for Located {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

/// 1-based line and column (in characters, so Hangul counts as one).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    (line, col)
}

pub fn parse_doc(text: &str) -> Result<DocumentMut, Located> {
    text.parse::<DocumentMut>()
        .map_err(|e| Located::at(text, e.span(), e.message()))
}

/// Parses a record and checks what the type system cannot: schema version,
/// non-empty ID, unique action numbers.
pub fn parse_record(text: &str) -> Result<Record, Located> {
    // A leading BOM is part of some editors' UTF-8, not of the TOML.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let record: Record = toml::from_str(text).map_err(|e| {
        conflict_markers(text).unwrap_or_else(|| Located::at(text, e.span(), e.message()))
    })?;
    let fail = |key: &str, message: String| Err(Located::at(text, key_span(text, key), &message));
    if record.schema != SCHEMA {
        return fail(
            "schema",
            format!(
                "schema = {} is not understood by this version (expects {SCHEMA}); upgrade devops",
                record.schema
            ),
        );
    }
    let mut seen = std::collections::HashSet::new();
    for a in &record.action_items {
        if !seen.insert(a.n) {
            return fail("n", format!("action item number {} appears twice", a.n));
        }
    }
    Ok(record)
}

/// A file git left with conflict markers: where the block starts, and
/// what to do (`None`: no conflict block).
pub fn conflict_markers(text: &str) -> Option<Located> {
    let at = text
        .match_indices("<<<<<<< ")
        .find(|(i, _)| *i == 0 || text.as_bytes()[i - 1] == b'\n')?
        .0;
    Some(Located::at(
        text,
        Some(at..at),
        "unresolved merge conflict: keep one value between the <<<<<<< and >>>>>>> lines, \
         then `git add` the file and finish the merge (`git commit`, or `git rebase --continue`)",
    ))
}

/// Where `key = ` first appears, for errors about a value that parsed fine.
fn key_span(text: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if let Some(rest) = trimmed.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            let start = offset + (line.len() - trimmed.len());
            return Some(start..start + key.len());
        }
        offset += line.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_point_at_line_and_column() {
        let e = parse_record("schema = 1\nid = \"x\"\ntitle = \n").unwrap_err();
        assert_eq!((e.line, e.col), (3, 9), "{e}");
        let e = parse_doc("a = 1\n제목 = [1,\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
    }
}
