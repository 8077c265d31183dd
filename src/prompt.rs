//! Guided flows on a terminal (dialoguer). Only called when
//! `Ctx::can_prompt()`; without a terminal commands name the missing flag.

use crate::ctx::Ctx;
use dialoguer::theme::{ColorfulTheme, SimpleTheme, Theme};
use dialoguer::{Confirm, Input, MultiSelect, Select};
use postmortem::error::{Error, Result};
use postmortem::record::Timestamp;

fn theme(ctx: &Ctx) -> Box<dyn Theme> {
    if ctx.out.color {
        Box::new(ColorfulTheme::default())
    } else {
        Box::new(SimpleTheme)
    }
}

fn cancelled(e: dialoguer::Error) -> Error {
    Error::new(format!("prompt ended ({e})")).nothing_written()
}

/// Ctrl-C during a guided flow: show the cursor again (a pick list hides
/// it), end the line, and exit 130 with nothing written. Installed for the
/// prompts only; a write in progress keeps the default (its journal covers
/// an interruption).
pub struct InterruptGuard {
    previous: libc::sighandler_t,
}

extern "C" fn on_interrupt(_: libc::c_int) {
    const RESTORE: &[u8] = b"\x1b[?25h\ninterrupted: nothing was written\n";
    // SAFETY: write(2) and _exit(2) are async-signal-safe.
    unsafe {
        libc::write(2, RESTORE.as_ptr().cast(), RESTORE.len());
        libc::_exit(130);
    }
}

pub fn restore_on_interrupt() -> InterruptGuard {
    // SAFETY: installing a handler that only calls async-signal-safe functions.
    let previous = unsafe {
        libc::signal(
            libc::SIGINT,
            on_interrupt as *const () as libc::sighandler_t,
        )
    };
    InterruptGuard { previous }
}

impl Drop for InterruptGuard {
    fn drop(&mut self) {
        // SAFETY: putting back the handler that was there before.
        unsafe {
            libc::signal(libc::SIGINT, self.previous);
        }
    }
}

/// A line of text; `required` keeps asking until it is non-empty.
pub fn text(ctx: &Ctx, prompt: &str, required: bool) -> Result<String> {
    let theme = theme(ctx);
    loop {
        let answer: String = Input::with_theme(theme.as_ref())
            .with_prompt(prompt)
            .allow_empty(true)
            .interact_text()
            .map_err(cancelled)?;
        let answer = answer.trim().to_string();
        if !answer.is_empty() || !required {
            return Ok(answer);
        }
    }
}

/// Text for the write-up: what a reviewer would flag (blame language; a
/// vague `action`) is said right away. The answer is kept as typed.
pub fn prose(ctx: &Ctx, prompt: &str, required: bool, action: bool) -> Result<String> {
    let answer = text(ctx, prompt, required)?;
    let rules = ctx.config.lint_rules();
    for remark in postmortem::record::lint::writeup::remarks(&answer, action, &rules) {
        ctx.out.warn(&remark);
    }
    Ok(answer)
}

/// Asks again and again for items of the write-up until an empty answer.
pub fn items(ctx: &Ctx, prompt: &str) -> Result<Vec<String>> {
    let mut out = Vec::new();
    loop {
        let answer = prose(ctx, &format!("{prompt} (empty to finish)"), false, false)?;
        if answer.is_empty() {
            return Ok(out);
        }
        out.push(answer);
    }
}

pub fn select(ctx: &Ctx, prompt: &str, choices: &[String], default: usize) -> Result<usize> {
    Select::with_theme(theme(ctx).as_ref())
        .with_prompt(prompt)
        .items(choices)
        .default(default)
        .interact()
        .map_err(cancelled)
}

pub fn multi_select(ctx: &Ctx, prompt: &str, choices: &[String]) -> Result<Vec<usize>> {
    MultiSelect::with_theme(theme(ctx).as_ref())
        .with_prompt(format!("{prompt} (space to pick, enter to go on)"))
        .items(choices)
        .interact()
        .map_err(cancelled)
}

pub fn confirm(ctx: &Ctx, prompt: &str, default: bool) -> Result<bool> {
    Confirm::with_theme(theme(ctx).as_ref())
        .with_prompt(prompt)
        .default(default)
        .interact()
        .map_err(cancelled)
}

/// A time, asked until it parses; empty skips it. A bare clock is read
/// after `anchor` (an earlier incident time).
pub fn time(
    ctx: &Ctx,
    prompt: &str,
    anchor: Option<chrono::DateTime<chrono::FixedOffset>>,
) -> Result<Option<Timestamp>> {
    loop {
        let answer = text(
            ctx,
            &format!("{prompt} (e.g. 45m ago, 09:12, empty to skip)"),
            false,
        )?;
        if answer.is_empty() {
            return Ok(None);
        }
        let bare = postmortem::time::Bare::after(anchor);
        let read = postmortem::time::parse_time_as(&answer, ctx.now, ctx.zone(), bare);
        match read {
            Ok(t) => match postmortem::time::too_far(&t, bare, ctx.zone()) {
                None => return Ok(Some(Timestamp(t.at))),
                // Asked again with the day, as the flags are refused.
                Some(far) => ctx.out.warn(&format!(
                    "{answer} is {} or {}: give the day too",
                    ctx.view().minutes(far.after),
                    ctx.view().minutes(far.before)
                )),
            },
            Err(e) => ctx.out.warn(&e),
        }
    }
}

/// A whole number, asked until it is one; empty skips it.
pub fn number(ctx: &Ctx, prompt: &str) -> Result<Option<u64>> {
    loop {
        let answer = text(ctx, &format!("{prompt} (a number, empty to skip)"), false)?;
        if answer.is_empty() {
            return Ok(None);
        }
        match answer.replace([',', '_'], "").parse::<u64>() {
            Ok(n) => return Ok(Some(n)),
            Err(_) => ctx.out.warn(&format!("'{answer}' is not a whole number")),
        }
    }
}
