//! Low-level writes shared by messages and conversations: every message (text or system) is
//! appended here, inside the caller's transaction, so seq and rev are assigned in one place.

use super::entity::{self, ActiveModel as MessageRow, Column as MessageCol, Entity as Messages};
use crate::conversations::entity::{self as conversation, Column as ConvCol, Entity as ConversationEntity};
use crate::db::now_ms;
use crate::error::{Error, Result};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use shared::{ConversationId, MessageKind, MessageView, ReplyPreview, UserId};
use std::collections::HashMap;

/// Bumps the conversation's rev (and, for a new message, its last seq), returning the row.
/// Run it first in a write transaction: it takes the write lock (row lock on PostgreSQL).
pub async fn bump(
    db: &impl ConnectionTrait,
    conversation: ConversationId,
    new_message: bool,
) -> Result<conversation::Model> {
    let mut update = ConversationEntity::update_many()
        .col_expr(ConvCol::Rev, Expr::col(ConvCol::Rev).add(1))
        .col_expr(ConvCol::LastActivityAt, Expr::value(now_ms()));
    if new_message {
        update = update.col_expr(ConvCol::LastSeq, Expr::col(ConvCol::LastSeq).add(1));
    }
    update
        .filter(ConvCol::Id.eq(conversation.0))
        .exec_with_returning(db)
        .await?
        .into_iter()
        .next()
        .ok_or_else(Error::not_found)
}

/// Locks the conversation's row for the rest of the transaction without changing it and
/// returns it: a mark stamped with this rev cannot be overtaken by a change that a fetch
/// reports before the mark commits (PostgreSQL's row lock; on SQLite the write lock).
pub async fn lock(db: &impl ConnectionTrait, conversation: ConversationId) -> Result<conversation::Model> {
    ConversationEntity::update_many()
        .col_expr(ConvCol::Rev, Expr::col(ConvCol::Rev))
        .filter(ConvCol::Id.eq(conversation.0))
        .exec_with_returning(db)
        .await?
        .into_iter()
        .next()
        .ok_or_else(Error::not_found)
}

/// A message to store, as [`insert`] writes it.
#[derive(Debug)]
pub struct NewMessage {
    pub sender: Option<UserId>,
    pub client_msg_id: Option<String>,
    pub kind: MessageKind,
    pub body: String,
    pub reply_to: Option<i64>,
    /// A copy forwarded from another chat.
    pub forwarded: bool,
}

impl NewMessage {
    /// A system message (a group change), written by nobody.
    pub fn system(body: String) -> Self {
        Self { sender: None, client_msg_id: None, kind: MessageKind::System, body, reply_to: None, forwarded: false }
    }
}

/// Appends a message after [`bump`]ing the conversation.
pub async fn append(
    db: &impl ConnectionTrait,
    conversation: ConversationId,
    message: NewMessage,
) -> Result<entity::Model> {
    let conv = bump(db, conversation, true).await?;
    insert(db, &conv, message).await
}

/// Inserts a message numbered by a conversation row that [`bump`] just returned.
pub async fn insert(
    db: &impl ConnectionTrait,
    conv: &conversation::Model,
    message: NewMessage,
) -> Result<entity::Model> {
    let NewMessage { sender, client_msg_id, kind, body, reply_to, forwarded } = message;
    let row = MessageRow {
        conversation_id: Set(conv.id),
        seq: Set(conv.last_seq),
        rev: Set(conv.rev),
        sender_id: Set(sender.map(|u| u.0)),
        client_msg_id: Set(client_msg_id),
        kind: Set(kind.as_str().to_owned()),
        body: Set(body),
        reply_to: Set(reply_to),
        created_at: Set(now_ms()),
        forwarded: Set(forwarded),
        ..Default::default()
    };
    Ok(row.insert(db).await?)
}

/// Turns rows into views, looking up the quoted messages and the attachments of both in two
/// queries, whatever the number of rows (reactions are on the row itself).
pub async fn views(db: &impl ConnectionTrait, rows: Vec<entity::Model>) -> Result<Vec<MessageView>> {
    let quoted_ids: Vec<i64> = rows.iter().filter_map(|m| m.reply_to).collect();
    let quoted = if quoted_ids.is_empty() {
        Vec::new()
    } else {
        Messages::find().filter(MessageCol::Id.is_in(quoted_ids)).all(db).await?
    };
    let with_files = rows.iter().chain(&quoted).map(|m| m.id).collect();
    let mut attachments = crate::media::attachments_for(db, with_files).await?;
    let previews: HashMap<i64, ReplyPreview> =
        quoted.iter().map(|m| (m.id, m.preview(attachments.get(&m.id)))).collect();
    Ok(rows
        .into_iter()
        .map(|m| {
            let reply = m.reply_to.and_then(|id| previews.get(&id).cloned());
            let attachment = attachments.remove(&m.id);
            m.view(reply, attachment)
        })
        .collect())
}

pub async fn view(db: &impl ConnectionTrait, row: entity::Model) -> Result<MessageView> {
    views(db, vec![row]).await?.pop().ok_or_else(|| Error::Internal("view of one message".into()))
}
