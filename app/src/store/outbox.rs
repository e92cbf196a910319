//! The outbox: messages typed but not yet acknowledged. It lives in localStorage so a reload
//! or a crash loses nothing; each item keeps its client_msg_id, so resending after a lost ack
//! can never store it twice.

use serde::{Deserialize, Serialize};
use shared::{Attachment, ConversationId, MessageId};

const STORAGE_KEY: &str = "messenger.outbox.v1";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outgoing {
    pub client_msg_id: String,
    pub conversation_id: ConversationId,
    pub body: String,
    pub reply_to: Option<MessageId>,
    /// An uploaded file this message carries (`body` is then its caption). Defaulted so
    /// outboxes saved before attachments existed still load.
    #[serde(default)]
    pub attachment: Option<Attachment>,
    /// Unix milliseconds when typed.
    pub created_at: f64,
    /// Why the server refused it, if it did.
    pub error: Option<String>,
    /// Who wrote it. A socket only ever sends the items of the person it is logged in as.
    /// (Outboxes saved before this field are per-user in storage, hence the default.)
    #[serde(default)]
    pub author: Option<shared::UserId>,
}

impl Outgoing {
    pub fn new(
        author: Option<shared::UserId>,
        conversation_id: ConversationId,
        body: String,
        reply_to: Option<MessageId>,
        attachment: Option<Attachment>,
    ) -> Self {
        Self {
            client_msg_id: new_id(),
            conversation_id,
            body,
            reply_to,
            attachment,
            created_at: now_ms(),
            error: None,
            author,
        }
    }

    /// Whether a socket logged in as `user` may send this item.
    pub fn belongs_to(&self, user: shared::UserId) -> bool {
        self.author.is_none_or(|author| author == user)
    }

    /// The `send` frame for this item (the first time and every resend alike).
    pub fn frame(&self) -> shared::frames::ClientFrame {
        shared::frames::ClientFrame::Send {
            conversation_id: self.conversation_id,
            client_msg_id: self.client_msg_id.clone(),
            body: self.body.clone(),
            reply_to: self.reply_to,
            attachment: self.attachment.as_ref().map(|a| a.id.clone()),
        }
    }
}

fn new_id() -> String {
    #[cfg(feature = "hydrate")]
    {
        // 122 random bits as a v4 UUID, from the browser's crypto RNG.
        let mut bytes = [0u8; 16];
        if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
            let _ = crypto.get_random_values_with_u8_array(&mut bytes);
        }
        uuid::Builder::from_random_bytes(bytes).into_uuid().to_string()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        uuid::Uuid::nil().to_string()
    }
}

pub fn now_ms() -> f64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        0.0
    }
}

/// Each account has its own outbox, so a shared browser never sends one user's drafts as
/// another's.
fn key(user: Option<shared::UserId>) -> String {
    format!("{STORAGE_KEY}.{}", user.map_or(0, |u| u.0))
}

pub fn persist(user: Option<shared::UserId>, items: &[Outgoing]) {
    #[cfg(feature = "hydrate")]
    if let (Some(storage), Ok(json)) =
        (web_sys::window().and_then(|w| w.local_storage().ok().flatten()), serde_json::to_string(items))
    {
        let _ = storage.set_item(&key(user), &json);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (key(user), items);
}

pub fn load(user: Option<shared::UserId>) -> Vec<Outgoing> {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.local_storage().ok().flatten())
            .and_then(|s| s.get_item(&key(user)).ok().flatten())
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = key(user);
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outboxes_saved_before_attachments_still_load() {
        let old =
            r#"[{"client_msg_id":"x","conversation_id":3,"body":"hi","reply_to":null,"created_at":1.0,"error":null}]"#;
        let items: Vec<Outgoing> = serde_json::from_str(old).expect("old outbox");
        assert_eq!(items[0].attachment, None);
        assert_eq!(items[0].body, "hi");
        assert_eq!(items[0].author, None);
    }

    #[test]
    fn an_item_is_only_sent_as_its_author() {
        let alice = shared::UserId(1);
        let item = Outgoing::new(Some(alice), ConversationId(3), "hi".into(), None, None);
        assert!(item.belongs_to(alice));
        assert!(!item.belongs_to(shared::UserId(2)));
    }
}
