//! Marks: what a person does to a message for themselves alone — star it (their "Starred
//! messages") or delete it for themselves (`hidden`, on every device, final). Nobody else can
//! tell: a mark changes no message, no rev of the conversation and no other member's pushes.
//!
//! A mark is stamped with the conversation's rev current when it changed, read under that
//! row's lock ([`store::lock`]), so `messages/sync` after rev `r` finds every mark the caller
//! changed since they held `r` (those stamped `>= r`). Hidden messages are left out of every
//! read for that person: history, sync, the chat list's preview, search, starred, and the
//! `message_updated` pushes of later edits, deletes and reactions ([`audience`]).

use super::Messages;
use super::entity::{Column as MessageCol, Entity as MessageEntity};
use super::store;
use crate::conversations::{member_ids, membership};
use crate::db::now_ms;
use crate::error::{Error, Result};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Order, Query, SelectStatement};
use sea_orm::{ActiveValue::Set, FromQueryResult, TransactionTrait};
use shared::frames::ServerFrame;
use shared::limits::{HIDE_MAX, STARRED_PAGE};
use shared::{
    ConversationId, MessageId, MessageKind, MessageMark, Rev, StarredCursor, StarredMessage, StarredPage, UserId,
};
use std::collections::{BTreeSet, HashMap};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "message_marks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub message_id: i64,
    pub conversation_id: i64,
    pub starred_at: Option<i64>,
    pub hidden_at: Option<i64>,
    /// The conversation's rev when this mark last changed.
    pub rev: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    fn view(&self) -> MessageMark {
        MessageMark {
            message_id: MessageId(self.message_id),
            conversation_id: ConversationId(self.conversation_id),
            starred: self.starred_at.is_some(),
            hidden: self.hidden_at.is_some(),
        }
    }
}

/// `NOT EXISTS (a hidden mark of `me` on messages.id)`: a filter for reads of messages.
pub fn not_hidden_by(me: UserId) -> sea_orm::sea_query::SimpleExpr {
    Expr::exists(hidden_marks(me)).not()
}

fn hidden_marks(me: UserId) -> SelectStatement {
    Query::select()
        .expr(Expr::val(1))
        .from(Entity)
        .and_where(Expr::col((Entity, Column::MessageId)).equals((MessageEntity, MessageCol::Id)))
        .and_where(Expr::col((Entity, Column::UserId)).eq(me.0))
        .and_where(Expr::col((Entity, Column::HiddenAt)).is_not_null())
        .to_owned()
}

/// Which of `messages` the caller starred.
pub async fn starred_among(db: &impl ConnectionTrait, me: UserId, messages: &[i64]) -> Result<Vec<MessageId>> {
    if messages.is_empty() {
        return Ok(Vec::new());
    }
    Ok(Entity::find()
        .filter(Column::UserId.eq(me.0))
        .filter(Column::MessageId.is_in(messages.iter().copied()))
        .filter(Column::StarredAt.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .map(|m| MessageId(m.message_id))
        .collect())
}

/// The caller's marks in `conversation` stamped at or after `rev`.
pub async fn changed_since(
    db: &impl ConnectionTrait,
    me: UserId,
    conversation: ConversationId,
    rev: Rev,
) -> Result<Vec<MessageMark>> {
    Ok(Entity::find()
        .filter(Column::UserId.eq(me.0))
        .filter(Column::ConversationId.eq(conversation.0))
        .filter(Column::Rev.gte(rev))
        .all(db)
        .await?
        .iter()
        .map(Model::view)
        .collect())
}

/// The members a change of `message` is pushed to: all but those who deleted it for themselves.
pub async fn audience(db: &impl ConnectionTrait, conversation: ConversationId, message: i64) -> Result<Vec<UserId>> {
    let hid: BTreeSet<i64> = Entity::find()
        .filter(Column::MessageId.eq(message))
        .filter(Column::HiddenAt.is_not_null())
        .all(db)
        .await?
        .into_iter()
        .map(|m| m.user_id)
        .collect();
    let mut members = member_ids(db, conversation).await?;
    members.retain(|m| !hid.contains(&m.0));
    Ok(members)
}

/// Writes `rows` (upserting the columns given) in one statement.
async fn upsert(db: &impl ConnectionTrait, rows: Vec<ActiveModel>, columns: &[Column]) -> Result<()> {
    if rows.is_empty() {
        return Ok(());
    }
    Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([Column::UserId, Column::MessageId]).update_columns(columns.iter().copied()).to_owned(),
        )
        .exec(db)
        .await?;
    Ok(())
}

#[derive(Debug, FromQueryResult)]
struct StarredRow {
    message_id: i64,
    starred_at: i64,
}

impl Messages {
    /// Stars or unstars a message of a chat the caller is in. Starring what is already starred
    /// changes nothing and pushes nothing; the caller's sockets get `marks` otherwise.
    pub async fn star(&self, me: UserId, id: MessageId, starred: bool) -> Result<MessageMark> {
        let db = &self.deps.db;
        let (mark, changed) = {
            let _gate = self.deps.write_gate.enter().await;
            let message = MessageEntity::find_by_id(id.0).one(db).await?.ok_or_else(Error::not_found)?;
            let conversation = ConversationId(message.conversation_id);
            // Outside the chat, or from before the caller joined: no such message.
            if message.seq <= membership(db, conversation, me).await?.joined_seq {
                return Err(Error::not_found());
            }
            let held = Entity::find_by_id((me.0, id.0)).one(db).await?;
            if held.as_ref().is_some_and(|m| m.hidden_at.is_some()) {
                // Deleted for the caller: gone, as far as they can tell.
                return Err(Error::not_found());
            }
            if starred && message.kind != MessageKind::Text.as_str() {
                return Err(Error::forbidden("System messages cannot be starred."));
            }
            if starred && message.deleted_at.is_some() {
                return Err(Error::conflict("This message was deleted."));
            }
            match held {
                Some(held) if held.starred_at.is_some() == starred => (held.view(), false),
                None if !starred => {
                    (MessageMark { message_id: id, conversation_id: conversation, starred, hidden: false }, false)
                }
                _ => {
                    let txn = db.begin().await?;
                    let rev = store::lock(&txn, conversation).await?.rev;
                    let row = ActiveModel {
                        user_id: Set(me.0),
                        message_id: Set(id.0),
                        conversation_id: Set(conversation.0),
                        starred_at: Set(starred.then(now_ms)),
                        hidden_at: Set(None),
                        rev: Set(rev),
                    };
                    upsert(&txn, vec![row], &[Column::StarredAt, Column::Rev]).await?;
                    txn.commit().await?;
                    (MessageMark { message_id: id, conversation_id: conversation, starred, hidden: false }, true)
                }
            }
        };
        if changed {
            self.deps.hub.send_to(&[me], ServerFrame::Marks { marks: vec![mark.clone()] });
        }
        Ok(mark)
    }

    /// Deletes messages of one chat for the caller alone (and unstars them). Deleting again
    /// what is already deleted for them changes nothing; the caller's sockets get `marks`.
    pub async fn hide(&self, me: UserId, conversation: ConversationId, ids: &[MessageId]) -> Result<Vec<MessageMark>> {
        let ids: BTreeSet<i64> = ids.iter().map(|id| id.0).collect();
        if ids.is_empty() || ids.len() > HIDE_MAX {
            return Err(Error::invalid("message_ids", format!("Choose between 1 and {HIDE_MAX} messages.")));
        }
        let db = &self.deps.db;
        let joined = membership(db, conversation, me).await?.joined_seq;
        let found = MessageEntity::find()
            .filter(MessageCol::ConversationId.eq(conversation.0))
            .filter(MessageCol::Id.is_in(ids.iter().copied()))
            .filter(MessageCol::Seq.gt(joined))
            .count(db)
            .await?;
        if found != ids.len() as u64 {
            return Err(Error::not_found());
        }
        let fresh: Vec<i64> = {
            let _gate = self.deps.write_gate.enter().await;
            let already: BTreeSet<i64> = Entity::find()
                .filter(Column::UserId.eq(me.0))
                .filter(Column::MessageId.is_in(ids.iter().copied()))
                .filter(Column::HiddenAt.is_not_null())
                .all(db)
                .await?
                .into_iter()
                .map(|m| m.message_id)
                .collect();
            let fresh: Vec<i64> = ids.iter().copied().filter(|id| !already.contains(id)).collect();
            if !fresh.is_empty() {
                let txn = db.begin().await?;
                let rev = store::lock(&txn, conversation).await?.rev;
                let now = now_ms();
                let rows = fresh
                    .iter()
                    .map(|&id| ActiveModel {
                        user_id: Set(me.0),
                        message_id: Set(id),
                        conversation_id: Set(conversation.0),
                        starred_at: Set(None),
                        hidden_at: Set(Some(now)),
                        rev: Set(rev),
                    })
                    .collect();
                upsert(&txn, rows, &[Column::StarredAt, Column::HiddenAt, Column::Rev]).await?;
                txn.commit().await?;
            }
            fresh
        };
        let marks: Vec<MessageMark> = ids
            .iter()
            .map(|&id| MessageMark {
                message_id: MessageId(id),
                conversation_id: conversation,
                starred: false,
                hidden: true,
            })
            .collect();
        if !fresh.is_empty() {
            let pushed = marks.iter().filter(|m| fresh.contains(&m.message_id.0)).cloned().collect();
            self.deps.hub.send_to(&[me], ServerFrame::Marks { marks: pushed });
        }
        Ok(marks)
    }

    /// The caller's starred messages, most recently starred first, in chats they are still in
    /// (deleted messages drop out), a page at a time.
    pub async fn starred(&self, me: UserId, before: Option<StarredCursor>) -> Result<StarredPage> {
        use crate::conversations::member::{Column as MemberCol, Entity as Members};
        let db = &self.deps.db;
        let k = |c: Column| Expr::col((Entity, c));
        let mut query = Query::select();
        query
            .expr_as(k(Column::MessageId), Alias::new("message_id"))
            .expr_as(k(Column::StarredAt), Alias::new("starred_at"))
            .from(Entity)
            .inner_join(MessageEntity, Expr::col((MessageEntity, MessageCol::Id)).equals((Entity, Column::MessageId)))
            .inner_join(
                Members,
                Expr::col((Members, MemberCol::ConversationId))
                    .equals((Entity, Column::ConversationId))
                    .and(Expr::col((Members, MemberCol::UserId)).equals((Entity, Column::UserId))),
            )
            .and_where(k(Column::UserId).eq(me.0))
            .and_where(k(Column::StarredAt).is_not_null())
            .and_where(k(Column::HiddenAt).is_null())
            .and_where(Expr::col((MessageEntity, MessageCol::DeletedAt)).is_null())
            .and_where(Expr::col((MessageEntity, MessageCol::Seq)).gt(Expr::col((Members, MemberCol::JoinedSeq))))
            .order_by((Entity, Column::StarredAt), Order::Desc)
            .order_by((Entity, Column::MessageId), Order::Desc)
            .limit(STARRED_PAGE + 1);
        if let Some(StarredCursor { starred_at, message_id }) = before {
            query.and_where(
                k(Column::StarredAt)
                    .lt(starred_at)
                    .or(k(Column::StarredAt).eq(starred_at).and(k(Column::MessageId).lt(message_id.0))),
            );
        }
        let statement = db.get_database_backend().build(&query);
        let mut found = StarredRow::find_by_statement(statement).all(db).await?;
        let more = found.len() as u64 > STARRED_PAGE;
        found.truncate(STARRED_PAGE as usize);
        let rows =
            MessageEntity::find().filter(MessageCol::Id.is_in(found.iter().map(|f| f.message_id))).all(db).await?;
        let chats: Vec<ConversationId> =
            rows.iter().map(|m| ConversationId(m.conversation_id)).collect::<BTreeSet<_>>().into_iter().collect();
        let titles: HashMap<ConversationId, String> =
            self.conversations.summaries(me, chats).await?.into_iter().map(|s| (s.id, s.title)).collect();
        let mut views: HashMap<MessageId, shared::MessageView> =
            store::views(db, rows).await?.into_iter().map(|m| (m.id, m)).collect();
        let items: Vec<StarredMessage> = found
            .iter()
            .filter_map(|f| {
                let message = views.remove(&MessageId(f.message_id))?;
                let conversation_title = titles.get(&message.conversation_id).cloned().unwrap_or_default();
                Some(StarredMessage { message, conversation_title, starred_at: f.starred_at })
            })
            .collect();
        let next = found
            .last()
            .filter(|_| more)
            .map(|f| StarredCursor { starred_at: f.starred_at, message_id: MessageId(f.message_id) });
        Ok(StarredPage { items, next })
    }
}
