//! The composer: Enter sends, Shift+Enter breaks the line, Up on an empty box edits my last
//! message, Esc cancels a reply or edit. Drafts are kept per chat. Typing is announced at most
//! every three seconds. Once the page is live it also offers the paperclip and, while the box
//! is empty, the microphone (the recording bar then takes the text row's place).

use super::attach::AttachButton;
use super::emoji_picker::emoji_picker;
use super::message_bubble::ComposeMode;
use super::voice_recorder::{MicButton, RecordingBar, VoiceRecording};
use crate::components::OnDemand;
use crate::messages::edit_message;
use crate::realtime::use_connection;
use crate::store::use_store;
use leptos::prelude::*;
use shared::frames::ClientFrame;
use shared::limits::MESSAGE_MAX_CHARS;
use shared::{ConversationId, MessageKind};

const TYPING_EVERY_MS: f64 = 3000.0;

#[component]
pub fn Composer(id: ConversationId, mode: RwSignal<ComposeMode>) -> impl IntoView {
    let tasks = crate::tasks::Tasks::new();
    let store = use_store();
    let connection = use_connection();
    let drafts = store.drafts;
    let text = RwSignal::new(drafts.with_value(|d| d.get(&id).cloned()).unwrap_or_default());
    // A failed plain-form send comes back as `?error=<code>`.
    let query = leptos_router::hooks::use_query_map();
    let error = RwSignal::new(query.with_untracked(|q| {
        q.get("error").map(|_| "That message could not be sent: it must be 1 to 4096 characters.".to_owned())
    }));
    let last_typing = StoredValue::new(0.0f64);
    let input_ref = NodeRef::<leptos::html::Textarea>::new();
    let show_emoji = RwSignal::new(false);
    let voice = VoiceRecording::new(id, mode, error, store, connection);
    // Browser-only controls appear after hydration; the server-rendered form keeps its Send.
    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let show_mic =
        move || hydrated.get() && text.with(|t| t.trim().is_empty()) && !matches!(mode.get(), ComposeMode::Edit(_));
    let close_picker = Callback::new(move |()| show_emoji.set(false));
    let pick = Callback::new(move |emoji: String| {
        text.update(|t| t.push_str(&emoji));
        if let Some(el) = input_ref.get_untracked() {
            let _ = el.focus();
        }
    });

    Effect::new(move |_| {
        let value = text.get();
        drafts.update_value(|d| {
            d.insert(id, value);
        });
    });
    // Entering edit mode puts the message's text in the box.
    Effect::new(move |_| {
        if let ComposeMode::Edit(message) = mode.get() {
            text.set(message.body.clone());
        }
        if let Some(el) = input_ref.get_untracked() {
            let _ = el.focus();
        }
    });

    let submit = move || {
        let body = text.get_untracked();
        if let Err(e) = shared::validate::message_text(&body) {
            if !body.trim().is_empty() {
                error.set(Some(e.message));
            }
            return;
        }
        error.set(None);
        match mode.get_untracked() {
            ComposeMode::Edit(message) => {
                let id = message.id;
                tasks.spawn(async move {
                    match edit_message(id, body).await {
                        Ok(_) => {
                            text.set(String::new());
                            mode.set(ComposeMode::New);
                        }
                        Err(e) => error.set(Some(e.message().to_owned())),
                    }
                });
            }
            current => {
                let reply_to = match current {
                    ComposeMode::Reply(m) => Some(m.id),
                    _ => None,
                };
                super::send::send_message(store, connection, id, body, reply_to, None);
                // A send clears the peer's "typing…": the next keystroke must announce again.
                last_typing.set_value(0.0);
                text.set(String::new());
                mode.set(ComposeMode::New);
            }
        }
    };

    let edit_last = move || {
        let me = store.my_id();
        let last = store
            .with_thread_untracked(id, |th| {
                th.messages
                    .values()
                    .rev()
                    .find(|m| m.sender_id == me && !m.deleted && m.kind == MessageKind::Text && !m.body.is_empty())
                    .filter(|m| super::message_menu::can_edit(m.created_at))
                    .cloned()
            })
            .flatten();
        if let Some(message) = last {
            mode.set(ComposeMode::Edit(message));
        }
    };

    let on_keydown = move |ev: leptos::ev::KeyboardEvent| match ev.key().as_str() {
        "Enter" if !ev.shift_key() && !ev.is_composing() => {
            ev.prevent_default();
            submit();
        }
        "Escape" if mode.get_untracked() != ComposeMode::New => {
            ev.prevent_default();
            if matches!(mode.get_untracked(), ComposeMode::Edit(_)) {
                text.set(String::new());
            }
            mode.set(ComposeMode::New);
        }
        "ArrowUp" if text.with_untracked(String::is_empty) => {
            ev.prevent_default();
            edit_last();
        }
        _ => {}
    };

    let on_input = move |ev| {
        text.set(event_target_value(&ev));
        let now = super::time::now() as f64;
        if now - last_typing.get_value() > TYPING_EVERY_MS {
            last_typing.set_value(now);
            connection.send(ClientFrame::Typing { conversation_id: id });
        }
    };

    let banner = move || match mode.get() {
        ComposeMode::New => None,
        ComposeMode::Reply(m) => Some((
            "Replying to",
            if m.deleted { String::new() } else { crate::media::preview_text(&m.body, m.attachment.as_ref()) },
            "Cancel reply",
        )),
        ComposeMode::Edit(m) => Some(("Editing", m.body.clone(), "Cancel edit")),
    };

    view! {
        <footer class="composer">
            {move || banner().map(|(what, quoted, cancel)| view! {
                <div class="compose-banner">
                    <div><strong>{what}</strong><span class="quoted">{quoted}</span></div>
                    <button type="button" class="icon-button" aria-label=cancel
                        on:click=move |_| {
                            if matches!(mode.get_untracked(), ComposeMode::Edit(_)) {
                                text.set(String::new());
                            }
                            mode.set(ComposeMode::New);
                        }>"×"</button>
                </div>
            })}
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            // Without WASM this is a plain form post to `messages/send_form`; once live, the
            // submit goes through the outbox and the socket instead.
            <Show when=move || show_emoji.get()>
                <OnDemand view=move || Box::pin(emoji_picker(pick, close_picker))/>
            </Show>
            <Show when=move || !voice.active() fallback=move || view! { <RecordingBar voice/> }>
            <form class="compose-row" method="post" action="/api/messages/send_form" on:submit=move |ev| {
                ev.prevent_default();
                submit();
            }>
                <input type="hidden" name="conversation_id" value=id.0/>
                <input type="hidden" name="client_msg_id" value=crate::messages::new_client_msg_id()/>
                <button type="button" class="icon-button emoji-toggle" aria-label="Emoji" aria-expanded=move || show_emoji.get().to_string()
                    on:click=move |_| show_emoji.update(|v| *v = !*v)>
                    <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true"><path fill="currentColor" d="M12 2a10 10 0 1 0 0 20 10 10 0 0 0 0-20zm0 18a8 8 0 1 1 0-16 8 8 0 0 1 0 16zm-3.5-9a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zm7 0a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3zM12 17.5a5.5 5.5 0 0 0 5.1-3.5H6.9a5.5 5.5 0 0 0 5.1 3.5z"/></svg>
                </button>
                {move || hydrated.get().then(|| view! { <AttachButton/> })}
                <label for="composer-input" class="visually-hidden">"Message"</label>
                <textarea id="composer-input" name="body" node_ref=input_ref rows="1" placeholder="Type a message" required
                    maxlength=MESSAGE_MAX_CHARS.to_string() prop:value=text on:input=on_input on:keydown=on_keydown></textarea>
                <Show when=show_mic fallback=move || view! {
                    <button type="submit" class="send-button" aria-label=move || if matches!(mode.get(), ComposeMode::Edit(_)) { "Save edit" } else { "Send" }>
                        <svg viewBox="0 0 24 24" width="24" height="24" aria-hidden="true"><path fill="currentColor" d="M2 21l21-9L2 3v7l15 2-15 2z"/></svg>
                    </button>
                }>
                    <MicButton voice/>
                </Show>
            </form>
            </Show>
        </footer>
    }
}
