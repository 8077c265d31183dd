//! Text from records is data from other people. Before it reaches a
//! terminal, a wiki or a browser, control characters, ANSI escapes and bidi
//! overrides are made visible, so a record can never rewrite the reader's
//! screen (as fd's sanitize does). A leaf module: every layer may use it.

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// One line of text: newlines and tabs become spaces, other controls `\u{..}`.
pub fn inline(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if is_dangerous(c) => push_escaped(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

/// Several lines: keeps newlines and tabs, neutralises everything else.
pub fn block(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\t' => out.push(c),
            c if is_dangerous(c) => push_escaped(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

fn is_dangerous(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            // Bidi marks, embeddings, overrides and isolates (the "Trojan
            // Source" set), the Arabic letter mark among them.
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
            // Line and paragraph separators: line breaks a terminal does
            // not show as such.
            | '\u{2028}' | '\u{2029}'
            // Invisible characters that hide text or split words: zero
            // width space, word joiner and invisible operators, the
            // deprecated format controls, BOM, interlinear annotations.
            // (ZWNJ and ZWJ stay: emoji and scripts need them.)
            | '\u{180E}' | '\u{200B}' | '\u{2060}'..='\u{2064}' | '\u{206A}'..='\u{206F}'
            | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// For Markdown that may be rendered as HTML (wikis, pull requests): text
/// neutralised as for a terminal, and `<`, `>`, `&` as entities, so
/// `<script>` or `<img onerror=…>` in a title shows as text.
pub fn markdown(s: &str) -> String {
    block(s)
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn push_escaped(out: &mut String, c: char) {
    out.push_str(&c.escape_unicode().to_string());
}

/// Cuts `s` to at most `width` terminal columns (Hangul is two), adding `…`.
pub fn truncate(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// Lower case for scripts that have it, in composed form (NFC): Hangul
/// typed on a Mac arrives decomposed, and must find the same records.
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        s.to_ascii_lowercase()
    } else {
        composed(s).to_lowercase()
    }
}

/// `s` in NFC; borrowed when it already is (nearly always).
pub fn composed(s: &str) -> std::borrow::Cow<'_, str> {
    use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfc_quick};
    if s.is_ascii() || is_nfc_quick(s.chars()) == IsNormalized::Yes {
        std::borrow::Cow::Borrowed(s)
    } else {
        std::borrow::Cow::Owned(s.nfc().collect())
    }
}

/// Whether `text` holds `word`, ignoring case and Unicode composition.
pub fn contains_folded(text: &str, word: &str) -> bool {
    fold(text).contains(&fold(word))
}

#[cfg(test)]
mod tests {
    #[test]
    fn hangul_counts_two_columns() {
        assert_eq!(super::truncate("결제 서버 장애", 8), "결제 서…");
    }

    #[test]
    fn escapes_are_neutralised() {
        assert_eq!(super::inline("a\u{1b}[31mb\nc"), "a\\u{1b}[31mb c");
        assert_eq!(super::block("x\u{202E}y\n장애"), "x\\u{202e}y\n장애");
        for c in [
            '\u{61c}', '\u{2028}', '\u{200b}', '\u{2060}', '\u{feff}', '\u{7}', '\u{9b}',
        ] {
            assert!(
                super::inline(&format!("a{c}b")).contains("\\u{"),
                "{c:?} passed"
            );
        }
        // Emoji sequences keep their joiner.
        assert_eq!(super::inline("👩\u{200d}🚒"), "👩\u{200d}🚒");
        assert_eq!(
            super::markdown("<img src=x onerror=alert(1)> & \u{1b}]52;c;x\u{7}"),
            "&lt;img src=x onerror=alert(1)&gt; &amp; \\u{1b}]52;c;x\\u{7}"
        );
    }
}
