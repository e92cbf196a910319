//! A socket lives no longer than its session: logout, a new login in the same browser, and a
//! session deleted or expired behind the server's back all close the session's sockets with
//! 4401, and nothing sent on them afterwards is acted on. Other sessions' sockets, the same
//! user's included, stay open.

use crate::helpers::{PASSWORD, TestApp, User, pair, spawn_app, spawn_app_with, uuid};
use crate::ws::{Socket, close_of, next_json, next_of, open, send_json};
use futures::SinkExt;
use sea_orm::ConnectionTrait;
use serde_json::json;
use std::time::Duration;
use tokio_tungstenite::tungstenite::Message;

/// How soon an ended session's socket must close.
const CLOSE_WITHIN: Duration = Duration::from_secs(2);
const SESSION_ENDED: Option<(u16, &str)> = Some((4401, "session ended"));

fn code_and_reason(close: &Option<(u16, String)>) -> Option<(u16, &str)> {
    close.as_ref().map(|(code, reason)| (*code, reason.as_str()))
}

/// A second browser logged in as `username`: a session of its own.
async fn second_login(app: &TestApp, username: &str) -> User {
    let browser = app.user();
    let res = browser.login(username, PASSWORD).await;
    assert!(res.status().is_success() || res.status().is_redirection(), "login {username}: {}", res.status());
    browser
}

async fn logged_out(user: &User) {
    let res = user.logout().await;
    assert!(res.status().is_success() || res.status().is_redirection(), "logout: {}", res.status());
}

/// Sends a `send` frame, ignoring a socket the server may already have closed.
async fn try_send_text(socket: &mut Socket, conversation: i64, n: u32, body: &str) {
    let frame = json!({ "type": "send", "conversation_id": conversation, "client_msg_id": uuid(n), "body": body });
    let _ = socket.send(Message::text(frame.to_string())).await;
}

/// The socket still answers and gets pushes.
async fn still_open(socket: &mut Socket, who: &str) {
    send_json(socket, &json!({ "type": "ping", "nonce": 7 })).await;
    assert_eq!(next_of(socket, "pong").await["nonce"], 7, "{who} still answers");
}

#[tokio::test]
async fn logout_closes_that_sessions_socket_and_a_frame_sent_after_is_not_stored() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "sara", "tom").await;
    let alice_elsewhere = second_login(&app, "sara").await;
    let mut socket = open(&app, &alice).await;
    let mut other_session = open(&app, &alice_elsewhere).await;

    logged_out(&alice).await;
    try_send_text(&mut socket, conv, 1, "after logout").await;
    let close = close_of(&mut socket, CLOSE_WITHIN).await;
    assert_eq!(code_and_reason(&close), SESSION_ENDED, "the logged-out tab's socket closes");

    let bodies: Vec<String> = crate::helpers::bodies(&bob.history(conv).await);
    assert!(!bodies.contains(&"after logout".to_owned()), "nothing sent after logout is stored: {bodies:?}");

    still_open(&mut other_session, "alice's other session").await;
    let sent = bob.send(conv, 2, "still there?").await;
    assert_eq!(next_of(&mut other_session, "message").await["message"]["id"], sent["id"], "and keeps receiving");
}

#[tokio::test]
async fn after_logout_the_user_shows_offline_to_a_peer() {
    let app = spawn_app().await;
    let (alice, bob, _conv) = pair(&app, "uma", "vic").await;
    let alice_id = alice.id().await;
    let mut bob_socket = open(&app, &bob).await;
    let mut socket = open(&app, &alice).await;
    assert_eq!(next_of(&mut bob_socket, "presence").await["online"], true);

    logged_out(&alice).await;
    assert_eq!(code_and_reason(&close_of(&mut socket, CLOSE_WITHIN).await), SESSION_ENDED);
    let offline = next_of(&mut bob_socket, "presence").await;
    assert_eq!((offline["user_id"].as_i64(), offline["online"].as_bool()), (Some(alice_id), Some(false)), "{offline}");
    let seen = bob.ok("users/presence", json!({ "user_id": alice_id })).await;
    assert_eq!(seen["online"], false, "{seen}");
}

#[tokio::test]
async fn a_session_deleted_or_expired_behind_the_servers_back_closes_at_the_next_check() {
    let app = spawn_app_with(|config| config.session_recheck = Duration::from_millis(200)).await;
    let (alice, bob, _conv) = pair(&app, "walt", "xena").await;
    let alice_elsewhere = second_login(&app, "walt").await;
    let mut expiring = open(&app, &alice).await;
    let mut deleted = open(&app, &alice_elsewhere).await;
    let mut untouched = open(&app, &bob).await;

    let (expire, delete) = (alice.session_id(), alice_elsewhere.session_id());
    app.db
        .execute_unprepared(&format!("UPDATE sessions SET expires_at = 0 WHERE id = '{expire}'"))
        .await
        .expect("expire");
    app.db.execute_unprepared(&format!("DELETE FROM sessions WHERE id = '{delete}'")).await.expect("delete");

    assert_eq!(code_and_reason(&close_of(&mut expiring, CLOSE_WITHIN).await), SESSION_ENDED, "expired session");
    assert_eq!(code_and_reason(&close_of(&mut deleted, CLOSE_WITHIN).await), SESSION_ENDED, "deleted session");
    still_open(&mut untouched, "bob, whose session stands").await;
}

#[tokio::test]
async fn logging_in_as_someone_else_in_the_same_browser_ends_the_old_sockets() {
    let app = spawn_app().await;
    let (browser, bob, conv) = pair(&app, "yuri", "zoe").await;
    let bob_id = bob.id().await;
    let mut old = open(&app, &browser).await;

    let res = browser.login("zoe", PASSWORD).await;
    assert!(res.status().is_success() || res.status().is_redirection(), "login: {}", res.status());
    try_send_text(&mut old, conv, 1, "as yuri, after zoe logged in").await;
    assert_eq!(code_and_reason(&close_of(&mut old, CLOSE_WITHIN).await), SESSION_ENDED, "yuri's socket closes");

    let mut new = crate::ws::connect(&app, &browser).await;
    assert_eq!(next_json(&mut new).await["user_id"], bob_id, "the new socket speaks for zoe");
    send_json(
        &mut new,
        &json!({ "type": "send", "conversation_id": conv, "client_msg_id": uuid(2), "body": "as zoe" }),
    )
    .await;
    let ack = next_of(&mut new, "ack").await;
    assert_eq!(ack["message"]["sender_id"], bob_id, "{ack}");

    let history = bob.history(conv).await;
    let stored: Vec<(i64, String)> = crate::helpers::messages(&history)
        .iter()
        .map(|m| (m["sender_id"].as_i64().unwrap_or_default(), m["body"].as_str().unwrap_or_default().to_owned()))
        .collect();
    assert_eq!(stored, vec![(bob_id, "as zoe".to_owned())], "nothing stored as yuri");
}
