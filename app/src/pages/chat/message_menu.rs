//! A message's menu: every action on one message, reachable the same way with a mouse (right
//! click, or the chevron), a finger (long press; on a phone it is a bottom sheet) and the
//! keyboard (Enter or the context-menu key on a focused message; arrows, Home, End, Esc).

use super::message_bubble::ComposeMode;
use crate::components::{Confirm, Icon, Question, icon};
use leptos::prelude::*;
use shared::{ConversationId, MessageId, MessageView, limits};

/// What a long press is: a finger held this long without moving.
pub const LONG_PRESS_MS: u64 = 500;
/// How far a finger may wander before a press becomes a scroll.
const SLOP_PX: i32 = 10;
/// A swipe to the right this far (and mostly sideways) replies.
const SWIPE_PX: i32 = 64;
/// A click on the backdrop this soon after the menu opened is the opening press lifting.
const GHOST_CLICK_MS: i64 = 400;

/// What the menu offers for one message.
#[derive(Clone)]
pub struct MenuItems {
    pub message: MessageView,
    pub mine: bool,
    pub editable: bool,
    pub with_info: bool,
}

/// The reactions offered at the top of the menu.
pub const QUICK_REACTIONS: [&str; 6] = ["👍", "❤️", "😂", "😮", "😢", "🙏"];

/// Every item of the menu, for the arrow keys.
const ITEMS: &str = "[role=menuitem], [role=menuitemradio]";

/// Sets my reaction to `id` (or removes it with `None`); the answer goes into the store at
/// once, the push that follows changes nothing more.
pub fn set_reaction(store: crate::store::ChatStore, id: MessageId, emoji: Option<String>) {
    let toasts = crate::components::use_toasts();
    leptos::task::spawn_local(async move {
        match crate::messages::react(id, emoji).await {
            Ok(message) => {
                store.apply(&shared::frames::ServerFrame::MessageUpdated { message }, 0.0);
            }
            Err(e) => toasts.error(format!("The reaction was not saved: {}", e.message())),
        }
    });
}

/// Stars or unstars `id` for me; the answer goes into the store at once.
pub fn set_star(store: crate::store::ChatStore, id: MessageId, starred: bool) {
    let toasts = crate::components::use_toasts();
    leptos::task::spawn_local(async move {
        match crate::messages::star(id, starred).await {
            Ok(mark) => {
                store.apply_marks(&[mark]);
            }
            Err(e) => toasts.error(format!("The star was not saved: {}", e.message())),
        }
    });
}

/// Asks before deleting a message for me alone, then hides it on all my devices.
pub fn delete_for_me(confirm: Confirm, store: crate::store::ChatStore, conversation: ConversationId, id: MessageId) {
    let toasts = crate::components::use_toasts();
    confirm.ask(Question {
        title: "Delete message for you?",
        detail: "It is removed from your devices only; others in the chat still see it.",
        confirm: "Delete for me",
        on_confirm: std::sync::Arc::new(move || {
            leptos::task::spawn_local(async move {
                match crate::messages::hide(conversation, vec![id]).await {
                    Ok(marks) => {
                        store.apply_marks(&marks);
                    }
                    Err(e) => toasts.error(format!("The message was not deleted: {}", e.message())),
                }
            });
        }),
    });
}

/// Whether a message sent at `sent_at` can still be edited, by this browser's clock (the
/// server decides with its own; the menu only hides what it would refuse).
pub fn can_edit(sent_at: i64) -> bool {
    limits::within(limits::EDIT_WINDOW_MS, sent_at, super::time::now())
}

/// Whether a message sent at `sent_at` can still be deleted for everyone.
pub fn can_delete_for_everyone(sent_at: i64) -> bool {
    limits::within(limits::DELETE_WINDOW_MS, sent_at, super::time::now())
}

/// Starts editing `message`, or says why it can no longer be edited.
pub fn start_edit(mode: RwSignal<ComposeMode>, message: MessageView) {
    if can_edit(message.created_at) {
        mode.set(ComposeMode::Edit(message));
    } else {
        crate::components::use_toasts().error("Messages can be edited for 15 minutes after they are sent.");
    }
}

/// Asks before deleting a message for everyone, then deletes it; one sent more than 48 hours
/// ago is refused at once, as the server would.
pub fn delete_for_everyone(confirm: Confirm, id: MessageId, sent_at: i64) {
    let toasts = crate::components::use_toasts();
    if !can_delete_for_everyone(sent_at) {
        toasts
            .error("Messages can be deleted for everyone for 48 hours after they are sent. Delete it for you instead.");
        return;
    }
    confirm.ask(Question {
        title: "Delete message?",
        detail: "It is deleted for everyone in this chat.",
        confirm: "Delete for everyone",
        on_confirm: std::sync::Arc::new(move || {
            leptos::task::spawn_local(async move {
                if let Err(e) = crate::messages::delete_message(id).await {
                    toasts.error(format!("The message was not deleted: {}", e.message()));
                }
            });
        }),
    });
}

/// The menu itself, shown while `open` is true. Focus moves to its first item on opening and
/// back to `bubble` on closing.
#[component]
fn MessageMenu(
    items: MenuItems,
    open: RwSignal<bool>,
    mode: RwSignal<ComposeMode>,
    show_info: RwSignal<bool>,
    confirm: Confirm,
    bubble: NodeRef<leptos::html::Div>,
) -> impl IntoView {
    let menu_ref = NodeRef::<leptos::html::Div>::new();
    let toasts = crate::components::use_toasts();
    // When it opened: the click a browser may synthesise as the long-pressing finger lifts
    // lands on the backdrop, and must not close the menu it just opened.
    let opened_at = StoredValue::new(0_i64);
    Effect::new(move |_| {
        if open.get()
            && let Some(menu) = menu_ref.get()
        {
            opened_at.set_value(super::time::now());
            // Loaded on demand, the menu is built before it is in the document: focus once
            // it is.
            request_animation_frame(move || crate::browser::move_focus(&menu, "[role=menuitem]", Some(0)));
        }
    });
    let close = move || {
        open.set(false);
        if let Some(bubble) = bubble.get_untracked() {
            let _ = bubble.focus();
        }
    };
    let on_keydown = move |ev: leptos::ev::KeyboardEvent| {
        let Some(menu) = menu_ref.get_untracked() else { return };
        let step = match ev.key().as_str() {
            "ArrowDown" => Some(Some(1)),
            "ArrowUp" => Some(Some(-1)),
            "Home" => Some(Some(0)),
            "End" => Some(None),
            "Escape" | "Tab" => {
                ev.prevent_default();
                close();
                return;
            }
            _ => None,
        };
        if let Some(step) = step {
            ev.prevent_default();
            crate::browser::move_focus(&menu, ITEMS, step);
        }
    };
    let MenuItems { message, mine, editable, with_info } = items;
    let store = crate::store::use_store();
    let my_reaction = store.my_id().and_then(|me| message.reaction_of(me).map(str::to_owned));
    let deleted = message.deleted;
    let has_text = !deleted && !message.body.is_empty();
    let id = message.id;
    let conversation = message.conversation_id;
    // Read when the menu opens (it is built then): an item the server would refuse is left out.
    let sent_at = message.created_at;
    let editable = editable && can_edit(sent_at);
    let deletable = mine && can_delete_for_everyone(sent_at);
    let starred = store.is_starred_untracked(conversation, id);
    let body = message.body.clone();
    let reply_to = message.clone();
    let edit_this = message;
    // Each item does its thing and closes the menu.
    let item = move |label: &'static str, path: &'static str, danger: bool, run: Callback<()>| {
        view! {
            <button type="button" role="menuitem" class="menu-item" class:danger=danger
                on:click=move |_| {
                    open.set(false);
                    run.run(());
                }>
                <Icon path/>
                <span>{label}</span>
            </button>
        }
    };
    let reply = Callback::new(move |()| mode.set(ComposeMode::Reply(reply_to.clone())));
    let copy = Callback::new(move |()| {
        let body = body.clone();
        leptos::task::spawn_local(async move {
            if !crate::browser::copy_text(body).await {
                toasts.error("The browser did not allow copying.");
            }
        });
    });
    let info = Callback::new(move |()| show_info.update(|v| *v = !*v));
    let edit = Callback::new(move |()| start_edit(mode, edit_this.clone()));
    let delete = Callback::new(move |()| delete_for_everyone(confirm, id, sent_at));
    let forwarding = super::forward_dialog::use_forwarding();
    let forwardable = !deleted && forwarding.is_some();
    let forward = Callback::new(move |()| {
        if let Some(forwarding) = forwarding {
            forwarding.0.set(Some(vec![id]));
        }
    });
    let star = Callback::new(move |()| set_star(store, id, !starred));
    let hide = Callback::new(move |()| delete_for_me(confirm, store, conversation, id));
    let (star_label, star_icon) = if starred { ("Unstar", icon::STAR_OFF) } else { ("Star", icon::STAR) };
    view! {
        <Show when=move || open.get()>
            <div class="menu-backdrop" on:click=move |_| {
                if super::time::now() - opened_at.get_value() > GHOST_CLICK_MS {
                    close();
                }
            }></div>
            <div class="message-menu" role="menu" aria-label="Message actions" node_ref=menu_ref on:keydown=on_keydown>
                {(!deleted).then(|| view! {
                <div class="reaction-bar" role="group" aria-label="React">
                    {QUICK_REACTIONS.map(|emoji| {
                        let chosen = my_reaction.as_deref() == Some(emoji);
                        view! {
                            <button type="button" role="menuitemradio" class="reaction-choice" aria-checked=chosen.to_string()
                                aria-label=format!("React with {emoji}")
                                on:click=move |_| {
                                    open.set(false);
                                    // Tapping my reaction again takes it back.
                                    set_reaction(store, id, (!chosen).then(|| emoji.to_owned()));
                                }>{emoji}</button>
                        }
                    })}
                </div>
                })}
                {(!deleted).then(|| item("Reply", icon::REPLY, false, reply))}
                {has_text.then(|| item("Copy", icon::COPY, false, copy))}
                {forwardable.then(|| item("Forward", icon::FORWARD, false, forward))}
                {(!deleted || starred).then(|| item(star_label, star_icon, false, star))}
                {(mine && with_info && !deleted).then(|| item("Message info", icon::INFO, false, info))}
                {(editable && !deleted).then(|| item("Edit", icon::EDIT, false, edit))}
                {item("Delete for me", icon::DELETE, true, hide)}
                {(deletable && !deleted).then(|| item("Delete for everyone", icon::DELETE, true, delete))}
            </div>
        </Show>
    }
}

/// A touch on a bubble, followed from `pointerdown` to `pointerup`: a long press opens the
/// menu, a swipe to the right replies.
#[derive(Default)]
pub struct Press {
    start: Option<(i32, i32)>,
    timer: Option<TimeoutHandle>,
    done: bool,
}

impl Press {
    /// A finger (or pen) went down; mouse buttons are left to click and right-click.
    pub fn down(&mut self, ev: &leptos::ev::PointerEvent, open: RwSignal<bool>) {
        self.cancel();
        if ev.pointer_type() == "mouse" {
            return;
        }
        self.start = Some((ev.client_x(), ev.client_y()));
        self.done = false;
        self.timer =
            set_timeout_with_handle(move || open.set(true), std::time::Duration::from_millis(LONG_PRESS_MS)).ok();
    }

    /// The finger moved: past the slop it is no long press; far enough right it is a reply.
    /// Returns true when this move made it a swipe.
    pub fn moved(&mut self, ev: &leptos::ev::PointerEvent) -> bool {
        let Some((x, y)) = self.start else { return false };
        let (dx, dy) = (ev.client_x() - x, ev.client_y() - y);
        if dx.abs() > SLOP_PX || dy.abs() > SLOP_PX {
            self.stop_timer();
        }
        if !self.done && dx > SWIPE_PX && dy.abs() < dx / 2 {
            self.done = true;
            return true;
        }
        false
    }

    pub fn cancel(&mut self) {
        self.stop_timer();
        self.start = None;
    }

    fn stop_timer(&mut self) {
        if let Some(timer) = self.timer.take() {
            timer.clear();
        }
    }
}

/// The menu, loaded with the first menu opened (see `OnDemand`).
#[lazy]
pub fn message_menu(
    items: MenuItems,
    open: RwSignal<bool>,
    mode: RwSignal<ComposeMode>,
    show_info: RwSignal<bool>,
    confirm: Confirm,
    bubble: NodeRef<leptos::html::Div>,
) -> AnyView {
    view! { <MessageMenu items open mode show_info confirm bubble/> }.into_any()
}
