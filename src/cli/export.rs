//! `export`: many post-mortems as one document, for a wiki or a review.

use super::filter::RecordFilter;
use crate::ctx::Ctx;
use crate::render::report::Reports;
use clap::{Args, ValueEnum};
use postmortem::error::Result;
use postmortem::record::Record;
use postmortem::store::read::Detail;
use std::path::PathBuf;

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  devops postmortem export --since \"30d ago\" -o incidents.md\n  devops postmortem export --json\n  \
devops postmortem export --all-repos --since \"30d ago\" -o team.md"
)]
pub struct ExportArgs {
    /// markdown (from templates/export.md and record.md, which a repository
    /// may override in <dir>/templates/) or json
    #[arg(long, value_enum, default_value = "markdown")]
    pub format: Format,
    /// The same as --format json
    #[arg(long, conflicts_with = "format")]
    pub json: bool,
    #[command(flatten)]
    pub filter: RecordFilter,
    /// Write to this file instead of stdout
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub repos: super::team::RepoChoice,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Markdown,
    Json,
}

pub fn run(ctx: &Ctx, args: ExportArgs) -> Result<()> {
    let records = args.filter.load(ctx, Detail::Full)?;
    let refs: Vec<&Record> = records.iter().collect();
    let format = if args.json { Format::Json } else { args.format };
    let text = match format {
        Format::Markdown => markdown(ctx, &args.filter, &refs)?,
        Format::Json => serde_json::to_string_pretty(&refs)
            .map(|s| s + "\n")
            .map_err(|e| postmortem::error::Error::new(e.to_string()))?,
    };
    write(&ctx.out, args.output.as_deref(), &text, refs.len())
}

/// The Markdown document of one repository's `records`, with the deploy
/// figures over the same window (the records carry their links; JSON has
/// them there).
fn markdown(
    session: &postmortem::session::Session,
    filter: &RecordFilter,
    refs: &[&Record],
) -> Result<String> {
    let span = filter.filter().span(session)?;
    let deploys = postmortem::ops::deploys::figures(
        session,
        refs,
        span,
        postmortem::metrics::stats::Period::Week,
        filter.at.as_deref(),
        &[],
    )?;
    Reports::new(
        postmortem::templates::report_templates(&session.store)?,
        session.view(),
    )?
    .export_markdown(refs, session.now, &deploys)
}

/// The document to `output`, else to stdout.
fn write(
    out: &crate::output::Output,
    output: Option<&std::path::Path>,
    text: &str,
    count: usize,
) -> Result<()> {
    match output {
        Some(path) => {
            crate::output::write_file(path, text)?;
            out.status(&format!("wrote {count} post-mortems to {}", path.display()));
        }
        None => crate::output::print(text),
    }
    Ok(())
}

/// `export --all-repos` / `--repo NAME`: JSON, every record with its
/// `"repo"`, the latest incident first; Markdown, each repository's
/// document (its own templates) under a heading of its name.
pub fn run_team(records_dir: &str, args: ExportArgs) -> Result<()> {
    let read = args.filter.reader(false, Detail::Full);
    let team = super::team::TeamCtx::open(records_dir, &args.repos, &read)?;
    let format = if args.json { Format::Json } else { args.format };
    let all = team.records(|_| true);
    let text = match format {
        Format::Json => {
            let tagged: Vec<_> = all
                .iter()
                .map(|(repo, item)| postmortem::team::view::merged::Tagged {
                    repo: &repo.name,
                    item,
                })
                .collect();
            serde_json::to_string_pretty(&tagged)
                .map(|s| s + "\n")
                .map_err(|e| postmortem::error::Error::new(e.to_string()))?
        }
        Format::Markdown => {
            let mut doc = String::new();
            for r in &team.view.repos {
                let refs: Vec<&Record> = r.loaded.records.iter().collect();
                doc.push_str(&format!(
                    "# Repository {}\n\n",
                    postmortem::text::inline(&r.name)
                ));
                doc.push_str(&markdown(&r.session, &args.filter, &refs)?);
                doc.push('\n');
            }
            doc
        }
    };
    write(&team.out, args.output.as_deref(), &text, all.len())
}
