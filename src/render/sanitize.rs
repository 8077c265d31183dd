//! Record text is data from other people: before it reaches a terminal,
//! control characters, ANSI escapes and bidi overrides are made visible so a
//! record can never rewrite the reader's screen (as fd's sanitize does).

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
        // Bidi embeddings, overrides and isolates (the "Trojan Source" set).
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

fn push_escaped(out: &mut String, c: char) {
    out.push_str(&c.escape_unicode().to_string());
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_are_neutralised() {
        assert_eq!(super::inline("a\u{1b}[31mb\nc"), "a\\u{1b}[31mb c");
        assert_eq!(super::block("x\u{202E}y\n장애"), "x\\u{202e}y\n장애");
    }
}
