//! The words that say what a problem was: lower-cased, composed, without
//! stop words or Korean particles, each once. `stats` counts them across
//! root causes; `related` matches records by them.

use super::Record;

/// English function words, and the verbs that tell how a cause played
/// out rather than what it was ("it turned out the pool was shared": the
/// words are "pool" and "shared", not "turned").
const STOPWORDS: &[&str] = &[
    "the",
    "and",
    "of",
    "to",
    "in",
    "on",
    "for",
    "with",
    "was",
    "were",
    "is",
    "are",
    "not",
    "by",
    "from",
    "that",
    "this",
    "it",
    "its",
    "at",
    "as",
    "be",
    "no",
    "our",
    "we",
    "an",
    "or",
    "had",
    "has",
    "have",
    "into",
    "too",
    "when",
    "which",
    "did",
    "but",
    "after",
    "before",
    "than",
    "then",
    "so",
    "all",
    "only",
    "out",
    "up",
    "down",
    "one",
    "two",
    "been",
    "being",
    "do",
    "does",
    "done",
    "there",
    "their",
    "they",
    "them",
    "these",
    "those",
    "what",
    "who",
    "while",
    "during",
    "about",
    "over",
    "under",
    "between",
    "through",
    "without",
    "within",
    "because",
    "since",
    "due",
    "via",
    "per",
    "also",
    "again",
    "still",
    "just",
    "very",
    "more",
    "less",
    "some",
    "any",
    "each",
    "other",
    "same",
    "can",
    "could",
    "will",
    "would",
    "should",
    "may",
    "might",
    "must",
    "got",
    "get",
    "gets",
    "went",
    "made",
    "make",
    "turned",
    "turns",
    "turn",
    "became",
    "become",
    "caused",
    "causing",
    "causes",
    "led",
    "leading",
    "resulted",
    "resulting",
    "happened",
    "found",
    "seems",
    "seemed",
    "us",
    "he",
    "she",
    "his",
    "her",
    "you",
    "your",
    "if",
    "how",
    "why",
    "where",
];

/// Particles that attach to a Korean noun (결제가, 결제를, 결제의 → 결제),
/// longest first; stripped from words of three syllables or more only,
/// since in a two-syllable word the last may be the noun's own (풀이).
const PARTICLES: &[&str] = &[
    "에서", "으로", "에게", "까지", "부터", "이", "가", "을", "를", "은", "는", "의", "에", "로",
    "와", "과", "도",
];

/// The significant words of `text`, sorted, each once.
pub fn significant(text: &str) -> Vec<String> {
    let folded = crate::text::fold(text);
    let mut words: Vec<String> = folded
        .split(|c: char| !c.is_alphanumeric())
        .map(strip_particle)
        .filter(|w| w.chars().count() >= 2 && !is_stopword(w))
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit()))
        .map(str::to_string)
        .collect();
    words.sort();
    words.dedup();
    words
}

/// A set, not a scan of the list: `stats` asks this of every word of
/// 100k root causes.
fn is_stopword(word: &str) -> bool {
    static SET: std::sync::LazyLock<hashbrown::HashSet<&str, foldhash::fast::FixedState>> =
        std::sync::LazyLock::new(|| STOPWORDS.iter().copied().collect());
    SET.contains(word)
}

fn strip_particle(word: &str) -> &str {
    let hangul = word.chars().any(|c| ('\u{AC00}'..='\u{D7A3}').contains(&c));
    if !hangul || word.chars().count() < 3 {
        return word;
    }
    PARTICLES
        .iter()
        .find_map(|p| word.strip_suffix(p))
        .unwrap_or(word)
}

impl Record {
    /// What the record says the cause was, as words.
    pub fn root_cause_words(&self) -> Vec<String> {
        significant(&self.analysis.root_cause)
    }

    /// What the record says the problem was: title, summary, trigger and
    /// root cause, as words.
    pub fn problem_words(&self) -> Vec<String> {
        let a = &self.analysis;
        significant(
            &[&self.title, &self.summary, &a.trigger, &a.root_cause]
                .map(|s| s.as_str())
                .join("\n"),
        )
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn words_without_stop_words_or_particles() {
        assert_eq!(
            super::significant("The connection pool was exhausted; pool limits"),
            ["connection", "exhausted", "limits", "pool"]
        );
        assert_eq!(
            super::significant("커넥션 풀이 고갈되어 결제가 실패"),
            ["결제", "고갈되어", "실패", "커넥션", "풀이"]
        );
        assert_eq!(super::significant("커넥션풀이 고갈"), ["고갈", "커넥션풀"]);
        assert_eq!(
            super::significant("It turned out the pool was shared, which caused timeouts"),
            ["pool", "shared", "timeouts"]
        );
    }
}
