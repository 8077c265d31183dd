//! Commit-message trailers (`Key: value` lines in the last paragraph), read
//! by git's own rules through libgit2 (`git_message_trailers`): the one
//! parser for `Postmortem-Action:` and `Fixes-Postmortem:`.

/// The values of every `key` trailer in `message`, in order.
pub fn values(message: &str, key: &str) -> Vec<String> {
    let Ok(trailers) = git2::message_trailers_strs(message) else {
        return Vec::new();
    };
    trailers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.trim().to_string())
        .collect()
}

/// The last value of `key`, if the message has that trailer.
pub fn last(message: &str, key: &str) -> Option<String> {
    values(message, key).pop()
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_the_trailer_block_counts() {
        let m = "subject\n\nbody says Fixes-Postmortem: not this\n\nPostmortem-Id: PM-1\nFixes-Postmortem: PM-2#1, PM-3#2\n";
        assert_eq!(super::values(m, "fixes-postmortem"), ["PM-2#1, PM-3#2"]);
        assert_eq!(super::last(m, "Postmortem-Id").as_deref(), Some("PM-1"));
        assert_eq!(super::last("no trailers", "Postmortem-Id"), None);
    }
}
