use super::entity::{ActiveModel, Column, Entity};
use super::{LoginThrottle, SignupThrottle, password};
use crate::db::now_ms;
use crate::error::{Error, Result};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, SqlErr};
use shared::{ErrorCode, Me, UserId, validate};
use std::net::IpAddr;
use std::sync::Arc;

#[derive(Clone)]
pub struct Accounts {
    pub(super) db: DatabaseConnection,
    pub(super) throttle: Arc<LoginThrottle>,
    signups: Arc<SignupThrottle>,
    /// One hash per core at once, log-ins first.
    pub(super) hashing: password::HashQueue,
}

impl Accounts {
    pub fn new(db: DatabaseConnection, throttle: Arc<LoginThrottle>, signups: Arc<SignupThrottle>) -> Self {
        Self { db, throttle, signups, hashing: password::HashQueue::per_core() }
    }

    /// Creates an account. Cheapest checks first: the input, then the address's sign-up
    /// budget, then whether the name is taken, and only then the costly hash.
    pub async fn register(&self, username: &str, display_name: &str, password: String, ip: IpAddr) -> Result<Me> {
        let username = validate::username(username)?;
        let display_name = validate::display_name(display_name)?;
        validate::password_for(&username, &password)?;
        if !self.signups.allow(ip) {
            return Err(Error::rate_limited_because(
                "Too many accounts were created from your network. Try again later.",
            ));
        }
        if password::is_common(&password) {
            return Err(Error::invalid("password", "This password is one of the most common ones. Choose another."));
        }
        // A taken name is answered before the costly hash (the unique index still decides a race).
        // A deleted account's name is free again after its hold (see `deletion`).
        if let Some(holder) = Entity::find().filter(Column::Username.eq(&username)).one(&self.db).await?
            && !self.free_if_expired(&holder).await?
        {
            return Err(taken());
        }
        let password_hash = password::hash(&self.hashing, password).await?;
        let user = ActiveModel {
            username: Set(username),
            display_name: Set(display_name),
            about: Set(String::new()),
            password_hash: Set(password_hash),
            created_at: Set(now_ms()),
            group_adds: Set(shared::GroupAdds::default().as_str().to_owned()),
            ..Default::default()
        };
        match user.insert(&self.db).await {
            Ok(user) => Ok(user.into()),
            Err(e) if matches!(e.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => Err(taken()),
            Err(e) => Err(e.into()),
        }
    }

    /// Checks a username and password. Unknown user and wrong password answer the same.
    pub async fn login(&self, username: &str, password: String, ip: IpAddr) -> Result<Me> {
        let username = username.trim().to_lowercase();
        if !self.throttle.allow(&username, ip) {
            return Err(Error::rate_limited());
        }
        let too_long = password.chars().count() > shared::limits::PASSWORD_MAX;
        let user = if too_long || username.len() > shared::limits::USERNAME_MAX {
            None
        } else {
            Entity::find()
                .filter(Column::Username.eq(&username))
                .filter(Column::DeletedAt.is_null())
                .one(&self.db)
                .await?
        };
        let ok = password::verify(&self.hashing, password, user.as_ref().map(|u| u.password_hash.clone())).await?;
        match user {
            Some(user) if ok => Ok(user.into()),
            _ => Err(Error::invalid_credentials("Wrong username or password.")),
        }
    }

    /// Changes the caller's password. The current one must be right, and wrong ones count
    /// against the same throttle as log-ins, so this is no way around it; the new one passes
    /// sign-up's rules and differs from the current one. Cheapest checks first.
    pub async fn change_password(&self, me: UserId, current: String, new: String, ip: IpAddr) -> Result<()> {
        let user = Entity::find_by_id(me.0)
            .one(&self.db)
            .await?
            .ok_or_else(|| Error::Api(shared::ApiError::unauthorized()))?;
        let as_new = |mut e: shared::ApiError| {
            e.field = Some("new_password".into());
            Error::Api(e)
        };
        validate::password_for(&user.username, &new).map_err(as_new)?;
        if password::is_common(&new) {
            return Err(Error::invalid(
                "new_password",
                "This password is one of the most common ones. Choose another.",
            ));
        }
        if current == new {
            return Err(Error::invalid("new_password", "Choose a password different from the current one."));
        }
        if !self.throttle.allow(&user.username, ip) {
            return Err(Error::rate_limited());
        }
        let too_long = current.chars().count() > shared::limits::PASSWORD_MAX;
        let hash = (!too_long).then(|| user.password_hash.clone());
        if !password::verify(&self.hashing, current, hash).await? {
            return Err(Error::invalid("current_password", "Your current password is not right."));
        }
        let password_hash = password::hash(&self.hashing, new).await?;
        let mut user: ActiveModel = user.into();
        user.password_hash = Set(password_hash);
        user.update(&self.db).await?;
        Ok(())
    }

    /// The caller's own account; a session whose user is gone counts as logged out.
    pub async fn me(&self, user: UserId) -> Result<Me> {
        Entity::find_by_id(user.0)
            .one(&self.db)
            .await?
            .filter(|u| u.deleted_at.is_none())
            .map(Me::from)
            .ok_or_else(|| Error::Api(shared::ApiError::unauthorized()))
    }

    /// People whose username starts with, or display name contains, `query` (case-insensitive),
    /// excluding the caller and anyone blocked either way. At most 20; never a listing of
    /// everyone.
    pub async fn search(&self, me: UserId, query: &str) -> Result<Vec<shared::UserView>> {
        use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
        use sea_orm::{QueryOrder, QuerySelect};
        let query = query.trim().to_lowercase();
        if query.is_empty() || query.chars().count() > shared::limits::DISPLAY_NAME_MAX {
            return Err(Error::invalid("query", "Type 1 to 64 characters to find people."));
        }
        let escaped = query.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
        let users = Entity::find()
            .filter(
                sea_orm::Condition::any()
                    .add(Expr::col(Column::Username).like(LikeExpr::new(format!("{escaped}%")).escape('\\')))
                    .add(
                        Expr::expr(Func::lower(Expr::col(Column::DisplayName)))
                            .like(LikeExpr::new(format!("%{escaped}%")).escape('\\')),
                    ),
            )
            .filter(Column::Id.ne(me.0))
            .filter(Column::DeletedAt.is_null())
            .order_by_asc(Column::Username)
            .limit(20)
            .all(&self.db)
            .await?;
        // Neither finds the other once one blocked the other; profiles as their owners allow.
        let ids: Vec<UserId> = users.iter().map(|u| UserId(u.id)).collect();
        let pairs = crate::privacy::Pairs::load(&self.db, &[me], &ids).await?;
        Ok(users
            .into_iter()
            .map(shared::UserView::from)
            .filter(|u| !pairs.blocked_either(me, u.id))
            .map(|mut u| {
                pairs.redact(me, &mut u);
                u
            })
            .collect())
    }

    /// Changes the caller's display name and "about" line.
    pub async fn update_profile(&self, me: UserId, display_name: &str, about: &str) -> Result<Me> {
        let display_name = validate::display_name(display_name)?;
        let about = validate::about(about)?;
        let user = Entity::find_by_id(me.0)
            .one(&self.db)
            .await?
            .ok_or_else(|| Error::Api(shared::ApiError::unauthorized()))?;
        let mut user: ActiveModel = user.into();
        user.display_name = Set(display_name);
        user.about = Set(about);
        Ok(user.update(&self.db).await?.into())
    }

    /// Who may add the caller to groups.
    pub async fn set_group_adds(&self, me: UserId, group_adds: shared::GroupAdds) -> Result<Me> {
        let user = Entity::find_by_id(me.0)
            .one(&self.db)
            .await?
            .ok_or_else(|| Error::Api(shared::ApiError::unauthorized()))?;
        let mut user: ActiveModel = user.into();
        user.group_adds = Set(group_adds.as_str().to_owned());
        Ok(user.update(&self.db).await?.into())
    }

    /// Sets (or with `None` removes) the caller's picture, returning the account and the
    /// picture it replaced, whose files the caller deletes.
    pub async fn set_avatar(&self, me: UserId, avatar: Option<shared::MediaId>) -> Result<(Me, Option<String>)> {
        let user = Entity::find_by_id(me.0)
            .one(&self.db)
            .await?
            .ok_or_else(|| Error::Api(shared::ApiError::unauthorized()))?;
        let previous = user.avatar_id.clone();
        let mut user: ActiveModel = user.into();
        user.avatar_id = Set(avatar.map(|a| a.0));
        Ok((user.update(&self.db).await?.into(), previous))
    }

    pub fn forget_idle_throttles(&self) {
        self.throttle.forget_idle();
        self.signups.forget_idle();
    }
}

fn taken() -> Error {
    Error::Api(shared::ApiError {
        code: ErrorCode::Conflict,
        message: "That username is taken. Try another one.".into(),
        field: Some("username".into()),
    })
}
