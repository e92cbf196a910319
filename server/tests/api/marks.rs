//! A person's own marks: star (their "Starred messages") and delete for me. Nobody else sees
//! them; the person's other devices get `marks` pushes and `messages/sync` carries them, so a
//! device that was away ends up equal to a fresh fetch.

use crate::helpers::{PASSWORD, bodies, messages, pair, spawn_app};
use crate::ws::{assert_silent, next_of, open};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn starred_ids(page: &Value) -> Vec<i64> {
    page["starred"].as_array().expect("starred").iter().map(|id| id.as_i64().expect("id")).collect()
}

fn item_bodies(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["message"]["body"].as_str().expect("body").to_owned())
        .collect()
}

#[tokio::test]
async fn a_star_is_the_callers_alone_and_reaches_their_other_devices() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "sta", "stb").await;
    let first = alice.send(conv, 1, "the address is 12 Elm St").await;
    let second = bob.send(conv, 2, "thanks").await;
    let before = alice.history(conv).await["rev"].clone();
    // Alice's second device and Bob's socket.
    let laptop = app.user();
    assert_eq!(laptop.login("sta", PASSWORD).await.status(), StatusCode::OK);
    let mut bob_ws = open(&app, &bob).await;
    let mut laptop_ws = open(&app, &laptop).await;
    // (Alice's laptop coming online is news to Bob.)
    next_of(&mut bob_ws, "presence").await;

    let mark = alice.ok("messages/star", json!({ "message_id": first["id"], "starred": true })).await;
    assert_eq!(mark, json!({ "message_id": first["id"], "conversation_id": conv, "starred": true, "hidden": false }));
    assert_eq!(next_of(&mut laptop_ws, "marks").await["marks"], json!([mark]));
    assert_silent(&mut bob_ws, "bob").await;
    alice.ok("messages/star", json!({ "message_id": second["id"], "starred": true })).await;
    next_of(&mut laptop_ws, "marks").await;

    // History says which of the page's messages are starred, for her only.
    let mut mine = starred_ids(&alice.history(conv).await);
    mine.sort_unstable();
    assert_eq!(mine, [first["id"].as_i64().expect("id"), second["id"].as_i64().expect("id")]);
    assert!(starred_ids(&bob.history(conv).await).is_empty(), "bob starred nothing");
    // The list, most recently starred first, with where each message is.
    let list = alice.ok("messages/starred", json!({})).await;
    assert_eq!(item_bodies(&list), ["thanks", "the address is 12 Elm St"]);
    assert_eq!(list["items"][0]["conversation_title"], "Test User");
    assert!(list["next"].is_null());
    assert_eq!(bob.ok("messages/starred", json!({})).await["items"], json!([]));

    // Starring again changes nothing and pushes nothing; unstarring is pushed and synced.
    let again = alice.ok("messages/star", json!({ "message_id": first["id"], "starred": true })).await;
    assert_eq!(again, mark);
    assert_silent(&mut laptop_ws, "laptop").await;
    alice.ok("messages/star", json!({ "message_id": second["id"], "starred": false })).await;
    let pushed = next_of(&mut laptop_ws, "marks").await;
    assert_eq!(pushed["marks"][0]["starred"], false);
    let sync = laptop.ok("messages/sync", json!({ "conversation_id": conv, "after_rev": before })).await;
    let mut marks: Vec<(i64, bool)> = sync["marks"]
        .as_array()
        .expect("marks")
        .iter()
        .map(|m| (m["message_id"].as_i64().expect("id"), m["starred"].as_bool().expect("starred")))
        .collect();
    marks.sort_unstable();
    assert_eq!(marks, [(first["id"].as_i64().expect("id"), true), (second["id"].as_i64().expect("id"), false)]);
    assert!(sync["changed"].as_array().expect("changed").is_empty(), "no message changed");
    let bob_sync = bob.ok("messages/sync", json!({ "conversation_id": conv, "after_rev": before })).await;
    assert_eq!(bob_sync["marks"], json!([]), "bob sees none of alice's marks");
    assert_eq!(bob_sync["rev"], sync["rev"], "a mark moves no rev");
    assert_eq!(item_bodies(&alice.ok("messages/starred", json!({})).await), ["the address is 12 Elm St"]);
}

#[tokio::test]
async fn starred_messages_come_in_pages_and_drop_what_was_deleted() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "stc", "std").await;
    let mut ids = Vec::new();
    for n in 1..=55 {
        let sent = alice.send(conv, n, &format!("note {n}")).await;
        alice.ok("messages/star", json!({ "message_id": sent["id"], "starred": true })).await;
        ids.push(sent["id"].clone());
    }
    let first = alice.ok("messages/starred", json!({})).await;
    assert_eq!(first["items"].as_array().map(Vec::len), Some(50));
    assert_eq!(first["items"][0]["message"]["body"], "note 55", "the latest star first");
    let rest = alice.ok("messages/starred", json!({ "before": first["next"] })).await;
    assert_eq!(item_bodies(&rest), ["note 5", "note 4", "note 3", "note 2", "note 1"]);
    assert!(rest["next"].is_null());

    // Deleted for everyone: out of the list, and it cannot be starred again.
    alice.ok("messages/delete", json!({ "message_id": ids[54] })).await;
    let after = alice.ok("messages/starred", json!({})).await;
    assert_eq!(after["items"][0]["message"]["body"], "note 54");
    let (status, code, _) = alice.fails("messages/star", json!({ "message_id": ids[54], "starred": true })).await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "conflict"));
    // Unstarring it still works (a star left on a deleted message can be cleared).
    alice.ok("messages/star", json!({ "message_id": ids[54], "starred": false })).await;
    let _ = bob;
}

#[tokio::test]
async fn delete_for_me_hides_a_message_from_every_read_of_mine_only() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "hia", "hib").await;
    alice.send(conv, 1, "keep this").await;
    let secret = alice.send(conv, 2, "delete this for me").await;
    let last = bob.send(conv, 3, "my last word").await;
    alice.ok("messages/star", json!({ "message_id": secret["id"], "starred": true })).await;
    let before = alice.history(conv).await["rev"].clone();
    let laptop = app.user();
    assert_eq!(laptop.login("hia", PASSWORD).await.status(), StatusCode::OK);
    // Bob first, so the presence of Alice's first socket reaches him now and not mid-assertion.
    let mut bob_ws = open(&app, &bob).await;
    let mut laptop_ws = open(&app, &laptop).await;
    next_of(&mut bob_ws, "presence").await;

    let marks =
        alice.ok("messages/hide", json!({ "conversation_id": conv, "message_ids": [secret["id"], last["id"]] })).await;
    assert_eq!(marks.as_array().map(Vec::len), Some(2));
    assert!(marks.as_array().expect("marks").iter().all(|m| m["hidden"] == true && m["starred"] == false));
    assert_eq!(next_of(&mut laptop_ws, "marks").await["marks"], marks);
    assert_silent(&mut bob_ws, "bob").await;

    // Gone from her history, sync, chat list preview, search and stars; all still there for Bob.
    assert_eq!(bodies(&alice.history(conv).await), ["keep this"]);
    assert_eq!(bodies(&bob.history(conv).await), ["keep this", "delete this for me", "my last word"]);
    let sync = laptop.ok("messages/sync", json!({ "conversation_id": conv, "after_rev": before })).await;
    assert_eq!(sync["marks"].as_array().map(Vec::len), Some(2));
    let list = alice.ok("conversations/list", json!({})).await;
    assert_eq!(list[0]["last_message"]["body"], "keep this", "the preview falls back to what she still sees");
    assert_eq!(bob.ok("conversations/list", json!({})).await[0]["last_message"]["body"], "my last word");
    let hits = alice.ok("messages/search", json!({ "query": "delete" })).await;
    assert_eq!(hits, json!([]));
    assert_eq!(bob.ok("messages/search", json!({ "query": "delete" })).await.as_array().map(Vec::len), Some(1));
    assert_eq!(alice.ok("messages/starred", json!({})).await["items"], json!([]));

    // Later changes to it reach Bob and not her; it cannot be starred or quoted back into view.
    let mut alice_ws = open(&app, &alice).await;
    bob.ok("messages/react", json!({ "message_id": secret["id"], "emoji": "👍" })).await;
    assert_eq!(next_of(&mut bob_ws, "message_updated").await["message"]["id"], secret["id"]);
    assert_silent(&mut alice_ws, "alice").await;
    let (status, code, _) = alice.fails("messages/star", json!({ "message_id": secret["id"], "starred": true })).await;
    assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"));
    let sync = alice.ok("messages/sync", json!({ "conversation_id": conv, "after_rev": before })).await;
    assert!(sync["changed"].as_array().expect("changed").is_empty(), "the reacted message stays hidden");

    // Again: nothing new, nothing pushed.
    alice.ok("messages/hide", json!({ "conversation_id": conv, "message_ids": [secret["id"]] })).await;
    assert_silent(&mut laptop_ws, "laptop").await;
    // A new message after it shows as usual.
    bob.send(conv, 4, "still there?").await;
    assert_eq!(bodies(&alice.history(conv).await), ["keep this", "still there?"]);
    let _ = messages;
}

#[tokio::test]
async fn hostile_and_unauthorized_marks_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let owner = app.registered("mko").await;
    let member = app.registered("mkm").await;
    let removed = app.registered("mkr").await;
    let outsider = app.registered("mkx").await;
    let (member_id, removed_id) = (member.id().await, removed.id().await);
    let group = owner.create_group("Marks", &[member_id, removed_id]).await;
    let message = owner.send(group, 1, "hello").await["id"].clone();
    owner.ok("conversations/remove_member", json!({ "conversation_id": group, "user_id": removed_id })).await;
    let later = owner.send(group, 2, "after the removal").await["id"].clone();

    // Outsiders and removed members cannot tell the message exists; a non-admin member may.
    for (who, user) in [("outsider", &outsider), ("removed", &removed)] {
        for message_id in [&message, &later] {
            let (status, code, _) =
                user.fails("messages/star", json!({ "message_id": message_id, "starred": true })).await;
            assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"), "{who} star");
            let (status, code, _) =
                user.fails("messages/hide", json!({ "conversation_id": group, "message_ids": [message_id] })).await;
            assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"), "{who} hide");
        }
    }
    member.ok("messages/star", json!({ "message_id": message, "starred": true })).await;
    member.ok("messages/hide", json!({ "conversation_id": group, "message_ids": [later] })).await;

    // A message of another chat, a missing one, or one the member cannot see makes the whole
    // call fail and hide nothing.
    let (alice, _bob, direct) = pair(&app, "mka", "mkb").await;
    let elsewhere = alice.send(direct, 3, "elsewhere").await["id"].clone();
    for ids in [json!([message, elsewhere]), json!([message, 987_654])] {
        let (status, code, _) =
            owner.fails("messages/hide", json!({ "conversation_id": group, "message_ids": ids })).await;
        assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"), "{ids}");
    }
    let seen = bodies(&owner.history(group).await);
    assert!(seen.contains(&"hello".to_owned()) && seen.contains(&"after the removal".to_owned()), "nothing was hidden");

    // Malformed and oversized input.
    let too_many: Vec<i64> = (1..=101).collect();
    for body in [
        json!({ "conversation_id": group, "message_ids": [] }),
        json!({ "conversation_id": group, "message_ids": too_many }),
    ] {
        let (status, code, field) = owner.fails("messages/hide", body).await;
        assert_eq!(
            (status, code.as_str(), field.as_deref()),
            (StatusCode::BAD_REQUEST, "invalid_input", Some("message_ids"))
        );
    }
    for (endpoint, body) in [
        ("messages/star", json!({ "message_id": message, "starred": "yes" })),
        ("messages/star", json!({ "message_id": "1 OR 1=1", "starred": true })),
        ("messages/star", json!({ "starred": true })),
        ("messages/hide", json!({ "conversation_id": group, "message_ids": "all" })),
        ("messages/hide", json!({ "conversation_id": group, "message_ids": [1.5] })),
        ("messages/starred", json!({ "before": { "starred_at": "now" } })),
    ] {
        let (status, ..) = owner.fails(endpoint, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{endpoint} {body}");
    }
    // A system message ("… added …") takes no star.
    let system = owner.history(group).await["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .find(|m| m["kind"] == "system")
        .map(|m| m["id"].clone());
    if let Some(system) = system {
        let (status, code, _) = owner.fails("messages/star", json!({ "message_id": system, "starred": true })).await;
        assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "forbidden"));
    }
    // Anonymous.
    let anonymous = app.user();
    let (status, ..) = anonymous.fails("messages/starred", json!({})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
