//! Input rules, checked by the browser for instant feedback and by the server for real.
//! Each returns the normalised value or an [`ApiError`] naming the field.

use crate::error::ApiError;
use crate::limits::*;

/// Lower-cased, 3–32 of `a-z 0-9 _ .`, starting with a letter or digit.
pub fn username(raw: &str) -> Result<String, ApiError> {
    let name = raw.trim().to_lowercase();
    let len = name.chars().count();
    if !(USERNAME_MIN..=USERNAME_MAX).contains(&len) {
        return Err(ApiError::invalid(
            "username",
            format!("Username must be {USERNAME_MIN} to {USERNAME_MAX} characters."),
        ));
    }
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.';
    if !name.chars().all(allowed) || !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        return Err(ApiError::invalid(
            "username",
            "Username may use letters, digits, '_' and '.', and must start with a letter or digit.",
        ));
    }
    Ok(name)
}

/// Trimmed, 1–64 characters, no control characters.
pub fn display_name(raw: &str) -> Result<String, ApiError> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(ApiError::invalid("display_name", "Display name is required."));
    }
    if name.chars().count() > DISPLAY_NAME_MAX {
        return Err(ApiError::invalid(
            "display_name",
            format!("Display name must be at most {DISPLAY_NAME_MAX} characters."),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(ApiError::invalid("display_name", "Display name may not contain control characters."));
    }
    if has_invisible_formatting(name) {
        return Err(ApiError::invalid(
            "display_name",
            "Display name may not contain invisible or text-direction characters.",
        ));
    }
    Ok(name.to_owned())
}

/// Characters that change how a name reads without being seen: direction overrides and
/// isolates (an "evil\u{202E}moc.elgoog" that shows as "evilgoogle.com"), zero-width spaces
/// and marks, the word joiner and the BOM. A zero-width joiner is allowed between two symbols,
/// where emoji sequences (👩‍💻) need it, and nowhere else.
fn has_invisible_formatting(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.iter().enumerate().any(|(i, c)| match c {
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}' | '\u{200C}' | '\u{200E}' | '\u{200F}' => true,
        '\u{2060}' | '\u{FEFF}' | '\u{061C}' => true,
        '\u{200D}' => {
            let symbol = |c: Option<&char>| c.is_some_and(|c| u32::from(*c) >= 0x2000 && !c.is_alphanumeric());
            !(i > 0 && symbol(chars.get(i - 1)) && symbol(chars.get(i + 1)))
        }
        _ => false,
    })
}

/// 8–256 characters, not all of them white space; not trimmed (spaces are legitimate
/// password characters, but a password of spaces alone is the first thing a guesser tries).
pub fn password(raw: &str) -> Result<(), ApiError> {
    let len = raw.chars().count();
    if len > 0 && raw.chars().all(char::is_whitespace) {
        return Err(ApiError::invalid("password", "Password must not be only spaces."));
    }
    if len < PASSWORD_MIN {
        return Err(ApiError::invalid("password", format!("Password must be at least {PASSWORD_MIN} characters.")));
    }
    if len > PASSWORD_MAX {
        return Err(ApiError::invalid("password", format!("Password must be at most {PASSWORD_MAX} characters.")));
    }
    Ok(())
}

/// A password for `username`: [`password`]'s rules, and not the username itself (in any case,
/// or reversed), the first guess of anyone who knows the account.
pub fn password_for(username: &str, raw: &str) -> Result<(), ApiError> {
    password(raw)?;
    let lower = raw.to_lowercase();
    let name = username.trim().to_lowercase();
    if !name.is_empty() && (lower == name || lower.chars().rev().collect::<String>() == name) {
        return Err(ApiError::invalid("password", "Password must not be your username."));
    }
    Ok(())
}

/// Trimmed message text: not empty, at most [`MESSAGE_MAX_CHARS`] characters, no NUL
/// (PostgreSQL text cannot hold one, so it is refused on every backend alike).
pub fn message_text(raw: &str) -> Result<String, ApiError> {
    let text = raw.trim();
    if text.is_empty() {
        return Err(ApiError::invalid("body", "A message cannot be empty."));
    }
    if text.contains('\0') {
        return Err(ApiError::invalid("body", "A message may not contain NUL characters."));
    }
    if text.chars().count() > MESSAGE_MAX_CHARS {
        return Err(ApiError::invalid("body", format!("A message can be at most {MESSAGE_MAX_CHARS} characters.")));
    }
    Ok(text.to_owned())
}

/// A reaction: exactly one emoji (skin tones and other variants included), as Unicode lists
/// them; anything else — text, two emoji, an unknown sequence — is refused.
pub fn reaction(raw: &str) -> Result<String, ApiError> {
    let emoji = raw.trim();
    if emoji.len() > REACTION_MAX_BYTES || emojis::get(emoji).is_none() {
        return Err(ApiError::invalid("emoji", "A reaction is a single emoji."));
    }
    Ok(emoji.to_owned())
}

/// The longest emoji sequence a reaction may be, in bytes (the longest family and flag
/// sequences are 35).
pub const REACTION_MAX_BYTES: usize = 40;

/// A profile's "about" line: trimmed, at most 140 characters, one line, may be empty.
pub fn about(raw: &str) -> Result<String, ApiError> {
    let about = raw.trim();
    if about.chars().count() > ABOUT_MAX {
        return Err(ApiError::invalid("about", format!("About can be at most {} characters.", ABOUT_MAX)));
    }
    if about.chars().any(char::is_control) {
        return Err(ApiError::invalid("about", "About must be a single line of text."));
    }
    Ok(about.to_owned())
}

/// A message's text when it carries an attachment: the caption, which may be empty.
pub fn caption(raw: &str) -> Result<String, ApiError> {
    if raw.trim().is_empty() {
        return Ok(String::new());
    }
    message_text(raw)
}

/// Trimmed group title: 1–64 characters, no control characters.
pub fn group_title(raw: &str) -> Result<String, ApiError> {
    let title = raw.trim();
    if title.is_empty() || title.chars().count() > GROUP_TITLE_MAX || title.chars().any(char::is_control) {
        return Err(ApiError::invalid("title", format!("Group name must be 1 to {GROUP_TITLE_MAX} characters.")));
    }
    Ok(title.to_owned())
}

/// A client message id: a UUID in its canonical hyphenated form.
pub fn client_msg_id(raw: &str) -> Result<String, ApiError> {
    uuid::Uuid::parse_str(raw)
        .map(|id| id.hyphenated().to_string())
        .map_err(|_| ApiError::invalid("client_msg_id", "client_msg_id must be a UUID."))
}

/// Trimmed search text, 1–128 characters.
pub fn search_query(raw: &str) -> Result<String, ApiError> {
    let query = raw.trim();
    if query.is_empty() || query.chars().count() > SEARCH_QUERY_MAX {
        return Err(ApiError::invalid("query", format!("Search for 1 to {SEARCH_QUERY_MAX} characters.")));
    }
    Ok(query.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reaction_is_one_emoji() {
        for good in ["👍", "❤️", "😂", "👍🏽", "🏳️‍🌈", "👨‍👩‍👧‍👦", " 🙏 "] {
            assert_eq!(reaction(good).as_deref(), Ok(good.trim()), "{good:?}");
        }
        for bad in ["", " ", "a", "ok", "👍👍", "<script>", "\0", "👍a", &"😂".repeat(20), "\u{202E}👍"] {
            let err = reaction(bad).expect_err(bad);
            assert_eq!(err.field.as_deref(), Some("emoji"), "{bad:?}");
        }
    }

    #[test]
    fn reactions_group_by_emoji_in_first_use_order() {
        let mut message: crate::MessageView = serde_json::from_value(serde_json::json!({
            "id": 1, "conversation_id": 1, "seq": 1, "rev": 1, "sender_id": 1, "client_msg_id": null,
            "kind": "text", "body": "hi", "reply_to": null, "created_at": 0, "edited_at": null, "deleted": false
        }))
        .expect("a message without reactions on the wire");
        assert!(message.reactions.is_empty());
        for (user, emoji) in [(1, "👍"), (2, "😂"), (3, "👍")] {
            message.reactions.push(crate::Reaction { user_id: crate::UserId(user), emoji: emoji.into() });
        }
        let groups = message.reaction_groups();
        assert_eq!(
            groups,
            vec![
                ("👍".to_owned(), vec![crate::UserId(1), crate::UserId(3)]),
                ("😂".to_owned(), vec![crate::UserId(2)]),
            ]
        );
        assert_eq!(message.reaction_of(crate::UserId(2)), Some("😂"));
        assert_eq!(message.reaction_of(crate::UserId(9)), None);
    }

    #[test]
    fn usernames_are_normalised_to_lower_case() {
        assert_eq!(username("  Alice_99 ").as_deref(), Ok("alice_99"));
    }

    #[test]
    fn usernames_outside_the_rules_are_refused_with_the_field_named() {
        for bad in ["ab", "", "a b c", "_alice", "al!ce", "Ωmega", &"x".repeat(33), "alice\0"] {
            let err = username(bad).expect_err(bad);
            assert_eq!(err.field.as_deref(), Some("username"), "{bad:?}");
        }
    }

    #[test]
    fn display_names_are_trimmed_and_bounded() {
        assert_eq!(display_name("  Alice Liddell ").as_deref(), Ok("Alice Liddell"));
        assert!(display_name("   ").is_err());
        assert!(display_name(&"é".repeat(65)).is_err());
        assert!(display_name(&"é".repeat(64)).is_ok());
        assert!(display_name("bell\u{7}").is_err());
    }

    #[test]
    fn display_names_refuse_direction_overrides_and_invisible_characters() {
        for sneaky in [
            "evil\u{202E}moc.elgoog",
            "Ali\u{200B}ce",
            "\u{2066}Bob\u{2069}",
            "Eve\u{FEFF}",
            "A\u{200D}B",
            "\u{200F}Carol",
        ] {
            assert!(display_name(sneaky).is_err(), "{sneaky:?} was accepted");
        }
        // Emoji sequences need the zero-width joiner; accents and scripts are fine.
        for fine in ["Dev 👩\u{200D}💻", "José Ñúñez", "Анна", "李小龙", "محمد"] {
            assert!(display_name(fine).is_ok(), "{fine:?} was refused");
        }
    }

    #[test]
    fn a_password_may_not_be_the_username() {
        assert!(password_for("aliceliddell", "aliceliddell").is_err());
        assert!(password_for("aliceliddell", "AliceLiddell").is_err());
        assert!(password_for("aliceliddell", "lleddilecila").is_err());
        assert!(password_for("aliceliddell", "aliceliddell1").is_ok());
        assert!(password_for("alice", "short").is_err());
    }

    #[test]
    fn passwords_are_bounded_but_not_trimmed() {
        assert!(password("short").is_err());
        assert!(password("        ").is_err(), "white space alone");
        assert!(password("\t\n \u{3000}    ").is_err(), "any white space");
        assert!(password("  a     ").is_ok(), "spaces around a character are kept as typed");
        assert!(password(&"p".repeat(PASSWORD_MAX + 1)).is_err());
    }

    #[test]
    fn message_text_is_trimmed_and_bounded() {
        assert_eq!(message_text("  hi  ").as_deref(), Ok("hi"));
        assert!(message_text(" \n ").is_err());
        assert!(message_text(&"a".repeat(MESSAGE_MAX_CHARS)).is_ok());
        assert!(message_text(&"a".repeat(MESSAGE_MAX_CHARS + 1)).is_err());
        assert_eq!(message_text("nul\0byte").expect_err("NUL").field.as_deref(), Some("body"));
        assert_eq!(message_text("tab\tand\nnewline").as_deref(), Ok("tab\tand\nnewline"));
    }

    #[test]
    fn client_message_ids_must_be_uuids() {
        assert!(client_msg_id("2f1d3c4e-8a4b-4c1e-9f7a-1b2c3d4e5f60").is_ok());
        assert!(client_msg_id("not-a-uuid").is_err());
        assert!(client_msg_id("").is_err());
    }
}
