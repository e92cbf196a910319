//! Crash durability: one server process on SQLite in a temporary DATA_DIR, killed with
//! `kill -9` twenty times while clients keep sending over WebSockets. Each client keeps an
//! outbox (client_msg_id → body), drops an item only on its `ack`, and resends the whole outbox
//! after every restart. At the end the history must hold every acknowledged message exactly
//! once, every outbox item at most once (and eventually once), with seqs 1..n and no gaps.
//!
//! Each kill waits for a condition, not a time: a random number of sends into the round, at a
//! moment when a send is on the wire unacknowledged. The test fails unless most kills caught
//! sends in flight and outbox items were resent, so a machine too slow (or too fast) to
//! overlap kills with sends cannot pass it without testing anything.
//!
//! Needs no outside services. Run: `cargo test -p server --test crash -- --nocapture`.

use futures::{SinkExt, StreamExt};
use rand::Rng;
use reqwest::cookie::{CookieStore, Jar};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

const ROUNDS: usize = 20;
const CLIENTS: usize = 4;
const PASSWORD: &str = "correct horse battery";
/// Under the socket's 20 frames a second (burst 60), so no send is refused for rate.
const SEND_EVERY: Duration = Duration::from_millis(70);
/// A wait fails after this: a guard against a hung test, not a speed requirement.
const HANG: Duration = Duration::from_secs(180);

#[path = "support/server.rs"]
mod server_process;
use server_process::Server;
/// What a client holds across restarts: its session and its outbox.
struct Client {
    http: reqwest::Client,
    jar: Arc<Jar>,
    id: i64,
    state: Arc<Mutex<ClientState>>,
}

#[derive(Default)]
struct ClientState {
    /// Not yet acknowledged: client_msg_id → body.
    outbox: BTreeMap<String, String>,
    /// Acknowledged: client_msg_id → (message id, seq, body).
    acked: HashMap<String, (i64, i64, String)>,
    /// Every item ever put in the outbox.
    made: Vec<String>,
    /// Outbox items sent again on a new connection after a kill.
    resent: usize,
    /// Send frames written to a socket, resends included.
    sent: usize,
    /// Sent on the current connection and not acknowledged yet: in flight.
    unanswered: BTreeSet<String>,
    next: u32,
}

impl Client {
    async fn register(server: &Server, index: usize) -> Client {
        let jar = Arc::new(Jar::default());
        let http = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(60))
            .build()
            .expect("client");
        let username = format!("crash{index}");
        let form = [("username", username.as_str()), ("display_name", username.as_str()), ("password", PASSWORD)];
        let res = http.post(server.url("/api/accounts/register")).form(&form).send().await.expect("register");
        assert!(res.status().is_success(), "register {username}: {}", res.status());
        let mut client = Client { http, jar, id: 0, state: Arc::default() };
        client.id = client.call(server, "accounts/me", json!({})).await["id"].as_i64().expect("id");
        // Strangers put each other into the test's group.
        client.call(server, "accounts/set_group_adds", json!({ "group_adds": "everyone" })).await;
        client
    }

    async fn call(&self, server: &Server, endpoint: &str, body: Value) -> Value {
        let res = self.http.post(server.url(&format!("/api/{endpoint}"))).json(&body).send().await.expect("request");
        let status = res.status();
        let text = res.text().await.expect("body");
        assert!(status.is_success(), "{endpoint}: {status} {text}");
        serde_json::from_str(&text).expect("json")
    }

    /// One connection's life: resend the outbox, then send a new message every `SEND_EVERY`
    /// while `sending`; acks are read until the socket dies or `stop` is set. Returns when the
    /// socket ends (the server was killed) or `stop` is set. Errors of the connection are the
    /// expected effect of the kill, never a failure.
    async fn session(
        &self,
        index: usize,
        server_addr: SocketAddr,
        conversation: i64,
        sending: watch::Receiver<bool>,
        stop: watch::Receiver<bool>,
    ) {
        let origin = format!("http://{server_addr}");
        let Ok(mut request) = format!("ws://{server_addr}/ws").into_client_request() else { return };
        let cookie = self.jar.cookies(&origin.parse().expect("url")).expect("a session cookie");
        request.headers_mut().insert("cookie", cookie);
        request.headers_mut().insert("origin", origin.parse().expect("origin"));
        let Ok((stream, _)) = tokio_tungstenite::connect_async(request).await else { return };
        let (mut sink, mut stream) = stream.split();

        let state = self.state.clone();
        let mut stop_reader = stop.clone();
        let reader = tokio::spawn(async move {
            loop {
                let message = tokio::select! {
                    m = stream.next() => m,
                    _ = stop_reader.wait_for(|s| *s) => return,
                };
                let Some(Ok(message)) = message else { return };
                let Message::Text(text) = message else { continue };
                let frame: Value = serde_json::from_str(&text).expect("json frame");
                match frame["type"].as_str() {
                    Some("ack") => {
                        let id = frame["client_msg_id"].as_str().expect("ack id").to_owned();
                        let m = &frame["message"];
                        let stored = (
                            m["id"].as_i64().expect("id"),
                            m["seq"].as_i64().expect("seq"),
                            m["body"].as_str().expect("body").to_owned(),
                        );
                        let mut state = state.lock().expect("state");
                        state.unanswered.remove(&id);
                        if let Some(body) = state.outbox.remove(&id) {
                            assert_eq!(body, stored.2, "ack of {id} carries its body");
                        }
                        if let Some(before) = state.acked.get(&id) {
                            assert_eq!(before, &stored, "a resent {id} is answered with the original message");
                        }
                        state.acked.insert(id, stored);
                    }
                    // Refused for rate (should not happen at this pace): it stays in the
                    // outbox and goes again on the next connection.
                    Some("error") if frame["code"] == "rate_limited" => {}
                    Some("error") => panic!("client {index}: {frame}"),
                    _ => {}
                }
            }
        });

        let resend: Vec<(String, String)> = {
            let mut state = self.state.lock().expect("state");
            state.unanswered.clear();
            state.resent += state.outbox.len();
            state.outbox.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
        };
        let frame = |id: &str, body: &str| {
            json!({ "type": "send", "conversation_id": conversation, "client_msg_id": id, "body": body }).to_string()
        };
        let mut alive = true;
        for (id, body) in &resend {
            if *stop.borrow() || sink.send(Message::text(frame(id, body))).await.is_err() {
                alive = false;
                break;
            }
            self.sent(id);
            tokio::time::sleep(SEND_EVERY).await;
        }
        while alive && *sending.borrow() && !*stop.borrow() && !reader.is_finished() {
            let (id, body) = {
                let mut state = self.state.lock().expect("state");
                state.next += 1;
                let n = state.next;
                let id = format!("{:08x}-0000-4000-8000-{:012}", index + 1, n);
                let body = format!("client {index} message {n}");
                state.outbox.insert(id.clone(), body.clone());
                state.made.push(id.clone());
                (id, body)
            };
            if sink.send(Message::text(frame(&id, &body))).await.is_err() {
                break;
            }
            self.sent(&id);
            tokio::time::sleep(SEND_EVERY).await;
        }
        let _ = reader.await;
    }

    /// A send of `id` was written to the socket. (Its ack may already have come: the reader
    /// runs beside the writer.)
    fn sent(&self, id: &str) {
        let mut state = self.state.lock().expect("state");
        state.sent += 1;
        if state.outbox.contains_key(id) {
            state.unanswered.insert(id.to_owned());
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_twenty_times_under_load_loses_and_doubles_nothing() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut server = Server::start(dir.path()).await;
    let mut clients = Vec::new();
    for index in 0..CLIENTS {
        clients.push(Arc::new(Client::register(&server, index).await));
    }
    let members: Vec<i64> = clients[1..].iter().map(|c| c.id).collect();
    let group = clients[0]
        .call(&server, "conversations/create_group", json!({ "title": "Crash", "members": members }))
        .await["id"]
        .as_i64()
        .expect("group id");

    let mut rng = rand::rng();
    let mut kills_in_flight = 0;
    for round in 1..=ROUNDS {
        if round > 1 {
            server = Server::start(dir.path()).await;
        }
        // What was in flight at the last kill went down with that process (it stays in the
        // outboxes, to be sent again): only this round's sends count.
        for client in &clients {
            client.state.lock().expect("state").unanswered.clear();
        }
        let sent_before = in_flight(&clients).0;
        let (_sending_tx, sending) = watch::channel(true);
        let (stop_tx, stop) = watch::channel(false);
        let tasks: Vec<_> = clients
            .iter()
            .enumerate()
            .map(|(index, client)| {
                let (client, addr, sending, stop) = (client.clone(), server.addr, sending.clone(), stop.clone());
                tokio::spawn(async move { client.session(index, addr, group, sending, stop).await })
            })
            .collect();
        // Killed a random number of sends into the round, while one is unacknowledged.
        let sends = rng.random_range(4..=24);
        let deadline = Instant::now() + HANG;
        loop {
            let (sent, unanswered) = in_flight(&clients);
            if sent >= sent_before + sends && unanswered > 0 {
                break;
            }
            assert!(Instant::now() < deadline, "round {round}: {} of {sends} sends made", sent - sent_before);
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        server.kill();
        // Sockets end by themselves once the process is gone; `stop` only bounds a stuck one.
        let ends = futures::future::join_all(tasks);
        if tokio::time::timeout(Duration::from_secs(10), ends).await.is_err() {
            let _ = stop_tx.send(true);
        }
        // Sends still unanswered once the sockets are gone were in flight when the process died.
        let unanswered = in_flight(&clients).1;
        if unanswered > 0 {
            kills_in_flight += 1;
        }
        let (pending, acked) = totals(&clients);
        println!(
            "round {round:2}: killed with {unanswered} sends in flight; {acked} acked so far, {pending} in outboxes"
        );
    }

    // Once more, and drain: every outbox is resent until empty, nothing new is made.
    server = Server::start(dir.path()).await;
    let (_sending_tx, sending) = watch::channel(false);
    let (stop_tx, stop) = watch::channel(false);
    let tasks: Vec<_> = clients
        .iter()
        .enumerate()
        .map(|(index, client)| {
            let (client, addr, sending, stop) = (client.clone(), server.addr, sending.clone(), stop.clone());
            tokio::spawn(async move { client.session(index, addr, group, sending, stop).await })
        })
        .collect();
    let deadline = Instant::now() + HANG;
    while totals(&clients).0 > 0 {
        assert!(Instant::now() < deadline, "outboxes did not drain: {} left", totals(&clients).0);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let _ = stop_tx.send(true);
    for task in tasks {
        task.await.expect("client task");
    }

    // The whole history, paged back with `before`.
    let mut history: Vec<Value> = Vec::new();
    let mut before: Option<i64> = None;
    loop {
        let page =
            clients[0].call(&server, "messages/history", json!({ "conversation_id": group, "before": before })).await;
        let messages = page["messages"].as_array().expect("messages").clone();
        if let Some(oldest) = messages.first() {
            before = oldest["seq"].as_i64();
        }
        let more = page["has_more"].as_bool().expect("has_more") && !messages.is_empty();
        history.splice(0..0, messages);
        if !more {
            break;
        }
    }

    let seqs: Vec<i64> = history.iter().map(|m| m["seq"].as_i64().expect("seq")).collect();
    let expected: Vec<i64> = (1..=seqs.len() as i64).collect();
    assert_eq!(seqs, expected, "seqs are 1..n without gaps or repeats");

    let mut stored: HashMap<(i64, String), Vec<&Value>> = HashMap::new();
    for m in &history {
        if let Some(id) = m["client_msg_id"].as_str() {
            stored.entry((m["sender_id"].as_i64().expect("sender"), id.to_owned())).or_default().push(m);
        }
    }
    let duplicates: Vec<_> = stored.iter().filter(|(_, ms)| ms.len() > 1).map(|(k, _)| k.clone()).collect();
    assert!(duplicates.is_empty(), "client_msg_ids stored more than once: {duplicates:?}");

    let (mut acked_total, mut made_total, mut resent_total, mut lost) = (0, 0, 0, Vec::new());
    for client in &clients {
        let state = client.state.lock().expect("state");
        made_total += state.made.len();
        acked_total += state.acked.len();
        resent_total += state.resent;
        assert_eq!(state.acked.len(), state.made.len(), "every outbox item was acknowledged in the end");
        for id in &state.made {
            match (stored.get(&(client.id, id.clone())), state.acked.get(id)) {
                (Some(ms), Some((message_id, seq, body))) => {
                    let m = ms[0];
                    assert_eq!(
                        (m["id"].as_i64(), m["seq"].as_i64(), m["body"].as_str()),
                        (Some(*message_id), Some(*seq), Some(body.as_str())),
                        "the stored message is the acknowledged one"
                    );
                }
                _ => lost.push(id.clone()),
            }
        }
    }
    assert!(lost.is_empty(), "acknowledged messages missing from the history: {lost:?}");
    let texts = stored.len();
    assert_eq!(texts, made_total, "the history holds exactly the messages the clients made");
    // Otherwise the rounds above tested nothing: no kill caught a send, nothing went again.
    assert!(
        kills_in_flight * 2 >= ROUNDS,
        "only {kills_in_flight} of {ROUNDS} kills landed while sends were in flight"
    );
    assert!(resent_total > 0, "no outbox item was resent after a kill");
    println!(
        "crash durability: {ROUNDS} kill -9 rounds ({kills_in_flight} with sends in flight), {CLIENTS} clients, \
         {acked_total} messages acked ({resent_total} outbox items resent after a kill), 0 lost, 0 duplicates, seqs 1..{} without gaps, {:.1} s",
        seqs.len(),
        started.elapsed().as_secs_f64()
    );
    drop(server);
}

/// (send frames written, sends now in flight) over all clients.
fn in_flight(clients: &[Arc<Client>]) -> (usize, usize) {
    clients.iter().fold((0, 0), |(sent, unanswered), c| {
        let state = c.state.lock().expect("state");
        (sent + state.sent, unanswered + state.unanswered.len())
    })
}

/// (items still in outboxes, messages acknowledged) over all clients.
fn totals(clients: &[Arc<Client>]) -> (usize, usize) {
    clients.iter().fold((0, 0), |(pending, acked), c| {
        let state = c.state.lock().expect("state");
        (pending + state.outbox.len(), acked + state.acked.len())
    })
}
