//! The authorization matrix: every server function and every client frame, called as
//! anonymous, as an outsider, as a plain member and as the group's owner.
//!
//! The endpoint names are read from the app's source at test time and the frame names from
//! `ClientFrame::KINDS`, so adding either without a row here fails `every_endpoint_and_frame_is_in_the_matrix`.

use crate::helpers::{PASSWORD, TestApp, User, bodies, spawn_app, uuid};
use crate::ws::{assert_silent, error_code, next_json, next_of, open, send_json};
use serde_json::{Value, json};
use std::collections::BTreeSet;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Anonymous,
    Outsider,
    Member,
    Owner,
}

/// A group "Team" owned by `owner` with plain member `member`; `outsider` shares no
/// conversation with them. `message` is the owner's.
struct World {
    app: TestApp,
    owner: User,
    member: User,
    outsider: User,
    owner_id: i64,
    member_id: i64,
    outsider_id: i64,
    group: i64,
    message: i64,
}

async fn world() -> World {
    let app = spawn_app().await;
    let owner = app.registered("owner").await;
    let member = app.registered("member").await;
    let outsider = app.registered("outsider").await;
    let (owner_id, member_id, outsider_id) = (owner.id().await, member.id().await, outsider.id().await);
    let group = owner.create_group("Team", &[member_id]).await;
    let message = owner.send(group, 1, "hello team").await["id"].as_i64().expect("id");
    World { app, owner, member, outsider, owner_id, member_id, outsider_id, group, message }
}

enum Body {
    Json(Value),
    Form(Vec<(&'static str, String)>),
}

/// One row: the call, the status expected for each caller, and whether it changes the world
/// so much (sessions, membership) that it needs a world of its own.
struct Case {
    endpoint: &'static str,
    body: Body,
    anonymous: u16,
    outsider: u16,
    member: u16,
    owner: u16,
    fresh: bool,
}

fn case(endpoint: &'static str, body: Value, [anonymous, outsider, member, owner]: [u16; 4], fresh: bool) -> Case {
    Case { endpoint, body: Body::Json(body), anonymous, outsider, member, owner, fresh }
}

/// The matrix. Bodies depend on the caller where the target must: the owner removes and
/// promotes the member, everyone else tries it on the owner (or themselves).
fn cases(w: &World, who: Who) -> Vec<Case> {
    let g = w.group;
    let me = match who {
        Who::Owner | Who::Anonymous => "owner",
        Who::Member => "member",
        Who::Outsider => "outsider",
    };
    // The other person in the group: who the owner manages, and whom others try to.
    let target = if who == Who::Owner { w.member_id } else { w.owner_id };
    let form = |endpoint, fields: Vec<(&'static str, String)>, statuses: [u16; 4], fresh| {
        let [anonymous, outsider, member, owner] = statuses;
        Case { endpoint, body: Body::Form(fields), anonymous, outsider, member, owner, fresh }
    };
    vec![
        // Accounts: register and log in need no session; log out without one is a no-op.
        form(
            "accounts/register",
            vec![("username", "newcomer".into()), ("display_name", "New".into()), ("password", PASSWORD.into())],
            [200, 200, 200, 200],
            true,
        ),
        form(
            "accounts/login",
            vec![("username", me.into()), ("password", PASSWORD.into())],
            [200, 200, 200, 200],
            false,
        ),
        form("accounts/logout", vec![], [200, 200, 200, 200], true),
        case("accounts/me", json!({}), [401, 200, 200, 200], false),
        // Profiles: only ever your own, so every session may.
        case(
            "accounts/update_profile",
            json!({ "display_name": "Renamed", "about": "hi" }),
            [401, 200, 200, 200],
            false,
        ),
        case("accounts/set_avatar", json!({ "avatar": null }), [401, 200, 200, 200], false),
        case("accounts/set_group_adds", json!({ "group_adds": "everyone" }), [401, 200, 200, 200], false),
        // Password and devices: only ever your own account's; someone else's device is not found.
        case(
            "accounts/change_password",
            json!({ "current_password": PASSWORD, "new_password": "another passphrase here", "log_out_others": false }),
            [401, 200, 200, 200],
            true,
        ),
        case("accounts/devices", json!({}), [401, 200, 200, 200], false),
        case("accounts/end_device", json!({ "id": "0".repeat(32) }), [401, 404, 404, 404], false),
        case("accounts/end_other_devices", json!({}), [401, 200, 200, 200], true),
        case("accounts/set_privacy", json!({ "about": "contacts" }), [401, 200, 200, 200], false),
        case("accounts/delete", json!({ "password": PASSWORD }), [401, 200, 200, 200], true),
        // People: anyone may search; presence and contact info only of contacts; anyone may
        // block or report anyone (it only ever changes what they themselves see and get).
        case("users/search", json!({ "query": "o" }), [401, 200, 200, 200], false),
        case("users/presence", json!({ "user_id": target }), [401, 404, 200, 200], false),
        case("users/profile", json!({ "user_id": target }), [401, 404, 200, 200], false),
        case("users/block", json!({ "user_id": target }), [401, 200, 200, 200], true),
        case("users/unblock", json!({ "user_id": target }), [401, 200, 200, 200], false),
        case("users/blocked", json!({}), [401, 200, 200, 200], false),
        case("users/report", json!({ "user_id": target, "block": false }), [401, 200, 200, 200], false),
        // Conversations.
        case("conversations/list", json!({}), [401, 200, 200, 200], false),
        case("conversations/get", json!({ "conversation_id": g }), [401, 404, 200, 200], false),
        case("conversations/open_direct", json!({ "user_id": target }), [401, 200, 200, 200], true),
        case("conversations/create_group", json!({ "title": "Mine", "members": [] }), [401, 200, 200, 200], false),
        case("conversations/rename", json!({ "conversation_id": g, "title": "Renamed" }), [401, 404, 403, 200], false),
        case(
            "conversations/add_members",
            json!({ "conversation_id": g, "members": [w.outsider_id] }),
            [401, 404, 403, 200],
            true,
        ),
        case(
            "conversations/remove_member",
            json!({ "conversation_id": g, "user_id": target }),
            [401, 404, 403, 200],
            true,
        ),
        case(
            "conversations/set_role",
            json!({ "conversation_id": g, "user_id": target, "role": "admin" }),
            [401, 404, 403, 200],
            true,
        ),
        case("conversations/leave", json!({ "conversation_id": g }), [401, 404, 200, 200], true),
        case(
            "conversations/set_flags",
            json!({ "conversation_id": g, "flags": { "pinned": true } }),
            [401, 404, 200, 200],
            false,
        ),
        // Messages.
        case("messages/history", json!({ "conversation_id": g, "before": null }), [401, 404, 200, 200], false),
        case("messages/sync", json!({ "conversation_id": g, "after_rev": 0 }), [401, 404, 200, 200], false),
        case(
            "messages/send",
            json!({ "conversation_id": g, "client_msg_id": uuid(90), "body": "x", "reply_to": null }),
            [401, 404, 200, 200],
            false,
        ),
        form(
            "messages/send_form",
            vec![("conversation_id", g.to_string()), ("client_msg_id", uuid(91)), ("body", "x".into())],
            [401, 404, 200, 200],
            false,
        ),
        case("messages/edit", json!({ "message_id": w.message, "body": "x" }), [401, 404, 403, 200], false),
        case("messages/react", json!({ "message_id": w.message, "emoji": "👍" }), [401, 404, 200, 200], false),
        case(
            "messages/forward",
            json!({ "message_ids": [w.message], "conversation_ids": [g] }),
            [401, 404, 200, 200],
            false,
        ),
        case("messages/star", json!({ "message_id": w.message, "starred": true }), [401, 404, 200, 200], false),
        case("messages/starred", json!({ "before": null }), [401, 200, 200, 200], false),
        case("messages/hide", json!({ "conversation_id": g, "message_ids": [w.message] }), [401, 404, 200, 200], true),
        case("messages/delete", json!({ "message_id": w.message }), [401, 404, 403, 200], true),
        case("messages/delivered", json!({ "conversation_id": g, "seq": 1 }), [401, 404, 200, 200], false),
        case("messages/read", json!({ "conversation_id": g, "seq": 1 }), [401, 404, 200, 200], false),
        case("messages/search", json!({ "query": "hello", "conversation_id": g }), [401, 404, 200, 200], false),
    ]
}

/// One frame of each kind about the group.
fn frames(w: &World) -> Vec<Value> {
    let g = w.group;
    vec![
        json!({ "type": "ping", "nonce": 1 }),
        json!({ "type": "send", "conversation_id": g, "client_msg_id": uuid(92), "body": "x", "reply_to": null }),
        json!({ "type": "typing", "conversation_id": g }),
        json!({ "type": "delivered", "conversation_id": g, "seq": 1 }),
        json!({ "type": "read", "conversation_id": g, "seq": 1 }),
    ]
}

/// `endpoint = "..."` of every `#[server]` function under app/src.
fn endpoints_in_source() -> BTreeSet<String> {
    fn walk(dir: &std::path::Path, found: &mut BTreeSet<String>, servers: &mut usize) {
        for entry in std::fs::read_dir(dir).expect("app/src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, found, servers);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let source = std::fs::read_to_string(&path).expect("source");
                *servers += source.matches("#[server").count();
                for part in source.split("endpoint = \"").skip(1) {
                    found.insert(part.split('"').next().expect("endpoint").to_owned());
                }
            }
        }
    }
    let (mut found, mut servers) = (BTreeSet::new(), 0);
    walk(std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../app/src")), &mut found, &mut servers);
    assert_eq!(servers, found.len(), "every #[server] function names its endpoint explicitly");
    found
}

async fn call(user: &User, case: &Case) -> (u16, Option<String>) {
    let path = format!("/api/{}", case.endpoint);
    let res = match &case.body {
        Body::Json(body) => user.json(&path, body).await,
        Body::Form(fields) => {
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            user.form(&path, &fields).await
        }
    };
    let status = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    (status, body["code"].as_str().map(str::to_owned))
}

fn expected_code(status: u16) -> Option<&'static str> {
    match status {
        401 => Some("unauthorized"),
        403 => Some("forbidden"),
        404 => Some("not_found"),
        _ => None,
    }
}

/// Runs every row as `who`, in a shared world except for rows that need their own.
async fn run_as(who: Who) {
    let shared = world().await;
    for i in 0..cases(&shared, who).len() {
        let own;
        let w = if cases(&shared, who)[i].fresh {
            own = world().await;
            &own
        } else {
            &shared
        };
        let case = cases(w, who).swap_remove(i);
        let anonymous = w.app.user();
        let (user, expected) = match who {
            Who::Anonymous => (&anonymous, case.anonymous),
            Who::Outsider => (&w.outsider, case.outsider),
            Who::Member => (&w.member, case.member),
            Who::Owner => (&w.owner, case.owner),
        };
        let (status, code) = call(user, &case).await;
        assert_eq!(status, expected, "{who:?} on {}", case.endpoint);
        assert_eq!(code.as_deref(), expected_code(status), "{who:?} on {}", case.endpoint);
        if matches!(who, Who::Anonymous | Who::Outsider) {
            assert_group_untouched(w, case.endpoint).await;
        }
    }
}

/// Checks that a call by someone outside changed nothing and leaked nothing.
async fn assert_group_untouched(w: &World, endpoint: &str) {
    let detail = w.owner.ok("conversations/get", json!({ "conversation_id": w.group })).await;
    assert_eq!(detail["summary"]["title"], "Team", "{endpoint} renamed the group");
    assert_eq!(detail["members"].as_array().map(Vec::len), Some(2), "{endpoint} changed the members");
    let seen = bodies(&w.owner.history(w.group).await);
    assert_eq!(seen, ["Test User created the group \"Team\"", "hello team"], "{endpoint} changed the messages");
    let list = w.outsider.call("conversations/list", json!({})).await;
    if list.status().is_success() {
        let list: Value = list.json().await.expect("list");
        assert!(list.as_array().expect("list").iter().all(|c| c["id"] != w.group), "{endpoint} let the outsider in");
    }
}

#[tokio::test]
async fn every_endpoint_and_frame_is_in_the_matrix() {
    let w = world().await;
    let listed: BTreeSet<String> = cases(&w, Who::Member).iter().map(|c| c.endpoint.to_owned()).collect();
    assert_eq!(listed, endpoints_in_source(), "add new endpoints to the authorization matrix");
    let kinds: BTreeSet<String> = frames(&w).iter().map(|f| f["type"].as_str().expect("type").to_owned()).collect();
    let known: BTreeSet<String> = shared::frames::ClientFrame::KINDS.iter().map(|k| (*k).to_owned()).collect();
    assert_eq!(kinds, known, "add new client frames to the authorization matrix");
    for frame in frames(&w) {
        let parsed: shared::frames::ClientFrame = serde_json::from_value(frame.clone()).expect("a valid frame");
        assert_eq!(parsed.kind(), frame["type"]);
    }
}

#[tokio::test]
async fn anonymous_callers_get_401_except_for_register_and_login() {
    run_as(Who::Anonymous).await;
}

#[tokio::test]
async fn outsiders_get_404_for_the_group_and_change_nothing() {
    run_as(Who::Outsider).await;
}

#[tokio::test]
async fn plain_members_may_read_and_write_but_not_manage() {
    run_as(Who::Member).await;
}

#[tokio::test]
async fn the_owner_may_do_everything() {
    run_as(Who::Owner).await;
}

#[tokio::test]
async fn every_client_frame_but_ping_is_refused_to_outsiders() {
    let w = world().await;
    let mut socket = open(&w.app, &w.outsider).await;
    for frame in frames(&w) {
        send_json(&mut socket, &frame).await;
        let reply = next_json(&mut socket).await;
        if frame["type"] == "ping" {
            assert_eq!(reply, json!({ "type": "pong", "nonce": 1 }));
        } else {
            assert_eq!(error_code(&reply), (Some("error"), Some("not_found")), "{frame}");
        }
    }
    assert_silent(&mut socket, "the outsider").await;
    assert_eq!(bodies(&w.owner.history(w.group).await).len(), 2, "nothing was sent");
    let members = w.owner.history(w.group).await["members"].clone();
    assert!(members.as_array().expect("members").iter().all(|m| m["user"]["id"] != w.outsider_id));
}

#[tokio::test]
async fn every_client_frame_is_accepted_from_members() {
    let w = world().await;
    let mut socket = open(&w.app, &w.member).await;
    for (i, frame) in frames(&w).into_iter().enumerate() {
        send_json(&mut socket, &frame).await;
        // Frames without an answer of their own are followed by a ping: its pong comes first
        // unless the frame was refused.
        send_json(&mut socket, &json!({ "type": "ping", "nonce": 100 + i })).await;
        let mut replies = Vec::new();
        loop {
            let reply = next_json(&mut socket).await;
            if reply == json!({ "type": "pong", "nonce": 100 + i }) {
                break;
            }
            replies.push(reply);
        }
        assert!(replies.iter().all(|r| r["type"] != "error"), "{frame}: {replies:?}");
        if frame["type"] == "send" {
            assert!(replies.iter().any(|r| r["type"] == "ack" && r["client_msg_id"] == uuid(92)), "{replies:?}");
        }
    }
    let mut owner_socket = open(&w.app, &w.owner).await;
    send_json(&mut owner_socket, &json!({ "type": "typing", "conversation_id": w.group })).await;
    assert_eq!(next_of(&mut socket, "typing").await["user_id"], w.owner_id);
    assert_eq!(crate::helpers::watermarks(&w.owner.history(w.group).await, w.member_id).1, 1);
}
