//! Idempotent sends: however often and over whatever path a `client_msg_id` arrives, it is
//! stored once and every answer names the same message.

use crate::helpers::{messages, ok, pair, seqs, spawn_app, uuid};
use crate::ws::{Socket, drain, next_json, open, send_json};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;

/// (id, seq) of a message in an answer, ack or push.
fn key(message: &Value) -> (i64, i64) {
    (message["id"].as_i64().expect("id"), message["seq"].as_i64().expect("seq"))
}

#[tokio::test]
async fn a_hundred_concurrent_http_sends_of_one_client_msg_id_store_one_message() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "carol", "dave").await;
    alice.send(conv, 1, "first").await;
    let alice = Arc::new(alice);
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let alice = alice.clone();
            tokio::spawn(async move {
                let body = json!({ "conversation_id": conv, "client_msg_id": uuid(7), "body": "only once" });
                ok(alice.call("messages/send", body).await).await
            })
        })
        .collect();
    let answers: BTreeSet<(i64, i64)> =
        futures::future::join_all(tasks).await.into_iter().map(|r| key(&r.expect("task"))).collect();
    assert_eq!(answers.len(), 1, "every retry answers with the original message: {answers:?}");
    assert_eq!(answers.first().map(|k| k.1), Some(2));
    let page = bob.history(conv).await;
    assert_eq!(seqs(&page), [1, 2], "exactly one row stored, no seq burned");
    assert_eq!(alice.send(conv, 8, "next").await["seq"], 3, "the next send follows without a gap");
}

/// Sends `count` copies of one `send` frame and collects the acks (and any `message` pushes).
async fn fire(socket: &mut Socket, frame: &Value, count: usize) -> (Vec<Value>, Vec<Value>) {
    for _ in 0..count {
        send_json(socket, frame).await;
    }
    let (mut acks, mut pushes) = (Vec::new(), Vec::new());
    while acks.len() < count {
        let reply = next_json(socket).await;
        match reply["type"].as_str() {
            Some("ack") => acks.push(reply),
            Some("message") => pushes.push(reply),
            Some("presence") => {}
            _ => panic!("unexpected reply {reply}"),
        }
    }
    (acks, pushes)
}

#[tokio::test]
async fn concurrent_sends_over_sockets_and_http_store_one_message_and_push_it_once() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "erin", "frank").await;
    let mut bob_socket = open(&app, &bob).await;
    let client_msg_id = uuid(42);
    let frame =
        json!({ "type": "send", "conversation_id": conv, "client_msg_id": client_msg_id, "body": "hello once" });
    let alice = Arc::new(alice);
    // Three sockets × 25 frames (under the per-socket burst limit) racing 25 HTTP posts.
    let mut sockets = Vec::new();
    for _ in 0..3 {
        sockets.push(open(&app, &alice).await);
    }
    let socket_tasks: Vec<_> = sockets
        .into_iter()
        .map(|mut socket| {
            let frame = frame.clone();
            tokio::spawn(async move {
                let (acks, pushes) = fire(&mut socket, &frame, 25).await;
                (socket, acks, pushes)
            })
        })
        .collect();
    let http_tasks: Vec<_> = (0..25)
        .map(|_| {
            let (alice, body) = (
                alice.clone(),
                json!({ "conversation_id": conv, "client_msg_id": client_msg_id, "body": "hello once" }),
            );
            tokio::spawn(async move { ok(alice.call("messages/send", body).await).await })
        })
        .collect();

    let mut seen = BTreeSet::new();
    for answer in futures::future::join_all(http_tasks).await {
        seen.insert(key(&answer.expect("task")));
    }
    // Every send has been answered now, so the one that stored the message has pushed it: what
    // each socket holds before a barrier is all it will ever get.
    for result in futures::future::join_all(socket_tasks).await {
        let (mut socket, acks, mut pushes) = result.expect("task");
        pushes.extend(drain(&mut socket).await.into_iter().filter(|f| f["type"] == "message"));
        for ack in &acks {
            assert_eq!(ack["client_msg_id"], client_msg_id, "the ack names the send it answers");
            seen.insert(key(&ack["message"]));
        }
        assert_eq!(pushes.len(), 1, "each of the sender's sockets hears of the new message once: {pushes:?}");
        seen.insert(key(&pushes[0]["message"]));
    }
    assert_eq!(seen.len(), 1, "one message id and seq everywhere: {seen:?}");
    assert_eq!(seen.first().map(|k| k.1), Some(1));
    let to_bob: Vec<Value> = drain(&mut bob_socket).await.into_iter().filter(|f| f["type"] == "message").collect();
    assert_eq!(to_bob.len(), 1, "the recipient gets exactly one push: {to_bob:?}");
    assert_eq!(messages(&bob.history(conv).await).len(), 1, "history length 1");
}

#[tokio::test]
async fn another_user_reusing_a_client_msg_id_is_independent() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "gina", "henry").await;
    let mine = alice.send(conv, 5, "from alice").await;
    let theirs = bob.send(conv, 5, "from bob").await;
    assert_ne!(mine["id"], theirs["id"]);
    assert_eq!((mine["seq"].as_i64(), theirs["seq"].as_i64()), (Some(1), Some(2)));
    assert_eq!(crate::helpers::bodies(&alice.history(conv).await), ["from alice", "from bob"]);
}

#[tokio::test]
async fn a_resend_with_a_different_body_still_returns_the_original() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "ivy", "jack").await;
    let first = alice.send(conv, 1, "original").await;
    let again = alice.send(conv, 1, "changed my mind").await;
    assert_eq!(first, again, "the stored message, unchanged");
    // The UUID is compared in canonical form: upper case is the same id.
    let upper = alice
        .ok(
            "messages/send",
            json!({ "conversation_id": conv, "client_msg_id": uuid(1).to_uppercase(), "body": "original" }),
        )
        .await;
    assert_eq!(upper["id"], first["id"]);
    assert_eq!(crate::helpers::bodies(&bob.history(conv).await), ["original"]);
}

#[tokio::test]
async fn reusing_a_client_msg_id_in_another_chat_is_a_conflict() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "kim", "lou").await;
    let other = alice.open_direct(app.registered("max").await.id().await).await;
    alice.send(conv, 1, "here").await;
    let (status, code, _) = alice
        .fails("messages/send", json!({ "conversation_id": other, "client_msg_id": uuid(1), "body": "there" }))
        .await;
    assert_eq!((status, code.as_str()), (StatusCode::CONFLICT, "conflict"));
    assert!(messages(&alice.history(other).await).is_empty());
    assert_eq!(messages(&bob.history(conv).await).len(), 1);
}

#[tokio::test]
async fn a_refused_socket_send_names_its_client_msg_id_and_stores_nothing() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "nia", "otto").await;
    let mut socket = open(&app, &alice).await;
    send_json(
        &mut socket,
        &json!({ "type": "send", "conversation_id": conv, "client_msg_id": uuid(3), "body": "   " }),
    )
    .await;
    let error = next_json(&mut socket).await;
    assert_eq!(
        (error["type"].as_str(), error["code"].as_str(), error["field"].as_str(), error["client_msg_id"].as_str()),
        (Some("error"), Some("invalid_input"), Some("body"), Some(uuid(3).as_str()))
    );
    assert!(messages(&bob.history(conv).await).is_empty());
    // The same id with a valid body can still be sent afterwards.
    send_json(
        &mut socket,
        &json!({ "type": "send", "conversation_id": conv, "client_msg_id": uuid(3), "body": "fixed" }),
    )
    .await;
    let ack = crate::ws::next_of(&mut socket, "ack").await;
    assert_eq!((ack["client_msg_id"].as_str(), ack["message"]["seq"].as_i64()), (Some(uuid(3).as_str()), Some(1)));
}

#[tokio::test]
async fn concurrent_sends_with_refused_ones_among_them_store_every_valid_one_without_gaps() {
    // On SQLite concurrent sends share one transaction (group commit), each under its own
    // savepoint: a refused send in the middle of a batch must take nothing else with it.
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "pia", "quin").await;
    let elsewhere = alice.open_direct(app.registered("rex").await.id().await).await;
    let foreign = alice.send(elsewhere, 900, "in another chat").await["id"].clone();
    let stranger = Arc::new(app.registered("sol").await);
    let (alice, bob) = (Arc::new(alice), Arc::new(bob));
    let mut tasks = Vec::new();
    for n in 0..40u32 {
        let sender = if n % 2 == 0 { alice.clone() } else { bob.clone() };
        let body = json!({ "conversation_id": conv, "client_msg_id": uuid(n), "body": format!("valid {n}") });
        tasks.push(tokio::spawn(async move { ("valid", sender.call("messages/send", body).await) }));
        if n % 4 == 0 {
            let body = json!({ "conversation_id": conv, "client_msg_id": uuid(100 + n), "body": "quotes a stranger's chat", "reply_to": foreign });
            let alice = alice.clone();
            tasks.push(tokio::spawn(async move { ("bad reply", alice.call("messages/send", body).await) }));
            let body = json!({ "conversation_id": conv, "client_msg_id": uuid(200 + n), "body": "not a member" });
            let stranger = stranger.clone();
            tasks.push(tokio::spawn(async move { ("stranger", stranger.call("messages/send", body).await) }));
        }
    }
    let mut stored = BTreeSet::new();
    for task in futures::future::join_all(tasks).await {
        let (kind, res) = task.expect("task");
        match kind {
            "valid" => {
                stored.insert(key(&ok(res).await).1);
            }
            "bad reply" => {
                let (status, code, field) = crate::helpers::error_of(res).await;
                assert_eq!(
                    (status, code.as_str(), field.as_deref()),
                    (StatusCode::BAD_REQUEST, "invalid_input", Some("reply_to"))
                );
            }
            _ => assert!(
                res.status() == StatusCode::FORBIDDEN || res.status() == StatusCode::NOT_FOUND,
                "stranger: {}",
                res.status()
            ),
        }
    }
    assert_eq!(
        stored,
        (1..=40).collect::<BTreeSet<i64>>(),
        "each valid send got its own seq, none burned by a refused one"
    );
    let page = bob.history(conv).await;
    assert_eq!(seqs(&page), (1..=40).collect::<Vec<i64>>());
    assert!(crate::helpers::bodies(&page).iter().all(|b| b.starts_with("valid ")), "no refused send was stored");
    assert_eq!(alice.send(conv, 77, "after the burst").await["seq"], 41);
}
