//! Privacy and safety (issue 15): who sees a person's last seen, photo and "about"
//! (`users.last_seen_audience`, `photo_audience`, `about_audience`: "everyone", "contacts" or
//! "nobody") and whether they share read receipts; who blocked whom (`blocks`); and what people
//! reported to the operator (`reports`, with a copy of the chat's last messages).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    LastSeenAudience,
    PhotoAudience,
    AboutAudience,
    ReadReceipts,
}

#[derive(DeriveIden)]
enum Blocks {
    Table,
    BlockerId,
    BlockedId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Reports {
    Table,
    Id,
    ReporterId,
    ReportedId,
    ConversationId,
    CreatedAt,
    Messages,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for column in [Users::LastSeenAudience, Users::PhotoAudience, Users::AboutAudience] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Users::Table)
                        .add_column(ColumnDef::new(column).string_len(16).not_null().default("everyone"))
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Users::Table)
                    .add_column(ColumnDef::new(Users::ReadReceipts).boolean().not_null().default(true))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Blocks::Table)
                    .col(ColumnDef::new(Blocks::BlockerId).big_integer().not_null())
                    .col(ColumnDef::new(Blocks::BlockedId).big_integer().not_null())
                    .col(ColumnDef::new(Blocks::CreatedAt).big_integer().not_null())
                    .primary_key(Index::create().col(Blocks::BlockerId).col(Blocks::BlockedId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Blocks::Table, Blocks::BlockerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Blocks::Table, Blocks::BlockedId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // "Did anyone block me?": the primary key serves the other direction.
        manager
            .create_index(
                Index::create()
                    .name("blocks_blocked")
                    .table(Blocks::Table)
                    .col(Blocks::BlockedId)
                    .col(Blocks::BlockerId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Reports::Table)
                    .col(ColumnDef::new(Reports::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(Reports::ReporterId).big_integer().not_null())
                    .col(ColumnDef::new(Reports::ReportedId).big_integer().not_null())
                    .col(ColumnDef::new(Reports::ConversationId).big_integer().null())
                    .col(ColumnDef::new(Reports::CreatedAt).big_integer().not_null())
                    // JSON: the reported chat's last messages as the reporter saw them.
                    .col(ColumnDef::new(Reports::Messages).text().not_null())
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Reports::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Blocks::Table).to_owned()).await?;
        for column in [Users::ReadReceipts, Users::AboutAudience, Users::PhotoAudience, Users::LastSeenAudience] {
            manager.alter_table(Table::alter().table(Users::Table).drop_column(column).to_owned()).await?;
        }
        Ok(())
    }
}
