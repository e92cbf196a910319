//! Receipts as watermarks, and the ticks they make.

use crate::helpers::{User, pair, spawn_app, watermarks};
use crate::ws::{next_of, open, send_json};
use serde_json::{Value, json};
use shared::Tick;

/// The tick of `seq` for its sender, from a history page's members (everyone but the sender).
fn tick(page: &Value, sender: i64, seq: i64) -> Tick {
    let members = page["members"].as_array().expect("members");
    let others = members
        .iter()
        .filter(|m| m["user"]["id"] != sender)
        .map(|m| (m["delivered_seq"].as_i64().expect("delivered"), m["read_seq"].as_i64().expect("read")));
    Tick::for_seq(seq, others)
}

async fn mark(user: &User, what: &str, conv: i64, seq: i64) -> Value {
    user.ok(&format!("messages/{what}"), json!({ "conversation_id": conv, "seq": seq })).await
}

#[tokio::test]
async fn delivered_then_read_move_the_watermarks_and_the_tick() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "gina", "henry").await;
    let (alice_id, bob_id) = (alice.id().await, bob.id().await);
    alice.send(conv, 1, "hi").await;
    let page = alice.history(conv).await;
    assert_eq!(watermarks(&page, bob_id), (0, 0));
    assert_eq!(tick(&page, alice_id, 1), Tick::Sent);

    let receipt = mark(&bob, "delivered", conv, 1).await;
    assert_eq!(receipt, json!({ "conversation_id": conv, "user_id": bob_id, "delivered_seq": 1, "read_seq": 0 }));
    let page = alice.history(conv).await;
    assert_eq!(watermarks(&page, bob_id), (1, 0));
    assert_eq!(tick(&page, alice_id, 1), Tick::Delivered);

    let receipt = mark(&bob, "read", conv, 1).await;
    assert_eq!((receipt["delivered_seq"].as_i64(), receipt["read_seq"].as_i64()), (Some(1), Some(1)));
    let page = alice.history(conv).await;
    assert_eq!(watermarks(&page, bob_id), (1, 1));
    assert_eq!(tick(&page, alice_id, 1), Tick::Read);
    assert_eq!(watermarks(&page, alice_id), (0, 0), "the sender's own watermarks are separate");
}

#[tokio::test]
async fn watermarks_never_go_backwards_and_are_clamped_to_the_last_seq() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "ida", "jon").await;
    let bob_id = bob.id().await;
    for n in 1..=3 {
        alice.send(conv, n, "hi").await;
    }
    mark(&bob, "read", conv, 3).await;
    let receipt = mark(&bob, "read", conv, 1).await;
    assert_eq!(
        (receipt["delivered_seq"].as_i64(), receipt["read_seq"].as_i64()),
        (Some(3), Some(3)),
        "the answer is the kept watermark"
    );
    mark(&bob, "delivered", conv, 2).await;
    assert_eq!(watermarks(&alice.history(conv).await, bob_id), (3, 3), "never backwards");

    let receipt = mark(&bob, "delivered", conv, 999).await;
    assert_eq!(receipt["delivered_seq"], 3, "clamped to the last seq");
    mark(&bob, "read", conv, i64::MAX).await;
    mark(&bob, "read", conv, -5).await;
    assert_eq!(watermarks(&alice.history(conv).await, bob_id), (3, 3));
    // Clamped, a watermark cannot run ahead of messages that do not exist yet.
    alice.send(conv, 4, "new").await;
    assert_eq!(alice.ok("conversations/list", json!({})).await[0]["unread"], 0);
    assert_eq!(bob.ok("conversations/list", json!({})).await[0]["unread"], 1, "the new message is unread");
}

#[tokio::test]
async fn reading_implies_delivery() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "kit", "lars").await;
    let bob_id = bob.id().await;
    alice.send(conv, 1, "a").await;
    alice.send(conv, 2, "b").await;
    mark(&bob, "read", conv, 2).await;
    assert_eq!(watermarks(&alice.history(conv).await, bob_id), (2, 2));
}

#[tokio::test]
async fn in_a_group_a_tick_needs_every_other_member() {
    let app = spawn_app().await;
    let owner = app.registered("moe").await;
    let b = app.registered("nils").await;
    let c = app.registered("ola").await;
    let owner_id = owner.id().await;
    let group = owner.create_group("Trio", &[b.id().await, c.id().await]).await;
    let seq = owner.send(group, 1, "hello all").await["seq"].as_i64().expect("seq");
    assert_eq!(seq, 2, "after the 'created' system message");
    assert_eq!(tick(&owner.history(group).await, owner_id, seq), Tick::Sent);
    mark(&b, "read", group, seq).await;
    assert_eq!(tick(&owner.history(group).await, owner_id, seq), Tick::Sent, "one of two others is not enough");
    mark(&c, "delivered", group, seq).await;
    assert_eq!(tick(&owner.history(group).await, owner_id, seq), Tick::Delivered, "delivered to both, read by one");
    mark(&c, "read", group, seq).await;
    assert_eq!(tick(&owner.history(group).await, owner_id, seq), Tick::Read);
}

#[tokio::test]
async fn receipts_sent_over_the_socket_move_watermarks_and_reach_the_sender() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "pam", "rex").await;
    let bob_id = bob.id().await;
    alice.send(conv, 1, "are you there?").await;
    let mut alice_socket = open(&app, &alice).await;
    let mut bob_socket = open(&app, &bob).await;
    send_json(&mut bob_socket, &json!({ "type": "delivered", "conversation_id": conv, "seq": 1 })).await;
    let pushed = next_of(&mut alice_socket, "receipt").await;
    assert_eq!(
        pushed["receipt"],
        json!({ "conversation_id": conv, "user_id": bob_id, "delivered_seq": 1, "read_seq": 0 })
    );
    send_json(&mut bob_socket, &json!({ "type": "read", "conversation_id": conv, "seq": 1 })).await;
    assert_eq!(next_of(&mut alice_socket, "receipt").await["receipt"]["read_seq"], 1);
    // A repeat that moves nothing pushes nothing.
    send_json(&mut bob_socket, &json!({ "type": "read", "conversation_id": conv, "seq": 1 })).await;
    crate::ws::drain(&mut bob_socket).await; // the repeat was handled
    let quiet: Vec<Value> =
        crate::ws::drain(&mut alice_socket).await.into_iter().filter(|f| f["type"] == "receipt").collect();
    assert!(quiet.is_empty(), "{quiet:?}");
    assert_eq!(watermarks(&alice.history(conv).await, bob_id), (1, 1));
}
