//! Settings: privacy (see `privacy_settings`), change the password, and "Devices": where this account is logged in, with a
//! "Log out" for each other device and for all of them at once. A device logged out here loses
//! its open chat at once (its socket closes and its page goes to the log-in).

use super::SidebarView;
use crate::accounts::{change_password, devices, end_device, end_other_devices};
use leptos::prelude::*;
use shared::Device;
use shared::limits::{PASSWORD_MAX, PASSWORD_MIN};

#[component]
fn SettingsPanel() -> impl IntoView {
    let sidebar = expect_context::<RwSignal<SidebarView>>();
    view! {
        <section class="side-panel settings-panel" aria-labelledby="settings-title">
            <header class="side-panel-header">
                <button type="button" class="icon-button" aria-label="Back to chats" on:click=move |_| sidebar.set(SidebarView::Chats)>"←"</button>
                <h2 id="settings-title">"Settings"</h2>
            </header>
            <super::privacy_settings::PrivacySettings/>
            <Devices/>
            <ChangePassword/>
            <super::account_deletion::DeleteAccount/>
        </section>
    }
}

#[component]
fn ChangePassword() -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let others = RwSignal::new(true);
    let change = Action::new(move |(current, new, others): &(String, String, bool)| {
        change_password(current.clone(), new.clone(), *others)
    });
    Effect::new(move |_| {
        if let Some(Ok(())) = change.value().get() {
            current.set(String::new());
            new.set(String::new());
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        change.dispatch((current.get_untracked(), new.get_untracked(), others.get_untracked()));
    };
    let error = move || change.value().get().and_then(Result::err).map(|e| e.message().to_owned());
    let done = move || matches!(change.value().get(), Some(Ok(()))).then_some("Password changed.");
    view! {
        <form class="profile-form settings-section" aria-labelledby="password-title" on:submit=submit>
            <h3 id="password-title">"Change password"</h3>
            <label class="field">
                <span>"Current password"</span>
                <input type="password" name="current_password" required autocomplete="current-password"
                    maxlength=PASSWORD_MAX prop:value=current on:input=move |ev| current.set(event_target_value(&ev))/>
            </label>
            <label class="field">
                <span>"New password"</span>
                <input type="password" name="new_password" required autocomplete="new-password"
                    minlength=PASSWORD_MIN maxlength=PASSWORD_MAX aria-describedby="new-password-hint"
                    prop:value=new on:input=move |ev| new.set(event_target_value(&ev))/>
            </label>
            <p id="new-password-hint" class="hint">{format!("At least {PASSWORD_MIN} characters, not a common password.")}</p>
            <label class="choice">
                <input type="checkbox" name="log_out_others" prop:checked=others
                    on:change=move |ev| others.set(event_target_checked(&ev))/>
                <span>"Log out all other devices"</span>
            </label>
            {move || error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <p class="form-status" role="status">{move || done().unwrap_or_default()}</p>
            <button type="submit" class="button primary wide" disabled=move || change.pending().get()>"Change password"</button>
        </form>
    }
}

#[component]
fn Devices() -> impl IntoView {
    let end_one = Action::new(move |id: &String| end_device(id.clone()));
    let end_all = Action::new(move |_: &()| end_other_devices());
    // Asked again after every log-out, whichever ended.
    let list = Resource::new(move || (end_one.version().get(), end_all.version().get()), |_| devices());
    let error = move || {
        let failed = |v: Option<Result<_, crate::AppError>>| v.and_then(Result::err).map(|e| e.message().to_owned());
        failed(end_one.value().get().map(|r| r.map(|_| ())))
            .or_else(|| failed(end_all.value().get().map(|r| r.map(|_| ()))))
    };
    let busy = move || end_one.pending().get() || end_all.pending().get();
    view! {
        <div class="settings-section" role="group" aria-labelledby="devices-title">
            <h3 id="devices-title">"Devices"</h3>
            {move || error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <Transition fallback=|| view! { <p class="empty-state">"Loading…"</p> }>
                {move || list.get().map(|answer| match answer {
                    Err(e) => view! { <p class="form-error" role="alert">{e.message().to_owned()}</p> }.into_any(),
                    Ok(all) => {
                        let has_others = all.iter().any(|d| !d.current);
                        view! {
                            <ul class="devices" role="list" aria-label="Logged-in devices">
                                {all.into_iter().map(|device| view! { <DeviceRow device end_one busy/> }).collect_view()}
                            </ul>
                            <Show when=move || has_others>
                                <button type="button" class="button secondary wide" disabled=busy
                                    on:click=move |_| { end_all.dispatch(()); }>"Log out all other devices"</button>
                            </Show>
                        }.into_any()
                    }
                })}
            </Transition>
        </div>
    }
}

#[component]
fn DeviceRow(
    device: Device,
    end_one: Action<String, Result<(), crate::AppError>>,
    busy: impl Fn() -> bool + Send + Sync + Copy + 'static,
) -> impl IntoView {
    let name = format!("{} on {}", device.browser, device.os);
    let seen = if device.current {
        "This device".to_owned()
    } else {
        format!("Last active {}", super::time::short(device.last_active_at, super::time::now()))
    };
    let id = device.id.clone();
    view! {
        <li class="device">
            <span class="device-name">{name.clone()}</span>
            <span class="device-seen">{seen}</span>
            {(!device.current).then(|| view! {
                <button type="button" class="button secondary" aria-label=format!("Log out {name}") disabled=busy
                    on:click=move |_| { end_one.dispatch(id.clone()); }>"Log out"</button>
            })}
        </li>
    }
}

/// The panel, loaded with its first opening (see `OnDemand`).
#[lazy]
pub fn settings_panel() -> AnyView {
    view! { <SettingsPanel/> }.into_any()
}
