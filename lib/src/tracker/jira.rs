//! Jira through `jira` (ankitpokhrel/jira-cli): `jira issue create
//! --no-input` prints the new issue's browse URL; `jira issue view KEY
//! --raw` gives the API's issue (`fields.status.statusCategory.key` is
//! `done` once finished, `fields.resolution.name` says how,
//! `fields.resolutiondate` when); `jira issue move KEY Done` closes it.

use super::{Link, NewIssue, State, run::Cli};
use crate::config::TrackerConfig;

pub static CLI: Cli = Cli {
    program: "jira",
    service: "Jira",
    login: "jira init",
    install: "https://github.com/ankitpokhrel/jira-cli",
};

/// Resolutions that mean the work was done; any other is a decision not to.
const DONE: &[&str] = &["done", "fixed", "resolved", "complete", "completed"];

pub fn create_args(project: Option<&str>, issue: &NewIssue, cfg: &TrackerConfig) -> Vec<String> {
    let extra = ["--type", cfg.jira_type.as_str(), "--no-input"];
    super::create_args(
        ("--project", project),
        ("--summary", "--body"),
        &extra,
        issue,
    )
}

/// `https://acme.atlassian.net/browse/OPS-42` → `OPS-42`.
pub fn created(said: &str) -> Option<Link> {
    let url = super::url_in(said, |u| u.contains("/browse/"))?;
    let key = url
        .rsplit_once("/browse/")?
        .1
        .trim_end_matches('/')
        .to_string();
    (!key.is_empty()).then_some(Link {
        reference: key,
        url,
    })
}

pub fn view_args(key: &str) -> Vec<String> {
    ["issue", "view", key, "--raw"].map(String::from).to_vec()
}

pub fn close_args(key: &str, comment: &str, cfg: &TrackerConfig) -> Vec<String> {
    vec![
        "issue".into(),
        "move".into(),
        key.into(),
        cfg.jira_done.clone(),
        "--comment".into(),
        comment.into(),
    ]
}

#[derive(serde::Deserialize)]
struct View {
    fields: Fields,
}

#[derive(serde::Deserialize)]
struct Fields {
    status: Status,
    #[serde(default)]
    resolution: Option<Named>,
    #[serde(default)]
    resolutiondate: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Status {
    #[serde(default)]
    status_category: Option<Category>,
}

#[derive(serde::Deserialize)]
struct Category {
    key: String,
}

#[derive(serde::Deserialize)]
struct Named {
    name: String,
}

pub fn state(json: &str) -> std::result::Result<State, String> {
    let v: View = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let f = v.fields;
    let finished = f
        .status
        .status_category
        .is_some_and(|c| c.key.eq_ignore_ascii_case("done"));
    if !finished {
        return Ok(State::Open);
    }
    let closing = super::closing(f.resolutiondate.as_deref(), None);
    match f.resolution.map(|r| r.name) {
        Some(r) if !DONE.contains(&r.to_lowercase().as_str()) => {
            Ok(State::NotPlanned(closing, format!("resolved as {r}")))
        }
        _ => Ok(State::Completed(closing)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(category: &str, resolution: &str) -> String {
        format!(
            r#"{{"key":"OPS-42","fields":{{"status":{{"name":"X","statusCategory":{{"key":"{category}"}}}},"resolution":{resolution},"resolutiondate":"2026-11-30T21:00:00.000+0900"}}}}"#
        )
    }

    #[test]
    fn resolutions_say_done_or_not() {
        assert_eq!(state(&raw("indeterminate", "null")).unwrap(), State::Open);
        assert!(matches!(
            state(&raw("done", r#"{"name":"Done"}"#)).unwrap(),
            State::Completed(c) if c.at.is_some()
        ));
        assert!(matches!(
            state(&raw("done", r#"{"name":"Won't Do"}"#)).unwrap(),
            State::NotPlanned(_, r) if r == "resolved as Won't Do"
        ));
    }

    #[test]
    fn the_browse_url_names_the_key() {
        let l = created("✓ Issue created\nhttps://acme.atlassian.net/browse/OPS-42\n").unwrap();
        assert_eq!(l.reference, "OPS-42");
    }
}
