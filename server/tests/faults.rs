//! Fault test: one server process on SQLite behind a fault proxy (written here, on tokio) that
//! resets WebSocket connections at random (both halves dropped) and delays chunks by a few ms
//! to ~200 ms, from a seeded RNG (`FAULT_SEED`, printed) so a failure reproduces. Clients in one
//! group (two of them also in a direct chat) send over the proxy with outboxes (every unacked
//! send goes again, same client_msg_id, after each reconnect), edit, delete and react over HTTP
//! (two of them also star, unstar and delete for themselves), send `read` frames, and build
//! their state of every conversation incrementally from `message`, `message_updated`, `ack`,
//! `receipt` and `marks` frames, calling `messages/sync` after every reconnect and on every rev
//! gap. At the end the faults stop, outboxes drain, and each client's state must equal a fresh
//! `messages/history` of its own (paged to the start: their hidden messages left out, their
//! stars) with its members.
//!
//! The run's throughput is printed, not asserted: a loaded 2-core box running a debug build is
//! no stopwatch. The waits only fail when nothing moves for [`STALLED`] (a hung test).
//!
//! Needs no outside services. Run: `cargo test -p server --test faults -- --nocapture`.

use futures::{SinkExt, StreamExt};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::cookie::{CookieStore, Jar};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

/// Messages sent in all (over sockets, through the proxy).
const TOTAL: usize = 10_000;
/// Users in the group; each sends on its own socket, so the server's 20 frames/s per socket
/// bound the rate to about CLIENTS × 18 a second.
const CLIENTS: usize = 10;
const PASSWORD: &str = "correct horse battery";
/// One frame (send or read) per socket every 55 ms: under 20 a second, so none is refused.
const FRAME_EVERY: Duration = Duration::from_millis(55);
/// The clients that star and delete for themselves (client 0 never does: its fresh fetch is
/// the whole history).
const MARKERS: [usize; 2] = [1, 2];
const EMOJI: [&str; 3] = ["👍", "❤️", "😂"];
/// A phase fails when it makes no progress at all for this long: a guard against a hung test,
/// not a speed requirement.
const STALLED: Duration = Duration::from_secs(180);

#[path = "support/server.rs"]
mod server_process;
use server_process::Server;
/// The fault proxy: forwards every connection to `upstream`; while `faults` is set it resets
/// each connection after a random lifetime and delays some chunks.
struct Proxy {
    addr: SocketAddr,
    faults: Arc<AtomicBool>,
    resets: Arc<AtomicUsize>,
}

impl Proxy {
    async fn start(upstream: SocketAddr, seed: u64) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy bind");
        let addr = listener.local_addr().expect("proxy addr");
        let faults = Arc::new(AtomicBool::new(true));
        let resets = Arc::new(AtomicUsize::new(0));
        let (f, r) = (faults.clone(), resets.clone());
        tokio::spawn(async move {
            let mut n: u64 = 0;
            while let Ok((down, _)) = listener.accept().await {
                n += 1;
                let (faults, resets) = (f.clone(), r.clone());
                let mut rng = StdRng::seed_from_u64(seed ^ n.wrapping_mul(0x9e37_79b9_7f4a_7c15));
                let lifetime = Duration::from_millis(rng.random_range(300..2500));
                let (seed_up, seed_down) = (rng.random::<u64>(), rng.random::<u64>());
                tokio::spawn(async move {
                    let Ok(up) = TcpStream::connect(upstream).await else { return };
                    let _ = (down.set_nodelay(true), up.set_nodelay(true));
                    let (down_r, down_w) = down.into_split();
                    let (up_r, up_w) = up.into_split();
                    let a = tokio::spawn(pump(down_r, up_w, faults.clone(), seed_up));
                    let b = tokio::spawn(pump(up_r, down_w, faults.clone(), seed_down));
                    let (abort_a, abort_b) = (a.abort_handle(), b.abort_handle());
                    let both = async move {
                        let _ = a.await;
                        let _ = b.await;
                    };
                    tokio::pin!(both);
                    tokio::select! {
                        _ = &mut both => {}
                        _ = tokio::time::sleep(lifetime) => {
                            if faults.load(Ordering::SeqCst) {
                                // Both halves of both sockets are dropped with the tasks.
                                abort_a.abort();
                                abort_b.abort();
                                resets.fetch_add(1, Ordering::SeqCst);
                            } else {
                                both.await;
                            }
                        }
                    }
                });
            }
        });
        Proxy { addr, faults, resets }
    }
}

/// Copies one direction; while faults are on, one chunk in five waits 2–200 ms first.
async fn pump(
    mut from: tokio::net::tcp::OwnedReadHalf,
    mut to: tokio::net::tcp::OwnedWriteHalf,
    faults: Arc<AtomicBool>,
    seed: u64,
) {
    let mut rng = StdRng::seed_from_u64(seed);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        if faults.load(Ordering::Relaxed) && rng.random_bool(0.2) {
            tokio::time::sleep(Duration::from_millis(rng.random_range(2..=200))).await;
        }
        if to.write_all(&buf[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}

/// A message as compared with the history.
#[derive(Clone, Debug, PartialEq)]
struct Msg {
    id: i64,
    seq: i64,
    rev: i64,
    sender_id: Option<i64>,
    client_msg_id: Option<String>,
    body: String,
    edited_at: Option<i64>,
    deleted: bool,
    reactions: Value,
}

impl Msg {
    fn from(v: &Value) -> Msg {
        Msg {
            id: v["id"].as_i64().expect("id"),
            seq: v["seq"].as_i64().expect("seq"),
            rev: v["rev"].as_i64().expect("rev"),
            sender_id: v["sender_id"].as_i64(),
            client_msg_id: v["client_msg_id"].as_str().map(str::to_owned),
            body: v["body"].as_str().expect("body").to_owned(),
            edited_at: v["edited_at"].as_i64(),
            deleted: v["deleted"].as_bool().expect("deleted"),
            reactions: v.get("reactions").cloned().unwrap_or(Value::Null),
        }
    }
}

/// One conversation as a client holds it.
#[derive(Default)]
struct Conv {
    messages: BTreeMap<i64, Msg>,
    /// user → (delivered_seq, read_seq)
    watermarks: BTreeMap<i64, (i64, i64)>,
    /// Every change up to `rev` is held.
    rev: i64,
    /// Revs above `rev` already applied from pushes (out of order or after a gap).
    seen: BTreeSet<i64>,
    /// My own marks: the ids I starred, and those I deleted for me (never shown again).
    starred: BTreeSet<i64>,
    hidden: BTreeSet<i64>,
}

impl Conv {
    /// Keeps the copy with the higher rev.
    fn apply(&mut self, m: Msg) {
        if self.hidden.contains(&m.id) {
            return;
        }
        match self.messages.get(&m.seq) {
            Some(old) => {
                assert_eq!(old.id, m.id, "two messages with seq {}", m.seq);
                if m.rev > old.rev {
                    self.messages.insert(m.seq, m);
                }
            }
            None => {
                self.messages.insert(m.seq, m);
            }
        }
    }

    /// A pushed change: applied, and the held rev moves on while contiguous. True on a gap.
    fn push(&mut self, m: Msg) -> bool {
        let rev = m.rev;
        self.apply(m);
        if rev > self.rev {
            self.seen.insert(rev);
        }
        self.advance();
        rev > self.rev + 1
    }

    fn advance(&mut self) {
        while self.seen.remove(&(self.rev + 1)) {
            self.rev += 1;
        }
        self.seen.retain(|r| *r > self.rev);
    }

    /// One of my marks (`MessageMark`), from a push, a sync page or my own call's answer.
    fn mark(&mut self, mark: &Value) {
        let id = mark["message_id"].as_i64().expect("message_id");
        if mark["hidden"] == true {
            self.hidden.insert(id);
            self.starred.remove(&id);
            self.messages.retain(|_, m| m.id != id);
        } else if mark["starred"] == true {
            self.starred.insert(id);
        } else {
            self.starred.remove(&id);
        }
    }

    fn watermark(&mut self, user: i64, delivered: i64, read: i64) {
        let w = self.watermarks.entry(user).or_insert((0, 0));
        *w = (w.0.max(delivered), w.1.max(read));
    }
}

#[derive(Default)]
struct State {
    convs: HashMap<i64, Conv>,
    /// Not yet acknowledged: client_msg_id → (conversation, body).
    outbox: BTreeMap<String, (i64, String)>,
    /// Refused for rate on this connection: send again.
    retry: Vec<String>,
    acked: HashSet<String>,
    resent: usize,
    next: u32,
}

struct Client {
    index: usize,
    http: reqwest::Client,
    jar: Arc<Jar>,
    id: i64,
    convs: Mutex<Vec<i64>>,
    state: Mutex<State>,
    sync_wanted: Notify,
    resyncs: AtomicUsize,
    connects: AtomicUsize,
}

/// Shared by all clients.
struct Run {
    server: String,
    proxy: SocketAddr,
    made: AtomicUsize,
    sending: AtomicBool,
    stop: AtomicBool,
    edits: AtomicUsize,
    deletes: AtomicUsize,
    reads: AtomicUsize,
    reactions: AtomicUsize,
    stars: AtomicUsize,
    hides: AtomicUsize,
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
        let username = format!("fault{index}");
        let form = [("username", username.as_str()), ("display_name", username.as_str()), ("password", PASSWORD)];
        let res = http.post(server.url("/api/accounts/register")).form(&form).send().await.expect("register");
        assert!(res.status().is_success(), "register {username}: {}", res.status());
        let mut client = Client {
            index,
            http,
            jar,
            id: 0,
            convs: Mutex::new(Vec::new()),
            state: Mutex::default(),
            sync_wanted: Notify::new(),
            resyncs: AtomicUsize::new(0),
            connects: AtomicUsize::new(0),
        };
        client.id = client.call(&server.url(""), "accounts/me", json!({})).await["id"].as_i64().expect("id");
        // Strangers put each other into the test's group.
        client.call(&server.url(""), "accounts/set_group_adds", json!({ "group_adds": "everyone" })).await;
        client
    }

    /// A call that may be refused: (status, answer).
    async fn try_call(&self, base: &str, endpoint: &str, body: Value) -> (u16, Value) {
        let res = self.http.post(format!("{base}/api/{endpoint}")).json(&body).send().await.expect("request");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(Value::Null))
    }

    async fn call(&self, base: &str, endpoint: &str, body: Value) -> Value {
        let res = self.http.post(format!("{base}/api/{endpoint}")).json(&body).send().await.expect("request");
        let status = res.status();
        let text = res.text().await.expect("body");
        assert!(status.is_success(), "{endpoint}: {status} {text}");
        serde_json::from_str(&text).expect("json")
    }

    /// `messages/sync` from the held rev of every conversation, paged until `has_more` is false.
    async fn resync(&self, run: &Run) {
        self.resyncs.fetch_add(1, Ordering::Relaxed);
        let convs = self.convs.lock().expect("convs").clone();
        for conv in convs {
            let mut after = self.state.lock().expect("state").convs.entry(conv).or_default().rev;
            loop {
                let page = self
                    .call(&run.server, "messages/sync", json!({ "conversation_id": conv, "after_rev": after }))
                    .await;
                let rev = page["rev"].as_i64().expect("rev");
                let more = page["has_more"].as_bool().expect("has_more");
                {
                    let mut state = self.state.lock().expect("state");
                    let c = state.convs.entry(conv).or_default();
                    for m in page["changed"].as_array().expect("changed") {
                        c.apply(Msg::from(m));
                    }
                    for mark in page["marks"].as_array().expect("marks") {
                        c.mark(mark);
                    }
                    for m in page["members"].as_array().expect("members") {
                        let user = m["user"]["id"].as_i64().expect("user");
                        c.watermark(user, m["delivered_seq"].as_i64().expect("d"), m["read_seq"].as_i64().expect("r"));
                    }
                    if rev > c.rev {
                        c.rev = rev;
                    }
                    c.advance();
                }
                if !more || rev <= after {
                    break;
                }
                after = rev;
            }
        }
    }

    /// Resyncs whenever asked (after a reconnect or a gap), coalescing requests.
    async fn syncer(self: Arc<Self>, run: Arc<Run>) {
        loop {
            self.sync_wanted.notified().await;
            if run.stop.load(Ordering::SeqCst) {
                return;
            }
            self.resync(&run).await;
        }
    }

    fn on_frame(&self, text: &str) {
        let frame: Value = serde_json::from_str(text).expect("json frame");
        let mut gap = false;
        {
            let mut state = self.state.lock().expect("state");
            match frame["type"].as_str() {
                Some("message") | Some("message_updated") => {
                    let m = &frame["message"];
                    let conv = m["conversation_id"].as_i64().expect("conversation");
                    gap = state.convs.entry(conv).or_default().push(Msg::from(m));
                }
                Some("ack") => {
                    let id = frame["client_msg_id"].as_str().expect("ack id").to_owned();
                    let m = &frame["message"];
                    let conv = m["conversation_id"].as_i64().expect("conversation");
                    // A resend is answered with the stored message in its current state: an
                    // edit or delete may have come first.
                    if let Some((_, body)) = state.outbox.remove(&id)
                        && m["edited_at"].is_null()
                        && m["deleted"] == false
                    {
                        assert_eq!(m["body"].as_str(), Some(body.as_str()), "ack of {id} carries its body");
                    }
                    state.acked.insert(id);
                    // The original message: its rev may be older than the held copy's.
                    gap = state.convs.entry(conv).or_default().push(Msg::from(m));
                }
                Some("marks") => {
                    for mark in frame["marks"].as_array().expect("marks") {
                        let conv = mark["conversation_id"].as_i64().expect("conversation");
                        state.convs.entry(conv).or_default().mark(mark);
                    }
                }
                Some("receipt") => {
                    let r = &frame["receipt"];
                    let conv = r["conversation_id"].as_i64().expect("conversation");
                    state.convs.entry(conv).or_default().watermark(
                        r["user_id"].as_i64().expect("user"),
                        r["delivered_seq"].as_i64().expect("d"),
                        r["read_seq"].as_i64().expect("r"),
                    );
                }
                Some("error") if frame["code"] == "rate_limited" => {
                    if let Some(id) = frame["client_msg_id"].as_str() {
                        state.retry.push(id.to_owned());
                    }
                }
                Some("error") => panic!("client {}: {frame}", self.index),
                _ => {}
            }
        }
        if gap {
            self.sync_wanted.notify_one();
        }
    }

    /// Connects through the proxy again and again until `stop`.
    async fn connections(self: Arc<Self>, run: Arc<Run>) {
        let mut rng = StdRng::seed_from_u64(self.index as u64);
        while !run.stop.load(Ordering::SeqCst) {
            self.connection(&run, &mut rng).await;
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    async fn connection(self: &Arc<Self>, run: &Arc<Run>, rng: &mut StdRng) {
        let origin = format!("http://{}", run.proxy);
        let Ok(mut request) = format!("ws://{}/ws", run.proxy).into_client_request() else { return };
        let cookie = self.jar.cookies(&run.server.parse().expect("url")).expect("a session cookie");
        request.headers_mut().insert("cookie", cookie);
        request.headers_mut().insert("origin", origin.parse().expect("origin"));
        let connect = tokio_tungstenite::connect_async(request);
        let Ok(Ok((stream, _))) = tokio::time::timeout(Duration::from_secs(5), connect).await else { return };
        let (mut sink, mut stream) = stream.split();
        // Wait for hello, so pushes flow before the catch-up reads.
        match tokio::time::timeout(Duration::from_secs(5), stream.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => self.on_frame(&text),
            _ => return,
        }
        self.connects.fetch_add(1, Ordering::Relaxed);
        self.sync_wanted.notify_one();

        let me = self.clone();
        let reader = tokio::spawn(async move {
            while let Some(Ok(message)) = stream.next().await {
                if let Message::Text(text) = message {
                    me.on_frame(&text);
                }
            }
        });

        let send = |conv: i64, id: &str, body: &str| {
            Message::text(
                json!({ "type": "send", "conversation_id": conv, "client_msg_id": id, "body": body }).to_string(),
            )
        };
        let resend: Vec<(String, i64, String)> = {
            let mut state = self.state.lock().expect("state");
            state.retry.clear();
            state.resent += state.outbox.len();
            state.outbox.iter().map(|(k, (c, b))| (k.clone(), *c, b.clone())).collect()
        };
        let mut queue: std::collections::VecDeque<Message> =
            resend.iter().map(|(id, conv, body)| send(*conv, id, body)).collect();
        let convs = self.convs.lock().expect("convs").clone();
        let mut frames = 0u64;
        while !reader.is_finished() && !run.stop.load(Ordering::SeqCst) {
            let retry: Vec<String> = std::mem::take(&mut self.state.lock().expect("state").retry);
            for id in retry {
                if let Some((conv, body)) = self.state.lock().expect("state").outbox.get(&id).cloned() {
                    queue.push_back(send(conv, &id, &body));
                }
            }
            frames += 1;
            let frame = if let Some(frame) = queue.pop_front() {
                Some(frame)
            } else if frames.is_multiple_of(20) && run.sending.load(Ordering::SeqCst) {
                // Everything held so far was shown: a read frame for one conversation.
                let conv = convs[rng.random_range(0..convs.len())];
                let seq =
                    self.state.lock().expect("state").convs.get(&conv).and_then(|c| c.messages.keys().last().copied());
                seq.map(|seq| {
                    run.reads.fetch_add(1, Ordering::Relaxed);
                    Message::text(json!({ "type": "read", "conversation_id": conv, "seq": seq }).to_string())
                })
            } else if run.sending.load(Ordering::SeqCst) && run.made.fetch_add(1, Ordering::SeqCst) < TOTAL {
                // Two of the clients put one message in five into their direct chat.
                let conv = if convs.len() > 1 && rng.random_bool(0.2) { convs[1] } else { convs[0] };
                let mut state = self.state.lock().expect("state");
                state.next += 1;
                let n = state.next;
                let id = format!("{:08x}-0000-4000-8000-{:012}", self.index + 1, n);
                let body = format!("client {} message {n}", self.index);
                state.outbox.insert(id.clone(), (conv, body.clone()));
                Some(send(conv, &id, &body))
            } else {
                None
            };
            if let Some(frame) = frame
                && sink.send(frame).await.is_err()
            {
                break;
            }
            tokio::time::sleep(FRAME_EVERY).await;
        }
        reader.abort();
    }

    /// Edits and deletes its own stored messages over HTTP (direct to the server), reacts to
    /// anyone's, and (the markers) stars, unstars and deletes for itself.
    async fn editor(self: Arc<Self>, run: Arc<Run>) {
        let mut rng = StdRng::seed_from_u64(1000 + self.index as u64);
        let mut gone: HashSet<i64> = HashSet::new();
        while run.sending.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(rng.random_range(200..800))).await;
            if rng.random_bool(0.4) {
                self.touch(&run, &mut rng).await;
                continue;
            }
            let candidates: Vec<i64> = {
                let state = self.state.lock().expect("state");
                state
                    .convs
                    .values()
                    .flat_map(|c| c.messages.values())
                    .filter(|m| m.sender_id == Some(self.id) && !gone.contains(&m.id))
                    .map(|m| m.id)
                    .collect()
            };
            if candidates.is_empty() {
                continue;
            }
            let id = candidates[rng.random_range(0..candidates.len())];
            if rng.random_bool(0.3) {
                self.call(&run.server, "messages/delete", json!({ "message_id": id })).await;
                gone.insert(id);
                run.deletes.fetch_add(1, Ordering::Relaxed);
            } else {
                let body = format!("edited by client {} ({})", self.index, rng.random::<u32>());
                self.call(&run.server, "messages/edit", json!({ "message_id": id, "body": body })).await;
                run.edits.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

impl Client {
    /// Reacts to, stars or unstars, or deletes for me one text message held (not deleted).
    async fn touch(&self, run: &Run, rng: &mut StdRng) {
        let held: Vec<(i64, i64, bool)> = {
            let state = self.state.lock().expect("state");
            state
                .convs
                .iter()
                .flat_map(|(conv, c)| {
                    // (System messages have no sender, and take no reactions nor stars.)
                    c.messages
                        .values()
                        .filter(|m| !m.deleted && m.sender_id.is_some())
                        .map(|m| (*conv, m.id, c.starred.contains(&m.id)))
                })
                .collect()
        };
        if held.is_empty() {
            return;
        }
        let (conv, id, starred) = held[rng.random_range(0..held.len())];
        let marker = MARKERS.contains(&self.index);
        let roll = rng.random_range(0..10);
        let (endpoint, body) = if !marker || roll < 4 {
            let emoji = if rng.random_bool(0.2) { Value::Null } else { json!(EMOJI[rng.random_range(0..EMOJI.len())]) };
            ("messages/react", json!({ "message_id": id, "emoji": emoji }))
        } else if roll < 8 {
            ("messages/star", json!({ "message_id": id, "starred": !starred }))
        } else {
            ("messages/hide", json!({ "conversation_id": conv, "message_ids": [id] }))
        };
        let (status, answer) = self.try_call(&run.server, endpoint, body).await;
        // Deleted by its sender in the meantime: refused, as it should be.
        if status == 409 {
            return;
        }
        assert_eq!(status, 200, "client {} {endpoint}: {answer}", self.index);
        // The answer is applied at once, as the app does; the push that follows is the same.
        let mut state = self.state.lock().expect("state");
        let c = state.convs.entry(conv).or_default();
        match endpoint {
            "messages/react" => {
                c.apply(Msg::from(&answer));
                run.reactions.fetch_add(1, Ordering::Relaxed);
            }
            "messages/star" => {
                c.mark(&answer);
                run.stars.fetch_add(1, Ordering::Relaxed);
            }
            _ => {
                answer.as_array().expect("marks").iter().for_each(|mark| c.mark(mark));
                run.hides.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// The fresh fetch as `client` sees it: the whole history paged back with `before`, the
/// members' watermarks, the rev, and the messages it starred.
async fn fresh(client: &Client, base: &str, conv: i64) -> (Vec<Msg>, BTreeMap<i64, (i64, i64)>, i64, BTreeSet<i64>) {
    let mut history: Vec<Msg> = Vec::new();
    let mut starred = BTreeSet::new();
    let mut before: Option<i64> = None;
    let mut members = BTreeMap::new();
    let mut rev = None;
    loop {
        let page = client.call(base, "messages/history", json!({ "conversation_id": conv, "before": before })).await;
        let messages: Vec<Msg> = page["messages"].as_array().expect("messages").iter().map(Msg::from).collect();
        starred.extend(page["starred"].as_array().expect("starred").iter().map(|id| id.as_i64().expect("id")));
        if rev.is_none() {
            rev = page["rev"].as_i64();
            for m in page["members"].as_array().expect("members") {
                members.insert(
                    m["user"]["id"].as_i64().expect("user"),
                    (m["delivered_seq"].as_i64().expect("d"), m["read_seq"].as_i64().expect("r")),
                );
            }
        }
        if let Some(oldest) = messages.first() {
            before = Some(oldest.seq);
        }
        let more = page["has_more"].as_bool().expect("has_more") && !messages.is_empty();
        history.splice(0..0, messages);
        if !more {
            break;
        }
    }
    (history, members, rev.expect("rev"), starred)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_state_survives_resets_and_delays() {
    let started = Instant::now();
    let seed: u64 = std::env::var("FAULT_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(20261125);
    println!("fault proxy seed {seed} (FAULT_SEED to repeat)");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut server = Server::start(dir.path()).await;
    let proxy = Proxy::start(server.addr, seed).await;
    let mut clients = Vec::new();
    for index in 0..CLIENTS {
        clients.push(Arc::new(Client::register(&server, index).await));
    }
    let base = server.url("");
    let members: Vec<i64> = clients[1..].iter().map(|c| c.id).collect();
    let group = clients[0]
        .call(&base, "conversations/create_group", json!({ "title": "Faults", "members": members }))
        .await["id"]
        .as_i64()
        .expect("group id");
    let direct = clients[0].call(&base, "conversations/open_direct", json!({ "user_id": clients[1].id })).await["id"]
        .as_i64()
        .expect("direct id");
    for (i, client) in clients.iter().enumerate() {
        let mut convs = vec![group];
        if i < 2 {
            convs.push(direct);
        }
        *client.convs.lock().expect("convs") = convs;
    }

    let run = Arc::new(Run {
        server: base.clone(),
        proxy: proxy.addr,
        made: AtomicUsize::new(0),
        sending: AtomicBool::new(true),
        stop: AtomicBool::new(false),
        edits: AtomicUsize::new(0),
        deletes: AtomicUsize::new(0),
        reads: AtomicUsize::new(0),
        reactions: AtomicUsize::new(0),
        stars: AtomicUsize::new(0),
        hides: AtomicUsize::new(0),
    });
    let mut tasks = Vec::new();
    let mut editors = Vec::new();
    for client in &clients {
        tasks.push(tokio::spawn(client.clone().syncer(run.clone())));
        tasks.push(tokio::spawn(client.clone().connections(run.clone())));
        editors.push(tokio::spawn(client.clone().editor(run.clone())));
    }

    // Traffic until TOTAL messages were made.
    let mut last_print = Instant::now();
    let (mut last_made, mut last_progress) = (0, Instant::now());
    loop {
        let made = run.made.load(Ordering::SeqCst).min(TOTAL);
        if made >= TOTAL {
            break;
        }
        if let Ok(Some(status)) = server.child.try_wait() {
            let log = server.log.lock().expect("log");
            panic!("the server exited ({status}):\n{}", log[log.len().saturating_sub(40)..].join("\n"));
        }
        if made > last_made {
            (last_made, last_progress) = (made, Instant::now());
        }
        assert!(last_progress.elapsed() < STALLED, "no message made for {STALLED:?}, {made} in all");
        if last_print.elapsed() > Duration::from_secs(10) {
            println!(
                "{:5.1} s: {made} made, {} resets",
                started.elapsed().as_secs_f64(),
                proxy.resets.load(Ordering::SeqCst)
            );
            last_print = Instant::now();
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let traffic_secs = started.elapsed().as_secs_f64();

    // Faults off, no new messages or edits; outboxes drain over the sockets left open.
    run.sending.store(false, Ordering::SeqCst);
    proxy.faults.store(false, Ordering::SeqCst);
    for editor in editors {
        editor.await.expect("editor");
    }
    let (mut last_pending, mut last_progress) = (usize::MAX, Instant::now());
    loop {
        let pending: usize = clients.iter().map(|c| c.state.lock().expect("state").outbox.len()).sum();
        if pending == 0 {
            break;
        }
        if pending < last_pending {
            (last_pending, last_progress) = (pending, Instant::now());
        }
        assert!(last_progress.elapsed() < STALLED, "outboxes stopped draining: {pending} left");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Every client's incremental state equals a fresh fetch (pushes and resyncs still in flight
    // may need a moment: compare until equal, or fail if still unequal after STALLED).
    let deadline = Instant::now() + STALLED;
    let mut fresh_by_conv = HashMap::new();
    let mut compares = 0;
    loop {
        compares += 1;
        for conv in [group, direct] {
            fresh_by_conv.insert(conv, fresh(&clients[0], &base, conv).await);
        }
        // The markers' own fresh fetches: their hidden messages left out, their stars.
        let mut own = HashMap::new();
        for index in MARKERS {
            let convs = clients[index].convs.lock().expect("convs").clone();
            for conv in convs {
                own.insert((index, conv), fresh(&clients[index], &base, conv).await);
            }
        }
        let mut mismatch = None;
        'clients: for client in &clients {
            let state = client.state.lock().expect("state");
            for conv in client.convs.lock().expect("convs").iter() {
                let (history, members, rev, starred) = own.get(&(client.index, *conv)).unwrap_or(&fresh_by_conv[conv]);
                let Some(held) = state.convs.get(conv) else {
                    mismatch = Some(format!("client {} holds nothing of {conv}", client.index));
                    break 'clients;
                };
                let mine: Vec<&Msg> = held.messages.values().collect();
                let theirs: Vec<&Msg> = history.iter().collect();
                if mine != theirs {
                    let first = mine.iter().zip(&theirs).find(|(a, b)| a != b);
                    mismatch = Some(format!(
                        "client {} conversation {conv}: {} messages held, {} in history; first difference {first:?}",
                        client.index,
                        mine.len(),
                        theirs.len()
                    ));
                    break 'clients;
                }
                if &held.watermarks != members {
                    mismatch = Some(format!(
                        "client {} conversation {conv}: watermarks {:?} != {members:?}",
                        client.index, held.watermarks
                    ));
                    break 'clients;
                }
                if &held.starred != starred {
                    mismatch = Some(format!(
                        "client {} conversation {conv}: starred {:?} != {starred:?}",
                        client.index, held.starred
                    ));
                    break 'clients;
                }
                if held.rev != *rev {
                    mismatch = Some(format!("client {} conversation {conv}: rev {} != {rev}", client.index, held.rev));
                    break 'clients;
                }
            }
        }
        match mismatch {
            None => break,
            Some(why) => {
                assert!(Instant::now() < deadline, "incremental state differs from a fresh fetch: {why}");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
        }
    }

    // The history itself: seqs 1..n, no duplicate client_msg_id, exactly the messages made.
    let mut texts = 0;
    for conv in [group, direct] {
        let (history, ..) = &fresh_by_conv[&conv];
        let seqs: Vec<i64> = history.iter().map(|m| m.seq).collect();
        assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>(), "seqs 1..n in {conv}");
        let mut ids = HashSet::new();
        for m in history {
            if let (Some(sender), Some(id)) = (m.sender_id, &m.client_msg_id) {
                assert!(ids.insert((sender, id.clone())), "client_msg_id {id} stored twice");
                texts += 1;
            }
        }
    }
    let counts: Vec<usize> = [group, direct].iter().map(|c| fresh_by_conv[c].0.len()).collect();
    let acked: usize = clients.iter().map(|c| c.state.lock().expect("state").acked.len()).sum();
    assert_eq!(texts, TOTAL, "the history holds every message made, once");
    assert_eq!(acked, TOTAL, "every message was acknowledged");

    run.stop.store(true, Ordering::SeqCst);
    for client in &clients {
        client.sync_wanted.notify_one();
    }
    for task in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
    }
    let resyncs: usize = clients.iter().map(|c| c.resyncs.load(Ordering::Relaxed)).sum();
    let connects: usize = clients.iter().map(|c| c.connects.load(Ordering::Relaxed)).sum();
    let resent: usize = clients.iter().map(|c| c.state.lock().expect("state").resent).sum();
    println!(
        "faults: {CLIENTS} clients (1 group + 1 direct chat), {TOTAL} messages in {traffic_secs:.1} s, \
         {} edits, {} deletes, {} reactions, {} stars, {} deletes for me, {} read frames; {} resets injected, {connects} connections, {resent} outbox \
         items resent, {resyncs} resyncs; every client's state equals a fresh fetch (compared {compares}x; \
         {} + {} messages in group + direct); {:.1} s in all",
        run.edits.load(Ordering::SeqCst),
        run.deletes.load(Ordering::SeqCst),
        run.reactions.load(Ordering::SeqCst),
        run.stars.load(Ordering::SeqCst),
        run.hides.load(Ordering::SeqCst),
        run.reads.load(Ordering::SeqCst),
        proxy.resets.load(Ordering::SeqCst),
        counts[0],
        counts[1],
        started.elapsed().as_secs_f64()
    );
    drop(server);
}
