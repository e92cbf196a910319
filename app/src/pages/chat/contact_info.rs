//! Contact info, for one-to-one chats: the other person's photo, name, "about" and last seen
//! as their privacy lets me see them, the groups we are both in, and Block/Unblock and Report.
//! Blocking asks first; reporting keeps the chat's last messages for the server's operator and
//! blocks too.

use crate::components::{Avatar, Question, use_confirm};
use crate::people::{block_user, report_user, unblock_user, user_profile};
use crate::store::use_store;
use leptos::prelude::*;
use shared::{ContactInfo, ConversationDetail, UserId};
use std::sync::Arc;

#[component]
fn ContactInfoPanel(
    detail: RwSignal<ConversationDetail>,
    close: impl Fn() + Clone + Send + Sync + 'static,
) -> impl IntoView {
    let store = use_store();
    let confirm = use_confirm();
    let peer = detail.with_untracked(|d| d.summary.peer.as_ref().map(|p| p.id));
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<&'static str>);
    // Asked again whenever the chat changed (a block from another tab, a new photo).
    let info = Resource::new(
        move || (peer, detail.with(|d| (d.summary.blocked, d.summary.rev, d.summary.peer.clone()))),
        move |(peer, _)| async move {
            match peer {
                Some(peer) => user_profile(peer).await.map(Some),
                None => Ok(None),
            }
        },
    );
    let act = Action::new(move |(user, what): &(UserId, Act)| {
        let (user, what) = (*user, *what);
        async move {
            match what {
                Act::Block => block_user(user).await.map(|()| "Contact blocked."),
                Act::Unblock => unblock_user(user).await.map(|()| "Contact unblocked."),
                Act::Report => report_user(user, true).await.map(|()| "Reported and blocked."),
            }
        }
    });
    Effect::new(move |_| match act.value().get() {
        Some(Ok(done)) => {
            error.set(None);
            status.set(Some(done));
            let blocked = !matches!(done, "Contact unblocked.");
            detail.update(|d| d.summary.blocked = blocked);
            store.upsert_summary(detail.with_untracked(|d| d.summary.clone()));
        }
        Some(Err(e)) => error.set(Some(e.message().to_owned())),
        None => {}
    });
    let ask = move |user: UserId, what: Act| {
        let question = match what {
            Act::Unblock => {
                act.dispatch((user, what));
                return;
            }
            Act::Block => Question {
                title: "Block this contact?",
                detail: "They won't be able to send you messages, see your last seen and online, photo or about, or find you in search. They are not told.",
                confirm: "Block",
                on_confirm: Arc::new(move || {
                    act.dispatch((user, Act::Block));
                }),
            },
            Act::Report => Question {
                title: "Report this contact?",
                detail: "The last 20 messages of this chat are kept for the operator of this server, and the contact is blocked. They are not told.",
                confirm: "Report and block",
                on_confirm: Arc::new(move || {
                    act.dispatch((user, Act::Report));
                }),
            },
        };
        confirm.ask(question);
    };
    view! {
        <aside class="group-info contact-info" aria-label="Contact info">
            <header class="side-panel-header">
                <button type="button" class="icon-button" aria-label="Close contact info" on:click=move |_| close()>"×"</button>
                <h2>"Contact info"</h2>
            </header>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <p class="form-status" role="status">{move || status.get().unwrap_or_default()}</p>
            <Transition fallback=|| view! { <p class="empty-state">"Loading…"</p> }>
                {move || info.get().map(|answer| match answer {
                    Ok(Some(info)) => view! { <Card info ask/> }.into_any(),
                    Ok(None) => view! { <p class="empty-state">"This account was deleted."</p> }.into_any(),
                    Err(e) => view! { <p class="form-error" role="alert">{e.message().to_owned()}</p> }.into_any(),
                })}
            </Transition>
        </aside>
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Act {
    Block,
    Unblock,
    Report,
}

#[component]
fn Card(info: ContactInfo, ask: impl Fn(UserId, Act) + Copy + Send + Sync + 'static) -> impl IntoView {
    let ContactInfo { user, presence, common_groups, blocked } = info;
    let id = user.id;
    let seen = presence.map(|p| match (p.online, p.last_seen_at) {
        (true, _) => "online".to_owned(),
        (false, Some(at)) => {
            let now = super::time::now();
            format!("last seen {} at {}", super::time::day(at, now).to_lowercase(), super::time::clock(at))
        }
        (false, None) => String::new(),
    });
    let name = user.display_name.clone();
    view! {
        <div class="contact-card">
            <div class="contact-photo"><Avatar name=user.display_name.clone() image=user.avatar.clone()/></div>
            <h3 class="contact-name">{user.display_name.clone()}</h3>
            <p class="person-username">{format!("@{}", user.username)}</p>
            {seen.filter(|s| !s.is_empty()).map(|s| view! { <p class="hint">{s}</p> })}
        </div>
        {(!user.about.is_empty()).then(|| view! {
            <div class="settings-section">
                <h3>"About"</h3>
                <p dir="auto">{user.about.clone()}</p>
            </div>
        })}
        <div class="settings-section">
            <h3>{if common_groups.is_empty() { "No groups in common".to_owned() } else {
                format!("{} group{} in common", common_groups.len(), if common_groups.len() == 1 { "" } else { "s" })
            }}</h3>
            <ul class="people" role="list" aria-label="Groups in common">
                {common_groups.into_iter().map(|g| view! {
                    <li class="member">
                        <Avatar name=g.title.clone()/>
                        <a class="person-names" href=format!("/chat/{}", g.id.0)>
                            <span class="person-name">{g.title.clone()}</span>
                            <span class="person-username">{format!("{} members", g.member_count)}</span>
                        </a>
                    </li>
                }).collect_view()}
            </ul>
        </div>
        <div class="settings-section contact-actions">
            {if blocked {
                view! { <button type="button" class="button secondary wide" on:click=move |_| ask(id, Act::Unblock)>{format!("Unblock {name}")}</button> }.into_any()
            } else {
                view! { <button type="button" class="button danger wide" on:click=move |_| ask(id, Act::Block)>{format!("Block {name}")}</button> }.into_any()
            }}
            <button type="button" class="button danger wide" on:click=move |_| ask(id, Act::Report)>{format!("Report {}", user.display_name)}</button>
        </div>
    }
}

/// The panel, loaded with its first opening (see `OnDemand`); `shown` closes it.
#[lazy]
pub fn contact_info_panel(detail: RwSignal<ConversationDetail>, shown: RwSignal<bool>) -> AnyView {
    view! { <ContactInfoPanel detail close=move || shown.set(false)/> }.into_any()
}
