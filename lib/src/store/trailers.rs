//! Commit-message trailers (`Key: value` lines in the last paragraph), read
//! by git's own rules through libgit2 (`git_message_trailers`): the one
//! parser for `Postmortem-Action:` and `Fixes-Postmortem:`.

use crate::record::id::check_query;

/// The values of every `key` trailer in `message`, in order.
pub fn values(message: &str, key: &str) -> Vec<String> {
    let Ok(trailers) = git2::message_trailers_strs(message) else {
        return Vec::new();
    };
    trailers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.trim().to_string())
        .collect()
}

/// The last value of `key`, if the message has that trailer.
pub fn last(message: &str, key: &str) -> Option<String> {
    values(message, key).pop()
}

/// A trailer that says a commit fixes a post-mortem's action item: any
/// `Fixes-Postmortem:`, and a `Fixes:` that names a `PM-` ID (other
/// `Fixes:` trailers belong to other tools: issues, commits).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixTrailer {
    /// As written: `Fixes-Postmortem` or `Fixes`.
    pub key: String,
    /// On one line.
    pub value: String,
    /// Its line in the message, counting the subject as 1.
    pub line: usize,
}

impl FixTrailer {
    /// `Fixes-Postmortem: k7x3#2`, as a person would search for it.
    pub fn text(&self) -> String {
        format!("{}: {}", self.key, self.value)
    }

    /// The items it names, each as typed, or why a part names none.
    pub fn items(&self) -> Vec<Named> {
        let ours = self.key.eq_ignore_ascii_case(FIXES_POSTMORTEM);
        self.value
            .split([',', ' ', '\t'])
            .filter(|t| !t.is_empty())
            // In a plain `Fixes:`, only the `PM-` parts are ours.
            .filter(|t| ours || starts_with_pm(t))
            .map(named)
            .collect()
    }
}

/// What one part of a fix trailer names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Named {
    /// `ID#N` (any unique prefix of the ID, or its random part).
    Item { query: String, n: u32 },
    /// Why it names no item.
    Nothing(String),
}

const FIXES_POSTMORTEM: &str = "Fixes-Postmortem";

fn starts_with_pm(t: &str) -> bool {
    t.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("PM-"))
}

fn named(part: &str) -> Named {
    let bad = || {
        Named::Nothing(format!(
            "'{}' is not ID#N (e.g. PM-20261123-k7x3q4mz#2 or k7x3#2)",
            crate::text::inline(part)
        ))
    };
    let Some((query, n)) = part.rsplit_once('#') else {
        return bad();
    };
    match (check_query(query), n.parse::<u32>()) {
        (Ok(q), Ok(n)) => Named::Item {
            query: q.to_string(),
            n,
        },
        _ => bad(),
    }
}

/// The fix trailers of a message, in order.
pub fn fix_trailers(message: &str) -> Vec<FixTrailer> {
    let Ok(trailers) = git2::message_trailers_strs(message) else {
        return Vec::new();
    };
    let lines: Vec<&str> = message.lines().collect();
    let mut from = 0;
    let mut out = Vec::new();
    for (key, value) in trailers.iter() {
        let ours = key.eq_ignore_ascii_case(FIXES_POSTMORTEM)
            || (key.eq_ignore_ascii_case("Fixes")
                && value.split([',', ' ', '\t']).any(starts_with_pm));
        // Its line: the next one, from the last found, that starts with
        // the key (the trailer block is read in order).
        let at = lines[from.min(lines.len())..]
            .iter()
            .position(|l| {
                l.get(..key.len())
                    .is_some_and(|k| k.eq_ignore_ascii_case(key))
            })
            .map(|i| from + i);
        if let Some(i) = at {
            from = i + 1;
        }
        if ours {
            out.push(FixTrailer {
                key: key.to_string(),
                value: crate::error::one_line(value),
                line: at.map_or(1, |i| i + 1),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_trailer_block_counts() {
        let m = "subject\n\nbody says Fixes-Postmortem: not this\n\nPostmortem-Id: PM-1\nFixes-Postmortem: PM-2#1, PM-3#2\n";
        assert_eq!(super::values(m, "fixes-postmortem"), ["PM-2#1, PM-3#2"]);
        assert_eq!(super::last(m, "Postmortem-Id").as_deref(), Some("PM-1"));
        assert_eq!(super::last("no trailers", "Postmortem-Id"), None);
    }

    #[test]
    fn fix_trailers_are_ours_and_fixes_naming_an_id() {
        let m = "fix pool\n\nbody\n\nFixes: #123\nFixes: PM-20261124-abcd1234#2\nfixes-postmortem: k7x3#1, oops\nSigned-off-by: A <a@x>\n";
        let found = fix_trailers(m);
        assert_eq!(
            found.iter().map(|t| (t.text(), t.line)).collect::<Vec<_>>(),
            [
                ("Fixes: PM-20261124-abcd1234#2".to_string(), 6),
                ("fixes-postmortem: k7x3#1, oops".to_string(), 7)
            ]
        );
        assert_eq!(
            found[1].items(),
            [
                Named::Item {
                    query: "k7x3".into(),
                    n: 1
                },
                Named::Nothing("'oops' is not ID#N (e.g. PM-20261123-k7x3q4mz#2 or k7x3#2)".into())
            ]
        );
        // In a plain `Fixes:`, only the PM- parts count.
        let mixed = fix_trailers("x\n\nFixes: #12, PM-20261124-abcd1234\n");
        assert_eq!(mixed[0].items().len(), 1);
        assert!(matches!(mixed[0].items()[0], Named::Nothing(_)));
    }
}
