use sea_orm::entity::prelude::*;
use shared::{Attachment, ConversationId, MessageId, MessageKind, MessageView, Reaction, ReplyPreview, UserId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub conversation_id: i64,
    pub seq: i64,
    pub rev: i64,
    pub sender_id: Option<i64>,
    pub client_msg_id: Option<String>,
    /// "text" or "system".
    pub kind: String,
    pub body: String,
    pub reply_to: Option<i64>,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub deleted_at: Option<i64>,
    /// The reactions as JSON (`[{"user_id":2,"emoji":"👍"}]`), "" when none: a copy of the
    /// `reactions` rows, rewritten with them (`reactions.rs`), so a read needs no join.
    pub reactions: String,
    /// A copy forwarded from another chat.
    pub forwarded: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The quote shown above a reply; an attachment without caption is described instead.
    pub fn preview(&self, attachment: Option<&Attachment>) -> ReplyPreview {
        ReplyPreview {
            id: MessageId(self.id),
            seq: self.seq,
            sender_id: self.sender_id.map(UserId),
            body: ReplyPreview::text(&self.body, attachment, self.deleted_at.is_some()),
            deleted: self.deleted_at.is_some(),
        }
    }

    /// The API view; `reply` (the quoted message) and `attachment` are looked up by the caller.
    /// A deleted message shows neither its attachment nor its reactions.
    pub fn view(self, reply: Option<ReplyPreview>, attachment: Option<Attachment>) -> MessageView {
        let reactions = if self.reactions.is_empty() || self.deleted_at.is_some() {
            Vec::new()
        } else {
            serde_json::from_str::<Vec<Reaction>>(&self.reactions).unwrap_or_else(|e| {
                tracing::warn!(message = self.id, "unreadable reactions column: {e}");
                Vec::new()
            })
        };
        let deleted = self.deleted_at.is_some();
        MessageView {
            id: MessageId(self.id),
            conversation_id: ConversationId(self.conversation_id),
            seq: self.seq,
            rev: self.rev,
            sender_id: self.sender_id.map(UserId),
            client_msg_id: self.client_msg_id,
            kind: MessageKind::parse(&self.kind),
            body: if self.deleted_at.is_some() { String::new() } else { self.body },
            reply_to: reply,
            attachment: if deleted { None } else { attachment },
            created_at: self.created_at,
            edited_at: self.edited_at,
            deleted: self.deleted_at.is_some(),
            reactions,
            forwarded: self.forwarded,
        }
    }
}
