//! Field-by-field differences between two versions of a record, read as
//! plain TOML so hand-added fields show up too.

use serde::Serialize;
use toml::{Table, Value};

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FieldChange {
    /// `severity`, `analysis.root_cause`, `action #2`, `timeline`, …
    pub field: String,
    /// `None` when the field was not there.
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Fields the tool stamps on every write; noise in a history.
const IGNORED: &[&str] = &["updated_at", "analyzed_at"];

/// What changed from `old` to `new` (`None` = the file did not exist or did
/// not parse, which is reported as a single change).
pub fn diff(old: Option<&str>, new: Option<&str>) -> Vec<FieldChange> {
    let parse = |t: Option<&str>| t.map(|t| t.parse::<Table>());
    match (parse(old), parse(new)) {
        (None, Some(Ok(_))) => vec![change("record", None, Some("created".into()))],
        (Some(Ok(_)), None) => vec![change("record", Some("present".into()), None)],
        (Some(Ok(a)), Some(Ok(b))) => {
            let mut out = Vec::new();
            tables(&mut out, "", &a, &b);
            out
        }
        (_, Some(Err(_))) => vec![change("record", None, Some("(does not parse)".into()))],
        (Some(Err(_)), _) => vec![change(
            "record",
            Some("(did not parse)".into()),
            Some("fixed".into()),
        )],
        (None, None) => Vec::new(),
    }
}

fn change(field: &str, from: Option<String>, to: Option<String>) -> FieldChange {
    FieldChange {
        field: field.to_string(),
        from,
        to,
    }
}

fn tables(out: &mut Vec<FieldChange>, prefix: &str, a: &Table, b: &Table) {
    let mut keys: Vec<&String> = a.keys().collect();
    keys.extend(b.keys().filter(|k| !a.contains_key(*k)));
    for key in keys {
        if IGNORED.contains(&key.as_str()) {
            continue;
        }
        let field = format!("{prefix}{key}");
        match (a.get(key), b.get(key)) {
            (x, y) if x == y => {}
            (Some(Value::Table(x)), Some(Value::Table(y))) => {
                tables(out, &format!("{field}."), x, y)
            }
            (x, y) if key == "action_items" => actions(out, x, y),
            (Some(Value::Array(x)), Some(Value::Array(y))) => lists(out, &field, x, y),
            (None, Some(Value::Array(y))) => lists(out, &field, &[], y),
            (x, y) => out.push(change(&field, x.and_then(shown), y.and_then(shown))),
        }
    }
}

/// Lists usually grow: say what was added and removed, not the whole list.
fn lists(out: &mut Vec<FieldChange>, field: &str, a: &[Value], b: &[Value]) {
    for removed in a.iter().filter(|v| !b.contains(v)) {
        out.push(change(field, shown(removed), None));
    }
    for added in b.iter().filter(|v| !a.contains(v)) {
        out.push(change(field, None, shown(added)));
    }
}

/// Action items are matched by their number `n`.
fn actions(out: &mut Vec<FieldChange>, a: Option<&Value>, b: Option<&Value>) {
    let items = |v: Option<&Value>| -> Vec<Table> {
        v.and_then(Value::as_array)
            .map(|arr| arr.iter().filter_map(|t| t.as_table().cloned()).collect())
            .unwrap_or_default()
    };
    let (a, b) = (items(a), items(b));
    let n = |t: &Table| t.get("n").and_then(Value::as_integer).unwrap_or(0);
    for new in &b {
        let field = format!("action #{}", n(new));
        match a.iter().find(|old| n(old) == n(new)) {
            None => out.push(change(&field, None, new.get("text").and_then(shown))),
            Some(old) => {
                let mut inner = Vec::new();
                tables(&mut inner, "", old, new);
                for c in inner {
                    // `action #2: open → done` reads better than `action #2.status`.
                    let name = if c.field == "status" {
                        field.clone()
                    } else {
                        format!("{field} {}", c.field)
                    };
                    out.push(FieldChange { field: name, ..c });
                }
            }
        }
    }
    for old in a.iter().filter(|old| !b.iter().any(|new| n(new) == n(old))) {
        out.push(change(
            &format!("action #{}", n(old)),
            old.get("text").and_then(shown),
            None,
        ));
    }
}

fn shown(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if s.is_empty() => None,
        Value::String(s) => Some(s.clone()),
        Value::Table(t) => Some(
            t.iter()
                .filter_map(|(k, v)| shown(v).map(|v| format!("{k}={v}")))
                .collect::<Vec<_>>()
                .join(" "),
        ),
        other => Some(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_lists_and_actions() {
        let a = "severity = \"SEV2\"\nassignee = \"\"\nupdated_at = 1\n[analysis]\nlessons = [\"x\"]\n[[action_items]]\nn = 1\ntext = \"t\"\nstatus = \"open\"\n";
        let b = "severity = \"SEV1\"\nassignee = \"Bob\"\nupdated_at = 2\n[analysis]\nlessons = [\"x\", \"y\"]\n[[action_items]]\nn = 1\ntext = \"t\"\nstatus = \"done\"\n[[action_items]]\nn = 2\ntext = \"new\"\nstatus = \"open\"\n";
        let got: Vec<String> = diff(Some(a), Some(b))
            .iter()
            .map(|c| {
                format!(
                    "{}: {} → {}",
                    c.field,
                    c.from.as_deref().unwrap_or("(none)"),
                    c.to.as_deref().unwrap_or("(none)")
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                "severity: SEV2 → SEV1",
                "assignee: (none) → Bob",
                "analysis.lessons: (none) → y",
                "action #1: open → done",
                "action #2: (none) → new",
            ]
        );
    }
}
