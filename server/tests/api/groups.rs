//! Groups: creation, renaming, membership, roles, leaving, and what each member sees.

use crate::helpers::{TestApp, User, bodies, messages, spawn_app};
use crate::ws::{next_of, open};
use reqwest::StatusCode;
use serde_json::{Value, json};

/// An owner, a plain member and someone outside, with a group of the first two.
struct Group {
    owner: User,
    member: User,
    outsider: User,
    owner_id: i64,
    member_id: i64,
    outsider_id: i64,
    id: i64,
}

async fn group(app: &TestApp) -> Group {
    let owner = app.registered_as("olivia", "Olivia").await;
    let member = app.registered_as("paul", "Paul").await;
    let outsider = app.registered_as("quinn", "Quinn").await;
    let (owner_id, member_id, outsider_id) = (owner.id().await, member.id().await, outsider.id().await);
    let id = owner.create_group("Book club", &[member_id]).await;
    Group { owner, member, outsider, owner_id, member_id, outsider_id, id }
}

async fn detail(user: &User, conv: i64) -> Value {
    user.ok("conversations/get", json!({ "conversation_id": conv })).await
}

fn role_of(detail: &Value, user: i64) -> String {
    let members = detail["members"].as_array().expect("members");
    let member = members.iter().find(|m| m["user"]["id"] == user).unwrap_or_else(|| panic!("{user} in {detail}"));
    member["role"].as_str().expect("role").to_owned()
}

#[tokio::test]
async fn creating_a_group_makes_the_caller_owner_and_writes_a_system_message() {
    let app = spawn_app().await;
    let g = group(&app).await;
    let summary = g.owner.ok("conversations/get", json!({ "conversation_id": g.id })).await;
    assert_eq!(summary["summary"]["kind"], "group");
    assert_eq!(summary["summary"]["title"], "Book club");
    assert_eq!(summary["summary"]["member_count"], 2);
    assert_eq!(role_of(&summary, g.owner_id), "owner");
    assert_eq!(role_of(&summary, g.member_id), "member");

    let history = g.member.history(g.id).await;
    let first = &messages(&history)[0];
    assert_eq!((first["kind"].as_str(), first["seq"].as_i64()), (Some("system"), Some(1)));
    assert_eq!(first["sender_id"], Value::Null, "system messages have no sender");
    assert_eq!(first["body"], "Olivia created the group \"Book club\"");
}

#[tokio::test]
async fn invalid_groups_are_refused() {
    let app = spawn_app().await;
    let owner = app.registered("rita").await;
    for (title, members, field) in [
        ("", json!([]), "title"),
        ("   ", json!([]), "title"),
        (&"t".repeat(65) as &str, json!([]), "title"),
        ("Ghosts", json!([999_999]), "members"),
    ] {
        let (status, code, got) =
            owner.fails("conversations/create_group", json!({ "title": title, "members": members })).await;
        assert_eq!(
            (status, code.as_str(), got.as_deref()),
            (StatusCode::BAD_REQUEST, "invalid_input", Some(field)),
            "{title:?}"
        );
    }
    assert!(
        owner.ok("conversations/list", json!({})).await.as_array().expect("list").is_empty(),
        "nothing was created"
    );
}

#[tokio::test]
async fn the_owner_renames_the_group_with_a_system_message() {
    let app = spawn_app().await;
    let g = group(&app).await;
    let mut member_socket = open(&app, &g.member).await;
    let renamed = g.owner.ok("conversations/rename", json!({ "conversation_id": g.id, "title": "Book club 2" })).await;
    assert_eq!(renamed["summary"]["title"], "Book club 2");
    assert_eq!(next_of(&mut member_socket, "conversation_updated").await["conversation_id"], g.id);
    let pushed = next_of(&mut member_socket, "message").await;
    assert_eq!(pushed["message"]["body"], "Olivia renamed the group to \"Book club 2\"");
    let seen = bodies(&g.member.history(g.id).await);
    assert_eq!(seen.last().map(String::as_str), Some("Olivia renamed the group to \"Book club 2\""));
    assert_eq!(detail(&g.member, g.id).await["summary"]["title"], "Book club 2");
}

#[tokio::test]
async fn a_new_member_sees_the_added_notice_but_not_earlier_messages() {
    let app = spawn_app().await;
    let g = group(&app).await;
    g.owner.send(g.id, 1, "before quinn joined").await;
    let mut late_socket = open(&app, &g.outsider).await;
    let added =
        g.owner.ok("conversations/add_members", json!({ "conversation_id": g.id, "members": [g.outsider_id] })).await;
    assert_eq!(role_of(&added, g.outsider_id), "member");
    assert_eq!(next_of(&mut late_socket, "conversation_updated").await["conversation_id"], g.id);
    g.member.send(g.id, 2, "welcome quinn").await;

    let seen = g.outsider.history(g.id).await;
    assert_eq!(bodies(&seen), ["Olivia added Quinn", "welcome quinn"]);
    assert!(!seen["has_more"].as_bool().expect("has_more"), "nothing older is reachable");
    let before = seen["messages"][0]["seq"].as_i64().expect("seq");
    let older = g.outsider.ok("messages/history", json!({ "conversation_id": g.id, "before": before })).await;
    assert!(messages(&older).is_empty(), "paging back does not reveal earlier messages: {older}");
    let changes = g.outsider.ok("messages/sync", json!({ "conversation_id": g.id, "after_rev": 0 })).await;
    assert_eq!(changes["changed"].as_array().map(Vec::len), Some(2), "nor does a sync from rev 0");
    // The late joiner's unread count and list preview start at the notice too.
    let list = g.outsider.ok("conversations/list", json!({})).await;
    assert_eq!(
        (list[0]["unread"].as_i64(), list[0]["last_message"]["body"].as_str()),
        (Some(1), Some("welcome quinn"))
    );
}

#[tokio::test]
async fn plain_members_cannot_rename_add_remove_or_promote() {
    let app = spawn_app().await;
    let g = group(&app).await;
    for (endpoint, body) in [
        ("conversations/rename", json!({ "conversation_id": g.id, "title": "Mine" })),
        ("conversations/add_members", json!({ "conversation_id": g.id, "members": [g.outsider_id] })),
        ("conversations/remove_member", json!({ "conversation_id": g.id, "user_id": g.owner_id })),
        ("conversations/set_role", json!({ "conversation_id": g.id, "user_id": g.member_id, "role": "admin" })),
    ] {
        let (status, code, _) = g.member.fails(endpoint, body).await;
        assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "forbidden"), "{endpoint}");
    }
    let after = detail(&g.owner, g.id).await;
    assert_eq!(
        (after["summary"]["title"].as_str(), after["members"].as_array().map(Vec::len)),
        (Some("Book club"), Some(2))
    );
    assert_eq!(bodies(&g.owner.history(g.id).await).len(), 1, "no system message for refused changes");
}

#[tokio::test]
async fn an_admin_promoted_with_set_role_may_manage_but_not_above_their_rank() {
    let app = spawn_app().await;
    let g = group(&app).await;
    let promoted = g
        .owner
        .ok("conversations/set_role", json!({ "conversation_id": g.id, "user_id": g.member_id, "role": "admin" }))
        .await;
    assert_eq!(role_of(&promoted, g.member_id), "admin");
    assert_eq!(bodies(&g.owner.history(g.id).await).last().map(String::as_str), Some("Olivia made Paul an admin"));

    let admin = &g.member;
    admin.ok("conversations/rename", json!({ "conversation_id": g.id, "title": "Admins rule" })).await;
    admin.ok("conversations/add_members", json!({ "conversation_id": g.id, "members": [g.outsider_id] })).await;
    for (endpoint, body) in [
        ("conversations/remove_member", json!({ "conversation_id": g.id, "user_id": g.owner_id })),
        ("conversations/set_role", json!({ "conversation_id": g.id, "user_id": g.owner_id, "role": "member" })),
        ("conversations/set_role", json!({ "conversation_id": g.id, "user_id": g.outsider_id, "role": "owner" })),
        ("conversations/set_role", json!({ "conversation_id": g.id, "user_id": g.member_id, "role": "member" })),
    ] {
        let (status, code, _) = admin.fails(endpoint, body.clone()).await;
        assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "forbidden"), "{endpoint} {body}");
    }
    admin.ok("conversations/remove_member", json!({ "conversation_id": g.id, "user_id": g.outsider_id })).await;
    assert_eq!(role_of(&detail(&g.owner, g.id).await, g.owner_id), "owner");
}

#[tokio::test]
async fn a_removed_member_loses_the_conversation() {
    let app = spawn_app().await;
    let g = group(&app).await;
    g.owner.send(g.id, 1, "still here?").await;
    let mut socket = open(&app, &g.member).await;
    let after =
        g.owner.ok("conversations/remove_member", json!({ "conversation_id": g.id, "user_id": g.member_id })).await;
    assert_eq!(after["members"].as_array().map(Vec::len), Some(1));
    assert_eq!(next_of(&mut socket, "conversation_removed").await["conversation_id"], g.id);

    for (endpoint, body) in [
        ("conversations/get", json!({ "conversation_id": g.id })),
        ("messages/history", json!({ "conversation_id": g.id })),
        ("messages/sync", json!({ "conversation_id": g.id, "after_rev": 0 })),
        (
            "messages/send",
            json!({ "conversation_id": g.id, "client_msg_id": crate::helpers::uuid(5), "body": "let me in" }),
        ),
        ("messages/read", json!({ "conversation_id": g.id, "seq": 1 })),
    ] {
        let (status, code, _) = g.member.fails(endpoint, body).await;
        assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"), "{endpoint}");
    }
    assert!(g.member.ok("conversations/list", json!({})).await.as_array().expect("list").is_empty());
    let hits = g.member.ok("messages/search", json!({ "query": "still" })).await;
    assert!(hits.as_array().expect("hits").is_empty(), "no search into a chat one was removed from");
    assert_eq!(bodies(&g.owner.history(g.id).await).last().map(String::as_str), Some("Olivia removed Paul"));
}

#[tokio::test]
async fn leaving_works_and_ownership_passes_on() {
    let app = spawn_app().await;
    let g = group(&app).await;
    g.owner.ok("conversations/add_members", json!({ "conversation_id": g.id, "members": [g.outsider_id] })).await;
    g.owner
        .ok("conversations/set_role", json!({ "conversation_id": g.id, "user_id": g.outsider_id, "role": "admin" }))
        .await;

    // A plain member leaves quietly (a system message, no rights needed).
    assert_eq!(g.member.ok("conversations/leave", json!({ "conversation_id": g.id })).await, Value::Null);
    assert_eq!(g.member.fails("conversations/get", json!({ "conversation_id": g.id })).await.0, StatusCode::NOT_FOUND);
    // The owner leaves: the admin becomes owner.
    g.owner.ok("conversations/leave", json!({ "conversation_id": g.id })).await;
    let now = detail(&g.outsider, g.id).await;
    assert_eq!(now["summary"]["my_role"], "owner");
    assert_eq!(now["members"].as_array().map(Vec::len), Some(1));
    let seen = bodies(&g.outsider.history(g.id).await);
    assert_eq!(&seen[seen.len() - 2..], ["Paul left", "Olivia left"]);
    assert_eq!(
        g.owner.fails("conversations/leave", json!({ "conversation_id": g.id })).await.0,
        StatusCode::NOT_FOUND,
        "twice"
    );
}
