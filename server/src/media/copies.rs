//! Attachments of forwarded messages. A copy is a media row of its own, so its chat decides
//! who may download it exactly as for an upload, but it names the original's stored file in
//! `file_id` instead of holding bytes: a forward copies no file and costs no quota. A file is
//! removed when the last row naming it goes.

use super::entity::{ActiveModel as MediaRow, Column as MediaCol, Entity as MediaEntity};
use super::service::new_id;
use crate::db::now_ms;
use crate::error::Result;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter,
};
use shared::media::MediaId;
use shared::{ConversationId, UserId};

/// Gives message `message_id` of `conversation` a copy of the attachment carried by message
/// `source`, if it carries one, inside the caller's transaction. The caller has checked that
/// `me` may read `source` and send to `conversation`.
pub async fn copy_attachment(
    db: &impl ConnectionTrait,
    me: UserId,
    source: i64,
    conversation: ConversationId,
    message_id: i64,
) -> Result<()> {
    let Some(original) = MediaEntity::find().filter(MediaCol::MessageId.eq(source)).one(db).await? else {
        return Ok(());
    };
    let copy = MediaRow {
        id: Set(new_id().0),
        uploader_id: Set(me.0),
        conversation_id: Set(Some(conversation.0)),
        message_id: Set(Some(message_id)),
        kind: Set(original.kind.clone()),
        mime: Set(original.mime.clone()),
        size: Set(original.size),
        name: Set(original.name.clone()),
        width: Set(original.width),
        height: Set(original.height),
        duration_ms: Set(original.duration_ms),
        waveform: Set(original.waveform.clone()),
        thumb_mime: Set(original.thumb_mime.clone()),
        created_at: Set(now_ms()),
        file_id: Set(Some(original.file().0)),
    };
    copy.insert(db).await?;
    Ok(())
}

/// Whether any media row still serves stored file `file` (the row stored under that id, or a
/// copy naming it).
pub async fn in_use(db: &impl ConnectionTrait, file: &MediaId) -> Result<bool> {
    let rows = MediaEntity::find()
        .filter(Condition::any().add(MediaCol::Id.eq(file.0.clone())).add(MediaCol::FileId.eq(file.0.clone())))
        .count(db)
        .await?;
    Ok(rows > 0)
}
