//! Search across all of the user's chats; a hit opens the chat at that message.

use super::SidebarView;
use crate::live_search::LiveSearch;
use crate::messages::search_messages;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
fn SearchPanel() -> impl IntoView {
    let sidebar = expect_context::<RwSignal<SidebarView>>();
    let store = crate::store::use_store();
    let only_open = RwSignal::new(false);
    // The scope is part of the search: ticking "only in the open chat" asks again.
    let search = LiveSearch::new(move |text| {
        let scope = if only_open.get() { store.open.get() } else { None };
        search_messages(text, scope)
    });
    view! {
        <section class="side-panel" aria-label="Search messages">
            <header class="side-panel-header">
                <button type="button" class="icon-button" aria-label="Back to chats" on:click=move |_| sidebar.set(SidebarView::Chats)>"←"</button>
                <h2>"Search messages"</h2>
            </header>
            <label class="field">
                <span>"Search"</span>
                <input type="search" placeholder="Words in your messages" autocomplete="off"
                    prop:value=search.text on:input=move |ev| search.text.set(event_target_value(&ev))/>
            </label>
            <Show when=move || store.open.get().is_some()>
                <label class="check">
                    <input type="checkbox" prop:checked=only_open
                        on:change=move |ev| only_open.set(event_target_checked(&ev))/>
                    "Only in the open chat"
                </label>
            </Show>
            <Transition fallback=|| ()>
            {move || search.error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            {move || search.found().map(|hits| if hits.is_empty() {
                view! { <p class="empty-state">"No messages found."</p> }.into_any()
            } else {
                view! {
                    <ul class="search-hits" role="list" aria-label="Search results">
                        {hits.into_iter().map(|hit| view! {
                            <li>
                                <A href=format!("/chat/{}?m={}", hit.message.conversation_id.0, hit.message.seq) attr:class="search-hit">
                                    <span class="hit-title">{hit.conversation_title.clone()}</span>
                                    <span class="hit-snippet"><Highlighted text=hit.snippet.clone()/></span>
                                </A>
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            })}
            </Transition>
        </section>
    }
}

/// Renders `[[match]]` markers as <mark> elements — as text nodes, never as HTML.
#[component]
pub fn Highlighted(text: String) -> impl IntoView {
    let mut parts = Vec::new();
    let mut rest = text.as_str();
    while let Some(start) = rest.find("[[") {
        parts.push((false, rest[..start].to_owned()));
        let after = &rest[start + 2..];
        match after.find("]]") {
            Some(end) => {
                parts.push((true, after[..end].to_owned()));
                rest = &after[end + 2..];
            }
            None => {
                rest = after;
                break;
            }
        }
    }
    parts.push((false, rest.to_owned()));
    parts
        .into_iter()
        .map(|(hit, text)| if hit { view! { <mark>{text}</mark> }.into_any() } else { text.into_any() })
        .collect_view()
}

/// The panel, loaded with its first opening (see `OnDemand`).
#[lazy]
pub fn search_panel() -> AnyView {
    view! { <SearchPanel/> }.into_any()
}
