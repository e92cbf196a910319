//! Hostile and broken input: every answer is a clear 4xx with a JSON error, never a 500.

use crate::helpers::{User, error_of, messages, pair, spawn_app, uuid};
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::io::{Read, Write};

/// Posts raw bytes as JSON to `/api/<endpoint>`: (status, code).
async fn raw(user: &User, endpoint: &str, body: impl Into<reqwest::Body>) -> (StatusCode, String) {
    let res = user
        .client
        .post(format!("{}/api/{endpoint}", user.base))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .expect("request");
    let (status, code, _) = error_of(res).await;
    (status, code)
}

const JSON_ENDPOINTS: [&str; 11] = [
    "messages/send",
    "messages/forward",
    "messages/history",
    "messages/edit",
    "messages/star",
    "messages/hide",
    "messages/read",
    "messages/search",
    "conversations/create_group",
    "conversations/set_role",
    "users/search",
];

#[tokio::test]
async fn malformed_json_is_a_clear_400() {
    let app = spawn_app().await;
    let user = app.registered("mal").await;
    for endpoint in JSON_ENDPOINTS {
        for body in
            ["{not json", "", "null", "[]", "\"text\"", "42", "{\"conversation_id\": }", "{\"a\":1}{", "\u{feff}{}"]
        {
            let (status, code) = raw(&user, endpoint, body).await;
            assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "invalid_input"), "{endpoint} {body:?}");
        }
    }
}

#[tokio::test]
async fn wrong_types_and_missing_fields_are_a_clear_400() {
    let app = spawn_app().await;
    let (alice, _bob, conv) = pair(&app, "typo", "types").await;
    let id = uuid(1);
    for (endpoint, body) in [
        ("messages/send", json!({ "conversation_id": conv.to_string(), "client_msg_id": id, "body": "x" })),
        ("messages/send", json!({ "conversation_id": 1.5, "client_msg_id": id, "body": "x" })),
        ("messages/send", json!({ "conversation_id": conv, "client_msg_id": 123, "body": "x" })),
        ("messages/send", json!({ "conversation_id": conv, "client_msg_id": id, "body": ["x"] })),
        ("messages/send", json!({ "conversation_id": conv, "client_msg_id": id, "body": null })),
        ("messages/send", json!({ "conversation_id": conv, "client_msg_id": id, "body": "x", "reply_to": "first" })),
        ("messages/send", json!({ "conversation_id": [conv], "client_msg_id": id, "body": "x" })),
        ("messages/send", json!({ "conversation_id": { "id": conv }, "client_msg_id": id, "body": "x" })),
        ("messages/history", json!({ "conversation_id": true })),
        ("messages/history", json!({ "conversation_id": conv, "before": "yesterday" })),
        ("messages/history", json!({})),
        ("messages/read", json!({ "conversation_id": conv, "seq": "all" })),
        ("messages/sync", json!({ "conversation_id": conv })),
        ("messages/forward", json!({ "message_ids": 1, "conversation_ids": [conv] })),
        ("messages/forward", json!({ "message_ids": [1], "conversation_ids": conv })),
        ("messages/forward", json!({ "message_ids": ["1"], "conversation_ids": [conv] })),
        ("messages/forward", json!({ "message_ids": [1] })),
        ("conversations/set_role", json!({ "conversation_id": conv, "user_id": 1, "role": "superuser" })),
        ("conversations/set_role", json!({ "conversation_id": conv, "user_id": 1, "role": "Admin" })),
        ("conversations/set_flags", json!({ "conversation_id": conv, "flags": { "pinned": "yes" } })),
        ("conversations/create_group", json!({ "title": "G", "members": "everyone" })),
        ("conversations/create_group", json!({ "title": 7, "members": [] })),
        ("users/search", json!({ "query": null })),
    ] {
        let (status, code, _) = alice.fails(endpoint, body.clone()).await;
        assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "invalid_input"), "{endpoint} {body}");
    }
    assert!(messages(&alice.history(conv).await).is_empty(), "nothing was stored");
}

#[tokio::test]
async fn negative_zero_and_huge_ids_are_not_found_or_invalid_never_a_crash() {
    let app = spawn_app().await;
    let (alice, _bob, conv) = pair(&app, "edge", "cases").await;
    let sent = alice.send(conv, 1, "hi").await;
    for id in [json!(-1), json!(0), json!(i64::MAX), json!(i64::MIN)] {
        for (endpoint, body) in [
            ("conversations/get", json!({ "conversation_id": id })),
            ("messages/history", json!({ "conversation_id": id })),
            ("messages/send", json!({ "conversation_id": id, "client_msg_id": uuid(2), "body": "x" })),
            ("messages/edit", json!({ "message_id": id, "body": "x" })),
            ("messages/delete", json!({ "message_id": id })),
            ("messages/read", json!({ "conversation_id": id, "seq": 1 })),
            ("users/presence", json!({ "user_id": id })),
            ("conversations/open_direct", json!({ "user_id": id })),
        ] {
            let (status, code, _) = alice.fails(endpoint, body.clone()).await;
            assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"), "{endpoint} {body}");
        }
    }
    // Numbers no i64 holds do not parse at all.
    for number in ["18446744073709551616", "9223372036854775808", "1e400", "-1e400", "1.0e3", "NaN"] {
        let body = format!("{{\"conversation_id\": {number}}}");
        let (status, code) = raw(&alice, "messages/history", body).await;
        assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "invalid_input"), "{number}");
    }
    // Out-of-range cursors and seqs are harmless.
    for before in [i64::MIN, -1, 0, i64::MAX] {
        let page = alice.ok("messages/history", json!({ "conversation_id": conv, "before": before })).await;
        assert_eq!(messages(&page).len(), usize::from(before > 1), "before {before}");
    }
    for after_rev in [i64::MIN, i64::MAX] {
        alice.ok("messages/sync", json!({ "conversation_id": conv, "after_rev": after_rev })).await;
    }
    let (status, ..) = alice
        .fails(
            "messages/send",
            json!({ "conversation_id": conv, "client_msg_id": uuid(3), "body": "x", "reply_to": -1 }),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(alice.history(conv).await["messages"][0]["id"], sent["id"]);
}

#[tokio::test]
async fn a_70_kib_body_is_refused_with_413_and_stores_nothing() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "big", "body").await;
    let huge = "x".repeat(70 * 1024);
    for (endpoint, body) in [
        ("messages/send", json!({ "conversation_id": conv, "client_msg_id": uuid(1), "body": huge })),
        ("messages/search", json!({ "query": huge })),
        ("conversations/create_group", json!({ "title": huge, "members": [] })),
        ("users/search", json!({ "query": huge })),
    ] {
        let (status, code, _) = alice.fails(endpoint, body).await;
        assert_eq!((status, code.as_str()), (StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"), "{endpoint}");
    }
    assert!(messages(&bob.history(conv).await).is_empty());
    assert_eq!(alice.ok("conversations/list", json!({})).await.as_array().map(Vec::len), Some(1));
}

/// Sends a request by hand over TCP and returns the status line's code.
fn raw_http(addr: std::net::SocketAddr, request: &[u8]) -> u16 {
    let mut stream = std::net::TcpStream::connect(addr).expect("connect");
    stream.set_read_timeout(Some(std::time::Duration::from_secs(5))).expect("timeout");
    let _ = stream.write_all(request);
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let text = String::from_utf8_lossy(&answer);
    text.split_whitespace().nth(1).and_then(|code| code.parse().ok()).unwrap_or_else(|| panic!("no status in {text:?}"))
}

#[tokio::test]
async fn a_chunked_body_without_a_length_is_limited_too() {
    let app = spawn_app().await;
    let cookie = app.registered("chunky").await.cookie_header().expect("cookie");
    let addr = app.addr;
    let status = tokio::task::spawn_blocking(move || {
        let chunk = format!("{:x}\r\n{}\r\n", 8 * 1024, "x".repeat(8 * 1024));
        let mut request = format!(
            "POST /api/messages/search HTTP/1.1\r\nHost: {addr}\r\nCookie: {cookie}\r\nContent-Type: application/json\r\n\
             Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n6\r\n{{\"q\":\"\r\n"
        )
        .into_bytes();
        for _ in 0..10 {
            request.extend_from_slice(chunk.as_bytes());
        }
        request.extend_from_slice(b"2\r\n\"}\r\n0\r\n\r\n");
        raw_http(addr, &request)
    })
    .await
    .expect("task");
    assert_eq!(status, 413);
}

#[tokio::test]
async fn deeply_nested_json_is_refused_without_crashing() {
    let app = spawn_app().await;
    let user = app.registered("nest").await;
    let depth = 20_000;
    let body = format!("{{\"query\": {}1{}}}", "[".repeat(depth), "]".repeat(depth));
    let (status, code) = raw(&user, "users/search", body).await;
    assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "invalid_input"));
    assert_eq!(user.me().await.status(), StatusCode::OK, "the server is still up");
}

#[tokio::test]
async fn odd_requests_get_a_4xx_not_a_500() {
    let app = spawn_app().await;
    let user = app.registered("odd").await;
    let url = |path: &str| format!("{}{path}", user.base);
    let get = user.client.get(url("/api/messages/history")).send().await.expect("request").status();
    assert!(get.is_client_error(), "GET on a server function: {get}");
    let unknown =
        user.client.post(url("/api/messages/launch")).json(&json!({})).send().await.expect("request").status();
    assert!(unknown.is_client_error(), "unknown endpoint: {unknown}");
    let text = user
        .client
        .post(url("/api/users/search"))
        .header("content-type", "text/plain")
        .body("{\"query\":\"odd\"}")
        .send()
        .await
        .expect("request")
        .status();
    assert!(text.is_success() || text.is_client_error(), "text/plain body: {text}");
    let form = user.form("/api/users/search", &[("query", "odd")]).await.status();
    assert!(form.is_client_error(), "a form body to a JSON endpoint: {form}");
}

#[tokio::test]
async fn control_characters_and_wide_unicode_are_stored_exactly_or_refused() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "uni", "code").await;
    let max = shared::limits::MESSAGE_MAX_CHARS;
    for (n, body) in [
        (1, "tab\there".to_owned()),
        (2, "bidi \u{202e}txet".to_owned()),
        (3, "🦆".repeat(max)),
        (4, "<script>alert(1)</script>".to_owned()),
    ] {
        let sent = alice.send(conv, n, &body).await;
        assert_eq!(sent["body"], body.as_str(), "stored as sent");
    }
    // PostgreSQL text cannot hold NUL, so every backend refuses it the same way.
    let (status, code, field) = alice
        .fails("messages/send", json!({ "conversation_id": conv, "client_msg_id": uuid(6), "body": "nul\u{0}byte" }))
        .await;
    assert_eq!((status, code.as_str(), field.as_deref()), (StatusCode::BAD_REQUEST, "invalid_input", Some("body")));
    let (status, _, field) = alice
        .fails(
            "messages/send",
            json!({ "conversation_id": conv, "client_msg_id": uuid(5), "body": "🦆".repeat(max + 1) }),
        )
        .await;
    assert_eq!((status, field.as_deref()), (StatusCode::BAD_REQUEST, Some("body")), "the limit counts characters");
    let seen: Vec<Value> = messages(&bob.history(conv).await).iter().map(|m| m["body"].clone()).collect();
    assert_eq!(seen.len(), 4);
    assert_eq!(seen[3], "<script>alert(1)</script>", "text is data; escaping is the renderer's job");
}
