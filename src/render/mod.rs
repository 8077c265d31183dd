//! Turning records into text for people: tables, the readable view,
//! triage and stats, JSON, Markdown and HTML reports, charts. Record text
//! always passes through `postmortem::text::inline` (one line) or `block`
//! on its way to a terminal, so a title cannot carry escape sequences.

pub mod chart;
pub mod deploys;
pub mod digest;
pub mod json;
pub mod parallel;
pub mod report;

pub mod show;
pub mod stats;
pub mod table;
pub mod triage;

/// Every line two spaces in, for a table under a heading.
pub fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

/// `Bob Lee <bob@example.com>` → `Bob Lee`, for narrow columns.
pub fn short_person(p: &str) -> &str {
    postmortem::people::name_of(p)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn short_names() {
        assert_eq!(short_person("Bob Lee <bob@x>"), "Bob Lee");
    }
}
