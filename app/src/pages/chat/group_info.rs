//! Group info: members with roles, and what owners and admins may do — rename, add, remove,
//! promote — plus leaving the group. Each change shows in the chat as a system message.

use crate::components::Avatar;
use crate::conversations::{add_members, leave_group, remove_member, rename_group, set_role};
use crate::error::AppError;
use crate::live_search::LiveSearch;
use crate::people::search_users;
use crate::store::use_store;
use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use shared::{ConversationDetail, Role};

#[component]
fn GroupInfo(detail: RwSignal<ConversationDetail>, close: impl Fn() + Clone + Send + Sync + 'static) -> impl IntoView {
    let tasks = crate::tasks::Tasks::new();
    let store = use_store();
    let me = store.my_id();
    let id = detail.with_untracked(|d| d.summary.id);
    let my_role = move || detail.with(|d| d.summary.my_role);
    let can_manage = move || my_role().can_manage();
    let error = RwSignal::new(None::<String>);
    let title = RwSignal::new(detail.with_untracked(|d| d.summary.title.clone()));
    let people = LiveSearch::new(search_users);
    let navigate = use_navigate();

    let apply = move |result: Result<ConversationDetail, AppError>| match result {
        Ok(fresh) => {
            detail.set(fresh);
            error.set(None);
        }
        Err(e) => error.set(Some(e.message().to_owned())),
    };
    let rename = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        tasks.spawn(async move { apply(rename_group(id, title.get_untracked()).await) });
    };
    let leave = move |_| {
        let navigate = navigate.clone();
        tasks.spawn(async move {
            match leave_group(id).await {
                Ok(()) => {
                    store.remove_conversation(id);
                    navigate("/chat", Default::default());
                }
                Err(e) => error.set(Some(e.message().to_owned())),
            }
        });
    };

    view! {
        <aside class="group-info" aria-label="Group info">
            <header class="side-panel-header">
                <button type="button" class="icon-button" aria-label="Close group info" on:click=move |_| close()>"×"</button>
                <h2>"Group info"</h2>
            </header>
            {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <Show when=can_manage>
                <form class="inline-form" on:submit=rename>
                    <label class="field"><span>"Group name"</span>
                        <input type="text" maxlength="64" prop:value=title on:input=move |ev| title.set(event_target_value(&ev))/>
                    </label>
                    <button type="submit" class="button secondary">"Rename"</button>
                </form>
            </Show>
            <h3>{move || format!("{} members", detail.with(|d| d.members.len()))}</h3>
            <ul class="people" role="list" aria-label="Members">
                <For each=move || detail.get().members key=|m| (m.user.id, m.role) let:member>
                    {
                        let user = member.user.id;
                        let name = member.user.display_name.clone();
                        let photo = member.user.avatar.clone();
                        let role = member.role;
                        let removable = move || can_manage() && Some(user) != me && role < my_role();
                        view! {
                            <li class="member">
                                <Avatar name=name.clone() image=photo/>
                                <span class="person-names">
                                    <span class="person-name">{name.clone()}{(Some(user) == me).then_some(" (you)")}</span>
                                    <span class="person-username">{match role { Role::Owner => "Owner", Role::Admin => "Admin", Role::Member => "" }}</span>
                                </span>
                                <Show when=move || removable() && role == Role::Member>
                                    <button type="button" class="link-button" aria-label=format!("Make {} an admin", name)
                                        on:click=move |_| tasks.spawn(async move { apply(set_role(id, user, Role::Admin).await) })>"Make admin"</button>
                                </Show>
                                <Show when=removable>
                                    <button type="button" class="link-button danger" aria-label=format!("Remove {}", member.user.display_name)
                                        on:click=move |_| tasks.spawn(async move { apply(remove_member(id, user).await) })>"Remove"</button>
                                </Show>
                            </li>
                        }
                    }
                </For>
            </ul>
            <Show when=can_manage>
                <label class="field"><span>"Add people"</span>
                    <input type="search" placeholder="Username or name" prop:value=people.text on:input=move |ev| people.text.set(event_target_value(&ev))/>
                </label>
                <Transition fallback=|| ()>
                <ul class="people" role="list">
                    <For each=move || people.found().unwrap_or_default() key=|u| u.id let:user>
                        {
                            let uid = user.id;
                            view! {
                                <li><button type="button" class="person" aria-label=format!("Add {} to the group", user.display_name)
                                    on:click=move |_| tasks.spawn(async move { apply(add_members(id, vec![uid]).await) })>
                                    <Avatar name=user.display_name.clone() image=user.avatar.clone()/>
                                    <span class="person-name">{user.display_name.clone()}</span>
                                </button></li>
                            }
                        }
                    </For>
                </ul>
                </Transition>
            </Show>
            <button type="button" class="button danger wide" on:click=leave>"Leave group"</button>
        </aside>
    }
}

/// The panel, loaded with its first opening (see `OnDemand`); `shown` closes it.
#[lazy]
pub fn group_info(detail: RwSignal<ConversationDetail>, shown: RwSignal<bool>) -> AnyView {
    view! { <GroupInfo detail close=move || shown.set(false)/> }.into_any()
}
