//! The chat shell: the chat list on the left, the open conversation on the right (one pane at a
//! time on phones). The server only renders it for a logged-in session.

use crate::accounts::current_user;
use crate::components::{BrandMark, Avatar, ConnectionBadge, LogoutButton, ThemeToggle};
use crate::realtime::use_connection;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use shared::{ErrorCode, Me};

#[component]
pub fn Chat() -> impl IntoView {
    let me = Resource::new(|| (), |_| current_user());
    let connection = use_connection();
    // The socket is browser-only: start it once the page is live.
    Effect::new(move |_| connection.start());

    view! {
        <Title text="Chats"/>
        <div class="chat-shell">
            <Suspense fallback=|| view! { <ShellSkeleton/> }>
                {move || Suspend::new(async move {
                    match me.await {
                        Ok(me) => view! { <Panes me/> }.into_any(),
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
        </div>
    }
}

#[component]
fn Panes(me: Me) -> impl IntoView {
    view! {
        <aside class="sidebar" aria-label="Chats">
            <header class="sidebar-header">
                <Avatar name=me.display_name.clone()/>
                <div class="me">
                    <span class="me-name">{me.display_name.clone()}</span>
                    <span class="me-username">"@"{me.username.clone()}</span>
                </div>
                <div class="header-actions">
                    <ThemeToggle/>
                    <LogoutButton/>
                </div>
            </header>
            <ConnectionBadge/>
            <nav class="chat-list" aria-label="Conversations">
                <p class="empty-state">"No chats yet. Start one to say hello."</p>
            </nav>
        </aside>
        <main class="conversation-pane empty" aria-label="Conversation">
            <div class="empty-conversation">
                <BrandMark/>
                <h2>"Messenger"</h2>
                <p>"Pick a chat on the left to start messaging."</p>
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
