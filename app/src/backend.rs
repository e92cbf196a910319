//! Server-only glue between server functions and the `server` crate.
//!
//! [`Backend`] is everything the app may ask of the server; the `server` crate implements it and
//! provides it as context. This module also owns the session keys, so server functions stay
//! one-liners: `let (backend, me) = backend::caller().await?;`.

use crate::error::AppError;
use async_trait::async_trait;
use leptos::prelude::*;
use shared::{
    ApiError, ConversationDetail, ConversationFlags, ConversationId, ConversationSummary, ErrorCode, HistoryPage, Me,
    MessageId, MessageMark, MessageView, PresenceView, Receipt, Rev, Role, SearchHit, Seq, StarredCursor, StarredPage,
    SyncPage, UserId, UserView,
};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use tower_sessions::Session;
use tower_sessions::session::Id;

/// The session key under which the logged-in user's id is stored: the one name the app's
/// server functions and the server's own handlers (pages, socket, uploads) read it by.
pub const USER_KEY: &str = "user_id";
/// Session keys of what "Devices" shows: the User-Agent it logged in with (at most
/// [`USER_AGENT_MAX`] bytes) and when, in Unix milliseconds.
pub const USER_AGENT_KEY: &str = "user_agent";
pub const SIGNED_IN_KEY: &str = "signed_in_at";
pub const USER_AGENT_MAX: usize = 512;

/// Who is asking, beyond their session: used for throttling.
#[derive(Clone, Copy, Debug)]
pub struct ClientInfo {
    pub ip: IpAddr,
}

/// What server functions may ask of the server. Every method authorizes its caller itself.
#[async_trait]
pub trait Backend: Send + Sync + 'static {
    async fn register(
        &self,
        username: String,
        display_name: String,
        password: String,
        client: ClientInfo,
    ) -> Result<Me, ApiError>;
    async fn login(&self, username: String, password: String, client: ClientInfo) -> Result<Me, ApiError>;
    /// The session `session` is gone from the store (logout, or a login that replaced it):
    /// ends every socket opened with it, on every node.
    async fn session_ended(&self, session: Id);
    /// The session went on under a new id (a password change): the sockets opened with the
    /// old one end shortly after this answer has gone out, so their page, reloading on 4401,
    /// already holds the new cookie.
    async fn session_renewed(&self, old: Id);
    async fn me(&self, user: UserId) -> Result<Me, ApiError>;
    async fn update_profile(&self, me: UserId, display_name: String, about: String) -> Result<Me, ApiError>;
    async fn set_avatar(&self, me: UserId, avatar: Option<shared::MediaId>) -> Result<Me, ApiError>;
    async fn set_group_adds(&self, me: UserId, group_adds: shared::GroupAdds) -> Result<Me, ApiError>;
    /// Checks `current_password` and stores `new_password` (sign-up's rules); the caller
    /// cycles the session id.
    async fn change_password(
        &self,
        me: UserId,
        current_password: String,
        new_password: String,
        client: ClientInfo,
    ) -> Result<(), ApiError>;
    /// Deletes the caller's account after checking `password`: every other session ends
    /// (the caller ends `current`), groups are left, uploads and blocks go, the account is
    /// emptied and its username held for 30 days.
    async fn delete_account(
        &self,
        me: UserId,
        current: Id,
        password: String,
        client: ClientInfo,
    ) -> Result<(), ApiError>;
    /// The caller's live sessions, `current` marked.
    async fn devices(&self, me: UserId, current: Id) -> Result<Vec<shared::Device>, ApiError>;
    /// Ends one of the caller's other sessions (by [`shared::Device::id`]) and its sockets.
    async fn end_device(&self, me: UserId, current: Id, device: String) -> Result<(), ApiError>;
    /// Ends every session of the caller but `current`, and their sockets; how many ended.
    async fn end_other_devices(&self, me: UserId, current: Id) -> Result<u64, ApiError>;

    /// Changes the caller's privacy settings (`None` keeps one as it is).
    async fn set_privacy(
        &self,
        me: UserId,
        last_seen: Option<shared::Audience>,
        photo: Option<shared::Audience>,
        about: Option<shared::Audience>,
        read_receipts: Option<bool>,
    ) -> Result<Me, ApiError>;
    async fn block_user(&self, me: UserId, user: UserId) -> Result<(), ApiError>;
    async fn unblock_user(&self, me: UserId, user: UserId) -> Result<(), ApiError>;
    async fn blocked_users(&self, me: UserId) -> Result<Vec<UserView>, ApiError>;
    /// Keeps the last messages of the caller's chat with `user` for the operator; blocks
    /// them too with `block`.
    async fn report_user(&self, me: UserId, user: UserId, block: bool) -> Result<(), ApiError>;
    async fn contact_info(&self, me: UserId, user: UserId) -> Result<shared::ContactInfo, ApiError>;

    async fn search_users(&self, me: UserId, query: String) -> Result<Vec<UserView>, ApiError>;
    async fn presence(&self, me: UserId, user: UserId) -> Result<PresenceView, ApiError>;

    async fn conversations(
        &self,
        me: UserId,
        after: Option<shared::ListCursor>,
        limit: Option<u32>,
    ) -> Result<Vec<ConversationSummary>, ApiError>;
    async fn conversation(&self, me: UserId, id: ConversationId) -> Result<ConversationDetail, ApiError>;
    async fn open_direct(&self, me: UserId, user: UserId) -> Result<ConversationSummary, ApiError>;
    async fn create_group(
        &self,
        me: UserId,
        title: String,
        members: Vec<UserId>,
    ) -> Result<ConversationSummary, ApiError>;
    async fn rename_group(&self, me: UserId, id: ConversationId, title: String)
    -> Result<ConversationDetail, ApiError>;
    async fn add_members(
        &self,
        me: UserId,
        id: ConversationId,
        members: Vec<UserId>,
    ) -> Result<ConversationDetail, ApiError>;
    async fn remove_member(&self, me: UserId, id: ConversationId, user: UserId)
    -> Result<ConversationDetail, ApiError>;
    async fn set_role(
        &self,
        me: UserId,
        id: ConversationId,
        user: UserId,
        role: Role,
    ) -> Result<ConversationDetail, ApiError>;
    async fn leave(&self, me: UserId, id: ConversationId) -> Result<(), ApiError>;
    async fn set_flags(
        &self,
        me: UserId,
        id: ConversationId,
        flags: ConversationFlags,
    ) -> Result<ConversationSummary, ApiError>;

    async fn history(&self, me: UserId, id: ConversationId, before: Option<Seq>) -> Result<HistoryPage, ApiError>;
    async fn sync(&self, me: UserId, id: ConversationId, after_rev: Rev) -> Result<SyncPage, ApiError>;
    async fn send(
        &self,
        me: UserId,
        id: ConversationId,
        client_msg_id: String,
        body: String,
        reply_to: Option<MessageId>,
        attachment: Option<shared::MediaId>,
    ) -> Result<MessageView, ApiError>;
    async fn edit(&self, me: UserId, message: MessageId, body: String) -> Result<MessageView, ApiError>;
    async fn delete(&self, me: UserId, message: MessageId) -> Result<MessageView, ApiError>;
    async fn react(&self, me: UserId, message: MessageId, emoji: Option<String>) -> Result<MessageView, ApiError>;
    async fn forward(
        &self,
        me: UserId,
        messages: Vec<MessageId>,
        targets: Vec<ConversationId>,
    ) -> Result<Vec<MessageView>, ApiError>;
    async fn star(&self, me: UserId, message: MessageId, starred: bool) -> Result<MessageMark, ApiError>;
    async fn hide(
        &self,
        me: UserId,
        id: ConversationId,
        messages: Vec<MessageId>,
    ) -> Result<Vec<MessageMark>, ApiError>;
    async fn starred(&self, me: UserId, before: Option<StarredCursor>) -> Result<StarredPage, ApiError>;
    async fn mark(&self, me: UserId, id: ConversationId, seq: Seq, read: bool) -> Result<Receipt, ApiError>;
    async fn search(&self, me: UserId, query: String, id: Option<ConversationId>) -> Result<Vec<SearchHit>, ApiError>;
}

/// The handle the server provides as Leptos context.
pub type SharedBackend = Arc<dyn Backend>;

pub fn backend() -> Result<SharedBackend, AppError> {
    use_context::<SharedBackend>().ok_or_else(|| ApiError::internal().into())
}

async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|_| ApiError::internal().into())
}

/// The backend and the logged-in user, or `unauthorized`.
pub async fn caller() -> Result<(SharedBackend, UserId), AppError> {
    let session = session().await?;
    let user = session
        .get::<UserId>(USER_KEY)
        .await
        .map_err(|_| AppError::from(ApiError::internal()))?
        .ok_or_else(|| AppError::from(ApiError::unauthorized()))?;
    Ok((backend()?, user))
}

pub async fn client_info() -> ClientInfo {
    let ip = leptos_axum::extract::<axum::extract::ConnectInfo<SocketAddr>>()
        .await
        .map(|info| info.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    ClientInfo { ip }
}

/// Starts an authenticated session under a fresh id (no session fixation), noting the browser
/// it came from for "Devices". Sockets opened with the id it replaces, if any, end.
pub async fn start_session(user: UserId) -> Result<(), AppError> {
    let session = session().await?;
    let previous = session.id();
    cycle(&session).await?;
    let internal = |_| AppError::from(ApiError::internal());
    session.insert(USER_KEY, user).await.map_err(internal)?;
    let user_agent = request_parts()
        .and_then(|parts| parts.headers.get(http::header::USER_AGENT)?.to_str().ok().map(str::to_owned))
        .unwrap_or_default();
    session.insert(USER_AGENT_KEY, truncated(user_agent, USER_AGENT_MAX)).await.map_err(internal)?;
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_millis() as i64);
    session.insert(SIGNED_IN_KEY, now).await.map_err(internal)?;
    if let Some(previous) = previous {
        backend()?.session_ended(previous).await;
    }
    Ok(())
}

/// The same session under a fresh id (after a password change): what it holds stays. The
/// sockets opened with the old id end just after the answer (see [`Backend::session_renewed`]).
pub async fn cycle_session() -> Result<(), AppError> {
    let session = session().await?;
    let old = session.id();
    cycle(&session).await?;
    if let Some(old) = old {
        backend()?.session_renewed(old).await;
    }
    Ok(())
}

async fn cycle(session: &Session) -> Result<(), AppError> {
    session.cycle_id().await.map_err(|_| AppError::from(ApiError::internal()))
}

/// The id of the caller's session, which a logged-in caller always has.
pub async fn session_id() -> Result<Id, AppError> {
    session().await?.id().ok_or_else(|| ApiError::unauthorized().into())
}

fn truncated(mut text: String, max: usize) -> String {
    if text.len() > max {
        let mut end = max;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

/// Deletes the session on the server, so its cookie is worthless even if kept, and ends the
/// sockets opened with it.
pub async fn end_session() -> Result<(), AppError> {
    let session = session().await?;
    let id = session.id();
    session.flush().await.map_err(|_| AppError::from(ApiError::internal()))?;
    if let Some(id) = id {
        backend()?.session_ended(id).await;
    }
    Ok(())
}

/// Sets the HTTP status of the current server-function answer from an error code.
pub fn set_status(code: ErrorCode) {
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>()
        && let Ok(status) = http::StatusCode::from_u16(code.http_status())
    {
        options.set_status(status);
    }
}

fn request_parts() -> Option<http::request::Parts> {
    use_context::<http::request::Parts>()
}

/// True when the request is a plain HTML form post (JavaScript off), not a `fetch`.
pub fn is_plain_form_post() -> bool {
    request_parts()
        .and_then(|parts| parts.headers.get(http::header::ACCEPT)?.to_str().ok().map(|v| v.contains("text/html")))
        .unwrap_or(false)
}

/// Without JavaScript a failed form post must come back as a page: redirect to `page` with the
/// error's code (and field) in the query, which the page turns into a message.
pub fn form_error(page: &str, error: AppError) -> AppError {
    if is_plain_form_post() {
        let mut target = format!("{page}?error={}", error.code().as_str());
        if let Some(field) = error.field() {
            target.push_str("&field=");
            target.push_str(field);
        }
        leptos_axum::redirect(&target);
    }
    error
}

/// Hands the CSP nonce the security middleware chose for this response to Leptos, which puts
/// it on the hydration scripts.
pub fn provide_request_nonce() {
    if let Some(nonce) = request_parts().and_then(|parts| parts.extensions.get::<RequestNonce>().cloned()) {
        provide_context(Nonce::from_value(nonce.0));
    }
}

/// The per-response CSP nonce, put in request extensions by the server's security middleware.
#[derive(Clone, Debug)]
pub struct RequestNonce(pub String);

/// The theme cookie of the current request, if any.
pub fn cookie(name: &str) -> Option<String> {
    let parts = request_parts()?;
    let header = parts.headers.get(http::header::COOKIE)?.to_str().ok()?;
    header.split(';').find_map(|pair| {
        let (key, value) = pair.trim().split_once('=')?;
        (key == name).then(|| value.to_owned())
    })
}
