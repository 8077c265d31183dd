//! `analyze`: record what was found (see `ops::analyze`); on a terminal
//! without flags, a guided flow asks for it.

use super::{CommitArgs, report};
use crate::ctx::Ctx;
use clap::Args;
use postmortem::error::{Error, Result};
use postmortem::ops::action::{ActionFields, ActionSpec};
use postmortem::ops::analyze::{Request, analyze, remarks};
use postmortem::record::status::analysis_missing;
use postmortem::record::{ActionKind, Record};

#[derive(Args, Debug, Default)]
#[command(
    after_help = "Run without flags on a terminal for a guided flow. The status becomes \
`analyzed` once there is a root cause and at least one action item (or --no-action-reason).\n\nExamples:\n  devops postmortem analyze k7x3 --root-cause \"Pool shared with the batch job\" --action \"Give the batch its own pool\" --owner bob --due +14d\n  devops postmortem analyze k7x3 --confirm   # after a reopen: the analysis stands\n  devops postmortem analyze k7x3 --caused-by deploy/prod/api/2026-11-23 --remedied-by deploy/prod/api/hotfix-1\n  devops postmortem analyze k7x3 --no-deploy   # a certificate expired: no deploy involved"
)]
pub struct AnalyzeArgs {
    /// The post-mortem (any unique prefix of its ID)
    #[arg(add = super::completions::record_ids())]
    pub id: String,
    /// What set it off (a deploy, a spike, an expiry)
    #[arg(long, value_name = "TEXT")]
    pub trigger: Option<String>,
    /// Why the trigger could turn into an outage
    #[arg(long, value_name = "TEXT")]
    pub root_cause: Option<String>,
    /// Overwrite an existing trigger, root cause or no-educate reason instead of refusing
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
    /// An action item (repeat); the --owner, --due, --kind, --ticket and --priority
    /// after it are its own (given before any --action, they apply to all)
    #[arg(long = "action", value_name = "TEXT")]
    pub actions: Vec<String>,
    /// Who will do the action item before it (name, handle or email; default: the assignee)
    #[arg(long = "owner", value_name = "WHO")]
    pub owners: Vec<String>,
    /// Due date of the action item before it: YYYY-MM-DD, +7d, 2w, tomorrow; a past day is taken (overdue)
    #[arg(long = "due", value_name = "DATE")]
    pub dues: Vec<String>,
    /// Kind of the action item before it: mitigate, prevent, process, educate or other
    #[arg(long = "kind", value_name = "KIND")]
    pub kinds: Vec<String>,
    /// Ticket link of the action item before it
    #[arg(long = "ticket", value_name = "URL")]
    pub tickets: Vec<String>,
    /// Priority of the action item before it (config [actions.priorities]; built in: high,
    /// normal, low); without --due it sets the due day
    #[arg(long = "priority", value_name = "LEVEL")]
    pub priorities: Vec<String>,
    /// The analysis stands as it is (after a reopen: decides it again)
    #[arg(long)]
    pub confirm: bool,
    /// Why no action item is needed (lets the analysis complete without one)
    #[arg(long, value_name = "TEXT")]
    pub no_action_reason: Option<String>,
    /// Why no action item educates the field (training, a notice, a guide)
    #[arg(long, value_name = "TEXT")]
    pub no_educate_reason: Option<String>,
    /// The deploy that caused it: a deploy's tag or CI id, a tag, or a commit
    #[arg(long, value_name = "REF")]
    pub caused_by: Option<String>,
    /// The deploy that remedied it (a rollback, a revert, a hotfix): a deploy, tag or commit
    #[arg(long, value_name = "REF")]
    pub remedied_by: Option<String>,
    /// No deploy was involved (a stated answer for `check`'s deploy-cause)
    #[arg(long, conflicts_with = "caused_by")]
    pub no_deploy: bool,
    #[command(flatten)]
    pub commit: CommitArgs,
}

impl AnalyzeArgs {
    /// The request the flags make; the action items with their own fields.
    fn request(&self) -> Request {
        Request {
            trigger: self.trigger.clone(),
            root_cause: self.root_cause.clone(),
            replace: self.replace,
            factors: self.factors.clone(),
            whys: self.whys.clone(),
            went_well: self.went_well.clone(),
            went_wrong: self.went_wrong.clone(),
            lucky: self.lucky.clone(),
            lessons: self.lessons.clone(),
            events: self.events.clone(),
            actions: paired(self),
            no_action_reason: self.no_action_reason.clone(),
            no_educate_reason: self.no_educate_reason.clone(),
            confirm: self.confirm,
            deploy: postmortem::ops::analyze::DeployRequest {
                caused_by: self.caused_by.clone(),
                remedied_by: self.remedied_by.clone(),
                no_deploy: self.no_deploy,
            },
        }
    }
}

pub fn run(ctx: &Ctx, args: AnalyzeArgs) -> Result<()> {
    let mut req = args.request();
    req.check()?;
    if req.is_empty() {
        if !ctx.can_prompt() {
            return Err(Error::usage(
                "nothing to record: give --root-cause, --action, --factor, … (see --help), or run on a terminal for a guided flow",
            ));
        }
        let entry = ctx.find(&args.id)?;
        let current = postmortem::store::read::load(&ctx.store, &entry)?;
        guided(ctx, &current, &mut req)?;
    } else {
        for (flag, text, remark) in remarks(ctx, &req) {
            // The value too: several --lesson flags need telling apart.
            let value = postmortem::text::truncate(&postmortem::text::inline(&text), 40);
            ctx.out.warn(&format!("{flag} \"{value}\": {remark}"));
        }
    }
    let done = analyze(ctx, &args.id, &req, args.commit.message.as_deref())?;
    report(ctx, &done, "analysis recorded");
    let missing = analysis_missing(&done.record);
    if !missing.is_empty() {
        ctx.out.status(&format!(
            "still needed to complete the analysis: {}",
            missing.join("; ")
        ));
    }
    let links = &done.record.deploy;
    if !links.no_deploy && (links.caused_by.is_none() || links.remedied_by.is_none()) {
        super::changes::say_suggestions(ctx, &done.record)?;
    }
    Ok(())
}

/// Each `--owner`/`--due`/`--kind`/`--ticket` belongs to the `--action`
/// before it on the command line; given before any `--action`, to all.
fn paired(args: &AnalyzeArgs) -> Vec<ActionSpec> {
    let m = super::sub_matches("analyze");
    let positions = |id: &str| -> Vec<usize> {
        m.and_then(|m| m.indices_of(id))
            .map(|i| i.collect())
            .unwrap_or_default()
    };
    let actions = positions("actions");
    let mut specs: Vec<ActionSpec> = args
        .actions
        .iter()
        .map(|t| ActionSpec {
            text: t.clone(),
            fields: ActionFields::default(),
        })
        .collect();
    let mut for_all = ActionFields::default();
    type Setter = fn(&mut ActionFields, String);
    let fields: [(&str, &Vec<String>, Setter); 5] = [
        ("owners", &args.owners, |f, v| f.owner = Some(v)),
        ("dues", &args.dues, |f, v| f.due = Some(v)),
        ("kinds", &args.kinds, |f, v| f.kind = Some(v)),
        ("tickets", &args.tickets, |f, v| f.ticket = Some(v)),
        ("priorities", &args.priorities, |f, v| f.priority = Some(v)),
    ];
    for (id, values, set) in fields {
        let at = positions(id);
        for (i, value) in values.iter().enumerate() {
            // Without positions (not from the command line): for all.
            let owner = at
                .get(i)
                .and_then(|pos| actions.iter().rposition(|a| a < pos));
            match owner {
                Some(k) => set(&mut specs[k].fields, value.clone()),
                None => set(&mut for_all, value.clone()),
            }
        }
    }
    for spec in &mut specs {
        spec.fields = spec.fields.or(&for_all);
    }
    specs
}

/// The guided flow: asks for what is still empty, then offers the lists;
/// every action item gets its own kind, owner and due day; a bad answer is
/// asked again in place; a summary comes before anything is written, from
/// which any part can be asked again, or everything cancelled.
fn guided(ctx: &Ctx, r: &Record, args: &mut Request) -> Result<()> {
    ctx.out.status(&format!(
        "Analysing {}: {}",
        r.id,
        postmortem::text::inline(&r.title)
    ));
    for part in 0..4 {
        ask_part(ctx, r, args, part, false)?;
    }
    let choices = vec![
        "Record it".to_string(),
        "Change the trigger or root cause".to_string(),
        "Change the factors or whys".to_string(),
        "Change the lessons".to_string(),
        "Change the action items".to_string(),
        "Cancel (nothing is written)".to_string(),
    ];
    loop {
        ctx.out.status(&summary(args));
        match crate::prompt::select(ctx, "Record this analysis?", &choices, 0)? {
            0 => return finish_guided(args),
            5 => return Err(Error::new("cancelled").nothing_written()),
            k => ask_part(ctx, r, args, k - 1, true)?,
        }
    }
}

/// One part of the guided flow; `again` when chosen from the summary.
fn ask_part(ctx: &Ctx, r: &Record, args: &mut Request, part: usize, again: bool) -> Result<()> {
    use crate::prompt;
    match part {
        0 => {
            if again || r.analysis.trigger.is_empty() {
                args.trigger = Some(prompt::prose(
                    ctx,
                    "Trigger (what set it off?)",
                    false,
                    false,
                )?)
                .filter(|s| !s.is_empty());
            }
            if again || r.analysis.root_cause.is_empty() {
                args.root_cause =
                    Some(prompt::prose(ctx, "Root cause", false, false)?).filter(|s| !s.is_empty());
            }
            // Chosen again from the summary: the new answer replaces.
            args.replace |= again;
        }
        1 => {
            args.factors = prompt::items(ctx, "Contributing factor")?;
            args.whys = prompt::items(ctx, "Why? (five whys, in order)")?;
        }
        2 => {
            args.went_well = prompt::items(ctx, "What went well")?;
            args.went_wrong = prompt::items(ctx, "What went wrong")?;
            args.lucky = prompt::items(ctx, "Where we got lucky")?;
            args.lessons = prompt::items(ctx, "Lesson learned")?;
        }
        _ => {
            args.actions = ask_actions(ctx, r)?;
            args.no_action_reason = None;
            if args.actions.is_empty()
                && r.action_items.is_empty()
                && prompt::confirm(ctx, "No action items: is none needed?", false)?
            {
                args.no_action_reason =
                    Some(prompt::prose(ctx, "Why is no action needed?", true, false)?);
            }
        }
    }
    Ok(())
}

fn finish_guided(args: &Request) -> Result<()> {
    if args.is_empty() {
        return Err(Error::new("nothing entered").nothing_written());
    }
    Ok(())
}

/// Each action item with its own kind, owner and due day; a bad owner or
/// day is asked again, keeping everything typed so far.
fn ask_actions(ctx: &Ctx, r: &Record) -> Result<Vec<ActionSpec>> {
    use crate::prompt;
    let kinds: Vec<String> = ActionKind::ALL.iter().map(|k| k.to_string()).collect();
    let default = ActionKind::ALL
        .iter()
        .position(|k| *k == ActionKind::Prevent)
        .unwrap_or(0);
    let mut specs = Vec::new();
    loop {
        let text = prompt::prose(ctx, "Action item (empty to finish)", false, true)?;
        if text.is_empty() {
            return Ok(specs);
        }
        let kind = kinds[prompt::select(ctx, "Kind", &kinds, default)?].clone();
        let owner = loop {
            let who = prompt::text(
                ctx,
                &format!(
                    "Owner (empty: {})",
                    r.assignee.as_deref().unwrap_or("the assignee")
                ),
                false,
            )?;
            if who.is_empty() {
                break None;
            }
            // Kept as resolved, so the summary shows the person and the
            // day meant ("Bo Park <bo@…>", 2026-12-11), not "bo" or "+8d".
            match ctx.person(&who) {
                Ok(person) => break Some(person),
                Err(e) => ctx.out.warn(&e.message),
            }
        };
        let due = loop {
            let due = prompt::text(
                ctx,
                "Due (YYYY-MM-DD or +14d, empty: from its priority)",
                false,
            )?;
            if due.is_empty() {
                break None;
            }
            match ctx.date("due", &due) {
                Ok(day) => break Some(day.to_string()),
                Err(e) => ctx.out.warn(&e.message),
            }
        };
        specs.push(ActionSpec {
            text,
            fields: ActionFields {
                owner,
                due,
                kind: Some(kind),
                ticket: None,
                priority: None,
            },
        });
    }
}

/// What the guided flow is about to record.
fn summary(args: &Request) -> String {
    use postmortem::text::inline;
    let mut s = String::from("\nAbout to record:\n");
    let mut line = |k: &str, v: &str| {
        if !v.trim().is_empty() {
            s.push_str(&format!("  {k:<18} {}\n", inline(v)));
        }
    };
    line("trigger", args.trigger.as_deref().unwrap_or(""));
    line("root cause", args.root_cause.as_deref().unwrap_or(""));
    for (k, items) in [
        ("factor", &args.factors),
        ("why", &args.whys),
        ("went well", &args.went_well),
        ("went wrong", &args.went_wrong),
        ("lucky", &args.lucky),
        ("lesson", &args.lessons),
    ] {
        for i in items {
            line(k, i);
        }
    }
    for (n, a) in args.actions.iter().enumerate() {
        let f = &a.fields;
        line(
            &format!("action {}", n + 1),
            &format!(
                "{} [{}; owner {}; due {}]",
                a.text,
                f.kind.as_deref().unwrap_or("prevent"),
                f.owner.as_deref().unwrap_or("the assignee"),
                f.due.as_deref().unwrap_or("none")
            ),
        );
    }
    line(
        "no action needed",
        args.no_action_reason.as_deref().unwrap_or(""),
    );
    s
}
