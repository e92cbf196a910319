//! The reducer that applies pushes, run natively: no browser, no server.

use super::*;
use shared::frames::ServerFrame;
use shared::{ConversationKind, HistoryPage, ListCursor, MessageKind, Receipt, Role, SyncPage, UserView};

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
        privacy: shared::Privacy::default(),
    }
}

fn message(seq: Seq, rev: Rev, sender: UserId, body: &str) -> MessageView {
    MessageView {
        id: MessageId(100 + seq),
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
        reactions: Vec::new(),
        forwarded: false,
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
        blocked: false,
    }
}

fn store_with(kind: ConversationKind, last: MessageView) -> ChatStore {
    let store = provide_store();
    assert_eq!(store.set_me(me()), Identity::Same);
    store.set_list(vec![summary(kind, Some(last))]);
    store
}

fn row(store: &ChatStore) -> ConversationSummary {
    store.data.list().with_untracked(|l| l[0].clone())
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
            starred: vec![],
        };
        store.load_history(CHAT, page, false);
        assert_eq!(row(&store).tick_for(3), Tick::Delivered);
        let receipt = Receipt { conversation_id: CHAT, user_id: UserId(3), delivered_seq: 3, read_seq: 3 };
        store.apply(&ServerFrame::Receipt { receipt }, 0.0);
        assert_eq!(row(&store).tick_for(3), Tick::Read);
    });
}

#[test]
fn conversation_updated_refreshes_that_row_only() {
    reactive(|| {
        let store = store_with(ConversationKind::Group, message(1, 1, PEER, "x"));
        let follow_up = store.apply(&ServerFrame::ConversationUpdated { conversation_id: CHAT }, 0.0);
        assert_eq!(follow_up, FollowUp::Refresh(CHAT));
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
            marks: vec![],
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
        let page = HistoryPage {
            messages: vec![quoted.clone(), reply.clone()],
            has_more: false,
            members: vec![],
            rev: 2,
            starred: vec![],
        };
        store.load_history(CHAT, page, false);
        let quote_of_reply =
            |store: &ChatStore| store.message_untracked(CHAT, 2).and_then(|m| m.reply_to).expect("a quote");

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
            marks: vec![],
        });
        let quote = quote_of_reply(&store);
        assert!(quote.deleted && quote.body.is_empty(), "{quote:?}");
        assert_eq!(store.message_untracked(CHAT, 2).map(|m| m.rev), Some(2), "the reply keeps its rev");
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
        assert_eq!(store.data.list().with_untracked(Vec::len), 120);
        assert_eq!(store.list_cursor().map(|c| c.id), Some(ConversationId(1)));

        // Chat 5 had a new message: it moves into the first page, which is fetched again.
        let mut fresh = rows(72..=120);
        fresh.insert(0, ConversationSummary { last_activity_at: 999_000, ..rows(5..=5).remove(0) });
        assert_eq!(fresh.len() as i64, page);
        store.set_list(fresh);
        let ids: Vec<i64> = store.data.list().with_untracked(|l| l.iter().map(|c| c.id.0).collect());
        assert_eq!(ids.len(), 120, "nothing lost, nothing doubled");
        assert_eq!(ids[0], 5);
        assert!(ids.contains(&71) && ids.contains(&1), "the later pages stay");
        assert_eq!(ids.iter().filter(|id| **id == 5).count(), 1);
    });
}

/// A memo over `read` that counts how often it ran: a memo re-runs on read only when one of
/// the store fields it read was written, so the count says who a write notified.
fn counted<T: Clone + PartialEq + Send + Sync + 'static>(
    read: impl Fn() -> T + Send + Sync + 'static,
) -> (Memo<T>, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let runs = std::sync::Arc::new(AtomicUsize::new(0));
    let counter = runs.clone();
    let memo = Memo::new(move |_| {
        counter.fetch_add(1, Ordering::SeqCst);
        read()
    });
    (memo, runs)
}

fn runs(counter: &std::sync::Arc<std::sync::atomic::AtomicUsize>) -> usize {
    counter.load(std::sync::atomic::Ordering::SeqCst)
}

/// A thread of `n` messages, peer and me alternating, every one delivered and none read.
fn thread_of(store: &ChatStore, n: i64) {
    let member = |id, name| MemberView { user: user(id, name), role: Role::Member, delivered_seq: n, read_seq: 0 };
    let page = HistoryPage {
        messages: (1..=n).map(|seq| message(seq, seq, if seq % 2 == 0 { ME } else { PEER }, "hello")).collect(),
        has_more: false,
        members: vec![member(ME, "me"), member(PEER, "peer")],
        rev: n,
        starred: vec![],
    };
    store.load_history(CHAT, page, false);
}

#[test]
fn an_edit_notifies_the_readers_of_that_message_only() {
    reactive(|| {
        let store = store_with(ConversationKind::Direct, message(200, 200, ME, "hello"));
        thread_of(&store, 200);
        let (edited_reader, edited_runs) = counted(move || store.message(CHAT, 10));
        let (other_reader, other_runs) = counted(move || store.message(CHAT, 11));
        let (members_reader, members_runs) = counted(move || store.with_members(CHAT, <[MemberView]>::len));
        let (row_reader, row_runs) = counted(move || store.row(CHAT).try_with(|r| r.unread));
        let read_all = || (edited_reader.get(), other_reader.get(), members_reader.get(), row_reader.get());
        read_all();
        let mut edited = message(10, 201, ME, "hello, edited");
        edited.edited_at = Some(5);
        store.apply(&ServerFrame::MessageUpdated { message: edited }, 0.0);
        let (now_edited, ..) = read_all();
        assert_eq!(now_edited.map(|m| m.body), Some("hello, edited".to_owned()));
        assert_eq!(runs(&edited_runs), 2, "the edited message's reader ran again");
        assert_eq!(runs(&other_runs), 1, "another message's reader did not");
        assert_eq!(runs(&members_runs), 1, "nor the members' (the ticks)");
        assert_eq!(runs(&row_runs), 1, "nor the chat-list row (its last message is another one)");
    });
}

#[test]
fn a_receipt_notifies_the_ticks_and_not_the_messages() {
    reactive(|| {
        let store = store_with(ConversationKind::Direct, message(200, 200, ME, "hello"));
        thread_of(&store, 200);
        let (tick_reader, tick_runs) = counted(move || store.tick(CHAT, 200));
        let (message_reader, message_runs) = counted(move || store.message(CHAT, 200));
        let read_all = || (tick_reader.get(), message_reader.get());
        assert_eq!(read_all().0, Tick::Delivered);
        let receipt = Receipt { conversation_id: CHAT, user_id: PEER, delivered_seq: 200, read_seq: 200 };
        store.apply(&ServerFrame::Receipt { receipt: receipt.clone() }, 0.0);
        assert_eq!(read_all().0, Tick::Read);
        assert_eq!(runs(&tick_runs), 2);
        assert_eq!(runs(&message_runs), 1, "a receipt changes no message");
        // The same receipt again (a resend after reconnect) writes nothing.
        store.apply(&ServerFrame::Receipt { receipt }, 0.0);
        read_all();
        assert_eq!(runs(&tick_runs), 2, "an unchanged receipt notifies nobody");
    });
}

#[test]
fn a_new_message_in_one_chat_leaves_the_other_rows_alone() {
    reactive(|| {
        let store = provide_store();
        store.set_me(me());
        store.set_list(rows(1..=3));
        let (busy_row, busy_runs) = counted(move || store.row(ConversationId(3)).try_with(|r| r.last_seq));
        let (quiet_row, quiet_runs) = counted(move || store.row(ConversationId(2)).try_with(|r| r.last_seq));
        let read_all = || (busy_row.get(), quiet_row.get());
        read_all();
        let mut fresh = message(1, 1, PEER, "news");
        fresh.conversation_id = ConversationId(3);
        fresh.created_at = 1_000_000;
        store.apply(&ServerFrame::Message { message: fresh }, 0.0);
        assert_eq!(read_all().0, Some(1));
        assert_eq!(runs(&busy_runs), 2);
        assert_eq!(runs(&quiet_runs), 1, "the list stayed in order: no other row was touched");
    });
}

#[test]
fn a_refetched_list_with_one_changed_row_rewrites_that_row_only() {
    reactive(|| {
        let store = provide_store();
        store.set_me(me());
        store.set_list(rows(1..=3));
        let (changed_row, changed_runs) = counted(move || store.row(ConversationId(3)).try_with(|r| r.title.clone()));
        let (same_row, same_runs) = counted(move || store.row(ConversationId(2)).try_with(|r| r.title.clone()));
        let read_all = || (changed_row.get(), same_row.get());
        read_all();
        let mut fresh = rows(1..=3);
        fresh.iter_mut().find(|r| r.id == ConversationId(3)).expect("row 3").title = "Renamed".into();
        store.set_list(fresh);
        assert_eq!(read_all().0.as_deref(), Some("Renamed"));
        assert_eq!(runs(&changed_runs), 2);
        assert_eq!(runs(&same_runs), 1);
    });
}

#[test]
fn my_marks_star_and_hide_messages_and_fix_the_preview() {
    reactive(|| {
        let store = store_with(ConversationKind::Direct, message(4, 4, PEER, "hello"));
        let page_of = |starred| HistoryPage {
            messages: (1..=4).map(|seq| message(seq, seq, PEER, &format!("m{seq}"))).collect(),
            has_more: false,
            members: vec![],
            rev: 4,
            starred,
        };
        store.load_history(CHAT, page_of(vec![MessageId(102)]), false);
        assert!(store.is_starred_untracked(CHAT, MessageId(102)));
        let (reader, reader_runs) = counted(move || store.is_starred(CHAT, MessageId(101)));
        assert!(!reader.get());
        let mark = |seq: Seq, starred, hidden| shared::MessageMark {
            message_id: MessageId(100 + seq),
            conversation_id: CHAT,
            starred,
            hidden,
        };

        // Another device starred 1 and unstarred 2.
        let frame = ServerFrame::Marks { marks: vec![mark(1, true, false), mark(2, false, false)] };
        assert_eq!(store.apply(&frame, 0.0), FollowUp::None);
        assert!(reader.get());
        assert!(!store.is_starred_untracked(CHAT, MessageId(102)));
        assert_eq!(runs(&reader_runs), 2);
        // The same marks again write nothing.
        store.apply(&frame, 0.0);
        reader.get();
        assert_eq!(runs(&reader_runs), 2, "an unchanged star notifies nobody");

        // Deleting the last message for me: gone from the thread, the preview falls back.
        assert_eq!(store.apply(&ServerFrame::Marks { marks: vec![mark(4, false, true)] }, 0.0), FollowUp::None);
        assert_eq!(store.seqs(CHAT), [1, 2, 3]);
        assert_eq!(row(&store).last_message.map(|m| m.body), Some("m3".into()));
        // A sync answer fetched before the deletion, arriving after its push, keeps it gone.
        store.apply_sync(SyncPage {
            conversation_id: CHAT,
            changed: vec![message(4, 4, PEER, "m4")],
            members: vec![],
            rev: 4,
            has_more: false,
            marks: vec![],
        });
        assert_eq!(store.seqs(CHAT), [1, 2, 3]);
        // A sync carries the marks made while away: 1 hidden (and so unstarred).
        store.apply_sync(SyncPage {
            conversation_id: CHAT,
            changed: vec![],
            members: vec![],
            rev: 4,
            has_more: false,
            marks: vec![mark(1, false, true)],
        });
        assert_eq!(store.seqs(CHAT), [2, 3]);
        assert!(!store.is_starred_untracked(CHAT, MessageId(101)));
        // A refetched page (the server leaves hidden messages out) keeps that.
        let refetched = HistoryPage {
            messages: (2..=3).map(|seq| message(seq, seq, PEER, &format!("m{seq}"))).collect(),
            has_more: false,
            members: vec![],
            rev: 5,
            starred: vec![MessageId(103)],
        };
        store.load_history(CHAT, refetched, false);
        assert_eq!(store.seqs(CHAT), [2, 3]);
        assert!(store.is_starred_untracked(CHAT, MessageId(103)));
    });
}

#[test]
fn hiding_the_previewed_message_of_a_chat_not_loaded_asks_for_its_row() {
    reactive(|| {
        let store = store_with(ConversationKind::Direct, message(4, 4, PEER, "hello"));
        let mark =
            shared::MessageMark { message_id: MessageId(104), conversation_id: CHAT, starred: false, hidden: true };
        assert_eq!(store.apply(&ServerFrame::Marks { marks: vec![mark] }, 0.0), FollowUp::Refresh(CHAT));
    });
}
