//! Resync: a client that was away applies `messages/sync` from the rev it holds and ends up
//! exactly where a fresh `messages/history` would put it.

use crate::helpers::{User, messages, pair, spawn_app, uuid};
use serde_json::{Value, json};
use std::collections::HashMap;

/// A client's local copy of one conversation: messages by id, receipts, and the rev it holds.
struct Local {
    messages: HashMap<i64, Value>,
    members: Value,
    rev: i64,
}

impl Local {
    fn from_history(page: &Value) -> Self {
        let messages = messages(page).iter().map(|m| (m["id"].as_i64().expect("id"), m.clone())).collect();
        Self { messages, members: page["members"].clone(), rev: page["rev"].as_i64().expect("rev") }
    }

    /// Calls `messages/sync` until `has_more` is false, applying every page.
    async fn catch_up(&mut self, user: &User, conversation: i64) -> usize {
        let mut calls = 0;
        loop {
            calls += 1;
            let page =
                user.ok("messages/sync", json!({ "conversation_id": conversation, "after_rev": self.rev })).await;
            assert_eq!(page["conversation_id"], conversation);
            for message in page["changed"].as_array().expect("changed") {
                let rev = message["rev"].as_i64().expect("rev");
                assert!(rev > self.rev, "only changes after the rev asked for: {message}");
                self.apply(message);
            }
            self.members = page["members"].clone();
            let rev = page["rev"].as_i64().expect("rev");
            assert!(rev >= self.rev, "the rev never goes back");
            self.rev = rev;
            if !page["has_more"].as_bool().expect("has_more") {
                return calls;
            }
        }
    }

    /// Keeps `message`, and re-renders the quote of every held reply to it, as docs/API.md
    /// asks of a client (an edit or delete does not re-issue the replies).
    fn apply(&mut self, message: &Value) {
        let view: shared::MessageView = serde_json::from_value(message.clone()).expect("a MessageView");
        let quote = serde_json::to_value(shared::ReplyPreview::of(&view)).expect("json");
        for reply in self.messages.values_mut() {
            if reply["reply_to"]["id"] == message["id"] {
                reply["reply_to"] = quote.clone();
            }
        }
        self.messages.insert(message["id"].as_i64().expect("id"), message.clone());
    }

    fn assert_equals(&self, fresh: &Value) {
        let fresh_local = Local::from_history(fresh);
        let mut ids: Vec<_> = self.messages.keys().collect();
        ids.sort();
        let mut fresh_ids: Vec<_> = fresh_local.messages.keys().collect();
        fresh_ids.sort();
        assert_eq!(ids, fresh_ids, "same messages");
        for (id, fresh) in &fresh_local.messages {
            let mine = &self.messages[id];
            for field in ["body", "deleted", "edited_at", "seq", "rev"] {
                assert_eq!(mine[field], fresh[field], "{field} of message {id}");
            }
            assert_eq!(mine, fresh, "message {id} in full");
        }
        assert_eq!(self.members, fresh_local.members, "receipt watermarks");
        assert_eq!(self.rev, fresh_local.rev);
    }
}

#[tokio::test]
async fn resync_after_being_away_equals_a_fresh_fetch() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "erin", "frank").await;
    let kept = alice.send(conv, 1, "before, stays").await;
    let old_edited = alice.send(conv, 2, "before, will be edited").await;
    let old_deleted = alice.send(conv, 3, "before, will be deleted").await;
    let mut local = Local::from_history(&bob.history(conv).await);
    assert_eq!(local.messages.len(), 3);

    // Bob is away (not listening): new messages, edits and deletes of old and new ones, receipts.
    let new_edited = alice.send(conv, 4, "while away, will be edited").await;
    let new_deleted = alice.send(conv, 5, "while away, will be deleted").await;
    alice.send(conv, 6, "while away").await;
    alice.ok("messages/edit", json!({ "message_id": old_edited["id"], "body": "edited while away" })).await;
    alice.ok("messages/edit", json!({ "message_id": new_edited["id"], "body": "also edited" })).await;
    alice.ok("messages/delete", json!({ "message_id": old_deleted["id"] })).await;
    alice.ok("messages/delete", json!({ "message_id": new_deleted["id"] })).await;
    bob.ok("messages/delivered", json!({ "conversation_id": conv, "seq": 6 })).await;
    bob.ok("messages/read", json!({ "conversation_id": conv, "seq": 4 })).await;
    alice.ok("messages/read", json!({ "conversation_id": conv, "seq": 6 })).await;

    assert_eq!(local.catch_up(&bob, conv).await, 1);
    let fresh = bob.history(conv).await;
    local.assert_equals(&fresh);
    assert_eq!(local.messages[&kept["id"].as_i64().expect("id")], kept, "untouched messages are unchanged");
    let deleted = &local.messages[&old_deleted["id"].as_i64().expect("id")];
    assert_eq!((deleted["deleted"].as_bool(), deleted["body"].as_str()), (Some(true), Some("")));
    let edited = &local.messages[&old_edited["id"].as_i64().expect("id")];
    assert_eq!(edited["body"], "edited while away");
    assert!(edited["edited_at"].as_i64().is_some());
}

#[tokio::test]
async fn syncing_from_the_current_rev_returns_no_changes() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "gus", "hal").await;
    alice.send(conv, 1, "hi").await;
    let page = bob.history(conv).await;
    let sync = bob.ok("messages/sync", json!({ "conversation_id": conv, "after_rev": page["rev"] })).await;
    assert_eq!(sync["changed"], json!([]));
    assert_eq!((sync["rev"].clone(), sync["has_more"].as_bool()), (page["rev"].clone(), Some(false)));
    assert_eq!(sync["members"], page["members"]);
    // From rev 0 everything comes back, each message once in its latest state.
    alice.ok("messages/edit", json!({ "message_id": messages(&page)[0]["id"], "body": "hi!" })).await;
    let all = bob.ok("messages/sync", json!({ "conversation_id": conv, "after_rev": 0 })).await;
    let changed = all["changed"].as_array().expect("changed");
    assert_eq!((changed.len(), changed[0]["body"].as_str()), (1, Some("hi!")));
}

#[tokio::test]
async fn sync_pages_through_more_changes_than_fit_in_one_answer() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "ian", "joy").await;
    let mut local = Local::from_history(&bob.history(conv).await);
    // 510 new messages: more than one sync page (500).
    for chunk in (1..=510u32).collect::<Vec<_>>().chunks(30) {
        let sends = chunk.iter().map(|n| {
            alice.call(
                "messages/send",
                json!({ "conversation_id": conv, "client_msg_id": uuid(*n), "body": format!("m{n}") }),
            )
        });
        for res in futures::future::join_all(sends).await {
            assert!(res.status().is_success());
        }
    }
    let first = messages(&bob.history(conv).await)[0]["id"].clone();
    alice.ok("messages/delete", json!({ "message_id": first })).await;
    assert_eq!(local.catch_up(&bob, conv).await, 2, "two pages");
    assert_eq!(local.messages.len(), 510);
    let mut seqs: Vec<i64> = local.messages.values().map(|m| m["seq"].as_i64().expect("seq")).collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=510).collect::<Vec<_>>(), "nothing missed at the page boundary");
    let fresh = bob.history(conv).await;
    for message in messages(&fresh) {
        assert_eq!(&local.messages[&message["id"].as_i64().expect("id")], message);
    }
    assert_eq!(local.rev, fresh["rev"].as_i64().expect("rev"));
}

#[tokio::test]
async fn a_reply_whose_quoted_message_changed_while_away_is_refreshed_by_sync() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "kai", "lena").await;
    let quoted = alice.send(conv, 1, "a secret I will delete").await;
    let edited = alice.send(conv, 2, "a typo I will fix").await;
    for (n, target) in [(3, &quoted), (4, &edited)] {
        bob.ok(
            "messages/send",
            json!({ "conversation_id": conv, "client_msg_id": uuid(n), "body": "re", "reply_to": target["id"] }),
        )
        .await;
    }
    let mut local = Local::from_history(&alice.history(conv).await);
    alice.ok("messages/delete", json!({ "message_id": quoted["id"] })).await;
    alice.ok("messages/edit", json!({ "message_id": edited["id"], "body": "a typo I fixed" })).await;

    let calls = local.catch_up(&alice, conv).await;
    assert_eq!(calls, 1);
    let fresh = alice.history(conv).await;
    let quotes: Vec<&Value> =
        messages(&fresh).iter().filter_map(|m| m.get("reply_to").filter(|r| !r.is_null())).collect();
    assert_eq!(quotes[0]["deleted"], true);
    assert_eq!(quotes[0]["body"], "", "a deleted message's text is gone from quotes too");
    assert_eq!(quotes[1]["body"], "a typo I fixed");
    local.assert_equals(&fresh);
}

/// Audit finding 8: editing a message quoted by 5,000 replies rewrote every reply in one
/// transaction under the write gate. Now an edit writes one row: the replies keep their rev,
/// a resync returns only the edited message, and the quotes a fresh fetch shows follow it.
#[tokio::test]
async fn editing_a_message_quoted_by_many_replies_changes_one_row() {
    let app = spawn_app().await;
    let (alice, bob, conv) = pair(&app, "mira", "nils").await;
    let quoted = alice.send(conv, 1, "popular").await;
    for n in 0..120 {
        bob.ok(
            "messages/send",
            json!({ "conversation_id": conv, "client_msg_id": uuid(100 + n), "body": format!("re {n}"), "reply_to": quoted["id"] }),
        )
        .await;
    }
    let before = alice.history(conv).await;
    let rev = before["rev"].as_i64().expect("rev");
    let edited = alice.ok("messages/edit", json!({ "message_id": quoted["id"], "body": "popular, edited" })).await;
    assert_eq!(edited["rev"].as_i64(), Some(rev + 1), "one change, one rev");

    let page = alice.ok("messages/sync", json!({ "conversation_id": conv, "after_rev": rev })).await;
    let changed = page["changed"].as_array().expect("changed");
    assert_eq!(changed.len(), 1, "only the edited message changed: {changed:?}");
    assert_eq!(changed[0]["id"], quoted["id"]);

    let after = alice.history(conv).await;
    let replies: Vec<&Value> = messages(&after).iter().filter(|m| !m["reply_to"].is_null()).collect();
    assert!(!replies.is_empty());
    for reply in replies {
        assert_eq!(reply["reply_to"]["body"], "popular, edited", "quotes are rendered from the quoted row");
        let held = messages(&before).iter().find(|m| m["id"] == reply["id"]);
        if let Some(held) = held {
            assert_eq!(held["rev"], reply["rev"], "the reply itself was not rewritten");
        }
    }
}
