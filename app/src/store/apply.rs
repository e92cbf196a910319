//! The reducer: how pages from server functions and frames from the socket change the store.
//! Plain Rust over the store's keyed fields, run natively by the unit tests (`store/tests.rs`).
//!
//! Every write goes to the narrowest keyed path that changed (one message, one row, one
//! thread's members) and is skipped when the value is already there, so a push re-renders
//! only what it changes. Structural writes (a new message, a re-sorted list) go through the
//! keyed collection itself, which keeps the store's key map in step.

use super::{ChatStore, Thread, outbox};
use leptos::prelude::*;
use shared::frames::ServerFrame;
use shared::{
    ConversationDetail, ConversationId, ConversationSummary, HistoryPage, ListCursor, Me, MemberView, MessageView,
    PresenceView, Receipt, Rev, Seq, SyncPage,
};

use super::{ChatDataStoreFields, ThreadStoreFields};

/// What the socket should do after a frame was applied.
#[derive(Debug, PartialEq)]
pub enum FollowUp {
    None,
    /// Tell the server these messages reached this device (and were read, if on screen).
    Acknowledge {
        conversation: ConversationId,
        seq: Seq,
        read: bool,
    },
    /// A push skipped a rev: fetch what was missed.
    Resync(ConversationId),
    /// This chat's row is out of date in a way the push cannot fix: fetch that row again.
    Refresh(ConversationId),
}

/// What a change of logged-in user means for the page.
#[derive(Debug, PartialEq, Eq)]
pub enum Identity {
    /// The same person (or the first one this page knows).
    Same,
    /// Someone else: nothing of the previous person's may stay in this page.
    Changed,
}

/// Pinned chats first, then by latest activity, then the higher id (the server's order).
fn in_order(a: &ConversationSummary, b: &ConversationSummary) -> std::cmp::Ordering {
    b.pinned.cmp(&a.pinned).then(b.last_activity_at.cmp(&a.last_activity_at)).then(b.id.0.cmp(&a.id.0))
}

impl ChatStore {
    /// Records who is logged in. A page that already belonged to someone else must be thrown
    /// away whole (store, outbox, socket): the caller reloads it.
    pub fn set_me(&self, me: Me) -> Identity {
        let previous = self.my_id();
        if previous.is_some_and(|p| p != me.id) {
            return Identity::Changed;
        }
        if self.me.with_untracked(|m| m.as_ref() != Some(&me)) {
            self.me.set(Some(me));
        }
        Identity::Same
    }

    // ---- the chat list ----

    /// Changes one row, writing (and notifying its readers) only if `change` changed it.
    pub(super) fn update_row(
        &self,
        conversation: ConversationId,
        change: impl FnOnce(&mut ConversationSummary),
    ) -> bool {
        let Some(before) = self.summary_untracked(conversation) else { return false };
        let mut after = before.clone();
        change(&mut after);
        if after != before {
            self.row(conversation).set(after);
        }
        true
    }

    /// Restores the list's order after rows changed, moving rows only if they are out of it.
    fn keep_sorted(&self) {
        let sorted = self.data.list().with_untracked(|l| l.is_sorted_by(|a, b| in_order(a, b).is_le()));
        if !sorted {
            self.data.list().update(|l| l.sort_by(in_order));
        }
    }

    /// Copies a loaded thread's watermarks into its chat-list row, so the row's tick is the
    /// bubble's tick.
    fn sync_row_marks(&self, conversation: ConversationId) {
        let Some(me) = self.my_id() else { return };
        let Some(members) =
            self.with_thread_untracked(conversation, |th| th.loaded.then(|| th.members.clone())).flatten()
        else {
            return;
        };
        self.update_row(conversation, |summary| summary.set_peer_marks(&members, me));
    }

    /// Puts a freshly fetched row in the list (in its place, or as a new chat).
    pub fn upsert_summary(&self, fresh: ConversationSummary) {
        let id = fresh.id;
        if !self.update_row(id, |row| *row = fresh.clone()) {
            self.data.list().update(|l| l.push(fresh));
        }
        self.keep_sorted();
    }

    /// A conversation fetched again after a push: its row, and the open chat's header.
    pub fn apply_detail(&self, detail: ConversationDetail) {
        self.upsert_summary(detail.summary.clone());
        self.refreshed.set(Some(detail));
    }

    /// Applies the first page of the chat list (the page's own, or a refetch): its rows
    /// replace what the store holds up to the page's last row; rows loaded from later pages
    /// stay. Writes nothing when nothing changed, so a refetch re-renders nothing.
    pub fn set_list(&self, page: Vec<ConversationSummary>) {
        let more = page.len() >= ListCursor::PAGE as usize;
        let merged = self.data.list().with_untracked(|current| match page.last().map(ListCursor::after) {
            Some(end) if more => {
                let later = current.iter().filter(|c| end.precedes(c) && !page.iter().any(|p| p.id == c.id));
                page.iter().cloned().chain(later.cloned()).collect::<Vec<_>>()
            }
            _ => page.clone(),
        });
        let same_rows = self.data.list().with_untracked(|current| {
            current.len() == merged.len() && current.iter().zip(&merged).all(|(a, b)| a.id == b.id)
        });
        if same_rows {
            // The same chats in the same order: only the rows that changed are written.
            for row in merged {
                self.update_row(row.id, |current| *current = row);
            }
        } else {
            self.data.list().set(merged);
        }
        if self.list_more.get_untracked() != more {
            self.list_more.set(more);
        }
    }

    /// Forgets a chat the user is no longer in: its row and its thread.
    pub fn remove_conversation(&self, conversation: ConversationId) {
        if self.has_row(conversation) {
            self.data.list().update(|list| list.retain(|c| c.id != conversation));
        }
        if self.has_thread(conversation) {
            self.data.threads().update(|threads| {
                threads.remove(&conversation);
            });
        }
    }

    /// Adds a later page of the chat list (fetched after the last row held).
    pub fn append_page(&self, page: Vec<ConversationSummary>) {
        let more = page.len() >= ListCursor::PAGE as usize;
        let fresh: Vec<_> = page.into_iter().filter(|row| !self.has_row(row.id)).collect();
        if !fresh.is_empty() {
            self.data.list().update(|list| list.extend(fresh));
            self.keep_sorted();
        }
        self.list_more.set(more);
    }

    /// Where the next page of the chat list starts.
    pub fn list_cursor(&self) -> Option<ListCursor> {
        self.data.list().with_untracked(|list| list.last().map(ListCursor::after))
    }

    pub fn mark_read_locally(&self, conversation: ConversationId) {
        self.update_row(conversation, |summary| summary.unread = 0);
    }

    // ---- threads ----

    /// Writes messages into a loaded thread: each changed one at its own key (with the quotes
    /// of it that replies hold), the new ones in one structural write. A message older (by
    /// rev) than the one held is ignored. Returns whether any message changed.
    fn merge_messages(&self, conversation: ConversationId, messages: Vec<MessageView>) -> bool {
        let mut fresh = Vec::new();
        let mut changed = Vec::new();
        self.with_thread_untracked(conversation, |th| {
            for message in messages.into_iter().filter(|m| !th.hidden.contains(&m.id)) {
                match th.messages.get(&message.seq) {
                    None => fresh.push(message),
                    Some(held) if held.rev < message.rev || (held.rev == message.rev && *held != message) => {
                        changed.push(message)
                    }
                    Some(_) => {}
                }
            }
        });
        let any = !fresh.is_empty() || !changed.is_empty();
        let quoted: Vec<MessageView> = changed.iter().chain(&fresh).cloned().collect();
        let messages = self.thread(conversation).messages();
        for message in changed {
            messages.at_key(message.seq).set(message);
        }
        if !fresh.is_empty() {
            messages.update(|held| held.extend(fresh.into_iter().map(|m| (m.seq, m))));
        }
        for message in &quoted {
            self.follow_quotes(conversation, message);
        }
        any
    }

    /// Quotes are rendered from the quoted message (the server does not re-issue replies when
    /// it is edited or deleted): the replies held here follow it.
    fn follow_quotes(&self, conversation: ConversationId, quoted: &MessageView) {
        let quote = shared::ReplyPreview::of(quoted);
        let stale: Vec<Seq> = self
            .with_thread_untracked(conversation, |th| {
                th.messages
                    .values()
                    .filter(|m| m.reply_to.as_ref().is_some_and(|q| q.id == quoted.id && *q != quote))
                    .map(|m| m.seq)
                    .collect()
            })
            .unwrap_or_default();
        let messages = self.thread(conversation).messages();
        for seq in stale {
            messages.at_key(seq).update(|reply| reply.reply_to = Some(quote.clone()));
        }
    }

    fn set_members(&self, conversation: ConversationId, members: Vec<MemberView>) {
        if self.with_thread_untracked(conversation, |th| th.members != members) == Some(true) {
            self.thread(conversation).members().set(members);
        }
    }

    fn raise_rev(&self, conversation: ConversationId, rev: Rev) {
        if self.with_thread_untracked(conversation, |th| th.rev < rev) == Some(true) {
            self.thread(conversation).rev().set(rev);
        }
    }

    /// Seeds a thread from a history page, unless a newer state is already loaded.
    pub fn load_history(&self, conversation: ConversationId, page: HistoryPage, older: bool) {
        if !self.has_thread(conversation) {
            let thread = Thread {
                messages: page.messages.into_iter().map(|m| (m.seq, m)).collect(),
                members: page.members,
                rev: page.rev,
                has_more: page.has_more,
                loaded: true,
                starred: page.starred.into_iter().collect(),
                hidden: Default::default(),
            };
            self.data.threads().update(|t| {
                t.insert(conversation, thread);
            });
            // A keyed field learns its keys on its first structural write or read; a write to
            // one message before that would resolve the keys under the store's write lock,
            // find none and be lost. The thread's messages came in with the thread: learn them.
            self.thread(conversation).messages().update_keys();
            self.sync_row_marks(conversation);
            return;
        }
        let (loaded, rev) = self.with_thread_untracked(conversation, |th| (th.loaded, th.rev)).unwrap_or_default();
        if loaded && !older && rev >= page.rev {
            return;
        }
        let ids: Vec<_> = page.messages.iter().map(|m| m.id).collect();
        self.set_stars(conversation, &ids, &page.starred);
        self.merge_messages(conversation, page.messages);
        self.set_members(conversation, page.members);
        let thread = self.thread(conversation);
        if (older || !loaded) && thread.has_more().get_untracked() != page.has_more {
            thread.has_more().set(page.has_more);
        }
        self.raise_rev(conversation, page.rev);
        if !loaded {
            thread.loaded().set(true);
        }
        self.sync_row_marks(conversation);
    }

    pub fn apply_sync(&self, page: SyncPage) {
        let conversation = page.conversation_id;
        // (A row whose last message was hidden while away falls back to the thread's newest.)
        self.apply_marks(&page.marks);
        // The row's preview follows edits and deletes of its last message made while away.
        let last = if self.has_thread(conversation) {
            let changed = self.merge_messages(conversation, page.changed);
            self.set_members(conversation, page.members);
            self.raise_rev(conversation, page.rev);
            self.with_thread_untracked(conversation, |th| th.messages.values().next_back().cloned())
                .flatten()
                .filter(|_| changed)
        } else {
            page.changed.into_iter().max_by_key(|m| m.seq)
        };
        if let Some(last) = last {
            self.update_row(conversation, |summary| {
                if last.seq >= summary.last_seq {
                    summary.last_seq = last.seq;
                    summary.last_message = Some(last);
                }
            });
        }
        self.sync_row_marks(conversation);
    }

    // ---- frames ----

    /// Applies one pushed frame. Returns what the socket should send back.
    pub fn apply(&self, frame: &ServerFrame, now_ms: f64) -> FollowUp {
        match frame {
            ServerFrame::Ack { client_msg_id, message } => {
                self.outbox.update(|o| o.retain(|m| &m.client_msg_id != client_msg_id));
                outbox::persist(self.my_id(), &self.outbox.get_untracked());
                self.insert_message(message.clone())
            }
            ServerFrame::Message { message } => self.insert_message(message.clone()),
            ServerFrame::MessageUpdated { message } => {
                let conversation = message.conversation_id;
                if self.has_thread(conversation) {
                    self.merge_messages(conversation, vec![message.clone()]);
                    self.raise_rev(conversation, message.rev);
                }
                self.update_row(conversation, |summary| {
                    if summary.last_message.as_ref().is_some_and(|m| m.id == message.id) {
                        summary.last_message = Some(message.clone());
                    }
                });
                FollowUp::None
            }
            ServerFrame::Marks { marks } => self.apply_marks(marks),
            ServerFrame::Receipt { receipt } => self.apply_receipt(receipt),
            ServerFrame::Typing { conversation_id, user_id, expires_in_ms } => {
                self.typing.update(|typing| {
                    typing.entry(*conversation_id).or_default().insert(*user_id, now_ms + *expires_in_ms as f64);
                });
                FollowUp::None
            }
            ServerFrame::Presence { user_id, online, last_seen_at } => {
                self.presence.update(|p| {
                    p.insert(*user_id, PresenceView { online: *online, last_seen_at: *last_seen_at });
                });
                FollowUp::None
            }
            ServerFrame::ConversationUpdated { conversation_id } => FollowUp::Refresh(*conversation_id),
            ServerFrame::ConversationRemoved { conversation_id } => {
                self.remove_conversation(*conversation_id);
                FollowUp::None
            }
            ServerFrame::Error { error, client_msg_id: Some(id) } => {
                self.outbox.update(|o| {
                    if let Some(item) = o.iter_mut().find(|m| &m.client_msg_id == id) {
                        item.error = Some(error.message.clone());
                    }
                });
                outbox::persist(self.my_id(), &self.outbox.get_untracked());
                FollowUp::None
            }
            ServerFrame::Hello { .. } | ServerFrame::Pong { .. } | ServerFrame::Error { .. } => FollowUp::None,
        }
    }

    /// A member's watermarks moved: the ticks of the thread and of its chat-list row follow.
    fn apply_receipt(&self, receipt: &Receipt) -> FollowUp {
        let conversation = receipt.conversation_id;
        let members = self.with_thread_untracked(conversation, |th| {
            let mut members = th.members.clone();
            if let Some(member) = members.iter_mut().find(|m| m.user.id == receipt.user_id) {
                member.delivered_seq = member.delivered_seq.max(receipt.delivered_seq);
                member.read_seq = member.read_seq.max(receipt.read_seq);
            }
            (members, th.loaded)
        });
        let loaded = members.as_ref().is_some_and(|(_, loaded)| *loaded);
        if let Some((members, _)) = members {
            self.set_members(conversation, members);
        }
        if Some(receipt.user_id) == self.my_id() {
            self.update_row(conversation, |summary| {
                if receipt.read_seq >= summary.last_seq {
                    summary.unread = 0;
                }
            });
            return FollowUp::None;
        }
        if loaded {
            self.sync_row_marks(conversation);
            return FollowUp::None;
        }
        // Without the thread only a direct chat's row knows everyone else (one person).
        let mut follow_up = FollowUp::None;
        self.update_row(conversation, |summary| {
            if summary.kind == shared::ConversationKind::Direct {
                summary.peers_delivered_seq =
                    summary.peers_delivered_seq.max(receipt.delivered_seq).max(receipt.read_seq);
                summary.peers_read_seq = summary.peers_read_seq.max(receipt.read_seq);
            } else {
                follow_up = FollowUp::Refresh(conversation);
            }
        });
        follow_up
    }

    /// Adds a new message to its thread and the chat list; decides whether to resync.
    fn insert_message(&self, message: MessageView) -> FollowUp {
        let conversation = message.conversation_id;
        let mine = message.sender_id.is_some() && message.sender_id == self.my_id();
        let is_open = self.open.get_untracked() == Some(conversation);
        let mut gap = false;
        if let Some((loaded, rev)) = self.with_thread_untracked(conversation, |th| (th.loaded, th.rev)) {
            gap = loaded && message.rev > rev + 1;
            self.merge_messages(conversation, vec![message.clone()]);
            if !gap {
                self.raise_rev(conversation, message.rev);
            }
        }
        if let Some(sender) = message.sender_id
            && self.typing.with_untracked(|t| t.get(&conversation).is_some_and(|users| users.contains_key(&sender)))
        {
            self.typing.update(|t| {
                if let Some(users) = t.get_mut(&conversation) {
                    users.remove(&sender);
                }
            });
        }
        let known = self.update_row(conversation, |summary| {
            if message.seq >= summary.last_seq {
                summary.last_seq = message.seq;
                summary.last_message = Some(message.clone());
                summary.last_activity_at = message.created_at;
                if !mine && !is_open && message.kind == shared::MessageKind::Text {
                    summary.unread += 1;
                }
            }
        });
        if known {
            self.keep_sorted();
        } else {
            self.list_version.update(|v| *v += 1);
        }
        if gap {
            FollowUp::Resync(conversation)
        } else if mine {
            FollowUp::None
        } else {
            FollowUp::Acknowledge { conversation, seq: message.seq, read: is_open && super::page_visible() }
        }
    }

    // ---- the outbox, typing ----

    /// Queues a message (text, or an uploaded attachment with its caption); the socket sends
    /// it now or when it reconnects.
    pub fn enqueue(
        &self,
        conversation: ConversationId,
        body: String,
        reply_to: Option<shared::MessageId>,
        attachment: Option<shared::Attachment>,
    ) -> super::Outgoing {
        let item = super::Outgoing::new(self.my_id(), conversation, body, reply_to, attachment);
        self.outbox.update(|o| o.push(item.clone()));
        outbox::persist(self.my_id(), &self.outbox.get_untracked());
        item
    }

    pub fn discard(&self, client_msg_id: &str) {
        self.outbox.update(|o| o.retain(|m| m.client_msg_id != client_msg_id));
        outbox::persist(self.my_id(), &self.outbox.get_untracked());
    }

    pub fn restore_outbox(&self) {
        let saved = outbox::load(self.my_id());
        if !saved.is_empty() {
            self.outbox.set(saved);
        }
    }

    /// Drops typing indicators whose time is up.
    pub fn prune_typing(&self, now_ms: f64) {
        let stale = self.typing.with_untracked(|t| t.values().any(|users| users.values().any(|e| *e <= now_ms)));
        if !stale {
            return;
        }
        self.typing.update(|typing| {
            for users in typing.values_mut() {
                users.retain(|_, expires| *expires > now_ms);
            }
            typing.retain(|_, users| !users.is_empty());
        });
    }
}
