//! The chat list: one row per conversation, newest activity first, pinned on top; archived
//! chats behind a toggle.

use super::time;
use crate::components::Avatar;
use crate::store::use_store;
use leptos::prelude::*;
use leptos_router::components::A;
use shared::{ConversationId, ConversationSummary, MessageKind, Tick, UserId};

#[component]
pub fn ChatList() -> impl IntoView {
    let store = use_store();
    let show_archived = RwSignal::new(false);
    let filter = RwSignal::new(String::new());
    // Only the ids and their order: each row reads its own summary, so a change to one chat
    // re-renders that row alone and the list only moves rows.
    let visible = Memo::new(move |_| {
        let needle = filter.get().trim().to_lowercase();
        let archived = show_archived.get();
        store.with_list(|list| {
            list.iter()
                .filter(|c| {
                    if needle.is_empty() { c.archived == archived } else { c.title.to_lowercase().contains(&needle) }
                })
                .map(|c| c.id)
                .collect::<Vec<_>>()
        })
    });
    let archived_count = move || store.with_list(|l| l.iter().filter(|c| c.archived).count());
    // The list comes in pages: the rest loads when the end of the list scrolls into view, or
    // on the button there.
    let tasks = crate::tasks::Tasks::new();
    let toasts = crate::components::use_toasts();
    let loading = RwSignal::new(false);
    let load_more = move || {
        if loading.get_untracked() || !store.list_more.get_untracked() {
            return;
        }
        loading.set(true);
        let after = store.list_cursor();
        tasks.spawn(async move {
            match crate::conversations::list_conversations(after, None).await {
                Ok(page) => store.append_page(page),
                Err(e) => toasts.error(e.message()),
            }
            loading.set(false);
        });
    };
    let on_scroll = move |ev: leptos::ev::Event| {
        if crate::browser::scrolled_near_end(&ev, 200.0) {
            load_more();
        }
    };
    view! {
        <div class="chat-filter">
            <label for="chat-filter" class="visually-hidden">"Find a chat"</label>
            <input id="chat-filter" type="search" placeholder="Find a chat (Ctrl+K)" autocomplete="off"
                prop:value=filter on:input=move |ev| filter.set(event_target_value(&ev))/>
        </div>
        <nav class="chat-list" aria-label="Conversations" on:scroll=on_scroll>
            <Show when=move || { archived_count() > 0 || show_archived.get() }>
                <button type="button" class="archived-toggle" on:click=move |_| show_archived.update(|v| *v = !*v)>
                    {move || if show_archived.get() { "← Back to chats".to_owned() } else { format!("Archived ({})", archived_count()) }}
                </button>
            </Show>
            <Show
                when=move || visible.with(|v| !v.is_empty())
                fallback=move || view! { <p class="empty-state">{move || if filter.get().is_empty() { "No chats yet. Start one with the new chat button." } else { "No chat matches." }}</p> }
            >
                <ul class="chat-items" role="list">
                    <For each=move || visible.get() key=|id| *id let:id>
                        <ChatRow id/>
                    </For>
                </ul>
            </Show>
            <Show when=move || store.list_more.get()>
                <button type="button" class="more-chats" disabled=move || loading.get() on:click=move |_| load_more()>
                    {move || if loading.get() { "Loading chats…" } else { "Show more chats" }}
                </button>
            </Show>
        </nav>
    }
}

/// What one row shows, derived from its summary (and the open thread's ticks).
#[derive(Clone, Debug, PartialEq)]
struct Row {
    title: String,
    avatar: Option<shared::MediaId>,
    preview: String,
    tick: Option<Tick>,
    /// A screen-reader prefix saying whose the last message is ("You: ").
    author: Option<String>,
    at: Option<i64>,
    unread: i64,
    pinned: bool,
    muted: bool,
}

fn row(summary: &ConversationSummary, me: Option<UserId>) -> Row {
    let last = summary.last_message.as_ref();
    let mine = last.is_some_and(|m| m.sender_id.is_some() && m.sender_id == me);
    let preview = last
        .map(|m| {
            if m.deleted {
                "This message was deleted".to_owned()
            } else {
                crate::media::preview_text(&m.body, m.attachment.as_ref())
            }
        })
        .unwrap_or_default();
    let tick = last.filter(|m| mine && !m.deleted && m.kind != MessageKind::System).map(|m| summary.tick_for(m.seq));
    Row {
        title: summary.title.clone(),
        avatar: summary.peer.as_ref().and_then(|p| p.avatar.clone()),
        preview,
        tick,
        author: mine.then(|| "You: ".to_owned()),
        at: last.map(|m| m.created_at),
        unread: summary.unread,
        pinned: summary.pinned,
        muted: summary.muted,
    }
}

#[component]
fn ChatRow(id: ConversationId) -> impl IntoView {
    let store = use_store();
    let href = format!("/chat/{}", id.0);
    let me = store.my_id();
    // Tracked on this row's summary alone. The store copies a loaded thread's watermarks into
    // its summary, so the summary's tick is the bubble's: the row never reads the threads.
    let data = Memo::new(move |_| store.row(id).try_with(|summary| row(summary, me)));
    let field = move |f: fn(&Row) -> String| move || data.with(|d| d.as_ref().map(f).unwrap_or_default());
    let unread = move || data.with(|d| d.as_ref().map_or(0, |r| r.unread));
    let flag = move |f: fn(&Row) -> bool| move || data.with(|d| d.as_ref().is_some_and(f));
    let is_open = move || store.open.get() == Some(id);
    let typing = move || {
        store.typing.with(|t| t.get(&id).is_some_and(|users| users.values().any(|exp| *exp > time::now() as f64)))
    };
    view! {
        <li>
            <A href=href attr:class="chat-row" attr:aria-current=move || is_open().then_some("page")>
                {move || data.with(|d| {
                    let (title, avatar) = d.as_ref().map(|r| (r.title.clone(), r.avatar.clone())).unwrap_or_default();
                    view! { <Avatar name=title image=avatar/> }
                })}
                <div class="chat-row-main">
                    <div class="chat-row-top">
                        <span class="chat-title">
                            {field(|r| r.title.clone())}
                            {move || (unread() > 0).then(|| view! { <span class="visually-hidden">{format!(", {} unread", unread())}</span> })}
                        </span>
                        <span class="chat-time" class:unread={move || unread() > 0}>
                            {field(|r| r.at.map(|at| time::short(at, time::now())).unwrap_or_default())}
                        </span>
                    </div>
                    <div class="chat-row-bottom">
                        <span class="chat-preview">
                            {move || if typing() {
                                view! { <em class="typing">"typing…"</em> }.into_any()
                            } else {
                                view! {
                                    {move || data.with(|d| d.as_ref().and_then(|r| r.tick)).map(|t| view! { <super::message_bubble::Ticks tick=t/> })}
                                    {move || data.with(|d| d.as_ref().and_then(|r| r.author.clone())).map(|a| view! { <span class="visually-hidden">{a}</span> })}
                                    <span>{field(|r| r.preview.clone())}</span>
                                }.into_any()
                            }}
                        </span>
                        <Show when=flag(|r| r.pinned)><span class="chat-flag">"Pinned"</span></Show>
                        <Show when=flag(|r| r.muted)><span class="chat-flag">"Muted"</span></Show>
                        <Show when={move || unread() > 0}>
                            <span class="unread-badge" aria-hidden="true">{move || if unread() >= 999 { "999+".to_owned() } else { unread().to_string() }}</span>
                        </Show>
                    </div>
                </div>
            </A>
        </li>
    }
}
