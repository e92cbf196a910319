//! The upload and download rules; the HTTP handlers in `http::media` are only glue.

use super::detect::{detect, served_name};
use super::entity::{self, ActiveModel as MediaRow, Column as MediaCol, Entity as MediaEntity};
use super::imaging;
use super::slots::{UploadSlot, UploadSlots};
use super::storage::{Incoming, Received, Storage, Variant};
use crate::accounts::entity::{Column as UserCol, Entity as Users};
use crate::conversations::membership;
use crate::db::now_ms;
use crate::deps::Deps;
use crate::error::{Error, Result};
use crate::messages::entity::Entity as MessageEntity;
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use rand::RngCore as _;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
};
use shared::limits::MAX_UPLOAD_BYTES;
use shared::media::{Attachment, AttachmentKind, MediaId, VOICE_MAX_MS, WAVEFORM_MAX_BARS, clean_file_name};
use shared::{ConversationId, UserId};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Shortest voice note accepted.
const VOICE_MIN_MS: u32 = 300;
/// Bit rates a real recording can have; a declared duration outside them is a lie.
const VOICE_MIN_BPS: u64 = 1_000;
const VOICE_MAX_BPS: u64 = 1_000_000;
/// Images decoded at once: each may take up to `imaging::MAX_DECODE_BYTES`.
const DECODE_SLOTS: usize = 2;

/// A voice note's measurements, made by the recording browser.
#[derive(Clone, Debug, Default)]
pub struct VoiceMeta {
    pub duration_ms: u32,
    pub waveform: Vec<u8>,
}

pub struct UploadRequest {
    /// Whose members may download it; `None` for a profile picture.
    pub conversation: Option<ConversationId>,
    /// The name the uploader's browser gave; only ever displayed.
    pub name: String,
    /// The file, received in full (at most `MAX_UPLOAD_BYTES`) into a temporary file.
    pub file: Received,
    /// Present when the uploader says this is a voice note.
    pub voice: Option<VoiceMeta>,
}

/// A file a caller may download.
pub struct Download {
    pub path: PathBuf,
    pub mime: String,
    pub name: String,
    pub kind: AttachmentKind,
}

#[derive(Clone)]
pub struct Media {
    deps: Deps,
    storage: Storage,
    decode_slots: Arc<Semaphore>,
    quota_bytes: u64,
    per_user: Arc<DefaultKeyedRateLimiter<i64>>,
    in_flight: UploadSlots,
}

impl Media {
    pub fn new(deps: Deps, storage: Storage, quota_bytes: u64, in_flight: UploadSlots) -> Self {
        // 30 uploads in a burst (an album), then one every two seconds.
        let rate = Quota::per_minute(NonZeroU32::new(30).unwrap_or(NonZeroU32::MIN))
            .allow_burst(NonZeroU32::new(30).unwrap_or(NonZeroU32::MIN));
        Self {
            deps,
            storage,
            decode_slots: Arc::new(Semaphore::new(DECODE_SLOTS)),
            quota_bytes,
            per_user: Arc::new(RateLimiter::keyed(rate)),
            in_flight,
        }
    }

    /// A place for one more upload of `me`'s, or `rate_limited`: take it before reading the
    /// upload's body and hold it until the upload is answered.
    pub fn admit_upload(&self, me: UserId) -> Result<UploadSlot> {
        self.in_flight.take(me)
    }

    /// A temporary file to stream an upload into.
    pub async fn incoming(&self) -> Result<Incoming> {
        self.storage.incoming().await.map_err(io_error)
    }

    /// Deletes temporary upload files a crash left behind.
    pub async fn sweep_incoming(&self) -> Result<usize> {
        self.storage.sweep_incoming(std::time::Duration::from_secs(3600)).await.map_err(io_error)
    }

    /// Checks, converts and stores an upload; it can then be sent with a message.
    pub async fn upload(&self, me: UserId, request: UploadRequest) -> Result<Attachment> {
        let UploadRequest { conversation, name, file, voice } = request;
        if file.is_empty() {
            return Err(Error::invalid("file", "The file is empty."));
        }
        if file.len() > MAX_UPLOAD_BYTES as u64 {
            return Err(too_large());
        }
        if let Some(conversation) = conversation {
            membership(&self.deps.db, conversation, me).await?;
        }
        if self.per_user.check_key(&me.0).is_err() {
            return Err(Error::rate_limited());
        }
        let bytes = file.read().await.map_err(io_error)?;
        let detected = detect(&bytes, voice.is_some())?;
        if conversation.is_none() && detected.kind != AttachmentKind::Image {
            return Err(Error::unsupported_media("A profile picture must be a photo."));
        }
        if let Some(voice) = &voice {
            check_voice(voice, bytes.len() as u64)?;
        }
        self.check_quota(me, bytes.len() as u64).await?;

        let id = new_id();
        let fallback = match detected.kind {
            AttachmentKind::Image => "photo",
            AttachmentKind::Voice => "voice-note",
            AttachmentKind::Document => "file",
        };
        let mut row = MediaRow {
            id: Set(id.0.clone()),
            uploader_id: Set(me.0),
            conversation_id: Set(conversation.map(|c| c.0)),
            message_id: Set(None),
            kind: Set(detected.kind.as_str().to_owned()),
            mime: Set(detected.mime.to_owned()),
            size: Set(bytes.len() as i64),
            name: Set(String::new()),
            width: Set(None),
            height: Set(None),
            duration_ms: Set(voice.as_ref().map(|v| v.duration_ms as i32)),
            waveform: Set(voice.as_ref().map(|v| join(&v.waveform)).unwrap_or_default()),
            thumb_mime: Set(None),
            created_at: Set(now_ms()),
            file_id: Set(None),
        };
        let mut served_mime = detected.mime;
        if detected.kind == AttachmentKind::Image {
            let _slot = self.decode_slots.acquire().await.map_err(|e| Error::Internal(e.to_string()))?;
            let mime = detected.mime;
            let image = tokio::task::spawn_blocking(move || imaging::process(bytes, mime))
                .await
                .map_err(|e| Error::Internal(format!("image task: {e}")))??;
            self.storage.write(&id, Variant::Thumb, image.thumb).await.map_err(io_error)?;
            row.width = Set(Some(image.width as i32));
            row.height = Set(Some(image.height as i32));
            row.mime = Set(image.mime.to_owned());
            served_mime = image.mime;
            row.thumb_mime = Set(Some(image.thumb_mime.to_owned()));
            row.size = Set(image.bytes.len() as i64);
            self.storage.write(&id, Variant::Original, image.bytes).await.map_err(io_error)?;
        } else {
            // Stored as it came: the received file is moved into place, not copied.
            drop(bytes);
            self.storage.keep(&id, Variant::Original, file).await.map_err(io_error)?;
        }
        let name = clean_file_name(&name, fallback);
        // What a recipient saves (documents, photos) is named after its detected type.
        row.name = Set(if detected.kind == AttachmentKind::Voice { name } else { served_name(&name, served_mime) });
        match row.insert(&self.deps.db).await {
            Ok(row) => Ok(row.view()),
            Err(e) => {
                self.storage.remove(&id).await;
                Err(e.into())
            }
        }
    }

    async fn check_quota(&self, me: UserId, adding: u64) -> Result<()> {
        let used: Option<i64> = MediaEntity::find()
            .select_only()
            .column_as(Expr::cust("CAST(COALESCE(SUM(size), 0) AS BIGINT)"), "used")
            .filter(MediaCol::UploaderId.eq(me.0))
            // A forwarded copy shares the original's file and costs nobody anything.
            .filter(MediaCol::FileId.is_null())
            .into_tuple()
            .one(&self.deps.db)
            .await?;
        let used = u64::try_from(used.unwrap_or(0)).unwrap_or(0);
        if used + adding > self.quota_bytes {
            let mib = self.quota_bytes / (1024 * 1024);
            return Err(Error::quota_exceeded(format!(
                "Your {mib} MB of storage is full. Delete some files to send more."
            )));
        }
        Ok(())
    }

    /// The file (or thumbnail) `id`, if `me` may see it: a member of its conversation who could
    /// see the message carrying it (or its uploader, before it is sent); a profile picture,
    /// whoever its owner's privacy shows it to once it is someone's picture, only its uploader
    /// before. Everyone else
    /// gets `not_found`, as for conversations.
    pub async fn open(&self, me: UserId, id: &MediaId, thumb: bool) -> Result<Download> {
        let db = &self.deps.db;
        let row = MediaEntity::find_by_id(id.0.clone()).one(db).await?.ok_or_else(Error::not_found)?;
        if row.conversation_id.is_none() && row.uploader_id != me.0 {
            // Someone's picture, shown as its owner's privacy allows.
            let owner = Users::find().filter(UserCol::AvatarId.eq(row.id.clone())).one(db).await?;
            let Some(owner) = owner else { return Err(Error::not_found()) };
            let owner = UserId(owner.id);
            let pairs = crate::privacy::Pairs::load(db, &[me], &[owner]).await?;
            if !pairs.may_see(me, owner, crate::privacy::Facet::Photo) {
                return Err(Error::not_found());
            }
        }
        if let Some(conversation) = row.conversation_id {
            let member = membership(db, ConversationId(conversation), me).await?;
            match row.message_id {
                Some(message) => {
                    let message = MessageEntity::find_by_id(message).one(db).await?.ok_or_else(Error::not_found)?;
                    if message.seq <= member.joined_seq || message.deleted_at.is_some() {
                        return Err(Error::not_found());
                    }
                }
                None if row.uploader_id != me.0 => return Err(Error::not_found()),
                None => {}
            }
        }
        let (variant, mime) = match (thumb, &row.thumb_mime) {
            (true, Some(mime)) => (Variant::Thumb, mime.clone()),
            (true, None) => return Err(Error::not_found()),
            (false, _) => (Variant::Original, row.mime.clone()),
        };
        Ok(Download { path: self.storage.path(&row.file(), variant), mime, name: row.name.clone(), kind: row.kind() })
    }

    /// Checks that `id` is the caller's own uploaded photo for a profile (uploaded without a
    /// conversation).
    pub async fn check_avatar(&self, me: UserId, id: &MediaId) -> Result<()> {
        match MediaEntity::find_by_id(id.0.clone()).one(&self.deps.db).await? {
            Some(row)
                if row.uploader_id == me.0 && row.conversation_id.is_none() && row.kind() == AttachmentKind::Image =>
            {
                Ok(())
            }
            _ => Err(Error::invalid("avatar", "Upload the picture first (kind=avatar).")),
        }
    }

    /// Deletes an upload and its files (a replaced profile picture).
    pub async fn forget(&self, id: &str) -> Result<()> {
        MediaEntity::delete_by_id(id.to_owned()).exec(&self.deps.db).await?;
        self.storage.remove(&MediaId(id.to_owned())).await;
        Ok(())
    }

    /// Drops the attachment of a deleted message: its row goes (freeing the sender's quota),
    /// and its file too unless a forwarded copy elsewhere still shows it.
    pub async fn forget_message(&self, message_id: i64) -> Result<()> {
        let db = &self.deps.db;
        let rows = MediaEntity::find().filter(MediaCol::MessageId.eq(message_id)).all(db).await?;
        for row in rows {
            MediaEntity::delete_by_id(row.id.clone()).exec(db).await?;
            let file = row.file();
            if !super::copies::in_use(db, &file).await? {
                self.storage.remove(&file).await;
            }
        }
        Ok(())
    }

    /// Deletes everything `user` uploaded (a deleted account): their picture, unsent uploads
    /// and the attachments of their messages, each file once no row names it any more.
    pub async fn forget_uploads_of(&self, user: UserId) -> Result<usize> {
        let db = &self.deps.db;
        let rows = MediaEntity::find().filter(MediaCol::UploaderId.eq(user.0)).all(db).await?;
        let count = rows.len();
        for row in rows {
            MediaEntity::delete_by_id(row.id.clone()).exec(db).await?;
            let file = row.file();
            if !super::copies::in_use(db, &file).await? {
                self.storage.remove(&file).await;
            }
        }
        Ok(count)
    }

    /// Deletes uploads older than `max_age_ms` that were never used: chat uploads never sent
    /// (a closed tab, a cancelled send) and profile pictures never set as anyone's picture.
    pub async fn sweep_unsent(&self, max_age_ms: i64) -> Result<usize> {
        use sea_orm::sea_query::Query;
        let pictures_in_use =
            Query::select().column(UserCol::AvatarId).from(Users).and_where(UserCol::AvatarId.is_not_null()).to_owned();
        let rows = MediaEntity::find()
            .filter(MediaCol::MessageId.is_null())
            .filter(MediaCol::CreatedAt.lt(now_ms() - max_age_ms))
            .filter(
                sea_orm::Condition::any()
                    .add(MediaCol::ConversationId.is_not_null())
                    .add(MediaCol::Id.not_in_subquery(pictures_in_use)),
            )
            .all(&self.deps.db)
            .await?;
        let count = rows.len();
        for row in rows {
            MediaEntity::delete_by_id(row.id.clone()).exec(&self.deps.db).await?;
            self.storage.remove(&MediaId(row.id)).await;
        }
        Ok(count)
    }
}

/// Binds upload `id` to a new message, inside the send's transaction: only the uploader's own,
/// unsent upload for this very conversation qualifies.
pub async fn attach(
    db: &impl ConnectionTrait,
    me: UserId,
    conversation: ConversationId,
    id: &MediaId,
    message_id: i64,
) -> Result<()> {
    let updated = MediaEntity::update_many()
        .col_expr(MediaCol::MessageId, Expr::value(message_id))
        .filter(MediaCol::Id.eq(id.0.clone()))
        .filter(MediaCol::UploaderId.eq(me.0))
        .filter(MediaCol::ConversationId.eq(conversation.0))
        .filter(MediaCol::MessageId.is_null())
        .exec(db)
        .await?;
    if updated.rows_affected != 1 {
        return Err(Error::invalid("attachment", "That upload cannot be sent here: upload the file again."));
    }
    Ok(())
}

/// The attachments of `messages`, by message id, in one query.
pub async fn attachments_for(db: &impl ConnectionTrait, messages: Vec<i64>) -> Result<HashMap<i64, Attachment>> {
    if messages.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(MediaEntity::find()
        .filter(MediaCol::MessageId.is_in(messages))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|row: entity::Model| row.message_id.map(|m| (m, row.view())))
        .collect())
}

fn check_voice(voice: &VoiceMeta, size: u64) -> Result<()> {
    if !(VOICE_MIN_MS..=VOICE_MAX_MS).contains(&voice.duration_ms) {
        return Err(Error::invalid(
            "duration_ms",
            format!("A voice note lasts between 0.3 s and {} minutes.", VOICE_MAX_MS / 60_000),
        ));
    }
    let bps = size * 8 * 1000 / u64::from(voice.duration_ms);
    if !(VOICE_MIN_BPS..=VOICE_MAX_BPS).contains(&bps) {
        return Err(Error::invalid("duration_ms", "The duration does not match the recording."));
    }
    if voice.waveform.is_empty() || voice.waveform.len() > WAVEFORM_MAX_BARS || voice.waveform.iter().any(|&v| v > 100)
    {
        return Err(Error::invalid(
            "waveform",
            format!("The waveform needs 1 to {WAVEFORM_MAX_BARS} values from 0 to 100."),
        ));
    }
    Ok(())
}

pub(super) fn new_id() -> MediaId {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    MediaId(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

fn join(values: &[u8]) -> String {
    values.iter().map(u8::to_string).collect::<Vec<_>>().join(",")
}

fn too_large() -> Error {
    Error::too_large(format!("Files can be at most {} MB.", MAX_UPLOAD_BYTES / (1024 * 1024)))
}

fn io_error(error: std::io::Error) -> Error {
    Error::Internal(format!("media storage: {error}"))
}
