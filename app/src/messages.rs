//! Server functions for messages. The WebSocket `send` frame is the fast path; `send_message`
//! is the same operation over HTTP (for clients without a socket, and for retries).

use crate::error::AppError;
use leptos::prelude::*;
use shared::{
    ConversationId, HistoryPage, MessageId, MessageMark, MessageView, Receipt, Rev, SearchHit, Seq, StarredCursor,
    StarredPage, SyncPage,
};

#[server(prefix = "/api", endpoint = "messages/history", input = server_fn::codec::Json)]
pub async fn history(conversation_id: ConversationId, before: Option<Seq>) -> Result<HistoryPage, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.history(me, conversation_id, before).await?)
}

#[server(prefix = "/api", endpoint = "messages/sync", input = server_fn::codec::Json)]
pub async fn sync(conversation_id: ConversationId, after_rev: Rev) -> Result<SyncPage, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.sync(me, conversation_id, after_rev).await?)
}

#[server(prefix = "/api", endpoint = "messages/send", input = server_fn::codec::Json)]
pub async fn send_message(
    conversation_id: ConversationId,
    client_msg_id: String,
    body: String,
    reply_to: Option<MessageId>,
    attachment: Option<shared::MediaId>,
) -> Result<MessageView, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.send(me, conversation_id, client_msg_id, body, reply_to, attachment).await?)
}

#[server(prefix = "/api", endpoint = "messages/edit", input = server_fn::codec::Json)]
pub async fn edit_message(message_id: MessageId, body: String) -> Result<MessageView, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.edit(me, message_id, body).await?)
}

#[server(prefix = "/api", endpoint = "messages/delete", input = server_fn::codec::Json)]
pub async fn delete_message(message_id: MessageId) -> Result<MessageView, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.delete(me, message_id).await?)
}

/// Sets the caller's reaction to a message (`emoji`), replacing theirs, or removes it (`None`).
#[server(prefix = "/api", endpoint = "messages/react", input = server_fn::codec::Json)]
pub async fn react(message_id: MessageId, emoji: Option<String>) -> Result<MessageView, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.react(me, message_id, emoji).await?)
}

/// Forwards messages the caller can read (up to 50, sent in their original order) to up to
/// five chats they are in; answers the copies.
#[server(prefix = "/api", endpoint = "messages/forward", input = server_fn::codec::Json)]
pub async fn forward(
    message_ids: Vec<MessageId>,
    conversation_ids: Vec<ConversationId>,
) -> Result<Vec<MessageView>, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.forward(me, message_ids, conversation_ids).await?)
}

/// Stars (`true`) or unstars a message for the caller alone.
#[server(prefix = "/api", endpoint = "messages/star", input = server_fn::codec::Json)]
pub async fn star(message_id: MessageId, starred: bool) -> Result<MessageMark, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.star(me, message_id, starred).await?)
}

/// Deletes messages of one chat for the caller alone, on all their devices.
#[server(prefix = "/api", endpoint = "messages/hide", input = server_fn::codec::Json)]
pub async fn hide(conversation_id: ConversationId, message_ids: Vec<MessageId>) -> Result<Vec<MessageMark>, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.hide(me, conversation_id, message_ids).await?)
}

/// A page of the caller's starred messages, most recently starred first.
#[server(prefix = "/api", endpoint = "messages/starred", input = server_fn::codec::Json)]
pub async fn starred(before: Option<StarredCursor>) -> Result<StarredPage, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.starred(me, before).await?)
}

#[server(prefix = "/api", endpoint = "messages/delivered", input = server_fn::codec::Json)]
pub async fn mark_delivered(conversation_id: ConversationId, seq: Seq) -> Result<Receipt, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.mark(me, conversation_id, seq, false).await?)
}

#[server(prefix = "/api", endpoint = "messages/read", input = server_fn::codec::Json)]
pub async fn mark_read(conversation_id: ConversationId, seq: Seq) -> Result<Receipt, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.mark(me, conversation_id, seq, true).await?)
}

#[server(prefix = "/api", endpoint = "messages/search", input = server_fn::codec::Json)]
pub async fn search_messages(
    query: String,
    conversation_id: Option<ConversationId>,
) -> Result<Vec<SearchHit>, AppError> {
    let (backend, me) = crate::backend::caller().await?;
    Ok(backend.search(me, query, conversation_id).await?)
}

/// The composer's plain-HTML path (JavaScript off or not loaded yet): a form post with the
/// `client_msg_id` the server rendered into the form, so submitting the same form twice stores
/// one message. Redirects back to the chat.
#[server(prefix = "/api", endpoint = "messages/send_form")]
pub async fn send_form(
    conversation_id: ConversationId,
    client_msg_id: String,
    body: String,
) -> Result<MessageView, AppError> {
    use crate::backend::{caller, form_error};
    let page = format!("/chat/{}", conversation_id.0);
    let result: Result<MessageView, AppError> = async {
        let (backend, me) = caller().await?;
        Ok(backend.send(me, conversation_id, client_msg_id, body, None, None).await?)
    }
    .await;
    result.inspect(|_| leptos_axum::redirect(&page)).map_err(|e| form_error(&page, e))
}

/// A fresh client message id for a server-rendered form.
pub fn new_client_msg_id() -> String {
    #[cfg(feature = "ssr")]
    {
        uuid::Builder::from_random_bytes(rand::random()).into_uuid().to_string()
    }
    #[cfg(not(feature = "ssr"))]
    {
        String::new()
    }
}
