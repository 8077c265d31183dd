//! The readable view of one record (`show ID`).

use chrono::{DateTime, FixedOffset};
use postmortem::record::Record;
use postmortem::text::{block, inline};
use postmortem::time::TimeView;
use std::fmt::Write;

/// The record's sections in reading order, each by its own function; every
/// time in `view`'s zone, named once in the heading of the times.
pub fn record(r: &Record, now: DateTime<FixedOffset>, view: TimeView, review_days: u32) -> String {
    let mut s = String::new();
    header(&mut s, r, now, view, review_days);
    if !r.summary.trim().is_empty() {
        section(&mut s, "Summary");
        indented(&mut s, &r.summary);
    }
    times(&mut s, r, view);
    impact(&mut s, r);
    analysis(&mut s, r);
    timeline(&mut s, r, view);
    action_items(&mut s, r, now);
    s
}

fn header(
    s: &mut String,
    r: &Record,
    now: DateTime<FixedOffset>,
    view: TimeView,
    review_days: u32,
) {
    let _ = writeln!(s, "{}  {}", r.id, inline(&r.title));
    let _ = writeln!(s, "status    {}", r.status);
    let _ = writeln!(s, "severity  {}", inline(&r.severity));
    field(s, "services", &r.services.join(", "));
    field(s, "tags", &r.tags.join(", "));
    field(s, "reporter", r.reporter.as_deref().unwrap_or(""));
    field(s, "assignee", r.assignee.as_deref().unwrap_or("(none)"));
    if r.status.is_active() {
        let due = r.review_due(review_days);
        let note = if due < now { " (overdue)" } else { "" };
        let day = view.local(due).format("%Y-%m-%d");
        let _ = writeln!(s, "review    due {day}{note}");
    }
    if let (Some(verdict), Some(by), Some(at)) = (r.review.verdict, &r.review.by, r.review.at) {
        let said = match verdict {
            postmortem::record::Verdict::Approved => "approved".to_string(),
            postmortem::record::Verdict::ChangesRequested => format!(
                "changes requested ({})",
                inline(r.review.note.as_deref().unwrap_or(""))
            ),
        };
        let by = inline(super::short_person(by));
        let _ = writeln!(s, "reviewed  {said} by {by}, {}", view.minutes(at.0));
    }
}

/// Each time the record has, with its metric since the start.
fn times(s: &mut String, r: &Record, view: TimeView) {
    section(s, &format!("Times ({})", view.label()));
    let started = r.started_at;
    for (label, t, metric) in [
        ("started", r.started_at, ""),
        ("detected", r.detected_at, "TTD"),
        ("acknowledged", r.acknowledged_at, "TTA"),
        ("mitigated", r.mitigated_at, "TTM"),
        ("resolved", r.resolved_at, "TTR"),
        ("created", Some(r.created_at), ""),
        ("closed", r.closed_at, ""),
    ] {
        let Some(t) = t else { continue };
        let since = match (started, metric.is_empty()) {
            (Some(st), false) => format!(
                "  {metric} {}",
                postmortem::time::format_minutes((t.0 - st.0).num_seconds() as f64 / 60.0)
            ),
            _ => String::new(),
        };
        let _ = writeln!(s, "  {label:<13} {}{since}", view.minutes(t.0));
    }
}

fn impact(s: &mut String, r: &Record) {
    let i = &r.impact;
    if i.users_affected.is_none() && i.field_reports.is_none() && i.description.is_empty() {
        return;
    }
    section(s, "Impact");
    if let Some(n) = i.users_affected {
        let _ = writeln!(s, "  users affected  {n}");
    }
    if let Some(n) = i.field_reports {
        let _ = writeln!(s, "  field reports   {n}");
    }
    indented(s, &i.description);
}

fn analysis(s: &mut String, r: &Record) {
    let a = &r.analysis;
    section(s, "Analysis");
    labelled(s, "Trigger", &a.trigger);
    let root_cause = if a.root_cause.is_empty() {
        "(not yet found)"
    } else {
        &a.root_cause
    };
    labelled(s, "Root cause", root_cause);
    list(s, "Contributing factors", &a.contributing_factors, false);
    list(s, "Five whys", &a.five_whys, true);
    list(s, "Went well", &a.went_well, false);
    list(s, "Went wrong", &a.went_wrong, false);
    list(s, "Lucky", &a.lucky, false);
    list(s, "Lessons", &a.lessons, false);
    labelled(s, "No action because", &a.no_action_reason);
    deploy(s, &r.deploy);
}

/// The deploys it is tied to (`analyze --caused-by/--remedied-by/--no-deploy`).
fn deploy(s: &mut String, d: &postmortem::record::DeployLinks) {
    let commit = |c: &Option<String>| {
        c.as_deref().map_or(String::new(), |c| {
            format!("commit {}", &c[..c.len().min(12)])
        })
    };
    labelled(s, "Caused by deploy", &commit(&d.caused_by));
    labelled(s, "Remedied by deploy", &commit(&d.remedied_by));
    if d.no_deploy {
        labelled(s, "Deploy", "none involved");
    }
}

fn timeline(s: &mut String, r: &Record, view: TimeView) {
    if r.timeline.is_empty() {
        return;
    }
    section(s, "Timeline");
    for (n, _, e) in r.timeline_in_order() {
        let _ = writeln!(s, "  #{n:<2} {}  {}", view.minutes(e.at.0), inline(&e.text));
    }
}

fn action_items(s: &mut String, r: &Record, now: DateTime<FixedOffset>) {
    if r.action_items.is_empty() {
        return;
    }
    section(s, "Action items");
    for item in &r.action_items {
        let mut line = format!(
            "  #{} [{}] {:<8} {}",
            item.n,
            item.status,
            item.kind,
            inline(&item.text)
        );
        if let Some(o) = &item.owner {
            let _ = write!(line, "  owner: {}", inline(super::short_person(o)));
        }
        if let Some(p) = &item.priority {
            let _ = write!(line, "  priority {}", inline(p));
        }
        if let Some(d) = item.due {
            let _ = write!(line, "  due {}", d.0);
            if postmortem::metrics::is_overdue(item.status, Some(d.0), now.date_naive()) {
                line.push_str(" (overdue)");
            }
        }
        if let Some(t) = &item.ticket {
            let _ = write!(line, "  {}", inline(t));
        }
        if let Some(r) = &item.link.tracker_ref {
            let _ = write!(line, "  {}", inline(r));
        }
        if let Some(why) = &item.wontfix_reason {
            let _ = write!(line, "  (won't fix: {})", inline(why));
        }
        let _ = writeln!(s, "{line}");
    }
}

fn field(s: &mut String, label: &str, value: &str) {
    if !value.is_empty() {
        let _ = writeln!(s, "{label:<9} {}", inline(value));
    }
}

fn section(s: &mut String, title: &str) {
    let _ = writeln!(s, "\n{title}");
}

fn indented(s: &mut String, text: &str) {
    for line in block(text).lines() {
        let _ = writeln!(s, "  {line}");
    }
}

fn labelled(s: &mut String, label: &str, text: &str) {
    if text.trim().is_empty() {
        return;
    }
    let _ = writeln!(s, "  {label}:");
    for line in block(text).lines() {
        let _ = writeln!(s, "    {line}");
    }
}

fn list(s: &mut String, label: &str, items: &[String], numbered: bool) {
    if items.is_empty() {
        return;
    }
    let _ = writeln!(s, "  {label}:");
    for (i, item) in items.iter().enumerate() {
        let bullet = if numbered {
            format!("{}.", i + 1)
        } else {
            "-".into()
        };
        let _ = writeln!(s, "    {bullet} {}", inline(item));
    }
}
