//! Your profile: picture, display name and "about" line. The picture goes through the media
//! pipeline (`POST /api/media` with `kind=avatar`, then `accounts/set_avatar`); contacts see
//! every change at once (the server pushes `conversation_updated` to them).

use super::SidebarView;
use crate::accounts::{set_avatar, set_group_adds, update_profile};
use crate::components::Avatar;
#[cfg(feature = "hydrate")]
use crate::components::use_toasts;
use crate::store::use_store;
use leptos::prelude::*;
use shared::limits::{ABOUT_MAX, DISPLAY_NAME_MAX};
use shared::{GroupAdds, Me};

#[component]
fn ProfilePanel() -> impl IntoView {
    let tasks = crate::tasks::Tasks::new();
    let sidebar = expect_context::<RwSignal<SidebarView>>();
    let store = use_store();
    let current = store.me.get_untracked();
    let name = RwSignal::new(current.as_ref().map(|m| m.display_name.clone()).unwrap_or_default());
    let about = RwSignal::new(current.as_ref().map(|m| m.about.clone()).unwrap_or_default());
    let error = RwSignal::new(None::<String>);
    let status = RwSignal::new(None::<&'static str>);
    let busy = RwSignal::new(false);
    let progress = RwSignal::new(None::<f64>);

    let updated = move |result: Result<Me, crate::AppError>, done: &'static str| {
        busy.set(false);
        progress.set(None);
        match result {
            Ok(me) => {
                store.me.set(Some(me));
                error.set(None);
                status.set(Some(done));
            }
            Err(e) => error.set(Some(e.message().to_owned())),
        }
    };
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        status.set(None);
        tasks.spawn(async move {
            updated(update_profile(name.get_untracked(), about.get_untracked()).await, "Profile saved.")
        });
    };
    let remove_photo = move |_| {
        busy.set(true);
        tasks.spawn(async move { updated(set_avatar(None).await, "Photo removed.") });
    };
    #[cfg_attr(not(feature = "hydrate"), allow(unused_variables))]
    let pick_photo = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let toasts = use_toasts();
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            let Some(file) = input.files().and_then(|files| files.get(0)) else { return };
            input.set_value("");
            if let Err(message) = crate::media::check_size(file.size() as u64) {
                error.set(Some(message));
                return;
            }
            busy.set(true);
            status.set(None);
            progress.set(Some(0.0));
            let started = crate::media::upload::start_avatar(&file, &file.name(), move |p| progress.set(Some(p)));
            tasks.spawn(async move {
                let uploaded = match started {
                    Ok((_upload, done)) => done.await,
                    Err(e) => Err(e),
                };
                match uploaded {
                    Ok(attachment) => updated(set_avatar(Some(attachment.id)).await, "Photo updated."),
                    Err(e) => {
                        busy.set(false);
                        progress.set(None);
                        let message = match e {
                            crate::media::upload::UploadError::Cancelled => "The upload was cancelled.".to_owned(),
                            crate::media::upload::UploadError::Failed(message) => message,
                        };
                        toasts.error(message.clone());
                        error.set(Some(message));
                    }
                }
            });
        }
    };

    // The privacy choice saves at once; it answers in the panel's one status line (a second
    // `status` region in the panel would make "the status" ambiguous to assistive technology).
    let set_adds = move |choice: GroupAdds| {
        busy.set(true);
        status.set(None);
        tasks.spawn(async move { updated(set_group_adds(choice).await, "Privacy saved.") });
    };
    let adds_is =
        move |choice: GroupAdds| move || store.me.with(|m| m.as_ref().is_some_and(|m| m.group_adds == choice));

    let me = move || store.me.get();
    view! {
        <section class="side-panel profile-panel" aria-labelledby="profile-title">
            <header class="side-panel-header">
                <button type="button" class="icon-button" aria-label="Back to chats" on:click=move |_| sidebar.set(SidebarView::Chats)>"←"</button>
                <h2 id="profile-title">"Profile"</h2>
            </header>
            <div class="profile-photo">
                {move || me().map(|me| view! { <Avatar name=me.display_name.clone() image=me.avatar.clone()/> })}
                <div class="profile-photo-actions">
                    <label class="button secondary" for="avatar-file">"Change photo"</label>
                    <input id="avatar-file" class="visually-hidden" type="file" accept="image/jpeg,image/png,image/gif,image/webp"
                        disabled=move || busy.get() on:change=pick_photo/>
                    {move || me().and_then(|m| m.avatar).map(|_| view! {
                        <button type="button" class="button secondary" disabled=move || busy.get() on:click=remove_photo>"Remove photo"</button>
                    })}
                    <span class="hint">"JPEG, PNG, GIF or WebP, up to 4 MB"</span>
                </div>
                {move || progress.get().map(|p| view! {
                    <progress class="upload-progress" max="1" value=p aria-label="Uploading photo"></progress>
                })}
            </div>
            <form class="profile-form" on:submit=save>
                <label class="field">
                    <span>"Your name"</span>
                    <input type="text" name="display_name" required maxlength=DISPLAY_NAME_MAX autocomplete="name"
                        prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/>
                </label>
                <label class="field">
                    <span>"About"</span>
                    <input type="text" name="about" maxlength=ABOUT_MAX placeholder="Hey there! I am using Messenger."
                        prop:value=about on:input=move |ev| about.set(event_target_value(&ev))/>
                </label>
                {move || error.get().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
                <p class="form-status" role="status">{move || status.get().unwrap_or_default()}</p>
                <button type="submit" class="button primary wide" disabled=move || busy.get()>"Save"</button>
            </form>
            <fieldset class="profile-privacy">
                <legend>"Who can add me to groups"</legend>
                <label class="choice">
                    <input type="radio" name="group_adds" value="everyone" prop:checked=adds_is(GroupAdds::Everyone)
                        disabled=move || busy.get() on:change=move |_| set_adds(GroupAdds::Everyone)/>
                    <span>"Everyone"</span>
                </label>
                <label class="choice">
                    <input type="radio" name="group_adds" value="contacts" prop:checked=adds_is(GroupAdds::Contacts)
                        disabled=move || busy.get() on:change=move |_| set_adds(GroupAdds::Contacts)/>
                    <span>"My contacts"</span>
                </label>
                <p class="hint">"My contacts: people you have a one-to-one chat with."</p>
            </fieldset>
        </section>
    }
}

/// The panel, loaded with its first opening (see `OnDemand`).
#[lazy]
pub fn profile_panel() -> AnyView {
    view! { <ProfilePanel/> }.into_any()
}
