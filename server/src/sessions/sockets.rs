//! What sockets need from sessions: a key to end a session's sockets by, on every node, and a
//! check that a socket's session still stands (not deleted, not expired, still the same user).
//!
//! The key is a digest of the session id, never the id itself: the id is the cookie, a bearer
//! secret, and the key travels between nodes over NATS and may appear in logs.

use super::{DbSessionStore, USER_KEY};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use shared::UserId;
use std::time::Duration;
use tower_sessions::SessionStore;
use tower_sessions::session::Id;

/// How often an open socket checks its session again, unless configured otherwise.
pub const DEFAULT_RECHECK: Duration = Duration::from_secs(60);

/// Names a session without revealing its id: the first 128 bits of SHA-256 over the id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SessionKey([u8; 16]);

impl SessionKey {
    pub fn of(id: &Id) -> Self {
        let digest = Sha256::digest(id.0.to_le_bytes());
        let mut key = [0; 16];
        key.copy_from_slice(&digest[..16]);
        Self(key)
    }

    /// The key as 32 hex digits: how a device is named on the wire.
    pub fn to_hex(&self) -> String {
        self.0.iter().map(|b| format!("{b:02x}")).collect()
    }
}

/// Answers whether a socket's session still stands.
#[derive(Clone, Debug)]
pub struct Sessions {
    pub(super) store: DbSessionStore,
    recheck_every: Duration,
    /// The sessions' idle timeout: a row's expiry less this is its last activity.
    pub(super) idle_secs: i64,
}

impl Sessions {
    pub fn new(store: DbSessionStore, recheck_every: Duration, idle_secs: i64) -> Self {
        Self { store, recheck_every, idle_secs }
    }

    /// How often an open socket should ask [`Sessions::belongs_to`] again.
    pub fn recheck_every(&self) -> Duration {
        self.recheck_every
    }

    /// True while `id` is a live session of `user`: false once it was deleted (logout, a new
    /// login), expired, or now belongs to someone else.
    pub async fn belongs_to(&self, id: &Id, user: UserId) -> Result<bool> {
        let record = self.store.load(id).await.map_err(|e| Error::Internal(format!("session store: {e}")))?;
        let owner = record
            .and_then(|record| record.data.get(USER_KEY).cloned())
            .and_then(|value| serde_json::from_value::<UserId>(value).ok());
        Ok(owner == Some(user))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_tell_sessions_apart_and_survive_the_wire() {
        let (a, b) = (Id(1), Id(2));
        assert_eq!(SessionKey::of(&a), SessionKey::of(&a));
        assert_ne!(SessionKey::of(&a), SessionKey::of(&b));
        let json = serde_json::to_string(&SessionKey::of(&a)).expect("serialise");
        assert_eq!(serde_json::from_str::<SessionKey>(&json).expect("parse"), SessionKey::of(&a));
        assert!(!json.contains(&a.to_string()), "the id itself never leaves the node");
        let hex = SessionKey::of(&a).to_hex();
        assert_eq!(hex.len(), 32);
        assert!(hex.chars().all(|c| c.is_ascii_hexdigit()));
    }
}
