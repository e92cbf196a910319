//! Pushes over the socket: messages, edits, receipts, typing, presence, conversation changes —
//! to the members, and never to anyone else.

use crate::helpers::{messages, pair, spawn_app, uuid};
use crate::ws::{assert_silent, close, drain, next_json, next_of, open, send_json};
use serde_json::{Value, json};

#[tokio::test]
async fn a_message_sent_over_http_is_pushed_to_every_member_socket() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "ivan", "judy").await;
    let mut bob_socket = open(&app, &bob).await;
    let mut alice_socket = open(&app, &alice).await;
    let sent = alice.send(conv, 1, "pushed").await;
    let push = next_of(&mut bob_socket, "message").await;
    assert_eq!(push, json!({ "type": "message", "message": sent }), "the push is the stored message");
    assert_eq!(push["message"]["seq"], 1);
    let echo = next_of(&mut alice_socket, "message").await;
    assert_eq!(echo["message"]["id"], sent["id"], "the sender's other tabs hear of it too");
}

#[tokio::test]
async fn a_send_frame_is_acked_with_its_client_msg_id_after_the_push() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "kurt", "lila").await;
    let mut bob_socket = open(&app, &bob).await;
    let mut socket = open(&app, &alice).await;
    let quoted = bob.send(conv, 1, "question").await;
    next_of(&mut socket, "message").await;
    send_json(&mut socket, &json!({ "type": "send", "conversation_id": conv, "client_msg_id": uuid(2), "body": "answer", "reply_to": quoted["id"] })).await;
    let mut frames = Vec::new();
    while frames.last().is_none_or(|f: &Value| f["type"] != "ack") {
        let frame = next_json(&mut socket).await;
        if frame["type"] != "presence" {
            frames.push(frame);
        }
    }
    let kinds: Vec<&str> = frames.iter().filter_map(|f| f["type"].as_str()).collect();
    assert_eq!(kinds, ["message", "ack"], "the push to this socket comes first, then the ack");
    let (push, ack) = (&frames[0], &frames[1]);
    assert_eq!(ack["client_msg_id"], uuid(2));
    assert_eq!(ack["message"], push["message"]);
    assert_eq!(
        (ack["message"]["seq"].as_i64(), ack["message"]["reply_to"]["id"].clone()),
        (Some(2), quoted["id"].clone())
    );
    let to_bob = next_of(&mut bob_socket, "message").await;
    let to_bob = if to_bob["message"]["seq"] == 1 { next_of(&mut bob_socket, "message").await } else { to_bob };
    assert_eq!(to_bob["message"], ack["message"]);
}

#[tokio::test]
async fn marking_read_pushes_a_receipt_to_the_other_member() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "mark", "nora").await;
    let bob_id = bob.id().await;
    alice.send(conv, 1, "read me").await;
    let mut alice_socket = open(&app, &alice).await;
    bob.ok("messages/read", json!({ "conversation_id": conv, "seq": 1 })).await;
    let push = next_of(&mut alice_socket, "receipt").await;
    assert_eq!(
        push,
        json!({ "type": "receipt", "receipt": { "conversation_id": conv, "user_id": bob_id, "delivered_seq": 1, "read_seq": 1 } })
    );
}

#[tokio::test]
async fn typing_reaches_the_others_but_not_the_typist() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "owen", "pola").await;
    let bob_id = bob.id().await;
    let mut alice_socket = open(&app, &alice).await;
    let mut bob_socket = open(&app, &bob).await;
    let mut bob_other_tab = open(&app, &bob).await;
    // Let the presence announcements of the connections settle first: a socket answers a ping
    // only once its own connection was announced, so after one round every announcement is
    // queued, and a second round reads them.
    for _ in 0..2 {
        for socket in [&mut alice_socket, &mut bob_socket, &mut bob_other_tab] {
            drain(socket).await;
        }
    }
    send_json(&mut bob_socket, &json!({ "type": "typing", "conversation_id": conv })).await;
    let typing = next_json(&mut alice_socket).await;
    let expires = shared::limits::TYPING_EXPIRES_MS;
    assert_eq!(
        typing,
        json!({ "type": "typing", "conversation_id": conv, "user_id": bob_id, "expires_in_ms": expires })
    );
    assert_silent(&mut bob_socket, "the typist").await;
    assert_silent(&mut bob_other_tab, "the typist's other tab").await;
}

#[tokio::test]
async fn edits_and_deletes_are_pushed_as_message_updated() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "quin", "ruth").await;
    let sent = alice.send(conv, 1, "draft").await;
    let mut bob_socket = open(&app, &bob).await;
    let edited = alice.ok("messages/edit", json!({ "message_id": sent["id"], "body": "final" })).await;
    let push = next_of(&mut bob_socket, "message_updated").await;
    assert_eq!(push, json!({ "type": "message_updated", "message": edited }));
    let deleted = alice.ok("messages/delete", json!({ "message_id": sent["id"] })).await;
    let push = next_of(&mut bob_socket, "message_updated").await;
    assert_eq!(push["message"], deleted);
    assert_eq!((push["message"]["deleted"].as_bool(), push["message"]["body"].as_str()), (Some(true), Some("")));
    assert!(push["message"]["rev"].as_i64() > edited["rev"].as_i64(), "each change has a newer rev");
}

#[tokio::test]
async fn a_change_to_a_quoted_message_is_pushed_once_and_the_replies_are_not_reissued() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "sven", "tove").await;
    let quoted = alice.send(conv, 1, "quote me").await;
    let reply = bob
        .ok(
            "messages/send",
            json!({ "conversation_id": conv, "client_msg_id": uuid(2), "body": "quoted", "reply_to": quoted["id"] }),
        )
        .await;
    let mut bob_socket = open(&app, &bob).await;
    alice.ok("messages/delete", json!({ "message_id": quoted["id"] })).await;
    let first = next_of(&mut bob_socket, "message_updated").await;
    assert_eq!(first["message"]["id"], quoted["id"]);
    assert_silent(&mut bob_socket, "bob, after the one push of the deleted message").await;
    // Read again, the reply quotes the deleted message as deleted, under its old rev.
    let page = bob.history(conv).await;
    let fresh = messages(&page).iter().find(|m| m["id"] == reply["id"]).expect("the reply");
    let preview = &fresh["reply_to"];
    assert_eq!(
        (preview["deleted"].as_bool(), preview["body"].as_str()),
        (Some(true), Some("")),
        "the quote no longer shows the text"
    );
    assert_eq!(fresh["body"], "quoted", "the reply itself is unchanged");
    assert_eq!(fresh["rev"], reply["rev"], "the reply was not rewritten");
}

#[tokio::test]
async fn presence_goes_online_with_the_first_socket_and_offline_with_the_last() {
    let app = spawn_app().await;
    let (alice, bob, _conv) = pair(&app, "mona", "ned").await;
    let bob_id = bob.id().await;
    let mut alice_socket = open(&app, &alice).await;

    let tab1 = open(&app, &bob).await;
    let online = next_of(&mut alice_socket, "presence").await;
    assert_eq!(online, json!({ "type": "presence", "user_id": bob_id, "online": true, "last_seen_at": null }));
    let mut tab2 = open(&app, &bob).await;
    // Tab 2 answers a ping only after its connection was announced (or found not to be news).
    drain(&mut tab2).await;
    assert_silent(&mut alice_socket, "alice, when bob opens a second tab").await;

    // The end of the closing handshake is the last of tab 1 a client can see; what the server
    // does after it (unregistering) is checked by what follows: tab 2's close must bring
    // exactly one offline, and as the very next frame.
    close(tab1).await;
    assert_silent(&mut alice_socket, "alice, when one of two tabs closes").await;

    tab2.close(None).await.expect("close");
    let offline = next_json(&mut alice_socket).await;
    assert_eq!(
        (offline["type"].as_str(), offline["user_id"].as_i64(), offline["online"].as_bool()),
        (Some("presence"), Some(bob_id), Some(false))
    );
    assert_silent(&mut alice_socket, "alice, after bob went offline").await;
    let last_seen = offline["last_seen_at"].as_i64().expect("last_seen_at when offline");
    let seen = alice.ok("users/presence", json!({ "user_id": bob_id })).await;
    assert_eq!(seen, json!({ "online": false, "last_seen_at": last_seen }));
}

#[tokio::test]
async fn group_changes_tell_members_to_refetch_and_removed_members_to_drop_the_chat() {
    let app = spawn_app().await;
    let owner = app.registered("sara").await;
    let member = app.registered("tim").await;
    let member_id = member.id().await;
    let group = owner.create_group("Club", &[member_id]).await;
    let mut socket = open(&app, &member).await;
    owner.ok("conversations/rename", json!({ "conversation_id": group, "title": "Club 2" })).await;
    assert_eq!(next_json(&mut socket).await, json!({ "type": "conversation_updated", "conversation_id": group }));
    let system = next_json(&mut socket).await;
    assert_eq!((system["type"].as_str(), system["message"]["kind"].as_str()), (Some("message"), Some("system")));
    owner.ok("conversations/remove_member", json!({ "conversation_id": group, "user_id": member_id })).await;
    let frames = drain(&mut socket).await;
    assert!(frames.contains(&json!({ "type": "conversation_removed", "conversation_id": group })), "{frames:?}");
    assert!(
        !frames.iter().any(|f| f["type"] == "message"),
        "a removed member does not get the removal notice's text: {frames:?}"
    );
    owner.send(group, 1, "after tim left").await;
    assert_silent(&mut socket, "a removed member").await;
}

/// Everything that can happen in a conversation, with an outsider's socket open all along.
#[tokio::test]
async fn an_outsiders_socket_receives_nothing_about_other_peoples_conversations() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "una", "vic").await;
    let carol = app.registered("wanda").await;
    let mut carol_socket = open(&app, &carol).await;
    let mut alice_socket = open(&app, &alice).await;
    let mut bob_socket = open(&app, &bob).await;

    let sent = alice.send(conv, 1, "private").await;
    send_json(
        &mut alice_socket,
        &json!({ "type": "send", "conversation_id": conv, "client_msg_id": uuid(2), "body": "also private" }),
    )
    .await;
    next_of(&mut alice_socket, "ack").await;
    send_json(&mut bob_socket, &json!({ "type": "typing", "conversation_id": conv })).await;
    send_json(&mut bob_socket, &json!({ "type": "read", "conversation_id": conv, "seq": 2 })).await;
    drain(&mut bob_socket).await; // both handled
    alice.ok("messages/edit", json!({ "message_id": sent["id"], "body": "edited" })).await;
    alice.ok("messages/delete", json!({ "message_id": sent["id"] })).await;
    alice.ok("conversations/set_flags", json!({ "conversation_id": conv, "flags": { "pinned": true } })).await;
    let group = alice.create_group("Secret", &[bob.id().await]).await;
    alice.send(group, 3, "group secret").await;
    // Bob leaves; Carol's socket is read only once Alice has heard him go offline.
    bob_socket.close(None).await.expect("close");
    let mut kinds: Vec<Value> = Vec::new();
    loop {
        let frame = next_json(&mut alice_socket).await;
        kinds.push(frame["type"].clone());
        if frame["type"] == "presence" && frame["online"] == false {
            break;
        }
    }

    let frames = drain(&mut carol_socket).await;
    assert!(frames.is_empty(), "carol must hear nothing: {frames:?}");
    // Alice did hear all of it, so the silence above is not for want of anything to hear.
    kinds.extend(drain(&mut alice_socket).await.into_iter().map(|f| f["type"].clone()));
    for kind in ["message", "typing", "receipt", "message_updated", "conversation_updated", "presence"] {
        assert!(kinds.contains(&json!(kind)), "alice missed {kind}: {kinds:?}");
    }
}
