//! A tower-sessions [`SessionStore`] on sea-orm, so sessions live in the app's own database and
//! connection pool (tower-sessions-sqlx-store would bring a second sqlx). Records are JSON; the
//! user id is copied into its own (indexed) column so a user's sessions can be found: `devices`
//! lists and ends them ("Devices" in settings). `sockets` binds open WebSockets to the session
//! they were opened with.

mod devices;
mod entity;
mod sockets;

pub use sockets::{DEFAULT_RECHECK, SessionKey, Sessions};

/// How long the sockets of a session whose id was cycled (a password change) outlive the
/// answer that cycled it: long enough for the answer, and its new cookie, to reach the browser
/// before the socket's 4401 makes the page reload; short enough that the old id is no use.
pub const RENEWED_GRACE: std::time::Duration = std::time::Duration::from_secs(1);

use async_trait::async_trait;
use entity::{ActiveModel, Column, Entity};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, sea_query::OnConflict};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

use app::backend::USER_KEY;

/// The logged-in user of `session`, if any (a store failure counts as nobody).
pub async fn signed_in(session: &tower_sessions::Session) -> Option<shared::UserId> {
    session.get::<shared::UserId>(USER_KEY).await.ok().flatten()
}

#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: DatabaseConnection,
}

impl DbSessionStore {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    pub(crate) fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    fn row(record: &Record) -> session_store::Result<ActiveModel> {
        let data = serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        Ok(ActiveModel {
            id: Set(record.id.to_string()),
            data: Set(data),
            user_id: Set(record.data.get(USER_KEY).and_then(serde_json::Value::as_i64)),
            expires_at: Set(record.expiry_date.unix_timestamp()),
        })
    }
}

fn backend(e: sea_orm::DbErr) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Ids are 128 random bits, so a clash is astronomically unlikely; still, never
        // overwrite someone else's session: draw again until the insert succeeds.
        loop {
            let row = Self::row(record)?;
            match Entity::insert(row)
                .on_conflict(OnConflict::column(Column::Id).do_nothing().to_owned())
                .exec(&self.db)
                .await
            {
                Ok(_) => return Ok(()),
                Err(sea_orm::DbErr::RecordNotInserted) => record.id = Id::default(),
                Err(e) => return Err(backend(e)),
            }
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        Entity::insert(Self::row(record)?)
            .on_conflict(
                OnConflict::column(Column::Id)
                    .update_columns([Column::Data, Column::UserId, Column::ExpiresAt])
                    .to_owned(),
            )
            .exec(&self.db)
            .await
            .map_err(backend)?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let Some(row) = Entity::find_by_id(id.to_string())
            .filter(Column::ExpiresAt.gt(now))
            .one(&self.db)
            .await
            .map_err(backend)?
        else {
            return Ok(None);
        };
        let data = serde_json::from_str(&row.data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(row.expires_at)
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        Entity::delete_by_id(id.to_string()).exec(&self.db).await.map_err(backend)?;
        Ok(())
    }
}

#[async_trait]
impl ExpiredDeletion for DbSessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        Entity::delete_many().filter(Column::ExpiresAt.lte(now)).exec(&self.db).await.map_err(backend)?;
        Ok(())
    }
}
