//! Connecting to the database and bringing its schema up to date.
//!
//! SQLite gets WAL (readers never block the writer), enforced foreign keys, a busy timeout
//! instead of instant `SQLITE_BUSY`, and `synchronous=NORMAL` (durable across process crashes,
//! which is what WAL needs). PostgreSQL is used as it comes.

use migrations::{Migrator, MigratorTrait};
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, Database, DatabaseConnection, DbErr};
use std::time::Duration;

pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    if let Some(path) = url.strip_prefix("sqlite://").and_then(|rest| rest.split('?').next())
        && let Some(parent) = std::path::Path::new(path).parent().filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(|e| DbErr::Custom(format!("creating {}: {e}", parent.display())))?;
    }
    let mut options = ConnectOptions::new(url.to_owned());
    options
        .sqlx_logging(false)
        .max_connections(if url.starts_with("sqlite") { 8 } else { 20 })
        .acquire_timeout(Duration::from_secs(10))
        .map_sqlx_sqlite_opts(|opts| {
            opts.journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
        });
    let db = Database::connect(options).await?;
    migrate(&db).await?;
    Ok(db)
}

/// Applies pending migrations. On PostgreSQL several nodes may start at once on one database:
/// a transaction-scoped advisory lock, held on one pooled connection while the migrator runs
/// on others, lets one node migrate while the rest wait, then find nothing left to do.
async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    use sea_orm::{ConnectionTrait, DbBackend, TransactionTrait};
    if db.get_database_backend() != DbBackend::Postgres {
        return Migrator::up(db, None).await;
    }
    let lock = db.begin().await?;
    // A fixed key, the same on every node.
    lock.execute_unprepared("SELECT pg_advisory_xact_lock(7308604915339945330)").await?;
    let result = Migrator::up(db, None).await;
    lock.commit().await?;
    result
}

/// Milliseconds since the Unix epoch: the one timestamp format in the database and the API.
pub fn now_ms() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp_nanos().div_euclid(1_000_000) as i64
}
