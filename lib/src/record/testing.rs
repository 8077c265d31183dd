//! Test-only: records built from a few lines of TOML.

use super::Record;
use super::parse::parse_record;

/// A record from top-level TOML lines (then any tables); `status`,
/// `severity` and `created_at` get defaults when not given.
pub fn record(id: &str, fields: &str) -> Record {
    let top = fields.split("\n[").next().unwrap_or("");
    let mut text = format!("schema = 1\nid = \"{id}\"\ntitle = \"t\"\n");
    for (key, default) in [
        ("status", "\"open\""),
        ("severity", "\"SEV3\""),
        ("created_at", "2026-11-01T10:00:00+09:00"),
    ] {
        if !top
            .lines()
            .any(|l| l.trim_start().starts_with(&format!("{key} =")))
        {
            text.push_str(&format!("{key} = {default}\n"));
        }
    }
    text.push_str(fields);
    parse_record(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}
