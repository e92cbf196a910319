use crate::helpers::{PASSWORD, error_of, spawn_app};
use reqwest::StatusCode;

#[tokio::test]
async fn a_foreign_origin_cannot_call_server_functions() {
    let app = spawn_app().await;
    let user = app.registered("ivan").await;
    for path in ["/api/accounts/me", "/api/accounts/logout"] {
        let res = user
            .client
            .post(app.url(path))
            .header("origin", "https://evil.example")
            .json(&serde_json::json!({}))
            .send()
            .await
            .expect("request");
        let (status, code, _) = error_of(res).await;
        assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "bad_origin"), "{path}");
    }
    assert_eq!(user.me().await.status(), StatusCode::OK, "the refused logout did not log out");
}

#[tokio::test]
async fn a_cross_site_login_form_is_refused() {
    let app = spawn_app().await;
    app.registered("judy").await;
    let res = app
        .user()
        .client
        .post(app.url("/api/accounts/login"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("username", "judy"), ("password", PASSWORD)])
        .send()
        .await
        .expect("request");
    assert_eq!(error_of(res).await.1, "bad_origin");
}

#[tokio::test]
async fn the_own_origin_is_allowed() {
    let app = spawn_app().await;
    let user = app.registered("kate").await;
    let res = user
        .client
        .post(app.url("/api/accounts/me"))
        .header("origin", format!("http://{}", app.addr))
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn malformed_bodies_get_a_clear_400() {
    let app = spawn_app().await;
    let user = app.registered("leo").await;
    let res = user
        .client
        .post(app.url("/api/accounts/me"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("request");
    let (status, code, _) = error_of(res).await;
    assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "invalid_input"));

    let missing_fields = user.form("/api/accounts/register", &[("username", "mallory")]).await;
    let (status, code, _) = error_of(missing_fields).await;
    assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "invalid_input"));
}

#[tokio::test]
async fn oversized_bodies_are_refused_with_413() {
    let app = spawn_app().await;
    let user = app.user();
    let huge = "x".repeat(200 * 1024);
    let res = user
        .form("/api/accounts/register", &[("username", "nina"), ("display_name", &huge), ("password", PASSWORD)])
        .await;
    let (status, code, _) = error_of(res).await;
    assert_eq!((status, code.as_str()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"));
    assert_eq!(user.login("nina", PASSWORD).await.status(), StatusCode::UNAUTHORIZED, "nothing was stored");
}

#[tokio::test]
async fn pages_carry_security_headers_with_a_fresh_nonce() {
    let app = spawn_app().await;
    let client = app.user().client;
    let first = client.get(app.url("/login")).send().await.expect("request");
    assert_eq!(first.status(), StatusCode::OK);
    let csp = first.headers()["content-security-policy"].to_str().expect("csp").to_owned();
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("'wasm-unsafe-eval'"), "{csp}");
    assert_eq!(first.headers()["x-content-type-options"], "nosniff");
    let nonce = csp.split("'nonce-").nth(1).and_then(|s| s.split('\'').next()).expect("nonce").to_owned();
    let html = first.text().await.expect("html");
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "hydration scripts carry the CSP nonce");
    let second = client.get(app.url("/login")).send().await.expect("request");
    assert!(!second.headers()["content-security-policy"].to_str().expect("csp").contains(&nonce));
}

#[tokio::test]
async fn pages_and_answers_with_someones_chats_are_never_cached() {
    let app = spawn_app().await;
    let user = app.registered("kate").await;
    let page = user.client.get(app.url("/chat")).send().await.expect("request");
    assert_eq!(page.status(), StatusCode::OK);
    assert_eq!(page.headers()["cache-control"], "no-store", "the chat page");
    assert_eq!(page.headers()["cross-origin-opener-policy"], "same-origin");
    assert!(page.headers().get("strict-transport-security").is_none(), "no HSTS over plain HTTP");
    let me = user.me().await;
    assert_eq!(me.headers()["cache-control"], "no-store", "a server function's JSON");
}

/// Behind HTTPS the session cookie is `__Host-` prefixed (Secure, path /, no Domain), so no
/// subdomain or plain-HTTP page can plant or shadow it, and pages send HSTS.
#[tokio::test]
async fn behind_https_the_session_cookie_is_host_prefixed_and_hsts_is_sent() {
    let app = crate::helpers::spawn_app_with(|config| config.cookie_secure = true).await;
    let user = app.user();
    let res = user.register("lars", "Lars", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookie = res.headers()["set-cookie"].to_str().expect("set-cookie").to_owned();
    assert!(cookie.starts_with("__Host-messenger_session="), "{cookie}");
    for attribute in ["Secure", "HttpOnly", "Path=/", "SameSite=Lax"] {
        assert!(cookie.contains(attribute), "{attribute} in {cookie}");
    }
    assert!(!cookie.to_ascii_lowercase().contains("domain="), "{cookie}");
    let page = user.client.get(app.url("/login")).send().await.expect("request");
    assert!(page.headers().get("strict-transport-security").is_some(), "HSTS when secure");
}
