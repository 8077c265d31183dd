//! Three-way, field-aware merge of one record: what `git` calls when two
//! people changed the same record (`devops postmortem merge-driver`).
//!
//! Changes to different fields both survive. Lists of sentences, services
//! and tags, timeline entries and action items are merged item by item
//! (two new action items with the same number: theirs is renumbered).
//! `updated_at` takes the later time and `status` is derived again, so
//! neither conflicts by itself. Only the same field changed two different
//! ways is a conflict: a `Resolver` may settle it (`sync` asks the person,
//! or applies `--take`), and what is left is either reported
//! (`MergeError::Conflicts`) or written between conflict markers for git
//! (`merge_with_markers`). The result is built on "ours", so its layout and
//! comments are kept.
//!
//! An action item's tracker fields (`tracker`, `ref`, `url`,
//! `remote_state`, `closed_by`) are fields like the others: an item filed
//! on one side and finished on the other keeps both; one item filed as two
//! different issues (two clones pushed it) is a conflict on `ref`, the
//! person's to settle.

use super::parse::{Located, parse_record};
use super::status::derived;
use toml::{Table, Value};
use toml_edit::{DocumentMut, Item};

#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// The field as people and `--take` name it: `severity`,
    /// `analysis.root_cause`, `action#2.status`.
    pub field: String,
    /// Ours and theirs as text (`(none)` when absent).
    pub ours: String,
    pub theirs: String,
    /// The values themselves (`None`: absent on that side).
    pub ours_value: Option<Value>,
    pub theirs_value: Option<Value>,
}

/// How one conflict is settled.
#[derive(Debug, Clone, PartialEq)]
pub enum Resolution {
    Ours,
    Theirs,
    /// This value (`None`: remove the field).
    Value(Option<Value>),
}

/// Decides conflicts; `None` leaves one unresolved.
pub type Resolver<'a> = &'a dyn Fn(&Conflict) -> Option<Resolution>;

#[derive(Debug)]
pub enum MergeError {
    /// Which side (`base`, `ours`, `theirs`) does not parse, and where.
    Parse(&'static str, Located),
    Conflicts(Vec<Conflict>),
}

/// The tables of `doc`'s array of tables `key` (their formatting kept).
fn tables_of(doc: &toml_edit::Table, key: &str) -> Vec<toml_edit::Table> {
    doc.get(key)
        .and_then(Item::as_array_of_tables)
        .map(|a| a.iter().cloned().collect())
        .unwrap_or_default()
}

#[cfg(test)]
pub fn merge(base: &str, ours: &str, theirs: &str) -> Result<String, MergeError> {
    merge_resolving(base, ours, theirs, &|_| None)
}

/// For git: conflicts that `resolve` leaves are written into the result
/// between conflict markers (`<<<<<<< ours` … `>>>>>>> theirs`) around the
/// field's line, and returned, so git records the file as unmerged.
pub fn merge_with_markers(
    base: &str,
    ours: &str,
    theirs: &str,
    resolve: Resolver<'_>,
) -> Result<(String, Vec<Conflict>), MergeError> {
    run(base, ours, theirs, resolve, true)
}

/// Merges, settling conflicts with `resolve`; unresolved ones are an error.
pub fn merge_resolving(
    base: &str,
    ours: &str,
    theirs: &str,
    resolve: Resolver<'_>,
) -> Result<String, MergeError> {
    let (text, conflicts) = run(base, ours, theirs, resolve, false)?;
    if conflicts.is_empty() {
        Ok(text)
    } else {
        Err(MergeError::Conflicts(conflicts))
    }
}

fn run(
    base: &str,
    ours: &str,
    theirs: &str,
    resolve: Resolver<'_>,
    mark: bool,
) -> Result<(String, Vec<Conflict>), MergeError> {
    let table = |side: &'static str, text: &str| {
        text.parse::<Table>()
            .map_err(|e| MergeError::Parse(side, Located::at(text, e.span(), e.message())))
    };
    let (b, o, t) = (
        table("base", base)?,
        table("ours", ours)?,
        table("theirs", theirs)?,
    );
    let mut doc: DocumentMut = ours.parse().map_err(|e: toml_edit::TomlError| {
        MergeError::Parse("ours", Located::at(ours, e.span(), e.message()))
    })?;
    let theirs_doc: DocumentMut = theirs.parse().map_err(|e: toml_edit::TomlError| {
        MergeError::Parse("theirs", Located::at(theirs, e.span(), e.message()))
    })?;

    let mut m = Merger {
        conflicts: Vec::new(),
        status_clash: false,
        resolve,
        mark,
        markers: Vec::new(),
    };
    m.table(&[], &b, &o, &t, doc.as_table_mut(), theirs_doc.as_table());
    let mut text = doc.to_string();
    if m.status_clash {
        // Both moved the status: closed wins; otherwise derive it from the
        // merged content, as every command does.
        let closed = [&o, &t]
            .iter()
            .any(|x| x.get("status").and_then(Value::as_str) == Some("closed"));
        let status = if closed {
            "closed".to_string()
        } else {
            match parse_record(&text) {
                Ok(mut r) => {
                    r.status = super::Status::Open;
                    derived(&r).to_string()
                }
                Err(_) => "open".to_string(),
            }
        };
        doc["status"] = toml_edit::value(status);
        text = doc.to_string();
    }
    if approval_outlived(&text, &o, &t) {
        for key in super::review::FIELDS {
            doc.remove(key);
        }
        text = doc.to_string();
    }
    Ok((with_markers(&text, &m.markers), m.conflicts))
}

/// An approval approves the analysis its side held: merged with another
/// analysis (rewritten on the other side meanwhile), it no longer stands,
/// as `analyze --replace` after an approval withdraws it.
fn approval_outlived(merged: &str, o: &Table, t: &Table) -> bool {
    let Ok(m) = merged.parse::<Table>() else {
        return false;
    };
    let review = |side: &Table| super::review::FIELDS.map(|k| side.get(k).cloned());
    let approved = m.get("review").and_then(Value::as_str) == Some("approved");
    approved
        && ![o, t]
            .iter()
            .any(|side| review(side) == review(&m) && side.get("analysis") == m.get("analysis"))
}

/// Replaces each sentinel line with the conflict-marker block for it.
fn with_markers(text: &str, markers: &[Marker]) -> String {
    if markers.is_empty() {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 128);
    for line in text.split_inclusive('\n') {
        match markers.iter().find(|m| line.contains(&m.sentinel)) {
            Some(m) => {
                out.push_str("<<<<<<< ours\n");
                out.push_str(&m.ours);
                out.push_str("=======\n");
                out.push_str(&m.theirs);
                out.push_str(">>>>>>> theirs\n");
            }
            None => out.push_str(line),
        }
    }
    out
}

/// A field left for a person: where it is in the text, and both lines.
struct Marker {
    sentinel: String,
    ours: String,
    theirs: String,
}

/// Counts that people add to (`update --field-reports +3`): changed on
/// both sides, both changes count.
pub const COUNTERS: &[&str] = &["impact.users_affected", "impact.field_reports"];

/// A counter changed on both sides: the base plus both sides' changes
/// (base 7, one side 9, the other 10 → 12). A side without the field
/// counts from zero.
fn counter_sum(
    field: &str,
    b: Option<&Value>,
    o: Option<&Value>,
    t: Option<&Value>,
) -> Option<i64> {
    if !COUNTERS.contains(&field) {
        return None;
    }
    let base = match b {
        None => 0,
        Some(v) => v.as_integer()?,
    };
    let (ours, theirs) = (o?.as_integer()?, t?.as_integer()?);
    let sum = ours
        .checked_sub(base)?
        .checked_add(theirs.checked_sub(base)?)?
        .checked_add(base)?;
    Some(sum.max(0))
}

/// Times the tool stamps: the later one wins, never a conflict.
const TOOL_TIMES: &[&str] = &["updated_at", "analyzed_at", "reopened_at"];

struct Merger<'r> {
    conflicts: Vec<Conflict>,
    status_clash: bool,
    resolve: Resolver<'r>,
    mark: bool,
    markers: Vec<Marker>,
}

/// `key = value` as a line, or nothing for an absent value.
fn line_of(key: &str, item: Option<&Item>) -> String {
    match item.and_then(Item::as_value) {
        Some(v) => {
            let mut v = v.clone();
            v.decor_mut().clear();
            format!("{key} = {v}\n")
        }
        None => String::new(),
    }
}

/// A `toml` value as a `toml_edit` item.
fn item_of(v: &Value) -> Option<Item> {
    let doc: DocumentMut = format!("x = {v}").parse().ok()?;
    doc.get("x").cloned()
}

fn shown(v: Option<&Value>) -> String {
    match v {
        None => "(none)".into(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

fn is_list_of_scalars(v: Option<&Value>) -> bool {
    v.and_then(Value::as_array)
        .is_some_and(|a| a.iter().all(|x| !x.is_table()))
}

impl Merger<'_> {
    /// The same field changed two ways: settled by the resolver, else
    /// marked (for git) and reported.
    fn conflict(
        &mut self,
        field: String,
        key: &str,
        ov: Option<&Value>,
        tv: Option<&Value>,
        out: &mut toml_edit::Table,
        theirs: &toml_edit::Table,
    ) {
        let c = Conflict {
            field,
            ours: shown(ov),
            theirs: shown(tv),
            ours_value: ov.cloned(),
            theirs_value: tv.cloned(),
        };
        match (self.resolve)(&c) {
            Some(Resolution::Ours) => return,
            Some(Resolution::Theirs) => return copy(out, theirs, key),
            Some(Resolution::Value(None)) => {
                out.remove(key);
                return;
            }
            Some(Resolution::Value(Some(v))) => {
                if let Some(item) = item_of(&v) {
                    out.insert(key, item);
                    return;
                }
            }
            None => {}
        }
        if self.mark {
            let sentinel = format!("@@devops-postmortem-conflict-{}@@", self.markers.len());
            self.markers.push(Marker {
                ours: line_of(key, out.get(key)),
                theirs: line_of(key, theirs.get(key)),
                sentinel: sentinel.clone(),
            });
            out.insert(key, toml_edit::value(sentinel));
        }
        self.conflicts.push(c);
    }

    /// Merges `theirs` into `out` (which starts as ours), key by key.
    fn table(
        &mut self,
        path: &[&str],
        b: &Table,
        o: &Table,
        t: &Table,
        out: &mut toml_edit::Table,
        theirs: &toml_edit::Table,
    ) {
        let mut keys: Vec<&String> = o.keys().collect();
        keys.extend(t.keys().filter(|k| !o.contains_key(*k)));
        keys.extend(
            b.keys()
                .filter(|k| !o.contains_key(*k) && !t.contains_key(*k)),
        );
        let review_settled = path.is_empty() && settle_review(b, o, t, out, theirs);
        for key in keys {
            let (bv, ov, tv) = (b.get(key), o.get(key), t.get(key));
            if ov == tv || tv == bv {
                continue; // nothing new from theirs
            }
            if review_settled && super::review::FIELDS.contains(&key.as_str()) {
                continue;
            }
            let field = path
                .iter()
                .copied()
                .chain([key.as_str()])
                .collect::<Vec<_>>()
                .join(".");
            if path.is_empty() && key == "action_items" {
                self.actions(bv, ov, tv, out, theirs);
            } else if path.is_empty() && key == "timeline" {
                merge_entries(out, theirs, key, bv, tv);
            } else if path.is_empty() && TOOL_TIMES.contains(&key.as_str()) {
                if tv.map(|v| v.to_string()) > ov.map(|v| v.to_string()) {
                    copy(out, theirs, key);
                }
            } else if path.is_empty() && key == "status" && ov != bv {
                self.status_clash = true;
            } else if ov == bv {
                copy(out, theirs, key); // only theirs changed it
            } else if let Some(sum) = counter_sum(&field, bv, ov, tv) {
                out.insert(key, toml_edit::value(sum));
            } else if let (Some(Value::Table(bt)), Some(Value::Table(ot)), Some(Value::Table(tt))) =
                (bv.or(Some(&Value::Table(Table::new()))), ov, tv)
            {
                let sub_path: Vec<&str> = path.iter().copied().chain([key.as_str()]).collect();
                if let (Some(out_t), Some(their_t)) = (
                    out.get_mut(key).and_then(Item::as_table_mut),
                    theirs.get(key).and_then(Item::as_table),
                ) {
                    self.table(&sub_path, bt, ot, tt, out_t, their_t);
                } else {
                    self.conflict(field, key, ov, tv, out, theirs);
                }
            } else if is_list_of_scalars(ov) && is_list_of_scalars(tv) {
                merge_list(out, key, bv, ov, tv);
            } else {
                self.conflict(field, key, ov, tv, out, theirs);
            }
        }
    }

    /// Action items. An item is the same item across the three versions
    /// when its number and text match, else its text (the other side
    /// renumbered it), else its number (its text was edited). New items
    /// from theirs that collide with a number of ours are renumbered.
    fn actions(
        &mut self,
        bv: Option<&Value>,
        ov: Option<&Value>,
        tv: Option<&Value>,
        out: &mut toml_edit::Table,
        theirs: &toml_edit::Table,
    ) {
        let (b, o, t) = (action_items(bv), action_items(ov), action_items(tv));
        let their_tables = tables_of(theirs, "action_items");
        let mut next = o.iter().chain(&t).map(number).max().unwrap_or(0) + 1;
        let aot = out
            .entry("action_items")
            .or_insert(Item::ArrayOfTables(toml_edit::ArrayOfTables::new()));
        let Some(aot) = aot.as_array_of_tables_mut() else {
            self.conflicts.push(Conflict {
                field: "action_items".into(),
                ours: "(not a list of tables)".into(),
                theirs: "action items".into(),
                ours_value: ov.cloned(),
                theirs_value: tv.cloned(),
            });
            return;
        };
        for (i, their) in t.iter().enumerate() {
            // Theirs and base share a numbering (theirs was made from base).
            let base = b.iter().find(|x| number(x) == number(their));
            let ours = match base {
                Some(base) => same_item(base, &o).map(|k| &o[k]),
                // Already there, perhaps under another number.
                None => o.iter().find(|x| {
                    let (mut x, mut y) = ((*x).clone(), their.clone());
                    x.remove("n");
                    y.remove("n");
                    x == y
                }),
            };
            match (base, ours) {
                (None, Some(_)) => {} // the same new item on both sides
                (None, None) => {
                    if let Some(mut table) = their_tables.get(i).cloned() {
                        if o.iter().any(|x| number(x) == number(their)) {
                            // Both added a new item with this number.
                            table["n"] = toml_edit::value(next);
                            next += 1;
                        }
                        aot.push(table);
                    }
                }
                (Some(base), Some(ours)) => {
                    if let Some(their_t) = their_tables.get(i) {
                        self.action(base, ours, their, their_t, aot);
                    }
                }
                (Some(base), None) if base != their => self.conflicts.push(Conflict {
                    field: format!("action#{}", number(base)),
                    ours: "(deleted)".into(),
                    theirs: shown(their.get("text")),
                    ours_value: None,
                    theirs_value: Some(Value::Table(their.clone())),
                }),
                _ => {}
            }
        }
    }

    /// One action item both sides have, merged field by field under our
    /// number (theirs' number for it is not news: ours may have renumbered
    /// it).
    fn action(
        &mut self,
        base: &Table,
        ours: &Table,
        their: &Table,
        their_t: &toml_edit::Table,
        aot: &mut toml_edit::ArrayOfTables,
    ) {
        let num = number(ours);
        let Some(out_t) = aot
            .iter_mut()
            .find(|x| x.get("n").and_then(Item::as_integer) == Some(num))
        else {
            return;
        };
        let mut their_t = their_t.clone();
        let mut their_v = their.clone();
        their_t["n"] = toml_edit::value(num);
        their_v.insert("n".into(), Value::Integer(num));
        let mut base_v = base.clone();
        base_v.insert("n".into(), Value::Integer(num));
        let path = format!("action#{num}");
        self.table(&[path.as_str()], &base_v, ours, &their_v, out_t, &their_t);
    }
}

/// The action item tables of a side.
fn action_items(v: Option<&Value>) -> Vec<Table> {
    v.and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|x| x.as_table().cloned()).collect())
        .unwrap_or_default()
}

fn number(t: &Table) -> i64 {
    t.get("n").and_then(Value::as_integer).unwrap_or(0)
}

fn text_of(t: &Table) -> &str {
    t.get("text").and_then(Value::as_str).unwrap_or("")
}

/// The item of `among` that is `item`: same number and text, else the one
/// with its text (the other side renumbered it), else the one with its
/// number (its text was edited).
fn same_item(item: &Table, among: &[Table]) -> Option<usize> {
    among
        .iter()
        .position(|x| number(x) == number(item) && text_of(x) == text_of(item))
        .or_else(|| {
            let by_text: Vec<usize> = among
                .iter()
                .enumerate()
                .filter(|(_, x)| text_of(x) == text_of(item))
                .map(|(i, _)| i)
                .collect();
            (by_text.len() == 1).then(|| by_text[0])
        })
        .or_else(|| among.iter().position(|x| number(x) == number(item)))
}

/// The review fields change as one (a verdict is who, when and why
/// together). Changed two ways, the later act wins them whole: a verdict
/// at its `reviewed_at`, a `reopen` (which clears them) at `reopened_at`.
/// `true` when settled here; otherwise they merge field by field.
fn settle_review(
    b: &Table,
    o: &Table,
    t: &Table,
    out: &mut toml_edit::Table,
    theirs: &toml_edit::Table,
) -> bool {
    let fields = |side: &Table| super::review::FIELDS.map(|k| side.get(k).cloned());
    let (bf, of, tf) = (fields(b), fields(o), fields(t));
    if of == bf || tf == bf || of == tf {
        return false;
    }
    let when = |side: &Table| {
        side.get("reviewed_at")
            .or_else(|| side.get("reopened_at"))
            .and_then(Value::as_datetime)
            .and_then(|d| chrono::DateTime::parse_from_rfc3339(&d.to_string()).ok())
    };
    if when(t) > when(o) {
        for key in super::review::FIELDS {
            copy(out, theirs, key);
        }
    }
    true
}

fn copy(out: &mut toml_edit::Table, theirs: &toml_edit::Table, key: &str) {
    match theirs.get(key) {
        Some(item) => {
            out.insert(key, item.clone());
        }
        None => {
            out.remove(key);
        }
    }
}

/// Timeline entries, as a set: ours, minus the entries theirs removed
/// (or changed: an edit is a removal and an addition), plus the entries
/// theirs added that ours lacks.
fn merge_entries(
    out: &mut toml_edit::Table,
    theirs: &toml_edit::Table,
    key: &str,
    bv: Option<&Value>,
    tv: Option<&Value>,
) {
    let list = |v: Option<&Value>| v.and_then(Value::as_array).cloned().unwrap_or_default();
    let (b, t) = (list(bv), list(tv));
    let their_tables = tables_of(theirs, key);
    let aot = out
        .entry(key)
        .or_insert(Item::ArrayOfTables(toml_edit::ArrayOfTables::new()));
    let Some(aot) = aot.as_array_of_tables_mut() else {
        return;
    };
    let plain = |t: &toml_edit::Table| -> Value {
        t.to_string()
            .parse::<Table>()
            .map(Value::Table)
            .unwrap_or(Value::Table(Table::new()))
    };
    aot.retain(|entry| {
        let v = plain(entry);
        !b.contains(&v) || t.contains(&v)
    });
    let have: Vec<Value> = aot.iter().map(plain).collect();
    for (item, table) in t.iter().zip(their_tables) {
        if !b.contains(item) && !have.contains(item) {
            aot.push(table);
        }
    }
}

/// Set-like lists: ours, plus what theirs added, minus what theirs removed.
fn merge_list(
    out: &mut toml_edit::Table,
    key: &str,
    bv: Option<&Value>,
    ov: Option<&Value>,
    tv: Option<&Value>,
) {
    let list = |v: Option<&Value>| v.and_then(Value::as_array).cloned().unwrap_or_default();
    let (b, t) = (list(bv), list(tv));
    let Some(array) = out.get_mut(key).and_then(Item::as_array_mut) else {
        return;
    };
    let one_per_line = array.iter().next().is_some_and(|v| {
        v.decor()
            .prefix()
            .and_then(|p| p.as_str())
            .is_some_and(|p| p.contains('\n'))
    });
    array.retain(|v| {
        let plain = toml_value(v);
        // Drop what theirs removed (in base, gone from theirs).
        !b.contains(&plain) || t.contains(&plain)
    });
    let have: Vec<Value> = array.iter().map(toml_value).collect();
    for added in t.iter().filter(|v| !b.contains(v) && !have.contains(v)) {
        if let Value::String(s) = added {
            array.push(s.as_str());
        } else if let Ok(v) = added.to_string().parse::<toml_edit::Value>() {
            array.push_formatted(v);
        }
    }
    if one_per_line {
        for v in array.iter_mut() {
            v.decor_mut().set_prefix("\n    ");
        }
        array.set_trailing_comma(true);
        array.set_trailing("\n");
    }
    let _ = ov;
}

fn toml_value(v: &toml_edit::Value) -> Value {
    let mut clean = v.clone();
    clean.decor_mut().clear();
    format!("x = {clean}")
        .parse::<Table>()
        .ok()
        .and_then(|mut t| t.remove("x"))
        .unwrap_or(Value::String(String::new()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "schema = 1\nid = \"PM-20261124-aaaaaaaa\"\ntitle = \"T\"\nstatus = \"open\"\nseverity = \"SEV3\"\nservices = [\"a\"]\nassignee = \"\"\ncreated_at = 2026-11-24T10:00:00Z\n\n[analysis]\nroot_cause = \"\"\nlessons = [\n    \"one\",\n]\n";

    #[test]
    fn different_fields_both_survive() {
        let ours = BASE.replace("severity = \"SEV3\"", "severity = \"SEV1\" # escalated");
        let theirs = BASE
            .replace("assignee = \"\"", "assignee = \"Bob\"")
            .replace("status = \"open\"", "status = \"assigned\"")
            .replace("    \"one\",\n", "    \"one\",\n    \"two\",\n");
        let merged = merge(BASE, &ours, &theirs).unwrap();
        assert!(
            merged.contains("severity = \"SEV1\" # escalated"),
            "{merged}"
        );
        assert!(merged.contains("assignee = \"Bob\""), "{merged}");
        assert!(merged.contains("status = \"assigned\""), "{merged}");
        assert!(merged.contains("\"two\""), "{merged}");
    }

    #[test]
    fn review_fields_changed_two_ways_come_whole_from_the_later_act() {
        let approved =
            "review = \"approved\"\nreviewed_by = \"Bob\"\nreviewed_at = 2026-11-24T11:00:00Z\n";
        let asked = "review = \"changes_requested\"\nreviewed_by = \"Carol\"\nreviewed_at = 2026-11-24T12:00:00+09:00\nreview_note = \"no timeline\"\n";
        let with =
            |fields: &str| BASE.replace("assignee = \"\"\n", &format!("assignee = \"\"\n{fields}"));
        // 12:00+09:00 is 03:00Z: Bob's approval at 11:00Z is the later act.
        for (ours, theirs) in [(with(approved), with(asked)), (with(asked), with(approved))] {
            let merged = merge(BASE, &ours, &theirs).unwrap();
            let r = parse_record(&merged).unwrap();
            assert_eq!(
                r.review.verdict,
                Some(super::super::Verdict::Approved),
                "{merged}"
            );
            assert_eq!(r.review.by.as_deref(), Some("Bob"), "{merged}");
            assert_eq!(r.review.note, None, "not Carol's note: {merged}");
        }
        // A reopen after the approval clears it, whichever side it is on.
        let reopened = with("reopened_at = 2026-11-24T13:00:00Z\n");
        let base = with(
            "review = \"approved\"\nreviewed_by = \"Dan\"\nreviewed_at = 2026-11-24T09:00:00Z\n",
        );
        let merged = merge(&base, &with(approved), &reopened).unwrap();
        let r = parse_record(&merged).unwrap();
        assert_eq!(
            (r.review.verdict, r.review.by.as_deref()),
            (None, None),
            "{merged}"
        );
    }

    #[test]
    fn counters_changed_on_both_sides_add_up() {
        let base = format!("{BASE}\n[impact]\nfield_reports = 7\n");
        let ours = base.replace("field_reports = 7", "field_reports = 9");
        let theirs = base.replace("field_reports = 7", "field_reports = 10");
        let merged = merge(&base, &ours, &theirs).unwrap();
        assert!(merged.contains("field_reports = 12"), "{merged}");
        // A count nobody had before: both sides' counts.
        let ours = format!("{BASE}\n[impact]\nusers_affected = 3\n");
        let theirs = format!("{BASE}\n[impact]\nusers_affected = 4\n");
        let merged = merge(BASE, &ours, &theirs).unwrap();
        assert!(merged.contains("users_affected = 7"), "{merged}");
    }

    #[test]
    fn the_same_field_two_ways_is_a_conflict_naming_it() {
        let ours = BASE.replace("severity = \"SEV3\"", "severity = \"SEV1\"");
        let theirs = BASE.replace("severity = \"SEV3\"", "severity = \"SEV2\"");
        match merge(BASE, &ours, &theirs) {
            Err(MergeError::Conflicts(c)) => {
                assert_eq!(c.len(), 1);
                assert_eq!(
                    (
                        c[0].field.as_str(),
                        c[0].ours.as_str(),
                        c[0].theirs.as_str()
                    ),
                    ("severity", "SEV1", "SEV2")
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn unresolved_conflicts_are_marked_for_git_and_resolved_ones_are_not() {
        let ours = BASE
            .replace("severity = \"SEV3\"", "severity = \"SEV1\"")
            .replace("root_cause = \"\"", "root_cause = \"pool\"");
        let theirs = BASE
            .replace("severity = \"SEV3\"", "severity = \"SEV2\"")
            .replace("root_cause = \"\"", "root_cause = \"dns\"");
        let resolve =
            |c: &Conflict| (c.field == "analysis.root_cause").then_some(Resolution::Theirs);
        let (text, left) = merge_with_markers(BASE, &ours, &theirs, &resolve).unwrap();
        assert_eq!(left.len(), 1, "{left:?}");
        assert!(
            text.contains(
                "<<<<<<< ours\nseverity = \"SEV1\"\n=======\nseverity = \"SEV2\"\n>>>>>>> theirs\n"
            ),
            "{text}"
        );
        assert!(text.contains("root_cause = \"dns\""), "{text}");
        let settled = merge_resolving(BASE, &ours, &theirs, &|c| {
            Some(if c.field == "severity" {
                Resolution::Value(Some(Value::String("SEV4".into())))
            } else {
                Resolution::Ours
            })
        })
        .unwrap();
        assert!(settled.contains("severity = \"SEV4\""), "{settled}");
        assert!(settled.contains("root_cause = \"pool\""), "{settled}");
    }

    #[test]
    fn an_item_filed_here_and_finished_there_keeps_both() {
        let base = with_actions(&[(1, "Add retries", "bo")]);
        let filed = "tracker = \"github\"\nref = \"acme/api#3\"\nurl = \"https://github.com/acme/api/issues/3\"\nremote_state = \"open\"\n";
        let ours = format!("{base}{filed}");
        let theirs = base.replace(
            "status = \"open\"\n",
            "status = \"done\"\ndone_at = 2026-11-30T12:00:00Z\n",
        );
        let merged: Table = merge(&base, &ours, &theirs).unwrap().parse().unwrap();
        let item = merged["action_items"][0].as_table().unwrap();
        assert_eq!(item["ref"].as_str(), Some("acme/api#3"));
        assert_eq!(item["status"].as_str(), Some("done"));
        assert!(item.contains_key("done_at"));
    }

    #[test]
    fn one_item_filed_as_two_issues_is_a_conflict_on_its_ref() {
        let base = with_actions(&[(1, "Add retries", "bo")]);
        let filed = |n: u32| {
            format!("{base}tracker = \"github\"\nref = \"acme/api#{n}\"\nremote_state = \"open\"\n")
        };
        match merge(&base, &filed(3), &filed(4)) {
            Err(MergeError::Conflicts(c)) => {
                let fields: Vec<&str> = c.iter().map(|c| c.field.as_str()).collect();
                assert_eq!(fields, ["action#1.ref"]);
            }
            other => panic!("{other:?}"),
        }
    }

    fn with_actions(items: &[(i64, &str, &str)]) -> String {
        let mut s = BASE.to_string();
        for (n, text, owner) in items {
            s.push_str(&format!("\n[[action_items]]\nn = {n}\ntext = \"{text}\"\nowner = \"{owner}\"\nstatus = \"open\"\n"));
        }
        s
    }

    #[test]
    fn an_edit_follows_its_item_through_a_renumbering() {
        // Upstream added "A act" as #1; my "B act" #1 became #2 there.
        // My next commit edits my #1: the edit must land on "B act".
        let base = with_actions(&[(1, "B act", "bo")]);
        let ours = with_actions(&[(1, "A act", "al"), (2, "B act", "bo")]);
        let theirs = with_actions(&[(1, "B act", "carol")]);
        let merged: Table = merge(&base, &ours, &theirs).unwrap().parse().unwrap();
        let items = merged["action_items"].as_array().unwrap();
        let owner = |text: &str| {
            items
                .iter()
                .find(|i| i["text"].as_str() == Some(text))
                .map(|i| {
                    (
                        i["n"].as_integer().unwrap(),
                        i["owner"].as_str().unwrap().to_string(),
                    )
                })
                .unwrap()
        };
        assert_eq!(owner("A act"), (1, "al".to_string()));
        assert_eq!(owner("B act"), (2, "carol".to_string()));
        assert_eq!(items.len(), 2);
    }

    #[test]
    fn timeline_removals_and_edits_survive_a_merge() {
        let entry = |at: &str, text: &str| {
            format!("\n[[timeline]]\nat = 2026-11-23T{at}:00+09:00\ntext = \"{text}\"\n")
        };
        let base = format!(
            "{BASE}{}{}",
            entry("09:30", "e1"),
            entry("09:50", "e2 typo")
        );
        let ours = format!("{base}{}", entry("09:20", "e0"))
            .replace("title = \"T\"", "title = \"A title\"");
        // Theirs removed e1 and corrected e2.
        let theirs = format!("{BASE}{}", entry("09:50", "e2 fixed"));
        let merged: Table = merge(&base, &ours, &theirs).unwrap().parse().unwrap();
        let mut texts: Vec<&str> = merged["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["text"].as_str().unwrap())
            .collect();
        texts.sort();
        assert_eq!(texts, ["e0", "e2 fixed"]);
        assert_eq!(merged["title"].as_str(), Some("A title"));
    }

    #[test]
    fn new_action_items_on_both_sides_are_renumbered() {
        let add = |text: &str| {
            format!("{BASE}\n[[action_items]]\nn = 1\ntext = \"{text}\"\nstatus = \"open\"\n")
        };
        let merged = merge(BASE, &add("mine"), &add("yours")).unwrap();
        let t: Table = merged.parse().unwrap();
        let items = t["action_items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "{merged}");
        assert_eq!(items[1]["n"].as_integer(), Some(2));
        assert_eq!(items[1]["text"].as_str(), Some("yours"));
    }
}
