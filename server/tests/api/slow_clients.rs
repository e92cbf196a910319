//! Slow clients cannot take the server: while anonymous connections fill the general slots,
//! `/healthz` and a logged-in user's requests are still answered from the reserved ones, and a
//! request body trickled a byte at a time is cut off by the minimum body rate.
//!
//! Nothing here races the server's timers: the connections that fill the general slots are held
//! (on a server whose body grace is far beyond the test) until the test lets them go, so the
//! reserved slots are checked while the general ones are certainly full; the tricklers that
//! are cut off run against a server of their own.

use crate::helpers::{TestApp, spawn_app_with};
use reqwest::StatusCode;
use server::config::Config;
use server::serve::BodyPolicy;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const GENERAL_SLOTS: usize = 16;
/// Only a guard against a hung test: every request here is answered at once.
const PATIENCE: Duration = Duration::from_secs(30);

/// A cap of 24 with 8 reserved, and request bodies under `grace`.
fn small_server(grace: Duration) -> impl FnOnce(&mut Config) {
    move |config: &mut Config| {
        config.max_connections = GENERAL_SLOTS + 8;
        config.reserved_connections = Some(8);
        config.body = BodyPolicy { grace, min_bytes_per_sec: 1024 };
    }
}

/// The head of a log-in whose 10,000-byte body is still to come.
fn login_head(addr: SocketAddr) -> String {
    format!(
        "POST /api/accounts/login HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\n"
    )
}

/// How one trickling connection ended: after how long, and what the server answered.
struct Ended {
    after: Duration,
    answer: String,
}

/// A client that sends a request head promising a 10,000-byte body, then a byte every 300 ms,
/// until the server closes the connection (or `give_up`, a guard against a hung test, passes).
async fn trickle(addr: SocketAddr, give_up: Duration) -> Option<Ended> {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).await.ok()?;
    let head = login_head(addr) + "username=";
    let ended =
        |answer: &[u8]| Some(Ended { after: started.elapsed(), answer: String::from_utf8_lossy(answer).into_owned() });
    if stream.write_all(head.as_bytes()).await.is_err() {
        return ended(b"");
    }
    let mut answer = Vec::new();
    let mut tick = tokio::time::interval(Duration::from_millis(300));
    while started.elapsed() < give_up {
        tokio::select! {
            read = stream.read_buf(&mut answer) => match read {
                Ok(0) | Err(_) => return ended(&answer),
                Ok(_) => {}
            },
            _ = tick.tick() => {
                if stream.write_all(b"u").await.is_err() {
                    return ended(&answer);
                }
            }
        }
    }
    None
}

/// A client that sends the head of a request and none of its body: the request is in progress,
/// and its connection holds the slot it was given until the client goes away.
async fn hold(addr: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    stream.write_all(login_head(addr).as_bytes()).await.expect("head");
    stream
}

#[tokio::test]
async fn trickling_bodies_are_cut_off_while_health_checks_and_members_are_served() {
    // Fresh connections each, as a load balancer's probe or a new tab would open.
    let fresh = || reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("client");

    // Anonymous connections take every general slot, and keep them: the body they promise
    // may take ten minutes. The server accepts connections in the order they were made, so
    // every request after them comes on a reserved slot.
    let app = spawn_app_with(small_server(Duration::from_secs(600))).await;
    let cookie = app.registered("patient").await.cookie_header().expect("cookie");
    let mut holders = Vec::new();
    for _ in 0..GENERAL_SLOTS {
        holders.push(hold(app.addr).await);
    }
    let health = tokio::time::timeout(PATIENCE, fresh().get(app.url("/healthz")).send()).await;
    let health = health.expect("/healthz answered").expect("an answer");
    assert_eq!(health.status(), StatusCode::OK);
    let me = fresh().post(app.url("/api/accounts/me")).header("cookie", &cookie).json(&serde_json::json!({})).send();
    let me = tokio::time::timeout(PATIENCE, me).await.expect("a member answered").expect("an answer");
    assert_eq!(me.status(), StatusCode::OK, "{}", me.text().await.unwrap_or_default());
    let anonymous = tokio::time::timeout(PATIENCE, fresh().get(app.url("/login")).send()).await;
    let anonymous = anonymous.expect("refused at once").expect("an answer");
    assert_eq!(anonymous.status(), StatusCode::SERVICE_UNAVAILABLE, "an anonymous page on a reserved slot");
    drop(holders);
    let served = tokio::time::timeout(PATIENCE, anonymous_page_served(&app)).await;
    served.expect("anonymous pages are served again once the holders are gone");

    // Far more tricklers than the general slots, against a server with a 1 s grace: those that
    // get a general slot are cut off by the body rate.
    let app = spawn_app_with(small_server(Duration::from_secs(1))).await;
    let give_up = Duration::from_secs(120);
    let tricklers: Vec<_> = (0..40).map(|_| tokio::spawn(trickle(app.addr, give_up))).collect();
    let mut cut_off = 0;
    for trickler in tricklers {
        let ended = trickler
            .await
            .expect("task")
            .unwrap_or_else(|| panic!("a trickling connection was open after {give_up:?}"));
        let status = ended.answer.get(..12).unwrap_or_default();
        assert!(
            ["HTTP/1.1 408", "HTTP/1.1 503", ""].contains(&status),
            "408 (too slow), 503 (reserved slot) or closed unanswered (over the cap): {:?}",
            ended.answer
        );
        // A 408 is the body rate's answer: the head was whole, so no header timeout applies.
        if status == "HTTP/1.1 408" {
            assert!(ended.after >= Duration::from_millis(900), "cut before the grace was over: {:?}", ended.after);
            cut_off += 1;
        }
    }
    assert!(cut_off >= 10, "the general slots were taken by tricklers, and the body timeout closed them: {cut_off}");
    let served = tokio::time::timeout(PATIENCE, anonymous_page_served(&app)).await;
    served.expect("anonymous pages are served again once the tricklers are gone");
}

/// Returns once an anonymous page is served rather than refused from a reserved slot: a slot is
/// free again once the server has noticed that its connection went away.
async fn anonymous_page_served(app: &TestApp) {
    let fresh = || reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("client");
    loop {
        let page = fresh().get(app.url("/login")).send().await.expect("an answer");
        if page.status() == StatusCode::OK {
            return;
        }
        assert_eq!(page.status(), StatusCode::SERVICE_UNAVAILABLE, "refused from a reserved slot, if at all");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
