//! `triage` as text: a section per need, a table per section.

use super::{indent, short_person, table};
use crate::metrics::triage::{ActionRef, Item, Triage};
use crate::store::fixes::Pending;
use crate::text::{inline, truncate};
use crate::time::format_age;

/// `limit`: rows per table; a daily review of 40k open records reads the
/// counts and the oldest, and a wall of rows would bury both.
pub fn text(t: &Triage, fixes: &[Pending], since: &str, limit: Option<usize>) -> String {
    let mut out = String::new();
    let items = |out: &mut String, title: &str, items: &[Item]| {
        if items.is_empty() {
            return;
        }
        out.push_str(&format!("{title} ({})\n", items.len()));
        out.push_str(&indent(&limited(ITEM_HEADER, items, item_row, limit)));
        out.push('\n');
    };
    items(&mut out, "Unassigned, oldest first", &t.unassigned);
    if !t.in_analysis.is_empty() {
        out.push_str("In analysis\n");
        for g in &t.in_analysis {
            out.push_str(&format!(
                "  {} ({})\n",
                inline(short_person(&g.assignee)),
                g.records.len()
            ));
            let rows = limited(ITEM_HEADER, &g.records, item_row, limit);
            out.push_str(&indent(&indent(&rows)));
        }
        out.push('\n');
    }
    items(&mut out, "Ready to close", &t.ready_to_close);
    items(
        &mut out,
        "Past the review deadline",
        &t.past_review_deadline,
    );
    items(&mut out, "Stale: no change for a while", &t.stale);
    actions(&mut out, "Action items overdue", &t.actions_overdue, limit);
    actions(
        &mut out,
        "Action items due within 7 days",
        &t.actions_due_soon,
        limit,
    );
    items(&mut out, &format!("Closed since {since}"), &t.closed_since);
    if !fixes.is_empty() {
        out.push_str(&format!(
            "Fixed by commits, not yet marked done ({})\n",
            fixes.len()
        ));
        let rows = |f: &Pending| {
            vec![
                format!("{}#{}", f.id, f.n),
                f.commit[..7].to_string(),
                truncate(&inline(&f.text), 50),
            ]
        };
        out.push_str(&indent(&limited(
            &["ITEM", "COMMIT", "ACTION"],
            fixes,
            rows,
            limit,
        )));
        out.push_str("  `devops postmortem sync` marks them done (or `devops postmortem action from-commits`)\n\n");
    }
    if out.is_empty() {
        out.push_str("Nothing needs the team today.\n");
    }
    out
}

const ITEM_HEADER: &[&str] = &[
    "ID",
    "SEV",
    "STATUS",
    "ASSIGNEE",
    "AGE",
    "REVIEW BY",
    "TITLE",
];

fn item_row(i: &Item) -> Vec<String> {
    vec![
        i.id.clone(),
        inline(&i.severity),
        i.status.to_string(),
        i.assignee
            .as_deref()
            .map_or("-".into(), |a| truncate(&inline(short_person(a)), 20)),
        format_age(chrono::Duration::hours(i.age_hours)),
        i.review_due.clone(),
        truncate(&inline(&i.title), 50),
    ]
}

/// A table of the first `limit` of `list`, and a line for the rest.
fn limited<T>(
    header: &[&str],
    list: &[T],
    row: impl Fn(&T) -> Vec<String>,
    limit: Option<usize>,
) -> String {
    let shown = limit.map_or(list.len(), |n| n.min(list.len()));
    let mut text = table::plain(header, list[..shown].iter().map(row).collect());
    if shown < list.len() {
        text.push_str(&format!(
            "… {} more (--limit 0 shows all)\n",
            list.len() - shown
        ));
    }
    text
}

fn actions(out: &mut String, title: &str, list: &[ActionRef], limit: Option<usize>) {
    if list.is_empty() {
        return;
    }
    out.push_str(&format!("{title} ({})\n", list.len()));
    let header = &["ITEM", "OWNER", "DUE", "ACTION"];
    out.push_str(&indent(&limited(header, list, action_row, limit)));
    out.push('\n');
}

fn action_row(a: &ActionRef) -> Vec<String> {
    let when = match a.days_overdue {
        d if d > 0 => format!("{} ({d}d late)", a.due),
        0 => format!("{} (today)", a.due),
        d => format!("{} (in {}d)", a.due, -d),
    };
    vec![
        format!("{}#{}", a.id, a.n),
        a.owner
            .as_deref()
            .map_or("-".into(), |o| truncate(&inline(short_person(o)), 20)),
        when,
        truncate(&inline(&a.text), 50),
    ]
}
