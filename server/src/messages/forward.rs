//! Forwarding: copies of messages the caller can read, sent by them to up to five chats they
//! are in. A copy is a new message of its chat (new seq, new rev, pushed as `message`) marked
//! `forwarded`, with the original's text and, for an attachment, a media row of its own that
//! shares the original's file (`media::copy_attachment`): nothing is uploaded again, and the
//! new chat's members may download it because it is now their chat's.

use super::Messages;
use super::entity::{Column as MessageCol, Entity as MessageEntity};
use super::store::{self, NewMessage};
use crate::conversations::{member_ids, membership};
use crate::error::{Error, Result};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use shared::frames::ServerFrame;
use shared::limits::{FORWARD_CHATS_MAX, FORWARD_MESSAGES_MAX};
use shared::{ConversationId, MessageId, MessageKind, MessageView, UserId};
use std::collections::{BTreeSet, HashMap};

impl Messages {
    /// Forwards `messages` (in the order they were sent) to each of `targets`, answering the
    /// copies, chat by chat. All or nothing: a message the caller cannot read, a deleted or
    /// system message, or a chat they are not in refuses the whole forward.
    pub async fn forward(
        &self,
        me: UserId,
        messages: &[MessageId],
        targets: &[ConversationId],
    ) -> Result<Vec<MessageView>> {
        let ids = distinct(messages.iter().map(|m| m.0), FORWARD_MESSAGES_MAX, "message_ids", "messages")?;
        let targets = distinct(targets.iter().map(|c| c.0), FORWARD_CHATS_MAX, "conversation_ids", "chats")?;
        let db = &self.deps.db;
        let mut originals = MessageEntity::find()
            .filter(MessageCol::Id.is_in(ids.iter().copied()))
            .filter(super::marks::not_hidden_by(me))
            .all(db)
            .await?;
        if originals.len() != ids.len() {
            return Err(Error::not_found());
        }
        // Readable means: in a chat of mine, sent after I joined it.
        let mut joined = HashMap::new();
        for message in &originals {
            let conversation = message.conversation_id;
            if let std::collections::hash_map::Entry::Vacant(entry) = joined.entry(conversation) {
                entry.insert(membership(db, ConversationId(conversation), me).await?.joined_seq);
            }
            if message.seq <= joined[&conversation] {
                return Err(Error::not_found());
            }
            if message.kind != MessageKind::Text.as_str() {
                return Err(Error::invalid("message_ids", "System messages cannot be forwarded."));
            }
            if message.deleted_at.is_some() {
                return Err(Error::invalid("message_ids", "A deleted message cannot be forwarded."));
            }
        }
        originals.sort_by_key(|m| (m.conversation_id, m.seq));
        for &target in &targets {
            crate::privacy::refuse_if_blocked(db, ConversationId(target), me).await?;
        }

        let rows = {
            let _gate = self.deps.write_gate.enter().await;
            let txn = db.begin().await?;
            let mut rows = Vec::with_capacity(originals.len() * targets.len());
            for &target in &targets {
                let target = ConversationId(target);
                for (n, original) in originals.iter().enumerate() {
                    // Write first (SQLite), then check: a chat I am not in rolls it all back.
                    let conv = store::bump(&txn, target, true).await?;
                    if n == 0 {
                        membership(&txn, target, me).await?;
                    }
                    let copy = NewMessage {
                        sender: Some(me),
                        client_msg_id: None,
                        kind: MessageKind::Text,
                        body: original.body.clone(),
                        reply_to: None,
                        forwarded: true,
                    };
                    let row = store::insert(&txn, &conv, copy).await?;
                    crate::media::copy_attachment(&txn, me, original.id, target, row.id).await?;
                    rows.push(row);
                }
            }
            txn.commit().await?;
            rows
        };

        let copies = store::views(db, rows).await?;
        for &target in &targets {
            let members = member_ids(db, ConversationId(target)).await?;
            for message in copies.iter().filter(|m| m.conversation_id.0 == target) {
                self.deps.hub.send_to(&members, ServerFrame::Message { message: message.clone() });
            }
        }
        Ok(copies)
    }
}

/// `ids` without repeats, in ascending order: at least one and at most `max` (`what` names
/// them in the error, for `field`).
fn distinct(ids: impl Iterator<Item = i64>, max: usize, field: &str, what: &str) -> Result<BTreeSet<i64>> {
    let set: BTreeSet<i64> = ids.collect();
    if set.is_empty() || set.len() > max {
        return Err(Error::invalid(field, format!("Forward 1 to {max} {what} at a time.")));
    }
    Ok(set)
}
