//! What every command needs: the repository, the team's config, the time
//! "now", and where output goes.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::output::Output;
use crate::record::parse::parse_record;
use crate::record::{Record, RecordDoc, Timestamp, status};
use crate::store::read::{Detail, Entry};
use crate::store::{Change, Committed, Store, commit_record};
use crate::time::Zone;
use chrono::{DateTime, FixedOffset, NaiveDate};
use std::io::IsTerminal;

pub struct Ctx {
    pub store: Store,
    pub config: Config,
    pub now: DateTime<FixedOffset>,
    pub out: Output,
}

impl Ctx {
    pub fn open(records_dir: &str) -> Result<Ctx> {
        let cwd = std::env::current_dir()
            .map_err(|e| Error::new(format!("cannot read the current directory: {e}")))?;
        let store = Store::discover(&cwd, records_dir)?;
        let out = Output::detect();
        // A change of ours that a killed run left half done is finished
        // (or left, saying why) before anything else reads or writes.
        match crate::store::recover(&store) {
            Ok(Some(line)) => out.status(&line),
            Ok(None) => {}
            Err(e) => out.warn(&format!(
                "an interrupted change could not be finished: {}",
                e.message
            )),
        }
        let config_path = format!("{}/config.toml", store.records_dir);
        let config = match std::fs::read_to_string(store.abs(&config_path)) {
            Ok(text) => Config::parse(&text, &config_path)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Config::default(),
            Err(e) => return Err(Error::new(format!("cannot read {config_path}: {e}"))),
        };
        let now = now(config.zone())?;
        crate::trace::mark("context opened");
        Ok(Ctx {
            store,
            config,
            now,
            out,
        })
    }

    /// The configured zone; else the pinned clock's offset; else the machine's.
    pub fn zone(&self) -> Zone {
        match (&self.config.timezone, pinned_now()) {
            (None, Some(_)) => Zone::Fixed(*self.now.offset()),
            _ => self.config.zone(),
        }
    }

    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }

    /// Prompts need a person at a terminal on both ends.
    pub fn can_prompt(&self) -> bool {
        std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
    }

    /// A time from the flag `flag`; the error names the flag and the value.
    pub fn time(&self, flag: &str, input: &str) -> Result<Timestamp> {
        crate::time::parse_time(input, self.now, self.zone())
            .map(Timestamp)
            .map_err(|e| Error::usage(format!("{flag}: {e}")))
    }

    pub fn date(&self, flag: &str, input: &str) -> Result<NaiveDate> {
        crate::time::parse_date(input, self.today())
            .map_err(|e| Error::usage(format!("{flag}: {e}")))
    }

    /// Every record, from the work tree or, with `at`, as it was at that
    /// revision or time. Unreadable files are warned about and skipped.
    pub fn records(&self, at: Option<&str>, detail: Detail) -> Result<Vec<Record>> {
        let (records, unreadable) = match at {
            None => crate::store::read::load_all(&self.store, detail)?,
            Some(at) => {
                let commit = self.resolve_at(at)?;
                crate::store::snapshot::load_all_at(&self.store, commit, detail)?
            }
        };
        for bad in &unreadable {
            self.out
                .warn(&format!("skipped {}", bad.problem.in_file(&bad.path)));
        }
        Ok(records)
    }

    /// `--at REV|TIME` → the commit.
    pub fn resolve_at(&self, at: &str) -> Result<git2::Oid> {
        crate::store::snapshot::resolve(&self.store, at, |s| self.time("--at", s).map(|t| t.0))
    }

    /// Finds a record by typed ID or prefix.
    pub fn find(&self, query: &str) -> Result<Entry> {
        crate::store::read::find(&self.store, query)
    }

    /// The one way commands change an existing record: `apply` edits the
    /// document (seeing the record as it is in HEAD); the status is then
    /// derived from what the record holds, `updated_at` is stamped, and the
    /// result is committed. Returns `commit: None` when nothing changed.
    pub fn change_record(
        &self,
        entry: &Entry,
        verb: &str,
        message: Option<&str>,
        mut apply: impl FnMut(&mut RecordDoc, &Record) -> Result<()>,
    ) -> Result<Committed> {
        let change = Change {
            id: Some(&entry.id),
            path: &entry.path,
            verb,
            message,
            create: false,
            now: self.now,
        };
        commit_record(&self.store, &change, |old| {
            let old = old.expect("existing record");
            let invalid = |e: crate::record::parse::Located| {
                Error::new(e.in_file(&entry.path)).hint(format!(
                    "fix the file first, e.g. `devops postmortem edit {}`",
                    entry.id
                ))
            };
            let before = parse_record(old).map_err(invalid)?;
            let mut doc = RecordDoc::parse(old).map_err(invalid)?;
            apply(&mut doc, &before)?;
            if doc.render() == old {
                return Ok(old.to_string());
            }
            self.finish(doc)
        })
    }

    /// Derives the status and stamps `updated_at` on an edited record.
    pub fn finish(&self, mut doc: RecordDoc) -> Result<String> {
        let edited = parse_record(&doc.render())
            .map_err(|e| Error::new(format!("the change would make an invalid record: {e}")))?;
        let derived = status::derived(&edited);
        if derived != edited.status {
            doc.set_str(&["status"], derived.as_str());
        }
        doc.set_time(&["updated_at"], &Timestamp(self.now));
        Ok(doc.render())
    }
}

/// `DEVOPS_PM_NOW` pins the clock for tests and demos (hidden, like jj's
/// `JJ_TIMESTAMP`).
fn now(zone: Zone) -> Result<DateTime<FixedOffset>> {
    match pinned_now() {
        Some(s) => DateTime::parse_from_rfc3339(&s)
            .map_err(|_| Error::new(format!("DEVOPS_PM_NOW='{s}' is not an RFC 3339 time"))),
        None => Ok(zone.convert(chrono::Utc::now().fixed_offset())),
    }
}

fn pinned_now() -> Option<String> {
    std::env::var("DEVOPS_PM_NOW")
        .ok()
        .filter(|s| !s.is_empty())
}
