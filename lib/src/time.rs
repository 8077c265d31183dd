//! Reading the times people type, and showing durations.
//!
//! Accepted: RFC 3339; `YYYY-MM-DD HH:MM[:SS]` with an optional offset
//! (`+09:00`, `+0900`, `Z`, `UTC`), read in the team's zone when it has none;
//! `YYYY-MM-DD`; `HH:MM` (today); `now`; `45m ago`, `2h ago`, `3 days ago`;
//! `yesterday 14:30`, `today 09:00`; and the Korean `45분 전`, `2시간 전`,
//! `어제 14:30`, `오늘 09:00`. Nothing here reads the clock: `now` is passed in.

use chrono::{
    DateTime, Duration, FixedOffset, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
    Timelike,
};

/// The zone used for times typed without an offset.
#[derive(Debug, Clone, Copy)]
pub enum Zone {
    Fixed(FixedOffset),
    /// The machine's zone (TZ or /etc/localtime), DST included.
    Local,
}

impl Zone {
    pub fn parse(s: &str) -> Option<Zone> {
        let s = s.trim();
        if s.eq_ignore_ascii_case("local") {
            return Some(Zone::Local);
        }
        parse_offset(s).map(Zone::Fixed)
    }

    /// The instant a wall-clock time names in this zone, or why it names
    /// none (a daylight-saving gap) or two (the hour repeated in autumn).
    pub fn localize_or_why(self, naive: NaiveDateTime) -> Result<DateTime<FixedOffset>, String> {
        match self {
            Zone::Fixed(off) => off
                .from_local_datetime(&naive)
                .single()
                .ok_or_else(|| format!("{naive} is out of range")),
            Zone::Local => match chrono::Local.from_local_datetime(&naive) {
                LocalResult::Single(t) => Ok(t.fixed_offset()),
                LocalResult::Ambiguous(a, b) => Err(format!(
                    "{} happens twice in this time zone (the clocks went back): add the offset, '{} {}' or '{} {}'",
                    naive.format("%Y-%m-%d %H:%M"),
                    naive.format("%Y-%m-%d %H:%M"),
                    a.offset(),
                    naive.format("%Y-%m-%d %H:%M"),
                    b.offset()
                )),
                LocalResult::None => Err(format!(
                    "{} does not exist in this time zone: the clocks jumped forward over it (daylight saving)",
                    naive.format("%Y-%m-%d %H:%M")
                )),
            },
        }
    }

    pub fn convert(self, t: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        match self {
            Zone::Fixed(off) => t.with_timezone(&off),
            Zone::Local => t.with_timezone(&local_offset(t.timestamp())),
        }
    }
}

/// The machine's offset at a UTC instant. chrono's `Local` re-checks the
/// zone on every call, which cost seconds over 100k records; offsets only
/// change on the hour, so one lookup per hour is enough.
fn local_offset(utc_seconds: i64) -> FixedOffset {
    use std::cell::RefCell;
    use std::collections::HashMap;
    thread_local! {
        static BY_HOUR: RefCell<HashMap<i64, FixedOffset>> = RefCell::new(HashMap::new());
    }
    let hour = utc_seconds.div_euclid(3600);
    BY_HOUR.with(|cache| {
        *cache.borrow_mut().entry(hour).or_insert_with(|| {
            DateTime::from_timestamp(hour * 3600, 0)
                .map(|t| *t.with_timezone(&chrono::Local).offset())
                .unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC"))
        })
    })
}

/// `+09:00`, `+0900`, `+09`, `Z`, `UTC`.
pub fn parse_offset(s: &str) -> Option<FixedOffset> {
    if s == "Z" || s == "z" || s.eq_ignore_ascii_case("UTC") {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) || !(digits.len() == 2 || digits.len() == 4) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = if digits.len() == 4 {
        digits[2..].parse().ok()?
    } else {
        0
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

const TIME_FORMS: &str = "use RFC 3339 (2026-11-23T09:12:00+09:00), 'YYYY-MM-DD HH:MM', 'HH:MM', '45m ago' or 'yesterday 14:30'";

/// Parses a point in time typed by a person.
#[cfg(test)]
pub fn parse_time(
    input: &str,
    now: DateTime<FixedOffset>,
    zone: Zone,
) -> Result<DateTime<FixedOffset>, String> {
    parse_time_as(input, now, zone, Bare::Past).map(|r| r.at)
}

/// How a bare clock (`09:20`), which names no day, is given one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bare {
    /// The most recent past one: nothing else to go by.
    Past,
    /// The first at or after an earlier incident time (`--detected` after
    /// the start): the incident's times run forward.
    After(DateTime<FixedOffset>),
    /// The one nearest the incident's start, up to 12 h either side: a
    /// timeline entry often comes before the start (the trigger, the deploy).
    Near(DateTime<FixedOffset>),
}

impl Bare {
    /// `After(anchor)` beside an anchor, else `Past`.
    pub fn after(anchor: Option<DateTime<FixedOffset>>) -> Bare {
        anchor.map_or(Bare::Past, Bare::After)
    }

    /// `Near(start)` beside a start, else `Past`.
    pub fn near(start: Option<DateTime<FixedOffset>>) -> Bare {
        start.map_or(Bare::Past, Bare::Near)
    }
}

/// How far from its anchor a bare clock may be read before the day is
/// too much of a guess to make silently: half a day either way.
pub const NEAR_HOURS: i64 = 12;

/// A time as read, and whether its day was inferred from a bare clock.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resolved {
    pub at: DateTime<FixedOffset>,
    /// True for a bare `HH:MM` whose day was chosen for the person.
    pub day_inferred: bool,
}

/// Parses a time, giving a bare clock its day as `bare` says: beside an
/// earlier incident time, the first at or after it (`--started "2026-11-23
/// 09:12" --detected 09:20` is 11-23 09:20, `00:10` after 23:50 the next
/// day); beside the start of a timeline, the nearest; else the last past one.
pub fn parse_time_as(
    input: &str,
    now: DateTime<FixedOffset>,
    zone: Zone,
    bare: Bare,
) -> Result<Resolved, String> {
    let r = read_time(input, now, zone, bare)?;
    if !year_ok(&r.at) {
        return Err(format!(
            "'{}' is out of range (year {}): give a time between 1900 and 9999",
            input.trim(),
            chrono::Datelike::year(&r.at)
        ));
    }
    Ok(r)
}

/// The years a record may hold (writes, imports and `check` agree).
pub fn year_ok(t: &DateTime<FixedOffset>) -> bool {
    (1900..=9999).contains(&chrono::Datelike::year(t))
}

fn read_time(
    input: &str,
    now: DateTime<FixedOffset>,
    zone: Zone,
    bare: Bare,
) -> Result<Resolved, String> {
    let s = input.trim();
    let bad = || format!("cannot read '{s}' as a time: {TIME_FORMS}");
    let exact = |at| {
        Ok(Resolved {
            at,
            day_inferred: false,
        })
    };
    if s.is_empty() {
        return Err(bad());
    }
    if s.eq_ignore_ascii_case("now") || s == "지금" {
        return exact(now);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return exact(t);
    }
    if let Some(t) = parse_relative(s, now) {
        return exact(t);
    }
    let local_now = zone.convert(now);
    let words: Vec<&str> = s.split_whitespace().collect();
    let (day, rest): (Option<NaiveDate>, &[&str]) = match words[0].to_lowercase().as_str() {
        "today" | "오늘" => (Some(local_now.date_naive()), &words[1..]),
        "yesterday" | "어제" => (local_now.date_naive().pred_opt(), &words[1..]),
        w => match parse_day(w)? {
            Some(d) => (Some(d), &words[1..]),
            None => (None, &words[..]),
        },
    };
    // `2026-11-23T09:12` (RFC 3339 without seconds or offset) arrives as one word.
    if day.is_none()
        && let Some((d, t)) = s.split_once('T')
        && let Some(d) = parse_day(d)?
    {
        return at_day(d, &[t], zone)
            .and_then(|t| t.ok_or_else(bad))
            .and_then(exact);
    }
    match (day, rest) {
        (Some(d), rest) => at_day(d, rest, zone)
            .and_then(|t| t.ok_or_else(bad))
            .and_then(exact),
        (None, [clock]) => Ok(Resolved {
            at: bare_clock(clock, now, zone, bare)?.ok_or_else(bad)?,
            day_inferred: true,
        }),
        _ => Err(bad()),
    }
}

/// A bare clock on the day `bare` picks; `Ok(None)`: not a clock.
fn bare_clock(
    clock: &str,
    now: DateTime<FixedOffset>,
    zone: Zone,
    bare: Bare,
) -> Result<Option<DateTime<FixedOffset>>, String> {
    // The clock on the days around `t` (in the zone), earliest first; a
    // day where it does not exist (a daylight-saving gap) is left out, and
    // said only when no day is left to pick.
    let around = |t: DateTime<FixedOffset>| -> Result<Vec<DateTime<FixedOffset>>, String> {
        let day = zone.convert(t).date_naive();
        let mut out = Vec::new();
        let mut why = None;
        for d in [day.pred_opt(), Some(day), day.succ_opt()]
            .into_iter()
            .flatten()
        {
            match at_day(d, &[clock], zone) {
                Ok(Some(at)) => out.push(at),
                Ok(None) => return Ok(Vec::new()),
                Err(e) => why = why.or(Some(e)),
            }
        }
        match why {
            Some(e) if out.is_empty() => Err(e),
            _ => Ok(out),
        }
    };
    Ok(match bare {
        Bare::After(a) => around(a)?.into_iter().find(|t| *t >= a),
        // A clock time still ahead of us means the last one: `23:50` typed at 00:10.
        Bare::Past => around(now)?.into_iter().rev().find(|t| *t <= now),
        // Ties (exactly 12 h either side) go forward, where most of an
        // incident's events are.
        Bare::Near(s) => around(s)?
            .into_iter()
            .min_by_key(|t| ((*t - s).num_seconds().abs(), *t < s)),
    })
}

/// The reading of a bare clock that lands more than half a day after its
/// anchor (`--mitigated 02:10` after a 03:20 start: 23 hours later), with
/// the other reading, the same clock the day before (before the anchor).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TooFar {
    pub anchor: DateTime<FixedOffset>,
    pub after: DateTime<FixedOffset>,
    pub before: DateTime<FixedOffset>,
}

/// `Some` when `r` is a bare clock read after `bare`'s anchor but more
/// than [`NEAR_HOURS`] after it: a day a person must say, not one to guess.
pub fn too_far(r: &Resolved, bare: Bare, zone: Zone) -> Option<TooFar> {
    let Bare::After(anchor) = bare else {
        return None;
    };
    if !r.day_inferred || r.at - anchor <= Duration::hours(NEAR_HOURS) {
        return None;
    }
    let local = zone.convert(r.at);
    let day = local.date_naive().pred_opt()?;
    let before = zone.localize_or_why(day.and_time(local.time())).ok()?;
    Some(TooFar {
        anchor,
        after: r.at,
        before,
    })
}

/// A time written back as a person would type it, day included, so that
/// it reads as the same instant in `zone`: `2026-11-30 02:10`, with the
/// seconds when it has them and the offset only when the zone needs it.
pub fn typed_form(t: DateTime<FixedOffset>, zone: Zone) -> String {
    let local = zone.convert(t);
    let clock = if local.second() == 0 && local.nanosecond() == 0 {
        "%Y-%m-%d %H:%M"
    } else {
        "%Y-%m-%d %H:%M:%S"
    };
    let plain = local.format(clock).to_string();
    match zone.localize_or_why(local.naive_local()) {
        Ok(back) if back == t => plain,
        _ => format!("{plain} {}", local.offset()),
    }
}

/// `YYYY-MM-DD`, or `None` when the word is not date-shaped; a date-shaped
/// word naming no day ("2026-11-31") is an error that says why.
fn parse_day(word: &str) -> Result<Option<NaiveDate>, String> {
    let parts: Vec<&str> = word.split('-').collect();
    let [y, m, d] = parts[..] else {
        return Ok(None);
    };
    let all_digits =
        |p: &str| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit());
    if y.len() != 4 || !all_digits(y) || !all_digits(m) || !all_digits(d) {
        return Ok(None);
    }
    let (y, m, d): (i32, u32, u32) = (
        y.parse().map_err(|_| format!("'{word}' is not a date"))?,
        m.parse().map_err(|_| format!("'{word}' is not a date"))?,
        d.parse().map_err(|_| format!("'{word}' is not a date"))?,
    );
    if !(1..=12).contains(&m) {
        return Err(format!(
            "'{word}': there is no month {m} (months run 1 to 12)"
        ));
    }
    match NaiveDate::from_ymd_opt(y, m, d) {
        Some(date) => Ok(Some(date)),
        None => {
            let first = NaiveDate::from_ymd_opt(y, m, 1)
                .ok_or_else(|| format!("'{word}' is not a date"))?;
            let next = first
                .checked_add_months(chrono::Months::new(1))
                .ok_or_else(|| format!("'{word}' is not a date"))?;
            let days = (next - first).num_days();
            Err(format!(
                "'{word}': {} {y} has {days} days",
                first.format("%B")
            ))
        }
    }
}

/// A day plus optional `HH:MM[:SS]` and optional offset. `Ok(None)`: the
/// words are not a time; `Err`: a time that names no instant, and why.
fn at_day(
    day: NaiveDate,
    rest: &[&str],
    zone: Zone,
) -> Result<Option<DateTime<FixedOffset>>, String> {
    let parsed = match rest {
        [] => Some((NaiveTime::MIN, None)),
        [clock] => split_clock_offset(clock),
        [clock, off] => parse_clock(clock).and_then(|c| parse_offset(off).map(|o| (c, Some(o)))),
        _ => None,
    };
    let Some((clock, offset)) = parsed else {
        return Ok(None);
    };
    let naive = day.and_time(clock);
    match offset {
        Some(off) => Ok(off.from_local_datetime(&naive).single()),
        None => zone.localize_or_why(naive).map(Some),
    }
}

/// `09:12`, `09:12:30`, `09:12+09:00`, `09:12Z`.
fn split_clock_offset(s: &str) -> Option<(NaiveTime, Option<FixedOffset>)> {
    if let Some(pos) = s.find(['+', '-', 'Z', 'z']) {
        Some((parse_clock(&s[..pos])?, Some(parse_offset(&s[pos..])?)))
    } else {
        Some((parse_clock(s)?, None))
    }
}

fn parse_clock(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s, "%H:%M:%S")
        .or_else(|_| NaiveTime::parse_from_str(s, "%H:%M"))
        .ok()
}

/// `45m ago`, `2 hours ago`, `3d ago`, `45분 전`, `2시간 전`.
fn parse_relative(s: &str, now: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
    let body = s
        .strip_suffix("ago")
        .or_else(|| s.strip_suffix('전'))?
        .trim();
    let split = body.find(|c: char| !c.is_ascii_digit())?;
    let n: i64 = body[..split].parse().ok()?;
    let unit = body[split..].trim();
    let minutes = match unit {
        "m" | "min" | "mins" | "minute" | "minutes" | "분" => 1,
        "h" | "hr" | "hrs" | "hour" | "hours" | "시간" => 60,
        "d" | "day" | "days" | "일" => 60 * 24,
        "w" | "week" | "weeks" | "주" => 60 * 24 * 7,
        _ => return None,
    };
    now.checked_sub_signed(Duration::try_minutes(n.checked_mul(minutes)?)?)
}

const DATE_FORMS: &str =
    "use YYYY-MM-DD, 'today', 'tomorrow', 'yesterday', or '+7d' / '+2w' / '-3d' from today";

/// A calendar day such as an action item's due date. Past days are days
/// too: an item filed late is already overdue, and saying so is the
/// caller's job, not a refusal.
pub fn parse_date(input: &str, today: NaiveDate) -> Result<NaiveDate, String> {
    let s = input.trim();
    let bad = || format!("cannot read '{s}' as a date: {DATE_FORMS}");
    match s.to_lowercase().as_str() {
        "today" | "오늘" => return Ok(today),
        "tomorrow" | "내일" => return today.succ_opt().ok_or_else(bad),
        "yesterday" | "어제" => return today.pred_opt().ok_or_else(bad),
        _ => {}
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d);
    }
    let days = relative_days(s).ok_or_else(bad)?;
    today
        .checked_add_signed(Duration::try_days(days).ok_or_else(bad)?)
        .ok_or_else(bad)
}

/// A span of days as people say it: `4 weeks`, `1 week`, `10 days`.
pub fn format_days(days: i64) -> String {
    let plural = |n: i64, unit: &str| format!("{n} {unit}{}", if n == 1 { "" } else { "s" });
    if days != 0 && days % 7 == 0 {
        plural(days / 7, "week")
    } else {
        plural(days, "day")
    }
}

/// A span in days, as typed: `+7d`, `2w`, `-3d`, `4 weeks`. `None` when it
/// is not one.
pub fn relative_days(s: &str) -> Option<i64> {
    let s = s.trim();
    let (sign, rel) = match s.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, s.strip_prefix('+').unwrap_or(s)),
    };
    let split = rel.find(|c: char| !c.is_ascii_digit())?;
    let n: i64 = sign * rel[..split].parse::<i64>().ok()?;
    match rel[split..].trim_start() {
        "d" | "day" | "days" => Some(n),
        "w" | "week" | "weeks" => n.checked_mul(7),
        _ => None,
    }
}

/// The one way a time is written, in records and in every JSON document:
/// RFC 3339 with its own numeric offset (`+00:00`, never `Z`), to the
/// second, or finer when the time has it (an imported alert's milliseconds).
pub fn format_rfc3339(t: &DateTime<FixedOffset>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false)
}

/// How human output shows times: every one in the team's zone, which is
/// named once (`+09:00`), so a timeline mixing imported UTC entries with
/// typed ones reads in one clock. Only a time whose offset in the zone
/// differs from the named one (across a daylight-saving change) carries
/// its own. The instants are never changed, only how they are written.
#[derive(Debug, Clone, Copy)]
pub struct TimeView {
    zone: Zone,
    offset: FixedOffset,
}

impl TimeView {
    /// The zone's offset at `now` is the one named.
    pub fn new(zone: Zone, now: DateTime<FixedOffset>) -> TimeView {
        TimeView {
            zone,
            offset: *zone.convert(now).offset(),
        }
    }

    pub fn zone(&self) -> Zone {
        self.zone
    }

    /// The zone as said once: `+09:00`.
    pub fn label(&self) -> String {
        self.offset.to_string()
    }

    /// The instant in the zone (for its day, or a template's RFC 3339).
    pub fn local(&self, t: DateTime<FixedOffset>) -> DateTime<FixedOffset> {
        self.zone.convert(t)
    }

    /// `2026-11-30 03:10` (with `+10:00` after it when the zone's offset
    /// then is not the one named).
    pub fn minutes(&self, t: DateTime<FixedOffset>) -> String {
        let local = self.zone.convert(t);
        let written = local.format("%Y-%m-%d %H:%M");
        if *local.offset() == self.offset {
            written.to_string()
        } else {
            format!("{written} {}", local.offset())
        }
    }
}

/// Short human age: `45m`, `5h`, `3d`, `2w`.
pub fn format_age(d: Duration) -> String {
    let minutes = d.num_minutes().max(0);
    match minutes {
        m if m < 60 => format!("{m}m"),
        m if m < 60 * 48 => format!("{}h", m / 60),
        m if m < 60 * 24 * 14 => format!("{}d", m / (60 * 24)),
        m => format!("{}w", m / (60 * 24 * 7)),
    }
}

/// Durations in metrics: `42m`, `3h 05m`, `2d 4h`.
pub fn format_minutes(minutes: f64) -> String {
    let m = minutes.round() as i64;
    if m < 60 {
        format!("{m}m")
    } else if m < 60 * 24 {
        format!("{}h {:02}m", m / 60, m % 60)
    } else {
        format!("{}d {}h", m / (60 * 24), (m % (60 * 24)) / 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339("2026-11-24T10:00:00+09:00").unwrap()
    }
    fn kst() -> Zone {
        Zone::parse("+09:00").unwrap()
    }
    fn p(s: &str) -> String {
        format_rfc3339(&parse_time(s, now(), kst()).unwrap())
    }

    #[test]
    fn absolute_forms_keep_the_given_offset() {
        assert_eq!(p("2026-11-23T09:12:00+09:00"), "2026-11-23T09:12:00+09:00");
        assert_eq!(p("2026-11-23T00:12:00Z"), "2026-11-23T00:12:00+00:00");
        assert_eq!(p("2026-11-23 09:12"), "2026-11-23T09:12:00+09:00");
        assert_eq!(p("2026-11-23 09:12 +01:00"), "2026-11-23T09:12:00+01:00");
        assert_eq!(p("2026-11-23 09:12+0100"), "2026-11-23T09:12:00+01:00");
        assert_eq!(p("2026-11-23T09:12"), "2026-11-23T09:12:00+09:00");
        assert_eq!(p("2026-11-23"), "2026-11-23T00:00:00+09:00");
    }

    #[test]
    fn relative_forms_count_back_from_now() {
        assert_eq!(p("45m ago"), "2026-11-24T09:15:00+09:00");
        assert_eq!(p("2 hours ago"), "2026-11-24T08:00:00+09:00");
        assert_eq!(p("2시간 전"), "2026-11-24T08:00:00+09:00");
        assert_eq!(p("yesterday 14:30"), "2026-11-23T14:30:00+09:00");
        assert_eq!(p("어제 14:30"), "2026-11-23T14:30:00+09:00");
        assert_eq!(p("08:05"), "2026-11-24T08:05:00+09:00");
        assert_eq!(p("23:50"), "2026-11-23T23:50:00+09:00");
        assert_eq!(p("now"), "2026-11-24T10:00:00+09:00");
    }

    #[test]
    fn nonsense_is_an_error_naming_the_value() {
        for bad in [
            "",
            "soon",
            "25:00",
            "yesterday 14:30 extra words",
            "5 parsecs ago",
            "99999999999999m ago",
        ] {
            let e = parse_time(bad, now(), kst()).unwrap_err();
            assert!(e.contains("cannot read"), "{bad}: {e}");
        }
    }

    #[test]
    fn impossible_dates_say_why() {
        let e = parse_time("2026-11-31 09:00", now(), kst()).unwrap_err();
        assert!(e.contains("November 2026 has 30 days"), "{e}");
        let e = parse_time("2026-02-29", now(), kst()).unwrap_err();
        assert!(e.contains("February 2026 has 28 days"), "{e}");
        let e = parse_time("2026-13-01", now(), kst()).unwrap_err();
        assert!(e.contains("no month 13"), "{e}");
        assert!(
            parse_time("2028-02-29 10:00", now(), kst()).is_ok(),
            "a leap day"
        );
    }

    #[test]
    fn a_bare_clock_beside_an_anchor_is_the_first_at_or_after_it() {
        let started = DateTime::parse_from_rfc3339("2026-11-23T09:12:00+09:00").unwrap();
        let at = |s: &str, a| parse_time_as(s, now(), kst(), Bare::After(a)).unwrap();
        let r = at("09:20", started);
        assert_eq!(r.at.to_rfc3339(), "2026-11-23T09:20:00+09:00");
        assert!(r.day_inferred);
        assert_eq!(at("09:12", started).at, started, "at the anchor itself");
        assert_eq!(
            at("09:00", started).at.to_rfc3339(),
            "2026-11-24T09:00:00+09:00"
        );
        let late = DateTime::parse_from_rfc3339("2026-11-23T23:50:00+09:00").unwrap();
        assert_eq!(
            at("00:10", late).at.to_rfc3339(),
            "2026-11-24T00:10:00+09:00",
            "past midnight"
        );
        // A given date is taken as given, anchor or not.
        let r = at("2026-11-22 08:00", started);
        assert_eq!(r.at.to_rfc3339(), "2026-11-22T08:00:00+09:00");
        assert!(!r.day_inferred);
        // Without an anchor: the most recent past one.
        let r = parse_time_as("23:50", now(), kst(), Bare::Past).unwrap();
        assert_eq!(r.at.to_rfc3339(), "2026-11-23T23:50:00+09:00");
    }

    #[test]
    fn a_bare_clock_in_a_timeline_is_the_one_nearest_the_start() {
        let started = DateTime::parse_from_rfc3339("2026-11-30T03:10:00+09:00").unwrap();
        let near = |s: &str| {
            let r = parse_time_as(s, now(), kst(), Bare::Near(started)).unwrap();
            assert!(r.day_inferred);
            r.at.to_rfc3339()
        };
        assert_eq!(near("03:00"), "2026-11-30T03:00:00+09:00", "just before");
        assert_eq!(near("14:00"), "2026-11-30T14:00:00+09:00", "10h 50m after");
        assert_eq!(near("15:30"), "2026-11-29T15:30:00+09:00", "11h 40m before");
        assert_eq!(
            near("15:10"),
            "2026-11-30T15:10:00+09:00",
            "a tie goes forward"
        );
        // A date given is taken as given.
        let r = parse_time_as("2026-11-20 03:00", now(), kst(), Bare::Near(started)).unwrap();
        assert_eq!(r.at.to_rfc3339(), "2026-11-20T03:00:00+09:00");
    }

    #[test]
    fn a_bare_clock_over_12_hours_after_its_anchor_is_too_far() {
        let started = DateTime::parse_from_rfc3339("2026-11-30T03:20:00+09:00").unwrap();
        let bare = Bare::After(started);
        let read = |s: &str| parse_time_as(s, now(), kst(), bare).unwrap();
        let far = too_far(&read("02:10"), bare, kst()).expect("23 h later");
        assert_eq!(far.after.to_rfc3339(), "2026-12-01T02:10:00+09:00");
        assert_eq!(far.before.to_rfc3339(), "2026-11-30T02:10:00+09:00");
        assert_eq!(far.anchor, started);
        assert_eq!(too_far(&read("15:20"), bare, kst()), None, "12 h exactly");
        assert!(too_far(&read("15:21"), bare, kst()).is_some());
        // Typed with its day, it is what was typed.
        let dated = read("2026-12-01 02:10");
        assert_eq!(too_far(&dated, bare, kst()), None);
        assert_eq!(too_far(&read("02:10"), Bare::Near(started), kst()), None);
    }

    #[test]
    fn typed_forms_read_back_as_the_same_instant() {
        let t = DateTime::parse_from_rfc3339("2026-11-29T17:10:00Z").unwrap();
        assert_eq!(typed_form(t, kst()), "2026-11-30 02:10");
        let s = DateTime::parse_from_rfc3339("2026-11-30T02:10:30+09:00").unwrap();
        assert_eq!(typed_form(s, kst()), "2026-11-30 02:10:30");
        for t in [t, s] {
            assert_eq!(parse_time(&typed_form(t, kst()), now(), kst()).unwrap(), t);
        }
    }

    #[test]
    fn a_view_shows_one_zone_and_names_it_once() {
        let view = TimeView::new(kst(), now());
        assert_eq!(view.label(), "+09:00");
        let utc = DateTime::parse_from_rfc3339("2026-11-29T18:19:00.250Z").unwrap();
        assert_eq!(view.minutes(utc), "2026-11-30 03:19");
        assert_eq!(view.local(utc), utc, "the same instant");
        assert_eq!(view.local(utc).offset().local_minus_utc(), 9 * 3600);
    }

    #[test]
    fn dates() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
        assert_eq!(parse_date("+7d", today).unwrap().to_string(), "2026-12-01");
        assert_eq!(parse_date("2w", today).unwrap().to_string(), "2026-12-08");
        assert_eq!(
            parse_date("2026-12-07", today).unwrap().to_string(),
            "2026-12-07"
        );
        assert_eq!(
            parse_date("yesterday", today).unwrap().to_string(),
            "2026-11-23"
        );
        assert_eq!(parse_date("어제", today).unwrap().to_string(), "2026-11-23");
        assert_eq!(parse_date("-3d", today).unwrap().to_string(), "2026-11-21");
        assert!(parse_date("next-ish", today).is_err());
        assert!(parse_date("-", today).is_err());
        assert!(parse_date("2026-02-30", today).is_err());
    }
}
