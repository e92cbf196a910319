//! The reducer that applies pushes, run natively: no browser, no server.

use super::*;
use shared::{ConversationKind, MessageKind, Role, UserView};

/// Runs `test` inside a reactive root, as the app's signals expect (on the server side every
/// request has its own arena).
fn reactive(test: impl FnOnce()) {
    Owner::new_root(None).with(test);
}

const ME: UserId = UserId(1);
const PEER: UserId = UserId(2);
const CHAT: ConversationId = ConversationId(7);

fn user(id: UserId, name: &str) -> UserView {
    serde_json::from_value(serde_json::json!({ "id": id.0, "username": name, "display_name": name })).expect("user")
}

fn me() -> Me {
    Me {
        id: ME,
        username: "me".into(),
        display_name: "Me".into(),
        about: String::new(),
        avatar: None,
        created_at: 0,
        group_adds: shared::GroupAdds::default(),
    }
}

fn message(seq: Seq, rev: Rev, sender: UserId, body: &str) -> MessageView {
    MessageView {
        id: shared::MessageId(100 + seq),
        conversation_id: CHAT,
        seq,
        rev,
        sender_id: Some(sender),
        client_msg_id: None,
        kind: MessageKind::Text,
        body: body.into(),
        reply_to: None,
        attachment: None,
        created_at: seq * 1000,
        edited_at: None,
        deleted: false,
    }
}

fn summary(kind: ConversationKind, last: Option<MessageView>) -> ConversationSummary {
    ConversationSummary {
        id: CHAT,
        kind,
        title: "Peer".into(),
        peer: None,
        last_seq: last.as_ref().map_or(0, |m| m.seq),
        rev: last.as_ref().map_or(0, |m| m.rev),
        last_message: last,
        unread: 0,
        last_activity_at: 0,
        my_role: Role::Member,
        pinned: false,
        archived: false,
        muted: false,
        member_count: 2,
        peers_delivered_seq: 0,
        peers_read_seq: 0,
    }
}

fn store_with(kind: ConversationKind, last: MessageView) -> ChatStore {
    let store = provide_store();
    assert_eq!(store.set_me(me()), Identity::Same);
    store.set_list(vec![summary(kind, Some(last))]);
    store
}

fn row(store: &ChatStore) -> ConversationSummary {
    store.conversations.with_untracked(|l| l[0].clone())
}

#[test]
fn an_edit_and_a_delete_of_the_last_message_change_the_chat_list_preview() {
    reactive(|| {
        let store = store_with(ConversationKind::Direct, message(1, 1, ME, "original"));
        let mut edited = message(1, 2, ME, "edited");
        edited.edited_at = Some(5);
        store.apply(&ServerFrame::MessageUpdated { message: edited }, 0.0);
        assert_eq!(row(&store).last_message.map(|m| m.body), Some("edited".into()));

        let mut deleted = message(1, 3, ME, "");
        deleted.deleted = true;
        store.apply(&ServerFrame::MessageUpdated { message: deleted }, 0.0);
        let last = row(&store).last_message.expect("last");
        assert!(last.deleted);
        assert_eq!(last.body, "");
    });
}

#[test]
fn a_peer_receipt_turns_the_row_tick_of_an_unloaded_direct_chat_to_read() {
    reactive(|| {
        let store = store_with(ConversationKind::Direct, message(3, 3, ME, "hi"));
        assert_eq!(row(&store).tick_for(3), Tick::Sent);
        let receipt = Receipt { conversation_id: CHAT, user_id: PEER, delivered_seq: 3, read_seq: 0 };
        assert_eq!(store.apply(&ServerFrame::Receipt { receipt }, 0.0), FollowUp::None);
        assert_eq!(row(&store).tick_for(3), Tick::Delivered);
        let receipt = Receipt { conversation_id: CHAT, user_id: PEER, delivered_seq: 3, read_seq: 3 };
        store.apply(&ServerFrame::Receipt { receipt }, 0.0);
        assert_eq!(row(&store).tick_for(3), Tick::Read);
    });
}

#[test]
fn a_receipt_in_an_unloaded_group_asks_for_that_row_only() {
    reactive(|| {
        let store = store_with(ConversationKind::Group, message(3, 3, ME, "hi all"));
        let receipt = Receipt { conversation_id: CHAT, user_id: PEER, delivered_seq: 3, read_seq: 3 };
        assert_eq!(store.apply(&ServerFrame::Receipt { receipt }, 0.0), FollowUp::Refresh(CHAT));
    });
}

#[test]
fn a_loaded_thread_gives_its_row_the_lowest_marks_of_the_others() {
    reactive(|| {
        let store = store_with(ConversationKind::Group, message(3, 3, ME, "hi all"));
        let member = |id, name, delivered_seq, read_seq| MemberView {
            user: user(id, name),
            role: Role::Member,
            delivered_seq,
            read_seq,
        };
        let page = HistoryPage {
            messages: vec![message(3, 3, ME, "hi all")],
            has_more: false,
            members: vec![member(ME, "me", 3, 3), member(PEER, "peer", 3, 3), member(UserId(3), "third", 3, 1)],
            rev: 3,
        };
        store.load_history(CHAT, page, false);
        assert_eq!(row(&store).tick_for(3), Tick::Delivered);
        let receipt = Receipt { conversation_id: CHAT, user_id: UserId(3), delivered_seq: 3, read_seq: 3 };
        store.apply(&ServerFrame::Receipt { receipt }, 0.0);
        assert_eq!(row(&store).tick_for(3), Tick::Read);
    });
}

#[test]
fn conversation_updated_refreshes_that_row_and_marks_the_chat_changed() {
    reactive(|| {
        let store = store_with(ConversationKind::Group, message(1, 1, PEER, "x"));
        let follow_up = store.apply(&ServerFrame::ConversationUpdated { conversation_id: CHAT }, 0.0);
        assert_eq!(follow_up, FollowUp::Refresh(CHAT));
        assert_eq!(store.changed.with_untracked(|c| c.get(&CHAT).copied()), Some(1));
        assert_eq!(store.list_version.get_untracked(), 0, "no refetch of the whole list");
    });
}

#[test]
fn a_page_that_belonged_to_someone_else_must_be_left() {
    reactive(|| {
        let store = provide_store();
        assert_eq!(store.set_me(me()), Identity::Same);
        assert_eq!(store.set_me(me()), Identity::Same);
        let other = Me { id: PEER, ..me() };
        assert_eq!(store.set_me(other), Identity::Changed);
        assert_eq!(store.my_id(), Some(ME), "the old person stays until the page is left");
    });
}

#[test]
fn a_sync_that_deleted_the_last_message_updates_the_preview() {
    reactive(|| {
        let store = store_with(ConversationKind::Direct, message(2, 2, PEER, "secret"));
        let mut deleted = message(2, 3, PEER, "");
        deleted.deleted = true;
        store.apply_sync(SyncPage {
            conversation_id: CHAT,
            changed: vec![deleted],
            members: Vec::new(),
            rev: 3,
            has_more: false,
        });
        assert!(row(&store).last_message.is_some_and(|m| m.deleted && m.body.is_empty()));
    });
}

#[test]
fn an_edit_or_delete_of_a_quoted_message_re_renders_the_quotes_held() {
    reactive(|| {
        let quoted = message(1, 1, PEER, "see you at 10");
        let mut reply = message(2, 2, ME, "ok");
        reply.reply_to = Some(shared::ReplyPreview::of(&quoted));
        let store = store_with(ConversationKind::Direct, reply.clone());
        let page =
            HistoryPage { messages: vec![quoted.clone(), reply.clone()], has_more: false, members: vec![], rev: 2 };
        store.load_history(CHAT, page, false);
        let quote_of_reply = |store: &ChatStore| {
            store.threads.with_untracked(|t| t[&CHAT].messages[&2].reply_to.clone().expect("a quote"))
        };

        let mut edited = quoted.clone();
        edited.body = "see you at 11".into();
        edited.rev = 3;
        edited.edited_at = Some(5000);
        store.apply(&ServerFrame::MessageUpdated { message: edited.clone() }, 0.0);
        assert_eq!(quote_of_reply(&store).body, "see you at 11");

        let mut deleted = edited;
        deleted.body = String::new();
        deleted.deleted = true;
        deleted.rev = 4;
        store.apply_sync(SyncPage {
            conversation_id: CHAT,
            changed: vec![deleted],
            members: vec![],
            rev: 4,
            has_more: false,
        });
        let quote = quote_of_reply(&store);
        assert!(quote.deleted && quote.body.is_empty(), "{quote:?}");
        assert_eq!(store.threads.with_untracked(|t| t[&CHAT].messages[&2].rev), 2, "the reply keeps its rev");
    });
}

/// Rows `ids` (highest activity first), as a page of the chat list.
fn rows(ids: std::ops::RangeInclusive<i64>) -> Vec<ConversationSummary> {
    ids.rev()
        .map(|id| ConversationSummary {
            id: ConversationId(id),
            last_activity_at: id * 1000,
            ..summary(ConversationKind::Direct, None)
        })
        .collect()
}

#[test]
fn a_refetched_first_page_keeps_the_later_pages_and_a_short_page_ends_the_list() {
    reactive(|| {
        let store = provide_store();
        let page = ListCursor::PAGE as i64;
        // 120 chats: two full pages loaded, then a short third one.
        store.set_list(rows(71..=120));
        assert!(store.list_more.get_untracked(), "a full page: there may be more");
        store.append_page(rows(21..=70));
        store.append_page(rows(1..=20));
        assert!(!store.list_more.get_untracked(), "a short page ends the list");
        assert_eq!(store.conversations.with_untracked(Vec::len), 120);
        assert_eq!(store.list_cursor().map(|c| c.id), Some(ConversationId(1)));

        // Chat 5 had a new message: it moves into the first page, which is fetched again.
        let mut fresh = rows(72..=120);
        fresh.insert(0, ConversationSummary { last_activity_at: 999_000, ..rows(5..=5).remove(0) });
        assert_eq!(fresh.len() as i64, page);
        store.set_list(fresh);
        let ids: Vec<i64> = store.conversations.with_untracked(|l| l.iter().map(|c| c.id.0).collect());
        assert_eq!(ids.len(), 120, "nothing lost, nothing doubled");
        assert_eq!(ids[0], 5);
        assert!(ids.contains(&71) && ids.contains(&1), "the later pages stay");
        assert_eq!(ids.iter().filter(|id| **id == 5).count(), 1);
    });
}
