//! The accept loop: clients that stall before finishing a request head are cut off,
//! at the cap a newcomer takes the slot of the oldest connection without a request, busy ones
//! (WebSockets included) keep theirs and newcomers are then closed unanswered, HTTP/2 and upgrades
//! still work, and shutdown stops accepting and lets idle connections go.

use crate::helpers::{PASSWORD, TestApp, User, spawn_app, spawn_app_until, spawn_app_with};
use crate::ws::request;
use futures::StreamExt;
use reqwest::StatusCode;
use reqwest::cookie::Jar;
use std::sync::Arc;
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
async fn at_the_cap_a_newcomer_takes_the_slot_of_the_oldest_connection_without_a_request() {
    let app = spawn_app_with(|config| {
        config.max_connections = 2;
        config.header_read_timeout = Duration::from_secs(30);
    })
    .await;
    // Two connections that never send a head hold both slots.
    let mut first = TcpStream::connect(app.addr).await.expect("connect");
    let mut second = TcpStream::connect(app.addr).await.expect("connect");
    // Accepted in this order: the first has waited the longest.
    first.write_all(b"GET / HT").await.expect("write");
    second.write_all(b"GET / HT").await.expect("write");
    // A newcomer is served anyway: the oldest of them is closed for it, long before the 30 s
    // header timeout.
    assert!(answers(&app).await, "the newcomer was not served");
    closed_within(&mut first, Duration::from_secs(20)).await;
}

#[tokio::test]
async fn an_open_websocket_holds_its_slot_under_the_cap_until_it_closes() {
    let app = spawn_app_with(|config| {
        config.max_connections = 1;
        config.header_read_timeout = Duration::from_secs(30);
    })
    .await;
    // A client that never keeps a connection, so the one slot is free between requests.
    let jar = Arc::new(Jar::default());
    let client =
        reqwest::Client::builder().cookie_provider(jar.clone()).pool_max_idle_per_host(0).build().expect("client");
    let user = User { client, jar, base: app.url("") };
    assert_eq!(user.register("capped", "Capped", PASSWORD).await.status(), StatusCode::OK);

    let origin = format!("http://{}", app.addr);
    let deadline = Instant::now() + Duration::from_secs(5);
    let mut socket = loop {
        // The registration's connection may still be on its way out.
        match tokio_tungstenite::connect_async(request(&app, user.cookie_header(), Some(&origin))).await {
            Ok((socket, _)) => break socket,
            Err(e) => assert!(Instant::now() < deadline, "the socket never got the free slot: {e}"),
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let hello = socket.next().await.expect("a frame").expect("hello");
    assert!(hello.to_text().expect("text").contains("hello"), "{hello:?}");

    let mut another = TcpStream::connect(app.addr).await.expect("connect");
    let took = closed_within(&mut another, Duration::from_secs(5)).await;
    assert!(took < Duration::from_secs(3), "the open socket must hold the only slot: {took:?}");

    drop(socket);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !answers(&app).await {
        assert!(Instant::now() < deadline, "closing the socket never freed its slot");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn http2_with_prior_knowledge_is_served() {
    let app = spawn_app().await;
    let client = reqwest::Client::builder().http2_prior_knowledge().build().expect("client");
    let res = client.get(app.url("/login")).send().await.expect("an HTTP/2 answer");
    assert_eq!(res.version(), reqwest::Version::HTTP_2);
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn shutdown_stops_accepting_and_closes_idle_connections() {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (app, server) = spawn_app_until(|_| {}, async move {
        let _ = stopped.await;
    })
    .await;
    let mut idle = TcpStream::connect(app.addr).await.expect("connect");
    let request = format!("GET /favicon.ico HTTP/1.1\r\nHost: {}\r\n\r\n", app.addr);
    idle.write_all(request.as_bytes()).await.expect("write");
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).await.expect("an answer");

    stop.send(()).expect("server running");
    let result = tokio::time::timeout(Duration::from_secs(5), server).await.expect("the server stops").expect("join");
    result.expect("a clean stop");
    closed_within(&mut idle, Duration::from_secs(2)).await;
    assert!(TcpStream::connect(app.addr).await.is_err(), "nothing listens any more");
}
