//! GitHub through `gh`: `gh issue create` prints the new issue's URL;
//! `gh issue view N --json state,stateReason,closedAt,url` says its state
//! (`OPEN`/`CLOSED`, `COMPLETED`/`NOT_PLANNED`/`DUPLICATE`/`REOPENED`);
//! `gh issue close N --reason completed` closes it.

use super::{Link, NewIssue, State, run::Cli};
use crate::error::Result;

pub static CLI: Cli = Cli {
    program: "gh",
    service: "GitHub",
    login: "gh auth login",
    install: "https://cli.github.com",
};

pub fn create_args(repo: Option<&str>, issue: &NewIssue) -> Vec<String> {
    super::create_args(("--repo", repo), ("--title", "--body"), &[], issue)
}

/// `https://github.com/acme/api/issues/123` → `acme/api#123`.
pub fn created(said: &str) -> Option<Link> {
    super::numbered_in(said, "/issues/")
}

pub fn view_args(reference: &str) -> Result<Vec<String>> {
    super::numbered_args(
        "view",
        reference,
        &["--json", "state,stateReason,closedAt,url"],
    )
}

pub fn close_args(reference: &str, comment: &str) -> Result<Vec<String>> {
    super::numbered_args(
        "close",
        reference,
        &["--reason", "completed", "--comment", comment],
    )
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct View {
    state: String,
    #[serde(default)]
    state_reason: Option<String>,
    #[serde(default)]
    closed_at: Option<String>,
}

pub fn state(json: &str) -> std::result::Result<State, String> {
    let v: View = serde_json::from_str(json).map_err(|e| e.to_string())?;
    if !v.state.eq_ignore_ascii_case("closed") {
        return Ok(State::Open);
    }
    // gh names no closer in this JSON; the commit names who read it.
    let closing = super::closing(v.closed_at.as_deref(), None);
    match v
        .state_reason
        .as_deref()
        .map(str::to_ascii_uppercase)
        .as_deref()
    {
        Some("NOT_PLANNED") => Ok(State::NotPlanned(closing, "closed as not planned".into())),
        Some("DUPLICATE") => Ok(State::NotPlanned(closing, "closed as a duplicate".into())),
        _ => Ok(State::Completed(closing)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_printed_url_names_the_issue() {
        let l = created("\nCreating issue in acme/api\n\nhttps://github.com/acme/api/issues/123\n")
            .unwrap();
        assert_eq!(l.reference, "acme/api#123");
        assert_eq!(l.url, "https://github.com/acme/api/issues/123");
        assert!(created("no link").is_none());
    }

    #[test]
    fn states_map_by_reason() {
        let open = r#"{"closedAt":null,"state":"OPEN","stateReason":"REOPENED","url":"u"}"#;
        assert_eq!(state(open).unwrap(), State::Open);
        let done = r#"{"closedAt":"2026-11-30T12:00:00Z","state":"CLOSED","stateReason":"COMPLETED","url":"u"}"#;
        assert!(matches!(state(done).unwrap(), State::Completed(c) if c.at.is_some()));
        let no = r#"{"closedAt":"2026-11-30T12:00:00Z","state":"CLOSED","stateReason":"NOT_PLANNED","url":"u"}"#;
        assert!(matches!(state(no).unwrap(), State::NotPlanned(_, r) if r.contains("not planned")));
        assert!(state("{").is_err());
    }
}
