//! WebSocket helpers: open `/ws` as a user (cookie + same Origin, as a browser does), read JSON
//! frames with a timeout, and check that nothing arrives.

use crate::helpers::{TestApp, User};
use futures::{SinkExt, StreamExt};
use serde_json::Value;
use std::time::Duration;
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest, handshake::client::Request};

pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How long an assertion that "nothing arrives" listens.
pub const QUIET: Duration = Duration::from_millis(300);

pub fn request(app: &TestApp, cookie: Option<String>, origin: Option<&str>) -> Request {
    let mut req = format!("ws://{}/ws", app.addr).into_client_request().expect("request");
    if let Some(cookie) = cookie {
        req.headers_mut().insert("cookie", cookie.parse().expect("header"));
    }
    if let Some(origin) = origin {
        req.headers_mut().insert("origin", origin.parse().expect("header"));
    }
    req
}

/// Opens a socket; the `hello` frame is still unread.
pub async fn connect(app: &TestApp, user: &User) -> Socket {
    let origin = format!("http://{}", app.addr);
    let (socket, _) =
        tokio_tungstenite::connect_async(request(app, user.cookie_header(), Some(&origin))).await.expect("connect");
    socket
}

/// Opens a socket and reads its `hello`.
pub async fn open(app: &TestApp, user: &User) -> Socket {
    let mut socket = connect(app, user).await;
    let hello = next_json(&mut socket).await;
    assert_eq!(hello["type"], "hello", "{hello}");
    socket
}

pub async fn send_json(socket: &mut Socket, frame: &Value) {
    socket.send(Message::text(frame.to_string())).await.expect("send frame");
}

/// The next text frame, parsed; fails after 5 s.
pub async fn next_json(socket: &mut Socket) -> Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(5), socket.next())
            .await
            .expect("a frame within 5 s")
            .expect("socket open")
            .expect("frame");
        if let Message::Text(text) = msg {
            return serde_json::from_str(&text).expect("json frame");
        }
    }
}

/// The next frame of type `kind`, skipping others (presence, conversation_updated …).
pub async fn next_of(socket: &mut Socket, kind: &str) -> Value {
    loop {
        let frame = next_json(socket).await;
        if frame["type"] == kind {
            return frame;
        }
    }
}

/// Every text frame that arrives within `QUIET`.
pub async fn drain(socket: &mut Socket) -> Vec<Value> {
    let mut frames = Vec::new();
    let deadline = tokio::time::Instant::now() + QUIET;
    while let Ok(Some(Ok(msg))) = tokio::time::timeout_at(deadline, socket.next()).await {
        if let Message::Text(text) = msg {
            frames.push(serde_json::from_str(&text).expect("json frame"));
        }
    }
    frames
}

/// Asserts that nothing arrives within `QUIET`.
pub async fn assert_silent(socket: &mut Socket, who: &str) {
    let frames = drain(socket).await;
    assert!(frames.is_empty(), "{who} should have received nothing, got {frames:?}");
}

/// The code and reason of the close frame the server sends within `within`, skipping text
/// frames before it; `None` if the socket stays open (or ends without one).
pub async fn close_of(socket: &mut Socket, within: Duration) -> Option<(u16, String)> {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        match tokio::time::timeout_at(deadline, socket.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => return frame.map(|f| (u16::from(f.code), f.reason.to_string())),
            Ok(Some(Ok(_))) => continue,
            _ => return None,
        }
    }
}

/// `(type, code)` of an error frame, for terse assertions.
pub fn error_code(frame: &Value) -> (Option<&str>, Option<&str>) {
    (frame["type"].as_str(), frame["code"].as_str())
}
