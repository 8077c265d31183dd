//! Posting a message to a chat's incoming webhook (Slack, Mattermost,
//! Teams): one JSON body, sent whole, within a timeout. Webhook URLs carry
//! their secret in the path, so messages name only the scheme and host.

use postmortem::error::{Error, Result};
use std::time::Duration;

/// Sends `body` (JSON) to `url`; any answer but 2xx is an error.
pub fn post(url: &str, body: &str, timeout: Duration) -> Result<()> {
    let place = redacted(url)?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(timeout))
        .http_status_as_error(false)
        // A redirect would turn the POST into a GET elsewhere and report
        // success for a message never delivered: a 3xx is an answer.
        .max_redirects(0)
        .build()
        .into();
    let sent = agent
        .post(url)
        .content_type("application/json")
        .send(body.as_bytes());
    let mut answer = match sent {
        Ok(answer) => answer,
        Err(ureq::Error::Timeout(_)) => {
            return Err(Error::new(format!(
                "the webhook at {place} did not answer within {}: the digest may not have been posted; try again, or give more time with --timeout",
                shown(timeout)
            )));
        }
        Err(e) => {
            return Err(Error::new(format!(
                "cannot post to the webhook at {place}: {}",
                postmortem::error::one_line(&e.to_string())
            )));
        }
    };
    let status = answer.status();
    if status.is_success() {
        return Ok(());
    }
    // What Slack and Teams say is short and telling (`invalid_payload`).
    let said = answer
        .body_mut()
        .with_config()
        .limit(400)
        .read_to_string()
        .unwrap_or_default();
    let said = postmortem::text::truncate(&postmortem::text::inline(said.trim()), 120);
    Err(Error::new(format!(
        "the webhook at {place} refused the digest: HTTP {}{}",
        status.as_u16(),
        if said.is_empty() {
            String::new()
        } else {
            format!(" ({said})")
        }
    )))
}

/// `https://hooks.slack.com/…`: the URL without its secret path; an
/// error (usage) when it is not an http(s) URL.
pub fn redacted(url: &str) -> Result<String> {
    // The URL is not echoed: a mistyped one still holds its secret.
    let bad = || {
        Error::usage(
            "--post: the URL given is not a webhook URL (not shown: it may hold a secret): give http(s)://host/path",
        )
    };
    let (scheme, rest) = url.split_once("://").ok_or_else(bad)?;
    if !matches!(scheme, "http" | "https") {
        return Err(bad());
    }
    // A backslash ends the host too, as URL parsers read it.
    let host = rest.split(['/', '\\', '?', '#']).next().unwrap_or_default();
    // user:password@host keeps only the host.
    let host = host.rsplit('@').next().unwrap_or_default();
    if host.is_empty() {
        return Err(bad());
    }
    Ok(format!("{scheme}://{host}/…"))
}

/// `--timeout`: `10s`, `500ms`, `2m`.
pub fn parse_timeout(s: &str) -> Result<Duration> {
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let n: u64 = t[..split].parse().unwrap_or(0);
    let d = match &t[split..] {
        "ms" => Duration::from_millis(n),
        "s" | "" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        _ => Duration::ZERO,
    };
    if d.is_zero() {
        return Err(Error::usage(format!(
            "--timeout '{}': give a time such as 10s, 500ms or 1m",
            postmortem::text::inline(t)
        )));
    }
    Ok(d)
}

fn shown(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{}ms", d.as_millis())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_path_is_never_shown() {
        assert_eq!(
            redacted("https://hooks.slack.com/services/T0/B0/secret").unwrap(),
            "https://hooks.slack.com/…"
        );
        assert_eq!(
            redacted("http://user:pw@127.0.0.1:8080/hook?x=1").unwrap(),
            "http://127.0.0.1:8080/…"
        );
        for bad in ["hooks.slack.com/x", "ftp://host/x", "https:///x"] {
            assert!(redacted(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn timeouts_in_seconds_milliseconds_or_minutes() {
        assert_eq!(parse_timeout("2s").unwrap(), Duration::from_secs(2));
        assert_eq!(parse_timeout("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_timeout("1m").unwrap(), Duration::from_secs(60));
        for bad in ["0s", "soon", "-1s", "2h"] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
    }
}
