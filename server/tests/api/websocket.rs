//! The socket itself: authentication, origin, heartbeats, malformed and oversized frames,
//! rate limits.

use crate::helpers::spawn_app;
use crate::ws::{connect, next_json, open, request};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

fn upgrade_status(result: Result<impl Sized, tokio_tungstenite::tungstenite::Error>) -> u16 {
    match result {
        Err(tokio_tungstenite::tungstenite::Error::Http(res)) => res.status().as_u16(),
        Err(other) => panic!("unexpected error {other}"),
        Ok(_) => panic!("upgrade should have been refused"),
    }
}

#[tokio::test]
async fn an_authenticated_socket_says_hello_and_answers_pings() {
    let app = spawn_app().await;
    let user = app.registered("quinn").await;
    let me: Value = user.me().await.json().await.expect("me");
    let mut socket = connect(&app, &user).await;
    let hello = next_json(&mut socket).await;
    assert_eq!(hello["type"], "hello");
    assert_eq!(hello["user_id"], me["id"]);
    socket.send(Message::text(json!({"type": "ping", "nonce": 42}).to_string())).await.expect("send");
    assert_eq!(next_json(&mut socket).await, json!({"type": "pong", "nonce": 42}));
}

#[tokio::test]
async fn malformed_frames_get_an_error_and_the_connection_survives() {
    let app = spawn_app().await;
    let user = app.registered("rita").await;
    let mut socket = connect(&app, &user).await;
    next_json(&mut socket).await;
    for garbage in ["not json", "{\"type\":\"launch\"}", "{\"type\":\"ping\",\"nonce\":\"x\"}", "[]"] {
        socket.send(Message::text(garbage)).await.expect("send");
        let frame = next_json(&mut socket).await;
        assert_eq!(
            (frame["type"].as_str(), frame["code"].as_str()),
            (Some("error"), Some("invalid_input")),
            "{garbage}"
        );
    }
    socket.send(Message::binary(b"{\"type\":\"ping\",\"nonce\":1}".to_vec())).await.expect("send");
    let frame = next_json(&mut socket).await;
    assert_eq!(
        (frame["type"].as_str(), frame["code"].as_str()),
        (Some("error"), Some("invalid_input")),
        "binary frames"
    );
    socket.send(Message::text(json!({"type": "ping", "nonce": 1}).to_string())).await.expect("send");
    assert_eq!(next_json(&mut socket).await["type"], "pong");
}

#[tokio::test]
async fn an_oversized_frame_closes_the_socket_with_1009() {
    let app = spawn_app().await;
    let user = app.registered("sam").await;
    let mut socket = connect(&app, &user).await;
    next_json(&mut socket).await;
    let big = format!("{{\"type\":\"ping\",\"nonce\":1,\"pad\":\"{}\"}}", "x".repeat(70 * 1024));
    let _ = socket.send(Message::text(big)).await;
    let mut close_code = None;
    while let Ok(Some(msg)) = tokio::time::timeout(std::time::Duration::from_secs(5), socket.next()).await {
        match msg {
            Ok(Message::Close(frame)) => {
                close_code = frame.map(|f| u16::from(f.code));
                break;
            }
            Ok(_) => continue,
            Err(_) => break,
        }
    }
    assert_eq!(close_code, Some(1009));
}

#[tokio::test]
async fn a_flood_of_frames_is_rate_limited() {
    let app = spawn_app().await;
    let user = app.registered("tina").await;
    let mut socket = connect(&app, &user).await;
    next_json(&mut socket).await;
    for nonce in 0..80 {
        socket.send(Message::text(json!({"type": "ping", "nonce": nonce}).to_string())).await.expect("send");
    }
    let mut limited = 0;
    for _ in 0..80 {
        let frame = next_json(&mut socket).await;
        if frame["code"] == "rate_limited" {
            limited += 1;
        }
    }
    assert!(limited > 0, "some of 80 instant frames must be refused");
}

/// A sustained flood is closed with 1008, and the last frame before the close says why.
#[tokio::test]
async fn a_sustained_flood_gets_rate_limited_and_then_a_policy_close() {
    let app = spawn_app().await;
    let user = app.registered("flo").await;
    let mut socket = connect(&app, &user).await;
    next_json(&mut socket).await;
    for nonce in 0..400 {
        if socket.send(Message::text(json!({"type": "ping", "nonce": nonce}).to_string())).await.is_err() {
            break;
        }
    }
    let (mut last_frame, mut close_code) = (None, None);
    while let Some(Ok(message)) = socket.next().await {
        match message {
            Message::Text(text) => last_frame = Some(serde_json::from_str::<Value>(&text).expect("json")),
            Message::Close(frame) => {
                close_code = frame.map(|f| u16::from(f.code));
                break;
            }
            _ => {}
        }
    }
    assert_eq!(close_code, Some(1008), "a flood is closed");
    let last = last_frame.expect("frames before the close");
    assert_eq!((last["type"].as_str(), last["code"].as_str()), (Some("error"), Some("rate_limited")), "{last}");
}

#[tokio::test]
async fn the_socket_requires_a_session() {
    let app = spawn_app().await;
    let origin = format!("http://{}", app.addr);
    let result = tokio_tungstenite::connect_async(request(&app, None, Some(&origin))).await;
    assert_eq!(upgrade_status(result), 401);
}

#[tokio::test]
async fn the_socket_refuses_a_foreign_origin() {
    let app = spawn_app().await;
    let user = app.registered("uma").await;
    let result =
        tokio_tungstenite::connect_async(request(&app, user.cookie_header(), Some("https://evil.example"))).await;
    assert_eq!(upgrade_status(result), 403);
}

#[tokio::test]
async fn an_account_may_hold_at_most_ten_sockets() {
    let app = spawn_app().await;
    let user = app.registered("many").await;
    let mut sockets = Vec::new();
    for _ in 0..10 {
        sockets.push(open(&app, &user).await);
    }
    let origin = format!("http://{}", app.addr);
    let eleventh = tokio_tungstenite::connect_async(request(&app, user.cookie_header(), Some(&origin))).await;
    assert_eq!(upgrade_status(eleventh), 429, "the eleventh socket is refused");
    // Another account is not affected, and closing one socket frees a place.
    let other = app.registered("other").await;
    open(&app, &other).await;
    drop(sockets.pop());
    let mut reopened = None;
    for _ in 0..50 {
        let attempt = tokio_tungstenite::connect_async(request(&app, user.cookie_header(), Some(&origin))).await;
        if let Ok((socket, _)) = attempt {
            reopened = Some(socket);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(reopened.is_some(), "a freed place can be used again");
}

#[tokio::test]
async fn frames_are_limited_per_account_across_its_sockets() {
    let app = spawn_app().await;
    let user = app.registered("spread").await;
    // Five sockets, 40 pings each: within each socket's own burst, but 200 frames for one
    // account at once, beyond what the account may send.
    let mut sockets = Vec::new();
    for _ in 0..5 {
        sockets.push(open(&app, &user).await);
    }
    for socket in &mut sockets {
        for nonce in 0..40 {
            socket.send(Message::text(json!({"type": "ping", "nonce": nonce}).to_string())).await.expect("send");
        }
    }
    let (mut pongs, mut limited) = (0, 0);
    for socket in &mut sockets {
        for _ in 0..40 {
            let frame = next_json(socket).await;
            match (frame["type"].as_str(), frame["code"].as_str()) {
                (Some("pong"), _) => pongs += 1,
                (_, Some("rate_limited")) => limited += 1,
                _ => {}
            }
        }
    }
    // Each socket alone is within its own burst: only the account's budget can refuse any.
    assert!(limited > 0 && pongs < 200, "{pongs} answered and {limited} refused of 200 frames");
}
