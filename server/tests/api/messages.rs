//! Sending, validating, replying to, editing, deleting and paging through messages over HTTP.

use crate::helpers::{bodies, messages, pair, seqs, spawn_app, uuid};
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn http_sends_are_numbered_1_2_3_without_gaps() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "alice", "bob").await;
    let alice_id = alice.id().await;
    let mut ids = Vec::new();
    for n in 1..=3 {
        let sent = alice.send(conv, n, &format!("message {n}")).await;
        assert_eq!((sent["seq"].as_i64(), sent["conversation_id"].as_i64()), (Some(i64::from(n)), Some(conv)));
        assert_eq!((sent["sender_id"].as_i64(), sent["kind"].as_str()), (Some(alice_id), Some("text")));
        assert_eq!(sent["client_msg_id"], uuid(n));
        assert!(sent["rev"].as_i64() >= Some(i64::from(n)) && sent["created_at"].as_i64() > Some(0));
        ids.push(sent["id"].clone());
    }
    bob.send(conv, 4, "and me").await;
    let page = bob.history(conv).await;
    assert_eq!(seqs(&page), [1, 2, 3, 4], "one sequence for both senders");
    assert_eq!(messages(&page)[..3].iter().map(|m| m["id"].clone()).collect::<Vec<_>>(), ids);
}

#[tokio::test]
async fn invalid_sends_are_refused_and_store_nothing() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "kate", "leo").await;
    let too_long = "x".repeat(shared::limits::MESSAGE_MAX_CHARS + 1);
    for (client_msg_id, body, field) in [
        (uuid(1), "", "body"),
        (uuid(2), " \n\t ", "body"),
        (uuid(3), too_long.as_str(), "body"),
        ("not-a-uuid".to_owned(), "hi", "client_msg_id"),
        (String::new(), "hi", "client_msg_id"),
    ] {
        let (status, code, got) = alice
            .fails("messages/send", json!({ "conversation_id": conv, "client_msg_id": client_msg_id, "body": body }))
            .await;
        assert_eq!(
            (status, code.as_str(), got.as_deref()),
            (StatusCode::BAD_REQUEST, "invalid_input", Some(field)),
            "{client_msg_id} {}",
            body.len()
        );
    }
    let (status, ..) = alice.fails("messages/send", json!({ "conversation_id": conv, "body": "no id" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a missing argument is malformed");
    assert!(messages(&bob.history(conv).await).is_empty());
    // The longest allowed text is fine, and the refused attempts left no gap in seq.
    let longest = "y".repeat(shared::limits::MESSAGE_MAX_CHARS);
    assert_eq!(alice.send(conv, 9, &longest).await["seq"], 1);
    assert_eq!(alice.send(conv, 10, "  trimmed  ").await["body"], "trimmed");
}

#[tokio::test]
async fn a_reply_must_quote_a_message_of_the_same_conversation() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "mia", "ned").await;
    let carol = app.registered("olaf").await;
    let elsewhere = alice.open_direct(carol.id().await).await;
    let foreign = carol.send(elsewhere, 1, "in another chat").await;
    let quoted = bob.send(conv, 1, "when?").await;

    let (status, code, field) = alice
        .fails(
            "messages/send",
            json!({ "conversation_id": conv, "client_msg_id": uuid(2), "body": "x", "reply_to": foreign["id"] }),
        )
        .await;
    assert_eq!((status, code.as_str(), field.as_deref()), (StatusCode::BAD_REQUEST, "invalid_input", Some("reply_to")));
    let (status, ..) = alice
        .fails(
            "messages/send",
            json!({ "conversation_id": conv, "client_msg_id": uuid(3), "body": "x", "reply_to": 999_999 }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(seqs(&bob.history(conv).await), [1], "refused replies store nothing");

    let reply = alice
        .ok(
            "messages/send",
            json!({ "conversation_id": conv, "client_msg_id": uuid(4), "body": "at ten", "reply_to": quoted["id"] }),
        )
        .await;
    let expected =
        json!({ "id": quoted["id"], "seq": 1, "sender_id": quoted["sender_id"], "body": "when?", "deleted": false });
    assert_eq!(reply["reply_to"], expected);
    assert_eq!(messages(&bob.history(conv).await)[1]["reply_to"], expected, "history carries the quote");
}

#[tokio::test]
async fn editing_my_message_shows_the_new_body_and_edited_at() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "pia", "quentin").await;
    let sent = alice.send(conv, 1, "see you at 10").await;
    assert_eq!(sent["edited_at"], Value::Null);
    let edited = alice.ok("messages/edit", json!({ "message_id": sent["id"], "body": "see you at 11" })).await;
    assert_eq!(
        (edited["id"].clone(), edited["seq"].clone(), edited["body"].as_str()),
        (sent["id"].clone(), sent["seq"].clone(), Some("see you at 11"))
    );
    assert!(edited["edited_at"].as_i64().is_some());
    assert!(edited["rev"].as_i64() > sent["rev"].as_i64(), "an edit is a new rev");
    let page = bob.history(conv).await;
    let seen = &messages(&page)[0];
    assert_eq!(
        (seen["body"].as_str(), seen["edited_at"].clone()),
        (Some("see you at 11"), edited["edited_at"].clone())
    );
    let (status, _, field) = alice.fails("messages/edit", json!({ "message_id": sent["id"], "body": "  " })).await;
    assert_eq!((status, field.as_deref()), (StatusCode::BAD_REQUEST, Some("body")));
}

#[tokio::test]
async fn only_the_sender_may_edit_or_delete_a_message() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "rosa", "sid").await;
    let sent = alice.send(conv, 1, "mine").await;
    for (endpoint, body) in [
        ("messages/edit", json!({ "message_id": sent["id"], "body": "yours now" })),
        ("messages/delete", json!({ "message_id": sent["id"] })),
    ] {
        let (status, code, _) = bob.fails(endpoint, body).await;
        assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "forbidden"), "{endpoint}");
    }
    let group = alice.create_group("G", &[bob.id().await]).await;
    let system = messages(&alice.history(group).await)[0]["id"].clone();
    let (status, ..) = alice.fails("messages/edit", json!({ "message_id": system, "body": "rewritten" })).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "system messages belong to nobody");
    let (status, code, _) = alice.fails("messages/edit", json!({ "message_id": 999_999, "body": "x" })).await;
    assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"));
    assert_eq!(bodies(&bob.history(conv).await), ["mine"]);
}

#[tokio::test]
async fn deleting_blanks_the_body_and_marks_the_message_deleted() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "tara", "udo").await;
    let sent = alice.send(conv, 1, "oops, wrong chat").await;
    alice.send(conv, 2, "next").await;
    let deleted = alice.ok("messages/delete", json!({ "message_id": sent["id"] })).await;
    assert_eq!((deleted["body"].as_str(), deleted["deleted"].as_bool()), (Some(""), Some(true)));
    let page = bob.history(conv).await;
    let seen = &messages(&page)[0];
    assert_eq!(
        (seen["seq"].as_i64(), seen["body"].as_str(), seen["deleted"].as_bool()),
        (Some(1), Some(""), Some(true)),
        "keeps its place"
    );
    assert_eq!(seqs(&page), [1, 2]);
    for (endpoint, body) in [
        ("messages/edit", json!({ "message_id": sent["id"], "body": "undo" })),
        ("messages/delete", json!({ "message_id": sent["id"] })),
    ] {
        let (status, code, _) = alice.fails(endpoint, body).await;
        assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "conflict"), "{endpoint} after delete");
    }
    let list = bob.ok("conversations/list", json!({})).await;
    assert_eq!(list[0]["unread"], 1, "deleted messages are not unread");
}

/// Moves a message's send time `minutes` into the past, as if it had been sent then.
async fn age(app: &crate::helpers::TestApp, message: &Value, minutes: i64) {
    use sea_orm::ConnectionTrait;
    let id = message["id"].as_i64().expect("message id");
    let sql = format!("UPDATE messages SET created_at = created_at - {} WHERE id = {id}", minutes * 60_000);
    app.db.execute_unprepared(&sql).await.expect("age the message");
}

#[tokio::test]
async fn edits_close_after_15_minutes_and_deletes_for_everyone_after_48_hours() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "vera", "wim").await;
    let recent = alice.send(conv, 1, "recent").await;
    age(&app, &recent, 14).await;
    alice.ok("messages/edit", json!({ "message_id": recent["id"], "body": "recent, edited" })).await;

    let old = alice.send(conv, 2, "old").await;
    age(&app, &old, 16).await;
    let rev = bob.history(conv).await["rev"].clone();
    let (status, code, _) = alice.fails("messages/edit", json!({ "message_id": old["id"], "body": "rewritten" })).await;
    assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "too_late"));
    // Past the edit window, deleting for everyone is still allowed.
    let deleted = alice.ok("messages/delete", json!({ "message_id": old["id"] })).await;
    assert_eq!(deleted["deleted"], true);
    assert!(deleted["rev"].as_i64() > rev.as_i64(), "the refused edit took no rev, the delete one");

    let ancient = alice.send(conv, 3, "ancient").await;
    age(&app, &ancient, 48 * 60 + 1).await;
    let (status, code, _) = alice.fails("messages/delete", json!({ "message_id": ancient["id"] })).await;
    assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "too_late"));
    // Deleting for myself has no window.
    alice.ok("messages/hide", json!({ "conversation_id": conv, "message_ids": [ancient["id"]] })).await;

    // The refusals changed nothing: Bob still reads what was there.
    assert_eq!(bodies(&bob.history(conv).await), ["recent, edited", "", "ancient"]);
    // Someone else's message is not Bob's to change at any age: forbidden, not too_late.
    let (status, code, _) = bob.fails("messages/edit", json!({ "message_id": ancient["id"], "body": "x" })).await;
    assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "forbidden"));
}

#[tokio::test]
async fn history_pages_backwards_by_seq_fifty_at_a_time() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "wendy", "xavier").await;
    for n in 1..=120 {
        alice.send(conv, n, &format!("m{n}")).await;
    }
    let newest = bob.history(conv).await;
    assert_eq!(seqs(&newest), (71..=120).collect::<Vec<_>>());
    assert_eq!(newest["has_more"], true);
    assert_eq!(bodies(&newest).last().map(String::as_str), Some("m120"), "oldest first, newest last");
    let page = |before: i64| bob.ok("messages/history", json!({ "conversation_id": conv, "before": before }));
    let middle = page(71).await;
    assert_eq!((seqs(&middle), middle["has_more"].as_bool()), ((21..=70).collect::<Vec<_>>(), Some(true)));
    let oldest = page(21).await;
    assert_eq!((seqs(&oldest), oldest["has_more"].as_bool()), ((1..=20).collect::<Vec<_>>(), Some(false)));
    assert!(messages(&page(1).await).is_empty());
    // Any cursor works, not only page boundaries.
    assert_eq!(seqs(&page(3).await), [1, 2]);
    assert_eq!(newest["rev"], oldest["rev"], "every page reports the conversation's current rev");
}
