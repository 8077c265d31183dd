//! `show`: one post-mortem, readable, or as its TOML, JSON or Markdown.

use crate::ctx::Ctx;
use clap::{Args, ValueEnum};
use postmortem::error::{Error, Result};
use postmortem::record::parse::parse_record;

#[derive(Args, Debug)]
#[command(
    after_help = "Examples:\n  devops postmortem show k7x3\n  devops postmortem show k7x3 --format markdown > incident.md"
)]
pub struct ShowArgs {
    /// The post-mortem (any unique prefix of its ID)
    #[arg(add = super::completions::record_ids())]
    pub id: String,
    /// text (readable), toml (the file as it is), json, markdown (templates/record.md).
    /// Text and Markdown show every time in the config's timezone (else the
    /// machine's), named once; JSON keeps each time as the file has it, and
    /// gives the timeline in time order
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Same as --format json
    #[arg(long)]
    pub json: bool,
    /// The record as it was at a commit, tag or time (HEAD~3, 2026-10-01, 2d ago)
    #[arg(long, value_name = "REV|TIME")]
    pub at: Option<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Text,
    Toml,
    Json,
    Markdown,
}

pub fn run(ctx: &Ctx, args: ShowArgs) -> Result<()> {
    let (entry, text) = match &args.at {
        None => {
            let entry = ctx.find(&args.id)?;
            let text = postmortem::store::read::read_text(&ctx.store, &entry.path)?;
            (entry, text)
        }
        Some(at) => {
            postmortem::store::snapshot::find_at(&ctx.store, ctx.resolve_at(at)?, &args.id)?
        }
    };
    let format = if args.json { Format::Json } else { args.format };
    if let Format::Toml = format {
        // The file exactly as written; only made safe for a terminal.
        let text = if ctx.out.stdout_tty {
            postmortem::text::block(&text)
        } else {
            text
        };
        ctx.page(&text);
        return Ok(());
    }
    let record = parse(&entry, &text)?;
    match format {
        Format::Json => crate::render::json::print(&record),
        Format::Markdown => {
            let reports = crate::render::report::Reports::new(
                postmortem::templates::report_templates(&ctx.store)?,
                ctx.view(),
            )?;
            let md = reports.record_markdown(&record, ctx.now)?;
            let md = if ctx.out.stdout_tty {
                postmortem::text::block(&md)
            } else {
                md
            };
            ctx.page(&md);
            Ok(())
        }
        _ => {
            let text = crate::render::show::record(
                &record,
                ctx.now,
                ctx.view(),
                ctx.config.review_days(&record.severity),
            );
            ctx.page(&text);
            Ok(())
        }
    }
}

/// A record as it is now, by ID or prefix (what `show ID --json` prints;
/// `serve` answers `/api/pm/ID` with it). `Ok(None)`: no such record.
pub fn current(ctx: &Ctx, id: &str) -> Result<Option<postmortem::record::Record>> {
    let Ok(entry) = ctx.find(id) else {
        return Ok(None);
    };
    let text = postmortem::store::read::read_text(&ctx.store, &entry.path)?;
    parse(&entry, &text).map(Some)
}

fn parse(entry: &postmortem::store::read::Entry, text: &str) -> Result<postmortem::record::Record> {
    parse_record(text).map_err(|e| {
        Error::new(e.in_file(&entry.path)).hint(format!(
            "fix the file, e.g. with `devops postmortem edit {}`",
            entry.id
        ))
    })
}
