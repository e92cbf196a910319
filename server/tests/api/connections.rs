//! Connection-level limits: clients that stall before finishing a request head are cut off,
//! and connections over the cap are closed unanswered.

use crate::helpers::{spawn_app_with, TestApp};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Waits for the server to close `stream`, returning how long that took (panics after `limit`).
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> Duration {
    let start = Instant::now();
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(limit.saturating_sub(start.elapsed()), stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return start.elapsed(),
            Ok(Ok(_)) => continue, // e.g. a 408 before the close
            Err(_) => panic!("the server kept a stalled connection open for {limit:?}"),
        }
    }
}

async fn app_with_header_timeout(secs: u64) -> TestApp {
    spawn_app_with(|config| config.header_read_timeout = Duration::from_secs(secs)).await
}

/// A complete, well-formed request still gets its answer on a raw connection.
async fn answers(app: &TestApp) -> bool {
    let Ok(mut stream) = TcpStream::connect(app.addr).await else { return false };
    let request = format!("GET /favicon.ico HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n", app.addr);
    if stream.write_all(request.as_bytes()).await.is_err() {
        return false;
    }
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut answer)).await;
    answer.starts_with(b"HTTP/1.1 ")
}

#[tokio::test]
async fn a_client_stalling_inside_its_request_head_is_disconnected_after_the_timeout() {
    let app = app_with_header_timeout(1).await;
    let mut stream = TcpStream::connect(app.addr).await.expect("connect");
    stream.write_all(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow").await.expect("write");
    let took = closed_within(&mut stream, Duration::from_secs(5)).await;
    assert!(took >= Duration::from_millis(800), "closed too early: {took:?}");
    assert!(answers(&app).await, "the server still answers complete requests");
}

#[tokio::test]
async fn a_client_that_connects_and_sends_nothing_is_disconnected_after_the_timeout() {
    let app = app_with_header_timeout(1).await;
    let mut stream = TcpStream::connect(app.addr).await.expect("connect");
    let took = closed_within(&mut stream, Duration::from_secs(5)).await;
    assert!(took >= Duration::from_millis(800), "closed too early: {took:?}");
}

#[tokio::test]
async fn a_stalled_http2_preface_is_disconnected_after_the_timeout() {
    let app = app_with_header_timeout(1).await;
    let mut stream = TcpStream::connect(app.addr).await.expect("connect");
    stream.write_all(b"PRI * HTTP/2.0\r\n").await.expect("write");
    closed_within(&mut stream, Duration::from_secs(5)).await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_after_the_timeout() {
    let app = app_with_header_timeout(1).await;
    let mut stream = TcpStream::connect(app.addr).await.expect("connect");
    let request = format!("GET /favicon.ico HTTP/1.1\r\nHost: {}\r\n\r\n", app.addr);
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut first = [0u8; 12];
    stream.read_exact(&mut first).await.expect("an answer");
    assert!(first.starts_with(b"HTTP/1.1 "), "{:?}", String::from_utf8_lossy(&first));
    closed_within(&mut stream, Duration::from_secs(5)).await;
}

#[tokio::test]
async fn connections_over_the_cap_are_closed_until_a_slot_frees_up() {
    let app = spawn_app_with(|config| {
        config.max_connections = 2;
        config.header_read_timeout = Duration::from_secs(30);
    })
    .await;
    let first = TcpStream::connect(app.addr).await.expect("connect");
    let _second = TcpStream::connect(app.addr).await.expect("connect");
    let mut third = TcpStream::connect(app.addr).await.expect("connect");
    // Closed at once, long before the 30 s header timeout.
    let took = closed_within(&mut third, Duration::from_secs(5)).await;
    assert!(took < Duration::from_secs(3), "{took:?}");

    drop(first);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !answers(&app).await {
        assert!(Instant::now() < deadline, "a slot never freed up after a client left");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
