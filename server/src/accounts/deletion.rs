//! Deleting an account: the password is asked again (counted against the log-in throttle), then
//! the row is kept but emptied — named "Deleted account", no about, picture, password or last
//! seen — so the messages it sent still have a sender for the others. Its username stays taken
//! for [`USERNAME_HOLD_MS`] (nobody can pose as the person who just left), then is freed by
//! renaming the row out of the way of sign-up's rules. What else goes (sessions, groups, media,
//! blocks) is the backend's sequence of calls into those services.

use super::Accounts;
use super::entity::{ActiveModel, Column, Entity, Model};
use super::password;
use crate::db::now_ms;
use crate::error::{Error, Result};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter};
use shared::UserId;
use std::net::IpAddr;

/// What everyone sees in place of a deleted account's name.
pub const DELETED_NAME: &str = "Deleted account";
/// How long a deleted account's username stays taken: 30 days.
pub const USERNAME_HOLD_MS: i64 = 30 * 24 * 3600 * 1000;

impl Accounts {
    /// Checks the caller's password before their account is deleted; a wrong one counts
    /// against the log-in throttle, so this is no faster way to guess.
    pub async fn confirm_password(&self, me: UserId, password: String, ip: IpAddr) -> Result<()> {
        let user = Entity::find_by_id(me.0)
            .one(&self.db)
            .await?
            .filter(|u| u.deleted_at.is_none())
            .ok_or_else(|| Error::Api(shared::ApiError::unauthorized()))?;
        if !self.throttle.allow(&user.username, ip) {
            return Err(Error::rate_limited());
        }
        let too_long = password.chars().count() > shared::limits::PASSWORD_MAX;
        let hash = (!too_long).then(|| user.password_hash.clone());
        if !password::verify(&self.hashing, password, hash).await? {
            return Err(Error::invalid("password", "Your password is not right."));
        }
        Ok(())
    }

    /// Empties the account and marks it deleted; answers the picture it had, whose files
    /// the caller removes.
    pub async fn mark_deleted(&self, me: UserId) -> Result<Option<String>> {
        let user = Entity::find_by_id(me.0).one(&self.db).await?.ok_or_else(Error::not_found)?;
        let picture = user.avatar_id.clone();
        let mut row: ActiveModel = user.into();
        row.display_name = Set(DELETED_NAME.to_owned());
        row.about = Set(String::new());
        row.avatar_id = Set(None);
        // Not a PHC string: no password verifies against it.
        row.password_hash = Set(String::new());
        row.last_seen_at = Set(None);
        row.deleted_at = Set(Some(now_ms()));
        row.update(&self.db).await?;
        Ok(picture)
    }

    /// Frees `holder`'s username if it is a deleted account's whose hold has passed.
    pub(super) async fn free_if_expired(&self, holder: &Model) -> Result<bool> {
        match holder.deleted_at {
            Some(at) if now_ms() - at >= USERNAME_HOLD_MS => {
                let row =
                    ActiveModel { id: Set(holder.id), username: Set(freed_name(holder.id)), ..Default::default() };
                row.update(&self.db).await?;
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// Frees every username whose hold has passed (housekeeping); how many.
    pub async fn free_expired_usernames(&self) -> Result<u64> {
        let expired = Entity::find()
            .filter(Column::DeletedAt.lte(now_ms() - USERNAME_HOLD_MS))
            .filter(Column::Username.not_like("deleted-%"))
            .all(&self.db)
            .await?;
        for holder in &expired {
            self.free_if_expired(holder).await?;
        }
        Ok(expired.len() as u64)
    }
}

/// A name sign-up can never produce (it allows no `-`), unique by id.
fn freed_name(id: i64) -> String {
    format!("deleted-{id}")
}
