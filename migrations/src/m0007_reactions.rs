//! Reactions: one emoji per person per message (the primary key), replaced or removed by that
//! person. A reaction is part of its message: changing one gives the message a new rev, so
//! `messages/sync` carries it, and rewrites `messages.reactions`, the message's reactions as
//! JSON, in the same transaction — so reading a message (history, sync, the chat list, pushes)
//! costs no statement more than before reactions existed.

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
    Reactions,
}

#[derive(DeriveIden)]
enum Reactions {
    Table,
    MessageId,
    UserId,
    Emoji,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Reactions::Table)
                    .col(ColumnDef::new(Reactions::MessageId).big_integer().not_null())
                    .col(ColumnDef::new(Reactions::UserId).big_integer().not_null())
                    .col(ColumnDef::new(Reactions::Emoji).string_len(64).not_null())
                    .col(ColumnDef::new(Reactions::CreatedAt).big_integer().not_null())
                    .primary_key(Index::create().col(Reactions::MessageId).col(Reactions::UserId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Reactions::Table, Reactions::MessageId)
                            .to(Messages::Table, Messages::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Reactions::Table, Reactions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Messages::Table)
                    .add_column(ColumnDef::new(Messages::Reactions).text().not_null().default(""))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table(Messages::Table).drop_column(Messages::Reactions).to_owned()).await?;
        manager.drop_table(Table::drop().table(Reactions::Table).to_owned()).await
    }
}
