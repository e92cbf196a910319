//! One message: a bubble with its quote, attachment, text (the caption, for attachments), time,
//! edited mark and ticks, and its actions.

use super::attachment_view::AttachmentView;
use super::message_menu::{MenuItems, Press, delete_for_everyone, message_menu, set_reaction, start_edit};
use super::time;
use crate::components::{Icon, OnDemand, RichText, icon, use_confirm};
use crate::store::{Outgoing, use_store};
use leptos::prelude::*;
use shared::{MessageKind, MessageView, Tick};

/// What the composer is doing besides writing a new message.
#[derive(Clone, Debug, PartialEq)]
pub enum ComposeMode {
    New,
    Reply(MessageView),
    Edit(MessageView),
}

#[component]
pub fn Ticks(tick: Tick) -> impl IntoView {
    let (label, class, double) = match tick {
        Tick::Pending => ("Sending", "tick pending", false),
        Tick::Sent => ("Sent", "tick sent", false),
        Tick::Delivered => ("Delivered", "tick delivered", true),
        Tick::Read => ("Read", "tick read", true),
    };
    view! {
        <span class=class role="img" aria-label=label title=label>
            {if tick == Tick::Pending {
                view! { <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true"><circle cx="8" cy="8" r="6.5" fill="none" stroke="currentColor" stroke-width="1.5"/><path d="M8 4.5V8l2.5 1.5" fill="none" stroke="currentColor" stroke-width="1.5"/></svg> }.into_any()
            } else if double {
                view! { <svg viewBox="0 0 18 12" width="18" height="12" aria-hidden="true"><path d="M1 6.5l3 3L11 2.5M7 9.5l1 0.5L17 2" fill="none" stroke="currentColor" stroke-width="1.6"/></svg> }.into_any()
            } else {
                view! { <svg viewBox="0 0 14 12" width="14" height="12" aria-hidden="true"><path d="M1.5 6.5l3 3L12.5 2" fill="none" stroke="currentColor" stroke-width="1.6"/></svg> }.into_any()
            }}
        </span>
    }
}

/// Only emoji (and spaces), few of them: shown large.
fn only_emoji(text: &str) -> bool {
    let chars: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    !chars.is_empty()
        && chars.len() <= 8
        && chars.iter().all(|c| {
            let c = *c as u32;
            (0x1F000..=0x1FAFF).contains(&c)
                || (0x2600..=0x27BF).contains(&c)
                || c == 0x200D
                || (0xFE00..=0xFE0F).contains(&c)
        })
}

#[component]
pub fn MessageBubble(
    message: MessageView,
    sender_name: Option<String>,
    /// Who sent it ("You", or their name), read out before the text when `sender_name` is not
    /// shown, so a screen-reader user hears who wrote each message in a one-to-one chat too.
    #[prop(default = None)]
    author: Option<String>,
    mode: RwSignal<ComposeMode>,
    /// Offer "Message info" (who received and read it): my messages in groups.
    #[prop(default = false)]
    with_info: bool,
    /// The chat's members' names, for who reacted.
    #[prop(optional)]
    names: Option<Memo<std::collections::HashMap<shared::UserId, String>>>,
) -> impl IntoView {
    let store = use_store();
    let me = store.my_id();
    let mine = message.sender_id.is_some() && message.sender_id == me;
    let conversation = message.conversation_id;
    let seq = message.seq;
    if message.kind == MessageKind::System {
        return view! { <li class="system-message" id=format!("m{seq}")><span>{message.body.clone()}</span></li> }
            .into_any();
    }
    // A memo on the thread's members: a receipt recomputes every tick, and changes the DOM of
    // the bubbles whose tick moved.
    let tick = Memo::new(move |_| store.tick(conversation, seq));
    let quote = message.reply_to.clone().map(|reply| {
        let target = format!("#m{}", reply.seq);
        let text = if reply.deleted {
            "This message was deleted".to_owned()
        } else if reply.body.is_empty() {
            quoted_attachment(store, conversation, reply.seq)
        } else {
            reply.body.clone()
        };
        // The name holds the visible text, so speech input ("click Hello Bob") finds it.
        let label = format!("Go to the quoted message: {text}");
        view! {
            <a class="quote" href=target aria-label=label
                on:click=move |ev| {
                    ev.prevent_default();
                    super::conversation::scroll_to_message(reply.seq);
                }>
                {text}
            </a>
        }
    });
    let deleted = message.deleted;
    let attachment = message.attachment.clone().filter(|_| !deleted);
    let has_media = attachment.is_some();
    let caption = message.body.clone();
    let show_text = deleted || !message.body.is_empty();
    let editable = mine && !message.body.is_empty();
    let big = !deleted && !has_media && only_emoji(&message.body);
    let at = time::clock(message.created_at);
    let edited = message.edited_at.is_some() && !deleted;
    let forwarded = message.forwarded && !deleted;
    let reply_to = message.clone();
    let edit_this = message.clone();
    let delete_id = message.id;
    let sent_at = message.created_at;
    let show_info = RwSignal::new(false);
    let menu_open = RwSignal::new(false);
    let confirm = use_confirm();
    let bubble_ref = NodeRef::<leptos::html::Div>::new();
    let press = StoredValue::new(Press::default());
    let menu_items = MenuItems { message: message.clone(), mine, editable, with_info };
    let swipe_reply = message.clone();
    // The bubble itself takes the keyboard and the finger: Enter or the context-menu key on
    // the focused bubble, a right click or a long press open the menu; a swipe right replies.
    // (A deleted message keeps its menu: it can still be deleted for me, or unstarred.)
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let on_bubble = ev.target().is_some_and(|t| ev.current_target().is_some_and(|c| c == t));
        let key = ev.key();
        if on_bubble && (key == "Enter" || key == "ContextMenu" || (key == "F10" && ev.shift_key())) {
            ev.prevent_default();
            menu_open.set(true);
        }
    };
    let on_contextmenu = move |ev: leptos::ev::MouseEvent| {
        ev.prevent_default();
        press.update_value(Press::cancel);
        menu_open.set(true);
    };
    let on_pointerdown = move |ev: leptos::ev::PointerEvent| {
        press.update_value(|p| p.down(&ev, menu_open));
    };
    let on_pointermove = move |ev: leptos::ev::PointerEvent| {
        let swiped = press.try_update_value(|p| p.moved(&ev)).unwrap_or(false);
        if swiped && !deleted {
            mode.set(ComposeMode::Reply(swipe_reply.clone()));
        }
    };
    let on_pointerend = move |_: leptos::ev::PointerEvent| press.update_value(Press::cancel);
    // Reactions under the text: one chip per emoji with its count; mine is pressed, and
    // tapping a chip sets (or, if mine, takes back) that reaction.
    let reactions = (!deleted).then(|| message.reaction_groups()).filter(|g| !g.is_empty()).map(|groups| {
        let name_of = move |user: &shared::UserId| {
            if Some(*user) == me {
                "You".to_owned()
            } else {
                names.and_then(|n| n.with_untracked(|n| n.get(user).cloned())).unwrap_or_else(|| "Someone".to_owned())
            }
        };
        let chips = groups
            .into_iter()
            .map(|(emoji, users)| {
                let chosen = me.is_some_and(|me| users.contains(&me));
                let who = users.iter().map(name_of).collect::<Vec<_>>().join(", ");
                let label = format!("{emoji} {}: {who}", users.len());
                let count = users.len();
                let choice = emoji.clone();
                view! {
                    <li>
                        <button type="button" class="reaction-chip" class:mine=chosen aria-pressed=chosen.to_string()
                            aria-label=label title=who
                            on:click=move |_| set_reaction(store, delete_id, (!chosen).then(|| choice.clone()))>
                            <span aria-hidden="true">{emoji}</span>
                            <span class="count" aria-hidden="true">{count}</span>
                        </button>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="reactions" aria-label="Reactions">{chips}</ul> }
    });
    let info = move || {
        store.with_members(conversation, |members| {
            let others = members.iter().filter(|m| Some(m.user.id) != me);
            let (mut read, mut delivered) = (Vec::new(), Vec::new());
            for m in others {
                if m.read_seq >= seq {
                    read.push(m.user.display_name.clone());
                } else if m.delivered_seq >= seq {
                    delivered.push(m.user.display_name.clone());
                }
            }
            (read, delivered)
        })
    };
    view! {
        <li class="message" class:mine=mine class:theirs=!mine id=format!("m{seq}") data-seq=seq>
            <div class="bubble" class:deleted=deleted class:big-emoji=big class:has-media=has_media node_ref=bubble_ref
                tabindex="0" on:keydown=on_keydown on:contextmenu=on_contextmenu on:pointerdown=on_pointerdown
                on:pointermove=on_pointermove on:pointerup=on_pointerend on:pointercancel=on_pointerend>
                <button type="button" class="menu-chevron" aria-label="Message actions" aria-haspopup="menu"
                    aria-expanded=move || menu_open.get().to_string()
                    on:click=move |_| menu_open.update(|o| *o = !*o)><Icon path=icon::CHEVRON_DOWN/></button>
                {match (mine, sender_name) {
                    (false, Some(name)) => view! { <span class="sender">{name}</span> }.into_any(),
                    _ => author.map(|a| view! { <span class="visually-hidden">{format!("{a}: ")}</span> }).into_any(),
                }}
                {forwarded.then(|| view! {
                    <span class="forwarded"><Icon path=icon::FORWARD/>"Forwarded"</span>
                })}
                {quote}
                {attachment.map(|attachment| view! { <AttachmentView attachment caption/> })}
                {show_text.then(|| if deleted {
                    view! { <p class="text">"This message was deleted"</p> }.into_any()
                } else {
                    view! { <RichText body=message.body.clone()/> }.into_any()
                })}
                <span class="meta">
                    {edited.then(|| view! { <span class="edited">"edited"</span> })}
                    {move || store.is_starred(conversation, delete_id).then(|| view! {
                        <span class="starred" role="img" aria-label="Starred"><Icon path=icon::STAR/></span>
                    })}
                    <time>{at}</time>
                    {mine.then(|| view! { {move || view! { <Ticks tick=tick.get()/> }} })}
                </span>
                {reactions}
            </div>
            {(!deleted).then(|| view! {
                <div class="message-actions">
                    <button type="button" class="action" aria-label="Reply" title="Reply"
                        on:click=move |_| mode.set(ComposeMode::Reply(reply_to.clone()))>"↩"</button>
                    {(mine && with_info).then(|| view! {
                        <button type="button" class="action" aria-label="Message info" title="Message info"
                            aria-expanded=move || show_info.get().to_string()
                            on:click=move |_| show_info.update(|v| *v = !*v)>"i"</button>
                    })}
                    {editable.then(|| view! {
                        <button type="button" class="action" aria-label="Edit" title="Edit"
                            on:click=move |_| start_edit(mode, edit_this.clone())>"✎"</button>
                    })}
                    {mine.then(|| view! {
                        <button type="button" class="action" aria-label="Delete" title="Delete for everyone"
                            on:click=move |_| delete_for_everyone(confirm, delete_id, sent_at)>"✕"</button>
                    })}
                </div>
            })}
            // Built when first opened, not with every bubble: hydrating a long thread
            // creates no menus.
            <Show when=move || menu_open.get()>
                <OnDemand view={
                    let items = menu_items.clone();
                    move || Box::pin(message_menu(items.clone(), menu_open, mode, show_info, confirm, bubble_ref))
                }/>
            </Show>
            <Show when=move || show_info.get()>
                <div class="message-info" role="region" aria-label="Message info">
                    {move || {
                        let (read, delivered) = info();
                        view! {
                            <p><strong>"Read by: "</strong>{if read.is_empty() { "nobody yet".to_owned() } else { read.join(", ") }}</p>
                            <p><strong>"Delivered to: "</strong>{if delivered.is_empty() { "—".to_owned() } else { delivered.join(", ") }}</p>
                        }
                    }}
                </div>
            </Show>
        </li>
    }
    .into_any()
}

/// A message still in the outbox: shown with a clock, or with its error and retry/discard.
#[component]
pub fn PendingBubble(item: Outgoing) -> impl IntoView {
    let store = use_store();
    let id = item.client_msg_id.clone();
    let failed = item.error.clone();
    let has_media = item.attachment.is_some();
    let caption = item.body.clone();
    view! {
        <li class="message mine pending" data-client-id=item.client_msg_id.clone()>
            <div class="bubble" class:has-media=has_media>
                {item.attachment.clone().map(|attachment| view! { <AttachmentView attachment caption/> })}
                {(!item.body.is_empty()).then(|| view! { <RichText body=item.body.clone()/> })}
                <span class="meta"><Ticks tick=Tick::Pending/></span>
                {failed.map(|error| view! {
                    <p class="send-error" role="alert">"Not sent: " {error}
                        <button type="button" class="link-button" on:click=move |_| store.discard(&id)>"Discard"</button>
                    </p>
                })}
            </div>
        </li>
    }
}

/// What a quote says about a message that had no text: its attachment, if it is loaded.
fn quoted_attachment(store: crate::store::ChatStore, conversation: shared::ConversationId, seq: shared::Seq) -> String {
    store
        .message_untracked(conversation, seq)
        .and_then(|m| m.attachment.as_ref().map(|a| crate::media::preview_text("", Some(a))))
        .unwrap_or_else(|| "Attachment".to_owned())
}
