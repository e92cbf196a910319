//! The client-side chat store: one place that holds what the chat shows — the chat list, the
//! loaded threads, the outbox, typing and presence — fed by server functions and by the
//! WebSocket. Components read it; they never fetch behind each other's backs.
//!
//! The chat list and the threads live in a [`reactive_stores::Store`] keyed by id: the list by
//! conversation, the threads by conversation and each thread's messages by seq. A component
//! reads the one field it shows (a row, a message, a thread's members), so a push that changes
//! one message notifies that message's readers and not the other bubbles; the reducer
//! (`apply.rs`) writes through the same keyed paths, and only when a value really changed.
//!
//! The same store exists during server rendering (one per request) so the first HTML already
//! shows the chat list and the open thread.

mod apply;
mod marks;
mod outbox;

use leptos::prelude::*;
use reactive_stores::{AtKeyed, KeyedSubfield, Store};
use shared::{
    ConversationDetail, ConversationId, ConversationSummary, Me, MemberView, MessageId, MessageView, PresenceView, Rev,
    Seq, Tick, UserId,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

pub use apply::{FollowUp, Identity};
pub use outbox::Outgoing;

/// What the store's keyed part holds.
#[derive(Debug, Default, Store)]
pub struct ChatData {
    /// The chat list in the server's order (pinned, then newest activity).
    #[store(key: ConversationId = |row| row.id)]
    pub list: Vec<ConversationSummary>,
    /// The conversations opened in this page.
    #[store(key: ConversationId = |(id, _)| *id)]
    pub threads: HashMap<ConversationId, Thread>,
}

/// One conversation's loaded messages, by seq, plus what ticks and resync need.
#[derive(Clone, Debug, Default, PartialEq, Store)]
pub struct Thread {
    #[store(key: Seq = |(seq, _)| *seq)]
    pub messages: BTreeMap<Seq, MessageView>,
    pub members: Vec<MemberView>,
    pub rev: Rev,
    pub has_more: bool,
    pub loaded: bool,
    /// The loaded messages this person starred (their own marks, `marks.rs`).
    pub starred: BTreeSet<MessageId>,
    /// Messages I deleted for me while this page was open: an answer fetched before that
    /// (a sync page that crossed the `marks` push) must not bring one back.
    pub hidden: BTreeSet<MessageId>,
}

impl Thread {
    pub fn oldest_seq(&self) -> Option<Seq> {
        self.messages.keys().next().copied()
    }

    pub fn newest_seq(&self) -> Seq {
        self.messages.keys().next_back().copied().unwrap_or(0)
    }
}

/// The tick of my message `seq`: what every other member has acknowledged.
pub fn tick_of(members: &[MemberView], me: UserId, seq: Seq) -> Tick {
    Tick::for_seq(seq, members.iter().filter(|m| m.user.id != me).map(|m| (m.delivered_seq, m.read_seq)))
}

type ThreadsField = KeyedSubfield<Store<ChatData>, ChatData, ConversationId, HashMap<ConversationId, Thread>>;
/// One thread, by conversation.
pub type ThreadField = AtKeyed<Store<ChatData>, ChatData, ConversationId, HashMap<ConversationId, Thread>>;
/// One chat-list row, by conversation.
pub type RowField = AtKeyed<Store<ChatData>, ChatData, ConversationId, Vec<ConversationSummary>>;
type MessagesField = KeyedSubfield<ThreadField, Thread, Seq, BTreeMap<Seq, MessageView>>;

#[derive(Clone, Copy)]
pub struct ChatStore {
    pub me: RwSignal<Option<Me>>,
    /// The chat list and the loaded threads, keyed.
    pub data: Store<ChatData>,
    pub outbox: RwSignal<Vec<Outgoing>>,
    /// Who is typing where, with the time (ms) their indicator expires.
    pub typing: RwSignal<HashMap<ConversationId, HashMap<UserId, f64>>>,
    pub presence: RwSignal<HashMap<UserId, PresenceView>>,
    /// The conversation on screen, if any.
    pub open: RwSignal<Option<ConversationId>>,
    /// Bumped to make the chat list fetch its first page again.
    pub list_version: RwSignal<u64>,
    /// Whether the server has chat-list rows after those loaded (the list comes in pages).
    pub list_more: RwSignal<bool>,
    /// The last conversation fetched again after a push (renamed, members or flags changed):
    /// the open chat takes its header from it, so one push costs one fetch.
    pub refreshed: RwSignal<Option<ConversationDetail>>,
    /// Unsent text per chat, for the page's life.
    pub drafts: StoredValue<HashMap<ConversationId, String>>,
}

pub fn provide_store() -> ChatStore {
    let store = ChatStore {
        me: RwSignal::new(None),
        data: Store::new(ChatData::default()),
        outbox: RwSignal::new(Vec::new()),
        typing: RwSignal::new(HashMap::new()),
        presence: RwSignal::new(HashMap::new()),
        open: RwSignal::new(None),
        list_version: RwSignal::new(0),
        list_more: RwSignal::new(false),
        refreshed: RwSignal::new(None),
        drafts: StoredValue::new(HashMap::new()),
    };
    provide_context(store);
    store
}

pub fn use_store() -> ChatStore {
    expect_context::<ChatStore>()
}

/// Reads. The tracked ones subscribe to the one keyed field they read; `*_untracked` are for
/// event handlers and the socket.
impl ChatStore {
    pub fn my_id(&self) -> Option<UserId> {
        self.me.with_untracked(|me| me.as_ref().map(|m| m.id))
    }

    fn threads(&self) -> ThreadsField {
        self.data.threads()
    }

    pub fn thread(&self, conversation: ConversationId) -> ThreadField {
        self.data.threads().at_key(conversation)
    }

    fn messages(&self, conversation: ConversationId) -> MessagesField {
        self.thread(conversation).messages()
    }

    pub fn row(&self, conversation: ConversationId) -> RowField {
        self.data.list().at_key(conversation)
    }

    fn has_thread(&self, conversation: ConversationId) -> bool {
        self.threads().with_untracked(|t| t.contains_key(&conversation))
    }

    fn has_row(&self, conversation: ConversationId) -> bool {
        self.data.list().with_untracked(|l| l.iter().any(|c| c.id == conversation))
    }

    /// One message, tracked on that message alone (and on its thread's structure).
    pub fn message(&self, conversation: ConversationId, seq: Seq) -> Option<MessageView> {
        if !self.has_thread(conversation) {
            return None;
        }
        self.messages(conversation).at_key(seq).try_get()
    }

    pub fn message_untracked(&self, conversation: ConversationId, seq: Seq) -> Option<MessageView> {
        self.with_thread_untracked(conversation, |th| th.messages.get(&seq).cloned()).flatten()
    }

    /// The loaded messages' seqs, in order (tracked on the thread's messages).
    pub fn seqs(&self, conversation: ConversationId) -> Vec<Seq> {
        if !self.has_thread(conversation) {
            self.threads().track();
            return Vec::new();
        }
        self.messages(conversation).with(|m| m.keys().copied().collect())
    }

    /// Reads the loaded messages (tracked on the thread's messages).
    pub fn with_messages<T>(
        &self,
        conversation: ConversationId,
        f: impl FnOnce(&BTreeMap<Seq, MessageView>) -> T,
    ) -> T {
        if !self.has_thread(conversation) {
            self.threads().track();
            return f(&BTreeMap::new());
        }
        self.messages(conversation).with(f)
    }

    /// The thread's members with their watermarks (tracked on the members only).
    pub fn with_members<T>(&self, conversation: ConversationId, f: impl FnOnce(&[MemberView]) -> T) -> T {
        if !self.has_thread(conversation) {
            self.threads().track();
            return f(&[]);
        }
        self.thread(conversation).members().with(|m| f(m))
    }

    /// The tick of my message `seq` (tracked on the thread's members).
    pub fn tick(&self, conversation: ConversationId, seq: Seq) -> Tick {
        let me = self.my_id().unwrap_or(UserId(0));
        self.with_members(conversation, |members| tick_of(members, me, seq))
    }

    /// Whether I starred message `id` of a loaded thread (tracked on the thread's stars).
    pub fn is_starred(&self, conversation: ConversationId, id: MessageId) -> bool {
        self.has_thread(conversation) && self.thread(conversation).starred().with(|s| s.contains(&id))
    }

    pub fn is_starred_untracked(&self, conversation: ConversationId, id: MessageId) -> bool {
        self.with_thread_untracked(conversation, |th| th.starred.contains(&id)).unwrap_or(false)
    }

    pub fn has_more(&self, conversation: ConversationId) -> bool {
        self.has_thread(conversation) && self.thread(conversation).has_more().get()
    }

    pub fn with_thread_untracked<T>(&self, conversation: ConversationId, f: impl FnOnce(&Thread) -> T) -> Option<T> {
        self.threads().with_untracked(|t| t.get(&conversation).map(f))
    }

    pub fn thread_rev(&self, conversation: ConversationId) -> Rev {
        self.with_thread_untracked(conversation, |th| th.rev).unwrap_or(0)
    }

    pub fn newest_seq_untracked(&self, conversation: ConversationId) -> Seq {
        self.with_thread_untracked(conversation, Thread::newest_seq).unwrap_or(0)
    }

    /// Every loaded thread with its rev (what a reconnect resyncs).
    pub fn loaded_threads(&self) -> Vec<(ConversationId, Rev)> {
        self.threads().with_untracked(|t| t.iter().filter(|(_, th)| th.loaded).map(|(id, th)| (*id, th.rev)).collect())
    }

    /// Reads the chat list (tracked on the whole list).
    pub fn with_list<T>(&self, f: impl FnOnce(&[ConversationSummary]) -> T) -> T {
        self.data.list().with(|l| f(l))
    }

    pub fn summary_untracked(&self, conversation: ConversationId) -> Option<ConversationSummary> {
        self.data.list().with_untracked(|l| l.iter().find(|c| c.id == conversation).cloned())
    }
}

/// Whether the tab is visible (messages shown count as read only then).
pub fn page_visible() -> bool {
    crate::browser::page_visible()
}

#[cfg(test)]
mod tests;
