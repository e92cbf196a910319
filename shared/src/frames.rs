//! WebSocket frames: JSON objects tagged by `type`. docs/API.md shows each with an example.
//!
//! The server answers a frame it cannot parse or must refuse with an `error` frame (carrying the
//! `client_msg_id` of a refused send) and keeps the connection.

use crate::error::ApiError;
use crate::ids::{ConversationId, MessageId, Seq, UserId};
use crate::media::MediaId;
use crate::message::{MessageMark, MessageView, Receipt};
use serde::{Deserialize, Serialize};

/// Browser → server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// Keep-alive; answered by `pong` with the same `nonce`.
    Ping { nonce: u64 },
    /// Send a text message. Answered by `ack` once stored; resending the same
    /// `client_msg_id` returns the original message, never a duplicate.
    Send {
        conversation_id: ConversationId,
        client_msg_id: String,
        body: String,
        #[serde(default)]
        reply_to: Option<MessageId>,
        /// An upload of the sender's in this conversation (`POST /api/media`), not yet sent;
        /// `body` is then the caption and may be empty.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        attachment: Option<MediaId>,
    },
    /// "I am typing" in a conversation; repeat every few seconds while typing.
    Typing { conversation_id: ConversationId },
    /// Everything up to `seq` reached this device.
    Delivered { conversation_id: ConversationId, seq: Seq },
    /// Everything up to `seq` was shown to the user.
    Read { conversation_id: ConversationId, seq: Seq },
}

/// Server → browser.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// First frame on every connection: who the socket is authenticated as.
    Hello {
        user_id: UserId,
        heartbeat_secs: u64,
    },
    Pong {
        nonce: u64,
    },
    /// A `send` was stored (sent only to the sending socket, after commit).
    Ack {
        client_msg_id: String,
        message: MessageView,
    },
    /// A new message in one of the user's conversations.
    Message {
        message: MessageView,
    },
    /// A message was edited, deleted or reacted to; `message` is its new state.
    MessageUpdated {
        message: MessageView,
    },
    /// The caller's own marks changed (starred, unstarred, deleted for them), on this device or
    /// another: sent to the caller's sockets only.
    Marks {
        marks: Vec<MessageMark>,
    },
    /// A member's watermarks moved.
    Receipt {
        receipt: Receipt,
    },
    /// Someone is typing; shown until `expires_in_ms` pass without another one.
    Typing {
        conversation_id: ConversationId,
        user_id: UserId,
        expires_in_ms: u64,
    },
    /// A contact came online or went offline (`last_seen_at` set when offline).
    Presence {
        user_id: UserId,
        online: bool,
        last_seen_at: Option<i64>,
    },
    /// The conversation's title, members or the caller's flags changed, or the caller was
    /// added to it: fetch it again.
    ConversationUpdated {
        conversation_id: ConversationId,
    },
    /// The caller is no longer a member.
    ConversationRemoved {
        conversation_id: ConversationId,
    },
    /// A frame was refused. The connection stays open unless it is closed right after.
    Error {
        #[serde(flatten)]
        error: ApiError,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        client_msg_id: Option<String>,
    },
}

impl ClientFrame {
    /// Every frame name, for the authorization matrix test: adding a variant without listing
    /// it here fails to compile.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Ping { .. } => "ping",
            Self::Send { .. } => "send",
            Self::Typing { .. } => "typing",
            Self::Delivered { .. } => "delivered",
            Self::Read { .. } => "read",
        }
    }

    pub const KINDS: [&'static str; 5] = ["ping", "send", "typing", "delivered", "read"];
}

impl ServerFrame {
    pub fn error(error: ApiError) -> Self {
        Self::Error { error, client_msg_id: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn frames_use_the_documented_json_shape() {
        let ping: ClientFrame = serde_json::from_str(r#"{"type":"ping","nonce":7}"#).expect("parse");
        assert_eq!(ping, ClientFrame::Ping { nonce: 7 });
        let err = ServerFrame::error(ApiError::new(ErrorCode::InvalidInput, "bad frame"));
        assert_eq!(
            serde_json::to_string(&err).expect("serialise"),
            r#"{"type":"error","code":"invalid_input","message":"bad frame"}"#
        );
        let send: ClientFrame = serde_json::from_str(
            r#"{"type":"send","conversation_id":3,"client_msg_id":"2f1d3c4e-8a4b-4c1e-9f7a-1b2c3d4e5f60","body":"hi"}"#,
        )
        .expect("parse");
        assert_eq!(send.kind(), "send");
    }

    #[test]
    fn unknown_frame_types_do_not_parse() {
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"launch_missiles"}"#).is_err());
    }
}
