//! A browser-like client that can talk to any node: one cookie jar (cookies ignore ports, so
//! the session made on one node is sent to the others, as behind one load balancer), server
//! functions over HTTP, and WebSockets with the cookie and the node's own Origin.

use crate::node::Node;
use futures::{SinkExt, StreamExt};
use reqwest::cookie::{CookieStore, Jar};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

pub const PASSWORD: &str = "correct horse battery";
/// How long a frame that must come may take: only a guard against a hung test, far beyond what
/// a debug build on a loaded machine needs.
pub const PATIENCE: Duration = Duration::from_secs(30);

pub struct Browser {
    http: reqwest::Client,
    jar: Arc<Jar>,
}

impl Browser {
    pub fn new() -> Self {
        let jar = Arc::new(Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(60))
            .build()
            .expect("client");
        Self { http, jar }
    }

    /// Registers (and so logs in) on `node`; returns the user id.
    pub async fn register(&self, node: &Node, username: &str) -> i64 {
        let form = [("username", username), ("display_name", username), ("password", PASSWORD)];
        let res = self.http.post(node.url("/api/accounts/register")).form(&form).send().await.expect("register");
        assert!(res.status().is_success(), "register {username} on {}: {}", node.name, res.status());
        self.call(node, "accounts/me", json!({})).await["id"].as_i64().expect("id")
    }

    /// Logs out through `node`.
    pub async fn logout(&self, node: &Node) {
        let no_fields: [(&str, &str); 0] = [];
        let res = self.http.post(node.url("/api/accounts/logout")).form(&no_fields).send().await.expect("logout");
        let status = res.status();
        assert!(status.is_success() || status.is_redirection(), "logout on {}: {status}", node.name);
    }

    /// Calls a server function on `node` that must succeed.
    pub async fn call(&self, node: &Node, endpoint: &str, body: Value) -> Value {
        let res = self.http.post(node.url(&format!("/api/{endpoint}"))).json(&body).send().await.expect("request");
        let status = res.status();
        let text = res.text().await.expect("body");
        assert!(status.is_success(), "{endpoint} on {}: {status} {text}", node.name);
        serde_json::from_str(&text).expect("json")
    }

    /// Opens `/ws` on `node` and reads its `hello`.
    pub async fn socket(&self, node: &Node) -> Socket {
        let mut request = format!("ws://{}/ws", node.addr).into_client_request().expect("request");
        let cookie = self.jar.cookies(&node.url("/").parse().expect("url")).expect("a session cookie");
        request.headers_mut().insert("cookie", cookie);
        request.headers_mut().insert("origin", node.url("").parse().expect("origin"));
        let (stream, _) = tokio_tungstenite::connect_async(request).await.expect("connect");
        let mut socket = Socket { stream, node: node.name, seen: Vec::new() };
        let hello = socket.next().await;
        assert_eq!(hello["type"], "hello", "{hello}");
        socket
    }
}

pub struct Socket {
    stream: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    node: &'static str,
    /// Every frame read so far, skipped ones included (for "exactly once" checks).
    pub seen: Vec<Value>,
}

impl Socket {
    pub async fn send(&mut self, frame: Value) {
        self.stream.send(Message::text(frame.to_string())).await.expect("send frame");
    }

    /// The next text frame; fails after `PATIENCE`.
    pub async fn next(&mut self) -> Value {
        self.next_within(PATIENCE).await.unwrap_or_else(|| panic!("a frame on {} within {PATIENCE:?}", self.node))
    }

    async fn next_within(&mut self, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let message = tokio::time::timeout_at(deadline, self.stream.next()).await.ok()?;
            match message {
                Some(Ok(Message::Text(text))) => {
                    let frame: Value = serde_json::from_str(&text).expect("json frame");
                    self.seen.push(frame.clone());
                    return Some(frame);
                }
                Some(Ok(_)) => {}
                other => panic!("socket on {} ended: {other:?}", self.node),
            }
        }
    }

    /// The next frame that satisfies `wanted`, skipping others; fails after `wait`.
    pub async fn next_where(&mut self, wait: Duration, what: &str, wanted: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_within(left).await {
                Some(frame) if wanted(&frame) => return frame,
                Some(_) => {}
                None => panic!("{what} on {} within {wait:?}", self.node),
            }
        }
    }

    /// The next frame of `kind`, skipping others.
    pub async fn next_of(&mut self, kind: &str) -> Value {
        self.next_where(PATIENCE, kind, |f| f["type"] == kind).await
    }

    /// The frames before the first one that satisfies `marker` (which is read, and left out);
    /// fails after `PATIENCE`. With a marker that must come after an unwanted frame, this checks
    /// that the unwanted one never came, without listening for a while.
    pub async fn until(&mut self, what: &str, marker: impl Fn(&Value) -> bool) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        let mut before = Vec::new();
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            match self.next_within(left).await {
                Some(frame) if marker(&frame) => return before,
                Some(frame) => before.push(frame),
                None => panic!("{what} on {} within {PATIENCE:?}", self.node),
            }
        }
    }

    /// Every frame the node has queued for this socket so far: sends a `ping` and returns what
    /// arrives before its `pong`. A node queues its local pushes before the call that caused
    /// them returns, in the queue the `pong` goes through.
    pub async fn barrier(&mut self) -> Vec<Value> {
        let nonce: u64 = rand::random();
        self.send(json!({ "type": "ping", "nonce": nonce })).await;
        self.until("the pong", |f| f["type"] == "pong" && f["nonce"] == nonce).await
    }

    /// The next presence frame about `user`.
    pub async fn presence_of(&mut self, user: i64, wait: Duration) -> Value {
        self.next_where(wait, "a presence frame", |f| f["type"] == "presence" && f["user_id"] == user).await
    }

    /// The code and reason of the close frame that arrives within `wait`, skipping (and
    /// recording) text frames before it; `None` if the socket stays open or just drops.
    pub async fn close_within(&mut self, wait: Duration) -> Option<(u16, String)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            match tokio::time::timeout_at(deadline, self.stream.next()).await {
                Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| (u16::from(f.code), f.reason.to_string())),
                Ok(Some(Ok(Message::Text(text)))) => self.seen.push(serde_json::from_str(&text).expect("json frame")),
                Ok(Some(Ok(_))) => {}
                _ => return None,
            }
        }
    }

    /// Every frame arriving within `wait`.
    pub async fn drain(&mut self, wait: Duration) -> Vec<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        let mut frames = Vec::new();
        while let Some(frame) = self.next_within(deadline.saturating_duration_since(tokio::time::Instant::now())).await
        {
            frames.push(frame);
        }
        frames
    }

    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }
}

/// A valid, deterministic client message id.
pub fn uuid(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}
