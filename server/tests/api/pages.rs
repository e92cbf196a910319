use crate::helpers::spawn_app;
use reqwest::StatusCode;

#[tokio::test]
async fn the_chat_sends_visitors_without_a_session_to_login() {
    let app = spawn_app().await;
    let res = app.user().client.get(app.url("/chat")).send().await.expect("request");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(res.headers()["location"], "/login");
}

#[tokio::test]
async fn the_chat_shell_is_rendered_on_the_server_for_a_session() {
    let app = spawn_app().await;
    let user = app.registered("olga").await;
    let res = user.client.get(app.url("/chat")).send().await.expect("request");
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("html");
    assert!(html.contains("Test User"), "the display name is in the server-rendered HTML");
    assert!(html.contains("aria-label=\"Log out\""));
}

#[tokio::test]
async fn logged_in_visitors_skip_the_landing_page() {
    let app = spawn_app().await;
    let user = app.registered("pete").await;
    let res = user.client.get(app.url("/")).send().await.expect("request");
    assert_eq!(res.headers()["location"], "/chat");
    let anonymous = app.user().client.get(app.url("/")).send().await.expect("request");
    assert_eq!(anonymous.status(), StatusCode::OK);
    assert!(anonymous.text().await.expect("html").contains("Create an account"));
}

#[tokio::test]
async fn login_page_works_without_javascript_and_shows_errors_from_the_query() {
    let app = spawn_app().await;
    let html = app.user().client.get(app.url("/login?error=invalid_credentials")).send().await.expect("request")
        .text().await.expect("html");
    assert!(html.contains("action=\"/api/accounts/login\""), "a real form posts without WASM");
    assert!(html.contains("Wrong username or password."));
}

#[tokio::test]
async fn unknown_pages_are_404() {
    let app = spawn_app().await;
    let res = app.user().client.get(app.url("/no/such/page")).send().await.expect("request");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}
