//! GitLab through `glab`: `glab issue create --yes` prints the new issue's
//! URL; `glab issue view N -F json` gives the API's issue (`state`
//! `opened`/`closed`, `closed_at`, `closed_by`); `glab issue close N`
//! closes it. GitLab has no "not planned": a closed issue is done.

use super::{Link, NewIssue, State, run::Cli};
use crate::error::Result;

pub static CLI: Cli = Cli {
    program: "glab",
    service: "GitLab",
    login: "glab auth login",
    install: "https://gitlab.com/gitlab-org/cli",
};

pub fn create_args(repo: Option<&str>, issue: &NewIssue) -> Vec<String> {
    super::create_args(
        ("--repo", repo),
        ("--title", "--description"),
        &["--yes"],
        issue,
    )
}

/// `https://gitlab.com/acme/ops/api/-/issues/7` → `acme/ops/api#7`.
pub fn created(said: &str) -> Option<Link> {
    super::numbered_in(said, "/-/issues/")
}

pub fn view_args(reference: &str) -> Result<Vec<String>> {
    super::numbered_args("view", reference, &["--output", "json"])
}

pub fn close_args(reference: &str) -> Result<Vec<String>> {
    super::numbered_args("close", reference, &[])
}

#[derive(serde::Deserialize)]
struct View {
    state: String,
    #[serde(default)]
    closed_at: Option<String>,
    #[serde(default)]
    closed_by: Option<User>,
}

#[derive(serde::Deserialize)]
struct User {
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    name: Option<String>,
}

pub fn state(json: &str) -> std::result::Result<State, String> {
    let v: View = serde_json::from_str(json).map_err(|e| e.to_string())?;
    if v.state != "closed" {
        return Ok(State::Open);
    }
    let by = v.closed_by.and_then(|u| u.username.or(u.name));
    Ok(State::Completed(super::closing(
        v.closed_at.as_deref(),
        by.as_deref(),
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_url_names_the_issue_in_its_group() {
        let l = created("https://gitlab.com/acme/ops/api/-/issues/7\n").unwrap();
        assert_eq!(l.reference, "acme/ops/api#7");
    }

    #[test]
    fn a_closed_issue_names_its_closer() {
        let j = r#"{"iid":7,"state":"closed","closed_at":"2026-11-30T12:00:00.000Z","closed_by":{"username":"carol","name":"Carol"},"web_url":"u"}"#;
        match state(j).unwrap() {
            State::Completed(c) => assert_eq!(c.by.as_deref(), Some("carol")),
            other => panic!("{other:?}"),
        }
        assert_eq!(state(r#"{"state":"opened"}"#).unwrap(), State::Open);
    }
}
