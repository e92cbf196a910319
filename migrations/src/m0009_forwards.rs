//! Forwarding: `messages.forwarded` marks a copy forwarded from another chat, and
//! `media.file_id` lets a forwarded attachment's row name the stored file it shares with the
//! original (null: the file is stored under the row's own id), so a forward copies no bytes.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Messages {
    Table,
    Forwarded,
}

#[derive(DeriveIden)]
enum Media {
    Table,
    FileId,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one column at a time.
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(ColumnDef::new(Messages::Forwarded).boolean().not_null().default(false))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Media::Table)
                    .add_column(ColumnDef::new(Media::FileId).string_len(32).null())
                    .to_owned(),
            )
            .await?;
        // Deleting a message asks whether any other row still uses its file.
        manager
            .create_index(Index::create().name("media_file_id").table(Media::Table).col(Media::FileId).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("media_file_id").table(Media::Table).to_owned()).await?;
        manager.alter_table(Table::alter().table(Media::Table).drop_column(Media::FileId).to_owned()).await?;
        manager.alter_table(Table::alter().table(Messages::Table).drop_column(Messages::Forwarded).to_owned()).await
    }
}
