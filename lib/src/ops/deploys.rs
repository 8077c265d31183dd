//! `deploys`: the deploys the repository knows (tags matching the team's
//! patterns, and CI's lines imported onto the records branch), the import
//! itself (one commit through the one write transaction), and what the
//! figures, `analyze` and `changes` read of them.

use super::with_message;
use crate::deploy::{Deploy, parse_lines, render};
use crate::error::{Error, Result};
use crate::metrics::deploys::{DeployFigures, Window, compute};
use crate::metrics::stats::{Period, Span};
use crate::record::Record;
use crate::session::Session;
use crate::store::deploys as store;
use crate::store::{Change, commit_file};

/// Every deploy, once, in time order: as the records branch is now, or
/// as it was at `--at` (then tags made after that commit are left out too).
pub fn all(session: &Session, at: Option<&str>) -> Result<Vec<Deploy>> {
    Ok(all_at(session, at)?.0)
}

/// [`all`], and the instant `--at` stands for (its commit's time).
fn all_at(
    session: &Session,
    at: Option<&str>,
) -> Result<(Vec<Deploy>, Option<chrono::DateTime<chrono::FixedOffset>>)> {
    let (commit, cutoff) = match at {
        None => (None, None),
        Some(at) => {
            let commit = session.resolve_at(at)?;
            let time = session.store.repo.find_commit(commit)?.time().seconds();
            (Some(commit), Some(time))
        }
    };
    let mut deploys = match &session.config.deploys {
        Some(cfg) => store::from_tags(&session.store, cfg, cutoff)?,
        None => Vec::new(),
    };
    crate::trace::mark("deploys: tags");
    if let Some(text) = store::file_text(&session.store, commit)? {
        deploys.extend(store::read_file(&store::file_path(&session.store), &text)?);
    }
    let cutoff = cutoff.and_then(|c| chrono::DateTime::from_timestamp(c, 0));
    crate::trace::mark("deploys: file read");
    Ok((
        crate::deploy::merged(deploys),
        cutoff.map(|c| c.fixed_offset()),
    ))
}

/// What an import did.
#[derive(Debug)]
pub struct Imported {
    /// Lines new to the records branch.
    pub added: usize,
    /// Lines it already held (the same service and commit, within minutes).
    pub known: usize,
    /// `None` when nothing was new, so nothing was committed.
    pub commit: Option<git2::Oid>,
}

/// Adds CI's deploys (`file`'s `text`, JSON lines) to the records branch in
/// one commit. The first bad line refuses the whole file, nothing written.
pub fn import(
    session: &Session,
    file: &str,
    text: &str,
    unplanned: bool,
    message: Option<&str>,
) -> Result<Imported> {
    let single = session
        .config
        .deploys
        .as_ref()
        .and_then(|d| d.service.as_deref());
    let mut lines = parse_lines(file, text, single, unplanned)
        .map_err(|e| Error::usage(e).nothing_written())?;
    for l in &mut lines {
        // CI may give a short id; kept whole, as git names it here. A
        // whole id of a commit not fetched here is kept as given.
        if l.deploy.commit.len() < 40 {
            l.deploy.commit = store::full_commit(&session.store, &l.deploy.commit).ok_or_else(|| {
                Error::usage(format!(
                    "{file}:{}: field 'commit': '{}' is no commit here: give the whole 40-digit id, or fetch it first",
                    l.line, l.deploy.commit
                ))
                .nothing_written()
            })?;
        }
    }
    let path = store::file_path(&session.store);
    let exists = session.store.text(&path)?.is_some();
    let mut counts = (0, 0);
    let said = with_message(
        format!("Imported from {}", crate::text::inline(file)),
        message,
    );
    let change = Change {
        id: None,
        path: &path,
        verb: "deploys",
        message: Some(&said),
        create: !exists,
        now: session.now,
        trailers: &[],
    };
    let commit = commit_file(&session.store, &change, |old| {
        let mut kept = match old {
            Some(old) => store::read_file(&path, old)?,
            None => Vec::new(),
        };
        let before = kept.len();
        for l in &lines {
            if !kept.iter().any(|k| crate::deploy::same(k, &l.deploy)) {
                kept.push(l.deploy.clone());
            }
        }
        counts = (kept.len() - before, lines.len() - (kept.len() - before));
        let title = format!("{} deploys", kept.len());
        match old {
            // Nothing new: the file stays byte for byte, nothing is committed.
            Some(old) if counts.0 == 0 => Ok((old.to_string(), title)),
            _ => Ok((render(&kept), title)),
        }
    })?;
    Ok(Imported {
        added: counts.0,
        known: counts.1,
        commit,
    })
}

/// The figures of `records` (all of them; withdrawn ones are left out
/// here) over the window, per service, for the `recent` periods.
pub fn figures(
    session: &Session,
    records: &[&Record],
    span: Span,
    period: Period,
    at: Option<&str>,
    recent: &[String],
) -> Result<DeployFigures> {
    let (deploys, cutoff) = all_at(session, at)?;
    if deploys.is_empty() {
        return Ok(DeployFigures::default());
    }
    let links = store::link(&session.store, &deploys, records)?;
    crate::trace::mark("deploys: linked");
    // The window ends at `--until`, else now; with `--at`, no later than
    // its commit: the same figures tomorrow.
    let end = [span.until, cutoff]
        .into_iter()
        .flatten()
        .fold(session.now, |end, t| end.min(t));
    let window = Window {
        since: span.since,
        end,
        period,
        zone: session.zone(),
    };
    Ok(compute(&deploys, records, &links, &window, recent))
}

/// The deploy, tag or commit a person typed for `flag`, as a full commit id.
pub fn resolve(session: &Session, flag: &str, reference: &str) -> Result<String> {
    let deploys = all(session, None)?;
    store::resolve(&session.store, &deploys, flag, reference)
}

/// What might have caused `r` and what might have remedied it.
pub fn suggest(session: &Session, r: &Record) -> Result<store::Suggestions> {
    let deploys = all(session, None)?;
    if deploys.is_empty() {
        // A team that keeps no deploys gets no walk of its history.
        return Ok(store::Suggestions::default());
    }
    store::suggest(&session.store, &deploys, r)
}
