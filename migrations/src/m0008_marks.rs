//! Marks: what one person does to a message for themselves alone — star it (their "Starred
//! messages") or hide it (delete for me). One row per person and message, kept after an unstar
//! so that `messages/sync` can report the change: `rev` is the conversation's rev when the mark
//! last changed, and a sync after rev `r` returns the caller's marks with `rev >= r`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum MessageMarks {
    Table,
    UserId,
    MessageId,
    ConversationId,
    StarredAt,
    HiddenAt,
    Rev,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MessageMarks::Table)
                    .col(ColumnDef::new(MessageMarks::UserId).big_integer().not_null())
                    .col(ColumnDef::new(MessageMarks::MessageId).big_integer().not_null())
                    .col(ColumnDef::new(MessageMarks::ConversationId).big_integer().not_null())
                    .col(ColumnDef::new(MessageMarks::StarredAt).big_integer().null())
                    .col(ColumnDef::new(MessageMarks::HiddenAt).big_integer().null())
                    .col(ColumnDef::new(MessageMarks::Rev).big_integer().not_null())
                    .primary_key(Index::create().col(MessageMarks::UserId).col(MessageMarks::MessageId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(MessageMarks::Table, MessageMarks::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(MessageMarks::Table, MessageMarks::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // Sync: one person's marks in one chat after a rev.
        manager
            .create_index(
                Index::create()
                    .name("message_marks_user_conversation_rev")
                    .table(MessageMarks::Table)
                    .col(MessageMarks::UserId)
                    .col(MessageMarks::ConversationId)
                    .col(MessageMarks::Rev)
                    .to_owned(),
            )
            .await?;
        // "Starred messages": one person's stars, newest first.
        manager
            .create_index(
                Index::create()
                    .name("message_marks_user_starred")
                    .table(MessageMarks::Table)
                    .col(MessageMarks::UserId)
                    .col(MessageMarks::StarredAt)
                    .to_owned(),
            )
            .await?;
        // Who hid a message, when an edit, delete or reaction is pushed to its chat.
        manager
            .create_index(
                Index::create()
                    .name("message_marks_message")
                    .table(MessageMarks::Table)
                    .col(MessageMarks::MessageId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(MessageMarks::Table).to_owned()).await
    }
}
