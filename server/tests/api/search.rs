//! Message search: finds words in the caller's chats only, marks them in the snippet, and
//! treats every query as text.

use crate::helpers::{pair, spawn_app};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn hits(answer: &Value) -> &Vec<Value> {
    answer.as_array().expect("hits")
}

#[tokio::test]
async fn search_finds_a_word_and_marks_it_in_the_snippet() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "tom", "ursula").await;
    let sent = alice.send(conv, 1, "the platypus arrives tomorrow").await;
    alice.send(conv, 2, "nothing to see").await;
    for query in ["platypus", "PLATYPUS", "platyp", "arrives platypus"] {
        let found = bob.ok("messages/search", json!({ "query": query })).await;
        assert_eq!(hits(&found).len(), 1, "{query}: {found}");
        let hit = &found[0];
        assert_eq!(hit["message"], sent, "{query}");
        assert_eq!(hit["conversation_title"], "Test User", "a direct chat is titled by the other person");
        assert!(hit["snippet"].as_str().expect("snippet").contains("[[platypus]]"), "{query}: {hit}");
    }
    let scoped = bob.ok("messages/search", json!({ "query": "platypus", "conversation_id": conv })).await;
    assert_eq!(hits(&scoped).len(), 1);
    assert!(
        hits(&bob.ok("messages/search", json!({ "query": "platypus tomorrowland" })).await).is_empty(),
        "every word must match"
    );
}

#[tokio::test]
async fn deleted_messages_are_not_found_and_edits_are_found_by_their_new_text() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "vince", "wilma").await;
    let gone = alice.send(conv, 1, "platypus secret").await;
    let changed = alice.send(conv, 2, "meet at the harbour").await;
    alice.ok("messages/delete", json!({ "message_id": gone["id"] })).await;
    alice.ok("messages/edit", json!({ "message_id": changed["id"], "body": "meet at the station" })).await;
    assert!(hits(&bob.ok("messages/search", json!({ "query": "platypus" })).await).is_empty());
    assert!(hits(&bob.ok("messages/search", json!({ "query": "harbour" })).await).is_empty(), "the old text is gone");
    let found = bob.ok("messages/search", json!({ "query": "station" })).await;
    assert_eq!(hits(&found).len(), 1);
    assert_eq!(found[0]["message"]["id"], changed["id"]);
}

#[tokio::test]
async fn search_never_returns_other_peoples_messages() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "xena", "yann").await;
    let carol = app.registered("zack").await;
    alice.send(conv, 1, "platypus plans").await;
    for query in ["platypus", "plans", "p", "*", "platypus OR plans"] {
        let found = carol.ok("messages/search", json!({ "query": query })).await;
        assert!(hits(&found).is_empty(), "{query}: {found}");
    }
    let (status, code, _) =
        carol.fails("messages/search", json!({ "query": "platypus", "conversation_id": conv })).await;
    assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"), "scoped to a chat one is not in");
    // Her own chats are searchable; alice's and bob's stay hidden.
    let own = carol.open_direct(bob.id().await).await;
    carol.send(own, 1, "platypus for carol").await;
    let found = carol.ok("messages/search", json!({ "query": "platypus" })).await;
    assert_eq!(hits(&found).iter().map(|h| h["message"]["conversation_id"].as_i64()).collect::<Vec<_>>(), [Some(own)]);
    let scoped = bob.ok("messages/search", json!({ "query": "platypus", "conversation_id": own })).await;
    assert_eq!(hits(&scoped).len(), 1, "scope limits bob to one of his two chats");
    assert_eq!(hits(&bob.ok("messages/search", json!({ "query": "platypus" })).await).len(), 2);
}

#[tokio::test]
async fn late_joiners_do_not_find_messages_from_before_they_joined() {
    let app = spawn_app().await;
    let owner = app.registered("abel").await;
    let late = app.registered("bea").await;
    let group = owner.create_group("Early", &[]).await;
    owner.send(group, 1, "platypus before bea").await;
    owner.ok("conversations/add_members", json!({ "conversation_id": group, "members": [late.id().await] })).await;
    owner.send(group, 2, "platypus after bea").await;
    let found = late.ok("messages/search", json!({ "query": "platypus" })).await;
    assert_eq!(
        hits(&found).iter().map(|h| h["message"]["body"].as_str()).collect::<Vec<_>>(),
        [Some("platypus after bea")]
    );
}

#[tokio::test]
async fn query_syntax_is_treated_as_text_and_never_breaks_the_search() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "cleo", "dirk").await;
    alice.send(conv, 1, "near the \"quoted\" star* (and more)").await;
    for hostile in [
        "\"",
        "\"\"",
        "NEAR(",
        "NEAR(a b)",
        "*",
        "**",
        "a*",
        "-",
        "+",
        "^",
        ":",
        "(",
        ")",
        "a OR b",
        "NOT a",
        "AND",
        "body:near",
        "'; DROP TABLE messages; --",
        "%_%",
        "\\",
        "\u{0}",
        "🦆",
        "\"quoted\"",
        "NEAR/2",
    ] {
        let res = bob.call("messages/search", json!({ "query": hostile })).await;
        let status = res.status();
        let text = res.text().await.expect("body");
        assert!(status == StatusCode::OK || status == StatusCode::BAD_REQUEST, "{hostile:?}: {status} {text}");
        if status == StatusCode::OK {
            assert!(serde_json::from_str::<Value>(&text).expect("json").is_array(), "{hostile:?}");
        }
    }
    // Quotes and operators are text: the words inside still match.
    assert_eq!(hits(&bob.ok("messages/search", json!({ "query": "\"quoted\" NEAR(" })).await).len(), 1);
    assert_eq!(hits(&bob.ok("messages/search", json!({ "query": "\"quoted" })).await).len(), 1);
    assert_eq!(hits(&bob.ok("messages/search", json!({ "query": "star*" })).await).len(), 1);
    for bad in ["", "   ", &"q".repeat(shared::limits::SEARCH_QUERY_MAX + 1)] {
        let (status, _, field) = bob.fails("messages/search", json!({ "query": bad })).await;
        assert_eq!((status, field.as_deref()), (StatusCode::BAD_REQUEST, Some("query")));
    }
}
