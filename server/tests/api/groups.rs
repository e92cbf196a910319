//! Groups: membership changes, roles, and what each member sees.

use crate::chat::{me_id, ok, send};
use crate::helpers::{error_of, spawn_app};
use reqwest::StatusCode;
use serde_json::{json, Value};

fn bodies(page: &Value) -> Vec<String> {
    page["messages"].as_array().expect("messages").iter().map(|m| m["body"].as_str().unwrap_or("").to_owned()).collect()
}

#[tokio::test]
async fn membership_changes_show_as_system_messages_and_late_joiners_see_only_what_follows() {
    let app = spawn_app().await;
    let owner = app.registered("olivia").await;
    let member = app.registered("paul").await;
    let late = app.registered("quinn").await;
    let (member_id, late_id) = (me_id(&member).await, me_id(&late).await);
    let group = ok(owner.json("/api/conversations/create_group", &json!({"title": "Book club", "members": [member_id]})).await).await;
    let g = group["id"].as_i64().expect("id");
    send(&owner, g, 1, "before quinn joined").await;
    ok(owner.json("/api/conversations/rename", &json!({"conversation_id": g, "title": "Book club 2"})).await).await;
    ok(owner.json("/api/conversations/add_members", &json!({"conversation_id": g, "members": [late_id]})).await).await;

    let seen_by_member = bodies(&ok(member.json("/api/messages/history", &json!({"conversation_id": g})).await).await);
    assert!(seen_by_member[0].contains("created the group"));
    assert!(seen_by_member.iter().any(|b| b.contains("renamed the group to \"Book club 2\"")));
    let seen_by_late = bodies(&ok(late.json("/api/messages/history", &json!({"conversation_id": g})).await).await);
    assert!(!seen_by_late.iter().any(|b| b == "before quinn joined"), "{seen_by_late:?}");
    assert!(seen_by_late.iter().any(|b| b.contains("added")), "{seen_by_late:?}");

    // Members cannot manage; an admin can remove a plain member, who then loses the group.
    let (status, code, _) = error_of(member.json("/api/conversations/rename", &json!({"conversation_id": g, "title": "Mine"})).await).await;
    assert_eq!((status, code.as_str()), (StatusCode::FORBIDDEN, "forbidden"));
    ok(owner.json("/api/conversations/set_role", &json!({"conversation_id": g, "user_id": member_id, "role": "admin"})).await).await;
    ok(member.json("/api/conversations/remove_member", &json!({"conversation_id": g, "user_id": late_id})).await).await;
    let (status, ..) = error_of(late.json("/api/messages/history", &json!({"conversation_id": g})).await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The owner leaves; ownership passes on.
    ok(owner.json("/api/conversations/leave", &json!({"conversation_id": g})).await).await;
    let detail = ok(member.json("/api/conversations/get", &json!({"conversation_id": g})).await).await;
    assert_eq!(detail["summary"]["my_role"], "owner");
}

#[tokio::test]
async fn direct_chats_are_one_per_pair() {
    let app = spawn_app().await;
    let a = app.registered("rachel").await;
    let b = app.registered("steve").await;
    let (a_id, b_id) = (me_id(&a).await, me_id(&b).await);
    let one = ok(a.json("/api/conversations/open_direct", &json!({"user_id": b_id})).await).await;
    let two = ok(b.json("/api/conversations/open_direct", &json!({"user_id": a_id})).await).await;
    assert_eq!(one["id"], two["id"]);
    assert_eq!(error_of(a.json("/api/conversations/open_direct", &json!({"user_id": a_id})).await).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(error_of(a.json("/api/conversations/open_direct", &json!({"user_id": 999_999})).await).await.0, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn search_finds_words_in_my_chats_only_and_never_breaks_on_syntax() {
    let app = spawn_app().await;
    let a = app.registered("tom").await;
    let b = app.registered("ursula").await;
    let c = app.registered("victor").await;
    let b_id = me_id(&b).await;
    let conv = ok(a.json("/api/conversations/open_direct", &json!({"user_id": b_id})).await).await["id"].as_i64().expect("id");
    send(&a, conv, 1, "the platypus arrives tomorrow").await;
    let gone = send(&a, conv, 2, "platypus secret").await;
    ok(a.json("/api/messages/delete", &json!({"message_id": gone["id"]})).await).await;

    let hits = ok(b.json("/api/messages/search", &json!({"query": "platyp"})).await).await;
    let hits = hits.as_array().expect("hits");
    assert_eq!(hits.len(), 1, "deleted messages are not found: {hits:?}");
    assert!(hits[0]["snippet"].as_str().expect("snippet").contains("[[platypus]]"));
    assert!(ok(c.json("/api/messages/search", &json!({"query": "platypus"})).await).await.as_array().expect("hits").is_empty());
    for hostile in ["\"", "NEAR(", "*", "a OR b", "'; DROP TABLE messages; --", "%_%"] {
        let res = b.json("/api/messages/search", &json!({"query": hostile})).await;
        assert_eq!(res.status(), StatusCode::OK, "{hostile}");
    }
    let users = ok(a.json("/api/users/search", &json!({"query": "%"})).await).await;
    assert!(users.as_array().expect("users").is_empty(), "% is a literal, not a wildcard");
}

#[tokio::test]
async fn history_pages_by_seq_without_gaps() {
    let app = spawn_app().await;
    let a = app.registered("wendy").await;
    let b = app.registered("xavier").await;
    let b_id = me_id(&b).await;
    let conv = ok(a.json("/api/conversations/open_direct", &json!({"user_id": b_id})).await).await["id"].as_i64().expect("id");
    for n in 1..=120 {
        send(&a, conv, n, &format!("m{n}")).await;
    }
    let mut seqs = Vec::new();
    let mut before: Option<i64> = None;
    loop {
        let page = ok(b.json("/api/messages/history", &json!({"conversation_id": conv, "before": before})).await).await;
        let page_seqs: Vec<i64> = page["messages"].as_array().expect("m").iter().map(|m| m["seq"].as_i64().expect("seq")).collect();
        assert!(page_seqs.len() <= 50);
        before = page_seqs.first().copied();
        seqs.splice(0..0, page_seqs);
        if !page["has_more"].as_bool().expect("has_more") {
            break;
        }
    }
    assert_eq!(seqs, (1..=120).collect::<Vec<_>>());
}
