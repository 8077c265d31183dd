//! `new`: start a post-mortem, from what was typed or from another tool's
//! incident (PagerDuty), in one commit.

use super::fields::{Describe, ImpactInput, Times, clean_list};
use super::{Outcome, time_order_warnings};
use crate::error::{Command, Error, Result};
use crate::record::{RecordDoc, RecordId, Timestamp, model::SCHEMA};
use crate::session::Session;
use crate::sources::{Event, Kind, Window};
use crate::store::{Change, commit_record};

/// What the new record says, as typed (or filled by the guided flow).
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub describe: Describe,
    pub times: Times,
    pub impact: ImpactInput,
    /// Assign it right away (resolved as `assign` does).
    pub assignee: Option<String>,
    /// Built-in `default` or `sre`, or the team's `<dir>/templates/NAME.toml`.
    pub template: String,
}

/// A document the person gave, as read by the binary: its bytes, its name
/// for messages, and the argument as typed (for commands to paste; `None`
/// for standard input, which a pasted command would read from the terminal).
#[derive(Debug, Clone)]
pub struct Input {
    pub bytes: Vec<u8>,
    pub name: String,
    pub arg: Option<String>,
}

/// What `new --from pagerduty` brought: the tag that ties the record to
/// the incident, and the log entries to import with it.
#[derive(Debug, Clone)]
pub struct FromSource {
    tag: String,
    incident: String,
    log_arg: Option<String>,
    events: Option<(Vec<Event>, String)>,
}

/// The record made, and where.
#[derive(Debug)]
pub struct Created {
    pub id: RecordId,
    pub path: String,
    pub outcome: Outcome,
}

/// Fills what `req` left out from a PagerDuty incident (title, severity,
/// service, start, a `pagerduty:ID` tag) and reads its log entries, which
/// must be that incident's. Refuses an incident that already has a
/// post-mortem.
pub fn from_pagerduty(
    session: &Session,
    req: &mut Request,
    incident: &Input,
    log: Option<&Input>,
) -> Result<FromSource> {
    let found = crate::sources::incident(&incident.bytes).map_err(|p| {
        Error::usage(format!(
            "{} (--from pagerduty reads an incident as GET /incidents/{{id}} returns it)",
            p.in_file(&incident.name)
        ))
        .nothing_written()
        .hint(Command::postmortem(["new", "--help"]))
    })?;
    let from = FromSource {
        tag: super::import::pagerduty_tag(&found),
        incident: found.id.clone(),
        log_arg: log.and_then(|l| l.arg.clone()),
        events: None,
    };
    from.refuse_a_second(session)?;
    req.describe.tags.push(from.tag.clone());
    let d = &mut req.describe;
    d.title.get_or_insert_with(|| found.title.clone());
    d.severity
        .get_or_insert_with(|| super::import::pagerduty_severity(&session.config, &found));
    if d.services.is_empty()
        && let Some(theirs) = &found.service
    {
        d.services
            .push(our_service(session, theirs, incident, log)?);
    }
    req.times.started.get_or_insert_with(|| {
        crate::time::format_rfc3339(&session.zone().convert(found.created_at))
    });
    if d.summary.is_none()
        && let Some(url) = &found.url
    {
        d.summary = Some(format!("PagerDuty incident: {url}"));
    }
    let Some(log) = log else {
        return Ok(from);
    };
    let read =
        super::import::read_events(Kind::Pagerduty, log, &Window::default(), session.zone())?;
    Ok(FromSource {
        events: Some((read.events, log.name.clone())),
        ..from
    })
}

/// PagerDuty's service as the team names it; with a list of services in
/// the config, one of them, or an error with the command that maps it.
fn our_service(
    session: &Session,
    theirs: &str,
    incident: &Input,
    log: Option<&Input>,
) -> Result<String> {
    let ours = super::import::pagerduty_service(&session.config, theirs);
    let known = &session.config.services;
    if known.is_empty() || known.contains(&ours) {
        return Ok(ours);
    }
    let config = session.store.config_path();
    let e = Error::usage(format!(
        "{}: PagerDuty service '{}' is not one of the services in {config}",
        incident.name,
        crate::text::inline(theirs),
    ))
    .nothing_written();
    // Only a service whose name resembles theirs is suggested: the first
    // one in the config, pasted at 3 a.m., would file the incident wrong.
    let (Some(like), Some(file)) = (resembling(&ours, known), &incident.arg) else {
        return Err(e.hint_run(
            format!(
                "map it in the config ([import.pagerduty.services] \"{}\" = \"SERVICE\"), or give --service",
                crate::text::inline(theirs).replace('"', "\\\"")
            ),
            Command::postmortem(["edit", "--config"]),
        ));
    };
    let mut args = vec![
        "new".to_string(),
        "--from".into(),
        "pagerduty".into(),
        file.clone(),
    ];
    if let Some(l) = log.and_then(|l| l.arg.clone()) {
        args.extend(["--log".to_string(), l]);
    }
    args.extend(["--service".to_string(), like.to_string()]);
    Err(e.hint_run(format!("did you mean {like}?"), Command::postmortem(args)))
}

/// A known service whose name resembles `name`: a near spelling, or one
/// name inside the other once both are lower-cased with `-` for any run
/// of other characters ("Payments API (prod)" and `payments-api`).
fn resembling<'a>(name: &str, known: &'a [String]) -> Option<&'a str> {
    if let Some(k) = crate::record::lint::did_you_mean(name, known) {
        return Some(k);
    }
    let plain = |s: &str| {
        s.to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect::<Vec<_>>()
            .join("-")
    };
    let theirs = plain(name);
    known
        .iter()
        .filter(|k| {
            let k = plain(k);
            !k.is_empty() && (theirs.contains(&k) || k.contains(&theirs)) && !theirs.is_empty()
        })
        .max_by_key(|k| k.len())
        .map(String::as_str)
}

impl FromSource {
    /// Refuses an incident that already has a post-mortem: two people
    /// paged at 3 a.m. should not write two.
    fn refuse_a_second(&self, session: &Session) -> Result<()> {
        let (records, _) =
            crate::store::read::load_all(&session.store, crate::store::read::Detail::Slim)?;
        let Some(r) = records.iter().find(|r| r.tags.contains(&self.tag)) else {
            return Ok(());
        };
        let hint = match &self.log_arg {
            Some(log) => Command::postmortem(["import", r.id.as_str(), "--from", "pagerduty", log]),
            None => Command::postmortem(["show", r.id.as_str()]),
        };
        Err(Error::new(format!(
            "PagerDuty incident {} already has a post-mortem: {} ({})",
            crate::text::inline(&self.incident),
            r.id,
            crate::text::inline(&r.title)
        ))
        .hint(hint))
    }
}

/// Makes the record and commits it. `req.describe.title` must be there.
pub fn create(
    session: &Session,
    req: &Request,
    from: Option<&FromSource>,
    message: Option<&str>,
) -> Result<Created> {
    let template = crate::templates::record_template(&session.store, &req.template)?;
    let id = RecordId::generate(id_day(session, req)?)?;
    let path = session.store.record_path(&id);
    let mut doc = RecordDoc::parse(&template).map_err(|e| {
        Error::new(format!(
            "template '{}' is not valid TOML: {e}",
            req.template
        ))
    })?;
    fill(session, &mut doc, &id, req)?;
    if let Some((events, name)) = from.and_then(|f| f.events.as_ref()) {
        import_into(session, &mut doc, events, name)?;
    }
    let text = session.finish(&path, doc)?;
    let change = Change {
        id: Some(&id),
        path: &path,
        verb: "new",
        message,
        create: true,
        now: session.now,
        trailers: &[],
    };
    let done = commit_record(&session.store, &change, |_| {
        // Again as the commit is made, at the branch's tip: two people
        // paged at once both got past the first look.
        if let Some(f) = from {
            f.refuse_a_second(session)?;
        }
        Ok(text.clone())
    })?;
    let mut outcome = Outcome::of(done);
    outcome.warnings = time_order_warnings(&outcome.record);
    Ok(Created { id, path, outcome })
}

/// The day an ID carries: the incident's start when given (an outage of
/// Nov 30 written up on Dec 3 is filed under Nov 30), else today; in the
/// team's zone, the day its people call it.
fn id_day(session: &Session, req: &Request) -> Result<chrono::NaiveDate> {
    let at = match &req.times.started {
        Some(s) => session.time("--started", s)?.0,
        None => session.now,
    };
    Ok(session.zone().convert(at).date_naive())
}

/// The new record's fields, on the template.
fn fill(session: &Session, doc: &mut RecordDoc, id: &RecordId, req: &Request) -> Result<()> {
    let d = &req.describe;
    let title = d.title.as_deref().unwrap_or_default();
    let severity = match &d.severity {
        Some(s) => session.config.check_severity(s)?,
        None => session.config.default_severity(),
    };
    let assignee = req
        .assignee
        .as_deref()
        .map(|who| session.person(who))
        .transpose()?;
    let reporter = crate::store::identity::identity(&session.store.repo, "AUTHOR")?.display();
    doc.set_int(&["schema"], SCHEMA as u64);
    doc.set_str(&["id"], id.as_str());
    doc.set_str(&["title"], title.trim());
    doc.set_str(&["status"], "open");
    doc.set_str(&["severity"], &severity);
    let services = clean_list(&d.services);
    if !services.is_empty() {
        doc.set_list(&["services"], &services);
    }
    let tags = clean_list(&d.tags);
    if !tags.is_empty() {
        doc.push_to_list(&["tags"], &tags);
    }
    doc.set_str(&["reporter"], &reporter);
    if let Some(a) = &assignee {
        doc.assign(a);
    }
    if let Some(s) = &d.summary {
        doc.set_str(&["summary"], s.trim());
    }
    req.times.apply(session, doc, None)?;
    req.impact.apply(doc, None)?;
    doc.set_time(&["created_at"], &Timestamp(session.now));
    Ok(())
}

/// The incident's log entries, in the same commit.
fn import_into(session: &Session, doc: &mut RecordDoc, events: &[Event], name: &str) -> Result<()> {
    let so_far = crate::record::parse::parse_record(&doc.render())
        .map_err(|e| Error::new(format!("the new record would be invalid: {e}")))?;
    let plan = super::import::plan(&so_far, events.to_vec())
        .map_err(|e| Error::usage(format!("{name}: {e}")).nothing_written())?;
    super::import::apply(doc, &plan);
    for why in &plan.not_set {
        session.note(format!("left alone: {why}"));
    }
    Ok(())
}
