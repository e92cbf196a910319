//! Starting a chat: find people by username or name, then open a direct chat with one of them
//! or pick several and name a group.

use super::SidebarView;
use crate::components::Avatar;
use crate::conversations::{create_group, open_direct};
use crate::error::AppError;
use crate::live_search::LiveSearch;
use crate::people::search_users;
use crate::store::use_store;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use shared::{ConversationSummary, UserId, UserView};

#[component]
fn NewChat(group: bool) -> impl IntoView {
    let tasks = crate::tasks::Tasks::new();
    let sidebar = expect_context::<RwSignal<SidebarView>>();
    let store = use_store();
    let people = LiveSearch::new(search_users);
    let selected = RwSignal::new(Vec::<UserView>::new());
    let title = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let navigate = use_navigate();

    // Both ways of starting a chat end alike: its row in the list, the panel closed, the chat
    // open.
    let opened = move |result: Result<ConversationSummary, AppError>| {
        match result {
            Ok(summary) => {
                // The panel closes: nothing of it may be written after this (a write wakes
                // its views while they are torn down).
                let id = summary.id;
                store.upsert_summary(summary);
                sidebar.set(SidebarView::Chats);
                navigate(&format!("/chat/{}", id.0), Default::default());
            }
            Err(e) => {
                error.set(Some(e.message().to_owned()));
                busy.set(false);
            }
        }
    };

    let open = {
        let opened = opened.clone();
        move |user: UserId| {
            let opened = opened.clone();
            busy.set(true);
            tasks.spawn(async move { opened(open_direct(user).await) });
        }
    };

    let create = move |_| {
        let opened = opened.clone();
        let members: Vec<UserId> = selected.get_untracked().iter().map(|u| u.id).collect();
        busy.set(true);
        tasks.spawn(async move { opened(create_group(title.get_untracked(), members).await) });
    };

    let heading = if group { "New group" } else { "New chat" };
    view! {
        <section class="side-panel" aria-label=heading>
            <header class="side-panel-header">
                <button type="button" class="icon-button" aria-label="Back to chats" on:click=move |_| sidebar.set(SidebarView::Chats)>"←"</button>
                <h2>{heading}</h2>
            </header>
            {group.then(|| view! {
                <label class="field">
                    <span>"Group name"</span>
                    <input type="text" maxlength="64" prop:value=title on:input=move |ev| title.set(event_target_value(&ev))/>
                </label>
                <ul class="chips" aria-label="Selected people">
                    <For each=move || selected.get() key=|u| u.id let:user>
                        <li class="chip">{user.display_name.clone()}
                            <button type="button" aria-label=format!("Remove {}", user.display_name)
                                on:click=move |_| selected.update(|s| s.retain(|u| u.id != user.id))>"×"</button>
                        </li>
                    </For>
                </ul>
            })}
            <label class="field">
                <span>"Search people"</span>
                <input type="search" placeholder="Username or name" autocomplete="off"
                    prop:value=people.text on:input=move |ev| people.text.set(event_target_value(&ev))/>
            </label>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {(!group).then(|| view! {
                <button type="button" class="button secondary wide" on:click=move |_| sidebar.set(SidebarView::NewGroup)>"New group"</button>
            })}
            <Transition fallback=|| ()>
            {move || people.error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <ul class="people" role="list">
                <For each=move || people.found().unwrap_or_default() key=|u| u.id let:user>
                    {
                        let open = open.clone();
                        let id = user.id;
                        let picked = move || selected.with(|s| s.iter().any(|u| u.id == id));
                        let label = if group { format!("Add {}", user.display_name) } else { format!("Chat with {}", user.display_name) };
                        let chosen = user.clone();
                        view! {
                            <li>
                                <button type="button" class="person" aria-label=label aria-pressed=move || group.then(|| picked().to_string())
                                    disabled=move || busy.get()
                                    on:click=move |_| {
                                        if group {
                                            let chosen = chosen.clone();
                                            selected.update(|s| if s.iter().any(|u| u.id == chosen.id) { s.retain(|u| u.id != chosen.id) } else { s.push(chosen) });
                                        } else {
                                            open(id);
                                        }
                                    }>
                                    <Avatar name=user.display_name.clone() image=user.avatar.clone()/>
                                    <span class="person-names">
                                        <span class="person-name">{user.display_name.clone()}</span>
                                        <span class="person-username">"@"{user.username.clone()}</span>
                                    </span>
                                </button>
                            </li>
                        }
                    }
                </For>
            </ul>
            </Transition>
            {group.then(|| view! {
                <button type="button" class="button primary wide" on:click=create
                    disabled=move || busy.get() || title.get().trim().is_empty() || selected.with(Vec::is_empty)>
                    "Create group"
                </button>
            })}
        </section>
    }
}

/// The panel, loaded with its first opening (see `OnDemand`).
#[lazy]
pub fn new_chat_panel(group: bool) -> AnyView {
    view! { <NewChat group/> }.into_any()
}
