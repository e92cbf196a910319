//! Load generator: virtual users over real WebSockets against a running server.
//!
//! Chat mode (default) registers `--users` people, pairs them into direct chats and puts them
//! into groups of `--group-size`, opens one socket each, then sends `--rate` messages a second
//! for `--secs` seconds (`--group-share` of them to groups). Every body carries its send time,
//! so each receiving socket measures send→deliver; the sender measures send→ack (stored and
//! committed). Reports HDR-histogram percentiles, deliveries per second and the server's RSS
//! (`--pid`, read from /proc).
//!
//! Idle mode (`idle`) opens `--sockets` sockets spread over `--users` accounts from
//! `--sources` loopback addresses (127.0.0.1, .2, …: each gives ~28k ephemeral ports) and
//! reports the server's RSS per socket. Raise `ulimit -n` on both sides first.
//!
//! ```text
//! target/release/server &                    # from the repository root, fresh DATA_DIR
//! cargo run --release -p server --example loadgen -- --addr 127.0.0.1:3000 --pid $! \
//!     --users 1000 --group-size 100 --rate 2000 --secs 30
//! cargo run --release -p server --example loadgen -- idle --addr 127.0.0.1:3000 --pid $! \
//!     --users 100 --sockets 100000 --sources 4
//! ```

use futures::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use rand::{Rng, RngCore};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

struct Args {
    idle: bool,
    addr: SocketAddr,
    pid: Option<u32>,
    users: usize,
    group_size: usize,
    group_share: f64,
    rate: f64,
    secs: u64,
    sockets: usize,
    sources: u8,
}

fn args() -> anyhow::Result<Args> {
    let mut raw: Vec<String> = std::env::args().skip(1).collect();
    let idle = raw.first().is_some_and(|a| a == "idle");
    if idle {
        raw.remove(0);
    }
    let mut map = HashMap::new();
    for pair in raw.chunks(2) {
        let key = pair[0].trim_start_matches("--").to_owned();
        map.insert(key, pair.get(1).cloned().unwrap_or_default());
    }
    let get = |k: &str, d: &str| map.get(k).cloned().unwrap_or_else(|| d.to_owned());
    Ok(Args {
        idle,
        addr: get("addr", "127.0.0.1:3000").parse()?,
        pid: map.get("pid").and_then(|p| p.parse().ok()),
        users: get("users", "200").parse()?,
        group_size: get("group-size", "100").parse()?,
        group_share: get("group-share", "0.1").parse()?,
        rate: get("rate", "1000").parse()?,
        secs: get("secs", "20").parse()?,
        sockets: get("sockets", "10000").parse()?,
        sources: get("sources", "1").parse()?,
    })
}

/// Resident memory of `pid` in MiB, from /proc.
fn rss_mib(pid: Option<u32>) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{}/status", pid?)).ok()?;
    let kb: f64 = status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn uuid_v4() -> String {
    let mut b = [0u8; 16];
    rand::rng().fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

struct User {
    id: i64,
    cookie: String,
    http: reqwest::Client,
}

async fn register(base: &str, run: u64, n: usize) -> anyhow::Result<User> {
    let http = reqwest::Client::builder().cookie_store(true).build()?;
    let name = format!("lg{run}u{n}");
    let res = http
        .post(format!("{base}/api/accounts/register"))
        .form(&[("username", name.as_str()), ("display_name", name.as_str()), ("password", "load generator pw")])
        .send()
        .await?;
    anyhow::ensure!(res.status().is_success(), "register {name}: {}", res.status());
    let cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("messenger_session="))
        .and_then(|v| v.split(';').next())
        .ok_or_else(|| anyhow::anyhow!("no session cookie"))?
        .to_owned();
    let me: Value = res.json().await?;
    Ok(User { id: me["id"].as_i64().unwrap_or(0), cookie, http })
}

async fn call(user: &User, base: &str, endpoint: &str, body: Value) -> anyhow::Result<Value> {
    let res = user.http.post(format!("{base}/api/{endpoint}")).json(&body).send().await?;
    anyhow::ensure!(res.status().is_success(), "{endpoint}: {}", res.status());
    Ok(res.json().await?)
}

type Socket = tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>;

async fn connect(addr: SocketAddr, source: Ipv4Addr, cookie: &str) -> anyhow::Result<Socket> {
    let tcp = tokio::net::TcpSocket::new_v4()?;
    tcp.bind(SocketAddr::new(source.into(), 0))?;
    let stream = tcp.connect(addr).await?;
    let mut req = format!("ws://{addr}/ws").into_client_request()?;
    req.headers_mut().insert("cookie", cookie.parse()?);
    req.headers_mut().insert("origin", format!("http://{addr}").parse()?);
    let (socket, _) = tokio_tungstenite::client_async(req, stream).await?;
    Ok(socket)
}

fn print(name: &str, h: &Histogram<u64>) {
    println!(
        "{name:<22} n={:<9} p50={:>8.2} ms  p90={:>8.2} ms  p99={:>8.2} ms  p99.9={:>8.2} ms  max={:>8.2} ms",
        h.len(),
        h.value_at_quantile(0.5) as f64 / 1000.0,
        h.value_at_quantile(0.9) as f64 / 1000.0,
        h.value_at_quantile(0.99) as f64 / 1000.0,
        h.value_at_quantile(0.999) as f64 / 1000.0,
        h.max() as f64 / 1000.0
    );
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = args()?;
    let base = format!("http://{}", args.addr);
    let run = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH)?.as_secs() % 1_000_000;
    println!("server RSS before: {:?} MiB", rss_mib(args.pid));
    let mut users = Vec::with_capacity(args.users);
    let registering = Instant::now();
    let mut pending = futures::stream::iter(0..args.users).map(|n| register(&base, run, n)).buffer_unordered(8);
    while let Some(user) = pending.next().await {
        users.push(user?);
    }
    println!("registered {} users in {:.1} s", users.len(), registering.elapsed().as_secs_f64());
    if args.idle { idle(&args, &users).await } else { chat(&args, &base, users).await }
}

async fn idle(args: &Args, users: &[User]) -> anyhow::Result<()> {
    let before = rss_mib(args.pid);
    let started = Instant::now();
    let mut sockets = Vec::with_capacity(args.sockets);
    for n in 0..args.sockets {
        let source = Ipv4Addr::new(127, 0, 0, 1 + (n % usize::from(args.sources.max(1))) as u8);
        match connect(args.addr, source, &users[n % users.len()].cookie).await {
            Ok(socket) => sockets.push(socket),
            Err(e) => {
                println!("socket {n} failed: {e}");
                break;
            }
        }
        if (n + 1) % 10_000 == 0 {
            println!("{} sockets open, server RSS {:?} MiB", n + 1, rss_mib(args.pid));
        }
    }
    println!("opened {} sockets in {:.1} s", sockets.len(), started.elapsed().as_secs_f64());
    tokio::time::sleep(Duration::from_secs(5)).await;
    let after = rss_mib(args.pid);
    if let (Some(b), Some(a)) = (before, after) {
        println!(
            "server RSS {b:.1} → {a:.1} MiB: {:.1} KiB per socket",
            (a - b) * 1024.0 / sockets.len().max(1) as f64
        );
    }
    Ok(())
}

async fn chat(args: &Args, base: &str, users: Vec<User>) -> anyhow::Result<()> {
    // Direct chats between neighbours; groups of consecutive users.
    let mut chats: Vec<Vec<(i64, bool)>> = vec![Vec::new(); users.len()];
    for pair in (0..users.len() - 1).step_by(2) {
        let conv =
            call(&users[pair], base, "conversations/open_direct", json!({ "user_id": users[pair + 1].id })).await?;
        let id = conv["id"].as_i64().unwrap_or(0);
        chats[pair].push((id, false));
        chats[pair + 1].push((id, false));
    }
    for start in (0..users.len()).step_by(args.group_size.max(2)) {
        let members: Vec<usize> = (start..(start + args.group_size).min(users.len())).collect();
        if members.len() < 3 {
            continue;
        }
        let ids: Vec<i64> = members[1..].iter().map(|&m| users[m].id).collect();
        let conv = call(
            &users[start],
            base,
            "conversations/create_group",
            json!({ "title": format!("g{start}"), "members": ids }),
        )
        .await?;
        let id = conv["id"].as_i64().unwrap_or(0);
        for m in members {
            chats[m].push((id, true));
        }
    }

    let epoch = Instant::now();
    let delivered = Arc::new(Mutex::new(Histogram::<u64>::new(3)?));
    let acked = Arc::new(Mutex::new(Histogram::<u64>::new(3)?));
    let deliveries = Arc::new(AtomicU64::new(0));
    let mut senders = Vec::new();
    for user in &users {
        let socket = connect(args.addr, Ipv4Addr::LOCALHOST, &user.cookie).await?;
        let (mut sink, mut stream) = socket.split();
        let (tx, mut rx) = mpsc::channel::<String>(1024);
        tokio::spawn(async move {
            while let Some(text) = rx.recv().await {
                if sink.send(Message::Text(text.into())).await.is_err() {
                    break;
                }
            }
        });
        let (me, delivered, acked, deliveries) = (user.id, delivered.clone(), acked.clone(), deliveries.clone());
        tokio::spawn(async move {
            while let Some(Ok(Message::Text(text))) = stream.next().await {
                let frame: Value = match serde_json::from_str(&text) {
                    Ok(f) => f,
                    Err(_) => continue,
                };
                let kind = frame["type"].as_str().unwrap_or("");
                let message = &frame["message"];
                let Some(sent_us) =
                    message["body"].as_str().and_then(|b| b.split(' ').nth(1)).and_then(|t| t.parse::<u64>().ok())
                else {
                    continue;
                };
                let now = epoch.elapsed().as_micros() as u64;
                let latency = now.saturating_sub(sent_us).max(1);
                if kind == "ack" {
                    let _ = acked.lock().map(|mut h| h.record(latency));
                } else if kind == "message" && message["sender_id"].as_i64() != Some(me) {
                    deliveries.fetch_add(1, Ordering::Relaxed);
                    let _ = delivered.lock().map(|mut h| h.record(latency));
                }
            }
        });
        senders.push(tx);
    }
    println!(
        "{} sockets open; sending {} msg/s for {} s ({}% to groups)",
        users.len(),
        args.rate,
        args.secs,
        args.group_share * 100.0
    );
    let rss_idle = rss_mib(args.pid);

    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_millis(1));
    let mut sent = 0u64;
    let mut rng = rand::rng();
    while started.elapsed() < Duration::from_secs(args.secs) {
        tick.tick().await;
        let mut budget = args.rate * started.elapsed().as_secs_f64() - sent as f64;
        while budget >= 1.0 {
            budget -= 1.0;
            let n = rng.random_range(0..users.len());
            let want_group = rng.random_bool(args.group_share.clamp(0.0, 1.0));
            let Some(&(conv, _)) = chats[n].iter().find(|(_, g)| *g == want_group).or_else(|| chats[n].first()) else {
                continue;
            };
            let body = format!("lg {} {sent}", epoch.elapsed().as_micros());
            let frame = json!({ "type": "send", "conversation_id": conv, "client_msg_id": uuid_v4(), "body": body })
                .to_string();
            if senders[n].try_send(frame).is_ok() {
                sent += 1;
            }
        }
    }
    let elapsed = started.elapsed().as_secs_f64();
    let rss_busy = rss_mib(args.pid);
    tokio::time::sleep(Duration::from_secs(3)).await;
    let acked = acked.lock().map_err(|_| anyhow::anyhow!("lock"))?.clone();
    let delivered = delivered.lock().map_err(|_| anyhow::anyhow!("lock"))?.clone();
    println!("sent {sent} in {elapsed:.1} s = {:.0} msg/s; acked {}", sent as f64 / elapsed, acked.len());
    println!(
        "deliveries {} = {:.0} /s",
        deliveries.load(Ordering::Relaxed),
        deliveries.load(Ordering::Relaxed) as f64 / elapsed
    );
    print("send → ack (stored)", &acked);
    print("send → deliver", &delivered);
    println!("server RSS: idle {rss_idle:?} MiB, under load {rss_busy:?} MiB");
    Ok(())
}
