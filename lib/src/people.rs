//! Turning what someone typed (`bob`, `bob@ex`, `Bob Lee`) into the person
//! stored in a record, using the roster when the team keeps one.

use crate::config::Config;
use crate::error::{Error, Result};
use crate::text::inline;

/// Whether `who`, as a record stores a person (`Name <email>`, or an
/// address alone), is the person with address `email`: the whole
/// address, in any case. `rob.bob@example.com` is not `bob@example.com`.
pub fn is_email_of(who: &str, email: &str) -> bool {
    let email = email.trim();
    let (_, address) = name_and_email(who);
    !email.is_empty() && address.to_lowercase() == email.to_lowercase()
}

/// `Bob Lee <bob@example.com>` → `Bob Lee`: the name alone, where an
/// address has no business (narrow columns, an issue anyone may read).
pub fn name_of(p: &str) -> &str {
    match name_and_email(p) {
        ("", _) => p.trim(),
        (name, _) => name,
    }
}

/// Whether `who`, as a record stores a person, is `name` with address
/// `email`: by address, or by name where `who` holds only a name (in any
/// case and spacing, as people type their `user.name`).
pub fn is_person(who: &str, name: &str, email: &str) -> bool {
    is_email_of(who, email) || same_name(who, name)
}

/// `Alice  Kim` is `alice kim`: names compared word by word, in any case
/// and Unicode composition (Hangul typed on a Mac arrives decomposed).
fn same_name(a: &str, b: &str) -> bool {
    let words = |s: &str| {
        s.split_whitespace()
            .map(crate::text::fold)
            .collect::<Vec<_>>()
    };
    let (a, b) = (words(a), words(b));
    !a.is_empty() && a == b
}

/// `Name <email>` as its name and address (either may be empty): the one
/// reading of how records and git write a person.
pub fn name_and_email(who: &str) -> (&str, &str) {
    match who.trim().rsplit_once('<') {
        Some((name, rest)) => (name.trim(), rest.strip_suffix('>').unwrap_or(rest).trim()),
        None if who.contains('@') => ("", who.trim()),
        None => (who.trim(), ""),
    }
}

/// Resolves `who` against the roster by unique prefix of name, email or
/// handle. Without a roster the text is taken as written.
pub fn resolve(config: &Config, who: &str) -> Result<String> {
    let who = who.trim();
    if who.is_empty() || who.chars().any(char::is_control) {
        return Err(Error::usage(format!(
            "'{}' is not a person: give a name, handle or email",
            inline(who)
        )));
    }
    if config.people.is_empty() {
        return Ok(who.to_string());
    }
    let q = who.to_lowercase();
    let fields = |p: &crate::config::Person| {
        [
            p.name.to_lowercase(),
            p.email.to_lowercase(),
            p.handle.to_lowercase(),
            p.display().to_lowercase(),
        ]
    };
    // An exact match wins over prefixes: "bob" must not be ambiguous with "bobby".
    let exact: Vec<_> = config
        .people
        .iter()
        .filter(|p| fields(p).contains(&q))
        .collect();
    let found: Vec<_> = if exact.is_empty() {
        config
            .people
            .iter()
            .filter(|p| fields(p).iter().any(|f| !f.is_empty() && f.starts_with(&q)))
            .collect()
    } else {
        exact
    };
    // A full `Name <email>` is taken as written: the roster resolves
    // shorthand, it does not decide who may own work.
    let full_form = who.ends_with('>') && who.contains(" <") && who.contains('@');
    match found.as_slice() {
        [one] => Ok(one.display()),
        [] if full_form => Ok(who.to_string()),
        [] => Err(
            Error::new(format!("no one in the roster matches '{}'", inline(who))).hint(format!(
                "the roster ([[people]] in the config) has: {}",
                roster_names(config)
            )),
        ),
        many => Err(Error::new(format!(
            "'{}' matches {} people: {}; type more of the name",
            inline(who),
            many.len(),
            many.iter()
                .map(|p| p.display())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn roster_names(config: &Config) -> String {
    config
        .people
        .iter()
        .map(|p| p.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_person_by_address_or_by_a_name_alone_in_any_case() {
        assert_eq!(
            super::name_and_email("Alice Kim <alice@example.com>"),
            ("Alice Kim", "alice@example.com")
        );
        assert_eq!(
            super::name_and_email("bob@example.com"),
            ("", "bob@example.com")
        );
        assert!(super::is_person("Alice Kim", "alice  KIM", "x@example.com"));
        assert!(super::is_person(
            "Alice Kim <A@example.com>",
            "",
            "a@example.com"
        ));
        assert!(!super::is_person(
            "Alice Kim <a@example.com>",
            "Alice Kim",
            "b@example.com"
        ));
        assert!(!super::is_person("", "", ""));
        let decomposed: String =
            unicode_normalization::UnicodeNormalization::nfd("김철수").collect();
        assert!(super::is_person("김철수", &decomposed, "kim@example.com"));
    }

    use super::is_email_of;

    #[test]
    fn the_name_alone_or_the_whole_when_there_is_none() {
        use super::name_of;
        assert_eq!(name_of("Bob Lee <bob@example.com>"), "Bob Lee");
        assert_eq!(name_of("김민수<minsu@example.com>"), "김민수");
        assert_eq!(name_of(" bob@example.com "), "bob@example.com");
        assert_eq!(name_of("<bob@example.com>"), "<bob@example.com>");
        assert_eq!(name_of("Bob Lee"), "Bob Lee");
    }

    #[test]
    fn an_email_is_the_whole_address_in_any_case() {
        assert!(is_email_of("Bob Lee <Bob@Example.com>", "bob@example.com"));
        assert!(is_email_of(" bob@example.com ", "BOB@example.com"));
        assert!(!is_email_of("Rob <rob.bob@example.com>", "bob@example.com"));
        assert!(!is_email_of("bob@example.com.evil", "bob@example.com"));
        assert!(!is_email_of("Bob Lee", "bob@example.com"));
        assert!(!is_email_of("<>", ""));
    }
}
