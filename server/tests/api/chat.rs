//! Messaging over real HTTP and WebSocket: idempotent sends, resync, receipts, isolation.

use crate::helpers::{error_of, spawn_app, TestApp, User};
use crate::websocket::{connect, next_json};
use futures::{SinkExt, StreamExt};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashMap;
use tokio_tungstenite::tungstenite::Message;

pub async fn me_id(user: &User) -> i64 {
    user.me().await.json::<Value>().await.expect("me")["id"].as_i64().expect("id")
}

pub async fn ok(res: reqwest::Response) -> Value {
    let status = res.status();
    let body = res.text().await.expect("body");
    assert!(status.is_success(), "{status}: {body}");
    serde_json::from_str(&body).expect("json")
}

/// Two registered users with a direct chat; returns (a, b, conversation id).
pub async fn pair(app: &TestApp, a: &str, b: &str) -> (User, User, i64) {
    let ua = app.registered(a).await;
    let ub = app.registered(b).await;
    let b_id = me_id(&ub).await;
    let conv = ok(ua.json("/api/conversations/open_direct", &json!({ "user_id": b_id })).await).await;
    (ua, ub, conv["id"].as_i64().expect("conversation id"))
}

fn uuid(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

pub async fn send(user: &User, conv: i64, n: u32, body: &str) -> Value {
    ok(user.json("/api/messages/send", &json!({ "conversation_id": conv, "client_msg_id": uuid(n), "body": body })).await).await
}

async fn history(user: &User, conv: i64) -> Value {
    ok(user.json("/api/messages/history", &json!({ "conversation_id": conv })).await).await
}

#[tokio::test]
async fn sends_get_gap_free_seqs() {
    let app = spawn_app().await;
    let (alice, _bob, conv) = pair(&app, "alice", "bob").await;
    for n in 1..=5 {
        assert_eq!(send(&alice, conv, n, &format!("message {n}")).await["seq"], n);
    }
}

#[tokio::test]
async fn a_hundred_concurrent_resends_store_one_message_and_return_the_same_one() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "carol", "dave").await;
    let alice = std::sync::Arc::new(alice);
    let mut tasks = Vec::new();
    for _ in 0..100 {
        let alice = alice.clone();
        tasks.push(tokio::spawn(async move { send(&alice, conv, 7, "only once").await }));
    }
    let mut ids = std::collections::HashSet::new();
    for task in tasks {
        let message = task.await.expect("task");
        ids.insert((message["id"].as_i64(), message["seq"].as_i64()));
    }
    assert_eq!(ids.len(), 1, "every retry answers with the original message: {ids:?}");
    let page = history(&bob, conv).await;
    assert_eq!(page["messages"].as_array().expect("messages").len(), 1, "exactly one row stored");
    // The same id over the socket is acknowledged with the same message, not stored again.
    let mut socket = connect(&app, &alice).await;
    next_json(&mut socket).await;
    let frame = json!({"type": "send", "conversation_id": conv, "client_msg_id": uuid(7), "body": "only once"});
    socket.send(Message::text(frame.to_string())).await.expect("send");
    let ack = next_json(&mut socket).await;
    assert_eq!(ack["type"], "ack");
    assert!(ids.contains(&(ack["message"]["id"].as_i64(), ack["message"]["seq"].as_i64())));
    assert_eq!(history(&bob, conv).await["messages"].as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn resync_after_a_disconnect_equals_a_fresh_fetch() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "erin", "frank").await;
    send(&alice, conv, 1, "before").await;
    let first = history(&bob, conv).await;
    let mut local: HashMap<i64, Value> = first["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| (m["id"].as_i64().expect("id"), m.clone()))
        .collect();
    let rev = first["rev"].as_i64().expect("rev");

    // Bob is away: new messages, an edit, a delete and a receipt happen meanwhile.
    let edited = send(&alice, conv, 2, "to be edited").await;
    let deleted = send(&alice, conv, 3, "to be deleted").await;
    send(&alice, conv, 4, "after").await;
    ok(alice.json("/api/messages/edit", &json!({ "message_id": edited["id"], "body": "edited!" })).await).await;
    ok(alice.json("/api/messages/delete", &json!({ "message_id": deleted["id"] })).await).await;
    ok(bob.json("/api/messages/read", &json!({ "conversation_id": conv, "seq": 2 })).await).await;

    let sync = ok(bob.json("/api/messages/sync", &json!({ "conversation_id": conv, "after_rev": rev })).await).await;
    for m in sync["changed"].as_array().expect("changed") {
        local.insert(m["id"].as_i64().expect("id"), m.clone());
    }
    let fresh = history(&bob, conv).await;
    let fresh_map: HashMap<i64, Value> =
        fresh["messages"].as_array().expect("messages").iter().map(|m| (m["id"].as_i64().expect("id"), m.clone())).collect();
    assert_eq!(local, fresh_map, "incrementally built state equals a fresh fetch");
    assert_eq!(sync["members"], fresh["members"], "receipts too");
    assert_eq!(sync["rev"], fresh["rev"]);
    let deleted_now = &fresh_map[&deleted["id"].as_i64().expect("id")];
    assert_eq!((deleted_now["deleted"].as_bool(), deleted_now["body"].as_str()), (Some(true), Some("")));
}

#[tokio::test]
async fn watermarks_only_move_forward_and_make_ticks() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "gina", "henry").await;
    for n in 1..=3 {
        send(&alice, conv, n, "hi").await;
    }
    let bob_id = me_id(&bob).await;
    let watermarks = |page: &Value| {
        let me = page["members"].as_array().expect("members").iter().find(|m| m["user"]["id"] == bob_id).cloned().expect("bob");
        (me["delivered_seq"].as_i64().expect("d"), me["read_seq"].as_i64().expect("r"))
    };
    assert_eq!(watermarks(&history(&alice, conv).await), (0, 0));
    ok(bob.json("/api/messages/delivered", &json!({ "conversation_id": conv, "seq": 3 })).await).await;
    assert_eq!(watermarks(&history(&alice, conv).await), (3, 0));
    ok(bob.json("/api/messages/read", &json!({ "conversation_id": conv, "seq": 2 })).await).await;
    ok(bob.json("/api/messages/read", &json!({ "conversation_id": conv, "seq": 1 })).await).await;
    assert_eq!(watermarks(&history(&alice, conv).await), (3, 2), "never backwards");
    ok(bob.json("/api/messages/read", &json!({ "conversation_id": conv, "seq": 999 })).await).await;
    assert_eq!(watermarks(&history(&alice, conv).await), (3, 3), "clamped to the last seq");
    let others = [(3, 3)];
    assert_eq!(shared::Tick::for_seq(3, others), shared::Tick::Read);
}

#[tokio::test]
async fn pushes_reach_members_and_never_outsiders() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "ivan", "judy").await;
    let mallory = app.registered("mallory").await;
    let mut bob_socket = connect(&app, &bob).await;
    next_json(&mut bob_socket).await;
    let mut mallory_socket = connect(&app, &mallory).await;
    next_json(&mut mallory_socket).await;

    let sent = send(&alice, conv, 1, "secret plans").await;
    let push = next_json(&mut bob_socket).await;
    assert_eq!((push["type"].as_str(), push["message"]["seq"].as_i64()), (Some("message"), Some(1)));
    assert_eq!(push["message"]["id"], sent["id"]);

    // Typing goes to the others, not back to the typist.
    let mut alice_socket = connect(&app, &alice).await;
    next_json(&mut alice_socket).await;
    bob_socket.send(Message::text(json!({"type": "typing", "conversation_id": conv}).to_string())).await.expect("send");
    let typing = next_json(&mut alice_socket).await;
    assert_eq!(typing["type"], "typing");

    // Mallory hears nothing about a conversation she is not in.
    let silence = tokio::time::timeout(std::time::Duration::from_millis(400), mallory_socket.next()).await;
    assert!(silence.is_err(), "an outsider received {silence:?}");
    // And cannot act on it through the socket either.
    for frame in [
        json!({"type": "send", "conversation_id": conv, "client_msg_id": uuid(9), "body": "hi"}),
        json!({"type": "typing", "conversation_id": conv}),
        json!({"type": "read", "conversation_id": conv, "seq": 1}),
        json!({"type": "delivered", "conversation_id": conv, "seq": 1}),
    ] {
        mallory_socket.send(Message::text(frame.to_string())).await.expect("send");
        let reply = next_json(&mut mallory_socket).await;
        assert_eq!((reply["type"].as_str(), reply["code"].as_str()), (Some("error"), Some("not_found")), "{frame}");
    }
}

#[tokio::test]
async fn invalid_messages_are_refused_and_store_nothing() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "kate", "leo").await;
    let too_long = "x".repeat(shared::limits::MESSAGE_MAX_CHARS + 1);
    for (client_msg_id, body, field) in
        [(uuid(1), "   ", "body"), (uuid(2), too_long.as_str(), "body"), ("not-a-uuid".to_owned(), "hi", "client_msg_id")]
    {
        let res = alice.json("/api/messages/send", &json!({ "conversation_id": conv, "client_msg_id": client_msg_id, "body": body })).await;
        assert_eq!(error_of(res).await, (StatusCode::BAD_REQUEST, "invalid_input".into(), Some(field.into())));
    }
    assert_eq!(history(&bob, conv).await["messages"].as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn presence_stays_online_until_the_last_tab_closes() {
    let app = spawn_app().await;
    let (alice, bob, _conv) = pair(&app, "mona", "ned").await;
    let mut alice_socket = connect(&app, &alice).await;
    next_json(&mut alice_socket).await;
    let bob_id = me_id(&bob).await;

    let mut tab1 = connect(&app, &bob).await;
    next_json(&mut tab1).await;
    let online = next_json(&mut alice_socket).await;
    assert_eq!((online["type"].as_str(), online["user_id"].as_i64(), online["online"].as_bool()), (Some("presence"), Some(bob_id), Some(true)));
    let mut tab2 = connect(&app, &bob).await;
    next_json(&mut tab2).await;

    tab1.close(None).await.expect("close");
    let quiet = tokio::time::timeout(std::time::Duration::from_millis(400), alice_socket.next()).await;
    assert!(quiet.is_err(), "closing one of two tabs must not look offline: {quiet:?}");

    tab2.close(None).await.expect("close");
    let offline = next_json(&mut alice_socket).await;
    assert_eq!((offline["type"].as_str(), offline["online"].as_bool()), (Some("presence"), Some(false)));
    assert!(offline["last_seen_at"].as_i64().is_some());
    let seen = ok(alice.json("/api/users/presence", &json!({ "user_id": bob_id })).await).await;
    assert_eq!(seen["online"], false);
    assert_eq!(seen["last_seen_at"], offline["last_seen_at"]);
}
