//! The database schema, as ordered migrations. The server applies them at start; they must run
//! on SQLite and PostgreSQL alike, so anything backend-specific branches on the backend.

// `MigrationTrait` is an `async_trait` whose methods take `&SchemaManager` with the lifetime
// elided; spelling it out (`<'_>`) no longer matches the trait after the macro expands.
#![allow(elided_lifetimes_in_paths)]

pub use sea_orm_migration::prelude::*;

mod m0001_accounts;
mod m0002_messaging;
mod m0003_reply_index;
mod m0004_media;
mod m0005_avatars;
mod m0006_group_adds;
mod m0007_reactions;
mod m0008_marks;
mod m0009_forwards;
mod m0010_privacy;
mod m0011_deleted_accounts;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_accounts::Migration),
            Box::new(m0002_messaging::Migration),
            Box::new(m0003_reply_index::Migration),
            Box::new(m0004_media::Migration),
            Box::new(m0005_avatars::Migration),
            Box::new(m0006_group_adds::Migration),
            Box::new(m0007_reactions::Migration),
            Box::new(m0008_marks::Migration),
            Box::new(m0009_forwards::Migration),
            Box::new(m0010_privacy::Migration),
            Box::new(m0011_deleted_accounts::Migration),
        ]
    }
}
