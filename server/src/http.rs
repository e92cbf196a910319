//! HTTP wiring: routes, layers and the handlers that are only glue. Domain logic lives in the
//! domain modules; this module only decides which request goes where and through what.

mod assets;
mod media;
mod pages;
mod reserved;
pub mod security;

use crate::realtime::ws_handler;
use crate::state::AppState;
use app::{App, shell};
use axum::routing::{get, post};
use axum::{Router, middleware};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes, generate_route_list};
use shared::limits::MAX_API_BODY_BYTES;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite};

pub const SESSION_COOKIE: &str = "messenger_session";
/// The name behind HTTPS (`COOKIE_SECURE=true`): browsers accept a `__Host-` cookie only if it
/// is `Secure`, for path `/` and without `Domain`, so no subdomain or plain-HTTP page can set
/// or shadow it.
pub const SECURE_SESSION_COOKIE: &str = "__Host-messenger_session";

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let sessions = SessionManagerLayer::new(crate::sessions::DbSessionStore::new(state.db.clone()))
        .with_name(if state.config.cookie_secure { SECURE_SESSION_COOKIE } else { SESSION_COOKIE })
        .with_path("/")
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_secure(state.config.cookie_secure)
        .with_expiry(Expiry::OnInactivity(time::Duration::seconds(state.config.session_idle_secs)));

    let context = {
        let backend = state.backend.clone();
        move || provide_context(backend.clone())
    };
    // leptos_routes_with_context also mounts every server function at its `/api/...` endpoint.
    let pages = Router::new()
        .leptos_routes_with_context(&state, routes, context, {
            let options = state.leptos.clone();
            move || shell(options.clone())
        })
        .layer(middleware::from_fn(pages::retry_stalled_render))
        .layer(middleware::from_fn(pages::guard))
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell));

    // The socket upgrade stays outside compression (a 101 has no body to encode).
    let socket = Router::new().route("/ws", get(ws_handler));
    let site_pkg = std::path::Path::new(&*state.leptos.site_root).join(&*state.leptos.site_pkg_dir);
    if assets::enabled() {
        assets::precompress_in_background(site_pkg.clone());
    }
    let api = Router::new()
        .route(reserved::HEALTH_PATH, get(|| async { "ok" }))
        .merge(assets::router(&format!("/{}", state.leptos.site_pkg_dir), &site_pkg))
        .merge(pages)
        .layer(RequestBodyLimitLayer::new(MAX_API_BODY_BYTES))
        // Pages, JSON and the WASM/JS/CSS bundle (1.7 MB of WASM is ~0.5 MB as brotli). Media
        // is left alone: photos and voice are compressed already, and Range needs raw bytes.
        .layer(CompressionLayer::new().br(true).gzip(true));
    let media = Router::new()
        .route(media::UPLOAD_PATH, post(media::upload))
        .route("/media/{id}", get(media::download))
        .route("/media/{id}/thumb", get(media::thumbnail))
        .layer(RequestBodyLimitLayer::new(media::MAX_UPLOAD_REQUEST_BYTES))
        // axum's own 2 MB default for extractors would cut uploads short of 4 MiB, and a second
        // limit of the same size would fire first on a chunked body, burying the layer's
        // `LengthLimitError` (which `Multipart` maps to 413) one error deeper, as a 400.
        .layer(axum::extract::DefaultBodyLimit::disable());

    Router::new()
        .merge(socket)
        .merge(media)
        .merge(api)
        .layer(middleware::from_fn(security::reject_large_bodies))
        .layer(middleware::from_fn_with_state(state.clone(), security::require_same_origin))
        // Right after the session is known: a refused request costs no more than that.
        .layer(middleware::from_fn(reserved::members_only))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(state.clone(), security::headers))
        .with_state(state)
}
