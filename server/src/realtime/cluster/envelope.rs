//! The wire format between nodes: one JSON object per NATS message,
//! `{"origin": 123, "items": [...]}`, whose items are applied in order. Batching keeps the
//! NATS message rate far below the push rate under load; the order of one node's items is the
//! order it queued them, which is all the receiver relies on.

use super::NodeId;
use crate::sessions::SessionKey;
use serde::{Deserialize, Serialize, Serializer};
use shared::UserId;
use shared::frames::ServerFrame;
use std::sync::Arc;

/// One thing a node tells the others. `F` is the frame: shared on the way out (the local
/// sockets got the same `Arc`), owned on the way in.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Item<F> {
    /// Push `frame` to these users' sockets on your node.
    Frame { users: Vec<UserId>, frame: F },
    /// I now have `sockets` open for `user` (0: none).
    Count { user: UserId, sockets: u32 },
    /// Some of my users and their socket counts, resent periodically (entries not
    /// confirmed in time expire); empty when I have none, which still says I am alive.
    Snapshot { counts: Vec<(UserId, u32)> },
    /// I am shutting down: forget my sockets now.
    Leave,
    /// This session ended (logout, a new login): close its sockets on your node.
    EndSession { session: SessionKey },
}

#[derive(Debug, Deserialize)]
pub struct Envelope {
    pub origin: NodeId,
    pub items: Vec<Item<ServerFrame>>,
}

/// A frame already pushed locally, serialised as the frame itself.
#[derive(Debug)]
pub struct Shared(pub Arc<ServerFrame>);

impl Serialize for Shared {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

/// Builds envelopes of at most about `max_bytes` from items serialised one at a time, so one
/// burst of pushes becomes a few NATS messages none of which exceeds the server's limit.
pub struct Batcher {
    prefix: Vec<u8>,
    max_bytes: usize,
    current: Vec<u8>,
    done: Vec<Vec<u8>>,
}

impl Batcher {
    pub fn new(origin: NodeId, max_bytes: usize) -> Self {
        let prefix = format!(r#"{{"origin":{},"items":["#, origin.0).into_bytes();
        Self { current: prefix.clone(), prefix, max_bytes, done: Vec::new() }
    }

    pub fn push(&mut self, item: &Item<Shared>) -> serde_json::Result<()> {
        let bytes = serde_json::to_vec(item)?;
        let empty = self.current.len() == self.prefix.len();
        if !empty && self.current.len() + bytes.len() + 2 > self.max_bytes {
            self.seal();
        }
        if self.current.len() != self.prefix.len() {
            self.current.push(b',');
        }
        self.current.extend_from_slice(&bytes);
        Ok(())
    }

    fn seal(&mut self) {
        let mut full = std::mem::replace(&mut self.current, self.prefix.clone());
        full.extend_from_slice(b"]}");
        self.done.push(full);
    }

    /// The finished envelopes, in order.
    pub fn finish(mut self) -> Vec<Vec<u8>> {
        if self.current.len() != self.prefix.len() {
            self.seal();
        }
        self.done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::ConversationId;

    fn typing(user: i64) -> Item<Shared> {
        let frame =
            ServerFrame::Typing { conversation_id: ConversationId(3), user_id: UserId(user), expires_in_ms: 5000 };
        Item::Frame { users: vec![UserId(1), UserId(2)], frame: Shared(Arc::new(frame)) }
    }

    #[test]
    fn items_round_trip_in_order() {
        let mut batcher = Batcher::new(NodeId(42), 1 << 20);
        batcher.push(&typing(9)).expect("frame");
        batcher.push(&Item::Count { user: UserId(9), sockets: 2 }).expect("count");
        batcher.push(&Item::Snapshot { counts: vec![(UserId(9), 2), (UserId(10), 1)] }).expect("snapshot");
        batcher.push(&Item::Leave).expect("leave");
        let session = SessionKey::of(&tower_sessions::session::Id(7));
        batcher.push(&Item::EndSession { session }).expect("end session");
        let out = batcher.finish();
        assert_eq!(out.len(), 1);
        let envelope: Envelope = serde_json::from_slice(&out[0]).expect("envelope");
        assert_eq!(envelope.origin, NodeId(42));
        assert!(matches!(&envelope.items[..], [
            Item::Frame { users, frame: ServerFrame::Typing { user_id: UserId(9), .. } },
            Item::Count { user: UserId(9), sockets: 2 },
            Item::Snapshot { counts },
            Item::Leave,
            Item::EndSession { session: ended },
        ] if *ended == session && users == &[UserId(1), UserId(2)] && counts.len() == 2));
    }

    #[test]
    fn big_batches_are_split_below_the_limit() {
        let mut batcher = Batcher::new(NodeId(1), 400);
        for user in 0..20 {
            batcher.push(&typing(user)).expect("frame");
        }
        let out = batcher.finish();
        assert!(out.len() > 1, "split into several envelopes");
        let mut users = Vec::new();
        for bytes in &out {
            assert!(bytes.len() <= 400, "{} bytes", bytes.len());
            let envelope: Envelope = serde_json::from_slice(bytes).expect("envelope");
            for item in envelope.items {
                let Item::Frame { frame: ServerFrame::Typing { user_id, .. }, .. } = item else { panic!("typing") };
                users.push(user_id.0);
            }
        }
        assert_eq!(users, (0..20).collect::<Vec<_>>());
    }
}
