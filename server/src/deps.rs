//! What every domain service needs: the database, the hub, and the write gate.

use crate::realtime::Hub;
use sea_orm::{DatabaseConnection, DbBackend};
use std::sync::Arc;
use tokio::sync::{Mutex, MutexGuard};

#[derive(Clone)]
pub struct Deps {
    pub db: DatabaseConnection,
    pub hub: Hub,
    pub write_gate: WriteGate,
}

/// SQLite allows one writer at a time and turns a read transaction that later writes into an
/// immediate `SQLITE_BUSY` when another write slipped in between. Multi-statement write
/// transactions therefore queue here, in process, on SQLite; PostgreSQL uses row locks instead.
#[derive(Clone)]
pub struct WriteGate(Option<Arc<Mutex<()>>>);

impl WriteGate {
    pub fn for_backend(backend: DbBackend) -> Self {
        Self((backend == DbBackend::Sqlite).then(|| Arc::new(Mutex::new(()))))
    }

    pub async fn enter(&self) -> Option<MutexGuard<'_, ()>> {
        match &self.0 {
            Some(mutex) => Some(mutex.lock().await),
            None => None,
        }
    }
}
