//! Qualified IDs (`api:k7x3`, `api:k7x3#2`): the command runs in the
//! repository named before the colon, as if typed there with the plain ID.
//!
//! Only a command's record argument (`ID`, `ID#N`) is read this way, never
//! free text (a title "api:down" stays a title). The command line is
//! rewritten once, before it is parsed for good, so every command takes
//! qualified IDs without knowing of them; `Ctx::open` then opens the named
//! repository instead of the current one.

use clap::CommandFactory;
use postmortem::error::{Error, Result};
use std::ffi::OsString;
use std::path::PathBuf;
use std::sync::OnceLock;

/// The clap ids of the arguments that name a record.
const RECORD_ARGS: [&str; 2] = ["id", "item"];

static TARGET: OnceLock<String> = OnceLock::new();

/// `args` with a qualified record argument made plain, and the repository
/// it named kept for `Ctx::open`. Anything clap would refuse is left for
/// clap to say.
pub fn take(args: Vec<OsString>) -> Vec<OsString> {
    // Most command lines name no repository: no second parse for them.
    let colon = |a: &OsString| a.to_str().is_some_and(|s| s.contains(':'));
    if !args.iter().skip(1).any(colon) {
        return args;
    }
    let Some(found) = qualified_record_arg(&args) else {
        return args;
    };
    let _ = TARGET.set(found.repo.clone());
    // The same text may stand in free text as well (`action add api:k7x3
    // api:k7x3`): the one made plain is the one clap then reads as the
    // record, and free text stays as typed.
    let made_plain = |i: usize| {
        let mut tried = args.clone();
        tried[i] = OsString::from(&found.plain);
        (record_value(&tried, found.arg).as_deref() == Some(found.plain.as_str())).then_some(tried)
    };
    let typed = args.iter().enumerate();
    let mut at = typed.filter(|(_, a)| a.to_str() == Some(found.typed.as_str()));
    at.find_map(|(i, _)| made_plain(i)).unwrap_or(args)
}

/// A qualified record argument: as typed, its repository, the plain ID,
/// and which of `RECORD_ARGS` it is.
struct Qualified {
    typed: String,
    repo: String,
    plain: String,
    arg: &'static str,
}

/// The record argument the command line gives, when it is qualified.
fn qualified_record_arg(args: &[OsString]) -> Option<Qualified> {
    RECORD_ARGS.iter().find_map(|arg| {
        let raw = record_value(args, arg)?;
        let (repo, rest) = postmortem::team::split_qualified(&raw)?;
        let id_shaped = rest.split_once('#').map_or(rest, |(id, n)| {
            if n.bytes().all(|b| b.is_ascii_digit()) {
                id
            } else {
                ""
            }
        });
        let ok = !id_shaped.is_empty()
            && id_shaped
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-');
        ok.then(|| Qualified {
            repo: repo.to_string(),
            plain: rest.to_string(),
            typed: raw.clone(),
            arg,
        })
    })
}

/// The value clap reads for the record argument `arg` of the command
/// `args` name (its innermost subcommand's).
fn record_value(args: &[OsString], arg: &str) -> Option<String> {
    let matches = super::Cli::command().try_get_matches_from(args).ok()?;
    let mut m = &matches;
    while let Some((_, sub)) = m.subcommand() {
        m = sub;
    }
    Some(m.try_get_raw(arg).ok()??.next()?.to_str()?.to_string())
}

/// The repository a qualified ID named, if one did.
pub fn named() -> Option<&'static str> {
    TARGET.get().map(String::as_str)
}

/// Where the command runs: the repository a qualified ID named (`None`:
/// the current one). `writes`: whether the command may commit (a mirror
/// is refused then).
pub fn target(records_dir: &str, writes: bool) -> Result<Option<PathBuf>> {
    let Some(name) = TARGET.get() else {
        return Ok(None);
    };
    let dirs = postmortem::team::Dirs::from_env()?;
    let here = std::env::current_dir().ok().and_then(|cwd| {
        postmortem::session::Session::open_for(
            &cwd,
            records_dir,
            postmortem::store::branch::Access::ReadOnly,
        )
        .ok()
    });
    let path = postmortem::team::view::route(&dirs, here.as_ref(), name, writes)?;
    if let Some(p) = &path
        && !p.exists()
    {
        return Err(Error::new(format!(
            "{name}: {} does not exist (see devops postmortem repos list)",
            p.display()
        )));
    }
    Ok(path)
}
