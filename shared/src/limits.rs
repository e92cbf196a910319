//! Limits enforced by the server and announced by the UI before the user hits them.

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 32;
pub const DISPLAY_NAME_MAX: usize = 64;
/// Longest "about" line of a profile, in characters.
pub const ABOUT_MAX: usize = 140;
pub const PASSWORD_MIN: usize = 8;
/// Longer inputs only make hashing slower; nobody types more.
pub const PASSWORD_MAX: usize = 256;
/// Largest request body a server function accepts.
pub const MAX_API_BODY_BYTES: usize = 64 * 1024;
/// Largest WebSocket frame, either direction.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;
/// Largest upload.
pub const MAX_UPLOAD_BYTES: usize = 4 * 1024 * 1024;
/// The client pings this often; the server closes a socket silent for three times as long.
pub const HEARTBEAT_SECS: u64 = 20;
/// Longest message text, in characters.
pub const MESSAGE_MAX_CHARS: usize = 4096;
pub const GROUP_TITLE_MAX: usize = 64;
pub const GROUP_MAX_MEMBERS: usize = 256;
/// Messages per history page.
pub const HISTORY_PAGE: u64 = 50;
pub const SEARCH_QUERY_MAX: usize = 128;
pub const SEARCH_RESULTS_MAX: u64 = 50;
/// Messages deleted for me in one call (a selection).
pub const HIDE_MAX: usize = 100;
/// Starred messages per page.
pub const STARRED_PAGE: u64 = 50;
/// A typing indicator disappears by itself after this long without a new `typing` frame.
pub const TYPING_EXPIRES_MS: u64 = 5000;
/// Messages forwarded at once.
pub const FORWARD_MESSAGES_MAX: usize = 50;
/// Chats one forward goes to, as in WhatsApp.
pub const FORWARD_CHATS_MAX: usize = 5;
/// A message can be edited this long after it was sent, as in WhatsApp.
pub const EDIT_WINDOW_MS: i64 = 15 * 60 * 1000;
/// A message can be deleted for everyone this long after it was sent (deleting it for yourself
/// has no limit).
pub const DELETE_WINDOW_MS: i64 = 48 * 60 * 60 * 1000;

/// Whether something sent at `sent_at` is still within `window_ms` at `now` (both in ms since
/// the Unix epoch). The server decides with its own clock; the UI asks the same question with
/// the browser's to hide what the server would refuse.
pub fn within(window_ms: i64, sent_at: i64, now: i64) -> bool {
    now.saturating_sub(sent_at) < window_ms
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_is_open_until_its_last_millisecond() {
        let sent = 1_764_054_000_000;
        assert!(within(EDIT_WINDOW_MS, sent, sent));
        assert!(within(EDIT_WINDOW_MS, sent, sent + EDIT_WINDOW_MS - 1));
        assert!(!within(EDIT_WINDOW_MS, sent, sent + EDIT_WINDOW_MS));
        assert!(within(DELETE_WINDOW_MS, sent, sent + EDIT_WINDOW_MS), "deleting allows longer");
        // A clock behind the sender's is not a reason to refuse.
        assert!(within(EDIT_WINDOW_MS, sent, sent - 5_000));
        assert!(!within(EDIT_WINDOW_MS, i64::MIN, i64::MAX), "no overflow");
    }
}
