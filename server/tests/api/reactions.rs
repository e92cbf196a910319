//! Reactions: one emoji per person per message, replaced or removed by that person, pushed as
//! `message_updated`, carried by `messages/sync` and every read of the message.

use crate::helpers::{messages, pair, spawn_app};
use crate::ws::{next_of, open};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn reactions(message: &Value) -> Vec<(i64, String)> {
    message["reactions"]
        .as_array()
        .map(|all| {
            all.iter()
                .map(|r| (r["user_id"].as_i64().expect("user_id"), r["emoji"].as_str().expect("emoji").to_owned()))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn a_reaction_is_set_replaced_and_removed_and_reaches_every_member() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "rea", "reb").await;
    let (alice_id, bob_id) = (alice.id().await, bob.id().await);
    let sent = alice.send(conv, 1, "lunch?").await;
    assert!(sent.get("reactions").is_none(), "no reactions: absent on the wire");
    let mut alice_ws = open(&app, &alice).await;

    let reacted = bob.ok("messages/react", json!({ "message_id": sent["id"], "emoji": "👍" })).await;
    assert_eq!(reactions(&reacted), [(bob_id, "👍".to_owned())]);
    assert!(reacted["rev"].as_i64() > sent["rev"].as_i64(), "a reaction is a change of the message");
    let pushed = next_of(&mut alice_ws, "message_updated").await;
    assert_eq!(pushed["message"], reacted);

    // A second person, then a replacement: one reaction per person, oldest first.
    alice.ok("messages/react", json!({ "message_id": sent["id"], "emoji": "😂" })).await;
    let replaced = bob.ok("messages/react", json!({ "message_id": sent["id"], "emoji": "❤️" })).await;
    let mut got = reactions(&replaced);
    got.sort();
    let mut want = vec![(alice_id, "😂".to_owned()), (bob_id, "❤️".to_owned())];
    want.sort();
    assert_eq!(got, want);

    // The same reaction again changes nothing (no new rev); null removes it.
    let again = bob.ok("messages/react", json!({ "message_id": sent["id"], "emoji": "❤️" })).await;
    assert_eq!(again["rev"], replaced["rev"]);
    let removed = bob.ok("messages/react", json!({ "message_id": sent["id"], "emoji": null })).await;
    assert_eq!(reactions(&removed), [(alice_id, "😂".to_owned())]);

    // History and sync carry them: a client that resyncs from before sees what a fresh fetch sees.
    let page = bob.history(conv).await;
    assert_eq!(reactions(&messages(&page)[0]), [(alice_id, "😂".to_owned())]);
    let sync = bob.ok("messages/sync", json!({ "conversation_id": conv, "after_rev": sent["rev"] })).await;
    let changed = sync["changed"].as_array().expect("changed");
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0], messages(&page)[0]);
}

#[tokio::test]
async fn hostile_and_unauthorized_reactions_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "rec", "red").await;
    let outsider = app.registered("ree").await;
    let sent = alice.send(conv, 1, "hello").await;
    let id = sent["id"].clone();
    let long = "😂".repeat(30);
    for emoji in ["", "ok", "👍👍", "<img src=x onerror=alert(1)>", "\u{202E}👍", long.as_str()] {
        let (status, code, field) = bob.fails("messages/react", json!({ "message_id": id, "emoji": emoji })).await;
        assert_eq!(
            (status, code.as_str(), field.as_deref()),
            (StatusCode::BAD_REQUEST, "invalid_input", Some("emoji")),
            "{emoji:?}"
        );
    }
    let (status, ..) = bob.fails("messages/react", json!({ "message_id": id, "emoji": 5 })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a malformed argument");
    let (status, ..) = bob.fails("messages/react", json!({ "emoji": "👍" })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a missing argument");
    // Someone outside the chat cannot tell the message exists.
    let (status, code, _) = outsider.fails("messages/react", json!({ "message_id": id, "emoji": "👍" })).await;
    assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"));
    let (status, code, _) = bob.fails("messages/react", json!({ "message_id": 987_654, "emoji": "👍" })).await;
    assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"));
    assert!(reactions(&messages(&bob.history(conv).await)[0]).is_empty(), "nothing was stored");

    // A deleted message takes none, and loses those it had.
    bob.ok("messages/react", json!({ "message_id": id, "emoji": "👍" })).await;
    let deleted = alice.ok("messages/delete", json!({ "message_id": id })).await;
    assert!(deleted.get("reactions").is_none());
    let (status, code, _) = bob.fails("messages/react", json!({ "message_id": id, "emoji": "😂" })).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "conflict"));
}
