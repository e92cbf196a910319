//! WebSocket frames: JSON objects tagged by `type`. docs/API.md shows each with an example.
//!
//! The server answers a frame it cannot parse with an `error` frame and keeps the connection.

use crate::error::ApiError;
use crate::ids::UserId;
use serde::{Deserialize, Serialize};

/// Browser → server.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// Keep-alive; answered by `pong` with the same `nonce`.
    Ping { nonce: u64 },
}

/// Server → browser.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// First frame on every connection: who the socket is authenticated as.
    Hello { user_id: UserId, heartbeat_secs: u64 },
    Pong { nonce: u64 },
    /// A frame was refused. The connection stays open unless it is closed right after.
    Error {
        #[serde(flatten)]
        error: ApiError,
    },
}

impl ClientFrame {
    /// Frame names, for the authorization matrix test and docs: adding a variant without
    /// listing it here fails to compile.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Ping { .. } => "ping",
        }
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
        let err = ServerFrame::Error { error: ApiError::new(ErrorCode::InvalidInput, "bad frame") };
        assert_eq!(
            serde_json::to_string(&err).expect("serialise"),
            r#"{"type":"error","code":"invalid_input","message":"bad frame"}"#
        );
    }

    #[test]
    fn unknown_frame_types_do_not_parse() {
        assert!(serde_json::from_str::<ClientFrame>(r#"{"type":"launch_missiles"}"#).is_err());
    }
}
