//! Two real server processes on one PostgreSQL database and one NATS subject: pushes, receipts,
//! typing and presence cross nodes, and when a node is killed its clients move to the other one
//! and catch up with nothing lost and nothing doubled; a logout on one node closes the
//! session's sockets on the other.
//!
//! Needs `TEST_DATABASE_URL` and `TEST_NATS_URL` (.ci/run sets both); without them the tests
//! fail on CI (`CI` set), and elsewhere print why and pass without running.

mod client;
mod node;

use client::{Browser, PATIENCE, Socket, uuid};
use node::{EXPIRY_MS, Node, PgDatabase, Shared};
use serde_json::{Value, json};
use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

/// Long enough for a killed node's users to expire on the other one, with room for a slow CI
/// (only a guard against a hung test: the wait ends when the frame comes).
const EXPIRY_WAIT: Duration = Duration::from_millis(EXPIRY_MS * 2 + 30_000);
/// How long "nothing more arrives" is listened for.
const QUIET: Duration = Duration::from_millis(400);

async fn shared_env() -> Option<(Shared, PgDatabase)> {
    let (admin_url, nats_url) = node::services()?;
    let db = PgDatabase::create(&admin_url).await;
    let subject = format!("messenger.test.{:016x}", rand::random::<u64>());
    Some((Shared { database_url: db.url.clone(), nats_url, subject }, db))
}

/// Starts A, then B (one after the other: the first migrates the fresh database).
async fn two_nodes(shared: &Shared) -> (Node, Node) {
    let a = Node::start("A", shared).await;
    let b = Node::start("B", shared).await;
    (a, b)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn users_on_different_nodes_get_each_others_pushes_receipts_typing_and_presence() {
    let Some((shared, _db)) = shared_env().await else { return };
    let (a, b) = two_nodes(&shared).await;
    let (alice, bob) = (Browser::new(), Browser::new());
    let alice_id = alice.register(&a, "alice").await;
    let bob_id = bob.register(&b, "bob").await;
    let chat =
        alice.call(&a, "conversations/open_direct", json!({ "user_id": bob_id })).await["id"].as_i64().expect("id");

    let mut bob_ws = bob.socket(&b).await;
    let mut alice_ws = alice.socket(&a).await;
    let online = bob_ws.presence_of(alice_id, PATIENCE).await;
    assert_eq!(online["online"], true, "bob on B sees alice come online on A: {online}");
    let seen = bob.call(&b, "users/presence", json!({ "user_id": alice_id })).await;
    assert_eq!(seen["online"], true, "B counts A's sockets: {seen}");

    // A message from A reaches B once.
    alice_ws.send(json!({ "type": "send", "conversation_id": chat, "client_msg_id": uuid(1), "body": "from A" })).await;
    let ack = alice_ws.next_of("ack").await;
    let pushed = bob_ws.next_of("message").await;
    assert_eq!(pushed["message"]["body"], "from A");
    assert_eq!(pushed["message"]["id"], ack["message"]["id"]);
    // A later frame from A is the barrier: A publishes in order and B delivers in order, so a
    // second copy of the push would come before alice's typing.
    alice_ws.send(json!({ "type": "typing", "conversation_id": chat })).await;
    let before = bob_ws.until("alice's typing", |f| f["type"] == "typing" && f["user_id"] == alice_id).await;
    let again: Vec<&Value> = before.iter().filter(|f| f["type"] == "message").collect();
    assert!(again.is_empty(), "one push per message, not one per node: {again:?}");

    // Receipts and typing from B reach A.
    bob_ws.send(json!({ "type": "read", "conversation_id": chat, "seq": 1 })).await;
    let receipt = alice_ws
        .next_where(PATIENCE, "bob's read receipt", |f| f["type"] == "receipt" && f["receipt"]["read_seq"] == 1)
        .await;
    assert_eq!(receipt["receipt"]["user_id"], bob_id);
    bob_ws.send(json!({ "type": "typing", "conversation_id": chat })).await;
    let typing = alice_ws.next_of("typing").await;
    assert_eq!((typing["user_id"].as_i64(), typing["conversation_id"].as_i64()), (Some(bob_id), Some(chat)));
    alice_ws.send(json!({ "type": "typing", "conversation_id": chat })).await;
    assert_eq!(bob_ws.next_of("typing").await["user_id"], alice_id);

    // A message sent over HTTP on B reaches the socket on A.
    bob.call(&b, "messages/send", json!({ "conversation_id": chat, "client_msg_id": uuid(2), "body": "from B" })).await;
    assert_eq!(alice_ws.next_of("message").await["message"]["body"], "from B");

    // Closing alice's only socket takes her offline on B; a new one brings her back.
    alice_ws.close().await;
    let offline = bob_ws.presence_of(alice_id, PATIENCE).await;
    assert_eq!(offline["online"], false, "{offline}");
    assert!(offline["last_seen_at"].is_i64(), "offline carries last seen: {offline}");
    let _alice_ws = alice.socket(&a).await;
    assert_eq!(bob_ws.presence_of(alice_id, PATIENCE).await["online"], true);
    // A second tab is not news.
    let second = alice.socket(&a).await;
    second.close().await;
    let presence: Vec<Value> = bob_ws.drain(QUIET).await.into_iter().filter(|f| f["type"] == "presence").collect();
    assert!(presence.is_empty(), "a second tab opening and closing changes nothing: {presence:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_nodes_clients_move_to_the_other_node_and_lose_nothing() {
    let Some((shared, _db)) = shared_env().await else { return };
    let (mut a, b) = two_nodes(&shared).await;
    let (alice, bob) = (Browser::new(), Browser::new());
    let alice_id = alice.register(&a, "alice").await;
    let bob_id = bob.register(&b, "bob").await;
    let chat =
        alice.call(&a, "conversations/open_direct", json!({ "user_id": bob_id })).await["id"].as_i64().expect("id");

    let mut thread = Thread::default();
    thread.load(&alice.call(&a, "messages/history", json!({ "conversation_id": chat })).await);
    let mut bob_ws = bob.socket(&b).await;
    let mut alice_ws = alice.socket(&a).await;
    assert_eq!(bob_ws.presence_of(alice_id, PATIENCE).await["online"], true);

    // Some traffic both ways while all is well.
    let mut outbox: BTreeMap<u32, String> = BTreeMap::new();
    for n in 1..=3 {
        outbox.insert(n, format!("alice {n}"));
        send(&mut alice_ws, chat, n, &outbox[&n]).await;
        let ack = thread.follow(&mut alice_ws, "ack").await;
        outbox.remove(&n);
        assert_eq!(ack["message"]["seq"], i64::from(n));
    }
    bob.call(&b, "messages/send", json!({ "conversation_id": chat, "client_msg_id": uuid(100), "body": "bob 1" }))
        .await;
    thread.follow_message(&mut alice_ws, "bob 1").await;
    let held_rev = thread.rev;

    // Alice sends two more; node A dies before she hears back.
    for n in 4..=5 {
        outbox.insert(n, format!("alice {n}"));
        send(&mut alice_ws, chat, n, &outbox[&n]).await;
    }
    a.kill();
    drop(alice_ws);

    // B notices A's silence: alice is offline for bob.
    let offline = bob_ws.presence_of(alice_id, EXPIRY_WAIT).await;
    assert_eq!(offline["online"], false, "{offline}");
    assert!(offline["last_seen_at"].is_i64(), "{offline}");
    let seen = bob.call(&b, "users/presence", json!({ "user_id": alice_id })).await;
    assert_eq!(seen["online"], false, "{seen}");

    // While she is away, bob writes and edits.
    let sent = bob
        .call(&b, "messages/send", json!({ "conversation_id": chat, "client_msg_id": uuid(101), "body": "bob 2" }))
        .await;
    bob.call(&b, "messages/edit", json!({ "message_id": sent["id"], "body": "bob 2, edited" })).await;
    bob.call(&b, "messages/read", json!({ "conversation_id": chat, "seq": sent["seq"] })).await;

    // Alice reconnects to B (same session), resends her outbox and an already acked message.
    let mut alice_ws = alice.socket(&b).await;
    assert_eq!(bob_ws.presence_of(alice_id, PATIENCE).await["online"], true);
    outbox.insert(3, "alice 3".to_owned());
    let resent: Vec<(u32, String)> = outbox.iter().map(|(n, body)| (*n, body.clone())).collect();
    let mut acked = BTreeMap::new();
    for (n, body) in &resent {
        send(&mut alice_ws, chat, *n, body).await;
        let ack = thread.follow(&mut alice_ws, "ack").await;
        assert_eq!(ack["client_msg_id"], uuid(*n));
        acked.insert(*n, ack["message"]["seq"].as_i64().expect("seq"));
    }
    assert_eq!(acked[&3], 3, "the acked message keeps its seq");

    // Catch up by rev from what she held before the kill, page by page.
    let mut after_rev = held_rev;
    loop {
        let page = alice.call(&b, "messages/sync", json!({ "conversation_id": chat, "after_rev": after_rev })).await;
        thread.sync(&page);
        after_rev = page["rev"].as_i64().expect("rev");
        if page["has_more"] != true {
            break;
        }
    }

    let fresh = alice.call(&b, "messages/history", json!({ "conversation_id": chat })).await;
    let fresh_messages = fresh["messages"].as_array().expect("messages");
    let seqs: Vec<i64> = fresh_messages.iter().map(|m| m["seq"].as_i64().expect("seq")).collect();
    assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>(), "seq 1..n without gaps");
    let mut ids: Vec<&str> = fresh_messages.iter().filter_map(|m| m["client_msg_id"].as_str()).collect();
    ids.sort_unstable();
    let distinct = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), distinct, "no message stored twice");
    let bodies: Vec<&str> = fresh_messages.iter().map(|m| m["body"].as_str().unwrap_or_default()).collect();
    for n in 1..=5 {
        assert_eq!(
            bodies.iter().filter(|b| **b == format!("alice {n}")).count(),
            1,
            "alice {n} exactly once: {bodies:?}"
        );
    }
    assert!(bodies.contains(&"bob 2, edited"), "{bodies:?}");
    assert_eq!(fresh_messages.len(), 7);
    assert_eq!(
        thread.messages.values().cloned().collect::<Vec<_>>(),
        *fresh_messages,
        "alice's copy equals a fresh fetch"
    );
    assert_eq!(thread.members, members_of(&fresh), "watermarks too");
    assert_eq!(thread.rev, fresh["rev"].as_i64().expect("rev"));

    // Bob saw each message at most once (a push lost with A is fine: the rev says so); the
    // resends pushed nothing new. B queued its pushes (the resends' included) before the calls
    // and acks that caused them returned, so a barrier reads them all.
    bob_ws.barrier().await;
    let pushes: Vec<String> = bob_ws
        .seen
        .iter()
        .filter(|f| f["type"] == "message")
        .filter_map(|f| f["message"]["body"].as_str().map(str::to_owned))
        .collect();
    let mut counts: HashMap<String, usize> = HashMap::new();
    for body in pushes {
        *counts.entry(body).or_default() += 1;
    }
    assert!(counts.values().all(|c| *c == 1), "no message pushed twice to bob: {counts:?}");
    for body in ["alice 1", "alice 2", "alice 3", "bob 1", "bob 2"] {
        assert!(counts.contains_key(body), "bob got {body} pushed while both nodes ran: {counts:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logout_on_one_node_closes_the_sessions_sockets_on_the_other() {
    let Some((shared, _db)) = shared_env().await else { return };
    let (a, b) = two_nodes(&shared).await;
    let (alice, bob) = (Browser::new(), Browser::new());
    let alice_id = alice.register(&a, "alice").await;
    let bob_id = bob.register(&a, "bob").await;
    alice.call(&a, "conversations/open_direct", json!({ "user_id": bob_id })).await;

    let mut bob_ws = bob.socket(&a).await;
    let mut alice_on_b = alice.socket(&b).await;
    assert_eq!(bob_ws.presence_of(alice_id, PATIENCE).await["online"], true);

    alice.logout(&a).await;
    let close = alice_on_b.close_within(PATIENCE).await;
    assert_eq!(close, Some((4401, "session ended".to_owned())), "alice's socket on B closes with her session");
    let offline = bob_ws.presence_of(alice_id, PATIENCE).await;
    assert_eq!(offline["online"], false, "bob on A sees her go offline: {offline}");
}

/// A node whose `NATS_URL` answers nothing refuses to start, and says why.
#[tokio::test]
async fn a_node_refuses_to_start_without_its_nats() {
    let dir = tempfile::tempdir().expect("dir");
    let shared = Shared {
        database_url: format!("sqlite://{}?mode=rwc", dir.path().join("chat.db").display()),
        nats_url: "nats://127.0.0.1:9".to_owned(),
        subject: "messenger.test.unreachable".to_owned(),
    };
    let log = match Node::start_with("lonely", &shared, &[]).await {
        Ok(node) => panic!("started without NATS:\n{}", node.log()),
        Err(log) => log,
    };
    assert!(log.contains("NATS_URL nats://127.0.0.1:9: no NATS server answered"), "{log}");
}

async fn send(socket: &mut Socket, chat: i64, n: u32, body: &str) {
    socket.send(json!({ "type": "send", "conversation_id": chat, "client_msg_id": uuid(n), "body": body })).await;
}

fn members_of(page: &Value) -> BTreeMap<i64, (i64, i64)> {
    page["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| {
            let id = m["user"]["id"].as_i64().expect("id");
            (id, (m["delivered_seq"].as_i64().expect("delivered"), m["read_seq"].as_i64().expect("read")))
        })
        .collect()
}

/// A client's copy of one conversation, built as the browser builds it: from history, then
/// every push and ack on its socket, then `messages/sync`.
#[derive(Default)]
struct Thread {
    messages: BTreeMap<i64, Value>,
    members: BTreeMap<i64, (i64, i64)>,
    rev: i64,
}

impl Thread {
    fn load(&mut self, page: &Value) {
        for message in page["messages"].as_array().expect("messages") {
            self.message(message);
        }
        self.members = members_of(page);
        self.rev = page["rev"].as_i64().expect("rev");
    }

    /// Keeps the copy with the higher rev.
    fn message(&mut self, message: &Value) {
        let seq = message["seq"].as_i64().expect("seq");
        let rev = message["rev"].as_i64().expect("rev");
        let newer = self.messages.get(&seq).is_none_or(|held| held["rev"].as_i64() < Some(rev));
        if newer {
            self.messages.insert(seq, message.clone());
        }
        self.rev = self.rev.max(rev);
    }

    fn frame(&mut self, frame: &Value) {
        match frame["type"].as_str() {
            Some("ack" | "message" | "message_updated") => self.message(&frame["message"]),
            Some("receipt") => {
                let receipt = &frame["receipt"];
                let user = receipt["user_id"].as_i64().expect("user");
                let marks = (receipt["delivered_seq"].as_i64().expect("d"), receipt["read_seq"].as_i64().expect("r"));
                let held = self.members.entry(user).or_default();
                *held = (held.0.max(marks.0), held.1.max(marks.1));
            }
            _ => {}
        }
    }

    fn sync(&mut self, page: &Value) {
        for message in page["changed"].as_array().expect("changed") {
            self.message(message);
        }
        self.members = members_of(page);
        self.rev = self.rev.max(page["rev"].as_i64().expect("rev"));
    }

    /// Applies frames until one of `kind` arrives; returns it.
    async fn follow(&mut self, socket: &mut Socket, kind: &str) -> Value {
        loop {
            let frame = socket.next().await;
            self.frame(&frame);
            if frame["type"] == kind {
                return frame;
            }
        }
    }

    /// Applies frames until the message with `body` was pushed.
    async fn follow_message(&mut self, socket: &mut Socket, body: &str) {
        loop {
            let frame = self.follow(socket, "message").await;
            if frame["message"]["body"] == body {
                return;
            }
        }
    }
}
