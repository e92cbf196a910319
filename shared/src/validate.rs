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
    Ok(name.to_owned())
}

/// 8–256 characters; not trimmed (spaces are legitimate password characters).
pub fn password(raw: &str) -> Result<(), ApiError> {
    let len = raw.chars().count();
    if len < PASSWORD_MIN {
        return Err(ApiError::invalid("password", format!("Password must be at least {PASSWORD_MIN} characters.")));
    }
    if len > PASSWORD_MAX {
        return Err(ApiError::invalid("password", format!("Password must be at most {PASSWORD_MAX} characters.")));
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

/// A profile's "about" line: trimmed, at most 140 characters, one line, may be empty.
pub fn about(raw: &str) -> Result<String, ApiError> {
    let about = raw.trim();
    if about.chars().count() > crate::limits::ABOUT_MAX {
        return Err(ApiError::invalid(
            "about",
            format!("About can be at most {} characters.", crate::limits::ABOUT_MAX),
        ));
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
    fn passwords_are_bounded_but_not_trimmed() {
        assert!(password("short").is_err());
        assert!(password("        ").is_ok());
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
