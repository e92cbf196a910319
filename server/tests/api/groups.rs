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

/// Audit finding 4: by default only people you have a one-to-one chat with can put you into a
/// group; the setting can open that to everyone. A refused change stores nothing.
#[tokio::test]
async fn by_default_only_contacts_can_add_someone_to_a_group() {
    let app = spawn_app().await;
    let stranger = app.registered_as("stan", "Stan").await;
    let vera = app.registered_default("vera", "Vera").await;
    let vera_id = vera.id().await;
    assert_eq!(vera.ok("accounts/me", json!({})).await["group_adds"], "contacts", "the default");

    let (status, code, field) = crate::helpers::error_of(
        stranger.call("conversations/create_group", json!({ "title": "Spam", "members": [vera_id] })).await,
    )
    .await;
    assert_eq!((status, code.as_str(), field.as_deref()), (StatusCode::FORBIDDEN, "forbidden", Some("members")));
    assert!(vera.ok("conversations/list", json!({})).await.as_array().expect("list").is_empty(), "nothing created");
    assert!(stranger.ok("conversations/list", json!({})).await.as_array().expect("list").is_empty());
    // Added to an existing group: refused too.
    let other = app.registered_as("walt", "Walt").await;
    let group = stranger.create_group("Open", &[other.id().await]).await;
    let (status, ..) = crate::helpers::error_of(
        stranger.call("conversations/add_members", json!({ "conversation_id": group, "members": [vera_id] })).await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // A contact may; and "everyone" lets the stranger in too.
    let friend = app.registered_as("fay", "Fay").await;
    friend.open_direct(vera_id).await;
    friend.create_group("Friends", &[vera_id]).await;
    let me = vera.ok("accounts/set_group_adds", json!({ "group_adds": "everyone" })).await;
    assert_eq!(me["group_adds"], "everyone");
    stranger.create_group("Now allowed", &[vera_id]).await;
    let (status, code, _) =
        crate::helpers::error_of(vera.call("accounts/set_group_adds", json!({ "group_adds": "nobody?" })).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::BAD_REQUEST, "invalid_input"));
}

/// Audit finding 4: group creation is rate-limited per account.
#[tokio::test]
async fn creating_groups_is_rate_limited_per_account() {
    let app = spawn_app().await;
    let maker = app.registered_as("maker", "Maker").await;
    let friend = app.registered_as("mate", "Mate").await;
    let friend_id = friend.id().await;
    let mut statuses = Vec::new();
    for n in 0..22 {
        let res =
            maker.call("conversations/create_group", json!({ "title": format!("G{n}"), "members": [friend_id] })).await;
        statuses.push(res.status());
    }
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 20, "{statuses:?}");
    let (status, code, _) = crate::helpers::error_of(
        maker.call("conversations/create_group", json!({ "title": "one more", "members": [friend_id] })).await,
    )
    .await;
    assert_eq!((status, code.as_str()), (StatusCode::TOO_MANY_REQUESTS, "rate_limited"));
    // Someone else still can.
    friend.create_group("Mine", &[maker.id().await]).await;
}

/// Audit finding 4: the chat list comes in pages (50 by default), keyset-ordered, so a person
/// put into thousands of groups still gets their list, and every chat is reachable by paging.
#[tokio::test]
async fn the_chat_list_is_paginated_without_gaps_or_repeats() {
    let app = spawn_app().await;
    let victim = app.registered_as("many", "Many").await;
    let victim_id = victim.id().await;
    for maker in 0..3 {
        let maker = app.registered_as(&format!("maker{maker}"), "Maker").await;
        for n in 0..20 {
            maker.create_group(&format!("Group {n}"), &[victim_id]).await;
        }
    }
    let pinned = victim.ok("conversations/list", json!({ "limit": 200 })).await[30]["id"].clone();
    victim.ok("conversations/set_flags", json!({ "conversation_id": pinned, "flags": { "pinned": true } })).await;
    let everything = victim.ok("conversations/list", json!({ "limit": 200 })).await;
    let everything: Vec<Value> = everything.as_array().expect("list").clone();
    assert_eq!(everything.len(), 60);
    assert_eq!(everything[0]["id"], pinned, "pinned first");

    let first = victim.ok("conversations/list", json!({})).await;
    assert_eq!(first.as_array().map(Vec::len), Some(50), "the default page");
    let mut walked: Vec<Value> = Vec::new();
    let mut after: Option<Value> = None;
    loop {
        let page = victim.ok("conversations/list", json!({ "after": after, "limit": 7 })).await;
        let page = page.as_array().expect("page").clone();
        if page.is_empty() {
            break;
        }
        let last = page.last().expect("last");
        after =
            Some(json!({ "pinned": last["pinned"], "last_activity_at": last["last_activity_at"], "id": last["id"] }));
        walked.extend(page);
    }
    let ids = |rows: &[Value]| rows.iter().map(|r| r["id"].as_i64().expect("id")).collect::<Vec<_>>();
    assert_eq!(ids(&walked), ids(&everything), "the pages, in order, are the whole list");
    assert_eq!(walked, everything, "and each row is the same as in one big page");

    for limit in [0, 1000] {
        let page = victim.ok("conversations/list", json!({ "limit": limit })).await;
        assert!((1..=200).contains(&page.as_array().map_or(0, Vec::len)), "limit {limit} is clamped");
    }
    let (status, ..) =
        crate::helpers::error_of(victim.call("conversations/list", json!({ "after": { "pinned": "x" } })).await).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a malformed cursor is refused");
}
