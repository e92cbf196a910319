//! Slow clients cannot take the server: a request body trickled a byte at a time is cut off by
//! the minimum body rate, and while anonymous connections fill the general slots, `/healthz`
//! and a logged-in user's requests are still answered from the reserved ones.

use crate::helpers::spawn_app_with;
use reqwest::StatusCode;
use server::serve::BodyPolicy;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// How one trickling connection ended: after how long, and what the server answered.
struct Ended {
    after: Duration,
    answer: String,
}

/// A client that sends a request head promising a 10,000-byte body, then a byte every 300 ms,
/// until the server closes the connection (or `give_up` passes).
async fn trickle(addr: SocketAddr, give_up: Duration) -> Option<Ended> {
    let started = Instant::now();
    let mut stream = TcpStream::connect(addr).await.ok()?;
    let head = format!(
        "POST /api/accounts/login HTTP/1.1\r\nHost: {addr}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\nusername="
    );
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

#[tokio::test]
async fn trickling_bodies_are_cut_off_while_health_checks_and_members_are_served() {
    let app = spawn_app_with(|config| {
        config.max_connections = 24;
        config.reserved_connections = Some(8);
        config.body = BodyPolicy { grace: Duration::from_secs(1), min_bytes_per_sec: 1024 };
    })
    .await;
    let cookie = app.registered("patient").await.cookie_header().expect("cookie");
    let addr = app.addr;

    // Far more than the 16 general slots.
    let give_up = Duration::from_secs(8);
    let tricklers: Vec<_> = (0..40).map(|_| tokio::spawn(trickle(addr, give_up))).collect();
    tokio::time::sleep(Duration::from_millis(300)).await;

    // Fresh connections each, as a load balancer's probe or a new tab would open.
    let fresh = || reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("client");
    let within = Duration::from_secs(1);
    let started = Instant::now();
    let health = tokio::time::timeout(within, fresh().get(app.url("/healthz")).send()).await;
    let health = health.expect("/healthz answered within 1 s").expect("an answer");
    assert_eq!(health.status(), StatusCode::OK);
    let me = fresh().post(app.url("/api/accounts/me")).header("cookie", &cookie).json(&serde_json::json!({})).send();
    let me = tokio::time::timeout(within, me).await.expect("a member answered within 1 s").expect("an answer");
    assert_eq!(me.status(), StatusCode::OK, "{}", me.text().await.unwrap_or_default());
    let anonymous = tokio::time::timeout(within, fresh().get(app.url("/login")).send()).await;
    let anonymous = anonymous.expect("refused quickly").expect("an answer");
    assert_eq!(anonymous.status(), StatusCode::SERVICE_UNAVAILABLE, "an anonymous page on a reserved slot");
    assert!(started.elapsed() < Duration::from_secs(3));

    let mut cut_off = 0;
    for trickler in tricklers {
        let ended = trickler
            .await
            .expect("task")
            .unwrap_or_else(|| panic!("a trickling connection was open after {give_up:?}"));
        // Cut after the 1 s grace, long before the 10 s header timeout.
        assert!(ended.after < Duration::from_secs(5), "closed after {:?}", ended.after);
        let status = ended.answer.get(..12).unwrap_or_default();
        assert!(
            ["HTTP/1.1 408", "HTTP/1.1 503", ""].contains(&status),
            "408 (too slow), 503 (reserved slot) or closed unanswered (over the cap): {:?}",
            ended.answer
        );
        if status == "HTTP/1.1 408" {
            assert!(ended.after >= Duration::from_millis(900), "cut before the grace was over: {:?}", ended.after);
            cut_off += 1;
        }
    }
    assert!(cut_off >= 10, "the general slots were taken by tricklers, and the body timeout closed them: {cut_off}");
    let page = fresh().get(app.url("/login")).send().await.expect("an answer");
    assert_eq!(page.status(), StatusCode::OK, "anonymous pages are served again once the tricklers are gone");
}
