//! Desktop notifications (the Notification API through web-sys) for messages that arrive while
//! the tab is hidden, except from muted chats. Permission is asked once, right after the user
//! sends their first message — a moment when they clearly use the app — never on page load.

use crate::store::ChatStore;
use shared::{MessageKind, MessageView};

/// Asks for permission if the browser has not been asked yet. Call from a user action.
pub fn ask_permission_once() {
    #[cfg(feature = "hydrate")]
    if web_sys::Notification::permission() == web_sys::NotificationPermission::Default {
        let _ = web_sys::Notification::request_permission();
    }
}

/// Shows a notification for `message` if the user would want one.
#[cfg_attr(not(feature = "hydrate"), expect(dead_code, reason = "called by the browser-only socket client"))]
pub fn maybe_notify(store: &ChatStore, message: &MessageView) {
    let mine = message.sender_id.is_some() && message.sender_id == store.my_id();
    if mine || message.kind != MessageKind::Text || crate::store::page_visible() {
        return;
    }
    let Some((title, muted)) = store.summary_untracked(message.conversation_id).map(|c| (c.title, c.muted)) else {
        return;
    };
    if muted {
        return;
    }
    let body = crate::media::preview_text(&message.body, message.attachment.as_ref());
    show(&title, &body, &format!("conversation-{}", message.conversation_id.0));
}

fn show(title: &str, body: &str, tag: &str) {
    #[cfg(feature = "hydrate")]
    if web_sys::Notification::permission() == web_sys::NotificationPermission::Granted {
        let options = web_sys::NotificationOptions::new();
        options.set_body(body);
        // One notification per chat: a newer message replaces the older one.
        options.set_tag(tag);
        let _ = web_sys::Notification::new_with_options(title, &options);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (title, body, tag);
}
