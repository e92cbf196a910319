//! What an upload costs the server before it is accepted: nothing of an anonymous or
//! cross-origin upload's body is read, the file streams to a temporary file under the 4 MiB
//! cap (and is gone afterwards), and uploads in flight are limited per user and overall.
//! Raw TCP, so a test controls exactly how much of a body has been sent when the answer comes.

use crate::helpers::{TestApp, User, pair, spawn_app_with};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use shared::limits::MAX_UPLOAD_BYTES;
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const BOUNDARY: &str = "SlowUploadBoundary";

/// One HTTP/1.1 chunk.
fn chunk(bytes: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", bytes.len()).into_bytes();
    out.extend_from_slice(bytes);
    out.extend_from_slice(b"\r\n");
    out
}

/// Starts a chunked `POST /api/media` of a text file for `conversation` and sends `file_bytes`
/// of the file, leaving the body unfinished.
async fn start_upload(addr: SocketAddr, headers: &str, conversation: i64, file_bytes: usize) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.expect("connect");
    let head = format!(
        "POST /api/media HTTP/1.1\r\nHost: {addr}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n\
         Transfer-Encoding: chunked\r\nConnection: close\r\n{headers}\r\n"
    );
    let mut first = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"conversation_id\"\r\n\r\n{conversation}\r\n\
         --{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"notes.txt\"\r\n\
         Content-Type: text/plain\r\n\r\n"
    )
    .into_bytes();
    first.extend(std::iter::repeat_n(b'a', file_bytes));
    stream.write_all(head.as_bytes()).await.expect("head");
    stream.write_all(&chunk(&first)).await.expect("first chunk");
    stream
}

/// Sends the end of the file part and of the body.
async fn finish_upload(stream: &mut TcpStream) {
    let end = format!("\r\n--{BOUNDARY}--\r\n");
    stream.write_all(&chunk(end.as_bytes())).await.expect("last chunk");
    stream.write_all(b"0\r\n\r\n").await.expect("end of body");
}

/// The server's answer on `stream` (status and whole text), read until it closes the
/// connection; panics if nothing complete arrives `within`.
async fn answer(stream: &mut TcpStream, within: Duration) -> (u16, String) {
    let mut bytes = Vec::new();
    let _ = tokio::time::timeout(within, stream.read_to_end(&mut bytes)).await;
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok());
    let status = status.unwrap_or_else(|| panic!("no answer within {within:?} (got {text:?})"));
    (status, text)
}

fn cookie(user: &User) -> String {
    format!("Cookie: {}\r\n", user.cookie_header().expect("cookie"))
}

/// Temporary upload files left in the data directory.
fn leftovers(app: &TestApp) -> Vec<String> {
    let dir = app.data_dir().join("media").join("incoming");
    std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn an_anonymous_upload_is_refused_before_its_body_is_read() {
    let app = spawn_app_with(|_| {}).await;
    // Chunked, 64 KiB of a file sent, the rest never: answered anyway, and the connection closed.
    let mut stream = start_upload(app.addr, "", 1, 64 * 1024).await;
    let (status, text) = answer(&mut stream, Duration::from_secs(3)).await;
    assert_eq!(status, 401, "{text}");
    assert!(text.contains("\"code\":\"unauthorized\""), "{text}");
    // A declared 4 MiB of which only 64 KiB arrive: the same.
    let mut stream = TcpStream::connect(app.addr).await.expect("connect");
    let head = format!(
        "POST /api/media HTTP/1.1\r\nHost: {}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n\
         Content-Length: {MAX_UPLOAD_BYTES}\r\n\r\n",
        app.addr
    );
    stream.write_all(head.as_bytes()).await.expect("head");
    stream.write_all(&vec![b'a'; 64 * 1024]).await.expect("part of the body");
    assert_eq!(answer(&mut stream, Duration::from_secs(3)).await.0, 401);
    assert!(leftovers(&app).is_empty(), "nothing was written: {:?}", leftovers(&app));
}

#[tokio::test]
async fn a_cross_origin_upload_is_refused_before_its_body_is_read() {
    let app = spawn_app_with(|_| {}).await;
    let (alice, _bob, conv) = pair(&app, "xoa", "xob").await;
    let headers = format!("{}Origin: https://evil.example\r\n", cookie(&alice));
    let mut stream = start_upload(app.addr, &headers, conv, 64 * 1024).await;
    let (status, text) = answer(&mut stream, Duration::from_secs(3)).await;
    assert_eq!(status, 403, "{text}");
    assert!(text.contains("\"code\":\"bad_origin\""), "{text}");
    assert!(leftovers(&app).is_empty());
}

#[tokio::test]
async fn a_streamed_upload_over_4_mib_is_refused_as_it_passes_the_limit() {
    let app = spawn_app_with(|_| {}).await;
    let (alice, _bob, conv) = pair(&app, "streama", "streamb").await;
    let mut stream = start_upload(app.addr, &cookie(&alice), conv, 0).await;
    let (mut read, mut write) = stream.split();
    // 6 MiB offered in 64 KiB chunks, with no length declared; the answer comes while the
    // client is still sending, and the rest is never read.
    let send = async {
        let piece = chunk(&vec![b'a'; 64 * 1024]);
        for _ in 0..96 {
            if write.write_all(&piece).await.is_err() {
                break;
            }
        }
        std::future::pending::<()>().await;
    };
    let mut bytes = Vec::new();
    tokio::select! {
        () = send => unreachable!(),
        _ = tokio::time::timeout(Duration::from_secs(10), read.read_to_end(&mut bytes)) => {}
    }
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
    assert!(text.contains("\"code\":\"payload_too_large\""), "{text}");
    assert!(leftovers(&app).is_empty(), "the partial file is deleted: {:?}", leftovers(&app));
}

#[tokio::test]
async fn uploads_beyond_the_limits_in_flight_are_rate_limited_before_their_body() {
    let app = spawn_app_with(|config| {
        config.uploads_per_user = 2;
        config.uploads_at_once = 3;
    })
    .await;
    let (alice, bob, conv) = pair(&app, "flighta", "flightb").await;
    let carol = app.registered("flightc").await;
    let carols = carol.open_direct(alice.id().await).await;
    let upload = |user: &User, conversation: i64| {
        let part = Part::bytes(b"hello\n".to_vec()).file_name("hi.txt").mime_str("text/plain").expect("mime");
        let form = Form::new().text("conversation_id", conversation.to_string()).part("file", part);
        user.client.post(format!("{}/api/media", user.base)).multipart(form).send()
    };
    let refused = |res: reqwest::Response| async move {
        let (status, code, _) = crate::helpers::error_of(res).await;
        assert_eq!((status, code.as_str()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
    };

    // Two of alice's uploads in flight, their bodies unfinished: her third is refused.
    let mut held = Vec::new();
    for _ in 0..2 {
        held.push(start_upload(app.addr, &cookie(&alice), conv, 1024).await);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    refused(upload(&alice, conv).await.expect("request")).await;
    // Bob has his own share, until the node's three are all in flight.
    held.push(start_upload(app.addr, &cookie(&bob), conv, 1024).await);
    tokio::time::sleep(Duration::from_millis(500)).await;
    refused(upload(&carol, carols).await.expect("request")).await;

    // The held uploads complete normally, and then there is room again.
    for stream in &mut held {
        finish_upload(stream).await;
        let (status, text) = answer(stream, Duration::from_secs(5)).await;
        assert_eq!(status, 201, "{text}");
    }
    assert_eq!(upload(&alice, conv).await.expect("request").status(), StatusCode::CREATED);
    assert_eq!(upload(&carol, carols).await.expect("request").status(), StatusCode::CREATED);
    assert!(leftovers(&app).is_empty(), "accepted files were moved into place: {:?}", leftovers(&app));
}
