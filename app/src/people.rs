//! Server functions about other people: find them, see their presence.

use crate::error::AppError;
use leptos::prelude::*;
use shared::{ContactInfo, PresenceView, UserId, UserView};

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

/// "Contact info": someone who shares a chat with the caller (or whom they blocked), as that
/// person's privacy lets the caller see them.
#[server(prefix = "/api", endpoint = "users/profile", input = server_fn::codec::Json)]
pub async fn user_profile(user_id: UserId) -> Result<ContactInfo, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.contact_info(me, user_id).await?)
}

/// Blocks someone: their sends to the caller are refused, and neither sees the other's
/// presence, typing, reads, photo or "about", nor finds them in search.
#[server(prefix = "/api", endpoint = "users/block", input = server_fn::codec::Json)]
pub async fn block_user(user_id: UserId) -> Result<(), AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.block_user(me, user_id).await?)
}

#[server(prefix = "/api", endpoint = "users/unblock", input = server_fn::codec::Json)]
pub async fn unblock_user(user_id: UserId) -> Result<(), AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.unblock_user(me, user_id).await?)
}

/// The people the caller blocked, most recent first.
#[server(prefix = "/api", endpoint = "users/blocked", input = server_fn::codec::Json)]
pub async fn blocked_users() -> Result<Vec<UserView>, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.blocked_users(me).await?)
}

/// Reports someone to the operator (the last messages of the chat with them are kept), and
/// blocks them too with `block`.
#[server(prefix = "/api", endpoint = "users/report", input = server_fn::codec::Json)]
pub async fn report_user(user_id: UserId, block: bool) -> Result<(), AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.report_user(me, user_id, block).await?)
}
