//! `show`: one post-mortem, readable, or as its TOML or JSON.

use crate::ctx::Ctx;
use crate::error::Result;
use clap::{Args, ValueEnum};

#[derive(Args, Debug)]
pub struct ShowArgs {
    /// The post-mortem (any unique prefix of its ID)
    pub id: String,
    /// text (readable), toml (the file as it is), json, markdown (templates/record.md)
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Same as --format json
    #[arg(long)]
    pub json: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    Text,
    Toml,
    Json,
    Markdown,
}

pub fn run(ctx: &Ctx, args: ShowArgs) -> Result<()> {
    let entry = ctx.find(&args.id)?;
    let format = if args.json { Format::Json } else { args.format };
    if let Format::Toml = format {
        // The file exactly as written; only made safe for a terminal.
        let text = crate::store::read::read_text(&ctx.store, &entry.path)?;
        let text = if ctx.out.stdout_tty {
            crate::render::sanitize::block(&text)
        } else {
            text
        };
        crate::output::print(&text);
        return Ok(());
    }
    let record = crate::store::read::load(&ctx.store, &entry)?;
    match format {
        Format::Json => crate::render::json::print(&record),
        Format::Markdown => {
            let reports = crate::render::report::Reports::new(crate::templates::report_templates(
                &ctx.store,
            )?)?;
            let md = reports.record_markdown(&record, ctx.now)?;
            let md = if ctx.out.stdout_tty {
                crate::render::sanitize::block(&md)
            } else {
                md
            };
            crate::output::print(&md);
            Ok(())
        }

        _ => {
            crate::output::print(&crate::render::show::record(
                &record,
                ctx.now,
                ctx.config.review_days(&record.severity),
            ));
            Ok(())
        }
    }
}
