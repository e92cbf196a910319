//! "Devices": the live sessions of one account, read from the session rows (whose `user_id`
//! column is indexed for this), and ending them. A device is named by its [`SessionKey`],
//! never by its session id: the id is the cookie.

use super::entity::{Column, Entity};
use super::{SessionKey, Sessions};
use crate::error::{Error, Result};
use app::backend::{SIGNED_IN_KEY, USER_AGENT_KEY};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use shared::{Device, UserId};
use std::str::FromStr;
use tower_sessions::session::Id;

/// A live session of the account: its key, what it logged in with, and its row's expiry.
struct Live {
    key: SessionKey,
    row_id: String,
    user_agent: String,
    signed_in_at: i64,
    expires_at: i64,
}

impl Sessions {
    /// Every live session of `me`, the most recently active first, `current` marked.
    pub async fn devices(&self, me: UserId, current: &Id) -> Result<Vec<Device>> {
        let current = SessionKey::of(current);
        let parser = woothee::parser::Parser::new();
        let mut devices: Vec<Device> = self
            .live(me)
            .await?
            .into_iter()
            .map(|live| {
                let parsed = parser.parse(&live.user_agent);
                let known = |value: Option<&str>, unknown: &str| {
                    value
                        .filter(|v| !v.is_empty() && *v != woothee::woothee::VALUE_UNKNOWN)
                        .unwrap_or(unknown)
                        .to_owned()
                };
                Device {
                    id: live.key.to_hex(),
                    browser: known(parsed.as_ref().map(|p| p.name), "Unknown browser"),
                    os: known(parsed.as_ref().map(|p| p.os), "Unknown system"),
                    // The row's expiry moves with every request (an idle timeout).
                    last_active_at: (live.expires_at - self.idle_secs) * 1000,
                    signed_in_at: live.signed_in_at,
                    current: live.key == current,
                }
            })
            .collect();
        devices.sort_by_key(|d| (!d.current, -d.last_active_at));
        Ok(devices)
    }

    /// Ends the session of `me` named `device`, unless it is `current` (that is "Log out").
    /// Returns its key, whose sockets the caller ends.
    pub async fn end_device(&self, me: UserId, current: &Id, device: &str) -> Result<SessionKey> {
        let live = self.live(me).await?.into_iter().find(|live| live.key.to_hex() == device);
        let Some(live) = live else { return Err(Error::not_found()) };
        if live.key == SessionKey::of(current) {
            return Err(Error::invalid("id", "That is this device: use Log out."));
        }
        Entity::delete_by_id(live.row_id).exec(self.store.db()).await?;
        Ok(live.key)
    }

    /// Ends every session of `me` but `current`; returns their keys.
    pub async fn end_others(&self, me: UserId, current: &Id) -> Result<Vec<SessionKey>> {
        let current = SessionKey::of(current);
        let others: Vec<Live> = self.live(me).await?.into_iter().filter(|live| live.key != current).collect();
        if others.is_empty() {
            return Ok(Vec::new());
        }
        Entity::delete_many()
            .filter(Column::Id.is_in(others.iter().map(|live| live.row_id.clone())))
            .exec(self.store.db())
            .await?;
        Ok(others.into_iter().map(|live| live.key).collect())
    }

    async fn live(&self, me: UserId) -> Result<Vec<Live>> {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let rows = Entity::find()
            .filter(Column::UserId.eq(me.0))
            .filter(Column::ExpiresAt.gt(now))
            .order_by_desc(Column::ExpiresAt)
            .all(self.store.db())
            .await?;
        Ok(rows
            .into_iter()
            .filter_map(|row| {
                let id = Id::from_str(&row.id).ok()?;
                let data: serde_json::Value = serde_json::from_str(&row.data).ok()?;
                Some(Live {
                    key: SessionKey::of(&id),
                    user_agent: data[USER_AGENT_KEY].as_str().unwrap_or_default().to_owned(),
                    signed_in_at: data[SIGNED_IN_KEY].as_i64().unwrap_or(0),
                    row_id: row.id,
                    expires_at: row.expires_at,
                })
            })
            .collect())
    }
}
