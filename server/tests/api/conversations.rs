//! Direct chats and the chat list.

use crate::helpers::spawn_app;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn opening_a_direct_chat_from_either_side_gives_the_same_conversation() {
    let app = spawn_app().await;
    let a = app.registered("rachel").await;
    let b = app.registered("steve").await;
    let (a_id, b_id) = (a.id().await, b.id().await);
    let first = a.ok("conversations/open_direct", json!({ "user_id": b_id })).await;
    let again = a.ok("conversations/open_direct", json!({ "user_id": b_id })).await;
    let other_side = b.ok("conversations/open_direct", json!({ "user_id": a_id })).await;
    assert_eq!(first["id"], again["id"]);
    assert_eq!(first["id"], other_side["id"]);
    assert_eq!(first["kind"], "direct");
    assert_eq!(first["peer"]["id"], b_id, "each side sees the other as the peer");
    assert_eq!(other_side["peer"]["id"], a_id);
    assert_eq!(first["member_count"], 2);
    assert_eq!(a.ok("conversations/list", json!({})).await.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn both_sides_opening_a_direct_chat_at_once_get_one_conversation() {
    let app = spawn_app().await;
    let a = app.registered("tess").await;
    let b = app.registered("ugo").await;
    let (a_id, b_id) = (a.id().await, b.id().await);
    let mut opens = Vec::new();
    for _ in 0..5 {
        opens.push(a.call("conversations/open_direct", json!({ "user_id": b_id })));
        opens.push(b.call("conversations/open_direct", json!({ "user_id": a_id })));
    }
    let mut ids = std::collections::BTreeSet::new();
    for res in futures::future::join_all(opens).await {
        ids.insert(crate::helpers::ok(res).await["id"].as_i64().expect("id"));
    }
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert_eq!(b.ok("conversations/list", json!({})).await.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn a_chat_with_yourself_is_refused_and_an_unknown_user_is_not_found() {
    let app = spawn_app().await;
    let a = app.registered("vera").await;
    let a_id = a.id().await;
    let (status, code, field) = a.fails("conversations/open_direct", json!({ "user_id": a_id })).await;
    assert_eq!((status, code.as_str(), field.as_deref()), (StatusCode::BAD_REQUEST, "invalid_input", Some("user_id")));
    for unknown in [999_999, 0, -1] {
        let (status, code, _) = a.fails("conversations/open_direct", json!({ "user_id": unknown })).await;
        assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"), "{unknown}");
    }
    assert!(a.ok("conversations/list", json!({})).await.as_array().expect("list").is_empty());
}

#[tokio::test]
async fn a_direct_chat_cannot_be_left_or_managed() {
    let app = spawn_app().await;
    let a = app.registered("wade").await;
    let b = app.registered("xena").await;
    let b_id = b.id().await;
    let conv = a.open_direct(b_id).await;
    for (endpoint, body) in [
        ("conversations/leave", json!({ "conversation_id": conv })),
        ("conversations/rename", json!({ "conversation_id": conv, "title": "Ours" })),
        ("conversations/remove_member", json!({ "conversation_id": conv, "user_id": b_id })),
    ] {
        let (status, code, _) = a.fails(endpoint, body).await;
        assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "invalid_input"), "{endpoint}");
    }
    assert_eq!(
        b.ok("conversations/get", json!({ "conversation_id": conv })).await["members"].as_array().map(Vec::len),
        Some(2)
    );
}

#[tokio::test]
async fn the_chat_list_shows_unread_counts_and_per_user_flags() {
    let app = spawn_app().await;
    let a = app.registered("yuri").await;
    let b = app.registered("zoe").await;
    let conv = a.open_direct(b.id().await).await;
    for n in 1..=3 {
        a.send(conv, n, &format!("hello {n}")).await;
    }
    let list = b.ok("conversations/list", json!({})).await;
    assert_eq!(
        (list[0]["id"].as_i64(), list[0]["unread"].as_i64(), list[0]["last_seq"].as_i64()),
        (Some(conv), Some(3), Some(3))
    );
    assert_eq!(list[0]["last_message"]["body"], "hello 3");
    assert_eq!(a.ok("conversations/list", json!({})).await[0]["unread"], 0, "my own messages are not unread");
    b.ok("messages/read", json!({ "conversation_id": conv, "seq": 2 })).await;
    assert_eq!(b.ok("conversations/list", json!({})).await[0]["unread"], 1);

    let flagged = b
        .ok("conversations/set_flags", json!({ "conversation_id": conv, "flags": { "pinned": true, "muted": true } }))
        .await;
    assert_eq!(
        (flagged["pinned"].as_bool(), flagged["muted"].as_bool(), flagged["archived"].as_bool()),
        (Some(true), Some(true), Some(false))
    );
    let flagged =
        b.ok("conversations/set_flags", json!({ "conversation_id": conv, "flags": { "muted": false } })).await;
    assert_eq!(
        (flagged["pinned"].as_bool(), flagged["muted"].as_bool()),
        (Some(true), Some(false)),
        "absent flags stay"
    );
    let theirs = a.ok("conversations/get", json!({ "conversation_id": conv })).await;
    assert_eq!(theirs["summary"]["pinned"], false, "flags are per user");
}
