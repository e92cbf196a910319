//! WebSocket helpers: open `/ws` as a user (cookie + same Origin, as a browser does), read JSON
//! frames, and check that nothing arrives.
//!
//! "Nothing arrives" is checked against a barrier, not a time window: the helper sends a `ping`
//! and reads up to its `pong`. The server answers a socket's frames in order and queues every
//! push before the call that caused it returns (an HTTP answer, the handling of an earlier
//! frame), into the same queue as the `pong`; so a push that a finished action caused is read
//! before the `pong`, however slow the machine.

use crate::helpers::{TestApp, User};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest, handshake::client::Request};

pub type Socket = tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// How long a frame that must come may take: only a guard against a hung test, far beyond what
/// a debug build on a loaded machine needs.
const FRAME_PATIENCE: Duration = Duration::from_secs(30);

/// Nonces of the barrier pings, far from the small ones tests send themselves.
static BARRIER_NONCE: AtomicU64 = AtomicU64::new(1 << 40);

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

/// The next text frame, parsed; fails after `FRAME_PATIENCE` (a hung test).
pub async fn next_json(socket: &mut Socket) -> Value {
    loop {
        let msg = tokio::time::timeout(FRAME_PATIENCE, socket.next())
            .await
            .expect("a frame within FRAME_PATIENCE")
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

/// Every text frame queued for this socket so far: sends a `ping` and returns what arrives
/// before its `pong` (see the module doc). A socket's `pong` also means its own earlier frames
/// were handled, and its connection announced (presence), since the server reads frames only
/// after that.
pub async fn drain(socket: &mut Socket) -> Vec<Value> {
    let nonce = BARRIER_NONCE.fetch_add(1, Ordering::Relaxed);
    send_json(socket, &json!({ "type": "ping", "nonce": nonce })).await;
    let pong = json!({ "type": "pong", "nonce": nonce });
    let mut frames = Vec::new();
    loop {
        let frame = next_json(socket).await;
        if frame == pong {
            return frames;
        }
        frames.push(frame);
    }
}

/// Asserts that nothing was queued for this socket before a barrier `ping` sent now is
/// answered. Call it on the socket that acted first (its `pong` means its frame was handled),
/// then on the others.
pub async fn assert_silent(socket: &mut Socket, who: &str) {
    let frames = drain(socket).await;
    assert!(frames.is_empty(), "{who} should have received nothing, got {frames:?}");
}

/// Closes the socket and reads until the server has finished the closing handshake.
pub async fn close(mut socket: Socket) {
    socket.close(None).await.expect("close");
    let rest = async { while let Some(Ok(_)) = socket.next().await {} };
    tokio::time::timeout(FRAME_PATIENCE, rest).await.expect("the server ends the closing handshake");
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
