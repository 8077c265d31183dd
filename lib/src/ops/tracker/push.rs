//! `action push`: one issue per action item, with a link back to the
//! post-mortem and the team's label.

use super::place;
use crate::error::{Command, Error, Result};
use crate::ops::action::no_such_action;
use crate::ops::{Outcome, find_item, with_message};
use crate::record::{ActionItem, ActionStatus, Record};
use crate::session::Session;
use crate::store::read::Entry;
use crate::tracker::{self, Link, NewIssue, Tracker};

/// What `push` did.
pub enum Pushed {
    /// A new issue, recorded in the item.
    Made {
        done: Box<Outcome>,
        n: u32,
        link: Link,
    },
    /// The item has an issue already: nothing was made.
    Already {
        n: u32,
        tracker: String,
        reference: String,
        url: Option<String>,
    },
}

/// Files item `ID#N` as an issue in `to` (`target`: a repository or
/// project other than the configured one) and records where it is.
pub fn push(
    session: &Session,
    item: &str,
    to: Tracker,
    target: Option<&str>,
    message: Option<&str>,
) -> Result<Pushed> {
    let (entry, n) = find_item(session, item)?;
    let record = crate::store::read::load(&session.store, &entry)?;
    let action = record.action(n).ok_or_else(|| no_such_action(&record, n))?;
    if let Some(reference) = &action.link.tracker_ref {
        return Ok(Pushed::Already {
            n,
            tracker: action.link.tracker.clone().unwrap_or_default(),
            reference: reference.clone(),
            url: action.link.url.clone(),
        });
    }
    if action.status != ActionStatus::Open {
        return Err(Error::new(format!(
            "{}#{n} is {}: only open items go to the tracker",
            record.id, action.status
        )));
    }
    let issue = new_issue(session, &record, &entry, action);
    let link = tracker::create(to, target, &issue, &place(session))?;
    let first = format!("Filed as {} ({})", link.reference, link.url);
    let recorded = session.change_record(
        &entry,
        "action-push",
        Some(&with_message(first, message)),
        |doc, _| {
            doc.link_action(n, to.as_str(), &link.reference, &link.url);
            Ok(())
        },
    );
    let done = recorded.map_err(|e| {
        Error::new(format!(
            "made {} but could not record it in {}: {}",
            link.url, record.id, e.message
        ))
        .hint_run(
            "add `tracker`, `ref` and `url` to the item by hand",
            Command::postmortem(["edit", record.id.as_str()]),
        )
    })?;
    Ok(Pushed::Made {
        done: Box::new(Outcome::of(done)),
        n,
        link,
    })
}

/// The issue for `action`: its text as the title, and a body that leads
/// back to the post-mortem.
fn new_issue(session: &Session, record: &Record, entry: &Entry, action: &ActionItem) -> NewIssue {
    let mut body = format!(
        "Action item {}#{} of the post-mortem \"{}\" ({}).\n\n{}\n",
        record.id, action.n, record.title, record.severity, action.text
    );
    if let Some(owner) = &action.owner {
        // The name alone: the issue may be public, the address is not.
        let name = crate::people::name_of(owner);
        body.push_str(&format!("\nOwner: {name}"));
    }
    if let Some(due) = action.due {
        body.push_str(&format!("\nDue: {}", due.0));
    }
    body.push_str(&format!(
        "\n\nPost-mortem: {}\nClose this issue when it is done: `devops postmortem sync` brings its state back.\n",
        record_link(session, entry)
    ));
    let label = &session.config.tracker.label;
    NewIssue {
        title: action.text.clone(),
        body,
        label: (!label.trim().is_empty()).then(|| label.clone()),
    }
}

/// A link to the record: the config's `record_url`, else the file on the
/// records branch at `origin`'s web address, else its path there.
fn record_link(session: &Session, entry: &Entry) -> String {
    let branch = session.store.location.name();
    if let Some(template) = &session.config.tracker.record_url {
        return template
            .replace("{path}", &entry.path)
            .replace("{id}", entry.id.as_str())
            .replace("{branch}", branch);
    }
    let origin = session
        .store
        .repo
        .find_remote("origin")
        .ok()
        .and_then(|r| r.url().ok().map(str::to_string));
    match origin.as_deref().and_then(web_address) {
        Some(web) if web.contains("gitlab") => format!("{web}/-/blob/{branch}/{}", entry.path),
        Some(web) => format!("{web}/blob/{branch}/{}", entry.path),
        None => format!("{} on the {branch} branch", entry.path),
    }
}

/// `git@github.com:acme/api.git` or `https://github.com/acme/api.git` →
/// `https://github.com/acme/api`; `None` for a local path.
fn web_address(remote: &str) -> Option<String> {
    let rest = match remote
        .strip_prefix("https://")
        .or_else(|| remote.strip_prefix("ssh://"))
    {
        Some(r) => r.to_string(),
        // scp-like: `git@github.com:acme/api.git`.
        None => {
            let (host, path) = remote.split_once('@')?.1.split_once(':')?;
            format!("{host}/{path}")
        }
    };
    let rest = rest.rsplit_once('@').map_or(rest.as_str(), |(_, r)| r);
    let rest = rest.trim_end_matches('/').trim_end_matches(".git");
    rest.contains('/').then(|| format!("https://{rest}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes_become_web_addresses() {
        let web = |s| web_address(s);
        assert_eq!(
            web("git@github.com:acme/api.git").as_deref(),
            Some("https://github.com/acme/api")
        );
        assert_eq!(
            web("https://github.com/acme/api.git").as_deref(),
            Some("https://github.com/acme/api")
        );
        assert_eq!(
            web("https://tok@gitlab.com/g/p").as_deref(),
            Some("https://gitlab.com/g/p")
        );
        assert_eq!(web("/tmp/remote.git"), None);
    }
}
