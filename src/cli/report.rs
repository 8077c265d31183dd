//! `report -o FILE`: the page for the team's wall display.

use super::filter::RecordFilter;
use crate::ctx::Ctx;
use crate::render::report::{Live, OpenRow, Reports, WallPage};
use clap::Args;
use postmortem::error::Result;
use postmortem::metrics::triage::{Rules, compute as triage};
use postmortem::record::Record;
use std::path::PathBuf;

#[derive(Args, Debug)]
#[command(
    after_help = "One self-contained HTML file (inline CSS and one small inline script that \
fits whole rows to the screen; nothing from the network; it reloads itself every 5 minutes). \
Laid out for a TV (1280×720 up to 3840×2160, text never under 18 px) and for a phone. \
Regenerate it from cron or CI, or let `serve` keep it current. The template is templates/report.html; a repository may override it in \
<dir>/templates/report.html. Every figure carries data-stat=\"<stats --json path>\".\n\nExamples:\n  devops postmortem report -o wall.html"
)]
pub struct ReportArgs {
    /// Where to write the page (`-` for stdout)
    #[arg(long, short, value_name = "FILE", alias = "html")]
    pub output: PathBuf,
    /// The page's heading
    #[arg(long, default_value = "Post-mortems", value_name = "TEXT")]
    pub title: String,
    /// Trend per week or per month
    #[arg(long, value_enum, default_value = "week")]
    pub by: crate::cli::values::PeriodArg,
    #[command(flatten)]
    pub filter: RecordFilter,
}

pub fn run(ctx: &Ctx, args: ReportArgs) -> Result<()> {
    let html = wall_html(ctx, &args.title, args.by, &args.filter, None)?;
    crate::output::write_file(&args.output, &html)?;
    if args.output.as_os_str() != "-" {
        ctx.out.status(&format!("wrote {}", args.output.display()));
    }
    Ok(())
}

/// The wall page: a static copy (`live: None`) or `serve`'s page, which
/// updates itself and says how current it is.
pub fn wall_html(
    ctx: &Ctx,
    title: &str,
    by: crate::cli::values::PeriodArg,
    filter: &RecordFilter,
    live: Option<Live>,
) -> Result<String> {
    let (records, stats) = super::stats::load_and_compute(ctx, filter, by.into())?;
    let rules = Rules {
        config: &ctx.config,
        now: ctx.now,
        since: ctx.now,
        mine: None,
    };
    let overdue = triage(&records, &rules).actions_overdue;

    let rank = |sev: &str| {
        ctx.config
            .severities
            .iter()
            .position(|s| s == sev)
            .unwrap_or(usize::MAX)
    };
    let mut open: Vec<&Record> = records.iter().filter(|r| r.status.is_active()).collect();
    open.sort_by_key(|r| (rank(&r.severity), r.began()));
    let open = open
        .into_iter()
        .map(|r| OpenRow {
            id: r.id.clone(),
            severity: r.severity.clone(),
            sev_class: match rank(&r.severity) {
                n @ 0..=3 => format!("sev{}", n + 1),
                _ => "sevx".into(),
            },
            title: r.title.clone(),
            status: r.status.to_string(),
            assignee: r.assignee.as_deref().map(|a| person_name(ctx, a)),
            age: postmortem::time::format_age(ctx.now - r.began()),
        })
        .collect();
    let names: Vec<Option<String>> = overdue
        .iter()
        .map(|a| a.owner.map(|o| person_name(ctx, o)))
        .collect();

    let page = WallPage {
        title,
        // The page's one time, with the zone it is in.
        generated_at: format!("{} {}", ctx.view().minutes(ctx.now), ctx.view().label()),
        stats: &stats,
        open,
        overdue: &overdue,
        owners: &names,
        live,
    };
    Reports::new(
        postmortem::templates::report_templates(&ctx.store)?,
        ctx.view(),
    )?
    .wall_page(&page)
}

/// A person by name, for a screen read from across the room: the name
/// part of `Name <email>`, or the roster's name for a bare address.
fn person_name(ctx: &Ctx, who: &str) -> String {
    let short = crate::render::short_person(who);
    ctx.config
        .people
        .iter()
        .find(|p| !p.email.is_empty() && p.email.eq_ignore_ascii_case(short))
        .map_or_else(|| short.to_string(), |p| p.name.clone())
}
