//! Page-level access rules, applied before rendering: the chat needs a session, and the
//! landing page sends a logged-in visitor straight to the chat. (The server functions behind
//! the pages authorize every call again; this only spares people a useless page.) And a page
//! render that stalls gets another one beside it ([`retry_stalled_render`]).

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use shared::UserId;
use std::time::Duration;
use tower_sessions::Session;

/// Renders of one page at most, and how long each may take before another is started beside it.
/// A release build renders a page in milliseconds; a debug build on a busy machine (tests
/// beside a compiler, 40 pages at once) can take seconds, and must not be taken for stalled:
/// its patience is longer, while the three attempts still end within the test client's 60 s.
const RENDER_ATTEMPTS: u32 = 3;
const RENDER_PATIENCE: Duration = if cfg!(debug_assertions) { Duration::from_secs(15) } else { Duration::from_secs(5) };

pub async fn guard(session: Session, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let logged_in = matches!(session.get::<UserId>(app::backend::USER_KEY).await, Ok(Some(_)));
    if !logged_in && (path == "/chat" || path.starts_with("/chat/")) {
        return Redirect::to("/login").into_response();
    }
    if logged_in && path == "/" {
        return Redirect::to("/chat").into_response();
    }
    next.run(request).await
}

/// Leptos 0.8.23's `<Suspense>` can, rarely and only with concurrent renders, never resolve on
/// the server: the response never starts while the process sits idle (leptos-rs/leptos#4851;
/// fixed upstream by #4864, which no 0.8 release has). Pages render whole before their first
/// byte (`SsrMode::Async`), so when a render has produced no response within
/// [`RENDER_PATIENCE`], another is started beside it, and the first to finish answers: a render
/// that was only slow is not thrown away, so a busy machine costs extra work, not the render.
/// Only GET pages: they have no body and no side effects. Server functions (`/api/...`) pass
/// straight through.
pub async fn retry_stalled_render(request: Request, next: Next) -> Response {
    render_with_patience(RENDER_PATIENCE, request, next).await
}

async fn render_with_patience(patience: Duration, request: Request, next: Next) -> Response {
    if request.method() != Method::GET || request.uri().path().starts_with("/api/") {
        return next.run(request).await;
    }
    let (parts, _) = request.into_parts();
    let mut renders = FuturesUnordered::new();
    for attempt in 1..=RENDER_ATTEMPTS {
        renders.push(next.clone().run(Request::from_parts(parts.clone(), Body::empty())));
        if let Ok(Some(response)) = tokio::time::timeout(patience, renders.next()).await {
            return response;
        }
        tracing::warn!(path = %parts.uri.path(), attempt, "page render stalled; starting another beside it");
    }
    (StatusCode::SERVICE_UNAVAILABLE, "This page took too long to render. Reload to try again.").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::routing::get;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};
    use tower::ServiceExt;

    /// A page whose first `stalls` renders never finish, as the Leptos bug does.
    fn app(stalls: u32) -> (Router, Arc<AtomicU32>) {
        let renders = Arc::new(AtomicU32::new(0));
        let counter = renders.clone();
        let router = Router::new()
            .route(
                "/chat",
                get(move || {
                    let n = counter.fetch_add(1, Ordering::SeqCst);
                    async move {
                        if n < stalls {
                            std::future::pending::<()>().await;
                        }
                        "the page"
                    }
                }),
            )
            .layer(axum::middleware::from_fn(|request, next| {
                render_with_patience(Duration::from_millis(50), request, next)
            }));
        (router, renders)
    }

    async fn get_chat(router: Router) -> (StatusCode, String) {
        let response =
            router.oneshot(Request::get("/chat").body(Body::empty()).expect("request")).await.expect("infallible");
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), 1 << 16).await.expect("body");
        (status, String::from_utf8_lossy(&body).into_owned())
    }

    #[tokio::test]
    async fn a_stalled_render_is_started_again_and_answers() {
        let (router, renders) = app(2);
        assert_eq!(get_chat(router).await, (StatusCode::OK, "the page".to_owned()));
        assert_eq!(renders.load(Ordering::SeqCst), 3, "two stalled renders, then one that finished");
    }

    #[tokio::test]
    async fn a_page_that_always_stalls_gets_a_503_after_the_last_attempt() {
        let (router, renders) = app(u32::MAX);
        let (status, body) = get_chat(router).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(body.contains("Reload"), "{body}");
        assert_eq!(renders.load(Ordering::SeqCst), RENDER_ATTEMPTS);
    }

    #[tokio::test]
    async fn a_page_that_renders_is_rendered_once() {
        let (router, renders) = app(0);
        assert_eq!(get_chat(router).await.0, StatusCode::OK);
        assert_eq!(renders.load(Ordering::SeqCst), 1);
    }
}
