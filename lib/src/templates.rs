//! Record templates: the ones in `templates/` are built into the binary; a
//! team may add or override its own in `<dir>/templates/NAME.toml` on the
//! records branch.

use crate::error::{Error, Result};
use crate::store::Store;

const BUILT_IN: &[(&str, &str)] = &[
    ("default", include_str!("../../templates/default.toml")),
    ("sre", include_str!("../../templates/sre.toml")),
];

/// The template's text. `name` reaches a path, so it must be a plain word.
pub fn record_template(store: &Store, name: &str) -> Result<String> {
    if name.is_empty()
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(Error::usage(format!(
            "--template '{}': a template name is letters, digits, '-' and '_' only",
            crate::text::inline(name)
        )));
    }
    let own = format!("{}/templates/{name}.toml", store.records_dir);
    if let Some(text) = store.text(&own)? {
        return Ok(text);
    }
    BUILT_IN
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, text)| text.to_string())
        .ok_or_else(|| {
            Error::usage(format!("--template '{name}' does not exist"))
                .hint(format!("built in: {}; or add {own}", names().join(", ")))
        })
}

pub fn names() -> Vec<&'static str> {
    BUILT_IN.iter().map(|(n, _)| *n).collect()
}

/// Templates for reports: Markdown and the wall page.
const REPORTS: &[(&str, &str)] = &[
    ("record.md", include_str!("../../templates/record.md")),
    ("export.md", include_str!("../../templates/export.md")),
    ("report.html", include_str!("../../templates/report.html")),
    ("record.html", include_str!("../../templates/record.html")),
];

/// All report templates, each the repository's own where it has one.
pub fn report_templates(store: &Store) -> Result<Vec<(&'static str, String)>> {
    REPORTS
        .iter()
        .map(|(name, built_in)| {
            let own = format!("{}/templates/{name}", store.records_dir);
            Ok((
                *name,
                store.text(&own)?.unwrap_or_else(|| built_in.to_string()),
            ))
        })
        .collect()
}
