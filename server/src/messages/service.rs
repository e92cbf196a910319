use super::commit::{GroupCommit, Stored};
use super::entity::{self, ActiveModel as MessageRow, Column as MessageCol, Entity as MessageEntity};
use super::marks;
use super::store;
use crate::conversations::{member_ids, membership};
use crate::db::now_ms;
use crate::deps::Deps;
use crate::error::{Error, Result};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use shared::frames::ServerFrame;
use shared::limits::{self, HISTORY_PAGE};
use shared::media::MediaId;
use shared::{
    ConversationId, HistoryPage, MessageId, MessageKind, MessageView, Rev, SearchHit, Seq, SyncPage, UserId, validate,
};

/// How long after sending a change to a message is allowed, and the refusal once it is not.
struct Window {
    ms: i64,
    refusal: &'static str,
}

const EDIT_WINDOW: Window =
    Window { ms: limits::EDIT_WINDOW_MS, refusal: "Messages can be edited for 15 minutes after they are sent." };
const DELETE_WINDOW: Window = Window {
    ms: limits::DELETE_WINDOW_MS,
    refusal: "Messages can be deleted for everyone for 48 hours after they are sent. You can still delete it for yourself.",
};

/// Changes returned by one sync call at most.
const SYNC_PAGE: u64 = 500;

#[derive(Clone)]
pub struct Messages {
    pub(super) deps: Deps,
    pub(super) conversations: crate::conversations::Conversations,
    media: crate::media::Media,
    /// Present on SQLite: sends are stored in batches by one writer task.
    group_commit: Option<GroupCommit>,
}

/// A message to send: text, optionally quoting another and carrying an upload.
#[derive(Clone, Debug, Default)]
pub struct Outgoing {
    pub client_msg_id: String,
    pub body: String,
    pub reply_to: Option<MessageId>,
    pub attachment: Option<MediaId>,
}

/// A send whose text and client_msg_id passed validation, waiting to be stored.
#[derive(Debug)]
pub struct Pending {
    pub me: UserId,
    pub conversation: ConversationId,
    pub message: Outgoing,
}

/// The outcome of a send: the stored message, and whether it was stored just now (false for
/// a retry of an already stored send).
pub struct Sent {
    pub message: MessageView,
    pub created: bool,
}

impl Messages {
    pub fn new(deps: Deps, conversations: crate::conversations::Conversations, media: crate::media::Media) -> Self {
        let group_commit =
            (deps.db.get_database_backend() == DbBackend::Sqlite).then(|| GroupCommit::spawn(deps.clone()));
        Self { deps, conversations, media, group_commit }
    }

    pub async fn send(&self, me: UserId, conversation: ConversationId, outgoing: Outgoing) -> Result<Sent> {
        let Outgoing { client_msg_id, body, reply_to, attachment } = outgoing;
        let client_msg_id = validate::client_msg_id(&client_msg_id)?;
        let body = if attachment.is_some() { validate::caption(&body)? } else { validate::message_text(&body)? };
        let plain = attachment.is_none() && reply_to.is_none();
        let send = Pending { me, conversation, message: Outgoing { client_msg_id, body, reply_to, attachment } };
        let (row, created) = match &self.group_commit {
            Some(group) => group.store(send).await?,
            None => self.store_alone(&send).await?,
        };
        // A new plain message needs no lookups for its view (the hot path under load).
        let message = if created && plain { row.view(None, None) } else { store::view(&self.deps.db, row).await? };
        if created {
            let members = member_ids(&self.deps.db, conversation).await?;
            self.deps.hub.send_to(&members, ServerFrame::Message { message: message.clone() });
        }
        Ok(Sent { message, created })
    }

    /// One send in a transaction of its own (PostgreSQL: concurrent sends take row locks).
    async fn store_alone(&self, send: &Pending) -> Result<Stored> {
        let _gate = self.deps.write_gate.enter().await;
        let txn = self.deps.db.begin().await?;
        match store_send(&txn, send).await {
            Ok((row, true)) => {
                txn.commit().await?;
                Ok((row, true))
            }
            // A retry: dropping the transaction undoes its bump.
            Ok(retry) => Ok(retry),
            // PostgreSQL: the same send raced in from another connection and won.
            Err(Error::Database(e)) if matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_))) => {
                drop(txn);
                let existing = find_by_client_id(&self.deps.db, send.me, &send.message.client_msg_id)
                    .await?
                    .ok_or_else(Error::not_found)?;
                Ok((existing, false))
            }
            Err(e) => Err(e),
        }
    }

    pub async fn edit(&self, me: UserId, id: MessageId, body: &str) -> Result<MessageView> {
        let body = validate::message_text(body)?;
        self.rewrite(me, id, EDIT_WINDOW, move |row| {
            row.body = Set(body);
            row.edited_at = Set(Some(now_ms()));
        })
        .await
    }

    /// Deletes for everyone: the text goes, and so do the attachment's files.
    pub async fn delete(&self, me: UserId, id: MessageId) -> Result<MessageView> {
        let view = self
            .rewrite(me, id, DELETE_WINDOW, |row| {
                row.body = Set(String::new());
                row.deleted_at = Set(Some(now_ms()));
            })
            .await?;
        self.media.forget_message(id.0).await?;
        Ok(view)
    }

    /// Edits or deletes one of the caller's own messages, sent no longer ago than `window`
    /// allows, under a new rev, then pushes it.
    /// One row is written whatever the number of replies quoting it: quotes are rendered from
    /// the quoted row when a reply is read, and clients re-render the replies they hold from
    /// the pushed (or synced) message (audit finding 8: rewriting 5,000 replies under the
    /// write gate held every other send for 1.6 s).
    async fn rewrite(
        &self,
        me: UserId,
        id: MessageId,
        window: Window,
        change: impl FnOnce(&mut MessageRow),
    ) -> Result<MessageView> {
        let row = {
            let _gate = self.deps.write_gate.enter().await;
            let conversation = match MessageEntity::find_by_id(id.0).one(&self.deps.db).await? {
                Some(message) => ConversationId(message.conversation_id),
                None => return Err(Error::not_found()),
            };
            let txn = self.deps.db.begin().await?;
            let conv = store::bump(&txn, conversation, false).await?;
            membership(&txn, conversation, me).await?;
            let message = MessageEntity::find_by_id(id.0).one(&txn).await?.ok_or_else(Error::not_found)?;
            if message.sender_id != Some(me.0) || message.kind != MessageKind::Text.as_str() {
                return Err(Error::forbidden("You can only change your own messages."));
            }
            if message.deleted_at.is_some() {
                return Err(Error::conflict("This message was deleted."));
            }
            if !limits::within(window.ms, message.created_at, now_ms()) {
                return Err(Error::too_late(window.refusal));
            }
            let mut row: MessageRow = message.into();
            change(&mut row);
            row.rev = Set(conv.rev);
            let row = row.update(&txn).await?;
            txn.commit().await?;
            row
        };
        let conversation = ConversationId(row.conversation_id);
        let message = store::view(&self.deps.db, row).await?;
        let members = marks::audience(&self.deps.db, conversation, message.id.0).await?;
        self.deps.hub.send_to(&members, ServerFrame::MessageUpdated { message: message.clone() });
        Ok(message)
    }

    /// One page of history, newest last: the 50 messages before `before` (or the latest 50).
    /// Keyset pagination on (conversation_id, seq), so page cost does not grow with history.
    pub async fn history(&self, me: UserId, conversation: ConversationId, before: Option<Seq>) -> Result<HistoryPage> {
        let db = &self.deps.db;
        let joined = membership(db, conversation, me).await?.joined_seq;
        // Read the rev before the messages: a page newer than its rev only causes a harmless
        // re-fetch, a rev newer than its page would hide a message from resync forever.
        let rev = current_rev(db, conversation).await?;
        let mut query = MessageEntity::find()
            .filter(MessageCol::ConversationId.eq(conversation.0))
            .filter(MessageCol::Seq.gt(joined))
            .filter(marks::not_hidden_by(me));
        if let Some(before) = before {
            query = query.filter(MessageCol::Seq.lt(before));
        }
        let mut rows = query.order_by_desc(MessageCol::Seq).limit(HISTORY_PAGE + 1).all(db).await?;
        let has_more = rows.len() as u64 > HISTORY_PAGE;
        rows.truncate(HISTORY_PAGE as usize);
        rows.reverse();
        let ids: Vec<i64> = rows.iter().map(|m| m.id).collect();
        let starred = marks::starred_among(db, me, &ids).await?;
        let messages = store::views(db, rows).await?;
        let members = self.conversations.members(me, conversation).await?;
        Ok(HistoryPage { messages, has_more, members, rev, starred })
    }

    /// Every message created, edited or deleted after `after` (a rev the client holds), in its
    /// current state, plus current receipts. Applying it brings a client level with the server.
    pub async fn sync(&self, me: UserId, conversation: ConversationId, after: Rev) -> Result<SyncPage> {
        let db = &self.deps.db;
        let joined = membership(db, conversation, me).await?.joined_seq;
        let current = current_rev(db, conversation).await?;
        // Read before the messages, like the rev: a mark that commits in between is sent again
        // by the next sync (it is stamped with a rev at or after this one), never lost.
        let marks = marks::changed_since(db, me, conversation, after).await?;
        let mut rows = MessageEntity::find()
            .filter(MessageCol::ConversationId.eq(conversation.0))
            .filter(MessageCol::Rev.gt(after))
            .filter(MessageCol::Seq.gt(joined))
            .filter(marks::not_hidden_by(me))
            .order_by_asc(MessageCol::Rev)
            .limit(SYNC_PAGE + 1)
            .all(db)
            .await?;
        let has_more = rows.len() as u64 > SYNC_PAGE;
        rows.truncate(SYNC_PAGE as usize);
        let rev = if has_more { rows.last().map_or(current, |m| m.rev) } else { current };
        let changed = store::views(db, rows).await?;
        let members = self.conversations.members(me, conversation).await?;
        Ok(SyncPage { conversation_id: conversation, changed, members, rev, has_more, marks })
    }

    pub async fn search(
        &self,
        me: UserId,
        query: &str,
        conversation: Option<ConversationId>,
    ) -> Result<Vec<SearchHit>> {
        let query = validate::search_query(query)?;
        if let Some(conversation) = conversation {
            membership(&self.deps.db, conversation, me).await?;
        }
        super::search::search(&self.deps.db, me, &query, conversation, &self.conversations).await
    }
}

/// Stores one send inside `db`'s transaction, or finds the row an earlier try with the same
/// client_msg_id stored. The caller commits only when it says `true` (created): a retry's
/// bump must be rolled back, or the conversation's seq would skip a number.
pub(super) async fn store_send(db: &impl ConnectionTrait, send: &Pending) -> Result<Stored> {
    let Pending { me, conversation, message: Outgoing { client_msg_id, body, reply_to, attachment } } = send;
    let (me, conversation) = (*me, *conversation);
    // Write first: on SQLite a transaction that reads before writing fails outright if
    // another write commits in between.
    let conv = store::bump(db, conversation, true).await?;
    // In a one-to-one chat the membership read also says whether a block or a deleted account
    // stands in the way (no extra statement on the hot path; see `privacy`).
    let (joined, barrier) = if conv.kind == "direct" {
        crate::privacy::direct_membership(db, conversation, me).await?
    } else {
        (membership(db, conversation, me).await?.joined_seq, None)
    };
    if let Some(existing) = find_by_client_id(db, me, client_msg_id).await? {
        if existing.conversation_id != conversation.0 {
            return Err(Error::conflict("That client_msg_id was used for another chat."));
        }
        // A retry of a send stored before a block still answers what was stored.
        return Ok((existing, false));
    }
    crate::privacy::refuse(barrier)?;
    let reply = match reply_to {
        Some(id) => Some(quotable(db, conversation, joined, *id).await?),
        None => None,
    };
    let message = store::NewMessage {
        sender: Some(me),
        client_msg_id: Some(client_msg_id.clone()),
        kind: MessageKind::Text,
        body: body.clone(),
        reply_to: reply,
        forwarded: false,
    };
    let row = store::insert(db, &conv, message).await?;
    if let Some(upload) = attachment {
        crate::media::attach(db, me, conversation, upload, row.id).await?;
    }
    Ok((row, true))
}

/// The id of a message that may be quoted in `conversation` by a member who joined at `joined`.
async fn quotable(db: &impl ConnectionTrait, conversation: ConversationId, joined: Seq, id: MessageId) -> Result<i64> {
    match MessageEntity::find_by_id(id.0).one(db).await? {
        Some(quoted) if quoted.conversation_id == conversation.0 && quoted.seq > joined => Ok(quoted.id),
        _ => Err(Error::invalid("reply_to", "The message you reply to is not in this chat.")),
    }
}

async fn find_by_client_id(
    db: &impl ConnectionTrait,
    me: UserId,
    client_msg_id: &str,
) -> Result<Option<entity::Model>> {
    Ok(MessageEntity::find()
        .filter(MessageCol::SenderId.eq(me.0))
        .filter(MessageCol::ClientMsgId.eq(client_msg_id))
        .one(db)
        .await?)
}

async fn current_rev(db: &impl ConnectionTrait, conversation: ConversationId) -> Result<Rev> {
    Ok(crate::conversations::entity::Entity::find_by_id(conversation.0).one(db).await?.map_or(0, |c| c.rev))
}
