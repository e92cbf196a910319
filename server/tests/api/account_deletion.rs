//! Deleting an account (issue #15): the password is asked again; afterwards the account's
//! sessions, sockets, groups, uploads and blocks are gone, its messages stay for the others
//! from "Deleted account", nobody can write to it or log in as it, and its username is held
//! for 30 days before anyone may take it.

use crate::helpers::{PASSWORD, bodies, error_of, pair, spawn_app, uuid};
use crate::media::{file_form, png, send_with, uploaded};
use crate::ws;
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use std::time::Duration;

#[tokio::test]
async fn a_deleted_account_leaves_its_messages_as_deleted_account_and_nothing_else() {
    let app = spawn_app().await;
    let (alice, bob, direct) = pair(&app, "del_alice", "del_bob").await;
    let (alice_id, bob_id) = (alice.id().await, bob.id().await);
    let group = bob.create_group("Trip", &[alice_id]).await;
    alice.send(direct, 1, "see you").await;
    let photo = uploaded(&alice, file_form(direct, "pic.png", png(64, 48), "image/png")).await;
    crate::helpers::ok(send_with(&alice, direct, 2, "", &photo).await).await;
    let photo_url = format!("/media/{}", photo["id"].as_str().expect("id"));
    let laptop = app.user();
    assert_eq!(laptop.login("del_alice", PASSWORD).await.status(), StatusCode::OK);
    let mut laptop_socket = ws::open(&app, &laptop).await;
    bob.ok("users/block", json!({ "user_id": alice_id })).await;

    // A wrong password changes nothing.
    let (status, code, field) = alice.fails("accounts/delete", json!({ "password": "not my password" })).await;
    assert_eq!((status, code.as_str(), field.as_deref()), (StatusCode::BAD_REQUEST, "invalid_input", Some("password")));
    assert_eq!(alice.me().await.status(), StatusCode::OK);

    assert_eq!(alice.ok("accounts/delete", json!({ "password": PASSWORD })).await, Value::Null);
    let close = ws::close_of(&mut laptop_socket, Duration::from_secs(30)).await;
    assert_eq!(close.map(|(code, _)| code), Some(4401), "the other device's socket closes");
    assert_eq!(alice.me().await.status(), StatusCode::UNAUTHORIZED, "this session ended");
    assert_eq!(laptop.me().await.status(), StatusCode::UNAUTHORIZED, "and every other");
    let (status, ..) = error_of(app.user().login("del_alice", PASSWORD).await).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "nobody logs in as it");

    // Bob keeps the messages, from "Deleted account", and cannot write to it.
    let row = bob.ok("conversations/get", json!({ "conversation_id": direct })).await;
    assert_eq!(row["summary"]["title"], "Deleted account");
    assert_eq!(bodies(&bob.history(direct).await)[0], "see you");
    let (status, _, _) = bob
        .fails("messages/send", json!({ "conversation_id": direct, "client_msg_id": uuid(9), "body": "hello?" }))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _, _) = bob.fails("conversations/open_direct", json!({ "user_id": alice_id })).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "no new chat with a deleted account");
    let attachment = bob.client.get(format!("{}{photo_url}", bob.base)).send().await.expect("get");
    assert_eq!(attachment.status(), StatusCode::NOT_FOUND, "its uploads are gone");
    assert_eq!(bob.ok("users/blocked", json!({})).await, json!([]), "blocks of it are gone");
    // It left the group, under the name the others knew.
    let seen = bodies(&bob.history(group).await);
    assert_eq!(seen.last().map(String::as_str), Some("Test User left"), "{seen:?}");
    let detail = bob.ok("conversations/get", json!({ "conversation_id": group })).await;
    assert_eq!(detail["members"].as_array().map(Vec::len), Some(1));
    assert!(bob.ok("users/search", json!({ "query": "del_al" })).await.as_array().expect("list").is_empty());
    let info = bob.ok("users/profile", json!({ "user_id": alice_id })).await;
    assert_eq!(
        (info["user"]["display_name"].as_str(), &info["presence"]),
        (Some("Deleted account"), &json!({ "online": false, "last_seen_at": null }))
    );
    let _ = bob_id;
}

#[tokio::test]
async fn a_deleted_accounts_username_is_held_for_30_days_then_free() {
    let app = spawn_app().await;
    let (alice, bob, direct) = pair(&app, "held_alice", "held_bob").await;
    alice.send(direct, 1, "bye").await;
    alice.ok("accounts/delete", json!({ "password": PASSWORD })).await;
    let res = app.user().register("held_alice", "Someone Else", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::CONFLICT, "held");

    // 31 days later.
    let month_ago = server::db::now_ms() - 31 * 24 * 3600 * 1000;
    let sql = format!("UPDATE users SET deleted_at = {month_ago} WHERE username = 'held_alice'");
    app.db.execute_unprepared(&sql).await.expect("age the deletion");
    let newcomer = app.user();
    assert_eq!(newcomer.register("held_alice", "Someone Else", PASSWORD).await.status(), StatusCode::OK);
    assert_eq!(newcomer.ok("accounts/me", json!({})).await["display_name"], "Someone Else", "a new account");
    let row = bob.ok("conversations/get", json!({ "conversation_id": direct })).await;
    assert_eq!(row["summary"]["title"], "Deleted account", "the old chat is not the newcomer's");
    assert_eq!(newcomer.ok("conversations/list", json!({})).await, json!([]));
}

#[tokio::test]
async fn deleting_needs_a_session_and_the_password_and_is_throttled_like_log_in() {
    let app = spawn_app().await;
    let alice = app.registered("thr_alice").await;
    let (status, code, _) = app.user().fails("accounts/delete", json!({ "password": PASSWORD })).await;
    assert_eq!((status, code.as_str()), (StatusCode::UNAUTHORIZED, "unauthorized"));
    for body in [json!({}), json!({ "password": 12 }), json!("x")] {
        let (status, _, _) = alice.fails("accounts/delete", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
    let long = "x".repeat(10_000);
    let (status, _, field) = alice.fails("accounts/delete", json!({ "password": long })).await;
    assert_eq!((status, field.as_deref()), (StatusCode::BAD_REQUEST, Some("password")));
    let mut limited = false;
    for _ in 0..30 {
        let (status, _, _) = alice.fails("accounts/delete", json!({ "password": "guess guess" })).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            limited = true;
            break;
        }
    }
    assert!(limited, "wrong passwords count against the log-in throttle");
    assert_eq!(alice.me().await.status(), StatusCode::OK, "still there");
}
