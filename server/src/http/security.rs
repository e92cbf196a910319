//! Cross-origin protection and security headers.
//!
//! Leptos server functions do no CSRF check, so every state-changing request (any method but
//! GET/HEAD/OPTIONS) must come from an allowed origin: `Origin` must match `PUBLIC_ORIGIN`
//! (or, when that is unset, the request's own `Host`); without `Origin`, `Sec-Fetch-Site` must
//! be `same-origin` or `none`. Requests with neither header come from non-browser clients,
//! which cannot be driven by a hostile page, and are allowed. The socket upgrade is checked the
//! same way in `realtime`.

use crate::error::Error;
use crate::state::AppState;
use app::backend::RequestNonce;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use http::{HeaderMap, HeaderValue, Method, header};
use rand::RngCore as _;
use shared::limits::MAX_API_BODY_BYTES;
use shared::{ApiError, ErrorCode};

pub fn origin_allowed(headers: &HeaderMap, allowed: &[String]) -> bool {
    if let Some(origin) = headers.get(header::ORIGIN) {
        let Ok(origin) = origin.to_str() else { return false };
        if !allowed.is_empty() {
            return allowed.iter().any(|a| a == origin);
        }
        let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
        let origin_host = origin.split_once("://").map(|(_, rest)| rest);
        return matches!((origin_host, host), (Some(o), Some(h)) if o.eq_ignore_ascii_case(h));
    }
    match headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        Some(site) => site == "same-origin" || site == "none",
        None => true,
    }
}

pub async fn require_same_origin(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let safe = matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && !origin_allowed(request.headers(), &state.config.public_origins) {
        tracing::warn!(path = %request.uri().path(), "cross-origin request refused");
        return Error::bad_origin("Cross-origin request refused.").into_response();
    }
    next.run(request).await
}

/// Answers an over-long declared body with a JSON 413 before anything reads it (the body-limit
/// layer behind this catches bodies that lie about or omit their length).
///
/// Upload bodies are never read here: the upload handler authenticates first and then streams
/// them to disk under its own limit. Buffering them here, before the session check, let
/// anonymous clients hold 4 MiB of memory each with unfinished chunked bodies.
pub async fn reject_large_bodies(request: Request, next: Next) -> Response {
    let upload = request.uri().path() == super::media::UPLOAD_PATH;
    let limit = if upload { super::media::MAX_UPLOAD_REQUEST_BYTES } else { MAX_API_BODY_BYTES };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let too_large = || {
        let message = if limit > MAX_API_BODY_BYTES {
            format!("Files can be at most {} MB.", shared::limits::MAX_UPLOAD_BYTES / (1024 * 1024))
        } else {
            format!("Request body is larger than {} KiB.", limit / 1024)
        };
        Error::Api(ApiError::new(ErrorCode::PayloadTooLarge, message)).into_response()
    };
    if declared.is_some_and(|len| len > limit) {
        return too_large();
    }
    // A chunked body declares no length: read it here, up to the limit, so an oversized one is
    // a 413 too rather than a parse error inside the server function.
    if declared.is_none() && !upload && request.headers().contains_key(header::TRANSFER_ENCODING) {
        use futures::StreamExt as _;
        let (parts, body) = request.into_parts();
        let mut stream = body.into_data_stream();
        let mut bytes = Vec::new();
        while let Some(chunk) = stream.next().await {
            let Ok(chunk) = chunk else {
                return Error::Api(ApiError::new(ErrorCode::InvalidInput, "The request body could not be read."))
                    .into_response();
            };
            if bytes.len() + chunk.len() > limit {
                return too_large();
            }
            bytes.extend_from_slice(&chunk);
        }
        return next.run(Request::from_parts(parts, axum::body::Body::from(bytes))).await;
    }
    next.run(request).await
}

/// Sets CSP (with a fresh nonce for Leptos' hydration scripts), nosniff, framing, referrer and
/// opener policy on every response; `no-store` on pages and JSON (they show someone's chats,
/// and a shared computer's cache must not keep them); HSTS when cookies are `Secure` (the site
/// is served over HTTPS then).
pub async fn headers(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let nonce = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    request.extensions_mut().insert(RequestNonce(nonce.clone()));
    let mut response = next.run(request).await;

    // cargo-leptos' live reload talks to its own port while `cargo leptos watch` runs.
    let reload = std::env::var("LEPTOS_WATCH")
        .ok()
        .map(|_| {
            let port = std::env::var("LEPTOS_RELOAD_PORT").unwrap_or_else(|_| "3001".into());
            format!(" ws://127.0.0.1:{port} ws://localhost:{port}")
        })
        .unwrap_or_default();
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob:; \
         connect-src 'self'{reload}; font-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'; manifest-src 'self'"
    );
    let headers = response.headers_mut();
    // Responses that set their own (stricter) policy, like served media, keep it.
    if let (false, Ok(value)) = (headers.contains_key(header::CONTENT_SECURITY_POLICY), HeaderValue::from_str(&csp)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    headers.insert("permissions-policy", HeaderValue::from_static("camera=(), geolocation=(), microphone=(self)"));
    headers.insert("cross-origin-opener-policy", HeaderValue::from_static("same-origin"));
    let dynamic = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html") || t.starts_with("application/json"));
    if dynamic && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if state.config.cookie_secure {
        headers
            .insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000; includeSubDomains"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (k, v) in pairs {
            map.insert(*k, HeaderValue::from_static(v));
        }
        map
    }

    #[test]
    fn same_host_origin_is_allowed_without_configuration() {
        assert!(origin_allowed(&headers(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")]), &[]));
        assert!(!origin_allowed(&headers(&[("origin", "http://evil.example"), ("host", "127.0.0.1:3000")]), &[]));
        assert!(!origin_allowed(&headers(&[("origin", "null"), ("host", "127.0.0.1:3000")]), &[]));
    }

    #[test]
    fn configured_origins_are_the_only_ones_allowed() {
        let allowed = vec!["https://chat.example.com".to_owned()];
        assert!(origin_allowed(&headers(&[("origin", "https://chat.example.com")]), &allowed));
        assert!(!origin_allowed(
            &headers(&[("origin", "http://127.0.0.1:3000"), ("host", "127.0.0.1:3000")]),
            &allowed
        ));
    }

    #[test]
    fn fetch_metadata_decides_when_origin_is_missing() {
        assert!(!origin_allowed(&headers(&[("sec-fetch-site", "cross-site")]), &[]));
        assert!(origin_allowed(&headers(&[("sec-fetch-site", "same-origin")]), &[]));
        assert!(origin_allowed(&headers(&[]), &[]), "non-browser clients send neither");
    }
}
