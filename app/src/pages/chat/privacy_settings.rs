//! Settings' "Privacy": who sees my last seen and online, photo and "about", whether I share
//! read receipts, and the people I blocked (each with "Unblock"). The server enforces every
//! choice for everyone who asks; these controls only say what to enforce.

use crate::accounts::set_privacy;
use crate::people::{blocked_users, unblock_user};
use crate::store::use_store;
use leptos::prelude::*;
use shared::{Audience, Me, UserId, UserView};

/// One setting's change, as `accounts/set_privacy` takes it.
#[derive(Clone, Copy, Debug, Default)]
struct Change {
    last_seen: Option<Audience>,
    photo: Option<Audience>,
    about: Option<Audience>,
    read_receipts: Option<bool>,
}

#[component]
pub fn PrivacySettings() -> impl IntoView {
    let store = use_store();
    let save = Action::new(move |change: &Change| {
        let c = *change;
        set_privacy(c.last_seen, c.photo, c.about, c.read_receipts)
    });
    // Saved: the radios show it; a toast says it (a second status region in the Settings
    // panel would make "the status" ambiguous next to the password form's).
    let toasts = crate::components::use_toasts();
    Effect::new(move |_| {
        if let Some(Ok(me)) = save.value().get() {
            store.me.set(Some(me));
            toasts.info("Privacy saved.");
        }
    });
    let privacy = move || store.me.with(|m| m.as_ref().map(|m: &Me| m.privacy).unwrap_or_default());
    let error = move || save.value().get().and_then(Result::err).map(|e| e.message().to_owned());
    let busy = move || save.pending().get();
    let receipts = move |ev: leptos::ev::Event| {
        save.dispatch(Change { read_receipts: Some(event_target_checked(&ev)), ..Change::default() });
    };
    view! {
        <div class="settings-section" role="group" aria-labelledby="privacy-title">
            <h3 id="privacy-title">"Privacy"</h3>
            <AudienceChoice legend="Last seen and online" name="last_seen" busy
                current=move || privacy().last_seen
                choose=move |a| { save.dispatch(Change { last_seen: Some(a), ..Change::default() }); }/>
            <p class="hint">"If you don't share your last seen, you can't see other people's."</p>
            <AudienceChoice legend="Profile photo" name="photo" busy
                current=move || privacy().photo
                choose=move |a| { save.dispatch(Change { photo: Some(a), ..Change::default() }); }/>
            <AudienceChoice legend="About" name="about" busy
                current=move || privacy().about
                choose=move |a| { save.dispatch(Change { about: Some(a), ..Change::default() }); }/>
            <label class="choice">
                <input type="checkbox" name="read_receipts" prop:checked=move || privacy().read_receipts
                    disabled=busy on:change=receipts/>
                <span>"Read receipts"</span>
            </label>
            <p class="hint">
                "If you turn off read receipts, you won't send or see them in one-to-one chats. Groups always share them."
            </p>
            {move || error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <BlockedContacts/>
        </div>
    }
}

/// Three radios: everyone, my contacts, nobody.
#[component]
fn AudienceChoice(
    legend: &'static str,
    name: &'static str,
    current: impl Fn() -> Audience + Send + Sync + Copy + 'static,
    choose: impl Fn(Audience) + Send + Sync + Copy + 'static,
    busy: impl Fn() -> bool + Send + Sync + Copy + 'static,
) -> impl IntoView {
    view! {
        <fieldset class="profile-privacy">
            <legend>{legend}</legend>
            {Audience::ALL.into_iter().map(|audience| view! {
                <label class="choice">
                    <input type="radio" name=name value=audience.as_str() prop:checked=move || current() == audience
                        disabled=busy on:change=move |_| choose(audience)/>
                    <span>{audience.label()}</span>
                </label>
            }).collect_view()}
        </fieldset>
    }
}

/// The people I blocked, each with "Unblock".
#[component]
fn BlockedContacts() -> impl IntoView {
    let unblock = Action::new(move |user: &UserId| unblock_user(*user));
    let list = Resource::new(move || unblock.version().get(), |_| blocked_users());
    let error = move || unblock.value().get().and_then(Result::err).map(|e| e.message().to_owned());
    view! {
        <div class="blocked-contacts" role="group" aria-labelledby="blocked-title">
            <h4 id="blocked-title">"Blocked contacts"</h4>
            {move || error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <Transition fallback=|| view! { <p class="empty-state">"Loading…"</p> }>
                {move || list.get().map(|answer| match answer {
                    Err(e) => view! { <p class="form-error" role="alert">{e.message().to_owned()}</p> }.into_any(),
                    Ok(people) if people.is_empty() => view! { <p class="hint">"You haven't blocked anyone."</p> }.into_any(),
                    Ok(people) => view! {
                        <ul class="devices" role="list" aria-label="Blocked contacts">
                            {people.into_iter().map(|user| view! { <BlockedRow user unblock/> }).collect_view()}
                        </ul>
                    }.into_any(),
                })}
            </Transition>
        </div>
    }
}

#[component]
fn BlockedRow(user: UserView, unblock: Action<UserId, Result<(), crate::AppError>>) -> impl IntoView {
    let id = user.id;
    let label = format!("Unblock {}", user.display_name);
    view! {
        <li class="device">
            <span class="device-name">{user.display_name.clone()}</span>
            <span class="device-seen">{format!("@{}", user.username)}</span>
            <button type="button" class="button secondary" aria-label=label disabled=move || unblock.pending().get()
                on:click=move |_| { unblock.dispatch(id); }>"Unblock"</button>
        </li>
    }
}
