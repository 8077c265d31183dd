//! What every operation needs: the repository and its records branch, the
//! team's config, the time "now", and the notes gathered on the way (how a
//! bare time was read) for the binary to say.

use crate::config::Config;
use crate::error::{Command, Error, Hint, Result};
use crate::record::parse::parse_record;
use crate::record::{Record, RecordDoc, Timestamp, status};
use crate::store::branch::Access;
use crate::store::read::Unreadable;
use crate::store::read::{Detail, Entry};
use crate::store::{Change, Committed, Store, commit_record};
use crate::time::{Bare, TimeView, TooFar, Zone};
use chrono::{DateTime, FixedOffset, NaiveDate};

pub struct Session {
    pub store: Store,
    pub config: Config,
    pub now: DateTime<FixedOffset>,
    /// Lines to tell the person once the command is done (how a bare time
    /// was read), each once.
    notes: std::cell::RefCell<Vec<String>>,
}

/// Records as read, and the files that could not be (said, skipped).
pub struct Loaded {
    pub records: Vec<Record>,
    pub unreadable: Vec<Unreadable>,
    /// The shortest unique form of each ID, made from every record read
    /// (before any filter: tables show them, commands accept them).
    pub ids: crate::record::id::ShortIds,
}

impl Session {
    /// The repository git finds from `cwd`, its records branch and config.
    pub fn open(cwd: &std::path::Path, records_dir: &str) -> Result<Session> {
        Session::open_for(cwd, records_dir, Access::ReadWrite)
    }

    /// As `open`, for reading alone (see `Store::discover_for`).
    pub fn open_for(cwd: &std::path::Path, records_dir: &str, access: Access) -> Result<Session> {
        Session::open_with(cwd, records_dir, access, false)
    }

    /// Another repository than the one the person stands in (one of the
    /// team's, at `path`), see `Store::open_at`.
    pub fn open_at(path: &std::path::Path, records_dir: &str, access: Access) -> Result<Session> {
        Session::from_store(Store::open_at(path, records_dir, access)?, false)
    }

    /// As `open`, for `edit --config`: a config that does not read is
    /// what the person came to fix, so the built-in one stands in.
    pub fn open_to_fix_config(cwd: &std::path::Path, records_dir: &str) -> Result<Session> {
        Session::open_with(cwd, records_dir, Access::ReadWrite, true)
    }

    fn open_with(
        cwd: &std::path::Path,
        records_dir: &str,
        access: Access,
        config_optional: bool,
    ) -> Result<Session> {
        Session::from_store(
            Store::discover_for(cwd, records_dir, access)?,
            config_optional,
        )
    }

    fn from_store(store: Store, config_optional: bool) -> Result<Session> {
        let config_path = store.config_path();
        let config = match store.text(&config_path)? {
            Some(text) => match Config::parse(&text, &config_path) {
                Ok(config) => config,
                Err(_) if config_optional => Config::default(),
                Err(e) => {
                    return Err(e.hint_run("fix it", Command::postmortem(["edit", "--config"])));
                }
            },
            None => Config::default(),
        };
        let mut now = now(config.zone())?;
        if config.timezone.is_some() {
            // A clock pinned in another offset still reads in the team's
            // zone: "today", due days and the times written are theirs.
            now = config.zone().convert(now);
        }
        crate::trace::mark("context opened");
        Ok(Session {
            store,
            config,
            now,
            notes: Default::default(),
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

    /// A time from the flag `flag`; the error names the flag and the value.
    pub fn time(&self, flag: &str, input: &str) -> Result<Timestamp> {
        self.time_as(flag, input, Bare::Past)
    }

    /// An incident time from `flag`, a bare clock read after `anchor`, the
    /// latest earlier incident time (its field, its value), which the
    /// refusal names.
    pub fn incident_time(
        &self,
        flag: &str,
        input: &str,
        anchor: Option<(&str, DateTime<FixedOffset>)>,
    ) -> Result<Timestamp> {
        let (name, at) = anchor.unzip();
        self.read_time(flag, input, Bare::after(at), name.unwrap_or_default())
    }

    /// A time from `flag`, a bare clock given its day as `bare` says. One
    /// read more than 12 h after its anchor is refused with both readings
    /// as commands to paste: a 23-hour TTM is a typo far more often than an
    /// incident. When the day lands on another than today, a note says which.
    pub fn time_as(&self, flag: &str, input: &str, bare: Bare) -> Result<Timestamp> {
        self.read_time(flag, input, bare, "the time before it")
    }

    fn read_time(&self, flag: &str, input: &str, bare: Bare, anchor: &str) -> Result<Timestamp> {
        let zone = self.zone();
        let r = crate::time::parse_time_as(input, self.now, zone, bare)
            .map_err(|e| Error::usage(format!("{flag}: {e}")))?;
        if let Some(far) = crate::time::too_far(&r, bare, zone) {
            return Err(too_far_error(flag, input, (anchor, far), self.view()));
        }
        let local = zone.convert(r.at);
        if r.day_inferred && local.date_naive() != zone.convert(self.now).date_naive() {
            self.note(format!(
                "{flag} {} read as {}",
                input.trim(),
                local.format("%Y-%m-%d %H:%M %:z")
            ));
        }
        Ok(Timestamp(r.at))
    }

    /// How human output shows times: in the team's zone, named once.
    pub fn view(&self) -> TimeView {
        TimeView::new(self.zone(), self.now)
    }

    /// The person someone typed: `me` (your git identity), or a name,
    /// handle or email resolved against the roster.
    pub fn person(&self, who: &str) -> Result<String> {
        if who.trim().eq_ignore_ascii_case("me") {
            return Ok(crate::store::identity::identity(&self.store.repo, "AUTHOR")?.display());
        }
        crate::people::resolve(&self.config, who)
    }

    /// git's `core.pager`, for the binary's pager.
    pub fn git_pager(&self) -> Option<String> {
        self.store
            .repo
            .config()
            .ok()
            .and_then(|c| c.get_string("core.pager").ok())
    }

    pub fn note(&self, line: String) {
        let mut notes = self.notes.borrow_mut();
        if !notes.contains(&line) {
            notes.push(line);
        }
    }

    /// The notes gathered so far, handed over once.
    pub fn take_notes(&self) -> Vec<String> {
        std::mem::take(&mut *self.notes.borrow_mut())
    }

    /// A day from `flag`. A past one is taken (an item written down late
    /// is still the team's), with a note that it is already overdue.
    pub fn date(&self, flag: &str, input: &str) -> Result<NaiveDate> {
        let day = crate::time::parse_date(input, self.today())
            .map_err(|e| Error::usage(format!("{flag}: {e}")))?;
        if day < self.today() {
            self.note(format!(
                "{flag} {} is {day}, before today: the item is already overdue",
                input.trim()
            ));
        }
        Ok(day)
    }

    /// Every record, from the records branch or, with `at`, as it was at
    /// that revision or time; files that are not readable records apart.
    pub fn records(&self, at: Option<&str>, detail: Detail) -> Result<Loaded> {
        let Some(at) = at else {
            return self.records_where(detail, &|_| true);
        };
        let commit = self.resolve_at(at)?;
        let (records, unreadable) =
            crate::store::snapshot::load_all_at(&self.store, commit, detail)?;
        let ids = crate::record::id::ShortIds::of(records.iter().map(|r| r.id.as_str()));
        Ok(Loaded {
            records,
            unreadable,
            ids,
        })
    }

    /// The records on the records branch whose [`Head`](crate::record::Head)
    /// passes `wanted`: the others are never decoded from the record cache
    /// (a record the cache does not hold yet is parsed, then tested).
    /// `ids` still covers every record.
    pub fn records_where(
        &self,
        detail: Detail,
        wanted: &(dyn Fn(&crate::record::Head) -> bool + Sync),
    ) -> Result<Loaded> {
        self.store.look_around()?;
        // A damaged entry is decoded, to be reported as damaged.
        let test =
            |bytes: &[u8]| crate::store::record_cache::head(bytes).is_none_or(|h| wanted(&h));
        let m = crate::store::read::load_matching(&self.store, detail, &test)?;
        Ok(Loaded {
            records: m.records,
            unreadable: m.unreadable,
            ids: m.ids,
        })
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
        apply: impl FnMut(&mut RecordDoc, &Record) -> Result<()>,
    ) -> Result<Committed> {
        self.change_record_with(entry, verb, message, &[], apply)
    }

    /// The same, with trailers of the person's own act in the commit
    /// message (`Reviewed-by: …`).
    pub fn change_record_with(
        &self,
        entry: &Entry,
        verb: &str,
        message: Option<&str>,
        trailers: &[(&str, String)],
        mut apply: impl FnMut(&mut RecordDoc, &Record) -> Result<()>,
    ) -> Result<Committed> {
        let change = Change {
            id: Some(&entry.id),
            path: &entry.path,
            verb,
            message,
            create: false,
            now: self.now,
            trailers,
        };
        commit_record(&self.store, &change, |old| {
            let old = old.expect("existing record");
            let invalid = |e: crate::record::parse::Located| {
                Error::new(e.in_file(&entry.path)).hint_run(
                    "fix the file first",
                    Command::postmortem(["edit", entry.id.as_str()]),
                )
            };
            let before = parse_record(old).map_err(invalid)?;
            let mut doc = RecordDoc::parse(old).map_err(invalid)?;
            apply(&mut doc, &before)?;
            if doc.render() == old {
                // Nothing to change, unless what is there breaks a rule:
                // "nothing to change" would pass `chekout` off as fine.
                self.validate(&entry.path, old)?;
                return Ok(old.to_string());
            }
            self.finish_change(&entry.path, doc, &before)
        })
    }

    /// [`Session::finish`] for a change to the record `before`: an
    /// approval of the analysis this change rewrites is withdrawn, so
    /// `close` waits for a review of what the record now says.
    pub fn finish_change(&self, path: &str, mut doc: RecordDoc, before: &Record) -> Result<String> {
        let after = parse_record(&doc.render())
            .map_err(|e| Error::new(format!("the change would make an invalid record: {e}")))?;
        if crate::record::review::approval_outlived(before, &after) {
            for key in crate::record::review::FIELDS {
                doc.remove(&[key]);
            }
        }
        self.finish(path, doc)
    }

    /// Derives the status, stamps `updated_at`, and holds the result to
    /// the rules `check` applies: a record the tool writes never fails
    /// `check` (one rule book, so CI never finds what a command let in).
    pub fn finish(&self, path: &str, mut doc: RecordDoc) -> Result<String> {
        let edited = parse_record(&doc.render())
            .map_err(|e| Error::new(format!("the change would make an invalid record: {e}")))?;
        let derived = status::derived(&edited);
        if derived != edited.status {
            doc.set_str(&["status"], derived.as_str());
        }
        doc.set_time(&["updated_at"], &Timestamp(self.now));
        let text = doc.render();
        self.validate(path, &text)?;
        Ok(text)
    }

    /// The errors `check` would report for this text, as one error.
    pub fn validate(&self, path: &str, text: &str) -> Result<()> {
        let (findings, _) =
            crate::record::lint::lint(path, text, &self.config.lint_rules(), self.now);
        let errors: Vec<&crate::record::lint::Finding> = findings
            .iter()
            .filter(|f| f.level == crate::record::lint::Level::Error)
            .collect();
        let Some(first) = errors.first() else {
            return Ok(());
        };
        let mut e = Error::refused(first.rule, first.message.clone());
        for more in &errors[1..] {
            e = e.detail(more.message.clone());
        }
        match first.rule {
            "unknown-service" => {
                e = e.hint_run(
                    "a typo? fix the name; a new service? add it to `services` in the config",
                    Command::postmortem(["edit", "--config"]),
                );
            }
            "time-order" => {
                e = e.hint("incident times run started ≤ detected ≤ acknowledged ≤ mitigated ≤ resolved; give the date with the time (\"2026-11-23 09:20\")");
            }
            _ => {}
        }
        Err(e)
    }
}

/// The refusal of a bare clock read too far after its anchor, with the
/// command as typed, corrected to each reading.
fn too_far_error(flag: &str, input: &str, (name, far): (&str, TooFar), view: TimeView) -> Error {
    let typed = input.trim();
    let gap = crate::time::format_minutes((far.after - far.anchor).num_seconds() as f64 / 60.0);
    let anchor = format!("{name} {}", view.minutes(far.anchor));
    let retype = |say: String, at| Hint::Retype {
        say,
        flag: flag.to_string(),
        typed: input.to_string(),
        with: crate::time::typed_form(at, view.zone()),
    };
    Error::usage(format!(
        "{flag} {typed}: the first {typed} after {anchor} is {}, {gap} later; give the day",
        view.minutes(far.after)
    ))
    .nothing_written()
    .hint(retype(
        format!("{} ({gap} after {anchor})", view.minutes(far.after)),
        far.after,
    ))
    .hint(retype(
        format!(
            "{} (before {anchor}, which then needs correcting too)",
            view.minutes(far.before)
        ),
        far.before,
    ))
}

/// `DEVOPS_PM_NOW` pins the clock for tests and demos (hidden, like jj's
/// `JJ_TIMESTAMP`).
fn now(zone: Zone) -> Result<DateTime<FixedOffset>> {
    match pinned_now() {
        Some(s) => DateTime::parse_from_rfc3339(&s)
            .map_err(|_| Error::new(format!("DEVOPS_PM_NOW='{s}' is not an RFC 3339 time"))),
        // Whole seconds: what people type and read; only imported
        // times carry the sub-seconds their source had.
        None => {
            let now = chrono::Utc::now();
            let whole = chrono::SubsecRound::trunc_subsecs(now, 0);
            Ok(zone.convert(whole.fixed_offset()))
        }
    }
}

fn pinned_now() -> Option<String> {
    std::env::var("DEVOPS_PM_NOW")
        .ok()
        .filter(|s| !s.is_empty())
}
