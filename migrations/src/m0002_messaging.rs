//! Conversations, their members (with receipt watermarks and per-user flags) and messages.
//!
//! `conversations.last_seq` numbers messages; `conversations.rev` numbers every change
//! (new message, edit, delete, membership) so a client can ask for "everything since rev N".

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

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
    Kind,
    Title,
    DirectKey,
    CreatedBy,
    CreatedAt,
    LastSeq,
    Rev,
    LastActivityAt,
}

#[derive(DeriveIden)]
enum Members {
    Table,
    ConversationId,
    UserId,
    Role,
    JoinedAt,
    JoinedSeq,
    DeliveredSeq,
    ReadSeq,
    Pinned,
    Archived,
    Muted,
}

#[derive(DeriveIden)]
enum Messages {
    Table,
    Id,
    ConversationId,
    Seq,
    Rev,
    SenderId,
    ClientMsgId,
    Kind,
    Body,
    ReplyTo,
    CreatedAt,
    EditedAt,
    DeletedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Conversations::Table)
                    .col(ColumnDef::new(Conversations::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(Conversations::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(Conversations::Title).string_len(128).null())
                    // "<low user id>:<high user id>" for direct chats: one chat per pair.
                    .col(ColumnDef::new(Conversations::DirectKey).string_len(48).null().unique_key())
                    .col(ColumnDef::new(Conversations::CreatedBy).big_integer().not_null())
                    .col(ColumnDef::new(Conversations::CreatedAt).big_integer().not_null())
                    .col(ColumnDef::new(Conversations::LastSeq).big_integer().not_null().default(0))
                    .col(ColumnDef::new(Conversations::Rev).big_integer().not_null().default(0))
                    .col(ColumnDef::new(Conversations::LastActivityAt).big_integer().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Conversations::Table, Conversations::CreatedBy)
                            .to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Members::Table)
                    .col(ColumnDef::new(Members::ConversationId).big_integer().not_null())
                    .col(ColumnDef::new(Members::UserId).big_integer().not_null())
                    .col(ColumnDef::new(Members::Role).string_len(16).not_null())
                    .col(ColumnDef::new(Members::JoinedAt).big_integer().not_null())
                    .col(ColumnDef::new(Members::JoinedSeq).big_integer().not_null().default(0))
                    .col(ColumnDef::new(Members::DeliveredSeq).big_integer().not_null().default(0))
                    .col(ColumnDef::new(Members::ReadSeq).big_integer().not_null().default(0))
                    .col(ColumnDef::new(Members::Pinned).boolean().not_null().default(false))
                    .col(ColumnDef::new(Members::Archived).boolean().not_null().default(false))
                    .col(ColumnDef::new(Members::Muted).boolean().not_null().default(false))
                    .primary_key(Index::create().col(Members::ConversationId).col(Members::UserId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Members::Table, Members::ConversationId)
                            .to(Conversations::Table, Conversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(ForeignKey::create().from(Members::Table, Members::UserId).to(Users::Table, Users::Id))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(Index::create().name("members_user").table(Members::Table).col(Members::UserId).to_owned())
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Messages::Table)
                    .col(ColumnDef::new(Messages::Id).big_integer().not_null().auto_increment().primary_key())
                    .col(ColumnDef::new(Messages::ConversationId).big_integer().not_null())
                    .col(ColumnDef::new(Messages::Seq).big_integer().not_null())
                    .col(ColumnDef::new(Messages::Rev).big_integer().not_null())
                    .col(ColumnDef::new(Messages::SenderId).big_integer().null())
                    .col(ColumnDef::new(Messages::ClientMsgId).string_len(36).null())
                    .col(ColumnDef::new(Messages::Kind).string_len(16).not_null())
                    .col(ColumnDef::new(Messages::Body).text().not_null())
                    .col(ColumnDef::new(Messages::ReplyTo).big_integer().null())
                    .col(ColumnDef::new(Messages::CreatedAt).big_integer().not_null())
                    .col(ColumnDef::new(Messages::EditedAt).big_integer().null())
                    .col(ColumnDef::new(Messages::DeletedAt).big_integer().null())
                    .foreign_key(
                        ForeignKey::create()
                            .from(Messages::Table, Messages::ConversationId)
                            .to(Conversations::Table, Conversations::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create().from(Messages::Table, Messages::SenderId).to(Users::Table, Users::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("messages_conversation_seq")
                    .table(Messages::Table)
                    .col(Messages::ConversationId)
                    .col(Messages::Seq)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("messages_conversation_rev")
                    .table(Messages::Table)
                    .col(Messages::ConversationId)
                    .col(Messages::Rev)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("messages_sender_client_id")
                    .table(Messages::Table)
                    .col(Messages::SenderId)
                    .col(Messages::ClientMsgId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Sqlite => {
                for sql in [
                    "CREATE VIRTUAL TABLE messages_fts USING fts5(body, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2')",
                    "CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages WHEN new.kind = 'text' BEGIN \
                     INSERT INTO messages_fts(rowid, body) VALUES (new.id, new.body); END",
                    "CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages WHEN old.kind = 'text' BEGIN \
                     INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body); END",
                    "CREATE TRIGGER messages_fts_update AFTER UPDATE OF body ON messages WHEN old.kind = 'text' BEGIN \
                     INSERT INTO messages_fts(messages_fts, rowid, body) VALUES ('delete', old.id, old.body); \
                     INSERT INTO messages_fts(rowid, body) SELECT new.id, new.body WHERE new.deleted_at IS NULL; END",
                ] {
                    db.execute_unprepared(sql).await?;
                }
            }
            DbBackend::Postgres => {
                db.execute_unprepared(
                    "CREATE INDEX messages_body_fts ON messages USING GIN (to_tsvector('simple', body)) \
                     WHERE kind = 'text' AND deleted_at IS NULL",
                )
                .await?;
            }
            _ => {}
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() == DbBackend::Sqlite {
            manager.get_connection().execute_unprepared("DROP TABLE IF EXISTS messages_fts").await?;
        }
        manager.drop_table(Table::drop().table(Messages::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Members::Table).to_owned()).await?;
        manager.drop_table(Table::drop().table(Conversations::Table).to_owned()).await
    }
}
