//! Page-level access rules, applied before rendering: the chat needs a session, and the
//! landing page sends a logged-in visitor straight to the chat. (The server functions behind
//! the pages authorize every call again; this only spares people a useless page.)

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use shared::UserId;
use tower_sessions::Session;

pub async fn guard(session: Session, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let logged_in = matches!(session.get::<UserId>("user_id").await, Ok(Some(_)));
    if !logged_in && (path == "/chat" || path.starts_with("/chat/")) {
        return Redirect::to("/login").into_response();
    }
    if logged_in && path == "/" {
        return Redirect::to("/chat").into_response();
    }
    next.run(request).await
}
