//! "Starred messages": what I starred in any chat, most recently starred first; an item opens
//! its chat at the message. Pages of 50 come one after the other ("Show more").

use super::SidebarView;
use crate::messages::starred;
use leptos::prelude::*;
use leptos_router::components::A;
use shared::{ReplyPreview, StarredCursor, StarredMessage};

#[component]
fn StarredPanel() -> impl IntoView {
    let sidebar = expect_context::<RwSignal<SidebarView>>();
    let first = LocalResource::new(|| starred(None));
    // Later pages, each asked for once by "Show more".
    let more = Action::new_local(|before: &StarredCursor| starred(Some(*before)));
    let later = RwSignal::new(Vec::<StarredMessage>::new());
    let next = RwSignal::new(None::<StarredCursor>);
    let failed = RwSignal::new(None::<String>);
    Effect::new(move |_| match first.get() {
        Some(Ok(page)) => next.set(page.next),
        Some(Err(e)) => failed.set(Some(e.message().to_owned())),
        None => {}
    });
    Effect::new(move |_| match more.value().get() {
        Some(Ok(page)) => {
            later.update(|l| l.extend(page.items));
            next.set(page.next);
        }
        Some(Err(e)) => failed.set(Some(e.message().to_owned())),
        None => {}
    });
    let items = move || {
        let mut all = first.get().and_then(Result::ok).map(|p| p.items).unwrap_or_default();
        all.extend(later.get());
        all
    };
    view! {
        <section class="side-panel" aria-label="Starred messages">
            <header class="side-panel-header">
                <button type="button" class="icon-button" aria-label="Back to chats" on:click=move |_| sidebar.set(SidebarView::Chats)>"←"</button>
                <h2>"Starred messages"</h2>
            </header>
            {move || failed.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <Transition fallback=|| view! { <p class="empty-state">"Loading…"</p> }>
                {move || first.get().map(|answer| {
                    if answer.is_err() {
                        // Said once, above.
                        return ().into_any();
                    }
                    let all = items();
                    if all.is_empty() {
                        return view! {
                            <p class="empty-state">"No starred messages. Star a message from its menu to find it here."</p>
                        }.into_any();
                    }
                    view! {
                        <ul class="search-hits" role="list" aria-label="Starred">
                            {all.into_iter().map(|item| view! { <StarredItem item/> }).collect_view()}
                        </ul>
                    }.into_any()
                })}
            </Transition>
            <Show when=move || next.get().is_some()>
                <button type="button" class="button" disabled=move || more.pending().get()
                    on:click=move |_| {
                        if let Some(before) = next.get_untracked() {
                            more.dispatch(before);
                        }
                    }>"Show more"</button>
            </Show>
        </section>
    }
}

#[component]
fn StarredItem(item: StarredMessage) -> impl IntoView {
    let message = &item.message;
    let text = ReplyPreview::text(&message.body, message.attachment.as_ref(), message.deleted);
    let when = super::time::short(message.created_at, super::time::now());
    let href = format!("/chat/{}?m={}", message.conversation_id.0, message.seq);
    view! {
        <li>
            <A href attr:class="search-hit">
                <span class="hit-title">{item.conversation_title.clone()}</span>
                <span class="hit-snippet">{text}</span>
                <time class="hit-time">{when}</time>
            </A>
        </li>
    }
}

/// The panel, loaded with its first opening (see `OnDemand`).
#[lazy]
pub fn starred_panel() -> AnyView {
    view! { <StarredPanel/> }.into_any()
}
