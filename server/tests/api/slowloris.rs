//! A slow-loris attack on request heads (issue #32): 20,000 connections from 500 loopback
//! addresses (held by four child processes of this test binary, each under its own open-file
//! limit), each sending the start of a request head and then one more byte every 5 s, and
//! reconnecting after every cut, against a node capped at 2,000 connections. While it lasts,
//! a newcomer's `GET /`, a log-in and a WebSocket upgrade with a session cookie must all be
//! answered. Their latencies are printed, not asserted (a loaded 2-core box is no stopwatch);
//! docs/BENCHMARKS.md keeps the measured figures.

use crate::helpers::{PASSWORD, TestApp, spawn_app_with};
use crate::ws;
use reqwest::StatusCode;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpSocket;
use tokio_util::sync::CancellationToken;

const ATTACKERS: usize = 20_000;
const ADDRESSES: usize = 500;
const CAP: usize = 2_000;
/// One byte of the head this often, as the audit's attack did.
const TRICKLE: Duration = Duration::from_secs(5);
/// A cut attacker comes back after this (slowloris tools top their sockets up in rounds).
const RECONNECT: Duration = Duration::from_secs(1);
/// Only a guard against a hung test: every probe is expected back in milliseconds.
const HANG: Duration = Duration::from_secs(30);

/// The attacker's source addresses: 127.10.x.y, all loopback.
fn source(i: usize) -> IpAddr {
    let n = i % ADDRESSES;
    IpAddr::V4(Ipv4Addr::new(127, 10, (n / 250) as u8, (n % 250) as u8 + 1))
}

/// One attacking connection, again and again until `stop`.
async fn trickle(server: SocketAddr, from: IpAddr, stop: CancellationToken, opened: Arc<AtomicUsize>) {
    const START: &[u8] = b"GET / HTTP/1.1\r\nHost: localhost\r\n";
    const MORE: &[u8] = b"X-a: b\r\n";
    while !stop.is_cancelled() {
        let connected = async {
            let socket = TcpSocket::new_v4()?;
            socket.bind(SocketAddr::new(from, 0))?;
            socket.connect(server).await
        };
        if let Ok(mut stream) = connected.await {
            opened.fetch_add(1, Ordering::Relaxed);
            let mut buf = [0u8; 256];
            let mut written = stream.write_all(START).await;
            let mut next = 0;
            while written.is_ok() {
                tokio::select! {
                    // Closed (or, never expected, answered): start over.
                    _ = stream.read(&mut buf) => break,
                    () = tokio::time::sleep(TRICKLE) => {}
                    () = stop.cancelled() => return,
                }
                written = stream.write_all(&MORE[next % MORE.len()..][..1]).await;
                next += 1;
            }
        }
        tokio::select! {
            () = tokio::time::sleep(RECONNECT) => {}
            () = stop.cancelled() => return,
        }
    }
}

/// Attacking processes: each holds its share of the connections under its own open-file
/// limit (the usual 20,000 cannot hold 20,000 sockets plus the node under attack).
const PROCESSES: usize = 4;
/// Set in a child process of this test binary: `addr,first,count` makes it an attacker.
const ATTACK_ENV: &str = "SLOWLORIS_ATTACK";

/// In a child process (see [`attack`]): runs `count` attackers from `first` on, printing
/// `opened N` as connections open, until its parent goes away.
#[tokio::test(flavor = "multi_thread", worker_threads = 1)]
#[ignore = "an attacking process, started by the slow-loris test"]
async fn attacker() {
    let Ok(spec) = std::env::var(ATTACK_ENV) else { return };
    let mut parts = spec.split(',');
    let server: SocketAddr = parts.next().and_then(|p| p.parse().ok()).expect("address");
    let first: usize = parts.next().and_then(|p| p.parse().ok()).expect("first");
    let count: usize = parts.next().and_then(|p| p.parse().ok()).expect("count");
    let (stop, opened) = (CancellationToken::new(), Arc::new(AtomicUsize::new(0)));
    for i in first..first + count {
        tokio::spawn(trickle(server, source(i), stop.clone(), opened.clone()));
    }
    // Stdin closes when the parent kills this process's pipe or exits.
    let parent_gone = std::thread::spawn(|| {
        use std::io::Read;
        let _ = std::io::stdin().read(&mut [0u8; 1]);
    });
    while !parent_gone.is_finished() {
        println!("opened {}", opened.load(Ordering::Relaxed));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    stop.cancel();
}

/// The attacking processes, killed when dropped.
struct Attack(Vec<std::process::Child>);

impl Drop for Attack {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Starts the attacking processes; the connections they have opened so far are in the
/// returned counters.
fn attack(server: SocketAddr) -> (Attack, Vec<Arc<AtomicUsize>>) {
    use std::io::BufRead;
    let share = ATTACKERS.div_ceil(PROCESSES);
    let mut children = Vec::new();
    let mut counters = Vec::new();
    for p in 0..PROCESSES {
        let mut child = std::process::Command::new(std::env::current_exe().expect("test binary"))
            .args(["--exact", "slowloris::attacker", "--ignored", "--nocapture", "--test-threads=1"])
            .env(ATTACK_ENV, format!("{server},{},{share}", p * share))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("spawn an attacker");
        let counter = Arc::new(AtomicUsize::new(0));
        let lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
        let count = counter.clone();
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                if let Some(n) = line.strip_prefix("opened ").and_then(|n| n.parse().ok()) {
                    count.store(n, Ordering::Relaxed);
                }
            }
        });
        children.push(child);
        counters.push(counter);
    }
    (Attack(children), counters)
}

async fn timed<T>(what: &str, probe: impl Future<Output = T>) -> (T, Duration) {
    let started = Instant::now();
    let out = tokio::time::timeout(HANG, probe).await.unwrap_or_else(|_| panic!("{what}: no answer within {HANG:?}"));
    (out, started.elapsed())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn newcomers_are_served_while_thousands_of_clients_trickle_request_heads() {
    let app = spawn_app_with(|config| {
        config.max_connections = CAP;
        config.reserved_connections = Some(CAP / 10);
    })
    .await;
    app.registered("loris_victim").await;

    let (children, counters) = attack(app.addr);
    let opened = || counters.iter().map(|c| c.load(Ordering::Relaxed)).sum::<usize>();
    // Under way: every attacker has connected at least once, ten times the cap.
    let ramp = Instant::now();
    while opened() < ATTACKERS {
        assert!(ramp.elapsed() < Duration::from_secs(300), "the attack never ramped up: {} opened", opened());
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    eprintln!("slowloris: {} connections opened in {:?}", opened(), ramp.elapsed());

    // Probe until the attack has been cut and come back many times over (twice as many
    // connections opened as attackers), at least five rounds.
    let mut latencies: Vec<(&str, Duration)> = Vec::new();
    let mut round = 0;
    while round < 5 || (opened() < 2 * ATTACKERS && round < 200) {
        assert!(ramp.elapsed() < Duration::from_secs(600), "the attack stopped reconnecting: {} opened", opened());
        round += 1;
        let (status, took) = timed("GET /", probe_page(&app)).await;
        // The sign-in page, or a redirect to it: either way an answer.
        assert!(status.is_success() || status.is_redirection(), "round {round}: GET / answered {status}");
        latencies.push(("GET /", took));

        // Each round's log-in from an address of its own: the log-in throttle allows one
        // account ten quick tries per address, and this is a person, not a guesser.
        let newcomer = app.user_from(IpAddr::V4(Ipv4Addr::new(127, 20, 0, round as u8)));
        let (status, took) = timed("log-in", async { newcomer.login("loris_victim", PASSWORD).await.status() }).await;
        assert_eq!(status, StatusCode::OK, "round {round}: log-in");
        latencies.push(("log-in", took));

        let (hello, took) = timed("WebSocket", async {
            let mut socket = ws::connect(&app, &newcomer).await;
            ws::next_json(&mut socket).await
        })
        .await;
        assert_eq!(hello["type"], "hello", "round {round}: {hello}");
        latencies.push(("WebSocket", took));
    }
    let total = opened();
    drop(children);
    for what in ["GET /", "log-in", "WebSocket"] {
        let mut times: Vec<_> = latencies.iter().filter(|(w, _)| *w == what).map(|(_, t)| t.as_millis()).collect();
        times.sort_unstable();
        let (median, max) = (times[times.len() / 2], times[times.len() - 1]);
        eprintln!("slowloris: {what} answered {} times, median {median} ms, max {max} ms", times.len());
    }
    eprintln!("slowloris: {total} attacking connections in {:?}", ramp.elapsed());
}

/// A plain `GET /` on a new connection (a new client: no pooled connection to reuse).
async fn probe_page(app: &TestApp) -> StatusCode {
    app.user().client.get(app.url("/")).send().await.expect("GET /").status()
}
