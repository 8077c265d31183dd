//! `analyze`: record what was found. Adds to what is there and never
//! erases in silence: replacing a trigger or root cause needs `replace`.

use super::action::{ActionSpec, build, parse_kind};
use super::timeline::split_event;
use super::{Outcome, refuse_settled};
use crate::error::{Command, Error, Result};
use crate::record::{RecordDoc, Timestamp};
use crate::session::Session;

/// What was found, as typed (or gathered by the guided flow).
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub trigger: Option<String>,
    pub root_cause: Option<String>,
    /// Overwrite an existing trigger, root cause or no-educate reason.
    pub replace: bool,
    pub factors: Vec<String>,
    pub whys: Vec<String>,
    pub went_well: Vec<String>,
    pub went_wrong: Vec<String>,
    pub lucky: Vec<String>,
    pub lessons: Vec<String>,
    /// Timeline entries: a time, then text ("09:20 alert fired").
    pub events: Vec<String>,
    pub actions: Vec<ActionSpec>,
    pub no_action_reason: Option<String>,
    pub no_educate_reason: Option<String>,
    /// The analysis stands as it is (after a reopen: decides it again).
    pub confirm: bool,
    /// How the incident ties to deploys (`--caused-by`, `--remedied-by`,
    /// `--no-deploy`).
    pub deploy: DeployRequest,
}

/// A deploy, tag or commit as typed, for each link; or "no deploy".
#[derive(Debug, Clone, Default)]
pub struct DeployRequest {
    pub caused_by: Option<String>,
    pub remedied_by: Option<String>,
    pub no_deploy: bool,
}

impl DeployRequest {
    fn is_empty(&self) -> bool {
        self.caused_by.is_none() && self.remedied_by.is_none() && !self.no_deploy
    }
}

impl Request {
    pub fn is_empty(&self) -> bool {
        self.trigger.is_none()
            && self.root_cause.is_none()
            && self.no_action_reason.is_none()
            && self.no_educate_reason.is_none()
            && !self.confirm
            && self.deploy.is_empty()
            && self.actions.is_empty()
            && self.lists().iter().all(|(_, v)| v.is_empty())
            && self.events.is_empty()
    }

    /// The lists of sentences, with the key each goes under.
    fn lists(&self) -> [(&'static str, &Vec<String>); 6] {
        [
            ("contributing_factors", &self.factors),
            ("five_whys", &self.whys),
            ("went_well", &self.went_well),
            ("went_wrong", &self.went_wrong),
            ("lucky", &self.lucky),
            ("lessons", &self.lessons),
        ]
    }

    /// Refuses, before anything is read, what cannot be recorded.
    pub fn check(&self) -> Result<()> {
        for (flag, value) in [
            ("--no-educate-reason", &self.no_educate_reason),
            ("--no-action-reason", &self.no_action_reason),
        ] {
            if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                return Err(Error::usage(format!("{flag} needs text: why")));
            }
        }
        for spec in &self.actions {
            if let Some(k) = &spec.fields.kind {
                parse_kind(k)?;
            }
        }
        if self.deploy.no_deploy && self.deploy.caused_by.is_some() {
            return Err(Error::usage(
                "--no-deploy and --caused-by say opposite things: give one",
            ));
        }
        Ok(())
    }
}

/// Records the analysis; the outcome's record says what is still missing
/// (`record::status::analysis_missing`).
pub fn analyze(
    session: &Session,
    query: &str,
    req: &Request,
    message: Option<&str>,
) -> Result<Outcome> {
    req.check()?;
    let entry = session.find(query)?;
    // Resolved before the write: a typo is refused with nothing written.
    let commit_of = |flag: &str, r: &Option<String>| {
        r.as_deref()
            .map(|r| super::deploys::resolve(session, flag, r))
            .transpose()
    };
    let caused_by = commit_of("--caused-by", &req.deploy.caused_by)?;
    let remedied_by = commit_of("--remedied-by", &req.deploy.remedied_by)?;
    let done = session.change_record(&entry, "analyze", message, |doc, before| {
        refuse_settled(before)?;
        let a = &before.analysis;
        let once = |doc: &mut RecordDoc, key, current: &str, new: &Option<String>| {
            set_once(doc, &before.id, key, current, new.as_deref(), req.replace)
        };
        once(doc, "trigger", &a.trigger, &req.trigger)?;
        once(doc, "root_cause", &a.root_cause, &req.root_cause)?;
        for (key, items) in req.lists() {
            let items: Vec<String> = items
                .iter()
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect();
            doc.push_to_list(&["analysis", key], &items);
        }
        once(
            doc,
            "no_educate_reason",
            &a.no_educate_reason,
            &req.no_educate_reason,
        )?;
        if let Some(reason) = &req.no_action_reason {
            doc.set_str(&["analysis", "no_action_reason"], reason.trim());
        }
        // Bare clocks in events are read nearest the incident's start.
        let anchor = before.started_at.map(|t| t.0);
        for e in &req.events {
            let (at, text) = split_event(session, e, anchor)?;
            doc.push_timeline(&at, &text);
        }
        for item in build(session, before, &req.actions)? {
            doc.push_action(&item);
        }
        link_deploys(
            doc,
            before,
            req,
            caused_by.as_deref(),
            remedied_by.as_deref(),
        )?;
        // A decision on the analysis, made now (a reopened record needs one).
        doc.set_time(&["analyzed_at"], &Timestamp(session.now));
        Ok(())
    })?;
    Ok(Outcome::of(done))
}

/// Writes `[deploy]`: a cause or remedy is set when empty (replacing one
/// needs `replace`); a cause and "no deploy" exclude each other.
fn link_deploys(
    doc: &mut RecordDoc,
    before: &crate::record::Record,
    req: &Request,
    caused_by: Option<&str>,
    remedied_by: Option<&str>,
) -> Result<()> {
    let now = &before.deploy;
    let set = |doc: &mut RecordDoc, key: &str, current: &Option<String>, new: Option<&str>| {
        let Some(new) = new else { return Ok(()) };
        if current.as_deref().is_some_and(|c| c != new) && !req.replace {
            return Err(Error::new(format!(
                "deploy.{key} is already set: {}",
                current.as_deref().unwrap_or_default()
            ))
            .nothing_written()
            .hint_run(
                "pass --replace to overwrite it, or edit the record",
                Command::postmortem(["edit", before.id.as_str()]),
            ));
        }
        doc.set_str(&["deploy", key], new);
        Ok(())
    };
    set(doc, "caused_by", &now.caused_by, caused_by)?;
    set(doc, "remedied_by", &now.remedied_by, remedied_by)?;
    if caused_by.is_some() && now.no_deploy {
        doc.remove(&["deploy", "no_deploy"]);
    }
    if req.deploy.no_deploy {
        if now.caused_by.is_some() && !req.replace {
            return Err(Error::new(format!(
                "{} names the deploy that caused it: pass --replace to say none did",
                before.id
            ))
            .nothing_written());
        }
        doc.remove(&["deploy", "caused_by"]);
        doc.set_bool(&["deploy", "no_deploy"], true);
    }
    Ok(())
}

/// What a reviewer would flag in the text typed (blame, vague actions), as
/// `(flag, text, remark)`: warnings, the analysis is recorded as written.
pub fn remarks(session: &Session, req: &Request) -> Vec<(&'static str, String, String)> {
    let rules = session.config.lint_rules();
    let single = [
        ("--trigger", &req.trigger),
        ("--root-cause", &req.root_cause),
        ("--no-action-reason", &req.no_action_reason),
        ("--no-educate-reason", &req.no_educate_reason),
    ];
    let single = single
        .into_iter()
        .filter_map(|(flag, v)| Some((flag, v.as_deref()?, false)));
    let lists = [
        ("--factor", &req.factors),
        ("--why", &req.whys),
        ("--went-wrong", &req.went_wrong),
        ("--lucky", &req.lucky),
        ("--lesson", &req.lessons),
    ];
    let lists = lists
        .into_iter()
        .flat_map(|(flag, v)| v.iter().map(move |t| (flag, t.as_str(), false)));
    let actions = req
        .actions
        .iter()
        .map(|a| ("--action", a.text.as_str(), true));
    let mut out = Vec::new();
    for (flag, text, action) in single.chain(lists).chain(actions) {
        for remark in crate::record::lint::writeup::remarks(text, action, &rules) {
            out.push((flag, text.to_string(), remark));
        }
    }
    out
}

/// A single-valued field is set when empty; overwriting needs `replace`.
fn set_once(
    doc: &mut RecordDoc,
    id: &str,
    key: &str,
    current: &str,
    new: Option<&str>,
    replace: bool,
) -> Result<()> {
    let Some(new) = new.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(());
    };
    if !current.trim().is_empty() && current.trim() != new && !replace {
        return Err(Error::new(format!(
            "analysis.{key} is already set: \"{}\"",
            crate::text::truncate(&crate::text::inline(current), 60)
        ))
        .nothing_written()
        .hint_run(
            "pass --replace to overwrite it, or edit the record",
            Command::postmortem(["edit", id]),
        ));
    }
    doc.set_str(&["analysis", key], new);
    Ok(())
}
