//! `digest` in each of its forms: plain text for a terminal or mail,
//! Markdown (Mattermost and most chats), Slack's mrkdwn, and a Teams
//! Adaptive Card. One list of sections, decorated per format.

use super::short_person;
use postmortem::metrics::digest::Digest;
use postmortem::metrics::triage::{ActionRef, Item};
use postmortem::text::inline;
use serde_json::{Value, json};

/// One need: a heading, what to do about it, and its lines.
struct Section {
    title: String,
    todo: &'static str,
    lines: Vec<Line>,
}

/// `PM-…#1`, what it is, and who and when.
struct Line {
    id: String,
    text: String,
    about: String,
}

fn item_line(i: &Item) -> Line {
    let who = i
        .assignee
        .map_or("unassigned".into(), |a| inline(short_person(a)));
    Line {
        id: i.id.to_string(),
        text: inline(i.title),
        about: format!("{} · {who}", inline(i.severity)),
    }
}

fn action_line(a: &ActionRef) -> Line {
    let who = a
        .owner
        .map_or("no owner".into(), |o| inline(short_person(o)));
    let when = match a.days_overdue {
        d if d > 0 => format!("due {}, {d}d late", a.due),
        0 => format!("due {}, today", a.due),
        d => format!("due {}, in {}d", a.due, -d),
    };
    Line {
        id: format!("{}#{}", a.id, a.n),
        text: inline(a.text),
        about: format!("{who} · {when}"),
    }
}

fn sections(d: &Digest) -> Vec<Section> {
    let items = |list: &[Item]| list.iter().map(item_line).collect::<Vec<_>>();
    let actions = |list: &[ActionRef]| list.iter().map(action_line).collect::<Vec<_>>();
    let all = [
        Section {
            title: "Awaiting review".into(),
            todo: "someone other than the assignee: devops postmortem review ID --approve",
            lines: items(&d.awaiting_review),
        },
        Section {
            title: "Changes requested".into(),
            todo: "their assignees: see the review note (devops postmortem show ID)",
            lines: items(&d.changes_requested),
        },
        Section {
            title: "Action items overdue".into(),
            todo: "devops postmortem action done ID#N, or action edit ID#N --due DATE",
            lines: actions(&d.actions_overdue),
        },
        Section {
            title: format!("Action items due within {} days", d.due_soon_days),
            todo: "devops postmortem action done ID#N",
            lines: actions(&d.actions_due_soon),
        },
        Section {
            title: "Unassigned".into(),
            todo: "devops postmortem assign ID WHO",
            lines: items(&d.unassigned),
        },
        Section {
            title: format!("Stale: no change in {} days", d.stale_days),
            todo: "move it on, or withdraw it",
            lines: items(&d.stale),
        },
    ];
    all.into_iter().filter(|s| !s.lines.is_empty()).collect()
}

fn heading(d: &Digest) -> String {
    let whose = match &d.person {
        Some(p) => format!("for {}", inline(short_person(p))),
        None => "for the team".into(),
    };
    format!(
        "Post-mortems: what needs someone today, {} ({whose})",
        d.date
    )
}

fn nothing(d: &Digest) -> &'static str {
    match d.person {
        Some(_) => "Nothing needs you today.",
        None => "Nothing needs anyone today.",
    }
}

/// How a format marks up the common parts; record text reaches it as
/// the format's escape leaves it.
struct Marks {
    escape: fn(&str) -> String,
    heading: fn(&str) -> String,
    section: fn(&str, usize, &str) -> String,
    line: fn(&str, &str, &str) -> String,
}

fn write(d: &Digest, m: &Marks) -> String {
    let esc = m.escape;
    let mut out = (m.heading)(&esc(&heading(d)));
    let all = sections(d);
    if all.is_empty() {
        out.push_str(&format!("\n{}\n", nothing(d)));
    }
    for s in all {
        out.push_str(&(m.section)(&esc(&s.title), s.lines.len(), &esc(s.todo)));
        for l in s.lines {
            out.push_str(&(m.line)(&l.id, &esc(&l.text), &esc(&l.about)));
        }
    }
    out
}

pub fn text(d: &Digest) -> String {
    write(
        d,
        &Marks {
            escape: str::to_string,
            heading: |h| format!("{h}\n"),
            section: |title, n, todo| format!("\n{title} ({n}): {todo}\n"),
            line: |id, text, about| format!("  {id}  {text}  ({about})\n"),
        },
    )
}

/// Markdown as CommonMark reads it: record text is escaped, so a title
/// cannot add links, mentions or formatting.
pub fn markdown(d: &Digest) -> String {
    write(
        d,
        &Marks {
            escape: md,
            heading: |h| format!("## {h}\n"),
            section: |title, n, todo| format!("\n### {title} ({n})\n_{todo}_\n\n"),
            line: |id, text, about| format!("- `{id}` {text} ({about})\n"),
        },
    )
}

/// Slack's mrkdwn: `*bold*`, `•` bullets; `&`, `<` and `>` escaped as
/// Slack asks (they would start links and mentions).
pub fn slack(d: &Digest) -> String {
    write(
        d,
        &Marks {
            escape: slack_escape,
            heading: |h| format!("*{h}*\n"),
            section: |title, n, todo| format!("\n*{title} ({n})* _{todo}_\n"),
            line: |id, text, about| format!("• `{id}` {text} ({about})\n"),
        },
    )
}

/// A Teams message holding an Adaptive Card (what Teams' Workflows
/// webhooks take): a title, then a heading and a list per section.
pub fn teams(d: &Digest) -> Value {
    let mut body = vec![json!({
        "type": "TextBlock", "text": md(&heading(d)), "weight": "Bolder",
        "size": "Medium", "wrap": true
    })];
    let all = sections(d);
    if all.is_empty() {
        body.push(json!({"type": "TextBlock", "text": nothing(d), "wrap": true}));
    }
    for s in all {
        body.push(json!({
            "type": "TextBlock", "wrap": true, "weight": "Bolder", "spacing": "Medium",
            "text": format!("{} ({})", md(&s.title), s.lines.len())
        }));
        let list: Vec<String> = s
            .lines
            .iter()
            .map(|l| format!("- {} {} ({})", l.id, md(&l.text), md(&l.about)))
            .collect();
        body.push(json!({"type": "TextBlock", "wrap": true, "text": list.join("\n")}));
        body.push(json!({
            "type": "TextBlock", "wrap": true, "isSubtle": true, "size": "Small",
            "text": md(s.todo)
        }));
    }
    json!({
        "type": "message",
        "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "contentUrl": null,
            "content": {
                "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                "type": "AdaptiveCard",
                "version": "1.4",
                "body": body
            }
        }]
    })
}

/// Markdown's inline punctuation escaped with a backslash (what could
/// make a link, code, emphasis or HTML mid-line); an `@` is followed by an
/// invisible word joiner, as chats (Mattermost, GitLab) find mentions
/// such as `@channel` in the text itself, escaped or not.
fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\`*_[]<>~".contains(c) {
            out.push('\\');
        }
        out.push(c);
        if c == '@' {
            out.push('\u{2060}');
        }
    }
    out
}

fn slack_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
