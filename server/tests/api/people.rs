//! Finding people (`users/search`) and seeing their presence (`users/presence`).

use crate::helpers::spawn_app;
use crate::ws::{next_of, open};
use reqwest::StatusCode;
use serde_json::{Value, json};

fn usernames(answer: &Value) -> Vec<&str> {
    answer.as_array().expect("users").iter().map(|u| u["username"].as_str().expect("username")).collect()
}

#[tokio::test]
async fn user_search_matches_username_prefixes_and_display_name_substrings() {
    let app = spawn_app().await;
    let me = app.registered_as("searcher", "Sam Searcher").await;
    app.registered_as("alice", "Alice Liddell").await;
    app.registered_as("alicia", "Alicia Keys").await;
    app.registered_as("bob", "Bob Alison").await;
    app.registered_as("malina", "Mal Ina").await;

    let found = me.ok("users/search", json!({"query": "ali"})).await;
    // alice and alicia by username prefix, bob by "Alison"; not malina ("ali" is inside her username only).
    assert_eq!(usernames(&found), ["alice", "alicia", "bob"]);
    let found = me.ok("users/search", json!({"query": "LIDDELL"})).await;
    assert_eq!(usernames(&found), ["alice"], "display names match case-insensitively");
    let user = &found[0];
    assert_eq!(user["display_name"], "Alice Liddell");
    assert!(user["id"].is_i64());
    let mut keys: Vec<&str> = user.as_object().expect("user").keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["about", "display_name", "id", "username"], "the public profile only (no avatar set): {user}");
    assert_eq!(usernames(&me.ok("users/search", json!({"query": "nobody"})).await), Vec::<&str>::new());
}

#[tokio::test]
async fn user_search_leaves_out_the_caller() {
    let app = spawn_app().await;
    let me = app.registered_as("alfred", "Alfred").await;
    app.registered_as("alfonso", "Alfonso").await;
    assert_eq!(usernames(&me.ok("users/search", json!({"query": "alf"})).await), ["alfonso"]);
    assert_eq!(usernames(&me.ok("users/search", json!({"query": "alfred"})).await), Vec::<&str>::new());
}

#[tokio::test]
async fn user_search_never_lists_everyone() {
    let app = spawn_app().await;
    let me = app.registered("lister").await;
    app.registered("someone").await;
    for query in ["", "   ", &"a".repeat(65)] {
        let (status, code, field) = me.fails("users/search", json!({ "query": query })).await;
        assert_eq!(
            (status, code.as_str(), field.as_deref()),
            (StatusCode::BAD_REQUEST, "invalid_input", Some("query")),
            "{query:?}"
        );
    }
}

#[tokio::test]
async fn user_search_treats_percent_and_underscore_literally() {
    let app = spawn_app().await;
    let me = app.registered_as("wildcard", "Wild Card").await;
    app.registered_as("xay", "Plain Name").await;
    app.registered_as("x_y", "Under Score").await;
    for query in ["%", "_", "%%", "\\", "%a%", "x%y"] {
        let found = me.ok("users/search", json!({ "query": query })).await;
        assert!(usernames(&found).is_empty(), "{query:?} must not act as a wildcard: {found}");
    }
    app.registered_as("per", "100% Percent").await;
    assert_eq!(usernames(&me.ok("users/search", json!({"query": "x_"})).await), ["x_y"], "_ matches only itself");
    assert_eq!(usernames(&me.ok("users/search", json!({"query": "0%"})).await), ["per"], "% matches only itself");
    assert_eq!(usernames(&me.ok("users/search", json!({"query": "%"})).await), ["per"]);
}

#[tokio::test]
async fn presence_is_shown_to_contacts_and_oneself_only() {
    let app = spawn_app().await;
    let a = app.registered("pres_a").await;
    let b = app.registered("pres_b").await;
    let stranger = app.registered("pres_c").await;
    let (a_id, b_id) = (a.id().await, b.id().await);
    a.open_direct(b_id).await;

    let seen = a.ok("users/presence", json!({ "user_id": b_id })).await;
    assert_eq!(seen["online"], false);
    let (status, code, _) = stranger.fails("users/presence", json!({ "user_id": b_id })).await;
    assert_eq!((status, code.as_str()), (StatusCode::NOT_FOUND, "not_found"), "strangers learn nothing");
    assert_eq!(stranger.fails("users/presence", json!({ "user_id": 999_999 })).await.0, StatusCode::NOT_FOUND);

    let mut a_socket = open(&app, &a).await;
    let _b_socket = open(&app, &b).await;
    let online = next_of(&mut a_socket, "presence").await;
    assert_eq!(online, json!({"type": "presence", "user_id": b_id, "online": true, "last_seen_at": null}));
    assert_eq!(a.ok("users/presence", json!({ "user_id": b_id })).await, json!({"online": true, "last_seen_at": null}));
    assert_eq!(a.ok("users/presence", json!({ "user_id": a_id })).await["online"], true, "oneself");
}
