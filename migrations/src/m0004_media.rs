//! Uploaded files. A row is written when the upload is stored; `message_id` is set when a
//! message carries it (once: unique). Files live on disk under `DATA_DIR/media/` by `id`,
//! never by the uploader's name. `conversation_id` decides who may download it; it is null for
//! profile pictures, which every signed-in user may see.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Conversations {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Media {
    Table,
    Id,
    UploaderId,
    ConversationId,
    MessageId,
    Kind,
    Mime,
    Size,
    Name,
    Width,
    Height,
    DurationMs,
    Waveform,
    ThumbMime,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Media::Table)
                    .col(ColumnDef::new(Media::Id).string_len(32).not_null().primary_key())
                    .col(ColumnDef::new(Media::UploaderId).big_integer().not_null())
                    .col(ColumnDef::new(Media::ConversationId).big_integer().null())
                    .col(ColumnDef::new(Media::MessageId).big_integer().null().unique_key())
                    .col(ColumnDef::new(Media::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(Media::Mime).string_len(128).not_null())
                    .col(ColumnDef::new(Media::Size).big_integer().not_null())
                    .col(ColumnDef::new(Media::Name).string_len(512).not_null())
                    .col(ColumnDef::new(Media::Width).integer().null())
                    .col(ColumnDef::new(Media::Height).integer().null())
                    .col(ColumnDef::new(Media::DurationMs).integer().null())
                    // Comma-separated bar heights 0..=100, empty for non-voice.
                    .col(ColumnDef::new(Media::Waveform).string_len(1024).not_null().default(""))
                    .col(ColumnDef::new(Media::ThumbMime).string_len(32).null())
                    .col(ColumnDef::new(Media::CreatedAt).big_integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Media::Table, Media::UploaderId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Media::Table, Media::ConversationId)
                            .to(Conversations::Table, Conversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Media::Table, Media::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;
        // Quota sums and the sweep of uploads never sent.
        manager
            .create_index(Index::create().name("media_uploader").table(Media::Table).col(Media::UploaderId).to_owned())
            .await?;
        manager
            .create_index(Index::create().name("media_created").table(Media::Table).col(Media::CreatedAt).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Media::Table).to_owned()).await
    }
}
