//! Server functions for the chat list, direct chats and groups. Thin adapters: the server's
//! `conversations` module authorizes and does the work.

use crate::error::AppError;
use leptos::prelude::*;
use shared::{ConversationDetail, ConversationFlags, ConversationId, ConversationSummary, Role, UserId};

/// A page of the caller's chat list: the first `limit` rows (50 by default, at most 200), or
/// those after `after` (the last row of the page before, `ListCursor::after`).
#[server(prefix = "/api", endpoint = "conversations/list", input = server_fn::codec::Json)]
pub async fn list_conversations(
    after: Option<shared::ListCursor>,
    limit: Option<u32>,
) -> Result<Vec<ConversationSummary>, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.conversations(me, after, limit).await?)
}

#[server(prefix = "/api", endpoint = "conversations/get", input = server_fn::codec::Json)]
pub async fn get_conversation(conversation_id: ConversationId) -> Result<ConversationDetail, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.conversation(me, conversation_id).await?)
}

#[server(prefix = "/api", endpoint = "conversations/open_direct", input = server_fn::codec::Json)]
pub async fn open_direct(user_id: UserId) -> Result<ConversationSummary, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.open_direct(me, user_id).await?)
}

#[server(prefix = "/api", endpoint = "conversations/create_group", input = server_fn::codec::Json)]
pub async fn create_group(title: String, members: Vec<UserId>) -> Result<ConversationSummary, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.create_group(me, title, members).await?)
}

#[server(prefix = "/api", endpoint = "conversations/rename", input = server_fn::codec::Json)]
pub async fn rename_group(conversation_id: ConversationId, title: String) -> Result<ConversationDetail, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.rename_group(me, conversation_id, title).await?)
}

#[server(prefix = "/api", endpoint = "conversations/add_members", input = server_fn::codec::Json)]
pub async fn add_members(
    conversation_id: ConversationId,
    members: Vec<UserId>,
) -> Result<ConversationDetail, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.add_members(me, conversation_id, members).await?)
}

#[server(prefix = "/api", endpoint = "conversations/remove_member", input = server_fn::codec::Json)]
pub async fn remove_member(conversation_id: ConversationId, user_id: UserId) -> Result<ConversationDetail, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.remove_member(me, conversation_id, user_id).await?)
}

#[server(prefix = "/api", endpoint = "conversations/set_role", input = server_fn::codec::Json)]
pub async fn set_role(
    conversation_id: ConversationId,
    user_id: UserId,
    role: Role,
) -> Result<ConversationDetail, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.set_role(me, conversation_id, user_id, role).await?)
}

#[server(prefix = "/api", endpoint = "conversations/leave", input = server_fn::codec::Json)]
pub async fn leave_group(conversation_id: ConversationId) -> Result<(), AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.leave(me, conversation_id).await?)
}

#[server(prefix = "/api", endpoint = "conversations/set_flags", input = server_fn::codec::Json)]
pub async fn set_flags(
    conversation_id: ConversationId,
    flags: ConversationFlags,
) -> Result<ConversationSummary, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.set_flags(me, conversation_id, flags).await?)
}
