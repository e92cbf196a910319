//! Requests on reserved connection slots (see `crate::serve`): served only with a valid
//! session, or for the health check. Everything else there is answered `503` at once, before
//! its body is read, and its connection closed, so anonymous clients that already fill the
//! general slots cannot take these too. This must stay cheap: it runs before any handler and
//! reads nothing but the session.

use crate::serve::{Slot, body::close_after};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, StatusCode, header};
use tower_sessions::Session;

pub const HEALTH_PATH: &str = "/healthz";

pub async fn members_only(session: Session, request: Request, next: Next) -> Response {
    let reserved = request.extensions().get::<Slot>() == Some(&Slot::Reserved);
    if !reserved || request.uri().path() == HEALTH_PATH || crate::sessions::signed_in(&session).await.is_some() {
        return next.run(request).await;
    }
    tracing::debug!(path = %request.uri().path(), "anonymous request on a reserved slot refused");
    // Plain text: this comes from the connection's slot, not from an endpoint.
    let mut response =
        (StatusCode::SERVICE_UNAVAILABLE, "The server is busy. Try again in a moment.\n").into_response();
    response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
    close_after(&mut response, request.version());
    response
}
