//! Users and the tower-sessions session records.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Username,
    DisplayName,
    About,
    PasswordHash,
    CreatedAt,
    LastSeenAt,
}

#[derive(DeriveIden)]
enum Sessions {
    Table,
    Id,
    Data,
    UserId,
    ExpiresAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(ColumnDef::new(Users::Id).big_integer().not_null().auto_increment().primary_key())
                    // Stored lower-cased, so this index makes usernames unique case-insensitively.
                    .col(ColumnDef::new(Users::Username).string_len(32).not_null().unique_key())
                    .col(ColumnDef::new(Users::DisplayName).string_len(64).not_null())
                    .col(ColumnDef::new(Users::About).string_len(256).not_null().default(""))
                    .col(ColumnDef::new(Users::PasswordHash).string().not_null())
                    .col(ColumnDef::new(Users::CreatedAt).big_integer().not_null())
                    .col(ColumnDef::new(Users::LastSeenAt).big_integer().null())
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(ColumnDef::new(Sessions::Id).string_len(64).not_null().primary_key())
                    .col(ColumnDef::new(Sessions::Data).text().not_null())
                    // Denormalised from `data` so all of a user's sessions can be found and ended.
                    .col(ColumnDef::new(Sessions::UserId).big_integer().null())
                    .col(ColumnDef::new(Sessions::ExpiresAt).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("sessions_expires_at").table(Sessions::Table).col(Sessions::ExpiresAt).to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create().name("sessions_user_id").table(Sessions::Table).col(Sessions::UserId).to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Sessions::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Users::Table).to_owned()).await
    }
}
