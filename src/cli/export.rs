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
    after_help = "Examples:\n  devops postmortem export --since \"30d ago\" -o incidents.md\n  devops postmortem export --json"
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
        Format::Markdown => {
            // The deploy figures over the same window (the records carry
            // their links; JSON has them there).
            let span = args.filter.filter().span(ctx)?;
            let deploys = postmortem::ops::deploys::figures(
                ctx,
                &refs,
                span,
                postmortem::metrics::stats::Period::Week,
                args.filter.at.as_deref(),
                &[],
            )?;
            Reports::new(
                postmortem::templates::report_templates(&ctx.store)?,
                ctx.view(),
            )?
            .export_markdown(&refs, ctx.now, &deploys)?
        }
        Format::Json => serde_json::to_string_pretty(&refs)
            .map(|s| s + "\n")
            .map_err(|e| postmortem::error::Error::new(e.to_string()))?,
    };
    match &args.output {
        Some(path) => {
            crate::output::write_file(path, &text)?;
            ctx.out.status(&format!(
                "wrote {} post-mortems to {}",
                refs.len(),
                path.display()
            ));
        }
        None => crate::output::print(&text),
    }
    Ok(())
}
