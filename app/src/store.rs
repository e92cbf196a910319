//! The client-side chat store: one place that holds what the chat shows — the chat list, the
//! loaded threads, the outbox, typing and presence — fed by server functions and by the
//! WebSocket. Components read it; they never fetch behind each other's backs.
//!
//! The same store exists during server rendering (one per request) so the first HTML already
//! shows the chat list and the open thread.

mod outbox;

use leptos::prelude::*;
use shared::frames::ServerFrame;
use shared::{
    ConversationId, ConversationSummary, HistoryPage, ListCursor, Me, MemberView, MessageView, PresenceView, Receipt,
    Rev, Seq, SyncPage, Tick, UserId,
};
use std::collections::{BTreeMap, HashMap};

pub use outbox::Outgoing;

/// One conversation's loaded messages, by seq, plus what ticks and resync need.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Thread {
    pub messages: BTreeMap<Seq, MessageView>,
    pub members: Vec<MemberView>,
    pub rev: Rev,
    pub has_more: bool,
    pub loaded: bool,
}

impl Thread {
    pub fn oldest_seq(&self) -> Option<Seq> {
        self.messages.keys().next().copied()
    }

    pub fn newest_seq(&self) -> Seq {
        self.messages.keys().next_back().copied().unwrap_or(0)
    }

    fn upsert(&mut self, message: MessageView) {
        let keep_existing = self.messages.get(&message.seq).is_some_and(|m| m.rev > message.rev);
        if keep_existing {
            return;
        }
        // Quotes are rendered from the quoted message (the server does not re-issue replies
        // when it is edited or deleted): the replies held here follow it.
        let quote = shared::ReplyPreview::of(&message);
        for reply in self.messages.values_mut() {
            if let Some(quoted) = reply.reply_to.as_mut().filter(|q| q.id == message.id && **q != quote) {
                *quoted = quote.clone();
            }
        }
        self.messages.insert(message.seq, message);
    }

    fn set_receipt(&mut self, receipt: &Receipt) {
        if let Some(member) = self.members.iter_mut().find(|m| m.user.id == receipt.user_id) {
            member.delivered_seq = member.delivered_seq.max(receipt.delivered_seq);
            member.read_seq = member.read_seq.max(receipt.read_seq);
        }
    }

    /// The tick of my message `seq`: what every other member has acknowledged.
    pub fn tick(&self, me: UserId, seq: Seq) -> Tick {
        Tick::for_seq(seq, self.members.iter().filter(|m| m.user.id != me).map(|m| (m.delivered_seq, m.read_seq)))
    }
}

#[derive(Clone, Copy)]
pub struct ChatStore {
    pub me: RwSignal<Option<Me>>,
    pub conversations: RwSignal<Vec<ConversationSummary>>,
    pub threads: RwSignal<HashMap<ConversationId, Thread>>,
    pub outbox: RwSignal<Vec<Outgoing>>,
    /// Who is typing where, with the time (ms) their indicator expires.
    pub typing: RwSignal<HashMap<ConversationId, HashMap<UserId, f64>>>,
    pub presence: RwSignal<HashMap<UserId, PresenceView>>,
    /// The conversation on screen, if any.
    pub open: RwSignal<Option<ConversationId>>,
    /// Bumped to make the chat list fetch again.
    pub list_version: RwSignal<u64>,
    /// Whether the server has chat-list rows after those loaded (the list comes in pages).
    pub list_more: RwSignal<bool>,
    /// Bumped per conversation when the server says its title, members or flags changed, so
    /// an open chat fetches its header again (the list row is refreshed on its own).
    pub changed: RwSignal<HashMap<ConversationId, u64>>,
    /// Unsent text per chat, for the page's life.
    pub drafts: StoredValue<HashMap<ConversationId, String>>,
}

pub fn provide_store() -> ChatStore {
    let store = ChatStore {
        me: RwSignal::new(None),
        conversations: RwSignal::new(Vec::new()),
        threads: RwSignal::new(HashMap::new()),
        outbox: RwSignal::new(Vec::new()),
        typing: RwSignal::new(HashMap::new()),
        presence: RwSignal::new(HashMap::new()),
        open: RwSignal::new(None),
        list_version: RwSignal::new(0),
        list_more: RwSignal::new(false),
        changed: RwSignal::new(HashMap::new()),
        drafts: StoredValue::new(HashMap::new()),
    };
    provide_context(store);
    store
}

pub fn use_store() -> ChatStore {
    expect_context::<ChatStore>()
}

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

impl ChatStore {
    pub fn my_id(&self) -> Option<UserId> {
        self.me.with_untracked(|me| me.as_ref().map(|m| m.id))
    }

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

    /// Copies a loaded thread's watermarks into its chat-list row, so the row's tick is the
    /// bubble's tick.
    fn sync_row_marks(&self, conversation: ConversationId) {
        let Some(me) = self.my_id() else { return };
        let members =
            self.threads.with_untracked(|t| t.get(&conversation).filter(|th| th.loaded).map(|th| th.members.clone()));
        let Some(members) = members else { return };
        self.conversations.update(|list| {
            if let Some(summary) = list.iter_mut().find(|c| c.id == conversation) {
                summary.set_peer_marks(&members, me);
            }
        });
    }

    /// Puts a freshly fetched row in the list (in its place, or as a new chat).
    pub fn upsert_summary(&self, fresh: ConversationSummary) {
        self.conversations.update(|list| {
            match list.iter_mut().find(|c| c.id == fresh.id) {
                Some(row) => *row = fresh,
                None => list.push(fresh),
            }
            sort_list(list);
        });
    }

    /// Seeds a thread from a history page, unless a newer state is already loaded.
    pub fn load_history(&self, conversation: ConversationId, page: HistoryPage, older: bool) {
        self.threads.update(|threads| {
            let thread = threads.entry(conversation).or_default();
            if thread.loaded && !older && thread.rev >= page.rev {
                return;
            }
            for message in page.messages {
                thread.upsert(message);
            }
            thread.members = page.members;
            if older || !thread.loaded {
                thread.has_more = page.has_more;
            }
            thread.rev = thread.rev.max(page.rev);
            thread.loaded = true;
        });
        self.sync_row_marks(conversation);
    }

    pub fn apply_sync(&self, page: SyncPage) {
        let conversation = page.conversation_id;
        let mut newest_change = None;
        self.threads.update(|threads| {
            let thread = threads.entry(conversation).or_default();
            for message in page.changed {
                newest_change = newest_change.max(Some(message.seq));
                thread.upsert(message);
            }
            thread.members = page.members;
            thread.rev = thread.rev.max(page.rev);
        });
        // The row's preview follows edits and deletes of its last message made while away.
        let last = self
            .threads
            .with_untracked(|t| t.get(&conversation).and_then(|th| th.messages.values().next_back().cloned()));
        if let Some(last) = last.filter(|_| newest_change.is_some()) {
            self.conversations.update(|list| {
                if let Some(summary) = list.iter_mut().find(|c| c.id == conversation)
                    && last.seq >= summary.last_seq
                {
                    summary.last_seq = last.seq;
                    summary.last_message = Some(last);
                }
            });
        }
        self.sync_row_marks(conversation);
    }

    /// Applies the first page of the chat list (the page's own, or a refetch): its rows
    /// replace what the store holds up to the page's last row; rows loaded from later pages
    /// stay. Writes nothing when nothing changed, so a refetch re-renders nothing.
    pub fn set_list(&self, page: Vec<ConversationSummary>) {
        let more = page.len() >= ListCursor::PAGE as usize;
        let merged = self.conversations.with_untracked(|current| match page.last().map(ListCursor::after) {
            Some(end) if more => {
                let later = current.iter().filter(|c| end.precedes(c) && !page.iter().any(|p| p.id == c.id));
                page.iter().cloned().chain(later.cloned()).collect::<Vec<_>>()
            }
            _ => page.clone(),
        });
        if self.conversations.with_untracked(|current| *current != merged) {
            self.conversations.set(merged);
        }
        if self.list_more.get_untracked() != more {
            self.list_more.set(more);
        }
    }

    /// Adds a later page of the chat list (fetched after the last row held).
    pub fn append_page(&self, page: Vec<ConversationSummary>) {
        let more = page.len() >= ListCursor::PAGE as usize;
        self.conversations.update(|list| {
            for row in page {
                if !list.iter().any(|c| c.id == row.id) {
                    list.push(row);
                }
            }
            sort_list(list);
        });
        self.list_more.set(more);
    }

    /// Where the next page of the chat list starts.
    pub fn list_cursor(&self) -> Option<ListCursor> {
        self.conversations.with_untracked(|list| list.last().map(ListCursor::after))
    }

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
                self.threads.update(|threads| {
                    if let Some(thread) = threads.get_mut(&message.conversation_id) {
                        thread.upsert(message.clone());
                        thread.rev = thread.rev.max(message.rev);
                    }
                });
                self.conversations.update(|list| {
                    if let Some(summary) = list.iter_mut().find(|c| c.id == message.conversation_id)
                        && summary.last_message.as_ref().is_some_and(|m| m.id == message.id)
                    {
                        summary.last_message = Some(message.clone());
                    }
                });
                FollowUp::None
            }
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
            ServerFrame::ConversationUpdated { conversation_id } => {
                self.changed.update(|c| *c.entry(*conversation_id).or_default() += 1);
                FollowUp::Refresh(*conversation_id)
            }
            ServerFrame::ConversationRemoved { conversation_id } => {
                self.conversations.update(|list| list.retain(|c| c.id != *conversation_id));
                self.threads.update(|threads| {
                    threads.remove(conversation_id);
                });
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
        let mut loaded = false;
        self.threads.update(|threads| {
            if let Some(thread) = threads.get_mut(&conversation) {
                thread.set_receipt(receipt);
                loaded = thread.loaded;
            }
        });
        let mine = Some(receipt.user_id) == self.my_id();
        if mine {
            self.conversations.update(|list| {
                if let Some(summary) = list.iter_mut().find(|c| c.id == conversation)
                    && receipt.read_seq >= summary.last_seq
                {
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
        self.conversations.update(|list| {
            if let Some(summary) = list.iter_mut().find(|c| c.id == conversation) {
                if summary.kind == shared::ConversationKind::Direct {
                    summary.peers_delivered_seq =
                        summary.peers_delivered_seq.max(receipt.delivered_seq).max(receipt.read_seq);
                    summary.peers_read_seq = summary.peers_read_seq.max(receipt.read_seq);
                } else {
                    follow_up = FollowUp::Refresh(conversation);
                }
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
        self.threads.update(|threads| {
            if let Some(thread) = threads.get_mut(&conversation) {
                if thread.loaded && message.rev > thread.rev + 1 {
                    gap = true;
                }
                thread.upsert(message.clone());
                if !gap {
                    thread.rev = thread.rev.max(message.rev);
                }
            }
        });
        if let Some(sender) = message.sender_id {
            self.typing.update(|t| {
                if let Some(users) = t.get_mut(&conversation) {
                    users.remove(&sender);
                }
            });
        }
        let mut known = false;
        self.conversations.update(|list| {
            if let Some(summary) = list.iter_mut().find(|c| c.id == conversation) {
                known = true;
                if message.seq >= summary.last_seq {
                    summary.last_seq = message.seq;
                    summary.last_message = Some(message.clone());
                    summary.last_activity_at = message.created_at;
                    if !mine && !is_open && message.kind == shared::MessageKind::Text {
                        summary.unread += 1;
                    }
                }
            }
            sort_list(list);
        });
        if !known {
            self.list_version.update(|v| *v += 1);
        }
        if gap {
            FollowUp::Resync(conversation)
        } else if mine {
            FollowUp::None
        } else {
            FollowUp::Acknowledge { conversation, seq: message.seq, read: is_open && page_visible() }
        }
    }

    /// Queues a message (text, or an uploaded attachment with its caption); the socket sends
    /// it now or when it reconnects.
    pub fn enqueue(
        &self,
        conversation: ConversationId,
        body: String,
        reply_to: Option<shared::MessageId>,
        attachment: Option<shared::Attachment>,
    ) -> Outgoing {
        let item = Outgoing::new(self.my_id(), conversation, body, reply_to, attachment);
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
        self.typing.update(|typing| {
            for users in typing.values_mut() {
                users.retain(|_, expires| *expires > now_ms);
            }
            typing.retain(|_, users| !users.is_empty());
        });
    }

    pub fn mark_read_locally(&self, conversation: ConversationId) {
        self.conversations.update(|list| {
            if let Some(summary) = list.iter_mut().find(|c| c.id == conversation) {
                summary.unread = 0;
            }
        });
    }
}

/// Pinned chats first, then by latest activity.
fn sort_list(list: &mut [ConversationSummary]) {
    // The server's order: pinned first, newest activity first, then the higher id.
    list.sort_by(|a, b| {
        b.pinned.cmp(&a.pinned).then(b.last_activity_at.cmp(&a.last_activity_at)).then(b.id.0.cmp(&a.id.0))
    });
}

/// Whether the tab is visible (messages shown count as read only then).
pub fn page_visible() -> bool {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window()
            .and_then(|w| w.document())
            .is_none_or(|d| d.visibility_state() == web_sys::VisibilityState::Visible)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        false
    }
}
#[cfg(test)]
mod tests;
