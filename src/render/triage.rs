//! `triage` as text: a section per need, a table per section.

use super::table::{Cell, Column, Layout, render, severity_colour};
use super::{indent, short_person};
use crate::output::{Fit, paint_if};
use postmortem::metrics::triage::{ActionRef, Item, Triage};
use postmortem::store::fixes::Pending;
use postmortem::text::inline;
use postmortem::time::format_age;

/// `limit`: rows per table; a daily review of 40k open records reads the
/// counts and the oldest, and a wall of rows would bury both.
pub fn text(
    t: &Triage,
    fixes: &[Pending],
    since: &str,
    limit: Option<usize>,
    layout: Layout,
) -> String {
    let mut out = String::new();
    let heading = |title: &str| paint_if(layout.colour, "1", title);
    // Tables sit two columns in (four under an assignee).
    let inner = narrower(layout, 2);
    let items = |out: &mut String, title: &str, items: &[Item]| {
        if items.is_empty() {
            return;
        }
        out.push_str(&format!("{} ({})\n", heading(title), items.len()));
        out.push_str(&indent(&limited(&ITEMS, items, item_row, limit, inner)));
        out.push('\n');
    };
    items(&mut out, "Unassigned, oldest first", &t.unassigned);
    if !t.in_analysis.is_empty() {
        out.push_str(&format!("{}\n", heading("In analysis")));
        for g in &t.in_analysis {
            out.push_str(&format!(
                "  {} ({})\n",
                inline(short_person(g.assignee)),
                g.records.len()
            ));
            let rows = limited(&ITEMS, &g.records, item_row, limit, narrower(layout, 4));
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
    let actions = |out: &mut String, title: &str, list: &[ActionRef]| {
        if list.is_empty() {
            return;
        }
        out.push_str(&format!("{} ({})\n", heading(title), list.len()));
        out.push_str(&indent(&limited(&ACTIONS, list, action_row, limit, inner)));
        out.push('\n');
    };
    actions(&mut out, "Action items overdue", &t.actions_overdue);
    actions(
        &mut out,
        "Action items due within 7 days",
        &t.actions_due_soon,
    );
    items(
        &mut out,
        &format!(
            "No user education planned ({}: add an educate action, or --no-educate-reason)",
            inline(&t.education_severities.join("/"))
        ),
        &t.no_user_education,
    );
    items(&mut out, &format!("Closed since {since}"), &t.closed_since);
    if !fixes.is_empty() {
        out.push_str(&format!(
            "{} ({})\n",
            heading("Fixed by commits, not yet marked done"),
            fixes.len()
        ));
        let row = |f: &Pending| {
            vec![
                Cell::from(format!("{}#{}", f.id, f.n)),
                Cell::from(f.commit[..7].to_string()),
                Cell::from(inline(&f.text)),
            ]
        };
        out.push_str(&indent(&limited(&FIXES, fixes, row, limit, inner)));
        out.push_str("  `devops postmortem sync` marks them done (or `devops postmortem action from-commits`)\n\n");
    }
    if out.is_empty() {
        out.push_str("Nothing needs the team today.\n");
    }
    out
}

fn narrower(layout: Layout, by: usize) -> Layout {
    match layout.fit {
        Fit::Terminal(w) => Layout {
            fit: Fit::Terminal(w.saturating_sub(by).max(20)),
            ..layout
        },
        Fit::Pipe => layout,
    }
}

const fn col(header: &'static str, shrink: bool) -> Column {
    Column { header, shrink }
}

const ITEMS: [Column; 7] = [
    col("ID", false),
    col("SEV", false),
    col("STATUS", false),
    col("ASSIGNEE", true),
    col("AGE", false),
    col("REVIEW BY", false),
    col("TITLE", true),
];

const ACTIONS: [Column; 4] = [
    col("ITEM", false),
    col("OWNER", true),
    col("DUE", false),
    col("ACTION", true),
];

const FIXES: [Column; 3] = [
    col("ITEM", false),
    col("COMMIT", false),
    col("ACTION", true),
];

fn item_row(i: &Item) -> Vec<Cell> {
    let severity = inline(i.severity);
    vec![
        Cell::from(i.id.to_string()),
        Cell::coloured(severity.clone(), severity_colour(&severity)),
        Cell::from(i.status.to_string()),
        Cell::from(i.assignee.map_or("-".into(), |a| inline(short_person(a)))),
        Cell::from(format_age(chrono::Duration::hours(i.age_hours))),
        Cell::from(i.review_due.to_string()),
        Cell::from(inline(i.title)),
    ]
}

fn action_row(a: &ActionRef) -> Vec<Cell> {
    // "late" says it in words; the colour repeats it.
    let (when, colour) = match a.days_overdue {
        d if d > 0 => (format!("{} ({d}d late)", a.due), Some("31")),
        0 => (format!("{} (today)", a.due), Some("33")),
        d => (format!("{} (in {}d)", a.due, -d), None),
    };
    vec![
        Cell::from(format!("{}#{}", a.id, a.n)),
        Cell::from(a.owner.map_or("-".into(), |o| inline(short_person(o)))),
        Cell::coloured(when, colour),
        Cell::from(inline(a.text)),
    ]
}

/// A table of the first `limit` of `list`, and a line for the rest.
fn limited<T>(
    columns: &[Column],
    list: &[T],
    row: impl Fn(&T) -> Vec<Cell>,
    limit: Option<usize>,
    layout: Layout,
) -> String {
    let shown = limit.map_or(list.len(), |n| n.min(list.len()));
    let mut text = render(columns, list[..shown].iter().map(row).collect(), layout);
    if shown < list.len() {
        text.push_str(&format!(
            "… {} more (--limit 0 shows all)\n",
            list.len() - shown
        ));
    }
    text
}
