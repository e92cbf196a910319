//! Privacy and safety (issue #15): blocking, who sees last seen, photo and "about", read
//! receipts, reports and "Contact info". Every rule is enforced by the server and observed
//! from the other side: the blocked person's requests and sockets, and a third person's.

use crate::helpers::{User, pair, spawn_app, uuid};
use crate::ws::{self, assert_silent, drain, next_of, open, send_json};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn block(user: &User, other: i64) {
    assert_eq!(user.ok("users/block", json!({ "user_id": other })).await, Value::Null);
}

async fn unblock(user: &User, other: i64) {
    assert_eq!(user.ok("users/unblock", json!({ "user_id": other })).await, Value::Null);
}

async fn set_privacy(user: &User, settings: Value) -> Value {
    user.ok("accounts/set_privacy", settings).await
}

fn send_body(conversation: i64, n: u32, body: &str) -> Value {
    json!({ "conversation_id": conversation, "client_msg_id": uuid(n), "body": body, "reply_to": null })
}

/// The row of `conversation` in `user`'s chat list.
async fn row(user: &User, conversation: i64) -> Value {
    let list = user.ok("conversations/list", json!({})).await;
    list.as_array().expect("list").iter().find(|r| r["id"] == conversation).cloned().expect("the chat is listed")
}

async fn found(user: &User, query: &str) -> Vec<String> {
    let people = user.ok("users/search", json!({ "query": query })).await;
    people.as_array().expect("list").iter().map(|u| u["username"].as_str().unwrap_or_default().to_owned()).collect()
}

/// The next `presence` push about `user` (others' arrive too: everyone's sockets open).
async fn presence_of(socket: &mut ws::Socket, user: i64) -> Value {
    loop {
        let frame = next_of(socket, "presence").await;
        if frame["user_id"] == user {
            return frame;
        }
    }
}

#[tokio::test]
async fn a_blocked_person_cannot_send_over_http_or_the_socket_and_the_blocker_is_told_to_unblock() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "blk_alice", "blk_bob").await;
    let bob_id = bob.id().await;
    let mut alice_socket = open(&app, &alice).await;
    let mut bob_socket = open(&app, &bob).await;
    block(&alice, bob_id).await;
    block(&alice, bob_id).await; // twice changes nothing
    assert_eq!(next_of(&mut alice_socket, "conversation_updated").await["conversation_id"], conv);
    assert!(row(&alice, conv).await["blocked"] == true, "the blocker's row says so");
    assert!(row(&bob, conv).await["blocked"] == false, "the blocked person's row does not");
    drain(&mut alice_socket).await;
    drain(&mut bob_socket).await;

    let (status, code, _) = bob.fails("messages/send", send_body(conv, 1, "hello?")).await;
    assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "forbidden"));
    let refused = bob.call("messages/send", send_body(conv, 2, "hello?")).await.text().await.unwrap_or_default();
    assert!(refused.contains("could not be delivered") && !refused.to_lowercase().contains("block"), "{refused}");

    send_json(
        &mut bob_socket,
        &json!({ "type": "send", "conversation_id": conv, "client_msg_id": uuid(3), "body": "hi", "reply_to": null }),
    )
    .await;
    let error = next_of(&mut bob_socket, "error").await;
    assert_eq!(error["code"], "forbidden", "{error}");
    assert_eq!(error["client_msg_id"], uuid(3), "the outbox learns which send failed");
    send_json(&mut bob_socket, &json!({ "type": "typing", "conversation_id": conv })).await;
    drain(&mut bob_socket).await;
    assert_silent(&mut alice_socket, "the blocker (no message, no typing)").await;

    let (status, _, _) = alice.fails("messages/send", send_body(conv, 4, "hi")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let told = alice.call("messages/send", send_body(conv, 5, "hi")).await.text().await.unwrap_or_default();
    assert!(told.contains("Unblock"), "{told}");
    let forwarded = alice.ok("messages/history", json!({ "conversation_id": conv })).await;
    assert!(forwarded["messages"].as_array().expect("messages").is_empty(), "nothing was stored");

    unblock(&alice, bob_id).await;
    unblock(&alice, bob_id).await;
    assert_eq!(row(&alice, conv).await["blocked"], false);
    bob.ok("messages/send", send_body(conv, 6, "sorry")).await;
    assert_eq!(next_of(&mut alice_socket, "message").await["message"]["body"], "sorry");
}

#[tokio::test]
async fn a_block_hides_presence_reads_photo_about_and_search_both_ways() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "hide_alice", "hide_bob").await;
    let (alice_id, bob_id) = (alice.id().await, bob.id().await);
    alice.ok("accounts/update_profile", json!({ "display_name": "Alice", "about": "Out hiking" })).await;
    assert_eq!(found(&bob, "hide_al").await, ["hide_alice"]);
    bob.send(conv, 1, "one").await;
    block(&alice, bob_id).await;

    assert!(found(&bob, "hide_al").await.is_empty(), "the blocker is not found by the blocked");
    assert!(found(&alice, "hide_b").await.is_empty(), "nor the blocked by the blocker");
    let peer = &row(&bob, conv).await["peer"];
    assert_eq!((peer["about"].as_str(), peer.get("avatar")), (Some(""), None), "{peer}");
    let presence = bob.ok("users/presence", json!({ "user_id": alice_id })).await;
    assert_eq!(presence, json!({ "online": false, "last_seen_at": null }));

    // Alice comes online and reads: Bob's socket hears of neither.
    let mut bob_socket = open(&app, &bob).await;
    drain(&mut bob_socket).await;
    let mut alice_socket = open(&app, &alice).await;
    drain(&mut alice_socket).await;
    alice.ok("messages/read", json!({ "conversation_id": conv, "seq": 1 })).await;
    drain(&mut alice_socket).await;
    assert_silent(&mut bob_socket, "the blocked person (presence, receipt)").await;
    assert_eq!(row(&bob, conv).await["peers_read_seq"], 0);
    let detail = bob.ok("conversations/get", json!({ "conversation_id": conv })).await;
    let alice_member =
        detail["members"].as_array().expect("members").iter().find(|m| m["user"]["id"] == alice_id).cloned();
    assert_eq!(alice_member.expect("alice")["read_seq"], 0);

    unblock(&alice, bob_id).await;
    assert_eq!(found(&bob, "hide_al").await, ["hide_alice"]);
    assert_eq!(row(&bob, conv).await["peer"]["about"], "Out hiking");
    assert_eq!(row(&bob, conv).await["peers_read_seq"], 1, "reads show again once unblocked");
}

#[tokio::test]
async fn last_seen_and_about_reach_only_the_audience_chosen_seen_on_a_third_persons_socket() {
    let app = spawn_app().await;
    let (alice, bob, _direct) = pair(&app, "aud_alice", "aud_bob").await;
    let carol = app.registered("aud_carol").await;
    let (alice_id, bob_id, carol_id) = (alice.id().await, bob.id().await, carol.id().await);
    alice.ok("accounts/set_group_adds", json!({ "group_adds": "everyone" })).await;
    carol.ok("accounts/set_group_adds", json!({ "group_adds": "everyone" })).await;
    let group = bob.create_group("Hikers", &[alice_id, carol_id]).await;
    alice.ok("accounts/update_profile", json!({ "display_name": "Alice", "about": "Out hiking" })).await;
    let me = set_privacy(&alice, json!({ "last_seen": "contacts", "about": "contacts" })).await;
    assert_eq!(
        me["privacy"],
        json!({ "last_seen": "contacts", "photo": "everyone", "about": "contacts", "read_receipts": true })
    );

    let about_of_alice = |detail: &Value| {
        let members = detail["members"].as_array().expect("members");
        members.iter().find(|m| m["user"]["id"] == alice_id).expect("alice")["user"]["about"].clone()
    };
    let detail = carol.ok("conversations/get", json!({ "conversation_id": group })).await;
    assert_eq!(about_of_alice(&detail), "", "Carol is not Alice's contact");
    let detail = bob.ok("conversations/get", json!({ "conversation_id": group })).await;
    assert_eq!(about_of_alice(&detail), "Out hiking", "Bob is");

    let mut bob_socket = open(&app, &bob).await;
    let mut carol_socket = open(&app, &carol).await;
    drain(&mut bob_socket).await;
    drain(&mut carol_socket).await;
    let alice_socket = open(&app, &alice).await;
    assert_eq!(presence_of(&mut bob_socket, alice_id).await["online"], true);
    ws::close(alice_socket).await;
    assert_eq!(presence_of(&mut bob_socket, alice_id).await["online"], false);
    let carol_heard: Vec<Value> = drain(&mut carol_socket)
        .await
        .into_iter()
        .filter(|f| f["type"] == "presence" && f["user_id"] == alice_id)
        .collect();
    assert!(carol_heard.is_empty(), "Carol hears nothing of Alice's presence: {carol_heard:?}");
    assert_eq!(
        carol.ok("users/presence", json!({ "user_id": alice_id })).await,
        json!({ "online": false, "last_seen_at": null })
    );
    assert!(bob.ok("users/presence", json!({ "user_id": alice_id })).await["last_seen_at"].is_i64());

    // Nobody: Bob is told at once that there is nothing to show any more.
    set_privacy(&alice, json!({ "last_seen": "nobody" })).await;
    let hidden = presence_of(&mut bob_socket, alice_id).await;
    assert_eq!(hidden, json!({ "type": "presence", "user_id": alice_id, "online": false, "last_seen_at": null }));
    assert_eq!(bob.ok("users/presence", json!({ "user_id": alice_id })).await["last_seen_at"], Value::Null);
    // And who hides their own last seen sees nobody's.
    let _bob_online = bob_socket;
    let seen = alice.ok("users/presence", json!({ "user_id": bob_id })).await;
    assert_eq!(seen, json!({ "online": false, "last_seen_at": null }));
}

#[tokio::test]
async fn read_receipts_off_hides_blue_ticks_both_ways_in_direct_chats_but_not_in_groups() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "rr_alice", "rr_bob").await;
    let (alice_id, bob_id) = (alice.id().await, bob.id().await);
    set_privacy(&alice, json!({ "read_receipts": false })).await;
    let mut bob_socket = open(&app, &bob).await;
    bob.send(conv, 1, "did you read this?").await;
    drain(&mut bob_socket).await;
    alice.ok("messages/read", json!({ "conversation_id": conv, "seq": 1 })).await;
    let receipt = next_of(&mut bob_socket, "receipt").await["receipt"].clone();
    assert_eq!(
        receipt,
        json!({ "conversation_id": conv, "user_id": alice_id, "delivered_seq": 1, "read_seq": 0 }),
        "delivered, not read"
    );
    assert_eq!(
        (row(&bob, conv).await["peers_delivered_seq"].as_i64(), row(&bob, conv).await["peers_read_seq"].as_i64()),
        (Some(1), Some(0))
    );
    // Nor does Alice see Bob's reads.
    alice.send(conv, 2, "yes").await;
    bob.ok("messages/read", json!({ "conversation_id": conv, "seq": 2 })).await;
    assert_eq!(row(&alice, conv).await["peers_read_seq"], 0);
    assert_eq!(
        alice.ok("messages/read", json!({ "conversation_id": conv, "seq": 2 })).await["read_seq"],
        2,
        "her own is real"
    );

    // Groups still share them.
    let group = bob.create_group("Book club", &[alice_id]).await;
    bob.send(group, 3, "chapter 1").await;
    alice.ok("messages/read", json!({ "conversation_id": group, "seq": 2 })).await;
    let detail = bob.ok("conversations/get", json!({ "conversation_id": group })).await;
    let alice_member =
        detail["members"].as_array().expect("members").iter().find(|m| m["user"]["id"] == alice_id).cloned();
    assert_eq!(alice_member.expect("alice")["read_seq"], 2);
    let _ = bob_id;
}

#[tokio::test]
async fn a_photo_shown_to_contacts_is_not_served_to_others() {
    let app = spawn_app().await;
    let (alice, bob, _) = pair(&app, "ph_alice", "ph_bob").await;
    let carol = app.registered("ph_carol").await;
    let alice_id = alice.id().await;
    carol.ok("accounts/set_group_adds", json!({ "group_adds": "everyone" })).await;
    alice.create_group("Photos", &[carol.id().await]).await;
    let jpeg = crate::profiles::photo();
    let uploaded = crate::profiles::upload_avatar(&alice, crate::profiles::avatar_form(jpeg)).await;
    let id = crate::helpers::ok(uploaded).await["id"].as_str().expect("id").to_owned();
    alice.ok("accounts/set_avatar", json!({ "avatar": id })).await;
    set_privacy(&alice, json!({ "photo": "contacts" })).await;

    let get = |user: &User, path: String| {
        let request = user.client.get(format!("{}{path}", user.base));
        async move { request.send().await.expect("request").status() }
    };
    assert_eq!(get(&bob, format!("/media/{id}")).await, StatusCode::OK, "a contact");
    assert_eq!(get(&carol, format!("/media/{id}")).await, StatusCode::NOT_FOUND, "not a contact");
    assert_eq!(get(&carol, format!("/media/{id}/thumb")).await, StatusCode::NOT_FOUND);
    let info = carol.ok("users/profile", json!({ "user_id": alice_id })).await;
    assert!(info["user"].get("avatar").is_none(), "{info}");
    let info = bob.ok("users/profile", json!({ "user_id": alice_id })).await;
    assert_eq!(info["user"]["avatar"], id.as_str());
}

#[tokio::test]
async fn contact_info_shows_groups_in_common_and_only_to_people_who_share_a_chat() {
    let app = spawn_app().await;
    let (alice, bob, _) = pair(&app, "ci_alice", "ci_bob").await;
    let stranger = app.registered("ci_stranger").await;
    let (alice_id, bob_id) = (alice.id().await, bob.id().await);
    let group = alice.create_group("Climbing", &[bob_id]).await;
    alice.ok("accounts/update_profile", json!({ "display_name": "Alice", "about": "Belay on" })).await;
    let info = bob.ok("users/profile", json!({ "user_id": alice_id })).await;
    assert_eq!(info["user"]["about"], "Belay on");
    assert_eq!(info["common_groups"], json!([{ "id": group, "title": "Climbing", "member_count": 2 }]));
    assert_eq!(info["blocked"], false);
    assert!(info["presence"]["online"].is_boolean(), "{info}");

    let (status, code, _) = stranger.fails("users/profile", json!({ "user_id": alice_id })).await;
    assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"), "no chat in common");
    let (status, _, _) = bob.fails("users/profile", json!({ "user_id": bob_id })).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "one's own profile is accounts/me");
    let (status, _, _) = bob.fails("users/profile", json!({ "user_id": 999_999 })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    block(&bob, alice_id).await;
    let info = bob.ok("users/profile", json!({ "user_id": alice_id })).await;
    assert_eq!((info["blocked"].as_bool(), &info["presence"]), (Some(true), &Value::Null));
    let blocked = bob.ok("users/blocked", json!({})).await;
    assert_eq!(
        blocked.as_array().map(|b| b.iter().map(|u| u["id"].clone()).collect::<Vec<_>>()),
        Some(vec![json!(alice_id)])
    );
    assert_eq!(alice.ok("users/blocked", json!({})).await, json!([]), "one's own list only");
}

#[tokio::test]
async fn a_report_keeps_the_chats_last_messages_for_the_operator_and_blocks() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "rep_alice", "rep_bob").await;
    let bob_id = bob.id().await;
    for n in 1..=25 {
        bob.send(conv, n, &format!("spam {n}")).await;
    }
    assert_eq!(alice.ok("users/report", json!({ "user_id": bob_id, "block": true })).await, Value::Null);
    let reports = server::privacy::reports(&app.db, 10).await.expect("reports");
    assert_eq!(reports.len(), 1);
    let report = &reports[0];
    assert_eq!((report.reporter.as_str(), report.reported.as_str()), ("rep_alice", "rep_bob"));
    assert_eq!(report.conversation_id, Some(conv));
    let bodies: Vec<&str> = report.messages.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies.len(), 20);
    assert_eq!((bodies[0], bodies[19]), ("spam 6", "spam 25"), "the last twenty, oldest first");
    let (status, _, _) = bob.fails("messages/send", send_body(conv, 99, "more spam")).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "reporting with block: true blocked too");

    // Without block, only the report.
    let carol = app.registered("rep_carol").await;
    let carol_conv = carol.open_direct(alice.id().await).await;
    alice.ok("users/report", json!({ "user_id": carol.id().await, "block": false })).await;
    carol.ok("messages/send", send_body(carol_conv, 100, "still here")).await;
    assert_eq!(server::privacy::reports(&app.db, 10).await.expect("reports").len(), 2);
}

#[tokio::test]
async fn a_blocked_person_cannot_add_the_blocker_to_groups() {
    let app = spawn_app().await;
    let (alice, bob, _) = pair(&app, "grp_alice", "grp_bob").await;
    let alice_id = alice.id().await;
    alice.ok("accounts/set_group_adds", json!({ "group_adds": "everyone" })).await;
    block(&alice, bob.id().await).await;
    let (status, code, field) =
        bob.fails("conversations/create_group", json!({ "title": "Trap", "members": [alice_id] })).await;
    assert_eq!((status, code.as_str(), field.as_deref()), (StatusCode::FORBIDDEN, "forbidden", Some("members")));
}

#[tokio::test]
async fn privacy_endpoints_refuse_bad_input_strangers_and_anonymous_callers() {
    let app = spawn_app().await;
    let alice = app.registered("bad_alice").await;
    let alice_id = alice.id().await;
    for body in
        [json!({ "last_seen": "friends" }), json!({ "read_receipts": "yes" }), json!({ "photo": 1 }), json!("everyone")]
    {
        let (status, _, _) = alice.fails("accounts/set_privacy", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
    let me = set_privacy(&alice, json!({})).await;
    assert_eq!(
        me["privacy"],
        json!({ "last_seen": "everyone", "photo": "everyone", "about": "everyone", "read_receipts": true }),
        "nothing given, nothing changed"
    );

    for endpoint in ["users/block", "users/unblock"] {
        let (status, code, field) = alice.fails(endpoint, json!({ "user_id": alice_id })).await;
        assert_eq!(
            (status, code.as_str(), field.as_deref()),
            (StatusCode::BAD_REQUEST, "invalid_input", Some("user_id"))
        );
        let (status, code, _) = alice.fails(endpoint, json!({ "user_id": i64::MAX })).await;
        assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"));
        let (status, _, _) = alice.fails(endpoint, json!({ "user_id": "1 OR 1=1" })).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
    }
    let (status, _, _) = alice.fails("users/report", json!({ "user_id": alice_id, "block": false })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = alice.fails("users/report", json!({ "user_id": 2 })).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "block is required");

    let anonymous = app.user();
    for (endpoint, body) in [
        ("accounts/set_privacy", json!({ "last_seen": "nobody" })),
        ("users/block", json!({ "user_id": alice_id })),
        ("users/unblock", json!({ "user_id": alice_id })),
        ("users/blocked", json!({})),
        ("users/report", json!({ "user_id": alice_id, "block": true })),
        ("users/profile", json!({ "user_id": alice_id })),
    ] {
        let (status, code, _) = anonymous.fails(endpoint, body).await;
        assert_eq!((status, code.as_str()), (StatusCode::UNAUTHORIZED, "unauthorized"), "{endpoint}");
    }
}
