//! The record as a TOML document. Every change goes through here so that
//! comments and layout a person wrote by hand survive (toml_edit).

use super::model::{ActionItem, Timestamp};
use super::parse::{Located, parse_doc};
use toml_edit::{Array, ArrayOfTables, DocumentMut, Item, Table, Value, value};

/// Root keys in the order a fresh record shows them. Keys a person added by
/// hand stay next to the key they were written after.
const ROOT_ORDER: &[&str] = &[
    "schema",
    "id",
    "title",
    "status",
    "severity",
    "services",
    "tags",
    "reporter",
    "assignee",
    "summary",
    "started_at",
    "detected_at",
    "acknowledged_at",
    "mitigated_at",
    "resolved_at",
    "created_at",
    "updated_at",
    "closed_at",
    "review",
    "reviewed_by",
    "reviewed_at",
    "review_note",
];

/// Lists that hold sentences are written one item a line: diffs and merges
/// then work line by line.
const ONE_PER_LINE: &[&str] = &[
    "contributing_factors",
    "five_whys",
    "went_well",
    "went_wrong",
    "lucky",
    "lessons",
];

pub struct RecordDoc {
    doc: DocumentMut,
}

/// A correction to an action item: the fields given change, the rest stay.
#[derive(Debug, Clone, Default)]
pub struct ActionChange {
    pub text: Option<String>,
    pub kind: Option<super::ActionKind>,
    pub owner: Option<String>,
    pub due: Option<chrono::NaiveDate>,
    pub ticket: Option<String>,
    pub priority: Option<String>,
}

impl ActionChange {
    pub fn is_empty(&self) -> bool {
        self.text.is_none()
            && self.kind.is_none()
            && self.owner.is_none()
            && self.due.is_none()
            && self.ticket.is_none()
            && self.priority.is_none()
    }
}

impl RecordDoc {
    pub fn parse(text: &str) -> Result<RecordDoc, Located> {
        Ok(RecordDoc {
            doc: parse_doc(text)?,
        })
    }

    pub fn render(&mut self) -> String {
        order_root_keys(self.doc.as_table_mut());
        self.doc.to_string()
    }

    /// The table at `path` (e.g. `["analysis"]`), created as a `[section]`
    /// if missing. A hand-written inline table is used as it is.
    fn table_like(&mut self, path: &[&str]) -> &mut dyn toml_edit::TableLike {
        let mut t: &mut dyn toml_edit::TableLike = self.doc.as_table_mut();
        for key in path {
            let item = t.entry(key).or_insert_with(|| {
                let mut table = Table::new();
                table.set_implicit(false);
                Item::Table(table)
            });
            if item.as_table_like().is_none() {
                *item = Item::Table(Table::new());
            }
            t = item.as_table_like_mut().expect("just made a table");
        }
        t
    }

    fn set(&mut self, path: &[&str], v: Item) {
        let (key, parents) = path.split_last().expect("non-empty path");
        let table = self.table_like(parents);
        match table.get_mut(key) {
            // Replacing in place keeps the comment written after the value.
            Some(Item::Value(old)) if v.is_value() => {
                let decor = old.decor().clone();
                *old = v.into_value().expect("checked");
                *old.decor_mut() = decor;
            }
            _ => {
                table.insert(key, v);
            }
        }
    }

    pub fn set_str(&mut self, path: &[&str], s: &str) {
        self.set(path, value(s));
    }

    pub fn set_bool(&mut self, path: &[&str], b: bool) {
        self.set(path, value(b));
    }

    pub fn set_int(&mut self, path: &[&str], n: u64) {
        self.set(path, value(i64::try_from(n).unwrap_or(i64::MAX)));
    }

    pub fn set_time(&mut self, path: &[&str], t: &Timestamp) {
        self.set(
            path,
            value(toml_datetime(&crate::time::format_rfc3339(&t.0))),
        );
    }

    pub fn set_list(&mut self, path: &[&str], items: &[String]) {
        let mut array = Array::new();
        for s in items {
            array.push(s.as_str());
        }
        self.set(path, value(array));
    }

    pub fn remove(&mut self, path: &[&str]) {
        let (key, parents) = path.split_last().expect("non-empty path");
        self.table_like(parents).remove(key);
    }

    /// Appends to a list of sentences, keeping what is there.
    pub fn push_to_list(&mut self, path: &[&str], items: &[String]) {
        if items.is_empty() {
            return;
        }
        let (key, parents) = path.split_last().expect("non-empty path");
        let one_per_line = ONE_PER_LINE.contains(key);
        let table = self.table_like(parents);
        let item = table.entry(key).or_insert(value(Array::new()));
        if item.as_array().is_none() {
            *item = value(Array::new());
        }
        let array = item.as_array_mut().expect("just made an array");
        for s in items {
            array.push(s.as_str());
        }
        if one_per_line {
            for v in array.iter_mut() {
                v.decor_mut().set_prefix("\n    ");
                v.decor_mut().set_suffix("");
            }
            array.set_trailing_comma(true);
            array.set_trailing("\n");
        }
    }

    pub fn push_timeline(&mut self, at: &Timestamp, text: &str) {
        self.push_imported(at, text, None);
    }

    /// A timeline entry that came from elsewhere: `(source, id there)`.
    pub fn push_imported(&mut self, at: &Timestamp, text: &str, from: Option<(&str, &str)>) {
        let mut t = Table::new();
        t.insert(
            "at",
            value(toml_datetime(&crate::time::format_rfc3339(&at.0))),
        );
        t.insert("text", value(text));
        if let Some((source, id)) = from {
            t.insert("source", value(source));
            t.insert("source_id", value(id));
        }
        self.array_of_tables("timeline").push(t);
    }

    pub fn push_action(&mut self, a: &ActionItem) {
        let mut t = Table::new();
        t.insert("n", value(i64::from(a.n)));
        t.insert("text", value(&a.text));
        t.insert("kind", value(a.kind.as_str()));
        t.insert("owner", value(a.owner.as_deref().unwrap_or("")));
        if let Some(due) = a.due {
            t.insert("due", value(toml_datetime(&due.0.to_string())));
        }
        if let Some(p) = &a.priority {
            t.insert("priority", value(p));
        }
        t.insert("status", value(a.status.as_str()));
        if let Some(ticket) = &a.ticket {
            t.insert("ticket", value(ticket));
        }
        self.array_of_tables("action_items").push(t);
    }

    /// The `[[timeline]]` table at `index` in the file.
    pub fn timeline_mut(&mut self, index: usize) -> Option<&mut Table> {
        self.doc
            .get_mut("timeline")?
            .as_array_of_tables_mut()?
            .get_mut(index)
    }

    /// Removes the `[[timeline]]` table at `index` in the file.
    pub fn remove_timeline(&mut self, index: usize) -> bool {
        match self
            .doc
            .get_mut("timeline")
            .and_then(Item::as_array_of_tables_mut)
        {
            Some(a) if index < a.len() => {
                a.remove(index);
                true
            }
            _ => false,
        }
    }

    /// Marks action item `n` done at `at` (by `commit`, when a trailer
    /// said so). `false` when there is no such item.
    pub fn mark_action_done(&mut self, n: u32, at: &Timestamp, commit: Option<&str>) -> bool {
        let Some(table) = self.action_mut(n) else {
            return false;
        };
        set_table_str(table, "status", "done");
        set_table_time(table, "done_at", at);
        if let Some(c) = commit {
            set_table_str(table, "commit", c);
        }
        true
    }

    /// The `[[action_items]]` table whose `n` is `n`.
    pub fn action_mut(&mut self, n: u32) -> Option<&mut Table> {
        self.doc
            .get_mut("action_items")?
            .as_array_of_tables_mut()?
            .iter_mut()
            .find(|t| t.get("n").and_then(Item::as_integer) == Some(i64::from(n)))
    }

    /// Gives the record to `who` (`Name <email>`).
    pub fn assign(&mut self, who: &str) {
        self.set_str(&["assignee"], who);
    }

    /// Closes the record at `at`.
    pub fn close(&mut self, at: &Timestamp) {
        self.set_str(&["status"], "closed");
        self.set_time(&["closed_at"], at);
    }

    /// Brings a closed or withdrawn record back at `at`: open for now (the
    /// status is derived again from what it holds), and its analysis to be
    /// decided again before it closes.
    pub fn reopen(&mut self, at: &Timestamp) {
        for key in [
            "withdrawn_at",
            "withdrawn_reason",
            "duplicate_of",
            "closed_at",
            "analyzed_at",
        ]
        .iter()
        .chain(&super::review::FIELDS)
        {
            self.remove(&[key]);
        }
        self.set_str(&["status"], "open");
        self.set_time(&["reopened_at"], at);
    }

    /// A reviewer's verdict at `at`, with why when changes are requested.
    pub fn review(
        &mut self,
        verdict: super::Verdict,
        who: &str,
        at: &Timestamp,
        note: Option<&str>,
    ) {
        self.set_str(&["review"], verdict.as_str());
        self.set_str(&["reviewed_by"], who);
        self.set_time(&["reviewed_at"], at);
        match note {
            Some(note) => self.set_str(&["review_note"], note.trim()),
            None => self.remove(&["review_note"]),
        }
    }

    /// Takes the record out of lists and figures at `at`, saying why (and
    /// which record it repeats).
    pub fn withdraw(&mut self, at: &Timestamp, reason: &str, duplicate_of: Option<&str>) {
        self.set_str(&["status"], "withdrawn");
        self.set_time(&["withdrawn_at"], at);
        self.set_str(&["withdrawn_reason"], reason);
        if let Some(o) = duplicate_of {
            self.set_str(&["duplicate_of"], o);
        }
    }

    /// Action item `n` won't be done, for `reason`. `false` when there is
    /// no such item.
    pub fn mark_action_wontfix(&mut self, n: u32, reason: &str) -> bool {
        let Some(table) = self.action_mut(n) else {
            return false;
        };
        set_table_str(table, "status", "wontfix");
        set_table_str(table, "wontfix_reason", reason.trim());
        true
    }

    /// Links action item `n` to the issue that now tracks it, open there.
    /// `false` when there is no such item.
    pub fn link_action(&mut self, n: u32, tracker: &str, reference: &str, url: &str) -> bool {
        let Some(table) = self.action_mut(n) else {
            return false;
        };
        set_table_str(table, "tracker", tracker);
        set_table_str(table, "ref", reference);
        set_table_str(table, "url", url);
        set_table_str(table, "remote_state", "open");
        true
    }

    /// What the tracker says of item `n`'s issue now: `open` or `closed`,
    /// and who closed it when it said.
    pub fn set_remote_state(&mut self, n: u32, state: &str, closed_by: Option<&str>) -> bool {
        let Some(table) = self.action_mut(n) else {
            return false;
        };
        set_table_str(table, "remote_state", state);
        match closed_by {
            Some(who) => set_table_str(table, "closed_by", who),
            None => {
                table.remove("closed_by");
            }
        }
        true
    }

    /// Opens action item `n` again (its issue was reopened): what said it
    /// was finished goes, but for the fixing commit, kept so that its
    /// trailer does not close the item again.
    pub fn reopen_action(&mut self, n: u32) -> bool {
        let Some(table) = self.action_mut(n) else {
            return false;
        };
        set_table_str(table, "status", "open");
        for key in ["done_at", "wontfix_reason", "closed_by"] {
            table.remove(key);
        }
        true
    }

    /// Corrects the fields of action item `n` that `change` gives.
    /// `false` when there is no such item.
    pub fn edit_action(&mut self, n: u32, change: &ActionChange) -> bool {
        let Some(table) = self.action_mut(n) else {
            return false;
        };
        if let Some(t) = &change.text {
            set_table_str(table, "text", t.trim());
        }
        if let Some(k) = change.kind {
            set_table_str(table, "kind", k.as_str());
        }
        if let Some(o) = &change.owner {
            set_table_str(table, "owner", o);
        }
        if let Some(d) = change.due {
            table.insert("due", value(toml_datetime(&d.to_string())));
        }
        if let Some(t) = &change.ticket {
            set_table_str(table, "ticket", t.trim());
        }
        if let Some(p) = &change.priority {
            set_table_str(table, "priority", p);
        }
        true
    }

    /// Corrects the time and text of the timeline entry at `index` in the
    /// file. `false` when there is none.
    pub fn edit_timeline(
        &mut self,
        index: usize,
        at: Option<&Timestamp>,
        text: Option<&str>,
    ) -> bool {
        let Some(table) = self.timeline_mut(index) else {
            return false;
        };
        if let Some(at) = at {
            set_table_time(table, "at", at);
        }
        if let Some(text) = text {
            set_table_str(table, "text", text.trim());
        }
        true
    }

    fn array_of_tables(&mut self, key: &str) -> &mut ArrayOfTables {
        let item = self
            .doc
            .entry(key)
            .or_insert(Item::ArrayOfTables(ArrayOfTables::new()));
        if item.as_array_of_tables().is_none() {
            *item = Item::ArrayOfTables(ArrayOfTables::new());
        }
        item.as_array_of_tables_mut().expect("just made it")
    }
}

pub fn set_table_str(t: &mut Table, key: &str, s: &str) {
    t.insert(key, value(s));
}

pub fn set_table_time(t: &mut Table, key: &str, at: &Timestamp) {
    t.insert(
        key,
        value(toml_datetime(&crate::time::format_rfc3339(&at.0))),
    );
}

fn toml_datetime(s: &str) -> Value {
    match s.parse::<toml_edit::Datetime>() {
        Ok(d) => Value::from(d),
        // Our own formatter produced `s`; fall back to a string rather than panic.
        Err(_) => Value::from(s),
    }
}

fn order_root_keys(root: &mut Table) {
    let rank_of = |k: &str| ROOT_ORDER.iter().position(|r| *r == k);
    let mut ranks = std::collections::HashMap::new();
    let mut last = (0usize, 0usize);
    for (i, (k, _)) in root.iter().enumerate() {
        last = match rank_of(k) {
            Some(r) => (r, 0),
            None => (last.0, i + 1),
        };
        ranks.insert(k.to_string(), last);
    }
    root.sort_values_by(|k1, _, k2, _| ranks.get(k1.get()).cmp(&ranks.get(k2.get())));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_survive_and_keys_fall_in_place() {
        let text = "# my notes\nschema = 1\nid = \"PM\" # keep me\nmy_key = 3\ncreated_at = 2026-11-23T10:00:00Z\n\n[analysis]\n# why?\nroot_cause = \"\"\n";
        let mut d = RecordDoc::parse(text).unwrap();
        d.set_str(&["id"], "PM-2");
        d.set_str(&["title"], "결제 장애");
        d.set_str(&["analysis", "root_cause"], "pool");
        d.push_to_list(&["analysis", "lessons"], &["a".into(), "b".into()]);
        let out = d.render();
        assert!(out.starts_with("# my notes\nschema = 1\nid = \"PM-2\" # keep me\nmy_key = 3\ntitle = \"결제 장애\"\ncreated_at"), "{out}");
        assert!(out.contains("# why?\nroot_cause = \"pool\""), "{out}");
        assert!(
            out.contains("lessons = [\n    \"a\",\n    \"b\",\n]"),
            "{out}"
        );
    }
}
