//! Server functions about other people: find them, see their presence.

use crate::error::AppError;
use leptos::prelude::*;
use shared::{PresenceView, UserId, UserView};

#[server(prefix = "/api", endpoint = "users/search", input = server_fn::codec::Json)]
pub async fn search_users(query: String) -> Result<Vec<UserView>, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.search_users(me, query).await?)
}

#[server(prefix = "/api", endpoint = "users/presence", input = server_fn::codec::Json)]
pub async fn presence(user_id: UserId) -> Result<PresenceView, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.presence(me, user_id).await?)
}
