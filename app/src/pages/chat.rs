//! The chat: the chat list on the left, the open conversation on the right (one pane at a time
//! on phones). The server only renders it for a logged-in session, and renders it whole
//! (chat list and latest messages) so it reads before, or without, the WASM.

mod account_deletion;
mod attach;
mod attach_sheet;
mod attachment_view;
mod chat_list;
mod composer;
mod contact_info;
mod conversation;
mod document_card;
mod emoji_picker;
mod forward_dialog;
mod group_info;
mod image_viewer;
mod message_bubble;
mod message_menu;
mod new_chat;
mod privacy_settings;
mod profile_panel;
mod search_panel;
mod send;
mod settings_panel;
mod starred_panel;
mod time;
mod voice_player;
mod voice_recorder;

use crate::accounts::current_user;
use crate::components::{Avatar, BrandMark, ConnectionBadge, Icon, LogoutButton, OnDemand, ThemeToggle, icon};
use crate::conversations::list_conversations;
use crate::realtime::use_connection;
use crate::store::{Identity, use_store};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::components::{Outlet, Redirect};
use shared::{ErrorCode, Me};

pub use conversation::ConversationPane;

/// Which overlay the sidebar shows instead of the chat list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SidebarView {
    Chats,
    NewChat,
    NewGroup,
    Search,
    Starred,
    Profile,
    Settings,
}

#[component]
pub fn Chat() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    view! {
        <Suspense fallback=|| view! { <div class="chat-shell"><ShellSkeleton/></div> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(me) => view! { <Shell me/> }.into_any(),
                    Err(e) if e.code() == ErrorCode::Unauthorized => view! { <Redirect path="/login"/> }.into_any(),
                    Err(e) => view! {
                        <main class="shell-error" role="alert">
                            <p>{e.message().to_owned()}</p>
                            <a class="button primary" href="/chat">"Try again"</a>
                        </main>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Shell(me: Me) -> impl IntoView {
    let store = use_store();
    if store.set_me(me.clone()) == Identity::Changed {
        // This page belonged to someone else: start afresh as the new person.
        crate::browser::leave_page("/chat");
    }
    let connection = use_connection();
    // The socket is browser-only: start it once the page is live.
    Effect::new(move |_| connection.start(store));
    let sidebar = RwSignal::new(SidebarView::Chats);
    provide_context(sidebar);
    // One yes/no dialog for the whole page: menus in the chat and panels in the sidebar ask.
    crate::components::provide_confirm();
    // The first list comes with the page (server-rendered); later refreshes, asked for by the
    // socket through `list_version`, are fetched outside rendering and written to the store.
    let list = Resource::new(|| (), |_| list_conversations(None, None));
    let seeded = StoredValue::new(false);
    Effect::new(move |previous: Option<u64>| {
        let version = store.list_version.get();
        if previous.is_some() {
            spawn_local(async move {
                if let Ok(fresh) = list_conversations(None, None).await {
                    store.set_list(fresh);
                }
            });
        }
        version
    });
    let has_open = move || store.open.get().is_some();
    // Ctrl/Cmd+K finds a chat; Esc closes whatever panel covers the chat list.
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if (ev.ctrl_key() || ev.meta_key()) && ev.key().eq_ignore_ascii_case("k") {
            ev.prevent_default();
            if sidebar.get_untracked() != SidebarView::Chats {
                sidebar.set(SidebarView::Chats);
            }
            // After the list (re)renders.
            request_animation_frame(|| focus_element("chat-filter"));
        } else if ev.key() == "Escape" && sidebar.get_untracked() != SidebarView::Chats {
            sidebar.set(SidebarView::Chats);
        }
    });
    on_cleanup(move || keys.remove());
    // The tab title counts unread messages (muted chats excluded). leptos_meta reads the title
    // while the server streams the page, outside the request's reactive arena (and maybe on
    // another worker thread), where reading the store's arena signals panics: the title reads
    // a reference-counted signal instead, kept up to date by an effect (so, in the browser).
    let unread_total = ArcRwSignal::new(0_i64);
    Effect::new({
        let unread_total = unread_total.clone();
        move |_| unread_total.set(store.with_list(|l| l.iter().filter(|c| !c.muted).map(|c| c.unread).sum()))
    });
    let title = move || match unread_total.get() {
        0 => "Chats".to_owned(),
        n => format!("({n}) Chats"),
    };

    view! {
        <Title text=title/>
        <div class="chat-shell" class:has-conversation=has_open>
            <aside class="sidebar" aria-label="Chats">
                <header class="sidebar-header">
                    // Named by its visible text (your name), prefixed for screen readers.
                    <button type="button" class="me-button" title="Profile"
                        on:click=move |_| sidebar.set(SidebarView::Profile)>
                        <span class="visually-hidden">"Profile: "</span>
                        {move || store.me.get().map(|me| view! { <Avatar name=me.display_name.clone() image=me.avatar.clone()/> })}
                        <span class="me">
                            <span class="me-name">{move || store.me.get().map(|m| m.display_name).unwrap_or_default()}</span>
                            <span class="me-username">"@"{me.username.clone()}</span>
                        </span>
                    </button>
                    <div class="header-actions">
                        <button type="button" class="icon-button" aria-label="Search messages" title="Search messages"
                            on:click=move |_| sidebar.set(SidebarView::Search)>
                            <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true"><path fill="currentColor" d="M15.5 14h-.8l-.3-.3A6.5 6.5 0 1 0 14 15.5l.3.3v.8l5 5 1.5-1.5-5-5zm-6 0a4.5 4.5 0 1 1 0-9 4.5 4.5 0 0 1 0 9z"/></svg>
                        </button>
                        <button type="button" class="icon-button" aria-label="Starred messages" title="Starred messages"
                            on:click=move |_| sidebar.set(SidebarView::Starred)>
                            <Icon path=icon::STAR/>
                        </button>
                        <button type="button" class="icon-button" aria-label="New chat" title="New chat"
                            on:click=move |_| sidebar.set(SidebarView::NewChat)>
                            <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true"><path fill="currentColor" d="M19 3H5a2 2 0 0 0-2 2v16l4-4h12a2 2 0 0 0 2-2V5a2 2 0 0 0-2-2zm-2 8h-4v4h-2v-4H7V9h4V5h2v4h4v2z"/></svg>
                        </button>
                        <button type="button" class="icon-button" aria-label="Settings" title="Settings"
                            on:click=move |_| sidebar.set(SidebarView::Settings)>
                            <Icon path=icon::SETTINGS/>
                        </button>
                        <ThemeToggle/>
                        <LogoutButton/>
                    </div>
                </header>
                <ConnectionBadge/>
                {move || match sidebar.get() {
                    SidebarView::Chats => view! {
                        <Transition fallback=|| view! { <p class="empty-state">"Loading chats…"</p> }>
                            {move || Suspend::new(async move {
                                match list.await {
                                    Ok(list) => {
                                        // The page's first list seeds the store once; coming
                                        // back from a panel must not put that old list back.
                                        if !seeded.get_value() {
                                            seeded.set_value(true);
                                            store.set_list(list);
                                        }
                                        view! { <chat_list::ChatList/> }.into_any()
                                    }
                                    Err(e) => view! { <p class="empty-state" role="alert">{e.message().to_owned()}</p> }.into_any(),
                                }
                            })}
                        </Transition>
                    }.into_any(),
                    SidebarView::NewChat => view! { <OnDemand view=|| Box::pin(new_chat::new_chat_panel(false))/> }.into_any(),
                    SidebarView::NewGroup => view! { <OnDemand view=|| Box::pin(new_chat::new_chat_panel(true))/> }.into_any(),
                    SidebarView::Search => view! { <OnDemand view=|| Box::pin(search_panel::search_panel())/> }.into_any(),
                    SidebarView::Starred => view! { <OnDemand view=|| Box::pin(starred_panel::starred_panel())/> }.into_any(),
                    SidebarView::Profile => view! { <OnDemand view=|| Box::pin(profile_panel::profile_panel())/> }.into_any(),
                    SidebarView::Settings => view! { <OnDemand view=|| Box::pin(settings_panel::settings_panel())/> }.into_any(),
                }}
            </aside>
            <Outlet/>
        </div>
        <crate::components::ConfirmDialog/>
    }
}

/// Moves keyboard focus to the element with `id`, if it exists (browser only).
pub fn focus_element(id: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        if let Some(el) = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
        {
            let _ = el.focus();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = id;
}

/// The right pane when no chat is open.
#[component]
pub fn NoConversation() -> impl IntoView {
    let store = use_store();
    Effect::new(move |_| store.open.set(None));
    view! {
        <main class="conversation-pane empty" aria-label="Conversation">
            <div class="empty-conversation">
                <BrandMark/>
                <h1>"Messenger"</h1>
                <p>"Pick a chat on the left, or start a new one."</p>
            </div>
        </main>
    }
}

#[component]
fn ShellSkeleton() -> impl IntoView {
    view! {
        <aside class="sidebar" aria-busy="true" aria-label="Chats">
            <header class="sidebar-header"><div class="skeleton avatar"></div><div class="skeleton line"></div></header>
        </aside>
        <main class="conversation-pane empty" aria-busy="true" aria-label="Conversation"></main>
    }
}
