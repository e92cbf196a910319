//! "Forward to…": pick up to five of my chats and send them copies of the chosen messages
//! (`messages/forward`). The copies come back over the socket like any message; the dialog
//! only says it is done.

use crate::components::{Avatar, use_toasts};
use crate::store::use_store;
use leptos::prelude::*;
use shared::limits::FORWARD_CHATS_MAX;
use shared::{ConversationId, MediaId, MessageId};

/// The messages being forwarded while the dialog is open; provided by the open conversation.
#[derive(Clone, Copy)]
pub struct Forwarding(pub RwSignal<Option<Vec<MessageId>>>);

pub fn provide_forwarding() -> Forwarding {
    let forwarding = Forwarding(RwSignal::new(None));
    provide_context(forwarding);
    forwarding
}

/// The open conversation's forwarding, if any (a bubble outside one has none).
pub fn use_forwarding() -> Option<Forwarding> {
    use_context::<Forwarding>()
}

#[component]
fn ForwardDialog(forwarding: Forwarding) -> impl IntoView {
    let store = use_store();
    let toasts = use_toasts();
    let query = RwSignal::new(String::new());
    let chosen = RwSignal::new(Vec::<(ConversationId, String)>::new());
    let busy = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let search_ref = NodeRef::<leptos::html::Input>::new();
    // Built lazily, so the box exists only after this frame.
    request_animation_frame(move || {
        if let Some(input) = search_ref.get_untracked() {
            let _ = input.focus();
        }
    });
    let count = forwarding.0.with_untracked(|ids| ids.as_ref().map_or(0, Vec::len));
    let title = if count == 1 { "Forward message".to_owned() } else { format!("Forward {count} messages") };
    let close = move || forwarding.0.set(None);

    let rows = move || {
        let needle = query.get().trim().to_lowercase();
        store.with_list(|list| {
            list.iter()
                .filter(|c| needle.is_empty() || c.title.to_lowercase().contains(&needle))
                .map(|c| (c.id, c.title.clone(), c.peer.as_ref().and_then(|p| p.avatar.clone())))
                .collect::<Vec<(ConversationId, String, Option<MediaId>)>>()
        })
    };
    let toggle = move |id: ConversationId, title: String| {
        chosen.update(|chosen| match chosen.iter().position(|(c, _)| *c == id) {
            Some(at) => {
                chosen.remove(at);
            }
            None if chosen.len() < FORWARD_CHATS_MAX => chosen.push((id, title)),
            None => {}
        });
    };
    let send = move || {
        let targets = chosen.get_untracked();
        let Some(ids) = forwarding.0.get_untracked() else { return };
        if targets.is_empty() || busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            let chats: Vec<ConversationId> = targets.iter().map(|(id, _)| *id).collect();
            match crate::messages::forward(ids, chats).await {
                Ok(_) => {
                    // Closing disposes this dialog: nothing of it is written after.
                    close();
                    toasts.info(match targets.as_slice() {
                        [(_, name)] => format!("Forwarded to {name}"),
                        many => format!("Forwarded to {} chats", many.len()),
                    });
                }
                Err(e) => {
                    busy.set(false);
                    error.set(Some(e.message().to_owned()));
                }
            }
        });
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" {
            ev.prevent_default();
            close();
        }
    };

    view! {
        <div class="dialog-backdrop" on:click=move |_| close()></div>
        <div class="forward-dialog" role="dialog" aria-modal="true" aria-labelledby="forward-title" on:keydown=on_keydown>
            <h2 id="forward-title">{title}</h2>
            <input type="search" class="forward-search" aria-label="Search chats" placeholder="Search chats"
                node_ref=search_ref prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))/>
            <ul class="forward-chats" aria-label="Chats">
                <For each=rows key=|(id, title, _)| (*id, title.clone()) let:row>
                    {
                        let (id, title, avatar) = row;
                        let label = title.clone();
                        let is_chosen = move || chosen.with(|c| c.iter().any(|(c, _)| *c == id));
                        let full = move || chosen.with(|c| c.len() >= FORWARD_CHATS_MAX);
                        view! {
                            <li>
                                <label class="forward-chat">
                                    <input type="checkbox" prop:checked=is_chosen
                                        disabled=move || full() && !is_chosen()
                                        on:change=move |_| toggle(id, label.clone())/>
                                    <Avatar name=title.clone() image=avatar/>
                                    <span class="forward-chat-name">{title}</span>
                                </label>
                            </li>
                        }
                    }
                </For>
            </ul>
            <p class="forward-chosen" aria-live="polite">
                {move || chosen.with(|c| match c.len() {
                    0 => format!("Choose up to {FORWARD_CHATS_MAX} chats"),
                    n => c.iter().map(|(_, name)| name.as_str()).collect::<Vec<_>>().join(", ")
                        + &if n == FORWARD_CHATS_MAX { format!(" (at most {FORWARD_CHATS_MAX})") } else { String::new() },
                })}
            </p>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <div class="dialog-actions">
                <button type="button" class="button secondary" on:click=move |_| close()>"Cancel"</button>
                <button type="button" class="button primary" disabled=move || busy.get() || chosen.with(Vec::is_empty)
                    on:click=move |_| send()>"Forward"</button>
            </div>
        </div>
    }
}

/// The dialog, loaded with its first opening (see `OnDemand`).
#[lazy]
pub fn forward_dialog(forwarding: Forwarding) -> AnyView {
    view! { <ForwardDialog forwarding/> }.into_any()
}
