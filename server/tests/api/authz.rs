//! The authorization matrix: every server function and every client frame, called as
//! anonymous, as an outsider and as a member. It reads the endpoint names from the app's
//! source, so a new endpoint without a row here fails the test.

use crate::chat::{me_id, ok, send};
use crate::helpers::{spawn_app, TestApp, User, PASSWORD};
use crate::websocket::{connect, next_json};
use futures::SinkExt;
use serde_json::{json, Value};
use std::collections::BTreeSet;
use tokio_tungstenite::tungstenite::Message;

/// A group owned by `owner` with `member`; `outsider` is in no conversation with them.
struct World {
    app: TestApp,
    owner: User,
    member: User,
    outsider: User,
    group: i64,
    message: i64,
    member_id: i64,
    owner_id: i64,
}

async fn world() -> World {
    let app = spawn_app().await;
    let owner = app.registered("owner").await;
    let member = app.registered("member").await;
    let outsider = app.registered("outsider").await;
    let member_id = me_id(&member).await;
    let owner_id = me_id(&owner).await;
    let group = ok(owner.json("/api/conversations/create_group", &json!({"title": "Team", "members": [member_id]})).await).await;
    let group = group["id"].as_i64().expect("id");
    let message = send(&owner, group, 1, "hello team").await["id"].as_i64().expect("id");
    World { app, owner, member, outsider, group, message, member_id, owner_id }
}

/// (endpoint, body, status as outsider, status as member). Anonymous always gets 401.
fn cases(w: &World) -> Vec<(&'static str, Value, u16, u16)> {
    let g = w.group;
    vec![
        ("users/search", json!({"query": "own"}), 200, 200),
        ("users/presence", json!({"user_id": w.owner_id}), 404, 200),
        ("conversations/list", json!({}), 200, 200),
        ("conversations/get", json!({"conversation_id": g}), 404, 200),
        ("conversations/open_direct", json!({"user_id": w.owner_id}), 200, 200),
        ("conversations/create_group", json!({"title": "Mine", "members": []}), 200, 200),
        ("conversations/rename", json!({"conversation_id": g, "title": "New"}), 404, 403),
        ("conversations/add_members", json!({"conversation_id": g, "members": [w.owner_id]}), 404, 403),
        ("conversations/remove_member", json!({"conversation_id": g, "user_id": w.owner_id}), 404, 403),
        ("conversations/set_role", json!({"conversation_id": g, "user_id": w.owner_id, "role": "admin"}), 404, 403),
        ("conversations/leave", json!({"conversation_id": g}), 404, 200),
        ("conversations/set_flags", json!({"conversation_id": g, "flags": {"pinned": true}}), 404, 200),
        ("messages/history", json!({"conversation_id": g}), 404, 200),
        ("messages/sync", json!({"conversation_id": g, "after_rev": 0}), 404, 200),
        ("messages/send", json!({"conversation_id": g, "client_msg_id": "00000000-0000-4000-8000-000000000099", "body": "x"}), 404, 200),
        ("messages/edit", json!({"message_id": w.message, "body": "x"}), 404, 403),
        ("messages/delete", json!({"message_id": w.message}), 404, 403),
        ("messages/delivered", json!({"conversation_id": g, "seq": 1}), 404, 200),
        ("messages/read", json!({"conversation_id": g, "seq": 1}), 404, 200),
        ("messages/search", json!({"query": "hello", "conversation_id": g}), 404, 200),
    ]
}

/// Endpoints that take form posts or need no session, tested in accounts.rs / below.
const SPECIAL: [&str; 5] = ["accounts/register", "accounts/login", "accounts/logout", "accounts/me", "messages/send_form"];

fn endpoints_in_source() -> BTreeSet<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../app/src");
    let mut found = BTreeSet::new();
    for file in ["accounts.rs", "people.rs", "conversations.rs", "messages.rs"] {
        let source = std::fs::read_to_string(format!("{dir}/{file}")).expect("app source");
        for part in source.split("endpoint = \"").skip(1) {
            found.insert(part.split('"').next().expect("endpoint").to_owned());
        }
    }
    found
}

async fn status(user: &User, endpoint: &str, body: &Value) -> u16 {
    user.json(&format!("/api/{endpoint}"), body).await.status().as_u16()
}

#[tokio::test]
async fn every_endpoint_is_in_the_matrix() {
    let w = world().await;
    let listed: BTreeSet<String> =
        cases(&w).iter().map(|c| c.0.to_owned()).chain(SPECIAL.iter().map(|s| (*s).to_owned())).collect();
    assert_eq!(listed, endpoints_in_source(), "add new endpoints to the authorization matrix");
}

#[tokio::test]
async fn anonymous_callers_get_401_everywhere() {
    let w = world().await;
    let anonymous = w.app.user();
    for (endpoint, body, _, _) in cases(&w) {
        assert_eq!(status(&anonymous, endpoint, &body).await, 401, "{endpoint}");
    }
    assert_eq!(status(&anonymous, "accounts/me", &json!({})).await, 401);
    let form = anonymous
        .form("/api/messages/send_form", &[("conversation_id", &w.group.to_string()), ("client_msg_id", "00000000-0000-4000-8000-000000000001"), ("body", "x")])
        .await;
    assert_eq!(form.status().as_u16(), 401);
}

#[tokio::test]
async fn outsiders_learn_nothing_and_change_nothing() {
    for (i, case) in cases(&world().await).into_iter().enumerate() {
        // A fresh world per case: some calls change state.
        let w = world().await;
        let (endpoint, body, outsider, _) = cases(&w).swap_remove(i);
        assert_eq!(endpoint, case.0);
        assert_eq!(status(&w.outsider, endpoint, &body).await, outsider, "outsider on {endpoint}");
        let list = ok(w.outsider.json("/api/conversations/list", &json!({})).await).await;
        assert!(list.as_array().expect("list").iter().all(|c| c["id"] != w.group), "{endpoint} leaked the group");
        let history = ok(w.owner.json("/api/messages/history", &json!({"conversation_id": w.group})).await).await;
        let texts: Vec<&str> = history["messages"].as_array().expect("messages").iter().filter_map(|m| m["body"].as_str()).collect();
        assert!(texts.contains(&"hello team") && !texts.contains(&"x"), "{endpoint} changed the group: {texts:?}");
    }
}

#[tokio::test]
async fn members_may_do_what_their_role_allows() {
    for (i, case) in cases(&world().await).into_iter().enumerate() {
        let w = world().await;
        let (endpoint, body, _, member) = cases(&w).swap_remove(i);
        assert_eq!(endpoint, case.0);
        assert_eq!(status(&w.member, endpoint, &body).await, member, "member on {endpoint}");
    }
    // What members may not do, the owner may.
    let w = world().await;
    let third = w.app.registered("third").await;
    let third_id = me_id(&third).await;
    for (endpoint, body) in [
        ("conversations/rename", json!({"conversation_id": w.group, "title": "Renamed"})),
        ("conversations/add_members", json!({"conversation_id": w.group, "members": [third_id]})),
        ("conversations/set_role", json!({"conversation_id": w.group, "user_id": w.member_id, "role": "admin"})),
        ("conversations/remove_member", json!({"conversation_id": w.group, "user_id": third_id})),
        ("messages/edit", json!({"message_id": w.message, "body": "edited"})),
        ("messages/delete", json!({"message_id": w.message})),
    ] {
        assert_eq!(status(&w.owner, endpoint, &body).await, 200, "owner on {endpoint}");
    }
    let _ = PASSWORD;
}

#[tokio::test]
async fn every_client_frame_is_refused_to_outsiders() {
    let w = world().await;
    let mut socket = connect(&w.app, &w.outsider).await;
    next_json(&mut socket).await;
    let frames = [
        json!({"type": "ping", "nonce": 1}),
        json!({"type": "send", "conversation_id": w.group, "client_msg_id": "00000000-0000-4000-8000-000000000042", "body": "x"}),
        json!({"type": "typing", "conversation_id": w.group}),
        json!({"type": "delivered", "conversation_id": w.group, "seq": 1}),
        json!({"type": "read", "conversation_id": w.group, "seq": 1}),
    ];
    let kinds: BTreeSet<&str> = frames.iter().filter_map(|f| f["type"].as_str()).collect();
    assert_eq!(kinds, shared::frames::ClientFrame::KINDS.into_iter().collect(), "add new frames to the matrix");
    for frame in frames {
        socket.send(Message::text(frame.to_string())).await.expect("send");
        let reply = next_json(&mut socket).await;
        if frame["type"] == "ping" {
            assert_eq!(reply["type"], "pong");
        } else {
            assert_eq!((reply["type"].as_str(), reply["code"].as_str()), (Some("error"), Some("not_found")), "{frame}");
        }
    }
}
