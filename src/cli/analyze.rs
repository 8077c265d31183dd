//! `analyze`: record what was found. Adds to what is there; never silently
//! erases (replacing a root cause or trigger needs --replace).

use super::action::ActionFields;
use super::{CommitArgs, report};
use crate::ctx::Ctx;
use crate::error::{Error, Result};
use crate::record::status::analysis_missing;
use crate::record::{ActionKind, Record, RecordDoc, Status};
use clap::Args;

#[derive(Args, Debug, Default)]
#[command(
    after_help = "Run without flags on a terminal for a guided flow. The status becomes \
`analyzed` once there is a root cause and at least one action item (or --no-action-reason)."
)]
pub struct AnalyzeArgs {
    /// The post-mortem (any unique prefix of its ID)
    pub id: String,
    /// What set it off (a deploy, a spike, an expiry)
    #[arg(long, value_name = "TEXT")]
    pub trigger: Option<String>,
    /// Why the trigger could turn into an outage
    #[arg(long, value_name = "TEXT")]
    pub root_cause: Option<String>,
    /// Overwrite an existing trigger or root cause instead of refusing
    #[arg(long)]
    pub replace: bool,
    /// A contributing factor (repeat)
    #[arg(long = "factor", value_name = "TEXT")]
    pub factors: Vec<String>,
    /// One of the five whys, in order (repeat)
    #[arg(long = "why", value_name = "TEXT")]
    pub whys: Vec<String>,
    /// What went well (repeat)
    #[arg(long = "went-well", value_name = "TEXT")]
    pub went_well: Vec<String>,
    /// What went wrong (repeat)
    #[arg(long = "went-wrong", value_name = "TEXT")]
    pub went_wrong: Vec<String>,
    /// Where we got lucky (repeat)
    #[arg(long = "lucky", value_name = "TEXT")]
    pub lucky: Vec<String>,
    /// A lesson learned (repeat)
    #[arg(long = "lesson", value_name = "TEXT")]
    pub lessons: Vec<String>,
    /// A timeline entry: a time, then text ("09:20 alert fired") (repeat)
    #[arg(long = "event", value_name = "TIME TEXT")]
    pub events: Vec<String>,
    /// An action item (repeat); --owner, --due, --kind and --ticket apply to each
    #[arg(long = "action", value_name = "TEXT")]
    pub actions: Vec<String>,
    #[command(flatten)]
    pub action_fields: ActionFields,
    /// Why no action item is needed (lets the analysis complete without one)
    #[arg(long, value_name = "TEXT")]
    pub no_action_reason: Option<String>,
    #[command(flatten)]
    pub commit: CommitArgs,
}

impl AnalyzeArgs {
    fn is_empty(&self) -> bool {
        self.trigger.is_none()
            && self.root_cause.is_none()
            && self.no_action_reason.is_none()
            && [
                &self.factors,
                &self.whys,
                &self.went_well,
                &self.went_wrong,
                &self.lucky,
                &self.lessons,
                &self.events,
                &self.actions,
            ]
            .iter()
            .all(|v| v.is_empty())
    }
}

pub fn run(ctx: &Ctx, mut args: AnalyzeArgs) -> Result<()> {
    let entry = ctx.find(&args.id)?;
    if args.is_empty() {
        if !ctx.can_prompt() {
            return Err(Error::usage(
                "nothing to record: give --root-cause, --action, --factor, … (see --help), or run on a terminal for a guided flow",
            ));
        }
        let current = crate::store::read::load(&ctx.store, &entry)?;
        guided(ctx, &current, &mut args)?;
    }
    let events = args
        .events
        .iter()
        .map(|e| super::timeline::split_event(ctx, e))
        .collect::<Result<Vec<_>>>()?;
    let done = ctx.change_record(
        &entry,
        "analyze",
        args.commit.message.as_deref(),
        |doc, before| {
            if before.status == Status::Closed {
                return Err(Error::new(format!(
                    "{} is closed: reopen it first",
                    before.id
                )));
            }
            set_once(
                doc,
                "trigger",
                &before.analysis.trigger,
                args.trigger.as_deref(),
                args.replace,
            )?;
            set_once(
                doc,
                "root_cause",
                &before.analysis.root_cause,
                args.root_cause.as_deref(),
                args.replace,
            )?;
            for (key, items) in [
                ("contributing_factors", &args.factors),
                ("five_whys", &args.whys),
                ("went_well", &args.went_well),
                ("went_wrong", &args.went_wrong),
                ("lucky", &args.lucky),
                ("lessons", &args.lessons),
            ] {
                let items: Vec<String> = items
                    .iter()
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect();
                doc.push_to_list(&["analysis", key], &items);
            }
            if let Some(reason) = &args.no_action_reason {
                doc.set_str(&["analysis", "no_action_reason"], reason.trim());
            }
            for (at, text) in &events {
                doc.push_timeline(at, text);
            }
            for item in super::action::build(ctx, before, &args.actions, &args.action_fields)? {
                doc.push_action(&item);
            }
            Ok(())
        },
    )?;
    report(ctx, &done, "analysis recorded");
    let missing = analysis_missing(&done.record);
    if !missing.is_empty() {
        ctx.out.status(&format!(
            "still needed to complete the analysis: {}",
            missing.join("; ")
        ));
    }
    Ok(())
}

/// A single-valued field is set when empty; overwriting needs --replace.
fn set_once(
    doc: &mut RecordDoc,
    key: &str,
    current: &str,
    new: Option<&str>,
    replace: bool,
) -> Result<()> {
    let Some(new) = new.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(());
    };
    if !current.trim().is_empty() && current.trim() != new && !replace {
        return Err(Error::new(format!(
            "analysis.{key} is already set: \"{}\"; nothing was written",
            crate::render::truncate(&crate::render::sanitize::inline(current), 60)
        ))
        .hint("pass --replace to overwrite it, or edit the record with `devops postmortem edit`"));
    }
    doc.set_str(&["analysis", key], new);
    Ok(())
}

/// The guided flow: asks for what is still empty, then offers the lists.
fn guided(ctx: &Ctx, r: &Record, args: &mut AnalyzeArgs) -> Result<()> {
    use crate::prompt;
    ctx.out.status(&format!(
        "Analysing {}: {}",
        r.id,
        crate::render::sanitize::inline(&r.title)
    ));
    if r.analysis.trigger.is_empty() {
        args.trigger = Some(prompt::text(ctx, "Trigger (what set it off?)", false)?);
    }
    if r.analysis.root_cause.is_empty() {
        args.root_cause = Some(prompt::text(ctx, "Root cause", false)?);
    }
    args.factors = prompt::items(ctx, "Contributing factor")?;
    args.whys = prompt::items(ctx, "Why? (five whys, in order)")?;
    args.went_well = prompt::items(ctx, "What went well")?;
    args.went_wrong = prompt::items(ctx, "What went wrong")?;
    args.lucky = prompt::items(ctx, "Where we got lucky")?;
    args.lessons = prompt::items(ctx, "Lesson learned")?;
    args.actions = prompt::items(ctx, "Action item")?;
    if !args.actions.is_empty() {
        let kinds: Vec<String> = ActionKind::ALL.iter().map(|k| k.to_string()).collect();
        let default = ActionKind::ALL
            .iter()
            .position(|k| *k == ActionKind::Prevent)
            .unwrap_or(0);
        args.action_fields.kind =
            Some(kinds[prompt::select(ctx, "Kind of the action items", &kinds, default)?].clone());
        let owner = prompt::text(ctx, "Owner (empty: the assignee)", false)?;
        args.action_fields.owner = Some(owner).filter(|o| !o.is_empty());
        let due = prompt::text(ctx, "Due (YYYY-MM-DD or +14d, empty for none)", false)?;
        args.action_fields.due = Some(due).filter(|d| !d.is_empty());
    } else if r.action_items.is_empty()
        && prompt::confirm(ctx, "No action items: is none needed?", false)?
    {
        args.no_action_reason = Some(prompt::text(ctx, "Why is no action needed?", true)?);
    }
    if args.is_empty() {
        return Err(Error::new("nothing entered: nothing was written"));
    }
    Ok(())
}
