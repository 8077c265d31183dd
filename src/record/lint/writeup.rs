//! The write-up's known failure modes, found in plain text: blame
//! language, vague action items, and a stated length the incident times
//! contradict. Pure functions over strings, shared by `check` and by
//! `analyze` as the text is typed.

use crate::text::fold;

/// A built-in blame phrase and the reframing we suggest for it.
struct Blame {
    phrase: &'static str,
    instead: &'static str,
}

const PERSON: &str = "describe the condition that made it possible, not the person";
const MISSING_GUARD: &str =
    "say what would have caught it (a check, an alert, a guard-rail) and why it was not there";
const KO_PERSON: &str = "사람 대신 조건을 적어 주세요: 무엇이 그 일을 가능하게 했나요?";
const KO_GUARD: &str =
    "무엇이 이를 막을 수 있었는지(검사, 알림, 안전장치)와 왜 없었는지 적어 주세요";

/// A starter list, English and Korean. Teams add theirs in the config
/// (`[lint] blame_words`); the rule is `blame-language`.
const BLAME: &[Blame] = &[
    Blame {
        phrase: "human error",
        instead: PERSON,
    },
    Blame {
        phrase: "careless",
        instead: PERSON,
    },
    Blame {
        phrase: "negligen",
        instead: PERSON,
    },
    Blame {
        phrase: "should have",
        instead: MISSING_GUARD,
    },
    Blame {
        phrase: "should've",
        instead: MISSING_GUARD,
    },
    Blame {
        phrase: "failed to",
        instead: "say what did not happen and what let it not happen: \"the check did not run because …\"",
    },
    Blame {
        phrase: "forgot to",
        instead: "say what made it easy to forget: no checklist step, no automation",
    },
    Blame {
        phrase: "didn't follow",
        instead: "say why the procedure was hard to follow or not where it was needed",
    },
    Blame {
        phrase: "did not follow",
        instead: "say why the procedure was hard to follow or not where it was needed",
    },
    Blame {
        phrase: "operator error",
        instead: PERSON,
    },
    Blame {
        phrase: "user error",
        instead: PERSON,
    },
    Blame {
        phrase: "부주의",
        instead: KO_PERSON,
    },
    Blame {
        phrase: "실수",
        instead: KO_PERSON,
    },
    Blame {
        phrase: "과실",
        instead: KO_PERSON,
    },
    Blame {
        phrase: "태만",
        instead: KO_PERSON,
    },
    Blame {
        phrase: "휴먼 에러",
        instead: KO_PERSON,
    },
    Blame {
        phrase: "휴먼에러",
        instead: KO_PERSON,
    },
    Blame {
        phrase: "인적 오류",
        instead: KO_PERSON,
    },
    Blame {
        phrase: "했어야",
        instead: KO_GUARD,
    },
    Blame {
        phrase: "확인하지 않",
        instead: KO_GUARD,
    },
];

/// One blame phrase found: the phrase as listed, and what to write instead.
#[derive(Debug, Clone, PartialEq)]
pub struct BlameHit {
    pub phrase: String,
    pub instead: String,
}

/// The blame phrases in `text` (built-in and the team's `extra`), each once.
pub fn blame_in(text: &str, extra: &[String]) -> Vec<BlameHit> {
    let folded = fold(text);
    let builtin = BLAME.iter().map(|b| (b.phrase.to_string(), b.instead));
    let team = extra.iter().map(|w| (w.trim().to_string(), PERSON));
    let mut hits: Vec<BlameHit> = Vec::new();
    for (phrase, instead) in builtin.chain(team) {
        if phrase.is_empty() || hits.iter().any(|h| h.phrase == phrase) {
            continue;
        }
        if holds_phrase(&folded, &fold(&phrase)) {
            hits.push(BlameHit {
                phrase,
                instead: instead.to_string(),
            });
        }
    }
    hits
}

/// `phrase` in `text` (both folded), starting at a word boundary for
/// Latin words: "careless" is in "Careless deploy", not in "scareless".
/// Korean particles attach to the word (실수로), so Hangul matches inside.
fn holds_phrase(text: &str, phrase: &str) -> bool {
    text.match_indices(phrase).any(|(at, _)| {
        !phrase.starts_with(|c: char| c.is_ascii_alphanumeric())
            || !text[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric())
    })
}

/// Leads and endings of action items that promise effort, not a change.
const VAGUE_LEADS: &[&str] = &[
    "improve",
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
];

/// Why an action item's text is vague, or None. Vague: it starts with a
/// promise of effort ("Improve …", "Be more careful") or ends like one
/// ("모니터링 강화"), and names nothing concrete that someone could check
/// is done (no number, threshold, path, name in backticks, and only a few
/// words).
pub fn vague_action(text: &str, extra: &[String]) -> Option<String> {
    let t = fold(text.trim().trim_end_matches(['.', '!', '。']));
    if t.is_empty() {
        return None;
    }
    let team = extra.iter().map(|p| fold(p.trim()));
    if team.clone().any(|p| !p.is_empty() && t == p) {
        return Some("the team's config lists it as vague".into());
    }
    let concrete = t
        .chars()
        .any(|c| c.is_ascii_digit() || "/`=<>%:#@".contains(c));
    let words = t.split_whitespace().count();
    if concrete || words > 5 {
        return None;
    }
    let lead = VAGUE_LEADS
        .iter()
        .find(|l| t == **l || t.starts_with(&format!("{l} ")) || t.starts_with(&format!("{l}:")));
    let ending = VAGUE_ENDINGS.iter().find(|e| t.ends_with(**e));
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

/// Lengths a text states ("for 40 minutes", "2 hours", "40분간",
/// "1시간 30분"), in minutes. A number directly before a unit counts; a
/// run of them ("1 hour 30 minutes", "1시간 30분") adds up.
pub fn stated_minutes(text: &str) -> Vec<i64> {
    let lower = text.to_lowercase();
    let tokens = tokenize(&lower);
    let mut out = Vec::new();
    let mut run: Option<i64> = None;
    let mut i = 0;
    while i < tokens.len() {
        let unit = match (&tokens[i], tokens.get(i + 1)) {
            (Token::Number(n), Some(Token::Word(w))) => unit_minutes(w).map(|m| n * m),
            _ => None,
        };
        match unit {
            Some(m) => {
                run = Some(run.unwrap_or(0) + m);
                i += 2;
            }
            None => {
                if let Some(total) = run.take() {
                    out.push(total);
                }
                i += 1;
            }
        }
    }
    out.extend(run);
    out
}

#[derive(Debug)]
enum Token {
    Number(i64),
    Word(String),
}

/// Numbers and words, split where digits meet letters ("40분간" → 40, 분간).
fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_digit() {
            let mut n = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                n.push(d);
                chars.next();
            }
            // A clock (09:20), a version (v2.13) or a ratio is not a length.
            if chars
                .peek()
                .is_some_and(|c| matches!(c, ':' | '.' | ',' | '%'))
            {
                out.push(Token::Word(String::new()));
                chars.next();
                continue;
            }
            out.push(n.parse().map_or(Token::Word(String::new()), Token::Number));
        } else if c.is_alphabetic() {
            let mut w = String::new();
            while let Some(&d) = chars.peek().filter(|d| d.is_alphabetic()) {
                w.push(d);
                chars.next();
            }
            out.push(Token::Word(w));
        } else {
            chars.next();
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
    }

    #[test]
    fn vague_actions_name_nothing_to_check() {
        for vague in [
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
        assert_eq!(stated_minutes("1시간 30분 동안"), [90]);
        assert!(stated_minutes("at 09:20 v2.13 served 5xx to 40% of users").is_empty());
        assert!(length_fits(40, 43));
        assert!(!length_fits(40, 90));
    }
}
