//! The open conversation: header (who, presence or typing), the thread with day separators,
//! an unread divider and upward infinite scroll, and the composer.

use super::attach::{DropZone, provide_attach};
use super::attach_sheet::AttachSheet;
use super::composer::Composer;
use super::contact_info::contact_info_panel;
use super::group_info::group_info;
use super::message_bubble::{ComposeMode, MessageBubble, PendingBubble};
use super::time;
use crate::components::{Avatar, Icon, OnDemand, icon};
use crate::conversations::{get_conversation, set_flags};
use crate::messages::history;
use crate::realtime::use_connection;
use crate::store::{ChatStore, Thread, use_store};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use shared::frames::ClientFrame;
use shared::{ConversationDetail, ConversationFlags, ConversationId, ConversationKind, MessageView, UserId};
use std::collections::{HashMap, HashSet};

pub fn scroll_to_message(seq: shared::Seq) {
    crate::browser::scroll_into_view_and_flash(&format!("m{seq}"));
}

/// Marks everything up to the newest loaded message as read, over the socket or, offline, HTTP.
fn mark_read(store: ChatStore, conversation: ConversationId) {
    let newest = store.newest_seq_untracked(conversation);
    if newest == 0 || !crate::store::page_visible() {
        return;
    }
    store.mark_read_locally(conversation);
    let connection = use_connection();
    if !connection.send(ClientFrame::Read { conversation_id: conversation, seq: newest }) {
        spawn_local(async move {
            let _ = crate::messages::mark_read(conversation, newest).await;
        });
    }
}

#[component]
pub fn ConversationPane() -> impl IntoView {
    let params = use_params_map();
    let id = Memo::new(move |_| params.with(|p| p.get("id").and_then(|v| v.parse::<i64>().ok()).map(ConversationId)));
    // A fresh loader per chat: the previous chat's view is gone before the next one writes
    // to the store.
    view! {
        <main class="conversation-pane" aria-label="Conversation">
            {move || match id.get() {
                Some(id) => view! { <ConversationLoader id/> }.into_any(),
                None => view! { <p class="empty-state">"No such chat."</p> }.into_any(),
            }}
        </main>
    }
}

#[component]
fn ConversationLoader(id: ConversationId) -> impl IntoView {
    let store = use_store();
    let detail = Resource::new(|| (), move |_| get_conversation(id));
    let page = Resource::new(|| (), move |_| history(id, None));
    view! {
        <Suspense fallback=|| view! { <div class="thread-loading" aria-busy="true"><div class="skeleton line"></div><div class="skeleton line"></div></div> }>
            {move || Suspend::new(async move {
                match (detail.await, page.await) {
                    (Ok(detail), Ok(page)) => {
                        store.open.set(Some(id));
                        store.load_history(id, page, false);
                        view! { <Conversation detail/> }.into_any()
                    }
                    (Err(e), _) | (_, Err(e)) => view! {
                        <div class="empty-conversation" role="alert">
                            <p>{if e.code() == shared::ErrorCode::NotFound { "This chat does not exist, or you are not in it.".to_owned() } else { e.message().to_owned() }}</p>
                            <A href="/chat" attr:class="button secondary">"Back to chats"</A>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Conversation(detail: ConversationDetail) -> impl IntoView {
    let tasks = crate::tasks::Tasks::new();
    let store = use_store();
    let connection = use_connection();
    let online = Memo::new(move |_| connection.state.get().is_online());
    let id = detail.summary.id;
    let mode = RwSignal::new(ComposeMode::New);
    let show_info = RwSignal::new(false);
    let detail = RwSignal::new(detail);
    provide_attach();
    let forwarding = super::forward_dialog::provide_forwarding();
    super::voice_player::provide_now_playing();
    let names: Memo<HashMap<UserId, String>> = Memo::new(move |_| {
        detail.with(|d| d.members.iter().map(|m| (m.user.id, m.user.display_name.clone())).collect())
    });
    let is_group = move || detail.with(|d| d.summary.kind == ConversationKind::Group);
    let has_peer = move || detail.with(|d| d.summary.peer.is_some());
    let blocked = move || detail.with(|d| d.summary.blocked);
    let peer_deleted = move || detail.with(|d| d.summary.peer.as_ref().is_some_and(|p| p.deleted));
    // The header follows the server's word that this chat changed (rename, members, flags):
    // the socket fetched the chat again for its list row; the header takes the same answer.
    // (Its first run only subscribes: what it holds then is older than this chat's own fetch.)
    Effect::new(move |subscribed: Option<()>| {
        let fresh = store.refreshed.with(|r| r.as_ref().filter(|d| d.summary.id == id).cloned());
        if let Some(fresh) = fresh.filter(|_| subscribed.is_some()) {
            detail.set(fresh);
        }
    });
    // Unread divider: the first message from others after my read watermark at open.
    let me = store.my_id();
    let first_unread = store
        .with_thread_untracked(id, |th| {
            let my_read = th.members.iter().find(|m| Some(m.user.id) == me).map_or(0, |m| m.read_seq);
            th.messages
                .values()
                .find(|m| m.seq > my_read && m.sender_id != me && m.kind == shared::MessageKind::Text)
                .map(|m| m.seq)
        })
        .flatten();
    Effect::new(move |_| mark_read(store, id));

    let subtitle = move || {
        let now = time::now() as f64;
        let typing: Vec<UserId> = store.typing.with(|t| {
            t.get(&id)
                .map(|users| users.iter().filter(|(_, exp)| **exp > now).map(|(u, _)| *u).collect())
                .unwrap_or_default()
        });
        if !typing.is_empty() {
            return if is_group() {
                let who: Vec<String> = typing.iter().filter_map(|u| names.with(|n| n.get(u).cloned())).collect();
                format!("{} typing…", who.join(", "))
            } else {
                "typing…".to_owned()
            };
        }
        detail.with(|d| match (&d.summary.kind, &d.summary.peer) {
            // Offline, nothing known about others is current: the banner says so.
            (ConversationKind::Direct, Some(_)) if !online.get() => String::new(),
            (ConversationKind::Direct, Some(peer)) if peer.deleted => String::new(),
            (ConversationKind::Direct, Some(peer)) => match store.presence.with(|p| p.get(&peer.id).copied()) {
                Some(p) if p.online => "online".to_owned(),
                Some(p) => p
                    .last_seen_at
                    .map(|at| format!("last seen {} at {}", time::day(at, time::now()).to_lowercase(), time::clock(at)))
                    .unwrap_or_default(),
                None => String::new(),
            },
            _ => d.members.iter().map(|m| m.user.display_name.clone()).collect::<Vec<_>>().join(", "),
        })
    };
    // Presence of the other person in a direct chat: fetched when the chat opens and again
    // after every reconnect (what was pushed while offline is lost).
    if let Some(peer) = detail.with_untracked(|d| d.summary.peer.clone()) {
        Effect::new(move |_| {
            if !online.get() {
                return;
            }
            let peer = peer.id;
            tasks.spawn(async move {
                if let Ok(p) = crate::people::presence(peer).await {
                    store.presence.update(|map| {
                        map.insert(peer, p);
                    });
                }
            });
        });
    }
    let flags = move || detail.with(|d| (d.summary.pinned, d.summary.muted, d.summary.archived));
    let toggle = move |change: ConversationFlags| {
        tasks.spawn(async move {
            if let Ok(summary) = set_flags(id, change).await {
                store.upsert_summary(summary.clone());
                detail.try_update(|d| d.summary = summary);
            }
        });
    };

    view! {
        <DropZone>
        <header class="conversation-header">
            <A href="/chat" attr:class="icon-button back" attr:aria-label="Back to chats"><Icon path=icon::BACK/></A>
            {move || detail.with(|d| view! {
                <Avatar name=d.summary.title.clone() image=d.summary.peer.as_ref().and_then(|p| p.avatar.clone())/>
            })}
            <div class="conversation-title">
                <h1>{move || detail.with(|d| d.summary.title.clone())}</h1>
                <p class="subtitle" aria-live="polite">{subtitle}</p>
            </div>
            <div class="header-actions">
                <button type="button" class="icon-button" aria-pressed=move || flags().0.to_string()
                    aria-label=move || if flags().0 { "Unpin chat" } else { "Pin chat" }
                    on:click=move |_| toggle(ConversationFlags { pinned: Some(!flags().0), ..Default::default() })><Icon path=icon::PIN/></button>
                <button type="button" class="icon-button" aria-pressed=move || flags().1.to_string()
                    aria-label=move || if flags().1 { "Unmute chat" } else { "Mute chat" }
                    on:click=move |_| toggle(ConversationFlags { muted: Some(!flags().1), ..Default::default() })><Icon path=icon::BELL_OFF/></button>
                <button type="button" class="icon-button" aria-pressed=move || flags().2.to_string()
                    aria-label=move || if flags().2 { "Unarchive chat" } else { "Archive chat" }
                    on:click=move |_| toggle(ConversationFlags { archived: Some(!flags().2), ..Default::default() })><Icon path=icon::ARCHIVE/></button>
                <Show when=move || is_group() || has_peer()>
                    <button type="button" class="icon-button" aria-label=move || if is_group() { "Group info" } else { "Contact info" }
                        aria-expanded=move || show_info.get().to_string()
                        on:click=move |_| show_info.update(|v| *v = !*v)><Icon path=icon::INFO/></button>
                </Show>
            </div>
        </header>
        <div class="conversation-body">
            <Thread id names first_unread mode show_senders=Signal::derive(is_group)/>
            <Show when=move || show_info.get() && is_group()>
                <OnDemand view=move || Box::pin(group_info(detail, show_info))/>
            </Show>
            <Show when=move || show_info.get() && has_peer()>
                <OnDemand view=move || Box::pin(contact_info_panel(detail, show_info))/>
            </Show>
        </div>
        <Show when=move || !blocked() && !peer_deleted() fallback=move || if peer_deleted() {
            view! { <div class="blocked-bar" role="group" aria-label="Deleted account"><p>"This account was deleted. Messages can no longer be sent here."</p></div> }.into_any()
        } else {
            view! { <BlockedBar detail/> }.into_any()
        }>
            <Composer id mode/>
        </Show>
        </DropZone>
        <AttachSheet id mode/>
        <Show when=move || forwarding.0.with(Option::is_some)>
            <OnDemand view=move || Box::pin(super::forward_dialog::forward_dialog(forwarding))/>
        </Show>
    }
}

#[component]
fn Thread(
    id: ConversationId,
    names: Memo<HashMap<UserId, String>>,
    first_unread: Option<shared::Seq>,
    mode: RwSignal<ComposeMode>,
    /// Name the sender above each message (groups only).
    show_senders: Signal<bool>,
) -> impl IntoView {
    let tasks = crate::tasks::Tasks::new();
    let store = use_store();
    let query = use_query_map();
    let list_ref = NodeRef::<leptos::html::Div>::new();
    let loading_older = RwSignal::new(false);
    let at_bottom = RwSignal::new(true);
    // The newest seq when the reader scrolled up: what arrived after it is counted on the
    // scroll-to-bottom button.
    let left_bottom_at = RwSignal::new(0);
    let has_more = move || store.has_more(id);
    // The loaded messages in order, and those that start a day (a heading goes before them):
    // both change when a message is added or loaded, not when one is edited.
    let order = Memo::new(move |_| store.seqs(id));
    let day_starts = Memo::new(move |_| {
        store.with_messages(id, |messages| {
            let mut previous: Option<i64> = None;
            let mut starts = HashSet::new();
            for message in messages.values() {
                if previous.is_none_or(|p| !time::same_day(p, message.created_at)) {
                    starts.insert(message.seq);
                }
                previous = Some(message.created_at);
            }
            starts
        })
    });
    let pending =
        move || store.outbox.with(|o| o.iter().filter(|m| m.conversation_id == id).cloned().collect::<Vec<_>>());
    let newest = move || order.with(|o| o.last().copied().unwrap_or(0));
    let newest_untracked = move || store.newest_seq_untracked(id);
    let me = store.my_id();
    let new_below = move || {
        let since = left_bottom_at.get();
        store.with_messages(id, |messages| messages.range(since + 1..).filter(|(_, m)| m.sender_id != me).count())
    };

    let load_older = move || {
        if loading_older.get_untracked() || !has_more() {
            return;
        }
        let Some(oldest) = store.with_thread_untracked(id, Thread::oldest_seq).flatten() else { return };
        loading_older.set(true);
        tasks.spawn(async move {
            if let Ok(page) = history(id, Some(oldest)).await {
                store.load_history(id, page, true);
            }
            loading_older.set(false);
        });
    };

    // Keep the newest message in view when it arrives, if the reader was at the bottom; and
    // mark it read.
    Effect::new(move |prev: Option<shared::Seq>| {
        let newest = newest();
        // My own sends, still pending, scroll the thread down too.
        store.outbox.track();
        if let Some(el) = list_ref.get()
            && (at_bottom.get_untracked() || prev.is_none())
        {
            el.set_scroll_top(el.scroll_height());
        }
        if prev.is_some_and(|p| p < newest) {
            mark_read(store, id);
        }
        newest
    });
    // Jump to a message from search (`?m=<seq>`), loading older pages until it is there.
    Effect::new(move |_| {
        let Some(target) = query.with(|q| q.get("m").and_then(|v| v.parse::<i64>().ok())) else { return };
        tasks.spawn(async move {
            for _ in 0..40 {
                let (loaded, oldest) = store
                    .with_thread_untracked(id, |th| (th.messages.contains_key(&target), th.oldest_seq()))
                    .unwrap_or((false, None));
                if loaded || !has_more() {
                    break;
                }
                let Some(oldest) = oldest else { break };
                match history(id, Some(oldest)).await {
                    Ok(page) => store.load_history(id, page, true),
                    Err(_) => break,
                }
            }
            at_bottom.set(false);
            scroll_to_message(target);
        });
    });

    let on_scroll = move |_| {
        if let Some(el) = list_ref.get() {
            let bottom = el.scroll_height() - el.scroll_top() - el.client_height() < 80;
            if at_bottom.get_untracked() && !bottom {
                left_bottom_at.set(newest_untracked());
            }
            at_bottom.set(bottom);
            if el.scroll_top() < 120 {
                load_older();
            }
        }
    };

    view! {
        <div class="thread" node_ref=list_ref on:scroll=on_scroll>
            <Show when=has_more>
                <button type="button" class="load-older" on:click=move |_| load_older() disabled=move || loading_older.get()>
                    {move || if loading_older.get() { "Loading…" } else { "Load older messages" }}
                </button>
            </Show>
            <ol class="messages" aria-label="Messages" aria-live="polite" aria-relevant="additions">
                // Keyed by seq: each row reads its own message from the store, so a new,
                // edited or receipted message re-renders only its own bubble.
                <For each=move || order.get() key=|seq| *seq let:seq>
                    <MessageRow id seq day_starts unread_here={Some(seq) == first_unread} names mode show_senders/>
                </For>
                <For each=pending key=|m| (m.client_msg_id.clone(), m.error.clone()) let:item>
                    <PendingBubble item/>
                </For>
            </ol>
            <Show when=move || !at_bottom.get()>
                <button type="button" class="scroll-bottom"
                    aria-label=move || match new_below() {
                        0 => "Scroll to latest message".to_owned(),
                        1 => "Scroll to latest message, 1 new".to_owned(),
                        n => format!("Scroll to latest message, {n} new"),
                    }
                    on:click=move |_| {
                        if let Some(el) = list_ref.get() {
                            el.set_scroll_top(el.scroll_height());
                        }
                        at_bottom.set(true);
                    }>
                    "↓"
                    {move || match new_below() {
                        0 => None,
                        n => Some(view! { <span class="scroll-bottom-count" aria-hidden="true">{n.min(999)}</span> }),
                    }}
                </button>
            </Show>
        </div>
    }
}

/// One message of the thread, with the day heading or unread divider that goes before it.
#[component]
fn MessageRow(
    id: ConversationId,
    seq: shared::Seq,
    day_starts: Memo<HashSet<shared::Seq>>,
    unread_here: bool,
    names: Memo<HashMap<UserId, String>>,
    mode: RwSignal<ComposeMode>,
    show_senders: Signal<bool>,
) -> impl IntoView {
    let store = use_store();
    let me = store.my_id();
    // The message as the store holds it; after its chat is gone, the last one seen.
    let message = Memo::new(move |previous: Option<&Option<MessageView>>| {
        store.message(id, seq).or_else(|| previous.cloned().flatten())
    });
    let new_day = Memo::new(move |_| day_starts.with(|d| d.contains(&seq)));
    let created_at = message.with_untracked(|m| m.as_ref().map_or(0, |m| m.created_at));
    let with_info = show_senders.get_untracked();
    view! {
        <Show when=move || new_day.get()>
            <li class="day-separator"><span>{time::day(created_at, time::now())}</span></li>
        </Show>
        {unread_here.then(|| view! { <li class="unread-divider"><span>"Unread messages"</span></li> })}
        {move || message.get().map(|message| {
            let sender_name = message.sender_id.filter(|_| with_info).and_then(|u| names.with_untracked(|n| n.get(&u).cloned()));
            let author = match message.sender_id {
                Some(u) if Some(u) == me => Some("You".to_owned()),
                Some(u) => names.with_untracked(|n| n.get(&u).cloned()),
                None => None,
            };
            view! { <MessageBubble message sender_name author mode with_info names/> }
        })}
    }
}

/// In place of the composer while I block the other person: say so, and offer to unblock.
#[component]
fn BlockedBar(detail: RwSignal<ConversationDetail>) -> impl IntoView {
    let store = use_store();
    let unblock = Action::new(move |user: &UserId| crate::people::unblock_user(*user));
    Effect::new(move |_| {
        if let Some(Ok(())) = unblock.value().get() {
            detail.update(|d| d.summary.blocked = false);
            store.upsert_summary(detail.with_untracked(|d| d.summary.clone()));
        }
    });
    let error = move || unblock.value().get().and_then(Result::err).map(|e| e.message().to_owned());
    let peer = move || detail.with(|d| d.summary.peer.as_ref().map(|p| p.id));
    view! {
        <div class="blocked-bar" role="group" aria-label="Blocked contact">
            <p>"You blocked this contact."</p>
            {move || error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <button type="button" class="button secondary" disabled=move || unblock.pending().get()
                on:click=move |_| { if let Some(peer) = peer() { unblock.dispatch(peer); } }>"Unblock"</button>
        </div>
    }
}
