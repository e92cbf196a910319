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
    let html = app
        .user()
        .client
        .get(app.url("/login?error=invalid_credentials"))
        .send()
        .await
        .expect("request")
        .text()
        .await
        .expect("html");
    assert!(html.contains("action=\"/api/accounts/login\""), "a real form posts without WASM");
    assert!(html.contains("Wrong username or password."));
}

#[tokio::test]
async fn unknown_pages_are_404() {
    let app = spawn_app().await;
    let res = app.user().client.get(app.url("/no/such/page")).send().await.expect("request");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

/// On a multi-threaded runtime a streamed page may be finished, and its reactive owner
/// dropped, on another worker thread than the one that rendered it. A thread-local signal
/// created while rendering then panics on drop and cuts the page off mid-stream.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn open_chat_pages_render_whole_on_a_multi_threaded_runtime() {
    let app = spawn_app().await;
    let (alice, _bob, conv) = crate::helpers::pair(&app, "tia", "uma").await;
    alice.send(conv, 1, "hello from the server render").await;
    let alice = std::sync::Arc::new(alice);
    let url = app.url(&format!("/chat/{conv}"));
    let pages = (0..40).map(|_| {
        let (alice, url) = (alice.clone(), url.clone());
        tokio::spawn(async move {
            let res = alice.client.get(url).send().await.expect("request");
            assert_eq!(res.status(), StatusCode::OK);
            res.text().await.expect("the whole body")
        })
    });
    for page in futures::future::join_all(pages).await {
        let html = page.expect("task");
        assert!(html.contains("hello from the server render"), "the latest messages are rendered");
        // Resolved resources stream in after the document as <script> chunks.
        assert!(
            html.contains("</html>") && html.trim_end().ends_with("</script>"),
            "the page ends: …{}",
            &html[html.len().saturating_sub(200)..]
        );
    }
}
