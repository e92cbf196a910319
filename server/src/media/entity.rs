use sea_orm::entity::prelude::*;
use shared::media::{Attachment, AttachmentKind, MediaId};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "media")]
pub struct Model {
    /// 32 hex digits; also the file's name on disk.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub uploader_id: i64,
    /// Who may download it: the members of this conversation (null: any signed-in user).
    pub conversation_id: Option<i64>,
    /// The message that carries it, once sent.
    pub message_id: Option<i64>,
    pub kind: String,
    pub mime: String,
    pub size: i64,
    pub name: String,
    pub width: Option<i32>,
    pub height: Option<i32>,
    pub duration_ms: Option<i32>,
    /// Comma-separated bar heights 0..=100.
    pub waveform: String,
    pub thumb_mime: Option<String>,
    pub created_at: i64,
    /// The stored file this row shares with the original it was forwarded from; null when
    /// the file is stored under this row's own id.
    pub file_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    pub fn kind(&self) -> AttachmentKind {
        AttachmentKind::parse(&self.kind).unwrap_or(AttachmentKind::Document)
    }

    /// The name of the stored file (and thumbnail) this row serves.
    pub fn file(&self) -> MediaId {
        MediaId(self.file_id.clone().unwrap_or_else(|| self.id.clone()))
    }

    pub fn view(&self) -> Attachment {
        Attachment {
            id: MediaId(self.id.clone()),
            kind: self.kind(),
            mime: self.mime.clone(),
            size: u64::try_from(self.size).unwrap_or(0),
            name: self.name.clone(),
            width: self.width.and_then(|w| u32::try_from(w).ok()),
            height: self.height.and_then(|h| u32::try_from(h).ok()),
            duration_ms: self.duration_ms.and_then(|d| u32::try_from(d).ok()),
            waveform: self.waveform.split(',').filter_map(|v| v.parse().ok()).collect(),
        }
    }
}
