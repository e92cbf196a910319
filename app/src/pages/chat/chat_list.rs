//! The chat list: one row per conversation, newest activity first, pinned on top; archived
//! chats behind a toggle.

use super::time;
use crate::components::Avatar;
use crate::store::use_store;
use leptos::prelude::*;
use leptos_router::components::A;
use shared::{ConversationSummary, MessageKind, Tick};

#[component]
pub fn ChatList() -> impl IntoView {
    let store = use_store();
    let show_archived = RwSignal::new(false);
    let filter = RwSignal::new(String::new());
    let visible = move || {
        let needle = filter.get().trim().to_lowercase();
        store.conversations.with(|list| {
            list.iter()
                .filter(|c| if needle.is_empty() { c.archived == show_archived.get() } else { c.title.to_lowercase().contains(&needle) })
                .cloned()
                .collect::<Vec<_>>()
        })
    };
    let archived_count = move || store.conversations.with(|l| l.iter().filter(|c| c.archived).count());
    view! {
        <div class="chat-filter">
            <label for="chat-filter" class="visually-hidden">"Find a chat"</label>
            <input id="chat-filter" type="search" placeholder="Find a chat (Ctrl+K)" autocomplete="off"
                prop:value=filter on:input=move |ev| filter.set(event_target_value(&ev))/>
        </div>
        <nav class="chat-list" aria-label="Conversations">
            <Show when=move || { archived_count() > 0 || show_archived.get() }>
                <button type="button" class="archived-toggle" on:click=move |_| show_archived.update(|v| *v = !*v)>
                    {move || if show_archived.get() { "← Back to chats".to_owned() } else { format!("Archived ({})", archived_count()) }}
                </button>
            </Show>
            <Show
                when=move || !visible().is_empty()
                fallback=move || view! { <p class="empty-state">{move || if filter.get().is_empty() { "No chats yet. Start one with the new chat button." } else { "No chat matches." }}</p> }
            >
                <ul class="chat-items" role="list">
                    <For each=visible key=|c| (c.id, c.rev, c.unread, c.last_seq, c.pinned, c.muted, c.archived, c.title.clone(), c.peer.as_ref().and_then(|p| p.avatar.clone())) let:conversation>
                        <ChatRow conversation/>
                    </For>
                </ul>
            </Show>
        </nav>
    }
}

#[component]
fn ChatRow(conversation: ConversationSummary) -> impl IntoView {
    let store = use_store();
    let id = conversation.id;
    let href = format!("/chat/{}", id.0);
    let is_open = move || store.open.get() == Some(id);
    let typing = move || store.typing.with(|t| t.get(&id).is_some_and(|users| users.values().any(|exp| *exp > time::now() as f64)));
    let me = store.my_id();
    let preview = conversation.last_message.clone().map(|m| {
        let mine = m.sender_id.is_some() && m.sender_id == me;
        let text = if m.deleted {
            "This message was deleted".to_owned()
        } else {
            crate::media::preview_text(&m.body, m.attachment.as_ref())
        };
        let tick = if mine && m.kind == MessageKind::Text {
            Some(store.threads.with_untracked(|t| t.get(&id).map_or(Tick::Sent, |th| th.tick(me.unwrap_or(shared::UserId(0)), m.seq))))
        } else {
            None
        };
        (text, tick, m.created_at)
    });
    let when = preview.as_ref().map(|(_, _, at)| time::short(*at, time::now())).unwrap_or_default();
    let unread = conversation.unread;
    let unread_text = (unread > 0).then(|| format!(", {unread} unread"));
    let (text, tick) = preview.map(|(t, k, _)| (t, k)).unwrap_or_default();
    view! {
        <li>
            <A href=href attr:class="chat-row" attr:aria-current=move || is_open().then_some("page")>
                <Avatar name=conversation.title.clone() image=conversation.peer.as_ref().and_then(|p| p.avatar.clone())/>
                <div class="chat-row-main">
                    <div class="chat-row-top">
                        <span class="chat-title">{conversation.title.clone()}{unread_text.map(|t| view! { <span class="visually-hidden">{t}</span> })}</span>
                        <span class="chat-time" class:unread={unread > 0}>{when}</span>
                    </div>
                    <div class="chat-row-bottom">
                        <span class="chat-preview">
                            {move || if typing() {
                                view! { <em class="typing">"typing…"</em> }.into_any()
                            } else {
                                view! {
                                    {tick.map(|t| view! { <super::message_bubble::Ticks tick=t/> })}
                                    <span>{text.clone()}</span>
                                }.into_any()
                            }}
                        </span>
                        {conversation.pinned.then(|| view! { <span class="chat-flag">"Pinned"</span> })}
                        {conversation.muted.then(|| view! { <span class="chat-flag">"Muted"</span> })}
                        {(unread > 0).then(|| view! { <span class="unread-badge" aria-hidden="true">{if unread >= 999 { "999+".to_owned() } else { unread.to_string() }}</span> })}
                    </div>
                </div>
            </A>
        </li>
    }
}
