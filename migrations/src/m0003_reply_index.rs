//! An index for "which messages quote this one", used when an edit or delete re-pushes the
//! replies that quote it: without it that lookup scans the rest of the conversation.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Messages {
    Table,
    ConversationId,
    ReplyTo,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name("messages_conversation_reply_to")
                    .table(Messages::Table)
                    .col(Messages::ConversationId)
                    .col(Messages::ReplyTo)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("messages_conversation_reply_to").table(Messages::Table).to_owned()).await
    }
}
