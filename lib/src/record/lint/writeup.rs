//! The write-up's known failure modes, found in plain text: blame
//! language, vague action items, and a stated length the incident times
//! contradict. Pure functions over strings, shared by `check` and by
//! `analyze` as the text is typed.

use crate::text::fold;

/// What a blame phrase needs around it to be blame.
#[derive(Clone, Copy, PartialEq)]
enum Needs {
    /// Blame wherever it stands ("human error", "부주의").
    Nothing,
    /// Blame only when a person did it: "the operator failed to check" is,
    /// "the retry loop failed to back off" is not.
    PersonBefore,
    /// Not when the next word makes it something else: 실수형, 실수 값
    /// (a real number, in Korean) are not mistakes.
    NotBefore(&'static [&'static str]),
}

/// A built-in blame phrase, when it is blame, and the reframing we suggest.
struct Blame {
    phrase: &'static str,
    needs: Needs,
    instead: &'static str,
}

const PERSON: &str = "describe the condition that made it possible, not the person";
const MISSING_GUARD: &str =
    "say what would have caught it (a check, an alert, a guard-rail) and why it was not there";
const DID_NOT: &str =
    "say what did not happen and what let it not happen: \"the check did not run because …\"";
const FORGOT: &str = "say what made it easy to forget: no checklist step, no automation";
const PROCEDURE: &str = "say why the procedure was hard to follow or not where it was needed";
const KO_PERSON: &str = "사람 대신 조건을 적어 주세요: 무엇이 그 일을 가능하게 했나요?";
const KO_GUARD: &str =
    "무엇이 이를 막을 수 있었는지(검사, 알림, 안전장치)와 왜 없었는지 적어 주세요";

/// Words that name a person doing something (the subject a blame phrase
/// needs to be blame).
const PEOPLE: &[&str] = &[
    "i",
    "we",
    "he",
    "she",
    "they",
    "you",
    "someone",
    "somebody",
    "nobody",
    "engineer",
    "engineers",
    "operator",
    "operators",
    "developer",
    "developers",
    "admin",
    "administrator",
    "oncall",
    "staff",
    "person",
    "reviewer",
    "sre",
    "담당자",
    "운영자",
    "개발자",
    "작업자",
    "엔지니어",
    "우리",
];

/// Latin phrases that are stems: "careless" is blame in "carelessness" too.
const STEMS: &[&str] = &["negligen", "careless"];

const fn blame(phrase: &'static str, instead: &'static str) -> Blame {
    Blame {
        phrase,
        needs: Needs::Nothing,
        instead,
    }
}

const fn by_person(phrase: &'static str, instead: &'static str) -> Blame {
    Blame {
        phrase,
        needs: Needs::PersonBefore,
        instead,
    }
}

/// A starter list, English and Korean. Teams add theirs in the config
/// (`[lint] blame_words`); the rule is `blame-language`.
const BLAME: &[Blame] = &[
    blame("human error", PERSON),
    blame("careless", PERSON),
    blame("negligen", PERSON),
    blame("operator error", PERSON),
    blame("user error", PERSON),
    blame("made a mistake", PERSON),
    blame("his mistake", PERSON),
    blame("her mistake", PERSON),
    blame("their mistake", PERSON),
    blame("at fault", PERSON),
    blame("to blame", PERSON),
    blame("sloppy", PERSON),
    blame("incompetent", PERSON),
    by_person("should have", MISSING_GUARD),
    by_person("should've", MISSING_GUARD),
    by_person("failed to", DID_NOT),
    by_person("forgot to", FORGOT),
    by_person("didn't follow", PROCEDURE),
    by_person("did not follow", PROCEDURE),
    by_person("didn't check", MISSING_GUARD),
    by_person("did not check", MISSING_GUARD),
    blame("부주의", KO_PERSON),
    Blame {
        phrase: "실수",
        needs: Needs::NotBefore(&["형", "값", "부", " 값", " 타입", "형의", "자료형"]),
        instead: KO_PERSON,
    },
    blame("과실", KO_PERSON),
    blame("태만", KO_PERSON),
    blame("휴먼 에러", KO_PERSON),
    blame("휴먼에러", KO_PERSON),
    blame("인적 오류", KO_PERSON),
    by_person("했어야", KO_GUARD),
    by_person("확인하지 않", KO_GUARD),
];

/// One blame phrase found: the phrase as listed, and what to write instead.
#[derive(Debug, Clone, PartialEq)]
pub struct BlameHit {
    pub phrase: String,
    pub instead: String,
}

/// The blame phrases in `text` (built-in and the team's `extra`), each once.
pub fn blame_in(text: &str, extra: &[String]) -> Vec<BlameHit> {
    // "Human-error prone" is "human error prone"; "on-call" is one word.
    let folded = fold(text)
        .replace("on-call", "oncall")
        .replace("on call", "oncall")
        .replace('-', " ");
    let builtin = BLAME
        .iter()
        .map(|b| (b.phrase.to_string(), b.needs, b.instead));
    let team = extra
        .iter()
        .map(|w| (fold(w.trim()).replace('-', " "), Needs::Nothing, PERSON));
    let mut hits: Vec<BlameHit> = Vec::new();
    for (phrase, needs, instead) in builtin.chain(team) {
        if phrase.is_empty() || hits.iter().any(|h| h.phrase == phrase) {
            continue;
        }
        if holds_phrase(&folded, &phrase, needs) {
            hits.push(BlameHit {
                phrase,
                instead: instead.to_string(),
            });
        }
    }
    hits
}

/// `phrase` in `text` (both folded) where it is blame: at a word start
/// for Latin words ("careless" is in "Careless deploy", not "scareless"),
/// inside words for Hangul (particles attach: 실수로), and with what
/// `needs` asks around it.
fn holds_phrase(text: &str, phrase: &str, needs: Needs) -> bool {
    text.match_indices(phrase).any(|(at, _)| {
        let latin = phrase.starts_with(|c: char| c.is_ascii_alphanumeric());
        let word_start = !text[..at]
            .chars()
            .next_back()
            .is_some_and(|c| c.is_alphanumeric());
        if latin && !word_start {
            return false;
        }
        let after = &text[at + phrase.len()..];
        // Nor the start of a longer word ("blame" is not in "blameless"),
        // unless it is a stem on purpose ("carelessness").
        let word_end = !after.chars().next().is_some_and(|c| c.is_alphanumeric());
        if latin && !word_end && !STEMS.contains(&phrase) {
            return false;
        }
        match needs {
            Needs::Nothing => true,
            Needs::NotBefore(next) => !next.iter().any(|n| after.starts_with(n)),
            Needs::PersonBefore => {
                // The subject: the few words before, within the sentence.
                let sentence = text[..at]
                    .rsplit(['.', ';', '!', '?', '\n'])
                    .next()
                    .unwrap_or("");
                sentence
                    .split(|c: char| !c.is_alphanumeric() && c != '-' && c != '\'')
                    .filter(|w| !w.is_empty())
                    .rev()
                    .take(4)
                    .any(|w| {
                        let w = w.trim_end_matches("'s");
                        PEOPLE.contains(&w)
                            || PEOPLE.iter().any(|p| !p.is_ascii() && w.starts_with(p))
                    })
            }
        }
    })
}

/// Leads and endings of action items that promise effort, not a change.
const VAGUE_LEADS: &[&str] = &[
    "improve",
    "improvement",
    "improvements",
    "enhance",
    "better",
    "more",
    "be more",
    "be careful",
    "pay attention",
    "strengthen",
    "increase awareness",
    "review",
    "monitor",
    "look into",
    "investigate",
    "try to",
    "make sure",
    "ensure",
    "avoid",
    "prevent recurrence",
    "don't",
    "do not",
];
const VAGUE_ENDINGS: &[&str] = &[
    "강화",
    "개선",
    "주의",
    "철저",
    "검토",
    "노력",
    "신경 쓰기",
    "조심",
    "더 잘하기",
    "방지",
    "실시",
    "필요",
    "교육",
];
/// Korean verb endings that do not change what is promised (강화한다 = 강화).
const KO_VERB_ENDINGS: &[&str] = &["한다", "하기", "할 것", "해야 함", "함", "합니다", "하자"];
/// Whole promises, at any length.
const NEVER_AGAIN: &[&str] = &[
    "happen again",
    "happens again",
    "recur again",
    "재발하지 않",
    "재발 방지",
];

/// Why an action item's text is vague, or None. Vague: it promises that
/// something will not happen again, or it starts with a promise of effort
/// ("Improve …", "Be more careful") or ends like one ("모니터링 강화") and
/// names nothing concrete that someone could check is done (no number,
/// threshold, path, name in backticks, and only a few words).
pub fn vague_action(text: &str, extra: &[String]) -> Option<String> {
    let t = fold(text.trim().trim_end_matches(['.', '!', '。']));
    if t.is_empty() {
        return None;
    }
    if extra
        .iter()
        .any(|p| !p.trim().is_empty() && t == fold(p.trim()))
    {
        return Some("the team's config lists it as vague".into());
    }
    let concrete = t
        .chars()
        .any(|c| c.is_ascii_digit() || "/`=<>%:#@".contains(c));
    if !concrete && let Some(p) = NEVER_AGAIN.iter().find(|p| t.contains(**p)) {
        return Some(format!("\"{p}\" promises an outcome, not a change"));
    }
    let words = t.split_whitespace().count();
    if concrete || words > 5 {
        return None;
    }
    let lead = VAGUE_LEADS
        .iter()
        .find(|l| t == **l || t.starts_with(&format!("{l} ")) || t.starts_with(&format!("{l}:")));
    let stem = KO_VERB_ENDINGS
        .iter()
        .find_map(|e| t.strip_suffix(e))
        .map(str::trim_end)
        .unwrap_or(&t);
    let stem = stem
        .strip_suffix('을')
        .or_else(|| stem.strip_suffix('를'))
        .unwrap_or(stem);
    let ending = VAGUE_ENDINGS.iter().find(|e| stem.ends_with(**e));
    match (lead, ending) {
        (Some(l), _) => Some(format!("\"{l} …\" promises effort, not a change")),
        (None, Some(e)) => Some(format!("\"… {e}\" promises effort, not a change")),
        _ => None,
    }
}

/// What a reviewer would say about one piece of text as it is typed:
/// its blame phrases, and for an action item its vagueness. The same
/// words `check` reports by rule, so `analyze` and CI agree.
pub fn remarks(text: &str, action: bool, rules: &super::Rules<'_>) -> Vec<String> {
    let mut out = Vec::new();
    if rules.selection.runs("blame-language") {
        for hit in blame_in(text, rules.blame_words) {
            out.push(format!(
                "\"{}\" is blame language: {}",
                hit.phrase, hit.instead
            ));
        }
    }
    if action
        && rules.selection.runs("vague-action")
        && let Some(why) = vague_action(text, rules.vague_actions)
    {
        out.push(format!("this action item is vague: {why}; {SPECIFIC}"));
    }
    out
}

/// What we ask of an action item instead.
pub const SPECIFIC: &str = "say what changes and how anyone can tell it is done (\"Alert when checkout 5xx > 2% for 5 min\")";

/// Lengths a text states as the incident's ("for 40 minutes", "2 hours",
/// "0.75 hours", "40분간", "1시간 30분"), in minutes. A number directly
/// before a unit counts, and a run of them adds up ("1 hour 30 minutes").
/// Not a length of the incident: one after "every", "within", "of",
/// "first", "last", "in"… ("retry every 5 minutes", "TTL of 10 minutes"),
/// or before "to", "of", "later", "ago", "before", "after" ("5 minutes to
/// notice").
pub fn stated_minutes(text: &str) -> Vec<i64> {
    const NOT_AFTER: &[&str] = &[
        "every", "within", "of", "first", "last", "in", "per", "each", "than", "under", "over",
        "after", "before", "about", "next", "past",
    ];
    const NOT_BEFORE: &[&str] = &["to", "of", "later", "ago", "before", "after", "into", "per"];
    let lower = text.to_lowercase();
    let tokens = tokenize(&lower);
    let mut out = Vec::new();
    let mut run: Option<f64> = None;
    let mut start = 0;
    let mut i = 0;
    let word = |k: usize| match tokens.get(k) {
        Some(Token::Word(w)) => w.as_str(),
        _ => "",
    };
    while i < tokens.len() {
        let unit = match (&tokens[i], tokens.get(i + 1)) {
            (Token::Number(n), Some(Token::Word(w))) => unit_minutes(w).map(|m| n * m as f64),
            _ => None,
        };
        match unit {
            Some(m) => {
                if run.is_none() {
                    start = i;
                }
                run = Some(run.unwrap_or(0.0) + m);
                i += 2;
            }
            None => {
                if let Some(total) = run.take() {
                    let before = start.checked_sub(1).map_or("", word);
                    if !NOT_AFTER.contains(&before) && !NOT_BEFORE.contains(&word(i)) {
                        out.push(total.round() as i64);
                    }
                }
                i += 1;
            }
        }
    }
    if let Some(total) = run {
        let before = start.checked_sub(1).map_or("", word);
        if !NOT_AFTER.contains(&before) {
            out.push(total.round() as i64);
        }
    }
    out
}

#[derive(Debug)]
enum Token {
    Number(f64),
    Word(String),
}

/// Numbers (with a decimal part: 0.75) and words, split where digits meet
/// letters ("40분간" → 40, 분간). A clock (09:20), a version (v2.13), a
/// ratio (99.9%) or a number glued to letters before it (5xx, sha256) is
/// not a number here.
fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_ascii_digit() {
            let glued = i > 0 && chars[i - 1].is_alphanumeric() && !chars[i - 1].is_ascii_digit();
            let mut j = i;
            while j < chars.len() && chars[j].is_ascii_digit() {
                j += 1;
            }
            if j + 1 < chars.len() && chars[j] == '.' && chars[j + 1].is_ascii_digit() {
                j += 1;
                while j < chars.len() && chars[j].is_ascii_digit() {
                    j += 1;
                }
            }
            let next = chars.get(j).copied();
            let not_a_number = glued
                || matches!(next, Some(':' | '%' | ','))
                || (next == Some('.') && chars.get(j + 1).is_some_and(|c| c.is_ascii_digit()));
            let n: String = chars[i..j].iter().collect();
            match n.parse::<f64>() {
                Ok(n) if !not_a_number => out.push(Token::Number(n)),
                _ => out.push(Token::Word(String::new())),
            }
            i = j;
        } else if c.is_alphabetic() {
            let mut w = String::new();
            while i < chars.len() && chars[i].is_alphabetic() {
                w.push(chars[i]);
                i += 1;
            }
            out.push(Token::Word(w));
        } else {
            i += 1;
            if !c.is_whitespace() && c != '-' {
                out.push(Token::Word(String::new()));
            }
        }
    }
    out
}

fn unit_minutes(word: &str) -> Option<i64> {
    const MINUTES: &[&str] = &["minutes", "minute", "mins", "min", "분", "분간", "분동안"];
    const HOURS: &[&str] = &["hours", "hour", "hrs", "hr", "h", "시간", "시간동안"];
    if MINUTES.contains(&word) {
        Some(1)
    } else if HOURS.contains(&word) {
        Some(60)
    } else {
        None
    }
}

/// Whether a stated length fits a measured one: within a quarter, or
/// five minutes for short incidents (people round).
pub fn length_fits(stated: i64, measured: i64) -> bool {
    let slack = (measured / 4).max(5);
    (stated - measured).abs() <= slack
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blame_in_both_languages_and_the_teams_words() {
        let hits = blame_in(
            "Root cause: human error; the operator should have checked",
            &[],
        );
        let phrases: Vec<&str> = hits.iter().map(|h| h.phrase.as_str()).collect();
        assert_eq!(phrases, ["human error", "should have"]);
        assert_eq!(blame_in("담당자의 부주의로 설정 실수가 발생", &[]).len(), 2);
        assert!(blame_in("a scareless run", &[]).is_empty());
        assert!(blame_in("CARELESS deploy", &[]).len() == 1);
        let team = vec!["rookie mistake".to_string()];
        assert_eq!(
            blame_in("a Rookie Mistake", &team)[0].phrase,
            "rookie mistake"
        );
        assert!(blame_in("The config loader rejected the file", &[]).is_empty());
        // What systems do is not blame; what people are said to have done is.
        for system in [
            "The retry loop failed to back off",
            "The TTL should have been 300s per the spec",
            "Float parsing used 실수형 (f64) values",
            "실수 값 변환에서 NaN",
            "The dev cluster failed to start",
            "The user service failed to respond",
            "로드밸런서가 헬스체크를 확인하지 않았다",
            "A blameless review",
        ] {
            assert!(blame_in(system, &[]).is_empty(), "{system}");
        }
        for person in [
            "He made a mistake",
            "Human-error prone manual step",
            "The on-call engineer failed to page the DB team",
            "We should have rolled back",
            "담당자가 확인하지 않았다",
            "The on-call failed to escalate",
            "Carelessness in the rollout",
        ] {
            assert!(!blame_in(person, &[]).is_empty(), "{person}");
        }
        assert_eq!(blame_in("We forgot to renew the cert", &[]).len(), 1);
    }

    #[test]
    fn vague_actions_name_nothing_to_check() {
        for vague in [
            "Make sure this does not happen again",
            "Improvement",
            "모니터링을 강화한다",
            "재발 방지",
            "주의 필요",
            "교육 실시",
            "Improve monitoring",
            "Be more careful",
            "모니터링 강화",
            "배포 절차 개선",
            "review process.",
        ] {
            assert!(vague_action(vague, &[]).is_some(), "{vague}");
        }
        for concrete in [
            "Alert when checkout 5xx > 2% for 5 min",
            "Add a pre-deploy check that rejects configs without `timeout`",
            "결제 5xx 2% 초과 시 알림 추가",
            "Rotate the TLS certificate automatically with cert-manager",
            "Improve the runbook at docs/runbooks/checkout.md",
        ] {
            assert!(vague_action(concrete, &[]).is_none(), "{concrete}");
        }
        assert!(vague_action("Do better", &["do better".into()]).is_some());
    }

    #[test]
    fn stated_lengths_in_english_and_korean() {
        assert_eq!(stated_minutes("card payments failed for 40 minutes"), [40]);
        assert_eq!(stated_minutes("카드 결제 40분간 실패"), [40]);
        assert_eq!(stated_minutes("down 1 hour 30 minutes, then 2h"), [90, 120]);
        assert_eq!(stated_minutes("down for 0.75 hours"), [45]);
        for incidental in [
            "TTL of 10 minutes",
            "Retry every 5 minutes",
            "took 5 minutes to notice",
            "errors within 5 minutes of the deploy",
            "the first 15 minutes were partial",
        ] {
            assert!(stated_minutes(incidental).is_empty(), "{incidental}");
        }
        assert_eq!(stated_minutes("1시간 30분 동안"), [90]);
        assert!(stated_minutes("at 09:20 v2.13 served 5xx to 40% of users").is_empty());
        assert!(length_fits(40, 43));
        assert!(!length_fits(40, 90));
    }
}
