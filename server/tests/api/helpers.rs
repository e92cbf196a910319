//! `spawn_app()` and typed helpers for talking to it.

use leptos::config::LeptosOptions;
use reqwest::cookie::{CookieStore, Jar};
use reqwest::{Client, Response, StatusCode};
use serde_json::Value;
use server::{config::Config, Application};
use std::net::SocketAddr;
use std::sync::Arc;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub addr: SocketAddr,
    _dir: tempfile::TempDir,
}

/// A browser-like client: its own cookie jar, talking to one app.
pub struct User {
    pub client: Client,
    pub jar: Arc<Jar>,
    pub base: String,
}

pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let config = Config::for_tests(dir.path());
    let leptos = LeptosOptions::builder().output_name("messenger").site_root("target/site").build();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let app = Application::build(config, leptos, listener).await.expect("build app");
    let addr = app.local_addr().expect("addr");
    tokio::spawn(app.run());
    TestApp { addr, _dir: dir }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn user(&self) -> User {
        let jar = Arc::new(Jar::default());
        let client = Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        User { client, jar, base: self.url("") }
    }

    /// A new user, registered and logged in under a unique name.
    pub async fn registered(&self, username: &str) -> User {
        let user = self.user();
        let res = user.register(username, "Test User", PASSWORD).await;
        assert_eq!(res.status(), StatusCode::OK, "register {username}: {}", res.text().await.unwrap_or_default());
        user
    }
}

impl User {
    pub async fn form(&self, path: &str, form: &[(&str, &str)]) -> Response {
        self.client.post(format!("{}{path}", self.base)).form(form).send().await.expect("request")
    }

    pub async fn json(&self, path: &str, body: &Value) -> Response {
        self.client.post(format!("{}{path}", self.base)).json(body).send().await.expect("request")
    }

    pub async fn register(&self, username: &str, display_name: &str, password: &str) -> Response {
        self.form(
            "/api/accounts/register",
            &[("username", username), ("display_name", display_name), ("password", password)],
        )
        .await
    }

    pub async fn login(&self, username: &str, password: &str) -> Response {
        self.form("/api/accounts/login", &[("username", username), ("password", password)]).await
    }

    pub async fn me(&self) -> Response {
        self.json("/api/accounts/me", &serde_json::json!({})).await
    }

    pub async fn logout(&self) -> Response {
        self.form("/api/accounts/logout", &[]).await
    }

    /// The `Cookie` header this user's browser would send.
    pub fn cookie_header(&self) -> Option<String> {
        let url = self.base.parse().expect("url");
        self.jar.cookies(&url).and_then(|v| v.to_str().ok().map(str::to_owned))
    }
}

/// Reads an error answer: (status, code, field).
pub async fn error_of(res: Response) -> (StatusCode, String, Option<String>) {
    let status = res.status();
    let body: Value = res.json().await.expect("error body is JSON");
    let code = body["code"].as_str().expect("code").to_owned();
    let field = body["field"].as_str().map(str::to_owned);
    (status, code, field)
}
