//! `import`: events from alerting and chat into a record's timeline, and
//! the incident times they mark where the record has none yet.

use super::Outcome;
use super::create::Input;
use crate::error::{Command, Error, Result};
use crate::session::Session;
use crate::sources::{Kind, Read, Window};
use crate::time::{Bare, Zone};

use crate::config::Config;
use crate::record::{Record, RecordDoc, Timestamp};
use crate::sources::{Event, Incident, Mark};
use chrono::{DateTime, FixedOffset};

/// What an import would do to one record.
#[derive(Debug, Default)]
pub struct Plan {
    /// New timeline entries, in time order.
    pub added: Vec<Event>,
    /// Entries the record already has (same source and id).
    pub already: usize,
    /// Incident times to fill: (field, time).
    pub times: Vec<(&'static str, DateTime<FixedOffset>)>,
    /// Incident times the source gave but that were not set, and why.
    pub not_set: Vec<String>,
}

/// Which of `events` are new to `record`, and which empty incident times
/// they fill without putting the times out of order. Refuses events of
/// another PagerDuty incident than the one the record is tagged with.
pub fn plan(record: &Record, events: Vec<Event>) -> Result<Plan, String> {
    if let Some(theirs) = record
        .tags
        .iter()
        .find_map(|t| t.strip_prefix("pagerduty:"))
        && let Some(e) = events
            .iter()
            .find(|e| e.incident.as_deref().is_some_and(|i| i != theirs))
    {
        return Err(format!(
            "entry {} is from PagerDuty incident {}, and {} is incident {theirs}'s (tag pagerduty:{theirs})",
            e.entry,
            crate::text::inline(e.incident.as_deref().unwrap_or("")),
            record.id
        ));
    }
    let mut plan = Plan::default();
    let mut known: std::collections::HashSet<(String, String)> = record
        .timeline
        .iter()
        .filter_map(|t| Some((t.source.clone()?, t.source_id.clone()?)))
        .collect();
    for e in events {
        if known.insert((e.source.to_string(), e.source_id.clone())) {
            plan.added.push(e);
        } else {
            plan.already += 1;
        }
    }
    // The first detection and acknowledgement, the last resolution, of
    // the new events: a time the record already has stands.
    let mut current = [
        ("started_at", record.started_at.map(|t| t.0)),
        ("detected_at", record.detected_at.map(|t| t.0)),
        ("acknowledged_at", record.acknowledged_at.map(|t| t.0)),
        ("mitigated_at", record.mitigated_at.map(|t| t.0)),
        ("resolved_at", record.resolved_at.map(|t| t.0)),
    ];
    for mark in [Mark::Detected, Mark::Acknowledged, Mark::Resolved] {
        let marked = plan
            .added
            .iter()
            .filter(|e| e.marks == Some(mark))
            .map(|e| e.at);
        let at = if mark == Mark::Resolved {
            marked.max()
        } else {
            marked.min()
        };
        let Some(at) = at else { continue };
        let field = mark.field();
        let slot = current
            .iter()
            .position(|(k, _)| *k == field)
            .expect("known field");
        if current[slot].1.is_some() {
            continue; // the record's own value stands
        }
        let before = current[..slot].iter().filter_map(|(_, t)| *t).max();
        let after = current[slot + 1..].iter().filter_map(|(_, t)| *t).min();
        if before.is_some_and(|b| at < b) || after.is_some_and(|a| at > a) {
            plan.not_set.push(format!(
                "{field} {} would put the incident times out of order",
                crate::time::format_rfc3339(&at)
            ));
            continue;
        }
        current[slot].1 = Some(at);
        plan.times.push((field, at));
    }
    Ok(plan)
}

/// Writes the plan into the record's document.
pub fn apply(doc: &mut RecordDoc, plan: &Plan) {
    for e in &plan.added {
        doc.push_imported(&Timestamp(e.at), &e.text, Some((e.source, &e.source_id)));
    }
    for (field, at) in &plan.times {
        doc.set_time(&[field], &Timestamp(*at));
    }
}

/// The severity a PagerDuty incident maps to: the config's
/// `[import.pagerduty] severity` by priority, then by urgency; else P1 is
/// the worst level, P2 the next…, and urgency high the second level, low
/// the third (clamped to the scale).
pub fn pagerduty_severity(config: &Config, incident: &Incident) -> String {
    let map = &config.import.pagerduty.severity;
    let mapped = |key: &Option<String>| {
        let key = key.as_deref()?;
        map.iter()
            .find(|(theirs, _)| theirs.eq_ignore_ascii_case(key))
            .and_then(|(_, ours)| config.check_severity(ours).ok())
    };
    if let Some(s) = mapped(&incident.priority).or_else(|| mapped(&incident.urgency)) {
        return s;
    }
    let levels = &config.severities;
    let at = |i: usize| levels[i.min(levels.len() - 1)].clone();
    let priority = incident
        .priority
        .as_deref()
        .and_then(|p| p.trim().strip_prefix(['P', 'p'])?.parse::<usize>().ok())
        .filter(|n| *n >= 1);
    match (priority, incident.urgency.as_deref()) {
        (Some(n), _) => at(n - 1),
        (None, Some("high")) => at(1),
        (None, Some("low")) => at(2),
        _ => config.default_severity(),
    }
}

/// Our name for a PagerDuty service: the config's
/// `[import.pagerduty] services` map, else theirs.
pub fn pagerduty_service(config: &Config, theirs: &str) -> String {
    config
        .import
        .pagerduty
        .services
        .get(theirs)
        .cloned()
        .unwrap_or_else(|| theirs.to_string())
}

/// The tag that ties a record to its PagerDuty incident.
pub fn pagerduty_tag(incident: &Incident) -> String {
    format!("pagerduty:{}", incident.id)
}

/// The window of events to keep, as typed: bare clocks read as the time
/// nearest the incident's start (`--since 09:00` for an incident at 09:10
/// is that morning), and `--until` after `--since`.
#[derive(Debug, Clone, Default)]
pub struct WindowInput {
    pub since: Option<String>,
    pub until: Option<String>,
    pub matching: Option<String>,
}

impl WindowInput {
    pub fn window(
        &self,
        session: &Session,
        began: Option<DateTime<FixedOffset>>,
    ) -> Result<Window> {
        let since = self
            .since
            .as_deref()
            .map(|s| {
                session
                    .time_as("--since", s, Bare::near(began))
                    .map(|t| t.0)
            })
            .transpose()?;
        // `--until` is the first such clock after `--since`, within a day:
        // the one nearest 12 h after it. A long window is no typo, so not
        // the refusal an incident time 12 h past its anchor gets.
        let until_bare = since.map_or(Bare::near(began), |s| {
            Bare::Near(s + chrono::Duration::hours(crate::time::NEAR_HOURS))
        });
        let until = self
            .until
            .as_deref()
            .map(|s| session.time_as("--until", s, until_bare).map(|t| t.0))
            .transpose()?;
        if let (Some(s), Some(u)) = (since, until)
            && u <= s
        {
            return Err(Error::usage(format!(
                "--until {} is not after --since {}",
                crate::time::format_rfc3339(&u),
                crate::time::format_rfc3339(&s)
            )));
        }
        Ok(Window {
            since,
            until,
            matching: self.matching.clone().filter(|w| !w.trim().is_empty()),
        })
    }
}

/// The events in a document, or an error naming the file and the entry.
/// Their times are put in the team's `zone`: the same instants, to the
/// source's sub-second, but written in the clock the team reads (PagerDuty
/// and Slack speak UTC; a KST team's record should not mix the two).
pub fn read_events(kind: Kind, input: &Input, window: &Window, zone: Zone) -> Result<Read> {
    let mut read = crate::sources::read(kind, &input.bytes, window).map_err(|p| {
        let article = if kind == Kind::Alertmanager {
            "an"
        } else {
            "a"
        };
        Error::usage(format!(
            "{} (read as {article} {})",
            p.in_file(&input.name),
            kind.name()
        ))
        .nothing_written()
        .hint(Command::postmortem(["import", "--help"]))
    })?;
    for e in &mut read.events {
        e.at = zone.convert(e.at);
    }
    Ok(read)
}

/// How many entries a document had, and how many the window left out.
#[derive(Debug, Clone)]
pub struct Counts {
    pub total: usize,
    pub outside: usize,
    pub file: String,
}

/// What an import does (or would do): the plan, the counts, and the
/// commit when it was made.
#[derive(Debug)]
pub struct Imported {
    pub record_id: String,
    pub plan: Plan,
    pub counts: Counts,
    /// `None` for a dry run.
    pub outcome: Option<Outcome>,
}

/// Imports the events of `input` into the record `query` names; with
/// `dry_run`, plans and writes nothing.
pub fn import(
    session: &Session,
    query: &str,
    kind: Kind,
    input: &Input,
    window: &WindowInput,
    dry_run: bool,
    message: Option<&str>,
) -> Result<Imported> {
    let entry = session.find(query)?;
    let record = crate::store::read::load(&session.store, &entry)?;
    let window = window.window(session, record.started_at.map(|t| t.0))?;
    let read = read_events(kind, input, &window, session.zone())?;
    let counts = Counts {
        total: read.events.len() + read.outside,
        outside: read.outside,
        file: input.name.clone(),
    };
    let refused = |e: String| Error::usage(e).nothing_written();
    if dry_run {
        let plan = plan(&record, read.events).map_err(refused)?;
        return Ok(Imported {
            record_id: record.id,
            plan,
            counts,
            outcome: None,
        });
    }
    let mut planned = None;
    let done = session.change_record(&entry, "import", message, |doc, before| {
        // Planned against the record as committed, on every attempt:
        // a commit of someone else's in between moves it.
        let p = plan(before, read.events.clone()).map_err(refused)?;
        apply(doc, &p);
        planned = Some(p);
        Ok(())
    })?;
    Ok(Imported {
        record_id: record.id,
        plan: planned.unwrap_or_default(),
        counts,
        outcome: Some(Outcome::of(done)),
    })
}
