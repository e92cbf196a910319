//! Reactions: one emoji per person per message, stored in a table of their own and shown as
//! part of the message. A change gives the message a new rev (so `messages/sync` returns it),
//! rewrites the message row's copy of its reactions (so no read joins the table) and is pushed
//! as `message_updated`, like an edit.

use super::Messages;
use super::entity::{ActiveModel as MessageRow, Entity as MessageEntity};
use super::store;
use crate::conversations::membership;
use crate::db::now_ms;
use crate::error::{Error, Result};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, QueryOrder, TransactionTrait};
use shared::frames::ServerFrame;
use shared::{ConversationId, MessageId, MessageKind, MessageView, Reaction, UserId, validate};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reactions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub message_id: i64,
    #[sea_orm(primary_key, auto_increment = false)]
    pub user_id: i64,
    pub emoji: String,
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The reactions to `message`, oldest first, as the JSON its row keeps.
async fn rendered(db: &impl ConnectionTrait, message: i64) -> Result<String> {
    let rows = Entity::find()
        .filter(Column::MessageId.eq(message))
        .order_by_asc(Column::CreatedAt)
        .order_by_asc(Column::UserId)
        .all(db)
        .await?;
    if rows.is_empty() {
        return Ok(String::new());
    }
    let reactions: Vec<Reaction> =
        rows.into_iter().map(|row| Reaction { user_id: UserId(row.user_id), emoji: row.emoji }).collect();
    serde_json::to_string(&reactions).map_err(|e| Error::Internal(format!("reactions: {e}")))
}

impl Messages {
    /// Sets (`Some`, replacing any earlier one) or removes (`None`) the caller's reaction to a
    /// message of a conversation they are in. Deleted and system messages take none. Setting
    /// the reaction already there changes nothing and pushes nothing.
    pub async fn react(&self, me: UserId, id: MessageId, emoji: Option<&str>) -> Result<MessageView> {
        let emoji = emoji.map(validate::reaction).transpose()?;
        let deps = &self.deps;
        let (row, changed) = {
            let _gate = deps.write_gate.enter().await;
            let message = MessageEntity::find_by_id(id.0).one(&deps.db).await?.ok_or_else(Error::not_found)?;
            let conversation = ConversationId(message.conversation_id);
            // Not a member reads as "no such message", as everywhere.
            membership(&deps.db, conversation, me).await?;
            if message.kind != MessageKind::Text.as_str() {
                return Err(Error::forbidden("System messages take no reactions."));
            }
            if message.deleted_at.is_some() {
                return Err(Error::conflict("This message was deleted."));
            }
            let held = Entity::find_by_id((id.0, me.0)).one(&deps.db).await?.map(|r| r.emoji);
            if held == emoji {
                (message, false)
            } else {
                // (The message read above stays current: the write gate is held.)
                let txn = deps.db.begin().await?;
                let conv = store::bump(&txn, conversation, false).await?;
                match &emoji {
                    Some(emoji) => {
                        let row = ActiveModel {
                            message_id: Set(id.0),
                            user_id: Set(me.0),
                            emoji: Set(emoji.clone()),
                            created_at: Set(now_ms()),
                        };
                        Entity::insert(row)
                            .on_conflict(
                                OnConflict::columns([Column::MessageId, Column::UserId])
                                    .update_columns([Column::Emoji, Column::CreatedAt])
                                    .to_owned(),
                            )
                            .exec(&txn)
                            .await?;
                    }
                    None => {
                        Entity::delete_by_id((id.0, me.0)).exec(&txn).await?;
                    }
                }
                let mut row: MessageRow = message.into();
                row.reactions = Set(rendered(&txn, id.0).await?);
                row.rev = Set(conv.rev);
                let row = row.update(&txn).await?;
                txn.commit().await?;
                (row, true)
            }
        };
        if !changed {
            return store::view(&deps.db, row).await;
        }
        let conversation = ConversationId(row.conversation_id);
        let message = store::view(&deps.db, row).await?;
        let members = super::marks::audience(&deps.db, conversation, message.id.0).await?;
        deps.hub.send_to(&members, ServerFrame::MessageUpdated { message: message.clone() });
        Ok(message)
    }
}
